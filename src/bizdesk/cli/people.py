"""Employees (`bizdesk employees list|add|show|set|end`), leave (`bizdesk leave
request|approve|refuse|balance|list`) and the payroll (`bizdesk payroll
lines|add-line|line-off|run|hours|post|pay|reverse|delete|show|list`)."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated

import typer

from bizdesk.cli.core import (
    DbOpt,
    date_form,
    fail,
    fields_from_arguments,
    month_form,
    open_store,
    print_json,
    say,
    show,
    typed_date,
    typed_month,
    typed_number,
)
from bizdesk.errors import ValidationError
from bizdesk.i18n import N_, _, ngettext, pgettext
from bizdesk.reading import (
    FIRST_DAY,
    LAST_DAY,
    DateError,
    is_digits,
    month_text,
    quoted,
    read_month,
)
from bizdesk.words import LEAVE_KIND_NAMES, PAY_LINE_KIND_NAMES, named

app = typer.Typer()


class Printed(StrEnum):
    TEXT = "text"
    JSON = "json"


FormatOpt = Annotated[Printed, typer.Option("--format", help=_("text or json"))]
EmployeeArg = Annotated[
    str,
    typer.Argument(
        help=_("The employee: #number, the contact's exact name or e-mail."), show_default=False
    ),
]
RunArg = Annotated[
    str, typer.Argument(help=_("The run: its number (PR-00001) or its month (2026-11)."))
]


def _run_id(uow, text: str) -> int:  # noqa: ANN001
    """The run typed: its number, or its month in the person's form as a run's line shows
    it ("PR-00013 12/2026") or ISO, given to the service (which reads ISO) as ISO."""
    from bizdesk.services.people import payroll

    try:
        text = f"{read_month(text, local=True):%Y-%m}"
    except DateError:
        pass  # a number, or what the service refuses
    return payroll.find_run(uow, text)


def _locale(store) -> str:  # noqa: ANN001
    return store.settings().get("locale", "en_US")


def _amount(value) -> str | None:  # noqa: ANN001
    return None if value is None else str(value)


HIDDEN = N_("(not shown to your role)")

# --- employees -------------------------------------------------------------------------------

employees_app = typer.Typer(help=_("Employees: who works here, since when, and their pay."))
app.add_typer(employees_app, name="employees")


def _employee_json(e) -> dict:  # noqa: ANN001
    return {
        "number": e.id,
        "name": e.name,
        "email": e.email,
        "user": e.user,
        "job_title": e.job_title,
        "start_date": e.start_date.isoformat(),
        "end_date": e.end_date.isoformat() if e.end_date else None,
        "pay_basis": e.pay_basis,
        "pay": _amount(e.pay),
        "iban": e.iban,
        "leave_days": e.leave_days,
    }


def _pay_text(e, loc: str) -> str:  # noqa: ANN001
    from bizdesk.formatting import money

    if e.pay is None:
        return _(HIDDEN)
    if e.pay_basis == "hourly":
        return _("{amount} an hour").format(amount=money(e.pay, loc))
    return _("{amount} a month").format(amount=money(e.pay, loc))


@employees_app.command("list", help=_("Employees by name (those still employed, or --all)."))
def employees_list(
    ctx: typer.Context,
    all_: Annotated[bool, typer.Option("--all", help=_("Those who left too."))] = False,
    fmt: FormatOpt = Printed.TEXT,
    db: DbOpt = None,
) -> None:
    from rich.table import Table

    from bizdesk.formatting import day, visible
    from bizdesk.services.people import employees

    store = open_store(ctx, db)
    with store.read() as uow:
        rows = employees.list_employees(uow, include_ended=all_)
    if fmt == Printed.JSON:
        print_json([_employee_json(e) for e in rows])
        return
    loc = _locale(store)
    table = Table(_("No."), _("Name"), _("Job"), _("Since"), _("Until"), _("Pay rate"))
    for e in rows:
        table.add_row(
            e.label,
            visible(e.name),
            visible(e.job_title),
            day(e.start_date),
            day(e.end_date),
            _pay_text(e, loc),
        )
    show(table)


def _employee_line(e, loc: str) -> str:  # noqa: ANN001
    from bizdesk.formatting import day, visible

    return _("{label} {name}, {job}, since {start}: {pay}").format(
        label=e.label,
        name=visible(e.name),
        job=visible(e.job_title) or "-",
        start=day(e.start_date),
        pay=_pay_text(e, loc),
    )


JobOpt = Annotated[str | None, typer.Option("--job", help=_("Job title."), show_default=False)]
StartOpt = Annotated[
    str | None, typer.Option("--start", metavar=date_form(), help=_("First day employed."))
]
EndOpt = Annotated[
    str | None, typer.Option("--end", metavar=date_form(), help=_("Last day employed."))
]
PayOpt = Annotated[
    str | None,
    typer.Option(
        "--pay", parser=typed_number, help=_("Monthly salary, or hourly rate with --basis hourly.")
    ),
]
BasisOpt = Annotated[str | None, typer.Option("--basis", help=_("monthly (default) or hourly"))]
IbanOpt = Annotated[str | None, typer.Option("--iban", help=_("Bank account (IBAN)."))]
LeaveOpt = Annotated[
    str | None, typer.Option("--leave-days", help=_("Paid leave days a year (working days)."))
]
UserOpt = Annotated[
    str | None, typer.Option("--user", help=_("The bizdesk user this employee is."))
]


@employees_app.command("add", help=_("Employ a contact (a person already in contacts)."))
def employees_add(
    ctx: typer.Context,
    contact: Annotated[
        str, typer.Argument(help=_("The contact: #id, exact name or e-mail."), show_default=False)
    ],
    start: StartOpt = None,
    pay: PayOpt = None,
    basis: BasisOpt = None,
    job: JobOpt = None,
    iban: IbanOpt = None,
    leave_days: LeaveOpt = None,
    user: UserOpt = None,
    end: EndOpt = None,
    db: DbOpt = None,
) -> None:
    from bizdesk.services.people import employees

    store = open_store(ctx, db)
    data = employees.EmployeeInput(
        contact=contact,
        user=user or "",
        job_title=job or "",
        start_date=typed_date(start, "--start") or "",
        end_date=typed_date(end, "--end") or "",
        pay_basis=basis or "monthly",
        pay=pay or "",
        iban=iban or "",
        leave_days=leave_days,  # (none: the shop's, `employees leave-days`)
    )
    with store.write() as uow:
        e = employees.add(uow, data)
    say(_employee_line(e, _locale(store)))
    # the allowance said, as its form names it: one left out was 0, unseen until leave
    # was refused for it
    say(f"{_('Leave days a year')}: {e.leave_days}")


@employees_app.command(
    "leave-days",
    help=_(
        "The paid leave days a year a new employee is given (0 until set); with DAYS, set "
        "them. Employees already employed keep their own."
    ),
)
def employees_leave_days(
    ctx: typer.Context,
    days: Annotated[
        str | None, typer.Argument(help=_("Working days a year, 0 to 366."), show_default=False)
    ] = None,
    db: DbOpt = None,
) -> None:
    from bizdesk.services.people import employees

    store = open_store(ctx, db)
    if days is None:
        say(f"{_('Leave days a year')}: {employees.default_leave_days(store.settings().get)}")
        return
    fields_from_arguments(ctx, leave_days="days")
    with store.write() as uow:
        days_set = employees.set_default_leave_days(uow, days)
    say(str(employees.leave_days_given(days_set)))


@employees_app.command("set", help=_("Change an employee: only the options given change."))
def employees_set(
    ctx: typer.Context,
    employee: EmployeeArg,
    start: StartOpt = None,
    pay: PayOpt = None,
    basis: BasisOpt = None,
    job: JobOpt = None,
    iban: IbanOpt = None,
    leave_days: LeaveOpt = None,
    user: UserOpt = None,
    end: EndOpt = None,
    db: DbOpt = None,
) -> None:
    from bizdesk.services.people import employees

    store = open_store(ctx, db)
    start, end = typed_date(start, "--start"), typed_date(end, "--end")
    with store.write() as uow:
        e = employees.get(uow, employees.find_employee(uow, employee))
        data = employees.EmployeeInput(
            contact="",
            user=e.user if user is None else user,
            job_title=e.job_title if job is None else job,
            start_date=e.start_date.isoformat() if start is None else start,
            end_date=(e.end_date.isoformat() if e.end_date else "") if end is None else end,
            pay_basis=e.pay_basis if basis is None else basis,
            pay=str(e.pay) if pay is None else pay,
            iban=(e.iban or "") if iban is None else iban,
            leave_days=leave_days,  # (none: kept)
        )
        with uow.machine_form():
            e = employees.update(uow, e.id, data, version=e.version)
    say(_employee_line(e, _locale(store)))


@employees_app.command("end", help=_("The last day an employee works here."))
def employees_end(
    ctx: typer.Context,
    employee: EmployeeArg,
    when: Annotated[
        str,
        typer.Argument(
            help=_("The last day ({form}).").format(form=date_form()), show_default=False
        ),
    ],
    db: DbOpt = None,
) -> None:
    from bizdesk.formatting import day, visible
    from bizdesk.services.people import employees

    store = open_store(ctx, db)
    fields_from_arguments(ctx, end_date="date")
    with store.write() as uow:
        e = employees.end(uow, employees.find_employee(uow, employee), typed_date(when, "DATE"))
    say(_("{name} works here until {date}").format(name=visible(e.name), date=day(e.end_date)))


@employees_app.command("show", help=_("An employee, their leave this year and their payslips."))
def employees_show(
    ctx: typer.Context, employee: EmployeeArg, fmt: FormatOpt = Printed.TEXT, db: DbOpt = None
) -> None:
    from bizdesk.formatting import day, money
    from bizdesk.services.base.permissions import can
    from bizdesk.services.people import employees, leave, payroll

    store = open_store(ctx, db)
    year = date.today().year
    with store.read() as uow:
        e = employees.get(uow, employees.find_employee(uow, employee))
        bal = leave.balance(uow, e.id, year)
        slips = payroll.employee_slips(uow, e.id) if can(uow, "people.pay") else None
    if fmt == Printed.JSON:
        doc = _employee_json(e)
        doc["leave"] = _balance_json(bal)
        doc["payslips"] = (
            None
            if slips is None
            else [
                {"number": n, "month": f"{m:%Y-%m}", "state": st, "gross": str(g), "net": str(nt)}
                for n, m, st, g, nt in slips
            ]
        )
        print_json(doc)
        return
    loc = _locale(store)
    say(_employee_line(e, loc))
    if e.user:
        say(_("User: {user}").format(user=e.user))
    if e.end_date:
        say(_("Until: {date}").format(date=day(e.end_date)))
    if e.iban is not None:
        say(_("Bank account: {iban}").format(iban=e.iban or "-"))
    _say_balance(bal)
    if slips:
        from rich.table import Table

        table = Table(_("Payslip"), _("Month"), _("State"), _("Gross"), pgettext("pay", "Net"))
        for n, m, st, g, nt in slips:  # a reversed run's too, saying so
            state = _(payroll.STATE_WORDS.get(st, st))
            table.add_row(n, month_text(m), state, money(g, loc), money(nt, loc))
        show(table)


# --- leave -----------------------------------------------------------------------------------

YearOpt = Annotated[str | None, typer.Option("--year", help=_("The year, e.g. 2026."))]


def _year(text: str | None) -> int | None:
    """A --year option's value (four digits, a year dates may have: 1900 to 2199), or None
    when it was not given (9999 gave a balance of a year no leave can be asked for in)."""
    if text is None:
        return None
    if not (is_digits(text) and len(text) == 4):
        fail(_("--year: {value} is not a year (e.g. 2026)").format(value=quoted(text, 20)), 2)
    if not FIRST_DAY.year <= int(text) <= LAST_DAY.year:
        fail(
            _("--year: {value} is not a year from {first} to {last}").format(
                value=text, first=FIRST_DAY.year, last=LAST_DAY.year
            ),
            2,
        )
    return int(text)


leave_app = typer.Typer(help=_("Leave: ask, approve or refuse, and the balance per year."))
app.add_typer(leave_app, name="leave")
LeaveArg = Annotated[str, typer.Argument(help=_("The leave request's number."))]


def _leave_id(text: str) -> int:
    s = text.strip().lstrip("#")
    if not is_digits(s):  # not "²", which int() cannot read
        raise ValidationError(
            {"leave": _("{value} is not a leave request's number").format(value=quoted(text, 20))}
        )
    return int(s)


def _leave_line(r) -> str:  # noqa: ANN001
    from bizdesk.formatting import day, visible
    from bizdesk.services.people import leave

    return ngettext(
        "Leave #{id}: {name}, {kind}, {start} to {end}, {days} working day, {state}",
        "Leave #{id}: {name}, {kind}, {start} to {end}, {days} working days, {state}",
        r.days,
    ).format(
        id=r.id,
        name=visible(r.name),
        kind=named(LEAVE_KIND_NAMES, r.kind),
        start=day(r.start_date),
        end=day(r.end_date),
        days=r.days,
        state=_(leave.STATE_WORDS.get(r.state, r.state)),
    )


@leave_app.command(
    "request",
    help=_("Ask for leave: KIND is vacation, sick or unpaid; the last day defaults to the first."),
)
def leave_request(
    ctx: typer.Context,
    employee: EmployeeArg,
    kind: Annotated[str, typer.Argument(help=_("vacation, sick or unpaid"), show_default=False)],
    first: Annotated[
        str,
        typer.Argument(help=_("First day ({form}).").format(form=date_form()), show_default=False),
    ],
    last: Annotated[
        str | None, typer.Argument(help=_("Last day ({form}).").format(form=date_form()))
    ] = None,
    note: Annotated[str | None, typer.Option("--note", help=_("A note."))] = None,
    db: DbOpt = None,
) -> None:
    from bizdesk.services.people import employees, leave

    store = open_store(ctx, db)
    first, last = typed_date(first, "FIRST") or "", typed_date(last, "LAST") or ""
    # the last day is the first when not typed: a refusal of it names what was typed
    ends = "last" if last else "first"
    fields_from_arguments(ctx, kind="kind", start_date="first", end_date=ends)
    with store.write() as uow:
        r = leave.request(
            uow, employees.find_employee(uow, employee), kind, first, last, note or ""
        )
    say(_leave_line(r))


def _decide(ctx: typer.Context, number: str, db: str | None, step: str) -> None:
    """Approve, refuse or withdraw leave request ``number`` (``step``: the service's name)."""
    from bizdesk.services.people import leave

    store = open_store(ctx, db)
    with store.write() as uow:
        r = getattr(leave, step)(uow, _leave_id(number))
    say(_leave_line(r))


@leave_app.command("approve", help=_("Approve a leave request (owner)."))
def leave_approve(ctx: typer.Context, number: LeaveArg, db: DbOpt = None) -> None:
    _decide(ctx, number, db, "approve")


@leave_app.command("refuse", help=_("Refuse a leave request (owner)."))
def leave_refuse(ctx: typer.Context, number: LeaveArg, db: DbOpt = None) -> None:
    _decide(ctx, number, db, "refuse")


@leave_app.command(
    "withdraw",
    help=_(
        "Withdraw leave asked for or approved (owner): its days are free again; a payroll "
        "already posted keeps what it paid."
    ),
)
def leave_withdraw(ctx: typer.Context, number: LeaveArg, db: DbOpt = None) -> None:
    _decide(ctx, number, db, "withdraw")


def _balance_json(b) -> dict:  # noqa: ANN001
    return {
        "year": b.year,
        "entitlement": b.entitlement,
        "taken": b.taken,
        "requested": b.requested,
        "left": b.left,
        "sick": b.sick,
        "unpaid": b.unpaid,
    }


def _say_balance(b) -> None:  # noqa: ANN001
    say(
        _(
            "Leave {year}: {left} of {entitlement} vacation days left ({taken} taken, "
            "{requested} asked for); {sick} sick, {unpaid} unpaid"
        ).format(
            year=b.year,
            left=b.left,
            entitlement=b.entitlement,
            taken=b.taken,
            requested=b.requested,
            sick=b.sick,
            unpaid=b.unpaid,
        )
    )


@leave_app.command("balance", help=_("An employee's leave in a year (default: this year)."))
def leave_balance(
    ctx: typer.Context,
    employee: EmployeeArg,
    year: YearOpt = None,
    fmt: FormatOpt = Printed.TEXT,
    db: DbOpt = None,
) -> None:
    from bizdesk.services.people import employees, leave

    when = _year(year)
    store = open_store(ctx, db)
    with store.read() as uow:
        b = leave.balance(uow, employees.find_employee(uow, employee), when or date.today().year)
    if fmt == Printed.JSON:
        doc = _balance_json(b)
        doc["name"] = b.name
        print_json(doc)
        return
    say(b.name)
    _say_balance(b)


class LeaveStateOpt(StrEnum):
    ALL = "all"
    REQUESTED = "requested"
    APPROVED = "approved"
    REFUSED = "refused"
    WITHDRAWN = "withdrawn"


@leave_app.command("list", help=_("Leave requests, newest first."))
def leave_list(
    ctx: typer.Context,
    employee: Annotated[str | None, typer.Option("--employee", help=_("One employee's."))] = None,
    state: Annotated[
        LeaveStateOpt, typer.Option("--state", help=_("all (default) or one state"))
    ] = LeaveStateOpt.ALL,
    fmt: FormatOpt = Printed.TEXT,
    db: DbOpt = None,
) -> None:
    from rich.table import Table

    from bizdesk.formatting import day, visible
    from bizdesk.services.people import employees, leave

    store = open_store(ctx, db)
    with store.read() as uow:
        emp = employees.find_employee(uow, employee) if employee else None
        rows = leave.list_leave(
            uow, employee_id=emp, state=None if state == LeaveStateOpt.ALL else state.value
        )
    if fmt == Printed.JSON:
        print_json(
            [
                {
                    "number": r.id,
                    "employee": r.employee_id,
                    "name": r.name,
                    "kind": r.kind,
                    "start_date": r.start_date.isoformat(),
                    "end_date": r.end_date.isoformat(),
                    "days": r.days,
                    "state": r.state,
                }
                for r in rows
            ]
        )
        return
    table = Table(_("No."), _("Name"), _("Kind"), _("From"), _("To"), _("Days"), _("State"))
    for r in rows:
        table.add_row(
            f"#{r.id}",
            visible(r.name),
            named(LEAVE_KIND_NAMES, r.kind),
            day(r.start_date),
            day(r.end_date),
            str(r.days),
            _(leave.STATE_WORDS.get(r.state, r.state)),
        )
    show(table)


@leave_app.command(
    "holidays",
    help=_(
        "The public holidays of the shop's country (and region) in a year (default: this "
        "year): leave does not count them."
    ),
)
def leave_holidays(
    ctx: typer.Context,
    year: YearOpt = None,
    fmt: FormatOpt = Printed.TEXT,
    db: DbOpt = None,
) -> None:
    from rich.table import Table

    from bizdesk.formatting import day, visible
    from bizdesk.services.people import leave

    when = _year(year)
    store = open_store(ctx, db)
    with store.read() as uow:
        cal, days = leave.public_holidays(uow, when or date.today().year)
    if fmt == Printed.JSON:
        print_json(
            {
                "country": cal.country or None,
                "region": cal.region or None,
                "holidays": [{"date": d.isoformat(), "name": name} for d, name in days],
            }
        )
        return
    if not cal.country:
        say(
            _(
                "The shop has no country, so no public holidays are known: leave counts every "
                "Monday to Friday. Set it with: {command}"
            ).format(command="bizdesk shop set country ES")
        )
        return
    table = Table(_("Date"), _("Public holiday ({country})").format(country=cal.place))
    for d, name in days:
        table.add_row(day(d), visible(name))
    show(table)


# --- payroll ---------------------------------------------------------------------------------

payroll_app = typer.Typer(help=_("The monthly payroll: its lines, runs, posting and paying."))
app.add_typer(payroll_app, name="payroll")


@payroll_app.command("lines", help=_("The shop's payroll lines: deductions and contributions."))
def payroll_lines(
    ctx: typer.Context,
    all_: Annotated[bool, typer.Option("--all", help=_("Those switched off too."))] = False,
    fmt: FormatOpt = Printed.TEXT,
    db: DbOpt = None,
) -> None:
    from rich.table import Table

    from bizdesk.formatting import money, number, visible
    from bizdesk.services.people import payroll

    store = open_store(ctx, db)
    with store.read() as uow:
        rows = payroll.list_lines(uow, include_inactive=all_)
    if fmt == Printed.JSON:
        print_json(
            [
                {
                    "name": r.name,
                    "kind": r.kind,
                    "percent": _amount(r.percent),
                    "amount": _amount(r.amount),
                    "account": r.account,
                    "active": r.active,
                }
                for r in rows
            ]
        )
        return
    loc = _locale(store)
    table = Table(_("Name"), _("Kind"), _("Of gross"), _("Fixed"), _("Account"))
    for r in rows:
        table.add_row(
            visible(r.name),
            named(PAY_LINE_KIND_NAMES, r.kind),
            f"{number(r.percent, loc)} %" if r.percent is not None else "",
            money(r.amount, loc) if r.amount is not None else "",
            f"{r.account} {visible(r.account_name)}",
        )
    show(table)


class LineKind(StrEnum):
    DEDUCTION = "deduction"
    CONTRIBUTION = "contribution"


@payroll_app.command(
    "add-line",
    help=_(
        "A payroll line: a deduction from gross pay or an employer contribution, a "
        "--percent of gross or a fixed --amount a month, owed to a liability --account."
    ),
)
def payroll_add_line(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help=_("Its name, e.g. Income tax."), show_default=False)],
    kind: Annotated[
        LineKind, typer.Option("--kind", help=_("deduction or contribution"))
    ] = LineKind.DEDUCTION,
    percent: Annotated[
        str | None, typer.Option("--percent", parser=typed_number, help=_("A percentage of gross."))
    ] = None,
    amount: Annotated[
        str | None, typer.Option("--amount", parser=typed_number, help=_("A fixed amount a month."))
    ] = None,
    account: Annotated[
        str, typer.Option("--account", help=_("The liability account's code."))
    ] = "",
    db: DbOpt = None,
) -> None:
    from bizdesk.services.people import payroll

    store = open_store(ctx, db)
    with store.write() as uow:
        pl = payroll.add_line(
            uow, payroll.PayLineInput(name, kind.value, percent or "", amount or "", account)
        )
    say(_("Payroll line {name} added").format(name=pl.name))


