"""Faceted lists and timeline dates: result rows in, distinct facet values, filtered rows and partial dates out."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date

from kg.explore.results import Row
from kg.pipeline.dates import interval
from kg.sparql.backends import Value


def facet_values(rows: Iterable[Mapping[str, Value]], column: str, *, multi: bool = False) -> list[str]:
    """The distinct values of a column, sorted (for list columns, the distinct items)."""
    seen: set[str] = set()
    for row in rows:
        value = row.get(column)
        if multi:
            seen.update(split_list(value))
        elif value is not None and value != "":
            seen.add(str(value))
    return sorted(seen)


def filter_rows(
    rows: Iterable[Mapping[str, Value]],
    selected: Mapping[str, Iterable[str]],
    *,
    multi: Iterable[str] = (),
    year_range: tuple[int, int] | None = None,
    year_column: str = "year",
) -> list[Row]:
    """Rows matching every facet with a selection (a list column matches if any item is selected)."""
    multi_set = set(multi)
    wanted = {col: set(vals) for col, vals in selected.items() if vals}
    out: list[Row] = []
    for row in rows:
        ok = True
        for col, vals in wanted.items():
            value = row.get(col)
            items = set(split_list(value)) if col in multi_set else {"" if value is None else str(value)}
            if not items & vals:
                ok = False
                break
        if ok and year_range is not None:
            year = str(row.get(year_column) or "")
            ok = year.isdigit() and year_range[0] <= int(year) <= year_range[1]
        if ok:
            out.append(dict(row))
    return out



# ---------------------------------------------------------------------------------------------- dates
def partial_date(text: Value) -> date | None:
    """An ISO date of any precision written in the data ('2015', '2015-05', '2015-05-08') as its first day;
    None if absent or unreadable."""
    try:
        return None if text is None else interval(str(text)).earliest
    except ValueError:
        return None


def split_list(value: Value, sep: str = ", ") -> list[str]:
    """A GROUP_CONCAT cell as a sorted list (empty cell: [])."""
    if value is None or value == "":
        return []
    return sorted(p for p in str(value).split(sep) if p)
