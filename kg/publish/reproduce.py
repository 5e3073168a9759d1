"""Reproduce published tables from the graph: derive each cell, compare it with the print, judge the difference.

A printed cell is the article's claim, never evidence. Each cell gets one status: `agrees`; `explained` (differs,
and the table's `expected_differences` names this cell with exactly the graph value found); `unexplained`
(differs, or differs from the value its explanation expects); `no-evidence` (the graph derives nothing).
Tables with claims are judged claim by claim (kg.publish.claims); a table with no query says why it is not
checkable. Only unexplained differences fail `cnkg reproduce`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

from kg.errors import QueryError
from kg.publish.claims import Dated, Match, judge
from kg.sparql.backends import Backend, Table
from kg.sparql.formats import pivot, render
from kg.sparql.library import bind, library

Status = Literal["agrees", "explained", "unexplained", "no-evidence"]
STATUSES: tuple[Status, ...] = ("agrees", "explained", "unexplained", "no-evidence")
MATCHES: dict[str, Match] = {"first": "first", "any": "any", "increase": "increase"}


@dataclass
class CellResult:
    """One compared cell (or, for a table of claims, one claim)."""

    row: str
    column: str
    published: str
    reproduced: str
    status: Status
    expected_value: str | None = None
    expected_reason: str | None = None
    evidence: str = ""


@dataclass
class TableReport:
    """The comparison of one published table."""

    table: str
    number: str
    caption: str
    reference: str
    query: str
    not_checkable: str = ""
    claims: bool = False  # judged claim by claim (each cell is one claim of a printed cell)
    cells: list[CellResult] = field(default_factory=list)

    def count(self, status: Status) -> int:
        """How many cells have this status."""
        return sum(c.status == status for c in self.cells)

    @property
    def regressions(self) -> list[CellResult]:
        """Differences no explanation accounts for: the only ones that fail a reproduction."""
        return [c for c in self.cells if c.status == "unexplained"]

    @property
    def stale(self) -> list[CellResult]:
        """Cells explained as differing that now agree: the explanation is stale."""
        return [c for c in self.cells if c.status == "agrees" and c.expected_reason]


def _text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value)


def _status(*, agrees: bool, reproduced: str, expected_value: str | None, no_evidence: bool) -> Status:
    """The status of a compared cell.

    >>> _status(agrees=False, reproduced="3", expected_value="3", no_evidence=False)
    'explained'
    >>> _status(agrees=False, reproduced="0", expected_value="3", no_evidence=False)
    'unexplained'
    """
    if agrees:
        return "agrees"
    if no_evidence:
        return "no-evidence"
    if expected_value is not None and expected_value == reproduced:
        return "explained"
    return "unexplained"


def _params(text: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for pair in filter(None, text.split("&")):
        name, _, value = pair.partition("=")
        out.setdefault(name, []).append(value)
    return {k: sorted(v) for k, v in out.items()}


def _claims(backend: Backend, report: TableReport, result: Table) -> None:
    """Judge every claim the table's query lists by running its checking query."""
    queries = library()
    report.claims = True
    idx = {name: i for i, name in enumerate(result.columns)}
    for r in result.rows:
        row, text = _text(r[idx["rowLabel"]]), _text(r[idx["text"]])
        reason = _text(r[idx["notCheckable"]])
        if reason:
            report.cells.append(CellResult(row, text, text, "", "no-evidence", evidence=f"not checkable: {reason}"))
            continue
        name = _text(r[idx["checkedBy"]])
        if name not in queries:
            raise QueryError(f"{report.table}: claim {text!r} names query {name!r}, which is not in queries/")
        found = backend.select(bind(queries[name], _params(_text(r[idx["params"]]))))
        col = {n: i for i, n in enumerate(found.columns)}
        dated = [
            Dated(
                _text(f[col["itemId"]]),
                dt.date.fromisoformat(_text(f[col["earliest"]])),
                dt.date.fromisoformat(_text(f[col["latest"]])),
            )
            for f in found.rows
        ]
        match = _text(r[idx["match"]])
        if match not in MATCHES:
            raise QueryError(f"{report.table}: claim {text!r} has no valid match rule ({match!r})")
        j = judge(dated, period=row, match=MATCHES[match])
        expected_value = _text(r[idx["expectedValue"]]) or None
        expected_reason = _text(r[idx["expectedDifference"]]) or None
        status = _status(
            agrees=j.verdict == "agrees", reproduced=j.verdict, expected_value=expected_value,
            no_evidence=j.verdict == "no-record",
        )
        report.cells.append(
            CellResult(row, text, text, j.verdict, status, expected_value, expected_reason, evidence=j.evidence)
        )


