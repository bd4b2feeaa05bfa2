#!/usr/bin/env bash
# Prepares what the test suite runs against, without root: the test identity
# provider (npm `oidc-provider`, from tests/idp/package-lock.json), the
# relying party that tests stauth's dev provider (npm `openid-client`,
# tests/rp/package-lock.json), the browser
# driver (npm `playwright-core`, tests/browser; it drives Debian's chromium), a
# Python venv with real Streamlit (tests/.venv) and one venv per Streamlit
# release of the release matrix (tests/.venvs/NAME, from tests/matrix/NAME.txt),
# and maturin in tests/.venv-maturin (from tests/wheel/requirements.lock), which
# builds the wheel that tests/it/wheel.rs pip-installs.
# Safe to run again: it skips what is already in place.
set -euo pipefail
cd "$(dirname "$0")"

for tool in node npm python3; do
  command -v "$tool" >/dev/null || { echo "tests/setup.sh: $tool is missing (on Debian: apt-get install nodejs npm python3-venv)" >&2; exit 1; }
done

if [ ! -d idp/node_modules/oidc-provider ] || [ idp/package-lock.json -nt idp/node_modules/.package-lock.json ]; then
  npm ci --prefix idp --no-audit --no-fund --loglevel=error
fi

if [ ! -d rp/node_modules/openid-client ] || [ rp/package-lock.json -nt rp/node_modules/.package-lock.json ]; then
  npm ci --prefix rp --no-audit --no-fund --loglevel=error
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

# The release matrix. uv (pinned with its hashes in matrix/tools.lock) installs
# every lock from one cache, hard-linking the files venvs share (the locks pin
# the same big wheels wherever they can), so each wheel is downloaded and
# unpacked once. A venv keeps the sha256 of the lock it was
# built from and is rebuilt only when the lock's content changes; the hash is
# written last, so an interrupted build is redone.
lock_sha() { sha256sum "$1" | cut -d' ' -f1; }
built() { [ -x "$1/bin/python" ] && [ "$(cat "$1/.lock-sha256" 2>/dev/null)" = "$2" ]; }

sha=$(lock_sha matrix/tools.lock)
if ! built .venvs/.tools "$sha"; then
  rm -rf .venvs/.tools
  python3 -m venv .venvs/.tools
  .venvs/.tools/bin/pip install --quiet --disable-pip-version-check --no-cache-dir \
    --require-hashes --only-binary :all: --no-deps -r matrix/tools.lock
  echo "$sha" >.venvs/.tools/.lock-sha256
fi

# The locks are for CPython 3.11 (Debian 12's python3); uv takes python3.11 from
# PATH, or downloads it into .venvs/.python where there is none.
export UV_CACHE_DIR="$PWD/.venvs/.uv-cache" UV_PYTHON_INSTALL_DIR="$PWD/.venvs/.python"
for lock in matrix/*.txt; do
  venv=.venvs/$(basename "$lock" .txt)
  sha=$(lock_sha "$lock")
  built "$venv" "$sha" && continue
  rm -rf "$venv"
  .venvs/.tools/bin/uv venv --quiet --python 3.11 "$venv"
  .venvs/.tools/bin/uv pip sync --quiet --require-hashes --python "$venv/bin/python" "$lock"
  echo "$sha" >"$venv/.lock-sha256"
done

# maturin for the wheel test, pinned with its hashes like uv above and rebuilt
# only when the lock's content changes.
sha=$(lock_sha wheel/requirements.lock)
if ! built .venv-maturin "$sha"; then
  rm -rf .venv-maturin
  python3 -m venv .venv-maturin
  .venv-maturin/bin/pip install --quiet --disable-pip-version-check --no-cache-dir \
    --require-hashes --only-binary :all: -r wheel/requirements.lock
  echo "$sha" >.venv-maturin/.lock-sha256
fi
