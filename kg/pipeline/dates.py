"""Dates with their precision: an ISO date of day, month or year precision and the interval of days it denotes.

Records may know a date to the day (2015-05-08), the month (2015-05) or the year (2015). The graph keeps the
written value and adds the interval, so one `xsd:date` filter finds a thing whatever its precision, and
"latest"/"earliest" rules compare intervals, never strings.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from typing import Literal

Precision = Literal["day", "month", "year"]
DATE = re.compile(r"^([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?$")
"""An ISO 8601 date of year, month or day precision, ASCII digits only: the one pattern of the project."""


@dataclass(frozen=True)
class Interval:
    """The days a written date denotes, with its precision."""

    earliest: dt.date
    latest: dt.date
    precision: Precision

    def overlaps(self, other: Interval) -> bool:
        """True when the two intervals share at least one day.

        >>> interval("2020").overlaps(interval("2020-06-01"))
        True
        >>> interval("2019-12").overlaps(interval("2020"))
        False
        """
        return self.earliest <= other.latest and other.earliest <= self.latest


def interval(value: str) -> Interval:
    """The interval of an ISO 8601 date written as YYYY-MM-DD, YYYY-MM or YYYY (ASCII digits only).

    >>> interval("2015-05-08")
    Interval(earliest=datetime.date(2015, 5, 8), latest=datetime.date(2015, 5, 8), precision='day')
    >>> interval("2024-02").latest
    datetime.date(2024, 2, 29)
    >>> interval("2019").earliest, interval("2019").latest
    (datetime.date(2019, 1, 1), datetime.date(2019, 12, 31))
    """
    match = DATE.match(value)
    if not match:
        raise ValueError(f"{value!r} is not an ISO 8601 date (YYYY-MM-DD, YYYY-MM or YYYY)")
    year_s, month_s, day_s = match.groups()
    year = int(year_s)
    if day_s:
        day = dt.date(year, int(month_s), int(day_s))
        return Interval(day, day, "day")
    if month_s:
        month = int(month_s)
        last = calendar.monthrange(year, month)[1]
        return Interval(dt.date(year, month, 1), dt.date(year, month, last), "month")
    return Interval(dt.date(year, 1, 1), dt.date(year, 12, 31), "year")


_RANK: dict[Precision, int] = {"year": 0, "month": 1, "day": 2}


def chronological_key(value: str) -> tuple[dt.date, int]:
    """Sort key for "latest"/"earliest" rules: by the interval's first day, then by precision.

    A bare year sorts before every dated day of that year, so a year-precision date (such as an article's
    publication year) never counts as later than a dated statement it may precede.

    >>> sorted(["2019-12-12", "2019", "2019-06"], key=chronological_key)
    ['2019', '2019-06', '2019-12-12']
    """
    iv = interval(value)
    return (iv.earliest, _RANK[iv.precision])
