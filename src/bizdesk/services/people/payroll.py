"""The payroll: the shop's payroll lines and the monthly runs ("PR-00001").

Payroll lines are data, not code: each is a deduction from gross pay (withheld from the
employee: income tax, the employee's social security) or an employer contribution (the
shop's own social security), a percentage of gross or a fixed amount a month, owed to a
liability account of the chart. A country's rules are a set of such lines.

A run for a month is a draft first: one payslip per employee employed on at least one day
of the month. Gross pay:
- monthly pay: the salary x working days paid / the month's working days, where the days
  paid are the working days employed in the month less approved unpaid leave; a whole month
  pays the salary exactly. Working days are the leave module's (Monday to Friday less the
  shop's public holidays: employees.calendar), so a month and its leave are counted alike;
  a posted payslip keeps the days it was computed with;
- hourly pay: the hours entered x the rate.
Each of these, and each payroll line of each payslip, is rounded once, half-even, to the
currency's minor unit; totals are sums of the rounded lines, so the entry equals the lines.
Net pay = gross - the deductions. Posting writes one entry: Dr Wages (gross), Dr Employer
contributions / Cr Wages payable (net, per employee) and Cr each liability account; a month
is posted once. Paying posts Dr Wages payable / Cr a payment account. A posted run is never
changed: it is reversed through the journal (and the month may then be run again)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal

from sqlalchemy import case, func, select

from bizdesk.db.session import MAX_ROW_ID, UnitOfWork
from bizdesk.errors import NotFound, ValidationError
from bizdesk.i18n import N_, Message, written
from bizdesk.models.contacts import Contact
from bizdesk.models.ledger import Account, JournalEntry, JournalLine
from bizdesk.models.people import Employee, PayLine, PayrollRun, Payslip, PayslipItem, RunState
from bizdesk.money import (
    QTY_SCALE,
    AmountError,
    from_minor,
    money_text,
    parse_money,
    parse_qty,
    percent_from_bp,
    percent_to_basis_points,
    qty_from_scaled,
)
from bizdesk.reading import DateError, date_text, is_digits, month_text, quoted, read_month
from bizdesk.services.base import validate as v
from bizdesk.services.base.numbering import JOURNAL, PAYROLL_RUN, next_number
from bizdesk.services.base.permissions import requires
from bizdesk.services.base.records import check_version, touch
from bizdesk.services.books import ledger
from bizdesk.services.books.ledger import (
    PAYROLL_SOURCES,
    Posting,
    account_for,
    payment_account,
    post_entry,
)
from bizdesk.services.people.days import month_bounds, overlap
from bizdesk.services.people.employees import calendar, employed_in, find_employee
from bizdesk.services.people.leave import unpaid_days

LINE_KINDS = ("deduction", "contribution")
PARTLY_PAID = "partly paid"  # shown, never stored: a posted run with some payslips paid
STATE_WORDS = {
    RunState.DRAFT: N_("draft"),
    RunState.POSTED: N_("posted"),
    PARTLY_PAID: N_("partly paid"),
    RunState.PAID: N_("paid"),
    RunState.REVERSED: N_("reversed"),
}
SOURCE, PAYMENT_SOURCE = PAYROLL_SOURCES  # ("payroll_run", "payroll_payment")
DONE_STATES = (RunState.POSTED, RunState.PAID)


def shown_state(state: str, paid: Decimal) -> str:
    """The state a person reads: a posted run some of whose net is paid is "partly paid"."""
    return PARTLY_PAID if state == RunState.POSTED and paid else state


def half_even(numerator: Decimal | int, denominator: int = 1) -> int:
    """The one rounding of payroll: to a whole minor unit, half-even."""
    return int((Decimal(numerator) / denominator).quantize(Decimal(1), ROUND_HALF_EVEN))


# --- payroll lines ---------------------------------------------------------------------------


@dataclass
class PayLineInput:
    name: str = ""
    kind: str = "deduction"
    percent: str = ""  # a percentage of gross ...
    amount: str = ""  # ... or a fixed amount a month (one of the two)
    account: str = ""  # a liability account's code


@dataclass(frozen=True)
class PayLineView:
    id: int
    name: str
    kind: str
    percent: Decimal | None
    amount: Decimal | None
    account: str
    account_name: str
    active: bool


def _line_view(uow: UnitOfWork, pl: PayLine, a: Account) -> PayLineView:
    return PayLineView(
        pl.id,
        pl.name,
        pl.kind,
        percent_from_bp(pl.rate_bp) if pl.rate_bp is not None else None,
        from_minor(pl.amount_minor, uow.exponent) if pl.amount_minor is not None else None,
        a.code,
        a.name,
        pl.active,
    )


@requires("people.pay")
def list_lines(uow: UnitOfWork, *, include_inactive: bool = False) -> list[PayLineView]:
    stmt = select(PayLine, Account).join(Account, Account.id == PayLine.account_id)
    if not include_inactive:
        stmt = stmt.where(PayLine.active.is_(True))
    stmt = stmt.order_by(PayLine.kind.desc(), PayLine.id)  # deductions, then contributions
    return [_line_view(uow, pl, a) for pl, a in uow.session.execute(stmt)]


def _liability(uow: UnitOfWork, text: object) -> Account:
    a = ledger.resolve_account(uow, text)
    if a.type != "liability":
        raise v.FieldError(
            Message(
                "{code} {name} is not a liability account; what is withheld or owed for pay "
                "is a liability",
                code=a.code,
                name=a.name,
            )
        )
    if a.role:  # accounts payable, GRNI, VAT or wages payable: each balance is bizdesk's
        raise v.FieldError(
            Message(
                "{code} {name} is where bizdesk posts {role}; a payroll line needs a "
                "liability account of its own (add one to the chart of accounts)",
                code=a.code,
                name=a.name,
                role=ledger.role_words(a.role),
            )
        )
    return a


@requires("payroll.run")
def add_line(uow: UnitOfWork, data: PayLineInput) -> PayLineView:
    chk = v.Checker()
    name = chk("name", v.text, data.name, max_len=80)
    if not name:
        chk.add("name", Message("required"))
    elif uow.session.scalar(select(PayLine.id).where(PayLine.name == name)) is not None:
        chk.add("name", Message("there is a payroll line {name} already", name=quoted(name, 80)))
    kind = str(data.kind or "").strip().lower()
    if kind not in LINE_KINDS:
        chk.add("kind", v.must_be_one_of(LINE_KINDS))
    pct, amt = str(data.percent or "").strip(), str(data.amount or "").strip()
    rate = amount = None
    if bool(pct) == bool(amt):
        chk.add("percent", Message("give either a percentage of gross or a fixed amount"))
    elif pct:
        try:
            rate = percent_to_basis_points(pct, locale=uow.input_locale)
            if rate == 0:
                raise AmountError(Message("must be more than zero"))
        except AmountError as exc:
            chk.add("percent", exc.message)
    else:
        try:
            amount = parse_money(amt, uow.exponent, locale=uow.input_locale)
            if amount == 0:
                raise AmountError(Message("must be more than zero"))
        except AmountError as exc:
            chk.add("amount", exc.message)
    account = chk("account", _liability, uow, data.account)
    chk.done()
    pl = PayLine(name=name, kind=kind, rate_bp=rate, amount_minor=amount, account_id=account.id)
    uow.session.add(pl)
    uow.session.flush()
    uow.audit(
        "pay_line",
        pl.id,
        "create",
        after={
            "name": name,
            "kind": kind,
            "rate_bp": rate,
            "amount": amount,
            "account": account.code,
        },
    )
    return _line_view(uow, pl, account)


@requires("payroll.run")
def set_line_active(uow: UnitOfWork, name: object, active: bool) -> PayLineView:
    """Stop (or start again) applying a payroll line to new runs; runs made keep it."""
    s = str(name or "").strip()
    pl = uow.session.scalar(select(PayLine).where(PayLine.name == s))
    if pl is None:
        raise NotFound(Message("There is no payroll line {name}.", name=quoted(s, 80)))
    a = uow.session.get(Account, pl.account_id)
    if active and a.archived:  # its runs would post to an account that takes no new lines
        raise ValidationError({"account": ledger.archived_message(a)})
    pl.active = active
    uow.audit("pay_line", pl.id, "activate" if active else "deactivate")
    return _line_view(uow, pl, a)


# --- runs ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ItemView:
    name: str
    kind: str
    percent: Decimal | None
    account: str
    amount: Decimal


@dataclass(frozen=True)
class SlipView:
    id: int
    number: str  # "PR-00001/3"
    employee_id: int
    contact_id: int
    name: str
    job_title: str
    iban: str
    pay_basis: str
    pay: Decimal
    hours: Decimal | None  # hourly: None until entered
    days_paid: int
    days_month: int
    gross: Decimal
    deductions: Decimal
    contributions: Decimal
    net: Decimal
    items: list[ItemView]
    paid_entry: str = ""  # the payment's label ("JE-…"), "" while not paid
    paid_on: date | None = None  # that payment's date
    paid_in_cash: bool = False  # that payment was from a cash account (not to the IBAN)


@dataclass(frozen=True)
class RunView:
    id: int
    number: int
    label: str
    month: date
    state: str
    entry: str  # the posting's label, "" while a draft
    gross: Decimal
    deductions: Decimal
    contributions: Decimal
    net: Decimal
    paid: Decimal
    version: int
    slips: list[SlipView]
    posted_on: date | None = None  # the day its entry is dated ("" entry: None)

    @property
    def month_text(self) -> str:
        return month_text(self.month)

    @property
    def shown_state(self) -> str:
        return shown_state(self.state, self.paid)


# the states each step is taken from (the services refuse the others; a page offers its key
# only there)
MAY = {
    "hours": (RunState.DRAFT,),
    "compute": (RunState.DRAFT,),
    "delete": (RunState.DRAFT,),
    "post": (RunState.DRAFT,),
    "pay": (RunState.POSTED,),
    "reverse": (RunState.POSTED,),
}


def slip_number(run_number: int, employee_id: int) -> str:
    return f"{PAYROLL_RUN.label(run_number)}/{employee_id}"


def _load(uow: UnitOfWork, run_id: int, *, lock: bool = False) -> PayrollRun:
    run = uow.session.get(PayrollRun, run_id, with_for_update=lock)
    if run is None:
        raise NotFound(Message("There is no payroll run #{id}.", id=run_id))
    return run


def _slips(uow: UnitOfWork, run_id: int) -> list[Payslip]:
    return list(
        uow.session.scalars(select(Payslip).where(Payslip.run_id == run_id).order_by(Payslip.id))
    )


def _items(uow: UnitOfWork, slip_id: int) -> list[PayslipItem]:
    return list(
        uow.session.scalars(
            select(PayslipItem).where(PayslipItem.payslip_id == slip_id).order_by(PayslipItem.id)
        )
    )


def _slip_views(uow: UnitOfWork, run: PayrollRun, slip_id: int | None = None) -> list[SlipView]:
    """The run's payslips (or one), read in two queries: the payslips with their employees
    and contacts, and every item with its account's code."""
    exp = uow.exponent
    stmt = (
        select(Payslip, Employee, Contact, JournalEntry.number, JournalEntry.date)
        .join(Employee, Employee.id == Payslip.employee_id)
        .join(Contact, Contact.id == Employee.contact_id)
        .outerjoin(JournalEntry, JournalEntry.id == Payslip.paid_entry_id)
        .where(Payslip.run_id == run.id)
        .order_by(Payslip.id)
    )
    if slip_id is not None:
        stmt = stmt.where(Payslip.id == slip_id)
    rows = list(uow.session.execute(stmt))
    items: dict[int, list[ItemView]] = defaultdict(list)
    for it, code in uow.session.execute(
        select(PayslipItem, Account.code)
        .join(Account, Account.id == PayslipItem.account_id)
        .where(PayslipItem.payslip_id.in_([r[0].id for r in rows]))
        .order_by(PayslipItem.id)
    ):
        items[it.payslip_id].append(
            ItemView(
                it.name,
                it.kind,
                percent_from_bp(it.rate_bp) if it.rate_bp is not None else None,
                code,
                from_minor(it.amount_minor, exp),
            )
        )
    paid_ids = [r[0].paid_entry_id for r in rows if r[0].paid_entry_id is not None]
    in_cash = set(
        uow.session.scalars(
            select(JournalLine.entry_id)
            .join(Account, Account.id == JournalLine.account_id)
            .where(
                JournalLine.entry_id.in_(paid_ids),
                JournalLine.credit_minor > 0,
                Account.role == "cash",
            )
        )
    )
    return [
        SlipView(
            s.id,
            slip_number(run.number, e.id),
            e.id,
            c.id,
            c.name,
            e.job_title,
            e.iban,
            s.pay_basis,
            from_minor(s.pay_minor, exp),
            qty_from_scaled(s.hours_scaled) if s.hours_entered else None,
            s.days_paid,
            s.days_month,
            from_minor(s.gross_minor, exp),
            from_minor(s.deductions_minor, exp),
            from_minor(s.contributions_minor, exp),
            from_minor(s.net_minor, exp),
            items[s.id],
            JOURNAL.label(paid) if paid is not None else "",
            paid_on,
            s.paid_entry_id in in_cash,
        )
        for s, e, c, paid, paid_on in rows
    ]


