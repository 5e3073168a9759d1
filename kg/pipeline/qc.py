"""Stage 4b, QC: the `queries/qc/*-violation.rq` checks must return no rows; each row names the culprit."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import ClassVar

from rdflib import Graph

from kg.errors import Finding
from kg.sparql.backends import EmbeddedStore, Value
from kg.sparql.library import library


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


def run_qc(graph: Graph) -> list[QCFailure]:
    """Run every violation query on the graph (in an embedded Oxigraph store)."""
    store = EmbeddedStore(graph)
    failures = []
    for name, query in sorted(library().items()):
        if not query.is_violation:
            continue
        table = store.select(query.text, timeout_s=math.inf)
        if table.rows:
            failures.append(QCFailure(name, query.summary, table.columns, table.rows))
    return failures
