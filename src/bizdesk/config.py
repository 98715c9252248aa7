"""Where things live: the store, the config and the backups."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP = "bizdesk"
ENV_DB = "BIZDESK_DB"


def default_store_path() -> Path:
    return platformdirs.user_data_path(APP) / "bizdesk.db"


def config_path() -> Path:
    return platformdirs.user_config_path(APP) / "config.toml"


def resolve_db(db: str | None) -> str:
    """--db wins, then $BIZDESK_DB, then the per-user default. Returns an SQLAlchemy URL."""
    value = db or os.environ.get(ENV_DB) or str(default_store_path())
    if "://" in value:
        return value
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
