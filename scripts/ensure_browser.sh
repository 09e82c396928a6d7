#!/usr/bin/env bash
# Make sure the browser tests can run: they drive Debian's chromium (never `playwright install`).
# As root with apt-get, a missing chromium is installed; otherwise the browser tests are skipped
# (tests/conftest.py says so in one line). This script never fails the test run.
CHROMIUM=/usr/bin/chromium
[ -x "$CHROMIUM" ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Debian's chromium for the browser tests (apt-get install chromium)..."
  if apt-get update -qq >/dev/null 2>&1 && \
     DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null 2>&1; then
    exit 0
  fi
  echo "Could not install chromium; the browser tests will be skipped."
else
  echo "No $CHROMIUM: the browser tests will be skipped (as root: apt-get install chromium)."
fi
exit 0
