"""The dashboard, find-anything, the customer's page and the Reports tab at 80x24."""

from __future__ import annotations

from textual.command import CommandPalette
from textual.widgets import DataTable, Input, Select, Static

from bizdesk.app import BizdeskApp
from bizdesk.screens.contacts import ContactScreen
from bizdesk.screens.journal import AccountScreen, EntryScreen
from bizdesk.screens.reports import ReportsPane
from bizdesk.screens.sales import SalesOrderScreen
from bizdesk.screens.stock import StockPane
from bizdesk.widgets.pick import PickScreen
from tests.test_business_month import month  # noqa: F401  (the fixture)
from tests.tui_helpers import SIZE, palette_hits, settle, type_text, wait_for


async def test_dashboard_figures_open_their_lists(month) -> None:  # noqa: ANN001, F811
    store, _cid, _so = month
    app = BizdeskApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        home = app.active_pane()
        assert str(home.data.bank) == "6760.00" and app.focused is home.query_one("#kpis")
        await pilot.press("l")
        await settle(pilot, app)
        pane = app.active_pane()
        assert isinstance(pane, StockPane) and pane.table.req.filters["low"] is True
        assert [r.sku for r in pane.table.page_data.rows] == ["BIKE"]
        await pilot.press("f2", "r")
        await settle(pilot, app)
        reports = app.active_pane()
        assert isinstance(reports, ReportsPane)
        assert reports.query_one("#report", Select).value == "ar-aging"


async def test_find_anything_and_the_customer_page(month) -> None:  # noqa: ANN001, F811
    store, cid, so_id = month
    app = BizdeskApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("ctrl+f")
        await settle(pilot, app)
        assert isinstance(app.screen, CommandPalette)
        await type_text(pilot, "Cycle Cl")
        await wait_for(
            pilot, app, lambda: any("Cycle Club" in h for h in palette_hits(app)), "the hit"
        )
        await pilot.press("enter")
        await settle(pilot, app)
        assert isinstance(app.screen, ContactScreen) and app.screen.record_id == cid
        story = str(app.screen.query_one("#story", Static).render())
        assert "SO-00001 · closed" in story and "INV-00001" in story and "CN-00001" in story
        assert "Frame too small" in story and "Club bikes" in story
        await pilot.press("o")
        await settle(pilot, app)
        assert isinstance(app.screen, PickScreen)
        await pilot.press("down", "enter")  # the deal is first, the order second
        await settle(pilot, app)
        assert isinstance(app.screen, SalesOrderScreen) and app.screen.record_id == so_id
        assert "Frame too small" in str(app.screen.query_one("#main", Static).render())


async def test_reports_drill_down_to_the_source(month) -> None:  # noqa: ANN001, F811
    store, _cid, _so = month
    app = BizdeskApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f9")
        await settle(pilot, app)
        table = app.query_one("#report-rows", DataTable)
        assert table.row_count == 11  # 10 accounts with lines, and the total
        pane = app.active_pane()
        codes = [r["account"] for r in pane.report.rows]
        table.move_cursor(row=codes.index("4000"))
        await pilot.press("enter")
        await settle(pilot, app)
        assert isinstance(app.screen, AccountScreen)
        await pilot.press("enter")
        await settle(pilot, app)
        assert isinstance(app.screen, EntryScreen)
        await pilot.press("o")
        await settle(pilot, app)
        assert isinstance(app.screen, SalesOrderScreen)
        await pilot.press("g")
        await settle(pilot, app)
        assert isinstance(app.screen, ContactScreen)
        # a bad date is refused with the box named, nothing run
        for _ in range(4):
            await pilot.press("escape")
        await settle(pilot, app)
        pane.query_one("#as_of", Input).value = "2026-02-30"
        pane.action_run()
        await settle(pilot, app)
        assert pane.report is None and table.row_count == 0
        title = str(pane.query_one("#report-title", Static).render())
        assert title.startswith("Not run: As of:")
        # the whole sentence shows, on as many lines as it takes (one line cut it at 80
        # columns before the form expected)
        pane.query_one("#as_of", Input).value = "30 February 2026 now"
        pane.action_run()
        await settle(pilot, app)
        said = pane.query_one("#report-title", Static)
        title = str(said.render())
        assert len(title) > 80 and title.endswith("e.g. 2026-02-15"), title  # the form last
        assert said.size.height * (said.size.width - 2) >= len(title), (said.size, title)
