#!/usr/bin/env bash
# Starts or stops Apache Jena ARQ (Debian's libapache-jena-java 4.5) as a SPARQL endpoint on loopback, for the
# parity tests (tools/stores/JenaEndpoint.java: queries at /sparql, Graph Store Protocol at /data).
#   jena.sh classpath DIR        the hand-built classpath (see below), printed
#   jena.sh start DIR PORT       starts the endpoint, waits (bounded) until it answers, prints the query URL
#   jena.sh stop DIR             stops it (TERM, then KILL after 10 s)
# Debian's jars need a hand-built classpath: they bring both log4j-over-slf4j and slf4j-log4j12 (a loop; only
# slf4j-api and slf4j-simple are used here), and the xerces copy inside jena-core (package `xerces`) lacks the
# .properties files its error messages need; the copy under org/apache/jena/ext/xerces/ has them, so they are
# extracted into DIR/xerces-messages and put on the classpath.
set -euo pipefail
cmd=${1:?usage: jena.sh classpath DIR | start DIR PORT | stop DIR}
dir=${2:?state folder}
here=$(cd "$(dirname "$0")" && pwd)
java_dir=/usr/share/java
classpath() {
  [ -f "$java_dir/jena-arq.jar" ] || { echo "Jena not installed (hint: bash tools/setup-system.sh)" >&2; exit 3; }
  command -v java >/dev/null || { echo "java not installed (hint: bash tools/setup-system.sh)" >&2; exit 3; }
  local fix="$dir/xerces-messages"
  if [ ! -d "$fix/xerces" ]; then
    mkdir -p "$fix"
    python3 - "$java_dir/jena-core.jar" "$fix" <<'PY'
import sys, zipfile
prefix = "org/apache/jena/ext/xerces/"
with zipfile.ZipFile(sys.argv[1]) as jar:
    for name in jar.namelist():
        if name.startswith(prefix) and name.endswith(".properties"):
            target = f"{sys.argv[2]}/xerces/{name[len(prefix):]}"
            import os
            os.makedirs(os.path.dirname(target), exist_ok=True)
            with open(target, "wb") as out:
                out.write(jar.read(name))
PY
  fi
  local cp="$fix" jar
  for jar in jena-base jena-core jena-arq jena-iri jena-shacl jena-tdb jena-tdb2 jena-dboe-base jena-dboe-index \
      jena-dboe-storage jena-dboe-trans-data jena-dboe-transaction jena-rdfconnection slf4j-api slf4j-simple \
      jcl-over-slf4j guava commons-io commons-lang3 commons-codec commons-compress commons-csv commons-cli \
      dexx.collection gson jackson-core jackson-databind jackson-annotations jsonld-java httpclient httpclient-cache \
      httpcore jakarta.json-api titanium-json-ld protobuf thrift; do
    [ -f "$java_dir/$jar.jar" ] && cp="$cp:$java_dir/$jar.jar"
  done
  echo "$cp"
}
case "$cmd" in
  classpath) mkdir -p "$dir"; classpath ;;
  start)
    port=${3:?port}
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    cp=$(classpath)
    setsid java -Xmx1g -cp "$cp" "$here/JenaEndpoint.java" "$port" >"$dir/jena.log" 2>&1 < /dev/null &
    echo $! > "$dir/pid"
    url="http://127.0.0.1:$port/sparql"
    for _ in $(seq 1 120); do
      if python3 -c "import sys, urllib.request; urllib.request.urlopen(sys.argv[1] + '?query=ASK%7B%7D', timeout=2)" \
          "$url" 2>/dev/null; then
        echo "$url"
        exit 0
      fi
      kill -0 "$(cat "$dir/pid")" 2>/dev/null || { echo "the Jena endpoint exited:" >&2; tail -20 "$dir/jena.log" >&2; exit 1; }
      sleep 0.5
    done
    echo "the Jena endpoint did not answer on $url within 60 s:" >&2
    tail -20 "$dir/jena.log" >&2
    exit 1
    ;;
  stop)
    [ -f "$dir/pid" ] || exit 0
    pid=$(cat "$dir/pid")
    kill "$pid" 2>/dev/null || exit 0
    for _ in $(seq 1 20); do kill -0 "$pid" 2>/dev/null || exit 0; sleep 0.5; done
    kill -9 "$pid" 2>/dev/null || true
    ;;
  *) echo "unknown command $cmd (hint: classpath, start or stop)" >&2; exit 2 ;;
esac
