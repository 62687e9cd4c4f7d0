#!/usr/bin/env bash
# Make sure Debian's Chromium is installed for the browser tests (Playwright drives it).
set -euo pipefail
CHROMIUM=${CARECYCLE_CHROMIUM:-/usr/bin/chromium}
if [ ! -x "$CHROMIUM" ]; then
  echo "installing Chromium for the browser tests..." >&2
  apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >&2
fi
