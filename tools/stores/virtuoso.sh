#!/usr/bin/env bash
# Starts or stops a throwaway Virtuoso 7 (Debian's virtuoso-opensource) on loopback, for the parity tests.
#   virtuoso.sh start DIR HTTP_PORT SQL_PORT   database in DIR, waits (bounded) until SPARQL answers, prints the URL
#   virtuoso.sh stop DIR                       stops the server started in DIR (TERM, then KILL after 20 s)
# The database is new, so the dba password is "dba"; the server listens on 127.0.0.1 only. Nothing is granted to
# the anonymous SPARQL user: loads go through the authenticated Graph Store endpoint /sparql-graph-crud-auth.
set -euo pipefail
cmd=${1:?usage: virtuoso.sh start DIR HTTP_PORT SQL_PORT | stop DIR}
dir=${2:?database folder}
case "$cmd" in
  start)
    http=${3:?HTTP port}
    sql=${4:?SQL port}
    command -v virtuoso-t >/dev/null || { echo "virtuoso-t not installed (hint: bash tools/setup-system.sh)" >&2; exit 3; }
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    cat > "$dir/virtuoso.ini" <<INI
[Database]
DatabaseFile = $dir/virtuoso.db
ErrorLogFile = $dir/virtuoso.log
LockFile = $dir/virtuoso.lck
TransactionFile = $dir/virtuoso.trx
xa_persistent_file = $dir/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
Striping = 0
TempStorage = TempDatabase
[TempDatabase]
DatabaseFile = $dir/virtuoso-temp.db
TransactionFile = $dir/virtuoso-temp.trx
[Parameters]
ServerPort = 127.0.0.1:$sql
DisableUnixSocket = 1
CheckpointInterval = 0
CaseMode = 2
DirsAllowed = ., $dir
NumberOfBuffers = 20000
MaxDirtyBuffers = 15000
ThreadsPerQuery = 2
[HTTPServer]
ServerPort = 127.0.0.1:$http
ServerRoot = /var/lib/virtuoso-opensource-7/vsp
ServerThreads = 4
MaxClientConnections = 4
Charset = UTF-8
[SPARQL]
ResultSetMaxRows = 1000000
MaxQueryExecutionTime = 120
MaxQueryCostEstimationTime = 0
INI
    # +foreground keeps the server a child we can stop by its pid; setsid detaches it from this script
    setsid virtuoso-t +foreground +configfile "$dir/virtuoso.ini" >"$dir/stdout.log" 2>&1 < /dev/null &
    echo $! > "$dir/pid"
    url="http://127.0.0.1:$http/sparql"
    for _ in $(seq 1 120); do
      if python3 -c "import sys, urllib.request; urllib.request.urlopen(sys.argv[1] + '?query=ASK%7B%7D', timeout=2)" \
          "$url" 2>/dev/null; then
        echo "$url"
        exit 0
      fi
      kill -0 "$(cat "$dir/pid")" 2>/dev/null || { echo "virtuoso exited:" >&2; tail -20 "$dir/virtuoso.log" >&2; exit 1; }
      sleep 0.5
    done
    echo "virtuoso did not answer on $url within 60 s:" >&2
    tail -20 "$dir/virtuoso.log" >&2
    exit 1
    ;;
  stop)
    [ -f "$dir/pid" ] || exit 0
    pid=$(cat "$dir/pid")
    kill "$pid" 2>/dev/null || exit 0
    for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || exit 0; sleep 0.5; done
    kill -9 "$pid" 2>/dev/null || true
    ;;
  *) echo "unknown command $cmd (hint: start or stop)" >&2; exit 2 ;;
esac
