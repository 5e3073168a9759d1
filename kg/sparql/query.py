"""Run library queries on a backend, and cite what they returned.

A citation names the dataset version, the query and the hash of the exact query text sent (parameters
included), so an exported table can be traced and re-run; `kg.sparql.formats` renders it with the table.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from kg.errors import QueryError
from kg.paths import GRAPH
from kg.sparql.backends import DEFAULT_ROW_CAP, DEFAULT_TIMEOUT_S, Backend, EmbeddedStore, RemoteEndpoint, Table
from kg.sparql.library import LibraryQuery, bind
from kg.vocab import BASE


@dataclass(frozen=True)
class Citation:
    """What a reader needs to trace a result: dataset version, query and its hash."""

    version: str
    query: str
    query_sha256: str

    def line(self) -> str:
        return (
            f"Cyber Norms Knowledge Graph, version {self.version}; query {self.query} "
            f"(sha256 {self.query_sha256[:12]}); {BASE}"
        )


def backend_for(*, endpoint: str | None = None, graph: Path = GRAPH, isolate: bool = True) -> Backend:
    """The remote endpoint if given, else the embedded store over the built graph (`isolate`: each query in a
    worker process killed at the time limit)."""
    if endpoint:
        return RemoteEndpoint(endpoint)
    return EmbeddedStore(graph, isolate=isolate)


def parse_params(pairs: list[str]) -> dict[str, list[str]]:
    """`k=v` options (values comma-separated) as a dict; malformed pairs are errors.

    >>> parse_params(["actor=RU,CN", "year=2015"])
    {'actor': ['RU', 'CN'], 'year': ['2015']}
    """
    out: dict[str, list[str]] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise QueryError(f"bad --param {pair!r} (hint: write --param name=value, e.g. --param actor=RU,CN)")
        out[key.strip()] = [v.strip() for v in value.split(",") if v.strip()]
    return out


def run(
    query: LibraryQuery,
    backend: Backend,
    *,
    params: dict[str, list[str]] | None = None,
    timeout_s: float = DEFAULT_TIMEOUT_S,
    row_cap: int = DEFAULT_ROW_CAP,
) -> Table:
    """Bind parameters and run the query."""
    return backend.select(bind(query, params or {}), timeout_s=timeout_s, row_cap=row_cap)


def citation(query: LibraryQuery, *, version: str, params: dict[str, list[str]] | None = None) -> Citation:
    """Citation of a query result: the hash covers the exact query text sent (parameters included)."""
    text = bind(query, params or {})
    return Citation(version, query.name, hashlib.sha256(text.encode("utf-8")).hexdigest())
