"""A figure made of others (quantity x price, a document's total, stock's value, what an
assembly takes) is held to the bounds of any one typed amount: refused with a sentence on
its field, never stopped by "unexpected error (OverflowError)" from the database.

The bounds themselves are what each engine stores: the largest amount and quantity typed are
written and read back whole on SQLite and PostgreSQL (whose 32-bit INTEGER held no more than
21,474,836.47 before migration 0024)."""

from __future__ import annotations

import pytest

from bizdesk.errors import ValidationError
from bizdesk.services.books import ledger
from bizdesk.services.crm import contacts
from bizdesk.services.inventory import levels, moves
from bizdesk.services.making import assembly, boms
from bizdesk.services.making.boms import BomInput
from bizdesk.services.trade import deals, sales
from tests.erp_helpers import product

MOST = "9999999999999.99"  # the largest amount typed in a two-decimal currency
PRICE = "9999999.99"
MANY = "2000000"  # two million


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


def test_the_largest_amount_and_quantity_are_stored_whole(store) -> None:  # noqa: ANN001
    with store.write() as uow:
        lines = [ledger.LineInput("1010", MOST, ""), ledger.LineInput("3000", "", MOST)]
        e = ledger.create_draft(uow, ledger.EntryInput(date="2026-11-02", memo="big", lines=lines))
        ledger.post(uow, e.id, version=e.version)
    with store.read() as uow:
        assert str(ledger.account_balance(uow, ledger.account_for(uow, "bank").id)) == MOST
    bolt = product(store, "BOLT", name="Bolt", unit="kg", cost="0.01")  # by weight: parts
    with store.write() as uow:
        moves.adjust(uow, bolt, "999999999999.999", "found")
    with store.read() as uow:
        assert levels.on_hand(uow, bolt) == 999_999_999_999_999  # thousandths
