"""Backups: who may make one, the daily one and how many are kept, checking and restoring.
The copy itself is db/copies.py (an upgrade makes one too, whoever opens the store)."""

from __future__ import annotations

import glob
import os
import shutil
import sqlite3
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import text

from bizdesk.characters import name_part, shown_name
from bizdesk.config import backups_dir, sqlite_path
from bizdesk.db.copies import (
    backups_folder,
    copy_store,
    heads_file,
    replace_content,
    source_path,
    write_copy,
)
from bizdesk.db.opening import new_store_folder, open_store
from bizdesk.db.session import Store
from bizdesk.errors import PermissionDenied, StoreError
from bizdesk.faults import (
    file_problem,
    forget_damage,
    header_problem,
    not_a_file,
    note_change,
    translate,
)
from bizdesk.files import atomic_path, is_sqlite_file, may_restore_from
from bizdesk.i18n import Message
from bizdesk.identity import current_gate
from bizdesk.services.base.permissions import require_store

REQUIRED_TABLES = {"alembic_version", "contact", "audit_event"}
DAILY = "daily"
KEEP_DAILY = 14


def backup_store(store: Store, dest: Path | str | None = None, *, reason: str = "manual") -> Path:
    """Copy the live store to ``dest`` (default: the backups folder, timestamped): a file,
    or a folder (one that exists, or a name ending in a slash) to put it in, timestamped."""
    require_store(store, "backup.run")
    return copy_store(store, dest, reason=reason)


def _daily_name(store: Store, day: date) -> str:
    return f"{name_part(source_path(store).stem)}-{day:%Y%m%d}-{DAILY}.db"


def daily_backup(store: Store, today: date | None = None) -> Path | None:
    """The automatic backup: once per day (the first start that day makes it), keeping the
    last ``KEEP_DAILY`` automatic ones. Manual and before-upgrade backups are never pruned.
    Returns the new file, or None when today's exists already (or the store is not SQLite).

    A damaged store is never copied (StoreDamaged instead), and older backups are pruned
    only after today's was written and verified, so the newest good one always stays."""
    if sqlite_path(store.url) is None:
        return None
    require_store(store, "backup.run")
    if store.damaged is not None:
        raise store.damaged
    day = today or date.today()
    folder = backups_folder(store)
    final = folder / _daily_name(store, day)
    if final.exists():
        return None
    # Written under a private temporary name, verified, then linked into place: a second
    # user starting at the same moment, or a dropped link mid-copy, never leaves a partial
    # file that looks like today's backup (one left by a killed copy is removed by the
    # next copy into the folder: files.remove_stale_partials).
    try:
        write_copy(store, source_path(store), final)
    except FileExistsError:
        return None
    prune_daily(store, day)
    return final


def verify_store(store: Store) -> None:
    """A full check of the live store (``PRAGMA quick_check``: every page, without
    comparing each index with its table); damage marks it read-only and raises."""
    if not store.is_sqlite or store.damaged is not None:
        if store.damaged is not None:
            raise store.damaged
        return
    with store.read() as uow:
        rows = [r[0] for r in uow.session.execute(text("PRAGMA quick_check"))]
    if rows != ["ok"]:
        raise store.mark_damaged("; ".join(rows[:3]))


def prune_daily(store: Store, day: date, keep: int = KEEP_DAILY) -> list[Path]:
    """Remove the automatic backups beyond the newest ``keep`` up to ``day`` (today's, just
    made); returns what was removed. Only stores count and go: a file of another kind named
    like one, or one dated after ``day``, is not a backup bizdesk made up to now and pushes
    none out (fourteen such files once took the real ones, today's too); ``check`` tells."""
    stem = name_part(source_path(store).stem)
    folder = backups_dir(store.url)
    last = f"{stem}-{day:%Y%m%d}-{DAILY}.db"  # the names sort by their date
    daily = sorted(
        p
        for p in folder.glob(f"{glob.escape(stem)}-[0-9]*-{DAILY}.db")
        if p.name <= last and is_sqlite_file(p)
    )
    gone = daily[:-keep] if len(daily) > keep else []
    for path in gone:
        path.unlink(missing_ok=True)
        heads_file(path).unlink(missing_ok=True)
    return gone


def verify_backup(path: Path) -> None:
    """Refuse a file that is not a sound bizdesk store."""
    if not path.is_file():
        raise StoreError(Message("{path} does not exist", path=shown_name(path)))
    problem = file_problem(path)
    if problem is not None:
        raise StoreError(
            Message(
                "{path} is not a bizdesk store that can be restored ({problem}). Nothing was "
                "changed.",
                path=shown_name(path),
                problem=problem,
            )
        )


@dataclass
class Restored:
    safety: Path | None  # the copy of the old content (a sound store), or
    aside: Path | None  # where the damaged (or cut short) file was moved


