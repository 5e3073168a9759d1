"""Query backends: the embedded pyoxigraph store (default), a plain rdflib graph (baseline), a remote endpoint.

All are read-only and return the same `Table` of plain values, so results can be compared across backends.
"""

from __future__ import annotations

import math
import os
import re
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import pyoxigraph as ox

from kg.errors import EndpointError, QueryError
from kg.sparql.guard import check_query
from kg.sparql.ordering import Key, OrderKey, in_order, sort_key, split_order_by
from kg.sparql.pool import WorkerPool

if TYPE_CHECKING:
    from rdflib import Graph

DEFAULT_TIMEOUT_S = 30.0
DEFAULT_ROW_CAP = 100_000
TRUNCATED = "urn:cnkg:truncated"  # the `link` a server puts in a results head when a cap cut the result

Value = str | int | float | bool | None


@dataclass
class Table:
    """A SELECT result as plain Python values, with what limited it."""

    columns: list[str]
    rows: list[list[Value]] = field(default_factory=list)
    truncated: bool = False
    elapsed_s: float = 0.0


def check_read_only(text: str, *, trusted: bool = False, allow_service: bool = False) -> None:
    """Refuse updates, LOAD, SERVICE and FROM in text from outside (`kg.sparql.guard`); the library's own
    queries (`trusted`) are checked by the test suite instead, so a CLI query does not pay for a parser."""
    if not trusted:
        check_query(text, allow_service=allow_service)


def plain(lexical: str, datatype: str = "") -> Value:
    """The one value conversion of every backend: numbers as numbers, booleans as bool, anything else as str.

    >>> plain("42", "http://www.w3.org/2001/XMLSchema#integer"), plain("true", "http://www.w3.org/2001/XMLSchema#boolean")
    (42, True)
    """
    if datatype.endswith(("#integer", "#int", "#long", "#nonNegativeInteger")):
        return int(lexical)
    if datatype.endswith(("#decimal", "#double", "#float")):
        return float(lexical)
    if datatype.endswith("#boolean"):
        return lexical in ("true", "1")
    return lexical


_XSD = "http://www.w3.org/2001/XMLSchema#"
_CONVERT: dict[str, Any] = {
    **{_XSD + t: int for t in ("integer", "int", "long", "nonNegativeInteger")},
    **{_XSD + t: float for t in ("decimal", "double", "float")},
    _XSD + "boolean": lambda v: v in ("true", "1"),
}


def ox_value(term: Any) -> Value:
    """`term_value` for pyoxigraph terms only, by exact type and a datatype table: the per-cell hot path (a cell
    costs about as much as the engine's own iteration, where the general conversion cost as much again)."""
    cls = type(term)
    if cls is ox.NamedNode:
        return str(term.value)
    if cls is ox.Literal:
        convert = _CONVERT.get(term.datatype.value)
        return convert(term.value) if convert else str(term.value)
    return None if term is None else str(term)


def term_value(term: Any) -> Value:
    """A plain value for a pyoxigraph or rdflib term (None when unbound)."""
    if term is None or isinstance(term, ox.Literal | ox.NamedNode | ox.BlankNode):
        return ox_value(term)
    datatype = getattr(term, "datatype", None)
    if datatype is not None or type(term).__name__ == "Literal":  # an rdflib Literal
        return plain(str(term), str(datatype or ""))
    return str(term)


def capped(
    columns: list[str], rows: Iterable[list[Value]], *, row_cap: int, start: float, deadline: float = math.inf
) -> Table:
    """The one row-cap loop of every backend: collect rows up to `row_cap` (then mark the table truncated),
    stopping with an error when `deadline` (a `time.perf_counter()` value) passes between rows."""
    table = Table(columns)
    for row in rows:
        if len(table.rows) >= row_cap:
            table.truncated = True
            break
        if time.perf_counter() > deadline:
            raise QueryError("query stopped: time limit reached (hint: add LIMIT or narrow the pattern)")
        table.rows.append(row)
    table.elapsed_s = time.perf_counter() - start
    return table


class Backend(Protocol):
    """Something that answers SELECT queries."""

    name: str

    def select(
        self, text: str, *, timeout_s: float = DEFAULT_TIMEOUT_S, row_cap: int = DEFAULT_ROW_CAP, trusted: bool = False
    ) -> Table: ...


def _solutions(store: ox.Store, text: str) -> ox.QuerySolutions:
    """The lazy solutions of a SELECT, or a precise error for bad syntax or another query form."""
    try:
        result = store.query(text)
    except SyntaxError as exc:
        raise QueryError(f"SPARQL syntax error: {exc}") from None
    if not isinstance(result, ox.QuerySolutions):
        raise QueryError("only SELECT queries return tables (hint: ASK and CONSTRUCT are not tables)")
    return result


