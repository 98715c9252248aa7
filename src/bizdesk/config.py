"""Where things live (the store, the config and the backups), and the settings read from
the config file and the environment."""

from __future__ import annotations

import difflib
import hashlib
import json
import os
import re
import stat
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import platformdirs

from bizdesk.errors import ConfigError, StoreError
from bizdesk.i18n import Message
from bizdesk.reading import quoted

APP = "bizdesk"
ENV_DB = "BIZDESK_DB"


def default_store_path() -> Path:
    return platformdirs.user_data_path(APP) / "bizdesk.db"


def is_default_store(path: Path) -> bool:
    """``path`` is the per-user default store's (whose folder bizdesk makes), as
    ``resolve_db`` writes it."""
    return path == default_store_path().expanduser().resolve()


def config_path() -> Path:
    return platformdirs.user_config_path(APP) / "config.toml"


# "postgresql+psycopg:/host/db", "sqlite:/x.db": a URL with a slash lost, never a file name
MANGLED_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:/(?!/)")
# The URL schemes bizdesk opens, with the one driver it ships for each (plain postgresql://
# is psycopg in SQLAlchemy 2.1). Any other driver (postgresql+psycopg2, +asyncpg, +pg8000)
# is refused here, before SQLAlchemy would try to import it: not installed, it ended as an
# unexpected ModuleNotFoundError; installed, it is not the driver the store was tested on.
URL_SCHEMES = ("sqlite", "postgresql", "postgresql+psycopg")


def resolve_db(db: str | None) -> str:
    """--db wins, then $BIZDESK_DB, then ``db`` in the config file, then the per-user
    default. Returns an SQLAlchemy URL.

    A value it cannot mean is refused rather than made into a file: an empty one, "None"
    (a program's missing value turned into text), a URL that lost a slash or names a
    database bizdesk does not use."""
    if db is None:  # the config file is read only when nothing before it names the store
        env = os.environ.get(ENV_DB)
        if env is not None and not env.strip():  # set, but to nothing: never the default
            raise StoreError(
                Message("$BIZDESK_DB is empty: name the store's file (or a postgresql:// URL)")
            )
        db = env or load_settings().db or str(default_store_path())
    value = db
    if not value.strip():
        raise StoreError(Message("--db is empty: name the store's file (or a postgresql:// URL)"))
    if value.strip() in ("None", "null"):
        raise StoreError(
            Message(
                "--db {value} is not a store's name: give the store's file or URL",
                value=quoted(value, 200),
            )
        )
    if "://" in value:
        given, rest = value.split("://", 1)
        scheme = given.lower()  # (a scheme is read whatever its case; SQLAlchemy's is lower)
        if scheme not in URL_SCHEMES:
            raise StoreError(
                Message(
                    "{scheme}:// is not a store bizdesk can use: give a file, or a "
                    "postgresql+psycopg://user@host/database URL",
                    scheme=given,
                )
            )
        return f"{scheme}://{rest}"
    if MANGLED_URL.match(value) and len(value.split(":", 1)[0]) > 1:
        raise StoreError(
            Message(
                "{value} looks like a URL with a slash missing: write it as "
                "postgresql+psycopg://user@host/database (two slashes), or give a file",
                value=quoted(value, 200),
            )
        )
    return "sqlite:///" + str(Path(value).expanduser().resolve())


def sqlite_path(url: str) -> Path | None:
    """The file behind an SQLite URL, or None for other databases."""
    if not url.startswith("sqlite:///"):
        return None
    return Path(url[len("sqlite:///") :])


def backups_dir(url: str) -> Path:
    path = sqlite_path(url)
    if path is not None:
        return path.parent / "backups"
    return platformdirs.user_data_path(APP) / "backups"


def kept_file(store: Path, user: str) -> Path:
    """The file Home's figures on ``store`` are kept in for ``user``
    (services/overview/glance), with the shop's time zone they were read in."""
    key = hashlib.sha256(f"{os.path.realpath(store)}\0{user}".encode()).hexdigest()[:32]
    return platformdirs.user_cache_path(APP) / "home" / f"{key}.json"


KEPT_MOST = 1 << 20  # bytes: a kept file is some 1,500; a larger one was not written by bizdesk


def read_kept(store: Path, user: str) -> dict:
    """What is kept in ``kept_file(store, user)``, only as bizdesk wrote it there: a file
    (never a link) that is this person's alone, in a folder that is theirs alone, of a
    sensible size, written for this very store. OSError or ValueError (or KeyError, for
    JSON without the store's name) for anything else: callers read nothing then."""
    path = kept_file(store, user)
    if not private(os.lstat(path.parent), folder=True):
        raise PermissionError(path.parent)
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    with os.fdopen(fd, encoding="utf-8") as fh:
        info = os.fstat(fh.fileno())
        if not private(info) or info.st_size > KEPT_MOST:
            raise PermissionError(path)  # only a file this person wrote, as they wrote it
        entry = json.load(fh)
    if not isinstance(entry, dict) or entry["store"] != os.path.realpath(store):
        raise ValueError(path)
    return entry


