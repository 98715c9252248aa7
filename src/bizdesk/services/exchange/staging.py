"""What every CSV import shares: the result it reports, the private staging file its
checked rows wait in, the problems it lists, and the fast bulk write (indexes set aside).
Kept apart from the imports themselves so that one import does not load another's
domain (the journal import never loads the contact services)."""

from __future__ import annotations

import heapq
import os
import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from sqlalchemy.exc import OperationalError

from bizdesk.db.session import UnitOfWork
from bizdesk.errors import ValidationError
from bizdesk.i18n import Lines, Message

BATCH = 5000  # rows checked, looked up and written together
SHOWN = 200  # problems listed at most (then "... and N more")


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    skipped: int = 0
    errors: list[str] = field(default_factory=list)
    dry_run: bool = False
    posted: str = ""  # a journal import's entries: "JE-12" or "JE-12–JE-20"

    def summary(self, what: str) -> Message:
        """What the import did, in a sentence for people: ``what`` is "contacts",
        "products", "stock-count" or "journal" (each count with its own plural)."""
        c, u, s, dry = self.created, self.updated, self.skipped, self.dry_run
        if what == "journal":
            if dry:
                return Message.plural(
                    "{n} entry would be posted.", "{n} entries would be posted.", c
                )
            if self.posted:
                return Message.plural(
                    "{n} entry was posted: {numbers}.",
                    "{n} entries were posted: {numbers}.",
                    c,
                    numbers=self.posted,
                )
            return Message.plural("{n} entry was posted.", "{n} entries were posted.", c)
        if what == "stock-count":
            adjusted = (
                Message.plural("{n} product would be adjusted", "{n} products would be adjusted", c)
                if dry
                else Message.plural("{n} product was adjusted", "{n} products were adjusted", c)
            )
            matched = Message.plural("{n} matched the books", "{n} matched the books", s)
            return Message("{adjusted}, {matched}.", adjusted=adjusted, matched=matched)
        if what == "contacts":
            created = (
                Message.plural("{n} contact would be created", "{n} contacts would be created", c)
                if dry
                else Message.plural("{n} contact was created", "{n} contacts were created", c)
            )
        else:
            created = (
                Message.plural("{n} product would be created", "{n} products would be created", c)
                if dry
                else Message.plural("{n} product was created", "{n} products were created", c)
            )
        return Message(
            "{created}, {updated}, {unchanged}.",
            created=created,
            updated=Message.plural("{n} updated", "{n} updated", u),
            unchanged=Message.plural("{n} unchanged", "{n} unchanged", s),
        )


