"""Leave: an employee asks (vacation, sick or unpaid days), the owner approves or refuses.
Days are working days (Monday to Friday less the public holidays of the shop's country,
services/people/days.py). Each employee has a
yearly entitlement of vacation days; the balance of a year is that entitlement less the
approved vacation days falling in the year. A request that overlaps another one still open
or approved, or falls outside the employment, is refused (and checked again when approved:
the employment may have changed); a vacation beyond the balance is refused when approved.
Unpaid leave lowers a monthly salary (services/people/payroll.py): none is asked for or
approved in a month whose payroll is posted, which paid the days in full."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from bizdesk.db.session import UnitOfWork
from bizdesk.errors import NotFound, ValidationError
from bizdesk.i18n import N_, Message, current_language
from bizdesk.models.contacts import Contact
from bizdesk.models.core import User
from bizdesk.models.people import Employee, LeaveRequest, LeaveState
from bizdesk.reading import date_text, month_text
from bizdesk.services.base import validate as v
from bizdesk.services.base.numbering import PAYROLL_RUN
from bizdesk.services.base.permissions import can, requires
from bizdesk.services.people.days import WorkCalendar, overlap, year_bounds
from bizdesk.services.people.employees import calendar, days_in_year, load, posted_runs

KINDS = ("vacation", "sick", "unpaid")
STATE_WORDS = {
    LeaveState.REQUESTED: N_("requested"),
    LeaveState.APPROVED: N_("approved"),
    LeaveState.REFUSED: N_("refused"),
    LeaveState.WITHDRAWN: N_("withdrawn"),
}
# the requests that hold their days: asked for, or approved
STANDING = (LeaveState.REQUESTED, LeaveState.APPROVED)
SOURCE = "leave_request"


@dataclass(frozen=True)
class LeaveView:
    id: int
    employee_id: int
    name: str
    kind: str
    start_date: date
    end_date: date
    days: int
    state: str
    note: str
    decided_by: str


@dataclass(frozen=True)
class Balance:
    employee_id: int
    name: str
    year: int
    entitlement: int
    taken: int  # approved vacation days in the year
    requested: int  # vacation days asked for, not yet decided
    sick: int
    unpaid: int

    @property
    def left(self) -> int:
        return self.entitlement - self.taken


def _view(r: LeaveRequest, name: str) -> LeaveView:
    return LeaveView(
        r.id,
        r.employee_id,
        name,
        r.kind,
        r.start_date,
        r.end_date,
        r.days,
        r.state,
        r.note,
        r.decided_by,
    )


def _name(uow: UnitOfWork, employee_id: int) -> str:
    e = load(uow, employee_id)
    return uow.session.get(Contact, e.contact_id).name


def _may_ask_for(uow: UnitOfWork, e: Employee) -> None:
    """An owner or accountant asks for anyone; the others for themselves only (the employee
    linked to their bizdesk user)."""
    if can(uow, "people.edit"):
        return
    me = uow.session.scalar(select(User.id).where(User.username == uow.user))
    if me is None or e.user_id != me:
        raise ValidationError(
            {
                "employee": Message(
                    "you may ask for leave for yourself only (your user is not linked to "
                    "this employee)"
                )
            }
        )


def _within(uow: UnitOfWork, e: Employee, kind: str, start: date, end: date) -> None:
    """Leave lies inside the employment; unpaid leave outside a month paid already."""
    if start < e.start_date:
        raise ValidationError(
            {
                "start_date": Message(
                    "{start} is before the employment began ({began})",
                    start=date_text(start),
                    began=date_text(e.start_date),
                )
            }
        )
    if e.end_date is not None and end > e.end_date:
        raise ValidationError(
            {
                "end_date": Message(
                    "{end} is after the employment ends ({ends})",
                    end=date_text(end),
                    ends=date_text(e.end_date),
                )
            }
        )
    paid = posted_runs(uow, start, end) if kind == "unpaid" else []
    if paid:
        run = paid[0]
        raise ValidationError(
            {
                "start_date": Message(
                    "the payroll of {month} is posted ({label}) and paid those days in "
                    "full; unpaid leave in {month} needs that run reversed first",
                    month=month_text(run.month),
                    label=PAYROLL_RUN.label(run.number),
                )
            }
        )


@requires("leave.request")
def request(
    uow: UnitOfWork,
    employee_id: int,
    kind: object,
    first: object,
    last: object = "",
    note: object = "",
) -> LeaveView:
    e = load(uow, employee_id, lock=True)
    _may_ask_for(uow, e)
    chk = v.Checker()
    k = str(kind or "").strip().lower()
    if k not in KINDS:
        chk.add("kind", v.must_be_one_of(KINDS))
    start = chk("start_date", v.iso_date, first, required=True, local=uow.person_input)
    end = chk("end_date", v.iso_date, last, local=uow.person_input) or start
    text = chk("note", v.text, note, max_len=200) or ""
    chk.done()
    if end < start:
        raise ValidationError(
            {
                "end_date": Message(
                    "{end} is before {start}", end=date_text(end), start=date_text(start)
                )
            }
        )
    _within(uow, e, k, start, end)
    days = calendar(uow).working_days(start, end)
    if days == 0:
        raise ValidationError(
            {
                "end_date": Message(
                    "no working day (Monday to Friday, not a public holiday) from {start} to {end}",
                    start=date_text(start),
                    end=date_text(end),
                )
            }
        )
    clash = uow.session.scalars(
        select(LeaveRequest).where(
            LeaveRequest.employee_id == e.id,
            LeaveRequest.state.in_(STANDING),
            LeaveRequest.start_date <= end,
            LeaveRequest.end_date >= start,
        )
    ).first()
    if clash is not None:
        raise ValidationError(
            {
                "start_date": Message(
                    "it overlaps leave #{id} from {start} to {end} ({state})",
                    id=clash.id,
                    start=date_text(clash.start_date),
                    end=date_text(clash.end_date),
                    state=Message(STATE_WORDS[clash.state]),
                )
            }
        )
    r = LeaveRequest(
        employee_id=e.id,
        kind=k,
        start_date=start,
        end_date=end,
        days=days,
        note=text,
        created_by=uow.user,
    )
    uow.session.add(r)
    uow.session.flush()
    uow.audit(
        SOURCE,
        r.id,
        "request",
        after={"employee": e.id, "kind": k, "start": start.isoformat(), "end": end.isoformat()},
    )
    return _view(r, _name(uow, e.id))


def _load(uow: UnitOfWork, leave_id: int) -> LeaveRequest:
    r = uow.session.get(LeaveRequest, leave_id, with_for_update=True)
    if r is None:
        raise NotFound(Message("There is no leave request #{id}.", id=leave_id))
    return r


def _undecided(r: LeaveRequest) -> None:
    if r.state != LeaveState.REQUESTED:
        raise ValidationError(
            {
                "": Message(
                    "leave #{id} is {state} already",
                    id=r.id,
                    state=Message(STATE_WORDS[r.state]),
                )
            }
        )


@requires("shop.edit")
def recount(uow: UnitOfWork, country: str, region: str) -> int:
    """The shop's country or region is changing to these: every request's days counted
    again on their public holidays, as its balance will be (a posted payroll keeps what it
    paid); returns how many requests changed, each audited with its old and new count."""
    cal = WorkCalendar(country, current_language(), region)
    changed = 0
    for r in uow.session.scalars(select(LeaveRequest).order_by(LeaveRequest.id)):
        days = cal.working_days(r.start_date, r.end_date)
        if days != r.days:
            uow.audit(SOURCE, r.id, "recount", before={"days": r.days}, after={"days": days})
            r.days = days
            changed += 1
    return changed


@requires("people.view")
def public_holidays(uow: UnitOfWork, year: int) -> tuple[WorkCalendar, list[tuple[date, str]]]:
    """The shop's calendar (its country and region: ``place``) and the public holidays
    there in ``year`` that fall on a working day (those leave does not count), by date."""
    cal = calendar(uow)
    named = cal.holidays(year)
    return cal, [(d, named[d]) for d in cal.days_off(*year_bounds(year))]


@requires("leave.approve")
def approve(uow: UnitOfWork, leave_id: int) -> LeaveView:
    """Approve: a vacation must fit in the balance of each year it falls in."""
    r = _load(uow, leave_id)
    _undecided(r)
    e = load(uow, r.employee_id)
    _within(uow, e, r.kind, r.start_date, r.end_date)
    if r.kind == "vacation":
        cal = calendar(uow)
        for year in range(r.start_date.year, r.end_date.year + 1):
            wanted = cal.working_days(*overlap(r.start_date, r.end_date, *year_bounds(year)))
            left = e.leave_days - days_in_year(uow, e.id, year, "vacation", LeaveState.APPROVED)
            if wanted > left:
                raise ValidationError(
                    {
                        "days": Message(
                            "{wanted} vacation days asked for in {year}, only {left} left of "
                            "{days}",
                            wanted=wanted,
                            year=year,
                            left=left,
                            days=e.leave_days,
                        )
                    }
                )
    r.state = LeaveState.APPROVED
    r.decided_by = uow.user
    uow.audit(SOURCE, r.id, "approve")
    return _view(r, _name(uow, r.employee_id))


@requires("leave.approve")
def refuse(uow: UnitOfWork, leave_id: int) -> LeaveView:
    r = _load(uow, leave_id)
    _undecided(r)
    r.state = LeaveState.REFUSED
    r.decided_by = uow.user
    uow.audit(SOURCE, r.id, "refuse")
    return _view(r, _name(uow, r.employee_id))


@requires("leave.approve")
def withdraw(uow: UnitOfWork, leave_id: int) -> LeaveView:
    """Call off leave asked for or approved (approved by mistake, or plans changed): its
    days are no longer taken or asked for, and the same days may be asked for again. A
    payroll already posted keeps what it paid; the next run counts without it."""
    r = _load(uow, leave_id)
    if r.state not in STANDING:
        raise ValidationError(
            {
                "": Message(
                    "leave #{id} is {state}; only leave asked for or approved is withdrawn",
                    id=r.id,
                    state=Message(STATE_WORDS[r.state]),
                )
            }
        )
    before = r.state
    r.state = LeaveState.WITHDRAWN
    r.decided_by = uow.user
    uow.audit(SOURCE, r.id, "withdraw", before={"state": before}, after={"state": r.state})
    return _view(r, _name(uow, r.employee_id))


@requires("people.view")
def balance(uow: UnitOfWork, employee_id: int, year: int) -> Balance:
    e = load(uow, employee_id)
    employed = e.start_date.year <= year and (e.end_date is None or year <= e.end_date.year)
    return Balance(
        e.id,
        _name(uow, e.id),
        year,
        e.leave_days if employed else 0,  # no days for a year before they came or after
        days_in_year(uow, e.id, year, "vacation", LeaveState.APPROVED),
        days_in_year(uow, e.id, year, "vacation", LeaveState.REQUESTED),
        days_in_year(uow, e.id, year, "sick", LeaveState.APPROVED),
        days_in_year(uow, e.id, year, "unpaid", LeaveState.APPROVED),
    )


@requires("people.view")
def list_leave(
    uow: UnitOfWork, *, employee_id: int | None = None, state: str | None = None, limit: int = 200
) -> list[LeaveView]:
    """Leave requests, newest first (one employee's, or those in one state)."""
    stmt = (
        select(LeaveRequest, Contact.name)
        .join(Employee, Employee.id == LeaveRequest.employee_id)
        .join(Contact, Contact.id == Employee.contact_id)
        .order_by(LeaveRequest.start_date.desc(), LeaveRequest.id.desc())
        .limit(limit)
    )
    if employee_id is not None:
        stmt = stmt.where(LeaveRequest.employee_id == employee_id)
    if state:
        stmt = stmt.where(LeaveRequest.state == state)
    return [_view(r, name) for r, name in uow.session.execute(stmt)]


def unpaid_days(uow: UnitOfWork, employee_id: int, first: date, last: date) -> int:
    """Approved unpaid working days from ``first`` to ``last`` (a public holiday inside
    unpaid leave is not unpaid: it is no working day)."""
    total = 0
    cal = calendar(uow)
    for r in uow.session.scalars(
        select(LeaveRequest).where(
            LeaveRequest.employee_id == employee_id,
            LeaveRequest.kind == "unpaid",
            LeaveRequest.state == LeaveState.APPROVED,
            LeaveRequest.start_date <= last,
            LeaveRequest.end_date >= first,
        )
    ):
        total += cal.working_days(*overlap(r.start_date, r.end_date, first, last))
    return total
