"""The hostile query corpus (`tests/hostile/queries.yaml`) on every surface: the isolated embedded store (what the
explorer and the CLI run), `cnkg query FILE` as a process, and the real `cnkg serve` process over HTTP.

Each case asserts its clean outcome (refused with a reason, stopped at a limit, or answered), that no case reached
the canary server named in it, and that the server survives the corpus; plus the limits themselves (memory cap,
per-client fairness, a cut result marked in-band)."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest
import yaml

from kg.errors import QueryError
from kg.publish.serve import ServerSpec, start
from kg.sparql.backends import EmbeddedStore, RemoteEndpoint
from kg.sparql.pool import WorkerPool

from .helpers import free_port, http_server

CASES: list[dict[str, Any]] = yaml.safe_load((Path(__file__).parent / "hostile" / "queries.yaml").read_text())
HITS: list[str] = []


class _Canary(BaseHTTPRequestHandler):
    """Counts every request: a hostile query that reaches it has escaped the guard."""

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        HITS.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.end_headers()
        self.wfile.write(b'{"head": {"vars": ["s"]}, "results": {"bindings": []}}')

    do_POST = do_GET


@pytest.fixture(scope="module")
def canary() -> Iterator[str]:
    with http_server(_Canary) as base:
        yield f"{base}/sparql"
    assert HITS == [], f"hostile queries reached the canary server: {HITS}"


def _text(case: dict[str, Any], canary: str) -> str:
    return (
        case["text"]
        .replace("{CANARY}", canary)
        .replace("{DEEP_PARENS}", "(" * 5000 + "1" + ")" * 5000)
        .replace("{DEEP_BRACES}", "{" * 3000 + "}" * 3000)
        .replace("{HUGE}", "x" * 500_000)
    )


@pytest.fixture(scope="module")
def isolated(graph_file: Path) -> Iterator[EmbeddedStore]:
    store = EmbeddedStore(graph_file, isolate=True)
    yield store
    store.close()


@pytest.fixture(scope="module")
def server(graph_file: Path) -> Iterator[tuple[ServerSpec, subprocess.Popen[bytes]]]:
    spec = ServerSpec(port=free_port(), timeout_s=3, row_cap=50)
    process = start(graph_file, spec)
    yield spec, process
    process.terminate()
    process.wait(timeout=10)


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_embedded_surface(case: dict[str, Any], isolated: EmbeddedStore, canary: str) -> None:
    text = _text(case, canary)
    if case["expect"] == "answered":
        assert isolated.select(text, timeout_s=10).columns
        return
    with pytest.raises(QueryError, match=case["match"]):
        isolated.select(text, timeout_s=3)


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_server_surface(
    case: dict[str, Any], server: tuple[ServerSpec, subprocess.Popen[bytes]], canary: str
) -> None:
    spec, process = server
    body = urllib.parse.urlencode({"query": _text(case, canary)}).encode()
    request = urllib.request.Request(spec.query_url, data=body, headers={"Accept": "application/sparql-results+json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            status, reply = response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        status, reply = exc.code, exc.read().decode()
    if case["expect"] == "answered":
        assert status == 200 and "head" in json.loads(reply)
    else:
        assert status == case["status"], reply
        assert case["expect"] == "refused" or "stopped" in reply or "memory" in reply or "engine" in reply
        import re

        assert re.search(case["match"], reply), reply
    assert process.poll() is None, "the server died"


def test_server_still_answers_after_the_corpus(server: tuple[ServerSpec, subprocess.Popen[bytes]]) -> None:
    spec, process = server
    assert process.poll() is None
    assert RemoteEndpoint(spec.query_url).select("SELECT (1 AS ?x) WHERE {}").rows == [[1]]


CLI_CASES = [c for c in CASES if c["id"] in {
    "service-plain", "service-after-escaped-hash", "from-remote-graph", "load", "deep-parentheses", "oversize",
    "cross-join-count", "plain-count",
}]


@pytest.mark.parametrize("case", CLI_CASES, ids=[c["id"] for c in CLI_CASES])
def test_cli_surface(case: dict[str, Any], tmp_path: Path, canary: str, graph_file: Path) -> None:
    query = tmp_path / "hostile.rq"
    query.write_text(
        "#+ summary: hostile\n#+ description: a hostile query\n#+ tags: test\n" + _text(case, canary),
        encoding="utf-8",
    )
    result = subprocess.run(
        [sys.executable, "-m", "kg.cli", "query", str(query), "--graph", str(graph_file), "--timeout", "3",
         "-f", "csv"],
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr, result.stderr
    if case["expect"] == "answered":
        assert result.returncode == 0, result.stderr
    else:
        import re

        assert result.returncode != 0 and re.search(case["match"], result.stderr), result.stderr


# ---------------------------------------------------------------- the limits themselves


def test_memory_cap_stops_a_growing_query(graph_file: Path) -> None:
    """A sort over a cross join grows without bound: the worker dies at its memory cap, well before the time
    limit, and the pool answers again afterwards."""
    store = EmbeddedStore(graph_file)
    pool = WorkerPool(store.store, size=1, memory_mb=300)
    from kg.sparql.backends import _evaluate_job

    start = time.perf_counter()
    try:
        with pytest.raises(QueryError, match="memory limit of 300 MB"):
            pool.call(_evaluate_job, "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?c ?f", 10, timeout_s=60)
        assert time.perf_counter() - start < 45
        assert pool.call(_evaluate_job, "SELECT (1 AS ?x) WHERE {}", 10, timeout_s=10).rows == [[1]]
    finally:
        pool.close()


def test_one_clients_runaway_does_not_block_another(isolated: EmbeddedStore) -> None:
    """Two workers: while client A's runaway query holds one, client B is answered at once; a second query of A
    waits for A's first (one worker per client), so A cannot take both."""
    runaway = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    errors: list[str] = []

    def hog() -> None:
        try:
            isolated.select(runaway, timeout_s=4, client="A")
        except QueryError as exc:
            errors.append(str(exc))

    thread = threading.Thread(target=hog)
    thread.start()
    time.sleep(0.5)
    start = time.perf_counter()
    assert isolated.select("SELECT (COUNT(*) AS ?n) WHERE { ?s a ?c }", timeout_s=10, client="B").rows
    assert time.perf_counter() - start < 2.5, "client B waited for client A's runaway query"
    with pytest.raises(QueryError, match="previous query is still running"):
        isolated.select("SELECT (1 AS ?x) WHERE {}", timeout_s=1, client="A")
    thread.join(timeout=20)
    assert errors and "stopped after 4 s" in errors[0]