def _run_view(uow: UnitOfWork, run: PayrollRun) -> RunView:
    exp = uow.exponent
    slips = _slip_views(uow, run)
    entry, posted_on = "", None
    if run.entry_id:
        posted = uow.session.get(JournalEntry, run.entry_id)
        entry, posted_on = JOURNAL.label(posted.number), posted.date
    return RunView(
        run.id,
        run.number,
        PAYROLL_RUN.label(run.number),
        run.month,
        run.state,
        entry,
        sum((s.gross for s in slips), Decimal(0)),
        sum((s.deductions for s in slips), Decimal(0)),
        sum((s.contributions for s in slips), Decimal(0)),
        sum((s.net for s in slips), Decimal(0)),
        from_minor(run.paid_minor, exp),
        run.version,
        slips,
        posted_on,
    )


@requires("people.pay")
def get(uow: UnitOfWork, run_id: int) -> RunView:
    return _run_view(uow, _load(uow, run_id))


@requires("people.pay")
def find_run(uow: UnitOfWork, text: object) -> int:
    """A run's id from "PR-00003", "pr3", "3" or its month "2026-11" (also as the person
    writes months: "11.2026"; the run not reversed, else the newest reversed one: "payroll
    show 2026-11" after a reversal showed "There is no payroll run", beside it in the list)."""
    s = str(text or "").strip()
    run_id = None
    try:
        month = read_month(s, local=uow.person_input)
    except DateError:
        month = None
    if month is not None:
        run_id = uow.session.scalar(
            select(PayrollRun.id)
            .where(PayrollRun.month == month)
            .order_by(PayrollRun.state == RunState.REVERSED, PayrollRun.id.desc())
            .limit(1)
        )
    else:
        n = PAYROLL_RUN.number_in(s)
        if n is not None:
            run_id = uow.session.scalar(select(PayrollRun.id).where(PayrollRun.number == n))
    if run_id is None:
        raise NotFound(Message("There is no payroll run {label}.", label=quoted(s, 40)))
    return run_id


