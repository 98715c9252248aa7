"""The assembly orders list (paged, by state, filtered) and the production plan screen
(orders by date, shortages, d drafts the purchase orders), from the palette, at 80x24; and a
kit's bill of materials set from the product page."""

from __future__ import annotations

from textual.widgets import DataTable, Input, Select, Static

from bizdesk.app import BizdeskApp
from bizdesk.screens.making import AssemblyListScreen, AssemblyScreen, ProductionPlanScreen
from bizdesk.services.base.paging import PageRequest
from bizdesk.services.making import assembly, boms
from bizdesk.services.making.assembly import MOInput
from bizdesk.services.trade import purchasing
from bizdesk.widgets.confirm import ConfirmScreen
from bizdesk.widgets.lines_form import LinesFormScreen
from tests.erp_helpers import errors, product, supplier
from tests.tui_helpers import SIZE, settle, type_text, wait_for


def _shop(store) -> None:  # noqa: ANN001
    supplier(store, "Rims Ltd")
    product(store, "WHEEL", name="Wheel", cost="20", supplier="Rims Ltd")
    product(store, "BELL", name="Bell", cost="3")
    bike = product(store, "BIKE", name="Bike for the whole family, with a child seat and a rack")
    cart = product(store, "CART", name="Cart")
    with store.write() as uow:
        boms.set_bom(uow, bike, boms.BomInput([("WHEEL", "2"), ("BELL", "1")]))
        boms.set_bom(uow, cart, boms.BomInput([("WHEEL", "4")]))
        assembly.create(uow, MOInput("BIKE", "2", "2026-12-20"))
        assembly.create(uow, MOInput("CART", "1", "2026-12-10"))
        mo = assembly.create(uow, MOInput("CART", "1", "2026-12-01"))
        assembly.cancel(uow, mo.id)


def _rows(app) -> list[str]:  # noqa: ANN001
    return [r.label for r in app.screen.table.page_data.rows]


async def test_assembly_list_by_state_and_filter_then_plan(store) -> None:  # noqa: ANN001
    _shop(store)
    app = BizdeskApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("ctrl+p")
        await type_text(pilot, "assembly orders")
        await settle(pilot, app)
        await pilot.press("enter")
        await wait_for(pilot, app, lambda: isinstance(app.screen, AssemblyListScreen), "list")
        await wait_for(pilot, app, lambda: app.screen.table.page_data is not None, "a page")
        assert _rows(app) == ["MO-00002", "MO-00001"]  # open ones, by planned date
        await pilot.press("6")
        await wait_for(pilot, app, lambda: _rows(app) == ["MO-00003"], "the cancelled one")
        await pilot.press("0")
        await wait_for(pilot, app, lambda: len(_rows(app)) == 3, "all orders")
        app.screen.query_one("#filter", Input).focus()
        await type_text(pilot, "zzz%_")  # matches nothing, and is no pattern
        await wait_for(pilot, app, lambda: _rows(app) == [], "nothing found")
        app.screen.query_one("#filter", Input).value = ""
        await type_text(pilot, "bike")
        await wait_for(pilot, app, lambda: _rows(app) == ["MO-00001"], "the bike")
        app.screen.query_one("#filter", Input).value = ""
        await type_text(pilot, "mo3")
        await wait_for(pilot, app, lambda: _rows(app) == ["MO-00003"], "by number")
        app.screen.table.focus_grid()
        await pilot.press("enter")
        await wait_for(pilot, app, lambda: isinstance(app.screen, AssemblyScreen), "the order")
        await pilot.press("escape")
        await settle(pilot, app)
        await pilot.press("p")
        await wait_for(pilot, app, lambda: isinstance(app.screen, ProductionPlanScreen), "plan")
        await wait_for(pilot, app, lambda: app.screen.plan is not None, "the plan read")
        plan = app.screen
        orders = plan.query_one("#plan-orders", DataTable)
        assert orders.row_count == 2
        # quantities aligned as numbers are (they stood to the left), in both tables
        needs = plan.query_one("#plan-needs", DataTable)
        for table, first in ((orders, 3), (needs, 1)):
            row = table.get_row_at(0)
            assert {c.justify for c in row[first : first + 2]} == {"right"}
            assert table.ordered_columns[first].label.justify == "right"
        assert "2 short" in str(plan.query_one("#plan-short", Static).render())
        # a long name is cut with "…" to the screen: the state and what is made stay in view
        assert orders.virtual_size.width <= orders.size.width, orders.virtual_size
        names = [str(orders.get_row_at(i)[-1]) for i in range(2)]
        assert any(n.startswith("Bike for") and n.endswith("…") for n in names), names
        await pilot.press("d")  # asked first: n drafts nothing
        await wait_for(pilot, app, lambda: isinstance(app.screen, ConfirmScreen), "asked")
        assert "2 short components" in str(app.screen.query_one(Static).render())
        await pilot.press("n")
        await wait_for(pilot, app, lambda: app.screen is plan, "back on the plan")
        with store.read() as uow:
            assert purchasing.list_page(uow, PageRequest()).rows == []
        await pilot.press("d")
        await wait_for(pilot, app, lambda: isinstance(app.screen, ConfirmScreen), "asked")
        await pilot.press("y")
        await wait_for(
            pilot,
            app,
            lambda: any("Drafted PO-00001" in str(n.message) for n in app._notifications),
            "the purchase order drafted",
        )
        said = " ".join(str(n.message) for n in app._notifications)
        assert "BELL is short by 2 pcs but has no supplier" in said
        await wait_for(
            pilot,
            app,
            lambda: "1 short" in str(plan.query_one("#plan-short", Static).render()),
            "the plan read again",
        )
        # only BELL is short, and it has no supplier: d drafts nothing, so asks nothing
        # ("Draft purchase orders for 1 short component? (0 suppliers...)") and says why
        await pilot.press("d")
        await wait_for(
            pilot,
            app,
            lambda: sum("BELL is short" in str(n.message) for n in app._notifications) == 2,
            "why nothing is drafted",
        )
        assert app.screen is plan
    with store.read() as uow:
        po = purchasing.get(uow, 1)
    assert [(ln.sku, ln.qty) for ln in po.lines] == [("WHEEL", 8)]
    assert errors(store) == []


