#!/usr/bin/env bash
# Prepares what the test suite runs against, without root: the test identity
# provider (npm `oidc-provider`, from tests/idp/package-lock.json), the browser
# driver (npm `playwright-core`, tests/browser; it drives Debian's chromium) and
# a Python venv with real Streamlit (tests/.venv). Safe to run again: it skips
# what is already in place.
set -euo pipefail
cd "$(dirname "$0")"

for tool in node npm python3; do
  command -v "$tool" >/dev/null || { echo "tests/setup.sh: $tool is missing (on Debian: apt-get install nodejs npm python3-venv)" >&2; exit 1; }
done

if [ ! -d idp/node_modules/oidc-provider ] || [ idp/package-lock.json -nt idp/node_modules/.package-lock.json ]; then
  npm ci --prefix idp --no-audit --no-fund --loglevel=error
fi

if [ ! -d browser/node_modules/playwright-core ] || [ browser/package-lock.json -nt browser/node_modules/.package-lock.json ]; then
  npm ci --prefix browser --no-audit --no-fund --loglevel=error
fi
[ -x "${STAUTH_CHROMIUM:-/usr/bin/chromium}" ] || { echo "tests/setup.sh: chromium is missing (on Debian: apt-get install chromium)" >&2; exit 1; }

if [ ! -x .venv/bin/python ] || [ requirements.txt -nt .venv/.installed ] || [ requirements.lock -nt .venv/.installed ]; then
  python3 -m venv .venv
  .venv/bin/pip install --quiet --disable-pip-version-check -r requirements.txt -c requirements.lock
  touch .venv/.installed
fi