def _evaluate(store: ox.Store, text: str, row_cap: int, deadline: float) -> Table:
    """Run a SELECT on a pyoxigraph store, stopping at the row cap or the deadline (between rows); a final ORDER BY
    of plain variables is applied in Python (`kg.sparql.ordering`: the engine's own sort is the slow part)."""
    start = time.perf_counter()
    split = split_order_by(text)
    if split is not None:
        table = _sorted_here(store, split[0], split[1], row_cap=row_cap, deadline=deadline)
        if table is not None:
            table.elapsed_s = time.perf_counter() - start
            return table
    result = _solutions(store, text)
    columns = [v.value for v in result.variables]
    return capped(columns, _plain_rows(result), row_cap=row_cap, start=start, deadline=deadline)


def _sorted_here(
    store: ox.Store, body: str, keys: tuple[OrderKey, ...], *, row_cap: int, deadline: float
) -> Table | None:
    """The query run without its ORDER BY and its rows sorted here; None where the engine must sort instead: a key
    not projected or not modelled (`kg.sparql.ordering.sort_key`), or more rows than the cap (the cap must cut the
    ordered result, not an arbitrary one)."""
    result = _solutions(store, body)
    columns = [v.value for v in result.variables]
    if any(k.variable not in columns for k in keys):
        return None
    where = [columns.index(k.variable) for k in keys]
    known: dict[Any, Key | None] = {}
    rows: list[list[Value]] = []
    row_keys: list[list[Key]] = []
    for row, terms in _plain_terms(result):
        if len(rows) >= row_cap:
            return None
        if time.perf_counter() > deadline:
            raise QueryError("query stopped: time limit reached (hint: add LIMIT or narrow the pattern)")
        key: list[Key] = []
        for i in where:
            term = terms[i]
            try:
                k = known[term]
            except KeyError:
                k = known[term] = sort_key(term)
            if k is None:
                return None
            key.append(k)
        rows.append(row)
        row_keys.append(key)
    ordered = in_order(rows, row_keys, tuple(k.descending for k in keys))
    return None if ordered is None else Table(columns, ordered)


def _plain_terms(result: Iterable[Any]) -> Iterator[tuple[list[Value], list[Any]]]:
    """Each solution as plain values, beside its terms (for sort keys), each distinct term converted once: labels,
    codes and notations repeat down a column, and a dictionary lookup costs about half a conversion (0.9 -> 0.5 s
    on 95k rows x 13)."""
    seen: dict[Any, Value] = {}
    for solution in result:
        terms = list(solution)
        row: list[Value] = []
        for term in terms:
            try:
                row.append(seen[term])
            except KeyError:
                converted = seen[term] = ox_value(term)
                row.append(converted)
        yield row, terms


def _plain_rows(result: Iterable[Any]) -> Iterator[list[Value]]:
    """Solutions as lists of plain values (`_plain_terms` without the terms)."""
    for row, _ in _plain_terms(result):
        yield row


def _evaluate_job(store: ox.Store, text: str, row_cap: int) -> Table:
    """The job a worker runs: the whole query, row cap applied (the pool enforces the time limit)."""
    return _evaluate(store, text, row_cap, math.inf)


class EmbeddedStore:
    """pyoxigraph in memory, loaded from the built N-Triples: fast SPARQL with no server.

    With `isolate=True` (the CLI, the app, the server) each query runs in a worker process (`kg.sparql.pool`)
    that is killed at the time limit and capped in memory, so a query that would run forever or grow without
    bound is stopped; otherwise queries run in-process and the limit is checked between result rows."""

    name = "embedded"

    def __init__(
        self,
        source: Path | Graph,
        *,
        isolate: bool = False,
        workers: int | None = None,
        prepared: Path | None = None,
    ) -> None:
        self.isolate = isolate and hasattr(os, "fork")
        opener = None
        if prepared is not None and self.isolate:  # an on-disk copy (`kg.sparql.prepared`): opened, not loaded
            from functools import partial

            from kg.sparql.prepared import open_read_only

            self.store = open_read_only(prepared)
            opener = partial(open_read_only, prepared)
        elif not isinstance(source, Path):
            self.store = ox.Store()
            self.store.load(source.serialize(format="nt", encoding="utf-8"), format=ox.RdfFormat.N_TRIPLES)
        elif not source.exists():
            raise QueryError(f"{source} does not exist (hint: run `cnkg build` first)")
        else:
            self.store = ox.Store()
            try:
                self.store.bulk_load(path=str(source), format=ox.RdfFormat.N_TRIPLES)
            except SyntaxError as exc:
                raise QueryError(
                    f"the built graph is damaged or stale: run `cnkg build` ({source}: {str(exc)[:200]})"
                ) from None
        size = {"size": workers} if workers else {}
        self.pool = WorkerPool(self.store, opener=opener, **size) if self.isolate else None

    def __len__(self) -> int:
        return len(self.store)

    def close(self) -> None:
        """Stop the worker processes, if any."""
        if self.pool is not None:
            self.pool.close()

    def select(
        self,
        text: str,
        *,
        timeout_s: float = DEFAULT_TIMEOUT_S,
        row_cap: int = DEFAULT_ROW_CAP,
        trusted: bool = False,
        client: str | None = None,
    ) -> Table:
        check_read_only(text, trusted=trusted)
        if self.pool is None:
            return _evaluate(self.store, text, row_cap, time.perf_counter() + timeout_s)
        start = time.perf_counter()
        table = self.pool.call(_evaluate_job, text, row_cap, timeout_s=timeout_s, client=client)
        assert isinstance(table, Table)
        table.elapsed_s = time.perf_counter() - start
        return table


