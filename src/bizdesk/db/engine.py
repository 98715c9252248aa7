"""Creating engines: SQLite pragmas, BEGIN IMMEDIATE for writes, file permissions."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.pool import NullPool

from bizdesk.config import sqlite_path

BUSY_TIMEOUT_MS = 10_000
JOURNAL_SIZE_LIMIT = 64 * 1024 * 1024
WRITE = "write"


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


def make_engine(url: str) -> Engine:
    path = sqlite_path(url)
    if path is None:
        return create_engine(url, pool_pre_ping=True)
    prepare_sqlite_file(path)
    # NullPool: every unit of work opens and closes its own connection, so no read
    # transaction or file handle lingers while a screen sits idle.
    engine = create_engine(
        url,
        poolclass=NullPool,
        connect_args={"timeout": BUSY_TIMEOUT_MS / 1000, "check_same_thread": False},
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):  # noqa: ANN001
        # Let SQLAlchemy emit BEGIN itself (the driver's implicit BEGIN is deferred).
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA synchronous=FULL")
        cur.execute(f"PRAGMA journal_size_limit={JOURNAL_SIZE_LIMIT}")
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
