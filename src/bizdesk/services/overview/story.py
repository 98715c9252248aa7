"""A contact's whole story in one read: deals, sales orders, invoices with what is unpaid,
payments and tickets for a customer; purchase orders, bills and what is owed for a supplier."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import false, func, select, true

from bizdesk.db.session import UnitOfWork
from bizdesk.formatting import money
from bizdesk.i18n import Message
from bizdesk.models.deals import Deal, PipelineStage
from bizdesk.models.ledger import JournalEntry, JournalLine
from bizdesk.models.purchasing import PurchaseOrder, SupplierBill, SupplierPayment
from bizdesk.models.sales import CustomerPayment, Invoice, SalesOrder
from bizdesk.models.tickets import Ticket
from bizdesk.money import from_minor
from bizdesk.reading import date_text
from bizdesk.services.base import validate as v
from bizdesk.services.base.numbering import invoice_label, po_label, so_label
from bizdesk.services.base.paging import PageRequest
from bizdesk.services.base.permissions import can, requires
from bizdesk.services.base.states import state_word
from bizdesk.services.books.ledger import account_for
from bizdesk.services.crm import tickets as T
from bizdesk.services.trade.purchasing import FLOW as PURCHASE_FLOW
from bizdesk.services.trade.sales import FLOW as SALES_FLOW
from bizdesk.words import SLA_NAMES, TICKET_STATUS_NAMES, word_message

LIMIT = 20  # the newest of each kind; the lists behind them show everything


@dataclass(frozen=True)
class Item:
    """One document on the page: what opens it, and a line of text about it."""

    kind: str  # an open_record kind: deal, sales_order, purchase_order, ticket
    id: int
    day: date | None
    text: str


@dataclass(frozen=True)
class Story:
    deals: list[Item]
    orders: list[Item]
    invoices: list[Item]
    payments: list[Item]
    tickets: list[Item]
    purchases: list[Item]
    bills: list[Item]
    # what the customer owes us / we owe the supplier (their receivable / payable balance);
    # None where the role may not see it
    unpaid: Decimal | None
    owed: Decimal | None

    @property
    def documents(self) -> list[Item]:
        return [
            *self.deals,
            *self.orders,
            *self.invoices,
            *self.tickets,
            *self.purchases,
            *self.bills,
        ]


@requires("contacts.view")
def story(uow: UnitOfWork, contact_id: int) -> Story:
    """The page's documents, each kind only for a role that may see that kind."""
    exp = uow.exponent
    money_ok = can(uow, "contacts.money")
    money_rows = true() if money_ok else false()  # the invoice, payment and bill queries

    loc = uow.setting("locale", "en_US")

    def m(x: int) -> str:  # an amount as the shop's locale writes it (1.500.000 in VND)
        return money(from_minor(x, exp), loc)

    deals = (
        [
            Item("deal", d_id, None, f"{title} · {stage} · {m(amount)}")
            for d_id, title, stage, amount in uow.session.execute(
                select(Deal.id, Deal.title, PipelineStage.name, Deal.amount_minor)
                .join(PipelineStage, PipelineStage.id == Deal.stage_id)
                .where(Deal.contact_id == contact_id, Deal.archived.is_(False))
                .order_by(Deal.id.desc())
                .limit(LIMIT)
            )
        ]
        if can(uow, "deals.view")
        else []
    )
    orders = (
        [
            Item(
                "sales_order",
                so.id,
                so.order_date,
                Message(
                    "{label} · {state} · {total}",
                    label=so_label(so.number),
                    state=state_word(so.state),
                    total=m(so.net_minor + so.vat_minor),
                ),
            )
            for so in uow.session.scalars(
                select(SalesOrder)
                .where(SalesOrder.customer_id == contact_id)
                .order_by(SalesOrder.id.desc())
                .limit(LIMIT)
            )
        ]
        if can(uow, "sales.view")
        else []
    )
    paid = (
        select(func.coalesce(func.sum(CustomerPayment.amount_minor), 0))
        .where(CustomerPayment.invoice_id == Invoice.id)
        .scalar_subquery()
    )
    invoices = []
    for inv, settled in uow.session.execute(
        select(Invoice, paid)
        .where(Invoice.customer_id == contact_id, money_rows)
        .order_by(Invoice.id.desc())
        .limit(LIMIT)
    ):
        label = invoice_label(inv.kind, inv.number)
        if inv.kind == "invoice":
            back = _credited(uow, inv.id)
            left = max(0, inv.total_minor - settled - back)
            if left:
                text = Message(
                    "{label} · {total} · due {due} · UNPAID {left}",
                    label=label,
                    total=m(inv.total_minor),
                    due=date_text(inv.due_on),
                    left=m(left),
                )
            else:
                text = Message(
                    "{label} · {total} · due {due} · paid",
                    label=label,
                    total=m(inv.total_minor),
                    due=date_text(inv.due_on),
                )
        else:
            text = Message("{label} · credit {total}", label=label, total=m(inv.total_minor))
        invoices.append(Item("sales_order", inv.order_id, inv.issued_on, text))
    payments = [
        Item(
            "sales_order",
            order_id,
            day,
            Message(
                "payment {amount} for {invoice} undone",
                amount=m(abs(amount)),
                invoice=invoice_label("invoice", number),
            )
            if amount < 0 and undoes is not None  # its entry reverses a payment's
            else Message(
                "refund {amount} for {invoice}",
                amount=m(abs(amount)),
                invoice=invoice_label("invoice", number),
            )
            if amount < 0
            else Message(
                "payment {amount} for {invoice}",
                amount=m(abs(amount)),
                invoice=invoice_label("invoice", number),
            ),
        )
        for day, amount, number, order_id, undoes in uow.session.execute(
            select(
                CustomerPayment.paid_on,
                CustomerPayment.amount_minor,
                Invoice.number,
                Invoice.order_id,
                JournalEntry.reverses_id,
            )
            .join(Invoice, Invoice.id == CustomerPayment.invoice_id)
            .outerjoin(JournalEntry, JournalEntry.id == CustomerPayment.entry_id)
            .where(Invoice.customer_id == contact_id, money_rows)
            .order_by(CustomerPayment.paid_on.desc(), CustomerPayment.id.desc())
            .limit(LIMIT)
        )
    ]
    tickets = (
        [
            Item(
                "ticket",
                t.id,
                None,
                Message(
                    "#{id} {subject} · {status} · {sla}",
                    id=t.id,
                    subject=t.subject,
                    status=word_message(TICKET_STATUS_NAMES, t.status),
                    sla=word_message(SLA_NAMES, t.sla),
                ),
            )
            for t in T.list_page(
                uow, PageRequest(limit=LIMIT, filters={"queue": "all", "contact_id": contact_id})
            ).rows
        ]
        if can(uow, "tickets.view")
        else []
    )
    purchases = (
        [
            Item(
                "purchase_order",
                po.id,
                po.order_date,
                Message(
                    "{label} · {state} · {total}",
                    label=po_label(po.number),
                    state=state_word(po.state),
                    total=m(po.net_minor + po.vat_minor),
                ),
            )
            for po in uow.session.scalars(
                select(PurchaseOrder)
                .where(PurchaseOrder.supplier_id == contact_id)
                .order_by(PurchaseOrder.id.desc())
                .limit(LIMIT)
            )
        ]
        if can(uow, "purchases.view")
        else []
    )
    bill_paid = (
        select(func.coalesce(func.sum(SupplierPayment.amount_minor), 0))
        .where(SupplierPayment.bill_id == SupplierBill.id)
        .scalar_subquery()
    )
    bills = []
    for b, settled in uow.session.execute(
        select(SupplierBill, bill_paid)
        .where(SupplierBill.supplier_id == contact_id, money_rows)
        .order_by(SupplierBill.id.desc())
        .limit(LIMIT)
    ):
        left = b.total_minor - settled
        bills.append(
            Item(
                "purchase_order",
                b.order_id,
                b.bill_date,
                Message(
                    "bill {ref} · {total} · due {due} · OWED {left}",
                    ref=b.reference,
                    total=m(b.total_minor),
                    due=date_text(b.due_date),
                    left=m(left),
                )
                if left
                else Message(
                    "bill {ref} · {total} · due {due} · paid",
                    ref=b.reference,
                    total=m(b.total_minor),
                    due=date_text(b.due_date),
                ),
            )
        )
    # what is owed either way is what the books say: the contact's receivable and payable
    unpaid = owed = None
    if money_ok:
        unpaid = from_minor(_contact_balance(uow, contact_id, "receivable"), exp)
        owed = from_minor(-_contact_balance(uow, contact_id, "payable"), exp)
    return Story(deals, orders, invoices, payments, tickets, purchases, bills, unpaid, owed)