def restore_store(
    target: Store | str, src: Path, *, user: str | None = None, other_shop: bool = False
) -> Restored:
    """Put a verified backup in place of the store ``target`` (an open store, or its URL).

    A backup of another shop (``_other_shop``) is refused, unless ``other_shop`` says that
    is meant; a store whose shop cannot be read (damaged, not set up) is not asked.

    A sound store is backed up first, under its write lock, and overwritten through the
    backup API before that lock is let go (others who have it open see the restored
    content; nothing committed is in neither); only its owners may. A damaged, cut-short or
    garbage store is never opened as a database: it is moved aside (kept, with its -wal),
    and the backup, copied under a temporary name beside it and verified, takes its
    name. Whoever may write the file may do that (there is no store to ask)."""
    src = Path(src)
    may_restore_from(src)  # under the shop's gate: its own backups only
    url = target if isinstance(target, str) else target.url
    verify_backup(src)
    path = sqlite_path(url)
    if path is None:
        raise StoreError(
            Message("backup and restore work on SQLite stores; use pg_dump for PostgreSQL")
        )
    if (odd := not_a_file(url)) is not None:  # a device or a pipe is never moved aside
        raise odd
    if path.exists() and header_problem(path) is None:
        mine = isinstance(target, str)
        store = open_store(url, user=user, create=False) if mine else target
        try:
            sound = store.damaged is None
            if sound:
                try:
                    verify_store(store)
                except StoreError:
                    sound = False
            if sound:
                require_store(store, "backup.run")
                if not other_shop:
                    with store.read() as uow:
                        ours = _shop(uow.session.execute(text(SHOP)).one())
                    _refuse_other_shop(ours, src, path)
                # the write lock first, then the safety copy, then the new content: what
                # was committed before the lock is in the copy, nothing can come between
                safety: list[Path] = []
                replace_content(
                    store, src, lambda: safety.append(copy_store(store, reason="before-restore"))
                )
                forget_damage(path)  # (a verified backup, whole)
                note_change()
                return Restored(safety=safety[0], aside=None)
        finally:
            if mine:
                store.dispose()
    if not other_shop and path.exists():  # a damaged store: whatever of it can be read
        _refuse_other_shop(_shop_in_file(path), src, path)
    if not path.exists():  # put back where none is: in a folder that exists (or the default's)
        new_store_folder(path)
    _owner_in_backup(src)
    aside = _replace_file(path, src)
    note_change()
    return Restored(safety=None, aside=aside)


# What tells one shop from another: its name, its currency and when its store was set up
# (setup.born: its first audit event), read alike from the live store and from a file.
SHOP = (
    "SELECT (SELECT value FROM setting WHERE key = 'company'), "
    "(SELECT value FROM setting WHERE key = 'currency'), "
    "(SELECT at FROM audit_event ORDER BY id LIMIT 1)"
)


@dataclass(frozen=True)
class Shop:
    company: str
    currency: str
    born: str  # '' before any audit event


def _shop(row) -> Shop | None:  # noqa: ANN001
    company, currency, born = row
    if not currency:  # a store not set up yet belongs to no shop
        return None
    return Shop(company=company or "", currency=currency, born=str(born or ""))


def _shop_in_file(path: Path) -> Shop | None:
    """The shop a store file holds, read without writing anything beside it; None when
    it cannot be read (a damaged or garbage file) or is not set up."""
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True)
        try:
            return _shop(conn.execute(SHOP).fetchone())
        finally:
            conn.close()
    except sqlite3.Error:
        return None


def _other_shop(ours: Shop | None, theirs: Shop | None) -> bool:
    """The backup is of another shop: not the same store (set up at another moment) and
    another name or currency. The same store is the same shop though renamed since; a
    store made anew for the same shop (same name and currency) takes its backups back."""
    if ours is None or theirs is None:
        return False
    if ours.born and ours.born == theirs.born:
        return False
    same_name = " ".join(ours.company.split()).casefold() == (
        " ".join(theirs.company.split()).casefold()
    )
    return not same_name or ours.currency.upper() != theirs.currency.upper()


def _refuse_other_shop(ours: Shop | None, src: Path, path: Path) -> None:
    theirs = _shop_in_file(src)
    if _other_shop(ours, theirs):
        raise StoreError(
            Message(
                "{backup} is a backup of another shop, {theirs} ({their_currency}), not of "
                "{ours} ({our_currency}) in {store}. Nothing was changed. To put {theirs} in "
                "place of {ours}, run the restore again with --other-shop.",
                backup=shown_name(src),
                theirs=theirs.company,
                their_currency=theirs.currency,
                ours=ours.company,
                our_currency=ours.currency,
                store=shown_name(path),
            )
        )


def _owner_in_backup(src: Path) -> None:
    """Under the shop's gate everyone can write the store's file (they all run as the shop's
    account), so a damaged store, which cannot be asked, is restored only by someone the
    backup itself names as an active owner. Elsewhere the file's own access decides."""
    gate = current_gate()
    if gate is None:
        return
    conn = sqlite3.connect(f"file:{src}?mode=ro", uri=True)
    try:
        row = conn.execute(
            "SELECT role, active FROM user WHERE username = ?", (gate.user,)
        ).fetchone()
    finally:
        conn.close()
    if row is None or row[0] != "owner" or not row[1]:
        raise PermissionDenied(
            Message(
                "Restoring the store is for its owners; {path} does not name {user} as one. "
                "Nothing was changed.",
                path=shown_name(src),
                user=gate.user,
            )
        )


def _replace_file(path: Path, src: Path) -> Path | None:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    aside = path.with_name(f"{path.name}.damaged-{stamp}")
    try:
        if not path.parent.exists():
            path.parent.mkdir(parents=True, mode=0o700)
        with atomic_path(path, own=True) as tmp:
            shutil.copyfile(src, tmp)
            problem = file_problem(tmp)
            if problem is not None:
                raise StoreError(
                    Message(
                        "the copy of {path} failed its check ({problem}); nothing changed",
                        path=shown_name(src),
                        problem=problem,
                    )
                )
            moved = None
            if path.exists():
                os.rename(path, aside)
                moved = aside
            for suffix in ("-wal", "-shm", "-journal"):
                side = path.with_name(path.name + suffix)
                if side.exists():
                    os.rename(side, aside.with_name(aside.name + suffix))
            forget_damage(path)  # the damage went with the file moved aside
    except OSError as exc:
        known = translate(exc, "sqlite:///" + str(path))
        if known is None:
            raise
        raise known from exc
    return moved
