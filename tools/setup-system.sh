#!/usr/bin/env bash
# System packages the test suite needs, from Debian's packages: Java (HermiT, via owlready2) and Chromium with
# its driver (the end-to-end browser test). Installs only what is missing; safe to run again.
set -euo pipefail
need=()
command -v java >/dev/null 2>&1 || need+=(default-jre-headless)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v chromedriver >/dev/null 2>&1 || need+=(chromium-driver)
if [ ${#need[@]} -gt 0 ]; then
  echo "installing: ${need[*]}"
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}"
fi
java -version 2>&1 | head -1
chromium --version 2>/dev/null || true