@requires("people.pay")
def find_slip(uow: UnitOfWork, text: object) -> tuple[int, int]:
    """(run id, payslip id) from a payslip's number, "PR-00003/2"."""
    s = str(text or "").strip()
    run_part, _sep, emp = s.rpartition("/")
    n = PAYROLL_RUN.number_in(run_part) if run_part else None
    emp = emp.strip().lstrip("#")
    # (an employee number no row can have is no payslip's, never asked of the database)
    if n is not None and is_digits(emp) and int(emp) <= MAX_ROW_ID:
        hit = uow.session.execute(
            select(PayrollRun.id, Payslip.id)
            .join(Payslip, Payslip.run_id == PayrollRun.id)
            .where(PayrollRun.number == n, Payslip.employee_id == int(emp))
        ).first()
        if hit is not None:
            return hit[0], hit[1]
    raise NotFound(
        Message(
            "There is no payslip {label} (a payslip is named by its run and the employee's "
            "number, e.g. {example}).",
            label=quoted(s, 40),
            example="PR-00001/1",
        )
    )


@requires("people.pay")
def get_slip(uow: UnitOfWork, slip_id: int) -> SlipView:
    s = uow.session.get(Payslip, slip_id)
    if s is None:
        raise NotFound(Message("There is no payslip #{id}.", id=slip_id))
    return _slip_views(uow, _load(uow, s.run_id), slip_id)[0]


