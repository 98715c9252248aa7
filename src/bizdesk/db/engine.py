"""Creating engines: SQLite pragmas, BEGIN IMMEDIATE for writes, file permissions; on
PostgreSQL a short pool and one advisory lock per write transaction."""

from __future__ import annotations

import grp
import os
import stat
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import InvalidatePoolError
from sqlalchemy.pool import QueuePool

from bizdesk.config import sqlite_path
from bizdesk.errors import StoreError
from bizdesk.i18n import Message
from bizdesk.reading import quoted

BUSY_TIMEOUT_MS = 10_000
JOURNAL_SIZE_LIMIT = 64 * 1024 * 1024
WRITE = "write"
# Connections kept open between units of work (SQLite): about one per thread that works on
# the store (the app's workers run on a small thread pool); more at once are opened and
# closed as needed, never waited for.
KEPT_CONNECTIONS = 4
# The key of the advisory lock every PostgreSQL write transaction holds (see make_pg_engine).
# Advisory locks live per database, so two stores on one server never wait for each other.
WRITE_LOCK_KEY = 0x62697A6465736B  # "bizdesk"


def prepare_sqlite_file(path: Path) -> None:
    """Create the store's folder (0700) and file (0600) if missing; never widen access.

    A folder that already exists keeps its mode and group, so a shared shop folder
    (2770, group-owned) stays shared and the new file inherits the group.
    """
    folder = path.parent
    if not folder.exists():
        folder.mkdir(parents=True, mode=0o700)
        os.chmod(folder, 0o700)
    if not path.exists():
        shared = bool(folder.stat().st_mode & stat.S_ISGID)
        mode = 0o660 if shared else 0o600
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, mode)
        os.close(fd)
        os.chmod(path, mode)


SHARED_FOLDER_MODE = 0o2770


def prepare_shared_folder(folder: Path, group: str) -> None:
    """Make ``folder`` a shop folder shared by ``group``: owned by it, mode 2770.

    A new folder is created so; a folder that exists must already be shared with that
    group (bizdesk never widens access to something it did not make). On failure nothing
    is left behind.
    """
    try:
        gid = grp.getgrnam(group).gr_gid
    except KeyError:
        raise StoreError(
            Message(
                "there is no Unix group named {group} (create it with groupadd)",
                group=quoted(group, 40),
            )
        ) from None
    if folder.exists():
        st = folder.stat()
        if not folder.is_dir():
            raise StoreError(Message("{folder} exists and is not a folder", folder=folder))
        if st.st_gid != gid or stat.S_IMODE(st.st_mode) != SHARED_FOLDER_MODE:
            raise StoreError(
                Message(
                    "{folder} exists but is not shared with group {name}; bizdesk will not "
                    "change an existing folder. As its owner run: chgrp {group} {folder} && "
                    "chmod 2770 {folder} (or choose a new folder)",
                    folder=folder,
                    name=quoted(group, 40),
                    group=group,
                )
            )
        return
    try:
        folder.mkdir(mode=0o700)
    except OSError as exc:
        raise StoreError(
            Message("cannot create {folder}: {error}", folder=folder, error=exc.strerror)
        ) from None
    try:
        os.chown(folder, -1, gid)
        os.chmod(folder, SHARED_FOLDER_MODE)
    except OSError as exc:
        folder.rmdir()
        raise StoreError(
            Message(
                "cannot give {folder} to group {group}: {error} (you must be a member of the "
                "group)",
                folder=folder,
                group=quoted(group, 40),
                error=exc.strerror,
            )
        ) from None


