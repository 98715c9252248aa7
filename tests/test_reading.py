"""One way to read numbers and dates (bizdesk.reading through money.py's entry points):
the machine form for files and the command line, the shop's locale in forms, never a guess."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bizdesk import money as M
from bizdesk.formatting import editable, money, number
from bizdesk.reading import DateError, is_digits, read_date
from bizdesk.services.base import validate as v

LOCALES = ("en_US", "es_ES", "ro_RO", "vi_VN")
MACHINE = "use digits with . for decimals and no thousands separator"

# (text, what the message must say) for a two-decimal amount in the machine form: the bad
# inputs of issue 10 and DESIGN section 9.
BAD_MACHINE_AMOUNTS = [
    ("1,000", MACHINE),
    ("12,500", MACHINE),
    ("2,000", MACHINE),
    ("1,299.99", MACHINE),
    ("1.500.000", MACHINE),
    ("1.234,56", MACHINE),
    ("12,5", MACHINE),
    ("1 000", MACHINE),
    ("1_000", MACHINE),
    ("１２３", MACHINE),  # fullwidth digits
    ("١٢٣", MACHINE),  # Arabic-Indic digits
    ("1e3", MACHINE),
    ("1E-2", MACHINE),
    ("NaN", MACHINE),
    ("Infinity", MACHINE),
    ("-Infinity", MACHINE),
    ("+5", MACHINE),
    ("--5", MACHINE),
    ("-", MACHINE),
    ("5.", MACHINE),
    (".5", MACHINE),
    ("0x10", MACHINE),
    ("12€", MACHINE),
    ("💰", MACHINE),
    ("\x1b[2J5", MACHINE),
    ("5\u202e0", MACHINE),
    ("5\x00", MACHINE),
    ("abc", "is not a number"),
    ("1.001", "at most 2 decimals"),
    ("12.500", "at most 2 decimals"),
    ("1" * 10_000, "too long to be a number"),
    ("", "a number is required"),
    ("   ", "a number is required"),
    ("-5", "must not be negative"),
    ("99999999999999999", "too large: at most 9999999999999.99"),
]


@pytest.mark.parametrize(("text", "message"), BAD_MACHINE_AMOUNTS)
def test_machine_form_refuses_with_the_form_expected(text, message) -> None:  # noqa: ANN001
    with pytest.raises(M.AmountError) as exc:
        M.parse_money(text, 2)
    assert message in str(exc.value)
    assert len(str(exc.value)) < 200  # a 10,000-character input is not echoed back


@pytest.mark.parametrize(
    ("text", "minor"),
    [("1000", 100000), ("-3.5", -350), ("0.10", 10), ("007", 700), ("  12.5 ", 1250)],
)
def test_machine_form_reads_plain_digits(text, minor) -> None:  # noqa: ANN001
    assert M.parse_money(text, 2, allow_negative=True) == minor


def test_quantities_and_percentages_share_the_rules() -> None:
    for bad in ("2,000", "1e3", "１２３", "1_000", "0.0001"):
        with pytest.raises(M.AmountError):
            M.parse_qty(bad)
    assert M.parse_qty("2000") == 2_000_000
    assert M.parse_qty("2,5", locale="es_ES") == 2500
    for bad in ("7,5", "101", "1e1", "7.555"):
        with pytest.raises(M.AmountError):
            M.percent_to_basis_points(bad)
    assert M.percent_to_basis_points("7,5", locale="ro_RO") == 750
    with pytest.raises(M.AmountError, match="use digits only, no thousands separator"):
        M.parse_decimal("1,000", decimals=0)


# (locale, exponent, text, minor units): what the screens show reads back as that value.
GOOD_LOCALE_AMOUNTS = [
    ("en_US", 2, "1,299.99", 129999),
    ("en_US", 2, "1,000", 100000),
    ("en_US", 2, "1299.99", 129999),
    ("en_US", 2, "-1,234,567.50", -123456750),
    ("en_US", 0, "350", 350),
    ("vi_VN", 0, "1.500.000", 1500000),
    ("vi_VN", 0, "350.000", 350000),
    ("vi_VN", 0, "1500000", 1500000),
    ("es_ES", 2, "1.234,56", 123456),
    ("es_ES", 2, "1234,56", 123456),
    ("es_ES", 2, "1.000", 100000),
    ("ro_RO", 2, "1.234,56", 123456),
    ("ro_RO", 3, "-0,125", -125),
]


@pytest.mark.parametrize(("loc", "exp", "text", "minor"), GOOD_LOCALE_AMOUNTS)
def test_locale_form_reads_what_screens_show(loc, exp, text, minor) -> None:  # noqa: ANN001
    assert M.parse_money(text, exp, allow_negative=True, locale=loc) == minor


# (locale, exponent, text, what the message must say): refused, with the locale's own form.
BAD_LOCALE_AMOUNTS = [
    # the largest value said as the shop writes it, so that it can be typed back
    ("vi_VN", 0, "1.000.000.000.000.000", "too large: at most 999.999.999.999.999"),
    ("en_US", 2, "10,000,000,000,000", "too large: at most 9,999,999,999,999.99"),
    ("en_US", 2, "1.234,56", "e.g. 12,345.67 or 12345.67"),
    ("en_US", 2, "12,5", "as in English (United States)"),
    ("en_US", 2, "1,00,000", "e.g. 12,345.67"),
    ("en_US", 2, "350.000", "at most 2 decimals"),  # never 350 in an en_US shop
    ("en_US", 2, "1e3", "e.g. 12,345.67"),
    ("en_US", 2, "1_000", "e.g. 12,345.67"),
    ("en_US", 2, "１２３", "e.g. 12,345.67"),
    ("en_US", 2, "NaN", "e.g. 12,345.67"),
    ("en_US", 2, "+5", "e.g. 12,345.67"),
    ("en_US", 2, "-", "e.g. 12,345.67"),
    ("en_US", 2, "", "a number is required"),
    ("en_US", 2, "1" * 10_000, "too long"),
    ("vi_VN", 0, "1,000", "whole numbers only"),  # an en_US habit: never 1 dong
    ("vi_VN", 0, "1,299.99", "e.g. 1.234.567 or 1234567"),
    ("vi_VN", 0, "12.5", "as in Vietnamese (Vietnam)"),
    ("vi_VN", 0, "1.00", "e.g. 1.234.567"),
    ("es_ES", 2, "1,299.99", "e.g. 12.345,67 or 12345,67"),
    ("es_ES", 2, "12.50", "e.g. 12.345,67"),
    ("es_ES", 2, "12,500", "at most 2 decimals"),
    ("ro_RO", 2, "1.2345,6", "as in Romanian (Romania)"),
    ("ro_RO", 2, "1,234.56", "e.g. 12.345,67"),
]


@pytest.mark.parametrize(("loc", "exp", "text", "message"), BAD_LOCALE_AMOUNTS)
def test_locale_form_refuses_with_the_locales_form(loc, exp, text, message) -> None:  # noqa: ANN001
    with pytest.raises(M.AmountError) as exc:
        M.parse_money(text, exp, locale=loc)
    assert message in str(exc.value)


# --- every value a screen shows reads back as itself -----------------------------------------


def _minor_units(exp: int):  # noqa: ANN202
    # up to the largest amount money.py accepts, negatives included, small ones often
    top = M.MAX_ABS_MINOR - 1
    return st.one_of(st.integers(-top, top), st.integers(-(10**6), 10**6))


@pytest.mark.parametrize("loc", LOCALES)
@pytest.mark.parametrize("exp", [0, 2, 3])
@given(data=st.data())
def test_money_shown_reads_back_exactly(loc, exp, data) -> None:  # noqa: ANN001
    minor = data.draw(_minor_units(exp))
    value = M.from_minor(minor, exp)
    shown = money(value, loc)  # how every screen shows the amount
    assert M.parse_money(shown, exp, allow_negative=True, locale=loc) == minor
    assert editable(value, loc) == shown  # and how a form prefills it for editing
    assert M.parse_money(editable(value, None), exp, allow_negative=True) == minor


@pytest.mark.parametrize("loc", LOCALES)
@given(scaled=st.integers(-(10**15) + 1, 10**15 - 1), bp=st.integers(0, 10_000))
def test_quantities_and_rates_shown_read_back_exactly(loc, scaled, bp) -> None:  # noqa: ANN001
    qty = M.qty_from_scaled(scaled)
    assert M.parse_qty(number(qty, loc), allow_negative=True, locale=loc) == scaled
    assert M.parse_qty(editable(qty, loc), allow_negative=True, locale=loc) == scaled
    rate = M.percent_from_bp(bp)
    assert M.percent_to_basis_points(number(rate, loc), locale=loc) == bp


# --- dates -------------------------------------------------------------------------------------

BAD_DATES = [
    ("2026-W07-1", "write YYYY-MM-DD"),
    ("20260215", "write YYYY-MM-DD"),
    ("2026-2-15", "write YYYY-MM-DD"),
    ("15/02/2026", "write YYYY-MM-DD"),
    ("2026-02-15T10:00", "write YYYY-MM-DD"),
    ("２０２６-０２-１５", "write YYYY-MM-DD"),
    ("2026-045", "write YYYY-MM-DD"),
    ("0001-01-01", "1900-01-01 to 2199-12-31"),
    ("1899-12-31", "1900-01-01 to 2199-12-31"),
    ("2200-01-01", "1900-01-01 to 2199-12-31"),
    ("9999-12-31", "1900-01-01 to 2199-12-31"),
    ("2026-02-30", "no such day"),
    ("2026-13-01", "no such day"),
    ("x" * 10_000, "write YYYY-MM-DD"),
    ("", "a date is required"),
]


@pytest.mark.parametrize(("text", "message"), BAD_DATES)
def test_dates_are_iso_days_in_a_sensible_range(text, message) -> None:  # noqa: ANN001
    with pytest.raises(DateError) as exc:
        read_date(text)
    assert message in str(exc.value)
    assert len(str(exc.value)) < 200


@pytest.mark.parametrize(("text", "message"), [b for b in BAD_DATES if b[0] and len(b[0]) <= 20])
def test_services_refuse_the_same_dates(text, message) -> None:  # noqa: ANN001
    with pytest.raises(v.FieldError) as exc:
        v.iso_date(text, required=True)
    assert message in str(exc.value)


def test_dates_read() -> None:
    assert read_date("2026-02-15") == date(2026, 2, 15)
    assert read_date(" 1900-01-01 ") == date(1900, 1, 1)
    assert read_date("2199-12-31") == date(2199, 12, 31)
    assert v.iso_date("2028-02-29") == date(2028, 2, 29)


# a person's dates (issue 13): their locale's form, read and written the same way; a
# language alone has its usual locale's (es: Spain's), English alone ISO
PERSON_DATES = {
    "es": "15/02/2026",
    "ro": "15.02.2026",
    "vi": "15/02/2026",
    "en": "2026-02-15",
    "en_US": "02/15/2026",
    "en_GB": "15/02/2026",
    "es_MX": "15/02/2026",
    "ro_MD": "15.02.2026",
}


@pytest.mark.parametrize("lang", sorted(PERSON_DATES))
def test_a_person_types_dates_as_the_screens_write_them(lang: str) -> None:
    from bizdesk import i18n
    from bizdesk.formatting import day, moment
    from bizdesk.reading import date_text

    i18n.use_setting(lang)
    shown = PERSON_DATES[lang]
    assert date_text(date(2026, 2, 15)) == day(date(2026, 2, 15)) == shown
    assert editable(date(2026, 2, 15), "en_US") == shown  # a form's date field, filled in
    assert read_date(shown, local=True) == date(2026, 2, 15)
    assert read_date("2026-02-15", local=True) == date(2026, 2, 15)  # ISO: always
    assert v.iso_date(shown, local=True) == date(2026, 2, 15)
    assert moment(datetime(2026, 2, 15, 9, 30, tzinfo=UTC)) == f"{shown} 09:30"
    if lang != "en":
        sep = shown[2]
        one_digit = f"2{sep}5{sep}2026" if lang == "en_US" else f"5{sep}2{sep}2026"
        assert read_date(one_digit, local=True) == date(2026, 2, 5)
        with pytest.raises(DateError):  # machine input (files, JSON): ISO only, never guessed
            read_date(shown)
        with pytest.raises(v.FieldError):
            v.iso_date(shown)


@pytest.mark.parametrize(
    "text",
    ["15/02/26", "15/2", "2026/02/15", "15-02-2026", "15/02/2026/1", "１５/02/2026", "15 /02/2026"],
)
def test_a_spanish_person_is_told_the_form_for_anything_else(text: str) -> None:
    from bizdesk import i18n

    i18n.use("es")
    with pytest.raises(DateError) as exc:
        read_date(text, local=True)
    assert str(exc.value) == f"{text!r} no es una fecha: escriba DD/MM/AAAA, p. ej. 15/02/2026"


def test_a_persons_impossible_or_far_day_is_refused() -> None:
    from bizdesk import i18n

    i18n.use("ro")
    with pytest.raises(DateError, match="no such day|nu există"):
        read_date("30.02.2026", local=True)
    with pytest.raises(DateError, match=r"01\.01\.1900"):
        read_date("31.12.1899", local=True)
    with pytest.raises(DateError, match=r"ZZ\.LL\.AAAA"):
        read_date("", local=True)
    i18n.use("en")  # English reads ISO only, even for a person: 02/15 or 15/02 is a guess
    with pytest.raises(DateError, match="write YYYY-MM-DD"):
        read_date("02/15/2026", local=True)


def test_a_person_in_the_united_states_writes_the_month_first_and_is_never_guessed_at() -> None:
    from bizdesk import i18n

    i18n.use_setting("en_US")
    assert read_date("12/31/2026", local=True) == date(2026, 12, 31)
    with pytest.raises(DateError) as exc:  # the day first: no month 31, told the form
        read_date("31/12/2026", local=True)
    assert str(exc.value) == "'31/12/2026' is not a date: there is no such day (MM/DD/YYYY)"
    with pytest.raises(DateError, match=r"write MM/DD/YYYY, e\.g\. 02/15/2026"):
        read_date("31.12.2026", local=True)
    i18n.use_setting("es")
    with pytest.raises(DateError, match="no es una fecha"):  # a Spaniard's 12/31 is no day
        read_date("12/31/2026", local=True)


@pytest.mark.parametrize(
    ("lang", "shown"),
    [
        ("ro", "03.2026"),
        ("es", "03/2026"),
        ("vi", "03/2026"),
        ("en_US", "03/2026"),
        ("en", "2026-03"),
    ],
)
def test_a_person_types_months_as_the_screens_write_them(lang: str, shown: str) -> None:
    """A month is the month and the year of the person's date form: the budget form said
    2026-12 and refused 12.2026 in Romanian, beside dates in 31.12.2026."""
    from bizdesk import i18n
    from bizdesk.reading import month_text, read_month

    i18n.use_setting(lang)
    assert month_text(date(2026, 3, 31)) == shown
    assert read_month(shown, local=True) == date(2026, 3, 1)
    assert read_month("2026-03", local=True) == date(2026, 3, 1)  # ISO: always
    if lang != "en":
        assert read_month(shown.replace("03", "3", 1), local=True) == date(2026, 3, 1)
        with pytest.raises(DateError):  # machine input (files, JSON): ISO only
            read_month(shown)
    for wrong in ("2026-3", "13.2026", "03.26", "2026.03", "March", "03/03/2026"):
        with pytest.raises(DateError, match=re.escape(shown)):  # the example: in its form
            read_month(wrong, local=True)
    with pytest.raises(DateError):
        read_month(" ", local=True)


def test_a_romanian_is_told_a_month_s_form_in_romanian() -> None:
    from bizdesk import i18n
    from bizdesk.reading import read_month

    i18n.use("ro")
    with pytest.raises(DateError) as exc:
        read_month("13.2026", local=True)
    assert str(exc.value) == "'13.2026' nu este o lună: scrieți LL.AAAA, de ex. 03.2026"


@pytest.mark.parametrize(
    ("setting", "env", "expected"),
    [
        ("en_GB", {"LANG": "en_US.UTF-8"}, "en_GB"),  # the person's setting first
        ("es", {"LANG": "es_MX.UTF-8"}, "es_ES"),  # a language alone: its usual locale
        ("en", {"LANG": "en_US.UTF-8"}, None),  # English alone: ISO
        ("", {"LANG": "en_US.UTF-8"}, "en_US"),  # no setting: the session's
        ("", {"LC_TIME": "en_GB.UTF-8", "LANG": "en_US.UTF-8"}, "en_GB"),  # LC_TIME for dates
        ("", {"LC_ALL": "de_DE.UTF-8", "LC_TIME": "en_GB.UTF-8"}, "de_DE"),  # LC_ALL decides
        ("", {"LANGUAGE": "ro", "LANG": "C.UTF-8"}, "ro_RO"),  # C: the language's usual one
        ("", {"LANG": "vi_VN"}, "vi_VN"),
        ("", {}, None),
    ],
)
def test_the_locale_of_dates_is_the_persons_else_the_sessions_else_the_languages(
    setting: str, env: dict[str, str], expected: str | None
) -> None:
    from bizdesk.i18n import resolve_locale

    assert resolve_locale(setting, env) == expected


def test_a_decimal_from_code_is_not_text() -> None:
    assert M.parse_money(Decimal("1000.00"), 2, locale="vi_VN") == 100000
    with pytest.raises(M.AmountError, match="float"):
        M.parse_money(1000.0, 2, locale="en_US")


@pytest.mark.parametrize(
    "text",
    ["", "{", '{"a" 1}', '{"a": 1 "b": 2}', '"abc', '"a\x01"', '"\\q"', '"\\u12"', "1 2", "[1,]"],
)
def test_why_a_text_is_not_json_is_said_in_the_readers_words(text: str) -> None:
    """Python's json module words its errors in English ("Expecting value"): each is said
    in the reader's language, with its line and column."""
    import json

    from bizdesk import i18n
    from bizdesk.reading import json_problem

    with pytest.raises(json.JSONDecodeError) as exc:
        json.loads(text)
    i18n.use("es")
    said = str(json_problem(exc.value))
    assert said.startswith("no es JSON: ") and f"línea {exc.value.lineno}" in said, said
    assert exc.value.msg.split(":")[0] not in said  # none of json's English words
    i18n.use("en")
    assert str(json_problem(exc.value)).endswith(
        f"at line {exc.value.lineno}, column {exc.value.colno}"
    )


