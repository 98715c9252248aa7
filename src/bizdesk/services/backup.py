"""Backups through SQLite's online backup API, so others keep working meanwhile."""

from __future__ import annotations

import os
import sqlite3
import time
from datetime import UTC, date, datetime
from pathlib import Path

from bizdesk.config import backups_dir, sqlite_path
from bizdesk.db.engine import BUSY_TIMEOUT_MS, prepare_sqlite_file
from bizdesk.db.session import Store
from bizdesk.errors import StoreError
from bizdesk.services.permissions import require_store

REQUIRED_TABLES = {"alembic_version", "contact", "audit_event"}
DAILY = "daily"
KEEP_DAILY = 14
STALE_PARTIAL_SECONDS = 3600


def _source_path(store: Store) -> Path:
    path = sqlite_path(store.url)
    if path is None:
        raise StoreError("backup and restore work on SQLite stores; use pg_dump for PostgreSQL")
    return path


def _backups_folder(store: Store) -> Path:
    """The backups folder, made with the store folder's access (private, or the shop group's)."""
    src = _source_path(store)
    folder = backups_dir(store.url)
    if not folder.exists():
        folder.mkdir(parents=True, mode=0o700)
        if src.parent.stat().st_mode & 0o2000:  # shared shop folder: same access
            os.chmod(folder, os.stat(src.parent).st_mode & 0o7777)
        else:
            os.chmod(folder, 0o700)
    return folder


def backup_store(store: Store, dest: Path | None = None, *, reason: str = "manual") -> Path:
    """Copy the live store to ``dest`` (default: the backups folder, timestamped)."""
    require_store(store, "backup.run")
    return copy_store(store, dest, reason=reason)


def copy_store(store: Store, dest: Path | None = None, *, reason: str = "manual") -> Path:
    """The copy itself, unchecked: the upgrade's safety copy runs whoever opens the store."""
    src = _source_path(store)
    if dest is None:
        folder = _backups_folder(store)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        dest = folder / f"{src.stem}-{stamp}-{reason}.db"
    dest = Path(dest)
    if dest.exists():
        raise StoreError(f"{dest} already exists; choose another name")
    prepare_sqlite_file(dest)
    _copy(src, dest)
    return dest


def _copy(src: Path, dest: Path) -> None:
    """Through the online backup API; waits for (never fails on) others' locks."""
    timeout = BUSY_TIMEOUT_MS / 1000
    source = sqlite3.connect(src, timeout=timeout)
    target = sqlite3.connect(dest, timeout=timeout)
    try:
        source.backup(target)  # one step: the destination changes all at once
    finally:
        target.close()
        source.close()


def _daily_name(store: Store, day: date) -> str:
    return f"{_source_path(store).stem}-{day:%Y%m%d}-{DAILY}.db"


def daily_backup(store: Store, today: date | None = None) -> Path | None:
    """The automatic backup: once per day (the first start that day makes it), keeping the
    last ``KEEP_DAILY`` automatic ones. Manual and before-upgrade backups are never pruned.
    Returns the new file, or None when today's exists already (or the store is not SQLite)."""
    if sqlite_path(store.url) is None:
        return None
    day = today or date.today()
    folder = _backups_folder(store)
    final = folder / _daily_name(store, day)
    if final.exists():
        return None
    # Written under a private temporary name, then linked into place: a second user
    # starting at the same moment, or a dropped link mid-copy, never leaves a partial
    # file that looks like today's backup.
    partial = folder / f".{final.name}.{os.getpid()}.partial"
    for stale in folder.glob(".*.partial"):  # left by a process killed mid-copy
        if stale == partial or time.time() - stale.stat().st_mtime > STALE_PARTIAL_SECONDS:
            stale.unlink(missing_ok=True)
    try:
        backup_store(store, partial)
        try:
            os.link(partial, final)
        except FileExistsError:
            return None
    finally:
        partial.unlink(missing_ok=True)
    prune_daily(store)
    return final


def prune_daily(store: Store, keep: int = KEEP_DAILY) -> list[Path]:
    """Remove the automatic backups beyond the newest ``keep``; returns what was removed."""
    stem = _source_path(store).stem
    folder = backups_dir(store.url)
    daily = sorted(folder.glob(f"{stem}-[0-9]*-{DAILY}.db"))
    gone = daily[:-keep] if len(daily) > keep else []
    for path in gone:
        path.unlink(missing_ok=True)
    return gone


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
    _copy(src, _source_path(store))
    return safety
