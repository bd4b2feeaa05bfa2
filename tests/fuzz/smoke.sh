#!/usr/bin/env bash
# Smoke run of the cargo-fuzz targets in tests/fuzz/fuzz_targets:
#   decode    stauth's JWT parser and claim checks, Cookie header parser and
#             cookie verifier;
#   callback  test-login's callback listener: request head parser, Host
#             check, callback classifier.
# Each runs FUZZ_SECONDS (default 10) seconds, starting from the seeds in
# tests/fuzz/seeds (callback from tests/fuzz/seeds/callback). Exits non-zero
# when the fuzzer finds a crash (the input is written to
# tests/fuzz/artifacts/TARGET/; replay it with
# `RUSTC_BOOTSTRAP=1 cargo fuzz run --fuzz-dir tests/fuzz TARGET FILE`).
#
# Installs cargo-fuzz (cargo install cargo-fuzz --locked) when it is missing.
# Works on a stable toolchain: cargo-fuzz passes nightly-only flags
# (-Zsanitizer=address, sanitizer coverage), which RUSTC_BOOTSTRAP=1 allows.
set -euo pipefail
cd "$(dirname "$0")/../.."

seconds=${FUZZ_SECONDS:-10}
t0=$(date +%s)
if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "fuzz smoke: installing cargo-fuzz" >&2
  cargo install cargo-fuzz --locked
fi
t1=$(date +%s)

export RUSTC_BOOTSTRAP=1
cargo fuzz build --fuzz-dir tests/fuzz
t2=$(date +%s)

status=0
failed=""
for target in decode callback; do
  case $target in
    callback) seeds=tests/fuzz/seeds/callback ;;
    *) seeds=tests/fuzz/seeds ;;
  esac
  mkdir -p "tests/fuzz/corpus/$target"
  if ! cargo fuzz run --fuzz-dir tests/fuzz "$target" "tests/fuzz/corpus/$target" "$seeds" \
    -- -max_total_time="$seconds"; then
    status=1
    failed="$failed $target"
  fi
done
t3=$(date +%s)

echo "fuzz smoke: install $((t1 - t0)) s, build $((t2 - t1)) s, run $((t3 - t2)) s" >&2
if [ "$status" -ne 0 ]; then
  echo "fuzz smoke: the fuzzer found a crash in:$failed; see tests/fuzz/artifacts/" >&2
fi
exit "$status"
