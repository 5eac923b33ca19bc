#!/usr/bin/env bash
# Install Debian's chromium for the browser tests (tests/app/test_app_browser.py), once.
# Idempotent: does nothing when /usr/bin/chromium already exists. Playwright never
# downloads a browser of its own in this project; the tests launch this binary.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
  exit 0
fi
SUDO=""
if [ "$(id -u)" != "0" ]; then
  SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update
$SUDO apt-get install -y --no-install-recommends chromium fonts-dejavu-core