def private(st: os.stat_result, folder: bool = False) -> bool:
    """Whether a kept file (or its folder) is this person's alone: theirs, and nobody
    else may read it or write in it."""
    kind = stat.S_ISDIR(st.st_mode) if folder else stat.S_ISREG(st.st_mode)
    return kind and st.st_uid == os.geteuid() and not st.st_mode & 0o077


def data_dir() -> Path:
    """The files shipped with bizdesk (installed as bizdesk/data, or data/ in a checkout)."""
    installed = Path(__file__).parent / "data"
    if installed.is_dir():
        return installed
    return Path(__file__).resolve().parents[2] / "data"


# The settings a config file may hold (README "Settings and keys"); each person has their
# own file (``bizdesk locate`` names it). The command line wins over the environment, the
# environment over the file, the file over bizdesk's default.
SETTINGS = {
    "db": "the store when neither --db nor $BIZDESK_DB names one (a full path or a URL)",
    "escape_delay": "milliseconds escape waits for the rest of a key (unless $ESCDELAY is set)",
    "keymap": "a table: binding id = key(s)",
}
ESCAPE_DELAY_MAX_MS = 10_000


@dataclass(frozen=True)
class Settings:
    """What the config file and the environment say (None: not said, the default holds)."""

    path: Path  # the file read (it need not exist)
    db: str | None = None  # $BIZDESK_DB, else the file's ``db``
    escape_delay_ms: int | None = None
    keymap: Mapping[str, str] = field(default_factory=dict)  # binding id -> "key,key"
    lines: Mapping[tuple[str, str], int] = field(default_factory=dict)  # (table, key) -> line

    def where(self, key: str, table: str = "") -> str:
        """ "FILE, line N: [table] key" for a message about ``key``."""
        line = self.lines.get((table, key))
        at = (
            str(Message("{file}, line {line}", file=self.path, line=line))
            if line
            else str(self.path)
        )
        return f"{at}: [{table}] {key}" if table else f"{at}: {key}"


def load_settings(path: Path | None = None, environ: Mapping[str, str] | None = None) -> Settings:
    """Read the config file (``config_path()`` unless given) and the BIZDESK_ variables.

    A file that is not TOML, a key bizdesk does not know or a value of the wrong type is
    refused with a sentence naming the file, the line and the key (ConfigError); nothing
    in it is skipped or replaced by a default. A missing file is no error: every setting
    then has its default."""
    path = config_path() if path is None else path
    environ = os.environ if environ is None else environ
    env_db = environ.get(ENV_DB) or None
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return Settings(path=path, db=env_db)
    except OSError as exc:
        raise ConfigError(
            Message(
                "{file}: the config file cannot be read ({error}).", file=path, error=exc.strerror
            )
        ) from None
    import tomllib  # only when there is a file: most commands never need it

    try:
        text = raw.decode("utf-8")
        data = tomllib.loads(text)
    except UnicodeDecodeError:
        raise ConfigError(
            Message("{file}: the config file is not UTF-8 text.", file=path)
        ) from None
    except tomllib.TOMLDecodeError as exc:
        twice = _given_twice(text)
        if twice is not None and str(exc).startswith("Cannot overwrite"):
            (table, key), line, first = twice
            name = f"[{table}] {key}" if table else key
            raise ConfigError(
                Message(
                    "{file}, line {line}: {name} is given twice (first on line {first}); "
                    "keep the one you mean.",
                    file=path,
                    line=line,
                    name=name,
                    first=first,
                )
            ) from None
        raise ConfigError(_toml_problem(path, str(exc))) from None
    lines = _key_lines(text)
    found = Settings(path=path, lines=lines)
    for key in data:
        if key not in SETTINGS:
            raise ConfigError(
                Message(
                    "{where} is not a setting of bizdesk.{did_you_mean} It knows db, "
                    "escape_delay and the [keymap] table.",
                    where=found.where(key),
                    did_you_mean=did_you_mean(key, SETTINGS),
                )
            )
    db = data.get("db")
    if db is not None:
        db = _checked_db(found, db)
    delay = data.get("escape_delay")
    if delay is not None and not (
        type(delay) is int and 0 < delay <= ESCAPE_DELAY_MAX_MS  # a TOML true is no number
    ):
        raise ConfigError(
            Message(
                "{where} is {value}: give whole milliseconds from 1 to {most}, e.g. "
                "escape_delay = 400.",
                where=found.where("escape_delay"),
                value=_shown(delay),
                most=ESCAPE_DELAY_MAX_MS,
            )
        )
    keymap = data.get("keymap", {})
    if not isinstance(keymap, dict):
        raise ConfigError(
            Message(
                "{where} is {value}: it is a table of binding ids and keys, written [keymap] "
                'and then lines such as "contacts.new" = "ctrl+n".',
                where=found.where("keymap"),
                value=_shown(keymap),
            )
        )
    for binding_id, keys in keymap.items():
        if not isinstance(keys, str) or not keys.strip():
            raise ConfigError(
                Message(
                    '{where} is {value}: give the key as text, e.g. "ctrl+n", or several keys '
                    'separated by commas, "f3,ctrl+o".',
                    where=found.where(binding_id, "keymap"),
                    value=_shown(keys),
                )
            )
    return Settings(
        path=path,
        db=env_db or db,
        escape_delay_ms=delay,
        keymap=dict(keymap),
        lines=lines,
    )


