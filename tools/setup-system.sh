#!/usr/bin/env bash
# System packages the test suite needs, from Debian's packages: Java (HermiT, via owlready2), Chromium with its
# driver (the end-to-end browser test), and the two independent stores of the parity tests (tests/test_stores.py):
# Virtuoso 7 and Apache Jena. Installs only what is missing; safe to run again. The Debian services are not
# started (the tests start their own throwaway servers on loopback: tools/stores/).
set -euo pipefail
need=()
command -v java >/dev/null 2>&1 || need+=(default-jre-headless)
# the Jena endpoint runs as a single-file Java program, which needs the jdk.compiler module
java --list-modules 2>/dev/null | grep -q '^jdk.compiler@' || need+=(default-jdk-headless)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v chromedriver >/dev/null 2>&1 || need+=(chromium-driver)
command -v virtuoso-t >/dev/null 2>&1 || need+=(virtuoso-opensource)
[ -f /usr/share/java/jena-arq.jar ] || need+=(libapache-jena-java)
if [ ${#need[@]} -gt 0 ]; then
  echo "installing: ${need[*]}"
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  # policy-rc.d exit 101: do not start the packaged Virtuoso service (the tests start their own)
  policy=/usr/sbin/policy-rc.d
  added_policy=""
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$policy" >/dev/null && $SUDO chmod +x "$policy" && added_policy=1
  fi
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}"
  if [ -n "$added_policy" ]; then $SUDO rm -f "$policy"; fi
fi
java -version 2>&1 | head -1
chromium --version 2>/dev/null || true
virtuoso-t +version 2>&1 | grep -m1 -i version || true
ls /usr/share/java/jena-arq-*.jar 2>/dev/null || true
