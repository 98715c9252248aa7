"""People: the employees (a paged list; ctrl+e or the palette), an employee's page (leave
this year, leave requests, payslips), the leave waiting for approval, the payroll runs and a
run's page (payslips per employee; hours, post, pay). Pay is shown only to roles with
``people.pay``: the others see the employees without it."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Static

from bizdesk.formatting import day, editable, hours_text, money, visible, visible_text
from bizdesk.i18n import N_, _, ngettext, pgettext
from bizdesk.reading import date_text, month_hint, month_text
from bizdesk.screens import orders
from bizdesk.screens.common import (
    FollowsOthers,
    ServiceRunner,
    ServiceScreen,
    WithTable,
)
from bizdesk.screens.records import AuditedScreen, SendsPapers, print_paper
from bizdesk.services.base.permissions import allowed
from bizdesk.services.people import employees, leave, payroll
from bizdesk.widgets.confirm import ConfirmScreen
from bizdesk.widgets.field import DATE_FORM
from bizdesk.widgets.footer import KeysFooter
from bizdesk.widgets.form import Field, FormScreen
from bizdesk.widgets.header import Header
from bizdesk.widgets.paged_table import Col, PagedTable
from bizdesk.widgets.pick import PickScreen
from bizdesk.widgets.table import Table
from bizdesk.words import LEAVE_KIND_NAMES, PAY_BASIS_NAMES, PAY_LINE_KIND_NAMES


def _count(days: object) -> int:
    """The number a plural agrees with: a whole count as it is, a part of a day as many."""
    d = Decimal(str(days))
    return int(d) if d == d.to_integral_value() else 2


def _day(d: date | None) -> str:
    return day(d) if d else ""


def _pay_cell(value: tuple[Any, str], locale: str) -> str:
    """A list's pay: a monthly salary as an amount, an hourly rate with "/h"."""
    pay, basis = value
    if basis == "hourly":
        return _("{amount}/h").format(amount=money(pay, locale))
    return money(pay, locale)


_pay_cell.takes_locale = True  # type: ignore[attr-defined]  # the list passes the locale


def _sees_pay(app: Any) -> bool:  # noqa: ANN401
    return allowed(app.role, "people.pay")


def employee_form(e: employees.EmployeeView | None = None, leave_days: int = 0) -> FormScreen:
    """A new employee (a contact employed; ``leave_days``: the shop's, offered), or an
    employee changed: every value shown as it is typed back (dates as the user writes them,
    numbers in the shop's format)."""
    fields = [] if e else [Field("contact", N_("Contact"), "contact", required=True)]
    fields += [
        Field("job_title", N_("Job title"), value=e.job_title if e else ""),
        Field("user", N_("bizdesk user"), value=e.user if e else "", placeholder=N_("optional")),
        Field(
            "start_date",
            N_("Since"),
            value=date_text(e.start_date) if e else "",
            required=True,
            placeholder=DATE_FORM,
        ),
    ]
    if e:
        fields.append(
            Field("end_date", N_("Last day"), value=date_text(e.end_date), placeholder=DATE_FORM)
        )
    fields += [
        Field(
            "pay_basis",
            N_("Pay basis"),
            "select",
            e.pay_basis if e else "monthly",
            options=employees.PAY_BASES,
            required=True,
            option_labels=PAY_BASIS_NAMES,
        ),
        Field(
            "pay",
            N_("Salary or hourly rate"),
            "number",
            e.pay if e else "",
            required=True,
        ),
        Field("iban", N_("IBAN"), value=(e.iban or "") if e else ""),
        Field("leave_days", N_("Leave days a year"), "number", e.leave_days if e else leave_days),
    ]

    def save(uow: Any, values: dict[str, Any]) -> Any:  # noqa: ANN401
        data = employees.EmployeeInput(
            contact=values.get("contact", ""),
            user=values.get("user", ""),
            job_title=values.get("job_title", ""),
            start_date=values.get("start_date", ""),
            end_date=values.get("end_date", ""),
            pay_basis=values.get("pay_basis", "monthly"),
            pay=values.get("pay", ""),
            iban=values.get("iban", ""),
            leave_days=values.get("leave_days", ""),
        )
        if e is None:
            return employees.add(uow, data)
        return employees.update(uow, e.id, data, version=e.version)

    title = _("Employee {name}").format(name=e.name) if e else _("New employee")
    return FormScreen(title, fields, save)


