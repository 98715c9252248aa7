"""Field checks shared by every service: each returns the clean value or raises FieldError."""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Mapping
from datetime import date

from babel import Locale

from bizdesk.characters import REFUSED_EVERYWHERE
from bizdesk.errors import BizdeskError, ValidationError
from bizdesk.folding import fold
from bizdesk.i18n import N_, Message, current_language
from bizdesk.reading import DateError, quoted, read_date
from bizdesk.words import named, typed_word


class FieldError(BizdeskError, ValueError):
    """One field's problem, in words for people; collected into a ValidationError by
    ``Checker``, and shown as it is where a door reads a single box (a report's date)."""


_BAD_LINE = re.compile(f"[\t\n{REFUSED_EVERYWHERE}]")
_BAD_MULTILINE = re.compile(f"[{REFUSED_EVERYWHERE}]")  # "\t" and "\n" allowed
_NAMES = {
    0x00: N_("NUL"),
    0x07: N_("bell"),
    0x08: N_("backspace"),
    0x09: N_("tab"),
    0x0A: N_("line break"),
    0x0D: N_("carriage return"),
    0x1B: N_("escape"),
    0x7F: N_("delete"),
}


class Listing:
    """Several messages as one placeholder of a sentence ("it has {references}"): joined
    with ", ", each in the reader's language when the sentence is shown."""

    def __init__(self, items: list[str]) -> None:
        self.items = list(items)

    def __format__(self, spec: str) -> str:
        return format(", ".join(str(item) for item in self.items), spec)

    def __str__(self) -> str:
        return format(self)

    def __bool__(self) -> bool:
        return bool(self.items)


class Checker:
    """Collects every field's problem so a form can show them all at once."""

    def __init__(self) -> None:
        self.errors: dict[str, str] = {}

    def __call__(self, field: str, fn, *args, **kwargs):  # noqa: ANN001, ANN204
        try:
            return fn(*args, **kwargs)
        except FieldError as exc:
            self.errors.setdefault(field, exc.message)  # a Message: translated where shown
            return None

    def add(self, field: str, message: str) -> None:
        self.errors.setdefault(field, message)

    def done(self) -> None:
        if self.errors:
            raise ValidationError(self.errors)


def text_problem(s: str, multiline: bool = False) -> Message | None:
    """What makes ``s`` unfit for a text field, or None: the whole rule in one regex search
    (cheap enough to call per CSV cell). ``text`` applies it; call this directly only where
    a value is not read through ``text``."""
    bad = (_BAD_MULTILINE if multiline else _BAD_LINE).search(s)
    return None if bad is None else _describe(bad.group(), multiline)


def _describe(ch: str, multiline: bool) -> Message:
    cp = ord(ch)
    code = f"U+{cp:04X}"
    if not multiline and ch == "\t":
        return Message("contains a tab ({code}); this field holds one line", code=code)
    if not multiline and ch in "\n\u2028\u2029":
        return Message("contains a line break ({code}); this field holds one line", code=code)
    if ch in "\u2028\u2029":
        return Message(
            "contains a line or paragraph separator ({code}); use an ordinary line break",
            code=code,
        )
    if 0x202A <= cp <= 0x202E or 0x2066 <= cp <= 0x2069:
        return Message(
            "contains a bidirectional control character ({code}), which can make text read "
            "differently from what it holds",
            code=code,
        )
    if 0xD800 <= cp <= 0xDFFF:
        return Message("contains a lone surrogate ({code}), which is not a character", code=code)
    if cp in _NAMES:
        return Message(
            "contains a control character ({code}, {name}), which text may not hold",
            code=code,
            name=Message(_NAMES[cp]),
        )
    return Message("contains a control character ({code}), which text may not hold", code=code)


