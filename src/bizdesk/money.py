"""Exact numbers: money and quantities.

Money is ``Decimal`` in Python and an integer count of the currency's minor units in the
database, so ``SUM`` in SQL is exact. Quantities are ``Decimal`` with at most three
decimals, stored as thousandths. Every conversion and every rounding happens here.
"""

from __future__ import annotations

import functools
from decimal import ROUND_HALF_EVEN, Decimal

from babel.numbers import get_currency_precision, list_currencies

from bizdesk.i18n import Message
from bizdesk.reading import (  # AmountError: defined by the reader
    AmountError,
    Typed,
    locale_pattern,
    quoted,
    read_number,
)

QTY_DECIMALS = 3
QTY_SCALE = 10**QTY_DECIMALS
MAX_ABS_MINOR = 10**15  # far above any shop's figures, far below int64 limits


@functools.cache
def currency_exponent(currency: str) -> int:
    """Digits after the decimal point for an ISO 4217 currency (EUR 2, VND 0, KWD 3)."""
    code = currency.upper()
    if code not in list_currencies():
        raise AmountError(Message("unknown currency {currency}", currency=quoted(currency, 20)))
    return get_currency_precision(code)


def parse_decimal(
    value: object, *, decimals: int, allow_negative: bool = False, locale: str | None = None
) -> Decimal:
    """Read a user's amount exactly (bizdesk.reading): in the machine form, or with
    ``locale`` as that locale writes numbers. Refuses floats, junk, too many decimals, NaN."""
    if isinstance(value, float):
        raise AmountError(Message("internal error: a float reached an exact amount"))
    if isinstance(value, Decimal):
        d = value
    elif isinstance(value, int):
        d = Decimal(value)
    else:
        text = str(value).strip()
        if allow_negative and text[:1] == "+" and text[1:2].isdigit():
            text = text[1:]  # a signed field ("+in / -out") takes an explicit plus
        d = read_number(text, decimals=decimals, locale=locale, typed=isinstance(value, Typed))
    if not d.is_finite():
        raise AmountError(Message("not a number"))
    if d.as_tuple().exponent < -decimals and d != d.quantize(Decimal(1).scaleb(-decimals)):
        raise AmountError(_at_most(decimals))
    if d < 0 and not allow_negative:
        raise AmountError(Message("must not be negative"))
    if abs(d) * 10**decimals >= MAX_ABS_MINOR:
        raise AmountError(_too_large(decimals, locale))
    return d


def _too_large(decimals: int, locale: str | None) -> Message:
    return Message("too large: at most {limit}", limit=_limit(decimals, locale))


def _limit(decimals: int, locale: str | None) -> str:
    """The largest amount, written as the reader writes numbers (so it reads back)."""
    limit = Decimal(MAX_ABS_MINOR - 1).scaleb(-decimals)
    return locale_pattern(locale, decimals).apply(limit, locale) if locale else str(limit)


def bounded(minor: int, exponent: int, locale: str | None = None) -> int:
    """``minor`` when a figure made of others (quantity x price, a document's total) is as
    small as any one amount must be; else AmountError saying so."""
    if abs(minor) >= MAX_ABS_MINOR:
        raise AmountError(
            Message(
                "comes to more than {limit}, the most an amount may be",
                limit=_limit(exponent, locale),
            )
        )
    return minor


def _at_most(decimals: int) -> Message:
    return Message.plural("at most {n} decimal", "at most {n} decimals", decimals)


def round_money(value: Decimal, exponent: int) -> Decimal:
    """The single rounding rule for money: half-even to the currency's minor unit."""
    return value.quantize(Decimal(1).scaleb(-exponent), rounding=ROUND_HALF_EVEN)


def to_minor(value: Decimal, exponent: int) -> int:
    """Decimal amount -> integer minor units. Refuses values that would need rounding."""
    scaled = value.scaleb(exponent)
    if scaled != scaled.to_integral_value():
        raise AmountError(_at_most(exponent))
    return int(scaled)