def leave_form(e: employees.EmployeeView) -> FormScreen:
    fields = [
        Field(
            "kind",
            N_("Kind"),
            "select",
            "vacation",
            options=leave.KINDS,
            required=True,
            option_labels=LEAVE_KIND_NAMES,
        ),
        Field("start_date", N_("From"), required=True, placeholder=DATE_FORM),
        Field("end_date", N_("To"), placeholder=N_("{form}, empty: one day")),
        Field("note", N_("Note")),
    ]

    def save(uow: Any, values: dict[str, Any]) -> Any:  # noqa: ANN401
        return leave.request(
            uow,
            e.id,
            values.get("kind", ""),
            values.get("start_date", ""),
            values.get("end_date", ""),
            values.get("note", ""),
        )

    return FormScreen(_("Leave for {name}").format(name=e.name), fields, save)


def end_form(e: employees.EmployeeView) -> FormScreen:
    fields = [Field("end_date", N_("Last day"), required=True, placeholder=DATE_FORM)]

    def save(uow: Any, values: dict[str, Any]) -> Any:  # noqa: ANN401
        return employees.end(uow, e.id, values.get("end_date", ""))

    return FormScreen(_("Last day of {name}").format(name=e.name), fields, save)


class EmployeesScreen(WithTable, ServiceRunner, Screen):
    """Employees by name; enter opens one, n employs a contact, l the leave to approve,
    p the payroll runs."""

    HELP = N_(
        "The employees by name (those still employed). enter opens one, n employs a contact, "
        "l shows the leave waiting for approval, p the payroll runs, v sets the leave days a "
        "year a new employee is given. Pay shows only to owners and accountants."
    )
    BINDINGS = [
        Binding("escape", "app.pop_screen", N_("Back"), id="employees.back"),
        Binding("n", "new", N_("New"), id="employees.new"),
        Binding("l", "leave", N_("Leave"), id="employees.leave"),
        Binding("p", "payroll", N_("Payroll"), id="employees.payroll"),
        Binding("v", "leave_days", N_("Leave days"), id="employees.leave_days"),
    ]
    DEFAULT_CSS = "EmployeesScreen PagedTable { height: 1fr; }"

    def compose(self) -> ComposeResult:
        yield Header(icon="")
        cols = [
            Col("name", N_("Name"), 20),
            Col("job_title", N_("Job"), 14),
            Col("start_date", N_("Since"), 10, fmt=_day),
            Col("end_date", N_("Until"), 10, fmt=_day),
        ]
        if _sees_pay(self.app):
            cols.append(Col("pay_per", N_("Pay rate"), 12, right=True, fmt=_pay_cell))
        yield PagedTable(employees.page, cols, id="employees-table")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.sub_title = _("Employees")
        self.table.focus_grid()

    @on(PagedTable.Opened)
    def _opened(self, event: PagedTable.Opened) -> None:
        self.app.push_screen(EmployeeScreen(event.row.id), lambda _r: self.table.reload())

    def action_new(self) -> None:
        def done(e: employees.EmployeeView | None) -> None:
            if e is not None:
                self.notify(_("Saved {name}").format(name=e.name), markup=False)
                self.table.reload()

        days = employees.default_leave_days(self.app.store.settings().get)
        self.app.push_screen(employee_form(leave_days=days), done)

    def action_leave(self) -> None:
        self.app.push_screen(LeaveScreen())

    def action_leave_days(self) -> None:
        """The leave days a year a new employee is given: one box, the shop's now."""
        if not self.app.allowed_or_told("people.edit"):
            return
        days = employees.default_leave_days(self.app.store.settings().get)
        field = Field("leave_days", N_("Leave days a year"), "number", days, required=True)

        def save(uow: Any, values: dict[str, Any]) -> int:  # noqa: ANN401
            return employees.set_default_leave_days(uow, values.get("leave_days", ""))

        def done(saved: int | None) -> None:
            if saved is not None:
                self.notify(str(employees.leave_days_given(saved)), markup=False)

        title = _("Leave days a year for a new employee")
        self.app.push_screen(FormScreen(title, [field], save), done)

    def action_payroll(self) -> None:
        if self.app.allowed_or_told("people.pay"):  # noqa: SLF001
            self.app.push_screen(PayrollScreen())