def test_a_signed_field_takes_an_explicit_plus() -> None:
    """The stock adjustment's box says "+in / -out" and refused "+2"."""
    from bizdesk.money import parse_qty

    assert parse_qty("+2", allow_negative=True) == 2000
    assert parse_qty("+2,5", allow_negative=True, locale="vi_VN") == 2500
    for text in ("++2", "+-2", "+ 2", "+"):
        with pytest.raises(M.AmountError):
            parse_qty(text, allow_negative=True)
    with pytest.raises(M.AmountError):  # an amount that cannot be negative has no sign
        parse_qty("+2")


def test_a_message_made_visible_is_in_the_reader_s_language() -> None:
    """Find's results ("Sales order SO-00049") were English in a Vietnamese session: the
    text made safe to print was the message's English value."""
    from bizdesk.formatting import visible
    from bizdesk.i18n import Message, current_language, use

    before = current_language()
    use("es")
    try:
        assert visible(Message("Sales order {number}", number="SO-00049")) == (
            "Pedido de venta SO-00049"
        )
    finally:
        use(before)


def test_a_report_s_month_is_shown_as_the_reader_writes_months() -> None:
    """Sales targets, the forecast and cycle times showed 2026-12 beside 31/12/2026; their
    JSON and CSV keep 2026-12, and a month that is none ("no date") stays as it is."""
    from bizdesk import i18n
    from bizdesk.reading import Month, as_month
    from bizdesk.services.overview.reports import cell_text, plain

    month = as_month("2026-12")
    assert isinstance(month, Month) and plain(month) == "2026-12"
    try:
        i18n.use_setting("vi")
        assert cell_text(month, False) == "12/2026"
    finally:
        i18n.use_setting("en")
    assert cell_text(month, False) == "2026-12"
    assert as_month("no date") == "no date" and not isinstance(as_month("no date"), Month)