@payroll_app.command("line-off", help=_("Stop applying a payroll line to new runs (--on again)."))
def payroll_line_off(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help=_("The line's name."), show_default=False)],
    on: Annotated[bool, typer.Option("--on", help=_("Apply it again."))] = False,
    db: DbOpt = None,
) -> None:
    from bizdesk.services.people import payroll

    store = open_store(ctx, db)
    with store.write() as uow:
        pl = payroll.set_line_active(uow, name, on)
    if pl.active:
        say(_("Payroll line {name} applies to new runs").format(name=pl.name))
    else:
        say(_("Payroll line {name} no longer applies to new runs").format(name=pl.name))


def _hours_pairs(items: list[str] | None) -> list[tuple[str, str]]:
    out = []
    for item in items or []:
        who, sep, value = item.rpartition("=")
        if not sep or not who.strip():
            fail(
                _("--hours: write EMPLOYEE=HOURS, e.g. '#3=120.5'; got {value}").format(
                    value=quoted(item, 60)
                ),
                2,
            )
        out.append((who.strip(), typed_number(value.strip())))
    return out


def _run_summary(r, loc: str) -> str:  # noqa: ANN001
    from bizdesk.formatting import money
    from bizdesk.services.people.payroll import STATE_WORDS

    return _("{label} {month} {state}: gross {gross}, net {net}, employer {contributions}").format(
        label=r.label,
        month=r.month_text,
        state=_(STATE_WORDS[r.shown_state]),
        gross=money(r.gross, loc),
        net=money(r.net, loc),
        contributions=money(r.contributions, loc),
    )


