"""Follow-up activities: what the nurturing sequences (services/crm/nurture.py) made for a
contact, listed by due date (mine or everyone's; open, due today, overdue, upcoming, done,
skipped), done (logged on the contact as an interaction), skipped or moved."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import ColumnElement, ScalarSelect, func, select

from bizdesk.db.session import UnitOfWork
from bizdesk.errors import Conflict, NotFound, ValidationError
from bizdesk.i18n import N_, Message
from bizdesk.models.contacts import Contact, Interaction
from bizdesk.models.nurture import FollowUp, NurtureSequence
from bizdesk.services.base import validate as v
from bizdesk.services.base.paging import Page, PageRequest, keyset_page
from bizdesk.services.base.permissions import requires
from bizdesk.services.base.records import check_version, touch
from bizdesk.services.base.usernames import unknown_user
from bizdesk.services.crm import contacts
from bizdesk.services.crm.nurture import shop_today

# A follow-up done is logged as an interaction of this kind (contacts' INTERACTION_KINDS).
INTERACTION_OF = {"call": "call", "email": "email", "meeting": "meeting", "task": "note"}
# The follow-up lists people choose between ("due" is everything open, soonest first).
VIEWS = ("due", "today", "overdue", "upcoming", "done", "skipped")
STATE_NAMES = {
    "open": N_("open"),
    "done": N_("done"),
    "skipped": N_("skipped"),
    "cancelled": N_("cancelled"),
}


@dataclass(frozen=True)
class FollowUpRow:
    id: int
    due: date
    kind: str
    text: str
    contact_id: int
    contact: str
    assignee: str
    state: str
    sequence: str


@dataclass(frozen=True)
class FollowUpView:
    id: int
    contact_id: int
    contact: str
    sequence_id: int | None
    sequence: str
    stage: str
    kind: str
    text: str
    due: date
    assignee: str
    state: str
    note: str
    interaction_id: int | None
    created_at: datetime
    updated_at: datetime
    updated_by: str
    version: int
    done_at: datetime | None = None  # when it was done: its interaction's moment


def _load(uow: UnitOfWork, follow_up_id: int) -> FollowUp:
    f = uow.session.get(FollowUp, follow_up_id)
    if f is None:
        raise NotFound(Message("There is no follow-up activity #{id}.", id=follow_up_id))
    return f


def _view(uow: UnitOfWork, f: FollowUp) -> FollowUpView:
    c = uow.session.get(Contact, f.contact_id)
    seq = uow.session.get(NurtureSequence, f.sequence_id) if f.sequence_id else None
    return FollowUpView(
        f.id,
        f.contact_id,
        c.name if c else "",
        f.sequence_id,
        seq.name if seq else "",
        f.stage,
        f.kind,
        f.text,
        f.due,
        f.assignee,
        f.state,
        f.note,
        f.interaction_id,
        f.created_at,
        f.updated_at,
        f.updated_by,
        f.version,
        done.at
        if f.interaction_id and (done := uow.session.get(Interaction, f.interaction_id))
        else None,
    )


@requires("followups.view")
def get(uow: UnitOfWork, follow_up_id: int) -> FollowUpView:
    return _view(uow, _load(uow, follow_up_id))


@requires("followups.view")
def list_page(uow: UnitOfWork, req: PageRequest, *, today: date | None = None) -> Page[FollowUpRow]:
    """The follow-up activities, by due date. Filters: ``view`` (VIEWS: "due" every open
    one, "today" due today, "overdue" open and past due, "upcoming" due after today, "done",
    "skipped"), ``who`` ("mine", the default; "all"; or a user's name), ``contact_id``; the
    ``/`` search finds the contacts as the contacts list does."""
    f = req.filters
    view = f.get("view") or "due"
    if view not in VIEWS:
        raise ValidationError({"view": v.must_be_one_of(VIEWS)})
    day = today or shop_today(uow)
    stmt = (
        select(
            FollowUp.id,
            FollowUp.due,
            FollowUp.kind,
            FollowUp.text,
            FollowUp.contact_id,
            Contact.name,
            FollowUp.assignee,
            FollowUp.state,
            NurtureSequence.name,
            FollowUp.due,
            FollowUp.id,
        )
        .select_from(FollowUp)
        .join(Contact, Contact.id == FollowUp.contact_id)
        .outerjoin(NurtureSequence, NurtureSequence.id == FollowUp.sequence_id)
    )
    if view in ("done", "skipped"):  # one state each: one index range, in due order
        stmt = stmt.where(FollowUp.state == view)
    else:
        stmt = stmt.where(FollowUp.state == "open")
        if view == "today":
            stmt = stmt.where(FollowUp.due == day)
        elif view == "overdue":
            stmt = stmt.where(FollowUp.due < day)
        elif view == "upcoming":
            stmt = stmt.where(FollowUp.due > day)
    who = f.get("who") or "mine"
    if who == "mine":
        stmt = stmt.where(FollowUp.assignee == uow.user)
    elif who != "all":
        # a name no user has is refused (it listed nothing, as if they had nothing to do);
        # one no longer active may still have follow-ups
        refused = unknown_user(uow.session, who)
        if refused is not None:
            raise ValidationError({"who": refused})
        stmt = stmt.where(FollowUp.assignee == who)
    if f.get("contact_id"):
        stmt = stmt.where(FollowUp.contact_id == int(f["contact_id"]))
    search = req.search.strip()
    if search:
        stmt = stmt.where(contacts.found_by_search(uow, search, FollowUp.contact_id))
    return keyset_page(
        uow.session,
        stmt,
        FollowUp.due,
        FollowUp.id,
        req,
        lambda r: FollowUpRow(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8] or ""),
    )


@requires("followups.view")
def for_contact(uow: UnitOfWork, contact_id: int, limit: int = 20) -> list[FollowUpRow]:
    """A contact's open follow-ups, soonest first (its page shows them)."""
    rows = uow.session.execute(
        select(FollowUp, NurtureSequence.name)
        .outerjoin(NurtureSequence, NurtureSequence.id == FollowUp.sequence_id)
        .where(FollowUp.contact_id == contact_id, FollowUp.state == "open")
        .order_by(FollowUp.due, FollowUp.id)
        .limit(limit)
    )
    return [
        FollowUpRow(f.id, f.due, f.kind, f.text, f.contact_id, "", f.assignee, f.state, n or "")
        for f, n in rows
    ]


@requires("followups.view")
def counts(uow: UnitOfWork, *, today: date | None = None) -> dict[str, int]:
    """The acting person's open follow-ups due today and overdue (Home shows them)."""
    day = today or shop_today(uow)
    mine = (FollowUp.assignee == uow.user, FollowUp.state == "open")

    def count(when: ColumnElement[bool]) -> ScalarSelect[int]:
        return select(func.count()).where(*mine, when).scalar_subquery()

    # Two counts over the index (assignee, state, due): a count reads no column, where one
    # pass adding up a CASE per row read the due date of each (4x slower on 66,000 rows).
    today_, overdue = uow.session.execute(
        select(count(FollowUp.due == day), count(FollowUp.due < day))
    ).one()
    return {"today": today_, "overdue": overdue}


def _open(uow: UnitOfWork, f: FollowUp, version: int | None) -> None:
    if version is not None:
        check_version(uow, f, version)
    if f.state != "open":
        raise Conflict(
            Message(
                "Follow-up #{id} is {state} already.",
                id=f.id,
                state=Message(STATE_NAMES.get(f.state, f.state)),
            )
        )


def _note(note: str) -> str:
    chk = v.Checker()
    clean = chk("note", v.text, note, max_len=2000, multiline=True)
    chk.done()
    return clean or ""


@requires("followups.do")
def complete(
    uow: UnitOfWork,
    follow_up_id: int,
    note: str = "",
    *,
    version: int | None = None,
    at: datetime | str | None = None,
) -> FollowUpView:
    """Mark it done: logged on the contact as an interaction (what to do, and the note),
    ``at`` when it was done (typed as the interaction's: contacts.log_interaction; None or
    empty: now)."""
    f = _load(uow, follow_up_id)
    _open(uow, f, version)
    clean = _note(note)
    summary = f.text if not clean else f"{f.text}\n{clean}"
    row = contacts.log_interaction(
        uow, f.contact_id, INTERACTION_OF.get(f.kind, "note"), summary[:5000], at
    )
    f.state, f.note, f.interaction_id = "done", clean, row.id
    touch(uow, f)
    uow.audit("follow_up", f.id, "done", after={"interaction": row.id})
    return _view(uow, f)


@requires("followups.do")
def skip(
    uow: UnitOfWork, follow_up_id: int, note: str = "", *, version: int | None = None
) -> FollowUpView:
    """Decide not to do it (the note says why, when given)."""
    f = _load(uow, follow_up_id)
    _open(uow, f, version)
    f.state, f.note = "skipped", _note(note)
    touch(uow, f)
    uow.audit("follow_up", f.id, "skip", after={"note": f.note})
    return _view(uow, f)


@requires("followups.do")
def reschedule(
    uow: UnitOfWork,
    follow_up_id: int,
    when: str | date,
    *,
    version: int | None = None,
    today: date | None = None,
) -> FollowUpView:
    """Move it to another day, typed as the person writes dates; never into the past."""
    f = _load(uow, follow_up_id)
    _open(uow, f, version)
    chk = v.Checker()
    day = chk("due", v.iso_date, when, required=True, local=uow.person_input)
    if day is not None and day < (today or shop_today(uow)):
        chk.add("due", Message("a follow-up cannot be moved into the past"))
    chk.done()
    before = f.due.isoformat()
    f.due = day
    touch(uow, f)
    uow.audit("follow_up", f.id, "move", before={"due": before}, after={"due": day.isoformat()})
    return _view(uow, f)
