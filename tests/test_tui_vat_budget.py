"""The VAT return and the budget in the Reports tab, and the budget's line on Home, at 80x24."""

from __future__ import annotations

import calendar
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal

from textual.widgets import DataTable, Input, Select, Static

from bizdesk.app import BizdeskApp
from bizdesk.formatting import money
from bizdesk.money import from_minor
from bizdesk.screens.home import HomePane
from bizdesk.screens.reports import DocumentsScreen, ReportsPane
from bizdesk.screens.sales import SalesOrderScreen
from bizdesk.services.books import budgets
from bizdesk.widgets.form import FormScreen
from tests.test_tui_languages import drawn
from tests.test_vat_return import a_quarter
from tests.tui_helpers import SIZE, settle, type_text, wait_for


def _footer_keys(app: BizdeskApp) -> set[str]:
    return {
        b.binding.key for b in app.screen.active_bindings.values() if b.binding.show and b.enabled
    }


async def test_the_vat_return_and_its_documents(store) -> None:  # noqa: ANN001
    a_quarter(store)
    app = BizdeskApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f9")
        await settle(pilot, app)
        pane = app.active_pane()
        assert isinstance(pane, ReportsPane)
        pane.query_one("#from", Input).value = "2026-10-01"
        pane.query_one("#to", Input).value = "2026-10-31"
        pane.query_one("#report", Select).value = "vat-return"
        await wait_for(
            pilot, app, lambda: pane.report is not None and pane.report.name == "vat-return", "run"
        )
        table = pane.query_one("#report-rows", DataTable)
        assert table.row_count == 7  # six rows and the balance
        cells = [str(c) for c in table.get_row_at(0)]
        assert cells == ["Output VAT", "20", "400.00", "80.00", "2"]
        assert [str(c) for c in table.get_row("totals")][0] == "Balance to reclaim"
        notes = str(pane.query_one("#report-notes", Static).render())
        assert "179.50 to reclaim" in notes
        # the other entries: the key that lists them here (the command line names its JSON)
        assert "enter lists a row's documents and entries; enter on one opens it." in notes
        assert "--format json" not in notes
        table.focus()
        table.move_cursor(row=0)
        await pilot.press("enter")
        await settle(pilot, app)
        screen = app.screen
        assert isinstance(screen, DocumentsScreen)
        assert "Output VAT · 20 %: 2 documents" in str(
            screen.query_one("#documents-title", Static).render()
        )
        docs = screen.query_one("#documents", DataTable)
        assert [str(c) for c in docs.get_row_at(1)] == [
            "CN-00001",
            "2026-10-20",
            "Cycle Club",
            "-200.00",
            "-40.00",
        ]
        docs.move_cursor(row=1)
        await pilot.press("enter")
        await settle(pilot, app)
        assert isinstance(app.screen, SalesOrderScreen)  # the order the credit note is on
        await pilot.press("escape", "escape")
        await settle(pilot, app)
        assert app.active_pane() is pane


