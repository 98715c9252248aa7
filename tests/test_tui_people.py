"""The people screens at 80x24 on a real store: employees (ctrl+e), a new employee with
wrong input first, an employee's page, a payroll run drafted, its hours, posted and paid
(wrong input first each time), the leave to approve; a sales user sees no pay."""

from __future__ import annotations

from datetime import date

from textual.widgets import DataTable, Input, Select, Static

from bizdesk.app import BizdeskApp
from bizdesk.db import Store
from bizdesk.screens import people as P
from bizdesk.services.admin import users
from bizdesk.services.crm import contacts
from bizdesk.services.crm.contacts import ContactInput
from bizdesk.services.people import employees, leave, payroll
from bizdesk.widgets.confirm import ConfirmScreen
from bizdesk.widgets.form import FormScreen
from tests.erp_helpers import errors
from tests.people_helpers import employee, lines
from tests.test_keys import post_burst
from tests.tui_helpers import SIZE, footer_text, palette_hits, settle, type_text, wait_for


def text_of(screen, selector: str) -> str:  # noqa: ANN001
    return " ".join(str(screen.query_one(selector, Static).render()).split())


async def _save_refused(pilot, app, **values: str) -> FormScreen:  # noqa: ANN001, ANN003
    form = app.screen
    assert isinstance(form, FormScreen)
    for name, value in values.items():
        form.query_one(f"#f-{name}", Input).value = value
    await pilot.press("ctrl+s")
    await settle(pilot, app)
    assert app.screen is form
    return form


