"""Purchase orders, their lines, supplier bills and payments."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Index
from sqlmodel import Field

from bizdesk.models.base import Row, figure, utcnow


class POState(StrEnum):
    """A purchase order's states, as stored (the moves: services/trade/purchasing.py)."""

    DRAFT = "draft"
    SENT = "sent"
    CONFIRMED = "confirmed"
    PARTIALLY_RECEIVED = "partially received"
    RECEIVED = "received"
    BILLED = "billed"
    CLOSED = "closed"
    CANCELLED = "cancelled"


class PurchaseOrder(Row, table=True):
    __tablename__ = "purchase_order"
    __table_args__ = (Index("ix_po_state", "state", "id"), Index("ix_po_supplier", "supplier_id"))

    id: int | None = Field(default=None, primary_key=True)
    number: int = Field(unique=True)
    supplier_id: int = Field(foreign_key="contact.id")
    state: str = Field(default=POState.DRAFT, max_length=20)
    order_date: date
    expected_date: date | None = None
    notes: str = ""
    # totals of the lines, kept with them (lines change only in a draft): lists need no join
    net_minor: int = figure(0)
    vat_minor: int = figure(0)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    updated_by: str = ""
    version: int = 1


class PurchaseLine(Row, table=True):
    __tablename__ = "purchase_line"

    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="purchase_order.id", index=True)
    position: int = 0
    product_id: int = Field(foreign_key="product.id", index=True)
    description: str = ""
    qty_scaled: int = figure()
    unit_cost_minor: int = figure()
    vat_bp: int = 0
    received_scaled: int = figure(0)
    received_value_minor: int = figure(0)  # stock value received, owed to GRNI
    billed_scaled: int = figure(0)
    billed_value_minor: int = figure(0)  # GRNI cleared by bills


class SupplierBill(Row, table=True):
    __tablename__ = "supplier_bill"

    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="purchase_order.id", index=True)
    supplier_id: int = Field(foreign_key="contact.id", index=True)
    reference: str = Field(default="", max_length=60)
    bill_date: date
    due_date: date
    net_minor: int = figure()
    vat_minor: int = figure()
    total_minor: int = figure()
    # the received value it clears; net - expected is the difference
    expected_net_minor: int = figure()
    entry_id: int = Field(foreign_key="journal_entry.id")
    created_at: datetime = Field(default_factory=utcnow)


class SupplierPayment(Row, table=True):
    __tablename__ = "supplier_payment"

    id: int | None = Field(default=None, primary_key=True)
    bill_id: int = Field(foreign_key="supplier_bill.id", index=True)
    paid_on: date
    amount_minor: int = figure()
    account_id: int = Field(foreign_key="account.id")
    entry_id: int = Field(foreign_key="journal_entry.id")
    created_at: datetime = Field(default_factory=utcnow)