async def test_kit_bill_from_the_product_page_refuses_labour(store) -> None:  # noqa: ANN001
    from bizdesk.screens.stock import ProductScreen

    product(store, "TUBE", name="Tube", cost="4")
    kit = product(store, "KIT", name="Kit")
    app = BizdeskApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        app.push_screen(ProductScreen(kit))
        await wait_for(pilot, app, lambda: isinstance(app.screen, ProductScreen), "the page")
        await settle(pilot, app)
        await pilot.press("m")
        await wait_for(pilot, app, lambda: isinstance(app.screen, LinesFormScreen), "the form")
        form = app.screen
        form.query_one("#l-product", Input).focus()
        await type_text(pilot, "TUBE")
        await pilot.press("enter")
        await settle(pilot, app)
        form.query_one("#f-kind", Select).value = "kit"
        form.query_one("#f-labour", Input).value = "abc"
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert app.screen is form
        form.query_one("#f-labour", Input).value = "2"
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert app.screen is form
        assert "no labour" in " ".join(str(w.render()) for w in form.query(".field-error")) + str(
            form.query_one("#form-error", Static).render()
        )
        form.query_one("#f-labour", Input).value = "0"
        await pilot.press("ctrl+s")
        await wait_for(pilot, app, lambda: app.screen is not form, "saved")
        await settle(pilot, app)
        details = " ".join(str(app.screen.query_one("#details", Static).render()).split())
        assert "A kit of 1 TUBE" in details
        assert "The parts in stock, less what is promised, make 0." in details  # no tubes
    with store.read() as uow:
        assert boms.get_bom(uow, kit).is_kit


async def _stock_keys_on_the_page(pilot, app, product_id: int, offered: bool) -> None:  # noqa: ANN001
    """The product's page offers a, c and t (footer and help) exactly when ``offered``; a
    key not offered opens nothing, and the page's other keys still work."""
    from bizdesk.screens.help import HelpScreen
    from bizdesk.screens.stock import ProductScreen
    from bizdesk.widgets.form import FormScreen
    from tests.tui_helpers import footer_text

    page = ProductScreen(product_id)
    app.push_screen(page)
    await wait_for(pilot, app, lambda: page.view is not None, "the product read")
    await settle(pilot, app)
    footer = footer_text(app)
    for key in ("a Adjust", "c Count", "t Transfer"):
        assert (key in footer) is offered, (product_id, footer)
    await pilot.press("f1")
    await wait_for(pilot, app, lambda: isinstance(app.screen, HelpScreen), "the help")
    ids = {i for _k, _t, i in app.screen.entries()}
    for binding_id in ("stock.adjust", "stock.count", "stock.transfer"):
        assert (binding_id in ids) is offered, (product_id, ids)
    await pilot.press("escape")
    await wait_for(pilot, app, lambda: app.screen is page, "back on the page")
    if not offered:
        for key in ("a", "c", "t"):
            await pilot.press(key)
            await settle(pilot, app)
            assert app.screen is page, key
    await pilot.press("a" if offered else "m")  # a form opens (m: what it is made of)
    await wait_for(pilot, app, lambda: isinstance(app.screen, FormScreen), "a form")
    await pilot.press("escape")
    await settle(pilot, app)
    if app.screen is not page:  # asked whether to leave the form
        await pilot.press("y")
    await wait_for(pilot, app, lambda: app.screen is page, "the page again")
    await pilot.press("escape")
    await wait_for(pilot, app, lambda: not isinstance(app.screen, ProductScreen), "out")


