"""Translations: every sentence a person reads goes through here (DESIGN section 6).

- ``_("Contacts")`` translates now, into the language of the person at this door.
- ``Message("{n} is not a number", n=x)`` is a sentence a service raises or returns: it reads
  as English wherever it is used as a string (logs, tests, old callers), and the door that
  shows it calls ``tr(message)`` to show it in its reader's language. Two people in two
  languages each see their own, from the same service.
- ``ngettext`` / ``Message.plural`` for every count: "1 entry was posted", "2 entries were
  posted"; never a sentence glued from fragments.
- ``pgettext("pipeline stage", "New")`` / ``npgettext`` / ``Message.pgettext`` where one
  English word means two things (a stage "New" and the key "New"): the context tells them
  apart in the catalogs, so each language can translate them apart.

Placeholders are ``{name}`` fields (``str.format``), the same in every translation (a test
checks). The catalogs are ``locale/<lang>/LC_MESSAGES/bizdesk.po`` in this package; each is
compiled on first use (Babel) into the user's cache folder, keyed by its content, so a fresh
checkout needs no build step. English needs no catalog at all and loads nothing.

The language is chosen by ``resolve_language``: the user's setting in the store, else the
environment (``LANGUAGE``, ``LC_ALL``, ``LC_MESSAGES``, ``LANG``, in gettext's order), else
English. The person's locale, which says how they write dates (``bizdesk.reading``), is
chosen by ``resolve_locale``: a setting may name one (``en_GB``: English, dates 31/12/2026),
else the session's (``LC_ALL``, ``LC_TIME``, ``LANG``), else their language's usual one.
``use_setting`` makes both this process's.
"""

from __future__ import annotations

import contextlib
import gettext as _gettext
import hashlib
import os
import string
from collections.abc import Mapping
from io import BytesIO
from pathlib import Path

DOMAIN = "bizdesk"
# pybabel's keywords for bizdesk besides its defaults (_, N_, ngettext...): README "Languages"
EXTRA_KEYWORDS = {
    "Message": None,
    "plural": (1, 2),
    "pgettext": ((1, "c"), 2),
    "npgettext": ((1, "c"), 2, 3),
}
LANGUAGES = ("en", "es", "ro", "vi")  # the languages whose catalogs ship
LANGUAGE_NAMES = {"en": "English", "es": "Español", "ro": "Română", "vi": "Tiếng Việt"}
LOCALE_DIR = Path(__file__).with_name("locale")
ENV_ORDER = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")
TIME_ENV_ORDER = ("LC_ALL", "LC_TIME", "LANG")  # POSIX: what decides how dates are written
# The locale of a language's people when nothing names another: its dates' form. English
# has none: ISO dates, read one way by every English reader (en_US writes the month first).
USUAL_LOCALES = {"es": "es_ES", "ro": "ro_RO", "vi": "vi_VN"}
# Locales offered by name where a person chooses (any other may be set from the command
# line): the English ones whose dates differ from ISO
OFFERED_LOCALES = ("en_US", "en_GB")

_current: _gettext.NullTranslations = _gettext.NullTranslations()
_current_language = "en"
_current_locale: str | None = None
_loaded: dict[str, _gettext.NullTranslations] = {}


def language_of(tag: str | None) -> str | None:
    """The supported language a locale tag names (``es_ES.UTF-8`` -> ``es``), else None."""
    if not tag:
        return None
    code = tag.split(".", 1)[0].split("@", 1)[0].replace("-", "_").split("_", 1)[0].lower()
    return code if code in LANGUAGES else None


def locale_of(tag: str | None) -> str | None:
    """A locale a tag names, as ``ll_TT`` (``en-gb.UTF-8`` -> ``en_GB``; ``es`` -> ``es``),
    else None (empty, ``C``, ``POSIX``, or not of that shape)."""
    if not tag:
        return None
    code = tag.split(".", 1)[0].split("@", 1)[0].replace("-", "_")
    parts = code.split("_")
    if not (1 <= len(parts) <= 2 and parts[0].isascii() and parts[0].isalpha()):
        return None
    if not 2 <= len(parts[0]) <= 3 or parts[0].upper() in ("C", "POSIX"):
        return None
    region = parts[1] if len(parts) == 2 else None  # a country (GB) or a region (419)
    if region is not None and not (region.isascii() and region.isalnum() and len(region) in (2, 3)):
        return None
    return "_".join([parts[0].lower(), *(p.upper() for p in parts[1:])])


def resolve_locale(setting: str | None = None, env: Mapping[str, str] | None = None) -> str | None:
    """The locale one person writes dates in: the one their setting names (``en_GB``); for a
    setting of a language alone, that language's usual one (``es`` -> ``es_ES``); with no
    setting, the session's (``LC_ALL``, ``LC_TIME``, ``LANG``: the first set decides), else
    the usual one of the language they read. None: ISO dates."""
    chosen = locale_of(setting)
    if chosen and "_" in chosen:
        return chosen
    if not chosen:
        env = os.environ if env is None else env
        for name in TIME_ENV_ORDER:
            value = env.get(name, "")
            if value:
                found = locale_of(value)
                if found and "_" in found:
                    return found
                break  # C, POSIX or a bare language: no territory, the usual form
    return USUAL_LOCALES.get(resolve_language(setting, env))


