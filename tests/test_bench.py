"""The bench's own rewrites give what they claim (its timings are never asserted: bench/results.md holds them)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pyoxigraph as ox
import pytest

from kg.pipeline.build import BuildResult, load_store
from kg.sparql.library import bind, library

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def bench_run() -> ModuleType:
    """bench/run.py as a module (bench/ is a folder of scripts, not a package)."""
    sys.path.insert(0, str(ROOT))
    spec = importlib.util.spec_from_file_location("bench_run", ROOT / "bench" / "run.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def store(graph_file: Path, built: BuildResult) -> ox.Store:
    return load_store(path=graph_file)


def _count(store: ox.Store, text: str) -> int:
    (row,) = store.query(text)  # type: ignore[misc]
    return int(row[0].value)


def test_counted_pattern_has_as_many_solutions_as_each_library_query(bench_run: ModuleType, store: ox.Store) -> None:
    """`counted` (the pattern's cost alone, in the bench's breakdown) must not change the answer's size."""
    names = [n for n, q in library().items() if not q.is_violation]
    assert len(names) > 40
    differ = {}
    for name in names:
        text = bind(library()[name], {})
        counted, solutions = _count(store, bench_run.counted(text)), sum(1 for _ in store.query(text))  # type: ignore[union-attr]
        if counted != solutions:
            differ[name] = (counted, solutions)
    assert differ == {}


@pytest.mark.parametrize(
    "text",
    [
        "SELECT ?s WHERE { ?s a ?t } ORDER BY ?s LIMIT 3",  # the LIMIT stays: dropping it with ORDER BY counts all
        "PREFIX cn: <https://w3id.org/cybernorms/ontology#>\n# a comment\nSELECT ?s WHERE {\n  # { a brace\n"
        "  ?s a cn:State .\n} ORDER BY DESC(?s) OFFSET 2 LIMIT 5",  # a comment ends at its line: lines are kept
    ],
)
def test_counted_keeps_limits_and_comments(bench_run: ModuleType, store: ox.Store, text: str) -> None:
    assert _count(store, bench_run.counted(text)) == sum(1 for _ in store.query(text)) > 0  # type: ignore[union-attr]
