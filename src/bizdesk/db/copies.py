"""Copying a store file whole: the safety copy an upgrade makes before it changes the schema,
and the copy every backup is (services/admin/backup.py adds who may, when, and how many are kept).
Through SQLite's online backup API, so others keep working meanwhile. Here, below the
services, because opening a store (db/opening.py) upgrades it and so copies it."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from bizdesk.characters import name_part
from bizdesk.config import backups_dir, sqlite_path
from bizdesk.db import chain
from bizdesk.db.engine import BUSY_TIMEOUT_MS
from bizdesk.db.session import Store
from bizdesk.errors import StoreError
from bizdesk.faults import copy_fault, file_problem, translate
from bizdesk.files import atomic_path, atomic_write
from bizdesk.i18n import N_, Message
from bizdesk.models.ledger import ENTRY_PREFIX


def source_path(store: Store) -> Path:
    path = sqlite_path(store.url)
    if path is None:
        raise StoreError(
            Message("backup and restore work on SQLite stores; use pg_dump for PostgreSQL")
        )
    return path


def backups_folder(store: Store) -> Path:
    """The backups folder, made with the store folder's access (private, or the shop group's)."""
    src = source_path(store)
    folder = backups_dir(store.url)
    if not folder.exists():
        folder.mkdir(parents=True, mode=0o700)
        if src.parent.stat().st_mode & 0o2000:  # shared shop folder: same access
            os.chmod(folder, os.stat(src.parent).st_mode & 0o7777)
        else:
            os.chmod(folder, 0o700)
    return folder


def copy_store(store: Store, dest: Path | str | None = None, *, reason: str = "manual") -> Path:
    """The copy itself, unchecked for roles (the upgrade's safety copy runs whoever opens
    the store), but always checked for damage: a damaged store is never copied.

    ``dest`` names the copy's file, or a folder to put it in (one that exists, or any name
    written with a slash at its end), where it is named as in the backups folder.

    The copy is written under a temporary name beside ``dest``, checked in full (``PRAGMA
    integrity_check``: SQLite's backup API copies the pages as they are, so this checks the
    store as it was at that instant, without a second pass over the live file) and only
    then given its name. A kill or a full disk leaves no file under that name."""
    src = source_path(store)
    if store.damaged is not None:
        raise store.damaged
    folder = None
    if dest is not None and (str(dest).endswith(("/", os.sep)) or Path(dest).is_dir()):
        folder = Path(dest)  # (a Path has no slash at its end)
        if not folder.is_dir():
            raise StoreError(_not_there(folder))
        dest = None
    if dest is None:  # named here: never "already exists" (two restores in one second)
        folder = folder or backups_folder(store)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        for n in range(1, 100):
            dest = folder / f"{name_part(src.stem)}-{stamp}{f'-{n}' if n > 1 else ''}-{reason}.db"
            try:
                write_copy(store, src, dest)
            except FileExistsError:
                continue
            return dest
    dest = Path(dest)
    if dest.exists():
        raise StoreError(Message("{path} already exists; choose another name", path=dest))
    if not dest.parent.is_dir():  # (else the store was blamed: "cannot open the store")
        raise StoreError(_not_there(dest.parent))
    try:
        write_copy(store, src, dest)
    except FileExistsError:
        raise StoreError(Message("{path} already exists; choose another name", path=dest)) from None
    return dest


def _not_there(folder: Path) -> Message:
    """Why a copy cannot be written in ``folder``."""
    said = (
        N_("{folder} is not a folder; name a file in one (nothing was written)")
        if folder.exists()
        else N_(
            "the folder {folder} does not exist; make it first, or name another "
            "(nothing was written)"
        )
    )
    return Message(said, folder=str(folder))


def write_copy(store: Store, src: Path, dest: Path) -> None:
    """Copy, verify, then link into place (FileExistsError if ``dest`` appeared meanwhile)."""
    try:
        with atomic_path(dest, exclusive=True, own=True) as tmp:
            copy_file(src, tmp)
            problem = file_problem(tmp)
            if problem is not None:
                raise store.mark_damaged(problem)
            heads = chain_heads_text(tmp)
        if heads:
            with atomic_write(heads_file(dest), own=True) as fh:
                fh.write(heads)
    except (sqlite3.Error, OSError) as exc:
        if isinstance(exc, FileExistsError):
            raise
        known = None
        if isinstance(exc, sqlite3.Error):  # the copy's disk or folder, else the store's
            known = copy_fault(exc, dest) or store.fault(exc)
        known = known or translate(exc, store.url)
        if known is None:
            raise
        raise known from exc


def heads_file(backup: Path) -> Path:
    """Where a backup's chain heads are written: beside it, ``NAME.db.heads``."""
    return backup.with_name(backup.name + ".heads")


