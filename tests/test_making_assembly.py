"""Assembly orders: reserve on confirm, consume at moving-average cost, receive at that
cost plus labour, posted exactly; partial completion, cancel, refusals; `check` green."""

from __future__ import annotations

import sqlite3
from decimal import Decimal

import pytest
from sqlalchemy import select

from bizdesk.db import Store
from bizdesk.errors import PermissionDenied, ValidationError
from bizdesk.models.ledger import Account, JournalEntry, JournalLine
from bizdesk.services.admin import users
from bizdesk.services.base.paging import PageRequest
from bizdesk.services.books.ledger import account_balance, account_for
from bizdesk.services.inventory import moves, products, reports
from bizdesk.services.making import assembly, boms
from bizdesk.services.making.assembly import MOInput
from bizdesk.services.making.boms import BomInput
from bizdesk.services.trade import sales
from tests.erp_helpers import errors, product


def _valued(store, pid: int, qty: str, value_minor: int) -> None:  # noqa: ANN001
    """``qty`` into stock at an exact total value (posted Dr Inventory / Cr adjustments)."""
    from datetime import date

    from bizdesk.money import parse_qty
    from bizdesk.services.books.ledger import Posting, post_entry
    from bizdesk.services.inventory.locations import default_location

    with store.write() as uow:
        loc = default_location(uow)
        m = moves.receive_at_value(
            uow, pid, loc.id, parse_qty(qty), value_minor, "receipt", ("test", 1)
        )
        inv = account_for(uow, "inventory").id
        adj = account_for(uow, "stock_adjustment").id
        e = post_entry(
            uow,
            date.today(),
            "opening",
            [Posting(inv, debit_minor=value_minor), Posting(adj, credit_minor=value_minor)],
            source=("stock_move", m.id),
        )
        m.entry_id = e.id


@pytest.fixture
def shop(store):  # noqa: ANN001, ANN201
    """SCREW: 3 for 1.00 (an average of 0.3333...), PLATE: 2 for 10.01 (5.005 each), a
    SHELF made of 3 screws and 1 plate with 2.50 labour a unit."""
    screw = product(store, "SCREW", name="Screw")
    plate = product(store, "PLATE", name="Plate")
    shelf = product(store, "SHELF", name="Shelf", sale_price="40")
    _valued(store, screw, "9", 300)  # 9 screws for 3.00
    _valued(store, plate, "2", 1001)  # 2 plates for 10.01: 5.005 each
    with store.write() as uow:
        boms.set_bom(uow, shelf, BomInput([("SCREW", "3"), ("PLATE", "1")], "2.50"))
    return store, screw, plate, shelf


def _ties(store: Store) -> None:
    """The inventory account equals the stock valuation, and every check holds."""
    with store.read() as uow:
        _rows, total = reports.valuation(uow)
        assert account_balance(uow, account_for(uow, "inventory").id) == total
    assert errors(store) == []


def test_confirm_reserves_finish_costs_exactly_and_posts(shop) -> None:  # noqa: ANN001
    store, screw, plate, shelf = shop
    with store.write() as uow:
        mo = assembly.create(uow, MOInput("SHELF", "2", "2026-12-03"))
    assert mo.label == "MO-00001" and mo.state == "draft"
    assert [(ln.sku, ln.qty) for ln in mo.lines] == [("SCREW", 6), ("PLATE", 2)]
    with store.read() as uow:  # a draft holds nothing
        assert sales.available(uow, screw) == 9000
    with store.write() as uow:
        assembly.confirm(uow, mo.id)
    with store.read() as uow:  # the sales side sees the components held
        assert sales.available(uow, screw) == 3000 and sales.available(uow, plate) == 0
        assert products.get_product(uow, screw).reserved == 6
    _ties(store)
    with store.write() as uow:  # one shelf: 3 screws (1.00 of 3.00) + 1 plate (5.00 of 10.01)
        r = assembly.finish(uow, mo.id, "1")
    assert r.order.state == "partially done" and r.made == 1
    assert r.value == Decimal("1.00") + Decimal("5.00") + Decimal("2.50")
    with store.read() as uow:
        e = uow.session.scalars(
            select(JournalEntry).where(JournalEntry.number == r.entry_number)
        ).one()
        lines = uow.session.execute(
            select(Account.role, JournalLine.debit_minor, JournalLine.credit_minor)
            .join(Account, Account.id == JournalLine.account_id)
            .where(JournalLine.entry_id == e.id)
            .order_by(JournalLine.id)
        ).all()
        assert lines == [("inventory", 850, 0), ("inventory", 0, 600), ("labour_absorbed", 0, 250)]
        assert sales.available(uow, screw) == 3000  # 6 on hand, 3 still held
        assert products.get_product(uow, shelf).on_hand == 1
    _ties(store)
    with store.write() as uow:  # the rest: the last plate takes the rest of the value (5.01)
        r = assembly.finish(uow, mo.id)
    assert r.order.state == "done" and r.value == Decimal("8.51")
    with store.read() as uow:
        v = products.get_product(uow, shelf)
        assert v.on_hand == 2 and v.value == Decimal("17.01")
        assert products.get_product(uow, plate).value == 0
        assert products.get_product(uow, screw).value == Decimal("1.00")
        assert products.get_product(uow, screw).reserved == 0
        # the moves name the order as everywhere else ("assembly_order #1" said the table)
        made = moves.product_moves(uow, shelf, PageRequest(limit=5)).rows
        used = moves.product_moves(uow, screw, PageRequest(limit=5)).rows
    assert [m.source for m in made] == ["MO-00001", "MO-00001"]
    assert [m.source for m in used][:2] == ["MO-00001", "MO-00001"]
    _ties(store)


