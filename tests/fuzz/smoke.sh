#!/usr/bin/env bash
# Smoke run of the cargo-fuzz target `decode` (tests/fuzz/fuzz_targets/decode.rs):
# stauth's JWT parser and claim checks, Cookie header parser and cookie
# verifier, for FUZZ_SECONDS (default 20) seconds, starting from the seeds in
# tests/fuzz/seeds. Exits non-zero when the fuzzer finds a crash (the input is
# written to tests/fuzz/artifacts/decode/; replay it with
# `RUSTC_BOOTSTRAP=1 cargo fuzz run --fuzz-dir tests/fuzz decode FILE`).
#
# Installs cargo-fuzz (cargo install cargo-fuzz --locked) when it is missing.
# Works on a stable toolchain: cargo-fuzz passes nightly-only flags
# (-Zsanitizer=address, sanitizer coverage), which RUSTC_BOOTSTRAP=1 allows.
set -euo pipefail
cd "$(dirname "$0")/../.."

seconds=${FUZZ_SECONDS:-20}
t0=$(date +%s)
if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "fuzz smoke: installing cargo-fuzz" >&2
  cargo install cargo-fuzz --locked
fi
t1=$(date +%s)

export RUSTC_BOOTSTRAP=1
cargo fuzz build --fuzz-dir tests/fuzz decode
t2=$(date +%s)

mkdir -p tests/fuzz/corpus/decode
status=0
cargo fuzz run --fuzz-dir tests/fuzz decode tests/fuzz/corpus/decode tests/fuzz/seeds \
  -- -max_total_time="$seconds" || status=$?
t3=$(date +%s)

echo "fuzz smoke: install $((t1 - t0)) s, build $((t2 - t1)) s, run $((t3 - t2)) s" >&2
if [ "$status" -ne 0 ]; then
  echo "fuzz smoke: the fuzzer found a crash (exit $status); see tests/fuzz/artifacts/decode/" >&2
fi
exit "$status"