def parse_month(value: object, local: bool = False) -> date:
    """The first day of a month typed as ``2026-11`` (and, by a person, as they write months:
    reading.read_month); anything else refused."""
    try:
        return read_month(value, local=local)
    except DateError as exc:
        raise ValidationError({"month": exc.message}) from None


def _hours(uow: UnitOfWork, value: object, month: date) -> int:
    try:
        h = parse_qty(value, locale=uow.input_locale)
    except AmountError as exc:
        raise v.FieldError(exc.message) from None
    first, last = month_bounds(month)
    most = ((last - first).days + 1) * 24
    if h > most * QTY_SCALE:
        raise v.FieldError(
            Message("more hours than {month} has ({most})", month=month_text(month), most=most)
        )
    return h


def _compute(
    uow: UnitOfWork, slip: Payslip, e: Employee, month: date, lines: list[PayLine]
) -> list[PayslipItem]:
    """Fill ``slip``'s figures and return its items (the rule: this module's docstring)."""
    first, last = month_bounds(month)
    slip.pay_basis = e.pay_basis
    slip.pay_minor = e.pay_minor
    if e.pay_basis == "hourly":
        slip.days_paid = slip.days_month = 0
        gross = half_even(e.pay_minor * slip.hours_scaled, QTY_SCALE)
    else:
        cal = calendar(uow)  # the leave module's working days: holidays left out
        span = overlap(first, last, e.start_date, e.end_date or last)
        employed = cal.working_days(*span) if span else 0
        unpaid = unpaid_days(uow, e.id, *span) if span else 0
        slip.days_month = cal.working_days(first, last)
        slip.days_paid = max(employed - unpaid, 0)
        if slip.days_paid == slip.days_month:
            gross = e.pay_minor
        else:
            gross = half_even(e.pay_minor * slip.days_paid, slip.days_month)
    items = []
    for pl in lines:
        amount = (
            pl.amount_minor if pl.amount_minor is not None else half_even(gross * pl.rate_bp, 10000)
        )
        if gross == 0:
            amount = 0  # nothing paid, nothing withheld or owed on it
        items.append(
            PayslipItem(
                pay_line_id=pl.id,
                name=pl.name,
                kind=pl.kind,
                rate_bp=pl.rate_bp,
                account_id=pl.account_id,
                amount_minor=amount,
            )
        )
    slip.gross_minor = gross
    slip.deductions_minor = sum(i.amount_minor for i in items if i.kind == "deduction")
    slip.contributions_minor = sum(i.amount_minor for i in items if i.kind == "contribution")
    slip.net_minor = gross - slip.deductions_minor
    return items


def _active_lines(uow: UnitOfWork) -> list[PayLine]:
    return list(
        uow.session.scalars(select(PayLine).where(PayLine.active.is_(True)).order_by(PayLine.id))
    )


def _recompute(uow: UnitOfWork, run: PayrollRun, slip: Payslip) -> None:
    for it in _items(uow, slip.id):
        uow.session.delete(it)
    uow.session.flush()
    e = uow.session.get(Employee, slip.employee_id)
    for it in _compute(uow, slip, e, run.month, _active_lines(uow)):
        it.payslip_id = slip.id
        uow.session.add(it)
    uow.session.flush()


def _figures(slip: Payslip, items: Sequence[PayslipItem]) -> tuple:
    return (
        slip.pay_basis,
        slip.pay_minor,
        slip.days_paid,
        slip.days_month,
        slip.gross_minor,
        slip.deductions_minor,
        slip.contributions_minor,
        slip.net_minor,
        [(i.pay_line_id, i.name, i.kind, i.rate_bp, i.account_id, i.amount_minor) for i in items],
    )


