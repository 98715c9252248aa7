"""What every test store's shop has set: a name (by init) and an address, without which no
invoice is issued (services.base.shop_details.require_issuer). Set once in the templates
(conftest: sqlite_template, cli_template; tests/pg.py), so the many tests that issue invoices
begin from a shop that may. A test of the refusal clears them in its own store. No country:
it would set the shop's time zone, and with it the day the tests' documents are dated."""

from __future__ import annotations

from bizdesk.db import Store
from bizdesk.services.base.shop_details import SETTING

ADDRESS = {"street": "1 Test Street", "postcode": "10001", "city": "Testville"}


def give_the_shop_an_address(store: Store) -> None:
    with store.write() as uow:
        for name, value in ADDRESS.items():
            uow.set_setting(SETTING[name], value)
