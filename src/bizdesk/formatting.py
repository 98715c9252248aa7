"""Numbers, money and dates for people, through Babel in the shop's locale."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from babel.numbers import format_decimal


def money(value: Decimal | None, locale: str = "en_US") -> str:
    if value is None:
        return ""
    exp = max(0, -value.as_tuple().exponent)
    pattern = "#,##0" + ("." + "0" * exp if exp else "")
    return format_decimal(value, format=pattern, locale=locale, decimal_quantization=False)


def number(value: int | Decimal | None, locale: str = "en_US") -> str:
    return "" if value is None else format_decimal(value, locale=locale)


def editable(value: object, locale: str | None) -> str:
    """A number as a form fills it in for editing: the way the form reads numbers back
    (bizdesk.reading: ``locale`` None is the machine form), every digit kept, so saving the
    form unchanged stores the same value. Text that is not a number is left as it is."""
    if value is None or value == "":
        return ""
    try:
        d = value if isinstance(value, Decimal) else Decimal(str(value))
    except InvalidOperation:
        return str(value)
    if not d.is_finite():
        return str(value)
    return format(d, "f") if locale is None else money(d, locale)


def money_or_blank(value: Decimal | None, locale: str = "en_US") -> str:
    """An amount, or nothing for zero (a debit column leaves the credits' cells empty)."""
    return money(value, locale) if value else ""


# the formats that take the shop's locale as their second argument (lists pass it)
LOCALE_FORMATS = (money, number, money_or_blank)


def day(value: date | None) -> str:
    return value.isoformat() if value else ""


def moment(value: datetime | None, tz: str = "UTC") -> str:
    """A timestamp in the shop's time zone, to the minute."""
    if value is None:
        return ""
    return value.astimezone(ZoneInfo(tz)).strftime("%Y-%m-%d %H:%M")