def _checked_db(found: Settings, value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(
            Message(
                "{where} is {value}: give the store's full path (or ~/…) or a "
                "postgresql+psycopg:// URL, in quotes.",
                where=found.where("db"),
                value=_shown(value),
            )
        )
    if "://" not in value and not Path(value).expanduser().is_absolute():
        # relative to what? the folder bizdesk was started in changes; this file does not
        raise ConfigError(
            Message(
                "{where} is {value}, a relative path: write the full path (or one starting "
                "with ~/), so the same store is opened from any folder.",
                where=found.where("db"),
                value=quoted(value, 200),
            )
        )
    try:
        resolve_db(value)
    except StoreError as exc:
        raise ConfigError(f"{found.where('db')}: {exc}") from None
    return value


def _shown(value: object) -> str:
    """A value as the file spells it, with what it is."""
    if isinstance(value, bool):
        return Message("{value} (a yes or no)", value=str(value).lower())
    if isinstance(value, str):
        return Message('"{value}" (text)', value=value) if value else Message("empty")
    if isinstance(value, int | float):
        return Message("{value} (a number)", value=value)
    if isinstance(value, dict):
        return Message("a table")
    if isinstance(value, list):
        return Message("a list")
    return Message("{value} (a {kind})", value=value, kind=type(value).__name__)


def did_you_mean(key: str, known: Iterable[str]) -> str:
    """ " Did you mean X?" for the known name closest to a mistyped one (never acted on)."""
    close = difflib.get_close_matches(key, list(known), n=1)
    return " " + str(Message("Did you mean {name}?", name=close[0])) if close else ""


_AT = re.compile(r"\s*\((?:at line (\d+), column (\d+)|at end of document)\)\s*$")


def _toml_problem(path: Path, message: str) -> str:
    """tomllib's 'Invalid value (at line 3, column 5)' as 'FILE, line 3: … (column 5)'."""
    found = _AT.search(message)
    what = _AT.sub("", message)
    what = what[:1].lower() + what[1:]
    if found is None:
        return Message("{file}: the config file is not valid TOML: {what}.", file=path, what=what)
    if found.group(1) is None:
        return Message(
            "{file}, at its end: the config file is not valid TOML: {what}.", file=path, what=what
        )
    return Message(
        "{file}, line {line}: the config file is not valid TOML: {what} (column {column}).",
        file=path,
        line=found.group(1),
        what=what,
        column=found.group(2),
    )


_TABLE = re.compile(r"^\s*\[\s*([^\[\]]+?)\s*\]\s*(?:#.*)?$")
_KEY = re.compile(r"""^\s*(?:"((?:[^"\\]|\\.)*)"|'([^']*)'|([A-Za-z0-9_-]+))\s*=""")


def _written_keys(text: str):  # noqa: ANN202
    """(table, key, line) of each key written on a line of its own."""
    table = ""
    for number, line in enumerate(text.splitlines(), 1):
        header = _TABLE.match(line)
        if header:
            table = header.group(1).strip().strip("\"'")
            continue
        key = _KEY.match(line)
        if key:
            yield table, next(g for g in key.groups() if g is not None), number


def _key_lines(text: str) -> dict[tuple[str, str], int]:
    """Where each key is written: (table, key) -> line, for messages. Keys written in
    other ways (dotted, in an inline table) are not found; their messages name no line."""
    lines: dict[tuple[str, str], int] = {}
    for table, key, number in _written_keys(text):
        lines.setdefault((table, key), number)
    return lines


def _given_twice(text: str) -> tuple[tuple[str, str], int, int] | None:
    """The first key written twice in the same table: ((table, key), line, first line)."""
    lines: dict[tuple[str, str], int] = {}
    for table, key, number in _written_keys(text):
        if (table, key) in lines:
            return (table, key), number, lines[(table, key)]
        lines[(table, key)] = number
    return None
