"""Lead nurturing: sequences of follow-up activities made when a contact enters a stage.

A sequence names a contact stage (lead, prospect, customer...) and ordered steps: a day
offset from entering the stage, an activity kind and what to do. Every path that sets a
contact's stage goes through services/crm/contacts (the form, the CLI, an import's updates,
a merge, a counter sale's new customer); it calls ``stage_entered`` here, and a bulk import's
new contacts call ``entered_in_bulk``. So:

- entering a stage makes the follow-up activities of each active sequence of that stage, for
  the contact's owner (the user who made the change when it has none), due on the shop's
  business dates: the day of entry (in the shop's time zone, its business hours' setting)
  plus the step's days, moved forward to the next working day when it falls on a day off;
- a contact that enters the stage again while a sequence's activities for it are still
  open does not get that sequence's activities twice;
- leaving the stage CANCELS the open activities that entering it made (a careful CRM: a
  lead who became a customer is not called as a lead any more); done and skipped ones stay.
  Archiving a contact cancels its open activities too; deleting one deletes them.

A follow-up done is logged on the contact as an interaction (what the contact page shows).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import and_, case, func, insert, literal, select, update

from bizdesk.db.session import UnitOfWork
from bizdesk.errors import NotFound
from bizdesk.i18n import N_, Message, _
from bizdesk.models.base import utcnow
from bizdesk.models.contacts import Contact
from bizdesk.models.nurture import ACTIVITY_KINDS, FollowUp, NurtureSequence, NurtureStep
from bizdesk.reading import is_digits, quoted
from bizdesk.services.base import validate as v
from bizdesk.services.base.paging import (
    Page,
    PageRequest,
    keyset_page,
    same_name,
)
from bizdesk.services.base.permissions import requires
from bizdesk.services.base.records import check_version, touch
from bizdesk.services.crm.business_hours import BusinessHours
from bizdesk.words import CONTACT_STAGE_NAMES

MAX_STEPS = 50
MAX_DAYS = 3650  # ten years after entering the stage: more is a typing mistake
# The activity kinds as people read (and may type) them.
KIND_NAMES = {
    "call": N_("call"),
    "email": N_("email"),
    "meeting": N_("meeting"),
    "task": N_("task"),
}


# --- dates ---------------------------------------------------------------------------------


def shop_hours(uow: UnitOfWork) -> BusinessHours:
    return BusinessHours.from_json(uow.setting("business_hours"))


def shop_today(uow: UnitOfWork, now: datetime | None = None) -> date:
    """Today in the shop's time zone (its business hours' setting)."""
    hours = shop_hours(uow)
    return (now or utcnow()).astimezone(hours.tz).date()


def due_date(entered: date, days: int, hours: BusinessHours) -> date:
    """The day a step falls due: ``days`` after ``entered``, on the next working day of the
    shop when that is a day off."""
    day = entered + timedelta(days=days)
    for _i in range(7):
        if day.weekday() in hours.days:
            return day
        day += timedelta(days=1)
    return day  # (a shop always has a working day: BusinessHours.parse refuses none)


# --- sequences -----------------------------------------------------------------------------


@dataclass
class StepInput:
    """One step as typed: the days after entering the stage, the kind, what to do."""

    day: str = "0"
    activity: str = "call"
    text: str = ""


@dataclass
class SequenceInput:
    name: str = ""
    stage: str = "lead"
    active: bool = True
    steps: list[StepInput] = field(default_factory=list)


@dataclass(frozen=True)
class StepView:
    position: int
    day: int
    activity: str
    text: str


@dataclass(frozen=True)
class SequenceView:
    id: int
    name: str
    stage: str
    active: bool
    steps: list[StepView]
    open_follow_ups: int
    updated_at: datetime
    updated_by: str
    version: int

    def as_input(self) -> SequenceInput:
        return SequenceInput(
            self.name,
            self.stage,
            self.active,
            [StepInput(str(s.day), s.activity, s.text) for s in self.steps],
        )


@dataclass(frozen=True)
class SequenceRow:
    id: int
    name: str
    stage: str
    active: bool
    steps: int


def _load_sequence(uow: UnitOfWork, sequence_id: int) -> NurtureSequence:
    seq = uow.session.get(NurtureSequence, sequence_id)
    if seq is None:
        raise NotFound(Message("There is no nurturing sequence #{id}.", id=sequence_id))
    return seq


def _steps(uow: UnitOfWork, sequence_id: int) -> list[NurtureStep]:
    return list(
        uow.session.scalars(
            select(NurtureStep)
            .where(NurtureStep.sequence_id == sequence_id)
            .order_by(NurtureStep.position)
        )
    )


def _seq_view(uow: UnitOfWork, seq: NurtureSequence) -> SequenceView:
    n = uow.session.scalar(
        select(func.count())
        .select_from(FollowUp)
        .where(FollowUp.sequence_id == seq.id, FollowUp.state == "open")
    )
    return SequenceView(
        seq.id,
        seq.name,
        seq.stage,
        seq.active,
        [StepView(s.position, s.day_offset, s.kind, s.text) for s in _steps(uow, seq.id)],
        int(n or 0),
        seq.updated_at,
        seq.updated_by,
        seq.version,
    )


@requires("nurture.view")
def get_sequence(uow: UnitOfWork, sequence_id: int) -> SequenceView:
    return _seq_view(uow, _load_sequence(uow, sequence_id))


@requires("nurture.view")
def find_sequence(uow: UnitOfWork, text: str) -> SequenceView:
    """A sequence by its number (#3 or 3) or its name, as typed on the command line."""
    s = str(text or "").strip()
    if is_digits(s.lstrip("#")):
        return _seq_view(uow, _load_sequence(uow, int(s.lstrip("#"))))
    seq = uow.session.scalars(
        select(NurtureSequence).where(same_name(NurtureSequence.name, s))
    ).first()
    if seq is None:
        raise NotFound(Message("There is no nurturing sequence named {name}.", name=quoted(s, 60)))
    return _seq_view(uow, seq)


SEQUENCE_SORTS = {"name": NurtureSequence.name, "stage": NurtureSequence.stage}


@requires("nurture.view")
def sequences_page(uow: UnitOfWork, req: PageRequest) -> Page[SequenceRow]:
    """The sequences. Filters: stage; active (True/False)."""
    sort_col = SEQUENCE_SORTS.get(req.sort or "name", NurtureSequence.name)
    steps = (
        select(func.count())
        .select_from(NurtureStep)
        .where(NurtureStep.sequence_id == NurtureSequence.id)
        .scalar_subquery()
    )
    stmt = select(
        NurtureSequence.id,
        NurtureSequence.name,
        NurtureSequence.stage,
        NurtureSequence.active,
        steps,
        sort_col,
        NurtureSequence.id,
    )
    f = req.filters
    if f.get("stage"):
        stmt = stmt.where(NurtureSequence.stage == f["stage"])
    if f.get("active") is not None:
        stmt = stmt.where(NurtureSequence.active.is_(bool(f["active"])))
    if req.search.strip():
        stmt = stmt.where(func.lower(NurtureSequence.name).contains(req.search.strip().casefold()))
    return keyset_page(
        uow.session,
        stmt,
        sort_col,
        NurtureSequence.id,
        req,
        lambda r: SequenceRow(r[0], r[1], r[2], bool(r[3]), int(r[4] or 0)),
    )


def read_activity(value: object) -> str:
    """An activity kind as typed: the stored word (call, email, meeting, task) or the word
    the person's language shows for it."""
    s = v.text(value, max_len=40).casefold()
    if not s:
        raise v.FieldError(Message("required"))
    for kind, label in KIND_NAMES.items():
        if s in (kind, _(label).casefold()):
            return kind
    raise v.FieldError(
        Message(
            "must be one of: {options}",
            options=", ".join(
                dict.fromkeys([*ACTIVITY_KINDS, *(_(n) for n in KIND_NAMES.values())])
            ),
        )
    )


def split_step(text: str) -> tuple[str, str, str] | None:
    """A step typed on one line, "3 email Send the catalogue", as (days, activity, what to
    do); the activity may be two words in the reader's language ("0 cuộc gọi Gọi chào
    mừng"), what to do is kept as typed. None when the line lacks one of the three."""
    parts = text.split(maxsplit=1)
    if len(parts) < 2:
        return None
    days, rest = parts
    words = {w for kind, label in KIND_NAMES.items() for w in (kind, _(label))}
    for word in sorted(words, key=lambda w: -len(w.split())):  # the longest first
        n = len(word.split())
        pieces = rest.split(maxsplit=n)
        if len(pieces) > n and " ".join(pieces[:n]).casefold() == " ".join(word.split()).casefold():
            return days, " ".join(pieces[:n]), pieces[n]
    pieces = rest.split(maxsplit=1)
    return (days, pieces[0], pieces[1]) if len(pieces) == 2 else None


def read_days(value: object) -> int:
    s = v.text(value, max_len=10)
    if not s:
        raise v.FieldError(Message("required"))
    if not is_digits(s):
        raise v.FieldError(
            Message("{text} is not a number of days (0 to {max})", text=quoted(s, 60), max=MAX_DAYS)
        )
    n = int(s)
    if n > MAX_DAYS:
        raise v.FieldError(Message("at most {max} days", max=MAX_DAYS))
    return n


def _clean_sequence(
    uow: UnitOfWork, data: SequenceInput, self_id: int | None = None
) -> tuple[dict, list[tuple[int, str, str]]]:
    chk = v.Checker()
    name = chk("name", v.text, data.name, required=True, max_len=80)
    # the stored word, or as the reader's language shows it
    stage = chk("stage", v.word, data.stage, CONTACT_STAGE_NAMES)
    if name:
        clash = uow.session.scalars(
            select(NurtureSequence.id).where(
                same_name(NurtureSequence.name, name),
                NurtureSequence.id != (self_id or 0),
            )
        ).first()
        if clash is not None:
            chk.add("name", Message("another sequence (#{id}) has this name", id=clash))
    rows = [
        s
        for s in data.steps
        if str(s.day or "").strip() or str(s.text or "").strip() or str(s.activity or "").strip()
    ]
    if not rows:
        chk.add("", Message("write at least one step"))
    if len(rows) > MAX_STEPS:
        chk.add("", Message("at most {max} steps", max=MAX_STEPS))
    steps = []
    for i, s in enumerate(rows, start=1):
        day = chk(f"line {i} day", read_days, s.day)
        kind = chk(f"line {i} activity", read_activity, s.activity)
        text = chk(f"line {i} what to do", v.text, s.text, required=True, max_len=500)
        steps.append((day, kind, text))
    chk.done()
    return {"name": name, "stage": stage, "active": bool(data.active)}, steps


def _snapshot(seq: NurtureSequence, steps: list[tuple[int, str, str]]) -> dict:
    return {
        "name": seq.name,
        "stage": seq.stage,
        "active": seq.active,
        "steps": [list(s) for s in steps],
    }


def _write_steps(uow: UnitOfWork, seq_id: int, steps: list[tuple[int, str, str]]) -> None:
    for old in _steps(uow, seq_id):
        uow.session.delete(old)
    uow.session.flush()
    for pos, (day, kind, text) in enumerate(steps, start=1):
        uow.session.add(
            NurtureStep(sequence_id=seq_id, position=pos, day_offset=day, kind=kind, text=text)
        )
    uow.session.flush()


@requires("nurture.config")
def create_sequence(uow: UnitOfWork, data: SequenceInput) -> SequenceView:
    """A new sequence. It works on contacts entering its stage from now on (the contacts
    already in the stage are not given its activities)."""
    clean, steps = _clean_sequence(uow, data)
    seq = NurtureSequence(**clean, updated_by=uow.user)
    uow.session.add(seq)
    uow.session.flush()
    _write_steps(uow, seq.id, steps)
    uow.audit("nurture_sequence", seq.id, "create", after=_snapshot(seq, steps))
    return _seq_view(uow, seq)


@requires("nurture.config")
def update_sequence(
    uow: UnitOfWork, sequence_id: int, data: SequenceInput, *, version: int
) -> SequenceView:
    """Change a sequence as it was seen (``version``). The activities it made already stay
    as they were made; the new steps apply to the contacts entering the stage from now."""
    seq = _load_sequence(uow, sequence_id)
    check_version(uow, seq, version)
    clean, steps = _clean_sequence(uow, data, self_id=seq.id)
    before = _snapshot(seq, [(s.day_offset, s.kind, s.text) for s in _steps(uow, seq.id)])
    for k, val in clean.items():
        setattr(seq, k, val)
    touch(uow, seq)
    _write_steps(uow, seq.id, steps)
    uow.audit("nurture_sequence", seq.id, "update", before=before, after=_snapshot(seq, steps))
    return _seq_view(uow, seq)


@requires("nurture.config")
def add_step(
    uow: UnitOfWork, sequence_id: int, step: StepInput, *, version: int | None = None
) -> SequenceView:
    """One more step at the end of a sequence (the command line's add-step)."""
    seq = _load_sequence(uow, sequence_id)
    if version is not None:
        check_version(uow, seq, version)
    data = _seq_view(uow, seq).as_input()
    data.steps.append(step)
    return update_sequence(uow, seq.id, data, version=seq.version)


@requires("nurture.config")
def set_active(uow: UnitOfWork, sequence_id: int, active: bool) -> SequenceView:
    """Switch a sequence on or off (off: no new activities; the open ones stay)."""
    seq = _load_sequence(uow, sequence_id)
    if seq.active != active:
        seq.active = active
        touch(uow, seq)
        uow.audit("nurture_sequence", seq.id, "activate" if active else "deactivate")
    return _seq_view(uow, seq)


# --- what contacts trigger (called inside the contact service's own entry points) ---------


def stage_entered(uow: UnitOfWork, contact: Contact, left: str | None) -> int:
    """``contact`` now stands in its stage, having left ``left`` (None: just created).
    Cancels what the stage left made, then starts the sequences of the new stage. Returns
    the number of follow-up activities made."""
    if left == contact.stage:
        return 0
    if left is not None:
        cancel_open(uow, contact.id, stage=left)
    return _start(uow, contact)


@requires("nurture.config")
def start_sequences(uow: UnitOfWork, contact_id: int, *, entered: date | None = None) -> int:
    """Put a contact into the active sequences of the stage it stands in, as if it had
    entered it on ``entered`` (default today): for a contact that was in the stage before
    its sequence existed (the demo shop does so). Never twice while open, as on entry."""
    contact = uow.session.get(Contact, contact_id)
    if contact is None:
        raise NotFound(Message("There is no contact #{id}.", id=contact_id))
    return _start(uow, contact, entered)


def _start(uow: UnitOfWork, contact: Contact, entered: date | None = None) -> int:
    if contact.archived:
        return 0
    seqs = list(
        uow.session.scalars(
            select(NurtureSequence)
            .where(NurtureSequence.stage == contact.stage, NurtureSequence.active.is_(True))
            .order_by(NurtureSequence.id)
        )
    )
    if not seqs:
        return 0
    hours = shop_hours(uow)
    today = entered or shop_today(uow)
    who = contact.owner or uow.user
    made = 0
    for seq in seqs:
        still_open = uow.session.scalar(
            select(FollowUp.id)
            .where(
                FollowUp.sequence_id == seq.id,
                FollowUp.contact_id == contact.id,
                FollowUp.state == "open",
            )
            .limit(1)
        )
        if still_open is not None:
            continue  # entered again while its activities are open: not twice
        steps = _steps(uow, seq.id)
        for s in steps:
            uow.session.add(
                FollowUp(
                    contact_id=contact.id,
                    sequence_id=seq.id,
                    stage=seq.stage,
                    kind=s.kind,
                    text=s.text,
                    due=due_date(today, s.day_offset, hours),
                    assignee=who,
                    updated_by=uow.user,
                )
            )
        made += len(steps)
        uow.audit(
            "follow_up",
            None,
            "start",
            after={
                "contact": contact.id,
                "sequence": seq.id,
                "stage": seq.stage,
                "follow_ups": len(steps),
                "for": who,
            },
        )
    uow.session.flush()
    return made


def entered_in_bulk(uow: UnitOfWork, first_id: int, last_id: int) -> int:
    """Start the sequences for contacts ``first_id``..``last_id``, just created together (an
    import): one INSERT ... SELECT per step, in the caller's transaction."""
    seqs = list(
        uow.session.scalars(select(NurtureSequence).where(NurtureSequence.active.is_(True)))
    )
    if not seqs or last_id < first_id:
        return 0
    hours = shop_hours(uow)
    today = shop_today(uow)
    now = utcnow()
    cols = (
        "contact_id",
        "sequence_id",
        "stage",
        "kind",
        "text",
        "due",
        "assignee",
        "state",
        "note",
        "created_at",
        "updated_at",
        "updated_by",
        "version",
    )
    made = 0
    for seq in seqs:
        for s in _steps(uow, seq.id):
            who = case(
                (and_(Contact.owner.is_not(None), Contact.owner != ""), Contact.owner),
                else_=literal(uow.user),
            )
            source = select(
                Contact.id,
                literal(seq.id),
                literal(seq.stage),
                literal(s.kind),
                literal(s.text),
                literal(due_date(today, s.day_offset, hours)),
                who,
                literal("open"),
                literal(""),
                literal(now, FollowUp.__table__.c.created_at.type),
                literal(now, FollowUp.__table__.c.updated_at.type),
                literal(uow.user),
                literal(1),
            ).where(
                Contact.id.between(first_id, last_id),
                Contact.stage == seq.stage,
                Contact.archived.is_(False),
            )
            made += (
                uow.session.execute(
                    insert(FollowUp.__table__).from_select(list(cols), source)
                ).rowcount
                or 0
            )
    if made:
        uow.audit("follow_up", None, "import", after={"follow_ups": made})
    return made


def cancel_open(uow: UnitOfWork, contact_id: int, *, stage: str | None = None) -> int:
    """Cancel a contact's open follow-ups (those that entering ``stage`` made, or all)."""
    cond = [FollowUp.contact_id == contact_id, FollowUp.state == "open"]
    if stage is not None:
        cond.append(FollowUp.stage == stage)
    n = (
        uow.session.execute(
            update(FollowUp)
            .where(*cond)
            .values(
                state="cancelled",
                updated_at=utcnow(),
                updated_by=uow.user,
                version=FollowUp.version + 1,
            )
            .execution_options(synchronize_session=False)
        ).rowcount
        or 0
    )
    if n:
        uow.audit(
            "follow_up", None, "cancel", after={"contact": contact_id, "n": n, "stage": stage}
        )
    return n


def before_merge(uow: UnitOfWork, keep_id: int, drop_id: int) -> None:
    """Before the merged contact's follow-ups move onto the kept one: cancel those of a
    sequence the kept contact already has open (the merge must not double them)."""
    kept = select(FollowUp.sequence_id).where(
        FollowUp.contact_id == keep_id, FollowUp.state == "open", FollowUp.sequence_id.is_not(None)
    )
    n = uow.session.execute(
        update(FollowUp)
        .where(
            FollowUp.contact_id == drop_id,
            FollowUp.state == "open",
            FollowUp.sequence_id.in_(kept),
        )
        .values(state="cancelled", updated_at=utcnow(), updated_by=uow.user)
        .execution_options(synchronize_session=False)
    ).rowcount
    if n:  # (every write says so in the trail: Home counts follow-ups by their events)
        uow.audit("follow_up", None, "cancel", after={"contact": drop_id, "n": n, "merged": True})


def after_merge(uow: UnitOfWork, keep: Contact, left: str) -> None:
    """The merged contact's follow-ups are on the kept one now: those made by a stage other
    than the one it stands in are cancelled, and a stage it entered by the merge starts."""
    n = uow.session.execute(
        update(FollowUp)
        .where(
            FollowUp.contact_id == keep.id,
            FollowUp.state == "open",
            FollowUp.sequence_id.is_not(None),
            FollowUp.stage != keep.stage,
        )
        .values(state="cancelled", updated_at=utcnow(), updated_by=uow.user)
        .execution_options(synchronize_session=False)
    ).rowcount
    if n:
        uow.audit("follow_up", None, "cancel", after={"contact": keep.id, "n": n, "merged": True})
    if left != keep.stage:
        _start(uow, keep)


def on_delete(uow: UnitOfWork, contact_id: int) -> None:
    """A contact deleted (nothing else refers to it): its follow-ups go with it."""
    n = uow.session.execute(
        FollowUp.__table__.delete().where(FollowUp.__table__.c.contact_id == contact_id)
    ).rowcount
    if n:
        uow.audit("follow_up", None, "delete", after={"contact": contact_id, "n": n})