def _contact_balance(uow: UnitOfWork, contact_id: int, role: str) -> int:
    acct = account_for(uow, role)
    return int(
        uow.session.scalar(
            select(
                func.coalesce(func.sum(JournalLine.debit_minor - JournalLine.credit_minor), 0)
            ).where(
                JournalLine.contact_id == contact_id,
                JournalLine.account_id == acct.id,
                JournalLine.posted.is_(True),
            )
        )
    )


def _credited(uow: UnitOfWork, invoice_id: int) -> int:
    return int(
        uow.session.scalar(
            select(func.coalesce(func.sum(Invoice.total_minor), 0)).where(
                Invoice.credits_id == invoice_id
            )
        )
    )


@requires("contacts.edit")
def open_business(uow: UnitOfWork, contact_id: int) -> v.Listing:
    """What is still open with a contact, asked before archiving it: what they owe (or are
    owed) on the books, orders not yet over, tickets not yet resolved; empty when nothing
    is. Amounts only for a role that may see them."""
    found = []
    if can(uow, "contacts.money"):
        exp, loc = uow.exponent, uow.setting("locale", "en_US")
        unpaid = _contact_balance(uow, contact_id, "receivable")
        if unpaid > 0:
            found.append(Message("{amount} unpaid", amount=money(from_minor(unpaid, exp), loc)))
        elif unpaid < 0:
            found.append(
                Message("a credit of {amount}", amount=money(from_minor(-unpaid, exp), loc))
            )
        owed = -_contact_balance(uow, contact_id, "payable")
        if owed:
            found.append(
                Message("{amount} we owe them", amount=money(from_minor(owed, exp), loc))
                if owed > 0
                else Message("{amount} they owe us", amount=money(from_minor(-owed, exp), loc))
            )
    orders = uow.session.scalar(
        select(func.count())
        .select_from(SalesOrder)
        .where(SalesOrder.customer_id == contact_id, SalesOrder.state.not_in(SALES_FLOW.final))
    ) + uow.session.scalar(
        select(func.count())
        .select_from(PurchaseOrder)
        .where(
            PurchaseOrder.supplier_id == contact_id,
            PurchaseOrder.state.not_in(PURCHASE_FLOW.final),
        )
    )
    if orders:
        found.append(Message.plural("{n} open order", "{n} open orders", orders))
    tickets = uow.session.scalar(
        select(func.count())
        .select_from(Ticket)
        .where(Ticket.contact_id == contact_id, Ticket.status.not_in(T.CLOSED))
    )
    if tickets:
        found.append(Message.plural("{n} open ticket", "{n} open tickets", tickets))
    return v.Listing(found)