def text(
    value: object, *, required: bool = False, max_len: int = 200, multiline: bool = False
) -> str:
    """Trimmed text that passes ``text_problem``; refuses what is too long. Nothing is
    removed silently: a refused character is named in the message (a multi-line field reads
    "\r\n" as a line break; spaces around the text are trimmed)."""
    s = "" if value is None else str(value)
    if multiline and "\r\n" in s:
        s = s.replace("\r\n", "\n")
    problem = text_problem(s, multiline)
    if problem:
        raise FieldError(problem)
    s = unicodedata.normalize("NFC", s).strip()
    if required and not s:
        raise FieldError(Message("required"))
    if len(s) > max_len:
        raise FieldError(
            Message.plural(
                "too long ({n} character; at most {max})",
                "too long ({n} characters; at most {max})",
                len(s),
                max=max_len,
            )
        )
    return s


def choice(value: object, options: tuple[str, ...], *, default: str | None = None) -> str:
    s = text(value, max_len=40).lower()
    if not s and default is not None:
        return default
    if s not in options:
        raise FieldError(must_be_one_of(options))
    return s


def word(value: object, names: Mapping[str, str], *, default: str | None = None) -> str:
    """A stored word (a ticket's priority ``high``) typed as it is stored or as the reader's
    language shows it ("alta"), in any case: words.typed_word, as `bizdesk sla set` reads a
    priority. Refused with the choices as the reader reads them."""
    s = text(value, max_len=40)
    if not s and default is not None:
        return default
    found = typed_word(names, s)
    if found is None:
        raise FieldError(must_be_one_of(tuple(named(names, w) for w in names)))
    return found


def must_be_one_of(options: tuple[str, ...] | list[str]) -> Message:
    """The refusal of a value outside a fixed list (the options are typed as they are, so
    they stay untranslated)."""
    return Message("must be one of: {options}", options=", ".join(options))


def email(value: object) -> str | None:
    s = text(value, max_len=254)
    if not s:
        return None
    # fast path for the usual plain address: its local part is valid on its own and its
    # domain was validated whole once (the validator checks the two independently)
    m = _PLAIN_EMAIL.match(s)
    if m and len(s) <= 200:
        domain = _email_domain(m.group(2))
        if domain is not None:
            return (m.group(1) + "@" + domain).lower()
    return _email_full(s)


# dot-atom of letters, digits and _ + - only: a subset of what email-validator accepts
_PLAIN_EMAIL = re.compile(r"([A-Za-z0-9_+-]+(?:\.[A-Za-z0-9_+-]+)*)@([A-Za-z0-9.-]+)\Z")


# what email-validator found wrong (its English sentence, by a phrase in it), in words the
# reader's language has; anything else: how an address is written
_EMAIL_PROBLEMS = (
    ("must have an @-sign", N_("it has no @")),
    ("something before the @-sign", N_("nothing comes before the @")),
    ("something after the @-sign", N_("nothing comes after the @")),
    ("should have a period", N_("the part after the @ needs a dot, as in example.com")),
    ("special-use or reserved", N_("the part after the @ is a reserved name that gets no mail")),
    ("invalid characters", N_("it holds a character an address cannot have")),
    ("two periods in a row", N_("it has two dots in a row")),
    ("period immediately", N_("a dot cannot stand next to the @ or at either end")),
    ("with a period", N_("a dot cannot stand next to the @ or at either end")),
    ("hyphen", N_("a hyphen cannot stand next to the @ or a dot")),
    ("too long", N_("it is too long")),
)


def _email_full(s: str) -> str:
    from email_validator import EmailNotValidError, validate_email  # slow to import: on use

    try:
        info = validate_email(s, check_deliverability=False)
    except EmailNotValidError as exc:
        said = str(exc)
        reason = next(
            (words for phrase, words in _EMAIL_PROBLEMS if phrase in said),
            N_("it is not written as name@example.com"),
        )
        raise FieldError(
            Message("not a valid email address ({reason})", reason=Message(reason))
        ) from None
    return info.normalized.lower()


@functools.lru_cache(maxsize=4096)
def _email_domain(domain: str) -> str | None:
    """The normalised domain if email-validator accepts it (checked with a plain local
    part), else None (the caller then asks the validator for the whole address)."""
    try:
        return _email_full("a@" + domain).partition("@")[2]
    except FieldError:
        return None


