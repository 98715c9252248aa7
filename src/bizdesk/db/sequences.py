"""Ids handed out by the services themselves (bulk imports, the demo) and the database's
own id counters: on PostgreSQL a SERIAL column's sequence does not see explicit ids, so it
is moved past them (SQLite takes the next rowid from the table itself)."""

from __future__ import annotations

from sqlalchemy import text


def sync_id_sequences(conn, *tables: str) -> None:  # noqa: ANN001 - Session or Connection
    """Move each table's id sequence to its largest id (PostgreSQL; nothing on SQLite)."""
    dialect = conn.dialect if hasattr(conn, "dialect") else conn.get_bind().dialect
    if dialect.name != "postgresql":
        return
    for table in tables:
        conn.execute(
            text(
                f"""SELECT setval(pg_get_serial_sequence('"{table}"', 'id'), """
                f"""COALESCE((SELECT MAX(id) FROM "{table}"), 0) + 1, false)"""
            )
        )
