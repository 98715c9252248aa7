"""Reading the numbers and dates people type: one strict reader, never a guess.

Numbers come in one of two forms, and the caller says which:

- the machine form (CSV files, the command line, JSON): ASCII digits, an optional leading
  ``-`` and ``.`` before the decimals; no thousands separator, no exponent, no ``+``, no
  underscores, no other scripts' digits. ``-1234.50``. ``12,500`` is refused, never 12.50.
- the locale form (the terminal interface's forms): a number as Babel writes it in the shop's
  locale, read back by Babel's strict parser, so that whatever a screen shows can be typed
  back unchanged: ``1,299.99`` (en_US), ``1.500.000`` (vi_VN), ``1.234,56`` (es_ES, ro_RO);
  plain digits with the locale's decimal mark work too (``1299.99``, ``1234,56``).

In both forms the decimals typed count: ``350.000`` in a two-decimal field is refused, not
read as 350 (a vi_VN user means three hundred and fifty thousand). Dates are ISO
``YYYY-MM-DD`` in the machine form; a person may also type them the way their language writes
them (``15/02/2026`` in Spanish, ``15.02.2026`` in Romanian: ``date_text``), the way the
screens show them. From 1900-01-01 to 2199-12-31. Every refusal says the form that was
expected, with an example.
"""

from __future__ import annotations

import copy
import functools
import json
import re
from datetime import date
from decimal import Decimal, InvalidOperation

from babel import Locale, UnknownLocaleError
from babel.numbers import (
    NumberFormatError,
    NumberPattern,
    format_decimal,
    get_decimal_symbol,
    get_group_symbol,
    get_minus_sign_symbol,
)
from babel.numbers import parse_decimal as babel_parse_decimal

from bizdesk.i18n import N_, Message, _, current_language, current_locale

MAX_NUMBER_CHARS = 40  # "-1,000,000,000,000.000" is 22; anything much longer is not a number
FIRST_DAY = date(1900, 1, 1)
LAST_DAY = date(2199, 12, 31)

_MACHINE_NUMBER = re.compile(r"-?[0-9]+(?:\.[0-9]+)?", re.ASCII)
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)


class AmountError(ValueError):
    """A text or number that is not an acceptable amount; the message is for people.
    ``str(error)`` reads it in the current language; ``error.message`` is the
    ``bizdesk.i18n.Message`` itself, for a service to pass on (translated at the door)."""

    @property
    def message(self) -> str:
        return self.args[0] if self.args else ""


class DateError(ValueError):
    """A text that is not an acceptable date; the message is for people (``message``: as
    AmountError's)."""

    @property
    def message(self) -> str:
        return self.args[0] if self.args else ""


def is_digits(text: str) -> bool:
    """True when ``text`` is one or more ASCII digits, 0 to 9: a number ``int()`` reads as
    written. ``str.isdigit()`` also takes '²' or '⁴' (which ``int()`` cannot read) and
    ``int()`` would also read '٣' or '３'; like the machine form of numbers, only 0-9 count."""
    return text.isascii() and text.isdigit()


def code(ch: str) -> str:
    """A character that is not to be printed, as people are shown it: ``<U+001B>``."""
    return f"<U+{ord(ch):04X}>"


def quoted(text: object, most: int = 20) -> str:
    """The typed text, quoted and cut short, for a message (a name: ``most`` 60; 100,000
    characters typed by mistake are never said back whole); a character that does not print
    shown as its code, '<U+001B>[31m3.50', never as a Python escape ('\\x1b[31m3.50')."""
    s = str(text)
    s = s[:most] + "…" if len(s) > most else s
    # (what does not print covers every character text may not hold: characters.py)
    s = "".join(ch if ch == " " or ch.isprintable() else code(ch) for ch in s)
    mark = '"' if "'" in s and '"' not in s else "'"  # as repr chose
    return f"{mark}{s}{mark}"


def _example(decimals: int) -> Decimal:
    """An example value with the allowed decimals: 12345.67, 1234567, 1234.567."""
    return Decimal(1234567).scaleb(-decimals)