async def test_budget_set_from_the_reports_tab_and_shown_on_home(store) -> None:  # noqa: ANN001
    today = date.today()
    app = BizdeskApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        home = app.active_pane()
        assert isinstance(home, HomePane) and home.budget is None
        assert "g" not in _footer_keys(app)  # no budget yet: no key for it
        await pilot.press("f9")
        await settle(pilot, app)
        pane = app.active_pane()
        assert "b" not in _footer_keys(app)  # only beside the budget report
        pane.query_one("#report", Select).value = "budget"
        await wait_for(pilot, app, lambda: pane.report and pane.report.name == "budget", "run")
        pane.query_one("#report-rows", DataTable).focus()
        await settle(pilot, app)
        assert "b" in _footer_keys(app)
        await pilot.press("b")
        await settle(pilot, app)
        assert isinstance(app.screen, FormScreen)
        await type_text(pilot, "6000")
        await pilot.press("tab")
        await pilot.press("tab")
        await type_text(pilot, "250")
        await pilot.press("ctrl+s")
        await wait_for(pilot, app, lambda: not isinstance(app.screen, FormScreen), "saved")
        await wait_for(
            pilot,
            app,
            lambda: [r["account"] for r in pane.report.rows] == ["6000"],
            "the budget in the report",
        )
        assert pane.report.rows[0]["budget"] > 0
        await pilot.press("f2")
        home.refresh_data()
        await wait_for(pilot, app, lambda: home.budget is not None, "the budget on Home")
        await settle(pilot, app)
        kpis = drawn(home.query_one("#kpis", Static))
        # this month's 250 counts for the days of it gone by (today included), half-even
        days = calendar.monthrange(today.year, today.month)[1]
        part = (Decimal(250_00) * today.day / days).quantize(Decimal(1), ROUND_HALF_EVEN)
        assert home.budget.expense_budget == from_minor(int(part), 2)
        assert (
            f"budget {money(from_minor(int(part), 2))}" in kpis and "Expenses, year to date" in kpis
        ), kpis
        assert "g" in _footer_keys(app)
        await pilot.press("g")
        await settle(pilot, app)
        assert app.active_pane().query_one("#report", Select).value == "budget"
        # the boxes left empty, the title says the period the figures cover; the budget
        # does not read a day "as of" nor a contact: those boxes take no typing
        title = drawn(pane.query_one("#report-title", Static))
        assert f"Budget against actual · {today.year}-01-01 to {today:%Y-%m-%d} · 1 of" in title
        assert [pane.query_one(f"#{b}", Input).disabled for b in ("from", "as_of", "extra")] == [
            False,
            True,
            True,
        ]
        pane.query_one("#report", Select).value = "trial-balance"
        await wait_for(pilot, app, lambda: pane.report.name == "trial-balance", "the other")
        assert [pane.query_one(f"#{b}", Input).disabled for b in ("from", "as_of")] == [
            True,
            False,
        ]
    with store.read() as uow:
        assert budgets.glance(uow, today).expense_budget > 0


async def test_setting_a_budget_or_a_target_from_its_row_starts_with_the_rows_values(
    store,  # noqa: ANN001
) -> None:
    """b on a row of the budget report sets that account's budget (the form started empty,
    to be typed again from the row), starting from what is set for the form's month (it
    was left empty, and the owner overwrote 27,500.00 unseen); g on a row of the targets,
    that user's for that month."""
    from datetime import date

    from bizdesk.services.admin import users

    this_month = f"{date.today():%Y-%m}"
    with store.write() as uow:
        users.add(uow, "sam", "sales")
        budgets.set_budget(uow, "6000", "2026-01", "900")
        budgets.set_budget(uow, "6200", "2026-01", "100")
        budgets.set_budget(uow, "6200", this_month, "27500")
        budgets.set_target(uow, "sam", "2026-01", "1000")
    app = BizdeskApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f9")
        await settle(pilot, app)
        pane = app.active_pane()
        pane.query_one("#from", Input).value = "2026-01-01"
        pane.query_one("#to", Input).value = "2026-01-31"
        pane.query_one("#report", Select).value = "budget"
        await wait_for(pilot, app, lambda: pane.report and pane.report.name == "budget", "run")
        table = pane.query_one("#report-rows", DataTable)
        table.focus()
        table.move_cursor(row=1)
        await settle(pilot, app)
        await pilot.press("b")
        await settle(pilot, app)
        form = app.screen
        assert isinstance(form, FormScreen)
        assert form.query_one("#f-account", Input).value == "6200"
        amount = form.query_one("#f-amount", Input)
        await wait_for(pilot, app, lambda: amount.value == "27,500.00", "this month's")
        await pilot.press("escape")  # nothing typed (the amount filled): no question
        await settle(pilot, app)
        assert isinstance(app.screen.query_one(ReportsPane), ReportsPane)
        table.focus()
        table.move_cursor(row=0)  # 6000: nothing set for this month
        await settle(pilot, app)
        await pilot.press("b")
        await settle(pilot, app)
        form = app.screen
        assert isinstance(form, FormScreen)
        assert form.query_one("#f-account", Input).value == "6000"
        assert form.query_one("#f-amount", Input).value == ""
        await pilot.press("escape")
        await settle(pilot, app)
        pane.query_one("#report", Select).value = "sales-targets"
        await wait_for(pilot, app, lambda: pane.report.name == "sales-targets", "targets")
        table.focus()
        table.move_cursor(row=0)
        await settle(pilot, app)
        await pilot.press("g")
        await settle(pilot, app)
        form = app.screen
        assert isinstance(form, FormScreen)
        owner, month = (form.query_one(f"#f-{k}", Input).value for k in ("owner", "month"))
        assert (owner, month) == ("sam", "2026-01")
        amount = form.query_one("#f-amount", Input)
        await wait_for(pilot, app, lambda: amount.value == "1,000.00", "sam's target filled")
        month_box = form.query_one("#f-month", Input)
        month_box.value = this_month  # another month: its target (none), not January's
        await wait_for(pilot, app, lambda: amount.value == "", "no target this month")
        month_box.value = "2026-01"
        await wait_for(pilot, app, lambda: amount.value == "1,000.00", "January's again")
        month_box.value = "2026-0"  # half typed: no month, so no amount belongs there
        await wait_for(pilot, app, lambda: amount.value == "", "half a month")
        month_box.value = "2026-01"
        await wait_for(pilot, app, lambda: amount.value == "1,000.00", "January's once more")
        amount.value = "750"  # the owner's own typing is never replaced
        month_box.value = this_month
        await settle(pilot, app)
        await pilot.pause(0.2)
        assert amount.value == "750"


