"""Tables rendered for people and programs: long results pivoted into comparative matrices, and the table in
one of FORMATS: table (aligned text), csv, tsv, json, md (Markdown), latex, each with the citation as a header
or comment where the format allows.
"""

from __future__ import annotations

import csv
import io
import json

from kg.errors import QueryError
from kg.iri import RECORDS as ID
from kg.sparql.backends import Table, Value
from kg.sparql.query import Citation

FORMATS = ("table", "csv", "tsv", "json", "md", "latex")


def shorten(value: Value) -> Value:
    """Record IRIs shown as their id (`.../id/state/RU` -> `RU`); other values unchanged.

    >>> shorten("https://w3id.org/cybernorms/id/state/RU"), shorten(3)
    ('RU', 3)
    """
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
                **cite.as_dict(),
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