class RdflibBackend:
    """A plain rdflib in-memory graph: the baseline the benchmark compares against."""

    name = "rdflib"

    def __init__(self, graph: Graph) -> None:
        self.graph = graph

    def select(
        self, text: str, *, timeout_s: float = DEFAULT_TIMEOUT_S, row_cap: int = DEFAULT_ROW_CAP, trusted: bool = False
    ) -> Table:
        check_read_only(text, trusted=trusted)
        start = time.perf_counter()
        try:
            result = self.graph.query(text)
        except Exception as exc:  # rdflib raises pyparsing errors and others
            raise QueryError(f"SPARQL error: {exc}") from None
        columns = [str(v) for v in (result.vars or [])]
        rows = ([term_value(row[i]) for i in range(len(columns))] for row in result)  # type: ignore[index]
        return capped(columns, rows, row_cap=row_cap, start=start)


class RemoteEndpoint:
    """Any SPARQL 1.1 endpoint through SPARQLWrapper (POST, JSON results, client timeout)."""

    name = "remote"

    def __init__(self, url: str) -> None:
        if not re.match(r"^https?://[^\s]+$", url):
            raise QueryError(f"endpoint {url!r} is not an http(s) URL")
        self.url = url

    def select(
        self, text: str, *, timeout_s: float = DEFAULT_TIMEOUT_S, row_cap: int = DEFAULT_ROW_CAP, trusted: bool = False
    ) -> Table:
        import urllib.error

        from SPARQLWrapper import JSON, POST, SELECT, SPARQLWrapper
        from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

        check_read_only(text, trusted=trusted)
        client = SPARQLWrapper(self.url)
        client.setMethod(POST)
        client.setReturnFormat(JSON)
        client.setTimeout(int(max(1, timeout_s)))
        client.setQuery(text)
        # SPARQLWrapper guesses the query type from keywords and can be fooled by words in comments
        # (e.g. "add"); the text was checked read-only above, so it is a query.
        client.queryType = SELECT
        start = time.perf_counter()
        try:
            data = client.queryAndConvert()
        except urllib.error.HTTPError as exc:
            detail = exc.read(2000).decode("utf-8", "replace").strip().splitlines()
            raise EndpointError(
                f"endpoint {self.url} answered HTTP {exc.code}: {detail[0] if detail else exc.reason}"
            ) from None
        except (urllib.error.URLError, ConnectionError, TimeoutError) as exc:
            reason = getattr(exc, "reason", exc)
            raise EndpointError(
                f"endpoint {self.url} unreachable or too slow: {reason} (hint: is the server running? try `cnkg serve`)"
            ) from None
        except SPARQLWrapperException as exc:
            raise EndpointError(f"endpoint {self.url} refused the query: {str(exc).splitlines()[0]}") from None
        except ValueError as exc:
            raise EndpointError(f"endpoint {self.url} returned something that is not SPARQL JSON: {exc}") from None
        if not isinstance(data, dict) or "head" not in data:
            raise EndpointError(f"endpoint {self.url} returned something that is not SPARQL JSON results")
        columns = list(data["head"].get("vars", []))
        rows = (
            [None if (cell := b.get(c)) is None else plain(cell.get("value", ""), cell.get("datatype", ""))
             for c in columns]
            for b in data.get("results", {}).get("bindings", [])
        )
        table = capped(columns, rows, row_cap=row_cap, start=start)
        table.truncated = table.truncated or TRUNCATED in (data["head"].get("link") or [])
        return table