def _run_json(r) -> dict:  # noqa: ANN001
    return {
        "number": r.label,
        "month": f"{r.month:%Y-%m}",
        "state": r.state,
        "entry": r.entry or None,
        "gross": str(r.gross),
        "deductions": str(r.deductions),
        "contributions": str(r.contributions),
        "net": str(r.net),
        "paid": str(r.paid),
        "payslips": [
            {
                "number": s.number,
                "employee": s.employee_id,
                "name": s.name,
                "pay_basis": s.pay_basis,
                "pay": str(s.pay),
                "hours": None if s.hours is None else str(s.hours),
                "days_paid": s.days_paid,
                "days_month": s.days_month,
                "gross": str(s.gross),
                "deductions": str(s.deductions),
                "contributions": str(s.contributions),
                "net": str(s.net),
                "paid_entry": s.paid_entry or None,
                "lines": [
                    {
                        "name": i.name,
                        "kind": i.kind,
                        "percent": _amount(i.percent),
                        "account": i.account,
                        "amount": str(i.amount),
                    }
                    for i in s.items
                ],
            }
            for s in r.slips
        ],
    }


def _print_run(r, fmt: Printed, loc: str) -> None:  # noqa: ANN001
    from rich.table import Table

    from bizdesk.formatting import hours_text, money, visible

    if fmt == Printed.JSON:
        print_json(_run_json(r))
        return
    say(_run_summary(r, loc))
    table = Table(
        _("Payslip"),
        _("Name"),
        _("Basis"),
        _("Gross"),
        _("Deductions"),
        pgettext("pay", "Net"),
        _("Employer"),
    )
    table.columns[0].no_wrap = True  # "PR-00012/1" whole: it is what is typed back
    table.columns[0].min_width = max((len(s.number) for s in r.slips), default=0)
    for s in r.slips:
        basis = (
            hours_text(s.hours, loc)
            if s.pay_basis == "hourly"
            else ngettext("{paid}/{days} day", "{paid}/{days} days", s.days_month).format(
                paid=s.days_paid, days=s.days_month
            )
        )
        amounts = (s.gross, s.deductions, s.net, s.contributions)
        table.add_row(s.number, visible(s.name), basis, *(money(a, loc) for a in amounts))
    show(table)  # the amounts and their titles whole, right-aligned; the name wraps
    payments: dict[str, list[str]] = {}
    for s in r.slips:
        if s.paid_entry:
            payments.setdefault(s.paid_entry, []).append(s.number)
    for entry, numbers in payments.items():
        say(_("Paid by {entry}: {payslips}").format(entry=entry, payslips=", ".join(numbers)))


