"""Deliveries take stock from where it is: the default location first, then the others by
most on hand, split when it takes several; refused, naming what is where, when short."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from bizdesk.errors import ValidationError
from bizdesk.models.stock import StockMove
from bizdesk.services.base.paging import PageRequest
from bizdesk.services.books import ledger_reports
from bizdesk.services.crm import contacts
from bizdesk.services.inventory import locations, moves, products
from bizdesk.services.inventory import moves as moves_of
from bizdesk.services.trade import purchasing, sales
from tests.erp_helpers import errors, order, product, supplier


@pytest.fixture
def shop(store):  # noqa: ANN001, ANN201
    """3 bikes at 400 in Main then 2 at 430 moved to Workshop, 4 at 430 into Garage."""
    sid = supplier(store)
    pid = product(store, "BIKE", name="City bike", cost="400", sale_price="650", vat_rate="20")
    with store.write() as uow:
        locations.add_location(uow, "Workshop")
        locations.add_location(uow, "Garage")
    po = order(store, sid, ("BIKE", "3", "400"), ("BIKE", "2", "430"))
    po2 = order(store, sid, ("BIKE", "4", "430"))
    with store.write() as uow:
        purchasing.receive(uow, po.id, {ln.id: str(ln.qty) for ln in po.lines})
        purchasing.receive(uow, po2.id, {po2.lines[0].id: "4"}, location="Garage")
        moves.transfer(uow, pid, "2", "Main", "Workshop")
        cid = contacts.create(uow, contacts.ContactInput(name="Dana Client")).contact.id
    return store, cid, pid


def _order(store, cid: int, qty: str):  # noqa: ANN001, ANN202
    with store.write() as uow:
        so = sales.create(
            uow,
            sales.SOInput(
                customer=f"#{cid}", order_date="2026-11-01", lines=[sales.SOLineInput("BIKE", qty)]
            ),
        )
        return sales.confirm(uow, so.id)


def _where(store, pid: int) -> list[tuple[str, Decimal]]:  # noqa: ANN001
    with store.read() as uow:
        return [(s.location, s.on_hand) for s in moves.stock_by_location(uow, pid)]


def test_locations_are_listed_in_the_order_a_delivery_takes_from_them(shop) -> None:  # noqa: ANN001
    store, _cid, pid = shop
    assert _where(store, pid) == [("Main", 3), ("Garage", 4), ("Workshop", 2)]


def test_a_delivery_splits_over_locations_with_exact_cost(shop) -> None:  # noqa: ANN001
    store, cid, pid = shop
    so = _order(store, cid, "8")
    with store.write() as uow:
        done = sales.deliver(uow, so.id, when="2026-11-02")
    assert done.state == "delivered"
    assert _where(store, pid) == [("Main", 0), ("Workshop", 1)]
    with store.read() as uow:
        moves = uow.session.scalars(
            select(StockMove)
            .where(StockMove.kind == "delivery", StockMove.source_kind == "sales_line")
            .order_by(StockMove.id)
        ).all()
        assert [(m.location_id, m.qty_scaled) for m in moves] == [
            (locations.default_location(uow).id, -3000),
            (locations.resolve_location(uow, "Garage").id, -4000),
            (locations.resolve_location(uow, "Workshop").id, -1000),
        ]
        # one entry for the delivery; cost of goods sold = the value that left the stock
        assert len({m.entry_id for m in moves}) == 1
        left = products.get_product(uow, pid)
        tb = {r.code: r.balance for r in ledger_reports.trial_balance(uow)[0]}
        cost = -sum(m.value_minor for m in moves)
    # 3 x 400 + 6 x 430 = 3780 for 9 bikes; 8 leave at average, one is left at 420
    assert cost == 3360_00
    assert tb["5000"] == Decimal("3360.00") and tb["1200"] == left.value == Decimal("420.00")
    assert errors(store) == []
    # the product's moves name their orders ("sales_line #1" said the table)
    with store.read() as uow:
        history = moves_of.product_moves(uow, pid, PageRequest(limit=10)).rows
    assert [(m.kind, m.source) for m in history] == [
        *[("delivery", so.label)] * 3,
        ("transfer", ""),
        ("transfer", ""),
        ("receipt", "PO-00002"),
        ("receipt", "PO-00001"),
        ("receipt", "PO-00001"),
    ]


def test_a_delivery_short_in_total_is_refused_saying_what_is_where(shop) -> None:  # noqa: ANN001
    store, cid, pid = shop
    so = _order(store, cid, "9")
    with store.write() as uow:  # someone counts two bikes missing in the Garage
        moves.count(uow, pid, "2", "two stolen", location="Garage")
    with store.write() as uow, pytest.raises(ValidationError) as exc:
        sales.deliver(uow, so.id)
    assert exc.value.fields["BIKE"] == (
        "only 7 pcs on hand, 9 to deliver "
        "(on hand: Main 3 pcs, Garage 2 pcs, Workshop 2 pcs)"  # a tie goes by name
    )
    with store.read() as uow:
        assert sales.get(uow, so.id).state == "confirmed"
    assert _where(store, pid) == [("Main", 3), ("Garage", 2), ("Workshop", 2)]


def test_a_named_location_is_the_only_one_used(shop) -> None:  # noqa: ANN001
    store, cid, pid = shop
    so = _order(store, cid, "3")
    with store.write() as uow, pytest.raises(ValidationError) as exc:
        sales.deliver(uow, so.id, location="Workshop")
    assert exc.value.fields["BIKE"] == (
        "only 2 pcs on hand at Workshop, 3 to deliver "
        "(on hand: Main 3 pcs, Garage 4 pcs, Workshop 2 pcs); "
        "leave the location empty to take it from where it is"
    )
    with store.write() as uow:
        sales.deliver(uow, so.id, location="Garage")
    assert _where(store, pid) == [("Main", 3), ("Workshop", 2), ("Garage", 1)]


def test_stock_only_elsewhere_is_found(shop) -> None:  # noqa: ANN001
    """The reported case: nothing at Main, the stock sits in the Workshop."""
    store, cid, pid = shop
    with store.write() as uow:
        moves.transfer(uow, pid, "3", "Main", "Workshop")
    so = _order(store, cid, "5")
    with store.write() as uow:
        sales.deliver(uow, so.id)
    assert _where(store, pid) == [("Main", 0), ("Garage", 4)]
    assert errors(store) == []


def test_the_form_data_shows_on_hand_per_location_per_line(shop) -> None:  # noqa: ANN001
    store, cid, pid = shop
    product(store, "HOUR", name="Workshop hour", sale_price="45", stocked="no")
    with store.write() as uow:
        so = sales.create(
            uow,
            sales.SOInput(
                customer=f"#{cid}",
                lines=[sales.SOLineInput("BIKE", "2"), sales.SOLineInput("HOUR", "1")],
            ),
        )
        so = sales.confirm(uow, so.id)
        shown = sales.delivery_stock(uow, so.id)
    bike, hour = so.lines
    assert hour.id not in shown  # a service has no stock to show
    assert [(s.location, s.on_hand) for s in shown[bike.id]] == [
        ("Main", 3),
        ("Garage", 4),
        ("Workshop", 2),
    ]
