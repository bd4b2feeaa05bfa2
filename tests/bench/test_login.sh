#!/usr/bin/env bash
# Benchmark (issue 3 budget: stauth's own time <= 50 ms median): a full
# `stauth test-login` against the local test provider, with the scripted
# browser. Reports the median of stauth's own time (total minus waiting for
# the browser, from --json timings) and of the whole process's wall time minus
# that wait. Needs a release build and `bash tests/setup.sh`.
set -euo pipefail
cd "$(dirname "$0")/../.."
cargo build --release --quiet
bin=$PWD/target/release/stauth
runs=${RUNS:-30}
work=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
redirect="http://localhost:$port/oauth2callback"
config="{\"clients\":[{\"client_id\":\"bench\",\"client_secret\":\"bench-secret-0123456789\",\"redirect_uris\":[\"$redirect\"],\"post_logout_redirect_uris\":[\"$redirect\"]}]}"
mkfifo "$work/idp.in"
node tests/idp/server.mjs "$config" < "$work/idp.in" > "$work/idp.out" 2> "$work/idp.err" &
idp=$!
exec 3> "$work/idp.in"
trap 'exec 3>&-; kill $idp 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 1 50); do [ -s "$work/idp.out" ] && break; sleep 0.1; done
issuer=$(python3 -c 'import json,sys; print(json.loads(open(sys.argv[1]).readline())["issuer"])' "$work/idp.out")
mkdir -p "$work/app"
echo bench-secret-0123456789 | "$bin" init --app-dir "$work/app" --issuer "$issuer" --client-id bench \
  --client-secret-stdin --redirect-uri "$redirect" --no-gitignore 2>/dev/null
for i in $(seq 1 "$runs"); do
  start=$(date +%s%N)
  "$bin" test-login --app-dir "$work/app" --json \
    --browser-command "node $PWD/tests/idp/login.mjs" > "$work/r$i.json" 2>/dev/null
  end=$(date +%s%N)
  echo $(( (end - start) / 1000000 )) > "$work/w$i"
done
python3 - "$work" "$runs" <<'PY'
import json, statistics, sys
work, runs = sys.argv[1], int(sys.argv[2])
own, wall = [], []
for i in range(1, runs + 1):
    r = json.load(open(f"{work}/r{i}.json"))
    t = r["timings_ms"]
    own.append(t["stauth_own"])
    wall.append(int(open(f"{work}/w{i}").read()) - t["waiting_for_user"])
print(f"runs: {runs}")
print(f"stauth's own time (total - waiting), median: {statistics.median(own)} ms  (min {min(own)}, max {max(own)})")
print(f"process wall time - waiting, median: {statistics.median(wall)} ms")
PY
