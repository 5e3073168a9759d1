"""Run library queries on a backend, pivot long results into comparative tables, and render them.

Formats: table (aligned text), csv, tsv, json, md (Markdown), latex. Every rendering can carry a citation
header (dataset version, query name and hash) so an exported table can be traced and re-run.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from dataclasses import dataclass
from pathlib import Path

from kg.errors import QueryError
from kg.library import LibraryQuery, bind
from kg.paths import GRAPH
from kg.store import DEFAULT_ROW_CAP, DEFAULT_TIMEOUT_S, Backend, EmbeddedStore, RemoteEndpoint, Table, Value
from kg.vocab import BASE, ID

FORMATS = ("table", "csv", "tsv", "json", "md", "latex")


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
    """`k=v` options (values comma-separated) as a dict; malformed pairs are errors."""
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


def shorten(value: Value) -> Value:
    """Record IRIs shown as their id (`.../id/state/RU` -> `RU`); other values unchanged."""
    if isinstance(value, str) and value.startswith(ID):
        return value.rsplit("/", 1)[-1]
    return value


def pivot(table: Table, *, row: str, column: str, value: str) -> Table:
    """Long rows -> a matrix: one row per `row` value, one column per `column` value (first value wins,
    further values for the same cell are joined with '; ')."""
    for name in (row, column, value):
        if name not in table.columns:
            raise QueryError(f"cannot pivot on {name!r}: the result has columns {', '.join(table.columns)}")
    ri, ci, vi = (table.columns.index(n) for n in (row, column, value))
    rows: dict[str, dict[str, list[str]]] = {}
    cols: list[str] = []
    for r in table.rows:
        rk, ck = str(shorten(r[ri])), str(shorten(r[ci]))
        if ck not in cols:
            cols.append(ck)
        cell = rows.setdefault(rk, {}).setdefault(ck, [])
        text = str(shorten(r[vi]))
        if text not in cell:
            cell.append(text)
    out = Table([row, *cols], truncated=table.truncated, elapsed_s=table.elapsed_s)
    for rk in rows:
        out.rows.append([rk, *("; ".join(rows[rk].get(c, [])) for c in cols)])
    return out


def _cell(value: Value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(shorten(value))


def render(table: Table, *, fmt: str, cite: Citation | None = None) -> str:
    """The table in one of FORMATS, with the citation as a header/comment where the format allows."""
    if fmt not in FORMATS:
        raise QueryError(f"unknown format {fmt!r} (hint: one of {', '.join(FORMATS)})")
    rows = [[_cell(v) for v in r] for r in table.rows]
    note = cite.line() if cite else ""
    if fmt in ("csv", "tsv"):
        buf = io.StringIO()
        if note:
            buf.write(f"# {note}\n")
        writer = csv.writer(buf, delimiter="," if fmt == "csv" else "\t", lineterminator="\n")
        writer.writerow(table.columns)
        writer.writerows(rows)
        return buf.getvalue()
    if fmt == "json":
        payload: dict[str, object] = {
            "columns": table.columns,
            "rows": [[shorten(v) for v in r] for r in table.rows],
            "truncated": table.truncated,
        }
        if cite:
            payload["citation"] = {
                "text": note,
                "version": cite.version,
                "query": cite.query,
                "query_sha256": cite.query_sha256,
            }
        return json.dumps(payload, ensure_ascii=False, indent=2) + "\n"
    if fmt == "md":
        lines = [f"<!-- {note} -->"] if note else []
        lines.append("| " + " | ".join(table.columns) + " |")
        lines.append("|" + "|".join(" --- " for _ in table.columns) + "|")
        lines += ["| " + " | ".join(c.replace("|", "\\|") for c in r) + " |" for r in rows]
        return "\n".join(lines) + "\n"
    if fmt == "latex":

        def esc(text: str) -> str:
            for a, b in (
                ("\\", r"\textbackslash{}"),
                ("&", r"\&"),
                ("%", r"\%"),
                ("$", r"\$"),
                ("#", r"\#"),
                ("_", r"\_"),
                ("{", r"\{"),
                ("}", r"\}"),
                ("~", r"\textasciitilde{}"),
                ("^", r"\textasciicircum{}"),
            ):
                text = text.replace(a, b)
            return text

        lines = [f"% {note}"] if note else []
        lines.append(r"\begin{tabular}{" + "l" * len(table.columns) + "}")
        lines.append(r"\hline")
        lines.append(" & ".join(esc(c) for c in table.columns) + r" \\")
        lines.append(r"\hline")
        lines += [" & ".join(esc(c) for c in r) + r" \\" for r in rows]
        lines += [r"\hline", r"\end{tabular}"]
        return "\n".join(lines) + "\n"
    widths = [max([len(c)] + [len(r[i]) for r in rows]) for i, c in enumerate(table.columns)]
    widths = [min(w, 60) for w in widths]

    def fit(text: str, w: int) -> str:
        return (text[: w - 1] + "…") if len(text) > w else text.ljust(w)

    lines = ["  ".join(fit(c, w) for c, w in zip(table.columns, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(fit(c, w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    capped = ", truncated at the row cap" if table.truncated else ""
    footer = f"({len(rows)} row{'s' if len(rows) != 1 else ''}{capped})"
    lines.append(footer)
    if note:
        lines.append(note)
    return "\n".join(lines) + "\n"
