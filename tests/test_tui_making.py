"""A product's bill of materials from its page, at 80x24, on a real store."""

from __future__ import annotations

from decimal import Decimal

from textual.widgets import DataTable, Input, Static

from bizdesk.app import BizdeskApp
from bizdesk.screens.stock import ProductScreen
from bizdesk.services.making import boms
from bizdesk.widgets.lines_form import LinesFormScreen
from bizdesk.widgets.paged_table import PagedTable
from tests.erp_helpers import errors, product
from tests.tui_helpers import SIZE, footer_text, settle, type_text, wait_for


def text_of(screen, selector: str) -> str:  # noqa: ANN001
    return str(screen.query_one(selector, Static).render())


async def test_made_of_from_the_product_page(store) -> None:  # noqa: ANN001
    product(store, "AXLE", name="Axle", cost="2.50")
    product(store, "WHEEL", name="Wheel", cost="10")
    kit = product(store, "CART", name="Cart")
    app = BizdeskApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f6")
        await settle(pilot, app)
        table = app.query_one("#stock-table")
        table.query_one(DataTable).move_cursor(row=1)  # CART (sorted by name: Axle, Cart, ...)
        await pilot.press("enter")
        await settle(pilot, app)
        page = app.screen
        assert isinstance(page, ProductScreen) and page.record_id == kit
        assert "Made of" not in text_of(page, "#details")
        await pilot.press("m")
        await settle(pilot, app)
        form = app.screen
        assert isinstance(form, LinesFormScreen)
        form.query_one("#l-product", Input).focus()
        await type_text(pilot, "WHEEL")
        form.query_one("#l-qty", Input).value = "4"
        await pilot.press("enter")
        await settle(pilot, app)
        await type_text(pilot, "AXLE")
        form.query_one("#l-qty", Input).value = "2"
        await pilot.press("enter")
        await settle(pilot, app)
        assert "45.00" in text_of(form, "#totals")
        await type_text(pilot, "CART")  # made of itself: refused, said on the line
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert "CART cannot be made of itself" in text_of(form, "#form-error")
        grid = form.query_one("#lines", DataTable)
        grid.focus()
        grid.move_cursor(row=2)
        await pilot.press("d")
        await settle(pilot, app)
        # the line it named is gone: what the refusal said goes with it
        assert text_of(form, "#form-error") == ""
        form.query_one("#f-labour", Input).value = "7.5"
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert app.screen is page, text_of(form, "#form-error")
        details = text_of(page, "#details")
        assert "Made of 4 WHEEL, 2 AXLE + labour 7.50 = 52.50 a unit today (version 1)" in (
            " ".join(details.split())
        )
    with store.read() as uow:
        view = boms.get_bom(uow, kit)
    assert [(c.sku, c.qty) for c in view.components] == [("WHEEL", 4), ("AXLE", 2)]
    assert view.labour == Decimal("7.50")
    assert errors(store) == []


async def test_assembly_list_and_page_with_keys(store) -> None:  # noqa: ANN001
    from bizdesk.screens.making import AssemblyListScreen, AssemblyScreen
    from bizdesk.services.inventory import moves
    from bizdesk.widgets.form import FormScreen

    wheel = product(store, "WHEEL", name="Wheel", cost="10")
    cart = product(store, "CART", name="Cart")
    with store.write() as uow:
        moves.adjust(uow, wheel, "8", "opening stock")
        boms.set_bom(uow, cart, boms.BomInput([("WHEEL", "4")], "2.50"))
    app = BizdeskApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f6")
        await settle(pilot, app)
        await pilot.press("enter")  # CART, first by name
        await settle(pilot, app)
        assert isinstance(app.screen, ProductScreen)
        await pilot.press("o")
        await settle(pilot, app)
        assert isinstance(app.screen, AssemblyListScreen)
        await pilot.press("n")
        await settle(pilot, app)
        form = app.screen
        assert isinstance(form, FormScreen)
        assert form.query_one("#f-product", Input).value == "CART"
        form.query_one("#f-qty", Input).value = "2"
        form.query_one("#f-notes", Input).value = "Two for the spring fair"
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        page = app.screen
        assert isinstance(page, AssemblyScreen), text_of(form, "#form-error")
        assert "MO-00001" in text_of(page, "#main") and "draft" in text_of(page, "#main")
        assert "Two for the spring fair" in text_of(page, "#main")  # its notes were never shown
        # the footer offers only the steps its state takes (f and c on a partly made order
        # were offered, and refused)
        assert "c Confirm" in footer_text(app) and "f Finish" not in footer_text(app)
        await pilot.press("f")  # not offered: nothing happens
        await settle(pilot, app)
        assert app.screen is page
        await pilot.press("c")
        await settle(pilot, app)
        assert "confirmed" in text_of(page, "#main")
        assert "f Finish" in footer_text(app) and "c Confirm" not in footer_text(app)
        await pilot.press("f")
        await settle(pilot, app)
        app.screen.query_one("#f-qty", Input).value = ""  # "Qty made *" left empty: refused
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert isinstance(app.screen, FormScreen)
        assert text_of(app.screen, "#e-qty") == "required"
        assert "confirmed" in text_of(page, "#main")  # nothing made
        app.screen.query_one("#f-qty", Input).value = "1"
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert app.screen is page
        main = " ".join(text_of(page, "#main").split())
        assert "partially done" in main and "made 1 of 2" in main
        assert "Made so far worth 42.50 in all, of which labour 2.50" in main
        assert "Posted: JE-" in main  # the entry the finish posted, named on the page
        assert "c Confirm" not in footer_text(app) and "x Cancel order" in footer_text(app)
        await pilot.press("x")
        await settle(pilot, app)
        await pilot.press("y")
        await settle(pilot, app)
        assert "cancelled" in text_of(page, "#main")
        assert "Finish" not in footer_text(app) and "Cancel order" not in footer_text(app)
        await pilot.press("escape")
        await settle(pilot, app)
        assert isinstance(app.screen, AssemblyListScreen)
        listed = app.screen.table
        await wait_for(pilot, app, lambda: listed.page_data.rows == [], "no open order left", 10)
        await pilot.press("escape")  # back on the cart's page: the unit made is in its moves
        await settle(pilot, app)
        product_page = app.screen
        assert isinstance(product_page, ProductScreen)
        moves = product_page.query_one(PagedTable)
        # the page reads its moves again on return; wait for that read, not a fixed pause
        await wait_for(
            pilot,
            app,
            lambda: any("MO-00001" in str(r) for r in moves.page_data.rows),
            "the assembly's move on the product page",
            timeout=10,
        )
    with store.read() as uow:
        assert products_available(uow, wheel) == 4000
    assert errors(store) == []


