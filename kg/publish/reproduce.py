"""Reproduce published tables: run each table's query, compare cell by cell, and judge the differences.

A difference is expected when the published_table record explains it (`expected_differences`); any other
difference is a regression. Cells compared are those the reproducing query returns with `?agrees`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kg.errors import QueryError
from kg.sparql.backends import Backend, Table
from kg.sparql.formats import pivot, render
from kg.sparql.library import library


@dataclass
class CellResult:
    """One compared cell."""

    row: str
    column: str
    published: str
    reproduced: str
    agrees: bool
    expected_reason: str | None


@dataclass
class TableReport:
    """The comparison of one published table."""

    table: str
    number: str
    caption: str
    reference: str
    query: str
    cells: list[CellResult] = field(default_factory=list)

    @property
    def regressions(self) -> list[CellResult]:
        return [c for c in self.cells if not c.agrees and not c.expected_reason]

    @property
    def expected(self) -> list[CellResult]:
        return [c for c in self.cells if not c.agrees and c.expected_reason]

    @property
    def resolved(self) -> list[CellResult]:
        """Cells explained as differing that now agree: the explanation is stale."""
        return [c for c in self.cells if c.agrees and c.expected_reason]


def _text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value)


def reproduce(backend: Backend) -> list[TableReport]:
    """Compare every published table in the graph with its reproduction."""
    queries = library()
    listing = backend.select(queries["published-tables"].text)
    col = {name: i for i, name in enumerate(listing.columns)}
    reports: dict[str, TableReport] = {}
    expected: dict[tuple[str, str, str], str] = {}
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
            ),
        )
        if row[col["expectedDifference"]] is not None:
            key = (tid, _text(row[col["rowLabel"]]), _text(row[col["columnLabel"]]))
            expected[key] = _text(row[col["expectedDifference"]])
    for tid, report in sorted(reports.items()):
        if report.query not in queries:
            raise QueryError(f"{tid} names query {report.query!r}, which is not in queries/")
        result = backend.select(queries[report.query].text)
        needed = {"rowLabel", "columnLabel", "published", "reproduced", "agrees"}
        if not needed <= set(result.columns):
            raise QueryError(f"query {report.query} must return {', '.join(sorted(needed))}")
        idx = {name: i for i, name in enumerate(result.columns)}
        for r in result.rows:
            row_label, column_label = _text(r[idx["rowLabel"]]), _text(r[idx["columnLabel"]])
            report.cells.append(
                CellResult(
                    row=row_label,
                    column=column_label,
                    published=_text(r[idx["published"]]),
                    reproduced=_text(r[idx["reproduced"]]),
                    agrees=bool(r[idx["agrees"]]),
                    expected_reason=expected.get((tid, row_label, column_label)),
                )
            )
    return list(reports.values())


def side_by_side(report: TableReport) -> Table:
    """Published and reproduced values in the table's own shape; differing cells shown as `printed -> graph`."""
    long = Table(["row", "column", "value"])
    for c in report.cells:
        mark = c.published if c.agrees else f"{c.published} -> {c.reproduced or '(none)'}"
        if not c.agrees:
            mark += " [expected]" if c.expected_reason else " [DIFFERS]"
        long.rows.append([c.row, c.column, mark])
    return pivot(long, row="row", column="column", value="value")


def format_reports(reports: list[TableReport]) -> str:
    """The human report: per table, side by side, then the explained and unexplained differences."""
    out: list[str] = []
    for rep in reports:
        agree = sum(c.agrees for c in rep.cells)
        out.append(f"Table {rep.number} of {rep.reference}: {rep.caption}")
        out.append(
            f"  query {rep.query}: {agree}/{len(rep.cells)} cells agree, {len(rep.expected)} expected "
            f"difference(s), {len(rep.regressions)} unexpected"
        )
        out.append(render(side_by_side(rep), fmt="table"))
        by_reason: dict[str, list[CellResult]] = {}
        for c in rep.expected:
            by_reason.setdefault(c.expected_reason or "", []).append(c)
        for reason, cells in by_reason.items():
            multi = len({x.column for x in rep.cells}) > 1
            where = ", ".join(f"{c.row}/{c.column}" if multi else c.row for c in cells)
            out.append(f"  expected difference in {where}: {reason}")
        for c in rep.resolved:
            out.append(f"  note: {c.row} / {c.column} now agrees; its expected-difference note is stale")
        for c in rep.regressions:
            out.append(f"  REGRESSION: {c.row} / {c.column}: printed {c.published!r}, graph {c.reproduced!r}")
        out.append("")
    return "\n".join(out)
