"""Where things live: the store, the config and the backups."""

from __future__ import annotations

import os
import re
from pathlib import Path

import platformdirs

from bizdesk.errors import StoreError

APP = "bizdesk"
ENV_DB = "BIZDESK_DB"


def default_store_path() -> Path:
    return platformdirs.user_data_path(APP) / "bizdesk.db"


def config_path() -> Path:
    return platformdirs.user_config_path(APP) / "config.toml"


# "postgresql+psycopg:/host/db", "sqlite:/x.db": a URL with a slash lost, never a file name
MANGLED_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:/(?!/)")
URL_SCHEMES = ("sqlite", "postgresql")


def resolve_db(db: str | None) -> str:
    """--db wins, then $BIZDESK_DB, then the per-user default. Returns an SQLAlchemy URL.

    A value it cannot mean is refused rather than made into a file: an empty one, "None"
    (a program's missing value turned into text), a URL that lost a slash or names a
    database bizdesk does not use."""
    value = db if db is not None else (os.environ.get(ENV_DB) or str(default_store_path()))
    if not value.strip():
        raise StoreError("--db is empty: name the store's file (or a postgresql:// URL)")
    if value.strip() in ("None", "null"):
        raise StoreError(f"--db {value!r} is not a store's name: give the store's file or URL")
    if "://" in value:
        scheme = value.split("://", 1)[0].split("+", 1)[0].lower()
        if scheme not in URL_SCHEMES:
            raise StoreError(
                f"{value.split('://', 1)[0]}:// is not a store bizdesk can use: give a file, "
                "or a postgresql+psycopg://user@host/database URL"
            )
        return value
    if MANGLED_URL.match(value) and len(value.split(":", 1)[0]) > 1:
        raise StoreError(
            f"{value!r} looks like a URL with a slash missing: write it as "
            "postgresql+psycopg://user@host/database (two slashes), or give a file"
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


def data_dir() -> Path:
    """The files shipped with bizdesk (installed as bizdesk/data, or data/ in a checkout)."""
    installed = Path(__file__).parent / "data"
    if installed.is_dir():
        return installed
    return Path(__file__).resolve().parents[2] / "data"