def _stale(uow: UnitOfWork, run: PayrollRun, slips: list[Payslip]) -> list[int]:
    """The employees whose payslip in a draft is no longer what computing it today gives
    (leave approved, pay or dates changed, a payroll line changed since), and those
    employed in the month without a payslip, or with one and no longer employed in it."""
    lines = _active_lines(uow)
    employed = {e.id: e for e in employed_in(uow, *month_bounds(run.month))}
    changed = []
    for slip in slips:
        e = employed.pop(slip.employee_id, None)
        if e is None:
            changed.append(slip.employee_id)
            continue
        today = Payslip(employee_id=e.id, hours_scaled=slip.hours_scaled)
        items = _compute(uow, today, e, run.month, lines)
        if _figures(today, items) != _figures(slip, _items(uow, slip.id)):
            changed.append(slip.employee_id)
    return changed + sorted(employed)


def _month_taken(uow: UnitOfWork, month: date, but: int | None = None) -> PayrollRun | None:
    stmt = select(PayrollRun).where(
        PayrollRun.month == month, PayrollRun.state != RunState.REVERSED
    )
    if but is not None:
        stmt = stmt.where(PayrollRun.id != but)
    return uow.session.scalars(stmt).first()


def _state_message(run: PayrollRun) -> Message:
    return Message(STATE_WORDS.get(run.state, run.state))


@requires("payroll.run")
def create_run(
    uow: UnitOfWork, month: object, hours: Sequence[tuple[str, str]] | dict[str, str] = ()
) -> RunView:
    """A draft run for ``month`` ("2026-11"): a payslip for each employee employed in it;
    ``hours``: (employee as find_employee reads it, hours worked) for hourly pay, each
    employee once."""
    m = parse_month(month, uow.person_input)
    this_month = date.today().replace(day=1)
    if m > this_month:  # a typo of a year would post wages into the next (and lock leave)
        raise ValidationError(
            {
                "month": Message(
                    "{month} has not begun (this month is {this}): a payroll is run for a "
                    "month that has begun",
                    month=month_text(m),
                    this=month_text(this_month),
                )
            }
        )
    taken = _month_taken(uow, m)
    if taken is not None:
        raise ValidationError(
            {
                "month": Message(
                    "{month} has its payroll run already: {label} ({state})",
                    month=month_text(m),
                    label=PAYROLL_RUN.label(taken.number),
                    state=_state_message(taken),
                )
            }
        )
    first, last = month_bounds(m)
    people = employed_in(uow, first, last)
    if not people:
        raise ValidationError(
            {"month": Message("nobody was employed in {month}", month=month_text(m))}
        )
    chk = v.Checker()
    given: dict[int, int] = {}
    pairs = hours.items() if isinstance(hours, dict) else hours
    for who, value in pairs:
        try:
            emp_id = find_employee(uow, who)
        except NotFound as exc:
            chk.add(str(who), exc.message)
            continue
        h = chk(str(who), _hours, uow, value, m)
        if emp_id in given or f"#{emp_id}" in chk.errors:
            chk.add(f"#{emp_id}", Message("hours given twice; give each employee's once"))
        elif h is not None:
            given[emp_id] = h
    ids = {e.id for e in people}
    for emp_id in given:
        if emp_id not in ids:
            chk.add(f"#{emp_id}", Message("not employed in {month}", month=month_text(m)))
    for e in people:
        if e.id in given and e.pay_basis != "hourly":
            chk.add(f"#{e.id}", Message("is paid monthly; hours are for hourly pay"))
    chk.done()
    run = PayrollRun(number=next_number(uow, PAYROLL_RUN), month=m, updated_by=uow.user)
    uow.session.add(run)
    uow.session.flush()
    for e in people:
        _new_slip(uow, run, e.id, given.get(e.id))
    uow.audit(SOURCE, run.id, "create", after={"month": f"{m:%Y-%m}", "employees": len(people)})
    return _run_view(uow, run)


def _start(
    uow: UnitOfWork, run_id: int, allowed: tuple[str, ...], why: Message, version: int | None
) -> PayrollRun:
    run = _load(uow, run_id, lock=True)
    if version is not None:
        check_version(uow, run, version)
    if run.state not in allowed:
        raise ValidationError(
            {
                "": Message(
                    "{label} is {state}; {reason}",
                    label=PAYROLL_RUN.label(run.number),
                    state=_state_message(run),
                    reason=why,
                )
            }
        )
    return run


@requires("payroll.run")
def set_hours(
    uow: UnitOfWork, run_id: int, employee: object, hours: object, *, version: int | None = None
) -> RunView:
    """The hours an hourly employee worked in a draft run's month."""
    run = _start(uow, run_id, MAY["hours"], Message("only a draft's hours change"), version)
    emp_id = find_employee(uow, employee)
    slip = uow.session.scalar(
        select(Payslip).where(Payslip.run_id == run.id, Payslip.employee_id == emp_id)
    )
    if slip is None:
        raise ValidationError(
            {
                "employee": Message(
                    "{label} has no payslip for #{id}",
                    label=PAYROLL_RUN.label(run.number),
                    id=emp_id,
                )
            }
        )
    if slip.pay_basis != "hourly":  # (the sentence named nobody: "hours: is paid monthly")
        name = uow.session.scalar(
            select(Contact.name)
            .join(Employee, Employee.contact_id == Contact.id)
            .where(Employee.id == emp_id)
        )
        raise ValidationError(
            {"hours": Message("{name} is paid monthly; hours are for hourly pay", name=name)}
        )
    chk = v.Checker()
    h = chk("hours", _hours, uow, hours, run.month)
    chk.done()
    slip.hours_scaled = h
    slip.hours_entered = True
    _recompute(uow, run, slip)
    touch(uow, run)
    uow.audit(SOURCE, run.id, "hours", after={"employee": emp_id, "hours": h})
    return _run_view(uow, run)


