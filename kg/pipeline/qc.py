"""Stage 4b, QC: the `queries/qc/*-violation.rq` checks must return no rows; each row names the culprit."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from kg.errors import Finding
from kg.sparql.backends import Value, term_value
from kg.sparql.library import library

if TYPE_CHECKING:
    import pyoxigraph as ox
    from rdflib import Graph

    from kg.pipeline.to_rdf import Triples


@dataclass(frozen=True)
class QCFailure(Finding):
    """Rows returned by one violation query; each row names a culprit."""

    kind: ClassVar[str] = "QC violation"
    query: str
    summary: str
    columns: list[str]
    rows: list[list[Value]]
    hint: str = "the query must return no rows: fix the records it names"

    @property
    def location(self) -> str:
        return f"queries/qc/{self.query}.rq"

    @property
    def message(self) -> str:  # type: ignore[override]
        shown = "; ".join(", ".join(f"{c}={v}" for c, v in zip(self.columns, r, strict=False)) for r in self.rows[:10])
        more = f" (+{len(self.rows) - 10} more)" if len(self.rows) > 10 else ""
        return f"{self.summary}: {shown}{more}"


def as_store(graph: Graph | Triples | ox.Store) -> ox.Store:
    """An Oxigraph store for the graph: the store itself, or one loaded from the graph's sorted N-Triples."""
    import pyoxigraph as ox

    if isinstance(graph, ox.Store):
        return graph
    from kg.pipeline.build import load_store
    from kg.pipeline.export import ntriples

    return load_store(ntriples(graph))


def run_qc(graph: Graph | Triples | ox.Store) -> list[QCFailure]:
    """Run every violation query on the graph's Oxigraph store (the build's own store: no reload)."""
    store = as_store(graph)
    failures = []
    for name, query in sorted(library().items()):
        if not query.is_violation:
            continue
        result = store.query(query.text)
        columns = [v.value for v in result.variables]  # type: ignore[union-attr]
        rows = [[term_value(s[c]) for c in columns] for s in result]  # type: ignore[union-attr]
        if rows:
            failures.append(QCFailure(name, query.summary, columns, rows))
    return failures
