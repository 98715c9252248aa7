"""Exact numbers: money and quantities never pass through a float."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bizdesk import money as M

amounts = st.decimals(
    min_value=Decimal("-1000000"),
    max_value=Decimal("1000000"),
    places=2,
    allow_nan=False,
    allow_infinity=False,
)


@given(st.lists(amounts, max_size=200))
def test_sum_in_minor_units_is_exact(values):
    minor = sum(M.to_minor(v, 2) for v in values)
    assert M.from_minor(minor, 2) == sum(values, Decimal(0))


def test_a_million_ten_cents_are_exactly_one_hundred_thousand():
    minor = sum(M.parse_money("0.10", 2) for _ in range(1_000_000))
    assert M.money_str(minor, 2) == "100000.00"


@given(amounts)
def test_parse_and_format_round_trip(value):
    minor = M.parse_money(str(value), 2, allow_negative=True)
    assert M.money_str(minor, 2) == str(value.quantize(Decimal("0.01")))


@pytest.mark.parametrize(("currency", "exp"), [("EUR", 2), ("VND", 0), ("KWD", 3), ("jpy", 0)])
def test_currency_exponents(currency, exp):
    assert M.currency_exponent(currency) == exp


@pytest.mark.parametrize("bad", ["1.001", "abc", "", "NaN", "Infinity", "1e400", "-5", "12,34,5"])
def test_bad_amounts_refused(bad):
    with pytest.raises(M.AmountError):
        M.parse_money(bad, 2)


def test_floats_never_accepted():
    with pytest.raises(M.AmountError):
        M.parse_money(0.1, 2)
    with pytest.raises(M.AmountError):
        M.parse_qty(1.5)


def test_machine_form_never_guesses_a_decimal_comma():
    # Once a lone comma was taken for a decimal mark: "12,500" became 12.50.
    for text in ("12,50", "12,500", "1,000"):
        with pytest.raises(M.AmountError, match="no thousands separator"):
            M.parse_money(text, 2)
    assert M.parse_money("12,50", 2, locale="es_ES") == 1250  # a form in a comma locale
    assert M.parse_money("100", 0) == 100
    with pytest.raises(M.AmountError, match="whole numbers only"):
        M.parse_money("0.5", 0)


def test_decimals_typed_count_even_when_zero():
    # "12.000" in a VND file is never read as 12: the decimals written must fit the field.
    with pytest.raises(M.AmountError, match="at most 2 decimals"):
        M.parse_money("12.500", 2)
    with pytest.raises(M.AmountError, match="whole numbers only"):
        M.parse_money("12.000", 0)
    assert M.parse_money(Decimal("12.500"), 2) == 1250  # a Decimal from code keeps its value


@given(
    st.decimals(
        min_value=Decimal("-1000"),
        max_value=Decimal("1000"),
        places=4,
        allow_nan=False,
        allow_infinity=False,
    )
)
def test_rounding_is_half_even_in_one_place(value):
    r = M.round_money(value, 2)
    assert abs(r - value) <= Decimal("0.005")
    if abs(r - value) == Decimal("0.005"):
        assert (r * 100) % 2 == 0  # ties go to the even cent


def test_quantities_scaled_to_thousandths():
    assert M.parse_qty("1.5") == 1500
    assert M.qty_from_scaled(1500) == Decimal("1.500")
    with pytest.raises(M.AmountError):
        M.parse_qty("0.0001")


def test_unknown_currency():
    with pytest.raises(M.AmountError):
        M.currency_exponent("XXQ")


# Locales that group thousands differently (lakh: 12,34,567), with other marks, other minus
# signs, or whose own pattern is not "#,##0.###"; and every locale Babel knows, once.
SHOWN_LOCALES = ["en_US", "de_DE", "fr_FR", "de_CH", "vi_VN", "en_IN", "hi_IN", "bn", "ar_EG"]


@pytest.mark.parametrize("locale", SHOWN_LOCALES)
@given(value=amounts)
def test_what_a_screen_shows_reads_back_as_the_same_amount(locale, value):
    from bizdesk.formatting import money, number

    for shown in (money(value, locale), number(value, locale)):
        assert M.parse_decimal(shown, decimals=2, allow_negative=True, locale=locale) == value


def test_amounts_shown_in_every_locale_read_back():
    from babel.localedata import locale_identifiers

    from bizdesk.formatting import money

    refused = []
    for locale in locale_identifiers():
        for value in (Decimal("1234567.89"), Decimal("-1500000"), Decimal("0.05")):
            shown = money(value, locale)
            try:
                back = M.parse_decimal(shown, decimals=2, allow_negative=True, locale=locale)
            except M.AmountError:
                back = None
            if back != value:
                refused.append((locale, shown))
    assert refused == []


def test_lakh_grouping_is_the_locales_own():
    from bizdesk.formatting import money

    assert money(Decimal("1234567.80"), "en_IN") == "12,34,567.80"  # not 1,234,567.80
    assert money(Decimal("1500000"), "en_US") == "1,500,000"