def reproduce(backend: Backend) -> list[TableReport]:
    """Compare every published table in the graph with what the graph derives for it."""
    queries = library()
    listing = backend.select(queries["published-tables"].text)
    col = {name: i for i, name in enumerate(listing.columns)}
    reports: dict[str, TableReport] = {}
    expected: dict[tuple[str, str, str], tuple[str, str]] = {}
    for row in listing.rows:
        tid = str(row[col["table"]])
        reports.setdefault(
            tid,
            TableReport(
                tid,
                _text(row[col["number"]]),
                _text(row[col["caption"]]),
                _text(row[col["reference"]]),
                _text(row[col["query"]]),
                _text(row[col["notCheckable"]]),
            ),
        )
        if row[col["expectedDifference"]] is not None:
            key = (tid, _text(row[col["rowLabel"]]), _text(row[col["columnLabel"]]))
            expected[key] = (_text(row[col["expectedValue"]]), _text(row[col["expectedDifference"]]))
    for tid, report in sorted(reports.items(), key=lambda kv: (len(kv[1].number), kv[1].number, kv[0])):
        if not report.query:
            continue
        if report.query not in queries:
            raise QueryError(f"{tid} names query {report.query!r}, which is not in queries/")
        result = backend.select(queries[report.query].text)
        if {"checkedBy", "text"} <= set(result.columns):
            _claims(backend, report, result)
            continue
        needed = {"rowLabel", "columnLabel", "published", "reproduced", "agrees"}
        if not needed <= set(result.columns):
            raise QueryError(f"query {report.query} must return {', '.join(sorted(needed))}")
        idx = {name: i for i, name in enumerate(result.columns)}
        for r in result.rows:
            row_label, column_label = _text(r[idx["rowLabel"]]), _text(r[idx["columnLabel"]])
            reproduced = _text(r[idx["reproduced"]])
            value, reason = expected.get((tid, row_label, column_label), (None, None))
            verdict = _text(r[idx["verdict"]]) if "verdict" in idx else ""
            extra = [f"{k}={_text(r[idx[k]])}" for k in ("n", "basis", "spread") if k in idx and _text(r[idx[k]])]
            report.cells.append(
                CellResult(
                    row=row_label,
                    column=column_label,
                    published=_text(r[idx["published"]]),
                    reproduced=reproduced,
                    status=_status(
                        agrees=bool(r[idx["agrees"]]),
                        reproduced=reproduced,
                        expected_value=value,
                        no_evidence=verdict == "no-evidence" or (not verdict and not reproduced),
                    ),
                    expected_value=value,
                    expected_reason=reason,
                    evidence=", ".join(extra),
                )
            )
    return sorted(reports.values(), key=lambda r: (len(r.number), r.number))


def side_by_side(report: TableReport) -> Table:
    """Printed and derived values in the table's own shape; a differing cell shows `printed -> graph [status]`."""
    long = Table(["row", "column", "value"])
    for c in report.cells:
        mark = c.published if c.status == "agrees" else f"{c.published} -> {c.reproduced or '(none)'} [{c.status}]"
        long.rows.append([c.row, c.column, mark])
    return pivot(long, row="row", column="column", value="value")


def summary_line(reports: list[TableReport]) -> str:
    """The closing line: counts of every status over all tables, never "all reproduced"."""
    total = {s: sum(r.count(s) for r in reports) for s in STATUSES}
    unchecked = sum(1 for r in reports if r.not_checkable)
    return (
        f"{sum(total.values())} cells in {len(reports)} tables: {total['agrees']} agree, {total['explained']} differ "
        f"with an explanation, {total['unexplained']} differ without one, {total['no-evidence']} lack evidence; "
        f"{unchecked} table(s) not checkable."
    )


def format_reports(reports: list[TableReport]) -> str:
    """The human report: per table its counts, the side-by-side view and every difference; then the totals."""
    out: list[str] = []
    for rep in reports:
        out.append(f"Table {rep.number} of {rep.reference}: {rep.caption}")
        if rep.not_checkable:
            out += [f"  not checkable: {rep.not_checkable}", ""]
            continue
        counts = ", ".join(f"{rep.count(s)} {s}" for s in STATUSES)
        out.append(f"  query {rep.query}: {len(rep.cells)} cells: {counts}")
        if rep.cells and not rep.claims:
            out.append(render(side_by_side(rep), fmt="table"))
        for c in rep.cells:
            if c.status == "agrees" and not c.evidence:
                continue
            where = f"{c.row} / {c.column}"
            detail = f" ({c.evidence})" if c.evidence else ""
            if rep.claims:  # the evidence says where the graph dates the claim
                expects = "" if c.expected_value is None else f"; expected {c.expected_value}: {c.expected_reason}"
                out.append(f"  {c.status}: {where}: {c.reproduced or 'not checked'} ({c.evidence}){expects}")
            elif c.status == "explained":
                out.append(
                    f"  explained: {where}: printed {c.published!r}, graph {c.reproduced!r}: {c.expected_reason}"
                )
            elif c.status == "unexplained":
                expects = "" if c.expected_value is None else f"; its explanation expects {c.expected_value!r}"
                out.append(f"  DIFFERS: {where}: printed {c.published!r}, graph {c.reproduced!r}{detail}{expects}")
            elif c.status == "no-evidence":
                out.append(f"  no evidence: {where}{detail}")
            else:
                out.append(f"  agrees: {where}{detail}")
        for c in rep.stale:
            out.append(f"  note: {c.row} / {c.column} now agrees; its expected-difference note is stale")
        out.append("")
    out.append(summary_line(reports))
    return "\n".join(out)