@payroll_app.command(
    "run",
    help=_(
        "A draft payroll run for MONTH: a payslip for each employee employed in it; "
        "--hours EMPLOYEE=HOURS for those paid by the hour."
    ),
)
def payroll_run(
    ctx: typer.Context,
    month: Annotated[str, typer.Argument(help=month_form(), show_default=False)],
    hours: Annotated[
        list[str] | None, typer.Option("--hours", help=_("EMPLOYEE=HOURS, once per employee."))
    ] = None,
    fmt: FormatOpt = Printed.TEXT,
    db: DbOpt = None,
) -> None:
    from bizdesk.services.people import payroll

    pairs = _hours_pairs(hours)
    store = open_store(ctx, db)
    month = typed_month(month, "MONTH")
    with store.write() as uow:
        r = payroll.create_run(uow, month, pairs)
    _print_run(r, fmt, _locale(store))


@payroll_app.command("hours", help=_("The hours an hourly employee worked, in a draft run."))
def payroll_hours(
    ctx: typer.Context,
    run: RunArg,
    employee: EmployeeArg,
    hours: Annotated[
        str, typer.Argument(parser=typed_number, help=_("Hours worked."), show_default=False)
    ],
    db: DbOpt = None,
) -> None:
    from bizdesk.services.people import payroll

    store = open_store(ctx, db)
    with store.write() as uow:
        r = payroll.set_hours(uow, _run_id(uow, run), employee, hours)
    say(_run_summary(r, _locale(store)))