def test_uneven_average_over_three_partial_finishes(store) -> None:  # noqa: ANN001
    """1 screw of 3 costing 1.00 in all per unit made: 0.33, 0.33, 0.34 (the last takes
    the rest), never a cent lost between the stock and the books."""
    screw = product(store, "SCREW")
    kit = product(store, "PEG")
    _valued(store, screw, "3", 100)
    with store.write() as uow:
        boms.set_bom(uow, kit, BomInput([("SCREW", "1")]))
        mo = assembly.create(uow, MOInput("PEG", "3"))
        assembly.confirm(uow, mo.id)
    values = []
    for _ in range(3):
        with store.write() as uow:
            values.append(assembly.finish(uow, mo.id, "1").value)
        _ties(store)
    assert values == [Decimal("0.33"), Decimal("0.34"), Decimal("0.33")]  # half-even
    assert sum(values) == Decimal("1.00")
    with store.read() as uow:
        assert products.get_product(uow, kit).value == Decimal("1.00")
        assert products.get_product(uow, screw).value == 0


def test_cancel_releases_what_is_held(shop) -> None:  # noqa: ANN001
    store, screw, _plate, _shelf = shop
    with store.write() as uow:
        mo = assembly.create(uow, MOInput("SHELF", "2"))
        assembly.confirm(uow, mo.id)
        assembly.finish(uow, mo.id, "1")
    with store.read() as uow:
        assert sales.available(uow, screw) == 3000
    with store.write() as uow:
        assert assembly.cancel(uow, mo.id).state == "cancelled"
    with store.read() as uow:
        assert sales.available(uow, screw) == 6000  # the 3 not used are free again
    with store.write() as uow, pytest.raises(ValidationError, match="cannot be cancelled"):
        assembly.cancel(uow, mo.id)
    # a cancelled (or done) order is not "confirmed first": it is made no more
    with store.write() as uow, pytest.raises(ValidationError, match="nothing more is made"):
        assembly.finish(uow, mo.id)
    _ties(store)


def test_refusals(shop) -> None:  # noqa: ANN001
    store, _screw, _plate, _shelf = shop
    with store.write() as uow, pytest.raises(ValidationError) as none:
        assembly.create(uow, MOInput("SCREW", "1"))
    # the way for each door: the product page's key, and the command
    assert none.value.fields["product"] == (
        "SCREW has no bill of materials; set one first: m on its page (Stock), "
        "or bizdesk bom set SCREW"
    )
    with store.write() as uow, pytest.raises(ValidationError) as exc:
        assembly.create(uow, MOInput("SHELF", "0"))
    assert exc.value.fields["qty"] == "must be more than zero"
    with store.write() as uow:
        mo = assembly.create(uow, MOInput("SHELF", "3"))  # 3 plates wanted, 2 there
    with store.write() as uow, pytest.raises(ValidationError) as exc:
        assembly.confirm(uow, mo.id)
    assert exc.value.fields["PLATE"] == "only 2 pcs available, 3 wanted"
    with store.write() as uow, pytest.raises(ValidationError, match="confirm it first"):
        assembly.finish(uow, mo.id)
    with store.write() as uow:
        mo = assembly.create(uow, MOInput("SHELF", "2"))
        assembly.confirm(uow, mo.id)
        with pytest.raises(ValidationError, match="only 2 left to make of 2"):
            assembly.finish(uow, mo.id, "3")
        # 0.0005 of a shelf: 3 x 0.0005 screws is finer than a thousandth
    with store.write() as uow, pytest.raises(ValidationError, match="at most 3 decimals"):
        assembly.finish(uow, mo.id, "0.0005")
    with store.write() as uow, pytest.raises(ValidationError, match="SHELF is counted in whole"):
        assembly.create(uow, MOInput("SHELF", "0.5"))  # half a shelf: not made of pieces
    _ties(store)


