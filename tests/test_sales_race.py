"""Two people selling the last unit at the same moment: one succeeds, the other is told
why, and stock never goes below zero."""

from __future__ import annotations

from bizdesk.db import open_store
from bizdesk.services.inventory import moves, products
from bizdesk.services.trade import sales
from tests.erp_helpers import errors, product
from tests.procs import run_together


def _sell(url: str, ready) -> str:  # noqa: ANN001
    store = open_store(url, user="tester")
    ready()
    try:
        with store.write() as uow:
            sales.counter_sale(uow, [sales.SOLineInput("LAST", "1")])
        return "sold"
    except Exception as exc:  # noqa: BLE001 - the message is what the test looks at
        return f"{type(exc).__name__}: {exc}"
    finally:
        store.dispose()


def test_two_sellers_one_last_unit(store) -> None:  # noqa: ANN001
    product(store, "LAST", cost="10", sale_price="20")
    with store.write() as uow:
        moves.adjust(uow, products.resolve_product(uow, "LAST").id, "1", "the last one")
    outcomes = sorted(run_together(_sell, [(store.url,), (store.url,)]))
    assert outcomes[1] == "sold"
    assert outcomes[0].startswith("ValidationError") and "only 0 pcs available" in outcomes[0]
    with store.read() as uow:
        assert products.get_product(uow, products.resolve_product(uow, "LAST").id).on_hand == 0
    assert errors(store) == []
