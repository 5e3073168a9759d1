"""A short summary of a built graph (counts by record type), from the library query counts-by-type.rq."""

from __future__ import annotations

from rdflib import Graph

from kg.paths import QUERIES


def counts_by_type(graph: Graph) -> list[tuple[str, int]]:
    """(type, count) rows of queries/counts-by-type.rq, in the query's order."""
    text = (QUERIES / "counts-by-type.rq").read_text(encoding="utf-8")
    return [(str(row[0]), int(row[1])) for row in graph.query(text)]  # type: ignore[index,arg-type]


def summary_lines(graph: Graph) -> list[str]:
    """Human-readable lines: triples, then one line per record type."""
    lines = [f"{len(graph)} triples"]
    lines += [f"{count:>7}  {kind}" for kind, count in counts_by_type(graph)]
    return lines