@requires("payroll.run")
def refresh(uow: UnitOfWork, run_id: int, *, version: int | None = None) -> RunView:
    """Compute a draft again from today's employees, pay and payroll lines (hours kept)."""
    run = _start(uow, run_id, MAY["compute"], Message("only a draft is computed again"), version)
    employed = {e.id for e in employed_in(uow, *month_bounds(run.month))}
    for slip in _slips(uow, run.id):
        if slip.employee_id in employed:
            employed.discard(slip.employee_id)
            _recompute(uow, run, slip)
        else:
            _delete_slip(uow, slip)
    for emp_id in sorted(employed):
        _new_slip(uow, run, emp_id, None)
    touch(uow, run)
    uow.audit(SOURCE, run.id, "refresh")
    return _run_view(uow, run)


def _new_slip(uow: UnitOfWork, run: PayrollRun, employee_id: int, hours: int | None) -> None:
    """``hours``: thousandths of an hour, None when not given yet (an hourly employee's run
    is not posted until they are: none worked is 0)."""
    e = uow.session.get(Employee, employee_id)
    slip = Payslip(
        run_id=run.id,
        employee_id=e.id,
        pay_basis=e.pay_basis,
        pay_minor=e.pay_minor,
        hours_scaled=hours or 0,
        hours_entered=hours is not None,
    )
    uow.session.add(slip)
    uow.session.flush()
    _recompute(uow, run, slip)


def _delete_slip(uow: UnitOfWork, slip: Payslip) -> None:
    for it in _items(uow, slip.id):
        uow.session.delete(it)
    uow.session.flush()
    uow.session.delete(slip)
    uow.session.flush()


@requires("payroll.run")
def delete_draft(uow: UnitOfWork, run_id: int, *, version: int | None = None) -> None:
    run = _start(uow, run_id, MAY["delete"], Message("only a draft is deleted"), version)
    for slip in _slips(uow, run.id):
        _delete_slip(uow, slip)
    uow.audit(SOURCE, run.id, "delete", before={"month": f"{run.month:%Y-%m}"})
    uow.session.delete(run)
    uow.session.flush()


@requires("payroll.run")
def post(
    uow: UnitOfWork, run_id: int, *, when: object = None, version: int | None = None
) -> RunView:
    """Post a draft in one entry (dated the month's last day unless ``when``)."""
    found = _load(uow, run_id, lock=True)
    if found.state in (RunState.POSTED, RunState.PAID):  # (a paid run is posted too)
        raise ValidationError(
            {
                "": Message(
                    "{label} is posted already; only a draft run can be posted.",
                    label=PAYROLL_RUN.label(found.number),
                )
            }
        )
    run = _start(uow, run_id, MAY["post"], Message("only a draft run can be posted."), version)
    other = _month_taken(uow, run.month, but=run.id)
    if other is not None:  # only a draft can be beside another run: never two posted
        raise ValidationError(
            {
                "month": Message(
                    "{month} has its payroll run already: {label} ({state})",
                    month=month_text(run.month),
                    label=PAYROLL_RUN.label(other.number),
                    state=_state_message(other),
                )
            }
        )
    chk = v.Checker()
    day = chk("date", v.iso_date, when, local=uow.person_input) or month_bounds(run.month)[1]
    chk.done()
    if day < run.month:  # a month's wages are its cost: never in the month before
        raise ValidationError(
            {
                "date": Message(
                    "{date} is before {month}, the month this run pays: post it on a day of "
                    "that month or later",
                    date=date_text(day),
                    month=month_text(run.month),
                )
            }
        )
    slips = _slips(uow, run.id)
    label = PAYROLL_RUN.label(run.number)
    stale = _stale(uow, run, slips)
    if stale:
        names = [
            uow.session.get(Contact, uow.session.get(Employee, i).contact_id).name for i in stale
        ]
        raise ValidationError(
            {
                "": Message(
                    "{label} was computed before a change that alters what it pays ({names}: "
                    "leave, pay, dates or payroll lines); nothing is posted. Compute it again "
                    "(c on its page, or {command}), look at it, then post",
                    label=label,
                    names=", ".join(names),
                    command=f"bizdesk payroll refresh {label}",
                )
            }
        )
    for s in slips:
        e = uow.session.get(Employee, s.employee_id)
        name = uow.session.get(Contact, e.contact_id).name
        if s.pay_basis == "hourly" and not s.hours_entered:
            raise ValidationError(
                {
                    "hours": Message(
                        "{name} is paid by the hour and has no hours in {label}; enter them "
                        "(h on its page, or {command})",
                        name=name,
                        label=label,
                        command=f"bizdesk payroll hours {label} '#{e.id}' HOURS",
                    )
                }
            )
        if s.net_minor < 0:
            raise ValidationError(
                {
                    "net": Message(
                        "{name}'s deductions are more than the gross pay; net pay cannot be "
                        "below zero",
                        name=name,
                    )
                }
            )
    gross = sum(s.gross_minor for s in slips)
    contributions = sum(s.contributions_minor for s in slips)
    if gross == 0:
        raise ValidationError(
            {
                "gross": Message(
                    "{label} pays nothing; there is nothing to post",
                    label=PAYROLL_RUN.label(run.number),
                )
            }
        )
    payable = account_for(uow, "wages_payable").id
    owed: dict[int, int] = defaultdict(int)
    for s in slips:
        for it in _items(uow, s.id):
            owed[it.account_id] += it.amount_minor
    postings = [Posting(account_for(uow, "wages").id, debit_minor=gross, memo=label)]
    if contributions:
        postings.append(
            Posting(
                account_for(uow, "employer_contributions").id, debit_minor=contributions, memo=label
            )
        )
    for s in slips:
        e = uow.session.get(Employee, s.employee_id)
        postings.append(
            Posting(
                payable,
                credit_minor=s.net_minor,
                contact_id=e.contact_id,
                memo=slip_number(run.number, e.id),
            )
        )
    for account_id, amount in sorted(owed.items()):
        postings.append(Posting(account_id, credit_minor=amount, memo=label))
    e = post_entry(
        uow,
        day,
        written(
            uow.setting("locale"),
            N_("Payroll {run} {month}"),
            run=label,
            month=month_text(run.month),
        ),
        postings,
        source=(SOURCE, run.id),
    )
    run.entry_id = e.id
    run.state = RunState.POSTED
    touch(uow, run)
    uow.audit(
        SOURCE,
        run.id,
        "post",
        after={"entry": e.number, "gross": gross, "contributions": contributions},
    )
    return _run_view(uow, run)


