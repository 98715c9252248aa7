"""Kits: a product whose bill of materials is of kind "kit" is sold as one line and
delivered as its components, at their moving-average cost, with COGS posted exactly; it is
never assembled nor in stock; partial delivery and returns in whole kits; `check` green."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from bizdesk.errors import ValidationError
from bizdesk.models.stock import StockMove
from bizdesk.services.books.ledger import account_balance, account_for
from bizdesk.services.inventory import moves, reports
from bizdesk.services.making import assembly, boms
from bizdesk.services.making.assembly import MOInput
from bizdesk.services.making.boms import BomInput
from bizdesk.services.trade import purchasing, sales
from tests.erp_helpers import errors, product, supplier
from tests.test_making_assembly import _valued


@pytest.fixture
def kit(store):  # noqa: ANN001, ANN201
    """TUBE: 3 for 30.01 (10.00333... each), LEVER: 6 for 7.00; a REPAIR kit of 1 tube and
    2 levers sold at 25.00 with 21 % VAT (sold in sets: a kit is whole whatever its unit,
    not only one counted in pieces)."""
    tube = product(store, "TUBE", name="Inner tube")
    lever = product(store, "LEVER", name="Tyre lever")
    rk = product(store, "REPAIR", name="Repair kit", unit="set", sale_price="25", vat_rate="21")
    _valued(store, tube, "3", 3001)
    _valued(store, lever, "6", 700)
    with store.write() as uow:
        view = boms.set_bom(uow, rk, BomInput([("TUBE", "1"), ("LEVER", "2")], kind="kit"))
    assert view.is_kit
    return store, tube, lever, rk


def _ties(store) -> None:  # noqa: ANN001
    with store.read() as uow:
        _rows, total = reports.valuation(uow)
        assert account_balance(uow, account_for(uow, "inventory").id) == total
    assert errors(store) == []


def _order(store, qty: str = "2"):  # noqa: ANN001, ANN202
    cid = supplier(store, "Cycling Club")  # any contact will do as the customer
    with store.write() as uow:
        so = sales.create(
            uow,
            sales.SOInput(
                customer=f"#{cid}",
                order_date="2026-12-01",
                lines=[sales.SOLineInput("REPAIR", qty)],
            ),
        )
        return sales.confirm(uow, so.id)


def _out_value(store, line_id: int) -> int:  # noqa: ANN001
    with store.read() as uow:
        return -uow.session.scalar(
            select(func.sum(StockMove.value_minor)).where(
                StockMove.source_kind == "sales_line", StockMove.source_id == line_id
            )
        )


def test_kit_sold_reserves_delivers_components_and_costs_exactly(kit) -> None:  # noqa: ANN001
    store, tube, lever, rk = kit
    so = _order(store, "2")
    line = so.lines[0]
    assert (line.sku, line.qty, line.net) == ("REPAIR", 2, 50)
    with store.read() as uow:  # the components are held, not the kit
        assert sales.available(uow, tube) == 1000
        assert sales.available(uow, lever) == 2000
        assert sales.available(uow, rk) == 0
    with store.write() as uow:
        cogs_before = account_balance(uow, account_for(uow, "cogs").id)
        so = sales.deliver(uow, so.id, {line.id: "1"})
        cogs = account_balance(uow, account_for(uow, "cogs").id) - cogs_before
    assert so.state == "partially delivered"
    # one tube at 30.01/3 (1000 of 3001 over 3 -> 10.00) and two levers at 7.00/6*2 = 2.33
    assert cogs * 100 == 1000 + 233 == _out_value(store, line.id)
    _ties(store)
    with store.write() as uow, pytest.raises(ValidationError) as exc:
        sales.deliver(uow, so.id, {line.id: "0.5"})
    assert "whole kits" in str(exc.value)
    with store.write() as uow:
        so = sales.deliver(uow, so.id)
        assert so.state == "delivered"
        inv = sales.invoice(uow, so.id, when="2026-12-01", due="2026-12-15")
    assert (inv.net, inv.vat, inv.total) == (50, 10.5, 60.5)
    with store.read() as uow:  # 1 tube (10.01) and 2 levers (2.33) left, worth the rest
        assert moves.stock_by_location(uow, tube)[0].on_hand == 1
    # the second tube: 1 of the 2 left worth 20.01, half-even 10.00; levers 2 of 4 worth 4.67
    assert _out_value(store, line.id) == 2000 + 467
    _ties(store)


def test_kit_return_brings_components_back_at_the_cost_they_left_with(kit) -> None:  # noqa: ANN001
    store, tube, lever, rk = kit
    so = _order(store, "2")
    line = so.lines[0]
    with store.write() as uow:
        sales.deliver(uow, so.id)
        sales.invoice(uow, so.id, when="2026-12-01", due="2026-12-15")
    left = _out_value(store, line.id)
    with store.write() as uow, pytest.raises(ValidationError) as exc:
        sales.return_goods(uow, so.id, {line.id: "1.5"}, reason="torn")
    assert "whole kits" in str(exc.value)
    with store.write() as uow:
        cn = sales.return_goods(uow, so.id, {line.id: "1"}, reason="torn")
    assert (cn.net, cn.vat) == (25, 5.25)
    half = _out_value(store, line.id)
    assert 0 < half < left
    _ties(store)
    with store.write() as uow:
        sales.return_goods(uow, so.id, {line.id: "1"}, reason="torn too")
    assert _out_value(store, line.id) == 0
    _ties(store)


def test_counter_sale_of_a_kit(kit) -> None:  # noqa: ANN001
    store, tube, lever, _rk = kit
    with store.write() as uow:
        so = sales.counter_sale(uow, [sales.SOLineInput("REPAIR", "3")])
    assert so.state == "closed" and so.total == 90.75
    with store.read() as uow:
        assert sales.available(uow, tube) == 0 and sales.available(uow, lever) == 0
    _ties(store)


def test_not_enough_components_is_refused_naming_them(kit) -> None:  # noqa: ANN001
    store, *_ = kit
    cid = supplier(store, "Club")
    with store.write() as uow:
        so = sales.create(
            uow,
            sales.SOInput(customer=f"#{cid}", lines=[sales.SOLineInput("REPAIR", "4")]),
        )
    with store.write() as uow, pytest.raises(ValidationError) as exc:
        sales.confirm(uow, so.id)
    assert set(exc.value.fields) == {"TUBE", "LEVER"}


def test_a_kit_is_sold_in_whole_kits(kit) -> None:  # noqa: ANN001
    store, *_ = kit
    cid = supplier(store, "Club")
    with store.write() as uow, pytest.raises(ValidationError) as exc:
        sales.create(
            uow, sales.SOInput(customer=f"#{cid}", lines=[sales.SOLineInput("REPAIR", "1.5")])
        )
    assert "whole kits" in str(exc.value.fields["line 1 product"])


def test_a_kit_is_never_in_stock_nor_assembled(kit) -> None:  # noqa: ANN001
    store, tube, _lever, rk = kit
    sid = supplier(store)
    for act in (
        lambda uow: moves.adjust(uow, rk, "1", "found one"),
        lambda uow: moves.count(uow, rk, "0"),
        lambda uow: assembly.create(uow, MOInput("REPAIR", "1")),
        lambda uow: purchasing.create(
            uow,
            purchasing.POInput(
                supplier=f"#{sid}", lines=[purchasing.POLineInput("REPAIR", "1", "5")]
            ),
        ),
        # a kit is not a component, and has no labour
        lambda uow: boms.set_bom(uow, tube, BomInput([("REPAIR", "1")])),
        lambda uow: boms.set_bom(uow, rk, BomInput([("TUBE", "1")], "1.00", kind="kit")),
        lambda uow: boms.set_bom(uow, rk, BomInput([("TUBE", "1")], kind="bundle")),
    ):
        with store.write() as uow, pytest.raises(ValidationError) as exc:
            act(uow)
        assert "kit" in " ".join(str(m) for m in exc.value.fields.values())
    _ties(store)


def test_a_product_in_stock_or_in_a_bill_cannot_become_a_kit(kit) -> None:  # noqa: ANN001
    store, tube, lever, _rk = kit
    bike = product(store, "BIKE", name="Bike")
    with store.write() as uow:
        boms.set_bom(uow, bike, BomInput([("LEVER", "1")]))
    for pid in (tube, lever):  # TUBE is in stock; LEVER is also a component of BIKE
        with store.write() as uow, pytest.raises(ValidationError) as exc:
            boms.set_bom(uow, pid, BomInput([("BIKE", "1")], kind="kit"))
        assert "kind" in exc.value.fields


def test_kit_made_up_later_changes_no_confirmed_order(kit) -> None:  # noqa: ANN001
    store, tube, lever, rk = kit
    so = _order(store, "1")
    with store.write() as uow:  # the kit now holds 3 levers and no tube
        boms.set_bom(uow, rk, BomInput([("LEVER", "3")], kind="kit"))
        so = sales.deliver(uow, so.id)
    with store.read() as uow:
        assert sales.available(uow, tube) == 2000 and sales.available(uow, lever) == 4000
    _ties(store)


def test_json_of_a_kit(kit) -> None:  # noqa: ANN001
    store, *_ = kit
    with store.read() as uow:
        view = boms.get_bom(uow, _[2])
    assert boms.bom_json(view)["kind"] == "kit"
    assert boms.bom_input_from_json({"components": [], "kind": "kit"}).kind == "kit"


def test_a_store_from_before_kits_gets_them_on_open(tmp_path) -> None:  # noqa: ANN001
    """A store from before kits: its bills of materials become assembly ones, and it has
    the kit lines table."""
    import sqlite3

    from bizdesk.db import open_store
    from bizdesk.services.admin import setup

    path = tmp_path / "old.db"
    s = open_store(str(path))
    setup.ensure_initialized(s)
    from alembic import command
    from alembic.script import ScriptDirectory

    from bizdesk.db import migrate

    command.downgrade(migrate.alembic_config(s), "0022")  # the migrations after kits, undone
    s.dispose()

    # the revision right before kits (the migrations merged after 0017 come before it)
    before = ScriptDirectory(str(migrate.MIGRATIONS)).get_revision("0022").down_revision
    with sqlite3.connect(path) as conn:
        conn.execute("DROP TABLE sales_kit_line")
        conn.execute("ALTER TABLE bom DROP COLUMN kind")
        conn.execute("DROP INDEX ix_mo_state_planned")
        conn.execute("UPDATE alembic_version SET version_num = ?", (before,))
    s = open_store(str(path))
    shelf = product(s, "SHELF")
    product(s, "PLANK")
    with s.write() as uow:
        assert boms.set_bom(uow, shelf, BomInput([("PLANK", "2")])).kind == "assembly"
    assert errors(s) == []
    s.dispose()


def test_the_invoice_pdf_shows_the_kit_line_not_its_components(kit) -> None:  # noqa: ANN001
    from bizdesk.services import papers
    from tests.test_papers import pdf_text

    store, *_ = kit
    so = _order(store, "2")
    with store.write() as uow:
        sales.deliver(uow, so.id)
        inv = sales.invoice(uow, so.id, when="2026-12-01", due="2026-12-15")
    with store.read() as uow:
        text = " ".join(pdf_text(papers.render(uow, "invoice", inv.label).data).split())
    assert "REPAIR Repair kit 2 25.00 21% 50.00" in text
    assert "TUBE" not in text and "LEVER" not in text


def test_a_stock_count_of_a_kit_is_refused_by_the_dry_run_too(kit) -> None:  # noqa: ANN001
    """The dry run said "1 product would be adjusted" and the import then refused the kit:
    the check before writing applies the same rule as the move."""
    from bizdesk.services.exchange import erp_imports

    store, _tube, _lever, _rk = kit
    for dry in (True, False):  # as the command line imports: checked, then written
        with pytest.raises(ValidationError) as exc:
            erp_imports.import_stock_count(store, "sku,counted\nREPAIR,3\n", dry_run=dry)
        assert "REPAIR Repair kit is a kit: it is never in stock itself" in str(exc.value)


def test_what_a_kit_s_parts_in_stock_make(kit) -> None:  # noqa: ANN001
    """A kit is never in stock, so its page read "on hand 0 · available 0" with parts for
    three kits on the shelf: the bill says what the parts make, less what is promised."""
    store, _tube, _lever, rk = kit  # 3 tubes, 6 levers: 3 kits (1 tube, 2 levers each)
    with store.read() as uow:
        assert boms.get_bom(uow, rk).can_make == 3
    _order(store, "2")  # confirmed: 2 tubes and 4 levers promised
    with store.read() as uow:
        view = boms.get_bom(uow, rk)
    assert view.can_make == 1
    assert {c.sku: c.available for c in view.components} == {"TUBE": 1, "LEVER": 2}
