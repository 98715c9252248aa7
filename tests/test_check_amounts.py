"""`bizdesk check` writes amounts as the shop's tables do ("5,000.00", "1.649,06"), never in
the machine form ("5000.00") beside a date written the reader's way."""

from __future__ import annotations

import pytest

from bizdesk.db import Store
from bizdesk.i18n import use
from bizdesk.services.admin.checks import run_checks
from tests.test_bank_reconcile import _csv


@pytest.mark.parametrize(
    ("locale", "closing", "said"),
    [
        ("en_US", "5000.00", "closes at 5,000.00 on 2026-11-19 but the reconciled balance is 0.00"),
        ("es_ES", "1649.06", "closes at 1.649,06 on 2026-11-19 but the reconciled balance is 0,00"),
    ],
)
def test_the_closing_balance_is_said_as_the_shop_writes_amounts(
    store: Store, locale: str, closing: str, said: str
) -> None:
    with store.write() as uow:
        uow.set_setting("locale", locale)
    _csv(store, f"2026-11-19,deposit,{closing},{closing}")
    use("en")
    found = [str(v.message) for v in run_checks(store) if v.check == "bank-closing-balance"]
    assert len(found) == 1 and said in found[0], found
