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
    order is, so 4 bikes needing 8 wheels are short by 5, not 8, and d makes 5 wheels (it
    has a bill of materials: an assembly order, not a purchase order to Rims Ltd)."""
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
    assert "WHEEL" not in lines
    assert [(mo.sku, mo.qty, mo.state) for mo in made.assemblies] == [("WHEEL", 5, "draft")]
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


def _made_shop(store):  # noqa: ANN001, ANN202
    """_shop, and the bike has a SEAT too: made here of LEATHER (its supplier Hides Co),
    with no supplier of its own. WHEEL is made here as well (of RIM) though it has its own
    supplier, Rims Ltd, and FRAME (of TUBE) though it was last bought from Frames & Co."""
    from bizdesk.services.inventory.products import resolve_product

    _shop(store)
    supplier(store, "Hides Co")
    product(store, "LEATHER", name="Leather", cost="4", supplier="Hides Co")
    product(store, "RIM", name="Rim", cost="5", supplier="Rims Ltd")
    product(store, "TUBE", name="Tube", cost="7", supplier="Frames & Co")
    seat = product(store, "SEAT", name="Seat")
    with store.write() as uow:
        boms.set_bom(uow, seat, BomInput([("LEATHER", "1")]))
        bike = resolve_product(uow, "BIKE").id
        boms.set_bom(
            uow, bike, BomInput([("WHEEL", "2"), ("FRAME", "1"), ("BELL", "1"), ("SEAT", "1")])
        )
    return seat


def test_a_short_component_made_here_gets_an_assembly_order_not_a_purchase_order(store) -> None:  # noqa: ANN001
    """SEAT has a bill of materials and no supplier: the plan asked for a supplier ("set
    one on the product") as for a part bought in. It is made here: d drafts an assembly
    order for what is short, wanted by the bike order's date and naming it; then the seat
    is being made, and the leather that order needs is short and ordered the next time."""
    from datetime import date, timedelta

    _made_shop(store)
    when = date.today() + timedelta(days=10)
    with store.write() as uow:
        bikes = assembly.create(uow, MOInput("BIKE", "2", when.isoformat()))
        plan = production_plan(uow)
    seat = next(n for n in plan.needs if n.sku == "SEAT")
    assert (seat.made, seat.short, seat.supplier) == (True, 2, "")
    assert [n.sku for n in plan.unsupplied] == ["BELL"]  # the seat is not "without supplier"
    assert "SEAT" in [n.sku for n in plan.to_make]
    with store.write() as uow:
        made = draft_shortage_orders(uow)
    with store.read() as uow:
        lines = {ln.sku for po in made.orders for ln in purchasing.get(uow, po.id).lines}
        drafted = {mo.sku: assembly.get(uow, mo.id) for mo in made.assemblies}
    assert "SEAT" not in lines
    mo = drafted["SEAT"]
    assert (mo.state, mo.qty, mo.planned_date, mo.notes) == ("draft", 2, when, f"For {bikes.label}")
    assert not any("SEAT" in str(m) for m in made.skipped)
    said = [str(m) for m in made.said]
    assert f"Drafted {mo.label} to make 2 pcs SEAT" in said
    with store.read() as uow:
        plan = production_plan(uow)
    got = {n.sku: (n.needed, n.being_made, n.short, n.supplier) for n in plan.needs}
    assert got["SEAT"] == (2, 2, 0, "")
    assert got["LEATHER"] == (2, 0, 2, "Hides Co")  # what the seat's own order needs
    with store.write() as uow:
        again = draft_shortage_orders(uow)
    with store.read() as uow:
        lines = {
            (po.supplier, ln.sku, ln.qty)
            for po in again.orders
            for ln in purchasing.get(uow, po.id).lines
        }
    assert ("Hides Co", "LEATHER", 2) in lines
    assert errors(store) == []


def test_a_component_made_here_with_a_supplier_is_made_and_the_plan_says_so(store) -> None:  # noqa: ANN001
    """WHEEL has a bill of materials and its own supplier; FRAME one and the supplier it was
    last bought from. The plan drafted a purchase order for both (the frame at what it last
    cost): it makes them, and says it did not order them from their supplier."""
    _made_shop(store)
    with store.write() as uow:
        wheel = boms.set_bom(uow, 1, BomInput([("RIM", "1")]))
        frame = boms.set_bom(uow, 2, BomInput([("TUBE", "3")]))
        assert (wheel.sku, frame.sku) == ("WHEEL", "FRAME")
        assembly.create(uow, MOInput("BIKE", "2", "2026-12-20"))
        plan = production_plan(uow)
    said = (
        "{} has a bill of materials: it is made here, not ordered from {} (to buy it this "
        "time, draft that purchase order yourself)"
    )
    notes = [said.format("FRAME", "Frames & Co"), said.format("WHEEL", "Rims Ltd")]
    assert sorted(str(m) for m in plan.made_not_bought) == notes
    with store.write() as uow:
        made = draft_shortage_orders(uow)
    with store.read() as uow:
        lines = {ln.sku for po in made.orders for ln in purchasing.get(uow, po.id).lines}
    assert lines.isdisjoint({"WHEEL", "FRAME", "SEAT"}), lines
    assert sorted((mo.sku, mo.qty) for mo in made.assemblies) == [
        ("FRAME", 1),  # one frame is on order already
        ("SEAT", 2),
        ("WHEEL", 4),
    ]
    assert sorted(str(m) for m in made.notes) == notes
    assert set(notes) <= {str(m) for m in made.said}
    assert errors(store) == []


def test_a_role_that_may_not_make_is_told_and_the_rest_is_ordered(store) -> None:  # noqa: ANN001
    """An accountant may draft purchase orders but not assembly orders: the seat made here
    is named with why; the bought parts are ordered; no assembly order is drafted."""
    _made_shop(store)
    with store.write() as uow:
        users.add(uow, "amy", "accountant")
        assembly.create(uow, MOInput("BIKE", "2", "2026-12-20"))
    amy = Store(url=store.url, engine=store.engine, user="amy")
    with amy.write() as uow:
        made = draft_shortage_orders(uow)
    assert made.assemblies == []
    assert sorted(po.supplier for po in made.orders) == ["Frames & Co", "Rims Ltd"]
    why = [str(m) for m in made.skipped if "SEAT" in str(m)]
    assert why == [
        "SEAT is short by 2 pcs and is made here: Changing bills of materials and assembly "
        "orders is not allowed for your role (accountant). Ask an owner (tester) to do it, or "
        "to change your role."
    ]
    with store.read() as uow:
        assert [o.sku for o in production_plan(uow).orders] == ["BIKE"]


def test_cli_plan_says_what_is_made_and_drafts_its_assembly_order(tmp_path) -> None:  # noqa: ANN001
    path = str(tmp_path / "shop.db")
    s = open_store(path)
    setup.ensure_initialized(s)
    _made_shop(s)
    with s.write() as uow:
        boms.set_bom(uow, 1, BomInput([("RIM", "1")]))  # WHEEL: made, and Rims Ltd's
        assembly.create(uow, MOInput("BIKE", "1", "2026-12-20"))
    s.dispose()
    r = bizdesk("assembly", "plan", "--db", path, "--format", "json")
    assert r.returncode == 0, r.stderr
    plan = json.loads(r.stdout)
    got = {c["sku"]: (c["short"], c["make"], c["supplier"]) for c in plan["components"]}
    assert got["SEAT"] == ("1", True, None)
    assert got["WHEEL"] == ("2", True, "Rims Ltd")
    assert got["BELL"] == ("1", False, None)
    assert plan["notes"] == [
        "WHEEL has a bill of materials: it is made here, not ordered from Rims Ltd (to buy "
        "it this time, draft that purchase order yourself)"
    ]
    r = bizdesk("assembly", "plan", "--db", path)
    assert r.returncode == 0 and "to make" in r.stdout and "not ordered from Rims" in r.stdout
    r = bizdesk("assembly", "plan", "--draft-orders", "--db", path)
    assert r.returncode == 0, r.stderr
    assert "Drafted MO-00002 to make 1 pcs SEAT" in r.stdout
    assert "Drafted MO-00003 to make 2 pcs WHEEL" in r.stdout
    assert "to Rims Ltd" not in r.stdout
    assert "BELL is short by 1 pcs but has no supplier" in r.stdout


def test_a_component_made_here_that_cannot_be_made_exactly_is_named_and_the_rest_ordered(
    store,
) -> None:  # noqa: ANN001
    """CORD (in metres) is made of 0.333 m of FIBER a metre: 0.5 m of it would take
    0.1665 m, finer than a thousandth. No assembly order can be drafted for it: it is
    named, with why, and the bought part is still ordered."""
    supplier(store, "Rims Ltd")
    product(store, "FIBER", name="Fiber", unit="m", cost="1")
    cord = product(store, "CORD", name="Cord", unit="m")
    product(store, "WHEEL", name="Wheel", cost="20", supplier="Rims Ltd")
    bike = product(store, "BIKE", name="Bike")
    with store.write() as uow:
        boms.set_bom(uow, cord, BomInput([("FIBER", "0.333")]))
        boms.set_bom(uow, bike, BomInput([("CORD", "0.5"), ("WHEEL", "2")]))
        assembly.create(uow, MOInput("BIKE", "1", "2026-12-20"))
        made = draft_shortage_orders(uow)
    assert made.assemblies == []
    assert [po.supplier for po in made.orders] == ["Rims Ltd"]
    assert [str(m) for m in made.skipped] == [
        "CORD is short by 0.5 m and is made here, but no assembly order could be drafted: "
        "0.5 x 0.333 m of FIBER is finer than a thousandth; choose a quantity that comes "
        "out whole"
    ]
    assert errors(store) == []
