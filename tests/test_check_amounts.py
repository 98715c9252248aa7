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


def test_every_rule_says_amounts_and_quantities_as_the_shop_writes_them(store: Store) -> None:
    """The rules over the tables said "debits 10000 and credits 9000 (minor units)" and
    "below zero (-2500 thousandths)": now as every table shows them."""
    from sqlalchemy import text

    from tests.erp_helpers import product
    from tests.test_ledger import _post

    with store.write() as uow:
        uow.set_setting("locale", "es_ES")
    entry = _post(store)  # 100.00 capital
    bolt = product(store, "BOLT")
    with store.write() as uow:  # what no service writes: a line changed, a move below zero
        uow.session.execute(
            text(
                "UPDATE journal_line SET credit_minor = 9000 "
                "WHERE entry_id = :e AND credit_minor > 0"
            ),
            {"e": entry.id},
        )
        location = uow.session.execute(text("SELECT id FROM location LIMIT 1")).scalar_one()
        uow.session.execute(
            text(
                "INSERT INTO stock_move (product_id, location_id, kind, qty_scaled, "
                "unit_cost_minor, value_minor, reason, username, at) VALUES (:p, :l, 'adjust', "
                "-2500, 0, 0, '', 'tester', CURRENT_TIMESTAMP)"
            ),
            {"p": bolt, "l": location},
        )
    use("en")
    said = {v.check: str(v.message) for v in run_checks(store)}
    assert "debits 100,00 and credits 90,00 do not balance" in said["entry-balanced"], said
    assert "on hand is below zero (-2,5)" in said["stock-not-negative"], said
