"""The SPARQL page: a result table in, a chart choice out; query, parameters and endpoint to and from a permalink."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from kg.explore.results import Params
from kg.sparql.backends import Table, Value


def numeric(value: Value) -> bool:
    """A number (booleans are not)."""
    return isinstance(value, int | float) and not isinstance(value, bool)


def chart_columns(table: Table) -> tuple[str, str | None] | None:
    """A simple chart for a result: (label column, numeric column), or (label column, None) to count rows
    per label; None when the result has no column to chart."""
    if not table.rows:
        return None
    cols = table.columns
    nums = [
        c
        for i, c in enumerate(cols)
        if all(numeric(r[i]) or r[i] is None for r in table.rows) and any(numeric(r[i]) for r in table.rows)
    ]
    labels = [c for c in cols if c not in nums]
    if labels and nums:
        return labels[0], nums[0]
    if labels:
        # the label column with the fewest distinct values but more than one, to count rows per value
        def distinct(c: str) -> int:
            i = cols.index(c)
            return len({str(r[i]) for r in table.rows})

        countable = [c for c in labels if 1 < distinct(c) <= 50]
        if countable:
            return min(countable, key=distinct), None
    return None


def permalink(
    *, page: str, name: str | None, text: str | None, params: Mapping[str, Sequence[str]] | None = None
) -> dict[str, str]:
    """Query parameters that reopen a page on a library query (with its parameters) or on typed text."""
    out = {"page": page}
    if name:
        out["q"] = name
        for key, values in sorted((params or {}).items()):
            if values:
                out[f"p.{key}"] = ",".join(values)
    elif text:
        out["text"] = text
    return out


def from_permalink(qp: Mapping[str, str]) -> tuple[str | None, str | None, Params]:
    """(query name, typed text, parameters) read back from permalink query parameters."""
    params: Params = {}
    for key, value in qp.items():
        if key.startswith("p."):
            params[key[2:]] = [v.strip() for v in value.split(",") if v.strip()]
    return qp.get("q") or None, qp.get("text") or None, params
