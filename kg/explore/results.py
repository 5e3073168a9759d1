"""Running the explorer's queries and shaping their results: the backend (embedded store or remote endpoint),
library queries and typed text in, rows as dicts with record ids, citations and exports out."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from kg import __version__
from kg.errors import QueryError
from kg.iri import BASE
from kg.paths import GRAPH
from kg.sparql.backends import DEFAULT_ROW_CAP, DEFAULT_TIMEOUT_S, Backend, Table, Value
from kg.sparql.citation import cite as make_citation
from kg.sparql.citation import data_hash
from kg.sparql.formats import render, shorten
from kg.sparql.library import LibraryQuery, library, resolve
from kg.sparql.query import Citation, backend_for, citation, run

LICENCE = "Data (the curated records and the built graph): CC BY 4.0. Code: MIT."
Row = dict[str, Value]
Params = dict[str, list[str]]


# Run embedded queries in a worker process killed at the time limit, so a runaway query is stopped (the worker
# resets the parent's signal handlers and dies with its parent, see kg.sparql.backends._worker).
ISOLATE = True


def open_backend(endpoint: str = "", *, graph: Path = GRAPH, isolate: bool = ISOLATE) -> Backend:
    """A remote SPARQL endpoint when a URL is given, else the embedded store over the built graph. With
    `isolate`, queries run one at a time in a worker process that is killed at the time limit (the app shares
    one store between all sessions and threads; the store's own lock serialises them)."""
    from kg.pipeline.build import ensure_built

    endpoint = endpoint.strip()
    return backend_for(endpoint=endpoint, graph=graph if endpoint else ensure_built(graph), isolate=isolate)


def is_timeout(error: Exception) -> bool:
    """Whether a query error says the time limit was reached."""
    return str(error).startswith("query stopped")


def queries() -> dict[str, LibraryQuery]:
    """The query library, explorer queries and reproductions first, QC violation queries last."""
    found = library()
    return dict(sorted(found.items(), key=lambda kv: (kv[1].is_violation, kv[0])))


def run_query(
    backend: Backend,
    name: str,
    params: Mapping[str, Sequence[str]] | None = None,
    *,
    timeout_s: float = DEFAULT_TIMEOUT_S,
    row_cap: int = DEFAULT_ROW_CAP,
) -> Table:
    """Run a library query with parameters bound through its `#+ param:` header."""
    bound = {k: list(v) for k, v in (params or {}).items()}
    return run(resolve(name), backend, params=bound, timeout_s=timeout_s, row_cap=row_cap)


def run_text(
    backend: Backend, text: str, *, timeout_s: float = DEFAULT_TIMEOUT_S, row_cap: int = DEFAULT_ROW_CAP
) -> Table:
    """Run query text typed by a user: the backend refuses updates and SERVICE before running it."""
    if not text.strip():
        raise QueryError("the query is empty (hint: pick one from the library)")
    return backend.select(text, timeout_s=timeout_s, row_cap=row_cap)


def records(table: Table) -> list[Row]:
    """Rows as dicts, record IRIs shortened to their ids."""
    return [{c: shorten(v) for c, v in zip(table.columns, row, strict=True)} for row in table.rows]


def table_of(rows: Sequence[Mapping[str, Value]], columns: Sequence[str] | None = None) -> Table:
    """A Table from dict rows (columns: given, or the first row's keys)."""
    cols = list(columns) if columns is not None else (list(rows[0]) if rows else [])
    return Table(cols, [[r.get(c) for c in cols] for r in rows])


def cite(
    name: str | None,
    params: Mapping[str, Sequence[str]] | None = None,
    *,
    text: str | None = None,
    permalink: str = "",
) -> Citation:
    """The citation of a result: of a library query with its parameters, or (name None) of typed query text."""
    if name is None:
        return make_citation(
            version=__version__, query="(typed query)", text_run=text or "", data_sha256=data_hash(GRAPH),
            permalink=permalink,
        )
    return citation(
        resolve(name), version=__version__, params={k: list(v) for k, v in (params or {}).items()}, permalink=permalink
    )


def export(
    table: Table,
    fmt: str,
    *,
    name: str | None,
    params: Mapping[str, Sequence[str]] | None = None,
    text: str | None = None,
    view: Mapping[str, str] | None = None,
) -> bytes:
    """The table as CSV or JSON (any `kg.sparql.formats.FORMATS`), with the dataset version and query in a header;
    for CSV, `view` (e.g. the actors, issues and cell rule that made a matrix) is a second header line."""
    body = render(table, fmt=fmt, cite=cite(name, params, text=text))
    if view and fmt == "csv":
        first, _, rest = body.partition("\n")
        body = f"{first}\n# view: " + "; ".join(f"{k}={v}" for k, v in view.items()) + f"\n{rest}"
    return body.encode("utf-8")


def how_to_cite() -> str:
    """The citation of the dataset at this version."""
    return (
        f"Cyber Norms Knowledge Graph (version {__version__}) [dataset]. {BASE} . "
        "Cite the version you used; each exported table carries the query name and hash that produced it."
    )


def actor_names(rows: Iterable[Mapping[str, Value]]) -> dict[str, str]:
    """Display names of actors.rq rows: a state's name, an organisation's short name when it has one."""
    out: dict[str, str] = {}
    for r in rows:
        short = r.get("shortName")
        out[str(r["actor"])] = str(short if short and r.get("type") != "state" else r["name"])
    return out


def actor_choice(rows: Iterable[Mapping[str, Value]]) -> dict[str, str]:
    """Actor id -> picker label ('Russian Federation (RU)', 'SCO - Shanghai Cooperation Organisation')."""
    out: dict[str, str] = {}
    for r in rows:
        if r.get("type") == "state":
            out[str(r["actor"])] = f"{r['name']} ({r['actor']})"
        else:
            short = r.get("shortName")
            out[str(r["actor"])] = f"{short} - {r['name']}" if short and short != r["name"] else str(r["name"])
    return out


