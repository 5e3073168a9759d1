"""Judge an atomic published claim ("SCO signs first information pact" in 2008-2013) against dated records.

A claim's checking query returns the dated records it is about (earliest and latest day of each). The verdict
is `agrees`, `differs` (the graph dates it elsewhere: the evidence says where) or `no-record`; a claim the graph
cannot check is `not-checkable`. Each rule can fail: a record dated outside the period makes a claim differ.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

Match = Literal["first", "any", "increase"]
Verdict = Literal["agrees", "differs", "no-record", "not-checkable"]


@dataclass(frozen=True)
class Dated:
    """One record found by a claim's query."""

    item: str
    earliest: dt.date
    latest: dt.date


@dataclass(frozen=True)
class Judgement:
    """A claim's verdict and the evidence it rests on."""

    verdict: Verdict
    evidence: str


def period_of(label: str) -> tuple[dt.date, dt.date]:
    """The days of a printed period "2008-2013".

    >>> period_of("2008-2013")
    (datetime.date(2008, 1, 1), datetime.date(2013, 12, 31))
    """
    start, _, end = label.partition("-")
    if not (start.isdigit() and end.isdigit() and start.isascii() and end.isascii()):
        raise ValueError(f"{label!r} is not a period YYYY-YYYY")
    return dt.date(int(start), 1, 1), dt.date(int(end), 12, 31)


def _within(d: Dated, start: dt.date, end: dt.date) -> bool:
    return start <= d.earliest and d.latest <= end


def _where(d: Dated) -> str:
    when = d.earliest.isoformat() if d.earliest == d.latest else f"{d.earliest.isoformat()}..{d.latest.isoformat()}"
    return f"{d.item} ({when})"


def judge(rows: list[Dated], *, period: str, match: Match) -> Judgement:
    """The verdict of one claim over the rows its query returned.

    >>> d = Dated("sco-2009", dt.date(2009, 6, 16), dt.date(2009, 6, 16))
    >>> judge([d], period="2008-2013", match="first").verdict
    'agrees'
    >>> judge([d], period="2014-2017", match="first")
    Judgement(verdict='differs', evidence='earliest is sco-2009 (2009-06-16), outside 2014-2017')
    >>> judge([], period="2014-2017", match="any").verdict
    'no-record'
    """
    start, end = period_of(period)
    if not rows:
        return Judgement("no-record", "the graph holds no record this claim is about")
    ordered = sorted(rows, key=lambda r: (r.earliest, r.latest, r.item))
    if match == "first":
        first = ordered[0]
        if _within(first, start, end):
            return Judgement("agrees", f"earliest is {_where(first)}")
        return Judgement("differs", f"earliest is {_where(first)}, outside {period}")
    inside = [r for r in ordered if _within(r, start, end)]
    if match == "any":
        if inside:
            return Judgement("agrees", "in the period: " + ", ".join(_where(r) for r in inside))
        return Judgement("differs", "none in the period; the graph dates it " + ", ".join(_where(r) for r in ordered))
    length = end.year - start.year + 1
    before_start, before_end = dt.date(start.year - length, 1, 1), dt.date(start.year - 1, 12, 31)
    before = [r for r in ordered if _within(r, before_start, before_end)]
    span = f"{before_start.year}-{before_end.year}"
    evidence = f"{len(inside)} in {period} against {len(before)} in {span}"
    return Judgement("agrees" if len(inside) > len(before) else "differs", evidence)
