"""Backups through SQLite's online backup API, so others keep working meanwhile."""

from __future__ import annotations

import os
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from bizdesk.config import backups_dir, sqlite_path
from bizdesk.db.engine import prepare_sqlite_file
from bizdesk.db.session import Store
from bizdesk.errors import StoreError
from bizdesk.services.permissions import require_store

REQUIRED_TABLES = {"alembic_version", "contact", "audit_event"}


def _source_path(store: Store) -> Path:
    path = sqlite_path(store.url)
    if path is None:
        raise StoreError("backup and restore work on SQLite stores; use pg_dump for PostgreSQL")
    return path


def backup_store(store: Store, dest: Path | None = None, *, reason: str = "manual") -> Path:
    """Copy the live store to ``dest`` (default: the backups folder, timestamped)."""
    require_store(store, "backup.run")
    return copy_store(store, dest, reason=reason)


def copy_store(store: Store, dest: Path | None = None, *, reason: str = "manual") -> Path:
    """The copy itself, unchecked: the upgrade's safety copy runs whoever opens the store."""
    src = _source_path(store)
    if dest is None:
        folder = backups_dir(store.url)
        if not folder.exists():
            folder.mkdir(parents=True, mode=0o700)
            if src.parent.stat().st_mode & 0o2000:  # shared shop folder: same access
                os.chmod(folder, os.stat(src.parent).st_mode & 0o7777)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        dest = folder / f"{src.stem}-{stamp}-{reason}.db"
    dest = Path(dest)
    if dest.exists():
        raise StoreError(f"{dest} already exists; choose another name")
    prepare_sqlite_file(dest)
    with sqlite3.connect(src) as source, sqlite3.connect(dest) as target:
        source.backup(target)
    return dest


def verify_backup(path: Path) -> None:
    """Refuse a file that is not a sound bizdesk store."""
    if not path.is_file():
        raise StoreError(f"{path} does not exist")
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
            ok = conn.execute("PRAGMA integrity_check").fetchone()[0]
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"{path} is not a bizdesk store: {exc}") from None
    if ok != "ok":
        raise StoreError(f"{path} is damaged: {ok}")
    if not REQUIRED_TABLES <= tables:
        raise StoreError(f"{path} is not a bizdesk store")


def restore_store(store: Store, src: Path) -> Path:
    """Replace the store's content with a verified backup; the old content is backed up first."""
    require_store(store, "backup.run")
    verify_backup(src)
    safety = copy_store(store, reason="before-restore")
    dest = _source_path(store)
    with sqlite3.connect(src) as source, sqlite3.connect(dest) as target:
        source.backup(target)
    return safety
