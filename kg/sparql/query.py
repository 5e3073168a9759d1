"""Run library queries on a backend, and cite what they returned.

A citation names the dataset version, the query and the hash of the exact query text sent (parameters
included), so an exported table can be traced and re-run; `kg.sparql.formats` renders it with the table.
"""

from __future__ import annotations

import re
from pathlib import Path

from kg.errors import QueryError
from kg.paths import GRAPH
from kg.sparql.backends import DEFAULT_ROW_CAP, DEFAULT_TIMEOUT_S, Backend, EmbeddedStore, RemoteEndpoint, Table
from kg.sparql.citation import Citation, cite, data_hash
from kg.sparql.library import LibraryQuery, bind, is_library_file

__all__ = ["Citation", "backend_for", "citation", "parse_params", "run"]


def backend_for(
    *, endpoint: str | None = None, graph: Path = GRAPH, isolate: bool = True, digest: str | None = None
) -> Backend:
    """The remote endpoint if given, else the embedded store over the built graph (`isolate`: each query in a
    worker process killed at the time limit). With the graph's verified `digest`, the store opens a prepared
    on-disk copy (`kg.sparql.prepared`) instead of loading the file: for commands that run one query."""
    if endpoint:
        return RemoteEndpoint(endpoint)
    if digest and isolate:
        from kg.sparql.prepared import prepare

        prepared = prepare(graph, digest)
        if prepared is not None:
            return EmbeddedStore(graph, isolate=True, prepared=prepared)
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


_LIST = re.compile(r'GROUP_CONCAT\((?:[^()]|\([^()]*\))*?separator\s*=\s*"([^"]*)"\s*\)\s*AS\s+\?(\w+)\s*\)', re.I)


_UNLESS_EMPTY = re.compile(
    r'BIND\s*\(\s*IF\s*\(\s*\?(\w+)\s*!=\s*""\s*,\s*\?\1\s*,\s*\?\w+\s*\)\s*AS\s+\?(\w+)\s*\)', re.I
)


def joined_columns(text: str) -> dict[str, str]:
    """Columns made by GROUP_CONCAT, with their separators: engines join in any order, so these are sorted. A
    joined column passed on as `BIND (IF(?joined != "", ?joined, ?unbound) AS ?x)` (unbound when empty) counts.

    >>> joined_columns('SELECT (GROUP_CONCAT(DISTINCT ?p; separator=", ") AS ?parties) WHERE {}')
    {'parties': ', '}
    >>> joined_columns('{ SELECT (GROUP_CONCAT(?s; separator="; ") AS ?j) {} } BIND (IF(?j != "", ?j, ?u) AS ?x)')
    {'j': '; ', 'x': '; '}
    """
    columns = {col: sep for sep, col in _LIST.findall(text)}
    for inner, outer in _UNLESS_EMPTY.findall(text):
        if inner in columns:
            columns[outer] = columns[inner]
    return columns


def sort_lists(table: Table, columns: dict[str, str]) -> Table:
    """The table with the items of each joined cell in sorted order, so results do not depend on the engine."""
    idx = [(table.columns.index(c), sep) for c, sep in columns.items() if c in table.columns and sep]
    if not idx:
        return table
    for row in table.rows:
        for i, sep in idx:
            cell = row[i]
            if isinstance(cell, str) and sep in cell:
                row[i] = sep.join(sorted(cell.split(sep)))
    return table


def run(
    query: LibraryQuery,
    backend: Backend,
    *,
    params: dict[str, list[str]] | None = None,
    timeout_s: float = DEFAULT_TIMEOUT_S,
    row_cap: int = DEFAULT_ROW_CAP,
) -> Table:
    """Bind parameters and run the query; lists joined in one cell come out sorted whatever the engine.

    A query of the library's own folder is trusted (its text is checked by the test suite and its parameters are
    bound from validated values); any other file goes through the guard of `kg.sparql.guard`."""
    text = bind(query, params or {})
    table = backend.select(text, timeout_s=timeout_s, row_cap=row_cap, trusted=is_library_file(query.path))
    return sort_lists(table, joined_columns(query.text))


def citation(
    query: LibraryQuery,
    *,
    version: str,
    params: dict[str, list[str]] | None = None,
    graph: Path | None = GRAPH,
    permalink: str = "",
) -> Citation:
    """Citation of a query result: the hash covers the exact query text sent (parameters bound), the data hash the
    built graph the embedded store read (`graph` None: not known, e.g. a remote endpoint)."""
    return cite(
        version=version,
        query=query.name,
        text_run=bind(query, params or {}),
        params=params,
        data_sha256=data_hash(graph) if graph is not None else "",
        permalink=permalink,
    )