@dataclass(frozen=True)
class PayResult:
    run: RunView
    amount: Decimal
    entry_number: int

    @property
    def entry_label(self) -> str:
        return JOURNAL.label(self.entry_number)


@requires("payroll.run")
def pay(
    uow: UnitOfWork,
    run_id: int,
    account: object = "",
    *,
    employees: Sequence[object] = (),
    when: object = None,
    version: int | None = None,
) -> PayResult:
    """Pay a posted run's net pay from a payment account (bank, cash or card): Dr Wages
    payable per employee / Cr that account, on ``when`` (default: today, or the day the run
    is dated when that is later). ``employees`` (each "#number", name or e-mail):
    only theirs, each paid whole; else everyone's not paid yet. The run is paid when every
    payslip with net pay is."""
    run = _start(uow, run_id, MAY["pay"], Message("only a posted run is paid"), version)
    chk = v.Checker()
    acct = chk("account", payment_account, uow, account)
    day = chk("date", v.iso_date, when, local=uow.person_input)
    chk.done()
    entry = uow.session.get(JournalEntry, run.entry_id)
    # no date: today, or the day the run is dated when that is later (as a reversal is)
    day = day or max(date.today(), entry.date)
    if day > max(date.today(), entry.date):  # a run of this month is paid on its own day
        raise ValidationError(
            {
                "date": Message(
                    "{date} is after today and after the day the run is dated ({posted}): a "
                    "payment is recorded once it is made",
                    date=date_text(day),
                    posted=date_text(entry.date),
                )
            }
        )
    if day < entry.date:
        raise ValidationError(
            {
                "date": Message(
                    "{date} is before the day the run is dated ({posted}): its pay is paid "
                    "on that day or later; to pay it sooner, reverse the run and post the "
                    "month's run again dated {date} or before",
                    date=date_text(day),
                    posted=date_text(entry.date),
                )
            }
        )
    label = PAYROLL_RUN.label(run.number)
    slips = [s for s in _slips(uow, run.id) if s.net_minor]
    chosen = [s for s in slips if s.paid_entry_id is None]
    if employees:
        chosen = [_payable(uow, run, slips, e) for e in employees]
        if len({s.id for s in chosen}) != len(chosen):
            raise ValidationError({"employee": Message("an employee is named twice")})
    total = sum(s.net_minor for s in chosen)
    if not total:  # every payslip's net pay is nothing
        raise ValidationError({"": Message("{label} has no net pay left to pay", label=label)})
    payable = account_for(uow, "wages_payable").id
    postings = []
    for s in chosen:
        e = uow.session.get(Employee, s.employee_id)
        postings.append(
            Posting(
                payable,
                debit_minor=s.net_minor,
                contact_id=e.contact_id,
                memo=slip_number(run.number, e.id),
            )
        )
    postings.append(Posting(acct.id, credit_minor=total, memo=label))
    memo = written(uow.setting("locale"), N_("Payroll {run} paid"), run=label)
    je = post_entry(uow, day, memo, postings, source=(PAYMENT_SOURCE, run.id))
    for s in chosen:
        s.paid_entry_id = je.id
    run.paid_minor += total
    if all(s.paid_entry_id is not None for s in slips):
        run.state = RunState.PAID
    touch(uow, run)
    uow.audit(
        SOURCE,
        run.id,
        "pay",
        after={
            "entry": je.number,
            "amount": total,
            "account": acct.code,
            "employees": [s.employee_id for s in chosen],
        },
    )
    return PayResult(_run_view(uow, run), from_minor(total, uow.exponent), je.number)