class Staging:
    """Checked rows on their way to the store: a private temporary SQLite file, so that
    a file of any length is held on disk, not in memory (unlinked at once: its space is
    freed when it is closed, or when the process ends however it ends)."""

    def __init__(self, columns: tuple[str, ...]) -> None:
        fd, self.path = tempfile.mkstemp(prefix="bizdesk-import-", suffix=".db")  # 0600
        os.close(fd)
        self.db = sqlite3.connect(self.path, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=OFF")
        self.db.execute("PRAGMA synchronous=OFF")
        self.db.execute(f"CREATE TABLE row ({', '.join(columns)})")
        os.unlink(self.path)  # no name left behind, even if the process is killed
        self._insert = f"INSERT INTO row VALUES ({', '.join('?' * len(columns))})"

    def add(self, rows: list[tuple]) -> None:
        with self.db:  # one transaction a batch (not one a row)
            self.db.execute("BEGIN")
            self.db.executemany(self._insert, rows)

    def query(self, sql: str, *params: object) -> Iterator[tuple]:
        cur = self.db.execute(sql, params)
        while chunk := cur.fetchmany(BATCH):
            yield from chunk

    def close(self) -> None:
        self.db.close()


class Problems:
    """A file's problems: the first ``SHOWN`` by line kept word for word (in a heap of that
    size, whatever order they are found in), the rest only counted, so memory stays bounded
    however many lines are bad."""

    def __init__(self, shown: int = SHOWN) -> None:
        self.shown = shown
        self.items: list[tuple[int, int, str]] = []  # (-line, -seq, message): a max-heap
        self.count = 0

    def add(self, line: int, message: str) -> None:
        """``message``: "line N: …" (``line_problem``), a Message translated where shown."""
        self.count += 1
        item = (-line, -self.count, message)  # same line: the one found first is kept
        if len(self.items) < self.shown:
            heapq.heappush(self.items, item)
        elif item > self.items[0]:  # an earlier line than the last one kept
            heapq.heapreplace(self.items, item)

    def __bool__(self) -> bool:
        return self.count > 0

    def raise_any(self) -> None:
        if not self.count:
            return
        shown = [m for _, _, m in sorted(self.items, reverse=True)]
        if self.count > len(shown):
            more = self.count - len(shown)
            shown.append(
                Message.plural("... and {n} more problem", "... and {n} more problems", more)
            )
        text = Lines(shown)
        raise ValidationError({"file": text}, message=text)


def line_problem(line: int, problem: str, column: str | None = None) -> Message:
    """One problem of an imported file: "line 12: email: …" (the column's name as the file
    writes it; ``problem`` a Message)."""
    if column is None:
        return Message("line {line}: {problem}", line=line, problem=problem)
    return Message("line {line}: {column}: {problem}", line=line, column=column, problem=problem)


@contextmanager
def fewer_indexes(uow: UnitOfWork, tables: tuple[str, ...], adding: int) -> Iterator[None]:
    """Insert many rows into ``tables`` faster: when the rows added are at least as many as
    the rows there (a first import, as a shop moves in), the tables' secondary indexes (not
    their primary keys, not their unique constraints) are dropped for the block and made
    again at the end from their own definitions, all in the caller's transaction: sorting
    once beats updating every index row by row. On PostgreSQL the tables' foreign keys are
    set aside the same way (checked again in one query at the end, not one a row).

    Other people meanwhile: on SQLite they keep reading the old state (WAL); on PostgreSQL
    the dropped indexes lock the tables until the import commits, so a reader of them waits
    that long (seconds) and is then answered. If another session is reading a table when the
    import wants it (a long report), the import does not wait: it keeps the indexes and
    writes the slower way. If the block fails, nothing is re-created here: the caller's
    transaction (or savepoint) rolls back, drops included, as every unit of work does on an
    error."""
    conn = uow.session.connection()
    if adding < 1000:
        yield
        return
    if not uow.store.is_sqlite:
        with _fewer_postgresql(conn, tables, adding):
            yield
        return
    if analyzed(conn):
        yield
        return
    dropped: list[tuple[str, str]] = []
    for table in tables:
        present = conn.exec_driver_sql(f"SELECT max(rowid) FROM {table}").scalar() or 0
        if adding < present:  # (max rowid bounds the rows there)
            continue
        dropped += conn.exec_driver_sql(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? "
            "AND sql IS NOT NULL AND sql NOT LIKE 'CREATE UNIQUE%'",
            (table,),
        ).all()
    for name, _sql in dropped:
        conn.exec_driver_sql(f'DROP INDEX "{name}"')
    yield
    for _name, sql in dropped:
        conn.exec_driver_sql(sql)


@contextmanager
def _fewer_postgresql(conn, tables: tuple[str, ...], adding: int) -> Iterator[None]:  # noqa: ANN001
    """``fewer_indexes`` on PostgreSQL: secondary indexes and foreign keys set aside."""
    indexes: list[tuple[str, str]] = []
    keys: list[tuple[str, str, str]] = []
    for table in tables:
        present = conn.exec_driver_sql(  # (counted up to just past ``adding``)
            f"SELECT count(*) FROM (SELECT 1 FROM {table} LIMIT %s) AS t", (adding + 1,)
        ).scalar()
        if adding < present:
            continue
        indexes += conn.exec_driver_sql(
            "SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x "
            "JOIN pg_class i ON i.oid = x.indexrelid "
            "WHERE x.indrelid = %s::regclass AND NOT x.indisunique AND NOT x.indisprimary",
            (table,),
        ).all()
        keys += [
            (table, name, definition)
            for name, definition in conn.exec_driver_sql(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conrelid = %s::regclass AND contype = 'f'",
                (table,),
            ).all()
        ]
    if not indexes and not keys:
        yield
        return
    waited = conn.exec_driver_sql("SHOW lock_timeout").scalar()
    try:
        with conn.begin_nested():
            # a reader of these tables is not waited for (nor is its next read made to
            # wait behind this drop): well within the deadlock check's 1 s, so that a
            # reader is never the one PostgreSQL aborts
            conn.exec_driver_sql("SET LOCAL lock_timeout = '100ms'")
            for table, name, _definition in keys:
                conn.exec_driver_sql(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
            for name, _definition in indexes:
                conn.exec_driver_sql(f'DROP INDEX "{name}"')
    except OperationalError:  # someone is reading one of the tables: the slower way
        yield  # (the savepoint's rollback undid the drops and the SET)
        return
    conn.exec_driver_sql("SELECT set_config('lock_timeout', %s, true)", (waited,))
    yield
    for _name, definition in indexes:
        conn.exec_driver_sql(definition)
    for table, name, definition in keys:
        conn.exec_driver_sql(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')


def analyzed(conn) -> bool:  # noqa: ANN001
    """Whether someone ran ANALYZE on the store: dropping an index would drop its statistics
    (which CREATE INDEX does not bring back), so the indexes then stay."""
    return (
        conn.exec_driver_sql(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_stat1'"
        ).first()
        is not None
    )


def chunks(rows: Iterator[tuple], size: int = BATCH) -> Iterator[list[tuple]]:
    chunk: list[tuple] = []
    for r in rows:
        chunk.append(r)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