def machine_hint(decimals: int) -> Message:
    if not decimals:
        return Message(
            "use digits only, no thousands separator, e.g. {example}", example=_example(0)
        )
    return Message(
        "use digits with . for decimals and no thousands separator, e.g. {example}",
        example=_example(decimals),
    )


class _LocaleName:
    """A locale's name in the reader's language ("Vietnamese (Vietnam)", "vietnamita
    (Vietnam)"), chosen when the message that holds it is shown."""

    def __init__(self, locale: str) -> None:
        self.locale = locale

    def __format__(self, spec: str) -> str:
        return format(_locale_name(self.locale, current_language()), spec)

    def __str__(self) -> str:
        return format(self)


@functools.cache
def _locale_name(locale: str, language: str) -> str:
    return Locale.parse(locale).get_display_name(language) or locale


@functools.cache
def _symbols(locale: str) -> tuple[str, str, str, str]:
    """(decimal mark, group separator, minus sign, the locale's name) for a locale."""
    name = Locale.parse(locale).get_display_name("en") or locale
    return (
        get_decimal_symbol(locale),
        get_group_symbol(locale),
        get_minus_sign_symbol(locale),
        name,
    )


@functools.cache
def locale_pattern(locale: str, decimals: int, *, grouped: bool = True) -> NumberPattern:
    """How ``locale`` writes a number with exactly ``decimals`` decimals: its own grouping
    (1,234,567 in en_US, 12,34,567 in en_IN), so that what a screen shows reads back here."""
    pattern = copy.copy(Locale.parse(locale).decimal_formats[None])
    pattern.frac_prec = (decimals, decimals)
    if not grouped:
        pattern.grouping = (1000, 1000)  # wider than any number: no separator
    return pattern


def locale_hint(locale: str, decimals: int) -> Message:
    dec, group, _minus, _name = _symbols(locale)
    example = locale_pattern(locale, decimals).apply(_example(decimals), locale)
    plain = locale_pattern(locale, decimals, grouped=False).apply(_example(decimals), locale)
    name = _LocaleName(locale)
    if decimals:
        return Message(
            'write it as in {locale}: e.g. {example} or {plain} ("{decimal}" before decimals, '
            '"{group}" between thousands)',
            locale=name,
            example=example,
            plain=plain,
            decimal=dec,
            group=group,
        )
    return Message(
        'write it as in {locale}: e.g. {example} or {plain} ("{group}" between thousands)',
        locale=name,
        example=example,
        plain=plain,
        group=group,
    )


class Typed(str):
    """A number a person typed as a command's argument (the command line's doors mark them,
    ``typed_number``): read in the machine form, and refused when the way the person or their
    shop writes numbers reads the same text as another number (``1.000`` is one on the
    command line and a thousand in Spanish and Vietnamese): never a guess which was meant.
    Text the machine form does not read (``9.500.000``, ``1.234,56``) is read as the person
    and their shop write numbers, when they read it one way: what a table shows can be typed
    back. It stays marked through ``str()`` and the strips a service reads its input with."""

    def __str__(self) -> str:
        return self

    def strip(self, chars: str | None = None) -> Typed:
        return Typed(super().strip(chars))

    def lstrip(self, chars: str | None = None) -> Typed:
        return Typed(super().lstrip(chars))

    def rstrip(self, chars: str | None = None) -> Typed:
        return Typed(super().rstrip(chars))


def typed_number(text: str) -> Typed:
    """``text`` marked as typed by a person (a command-line parser for numbers)."""
    return Typed(text)


_typing_locales: tuple[str, ...] = ()


def use_typing_locales(*locales: str | None) -> None:
    """The locales whose way of writing numbers the person at the command line may be
    typing in (their own, their shop's): ``Typed`` numbers are checked against them."""
    global _typing_locales  # noqa: PLW0603 - one person at one door per process
    _typing_locales = tuple(dict.fromkeys(loc for loc in locales if loc))