def test_finishing_more_than_is_left_says_only_that(shop) -> None:  # noqa: ANN001
    """Making 1,000 of an order of 2 is refused for the quantity alone: not also for every
    component 1,000 would need (a wall of text that hid the one thing to correct)."""
    store, *_ = shop
    with store.write() as uow:
        mo = assembly.create(uow, MOInput("SHELF", "2"))
        assembly.confirm(uow, mo.id)
    with store.write() as uow, pytest.raises(ValidationError) as exc:
        assembly.finish(uow, mo.id, "1000")
    assert exc.value.fields == {"qty": "only 2 left to make of 2"}


@pytest.mark.parametrize("role", ["sales", "accountant", "viewer", "support"])
def test_roles_refused(shop, role) -> None:  # noqa: ANN001
    store, *_ = shop
    with store.write() as uow:
        users.add(uow, "someone", role)
        mo = assembly.create(uow, MOInput("SHELF", "1"))
        assembly.confirm(uow, mo.id)
    other = Store(url=store.url, engine=store.engine, user="someone")
    with other.write() as uow, pytest.raises(PermissionDenied):
        assembly.finish(uow, mo.id)
    with other.write() as uow, pytest.raises(PermissionDenied):
        assembly.create(uow, MOInput("SHELF", "1"))
    with other.read() as uow:
        assert assembly.get(uow, mo.id).state == "confirmed"


def test_warehouse_makes_goods(shop) -> None:  # noqa: ANN001
    store, *_ = shop
    with store.write() as uow:
        users.add(uow, "keeper", "warehouse")
    keeper = Store(url=store.url, engine=store.engine, user="keeper")
    with keeper.write() as uow:
        mo = assembly.create(uow, MOInput("SHELF", "1"))
        assembly.confirm(uow, mo.id)
        assert assembly.finish(uow, mo.id).order.state == "done"
    _ties(store)


def test_check_finds_a_tampered_order(shop) -> None:  # noqa: ANN001
    store, *_ = shop
    with store.write() as uow:
        mo = assembly.create(uow, MOInput("SHELF", "1"))
        assembly.confirm(uow, mo.id)
        assembly.finish(uow, mo.id)
    from sqlalchemy import text

    with store.engine.begin() as conn:  # behind the services' back, on SQLite or PostgreSQL
        conn.execute(text("UPDATE assembly_order SET received_value_minor = 1"))
        conn.execute(text("UPDATE assembly_line SET consumed_scaled = qty_scaled + 1 WHERE id = 1"))
    found = errors(store)
    assert any(f.startswith("assembly-balances:") for f in found), found
    assert any(f.startswith("assembly-within-quantity:") for f in found), found
    assert any(f.startswith("assembly-consumed:") for f in found), found


def test_a_store_from_before_gets_the_tables_and_the_labour_account(tmp_path) -> None:  # noqa: ANN001
    """A store at 0016 (no making tables, no labour-absorbed account) upgrades on open."""
    from alembic import command

    from bizdesk.db import open_store
    from bizdesk.db.migrate import alembic_config
    from bizdesk.services.admin import setup

    path = tmp_path / "old.db"
    s = open_store(str(path))
    setup.ensure_initialized(s)
    command.downgrade(alembic_config(s), "0016")  # every migration after it, undone
    s.dispose()
    with sqlite3.connect(path) as conn:
        conn.execute("DELETE FROM account WHERE role = 'labour_absorbed'")
    s = open_store(str(path))
    with s.read() as uow:
        a = account_for(uow, "labour_absorbed")
        assert (a.code, a.name, a.type) == ("5300", "Labour absorbed into stock", "expense")
        assert assembly.list_orders(uow) == []
    assert errors(s) == []
    s.dispose()