async def test_employees_payroll_run_post_and_pay(store) -> None:  # noqa: ANN001
    lines(store)
    employee(store, "Ana Pop", pay="2500", job_title="Mechanic")
    employee(store, "Cy Dan", pay_basis="hourly", pay="12.35")
    with store.write() as uow:
        contacts.create(uow, ContactInput(name="Bo Lee", kind="person"))
    app = BizdeskApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+e")
        await settle(pilot, app)
        assert isinstance(app.screen, P.EmployeesScreen)
        await pilot.press("n")
        await settle(pilot, app)
        form = await _save_refused(
            pilot, app, contact="Bo Lee", start_date="2026-02-30", pay="abc", iban="XX00"
        )
        for name, said in (
            ("start_date", "not a date"),
            ("pay", "number"),
            ("iban", "not a valid IBAN"),
        ):
            assert said in text_of(form, f"#e-{name}"), (name, text_of(form, f"#e-{name}"))
        form.query_one("#f-start_date", Input).value = "2026-01-01"
        form.query_one("#f-pay", Input).value = "1800"
        form.query_one("#f-iban", Input).value = ""
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert isinstance(app.screen, P.EmployeesScreen), text_of(form, "#form-error")
        await pilot.press("enter")  # Ana Pop, first by name
        await settle(pilot, app)
        page = app.screen
        assert isinstance(page, P.EmployeeScreen)
        assert "2,500.00 a month" in text_of(page, "#main")
        await pilot.press("escape")
        await settle(pilot, app)
        await pilot.press("p")
        await settle(pilot, app)
        assert isinstance(app.screen, P.PayrollScreen)
        await pilot.press("n")
        await settle(pilot, app)
        form = await _save_refused(pilot, app, month="2026-13")
        assert "not a month" in text_of(form, "#e-month")
        form.query_one("#f-month", Input).value = "2026-01"
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        run = app.screen
        assert isinstance(run, P.PayrollRunScreen), text_of(form, "#form-error")
        assert "PR-00001 2026-01 draft" in text_of(run, "#main")
        # the footer offers the steps its state takes (h, c, p and y were offered on a paid
        # run, and refused)
        keys = footer_text(app)
        assert all(k in keys for k in ("h Hours", "c Compute again", "p Post")), keys
        assert "y Pay" not in keys
        await pilot.press("p")  # the entry's date asked (empty: the month's last day)
        await settle(pilot, app)
        form = await _save_refused(pilot, app)  # refused: Cy Dan has no hours
        assert "Dan" in text_of(form, "#form-error"), text_of(form, "#form-error")
        await pilot.press("escape")
        await settle(pilot, app)
        assert app.screen is run and "draft" in text_of(run, "#main")
        await pilot.press("h")
        await settle(pilot, app)
        # the hourly employee without hours, named as the page names them
        assert app.screen.query_one("#f-employee", Input).value == "Cy Dan #2"
        assert app.screen.query_one("#f-hours", Input).value == ""
        form = await _save_refused(pilot, app, hours="-4")
        assert "must not be negative" in text_of(form, "#e-hours")
        form.query_one("#f-hours", Input).value = "40"
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert app.screen is run and "40 h" in text_of(run, "#main")
        await pilot.press("h")  # again: the hours entered, to change them
        await settle(pilot, app)
        assert app.screen.query_one("#f-hours", Input).value == "40"
        await pilot.press("escape")
        await settle(pilot, app)
        await pilot.press("p")
        await settle(pilot, app)
        form = await _save_refused(pilot, app, date="2026-01-32")
        assert "2026-01-32" in text_of(form, "#e-date")
        form.query_one("#f-date", Input).value = "2026-01-23"  # to be paid on the 23rd
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert app.screen is run and "posted JE-1" in text_of(run, "#main")
        keys = footer_text(app)
        assert "y Pay" in keys and not any(k in keys for k in ("Hours", "Compute", "Post"))
        await pilot.press("y")
        await settle(pilot, app)
        form = await _save_refused(pilot, app, date="someday")
        account = form.query_one("#f-account", Select)  # the payment accounts, bank chosen
        assert account.value == "1010", account.value
        assert [str(label) for label, _code in account._options[-2:]] == ["1000 Cash", "1010 Bank"]
        account.value = "1000"
        form.query_one("#f-date", Input).value = "2026-01-23"
        form.query_one("#f-employee", Input).value = "Nobody Here"
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert app.screen is form and "There is no employee 'Nobody Here'." in text_of(
            form, "#form-error"
        )
        box = form.query_one("#f-employee", Input)  # only Cy, in cash: "Cy" completes
        box.value = ""
        box.focus()
        await pilot.press("C", "y")
        await wait_for(pilot, app, lambda: box._suggestion == "Cy Dan", "the completion")
        await pilot.press("tab")
        assert box.value == "Cy Dan"
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert app.screen is run
        shown = text_of(run, "#main")
        assert "PR-00001 2026-01 partly paid" in shown and "Dan (40 h) paid JE-2" in shown, shown
        await pilot.press("y")  # the others, by bank
        await settle(pilot, app)
        form = app.screen
        assert isinstance(form, FormScreen)
        form.query_one("#f-date", Input).value = "2026-02-02"
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        shown = text_of(run, "#main")
        assert app.screen is run and "PR-00001 2026-01 paid" in shown, shown
        assert "Pop (22/22 days) paid JE-3" in shown
        assert not any(k in footer_text(app) for k in ("Hours", "Compute", "Post", "Pay"))
        await pilot.press("escape")
        await settle(pilot, app)
        assert app.screen.query_one(DataTable).row_count == 1
        # a payment's entry opens the run it paid (o said "made by hand or imported")
        from bizdesk.screens.journal import EntryScreen

        app.push_screen(EntryScreen(3))
        await settle(pilot, app)
        assert "payroll run's payment #1" in text_of(app.screen, "#main")
        await pilot.press("o")
        await settle(pilot, app)
        assert isinstance(app.screen, P.PayrollRunScreen) and app.screen.record_id == 1
    with store.read() as uow:
        r = payroll.get(uow, 1)
    assert r.state == "paid" and r.paid == r.net and len(r.slips) == 3
    assert errors(store) == []


