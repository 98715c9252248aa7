"""A figure made of others (quantity x price, a document's total, stock's value, what an
assembly takes) is held to the bounds of any one typed amount: refused with a sentence on
its field, never stopped by "unexpected error (OverflowError)" from the database.

Each factor here fits a PostgreSQL INTEGER (a store there holds amounts and quantities as
32-bit integers: 21,474,836.47 at most; see the stop-30 note), their product does not fit
the bounds."""

from __future__ import annotations

import pytest

from bizdesk.errors import ValidationError
from bizdesk.services.crm import contacts
from bizdesk.services.inventory import moves
from bizdesk.services.making import assembly, boms
from bizdesk.services.making.boms import BomInput
from bizdesk.services.trade import deals, sales
from tests.erp_helpers import product

MOST = "9999999999999.99"  # the largest amount typed in a two-decimal currency
PRICE = "9999999.99"  # a price each engine stores
MANY = "2000000"  # a quantity each engine stores (two million)


def _refused(store, call, *args, **kw) -> dict:  # noqa: ANN001, ANN002, ANN003
    with pytest.raises(ValidationError) as err, store.write() as uow:
        call(uow, *args, **kw)
    return {k: str(m) for k, m in err.value.fields.items()}


def test_an_order_line_and_an_order_total_within_bounds(store) -> None:  # noqa: ANN001
    with store.write() as uow:
        cid = contacts.create(uow, contacts.ContactInput(name="Dana Client")).contact.id

    def so(*lines: tuple[str, str]) -> sales.SOInput:
        return sales.SOInput(
            customer=f"#{cid}",
            order_date="2026-11-01",
            lines=[sales.SOLineInput("", q, p, "", "fee") for q, p in lines],
        )

    fields = _refused(store, sales.create, so((MANY, PRICE)))
    assert fields == {
        "line 1 qty": "comes to more than 9999999999999.99, the most an amount may be"
    }
    half = ("600000", PRICE)  # 5,999,999,994,000.00 a line: each fine, not the two together
    fields = _refused(store, sales.create, so(half, half))
    assert fields == {"lines": "comes to more than 9999999999999.99, the most an amount may be"}
    with store.write() as uow:  # a big order within bounds is taken
        assert str(sales.create(uow, so(("1", PRICE))).net) == PRICE


def test_a_deals_lines_within_bounds(store) -> None:  # noqa: ANN001
    with store.write() as uow:
        cid = contacts.create(uow, contacts.ContactInput(name="Ann Buyer")).contact.id
        d = deals.create(uow, deals.DealInput(title="Big", contact=f"#{cid}", amount="1"))
    lines = [deals.LineInput("Bike", MANY, PRICE)]
    fields = _refused(store, deals.set_lines, d.id, lines, version=d.version)
    assert set(fields) == {"line 1 qty"}
    lines = [deals.LineInput("Bike", "600000", PRICE), deals.LineInput("Bell", "600000", PRICE)]
    assert set(_refused(store, deals.set_lines, d.id, lines, version=d.version)) == {"lines"}


def test_stock_value_and_what_an_assembly_takes_within_bounds(store) -> None:  # noqa: ANN001
    wheel = product(store, "WHEEL", name="Wheel", cost=PRICE)
    bike = product(store, "BIKE", name="Bike")
    fields = _refused(store, moves.adjust, wheel, MANY, "found")
    assert fields == {"qty": "comes to more than 9999999999999.99, the most an amount may be"}
    with store.write() as uow:
        boms.set_bom(uow, bike, BomInput([("WHEEL", MANY)]))
    fields = _refused(store, assembly.create, assembly.MOInput("BIKE", MANY))
    assert fields == {"qty": "comes to more than 999999999999.999, the most an amount may be"}
