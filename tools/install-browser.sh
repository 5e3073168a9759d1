#!/usr/bin/env bash
# Installs headless Chromium and its WebDriver from Debian's packages, for tests/test_browser.py.
# Does nothing when /usr/bin/chromium is already there. Needs root (as on the project's machines and CI).
set -euo pipefail
if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then
  echo "chromium and chromedriver are installed"
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "install-browser.sh: needs root for apt-get (try: sudo $0)" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y chromium chromium-driver
