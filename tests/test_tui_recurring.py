"""The recurring entries and invoices screen, and what the interface makes when it starts,
driven with Pilot at 80x24."""

from __future__ import annotations

from datetime import date

from textual.widgets import DataTable, Input

from bizdesk.app import BizdeskApp
from bizdesk.db import Store
from bizdesk.screens.recurring import RecurringScreen
from bizdesk.services.admin import users
from bizdesk.services.recurring import templates as R
from bizdesk.widgets.lines_form import LinesFormScreen
from bizdesk.widgets.paged_table import PagedTable
from tests.test_recurring import rent
from tests.test_tui_erp import text_of
from tests.tui_helpers import SIZE, settle, type_text, wait_for


def _rows(app: BizdeskApp) -> list[tuple[str, str, date | None]]:
    table = app.screen.query_one("#recurring-table", PagedTable)
    return [(r.name, r.state, r.next_date) for r in table.page_data.rows]


async def test_list_add_and_stop_from_the_journal_tab(store) -> None:  # noqa: ANN001
    rent(store, start="2026-12-31")
    app = BizdeskApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f8")
        await settle(pilot, app)
        await pilot.press("t")
        await settle(pilot, app)
        assert isinstance(app.screen, RecurringScreen)
        assert _rows(app) == [("Rent", "active", date(2026, 12, 31))]
        await pilot.press("n")
        await settle(pilot, app)
        form = app.screen
        assert isinstance(form, LinesFormScreen)
        form.query_one("#f-name", Input).value = "Insurance"
        form.query_one("#f-start", Input).value = "2027-01-15"
        form.query_one("#l-account", Input).focus()
        await type_text(pilot, "6200")
        form.query_one("#l-debit", Input).value = "120"
        await pilot.press("enter")
        await settle(pilot, app)
        await type_text(pilot, "1010")
        form.query_one("#l-credit", Input).value = "100"
        await pilot.press("enter")
        await settle(pilot, app)
        assert form.query_one("#lines", DataTable).row_count == 2
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        said = text_of(form, "#form-error")
        assert "Not saved. Lines: debits 120.00 and credits 100.00 differ" in said
        grid = form.query_one("#lines", DataTable)
        grid.focus()
        grid.move_cursor(row=1)
        await pilot.press("enter")  # edit the credit line
        await settle(pilot, app)
        form.query_one("#l-credit", Input).value = "120"
        form.query_one("#l-credit", Input).focus()
        await pilot.press("enter")
        await settle(pilot, app)
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert isinstance(app.screen, RecurringScreen), text_of(form, "#form-error")
        await settle(pilot, app)
        assert _rows(app) == [
            ("Insurance", "active", date(2027, 1, 15)),
            ("Rent", "active", date(2026, 12, 31)),
        ]
        table = app.screen.query_one("#recurring-table", PagedTable)
        table.grid.move_cursor(row=0)
        await pilot.pause()
        await pilot.press("k")  # skip Insurance's first date: asked first, then moved on
        await settle(pilot, app)
        await pilot.press("y")
        await settle(pilot, app)
        assert _rows(app)[0] == ("Insurance", "active", date(2027, 2, 15))
        await pilot.press("enter")
        await settle(pilot, app)
        assert "2027-01-15 skipped" in text_of(app.screen, "#recurring-details")
        await pilot.press("k", "y")  # again: the details shown follow (they went stale)
        await settle(pilot, app)
        shown = text_of(app.screen, "#recurring-details")
        assert "next 2027-03-15" in shown and "2027-02-15 skipped" in shown, shown
        table.grid.move_cursor(row=1)
        await pilot.pause()
        await pilot.press("x")
        await settle(pilot, app)
        await pilot.press("y")
        await settle(pilot, app)
        assert _rows(app)[1] == ("Rent", "stopped", None)
        await pilot.press("enter")
        await settle(pilot, app)
        assert "Rent: 800.00 monthly, next -" in text_of(app.screen, "#recurring-details")
    with store.read() as uow:
        made = R.get(uow, 2)
    assert [ln["debit"] or ln["credit"] for ln in made.lines] == ["120.00", "120.00"]


async def test_start_makes_what_is_due_and_says_so(store) -> None:  # noqa: ANN001
    rent(store, start="2026-10-31")
    app = BizdeskApp(store, run_due=True)
    app.today = date(2026, 12, 1)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(
            pilot,
            app,
            lambda: any("were made" in str(n.message) for n in app._notifications),
            "the notification of what was made",
        )
        said = [str(n.message) for n in app._notifications]
    assert "2 recurring documents were made: JE-1, JE-2" in said


async def test_start_is_silent_for_a_role_that_may_not_make_them(store) -> None:  # noqa: ANN001
    rent(store, start="2026-10-31")
    with store.write() as uow:
        users.add(uow, "sam", "sales")
    sam = Store(url=store.url, engine=store.engine, user="sam")
    app = BizdeskApp(sam, run_due=True)
    app.today = date(2026, 12, 1)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("ctrl+p")
        await type_text(pilot, "recurring")
        await settle(pilot, app)
        await pilot.press("enter")
        await settle(pilot, app)
        said = [str(n.message) for n in app._notifications]
    assert not any("recurring documents" in s for s in said)
    assert any("Viewing recurring invoices and entries is not allowed" in s for s in said)
    with store.read() as uow:
        assert R.get(uow, 1).made == 0


async def test_start_says_what_was_refused_and_nothing_when_nothing_is_due(store) -> None:  # noqa: ANN001
    from bizdesk.services.books import ledger as L

    rent(store, start="2026-11-30")
    rent(store, name="Later", start="2027-01-31")
    with store.write() as uow:
        L.set_lock_date(uow, "2026-11-30")
    app = BizdeskApp(store, run_due=True)
    app.today = date(2026, 12, 1)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(
            pilot,
            app,
            lambda: any("was not made" in str(n.message) for n in app._notifications),
            "the warning about the template refused",
        )
        said = [str(n.message) for n in app._notifications]
    assert said == [
        "Rent, due 2026-11-30, was not made: the books are locked up to 2026-11-30: skip this "
        "occurrence (it cannot be posted), move the lock date, or stop this template"
    ]
    app = BizdeskApp(store, run_due=True)
    app.today = date(2026, 11, 29)  # nothing due: nothing said
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        assert [str(n.message) for n in app._notifications] == []