def test_a_persons_number_is_refused_where_their_locales_read_it_otherwise() -> None:
    """A number typed on the command line (reading.Typed) in the machine form, by a person
    whose own or shop's locale writes 1.000 for a thousand: refused naming both readings;
    what reads one way is taken; a file's text (not Typed) is the machine form alone; the
    mark stays through str() and strip(), as services read what they are given."""
    from bizdesk.reading import AmountError, Typed, read_number, use_typing_locales

    use_typing_locales(None, "vi_VN")
    try:
        with pytest.raises(AmountError) as refused:
            read_number(Typed(" 1.000 ").strip(), decimals=3)
        said = str(refused.value)
        assert "'1.000' reads two ways: 1 on the command line" in said
        assert "1000 as Vietnamese (Vietnam) writes numbers; type 1 or 1000" in said
        # three decimals: 7.333 is the very text that reads two ways, so not offered
        with pytest.raises(AmountError) as refused:
            read_number(Typed("7.333"), decimals=3)
        assert "; type 7,333 or 7333, which read one way" in str(refused.value)
        assert read_number(Typed("7,333"), decimals=3) == Decimal("7.333")
        assert read_number(str(Typed("2.5")), decimals=3) == Decimal("2.5")
        assert read_number(Typed("1000"), decimals=3) == 1000
        assert read_number("1.000", decimals=3) == 1  # a file: the machine form
        use_typing_locales("en_US")  # reads 1.000 as one too
        assert read_number(Typed("1.000"), decimals=3) == 1
        # what the machine form does not read is read as the person and the shop write it
        use_typing_locales("en_US", "vi_VN")
        assert read_number(Typed("1.500.000"), decimals=0) == 1500000
        assert read_number(Typed("-1,500,000"), decimals=0) == -1500000
        with pytest.raises(AmountError, match="'1.500.000' is not a number"):
            read_number("1.500.000", decimals=0)  # a file: the machine form alone
        # money without decimals (VND): 1.5 cannot be, so 1.500 is 1500 as vi_VN writes it
        # (it was refused as "1.5 or 1500", and 1.5 then refused: no decimals here)
        assert read_number(Typed("1.500"), decimals=0) == 1500
        with pytest.raises(AmountError, match="type 1 or 1000"):  # 1 is possible: 2 readings
            read_number(Typed("1.000"), decimals=0)
        with pytest.raises(AmountError, match="'1.5': no decimals here"):
            read_number(Typed("1.5"), decimals=0)
        # where there are decimals, one typed too many is not taken for a thousands point:
        # --percent 10.555 was read as 10555 % in a Romanian shop
        use_typing_locales("ro_RO")
        with pytest.raises(AmountError) as refused:
            read_number(Typed("10.555"), decimals=2)
        assert str(refused.value) == (
            "'10.555': at most 2 decimals on the command line (. before the decimals); as "
            "Romanian (Romania) writes numbers it is 10555: type 10555 if that is meant"
        )
        assert read_number(Typed("10555"), decimals=2) == 10555
        assert read_number(Typed("1.234,00"), decimals=2) == 1234  # as a table shows it
        use_typing_locales("en_US", "es_ES")
        with pytest.raises(AmountError) as refused:
            read_number(Typed("1,500"), decimals=2)
        assert str(refused.value).startswith(
            "'1,500' reads two ways: 1500 as English (United States) writes numbers, 1.5 as "
            "Spanish (Spain) writes numbers; type 1500 or 1.5"
        )
        assert read_number(Typed("1.234,56"), decimals=2) == Decimal("1234.56")
        with pytest.raises(AmountError, match="'12,5 kg' is not a number"):
            read_number(Typed("12,5 kg"), decimals=2)
    finally:
        use_typing_locales()


def test_digits_are_those_int_reads_as_written() -> None:
    """str.isdigit() takes '²' (int() cannot read it); int() takes '٣' and a wide '３'."""
    assert is_digits("0") and is_digits("2026") and is_digits("007")
    for text in ("", "²", "²⁰²⁶", "1²", "٣", "\uff13", "-1", "+1", " 1", "1.0", "①"):
        assert not is_digits(text), text
