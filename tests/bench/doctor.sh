#!/usr/bin/env bash
# Benchmark (issue 7 budget: median <= 100 ms): `stauth doctor --offline` on an
# app folder with 500 Python files, with the test venv as the app's Python.
# Needs hyperfine, a release build and `bash tests/setup.sh`.
set -euo pipefail
cd "$(dirname "$0")/../.."
cargo build --release --quiet
bin=$PWD/target/release/stauth
python=$PWD/tests/.venv/bin/python
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/app/.streamlit"
for i in $(seq 1 500); do
  d="$work/app/pkg$((i % 10))"
  mkdir -p "$d"
  printf 'import streamlit as st\n\n\ndef page_%d():\n    st.write("page %d", st.user.email)\n' "$i" "$i" > "$d/mod_$i.py"
done
cat > "$work/app/.streamlit/secrets.toml" <<'TOML'
[auth]
redirect_uri = "http://localhost:8501/oauth2callback"
cookie_secret = "0123456789abcdef0123456789abcdef0123456789abcdef"
client_id = "app"
client_secret = "s3cret"
server_metadata_url = "https://accounts.google.com/.well-known/openid-configuration"
TOML
chmod 600 "$work/app/.streamlit/secrets.toml"
find "$work/app" -name '*.py' | wc -l | xargs echo "python files:"
hyperfine --warmup 3 --runs 30 --export-json "$work/r.json" \
  "$bin doctor --offline --app-dir $work/app --python $python"
python3 -c "import json,sys; r=json.load(open(sys.argv[1]))['results'][0]; print(f\"median {r['median']*1000:.1f} ms\")" "$work/r.json"