def _payable(uow: UnitOfWork, run: PayrollRun, slips: list[Payslip], text: object) -> Payslip:
    """The payslip of the employee named, with net pay not paid yet."""
    emp_id = find_employee(uow, text)
    label = PAYROLL_RUN.label(run.number)
    slip = next((s for s in slips if s.employee_id == emp_id), None)
    if slip is None:
        pays = uow.session.scalar(
            select(Payslip.id).where(Payslip.run_id == run.id, Payslip.employee_id == emp_id)
        )
        if pays is None:
            raise ValidationError(
                {"employee": Message("{label} has no payslip for #{id}", label=label, id=emp_id)}
            )
        raise ValidationError(
            {"employee": Message("#{id} has no net pay in {label}", id=emp_id, label=label)}
        )
    if slip.paid_entry_id is not None:
        paid = uow.session.get(JournalEntry, slip.paid_entry_id)
        raise ValidationError(
            {
                "employee": Message(
                    "{number} was paid already: {entry} on {date}",
                    number=slip_number(run.number, emp_id),
                    entry=JOURNAL.label(paid.number),
                    date=date_text(paid.date),
                )
            }
        )
    return slip


@requires("payroll.run")
def reverse(uow: UnitOfWork, run_id: int, *, when: object = None) -> RunView:
    """Undo a posted run that is not paid: its entry is reversed (the journal's rules: dated
    on or after it, not before the lock date); the month may then be run again."""
    run = _start(
        uow,
        run_id,
        MAY["reverse"],
        Message("only a posted run that is not paid is reversed"),
        None,
    )
    label = PAYROLL_RUN.label(run.number)
    if run.paid_minor:
        raise ValidationError(
            {
                "": Message(
                    "{label} is partly paid ({amount}): only a posted run that is not paid is "
                    "reversed",
                    label=label,
                    amount=money_text(run.paid_minor, uow.exponent, uow.input_locale),
                )
            }
        )
    memo = written(uow.setting("locale"), N_("Reversal of payroll {run}"), run=label)
    ledger.reverse(uow, run.entry_id, when, memo, by_document=True)
    run.state = RunState.REVERSED
    touch(uow, run)
    uow.audit(SOURCE, run.id, "reverse")
    return _run_view(uow, run)


@dataclass(frozen=True)
class RunRow:
    id: int
    label: str
    month: date
    state: str
    employees: int
    gross: Decimal
    net: Decimal
    paid: Decimal

    @property
    def shown_state(self) -> str:
        return shown_state(self.state, self.paid)


@requires("people.pay")
def list_runs(uow: UnitOfWork, *, year: int | None = None, limit: int = 200) -> list[RunRow]:
    """Payroll runs, the newest month first."""
    stmt = (
        select(
            PayrollRun,
            func.count(Payslip.id),
            func.coalesce(func.sum(Payslip.gross_minor), 0),
            func.coalesce(func.sum(Payslip.net_minor), 0),
        )
        .outerjoin(Payslip, Payslip.run_id == PayrollRun.id)
        .group_by(PayrollRun.id)
        .order_by(PayrollRun.month.desc(), PayrollRun.id.desc())
        .limit(limit)
    )
    if year is not None:
        stmt = stmt.where(
            PayrollRun.month >= date(year, 1, 1), PayrollRun.month <= date(year, 12, 1)
        )
    exp = uow.exponent
    return [
        RunRow(
            r.id,
            PAYROLL_RUN.label(r.number),
            r.month,
            r.state,
            n,
            from_minor(g, exp),
            from_minor(net, exp),
            from_minor(r.paid_minor, exp),
        )
        for r, n, g, net in uow.session.execute(stmt)
    ]


@requires("people.pay")
def employee_slips(
    uow: UnitOfWork, employee_id: int, limit: int = 24
) -> list[tuple[str, date, str, Decimal, Decimal]]:
    """An employee's payslips, newest first: (number, month, state, gross, net); the state
    is "paid" once the payslip is (its run may still be paying others), else the run's."""
    exp = uow.exponent
    rows = uow.session.execute(
        select(
            PayrollRun.number,
            PayrollRun.month,
            case((Payslip.paid_entry_id.is_not(None), RunState.PAID.value), else_=PayrollRun.state),
            Payslip.gross_minor,
            Payslip.net_minor,
        )
        .join(Payslip, Payslip.run_id == PayrollRun.id)
        .where(Payslip.employee_id == employee_id)
        .order_by(PayrollRun.month.desc(), PayrollRun.id.desc())
        .limit(limit)
    )
    return [
        (slip_number(n, employee_id), m, st, from_minor(g, exp), from_minor(net, exp))
        for n, m, st, g, net in rows
    ]