class EmployeeScreen(AuditedScreen):
    """One employee: job, dates, pay (to those who may see it), leave this year, the leave
    requests and the payslips; h its history."""

    AUDIT_ENTITY = "employee"

    HELP = N_(
        "An employee. e changes the job, pay, bank account, dates or user (owners and "
        "accountants), r asks for leave, w withdraws leave asked for or approved (owners), x "
        "sets the last day employed, escape goes back. The leave of this year, the requests "
        "and (to owners and accountants) the payslips."
    )
    BINDINGS = [
        Binding("escape", "app.pop_screen", N_("Back"), id="employee.back"),
        Binding("e", "edit", N_("Edit"), id="employee.edit"),
        Binding("r", "request", N_("Leave"), id="employee.leave"),
        Binding("w", "withdraw", N_("Withdraw leave"), id="employee.withdraw"),
        Binding("x", "end", N_("Last day"), id="employee.end"),
    ]

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "withdraw":  # an owner's, when a request shown still holds its days
            return allowed(self.app.role, "leave.approve") and bool(self._standing())
        return super().check_action(action, parameters)

    def _standing(self) -> list:
        return [] if self.view is None else [r for r in self.view[2] if r.state in leave.STANDING]

    def fetch(self, uow: Any) -> Any:  # noqa: ANN401
        e = employees.get(uow, self.record_id)
        bal = leave.balance(uow, e.id, date.today().year)
        asked = leave.list_leave(uow, employee_id=e.id, limit=8)
        slips = payroll.employee_slips(uow, e.id, 6) if _sees_pay(self.app) else []
        cal, holidays = leave.public_holidays(uow, bal.year)
        return e, bal, asked, slips, (cal.place, len(holidays))

    def show(self, view: Any) -> None:  # noqa: ANN401
        e, bal, asked, slips, (country, holidays) = view
        loc = self.app.locale
        t = Text()
        t.append(f"{e.label}  {e.name}", style="bold")
        t.append("\n")
        t.append(
            _("{job} · since {start}").format(job=e.job_title or "-", start=_day(e.start_date))
        )
        if e.end_date:
            t.append(" · " + _("until {date}").format(date=_day(e.end_date)))
        t.append("\n")
        if e.pay is not None:
            amount = money(e.pay, loc)
            t.append(
                (
                    _("{amount} an hour") if e.pay_basis == "hourly" else _("{amount} a month")
                ).format(amount=amount)
                + (f" · IBAN {e.iban}" if e.iban else "")
                + "\n"
            )
        t.append(
            "\n"
            # each figure after its word: no word agrees with a number ("1 solicitados")
            + _(
                "Leave {year}: vacation days left {left} of {entitlement} · taken: {taken} · "
                "asked for: {requested} · sick: {sick} · unpaid: {unpaid}"
            ).format(
                year=bal.year,
                left=bal.left,
                entitlement=bal.entitlement,
                taken=bal.taken,
                requested=bal.requested,
                sick=bal.sick,
                unpaid=bal.unpaid,
            )
            + "\n"
        )
        if country:
            t.append(
                ngettext(
                    "{n} public holiday ({country}) on a working day this year: not counted "
                    "as leave",
                    "{n} public holidays ({country}) on working days this year: not counted "
                    "as leave",
                    holidays,
                ).format(n=holidays, country=country)
                + "\n",
                style="dim",
            )
        for r in asked:
            t.append(
                "  "
                + ngettext(
                    "#{id} {kind} {start} – {end}: {days} day, {state}",
                    "#{id} {kind} {start} – {end}: {days} days, {state}",
                    _count(r.days),
                ).format(
                    id=r.id,
                    kind=_(LEAVE_KIND_NAMES[r.kind]),
                    start=_day(r.start_date),
                    end=_day(r.end_date),
                    days=r.days,
                    state=_(leave.STATE_WORDS[r.state]),
                )
                + "\n"
            )
        if slips:
            t.append("\n" + _("Payslips") + "\n", style="bold")
            for n, m, state, gross, net in slips:  # a reversed run's too, saying so
                t.append(
                    "  "
                    + _("{number} {month}, {state}: gross {gross}, net {net}").format(
                        number=n,
                        month=month_text(m),
                        state=_(payroll.STATE_WORDS.get(state, state)),
                        gross=money(gross, loc),
                        net=money(net, loc),
                    )
                    + "\n"
                )
        self.query_one("#main", Static).update(visible_text(t))
        self.sub_title = e.name

    def _saved(self, said: str) -> Any:  # noqa: ANN401
        def done(result: Any) -> None:  # noqa: ANN401
            if result is not None:
                self.notify(said, markup=False)
                self.load()

        return done

    def action_edit(self) -> None:
        if self.view is not None and self.app.allowed_or_told("people.edit"):  # noqa: SLF001
            e = self.view[0]
            said = _("Saved {name}").format(name=e.name)
            self.app.push_screen(employee_form(e), self._saved(said))

    def action_request(self) -> None:
        if self.view is not None:
            self.app.push_screen(leave_form(self.view[0]), self._saved(_("Leave requested")))

    def action_end(self) -> None:
        if self.view is not None:
            self.app.push_screen(end_form(self.view[0]), self._saved(_("Last day saved")))

    def action_withdraw(self) -> None:
        """Withdraw one of the requests shown that still holds its days (picked when there
        are several), after asking."""
        standing = self._standing()
        if not standing:
            return

        def label(r: leave.LeaveView) -> str:
            return _("#{id} {kind} {start} – {end}, {state}").format(
                id=r.id,
                kind=_(LEAVE_KIND_NAMES[r.kind]),
                start=_day(r.start_date),
                end=_day(r.end_date),
                state=_(leave.STATE_WORDS[r.state]),
            )

        def withdrawn(r: leave.LeaveView) -> None:
            self.notify(_("Leave #{id} of {name} withdrawn").format(id=r.id, name=r.name))
            self.load()

        def chosen(r: leave.LeaveView | None) -> None:
            if r is None:
                return
            question = _("Withdraw the leave of {name}, {leave}? Its days are free again.")
            question = question.format(leave=label(r), name=r.name)
            self.app.push_screen(
                ConfirmScreen(question),
                lambda yes: (
                    yes and self.run_service(lambda uow: leave.withdraw(uow, r.id), done=withdrawn)
                ),
            )

        if len(standing) == 1:
            chosen(standing[0])
        else:
            choices = [(label(r), r) for r in standing]
            self.app.push_screen(PickScreen(_("Withdraw which leave?"), choices), chosen)