@payroll_app.command(
    "refresh",
    help=_(
        "Compute a draft run again from today's employees, leave, pay and payroll lines "
        "(the hours entered are kept)."
    ),
)
def payroll_refresh(
    ctx: typer.Context, run: RunArg, fmt: FormatOpt = Printed.TEXT, db: DbOpt = None
) -> None:
    from bizdesk.services.people import payroll

    store = open_store(ctx, db)
    with store.write() as uow:
        r = payroll.refresh(uow, _run_id(uow, run))
    _print_run(r, fmt, _locale(store))


@payroll_app.command("post", help=_("Post a draft run in one journal entry (a month posts once)."))
def payroll_post(
    ctx: typer.Context,
    run: RunArg,
    when: Annotated[
        str | None,
        typer.Option(
            "--date",
            metavar=date_form(),
            help=_("The entry's date; default: the month's last day."),
        ),
    ] = None,
    db: DbOpt = None,
) -> None:
    from bizdesk.services.people import payroll

    store = open_store(ctx, db)
    with store.write() as uow:
        r = payroll.post(uow, _run_id(uow, run), when=typed_date(when, "--date"))
    say(_run_summary(r, _locale(store)))
    say(_("Posted {entry}").format(entry=r.entry))


@payroll_app.command(
    "pay",
    help=_(
        "Pay a posted run's net pay from a bank, cash or card account: everyone's not paid "
        "yet, or only the employees named with --employee."
    ),
)
def payroll_pay(
    ctx: typer.Context,
    run: RunArg,
    account: Annotated[
        str, typer.Option("--account", help=_("The payment account's code; default: bank."))
    ] = "",
    employee: Annotated[
        list[str] | None,
        typer.Option(
            "--employee",
            help=_("Pay only this employee (#number, name or e-mail); once per employee."),
        ),
    ] = None,
    when: Annotated[
        str | None,
        typer.Option(
            "--date",
            metavar=date_form(),
            help=_("Paid on; default: today, or the day the run is dated when that is later."),
        ),
    ] = None,
    db: DbOpt = None,
) -> None:
    from bizdesk.formatting import money
    from bizdesk.services.people import payroll

    store = open_store(ctx, db)
    with store.write() as uow:
        res = payroll.pay(
            uow,
            _run_id(uow, run),
            account,
            employees=employee or (),
            when=typed_date(when, "--date"),
        )
    say(
        _("{label}: {amount} paid, posted {entry}").format(
            label=res.run.label, amount=money(res.amount, _locale(store)), entry=res.entry_label
        )
    )


