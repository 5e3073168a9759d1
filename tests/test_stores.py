"""Parity on real stores: Virtuoso 7 and Apache Jena ARQ, started on loopback by `tools/stores/*.sh` and loaded with
`cnkg push`, give the embedded store's answer to every library query (after the comparison below).

A store that is not installed skips its tests locally (hint: `bash tools/setup-system.sh`); with CI=true it fails."""

from __future__ import annotations

import math
import os
import shutil
import subprocess
import sys
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from kg.errors import EndpointError
from kg.publish.push import push
from kg.sparql.backends import EmbeddedStore, RemoteEndpoint, Table, Value
from kg.sparql.library import library
from kg.sparql.query import run

from .conftest import ROOT
from .helpers import free_port

QUERIES = library()
TOOLS = ROOT / "tools" / "stores"
GRAPH_IRI = "https://w3id.org/cybernorms/graph"
IN_CI = os.environ.get("CI") == "true"


@dataclass(frozen=True)
class RunningStore:
    """A store started for this module: its name and SPARQL query URL (the pushed graph as default graph)."""

    name: str
    query_url: str


def _require(present: bool, what: str) -> None:
    """Skip when a store is not installed, except in CI (CI=true), where that is a failure."""
    if present:
        return
    message = f"{what} is not installed (hint: bash tools/setup-system.sh)"
    if IN_CI:
        pytest.fail(f"{message}; CI=true, so the parity tests may not be skipped")
    pytest.skip(message)


def _script(*args: str | Path, timeout_s: float = 120) -> str:
    """Run a tools/stores script; its last output line (the URL) on success, a test failure otherwise."""
    done = subprocess.run(["bash", *map(str, args)], capture_output=True, text=True, timeout=timeout_s, check=False)
    if done.returncode != 0:
        pytest.fail(f"{' '.join(map(str, args))} failed ({done.returncode}): {done.stderr.strip()[-2000:]}")
    return done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""


def _cnkg_push(*args: str, env: dict[str, str] | None = None) -> None:
    """`cnkg push` as a user runs it (the CLI in a subprocess); its output when it fails."""
    done = subprocess.run(
        [sys.executable, "-c", "from kg.cli import main; main()", "push", *args],
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=False, env={**os.environ, **(env or {})},
    )
    assert done.returncode == 0, done.stderr
    assert "pushed" in done.stdout, done.stdout


@pytest.fixture(scope="module")
def embedded(graph_file: Path) -> EmbeddedStore:
    return EmbeddedStore(graph_file)


@pytest.fixture(scope="module")
def virtuoso(tmp_path_factory: pytest.TempPathFactory, graph_file: Path) -> Iterator[RunningStore]:
    """Virtuoso 7 on loopback with a new database; the graph pushed as a named graph through the authenticated
    Graph Store endpoint (digest, dba), credentials from the environment variables."""
    _require(shutil.which("virtuoso-t") is not None, "Virtuoso (Debian package virtuoso-opensource)")
    folder = tmp_path_factory.mktemp("virtuoso")
    http = free_port()
    try:
        url = _script(TOOLS / "virtuoso.sh", "start", folder, str(http), str(free_port()))
        gsp = f"http://127.0.0.1:{http}/sparql-graph-crud-auth"
        _cnkg_push(
            "--endpoint", gsp, "--graph", GRAPH_IRI, "--file", str(graph_file),
            env={"CNKG_PUSH_USER": "dba", "CNKG_PUSH_PASSWORD": "dba"},
        )
        # without a dataset Virtuoso answers from every graph it holds, its own system graphs too
        yield RunningStore("virtuoso", f"{url}?default-graph-uri={urllib.parse.quote(GRAPH_IRI, safe='')}")
    finally:
        _script(TOOLS / "virtuoso.sh", "stop", folder, timeout_s=60)