def _read_two_ways(text: str, number: Decimal, decimals: int) -> None:
    """Refuse ``text`` when a locale the person may be typing in reads it as another number."""
    for theirs, locale in _readings(text, decimals).items():
        if theirs != number:
            raise AmountError(
                Message(
                    "{text} reads two ways: {machine} on the command line (. before the "
                    "decimals, no thousands separator), {theirs} as {locale} writes numbers; "
                    "type {machine} or {theirs}, which read one way",
                    text=quoted(text),
                    machine=_one_way(number, decimals, locale),
                    theirs=_one_way(theirs, decimals, locale),
                    locale=_LocaleName(locale),
                )
            )


def _one_way(number: Decimal, decimals: int, locale: str) -> str:
    """``number`` written so that it reads one way at the command line: the machine form
    (7333), else as ``locale`` writes it without grouping (7,333 in vi_VN: 7.333 is the
    very text that reads two ways)."""
    for text in (
        _plain(number),
        format_decimal(number, locale=locale, group_separator=False, decimal_quantization=False),
    ):
        machine = Decimal(text) if _MACHINE_NUMBER.fullmatch(text) else None
        if machine in (None, number) and set(_readings(text, decimals)) <= {number}:
            return text
    return _plain(number)


def _readings(text: str, decimals: int) -> dict[Decimal, str]:
    """The numbers the locales the person may be typing in read ``text`` as, each with the
    first locale that reads it so."""
    readings: dict[Decimal, str] = {}
    for locale in _typing_locales:
        try:
            number = _read_locale_number(text, decimals, locale)
        except (AmountError, UnknownLocaleError, ValueError):
            continue
        if _decimals(number.normalize()) <= decimals:  # a reading that cannot be is none
            readings.setdefault(number, locale)
    return readings


def _decimals(number: Decimal) -> int:
    return max(0, -int(number.as_tuple().exponent))


def _as_written(text: str, decimals: int) -> Decimal | None:
    """``text`` as the locales the person may be typing in read it (``9.500.000`` is
    9500000 in vi_VN), when they read it as one number; None when none reads it. Two locales
    that read it as two numbers (``12,500`` in en_US and es_ES) refuse it, naming both."""
    readings = _readings(text, decimals)
    if len(readings) > 1:
        (one, first), (other, second) = list(readings.items())[:2]
        raise AmountError(
            Message(
                "{text} reads two ways: {one} as {first} writes numbers, {other} as {second} "
                "writes numbers; type {one} or {other} (. before the decimals, no thousands "
                "separator), which read one way",
                text=quoted(text),
                one=_plain(one),
                first=_LocaleName(first),
                other=_plain(other),
                second=_LocaleName(second),
            )
        )
    return next(iter(readings), None)


def _plain(number: Decimal) -> str:
    """A number in the machine form with no trailing zeros: 1, 2.5, 1000."""
    return format(number.normalize(), "f")


def read_number(
    value: str, *, decimals: int, locale: str | None = None, typed: bool = False
) -> Decimal:
    """Typed text -> Decimal, exactly as written, with at most ``decimals`` decimals.

    ``locale`` None reads the machine form, a locale name (``vi_VN``) the locale form.
    ``typed`` (or a ``Typed`` value): a person typed it on the command line (``Typed``)."""
    typed = typed or isinstance(value, Typed)
    text = str(value).strip()
    if not text:
        raise AmountError(Message("a number is required"))
    if len(text) > MAX_NUMBER_CHARS:
        raise AmountError(
            Message.plural(
                "too long to be a number (at most {n} character)",
                "too long to be a number (at most {n} characters)",
                MAX_NUMBER_CHARS,
            )
        )
    if locale is None:
        if _MACHINE_NUMBER.fullmatch(text):
            number = Decimal(text)
            if typed and _decimals(number.normalize()) > decimals:
                written = _as_written(text, decimals)
                if written is not None and decimals == 0:
                    # 1.500 where there are no decimals (VND): 1.5 cannot be; 1500 as the
                    # person's locale writes it (vi_VN) is its one reading
                    number = written
                elif written is not None:
                    # 10.555 for a percentage (two decimals): a decimal typed one place too
                    # many, or 10555 as Romanian writes it? Never guessed
                    raise AmountError(
                        Message.plural(
                            "{text}: at most {n} decimal on the command line (. before the "
                            "decimals); as {locale} writes numbers it is {theirs}: type "
                            "{theirs} if that is meant",
                            "{text}: at most {n} decimals on the command line (. before the "
                            "decimals); as {locale} writes numbers it is {theirs}: type "
                            "{theirs} if that is meant",
                            decimals,
                            text=quoted(text),
                            locale=_LocaleName(_readings(text, decimals)[written]),
                            theirs=_plain(written),
                        )
                    )
            elif typed:
                _read_two_ways(text, number, decimals)
        elif (written := _as_written(text, decimals) if typed else None) is not None:
            number = written
        else:
            raise AmountError(
                Message(
                    "{text} is not a number: {hint}", text=quoted(text), hint=machine_hint(decimals)
                )
            )
    else:
        number = _read_locale_number(text, decimals, locale)
    if _decimals(number) > decimals:
        hint = machine_hint(decimals) if locale is None else locale_hint(locale, decimals)
        if decimals == 0:
            raise AmountError(
                Message(
                    "{text}: no decimals here, whole numbers only; {hint}",
                    text=quoted(text),
                    hint=hint,
                )
            )
        raise AmountError(
            Message.plural(
                "{text}: at most {n} decimal; {hint}",
                "{text}: at most {n} decimals; {hint}",
                decimals,
                text=quoted(text),
                hint=hint,
            )
        )
    return number


