"""Employees: a contact the shop employs (optionally a bizdesk user), with dates, job title,
pay (a monthly salary or an hourly rate), bank account and yearly leave. Everyone may see
who works here; the pay and the bank account only a role with ``people.pay`` (the views of
the others carry None there: a view without the money, not a blank)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from sqlalchemy import func, or_, select

from bizdesk.db.session import UnitOfWork
from bizdesk.errors import NotFound, ValidationError
from bizdesk.folding import fold
from bizdesk.i18n import Message, current_language
from bizdesk.models.contacts import Contact
from bizdesk.models.core import User
from bizdesk.models.people import Employee, LeaveRequest, LeaveState, PayrollRun, RunState
from bizdesk.money import AmountError, from_minor, parse_money
from bizdesk.reading import date_text, is_digits, month_text, quoted
from bizdesk.services.base import validate as v
from bizdesk.services.base.numbering import PAYROLL_RUN
from bizdesk.services.base.paging import Page, PageRequest, contains, keyset_page
from bizdesk.services.base.permissions import can, requires
from bizdesk.services.base.records import check_version, touch
from bizdesk.services.crm.contacts import NAMED_NUMBER, resolve
from bizdesk.services.people.days import WorkCalendar, month_bounds, overlap, year_bounds
from bizdesk.words import PAY_BASIS_NAMES

PAY_BASES = ("monthly", "hourly")
SOURCE = "employee"


@dataclass
class EmployeeInput:
    contact: str = ""
    user: str = ""
    job_title: str = ""
    start_date: str = ""
    end_date: str = ""
    pay_basis: str = "monthly"
    pay: str = ""
    iban: str = ""
    leave_days: str | None = None  # None: a new employee's is the shop's (default_leave_days)


@dataclass(frozen=True)
class EmployeeView:
    id: int
    contact_id: int
    name: str
    email: str
    user: str
    job_title: str
    start_date: date
    end_date: date | None
    pay_basis: str
    pay: Decimal | None  # None: the reader may not see pay
    iban: str | None
    leave_days: int
    version: int

    @property
    def label(self) -> str:
        return f"#{self.id}"

    @property
    def pay_per(self) -> tuple[Decimal, str] | None:
        """The pay with its basis (a list's one column), or None if the reader may not see it."""
        return None if self.pay is None else (self.pay, self.pay_basis)

    def employed_on(self, day: date) -> bool:
        return self.start_date <= day and (self.end_date is None or day <= self.end_date)


def _view(uow: UnitOfWork, e: Employee, c: Contact, username: str | None) -> EmployeeView:
    pay = can(uow, "people.pay")
    return EmployeeView(
        e.id,
        c.id,
        c.name,
        c.email or "",
        username or "",
        e.job_title,
        e.start_date,
        e.end_date,
        e.pay_basis,
        from_minor(e.pay_minor, uow.exponent) if pay else None,
        e.iban if pay else None,
        e.leave_days,
        e.version,
    )


def load(uow: UnitOfWork, employee_id: int, *, lock: bool = False) -> Employee:
    e = uow.session.get(Employee, employee_id, with_for_update=lock)
    if e is None:
        raise NotFound(Message("There is no employee #{id}.", id=employee_id))
    return e


def view_of(uow: UnitOfWork, e: Employee) -> EmployeeView:
    c = uow.session.get(Contact, e.contact_id)
    user = uow.session.get(User, e.user_id) if e.user_id else None
    return _view(uow, e, c, user.username if user else None)


@requires("people.view")
def get(uow: UnitOfWork, employee_id: int) -> EmployeeView:
    return view_of(uow, load(uow, employee_id))


SHOWN_NUMBER = re.compile(r"(.*\S)\s*\(#(\d{1,18})\)")  # "Ana Pop (#3)", as examples show it


@requires("people.view")
def find_employee(uow: UnitOfWork, text: object) -> int:
    """An employee's id from "#3", "3", the contact's exact name or e-mail, or the name with
    the number as a form shows it ("Ana Pop #3") or as a refusal names it ("Ana Pop (#3)"),
    the name checked."""
    s = str(text or "").strip()
    if not s:  # said on the field, not "There is no employee ''."
        raise ValidationError({"employee": Message("required")})
    named = NAMED_NUMBER.fullmatch(s) or SHOWN_NUMBER.fullmatch(s)
    if named:
        e = uow.session.get(Employee, int(named[2]))
        name = uow.session.get(Contact, e.contact_id).name if e is not None else None
        if name is not None and fold(" ".join(named[1].split())) == fold(" ".join(name.split())):
            return e.id
        if name is not None:  # the number is another's: neither of the two is guessed
            raise NotFound(
                Message(
                    "#{number} is {name}, not {typed}; give the employee's name or #number.",
                    number=e.id,
                    name=name,
                    typed=quoted(named[1], 60),
                )
            )
        raise NotFound(Message("There is no employee {name}.", name=quoted(s, 60)))
    digits = s[1:] if s.startswith("#") else s
    if is_digits(digits):  # not "²", which int() cannot read
        if uow.session.get(Employee, int(digits)) is not None:
            return int(digits)
    elif s:
        folded = v.sort_key(s)
        hits = uow.session.scalars(
            select(Employee.id)
            .join(Contact, Contact.id == Employee.contact_id)
            .where(or_(Contact.sort_name == folded, func.lower(Contact.email) == s.lower()))
            .order_by(Employee.id)
            .limit(6)
        ).all()
        if len(hits) > 1:  # (the same person employed twice, or two of one name)
            raise NotFound(
                Message(
                    "{name} is {count} employees ({numbers}): give the number",
                    name=quoted(s, 60),
                    count=len(hits),
                    numbers=", ".join(f"#{i}" for i in hits),
                )
            )
        if hits:
            return hits[0]
        near = _named_like(uow, s)
        if near:  # a part of a name ("Mihai"): which are meant is said, never guessed
            raise NotFound(
                Message(
                    "No employee is named {name}: type the whole name or the number, "
                    "such as {examples}.",
                    name=quoted(s, 60),
                    examples=", ".join(f"{n} (#{i})" for i, n in near),
                )
            )
    raise NotFound(Message("There is no employee {name}.", name=quoted(s, 60)))


def _named_like(uow: UnitOfWork, text: str) -> list[tuple[int, str]]:
    """Employees whose name holds ``text`` (accents and case aside), a few, by name."""
    rows = uow.session.execute(
        select(Employee.id, Contact.name)
        .join(Contact, Contact.id == Employee.contact_id)
        .where(Contact.sort_name.contains(v.sort_key(text), autoescape=True))
        .order_by(Contact.sort_name, Employee.id)
        .limit(3)
    ).all()
    return [(i, n) for i, n in rows]


@requires("people.view")
def suggest_employees(uow: UnitOfWork, prefix: str, limit: int = 8) -> list[str]:
    """Type-ahead for an employee box: the names (as find_employee reads them) that start
    with what was typed."""
    p = prefix.strip()
    if not p:
        return []
    names = uow.session.scalars(
        select(Contact.name)
        .join(Employee, Employee.contact_id == Contact.id)
        .where(Contact.sort_name.startswith(v.sort_prefix(p), autoescape=True))
        .order_by(Contact.sort_name)
        .limit(limit)
    ).all()
    return list(dict.fromkeys(n for n in names if n.casefold().startswith(p.casefold())))


def _user_id(uow: UnitOfWork, text: object) -> int | None:
    s = v.text(text, max_len=64)
    if not s:
        return None
    u = uow.session.scalar(select(User).where(User.username == s))
    if u is None:
        raise v.FieldError(Message("no user {name}", name=quoted(s, 60)))
    return u.id


def _pay(uow: UnitOfWork, value: object) -> int | None:
    try:
        minor = parse_money(value, uow.exponent, locale=uow.input_locale)
    except AmountError as exc:
        raise v.FieldError(exc.message) from None
    if minor == 0:
        raise v.FieldError(Message("must be more than zero"))
    return minor


def _leave_days(value: object) -> int:
    s = str(value or "0").strip()
    if not is_digits(s) or int(s) > 366:
        raise v.FieldError(Message("a whole number of days from 0 to 366"))
    return int(s)


LEAVE_DAYS = "leave_days"  # the setting: paid leave days a year a new employee is given


def default_leave_days(setting: Callable[[str, str], str]) -> int:
    """The paid leave days a year the shop gives a new employee (a setting; 0 until set):
    what a new employee's form offers, and what one added without a number of their own
    is given. ``setting``: a store's or a unit of work's (``uow.setting``)."""
    try:
        return _leave_days(setting(LEAVE_DAYS, "0"))
    except v.FieldError:
        return 0


def leave_days_given(days: int) -> Message:
    """What the shop's leave days set are said as (both doors)."""
    return Message.plural(
        "A new employee is given {days} leave day a year.",
        "A new employee is given {days} leave days a year.",
        days,
        days=days,
    )


@requires("people.edit")
def set_default_leave_days(uow: UnitOfWork, value: object) -> int:
    """Set the paid leave days a year a new employee is given. Employees already employed
    keep their own."""
    chk = v.Checker()
    text = str(value if value is not None else "").strip()
    days = chk("leave_days", _leave_days, text) if text else None
    if not text:  # (a box left empty is no number: never taken as 0)
        chk.add("leave_days", Message("a whole number of days from 0 to 366"))
    chk.done()
    before = default_leave_days(uow.setting)
    uow.set_setting(LEAVE_DAYS, str(days))
    uow.audit(
        "setting", None, LEAVE_DAYS, before={"leave_days": before}, after={"leave_days": days}
    )
    return days


def _clean(
    uow: UnitOfWork, data: EmployeeInput, chk: v.Checker, *, new: bool, employee_id: int = 0
) -> dict:
    out = {}
    if new:
        c = chk("contact", resolve, uow, data.contact)
        if c is not None:
            taken = uow.session.scalar(select(Employee.id).where(Employee.contact_id == c.id))
            if taken is not None:
                chk.add("contact", Message("{name} is an employee already", name=c.name))
            elif c.kind == "organization":
                chk.add(
                    "contact",
                    Message("{name} is an organisation: an employee is a person", name=c.name),
                )
            out["contact_id"] = c.id
    out["user_id"] = chk("user", _user_id, uow, data.user)
    if out["user_id"] is not None:  # a user is one person: the leave they ask is theirs
        other = uow.session.execute(
            select(Employee.id, Contact.name)
            .join(Contact, Contact.id == Employee.contact_id)
            .where(Employee.user_id == out["user_id"], Employee.id != employee_id)
        ).first()
        if other is not None:
            chk.add(
                "user",
                Message(
                    "{user} is the user of {name} (#{id}) already: a user is one employee",
                    user=str(data.user).strip(),
                    name=other[1],
                    id=other[0],
                ),
            )
    out["job_title"] = chk("job_title", v.text, data.job_title, max_len=100) or ""
    out["start_date"] = chk(
        "start_date", v.iso_date, data.start_date, required=True, local=uow.person_input
    )
    out["end_date"] = chk("end_date", v.iso_date, data.end_date, local=uow.person_input)
    basis = str(data.pay_basis or "").strip().lower()
    if basis not in PAY_BASES:
        chk.add("pay_basis", v.must_be_one_of(PAY_BASES))
    out["pay_basis"] = basis
    out["pay_minor"] = chk("pay", _pay, uow, data.pay)
    out["iban"] = chk("iban", v.iban, data.iban) or ""
    out["leave_days"] = chk("leave_days", _leave_days, data.leave_days)
    start, end = out["start_date"], out["end_date"]
    if start and end and end < start:
        chk.add(
            "end_date",
            Message(
                "{end} is before the start, {start}", end=date_text(end), start=date_text(start)
            ),
        )
    return out


def posted_runs(uow: UnitOfWork, first: date, last: date | None = None) -> list[PayrollRun]:
    """The posted or paid payroll runs of the months with a day from ``first`` to ``last``
    (None: no end), by month: what they paid is in the books and never changes."""
    stmt = select(PayrollRun).where(
        PayrollRun.state.in_((RunState.POSTED, RunState.PAID)),
        PayrollRun.month >= first.replace(day=1),
    )
    if last is not None:
        stmt = stmt.where(PayrollRun.month <= last)
    return list(uow.session.scalars(stmt.order_by(PayrollRun.month)))


def calendar(uow: UnitOfWork) -> WorkCalendar:
    """The shop's working days: its country's public holidays, and its region's, are not
    working days (the country and region of the shop's details; none set, none known)."""
    return WorkCalendar(
        uow.setting("shop_country", ""), current_language(), uow.setting("shop_region", "")
    )


def days_in_year(uow: UnitOfWork, employee_id: int, year: int, kind: str, state: str) -> int:
    """Working days of ``employee_id``'s leave of ``kind`` in ``state`` in ``year``."""
    first, last = year_bounds(year)
    cal = calendar(uow)
    total = 0
    for r in uow.session.scalars(
        select(LeaveRequest).where(
            LeaveRequest.employee_id == employee_id,
            LeaveRequest.kind == kind,
            LeaveRequest.state == state,
            LeaveRequest.start_date <= last,
            LeaveRequest.end_date >= first,
        )
    ):
        both = overlap(r.start_date, r.end_date, first, last)
        total += cal.working_days(*both)
    return total


def _keeps_posted_pay(
    uow: UnitOfWork, e: Employee, start: date, end: date | None, chk: v.Checker
) -> None:
    """New employment dates leave every posted month as it was paid: a month whose payroll
    is posted has the same days of employment before and after (the run is reversed first)."""
    for run in posted_runs(uow, min(start, e.start_date)):
        first, last = month_bounds(run.month)
        was = overlap(first, last, e.start_date, e.end_date or last)
        now = overlap(first, last, start, end or last)
        if was != now:
            moved_start = start != e.start_date and first <= max(start, e.start_date)
            chk.add(
                "start_date" if moved_start else "end_date",
                Message(
                    "the payroll of {month} is posted ({label}) with the employment as it "
                    "was; reverse that run before changing the dates in {month}",
                    month=month_text(run.month),
                    label=PAYROLL_RUN.label(run.number),
                ),
            )
            return


def _keeps_approved_leave(uow: UnitOfWork, e: Employee, days: int, chk: v.Checker) -> None:
    """Fewer vacation days a year than a year has approved already would leave that year
    below nothing: refuse the year the most were approved in (refuse or shorten leave
    first)."""
    years = uow.session.execute(
        select(LeaveRequest.start_date, LeaveRequest.end_date).where(
            LeaveRequest.employee_id == e.id,
            LeaveRequest.kind == "vacation",
            LeaveRequest.state == LeaveState.APPROVED,
        )
    ).all()
    taken = {
        year: days_in_year(uow, e.id, year, "vacation", LeaveState.APPROVED)
        for year in sorted({y for a, b in years for y in range(a.year, b.year + 1)})
    }
    over = [(n, year) for year, n in taken.items() if n > days]
    if over:
        most, year = max(over)
        chk.add(
            "leave_days",
            Message(
                "{approved} vacation days of {year} are approved already: a year's days "
                "cannot be fewer",
                approved=most,
                year=year,
            ),
        )


def _unpaid_in_posted(uow: UnitOfWork, start: date, end: date | None, chk: v.Checker) -> None:
    """A new employee's months whose payroll is posted were paid without them, and a posted
    run is never computed again: they would never be paid for those days."""
    for run in posted_runs(uow, start, end):
        chk.add(
            "start_date",
            Message(
                "the payroll of {month} is posted ({label}) without them, so they would never "
                "be paid for it: start them after {month}, or reverse that run first",
                month=month_text(run.month),
                label=PAYROLL_RUN.label(run.number),
            ),
        )
        return


@requires("people.edit")
def add(uow: UnitOfWork, data: EmployeeInput) -> EmployeeView:
    if data.leave_days is None:  # the shop's, as the form offers it
        data = replace(data, leave_days=str(default_leave_days(uow.setting)))
    chk = v.Checker()
    values = _clean(uow, data, chk, new=True)
    if values["start_date"] and not chk.errors:
        _unpaid_in_posted(uow, values["start_date"], values["end_date"], chk)
    chk.done()
    e = Employee(**values, updated_by=uow.user)
    uow.session.add(e)
    uow.session.flush()
    uow.audit(SOURCE, e.id, "create", after=_audited(e))
    return view_of(uow, e)


def _audited(e: Employee) -> dict:
    return {
        "contact": e.contact_id,
        "job_title": e.job_title,
        "start": e.start_date.isoformat(),
        "end": e.end_date.isoformat() if e.end_date else None,
        "basis": e.pay_basis,
        "pay": e.pay_minor,
        "leave_days": e.leave_days,
    }


@requires("people.edit")
def update(uow: UnitOfWork, employee_id: int, data: EmployeeInput, *, version: int) -> EmployeeView:
    """Change an employee (a raise, a new job title, a new bank account). Payroll runs keep
    the pay they were computed with."""
    e = load(uow, employee_id, lock=True)
    check_version(uow, e, version)
    if data.leave_days is None:  # (kept)
        data = replace(data, leave_days=str(e.leave_days))
    chk = v.Checker()
    values = _clean(uow, data, chk, new=False, employee_id=e.id)
    if values["pay_basis"] in PAY_BASES and values["pay_basis"] != e.pay_basis:
        if values["pay_minor"] == e.pay_minor:  # 2,180.00 a month is not 2,180.00 an hour
            chk.add(
                "pay",
                Message(
                    "the pay basis changes to {basis}: give the pay on that basis too",
                    basis=Message(PAY_BASIS_NAMES.get(values["pay_basis"], values["pay_basis"])),
                ),
            )
    if values["leave_days"] is not None and values["leave_days"] < e.leave_days:
        _keeps_approved_leave(uow, e, values["leave_days"], chk)
    if values["start_date"] is not None and "end_date" not in chk.errors:
        _keeps_posted_pay(uow, e, values["start_date"], values["end_date"], chk)
    chk.done()
    before = _audited(e)
    for k, val in values.items():
        setattr(e, k, val)
    touch(uow, e)
    uow.audit(SOURCE, e.id, "update", before=before, after=_audited(e))
    return view_of(uow, e)


@requires("people.edit")
def end(uow: UnitOfWork, employee_id: int, when: object) -> EmployeeView:
    """The last day an employee works here."""
    e = load(uow, employee_id, lock=True)
    chk = v.Checker()
    day = chk("end_date", v.iso_date, when, required=True, local=uow.person_input)
    chk.done()
    if day < e.start_date:
        raise ValidationError(
            {
                "end_date": Message(
                    "{end} is before the start, {start}",
                    end=date_text(day),
                    start=date_text(e.start_date),
                )
            }
        )
    _keeps_posted_pay(uow, e, e.start_date, day, chk)
    chk.done()
    before = e.end_date
    e.end_date = day
    touch(uow, e)
    uow.audit(
        SOURCE,
        e.id,
        "end",
        before={"end": before.isoformat() if before else None},
        after={"end": day.isoformat()},
    )
    return view_of(uow, e)


# The employees' order: their contact's sort name, as an expression rather than the column, so
# the database starts from the few employees and sorts them, instead of walking the whole
# contact index in order (100,000 contacts) to find them.
SORT = Contact.sort_name.concat("")


def _base_query(include_ended: bool, on: date | None):  # noqa: ANN202
    # the last two columns: the sort value and the id (services/base/paging.py)
    stmt = (
        select(Employee, Contact, User.username, SORT, Employee.id)
        .join(Contact, Contact.id == Employee.contact_id)
        .outerjoin(User, User.id == Employee.user_id)
    )
    if not include_ended:
        today = on or date.today()
        stmt = stmt.where(or_(Employee.end_date.is_(None), Employee.end_date >= today))
    return stmt


@requires("people.view")
def page(uow: UnitOfWork, req: PageRequest, *, include_ended: bool = False) -> Page[EmployeeView]:
    """Employees by name, one page (those who left only with ``include_ended``)."""
    stmt = _base_query(include_ended, None)
    if req.search.strip():
        s = req.search.strip()
        stmt = stmt.where(
            or_(
                contains(uow, Contact.sort_name, v.sort_prefix(s)),
                contains(uow, Employee.job_title, s),
            )
        )
    return keyset_page(
        uow.session,
        stmt,
        SORT,
        Employee.id,
        req,
        lambda row: _view(uow, row[0], row[1], row[2]),
    )


@requires("people.view")
def list_employees(
    uow: UnitOfWork, *, include_ended: bool = False, limit: int = 500
) -> list[EmployeeView]:
    return page(uow, PageRequest(limit=limit), include_ended=include_ended).rows


def employed_in(uow: UnitOfWork, first: date, last: date) -> list[Employee]:
    """Employees employed on at least one day from ``first`` to ``last``, by id."""
    return list(
        uow.session.scalars(
            select(Employee)
            .where(
                Employee.start_date <= last,
                or_(Employee.end_date.is_(None), Employee.end_date >= first),
            )
            .order_by(Employee.id)
        )
    )
