"""One search over everything: contacts, deals, tickets, products, purchase and sales orders,
invoices and journal entries, a few of each, for the find-anything box."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import or_, select, text

from bizdesk.db.session import UnitOfWork
from bizdesk.models.deals import Deal
from bizdesk.models.ledger import JournalEntry
from bizdesk.models.purchasing import PurchaseOrder
from bizdesk.models.sales import Invoice, SalesOrder
from bizdesk.models.stock import Product
from bizdesk.models.tickets import Ticket
from bizdesk.services import contacts as C
from bizdesk.services.numbering import invoice_label, po_label, so_label
from bizdesk.services.paging import PageRequest, contains, folded_contains, like_pattern
from bizdesk.services.permissions import can, requires

_NUMBER = re.compile(r"^(?:(JE|PO|SO|INV|CN)-?)?0*(\d+)$", re.IGNORECASE)


@dataclass(frozen=True)
class Hit:
    kind: str  # what open_record opens: contact, deal, ticket, product, ...
    id: int
    label: str


RARE = 2000  # fewer matches than this: take them from the index; more: scan in order


def index_entries(uow: UnitOfWork, first_id: int, last_id: int) -> None:
    """Add new entries (ids first..last) to the memo search index (SQLite; one statement
    however many, which keeps imports fast). PostgreSQL's trigram index follows by itself."""
    if uow.store.is_sqlite:
        uow.session.execute(
            text(
                "INSERT INTO entry_search(rowid, memo) SELECT id, memo FROM journal_entry "
                "WHERE id BETWEEN :a AND :b"
            ),
            {"a": first_id, "b": last_id},
        )


def entry_memo_condition(uow: UnitOfWork, words: str):  # noqa: ANN201
    """A condition on JournalEntry for memos containing ``words``. A rare phrase is taken
    from the trigram index (a few ids); a common one is left to LIKE, which finds enough
    rows at the head of any ordered scan at once. On PostgreSQL, ILIKE, which the memo's
    trigram index (migration 0005) serves, and the planner makes the same choice."""
    like = contains(uow, JournalEntry.memo, words)
    if not (uow.store.is_sqlite and len(words) >= 3):
        return like
    phrase = '"' + words.replace('"', '""') + '"'
    ids = uow.session.scalars(
        text(f"SELECT rowid FROM entry_search WHERE entry_search MATCH :q LIMIT {RARE + 1}"),
        {"q": phrase},
    ).all()
    return like if len(ids) > RARE else JournalEntry.id.in_(ids)


@requires("search.view")
def find(uow: UnitOfWork, query: str, per_kind: int = 5) -> list[Hit]:
    q = query.strip()
    if len(q) < 2:
        return []
    hits: list[Hit] = []
    journal, deals = can(uow, "journal.view"), can(uow, "deals.view")  # what the role may see
    number = _NUMBER.match(q)
    if number:  # a document number: JE-12, PO-3, SO-00007, INV-5, or just 12
        prefix, n = (number.group(1) or "").upper(), int(number.group(2))
        if prefix in ("", "JE") and journal:
            for eid, num, memo in uow.session.execute(
                select(JournalEntry.id, JournalEntry.number, JournalEntry.memo).where(
                    JournalEntry.number == n
                )
            ):
                hits.append(Hit("entry", eid, f"Entry JE-{num} {memo}"))
        if prefix in ("", "PO"):
            for oid, num in uow.session.execute(
                select(PurchaseOrder.id, PurchaseOrder.number).where(PurchaseOrder.number == n)
            ):
                hits.append(Hit("purchase_order", oid, f"Purchase order {po_label(num)}"))
        if prefix in ("", "SO"):
            for oid, num in uow.session.execute(
                select(SalesOrder.id, SalesOrder.number).where(SalesOrder.number == n)
            ):
                hits.append(Hit("sales_order", oid, f"Sales order {so_label(num)}"))
        if prefix in ("", "INV", "CN"):
            kinds = {"INV": ("invoice",), "CN": ("credit",)}.get(prefix, ("invoice", "credit"))
            for kind, num, order_id in uow.session.execute(
                select(Invoice.kind, Invoice.number, Invoice.order_id).where(
                    Invoice.number == n, Invoice.kind.in_(kinds)
                )
            ):
                hits.append(Hit("sales_order", order_id, f"Invoice {invoice_label(kind, num)}"))
        if prefix == "":
            t = uow.session.get(Ticket, n)
            if t is not None:
                hits.append(Hit("ticket", t.id, f"Ticket #{t.id} {t.subject}"))
    for r in C.list_page(uow, PageRequest(limit=per_kind, search=q)).rows:
        hits.append(Hit("contact", r.id, f"Contact {r.name}"))
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
        hits.append(Hit("product", pid, f"Product {sku} {name}"))
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
            hits.append(Hit("deal", did, f"Deal {title}"))
    for tid, subject in uow.session.execute(
        select(Ticket.id, Ticket.subject)
        .where(folded_contains(Ticket.search_text, q))
        .order_by(Ticket.id.desc())
        .limit(per_kind)
    ):
        hits.append(Hit("ticket", tid, f"Ticket #{tid} {subject}"))
    if len(q) >= 3 and journal:
        for eid, num, memo in uow.session.execute(
            select(JournalEntry.id, JournalEntry.number, JournalEntry.memo)
            .where(entry_memo_condition(uow, q))
            .order_by(JournalEntry.id.desc())
            .limit(per_kind)
        ):
            hits.append(Hit("entry", eid, f"Entry {('JE-' + str(num)) if num else 'draft'} {memo}"))
    return hits
