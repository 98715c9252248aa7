"""On PostgreSQL every sorted list has a (sort key, id) index for keyset paging, and every
folded search text a trigram index (migration 0008); SQLite's own indexes carry the row id.
The plans are checked, not only the names: the list sorted by stage walks its index."""

from __future__ import annotations

import pytest
from sqlalchemy import text

PAGING = {
    "ix_contact_city_id",
    "ix_contact_country_id",
    "ix_contact_stage_id",
    "ix_deal_amount_id",
    "ix_deal_probability_id",
    "ix_ticket_subject_id",
    "ix_po_date_id",
}
TRIGRAM = {"contact_search_text", "deal_search_text", "ticket_search_text", "product_search_text"}


def test_postgresql_has_the_paging_and_search_indexes(store, backend) -> None:  # noqa: ANN001
    if backend != "pg":
        pytest.skip("PostgreSQL-only: SQLite's indexes carry the row id already")
    with store.engine.connect() as conn:
        names = set(conn.execute(text("SELECT indexname FROM pg_indexes")).scalars())
        assert PAGING | TRIGRAM <= names
        conn.execute(text("SET enable_seqscan = off"))  # a tiny table: ask what it can use
        plan = "\n".join(
            conn.execute(
                text(
                    "EXPLAIN SELECT id FROM contact WHERE (stage, id) > ('lead', 0) "
                    "ORDER BY stage, id LIMIT 20"
                )
            ).scalars()
        )
    assert "ix_contact_stage_id" in plan, plan
