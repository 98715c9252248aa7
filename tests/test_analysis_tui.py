"""The analyses in the Reports tab at 80x24: a row opens the orders, deals or contacts behind
it, paged, and from there the record; escape comes back; wrong dates are refused by box."""

from __future__ import annotations

import pytest
from textual.command import CommandPalette
from textual.widgets import DataTable, Input, Select, Static

from bizdesk.app import BizdeskApp
from bizdesk.screens.contacts import ContactScreen
from bizdesk.screens.deals import DealScreen
from bizdesk.screens.reports import DrillScreen, DrillTable, ReportsPane
from bizdesk.screens.sales import SalesOrderScreen
from bizdesk.services.admin import users
from tests.test_analysis_reports import _deals
from tests.test_analysis_sales import _shop
from tests.test_tui_languages import speaking
from tests.tui_helpers import SIZE, palette_hits, settle, type_text, wait_for


async def _choose(pilot, app, pane, name: str, by: str = "") -> None:  # noqa: ANN001
    pane.query_one("#extra", Input).value = by
    before = pane.runs
    pane.query_one("#report", Select).value = name
    await wait_for(
        pilot,
        app,
        lambda: pane.runs > before and pane.report is not None and pane.report.name == name,
        f"{name} run",
    )


async def _drill(pilot, app, pane, row: int) -> DrillScreen:  # noqa: ANN001
    table = pane.query_one("#report-rows", DataTable)
    table.focus()
    table.move_cursor(row=row)
    await pilot.press("enter")
    await wait_for(pilot, app, lambda: isinstance(app.screen, DrillScreen), "the drill-down")
    grid = app.screen.query_one(DrillTable)
    await wait_for(pilot, app, lambda: grid.page_data is not None, "its first page")
    return app.screen


async def test_sales_and_margin_drill_down_to_the_order_and_back(store) -> None:  # noqa: ANN001
    ids = _shop(store)
    app = BizdeskApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f9")
        await settle(pilot, app)
        pane = app.active_pane()
        assert isinstance(pane, ReportsPane)
        pane.query_one("#from", Input).value = "2026-11-01"
        pane.query_one("#to", Input).value = "2026-11-30"
        await _choose(pilot, app, pane, "sales-analysis", "customer")
        table = pane.query_one("#report-rows", DataTable)
        first = [str(c) for c in table.get_row_at(0)]
        # her goods left in October: November's books hold her sales and none of their cost
        assert first == ["Ann Rider", "4", "1,374.90", "0.00", "1,374.90", "100.0"], first
        assert [str(c) for c in table.get_row("totals")][2] == "2,774.70"
        screen = await _drill(pilot, app, pane, 0)
        assert "Sales and margin · Ann Rider" in str(
            screen.query_one("#drill-title", Static).render()
        )
        rows = screen.query_one(DrillTable).page_data.rows
        assert [r.record_id for r in rows] == [ids["so1"]]
        await pilot.press("enter")
        await wait_for(pilot, app, lambda: isinstance(app.screen, SalesOrderScreen), "the order")
        await pilot.press("escape")
        await wait_for(pilot, app, lambda: isinstance(app.screen, DrillScreen), "back")
        await pilot.press("escape")
        await wait_for(pilot, app, lambda: app.active_pane() is pane, "the report")
        # a wrong date names its box; nothing stays under it
        pane.query_one("#to", Input).value = "2026-02-30"
        pane.action_run()
        await settle(pilot, app)
        title = str(pane.query_one("#report-title", Static).render())
        assert "Not run: To:" in title and "2026-02-30" in title, title
        assert pane.report is None and table.row_count == 0
        pane.query_one("#from", Input).value = "2026-12-01"
        pane.query_one("#to", Input).value = "2026-11-01"
        pane.action_run()
        await wait_for(
            pilot,
            app,
            lambda: "before its start" in str(pane.query_one("#report-title", Static).render()),
            "the period refused",
        )


async def test_win_loss_and_segments_drill_down(store) -> None:  # noqa: ANN001
    _deals(store)
    app = BizdeskApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f9")
        await settle(pilot, app)
        pane = app.active_pane()
        await _choose(pilot, app, pane, "win-loss", "owner")
        # the box's hint ("by: reason, stage, owner") is cut at 80 columns: the notes say it
        notes = str(pane.query_one("#report-notes", Static).render())
        assert "The last box groups by: reason, stage, owner." in notes, notes
        values = [r["owner"] for r in pane.report.rows]
        screen = await _drill(pilot, app, pane, values.index("sam"))
        rows = screen.query_one(DrillTable).page_data.rows
        assert [r.title for r in rows] == ["Lights"]
        await pilot.press("enter")
        await wait_for(pilot, app, lambda: isinstance(app.screen, DealScreen), "the deal")
        await pilot.press("escape", "escape")
        await wait_for(pilot, app, lambda: app.active_pane() is pane, "the report")
        await _choose(pilot, app, pane, "segments", "stage")
        screen = await _drill(pilot, app, pane, 0)
        assert [r.name for r in screen.query_one(DrillTable).page_data.rows] == ["Ann Rider"]
        await pilot.press("enter")
        await wait_for(pilot, app, lambda: isinstance(app.screen, ContactScreen), "the contact")
        await pilot.press("escape", "escape")
        await wait_for(pilot, app, lambda: app.active_pane() is pane, "the report")
        await _choose(pilot, app, pane, "cycle-times")
        assert pane.report.rows == []  # no orders: nothing, and no error


