#!/usr/bin/env bash
# Benchmark (issue 2 budget: median <= 20 ms): `stauth init --offline` on an
# existing 200-line secrets.toml, writing a new [auth] block each run.
# Needs hyperfine (apt-get install hyperfine) and a release build.
set -euo pipefail
cd "$(dirname "$0")/../.."
cargo build --release --quiet
bin=$PWD/target/release/stauth
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/app/.streamlit"
{
  echo "# 200-line secrets file"
  for i in $(seq 1 39); do
    printf '[service_%d]\nurl = "https://svc%d.example.com"  # endpoint\nuser = "user%d"\npassword = "pw-%d"\n\n' "$i" "$i" "$i" "$i"
  done
  printf '[db]\nhost = "localhost"\nport = 5432\n'
} > "$work/seed.toml"
wc -l < "$work/seed.toml" | xargs echo "lines in seed file:"
echo "secret" > "$work/secret"
hyperfine --warmup 5 --runs 200 --export-json "$work/result.json" \
  --prepare "cp $work/seed.toml $work/app/.streamlit/secrets.toml" \
  "$bin init --provider google --client-id x --client-secret-stdin --offline --no-gitignore --app-dir $work/app < $work/secret"
python3 -c "import json,sys; r=json.load(open(sys.argv[1]))['results'][0]; print(f\"median {r['median']*1000:.2f} ms, mean {r['mean']*1000:.2f} ms\")" "$work/result.json"
ls -l "$bin" | awk '{print "release binary:", $5, "bytes"}'
