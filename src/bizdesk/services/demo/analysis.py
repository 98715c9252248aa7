"""The demo shop's part for the analyses (issue 15): birth dates for most of its people, so
that the age groups of segments and sales have something to show, through the contacts
service (its checks and audit apply); and the days its contacts joined, spread over its
year. The same dates every time."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import bindparam, func, select, update

from bizdesk.db.session import Store
from bizdesk.models.contacts import Contact, Interaction
from bizdesk.models.deals import Deal
from bizdesk.models.ledger import JournalLine
from bizdesk.models.marketing import EmailConsent
from bizdesk.models.people import Employee
from bizdesk.models.purchasing import PurchaseOrder
from bizdesk.models.sales import Invoice, SalesOrder
from bizdesk.models.tickets import Ticket
from bizdesk.services.crm import contacts as C
from bizdesk.services.trade.sales import walk_in_customer

SEED = 20261201


def birth_dates(store: Store, today: date) -> dict[str, int]:
    """Four people in five (not the walk-in customer) get a birth date, aged 18 to 80."""
    rng = random.Random(SEED)
    done = 0
    with store.write() as uow:
        people = uow.session.scalars(
            select(Contact.id)
            .where(Contact.kind == "person", Contact.id != walk_in_customer(uow))
            .order_by(Contact.id)
        ).all()
        for cid in people:
            if rng.random() < 0.2:
                continue
            view = C.get(uow, cid)
            data = view.as_input()
            data.birth_date = today - timedelta(days=rng.randrange(18 * 365, 80 * 365))
            C.update(uow, cid, data, version=view.version)
            done += 1
    return {"birth dates": done}


# the records that date what a contact did: none is before it joined the shop
_DATED = (
    (Interaction.contact_id, Interaction.at),
    (EmailConsent.contact_id, EmailConsent.at),
    (SalesOrder.customer_id, SalesOrder.order_date),
    (Invoice.customer_id, Invoice.issued_on),
    (PurchaseOrder.supplier_id, PurchaseOrder.order_date),
    (JournalLine.contact_id, JournalLine.date),
    (Ticket.contact_id, Ticket.created_at),
    (Deal.contact_id, Deal.created_at),
    (Employee.contact_id, Employee.start_date),
)


def _at(value: date | datetime) -> datetime:
    """A record's moment: a day at the start of the demo shop's day, a time as stored."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return datetime.combine(value, time(9), UTC)


def joined(store: Store, today: date) -> None:
    """The day each contact joined the shop, not all the demo day: one that did something
    dated (an interaction, a consent, an order, an invoice, a ticket, a start of work) joined
    a day to a month before the first of it, any other on a day of the year before ``today``;
    segments per period show them arriving month by month. The same moments every time."""
    rng = random.Random(SEED + 1)  # its own: the rest of the demo stays as it was
    start = today - timedelta(days=365)
    # what the demo did as it ran (a deal, a campaign's log) counts from the demo day's
    # start, where its clock stands still: the same moments on every run
    day = datetime.combine(today, time(0), UTC)
    with store.write() as uow:
        s = uow.session
        first: dict[int, datetime] = {}
        for who, when in _DATED:
            for cid, at in s.execute(
                select(who, func.min(when)).where(who.is_not(None)).group_by(who)
            ):
                if at is not None:
                    at = min(_at(at), day)
                    first[cid] = min(first.get(cid, at), at)
        joins = []
        for cid in s.scalars(select(Contact.id).order_by(Contact.id)).all():
            days, minutes = rng.randrange(1, 31), rng.randrange(8 * 60)  # in opening hours
            if cid in first:
                on = first[cid].date() - timedelta(days=days)
            else:
                on = start + timedelta(days=rng.randrange(365))
            at = datetime.combine(on, time(9), UTC) + timedelta(minutes=minutes)
            joins.append({"cid": cid, "joined": at})
        table = Contact.__table__
        s.connection().execute(  # one statement, many rows (the large shop: 100,000)
            update(table)
            .where(table.c.id == bindparam("cid"))
            .values(created_at=bindparam("joined")),
            joins,
        )