def _read_locale_number(text: str, decimals: int, locale: str) -> Decimal:
    dec, group, minus, _name = _symbols(locale)
    refusal = Message(
        "{text} is not a number: {hint}", text=quoted(text), hint=locale_hint(locale, decimals)
    )
    if group.isspace():  # e.g. fr_FR shows a narrow no-break space; people type a space
        text = re.sub("[ \u00a0\u202f]", group, text)
    body = text[1:] if text[:1] in ("-", minus) else text
    # Babel alone would also take "1e3", "1_000", "+1", "NaN" and other scripts' digits.
    if not body or not set(body) <= set("0123456789") | {dec, group} or body[:1] == group:
        raise AmountError(refusal)
    try:
        return babel_parse_decimal(text, locale=locale, strict=True)
    except (NumberFormatError, InvalidOperation):
        raise AmountError(refusal) from None


# The dates a person writes (DESIGN section 6: dates in the person's locale,
# bizdesk.i18n.current_locale): Babel's short date pattern of their locale, day, month and
# year in its order, each part written whole (a year of two digits is a guess at the
# century): es_ES and en_GB 31/12/2026, ro_RO 31.12.2026, en_US 12/31/2026. No locale
# (English alone) or one whose pattern is not day and month and year with one separator
# keeps ISO, which every reader reads one way. Machine input is ISO only; ISO is also
# read in every form (the person's form is never guessed from the text).
_DATE_HINTS = {
    ("dmy", "/"): N_("DD/MM/YYYY"),
    ("dmy", "."): N_("DD.MM.YYYY"),
    ("dmy", "-"): N_("DD-MM-YYYY"),
    ("mdy", "/"): N_("MM/DD/YYYY"),
    ("mdy", "."): N_("MM.DD.YYYY"),
    ("mdy", "-"): N_("MM-DD-YYYY"),
}


@functools.cache
def _date_form(locale: str | None) -> tuple[str, str] | None:
    """The order ("dmy", "mdy") and separator of the dates ``locale`` writes, or None: ISO."""
    if locale is None:
        return None
    from babel.dates import get_date_format

    try:
        pattern = get_date_format("short", locale=locale).pattern  # "d/M/yy", "M/d/yy"
    except (UnknownLocaleError, ValueError):
        return None
    parts = re.findall(r"[dMy]+|[^dMy]+", pattern)
    order = "".join(p[0] for p in parts[::2]).lower()
    if len(parts) != 5 or len(set(parts[1::2])) != 1:
        return None  # not three parts with one separator: ISO, never a guess
    form = (order, parts[1])
    return form if form in _DATE_HINTS else None