def phone(value: object, region: str | None) -> str | None:
    s = text(value, max_len=40)
    if not s:
        return None
    return _phone(s, (region or None) and region.upper())


@functools.lru_cache(maxsize=8)
def example_phone(region: str | None) -> str:
    """A phone number as people of ``region`` (``ES``) write it, in the international form
    (a form's placeholder); a generic one for no region or one without an example."""
    import phonenumbers

    found = phonenumbers.example_number((region or "").upper()) if region else None
    if found is None:
        return "+49 30 1234567"
    return phonenumbers.format_number(found, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


# a VAT (tax) id as it is written in each region bizdesk has an example for, every one
# accepted by vat_id there; elsewhere a Romanian one shows the form (prefix and digits)
_VAT_EXAMPLES = {
    "DE": "DE136695976",
    "ES": "ESB58378431",
    "FR": "FR40303265045",
    "GB": "GB980780684",
    "GR": "EL094259216",
    "IT": "IT00743110157",
    "RO": "RO18547290",
    "VN": "0100109106",
}


def example_vat_id(region: str | None) -> str:
    """A VAT (tax) id of ``region`` (``ES``) for a form's placeholder."""
    return _VAT_EXAMPLES.get((region or "").upper(), _VAT_EXAMPLES["RO"])


# an IBAN of each region above that has them (the registry's examples); elsewhere a German one
_IBAN_EXAMPLES = {
    "DE": "DE89 3704 0044 0532 0130 00",
    "ES": "ES91 2100 0418 4502 0005 1332",
    "FR": "FR14 2004 1010 0505 0001 3M02 606",
    "GB": "GB29 NWBK 6016 1331 9268 19",
    "IT": "IT60 X054 2811 1010 0000 0123 456",
    "RO": "RO49 AAAA 1B31 0075 9384 0000",
}


def example_iban(region: str | None) -> str:
    """An IBAN of ``region`` for a form's placeholder."""
    return _IBAN_EXAMPLES.get((region or "").upper(), _IBAN_EXAMPLES["DE"])


@functools.lru_cache(maxsize=20_000)  # imports repeat numbers (switchboards, shared lines)
def _phone(s: str, region: str | None) -> str:
    import phonenumbers  # slow to import (its metadata): on first use

    try:
        num = phonenumbers.parse(s, region)
    except phonenumbers.NumberParseException:
        raise FieldError(
            Message(
                "not a phone number (use the international form, e.g. {example})",
                example=example_phone(region),  # the shop's country's (a German one was shown)
            )
        ) from None
    if num.extension:  # stored E.164, which has none: it was dropped unsaid
        raise FieldError(
            Message(
                "an extension ({extension}) cannot be kept with a phone number: type the "
                "number alone (the extension can go in the notes)",
                extension=num.extension,
            )
        )
    if not phonenumbers.is_valid_number(num):  # digits too few or too many: say how many
        raise FieldError(
            Message("not a valid phone number (e.g. {example})", example=example_phone(region))
        )
    return phonenumbers.format_number(num, phonenumbers.PhoneNumberFormat.E164)


def country(value: object, *, local: bool = False) -> str:
    """An ISO 3166 alpha-2 code, from a code or an English country name; with ``local`` (a
    person typed it) also from the name in their language ("España", "Việt Nam")."""
    s = text(value, max_len=60)
    if not s:
        return ""
    codes = _countries("en")
    if len(s) == 2 and s.upper() in codes.values():
        return s.upper()
    code = codes.get(s.casefold())
    if code is None and local:
        code = _countries(current_language()).get(s.casefold())
    if code:
        return code
    raise FieldError(
        Message("unknown country {name} (use a two-letter code such as DE)", name=quoted(s, 40))
    )


# CLDR's two-letter territories that are no country: "Unknown Region" (ZZ, which wiped a
# shop's public holidays), the EU, the eurozone, the UN, outlying Oceania, pseudo-locales
NOT_COUNTRIES = frozenset({"ZZ", "EU", "EZ", "UN", "QO", "XA", "XB"})


@functools.cache
def _countries(language: str) -> dict[str, str]:
    """Country name in ``language`` (casefolded) -> ISO 3166 alpha-2 code, and code -> code."""
    out = {}
    for code, name in Locale.parse(language).territories.items():
        if len(code) == 2 and code.isalpha() and code not in NOT_COUNTRIES:
            out[name.casefold()] = code
            out[code.casefold()] = code
    return out


def iso_date(value: object, *, required: bool = False, local: bool = False) -> date | None:
    """A date: ISO ``YYYY-MM-DD``; with ``local`` (a person typed it: ``uow.person_input``)
    also as their language writes dates (bizdesk.reading.read_date)."""
    if isinstance(value, date):
        return value
    s = text(value, max_len=20)
    if not s:
        if required:
            raise FieldError(Message("required"))
        return None
    try:
        return read_date(s, local=local)
    except DateError as exc:
        raise FieldError(exc.message) from None


def tags(value: object) -> list[str]:
    """Tags from a list or a ';'/','-separated string: trimmed, lower case, unique."""
    items = value if isinstance(value, list | tuple) else re.split(r"[;,]", str(value or ""))
    out: list[str] = []
    for item in items:
        t = text(item, max_len=60).lower()
        if t and t not in out:
            out.append(t)
    if len(out) > 30:
        raise FieldError(Message.plural("at most {n} tag", "at most {n} tags", 30))
    return out


# Between a sort key's letters and its accents: below every character a name holds (text
# refuses control characters), so "Ana" sorts before "Ana Maria" and "Ștefan" before
# "Stefan B". Not NUL, which PostgreSQL's text does not hold.
SORT_ACCENTS = "\x1f"


def sort_key(value: str) -> str:
    """What a name is sorted and matched by in SQL: its letters without case or accents
    (bizdesk.folding), then, only where the name has accents, its casefolded form.
    "Ștefan" sorts among the S, not after Z as by code point ("stefan\x1fștefan", after
    "stefan" and before "stefan b", as the Unicode collation's root order puts it), and
    still differs from "Stefan". A prefix is compared with ``sort_prefix``."""
    letters = fold(value)[:200]
    cased = value.casefold()[:200]
    return letters if letters == cased else f"{letters}{SORT_ACCENTS}{cased}"


def sort_prefix(value: str) -> str:
    """The start of every sort key (``sort_key``) of a name that starts with ``value``,
    accents and case ignored: "ste" and "ște" both find "Ștefan" and "Stefan"."""
    return fold(value)[:200]


# what a VAT id's check found wrong (python-stdnum's exceptions, by class), in words
_STDNUM_PROBLEMS = {
    "InvalidLength": N_("it has the wrong number of characters"),
    "InvalidChecksum": N_("its check digit does not match"),
    "InvalidFormat": N_("it has characters or a form such ids do not have"),
    "InvalidComponent": N_("a part of it (a region or a date) does not exist"),
}
# the prefix of an EU VAT id -> the country it is for (Greece writes EL, Northern Ireland XI)
_EU_PREFIX_COUNTRY = {"EL": "GR", "XI": "GB"}


def _stdnum_problem(exc: Exception) -> Message:
    names = [cls.__name__ for cls in type(exc).__mro__ if cls.__name__ in _STDNUM_PROBLEMS]
    problem = _STDNUM_PROBLEMS[names[0] if names else "InvalidFormat"]
    return Message(problem)


def vat_id(value: object, country: str | None) -> str:
    """A VAT (tax) id checked for the contact's or shop's ``country`` (ISO code) with
    python-stdnum, kept compact as stdnum writes it ("RO 1854 7290" -> "RO18547290"): an EU
    VAT id with its country's prefix by the EU rules, else the country's own tax number
    (Vietnam's MST: 10 digits, 13 for a branch), else, for a country stdnum does not know,
    4 to 20 letters and digits. What does not check is refused, saying what is expected."""
    s = text(value, max_len=40)
    if not s:
        return ""
    from stdnum import get_cc_module
    from stdnum.eu import vat as eu_vat
    from stdnum.exceptions import ValidationError as StdnumError

    cc = (country or "").upper()
    prefix = s[:2].upper()
    if prefix == "GR" and (cc in ("", "GR")):  # read as EU VAT ids (stdnum): VIES says EL
        raise FieldError(
            Message(
                "a Greek VAT id is written with EL, not GR (its EU prefix), e.g. {example}",
                example="EL" + s[2:],
            )
        )
    if prefix.isalpha() and (prefix.lower() in eu_vat.MEMBER_STATES or prefix == "EL"):
        for_country = _EU_PREFIX_COUNTRY.get(prefix, prefix)
        if cc and for_country != cc:
            raise FieldError(
                Message(
                    "{vat_id} is an EU VAT id of {prefix}, but the country is {country}",
                    vat_id=s,
                    prefix=for_country,
                    country=cc,
                )
            )
        try:
            return eu_vat.validate(s)
        except StdnumError as exc:
            raise FieldError(
                Message(
                    "not a valid EU VAT id: {problem} (expected the country's two letters and "
                    "its number, e.g. {example})",
                    problem=_stdnum_problem(exc),
                    example=example_vat_id(for_country if for_country in _VAT_EXAMPLES else cc),
                )
            ) from None
    if not cc:  # whose number it is decides how it reads: never guessed (it took anything)
        if prefix.isalpha() and get_cc_module(prefix.lower(), "vat") is not None:
            cc = prefix  # GB980780684, CH…: the country the id names
        else:
            raise FieldError(
                Message(
                    "a tax id is read by its country's rules: give the country, or write the "
                    "id with its country's two letters, e.g. {example}",
                    example=example_vat_id(None),
                )
            )
    module = get_cc_module(cc.lower(), "vat") if len(cc) == 2 and cc.isalpha() else None
    if module is not None:
        try:
            number = module.validate(s)
        except StdnumError as exc:
            if cc == "VN":
                raise FieldError(
                    Message(
                        "not a valid Vietnamese tax code (MST): {problem} (expected 10 digits, "
                        "or 13 for a branch, e.g. {example})",
                        problem=_stdnum_problem(exc),
                        example="0100233488",
                    )
                ) from None
            raise FieldError(
                Message(
                    "not a valid tax id for {country}: {problem}",
                    country=cc,
                    problem=_stdnum_problem(exc),
                )
            ) from None
        # stdnum drops a country prefix some write (GB 980 7806 84): kept as it was typed
        if s.upper().startswith(cc) and not number.upper().startswith(cc):
            number = cc + number
        return number
    compact = re.sub(r"[\s.\-/]", "", s).upper()
    if not re.fullmatch(r"[A-Z0-9]{4,20}", compact) or not any(c.isdigit() for c in compact):
        raise FieldError(
            Message(
                "not a tax id: expected 4 to 20 letters and digits (spaces, dots and dashes "
                "are left out), with the country's prefix for an EU VAT id, e.g. {example}",
                example=example_vat_id(cc),
            )
        )
    return compact


def iban(value: object) -> str:
    """An IBAN checked with schwifty (country, length, check digits), kept compact."""
    s = text(value, max_len=60)
    if not s:
        return ""
    from schwifty import IBAN
    from schwifty.exceptions import InvalidChecksumDigits, SchwiftyException

    try:
        return IBAN(s).compact
    except InvalidChecksumDigits:
        raise FieldError(
            Message("not a valid IBAN: its check digits do not match (a digit mistyped?)")
        ) from None
    except SchwiftyException:
        raise FieldError(
            Message(
                "not a valid IBAN (expected the country's two letters, two check digits and "
                "the account, e.g. {example})",
                example="DE89 3704 0044 0532 0130 00",
            )
        ) from None


def bic(value: object) -> str:
    """A BIC (SWIFT code) checked with schwifty: 8 or 11 letters and digits."""
    s = text(value, max_len=20)
    if not s:
        return ""
    from schwifty import BIC
    from schwifty.exceptions import SchwiftyException

    try:
        return BIC(s).compact
    except SchwiftyException:
        raise FieldError(
            Message(
                "not a valid BIC (expected 8 or 11 letters and digits, e.g. {example})",
                example="DEUTDEFF",
            )
        ) from None