async def test_a_kit_or_a_service_page_offers_no_stock_keys(store) -> None:  # noqa: ANN001
    """A kit (delivered as its parts) and a service hold no stock of their own: their page
    offered a, c and t in the footer and the help, and each was refused only once its form
    was filled in. They are not offered now, and pressing them opens nothing."""
    product(store, "TUBE", name="Tube", cost="4")
    kit = product(store, "KIT", name="Kit")
    hour = product(store, "HOUR", name="Workshop hour", stocked=False)
    tube = product(store, "TUBE2", name="Other tube")
    with store.write() as uow:
        boms.set_bom(uow, kit, boms.BomInput([("TUBE", "1")], kind="kit"))
    app = BizdeskApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await _stock_keys_on_the_page(pilot, app, kit, offered=False)
        await _stock_keys_on_the_page(pilot, app, hour, offered=False)
        await _stock_keys_on_the_page(pilot, app, tube, offered=True)
    assert errors(store) == []


async def test_a_on_a_kit_in_the_stock_list_says_why_before_any_form(store) -> None:  # noqa: ANN001
    """On the Stock tab's list a, c and t on a kit (or a service) opened their form, to be
    refused once it was filled in. The reason is said at once now; goods still get it."""
    from bizdesk.screens.stock import StockPane
    from bizdesk.widgets.form import FormScreen

    product(store, "TUBE", name="Tube", cost="4")
    kit = product(store, "KIT", name="Repair kit")
    with store.write() as uow:
        boms.set_bom(uow, kit, boms.BomInput([("TUBE", "1")], kind="kit"))
    app = BizdeskApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("f6")
        await settle(pilot, app)
        pane = app.query_one(StockPane)
        assert pane.current_id() == kit  # KIT before TUBE
        for key in ("a", "c", "t"):
            await pilot.press(key)
            await settle(pilot, app)
            assert not isinstance(app.screen, FormScreen), key
        said = [str(n.message) for n in app._notifications]  # noqa: SLF001
        assert said.count("KIT Repair kit is a kit: it is never in stock itself, its "
                          "components are (receive, count or move those)") == 3, said  # fmt: skip
        await pilot.press("down", "a")
        await settle(pilot, app)
        assert isinstance(app.screen, FormScreen)


async def test_plan_makes_a_short_component_made_here_and_says_so(store) -> None:  # noqa: ANN001
    """WHEEL has a bill of materials (of RIM) and a supplier: at 80x24 the plan says it is
    to make, and under the table that it is not ordered from Rims Ltd; d asks for the
    assembly order and drafts one, not a purchase order for the wheels."""
    _shop(store)
    product(store, "RIM", name="Rim", cost="5", supplier="Rims Ltd")
    with store.write() as uow:
        boms.set_bom(uow, 1, boms.BomInput([("RIM", "1")]))
    app = BizdeskApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("ctrl+p")
        await type_text(pilot, "production plan")
        await settle(pilot, app)
        await pilot.press("enter")
        await wait_for(pilot, app, lambda: isinstance(app.screen, ProductionPlanScreen), "plan")
        await wait_for(pilot, app, lambda: app.screen.plan is not None, "the plan read")
        plan = app.screen
        needs = plan.query_one("#plan-needs", DataTable)
        rows = {str(needs.get_row_at(i)[0]): needs.get_row_at(i) for i in range(needs.row_count)}
        assert str(rows["WHEEL"][-1]) == "to make"
        assert "1 made here" in str(plan.query_one("#plan-short", Static).render())
        notes = plan.query_one("#plan-notes", Static)
        assert notes.display and "not ordered from Rims Ltd" in str(notes.render())
        assert needs.virtual_size.width <= needs.size.width, needs.virtual_size
        await pilot.press("d")
        await wait_for(pilot, app, lambda: isinstance(app.screen, ConfirmScreen), "asked")
        assert "Assembly orders: 1 component made here" in str(
            app.screen.query_one(Static).render()
        )
        await pilot.press("y")
        await wait_for(
            pilot,
            app,
            lambda: any("to make 8 pcs WHEEL" in str(n.message) for n in app._notifications),
            "the assembly order drafted",
        )
        await wait_for(
            pilot,
            app,
            lambda: any(
                o.sku == "WHEEL" and o.state == "draft"
                for o in (plan.plan.orders if plan.plan else [])
            ),
            "the plan read again, with the wheels' order",
        )
        assert not notes.display  # nothing short is bought in against its bill any more
    with store.read() as uow:
        lines = [
            ln.sku
            for row in purchasing.list_page(uow, PageRequest()).rows
            for ln in purchasing.get(uow, row.id).lines
        ]
    assert "WHEEL" not in lines
    assert errors(store) == []
