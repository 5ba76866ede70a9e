#!/usr/bin/env bash
# Quickstart, step 2 (and CI): install what the tests need, then run ruff, mypy and pytest.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install.sh --no-build

# Browser tests drive Debian's Chromium; CJK fonts make Chinese text render in screenshots.
if [ ! -x /usr/bin/chromium ] || ! fc-list 2>/dev/null | grep -qi "Noto Sans CJK"; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null
  else
    echo "note: chromium and fonts-noto-cjk are not installed; browser tests will skip" \
         "(and fail under CI=true)." >&2
  fi
fi

.venv/bin/ruff check .
.venv/bin/mypy
.venv/bin/python -m pytest "$@"
