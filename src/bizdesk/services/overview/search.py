"""One search over everything: contacts, deals, tickets, products, purchase and sales orders,
invoices and journal entries, a few of each, for the find-anything box."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import or_, select

from bizdesk.db.session import UnitOfWork
from bizdesk.i18n import Message
from bizdesk.models.contacts import Contact
from bizdesk.models.deals import Deal
from bizdesk.models.ledger import JournalEntry
from bizdesk.models.purchasing import PurchaseOrder
from bizdesk.models.sales import Invoice, SalesOrder
from bizdesk.models.stock import Product
from bizdesk.models.tickets import Ticket
from bizdesk.services.base.numbering import (
    CREDIT_NOTE,
    INVOICE,
    JOURNAL,
    LABEL,
    PURCHASE_ORDER,
    SALES_ORDER,
    invoice_label,
)
from bizdesk.services.base.paging import PageRequest, folded_contains, like_pattern
from bizdesk.services.base.permissions import can, requires
from bizdesk.services.books.entry_search import entry_memo_condition
from bizdesk.services.crm import contacts as C


@dataclass(frozen=True)
class Hit:
    kind: str  # what open_record opens: contact, deal, ticket, product, ...
    id: int
    label: str


# a number as a ticket's page ("#72 Brakes squeak") and a contact in a form ("Ann Lee #84")
# write it
NUMBERED = re.compile(r"#0*([0-9]{1,18})", re.ASCII)


@requires("search.view")
def find(uow: UnitOfWork, query: str, per_kind: int = 5) -> list[Hit]:
    q = query.strip()
    if len(q) < 2:
        return []
    hits: list[Hit] = []
    journal, deals = can(uow, "journal.view"), can(uow, "deals.view")  # what the role may see
    numbered = NUMBERED.fullmatch(q)
    if numbered:  # typed back as shown: "#72" found nothing, "72" the ticket
        n = int(numbered.group(1))
        t = uow.session.get(Ticket, n)
        if t is not None:
            text = Message("Ticket #{id} {subject}", id=t.id, subject=t.subject)
            hits.append(Hit("ticket", t.id, text))
        c = uow.session.get(Contact, n)
        if c is not None and not c.archived:
            hits.append(Hit("contact", c.id, Message("Contact {name}", name=c.name)))
        return hits
    number = LABEL.match(q)
    if number:  # a document number: JE-12, PO-3, SO-00007, INV-5, or just 12
        prefix, n = (number.group(1) or "").upper(), int(number.group(2))
        if prefix in ("", JOURNAL.prefix) and journal:
            for eid, num, memo in uow.session.execute(
                select(JournalEntry.id, JournalEntry.number, JournalEntry.memo).where(
                    JournalEntry.number == n
                )
            ):
                text = Message("Entry {number} {memo}", number=JOURNAL.label(num), memo=memo)
                hits.append(Hit("entry", eid, text))
        if prefix in ("", PURCHASE_ORDER.prefix):
            for oid, num in uow.session.execute(
                select(PurchaseOrder.id, PurchaseOrder.number).where(PurchaseOrder.number == n)
            ):
                hits.append(
                    Hit(
                        "purchase_order",
                        oid,
                        Message("Purchase order {number}", number=PURCHASE_ORDER.label(num)),
                    )
                )
        if prefix in ("", SALES_ORDER.prefix):
            for oid, num in uow.session.execute(
                select(SalesOrder.id, SalesOrder.number).where(SalesOrder.number == n)
            ):
                text = Message("Sales order {number}", number=SALES_ORDER.label(num))
                hits.append(Hit("sales_order", oid, text))
        if prefix in ("", INVOICE.prefix, CREDIT_NOTE.prefix):
            kinds = {INVOICE.prefix: ("invoice",), CREDIT_NOTE.prefix: ("credit",)}.get(
                prefix, ("invoice", "credit")
            )
            for kind, num, order_id in uow.session.execute(
                select(Invoice.kind, Invoice.number, Invoice.order_id).where(
                    Invoice.number == n, Invoice.kind.in_(kinds)
                )
            ):
                text = Message("Invoice {number}", number=invoice_label(kind, num))
                hits.append(Hit("sales_order", order_id, text))
        if prefix == "":
            t = uow.session.get(Ticket, n)
            if t is not None:
                text = Message("Ticket #{id} {subject}", id=t.id, subject=t.subject)
                hits.append(Hit("ticket", t.id, text))
    for r in C.list_page(uow, PageRequest(limit=per_kind, search=q)).rows:
        hits.append(Hit("contact", r.id, Message("Contact {name}", name=r.name)))
    for pid, sku, name in uow.session.execute(
        select(Product.id, Product.sku, Product.name)
        .where(
            Product.active.is_(True),
            or_(
                Product.sku.like(like_pattern(q.upper())[1:], escape="\\"),
                folded_contains(Product.search_text, q),
            ),
        )
        .order_by(Product.sku)
        .limit(per_kind)
    ):
        hits.append(Hit("product", pid, Message("Product {sku} {name}", sku=sku, name=name)))
    if deals:
        for did, title in uow.session.execute(
            select(Deal.id, Deal.title)
            .where(
                Deal.archived.is_(False),
                folded_contains(Deal.search_text, q),
            )
            .order_by(Deal.id.desc())
            .limit(per_kind)
        ):
            hits.append(Hit("deal", did, Message("Deal {title}", title=title)))
    for tid, subject in uow.session.execute(
        select(Ticket.id, Ticket.subject)
        .where(folded_contains(Ticket.search_text, q))
        .order_by(Ticket.id.desc())
        .limit(per_kind)
    ):
        hits.append(Hit("ticket", tid, Message("Ticket #{id} {subject}", id=tid, subject=subject)))
    if len(q) >= 3 and journal:
        for eid, num, memo in uow.session.execute(
            select(JournalEntry.id, JournalEntry.number, JournalEntry.memo)
            .where(entry_memo_condition(uow, q))
            .order_by(JournalEntry.id.desc())
            .limit(per_kind)
        ):
            if num:
                text = Message("Entry {number} {memo}", number=JOURNAL.label(num), memo=memo)
            else:
                text = Message("Entry draft {memo}", memo=memo)
            hits.append(Hit("entry", eid, text))
    return hits