@payroll_app.command(
    "reverse", help=_("Reverse a posted run that is not paid (the month may be run again).")
)
def payroll_reverse(
    ctx: typer.Context,
    run: RunArg,
    when: Annotated[
        str | None, typer.Option("--date", metavar=date_form(), help=_("The reversal's date."))
    ] = None,
    db: DbOpt = None,
) -> None:
    from bizdesk.services.people import payroll

    store = open_store(ctx, db)
    with store.write() as uow:
        r = payroll.reverse(uow, _run_id(uow, run), when=typed_date(when, "--date"))
    say(_run_summary(r, _locale(store)))


@payroll_app.command("delete", help=_("Delete a draft run."))
def payroll_delete(ctx: typer.Context, run: RunArg, db: DbOpt = None) -> None:
    from bizdesk.services.people import payroll

    store = open_store(ctx, db)
    with store.write() as uow:
        run_id = _run_id(uow, run)
        label = payroll.get(uow, run_id).label
        payroll.delete_draft(uow, run_id)
    say(_("{label} deleted").format(label=label))


@payroll_app.command("show", help=_("A run with its payslips."))
def payroll_show(
    ctx: typer.Context, run: RunArg, fmt: FormatOpt = Printed.TEXT, db: DbOpt = None
) -> None:
    from bizdesk.services.people import payroll

    store = open_store(ctx, db)
    with store.read() as uow:
        r = payroll.get(uow, _run_id(uow, run))
    _print_run(r, fmt, _locale(store))