def make_engine(url: str) -> Engine:
    path = sqlite_path(url)
    if path is None:
        if url.startswith("postgresql"):
            return make_pg_engine(url)
        return create_engine(url, pool_pre_ping=True)
    prepare_sqlite_file(path)
    # Connections are kept open and reused (opening one costs a file open and five PRAGMAs,
    # closing the last one a checkpoint): each unit of work takes one and gives it back
    # rolled back, so no read transaction lingers while a screen sits idle.
    engine = create_engine(
        url,
        poolclass=QueuePool,
        pool_size=KEPT_CONNECTIONS,
        max_overflow=-1,
        pool_reset_on_return="rollback",
        connect_args={"timeout": BUSY_TIMEOUT_MS / 1000, "check_same_thread": False},
    )

    @event.listens_for(engine, "checkout")
    def _on_checkout(_dbapi_conn, record, _proxy):  # noqa: ANN001
        # A kept connection reads the file it opened. If the store's name now points at
        # another file (a damaged store moved aside and a backup put in its place, by
        # another process), or the file may no longer be written (made read-only, its
        # disk remounted read-only), it is closed and a new one opened as a new one would
        # be: on the file now there, refused writing as it would be.
        # Every kept connection goes (one left open would keep the old write-ahead log).
        if record.info.get("file") != file_state(path):
            engine.pool.dispose()  # the idle ones now; those in use when they come back
            raise InvalidatePoolError("the store's file was replaced or made read-only")

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, record):  # noqa: ANN001
        record.info["file"] = state = file_state(path)
        # Let SQLAlchemy emit BEGIN itself (the driver's implicit BEGIN is deferred).
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA synchronous=FULL")
        cur.execute(f"PRAGMA journal_size_limit={JOURNAL_SIZE_LIMIT}")
        if not state[1]:  # a read-only file: refused writing even while another
            cur.execute("PRAGMA query_only=ON")  # connection keeps its log writable
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):  # noqa: ANN001
        # Writers take the write lock up front: a deferred BEGIN that later upgrades to a
        # write fails with SQLITE_BUSY instead of waiting, under concurrent writers.
        if conn.get_execution_options().get("bizdesk_mode") == WRITE:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            conn.exec_driver_sql("BEGIN")

    return engine


def file_identity(path: Path) -> tuple[int, int] | None:
    """Which file ``path`` names now (device, inode); None if none."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_dev, st.st_ino


def file_state(path: Path) -> tuple[tuple[int, int] | None, bool]:
    """Which file ``path`` names now, and whether this process may write it."""
    return file_identity(path), os.access(path, os.W_OK)


def make_pg_engine(url: str) -> Engine:
    """A PostgreSQL engine that keeps the guarantees the services were written against.

    Writers: the services rely on one writer at a time (SQLite's BEGIN IMMEDIATE): gap-free
    numbers are read and taken inside the posting transaction, stock is checked before a
    delivery, a version is compared before an edit. Rather than find and row-lock every such
    read (and keep finding them as services grow), every write transaction first takes one
    transaction-level advisory lock, ``pg_advisory_xact_lock``: writers queue exactly as they
    do behind BEGIN IMMEDIATE, the lock goes with COMMIT/ROLLBACK (a killed process cannot
    leave it behind), and two writers can never deadlock each other. The transaction stays
    READ COMMITTED so each statement after the lock sees everything the previous writer
    committed (a REPEATABLE READ snapshot would be taken by the lock statement itself, before
    the wait, and miss it).

    Readers never take the lock (as in WAL mode, reading never waits for a writer) and run
    REPEATABLE READ, so a report or ``check`` made of several queries sees one consistent
    state, as a SQLite read transaction does.

    Pool: a few connections, returned (rolled back) at the end of every unit of work, so a
    screen sitting idle holds no transaction open; pre-ping replaces connections the server
    or a network drop closed; recycle keeps them from living for days.
    """
    engine = create_engine(
        url,
        pool_size=2,
        max_overflow=4,
        pool_pre_ping=True,
        pool_recycle=1800,
        pool_reset_on_return="rollback",
    )

    @event.listens_for(engine, "begin")
    def _on_begin(conn):  # noqa: ANN001
        if conn.get_execution_options().get("bizdesk_mode") == WRITE:
            conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({WRITE_LOCK_KEY})")
        else:
            conn.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")

    return engine