def test_refusals_read_in_the_person_s_language(shop) -> None:  # noqa: ANN001
    from bizdesk import i18n

    store, *_ = shop
    with store.write() as uow:
        mo = assembly.create(uow, MOInput("SHELF", "1"))
    with store.write() as uow, pytest.raises(ValidationError) as exc:
        assembly.finish(uow, mo.id)
    said = exc.value.fields[""]  # said whole, as an order's state is: no field to name
    assert str(said) == "MO-00001 is draft; confirm it first (only a confirmed order is made)"
    try:
        i18n.use("es")
        assert str(said) == (
            "MO-00001 está borrador; confírmela primero (solo se fabrica una orden confirmada)"
        )
        i18n.use("vi")
        assert "hãy xác nhận trước" in str(said)
    finally:
        i18n.use("en")
    with store.write() as uow, pytest.raises(ValidationError) as exc:
        boms.set_bom(uow, 3, BomInput([("SHELF", "1")]))
    try:
        i18n.use("ro")
        assert str(exc.value.fields["line 1 product"]) == ("SHELF nu poate fi făcut din el însuși")
    finally:
        i18n.use("en")


def test_finishing_with_a_component_gone_since_it_was_reserved_says_so(shop) -> None:  # noqa: ANN001
    """Plates counted as broken after the order was confirmed: finishing said "only 0 pcs
    on hand, 1 to deliver", words of a delivery, and not what to do. It names what is
    needed to make the quantity and the way out now, and nothing is consumed or posted."""
    store, _screw, plate, _shelf = shop
    with store.write() as uow:
        mo = assembly.create(uow, MOInput("SHELF", "2"))
        assembly.confirm(uow, mo.id)
        moves.count(uow, plate, "1", "broken")
    with store.write() as uow, pytest.raises(ValidationError) as exc:
        assembly.finish(uow, mo.id)
    assert exc.value.fields == {
        "PLATE": "only 1 pcs on hand, 2 needed to make 2; receive or count them first, or "
        "make fewer"
    }
    with store.write() as uow:  # one shelf can be made: one plate is there
        assert assembly.finish(uow, mo.id, "1").order.state == "partially done"
    _ties(store)


def test_a_finish_takes_a_date_after_the_lock_date(shop) -> None:  # noqa: ANN001
    """Books locked through yesterday: the finish is refused on the lock date and after
    today, saying why, before anything moves; on the day between it is made and posted."""
    from datetime import date, timedelta

    from bizdesk.services.books import ledger
    from bizdesk.services.inventory.levels import on_hand

    store, screw, _plate, shelf = shop
    today = date.today()
    with store.write() as uow:
        mo = assembly.confirm(uow, assembly.create(uow, MOInput("SHELF", "1")).id)
        ledger.set_lock_date(uow, (today - timedelta(days=1)).isoformat())
    with pytest.raises(ValidationError) as refused, store.write() as uow:
        assembly.finish(uow, mo.id, when=(today - timedelta(days=1)).isoformat())
    assert "locked up to" in str(refused.value.fields["date"])
    with pytest.raises(ValidationError) as refused, store.write() as uow:
        # goods are recorded as they move: made tomorrow, its stock was there today
        assembly.finish(uow, mo.id, when=(today + timedelta(days=1)).isoformat())
    assert "is after today" in str(refused.value.fields["date"])
    with pytest.raises(ValidationError) as refused, store.write() as uow:
        assembly.finish(uow, mo.id, when="tomorrow")
    assert "is not a date" in str(refused.value.fields["date"])
    with store.read() as uow:  # nothing moved
        assert assembly.get(uow, mo.id).done == 0
        assert on_hand(uow, screw) == 9000
    later = today  # the first day after the lock date
    with store.write() as uow:
        r = assembly.finish(uow, mo.id, when=later.isoformat())
    assert r.order.state == "done"
    with store.read() as uow:
        e = uow.session.scalar(select(JournalEntry).where(JournalEntry.number == r.entry_number))
        assert e.date == later
    _ties(store)


def test_the_list_finds_an_order_by_its_planned_date(shop) -> None:  # noqa: ANN001
    """The list's search takes a planned date (ISO here; as a person's language writes it
    at a screen), besides an order's number and its product's words; a date no order is
    planned for finds none, and a word that is no date is searched as words."""
    store, *_ = shop
    with store.write() as uow:
        assembly.create(uow, MOInput("SHELF", "1", "2026-12-03"))
        assembly.create(uow, MOInput("SHELF", "1", "2026-12-10"))
    with store.read() as uow:

        def found(text: str) -> list[str]:
            req = PageRequest(limit=10, search=text, filters={"state": ""})
            return [r.label for r in assembly.list_page(uow, req).rows]

        assert found("2026-12-10") == ["MO-00002"]
        assert found("2026-12-04") == []
        assert found("shelf") == ["MO-00001", "MO-00002"]
        assert found("mo1") == ["MO-00001"]
