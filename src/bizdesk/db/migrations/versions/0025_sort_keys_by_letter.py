"""Names sorted by their letters: "Ștefan" among the S, "Đặng" among the D.

The sort keys of contacts, products and deals (``sort_name``, ``sort_title``) were the
casefolded name, so lists ordered by code point put every name starting with an accented
letter (Ș, Ț, Â, Đ, É...) after Z. They become ``validate.sort_key``: the name's letters
without accents, then its accents where it has any. The downgrade writes the casefolded
names back. (The key is written out here, as it is at this revision.)

Revision ID: 0025
Revises: 0024
"""

from collections.abc import Callable

import sqlalchemy as sa
from alembic import op

from bizdesk.folding import fold

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None

KEYS = {
    "contact": ("name", "sort_name"),
    "product": ("name", "sort_name"),
    "deal": ("title", "sort_title"),
}
BATCH = 5000


def _rewrite(key: Callable[[str], str]) -> None:
    conn = op.get_bind()
    for table, (source, column) in KEYS.items():
        rows = conn.execute(sa.text(f"SELECT id, {source}, {column} FROM {table} ORDER BY id"))
        changed = [{"id": i, "k": k} for i, name, old in rows if (k := key(name)) != old]
        stmt = sa.text(f"UPDATE {table} SET {column} = :k WHERE id = :id")
        for start in range(0, len(changed), BATCH):
            conn.execute(stmt, changed[start : start + BATCH])


def _by_letter(name: str) -> str:
    letters, cased = fold(name)[:200], name.casefold()[:200]
    return letters if letters == cased else f"{letters}\x1f{cased}"


def upgrade() -> None:
    _rewrite(_by_letter)


def downgrade() -> None:
    _rewrite(lambda name: name.casefold()[:200])
