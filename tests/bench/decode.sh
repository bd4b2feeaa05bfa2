#!/usr/bin/env bash
# Benchmark (issue 4 budget: median wall <= 3 ms, peak RSS <= 10 MB):
# `stauth decode TOKEN` without verification, on a realistic RS256 ID token
# (Entra-like claims, 20 groups), and the same token through jwt-cli
# (crates.io `jwt-cli`, binary `jwt`: `jwt decode TOKEN`), with the ratio.
# STAUTH_BIN=PATH measures that binary instead of building target/release.
#
# Needs hyperfine, GNU time (/usr/bin/time; apt-get install time), node (to
# mint the token with tests/tokens/mint.mjs) and a release build. jwt-cli is
# installed on first use into $JWT_CLI_ROOT (default ~/.cache/stauth-bench/jwt-cli)
# unless `jwt` is on PATH or JWT_CLI names the binary.
# Exit 1 when stauth is over budget.
set -euo pipefail
cd "$(dirname "$0")/../.."

for tool in hyperfine node; do
  command -v "$tool" >/dev/null || { echo "$tool is needed" >&2; exit 2; }
done
[ -x /usr/bin/time ] || { echo "GNU time is needed: apt-get install time" >&2; exit 2; }

# STAUTH_BIN names a binary built elsewhere (e.g. to compare two builds).
if [ -z "${STAUTH_BIN:-}" ]; then
  cargo build --release --quiet
fi
bin=${STAUTH_BIN:-$PWD/target/release/stauth}

jwt=${JWT_CLI:-$(command -v jwt || true)}
if [ -z "$jwt" ]; then
  root=${JWT_CLI_ROOT:-$HOME/.cache/stauth-bench/jwt-cli}
  if [ ! -x "$root/bin/jwt" ]; then
    echo "installing jwt-cli into $root (cargo install jwt-cli --locked)" >&2
    cargo install jwt-cli --locked --quiet --root "$root"
  fi
  jwt=$root/bin/jwt
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

now=$(date +%s)
groups=$(node -e 'console.log(JSON.stringify(Array.from({length: 20}, (_, i) => `0000${i}-1111-2222-3333-444455556666`.slice(-36))))')
node tests/tokens/mint.mjs "{\"alg\":\"RS256\",\"claims\":{
  \"aud\":\"6731de76-14a6-49ae-97bc-6eba6914391e\",
  \"iss\":\"https://login.microsoftonline.com/9188040d-6c67-4c5b-b112-36a304b66dad/v2.0\",
  \"iat\":$now,\"nbf\":$now,\"exp\":$((now + 3600)),
  \"email\":\"ada.lovelace@contoso.example\",\"name\":\"Ada Lovelace\",
  \"oid\":\"00000000-0000-0000-66f3-3332eca7ea81\",\"preferred_username\":\"ada@contoso.example\",
  \"rh\":\"0.ARoAv4j5cvGGr0GRqy180BHbR.\",\"sub\":\"AAAAAAAAAAAAAAAAAAAAAIkzqFVrSaSaFHy782bbtaQ\",
  \"tid\":\"9188040d-6c67-4c5b-b112-36a304b66dad\",\"uti\":\"fUnFa1UjSUaAg4sCr8QKAA\",\"ver\":\"2.0\",
  \"groups\":$groups}}" > "$work/minted.json"
token=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["token"])' "$work/minted.json")
echo "token: ${#token} characters"

# Both must actually decode it.
"$bin" decode "$token" > "$work/stauth.out"
grep -q "ada.lovelace@contoso.example" "$work/stauth.out"
grep -q "Signature NOT verified" "$work/stauth.out"
"$jwt" decode "$token" > "$work/jwt.out"
grep -q "ada.lovelace@contoso.example" "$work/jwt.out"

hyperfine -N --warmup 20 --runs 300 --export-json "$work/result.json" \
  -n stauth "$bin decode $token" \
  -n jwt-cli "$jwt decode $token" > "$work/hyperfine.txt"

peak_kb() {
  local max=0 kb
  for _ in $(seq 1 20); do
    kb=$( { /usr/bin/time -f '%M' "$@" > /dev/null; } 2>&1 | tail -1)
    [ "$kb" -gt "$max" ] && max=$kb
  done
  echo "$max"
}
stauth_kb=$(peak_kb "$bin" decode "$token")
jwt_kb=$(peak_kb "$jwt" decode "$token")

python3 - "$work/result.json" "$stauth_kb" "$jwt_kb" "$bin" "$jwt" <<'PY'
import json, os, sys
results = {r["command"]: r for r in json.load(open(sys.argv[1]))["results"]}
stauth_kb, jwt_kb = int(sys.argv[2]), int(sys.argv[3])
s, j = results["stauth"], results["jwt-cli"]
ms = lambda r, k: r[k] * 1000
print(f"stauth decode : median {ms(s, 'median'):.2f} ms (mean {ms(s, 'mean'):.2f} ± {ms(s, 'stddev'):.2f}), peak RSS {stauth_kb / 1024:.1f} MB, binary {os.path.getsize(sys.argv[4]) / 1e6:.1f} MB")
print(f"jwt decode    : median {ms(j, 'median'):.2f} ms (mean {ms(j, 'mean'):.2f} ± {ms(j, 'stddev'):.2f}), peak RSS {jwt_kb / 1024:.1f} MB, binary {os.path.getsize(sys.argv[5]) / 1e6:.1f} MB")
print(f"ratio stauth/jwt-cli: wall {s['median'] / j['median']:.2f}x, RSS {stauth_kb / jwt_kb:.2f}x")
ok_time = ms(s, "median") <= 3.0
ok_rss = stauth_kb <= 10 * 1024
print(f"budget: median <= 3 ms {'OK' if ok_time else 'OVER'}; peak RSS <= 10 MB {'OK' if ok_rss else 'OVER'}")
sys.exit(0 if ok_time and ok_rss else 1)
PY