class LeaveScreen(FollowsOthers, ServiceScreen):
    """The leave requests waiting for a decision; a approves, x refuses (the owner)."""

    HELP = N_(
        "Leave waiting for approval, earliest first. a approves the selected request (a "
        "vacation must fit in the year's balance), x refuses it; only an owner decides. "
        "enter opens the employee (their balance and other leave)."
    )
    BINDINGS = [
        Binding("escape", "app.pop_screen", N_("Back"), id="leave.back"),
        Binding("a", "approve", N_("Approve"), id="leave.approve"),
        Binding("x", "refuse", N_("Refuse"), id="leave.refuse"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[leave.LeaveView] = []

    def compose(self) -> ComposeResult:
        yield Header(icon="")
        table = Table(id="leave", cursor_type="row")
        table.add_columns(_("No."), _("Name"), _("Kind"), _("From"), _("To"), _("Days"))
        yield table
        yield KeysFooter()

    def on_mount(self) -> None:
        self.sub_title = _("Leave to approve")
        self.reload()
        self.query_one(DataTable).focus()

    def reload(self) -> None:
        self.run_service(
            lambda uow: leave.list_leave(uow, state="requested"), write=False, done=self._show
        )

    reread = reload

    def _show(self, rows: list[leave.LeaveView]) -> None:
        rows = sorted(rows, key=lambda r: (r.start_date, r.id))
        if rows == self.rows:
            return  # read again after a change elsewhere that is not in the list
        self.rows = rows
        self.query_one(Table).refill(
            (
                [
                    f"#{r.id}",
                    visible(r.name),
                    _(LEAVE_KIND_NAMES[r.kind]),
                    _day(r.start_date),
                    _day(r.end_date),
                    Text(str(r.days), justify="right"),  # a quantity, right as everywhere
                ]
                for r in rows
            ),
            [r.id for r in rows],
        )

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        """enter: the employee whose request it is (the year's balance, their other leave)."""
        event.stop()
        if 0 <= event.cursor_row < len(self.rows):
            employee_id = self.rows[event.cursor_row].employee_id
            self.app.push_screen(EmployeeScreen(employee_id), lambda _r: self.reload())

    def _selected(self) -> Any:  # noqa: ANN401
        """The request under the cursor, or None."""
        row = self.query_one(DataTable).cursor_row
        return self.rows[row] if 0 <= row < len(self.rows) else None

    def _decide(self, fn: Any, said: str, r: Any) -> None:  # noqa: ANN401
        self.run_service(
            lambda uow: fn(uow, r.id),
            done=lambda _v: self.reload(),
            success=said.format(id=r.id, name=r.name),
        )

    def action_approve(self) -> None:
        r = self._selected()
        if r is not None:
            self._decide(leave.approve, _("Leave #{id} of {name} approved"), r)

    def action_refuse(self) -> None:
        """Asked first: a refused request is never approved later (a new one is asked). The
        request refused is the one the question named, wherever the list has moved since."""
        r = self._selected()
        if r is None:
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self._decide(leave.refuse, _("Leave #{id} of {name} refused"), r)

        question = _(
            "Refuse leave #{id} of {name} ({kind}, {start} to {end})? A refused request "
            "cannot be approved later: {name} would have to ask again."
        ).format(
            id=r.id,
            name=r.name,
            kind=_(LEAVE_KIND_NAMES[r.kind]),
            start=_day(r.start_date),
            end=_day(r.end_date),
        )
        self.app.push_screen(ConfirmScreen(question), answered)


def run_form() -> FormScreen:
    fields = [Field("month", N_("Month"), required=True, placeholder=month_hint())]

    def save(uow: Any, values: dict[str, Any]) -> Any:  # noqa: ANN401
        return payroll.create_run(uow, values.get("month", ""))

    return FormScreen(_("New payroll run"), fields, save)


def hours_form(run: payroll.RunView, locale: str | None) -> FormScreen:
    """The hours of the first hourly employee who has none yet (else the first's, to change
    them), named as the run's page names them."""
    hourly = [s for s in run.slips if s.pay_basis == "hourly"]
    first = next((s for s in hourly if s.hours is None), hourly[0])
    fields = [
        Field(
            "employee",
            N_("Employee (#number or name)"),
            value=f"{first.name} #{first.employee_id}",
            suggest=employees.suggest_employees,
        ),
        Field(
            "hours",
            N_("Hours worked"),
            "number",
            required=True,
            value=editable(first.hours, locale) if first.hours is not None else "",
        ),
    ]

    def save(uow: Any, values: dict[str, Any]) -> Any:  # noqa: ANN401
        return payroll.set_hours(
            uow, run.id, values.get("employee", ""), values.get("hours", ""), version=run.version
        )

    return FormScreen(_("Hours in {label}").format(label=run.label), fields, save)


def post_form(run: payroll.RunView) -> FormScreen:
    """The run's entry date (empty: the month's last day): a shop that pays on the 25th
    posts the run on that day or before, since its pay is paid on the run's day or later."""
    fields = [
        Field("date", N_("Entry date"), placeholder=N_("{form}, empty: the month's last day"))
    ]

    def save(uow: Any, values: dict[str, Any]) -> Any:  # noqa: ANN401
        return payroll.post(uow, run.id, when=values.get("date"), version=run.version)

    title = _("Post {label}? A posted run is never changed, only reversed.")
    return FormScreen(title.format(label=run.label), fields, save)


def _not_before_posting(run: payroll.RunView) -> str:
    """A date field's first value on a posted run: the day it is dated when that is after
    today (its payment and its reversal are dated then or later: "empty: today" would be
    refused, or not be what the reversal is dated), else nothing (today)."""
    if run.posted_on is not None and run.posted_on > date.today():
        return date_text(run.posted_on)
    return ""


def reverse_form(run: payroll.RunView) -> FormScreen:
    """The reversal's date (empty: today)."""
    fields = [
        Field(
            "date",
            N_("Reversal date"),
            value=_not_before_posting(run),
            placeholder=N_("{form}, empty: today"),
        )
    ]

    def save(uow: Any, values: dict[str, Any]) -> Any:  # noqa: ANN401
        return payroll.reverse(uow, run.id, when=values.get("date"))

    title = _("Reverse {label}? Its entry is reversed; the month may then be run again.")
    return FormScreen(title.format(label=run.label), fields, save)


def pay_form(run: payroll.RunView, account: Field) -> FormScreen:
    """``account``: orders.account_field, the payment accounts as choices."""
    fields = [
        replace(account, label=N_("Paid from (account)")),
        Field(
            "date",
            N_("Paid on"),
            value=_not_before_posting(run),
            placeholder=N_("{form}, empty: today"),
        ),
        Field(
            "employee",
            N_("Only this employee"),
            placeholder=N_("#number or name; empty: all not yet paid"),
            suggest=employees.suggest_employees,
        ),
    ]

    def save(uow: Any, values: dict[str, Any]) -> Any:  # noqa: ANN401
        only = (values.get("employee") or "").strip()
        return payroll.pay(
            uow,
            run.id,
            values.get("account", ""),
            employees=[only] if only else (),
            when=values.get("date"),
            version=run.version,
        )

    return FormScreen(_("Pay {label}").format(label=run.label), fields, save)


class PayrollScreen(FollowsOthers, ServiceScreen):
    """The payroll runs, the newest month first; enter opens one, n drafts a month's run."""

    HELP = N_(
        "The payroll runs, the newest month first. enter opens one, n drafts the run of a "
        "month (a payslip for each employee employed in it)."
    )
    BINDINGS = [
        Binding("escape", "app.pop_screen", N_("Back"), id="payroll.back"),
        Binding("n", "new", N_("New"), id="payroll.new"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[payroll.RunRow] = []

    def compose(self) -> ComposeResult:
        yield Header(icon="")
        table = Table(id="runs", cursor_type="row")
        table.add_columns(
            _("Run"), _("Month"), _("State"), _("Gross"), pgettext("pay", "Net"), _("Paid")
        )
        yield table
        yield KeysFooter()

    def on_mount(self) -> None:
        self.sub_title = _("Payroll")
        self.reload()
        self.query_one(DataTable).focus()

    REREAD_ON_RESUME = True  # a run opened from here changes

    def reload(self) -> None:
        self.run_service(payroll.list_runs, write=False, done=self._show)

    reread = reload

    def _show(self, rows: list[payroll.RunRow]) -> None:
        if rows == self.rows:
            return  # read again after a change elsewhere that is not in the list
        loc = self.app.locale
        self.rows = rows
        self.query_one(Table).refill(
            (
                [
                    r.label,
                    month_text(r.month),
                    _(payroll.STATE_WORDS[r.shown_state]),
                    Text(money(r.gross, loc), justify="right"),
                    Text(money(r.net, loc), justify="right"),
                    Text(money(r.paid, loc), justify="right"),
                ]
                for r in rows
            ),
            [r.id for r in rows],
        )

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        if 0 <= event.cursor_row < len(self.rows):
            self.app.push_screen(PayrollRunScreen(self.rows[event.cursor_row].id))

    def action_new(self) -> None:
        def done(run: payroll.RunView | None) -> None:
            if run is not None:
                self.notify(_("Drafted {label}").format(label=run.label))
                self.app.push_screen(PayrollRunScreen(run.id))

        self.app.push_screen(run_form(), done)


class PayrollRunScreen(SendsPapers, AuditedScreen):
    """One payroll run: per employee the basis, gross, deductions, net and what the employer
    pays on top; h hours (a draft), p posts, y pays, r reverses, d deletes a draft, w prints
    a payslip, H its history (h being hours here)."""

    AUDIT_ENTITY = "payroll_run"

    HELP = N_(
        "A payroll run. h enters an hourly employee's hours (a draft), c computes a draft "
        "again from today's employees, leave, pay and payroll lines, p posts it in one "
        "journal entry (a month posts once), y pays the net pay from a bank, cash or card "
        "account (everyone's not paid yet, or one employee's), r reverses a posted run that "
        "is not paid (the month may then be run again), d deletes a draft, w prints a "
        "payslip as PDF, H shows its history (who entered hours, posted, paid), escape "
        "goes back."
    )
    BINDINGS = [
        Binding("escape", "app.pop_screen", N_("Back"), id="run.back"),
        Binding("h", "hours", N_("Hours"), id="run.hours"),
        # post before compute again: the footer's order, and in a long language (Romanian)
        # at 80 columns only the first fit; a draft is for posting
        Binding("p", "post", N_("Post"), id="run.post"),
        Binding("c", "refresh", N_("Compute again"), id="run.refresh"),
        Binding("y", "pay", N_("Pay"), id="run.pay"),
        Binding("r", "reverse", N_("Reverse"), id="run.reverse"),
        Binding("d", "delete", N_("Delete"), id="run.delete"),
        Binding("w", "write", N_("Print"), id="run.write"),
        Binding("H", "history", N_("History"), id="run.history"),  # (h: hours)
    ]

    def fetch(self, uow: Any) -> payroll.RunView:  # noqa: ANN401
        return payroll.get(uow, self.record_id)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The footer offers a step only in a state it is taken from: hours while a draft
        has an hourly employee, pay while net pay is left to pay."""
        if action == "history":
            return super().check_action(action, parameters)
        run = self.view
        steps = ("hours", "compute", "post", "pay", "reverse", "delete")
        step = {"refresh": "compute"}.get(action, action)
        if step not in steps or run is None:
            return True
        if run.state not in payroll.MAY[step]:
            return False
        if step == "hours":
            return any(s.pay_basis == "hourly" for s in run.slips)
        if step == "reverse":  # a run paid in part is not reversed (its payments first)
            return not run.paid
        return step != "pay" or run.paid < run.net

    def show(self, run: payroll.RunView) -> None:
        loc = self.app.locale
        t = Text()
        state = _(payroll.STATE_WORDS[run.shown_state])
        t.append(f"{run.label}  {run.month_text}  {state}", style="bold")
        if run.entry:
            t.append("  " + run.entry)
        t.append("\n")
        t.append(
            _("Gross {gross} · deductions {deductions} · net {net} · employer {employer}").format(
                gross=money(run.gross, loc),
                deductions=money(run.deductions, loc),
                net=money(run.net, loc),
                employer=money(run.contributions, loc),
            )
            + "\n"
        )
        if run.paid:
            t.append(_("Paid {amount}").format(amount=money(run.paid, loc)) + "\n")
        for s in run.slips:
            basis = (
                hours_text(s.hours, loc)
                if s.pay_basis == "hourly"
                else ngettext(
                    "{paid}/{days} day", "{paid}/{days} days", _count(s.days_month)
                ).format(paid=s.days_paid, days=s.days_month)
            )
            t.append("\n" + f"{s.number}  {s.name}  ({basis})", style="bold")
            if s.paid_entry:
                t.append("  " + _("paid {entry}").format(entry=s.paid_entry))
            t.append(
                "\n  "
                + _(
                    "gross {gross}, deductions {deductions}, net {net}, employer {employer}"
                ).format(
                    gross=money(s.gross, loc),
                    deductions=money(s.deductions, loc),
                    net=money(s.net, loc),
                    employer=money(s.contributions, loc),
                )
            )
            for it in s.items:
                t.append(
                    "\n    "
                    + f"{it.name}: {money(it.amount, loc)} ({_(PAY_LINE_KIND_NAMES[it.kind])})"
                )
        self.query_one("#main", Static).update(visible_text(t))
        self.sub_title = run.label

    def _done(self, said: str) -> Any:  # noqa: ANN401
        def done(result: Any) -> None:  # noqa: ANN401
            if result is not None:
                self.notify(said, markup=False)
                self.load()

        return done

    def action_hours(self) -> None:
        run = self.view
        if run is None:
            return
        if not any(s.pay_basis == "hourly" for s in run.slips):
            self.notify(_("Nobody in {label} is paid by the hour").format(label=run.label))
            return
        self.app.push_screen(hours_form(run, self.app.locale), self._done(_("Hours saved")))

    def action_refresh(self) -> None:
        run = self.view
        if run is None:
            return
        self.run_service(
            lambda uow: payroll.refresh(uow, run.id, version=run.version),
            done=self._done(_("{label} computed again").format(label=run.label)),
        )

    def action_post(self) -> None:
        run = self.view
        if run is None:
            return

        def posted(r: payroll.RunView | None) -> None:
            if r is not None:
                self._done(_("Posted {entry}").format(entry=r.entry))(r)

        self.app.push_screen(post_form(run), posted)

    def action_pay(self) -> None:
        run = self.view
        if run is None:
            return

        def paid(res: payroll.PayResult | None) -> None:
            if res is not None:
                amount = money(res.amount, self.app.locale)
                said = _("{label}: {amount} paid, posted {entry}").format(
                    label=run.label, amount=amount, entry=res.entry_label
                )
                self._done(said)(res)

        orders.with_payment_account(
            self, "bank", lambda account: self.app.push_screen(pay_form(run, account), paid)
        )

    def action_reverse(self) -> None:
        run = self.view
        if run is None:
            return
        self.app.push_screen(
            reverse_form(run), self._done(_("{label} is reversed").format(label=run.label))
        )

    def action_delete(self) -> None:
        run = self.view
        if run is None:
            return

        def deleted(_result: Any) -> None:  # noqa: ANN401
            self.notify(_("{label} is deleted").format(label=run.label), markup=False)
            self.app.pop_screen()

        def answered(yes: bool | None) -> None:
            if yes:
                self.run_service(
                    lambda uow: payroll.delete_draft(uow, run.id, version=run.version),
                    done=deleted,
                )

        self.app.push_screen(
            ConfirmScreen(
                _("Delete the draft {label}? Its payslips go with it; nothing was posted.").format(
                    label=run.label
                )
            ),
            answered,
        )

    def action_write(self) -> None:
        """A payslip of the run as a PDF (picked when there are several)."""
        run = self.view
        if run is None:
            return
        self.pick(
            _("Print which payslip?"),
            [(f"{s.number}  {s.name}", s.number) for s in run.slips],
            lambda number: print_paper(self, "payslip", number, number.replace("/", "-")),
        )