def products_available(uow, pid: int) -> int:  # noqa: ANN001
    from bizdesk.services.trade import sales

    return sales.available(uow, pid)


async def test_assembly_list_finds_a_planned_date_as_shown_and_a_finish_is_dated(store) -> None:  # noqa: ANN001
    """A Romanian shop: the list's filter takes a planned date as the list shows it
    (07.12.2026; it found nothing); books locked through yesterday, the finish form's "Made
    on" refuses the lock date and tomorrow, and takes today (empty)."""
    from datetime import date, timedelta

    from bizdesk import i18n
    from bizdesk.screens.making import AssemblyListScreen, AssemblyScreen
    from bizdesk.services.admin import users
    from bizdesk.services.books import ledger
    from bizdesk.services.inventory import moves
    from bizdesk.services.making import assembly
    from bizdesk.widgets.form import FormScreen

    wheel = product(store, "WHEEL", name="Wheel", cost="10")
    cart = product(store, "CART", name="Cart")
    today = date.today()
    soon, later = today + timedelta(days=3), today + timedelta(days=9)
    with store.write() as uow:
        uow.set_setting("locale", "ro_RO")
        users.set_language(uow, uow.user, "ro")
        moves.adjust(uow, wheel, "8", "opening stock")
        boms.set_bom(uow, cart, boms.BomInput([("WHEEL", "4")], "2.50"))
        assembly.create(uow, assembly.MOInput("CART", "1", later.isoformat()))
        mo = assembly.create(uow, assembly.MOInput("CART", "1", soon.isoformat()))
        assembly.confirm(uow, mo.id)
        ledger.set_lock_date(uow, (today - timedelta(days=1)).isoformat())
    shown = soon.strftime("%d.%m.%Y")  # as the Romanian list shows it
    try:
        app = BizdeskApp(store)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot, app)
            app.push_screen(AssemblyListScreen())
            await settle(pilot, app)
            listed = app.screen.table
            await wait_for(pilot, app, lambda: len(listed.page_data.rows) == 2, "two orders", 10)
            assert shown in str(listed.query_one(DataTable).get_row_at(0))
            await pilot.press("slash")
            await type_text(pilot, shown)
            await pilot.press("enter")
            await wait_for(
                pilot,
                app,
                lambda: [r.label for r in listed.page_data.rows] == ["MO-00002"],
                "the order planned on the day typed",
                10,
            )
            await pilot.press("enter")
            await settle(pilot, app)
            page = app.screen
            assert isinstance(page, AssemblyScreen)
            await pilot.press("f")
            await settle(pilot, app)
            form = app.screen
            assert isinstance(form, FormScreen)
            made_on = form.query_one("#f-date", Input)
            made_on.value = (today - timedelta(days=1)).strftime("%d.%m.%Y")  # locked
            await pilot.press("ctrl+s")
            await settle(pilot, app)
            assert app.screen is form
            assert "blocat" in text_of(form, "#e-date")  # "the books are locked", in Romanian
            made_on.value = (today + timedelta(days=1)).strftime("%d.%m.%Y")  # not yet
            await pilot.press("ctrl+s")
            await settle(pilot, app)
            assert app.screen is form
            assert "după ziua de azi" in text_of(form, "#e-date")  # "after today", Romanian
            made_on.value = ""  # empty: today, the first day after the lock date
            await pilot.press("ctrl+s")
            await settle(pilot, app)
            assert app.screen is page, text_of(form, "#form-error")
    finally:
        i18n.use("en")  # the next test's app starts in English
    with store.read() as uow:
        done = assembly.get(uow, mo.id)
        assert done.state == "done"
        assert [e.date for e in done.entries] == [today]