def chain_heads_text(path: Path) -> str:
    """The hash chains' heads (db/chain.py) of a store file, as lines an owner can keep and
    compare with what ``bizdesk check`` prints later; "" for a store without chains."""
    # immutable: the copy is not being written, and a read-only open of a WAL store would
    # leave -shm/-wal files beside it
    conn = sqlite3.connect(f"file:{path}?immutable=1", uri=True)
    try:
        entry = conn.execute(
            "SELECT number, chain_hash FROM journal_entry WHERE state = 'posted' "
            "AND chain_hash IS NOT NULL ORDER BY number DESC LIMIT 1"
        ).fetchone()
        event = conn.execute(
            "SELECT id, chain_hash FROM audit_event WHERE chain_hash IS NOT NULL "
            "ORDER BY id DESC LIMIT 1"
        ).fetchone()
    except sqlite3.OperationalError:  # a store from before the chains
        return ""
    finally:
        conn.close()
    head = f"{ENTRY_PREFIX}-{entry[0]} {entry[1]}" if entry else None
    journal = head or f"no posted entry {chain.GENESIS}"
    audit = f"audit event {event[0]} {event[1]}" if event else f"no audit event {chain.GENESIS}"
    return f"journal chain head: {journal}\naudit chain head: {audit}\n"


def copy_file(src: Path, dest: Path) -> None:
    """Through the online backup API; waits for (never fails on) others' locks."""
    timeout = BUSY_TIMEOUT_MS / 1000
    source = sqlite3.connect(src, timeout=timeout)
    try:
        target = sqlite3.connect(dest, timeout=timeout)
        try:
            source.backup(target)  # one step: the destination changes all at once
        finally:
            target.close()
    finally:
        source.close()


# Pages copied per step while a store's content is replaced (4 MB of 4 KB pages): the first
# step takes the store's write lock, the rest keep it. The first step must not be the last
# (the last commits the new content): a smaller backup goes one page less in its first.
REPLACE_STEP = 1024


def replace_content(store: Store, src: Path, first: Callable[[], None]) -> None:
    """Overwrite the live store's content with the SQLite file ``src`` through the backup
    API (others who have it open see the new content), calling ``first`` once the store's
    write lock is held and before any of its pages is changed (not yet committed, the
    copy's pages are seen by nobody): what ``first`` reads of the store (restore's safety
    copy) is everything committed before, and no writer can commit between it and the
    new content. bizdesk's writers wait in their line (db/turns.py) meanwhile, anything
    else for SQLite's lock. If ``first`` fails, the store is left as it was."""
    timeout = BUSY_TIMEOUT_MS / 1000
    called = False

    def progress(_status: int, _remaining: int, _total: int) -> None:
        nonlocal called
        if not called:
            called = True
            first()

    with store.writers_turn():
        source = sqlite3.connect(src, timeout=timeout)
        try:
            pages = source.execute("PRAGMA page_count").fetchone()[0]
            if pages < 2:  # copied whole in its first step: no moment before the change
                raise StoreError(
                    Message(
                        "{path} is not a bizdesk store that can be restored ({problem}). "
                        "Nothing was changed.",
                        path=str(src),
                        problem=Message("not a bizdesk store"),
                    )
                )
            target = sqlite3.connect(source_path(store), timeout=timeout)
            try:
                step = max(1, min(REPLACE_STEP, pages - 1))
                source.backup(target, pages=step, progress=progress)
            finally:
                target.close()
        finally:
            source.close()
