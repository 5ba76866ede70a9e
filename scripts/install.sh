#!/usr/bin/env bash
# Quickstart, step 1: install everything into .venv and build the demo site into site/.
# Works on a clean Debian machine with Python 3.11 (as root it installs python3-venv if missing).
set -euo pipefail
cd "$(dirname "$0")/.."

python=${PYTHON:-python3}
if ! "$python" -c 'import sys; assert sys.version_info >= (3, 11)' 2>/dev/null; then
  echo "Gongshi needs Python 3.11 or newer (found: $("$python" --version 2>&1))." >&2
  exit 2
fi
if ! "$python" -m venv --help >/dev/null 2>&1 || ! "$python" -c 'import ensurepip' 2>/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv
  else
    echo "Python's venv module is missing: install python3-venv (apt-get install python3-venv)." >&2
    exit 2
  fi
fi

stamp=.venv/.installed-$(sha256sum pyproject.toml | cut -c1-16)
if [ ! -f "$stamp" ]; then
  [ -x .venv/bin/python ] || "$python" -m venv .venv
  .venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
  rm -f .venv/.installed-* && touch "$stamp"
fi

if [ "${1:-}" != "--no-build" ]; then
  .venv/bin/gongshi build
  echo "Demo site built in site/. Preview it with: .venv/bin/gongshi serve"
fi
