"""On PostgreSQL every amount and quantity column is a 64-bit integer, as on SQLite: made so
by migration 0024 for a store made before it (whose figures it keeps), and by the models for
what SQLAlchemy casts its parameters to."""

from __future__ import annotations

import pytest
from alembic import command
from sqlalchemy import func, select, text

from bizdesk.db.migrate import HEAD, alembic_config
from bizdesk.models import load_all
from bizdesk.models.ledger import JournalLine

TYPES = (
    "SELECT table_name, column_name, data_type FROM information_schema.columns "
    "WHERE table_schema = current_schema() "
    "AND (column_name LIKE '%\\_minor' OR column_name LIKE '%\\_scaled')"
)


def _types(store) -> dict[tuple[str, str], str]:  # noqa: ANN001
    with store.engine.connect() as conn:
        return {(t, c): d for t, c, d in conn.execute(text(TYPES))}


def test_every_amount_and_quantity_is_a_bigint(store, backend) -> None:  # noqa: ANN001
    if backend != "pg":
        pytest.skip("PostgreSQL-only: SQLite's INTEGER holds 64 bits")
    figures = {
        (table.name, column.name)
        for table in load_all().tables.values()
        for column in table.columns
        if column.name.endswith(("_minor", "_scaled"))
    }
    assert len(figures) > 60
    assert set(_types(store)) == figures
    assert set(_types(store).values()) == {"bigint"}
    for table in load_all().tables.values():
        for column in table.columns:
            if (table.name, column.name) in figures:
                assert str(column.type) == "BIGINT", (table.name, column.name)
    with store.engine.connect() as conn:  # a sum of BIGINTs is NUMERIC on PostgreSQL
        total = func.coalesce(func.sum(JournalLine.debit_minor - JournalLine.credit_minor), 0)
        assert type(conn.execute(select(total)).scalar_one()) is int


def test_a_store_made_before_gets_bigints_and_keeps_its_figures(store, backend) -> None:  # noqa: ANN001
    if backend != "pg":
        pytest.skip("PostgreSQL-only: SQLite's INTEGER holds 64 bits")
    config = alembic_config(store)
    command.downgrade(config, "0023")
    assert set(_types(store).values()) == {"integer"}
    with store.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO budget (account_id, year, month, amount_minor, updated_at, "
                "updated_by) VALUES (1, 2026, 1, :a, now(), '')"
            ),
            {"a": 2_147_483_647},
        )
    command.upgrade(config, HEAD)
    assert set(_types(store).values()) == {"bigint"}
    with store.engine.connect() as conn:
        assert conn.execute(text("SELECT amount_minor FROM budget")).scalar_one() == 2_147_483_647