def test_a_cut_result_says_so_in_band(server: tuple[ServerSpec, subprocess.Popen[bytes]]) -> None:
    """The server's row cap (50 here) marks JSON results with a `link` the client reads, and refuses to pass a cut
    CSV off as complete."""
    spec, _ = server
    table = RemoteEndpoint(spec.query_url).select("SELECT ?s WHERE { ?s ?p ?o }")
    assert len(table.rows) == 50 and table.truncated
    small = RemoteEndpoint(spec.query_url).select("SELECT ?s WHERE { ?s ?p ?o } LIMIT 5")
    assert len(small.rows) == 5 and not small.truncated
    body = urllib.parse.urlencode({"query": "SELECT ?s WHERE { ?s ?p ?o }"}).encode()
    request = urllib.request.Request(spec.query_url, data=body, headers={"Accept": "text/csv"})
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(request, timeout=30)
    assert info.value.code == 413 and b"cannot mark a cut result" in info.value.read()


def test_cors_is_off_unless_asked(server: tuple[ServerSpec, subprocess.Popen[bytes]], graph_file: Path) -> None:
    spec, _ = server
    url = spec.query_url + "?" + urllib.parse.urlencode({"query": "ASK {}"})
    with urllib.request.urlopen(url, timeout=10) as response:
        assert response.headers.get("Access-Control-Allow-Origin") is None
    cors = ServerSpec(port=free_port(), cors=True, workers=1)
    process = start(graph_file, cors)
    try:
        with urllib.request.urlopen(cors.query_url + "?" + urllib.parse.urlencode({"query": "ASK {}"})) as response:
            assert response.headers.get("Access-Control-Allow-Origin") == "*"
        preflight = urllib.request.Request(cors.query_url, method="OPTIONS")
        with urllib.request.urlopen(preflight, timeout=10) as response:
            assert response.status == 204 and "POST" in (response.headers.get("Access-Control-Allow-Methods") or "")
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_protocol_refusals(server: tuple[ServerSpec, subprocess.Popen[bytes]]) -> None:
    """Two `query` parameters, dataset parameters, a foreign body type and a non-UTF-8 body each get a 4xx."""
    spec, _ = server
    cases = [
        (spec.query_url + "?query=ASK%7B%7D&query=ASK%7B%7D", None, {}, 400),
        (spec.query_url + "?query=ASK%7B%7D&default-graph-uri=http%3A%2F%2Fx", None, {}, 400),
        (spec.query_url, b"ASK {}", {"Content-Type": "text/plain"}, 415),
        (spec.query_url, b"\xff\xfe", {"Content-Type": "application/sparql-query"}, 400),
        (spec.base + "/update", b"update=DROP+ALL", {}, 403),
        (spec.base + "/store", None, {}, 404),
    ]
    for url, data, headers, status in cases:
        with pytest.raises(urllib.error.HTTPError) as info:
            urllib.request.urlopen(urllib.request.Request(url, data=data, headers=headers), timeout=10)
        assert info.value.code == status, (url, info.value.read())
