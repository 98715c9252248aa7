"""An invoice keeps its customer as issued: ``invoice.customer_details`` (JSON: name,
address, VAT id, e-mail), written when an invoice or a credit note is made. A reprint read
the contact as it is today, so an issued invoice changed when the customer moved. Invoices
made before keep '' and print the contact as it is.

Revision ID: 0026
Revises: 0025
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("invoice") as batch:
        batch.add_column(
            sa.Column(
                "customer_details",
                sqlmodel.sql.sqltypes.AutoString(),
                nullable=False,
                server_default="",
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("invoice") as batch:
        batch.drop_column("customer_details")
