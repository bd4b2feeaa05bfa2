#!/usr/bin/env bash
# Benchmark (issue 6 budget: `stauth run -- true` adds at most 30 ms, median,
# over running `true` directly; the keychain round trip included).
# Runs in a private D-Bus session with gnome-keyring unlocked, throwaway HOME.
# Needs hyperfine, dbus (dbus-run-session) and gnome-keyring, and a release build.
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ -z "${STAUTH_BENCH_SESSION:-}" ]; then
  cargo build --release --quiet
  export STAUTH_BENCH_SESSION=1
  HOME=$(mktemp -d)
  export HOME
  exec dbus-run-session -- bash "$0" "$@"
fi
trap 'rm -rf "$HOME"' EXIT
bin=$PWD/target/release/stauth
echo -n bench-password | gnome-keyring-daemon --unlock --components=secrets >/dev/null
app=$HOME/app
mkdir -p "$app"
for _ in $(seq 1 50); do
  "$bin" secrets list --all >/dev/null 2>&1 && break
  sleep 0.1
done
printf 'bench-client-secret' | "$bin" init --provider google --client-id bench --client-secret-stdin \
  --offline --no-gitignore --store keychain --app-dir "$app" >/dev/null 2>&1
# Both secrets come from the keychain on every run.
"$bin" run --app-dir "$app" -- sh -c 'grep -cE "^(client|cookie)_secret = " "${STREAMLIT_SECRETS_FILES##* }"' | xargs echo "secrets in the file stauth run writes:"
hyperfine -N --warmup 20 --runs 300 --export-json "$HOME/result.json" \
  "true" \
  "$bin run --app-dir $app -- true"
python3 - "$HOME/result.json" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))["results"]
base, run = r[0]["median"] * 1000, r[1]["median"] * 1000
print(f"median: true {base:.2f} ms, stauth run -- true {run:.2f} ms, overhead {run - base:.2f} ms (budget 30 ms)")
sys.exit(0 if run - base <= 30 else 1)
EOF
