"""An invoice keeps the shop as issued: ``invoice.shop_details`` (JSON: name, address, VAT
id, bank account, e-mail, phone), written when an invoice or a credit note is made. A
reprint read the shop's details as they are today, so an issued invoice changed when the
shop moved or changed its bank. Invoices made before keep '' and print the shop as it is.

Revision ID: 0027
Revises: 0026
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0027"
down_revision = "0026"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("invoice") as batch:
        batch.add_column(
            sa.Column(
                "shop_details",
                sqlmodel.sql.sqltypes.AutoString(),
                nullable=False,
                server_default="",
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("invoice") as batch:
        batch.drop_column("shop_details")
