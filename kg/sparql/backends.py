"""Query backends: the embedded pyoxigraph store (default), a plain rdflib graph (baseline), a remote endpoint.

All are read-only and return the same `Table` of plain values, so results can be compared across backends.
"""

from __future__ import annotations

import contextlib
import ctypes
import math
import multiprocessing as mp
import os
import re
import signal
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any, Protocol

import pyoxigraph as ox
from rdflib import Graph
from rdflib.term import Literal as RLiteral

from kg.errors import EndpointError, QueryError

DEFAULT_TIMEOUT_S = 30.0
DEFAULT_ROW_CAP = 100_000
_COMMENTS_AND_STRINGS = re.compile(
    r"#[^\n]*|\"\"\"[\s\S]*?\"\"\"|'''[\s\S]*?'''|\"(?:[^\"\\\n]|\\.)*\"|'(?:[^'\\\n]|\\.)*'|<[^<>\s]*>"
)
_UPDATE = re.compile(r"(?<![?$:\w-])(INSERT|DELETE|LOAD|CLEAR|CREATE|DROP|COPY|MOVE|ADD|WITH)\b", re.IGNORECASE)
_SERVICE = re.compile(r"(?<![?$:\w-])SERVICE\b", re.IGNORECASE)

Value = str | int | float | bool | None


@dataclass
class Table:
    """A SELECT result as plain Python values, with what limited it."""

    columns: list[str]
    rows: list[list[Value]] = field(default_factory=list)
    truncated: bool = False
    elapsed_s: float = 0.0


def check_read_only(text: str, *, allow_service: bool = False) -> None:
    """Refuse updates and (unless allowed) federated SERVICE calls before any backend sees the query."""
    code = _COMMENTS_AND_STRINGS.sub(" ", text)
    if _UPDATE.search(code):
        raise QueryError("updates are not allowed: this endpoint is read-only (hint: use SELECT, ASK or CONSTRUCT)")
    if not allow_service and _SERVICE.search(code):
        raise QueryError("SERVICE (federated queries to other hosts) is disabled (hint: query the graph itself)")


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


def term_value(term: Any) -> Value:
    """A plain value for a pyoxigraph or rdflib term (None when unbound)."""
    if term is None:
        return None
    if isinstance(term, ox.Literal):
        return plain(term.value, term.datatype.value)
    if isinstance(term, ox.NamedNode):
        return str(term.value)
    if isinstance(term, RLiteral):
        return plain(str(term), str(term.datatype or ""))
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

    def select(self, text: str, *, timeout_s: float = DEFAULT_TIMEOUT_S, row_cap: int = DEFAULT_ROW_CAP) -> Table: ...


def _evaluate(store: ox.Store, text: str, row_cap: int, deadline: float) -> Table:
    """Run a SELECT on a pyoxigraph store, stopping at the row cap or the deadline (between rows)."""
    start = time.perf_counter()
    try:
        result = store.query(text)
    except SyntaxError as exc:
        raise QueryError(f"SPARQL syntax error: {exc}") from None
    if not isinstance(result, ox.QuerySolutions):
        raise QueryError("only SELECT queries return tables (hint: ASK and CONSTRUCT are not tables)")
    columns = [v.value for v in result.variables]
    rows = ([term_value(solution[c]) for c in columns] for solution in result)
    return capped(columns, rows, row_cap=row_cap, start=start, deadline=deadline)


