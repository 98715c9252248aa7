"""A figure made of others (quantity x price, a document's total, stock's value, what an
assembly takes) is held to the bounds of any one typed amount: refused with a sentence on
its field, never stopped by "unexpected error (OverflowError)" from the database."""

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

    fields = _refused(store, sales.create, so(("99999999", "99999999999.99")))
    assert fields == {
        "line 1 qty": "comes to more than 9999999999999.99, the most an amount may be"
    }
    fields = _refused(store, sales.create, so(("1", MOST), ("1", MOST)))  # each fine, not both
    assert fields == {"lines": "comes to more than 9999999999999.99, the most an amount may be"}
    with store.write() as uow:  # the largest order there may be is taken
        assert str(sales.create(uow, so(("1", MOST))).net) == MOST


def test_a_deals_lines_within_bounds(store) -> None:  # noqa: ANN001
    with store.write() as uow:
        cid = contacts.create(uow, contacts.ContactInput(name="Ann Buyer")).contact.id
        d = deals.create(uow, deals.DealInput(title="Big", contact=f"#{cid}", amount="1"))
    lines = [deals.LineInput("Bike", "99999999", "99999999999.99")]
    fields = _refused(store, deals.set_lines, d.id, lines, version=d.version)
    assert set(fields) == {"line 1 qty"}
    lines = [deals.LineInput("Bike", "1", MOST), deals.LineInput("Bell", "1", MOST)]
    assert set(_refused(store, deals.set_lines, d.id, lines, version=d.version)) == {"lines"}


def test_stock_value_and_what_an_assembly_takes_within_bounds(store) -> None:  # noqa: ANN001
    wheel = product(store, "WHEEL", name="Wheel", cost=MOST)
    bike = product(store, "BIKE", name="Bike")
    fields = _refused(store, moves.adjust, wheel, "999999999", "found")
    assert fields == {"qty": "comes to more than 9999999999999.99, the most an amount may be"}
    with store.write() as uow:
        boms.set_bom(uow, bike, BomInput([("WHEEL", "999999999")]))
    fields = _refused(store, assembly.create, assembly.MOInput("BIKE", "999999999"))
    assert fields == {"qty": "comes to more than 999999999999.999, the most an amount may be"}
