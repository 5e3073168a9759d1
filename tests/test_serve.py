"""A real Oxigraph server on loopback: parity with the embedded store, read-only, timeouts, dead endpoints."""

from __future__ import annotations

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
from kg.publish.serve import ServerSpec, prepare_store, start
from kg.sparql.backends import EmbeddedStore, RemoteEndpoint
from kg.sparql.library import library
from kg.sparql.query import run
from kg.vocab import BASE

from .helpers import free_port
from .test_queries import normalise

QUERIES = library()
GRAPH_IRI = BASE + "graph"


@pytest.fixture(scope="module")
def server(graph_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerSpec]:
    store = prepare_store(graph=graph_file, location=tmp_path_factory.mktemp("ox") / "store")
    spec = ServerSpec(port=free_port(), timeout_s=2)
    process = start(store, spec)
    yield spec
    process.terminate()
    process.wait(timeout=10)


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


def test_runaway_query_is_stopped_and_reported(server: ServerSpec) -> None:
    """The client gives up at its time limit with a clear message, and the server goes on answering."""
    runaway = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    start = time.perf_counter()
    with pytest.raises(EndpointError, match="too slow: timed out"):
        RemoteEndpoint(server.query_url).select(runaway, timeout_s=3)
    assert time.perf_counter() - start < 10
    assert RemoteEndpoint(server.query_url).select("SELECT ?s WHERE { ?s ?p ?o } LIMIT 1", timeout_s=10).rows


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
