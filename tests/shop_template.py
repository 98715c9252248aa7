"""What every test store's shop has set: a name (by init) and an address, without which no
invoice is issued (services.base.shop_details.require_issuer). Set once in the templates
(conftest: sqlite_template, cli_template; tests/pg.py), so the many tests that issue invoices
begin from a shop that may. A test of the refusal clears them in its own store. No country:
it would set the shop's time zone, and with it the day the tests' documents are dated."""

from __future__ import annotations

import json

from bizdesk.db import Store
from bizdesk.services.base.shop_details import SETTING

ADDRESS = {"street": "1 Test Street", "postcode": "10001", "city": "Testville"}


def give_the_shop_an_address(store: Store) -> None:
    with store.write() as uow:
        for name, value in ADDRESS.items():
            uow.set_setting(SETTING[name], value)


def clear_the_shops_address(store: Store) -> None:
    """The shop as `bizdesk init` leaves it: a name, no address (a document printed now
    carries none; no invoice is issued)."""
    with store.write() as uow:
        for name in ADDRESS:
            uow.set_setting(SETTING[name], "")


def issued_without_address(store: Store, label: str) -> None:
    """Invoice ``label`` as an older bizdesk issued it before the shop had set its address:
    it keeps no address for good (such invoices are in the stores)."""
    from sqlmodel import select

    from bizdesk.models.sales import Invoice
    from bizdesk.services.base.numbering import INVOICE

    with store.write() as uow:
        inv = uow.session.scalars(
            select(Invoice).where(
                Invoice.kind == "invoice", Invoice.number == INVOICE.number_in(label)
            )
        ).one()
        kept = json.loads(inv.shop_details)
        inv.shop_details = json.dumps({**kept, **{k: "" for k in ADDRESS}})