def date_text(value: date | None) -> str:
    """A date as the person reading writes it ("15/02/2026" in Spain, "15.02.2026" in
    Romania, "02/15/2026" in the United States, "2026-02-15" in English with no country):
    what ``read_date(..., local=True)`` reads back."""
    return date_text_in(value, current_locale())


def date_text_in(value: date | None, locale: str | None) -> str:
    """A date as a person of ``locale`` writes it (None: ISO)."""
    if value is None:
        return ""
    form = _date_form(locale)
    if form is None:
        return value.isoformat()
    (order, sep), d, m = form, f"{value.day:02d}", f"{value.month:02d}"
    first, second = (d, m) if order == "dmy" else (m, d)
    return f"{first}{sep}{second}{sep}{value.year:04d}"


def date_hint() -> str:
    """How the person reading writes a date ("DD/MM/AAAA" in Spanish), translated."""
    form = _date_form(current_locale())
    return _(_DATE_HINTS[form]) if form is not None else _("YYYY-MM-DD")


def _read_local_date(text: str, form: tuple[str, str]) -> date | None:
    """``text`` as day, month and year in the person's form; None when it is not in it."""
    order, sep = form
    parts = text.split(sep)
    if len(parts) != 3 or not all(is_digits(p) for p in parts):
        return None
    d, m, y = parts if order == "dmy" else (parts[1], parts[0], parts[2])
    if not (1 <= len(d) <= 2 and 1 <= len(m) <= 2 and len(y) == 4):
        return None
    try:
        return date(int(y), int(m), int(d))
    except ValueError:  # the form says which is the day: "11/30/2026" is told it
        raise DateError(
            Message(
                "{text} is not a date: there is no such day ({form})",
                text=quoted(text),
                form=date_hint(),
            )
        ) from None


def read_date(value: object, *, local: bool = False) -> date:
    """Typed text -> a date: ``YYYY-MM-DD`` exactly, a real day, 1900-01-01 .. 2199-12-31.
    ``local``: a person typed it, so their locale's form (``date_text``) is read too;
    ISO stays accepted, and a text in neither form is refused, never guessed at."""
    if isinstance(value, date):
        day = value
    else:
        text = str(value).strip()
        form = _date_form(current_locale()) if local else None
        if not text:
            if form is None:
                raise DateError(Message("a date is required (YYYY-MM-DD)"))
            raise DateError(Message("a date is required ({form})", form=date_hint()))
        local_day = _read_local_date(text, form) if form is not None else None
        if local_day is not None:
            day = local_day
        elif not _ISO_DATE.fullmatch(text):
            if form is None:
                raise DateError(
                    Message(
                        "{text} is not a date: write YYYY-MM-DD, e.g. {example}",
                        text=quoted(text),
                        example="2026-02-15",
                    )
                )
            raise DateError(
                Message(
                    "{text} is not a date: write {form}, e.g. {example}",
                    text=quoted(text),
                    form=date_hint(),
                    example=date_text(date(2026, 2, 15)),
                )
            )
        else:
            try:
                day = date.fromisoformat(text)
            except ValueError:
                raise DateError(
                    Message("{text} is not a date: there is no such day", text=quoted(text))
                ) from None
    if not FIRST_DAY <= day <= LAST_DAY:
        raise DateError(
            Message(
                "{day} is outside the dates bizdesk accepts ({first} to {last})",
                day=date_text(day) if local else day.isoformat(),
                first=date_text(FIRST_DAY) if local else FIRST_DAY.isoformat(),
                last=date_text(LAST_DAY) if local else LAST_DAY.isoformat(),
            )
        )
    return day


# A month as the person writes it: the month and the year of their date form, in its order
# and with its separator (12.2026 in Romanian, 12/2026 in Spanish and Vietnamese); ISO
# YYYY-MM where their dates are ISO, and read in every form (a year comes first there).
_MONTH_HINTS = {"/": N_("MM/YYYY"), ".": N_("MM.YYYY"), "-": N_("MM-YYYY")}
_ISO_MONTH = re.compile(r"([0-9]{4})-([0-9]{2})", re.ASCII)