@pytest.fixture(scope="module")
def jena(tmp_path_factory: pytest.TempPathFactory, graph_file: Path) -> Iterator[RunningStore]:
    """Apache Jena ARQ as an endpoint on loopback (tools/stores/JenaEndpoint.java); the graph pushed into its
    default graph."""
    _require(Path("/usr/share/java/jena-arq.jar").exists(), "Apache Jena (Debian package libapache-jena-java)")
    _require(shutil.which("java") is not None, "Java (default-jre-headless)")
    folder = tmp_path_factory.mktemp("jena")
    port = free_port()
    try:
        url = _script(TOOLS / "jena.sh", "start", folder, str(port))
        _cnkg_push("--endpoint", f"http://127.0.0.1:{port}/data", "--file", str(graph_file))
        yield RunningStore("jena", url)
    finally:
        _script(TOOLS / "jena.sh", "stop", folder, timeout_s=60)


@pytest.fixture(scope="module", params=["virtuoso", "jena"])
def store(request: pytest.FixtureRequest) -> RunningStore:
    return request.getfixturevalue(request.param)  # type: ignore[no-any-return]


def comparable(expected: Table, actual: Table) -> tuple[list[str], list[str]]:
    """Both tables as sorted rows (ORDER BY ties may come in any order), floats to 9 digits; where the embedded
    store gives a boolean, the store's integer 0 or 1 reads as that boolean (Virtuoso types EXISTS, BOUND and
    comparisons as integers). Joined lists are already sorted by `run`; "1"^^xsd:boolean is true in `plain`."""
    flags = {i for row in expected.rows for i, v in enumerate(row) if isinstance(v, bool)}

    def cell(i: int, v: Value) -> Value:
        if i in flags and type(v) is int and v in (0, 1):
            return bool(v)
        if isinstance(v, float) and math.isfinite(v):
            return round(v, 9)
        return v

    def rows(table: Table) -> list[str]:
        return sorted(repr([cell(i, v) for i, v in enumerate(row)]) for row in table.rows)

    return rows(expected), rows(actual)


def test_comparison_reads_only_0_and_1_as_booleans_and_only_where_expected() -> None:
    expected = Table(["flag", "n"], [[True, 1], [False, 0]])
    assert comparable(expected, Table(["flag", "n"], [[1, 1], [0, 0]]))[1] == comparable(expected, expected)[0]
    wrongs: list[list[list[Value]]] = [[[2, 1], [0, 0]], [[0, 1], [1, 0]], [[1, True], [0, False]], [[1, 1]]]
    for wrong in wrongs:
        mine, theirs = comparable(expected, Table(["flag", "n"], wrong))
        assert mine != theirs, wrong


@pytest.mark.parametrize(("in_ci", "outcome"), [(False, pytest.skip.Exception), (True, pytest.fail.Exception)])
def test_a_missing_store_skips_locally_and_fails_in_ci(
    in_ci: bool, outcome: type[BaseException], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys.modules[__name__], "IN_CI", in_ci)
    with pytest.raises(outcome, match="Nowhere DB is not installed"):
        _require(False, "Nowhere DB")
    _require(True, "Nowhere DB")


def test_push_loaded_every_triple(store: RunningStore, embedded: EmbeddedStore) -> None:
    count = RemoteEndpoint(store.query_url).select("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", timeout_s=60)
    assert count.rows == [[len(embedded)]]


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_same_answer_as_the_embedded_store(name: str, store: RunningStore, embedded: EmbeddedStore) -> None:
    query = QUERIES[name]
    expected = run(query, embedded, timeout_s=120)
    actual = run(query, RemoteEndpoint(store.query_url), timeout_s=120)
    assert actual.columns == expected.columns
    mine, theirs = comparable(expected, actual)
    only_here = sorted(set(mine) - set(theirs))[:3]
    only_there = sorted(set(theirs) - set(mine))[:3]
    assert mine == theirs, f"{store.name}: {len(theirs)} rows, {len(mine)} expected; missing {only_here}, " \
        f"extra {only_there}"


def test_virtuoso_refusal_is_its_own_401(virtuoso: RunningStore, graph_file: Path) -> None:
    """Without credentials Virtuoso's authenticated endpoint answers 401 before reading the upload."""
    base = virtuoso.query_url.split("/sparql")[0]
    with pytest.raises(EndpointError, match=r"HTTP 401 Unauthorized .*--user"):
        push(endpoint=f"{base}/sparql-graph-crud-auth", graph_iri="urn:x-test:refused", graph=graph_file,
             batch_lines=100_000, timeout_s=60)