def _worker(store: ox.Store, conn: Connection, parent_end: Connection) -> None:
    """Child process loop: evaluate queries sent by the parent; the parent kills it on timeout.

    The child drops the parent's signal handlers (e.g. Streamlit's) and its end of the pipe, and asks the kernel
    to end it when the parent dies, so no worker outlives its server."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    parent_end.close()
    with contextlib.suppress(Exception):  # Linux only: PR_SET_PDEATHSIG = 1
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)
    while True:
        try:
            job = conn.recv()
        except EOFError:
            return
        if job is None:
            return
        text, row_cap = job
        try:
            conn.send(("ok", _evaluate(store, text, row_cap, float("inf"))))
        except QueryError as exc:
            conn.send(("error", str(exc)))
        except Exception as exc:  # any engine error becomes a message, not a dead worker
            conn.send(("error", f"query failed: {exc}"))


class EmbeddedStore:
    """pyoxigraph in memory, loaded from the built N-Triples: fast SPARQL with no server.

    With `isolate=True` (the CLI and the app) each query runs in a forked worker process that is killed when the
    time limit is reached, so a query that would run forever is stopped; otherwise queries run in-process and
    the limit is checked between result rows."""

    name = "embedded"

    def __init__(self, source: Path | Graph, *, isolate: bool = False) -> None:
        self.store = ox.Store()
        if isinstance(source, Graph):
            self.store.load(source.serialize(format="nt", encoding="utf-8"), format=ox.RdfFormat.N_TRIPLES)
        elif not source.exists():
            raise QueryError(f"{source} does not exist (hint: run `cnkg build` first)")
        else:
            self.store.bulk_load(path=str(source), format=ox.RdfFormat.N_TRIPLES)
        self.isolate = isolate and hasattr(os, "fork")
        self._proc: BaseProcess | None = None
        self._lock = threading.Lock()
        self._conn: Connection | None = None

    def __len__(self) -> int:
        return len(self.store)

    def _ensure_worker(self) -> Connection:
        if self._proc is None or not self._proc.is_alive() or self._conn is None:
            ctx = mp.get_context("fork")
            parent, child = ctx.Pipe()
            self._proc = ctx.Process(target=_worker, args=(self.store, child, parent), daemon=True)
            self._proc.start()
            child.close()
            self._conn = parent
        return self._conn

    def _kill_worker(self) -> None:
        if self._proc is not None:
            self._proc.kill()
            self._proc.join(timeout=5)
        self._proc, self._conn = None, None

    def close(self) -> None:
        """Stop the worker process, if any."""
        self._kill_worker()

    def select(self, text: str, *, timeout_s: float = DEFAULT_TIMEOUT_S, row_cap: int = DEFAULT_ROW_CAP) -> Table:
        check_read_only(text)
        if not self.isolate:
            return _evaluate(self.store, text, row_cap, time.perf_counter() + timeout_s)
        with self._lock:  # one query at a time through the pipe (Streamlit serves sessions from threads)
            conn = self._ensure_worker()
            start = time.perf_counter()
            conn.send((text, row_cap))
            if not conn.poll(timeout_s):
                self._kill_worker()
                raise QueryError(f"query stopped after {timeout_s:g} s (hint: add LIMIT or narrow the pattern)")
            try:
                status, payload = conn.recv()
            except EOFError:
                self._kill_worker()
                raise QueryError("the query engine stopped unexpectedly (hint: simplify the query)") from None
        if status == "error":
            raise QueryError(str(payload))
        assert isinstance(payload, Table)
        payload.elapsed_s = time.perf_counter() - start
        return payload


class RdflibBackend:
    """A plain rdflib in-memory graph: the baseline the benchmark compares against."""

    name = "rdflib"

    def __init__(self, graph: Graph) -> None:
        self.graph = graph

    def select(self, text: str, *, timeout_s: float = DEFAULT_TIMEOUT_S, row_cap: int = DEFAULT_ROW_CAP) -> Table:
        check_read_only(text)
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

    def select(self, text: str, *, timeout_s: float = DEFAULT_TIMEOUT_S, row_cap: int = DEFAULT_ROW_CAP) -> Table:
        import urllib.error

        from SPARQLWrapper import JSON, POST, SELECT, SPARQLWrapper
        from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

        check_read_only(text)
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
        return capped(columns, rows, row_cap=row_cap, start=start)