class Month(str):
    """A month a report gives as "2026-12" (its JSON and CSV keep that), shown to a person
    as they write months (``month_text``: 12/2026)."""

    def shown(self) -> str:
        year, _sep, month = self.partition("-")
        return month_text(date(int(year), int(month), 1))


def as_month(value: object) -> object:
    """A report's "2026-12" as a Month; anything else (a Message: "no date") as it is."""
    if type(value) is str and _ISO_MONTH.fullmatch(value):
        return Month(value)
    return value


def month_text(value: date | None) -> str:
    """The month of ``value`` as the person reading writes it: what ``read_month(...,
    local=True)`` reads back ("12.2026"; "2026-12" in English with no country)."""
    if value is None:
        return ""
    form = _date_form(current_locale())
    if form is None:
        return f"{value.year:04d}-{value.month:02d}"
    return f"{value.month:02d}{form[1]}{value.year:04d}"


def month_hint() -> str:
    """How the person reading writes a month ("MM.AAAA" in Romanian), translated."""
    form = _date_form(current_locale())
    return _(_MONTH_HINTS[form[1]]) if form is not None else _("YYYY-MM")


def read_month(value: object, *, local: bool = False) -> date:
    """Typed text -> the first day of a month: ``YYYY-MM``; ``local``: a person typed it,
    so their form (``month_text``) is read too. Anything else is refused with the form
    expected and an example, never guessed at."""
    if isinstance(value, date):
        return value.replace(day=1)
    text = str(value or "").strip()
    form = _date_form(current_locale()) if local else None
    hint = month_hint() if form is not None else "YYYY-MM"
    example = month_text(date(2026, 3, 1)) if form is not None else "2026-03"
    if not text:
        raise DateError(Message("a month is required ({form})", form=hint))
    found = _ISO_MONTH.fullmatch(text)
    year = month = None
    if found:
        year, month = int(found[1]), int(found[2])
    elif form is not None:
        parts = text.split(form[1])
        if len(parts) == 2 and all(is_digits(p) for p in parts):
            if 1 <= len(parts[0]) <= 2 and len(parts[1]) == 4:
                year, month = int(parts[1]), int(parts[0])
    if year is None or month is None or not 1 <= month <= 12:
        raise DateError(
            Message(
                "{text} is not a month: write {form}, e.g. {example}",
                text=quoted(text),
                form=hint,
                example=example,
            )
        )
    first = date(year, month, 1)
    if not FIRST_DAY <= first <= LAST_DAY:
        raise DateError(
            Message(
                "{month} is outside the dates bizdesk accepts ({first} to {last})",
                month=month_text(first) if local else f"{year:04d}-{month:02d}",
                first=date_text(FIRST_DAY) if local else FIRST_DAY.isoformat(),
                last=date_text(LAST_DAY) if local else LAST_DAY.isoformat(),
            )
        )
    return first


# What Python's json module says is wrong with a text (its own words are English), as
# people read it; a message not here is shown as json wrote it
_JSON_PROBLEMS = (
    ("Expecting value", N_("a value is missing")),
    (
        "Expecting property name enclosed in double quotes",
        N_("a name in double quotes is expected"),
    ),
    ("Expecting ':' delimiter", N_("a ':' is missing")),
    ("Expecting ',' delimiter", N_("a ',' is missing")),
    ("Unterminated string", N_("a text is not closed with its double quote")),
    ("Invalid control character", N_("a text holds a control character")),
    ("Invalid \\uXXXX escape", N_("a \\u is not followed by four hexadecimal digits")),
    ("Invalid \\escape", N_("a backslash is followed by a character JSON does not allow")),
    ("Extra data", N_("more follows the end of the document")),
)


def json_problem(exc: json.JSONDecodeError) -> Message:
    """Why a text is not JSON, and where: "not JSON: a ',' is missing at line 3, column 7"."""
    problem: object = exc.msg
    for english, said in _JSON_PROBLEMS:
        if exc.msg.startswith(english):
            problem = Message(said)
            break
    return Message(
        "not JSON: {problem} at line {line}, column {column}",
        problem=problem,
        line=exc.lineno,
        column=exc.colno,
    )
