"""Numbers, money and dates for people, through Babel in the shop's locale."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from babel.numbers import format_decimal
from rich.cells import cell_len, set_cell_size
from rich.text import Span

from bizdesk.characters import REFUSED_EVERYWHERE
from bizdesk.i18n import _
from bizdesk.reading import code, date_text, locale_pattern

if TYPE_CHECKING:
    from rich.text import Text

# what visible() shows as a code: every character the text rule refuses in any field
UNSAFE = re.compile(f"[{REFUSED_EVERYWHERE}]")


def visible(text: object) -> str:
    """User text made safe to print on a terminal: every character the text rule refuses
    (control characters such as ESC, bidirectional overrides, lone surrogates) is shown as
    its code, ``<U+001B>``, instead of being sent; line breaks and tabs stay. Data from
    before the rule, or from outside bizdesk, can hold them: every door prints through this."""
    s = text if type(text) is str else str(text)  # a Message: in the reader's language
    return s if UNSAFE.search(s) is None else UNSAFE.sub(lambda m: code(m.group()), s)


def visible_text(text: Text) -> Text:
    """``visible`` for a rich Text built from user data: the same text and styles, with
    every unsafe character shown as its code (the styled spans move along with it)."""
    plain = text.plain
    if UNSAFE.search(plain) is None:
        return text

    at = [0] * (len(plain) + 1)  # where each old offset lands in the new text
    parts: list[str] = []
    n = 0
    for i, ch in enumerate(plain):
        at[i] = n
        part = code(ch) if UNSAFE.match(ch) else ch
        parts.append(part)
        n += len(part)
    at[len(plain)] = n
    out = text.copy()
    out.plain = "".join(parts)
    out.spans = [Span(at[s.start], at[s.end], s.style) for s in text.spans]
    return out


def cell(text: str, width: int) -> str:
    """``text`` in exactly ``width`` terminal columns: padded, or cut with "…" where it is
    wider (a wide character takes two columns: "Chi phí dịch vụ" lines up as "Cash")."""
    if cell_len(text) <= width:
        return set_cell_size(text, width)
    return set_cell_size(text, max(0, width - 1)) + "…"


def money(value: Decimal | None, locale: str = "en_US") -> str:
    """An amount as the shop's locale writes it, every decimal it has shown: what a form in
    that locale reads back as the same amount (bizdesk.reading)."""
    if value is None:
        return ""
    exp = max(0, -value.as_tuple().exponent)
    return locale_pattern(locale, exp).apply(value, locale, decimal_quantization=False)


def number(value: int | Decimal | None, locale: str = "en_US") -> str:
    return "" if value is None else format_decimal(value, locale=locale)


def editable(value: object, locale: str | None) -> str:
    """A number (or a date) as a form fills it in for editing: the way the form reads numbers back
    (bizdesk.reading: ``locale`` None is the machine form), every digit kept, so saving the
    form unchanged stores the same value. Text that is not a number is left as it is."""
    if value is None or value == "":
        return ""
    if isinstance(value, date):  # a date field: as the screens show dates
        return date_text(value)
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
    """A date as the person reading writes it (bizdesk.reading.date_text): typed back as shown."""
    return date_text(value) if value else ""


def moment(value: datetime | None, tz: str = "UTC") -> str:
    """A timestamp in the shop's time zone, to the minute, its date as the reader writes it."""
    if value is None:
        return ""
    local = value.astimezone(ZoneInfo(tz))
    return f"{date_text(local.date())} {local:%H:%M}"


# the formats that take the shop's time zone as their second argument (lists pass it)
ZONE_FORMATS = (moment,)


def hours_text(hours: object, locale: str) -> str:
    """An hourly payslip's hours as every door shows them ("50 h"), or that none were
    entered yet (None: 0 is an answer, so it is not shown as 0)."""
    if hours is None:
        return _("hours not entered")
    return _("{hours} h").format(hours=number(hours, locale))
