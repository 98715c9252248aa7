"""The production plan: open assembly orders by date, per component needed / on hand /
reserved / on order / short, and one action drafting a purchase order per supplier for
what is short (the product's supplier, else the last one it was bought from; none: named)."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from bizdesk.db import Store, open_store
from bizdesk.errors import PermissionDenied
from bizdesk.services.admin import setup, users
from bizdesk.services.making import assembly, boms
from bizdesk.services.making.assembly import MOInput
from bizdesk.services.making.boms import BomInput
from bizdesk.services.making.plan import production_plan
from bizdesk.services.trade import purchasing
from bizdesk.services.trade.shortage import draft_shortage_orders
from tests.erp_helpers import errors, order, product, supplier
from tests.test_cli import bizdesk
from tests.test_making_assembly import _valued


def _shop(store):  # noqa: ANN001, ANN202
    """A BIKE of 2 WHEEL, 1 FRAME, 1 BELL. WHEEL has its own supplier (Rims Ltd), FRAME
    was last bought from Frames & Co, BELL has neither."""
    rims = supplier(store, "Rims Ltd")
    frames = supplier(store, "Frames & Co")
    product(store, "WHEEL", name="Wheel", cost="20", supplier="Rims Ltd")
    product(store, "FRAME", name="Frame")
    product(store, "BELL", name="Bell", cost="3")
    bike = product(store, "BIKE", name="Bike")
    order(store, frames, ("FRAME", "1", "80.50"), state="draft")  # on order: 1 frame
    with store.write() as uow:
        boms.set_bom(uow, bike, BomInput([("WHEEL", "2"), ("FRAME", "1"), ("BELL", "1")]))
    return rims, frames, bike


def test_plan_orders_by_date_and_what_is_short(store) -> None:  # noqa: ANN001
    rims, frames, bike = _shop(store)
    _valued(store, 1, "4", 8000)  # 4 wheels
    _valued(store, 2, "1", 8000)  # 1 frame
    _valued(store, 3, "1", 300)  # 1 bell
    with store.write() as uow:
        late = assembly.create(uow, MOInput("BIKE", "3", "2026-12-20"))
        early = assembly.create(uow, MOInput("BIKE", "1", "2026-12-05"))
        assembly.confirm(uow, early.id)
        done = assembly.create(uow, MOInput("BIKE", "1", "2026-12-01"))
        assembly.cancel(uow, done.id)
        plan = production_plan(uow)
    assert [(o.label, o.state) for o in plan.orders] == [
        (early.label, "confirmed"),
        (late.label, "draft"),
    ]
    got = {n.sku: (n.needed, n.on_hand, n.reserved, n.on_order, n.short) for n in plan.needs}
    # 4 bikes: 8 wheels, 4 frames, 4 bells; the confirmed one holds 2 wheels, 1 frame, 1 bell
    assert got == {
        "WHEEL": (8, 4, 2, 0, 4),
        "FRAME": (4, 1, 1, 1, 2),
        "BELL": (4, 1, 1, 0, 3),
    }
    suppliers = {n.sku: n.supplier for n in plan.needs}
    assert suppliers == {"WHEEL": "Rims Ltd", "FRAME": "Frames & Co", "BELL": ""}
    assert [n.sku for n in plan.unsupplied] == ["BELL"]


def test_a_component_an_open_assembly_order_makes_is_not_short_by_what_it_makes(store) -> None:  # noqa: ANN001
    """WHEEL is itself made (of RIM): an open order making 3 wheels is supply as a purchase
    order is, so 4 bikes needing 8 wheels are short by 5, not 8, and d orders 5 wheels."""
    from bizdesk.services.inventory.products import resolve_product

    _shop(store)
    rim = product(store, "RIM", name="Rim", cost="5")
    with store.write() as uow:
        wheel = resolve_product(uow, "WHEEL").id
        boms.set_bom(uow, wheel, BomInput([("RIM", "1")]))
        making = assembly.create(uow, MOInput("WHEEL", "3", "2026-12-10"))
        assembly.create(uow, MOInput("BIKE", "4", "2026-12-20"))
        plan = production_plan(uow)
    got = {n.sku: (n.needed, n.on_order, n.being_made, n.short) for n in plan.needs}
    assert got["WHEEL"] == (8, 0, 3, 5)
    assert got["RIM"] == (3, 0, 0, 3)  # what the wheels' own order needs
    _valued(store, rim, "3", 1500)
    with store.write() as uow:  # 2 of the 3 made: 2 on hand, 1 still to make
        assembly.confirm(uow, making.id)
        assembly.finish(uow, making.id, "2")
        plan = production_plan(uow)
    got = {n.sku: (n.on_hand, n.being_made, n.short) for n in plan.needs}
    assert got["WHEEL"] == (2, 1, 5)  # 8 needed - 2 on hand - 1 still being made
    with store.write() as uow:
        made = draft_shortage_orders(uow)
    with store.read() as uow:
        lines = {ln.sku: ln.qty for po in made.orders for ln in purchasing.get(uow, po.id).lines}
    assert lines["WHEEL"] == 5
    assert errors(store) == []


def test_draft_orders_one_per_supplier_naming_the_unsupplied(store) -> None:  # noqa: ANN001
    rims, frames, bike = _shop(store)
    with store.write() as uow:
        assembly.create(uow, MOInput("BIKE", "2", "2026-12-20"))
        made = draft_shortage_orders(uow)
    assert sorted((po.supplier, po.state) for po in made.orders) == [
        ("Frames & Co", "draft"),
        ("Rims Ltd", "draft"),
    ]
    with store.read() as uow:
        lines = {
            ln.sku: (ln.qty, ln.unit_cost)
            for po in made.orders
            for ln in purchasing.get(uow, po.id).lines
        }
    # the frame at what it last cost (it has no usual cost), one already on order
    assert lines == {"WHEEL": (4, Decimal("20")), "FRAME": (1, Decimal("80.50"))}
    assert [str(m) for m in made.skipped] == [
        "BELL is short by 2 pcs but has no supplier (set one on the product)"
    ]
    with store.write() as uow:  # now on order: drafting again orders nothing more
        again = draft_shortage_orders(uow)
        assert again.orders == [] and len(again.skipped) == 1
    assert errors(store) == []


def test_drafting_orders_needs_the_purchases_permission(store) -> None:  # noqa: ANN001
    _shop(store)
    with store.write() as uow:
        users.add(uow, "sam", "sales")
    other = Store(url=store.url, engine=store.engine, user="sam")
    with other.read() as uow:
        production_plan(uow)  # anyone may look
    with other.write() as uow, pytest.raises(PermissionDenied):
        draft_shortage_orders(uow)


@pytest.fixture
def cli_shop(tmp_path) -> str:  # noqa: ANN001
    path = str(tmp_path / "shop.db")
    s = open_store(path)
    setup.ensure_initialized(s)
    _shop(s)
    with s.write() as uow:
        assembly.create(uow, MOInput("BIKE", "1", "2026-12-20"))
    s.dispose()
    return path


def test_cli_plan_and_draft_orders(cli_shop) -> None:  # noqa: ANN001
    r = bizdesk("assembly", "plan", "--db", cli_shop, "--format", "json")
    assert r.returncode == 0, r.stderr
    plan = json.loads(r.stdout)
    assert [o["number"] for o in plan["orders"]] == ["MO-00001"]
    assert {c["sku"]: c["short"] for c in plan["components"]} == {
        "WHEEL": "2",
        "FRAME": "0",
        "BELL": "1",
    }
    r = bizdesk("assembly", "plan", "--db", cli_shop)
    assert r.returncode == 0 and "WHEEL" in r.stdout and "none known" in r.stdout
    r = bizdesk("assembly", "plan", "--draft-orders", "--db", cli_shop)
    assert r.returncode == 0, r.stderr
    assert "Drafted PO-00002 to Rims Ltd" in r.stdout
    assert "BELL is short by 1 pcs but has no supplier" in r.stdout


def test_an_archived_component_is_named_and_the_others_are_ordered(store) -> None:  # noqa: ANN001
    """WHEEL archived (no longer bought) while the bike's bill of materials still names it:
    drafting orders refused everything with "line 1 product: WHEEL Wheel is archived", a
    line of an order the user never wrote. The frame is ordered; the wheel is named, with
    what to do."""
    from bizdesk.services.inventory.products import resolve_product, set_product_active

    _shop(store)
    with store.write() as uow:
        assembly.create(uow, MOInput("BIKE", "2", "2026-12-20"))
        wheel = resolve_product(uow, "WHEEL")
        set_product_active(uow, wheel.id, False, version=wheel.version)
    with store.write() as uow:
        made = draft_shortage_orders(uow)
    assert [po.supplier for po in made.orders] == ["Frames & Co"]
    assert [str(m) for m in made.skipped] == [
        "BELL is short by 2 pcs but has no supplier (set one on the product)",
        "WHEEL is short by 4 pcs but is archived (bring it back, or take it out of the bills "
        "of materials that use it)",
    ]


def test_drafted_orders_are_expected_by_the_first_planned_date_and_name_the_orders(store) -> None:  # noqa: ANN001
    """Each drafted purchase order is expected by the earliest planned date of the assembly
    orders short of its supplier's components (today when that has passed), and its note
    names them; drafted with no expected date and no note, a buyer could not tell when the
    parts were wanted, or for what. What is there or on order goes to the earliest order
    first: the frame on order covers MO-00002, so only MO-00001 is short of frames."""
    from datetime import date, timedelta

    _rims, _frames, _bike = _shop(store)
    trike = product(store, "TRIKE", name="Trike")
    today = date.today()
    with store.write() as uow:
        boms.set_bom(uow, trike, BomInput([("WHEEL", "3")]))
        assembly.create(uow, MOInput("BIKE", "2", (today + timedelta(days=10)).isoformat()))
        assembly.create(uow, MOInput("BIKE", "1", (today + timedelta(days=5)).isoformat()))
        assembly.create(uow, MOInput("TRIKE", "1", (today - timedelta(days=3)).isoformat()))
        made = draft_shortage_orders(uow)
    with store.read() as uow:
        got = {
            po.supplier: (po.expected_date, po.notes)
            for po in (purchasing.get(uow, o.id) for o in made.orders)
        }
    assert got == {  # MO-00003 was planned three days ago: the wheels are wanted today
        "Rims Ltd": (today, "For MO-00001, MO-00002, MO-00003"),
        "Frames & Co": (today + timedelta(days=10), "For MO-00001"),
    }
    with store.write() as uow:  # the wheels on order cover the first three: only the 4th
        assembly.create(uow, MOInput("TRIKE", "5", (today + timedelta(days=20)).isoformat()))
        (po,) = draft_shortage_orders(uow).orders
        assert (po.supplier, po.expected_date, po.notes) == (
            "Rims Ltd",
            today + timedelta(days=20),
            "For MO-00004",
        )
    assert errors(store) == []
