"""Working days: Monday to Friday. Leave is counted in them and a month's salary is shared
out by them (a start or end inside the month is paid for the working days employed).
Public holidays are not known to bizdesk: they count as working days."""

from __future__ import annotations

import calendar
from datetime import date


def working_days(first: date, last: date) -> int:
    """Mondays to Fridays from ``first`` to ``last``, both included (0 when last < first)."""
    if last < first:
        return 0
    days = (last - first).days + 1
    weeks, rest = divmod(days, 7)
    count = weeks * 5
    start = first.weekday()
    count += sum(1 for k in range(rest) if (start + k) % 7 < 5)
    return count


def month_bounds(month: date) -> tuple[date, date]:
    """The first and last day of ``month``'s month."""
    first = month.replace(day=1)
    return first, first.replace(day=calendar.monthrange(first.year, first.month)[1])


def overlap(a: date, b: date, c: date, d: date) -> tuple[date, date] | None:
    """The days two periods [a, b] and [c, d] share, or None."""
    first, last = max(a, c), min(b, d)
    return (first, last) if first <= last else None


def year_bounds(year: int) -> tuple[date, date]:
    return date(year, 1, 1), date(year, 12, 31)
