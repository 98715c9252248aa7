"""Sales orders, their lines, invoices and credit notes, and customer payments."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Index
from sqlmodel import Field

from bizdesk.models.base import Row, figure, utcnow


class SOState(StrEnum):
    """A sales order's states, as stored (the moves between them: services/trade/sales.py)."""

    DRAFT = "draft"
    CONFIRMED = "confirmed"
    PARTIALLY_DELIVERED = "partially delivered"
    DELIVERED = "delivered"
    INVOICED = "invoiced"
    CLOSED = "closed"
    CANCELLED = "cancelled"


class SalesOrder(Row, table=True):
    __tablename__ = "sales_order"
    __table_args__ = (Index("ix_so_state", "state", "id"), Index("ix_so_customer", "customer_id"))

    id: int | None = Field(default=None, primary_key=True)
    number: int = Field(unique=True)
    customer_id: int = Field(foreign_key="contact.id")
    deal_id: int | None = Field(default=None, foreign_key="deal.id", unique=True)
    state: str = Field(default=SOState.DRAFT, max_length=20)
    order_date: date
    notes: str = ""
    net_minor: int = figure(0)  # totals of the lines, kept with them (lines change only in a draft)
    vat_minor: int = figure(0)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    updated_by: str = ""
    version: int = 1


class SalesLine(Row, table=True):
    __tablename__ = "sales_line"

    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="sales_order.id", index=True)
    position: int = 0
    product_id: int | None = Field(default=None, foreign_key="product.id", index=True)
    description: str = ""
    qty_scaled: int = figure()
    unit_price_minor: int = figure()
    vat_bp: int = 0
    delivered_scaled: int = figure(0)
    delivered_value_minor: int = figure(0)  # what the goods cost when they left (average cost)
    invoiced_scaled: int = figure(0)
    returned_scaled: int = figure(0)  # of the invoiced quantity
    returned_value_minor: int = figure(0)


class Invoice(Row, table=True):
    """An invoice, or a credit note (kind "credit") that takes back part of one."""

    __table_args__ = (
        Index("ix_invoice_number", "kind", "number", unique=True),
        Index("ix_invoice_customer", "customer_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(default="invoice", max_length=10)
    number: int
    order_id: int = Field(foreign_key="sales_order.id", index=True)
    customer_id: int = Field(foreign_key="contact.id")
    credits_id: int | None = Field(default=None, foreign_key="invoice.id")
    issued_on: date
    due_on: date
    net_minor: int = figure()
    vat_minor: int = figure()
    total_minor: int = figure()
    entry_id: int = Field(foreign_key="journal_entry.id")
    created_at: datetime = Field(default_factory=utcnow)
    # the customer as issued (JSON: services.trade.sales.CUSTOMER_DETAILS); '' before 0026
    customer_details: str = Field(default="", sa_column_kwargs={"server_default": ""})
    # the shop as issued (JSON: services.base.shop_details.ISSUER_DETAILS); '' before 0027
    shop_details: str = Field(default="", sa_column_kwargs={"server_default": ""})


class InvoiceLine(Row, table=True):
    """What an invoice (or credit note) charged for one order line."""

    __tablename__ = "invoice_line"

    id: int | None = Field(default=None, primary_key=True)
    invoice_id: int = Field(foreign_key="invoice.id", index=True)
    sales_line_id: int = Field(foreign_key="sales_line.id")
    qty_scaled: int = figure()
    net_minor: int = figure()
    vat_minor: int = figure()


class CustomerPayment(Row, table=True):
    __tablename__ = "customer_payment"

    id: int | None = Field(default=None, primary_key=True)
    invoice_id: int = Field(foreign_key="invoice.id", index=True)
    paid_on: date
    amount_minor: int = figure()
    account_id: int = Field(foreign_key="account.id")
    entry_id: int = Field(foreign_key="journal_entry.id")
    created_at: datetime = Field(default_factory=utcnow)
