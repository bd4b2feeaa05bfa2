#!/usr/bin/env bash
# Benchmark (issue 14 budget: a whole probe <= 1 s median on loopback, <= 40
# requests, peak RSS <= 20 MB): `stauth probe URL --groups 300` against
# Debian's nginx (default buffers) in front of real Streamlit, as in
# tests/it/probe_nginx.rs. Reports the median wall time of the process, the
# probe's own time and request count (from --json) and the peak RSS. Needs a
# release build, `bash tests/setup.sh` (tests/.venv) and /usr/sbin/nginx.
set -euo pipefail
cd "$(dirname "$0")/../.."
cargo build --release --quiet
bin=$PWD/target/release/stauth
runs=${RUNS:-20}
work=$(mktemp -d)
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
st_port=$(free_port)
ng_port=$(free_port)
mkdir -p "$work/app" "$work/nginx" "$work/home"
printf 'import streamlit as st\nst.write("hi")\n' > "$work/app/app.py"
py=$PWD/tests/.venv/bin/python
(cd "$work/app" && HOME="$work/home" exec "$py" -m streamlit run app.py \
  --server.headless true --server.port "$st_port" --server.address 127.0.0.1 \
  --browser.gatherUsageStats false > "$work/streamlit.log" 2>&1) &
streamlit=$!
cat > "$work/nginx/nginx.conf" <<CONF
daemon off; master_process off; error_log stderr notice; pid $work/nginx/nginx.pid;
events { worker_connections 64; }
http {
  access_log off;
  client_body_temp_path $work/nginx/b; proxy_temp_path $work/nginx/p;
  fastcgi_temp_path $work/nginx/f; uwsgi_temp_path $work/nginx/u; scgi_temp_path $work/nginx/s;
  map \$http_upgrade \$connection_upgrade { default upgrade; '' close; }
  server {
    listen 127.0.0.1:$ng_port;
    location / {
      proxy_pass http://127.0.0.1:$st_port; proxy_http_version 1.1;
      proxy_set_header Upgrade \$http_upgrade; proxy_set_header Connection \$connection_upgrade;
      proxy_set_header Host \$http_host;
    }
  }
}
CONF
/usr/sbin/nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" -e stderr > "$work/nginx.log" 2>&1 &
nginx=$!
trap 'kill $nginx $streamlit 2>/dev/null; wait 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 1 300); do
  curl -fsS "http://127.0.0.1:$ng_port/_stcore/health" > /dev/null 2>&1 && break
  sleep 0.1
done
url="http://127.0.0.1:$ng_port/"
for i in $(seq 1 "$runs"); do
  start=$(date +%s%N)
  # Exit 1: the 300-group login does not fit nginx's defaults (that is the point).
  /usr/bin/time -f '%M' -o "$work/m$i" "$bin" probe "$url" --app-dir "$work/app" \
    --streamlit-version 1.67 --groups 300 --json > "$work/r$i.json" 2>/dev/null || true
  end=$(date +%s%N)
  echo $(( (end - start) / 1000000 )) > "$work/w$i"
done
python3 - "$work" "$runs" <<'PY'
import json, statistics, sys
work, runs = sys.argv[1], int(sys.argv[2])
wall, own, reqs, rss = [], [], [], []
for i in range(1, runs + 1):
    r = json.load(open(f"{work}/r{i}.json"))
    own.append(r["elapsed_ms"])
    reqs.append(r["requests"])
    wall.append(int(open(f"{work}/w{i}").read()))
    rss.append(int(open(f"{work}/m{i}").read().split()[-1]))
print(f"runs: {runs}; limit found: {r['cookie_limit']['accepted_bytes']} bytes, refused by {r['cookie_limit']['refused_by']}")
print(f"process wall time, median: {statistics.median(wall)} ms  (min {min(wall)}, max {max(wall)})")
print(f"probe's own time, median: {statistics.median(own)} ms; requests: {max(reqs)} at most")
print(f"peak RSS, max: {max(rss) / 1024:.1f} MB")
PY
