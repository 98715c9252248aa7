"""The demo shop's part for the analyses (issue 15): birth dates for most of its people, so
that the age groups of segments and sales have something to show. Through the contacts
service (its checks and audit apply), the same dates every time."""

from __future__ import annotations

import random
from datetime import date, timedelta

from sqlalchemy import select

from bizdesk.db.session import Store
from bizdesk.models.contacts import Contact
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