async def test_a_report_is_grouped_by_a_word_of_the_readers_language(store) -> None:  # noqa: ANN001
    _shop(store)
    with store.write() as uow:
        users.set_language(uow, "tester", "es")
    app = BizdeskApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f9")
        await settle(pilot, app)
        pane = app.active_pane()
        box = pane.query_one("#extra", Input)
        await _choose(pilot, app, pane, "sales-analysis", "Cliente")  # "customer"
        assert pane.report.params["by"] == "customer"
        assert box.placeholder.startswith("por: producto, cliente, responsable"), box.placeholder
        box.value = "customer"  # as the command line takes it: accepted too
        pane.action_run()
        await wait_for(pilot, app, lambda: pane.report is not None, "the report")
        assert pane.report.params["by"] == "customer"
        box.value = "kunde"
        pane.action_run()
        await settle(pilot, app)
        title = str(pane.query_one("#report-title", Static).render())
        assert "Por: debe ser uno de: producto, cliente" in title, title
        # the contacts behind a stage say it in Spanish too (the drill-down said "lead")
        await _choose(pilot, app, pane, "segments", "etapa")
        assert pane.report.params["by"] == "stage"
        screen = await _drill(pilot, app, pane, 0)
        grid = screen.query_one(DrillTable)
        stages = {str(grid._cells(r)[2]) for r in grid.page_data.rows}  # noqa: SLF001
        assert stages == {"interesado"}, stages  # "lead"


async def test_the_palette_runs_a_report_by_its_name_in_the_reader_s_language(store) -> None:  # noqa: ANN001
    """ctrl+p "IVA" found products and sales orders, no VAT return: each report is a command
    of the palette by its name, and so is the lock date."""
    from bizdesk.screens.journal import JournalPane
    from bizdesk.widgets.form import FormScreen
    from tests.tui_helpers import palette_hits, type_text

    with store.write() as uow:
        users.set_language(uow, uow.user, "es")
    app = BizdeskApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("ctrl+p")
        await settle(pilot, app)
        await type_text(pilot, "IVA")
        await wait_for(
            pilot, app, lambda: "Declaración de IVA" in palette_hits(app), "the VAT return"
        )
        await pilot.press("enter")
        await wait_for(
            pilot,
            app,
            lambda: (
                isinstance(app.active_pane(), ReportsPane)
                and app.active_pane().report is not None
                and app.active_pane().report.name == "vat-return"
            ),
            "the VAT return run",
        )
        await pilot.press("ctrl+p")
        await settle(pilot, app)
        await type_text(pilot, "fecha de cierre")
        await wait_for(pilot, app, lambda: "Fecha de cierre" in palette_hits(app), "the lock")
        await pilot.press("enter")
        await wait_for(
            pilot, app, lambda: isinstance(app.active_pane(), JournalPane), "the journal tab"
        )
        await wait_for(pilot, app, lambda: isinstance(app.screen, FormScreen), "its form")
        assert app.screen.query_one("#f-lock_date", Input) is not None


async def _palette_finds(store, typed: str, title: str, *, first: bool = False) -> None:  # noqa: ANN001
    app = BizdeskApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("ctrl+p")
        await wait_for(pilot, app, lambda: isinstance(app.screen, CommandPalette), "palette")
        await type_text(pilot, typed)
        await wait_for(
            pilot,
            app,
            lambda: any(hit.startswith(title) for hit in palette_hits(app)),
            f"{title} found by {typed!r}",
        )
        if first:  # the first hit: enter runs the report
            await pilot.press("enter")
            await wait_for(
                pilot,
                app,
                lambda: (
                    isinstance(pane := app.active_pane(), ReportsPane)
                    and pane.report is not None
                    and pane.report.name == "win-loss"
                ),
                "the report run",
            )


@pytest.mark.parametrize(
    ("typed", "title"),
    [
        ("win", "Deals won and lost"),  # "won" was found, "win" not
        ("win rate", "Deals won and lost"),
        ("aging", "Aged receivables"),  # as `bizdesk report ar-aging` names it
        ("lead time", "Order cycle times"),
        ("age group", "Contacts by segment"),
        ("gross profit", "Sales and margin"),
        ("reorder", "Low stock"),
    ],
)
async def test_the_palette_finds_a_report_by_the_words_people_type(store, typed, title) -> None:  # noqa: ANN001
    await _palette_finds(store, typed, title, first=typed == "win")


@pytest.mark.parametrize(
    ("language", "typed", "title"),
    [
        ("es", "ganadas", "Oportunidades ganadas y perdidas"),
        ("ro", "castig", "Oportunități câștigate și pierdute"),
        ("vi", "thang", "Cơ hội thắng và thua"),
    ],
)
async def test_the_palette_finds_deals_won_and_lost_in_every_language(
    store,  # noqa: ANN001
    language: str,
    typed: str,
    title: str,
) -> None:
    await _palette_finds(speaking(store, language), typed, title)
