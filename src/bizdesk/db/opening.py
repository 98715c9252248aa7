"""Opening a store (and upgrading it to this bizdesk's schema) and making a new one."""

from __future__ import annotations

import os
import shlex
import sqlite3
from collections.abc import Callable
from pathlib import Path

from bizdesk import collector
from bizdesk.config import is_default_store, resolve_db, sqlite_path
from bizdesk.db.engine import make_engine
from bizdesk.db.migrate import foreign_tables, holds_nothing, upgrade
from bizdesk.db.session import Store
from bizdesk.db.turns import side_file
from bizdesk.errors import StoreDamaged, StoreError
from bizdesk.faults import (
    damaged,
    empty_store,
    header_problem,
    missing,
    not_a_file,
    translate,
)
from bizdesk.files import atomic_path
from bizdesk.i18n import Message
from bizdesk.identity import os_username


def open_store(
    db: str | None = None,
    *,
    user: str | None = None,
    migrate: bool = True,
    create: bool = True,
    say: Callable[[Message], None] | None = None,
    empty_ok: bool = False,
) -> Store:
    """Open (and upgrade) the store named by --db / $BIZDESK_DB / the default. ``say`` is
    told when the upgrade makes the person wait (db/migrate.upgrade).

    A missing SQLite store is made (empty, migrated, whole or not at all) only with
    ``create``; the commands pass ``create=False`` so that only ``init`` makes one. A store
    whose file is damaged opens read-only (``Store.damaged``), without upgrading it.

    An empty file (0 bytes) is no store: it is refused before anything connects to it
    (connecting would write a new database's header into it, and the next opening would
    build an empty shop in place of the lost one), except with ``empty_ok`` (``init``,
    asked to make a shop in that very file)."""
    url = resolve_db(db)
    path = sqlite_path(url)
    problem = None
    if path is not None:
        if (odd := not_a_file(url)) is not None:  # a pipe, a device: never opened
            raise odd
        if not path.exists():
            if not create:
                raise missing(url)
            return create_store(db, user=user, migrate=migrate, new_folder=True)
        if path.stat().st_size == 0:
            if not empty_ok:
                raise empty_store(url)
        else:
            problem = header_problem(path)
            # (what the upgrade would refuse, found before anything connects; a store
            # opened without upgrading, to build an old one in a test, is not asked)
            if (
                problem is None
                and migrate
                and (refused := _not_a_store(url, path, create or empty_ok))
            ):
                raise refused
    try:
        store = Store(url=url, engine=make_engine(url), user=user or os_username())
    except Exception as exc:
        known = translate(exc, url)
        if known is None:
            raise
        raise known from exc
    if problem is not None:
        store.damaged = damaged(url, problem)
        return store
    if store.recall_damage() is not None:  # found inside the file before: only read
        return store
    if migrate:
        _upgrade(store, say, blank_ok=create or empty_ok)
    return store


def _not_a_store(url: str, path: Path, blank_ok: bool) -> StoreError | None:
    """Why the SQLite file at ``path`` is refused before anything connects to it, or None:
        it holds tables bizdesk did not make, or (unless ``blank_ok``) nothing at all. Asked
        through a read-only, immutable connection: connecting as a store turns the file to
        write-ahead logging (its header rewritten) and leaves its -wal and -shm beside it, and
        a writer its -turns (db/turns.py), beside a file that is then refused. A file with a
        log beside it (someone has it open, or was killed with it open) is left to the usual
        opening, which reads the log too (an immutable look would not: what a killed writer left
    in it would seem missing); so is one that cannot be read (damage is told there)."""
    if any(path.with_name(path.name + log).exists() for log in ("-wal", "-journal")):
        return None
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro&immutable=1", uri=True)
        try:
            names = {
                name
                for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            }
        finally:
            conn.close()
    except (sqlite3.Error, OSError, ValueError):
        return None
    if "alembic_version" in names:
        return None
    if any(not name.startswith("sqlite_") for name in names):
        return foreign_tables(url)
    return None if blank_ok else holds_nothing(url)


def _upgrade(
    store: Store, say: Callable[[Message], None] | None = None, *, blank_ok: bool = True
) -> None:
    try:
        upgrade(store, say, blank_ok=blank_ok)
    except StoreError:
        raise
    except Exception as exc:
        known = store.fault(exc)
        if known is None:
            raise
        if isinstance(known, StoreDamaged):
            return  # opened read-only: the interfaces say why
        raise known from exc


def new_store_folder(path: Path) -> None:
    """Refuse to make a store (or put one back) in a folder that does not exist, unless it
    is the default store's (made 0700 on first use): a mistyped --db or $BIZDESK_DB
    (``demo --db /tmp/a/b/c/typo.db``) would otherwise leave folders and a shop where
    nobody looks for them."""
    folder = path.parent
    if folder.exists() or is_default_store(path):
        return
    raise StoreError(
        Message(
            "The folder {folder} does not exist, so there is no store at {store}; nothing "
            "was changed. Check the --db path (or $BIZDESK_DB), or create the folder first: "
            "mkdir -p {command_folder}",
            folder=str(folder),
            store=str(path),
            command_folder=shlex.quote(str(folder)),
        )
    )


def create_store(
    db: str | None,
    *,
    user: str | None = None,
    fill: Callable[[Store], None] | None = None,
    migrate: bool = True,
    new_folder: bool = False,
) -> Store:
    """Make a new store, migrated and filled by ``fill`` (e.g. set up by ``init``): whole or
    not at all. An SQLite store is built under a temporary name beside its path and renamed
    into place when complete, so a kill or a full disk never leaves a half-made store (nor a
    file that blocks a second try). Refuses a store that exists, and one in a folder that
    does not exist (``new_store_folder``) unless ``new_folder`` (the person was asked)."""
    collector.settle()  # filling a store (a whole demo shop) is collected as usual
    url = resolve_db(db)
    path = sqlite_path(url)
    if path is None:  # PostgreSQL: the migrations and ``fill`` each run in one transaction
        store = Store(url=url, engine=make_engine(url), user=user or os_username())
        if migrate:
            _upgrade(store)
        if fill is not None:
            fill(store)
        return store
    if (odd := not_a_file(url)) is not None:
        raise odd
    if path.exists():
        raise StoreError(
            Message("{path} exists already; nothing was changed (choose another name)", path=path)
        )
    if not new_folder:
        new_store_folder(path)
    try:
        if not path.parent.exists():
            path.parent.mkdir(parents=True, mode=0o700)
            os.chmod(path.parent, 0o700)
        with atomic_path(path, exclusive=True) as tmp:
            temp = Store(
                url="sqlite:///" + str(tmp),
                engine=make_engine("sqlite:///" + str(tmp)),
                user=user or os_username(),
            )
            try:
                if migrate:
                    _upgrade(temp)
                if fill is not None:
                    fill(temp)
                with temp.engine.connect() as conn:  # everything into the file itself
                    conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            finally:
                temp.dispose()
                side_file(tmp).unlink(missing_ok=True)  # its writers' line: this process only
            for suffix in ("-wal", "-shm"):
                tmp.with_name(tmp.name + suffix).unlink(missing_ok=True)
    except FileExistsError:
        raise StoreError(Message("{path} exists already; nothing was changed", path=path)) from None
    except StoreError as exc:
        # told about the temporary file: tell it again about the store being made
        cause = exc.__cause__
        known = translate(cause, url) if cause is not None else None
        if known is None:
            raise
        raise known from cause
    except Exception as exc:
        known = translate(exc, url)
        if known is None:
            raise
        raise known from exc
    return open_store(str(path), user=user, create=False, migrate=migrate)
