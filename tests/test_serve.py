"""`cnkg serve` as a real process on loopback: parity with the embedded store, read-only, timeouts, dead endpoints;
Oxigraph's own server as the writable target of `push`."""

from __future__ import annotations

import os
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from kg.errors import EndpointError, QueryError
from kg.pipeline.build import BuildResult
from kg.publish.push import push
from kg.publish.serve import ServerSpec, start
from kg.sparql.backends import TRUNCATED, EmbeddedStore, RemoteEndpoint
from kg.sparql.library import library
from kg.sparql.query import run
from kg.vocab import BASE

from .helpers import free_port
from .test_queries import normalise

XSD = "http://www.w3.org/2001/XMLSchema#"
QUERIES = library()
GRAPH_IRI = BASE + "graph"


@pytest.fixture(scope="module")
def served(graph_file: Path) -> Iterator[tuple[ServerSpec, int]]:
    spec = ServerSpec(port=free_port(), timeout_s=2)
    process = start(graph_file, spec)
    yield spec, process.pid
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture(scope="module")
def server(served: tuple[ServerSpec, int]) -> ServerSpec:
    return served[0]


@pytest.fixture(scope="module")
def server_pid(served: tuple[ServerSpec, int]) -> int:
    return served[1]


@pytest.fixture(scope="module")
def embedded(built: BuildResult) -> EmbeddedStore:
    return EmbeddedStore(next(p for p in built.files if p.suffix == ".nt"))


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_server_and_embedded_give_the_same_result(name: str, server: ServerSpec, embedded: EmbeddedStore) -> None:
    remote = run(QUERIES[name], RemoteEndpoint(server.query_url))
    local = run(QUERIES[name], embedded)
    assert remote.columns == local.columns
    assert sorted(map(str, normalise(remote.rows))) == sorted(map(str, normalise(local.rows)))


def test_server_refuses_updates(server: ServerSpec) -> None:
    data = urllib.parse.urlencode({"update": "DROP ALL"}).encode()
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(f"{server.base}/update", data=data, timeout=5)
    assert info.value.code in (403, 405)
    # and the client refuses before sending
    with pytest.raises(QueryError, match="read-only"):
        RemoteEndpoint(server.query_url).select("DELETE WHERE { ?s ?p ?o }")


def _children_cpu_s(pid: int) -> float:
    """CPU seconds used so far by the direct children of `pid` (Linux /proc); a thread or child that ends while
    it is read is skipped (the server's threads come and go: CI once lost a race on a vanished thread)."""
    total = 0.0
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            children = (task / "children").read_text().split()
        except OSError:
            continue
        for child in children:
            try:
                fields = Path(f"/proc/{child}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def test_runaway_query_is_stopped_at_the_server_timeout(server: ServerSpec, server_pid: int) -> None:
    """The server kills the query's worker at its own timeout (2 s), says so with a 503, and goes on answering;
    afterwards no worker burns CPU (the old server kept computing after the client left)."""
    runaway = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    start = time.perf_counter()
    with pytest.raises(EndpointError, match=r"HTTP 503: query stopped after 2 s"):
        RemoteEndpoint(server.query_url).select(runaway, timeout_s=30)
    assert time.perf_counter() - start < 10
    before = _children_cpu_s(server_pid)
    time.sleep(1.0)
    assert _children_cpu_s(server_pid) - before < 0.3, "a worker is still computing after the timeout"
    assert RemoteEndpoint(server.query_url).select("SELECT ?s WHERE { ?s ?p ?o } LIMIT 1", timeout_s=10).rows


def test_client_gives_up_at_its_own_time_limit(server: ServerSpec) -> None:
    runaway = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    with pytest.raises(EndpointError, match="too slow: timed out"):
        RemoteEndpoint(server.query_url).select(runaway, timeout_s=1)


def test_dead_endpoint_gives_a_clear_error() -> None:
    with pytest.raises(EndpointError, match="unreachable"):
        RemoteEndpoint(f"http://127.0.0.1:{free_port()}/query").select("ASK {}", timeout_s=3)


def test_push_loads_the_graph_into_a_graph_store(built: BuildResult, tmp_path: Path) -> None:
    from kg.publish.serve import oxigraph_binary, wait_ready

    spec = ServerSpec(port=free_port())
    command = [oxigraph_binary(), "serve", "--location", str(tmp_path / "rw"), "--bind", f"127.0.0.1:{spec.port}"]
    target = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_ready(spec, process=target)
        nt = next(p for p in built.files if p.suffix == ".nt")
        status = push(endpoint=f"{spec.base}/store", graph_iri=GRAPH_IRI, graph=nt).status
        assert status in (200, 201, 204)
        count = RemoteEndpoint(spec.query_url).select(
            f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{GRAPH_IRI}> {{ ?s ?p ?o }} }}"
        )
        assert count.rows == [[len(built.graph)]]
    finally:
        target.terminate()
        target.wait(timeout=10)


def test_push_to_dead_store_is_a_clear_error(built: BuildResult) -> None:
    nt = next(p for p in built.files if p.suffix == ".nt")
    with pytest.raises(EndpointError, match="unreachable"):
        push(endpoint=f"http://127.0.0.1:{free_port()}/store", graph=nt, timeout_s=3)


def test_result_bodies_write_each_term_as_the_sparql_formats_say() -> None:
    """JSON and TSV bodies, written from each distinct term once, against the formats' plain definition: repeated
    terms, one term in two columns, unbound cells, language tags, datatypes, quotes, tabs and newlines."""
    import json

    import pyoxigraph as ox

    from kg.publish.protocol import select_body

    iri, blank = ox.NamedNode("https://example.org/a"), ox.BlankNode("b0")
    lang, typed = ox.Literal("Russie", language="fr"), ox.Literal("2015", datatype=ox.NamedNode(XSD + "gYear"))
    tricky = ox.Literal('say "no"\tthen\nleave ✓')
    variables = ["x", "y", "z"]
    rows = [[iri, lang, tricky], [iri, None, iri], [blank, typed, None], [None, None, None], [iri, lang, tricky]]
    expected = [
        {"x": {"type": "uri", "value": "https://example.org/a"}, "y": {"type": "literal", "value": "Russie",
         "xml:lang": "fr"}, "z": {"type": "literal", "value": 'say "no"\tthen\nleave ✓'}},
        {"x": {"type": "uri", "value": "https://example.org/a"}, "z": {"type": "uri", "value": "https://example.org/a"}},
        {"x": {"type": "bnode", "value": "b0"}, "y": {"type": "literal", "value": "2015", "datatype": XSD + "gYear"}},
        {},
    ]
    expected.append(expected[0])
    got = json.loads(select_body(variables, rows, "json", truncated=True))
    assert got["head"] == {"vars": variables, "link": [TRUNCATED]}
    assert got["results"]["bindings"] == expected
    tsv = select_body(variables, rows, "tsv", truncated=False).decode().split("\n")
    assert tsv[0] == "?x\t?y\t?z" and len(tsv) == len(rows) + 2 and tsv[-1] == ""
    assert [line.split("\t") for line in tsv[1:-1]] == [
        ["" if t is None else str(t) for t in row] for row in rows
    ]
