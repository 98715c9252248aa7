"""Languages (DESIGN section 6): the catalogs are complete and agree with the code, a
message is shown in the language of the person at the door, and each person's language is
theirs to choose."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po

from bizdesk import i18n
from bizdesk.db import open_store
from bizdesk.db.session import Store
from bizdesk.errors import PermissionDenied, ValidationError
from bizdesk.i18n import LANGUAGES, Message, placeholders, resolve_language
from bizdesk.services.admin import setup, users

PACKAGE = Path(i18n.__file__).parent
TRANSLATED = [lang for lang in LANGUAGES if lang != "en"]


def _source_messages() -> dict[str, tuple[str, ...]]:
    """Every message the code marks (the same keywords as pybabel in the README)."""
    found: dict[str, tuple[str, ...]] = {}
    keywords = {**DEFAULT_KEYWORDS, **i18n.EXTRA_KEYWORDS}
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(PACKAGE), method_map=[("**.py", "python")], keywords=keywords
    ):
        forms = message if isinstance(message, tuple) else (message,)
        found[forms[0]] = forms
    return found


def _catalog(lang: str):  # noqa: ANN202
    with i18n.catalog_path(lang).open("rb") as f:
        return read_po(f, locale=lang)


SOURCE = _source_messages()


def test_the_code_has_messages_to_translate() -> None:
    assert len(SOURCE) >= 10
    assert "{name} is not a user of this store" in SOURCE


@pytest.mark.parametrize("lang", LANGUAGES)
def test_each_catalog_holds_exactly_the_messages_of_the_code(lang: str) -> None:
    """A message added to the code and not to a catalog (or left behind in one) fails: run
    the README's `pybabel extract` and `pybabel update`, then translate."""
    catalog = _catalog(lang)
    ids = {m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id}
    assert sorted(set(SOURCE) - ids) == [], "missing from the catalog"
    assert sorted(ids - set(SOURCE)) == [], "no longer in the code"


@pytest.mark.parametrize("lang", TRANSLATED)
def test_every_message_is_translated_with_the_same_placeholders(lang: str) -> None:
    catalog = _catalog(lang)
    untranslated, fuzzy, different = [], [], []
    for m in catalog:
        if not m.id:
            continue
        originals = m.id if isinstance(m.id, tuple) else (m.id,)
        strings = m.string if isinstance(m.string, tuple) else (m.string,)
        if not all(s.strip() for s in strings):
            untranslated.append(originals[0])
        if m.fuzzy:
            fuzzy.append(originals[0])
        wanted = placeholders(originals[-1]) | placeholders(originals[0])
        for s in strings:
            if placeholders(s) - wanted or placeholders(originals[0]) - placeholders(s) - {"n"}:
                different.append((originals[0], s))
    assert untranslated == []
    assert fuzzy == []
    assert different == []


@pytest.mark.parametrize("lang", TRANSLATED)
def test_the_plural_forms_are_the_languages_own(lang: str) -> None:
    catalog = _catalog(lang)
    assert catalog.num_plurals == {"es": 2, "ro": 3, "vi": 1}[lang]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_two_palette_commands_read_alike(lang: str) -> None:
    """Two commands the palette lists with one name (the report "Contacts by segment" and
    the screen "Segments of contacts" were both "Phân khúc liên hệ") leave the reader to
    guess which is which."""
    from bizdesk.screens.registry import COMMANDS

    gettext = i18n.translations(lang).gettext
    names = [c.shown(gettext).casefold() for c in COMMANDS]
    assert sorted({n for n in names if names.count(n) > 1}) == []


def test_a_message_is_english_until_a_door_shows_it_in_its_reader_language() -> None:
    msg = Message("{name} is not a user of this store", name="'paul'")
    try:
        assert i18n.use("es") == "es"
        assert msg == "'paul' is not a user of this store"  # its value: the English text
        assert str(msg) == "'paul' no es usuario de este almacén de datos"
        assert f"» {msg}" == "» 'paul' no es usuario de este almacén de datos"
        i18n.use("vi")
        assert str(msg) == "'paul' không phải là người dùng của kho dữ liệu này"
    finally:
        i18n.use("en")
    assert str(msg) == "'paul' is not a user of this store"


def test_an_unknown_language_is_english() -> None:
    try:
        assert i18n.use("xx") == "en"
        assert i18n._("Language") == "Language"
    finally:
        i18n.use("en")


