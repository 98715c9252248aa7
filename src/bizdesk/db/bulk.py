"""Many checked rows into one table, the fastest way each engine takes them: PostgreSQL's
COPY (one stream, no statement per row), SQLite's executemany (in-process, already fast).
Values are what the driver stores (callers convert dates and times as SQLAlchemy would).
Either way a refusal by the database comes as SQLAlchemy's exception (an IntegrityError for
a unique or foreign key), as for any other statement."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError


def insert_rows(
    conn: Connection, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]
) -> None:
    """INSERT the ``rows`` (tuples in ``columns`` order) into ``table`` within the
    connection's transaction."""
    names = ", ".join(columns)
    if conn.dialect.name == "postgresql":
        raw = conn.connection.dbapi_connection  # psycopg 3, inside the same transaction
        statement = f"COPY {table} ({names}) FROM STDIN"
        try:
            with raw.cursor() as cur, cur.copy(statement) as copy:
                for row in rows:
                    copy.write_row(row)
        except conn.dialect.loaded_dbapi.Error as exc:  # as SQLAlchemy raises it elsewhere
            raise DBAPIError.instance(
                statement, None, exc, conn.dialect.loaded_dbapi.Error, dialect=conn.dialect
            ) from exc
        return
    rows = rows if isinstance(rows, list) else list(rows)
    if rows:
        marks = ", ".join(["?"] * len(columns))
        conn.exec_driver_sql(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)