def resolve_language(setting: str | None = None, env: Mapping[str, str] | None = None) -> str:
    """The language for one person: their setting in the store, else the environment, else
    English. ``LANGUAGE`` may list several (``ro:es``): the first supported one wins."""
    chosen = language_of(setting)
    if chosen:
        return chosen
    env = os.environ if env is None else env
    for name in ENV_ORDER:
        value = env.get(name, "")
        if not value:
            continue
        for tag in value.split(":") if name == "LANGUAGE" else [value]:
            if tag in ("C", "POSIX") or tag.startswith("C."):
                return "en"
            chosen = language_of(tag)
            if chosen:
                return chosen
        if name != "LANGUAGE":
            break  # the first of LC_ALL, LC_MESSAGES, LANG that is set decides (as gettext)
    return "en"


def catalog_path(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def _cache_dir() -> Path | None:
    try:
        from platformdirs import user_cache_dir  # only when a catalog is loaded

        return Path(user_cache_dir("bizdesk")) / "mo"
    except Exception:  # noqa: BLE001 - no cache folder: compile in memory every time
        return None


def compile_catalog(po: Path) -> bytes:
    """The ``.mo`` form of one ``.po`` catalog (Babel; only when the cache lacks it)."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with po.open("rb") as f:
        catalog = read_po(f)
    out = BytesIO()
    write_mo(out, catalog, use_fuzzy=False)
    return out.getvalue()


def translations(language: str) -> _gettext.NullTranslations:
    """The translations of one language, loaded once per process."""
    if language == "en" or language not in LANGUAGES:
        return _gettext.NullTranslations()
    if language in _loaded:
        return _loaded[language]
    po = catalog_path(language)
    raw = po.read_bytes()
    key = hashlib.sha256(raw).hexdigest()[:16]
    cache = _cache_dir()
    mo_file = cache / f"{language}-{key}.mo" if cache else None
    data = None
    if mo_file is not None and mo_file.is_file():
        data = mo_file.read_bytes()
    if data is None:
        data = compile_catalog(po)
        if mo_file is not None:
            tmp = mo_file.with_suffix(f".{os.getpid()}.tmp")
            try:
                mo_file.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
                tmp.write_bytes(data)
                os.replace(tmp, mo_file)
            except OSError:  # a read-only or full cache only costs the compile next time,
                with contextlib.suppress(OSError):  # and leaves nothing half-written
                    tmp.unlink()
    found = _gettext.GNUTranslations(BytesIO(data))
    _loaded[language] = found
    return found


def use(language: str, locale: str | None = None) -> str:
    """Make ``language`` this process's language (one person per process: the CLI, the TUI,
    each gate session), and ``locale`` (else the language's usual one) the form of its
    dates. Returns the language in use."""
    global _current, _current_language, _current_locale
    language = language if language in LANGUAGES else "en"
    _current = translations(language)
    _current_language = language
    _current_locale = locale or USUAL_LOCALES.get(language)
    return language


def current_language() -> str:
    return _current_language


def use_setting(setting: str | None = None) -> str:
    """Make a person's setting (``''``: follow the session) this process's language and
    locale. Returns the language in use."""
    return use(resolve_language(setting), resolve_locale(setting))


def current_locale() -> str | None:
    """The locale the person at this door writes dates in; None: ISO."""
    return _current_locale


def setting_name(setting: str | None) -> str:
    """A language setting as its reader knows it: "Español", "English (United Kingdom)";
    '' for none (following the session)."""
    tag = locale_of(setting)
    language = language_of(tag)
    if not tag or not language:
        return ""
    if "_" not in tag:
        return LANGUAGE_NAMES[language]
    from babel import Locale, UnknownLocaleError

    try:
        territory = Locale.parse(tag).get_territory_name(language)
    except (UnknownLocaleError, ValueError):
        territory = None
    return f"{LANGUAGE_NAMES[language]} ({territory or tag.split('_', 1)[1]})"


def _(text: str) -> str:
    """``text`` in the current language (a ``Message``, with its context if it has one)."""
    if isinstance(text, Message):
        return text.translated()
    return _current.gettext(text)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The form of a sentence for the count ``n`` in the current language."""
    return _current.ngettext(singular, plural, n)


def pgettext(context: str, text: str) -> str:
    """``text`` in the current language, as meant in ``context`` (one English word, two
    meanings: ``pgettext("pipeline stage", "New")``)."""
    return _current.pgettext(context, text)


def npgettext(context: str, singular: str, plural: str, n: int) -> str:
    """``ngettext`` with a context."""
    return _current.npgettext(context, singular, plural, n)


def N_(text: str) -> str:  # noqa: N802 - gettext's own name for "mark, translate later"
    """Marks ``text`` for the catalogs without translating it (translated where shown)."""
    return text


class Message(str):
    """A sentence to be translated where it is shown. Its value (what ``==``, ``len`` and
    slicing see) is the English text, so code that does not translate yet keeps working;
    ``str(message)``, ``format`` and f-strings, and ``tr(message)``, give it in the current
    language."""

    msgid: str
    msgid_plural: str | None
    n: int | None
    params: dict[str, object]
    context: str | None = None  # pgettext's context (Message.pgettext)

    def __new__(cls, msgid: str, /, **params: object) -> Message:
        self = super().__new__(cls, _format(msgid, _english(params)))
        self.msgid, self.msgid_plural, self.n, self.params = msgid, None, None, params
        return self

    @classmethod
    def plural(cls, singular: str, plural: str, n: int, /, **params: object) -> Message:
        params = {"n": n, **params}
        self = str.__new__(cls, _format(singular if n == 1 else plural, _english(params)))
        self.msgid, self.msgid_plural, self.n, self.params = singular, plural, n, params
        return self

    @classmethod
    def pgettext(cls, context: str, msgid: str, /, **params: object) -> Message:
        """A Message meant in ``context`` (also the mark, like ``N_``, of a word written at
        import time: ``Message.pgettext("pipeline stage", "New")``)."""
        self = cls(msgid, **params)
        self.context = context
        return self

    @classmethod
    def npgettext(
        cls, context: str, singular: str, plural: str, n: int, /, **params: object
    ) -> Message:
        self = cls.plural(singular, plural, n, **params)
        self.context = context
        return self

    def translated(self) -> str:
        params = {k: str(v) if isinstance(v, Message) else v for k, v in self.params.items()}
        if self.msgid_plural is not None:
            if self.context is not None:
                text = npgettext(self.context, self.msgid, self.msgid_plural, self.n or 0)
            else:
                text = ngettext(self.msgid, self.msgid_plural, self.n or 0)
        elif self.context is not None:
            text = pgettext(self.context, self.msgid)
        else:
            text = _current.gettext(self.msgid)
        return _format(text, params)

    def __str__(self) -> str:
        return self.translated()

    def __format__(self, spec: str) -> str:
        return format(self.translated(), spec)

    def __reduce__(self):  # noqa: ANN204 - a Message crosses processes as a Message
        if self.context is not None:
            return (_rebuild, (self.msgid, self.msgid_plural, self.n, self.params, self.context))
        if self.msgid_plural is None:
            return (_rebuild, (self.msgid, None, None, self.params))
        return (_rebuild, (self.msgid, self.msgid_plural, self.n, self.params))


class Lines(Message):
    """Sentences, one a line, each translated where the whole is shown (a file's problems)."""

    SEPARATOR = "\n"
    items: list[str]

    def __new__(cls, items: list[str]) -> Lines:
        self = str.__new__(cls, cls.SEPARATOR.join(items))
        self.msgid, self.msgid_plural, self.n, self.params = "", None, None, {}
        self.items = list(items)
        return self

    def translated(self) -> str:
        return self.SEPARATOR.join(self.each(m) for m in self.items)

    @staticmethod
    def each(item: str) -> str:
        return tr(item)  # a Message translated; any other text (already said) as it is

    def __reduce__(self):  # noqa: ANN204
        return (type(self), (self.items,))


class Listed(Lines):
    """Words joined by commas, each translated where the whole is shown ("Street, City"):
    what is missing, said in the reader's language. The words are msgids (N_)."""

    SEPARATOR = ", "

    @staticmethod
    def each(item: str) -> str:
        return _(item)


def _rebuild(msgid, plural, n, params, context=None):  # noqa: ANN001, ANN202
    if plural is None:
        found = Message(msgid, **params)
    else:
        found = Message.plural(msgid, plural, n, **{k: v for k, v in params.items() if k != "n"})
    found.context = context
    return found


def _format(text: str, params: Mapping[str, object]) -> str:
    return text.format(**params) if params else text


def _english(params: Mapping[str, object]) -> dict[str, object]:
    """The parameters as a message's English value holds them: a Message inside another is
    its English text, whatever language is in use when the outer one is made."""
    return {k: str.__str__(v) if isinstance(v, Message) else v for k, v in params.items()}


def written(locale: str | None, text: str, /, **params: object) -> str:
    """A text bizdesk stores for the shop (a journal memo it writes, a default stage or
    location name), in the language of the shop's locale, whoever is at the door: it is data
    from then on, shown as stored. Mark ``text`` with ``N_`` (``Message.pgettext``: a context)."""
    catalog = translations(language_of(locale) or "en")
    if isinstance(text, Message) and text.context is not None:
        found = catalog.pgettext(text.context, text.msgid)
    else:
        found = catalog.gettext(text)
    return _format(found, _english(params))


def tr(text: object) -> str:
    """What a door shows: a Message in the reader's language; any other text as it is."""
    return "" if text is None else str(text)


def sentence(text: str) -> str:
    """``text`` shown as a sentence of its own: a first letter in capitals, the rest as it is
    (a field's refusal, "line 3 quantity: …", after "Not saved.")."""
    return text[:1].upper() + text[1:]


def placeholders(text: str) -> set[str]:
    """The ``{name}`` fields of a message (the catalogs test compares them)."""
    return {name for _lit, name, _spec, _conv in string.Formatter().parse(text) if name is not None}