def test_a_catalog_compiles_once_into_the_cache(tmp_path, monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setattr(i18n, "_loaded", {})
    assert i18n.translations("ro").gettext("Language") == "Limba"
    cached = list((tmp_path / "bizdesk" / "mo").glob("ro-*.mo"))
    assert len(cached) == 1
    monkeypatch.setattr(i18n, "_loaded", {})
    monkeypatch.setattr(i18n, "compile_catalog", lambda po: pytest.fail("compiled twice"))
    assert i18n.translations("ro").gettext("Language") == "Limba"


def test_a_catalog_that_cannot_be_cached_leaves_nothing_behind(tmp_path, monkeypatch) -> None:  # noqa: ANN001
    """A full cache disk left a temporary file at every start (its name is the catalog's
    with the process's number: one more each time)."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setattr(i18n, "_loaded", {})
    assert i18n.translations("ro").gettext("Language") == "Limba"
    (cached,) = (tmp_path / "bizdesk" / "mo").glob("ro-*.mo")
    cached.unlink()
    cached.mkdir()  # the rename into place fails, as a full disk's write does
    monkeypatch.setattr(i18n, "_loaded", {})
    assert i18n.translations("ro").gettext("Language") == "Limba"
    assert [p.name for p in cached.parent.iterdir()] == [cached.name]


@pytest.mark.parametrize(
    ("setting", "env", "expected"),
    [
        ("vi", {"LANG": "es_ES.UTF-8"}, "vi"),  # the person's setting first
        ("", {"LANG": "es_ES.UTF-8"}, "es"),
        ("", {"LANGUAGE": "de:ro", "LANG": "es_ES.UTF-8"}, "ro"),  # first one bizdesk speaks
        ("", {"LC_ALL": "ro_RO.UTF-8", "LANG": "es_ES.UTF-8"}, "ro"),
        ("", {"LC_ALL": "de_DE.UTF-8", "LANG": "es_ES.UTF-8"}, "en"),  # LC_ALL decides
        ("", {"LANG": "C.UTF-8"}, "en"),
        ("", {"LANG": "vi_VN"}, "vi"),
        ("", {}, "en"),
        ("xx", {}, "en"),
    ],
)
def test_the_language_is_the_persons_else_the_sessions_else_english(
    setting: str, env: dict[str, str], expected: str
) -> None:
    assert resolve_language(setting, env) == expected


def test_validation_messages_are_shown_in_the_readers_language() -> None:
    err = ValidationError(
        {
            "role": Message(
                "{value} is not a role; choose one of {roles}", value="'boss'", roles="owner, sales"
            )
        }
    )
    try:
        i18n.use("ro")
        assert str(err) == "role: 'boss' nu este un rol; alegeți unul dintre owner, sales"
        assert (
            err.field_message("role") == "'boss' nu este un rol; alegeți unul dintre owner, sales"
        )
    finally:
        i18n.use("en")
    assert str(err) == "role: 'boss' is not a role; choose one of owner, sales"


@pytest.fixture
def shop(tmp_path) -> Store:  # noqa: ANN001
    s = open_store(str(tmp_path / "shop.db"), user="anna")
    setup.ensure_initialized(s)
    with s.write() as uow:
        users.add(uow, "maria", "sales")
        users.add(uow, "paul", "support")
    yield s
    s.dispose()


def test_each_person_chooses_their_language_an_owner_anyones(shop: Store) -> None:
    maria = Store(url=shop.url, engine=shop.engine, user="maria")
    with maria.write() as uow:
        assert users.set_language(uow, "maria", "es").language == "es"
    with maria.read() as uow:
        assert users.my_language(uow) == "es"
    with pytest.raises(PermissionDenied, match="Only an owner"):
        with maria.write() as uow:
            users.set_language(uow, "paul", "vi")
    with shop.write() as uow:
        assert users.set_language(uow, "paul", "VI").language == "vi"
        assert users.set_language(uow, "maria", "auto").language == ""
    with maria.read() as uow:
        assert users.my_language(uow) == ""
    with pytest.raises(ValidationError, match="not a language bizdesk speaks"):
        with shop.write() as uow:
            users.set_language(uow, "paul", "de")
    with shop.read() as uow:
        assert {u.username: u.language for u in users.list_users(uow)}["paul"] == "vi"


def test_the_command_line_speaks_the_persons_language(tmp_path) -> None:  # noqa: ANN001
    """Through the real command line: the session's LANG, then the person's own setting,
    which wins over LANG; `auto` gives the session's back."""
    from bizdesk.identity import os_username
    from tests.test_cli import bizdesk

    me = os_username()
    db = str(tmp_path / "shop.db")
    made = bizdesk("init", "--db", db, "--locale", "ro_RO", "--currency", "RON")
    assert made.returncode == 0, made.stderr
    english = bizdesk("users", "set-role", "nobody", "sales", "--db", db, env={"LANG": "C"})
    assert "'nobody' is not a user of this store" in english.stderr
    romanian = bizdesk("users", "set-role", "nobody", "sales", "--db", db, env={"LANG": "ro_RO"})
    assert "'nobody' nu este utilizator al acestei baze de date" in romanian.stderr
    assert romanian.returncode == 1 and "Traceback" not in romanian.stderr
    chosen = bizdesk("users", "set-language", me, "vi", "--db", db)
    assert chosen.returncode == 0, chosen.stderr
    vietnamese = bizdesk("users", "set-role", "nobody", "sales", "--db", db, env={"LANG": "ro_RO"})
    assert "'nobody' không phải là người dùng của kho dữ liệu này" in vietnamese.stderr
    wrong = bizdesk("users", "set-language", me, "de", "--db", db)
    assert wrong.returncode == 1
    assert "'de' không phải là ngôn ngữ bizdesk hỗ trợ" in wrong.stderr  # said in hers
    back = bizdesk("users", "set-language", me, "auto", "--db", db, env={"LANG": "es_ES"})
    assert back.returncode == 0
    spanish = bizdesk("users", "set-role", "nobody", "sales", "--db", db, env={"LANG": "es_ES"})
    assert "'nobody' no es usuario de este almacén de datos" in spanish.stderr


def test_init_takes_a_chart_and_refuses_one_it_does_not_ship(tmp_path) -> None:  # noqa: ANN001
    from tests.test_cli import bizdesk

    db = str(tmp_path / "shop.db")
    bad = bizdesk("init", "--db", db, "--chart", "fr")
    assert bad.returncode == 1 and "choose one of generic, es, ro, vn" in bad.stderr
    assert not (tmp_path / "shop.db").exists()  # nothing made
    made = bizdesk("init", "--db", db, "--locale", "vi_VN", "--currency", "VND", "--chart", "es")
    assert made.returncode == 0, made.stderr
    accounts = bizdesk("accounts", "list", "--db", db)
    assert "Caja, euros" in accounts.stdout and "Mercaderías" in accounts.stdout
