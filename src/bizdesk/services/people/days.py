"""Working days: Monday to Friday less the public holidays of the shop's country
(WorkCalendar: the national holidays the ``holidays`` library knows, and those of the
shop's region when one is set, such as MD for Madrid or BY for Bavaria; a shop with no
country set has none). One rule for leave and pay: a week of vacation over Christmas costs
the days actually worked, not the 25th, and a month's salary is shared out by the same
days (a start or end inside the month is paid for the working days employed)."""

from __future__ import annotations

import calendar
from collections.abc import Mapping
from datetime import date
from functools import lru_cache
from types import MappingProxyType


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


def regions(country: str) -> tuple[str, ...]:
    """The regions of ``country`` (ISO code) whose public holidays the library knows, by
    its codes (MD, CT … for Spain; BY, BE … for Germany); none for a country without."""
    if not country:
        return ()
    import holidays

    return tuple(holidays.list_supported_countries().get(country.strip().upper(), ()))


class WorkCalendar:
    """Mondays to Fridays less the public holidays of a country (ISO code; "" for none) and,
    with a region (one of ``regions(country)``), that region's own."""

    def __init__(self, country: str = "", language: str = "", region: str = "") -> None:
        self.country = country.strip().upper()
        self.region = region.strip() if self.country else ""
        self.language = language

    @property
    def place(self) -> str:
        """The country, or country and region as ISO 3166-2 writes them (ES-MD)."""
        return f"{self.country}-{self.region}" if self.region else self.country

    def holidays(self, year: int) -> Mapping[date, str]:
        """The public holidays in ``year``, by date, named in the language when the library
        has it (else in its own)."""
        return _holidays_of(self.country, year, self.language, self.region)

    def days_off(self, first: date, last: date) -> list[date]:
        """The public holidays from ``first`` to ``last`` that fall on a Monday to Friday."""
        return sorted(
            d
            for y in range(first.year, last.year + 1)
            for d in self.holidays(y)
            if first <= d <= last and d.weekday() < 5
        )

    def working_days(self, first: date, last: date) -> int:
        """Working days from ``first`` to ``last``, both included, holidays left out."""
        if last < first:
            return 0
        return working_days(first, last) - len(self.days_off(first, last))


@lru_cache(maxsize=128)
def _holidays_of(country: str, year: int, language: str, region: str) -> Mapping[date, str]:
    """Made once per process for a country, year, language and region (a page's balance
    asks for the same year several times); read-only, as it is shared."""
    if not country:
        return MappingProxyType({})
    import holidays  # (a large package: loaded only when a calendar is asked for)

    where = {"subdiv": region} if region else {}
    try:
        try:
            found = holidays.country_holidays(
                country, years=year, language=language or None, **where
            )
        except (NotImplementedError, ValueError):  # no names in that language: its own
            found = holidays.country_holidays(country, years=year, **where)
    except NotImplementedError:  # a country (or region) the library does not know: none
        return MappingProxyType({})
    return MappingProxyType(dict(found.items()))


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