def from_minor(minor: int | None, exponent: int) -> Decimal:
    if minor is None:
        minor = 0
    return Decimal(int(minor)).scaleb(-exponent).quantize(Decimal(1).scaleb(-exponent))


def parse_money(
    value: object, exponent: int, *, allow_negative: bool = False, locale: str | None = None
) -> int:
    """User input -> minor units, in one step (``locale``: see parse_decimal)."""
    return to_minor(
        parse_decimal(value, decimals=exponent, allow_negative=allow_negative, locale=locale),
        exponent,
    )


def parse_qty(value: object, *, allow_negative: bool = False, locale: str | None = None) -> int:
    """User input -> thousandths of a unit (``locale``: see parse_decimal)."""
    d = parse_decimal(value, decimals=QTY_DECIMALS, allow_negative=allow_negative, locale=locale)
    return int(d.scaleb(QTY_DECIMALS))


def qty_from_scaled(scaled: int | None) -> Decimal:
    """Thousandths -> a quantity as people write it: 10, 2.5, 0.125 (no trailing zeros)."""
    q, r = divmod(int(scaled or 0), QTY_SCALE)
    if r == 0:
        return Decimal(q)
    return Decimal(int(scaled)).scaleb(-QTY_DECIMALS).normalize()


def parse_percent(
    value: object, *, decimals: int, allow_negative: bool = False, locale: str | None = None
) -> Decimal:
    """A percentage as people type it, read as parse_decimal reads a number: with or without
    its sign after it ("50%", "12,5 %" in es_ES, where a space comes before the sign)."""
    if isinstance(value, str):
        text = value.strip()
        if text.endswith("%"):
            number = text[:-1].rstrip()
            value = Typed(number) if isinstance(value, Typed) else number
    return parse_decimal(value, decimals=decimals, allow_negative=allow_negative, locale=locale)


def percent_to_basis_points(value: object, *, locale: str | None = None) -> int:
    """A percentage (0-100, up to two decimals; "20%" too) -> hundredths of a percent."""
    d = parse_percent(value, decimals=2, locale=locale)
    if d > 100:
        raise AmountError(Message("must be between 0 and 100"))
    return int(d.scaleb(2))


def percent_from_bp(bp: int | None) -> Decimal:
    """Hundredths of a percent -> the percentage as people write it: 20, 5.5."""
    return Decimal(int(bp or 0)) / 100 if (bp or 0) % 100 else Decimal(int(bp or 0) // 100)


def money_str(minor: int | None, exponent: int) -> str:
    """Plain decimal string for JSON, CSV and logs: "1234.50", never a float."""
    return str(from_minor(minor, exponent))


def qty_text(scaled: int | None, locale: str | None = None) -> str:
    """A quantity for a message: "10", "2.5", never "10.000" or "1E+1"; with ``locale`` (a
    person reads it in a form) as that locale writes it ("23,332" in vi_VN, where "23.332"
    is twenty-three thousand), so it reads back."""
    qty = qty_from_scaled(scaled)
    if not locale:
        return str(qty)
    decimals = max(0, -qty.as_tuple().exponent)
    return locale_pattern(locale, decimals).apply(qty, locale)


def money_text(minor: int | None, exponent: int, locale: str | None = None) -> str:
    """An amount for a message: every digit of the currency ("90.40"); with ``locale`` (a
    person reads it in a form) as that locale writes it ("90,40" in es_ES), so it reads back.
    Without one, the machine form the command line reads."""
    value = from_minor(minor, exponent)
    if not locale:
        return str(value)
    return locale_pattern(locale, exponent).apply(value, locale, decimal_quantization=False)


def line_amounts(qty_scaled: int, unit_minor: int, vat_bp: int) -> tuple[int, int]:
    """A document line's net and VAT in minor units: qty x unit price, then VAT on that net,
    each rounded half-even once (the rule for order, bill and invoice lines alike)."""
    net = (Decimal(qty_scaled) * unit_minor / QTY_SCALE).quantize(Decimal(1), ROUND_HALF_EVEN)
    vat = (net * vat_bp / 10000).quantize(Decimal(1), ROUND_HALF_EVEN)
    return int(net), int(vat)