async def test_leave_approval_and_the_palette(store) -> None:  # noqa: ANN001
    ana = employee(store, "Ana Pop", leave_days="3")
    with store.write() as uow:
        big = leave.request(uow, ana, "vacation", "2026-03-02", "2026-03-06")
        small = leave.request(uow, ana, "sick", "2026-04-01")
    app = BizdeskApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+p")
        await settle(pilot, app)
        await type_text(pilot, "leave to")
        await settle(pilot, app)
        assert any("Leave to approve" in h for h in palette_hits(app))
        await pilot.press("enter")
        await settle(pilot, app)
        screen = app.screen
        assert isinstance(screen, P.LeaveScreen) and len(screen.rows) == 2
        await pilot.press("enter")  # the employee: their balance (enter did nothing)
        await settle(pilot, app)
        assert isinstance(app.screen, P.EmployeeScreen) and app.screen.record_id == ana
        await pilot.press("escape")
        await settle(pilot, app)
        assert app.screen is screen
        await pilot.press("a")  # 5 vacation days of 3: refused, said
        await settle(pilot, app)
        assert len(screen.rows) == 2
        screen.query_one(DataTable).move_cursor(row=1)
        await pilot.press("a")
        await settle(pilot, app)
        assert [r.id for r in screen.rows] == [big.id]
        await pilot.press("x")  # asked first: a refusal cannot be undone
        await settle(pilot, app)
        assert isinstance(app.screen, ConfirmScreen)
        assert "Refuse leave #1 of Ana Pop (vacation," in app.screen.question
        await pilot.press("n")
        await settle(pilot, app)
        assert app.screen is screen and [r.id for r in screen.rows] == [big.id]
        await pilot.press("x", "y")
        await settle(pilot, app)
        assert screen.rows == []
    with store.read() as uow:
        states = {r.id: r.state for r in leave.list_leave(uow)}
    assert states == {big.id: "refused", small.id: "approved"}


