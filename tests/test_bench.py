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


def _solutions(store: ox.Store, text: str) -> list[str]:
    return sorted(str(list(solution)) for solution in store.query(text))  # type: ignore[union-attr]


def test_unordered_query_has_the_same_solutions_as_each_library_query(bench_run: ModuleType, store: ox.Store) -> None:
    """`unordered` (the bench's breakdown times a query without its ORDER BY) must not change the answer."""
    names = [n for n, q in library().items() if not q.is_violation]
    assert len(names) > 40
    differ = []
    for name in names:
        text = bind(library()[name], {})
        if _solutions(store, bench_run.unordered(text)) != _solutions(store, text):
            differ.append(name)
    assert differ == []


@pytest.mark.parametrize(
    "text",
    [
        "SELECT ?s WHERE { ?s a ?t } ORDER BY ?s LIMIT 3",  # the LIMIT stays: dropping it with ORDER BY gives all
        "PREFIX cn: <https://w3id.org/cybernorms/ontology#>\n# ORDER BY in a comment\nSELECT ?s WHERE {\n"
        "  ?s a cn:State .\n} ORDER BY DESC(?s) OFFSET 2 LIMIT 5",
    ],
)
def test_unordered_keeps_limit_and_offset(bench_run: ModuleType, store: ox.Store, text: str) -> None:
    got = _solutions(store, bench_run.unordered(text))
    assert len(got) == len(_solutions(store, text)) > 0
    assert "ORDER BY DESC" not in bench_run.unordered(text)
