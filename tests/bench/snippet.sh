#!/usr/bin/env bash
# Benchmark (issue 5 budget: median <= 10 ms): `stauth snippet KIND` for every
# kind, rendered for a secrets file with a default and two named providers.
# Needs hyperfine (apt-get install hyperfine) and a release build.
set -euo pipefail
cd "$(dirname "$0")/../.."
cargo build --release --quiet
bin=$PWD/target/release/stauth
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/app/.streamlit"
cat > "$work/app/.streamlit/secrets.toml" <<'TOML'
[auth]
redirect_uri = "http://localhost:8501/oauth2callback"
cookie_secret = "a-cookie-secret-of-32-characters"
client_id = "app.apps.googleusercontent.com"
client_secret = "s3cr3t"
server_metadata_url = "https://accounts.google.com/.well-known/openid-configuration"

[auth.cognito]
client_id = "cognito-client"
client_secret = "s3cr3t"
server_metadata_url = "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEfGhI/.well-known/openid-configuration"

[auth.entra]
client_id = "entra-client"
client_secret = "s3cr3t"
server_metadata_url = "https://login.microsoftonline.com/contoso.onmicrosoft.com/v2.0/.well-known/openid-configuration"
TOML
kinds=$("$bin" snippet --list | awk '{print $1}' | paste -sd, -)
hyperfine -N --warmup 5 --runs 100 --style basic --export-json "$work/result.json" \
  -L kind "$kinds" "$bin snippet {kind} --app-dir $work/app" > /dev/null
python3 - "$work/result.json" <<'PY'
import json, sys
results = json.load(open(sys.argv[1]))["results"]
for r in results:
    print(f"{r['parameters']['kind']:10} median {r['median'] * 1000:.2f} ms")
worst = max(r["median"] for r in results) * 1000
print(f"slowest median {worst:.2f} ms (budget 10 ms): {'ok' if worst <= 10 else 'OVER BUDGET'}")
PY