async def test_a_sales_user_sees_employees_without_pay(store) -> None:  # noqa: ANN001
    employee(store, "Ana Pop", pay="2500")
    with store.write() as uow:
        users.add(uow, "sam", "sales")
    app = BizdeskApp(Store(url=store.url, engine=store.engine, user="sam"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+e")
        await settle(pilot, app)
        screen = app.screen
        assert isinstance(screen, P.EmployeesScreen)
        assert [c.key for c in screen.table.columns] == [
            "name",
            "job_title",
            "start_date",
            "end_date",
        ]
        await pilot.press("enter")
        await settle(pilot, app)
        assert "2,500" not in text_of(app.screen, "#main")
        assert "Ana Pop" in text_of(app.screen, "#main")
        await pilot.press("escape")
        await settle(pilot, app)
        await pilot.press("p")  # the payroll: not for sales, said
        await settle(pilot, app)
        assert app.screen is screen


async def test_an_employee_is_changed_from_their_page(store) -> None:  # noqa: ANN001
    ana = employee(store, "Ana Pop", pay="2500.5", job_title="Mechanic", leave_days="22")
    with store.write() as uow:
        users.add(uow, "ana", "warehouse")
        employees.end(uow, ana, "2026-12-31")
    app = BizdeskApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+e")
        await settle(pilot, app)
        await pilot.press("enter")
        await settle(pilot, app)
        page = app.screen
        assert isinstance(page, P.EmployeeScreen)
        await pilot.press("e")
        await settle(pilot, app)
        form = app.screen
        assert isinstance(form, FormScreen)
        shown = {n: form.query_one(f"#f-{n}", Input).value for n in ("pay", "start_date")}
        assert shown == {"pay": "2,500.50", "start_date": "2026-01-01"}
        assert form.query_one("#f-end_date", Input).value == "2026-12-31"  # kept, not cleared
        form = await _save_refused(pilot, app, pay="0", user="nobody", leave_days="400")
        assert "more than zero" in text_of(form, "#e-pay")
        assert "no user" in text_of(form, "#e-user")
        assert "366" in text_of(form, "#e-leave_days")
        for name, value in (("pay", "2,750.25"), ("user", "ana"), ("leave_days", "25")):
            form.query_one(f"#f-{name}", Input).value = value
        form.query_one("#f-job_title", Input).value = "Head mechanic"
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert app.screen is page, text_of(form, "#form-error")
        main = text_of(page, "#main")
        assert "Head mechanic" in main and "2,750.25 a month" in main
        await pilot.press("e")  # saved unchanged: the same values
        await settle(pilot, app)
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert app.screen is page
    with store.read() as uow:
        e = employees.get(uow, ana)
    assert (e.job_title, str(e.pay), e.user) == ("Head mechanic", "2750.25", "ana")
    assert e.leave_days == 25
    assert e.end_date.isoformat() == "2026-12-31"
    assert errors(store) == []


async def test_a_sales_user_cannot_change_an_employee(store) -> None:  # noqa: ANN001
    employee(store, "Ana Pop", pay="2500")
    with store.write() as uow:
        users.add(uow, "sam", "sales")
    app = BizdeskApp(Store(url=store.url, engine=store.engine, user="sam"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+e")
        await settle(pilot, app)
        await pilot.press("enter")
        await settle(pilot, app)
        page = app.screen
        await pilot.press("e")
        await settle(pilot, app)
        assert app.screen is page  # told, no form


async def test_escape_in_a_list_filter_clears_it_before_leaving(store) -> None:  # noqa: ANN001
    employee(store, "Ana Pop")
    employee(store, "Cy Dan")
    app = BizdeskApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+e")
        await settle(pilot, app)
        screen = app.screen
        assert isinstance(screen, P.EmployeesScreen)
        await pilot.press("slash")
        await type_text(pilot, "cy")
        await settle(pilot, app)
        assert screen.table.grid.row_count == 1
        await pilot.press("escape")  # the filter goes, the screen stays
        await settle(pilot, app)
        assert app.screen is screen and screen.table.req.search == ""
        assert screen.table.grid.row_count == 2
        await pilot.press("escape")  # no filter: back
        await settle(pilot, app)
        assert app.screen is not screen


async def test_names_that_look_like_markup_show_as_typed_in_the_leave_list(store) -> None:  # noqa: ANN001
    """A plain DataTable reads '[/]' as markup and stops the screen; every table here
    shows it as typed (widgets/table.py). Its days are a quantity: right-aligned, as
    everywhere else (they were left-aligned)."""
    for name in ("[/]", "[bold]Bo[/] Ltd"):
        person = employee(store, name)
        with store.write() as uow:
            leave.request(uow, person, "vacation", "2026-03-02")
    app = BizdeskApp(store)
    async with app.run_test(size=SIZE) as pilot:
        app.push_screen(P.LeaveScreen())
        await settle(pilot, app)
        table = app.screen.query_one(DataTable)
        names = {str(table.get_row_at(r)[1]) for r in range(table.row_count)}
        assert names == {"[/]", "[bold]Bo[/] Ltd"}
        days = [table.get_row_at(r)[5] for r in range(table.row_count)]  # right, as quantities
        assert [(str(d), getattr(d, "justify", None)) for d in days] == [("1", "right")] * 2
        assert app.is_running


async def test_a_key_typed_before_a_run_s_page_is_read_acts_on_it(store) -> None:  # noqa: ANN001
    """Over SSH "enter y" arrives at once: enter opens the run, and y (pay) waits until the
    run is read instead of being dropped on a page that has nothing yet."""
    lines(store)
    employee(store, "Ana Pop", pay="2500")
    with store.write() as uow:
        payroll.post(uow, payroll.create_run(uow, "2026-01").id)
    app = BizdeskApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("ctrl+e")
        await settle(pilot, app)
        await pilot.press("p")
        await settle(pilot, app)
        assert isinstance(app.screen, P.PayrollScreen)
        post_burst(app, "\ry")  # one read: enter, then y before the run is read
        await wait_for(pilot, app, lambda: isinstance(app.screen, FormScreen), "the pay form")
        await settle(pilot, app)  # its account choices mounted before the test ends
        form = app.screen
        assert isinstance(form, FormScreen), type(form)
        assert "Pay PR-00001" in str(form.query_one("#title", Static).render())


async def test_enter_typed_before_the_payroll_runs_are_read_opens_the_newest(store) -> None:  # noqa: ANN001
    """ "p enter" in one burst from the employees: the runs list opens, and enter waits for
    its rows instead of falling on an empty table."""
    lines(store)
    employee(store, "Ana Pop", pay="2500")
    with store.write() as uow:
        payroll.create_run(uow, "2026-01")
        newest = payroll.create_run(uow, "2026-02").id
    app = BizdeskApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("ctrl+e")
        await settle(pilot, app)
        post_burst(app, "p\r")
        await wait_for(
            pilot, app, lambda: isinstance(app.screen, P.PayrollRunScreen), "the run's page"
        )
        assert app.screen.record_id == newest


async def test_c_computes_a_draft_again_on_its_page(store) -> None:  # noqa: ANN001
    """Unpaid leave approved after the draft: p is refused with the reason and the way out,
    c computes the draft again on the page, and p then posts what the page shows."""
    ana = employee(store, "Ana Pop", pay="2200")
    with store.write() as uow:
        run = payroll.create_run(uow, "2026-03").id
        leave.approve(uow, leave.request(uow, ana, "unpaid", "2026-03-02", "2026-03-03").id)
    app = BizdeskApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        app.push_screen(P.PayrollRunScreen(run))
        await settle(pilot, app)
        page = app.screen
        assert "2,200.00" in str(page.query_one("#main", Static).render())
        await pilot.press("p")
        await settle(pilot, app)
        form = await _save_refused(pilot, app)  # post, on the month's last day
        said = text_of(form, "#form-error")
        assert "computed before a change" in said and "c on its page" in said
        await pilot.press("escape")
        await settle(pilot, app)
        assert app.screen is page
        await pilot.press("c")
        await settle(pilot, app)
        assert "2,000.00" in str(page.query_one("#main", Static).render())
    with store.read() as uow:
        assert payroll.get(uow, run).state == "draft"


async def test_the_employees_list_says_which_pay_is_by_the_hour(store) -> None:  # noqa: ANN001
    """The list titled every pay "Salary": 15.50 an hour read as a salary of 15.50."""
    employee(store, "Ana Pop", pay="2500")
    employee(store, "Cy Dan", pay_basis="hourly", pay="15.5")
    app = BizdeskApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+e")
        await settle(pilot, app)
        grid = app.screen.table.grid
        rows = [[str(c) for c in grid.get_row_at(r)] for r in range(grid.row_count)]
    assert [r[0] for r in rows] == ["Ana Pop", "Cy Dan"]
    assert [r[-1].strip() for r in rows] == ["2,500.00", "15.50/h"]


async def test_a_tab_key_on_a_screen_over_the_tabs_goes_to_that_tab(store) -> None:  # noqa: ANN001
    """F4 on the employees (or a record's page) changed the tab unseen underneath: the key
    seemed dead. It goes back to the tabs and shows that tab; in a form it does nothing
    (the typing stays)."""
    from bizdesk.screens.deals import DealsPane

    employee(store, "Ana Pop")
    app = BizdeskApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("ctrl+e")
        await settle(pilot, app)
        await pilot.press("n")  # a new employee's form: the tab key is the form's
        await settle(pilot, app)
        assert isinstance(app.screen, FormScreen)
        await pilot.press("f4")
        await settle(pilot, app)
        assert isinstance(app.screen, FormScreen)
        await pilot.press("escape")
        await settle(pilot, app)
        await pilot.press("enter")  # Ana's page, over the employees
        await settle(pilot, app)
        assert isinstance(app.screen, P.EmployeeScreen)
        await pilot.press("f4")
        await settle(pilot, app)
        assert len(app.screen_stack) == 1
        assert isinstance(app.active_pane(), DealsPane)


async def test_a_run_is_reversed_deleted_and_its_payslip_printed_from_its_page(
    store,
    tmp_path,
    monkeypatch,  # noqa: ANN001
) -> None:
    """What the command line does to a run (reverse, delete, print a payslip) the run's page
    does too, each key only where it works: r on a posted run not paid, d on a draft."""
    monkeypatch.chdir(tmp_path)
    ana = employee(store, "Ana Pop", pay="2200")
    with store.write() as uow:
        run = payroll.post(uow, payroll.create_run(uow, "2026-03").id).id
    app = BizdeskApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        app.push_screen(P.PayrollRunScreen(run))
        await settle(pilot, app)
        page = app.screen
        keys = footer_text(app)
        assert "r Reverse" in keys and "w Print" in keys and "d Delete" not in keys
        await pilot.press("w")  # one payslip: no choice to make
        await settle(pilot, app)
        assert isinstance(app.screen, FormScreen)
        assert app.screen.query_one("#f-path", Input).value == str(tmp_path / "PR-00001-1.pdf")
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert (tmp_path / "PR-00001-1.pdf").read_bytes().startswith(b"%PDF")
        await pilot.press("w")  # again: a name that is free is offered, not the file written
        await settle(pilot, app)
        path = app.screen.query_one("#f-path", Input).value
        assert path == str(tmp_path / "PR-00001-1 (2).pdf"), path
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert (tmp_path / "PR-00001-1 (2).pdf").read_bytes().startswith(b"%PDF")
        await pilot.press("r")
        await settle(pilot, app)
        form = await _save_refused(pilot, app, date="2026-02-27")  # before the run's entry
        assert "before" in text_of(form, "#e-date"), text_of(form, "#e-date")
        form.query_one("#f-date", Input).value = "2026-04-01"
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert app.screen is page
        with store.read() as uow:
            assert payroll.get(uow, run).state == "reversed"
        assert "r Reverse" not in footer_text(app)
    with store.write() as uow:
        draft = payroll.create_run(uow, "2026-03").id
    app = BizdeskApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        app.push_screen(P.EmployeeScreen(ana))  # the two payslips of March told apart
        await settle(pilot, app)
        said = text_of(app.screen, "#main")
        assert "PR-00002/1 2026-03, draft: gross 2,200.00" in said, said
        assert "PR-00001/1 2026-03, reversed: gross 2,200.00" in said, said
        await pilot.press("escape")
        await settle(pilot, app)
        app.push_screen(P.PayrollRunScreen(draft))
        await settle(pilot, app)
        assert "d Delete" in footer_text(app) and "r Reverse" not in footer_text(app)
        await pilot.press("d")
        await settle(pilot, app)
        await pilot.press("y")
        await settle(pilot, app)
        assert not isinstance(app.screen, P.PayrollRunScreen)
    with store.read() as uow:
        assert [r.id for r in payroll.list_runs(uow)] == [run]
    assert errors(store) == []


async def test_a_run_dated_ahead_is_reversed_and_paid_on_its_own_day(store) -> None:  # noqa: ANN001
    """A run of this month is posted dated its last day: its reversal and its pay cannot be
    dated before, so their forms start at that day (empty said "today", and was refused or
    was not the day the reversal took)."""
    import calendar

    today = date.today()
    last = today.replace(day=calendar.monthrange(today.year, today.month)[1])
    ahead = last.isoformat() if last > today else ""  # (on the last day: today is that day)
    employee(store, "Ana Pop", pay="2200")
    month = f"{today:%Y-%m}"
    with store.write() as uow:
        undone = payroll.post(uow, payroll.create_run(uow, month).id).id
    app = BizdeskApp(store)
    async with app.run_test(size=SIZE) as pilot:

        async def dated_form_saved(run: int, key: str) -> None:
            """The run's page, the form of ``key``: its date starts ahead and saves."""
            app.push_screen(P.PayrollRunScreen(run))
            await settle(pilot, app)
            await pilot.press(key)
            await settle(pilot, app)
            assert app.screen.query_one("#f-date", Input).value == ahead
            await pilot.press("ctrl+s")
            await settle(pilot, app)
            assert isinstance(app.screen, P.PayrollRunScreen), text_of(app.screen, "#form-error")

        await settle(pilot, app)
        await dated_form_saved(undone, "r")
        with store.write() as uow:
            paid = payroll.post(uow, payroll.create_run(uow, month).id).id
        await pilot.press("escape")
        await settle(pilot, app)
        await dated_form_saved(paid, "y")
    with store.read() as uow:
        assert payroll.get(uow, undone).state == "reversed"
        assert payroll.get(uow, paid).shown_state == "paid"
    assert errors(store) == []


async def test_the_footer_keeps_the_keys_after_a_question_answered_in_one_burst(store) -> None:  # noqa: ANN001
    """`x y` in one read (over SSH): the question opens and is answered before the footer
    is drawn again; the list's keys were hidden under it and stayed hidden (only F1 and ^q
    showed) until the next key."""
    from textual.widgets._footer import FooterKey

    ana = employee(store, "Ana Pop")
    with store.write() as uow:
        for day in ("2026-03-02", "2026-03-03"):
            leave.request(uow, ana, "sick", day)
    app = BizdeskApp(store)
    async with app.run_test(size=SIZE) as pilot:
        screen = P.LeaveScreen()
        app.push_screen(screen)
        await wait_for(pilot, app, lambda: len(screen.rows) == 2, "the leave list")
        post_burst(app, "xy")
        await wait_for(pilot, app, lambda: len(screen.rows) == 1, "the refusal")
        await settle(pilot, app)
        shown = {k.description for k in screen.query(FooterKey) if k.display}
        assert {"Approve", "Refuse", "Back"} <= shown, shown


async def test_the_pay_form_takes_back_the_employee_its_refusal_shows(store) -> None:  # noqa: ANN001
    """'Ioana' was refused with the example "Ioana Dumitrescu (#1)", and that example typed
    as shown was refused as "no employee": it now pays her."""
    ioana = employee(store, "Ioana Dumitrescu", pay="2500")
    employee(store, "Ana Pop", pay="2500")
    with store.write() as uow:
        run = payroll.create_run(uow, "2026-01").id
        payroll.post(uow, run)
    app = BizdeskApp(store)
    async with app.run_test(size=SIZE) as pilot:
        app.push_screen(P.PayrollRunScreen(run))
        await settle(pilot, app)
        await pilot.press("y")
        await wait_for(pilot, app, lambda: isinstance(app.screen, FormScreen), "the pay form")
        await settle(pilot, app)
        form = await _save_refused(pilot, app, employee="Ioana", date="2026-01-31")
        said = text_of(form, "#form-error")
        example = f"Ioana Dumitrescu (#{ioana})"
        assert example in said, said
        form.query_one("#f-employee", Input).value = example
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert isinstance(app.screen, P.PayrollRunScreen), text_of(form, "#form-error")
    with store.read() as uow:
        paid = {s.employee_id: s.paid_entry for s in payroll.get(uow, run).slips}
    assert paid[ioana] and sum(1 for e in paid.values() if e) == 1


async def test_a_draft_run_offers_post_in_view_at_80_columns_in_romanian(store) -> None:  # noqa: ANN001
    """In Romanian "h Ore  c Recalculează" filled the footer and p Înregistrează (post, the
    step a draft is for) was only behind "F1 Ajutor +4"."""
    from textual.widgets._footer import FooterKey

    lines(store)
    employee(store, "Ana Pop", pay="2500")
    employee(store, "Cy Dan", pay_basis="hourly", pay="12.35")
    with store.write() as uow:
        users.set_language(uow, uow.user, "ro")
        payroll.create_run(uow, "2026-01")
    app = BizdeskApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("ctrl+e")
        await settle(pilot, app)
        await pilot.press("p")
        await settle(pilot, app)
        await pilot.press("enter")
        await wait_for(pilot, app, lambda: isinstance(app.screen, P.PayrollRunScreen), "the run")
        await settle(pilot, app)
        shown = [k.key_display for k in app.screen.query(FooterKey) if k.display]
        assert "p" in shown and "h" in shown, footer_text(app)


async def test_w_on_an_employees_page_withdraws_leave_after_asking(store) -> None:  # noqa: ANN001
    """Leave approved by mistake could not be called off. On the employee's page an owner
    presses w, picks the request (when several still hold their days), says yes: it is
    withdrawn and its days are free again. A sales user is not offered the key."""
    ana = employee(store, "Ana Pop", leave_days="10")
    with store.write() as uow:
        first = leave.request(uow, ana, "vacation", "2026-03-02", "2026-03-06")
        leave.approve(uow, first.id)
        leave.request(uow, ana, "sick", "2026-04-01")
        users.add(uow, "sam", "sales")
    app = BizdeskApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        app.push_screen(P.EmployeeScreen(ana))
        await settle(pilot, app)
        assert "w Withdraw leave" in footer_text(app)
        await pilot.press("w")  # two hold their days: which one?
        await settle(pilot, app)
        assert not isinstance(app.screen, (P.EmployeeScreen, ConfirmScreen))
        await pilot.press("enter")  # the first listed: the newest, April's
        await settle(pilot, app)
        assert isinstance(app.screen, ConfirmScreen) and "#2 sick" in app.screen.question
        await pilot.press("escape")  # not this one
        await settle(pilot, app)
        await pilot.press("w", "down", "enter")
        await settle(pilot, app)
        assert "#1 vacation" in app.screen.question
        await pilot.press("y")
        await wait_for(pilot, app, lambda: isinstance(app.screen, P.EmployeeScreen), "the page")
    with store.read() as uow:
        assert {r.id: r.state for r in leave.list_leave(uow)} == {
            first.id: "withdrawn",
            first.id + 1: "requested",
        }
        assert leave.balance(uow, ana, 2026).left == 10
    sam = BizdeskApp(Store(url=store.url, engine=store.engine, user="sam"))
    async with sam.run_test(size=SIZE) as pilot:
        await settle(pilot, sam)
        sam.push_screen(P.EmployeeScreen(ana))
        await settle(pilot, sam)
        assert "Withdraw" not in footer_text(sam)


async def test_v_sets_the_leave_days_a_new_employee_is_offered(store) -> None:  # noqa: ANN001
    """A new employee's form offered 0 leave days, whatever the shop gives: v on the list
    sets the shop's number (a box left empty, or no whole number, is refused), and the
    next new employee's form offers it; a sales user is told why not."""
    employee(store, "Ana Pop", pay="2500")
    app = BizdeskApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+e")
        await settle(pilot, app)
        assert "v Leave days" in footer_text(app)
        await pilot.press("v")
        await settle(pilot, app)
        assert app.screen.query_one("#f-leave_days", Input).value == "0"
        for typed in ("", "2.5", "400"):
            form = await _save_refused(pilot, app, leave_days=typed)
            said = text_of(form, "#e-leave_days")
            assert "a whole number of days from 0 to 366" in said, (typed, said)
        form.query_one("#f-leave_days", Input).value = "25"
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert isinstance(app.screen, P.EmployeesScreen)
        assert any("25 leave days a year" in str(n.message) for n in app._notifications)
        await pilot.press("n")
        await settle(pilot, app)
        assert app.screen.query_one("#f-leave_days", Input).value == "25"
    with store.read() as uow:
        assert employees.default_leave_days(uow.setting) == 25
        assert employees.get(uow, 1).leave_days == 0  # employed before: kept
    with store.write() as uow:
        users.add(uow, "sam", "sales")
    app = BizdeskApp(Store(url=store.url, engine=store.engine, user="sam"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+e")
        await settle(pilot, app)
        await pilot.press("v")
        await settle(pilot, app)
        assert isinstance(app.screen, P.EmployeesScreen)  # told, no form
        assert app._notifications