@payroll_app.command("list", help=_("Payroll runs, the newest month first."))
def payroll_list(
    ctx: typer.Context,
    year: Annotated[str | None, typer.Option("--year", help=_("One year's."))] = None,
    fmt: FormatOpt = Printed.TEXT,
    db: DbOpt = None,
) -> None:
    from rich.table import Table

    from bizdesk.formatting import money
    from bizdesk.services.people import payroll

    when = _year(year)
    store = open_store(ctx, db)
    with store.read() as uow:
        rows = payroll.list_runs(uow, year=when)
    if fmt == Printed.JSON:
        print_json(
            [
                {
                    "number": r.label,
                    "month": f"{r.month:%Y-%m}",
                    "state": r.state,
                    "employees": r.employees,
                    "gross": str(r.gross),
                    "net": str(r.net),
                    "paid": str(r.paid),
                }
                for r in rows
            ]
        )
        return
    loc = _locale(store)
    table = Table(
        _("Run"),
        _("Month"),
        _("State"),
        _("Employees"),
        _("Gross"),
        pgettext("pay", "Net"),
        _("Paid"),
    )
    for r in rows:
        table.add_row(
            r.label,
            month_text(r.month),
            _(payroll.STATE_WORDS[r.shown_state]),
            str(r.employees),
            money(r.gross, loc),
            money(r.net, loc),
            money(r.paid, loc),
        )
    show(table)