async def test_the_budget_forms_amount_is_the_one_of_the_month_it_shows(store) -> None:  # noqa: ANN001
    """The budget form's amount was this month's, kept when the month was changed: saved
    for another month unseen. It follows the account and month the form shows."""
    this_month = f"{date.today():%Y-%m}"
    with store.write() as uow:
        budgets.set_budget(uow, "6200", "2026-01", "100")
        budgets.set_budget(uow, "6200", this_month, "27500")
        budgets.set_budget(uow, "6000", "2026-01", "900")
    app = BizdeskApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f9")
        await settle(pilot, app)
        pane = app.active_pane()
        pane.query_one("#report", Select).value = "budget"
        await wait_for(pilot, app, lambda: pane.report and pane.report.name == "budget", "run")
        await pilot.press("b")
        await settle(pilot, app)
        form = app.screen
        assert isinstance(form, FormScreen)
        account, month_box, amount = (
            form.query_one(f"#f-{k}", Input) for k in ("account", "month", "amount")
        )
        account.value = "6200"
        await wait_for(pilot, app, lambda: amount.value == "27,500.00", "this month's")
        month_box.value = "2026-01"
        await wait_for(pilot, app, lambda: amount.value == "100.00", "January's")
        account.value = "6000"
        await wait_for(pilot, app, lambda: amount.value == "900.00", "6000's January")
        account.value = "60"  # no such account (yet): nothing shown as its budget
        await wait_for(pilot, app, lambda: amount.value == "", "no account")
        account.value = "6000"
        await wait_for(pilot, app, lambda: amount.value == "900.00", "6000's again")
        await pilot.press("escape")  # the account typed: leaving asks first
        await settle(pilot, app)
        await pilot.press("y")
        await settle(pilot, app)
        assert not isinstance(app.screen, FormScreen)
        await pilot.press("b")
        await settle(pilot, app)
        form = app.screen
        month_box, amount = (form.query_one(f"#f-{k}", Input) for k in ("month", "amount"))
        form.query_one("#f-account", Input).value = "6200"
        await wait_for(pilot, app, lambda: amount.value == "27,500.00", "this month's")
        form.query_one("#f-amount", Input).focus()
        await type_text(pilot, "1")  # typed over the figure shown: the owner's own now
        month_box.value = "2026-01"
        await settle(pilot, app)
        await pilot.pause(0.2)
        assert amount.value == "1"
