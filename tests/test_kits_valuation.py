"""Must hold (issue 15): assembling a product whose components cost 10.005 a piece (moving
average) values stock exactly as the inventory account says, at every step: confirm,
partial finishes, the finish, a later purchase at another price, and a sale."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import func, select

from bizdesk.models.stock import StockMove
from bizdesk.services.books.ledger import account_balance, account_for
from bizdesk.services.inventory import reports
from bizdesk.services.making import assembly, boms
from bizdesk.services.making.assembly import MOInput
from bizdesk.services.making.boms import BomInput
from bizdesk.services.trade import purchasing, sales
from tests.erp_helpers import errors, order, product, supplier
from tests.test_making_assembly import _valued


def _books_equal_stock(store, step: str) -> Decimal:  # noqa: ANN001
    """The inventory account, the valuation report and the sum of every move's value are
    one and the same number (minor units); every check holds."""
    with store.read() as uow:
        books = account_balance(uow, account_for(uow, "inventory").id)
        _rows, valued = reports.valuation(uow)
        moved = uow.session.scalar(select(func.coalesce(func.sum(StockMove.value_minor), 0)))
    assert books == valued == Decimal(moved) / 100, step
    assert errors(store) == [], step
    return books


def test_components_at_10_005_value_stock_exactly_at_every_step(store) -> None:  # noqa: ANN001
    sid = supplier(store)
    pin = product(store, "PIN", name="Pin")
    product(store, "HINGE", name="Hinge", sale_price="99")
    hinge = 2
    _valued(store, pin, "20", 20010)  # 20 pins for 200.10: 10.005 each
    with store.write() as uow:
        boms.set_bom(uow, hinge, BomInput([("PIN", "3")], "0.01"))  # 3 pins + 0.01 labour
    _books_equal_stock(store, "opening")
    with store.write() as uow:
        mo = assembly.create(uow, MOInput("HINGE", "6", "2026-12-02"))
        assembly.confirm(uow, mo.id)
    _books_equal_stock(store, "confirm")
    made = []
    for qty in ("1", "2"):
        with store.write() as uow:
            r = assembly.finish(uow, mo.id, qty)
        made.append(r.value)
        _books_equal_stock(store, f"finish {qty}")
    # 3 pins of 10.005 = 30.015 -> 30.02 (half-even of 30.015 is 30.02), + 0.01 labour
    assert made[0] == Decimal("30.03")
    with store.write() as uow:
        r = assembly.finish(uow, mo.id)  # the rest: 3 hinges, the last pins' value whole
        assert r.order.state == "done"
    _books_equal_stock(store, "finish the rest")
    with store.read() as uow:
        assert sales.available(uow, pin) == 2000  # 20 - 18 pins
    # a later purchase of pins at another price
    po = order(store, sid, ("PIN", "7", "9.99"))
    with store.write() as uow:
        purchasing.receive(uow, po.id, {po.lines[0].id: "7"})
    _books_equal_stock(store, "a later purchase")
    with store.write() as uow:
        mo2 = assembly.create(uow, MOInput("HINGE", "3", "2026-12-03"))
        assembly.confirm(uow, mo2.id)
        assembly.finish(uow, mo2.id, "1")
    _books_equal_stock(store, "assembly at the new average")
    cid = supplier(store, "Door Shop")
    with store.write() as uow:  # a sale of hinges
        so = sales.create(
            uow, sales.SOInput(customer=f"#{cid}", lines=[sales.SOLineInput("HINGE", "5")])
        )
        sales.confirm(uow, so.id)
        sales.deliver(uow, so.id, {so.lines[0].id: "2"})
    _books_equal_stock(store, "a partial delivery")
    with store.write() as uow:
        sales.deliver(uow, so.id)
        assembly.cancel(uow, mo2.id)
    _books_equal_stock(store, "the sale and a cancel")
    with store.read() as uow:  # 6 + 1 - 5 hinges left
        assert sales.available(uow, hinge) == 2000
