"""E-mail consent per contact: opted in (when, how) or opted out (when, how). No row: the
contact never said, and receives no campaign. Every change is audited."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import and_, select

from bizdesk.db.session import UnitOfWork
from bizdesk.errors import NotFound
from bizdesk.formatting import day
from bizdesk.i18n import N_, Message
from bizdesk.models.base import utcnow
from bizdesk.models.contacts import Contact
from bizdesk.models.marketing import CONSENT_HOW, CONSENT_STATES, EmailConsent
from bizdesk.reading import quoted
from bizdesk.services.base import validate as v
from bizdesk.services.base.permissions import requires

# the words shown for a consent's state (stored: in, out)
STATE_WORDS = {"in": N_("opted in"), "out": N_("opted out")}
HOW_WORDS = {
    "form": N_("form"),
    "import": N_("import"),
    "web": N_("web"),
    "in person": N_("in person"),
    "phone": N_("phone"),
    "unsubscribe link": N_("unsubscribe link"),
    "by hand": N_("by hand"),
}


@dataclass(frozen=True)
class ConsentView:
    contact_id: int
    state: str  # in | out
    at: datetime
    how: str
    by: str


def opt_in_how(state: str | None, how: str | None) -> Message | None:
    """Why ``how`` cannot record ``state``, or None: an unsubscribe link only takes consent
    away, so an opt-in said to come from one is refused (never recorded as given)."""
    if state == "in" and how == "unsubscribe link":
        return Message("an unsubscribe link only records an opt-out: say how they opted in")
    return None


def _view(row: EmailConsent) -> ConsentView:
    return ConsentView(row.contact_id, row.state, row.at, row.how, row.by)


def consent_time(value: object, now: datetime | None = None) -> datetime | None:
    """When a consent was given, as a file writes it: an ISO date and time in UTC
    (``2026-11-30T09:15:00Z``; an offset is converted, no offset is read as UTC) or an ISO
    date alone (midnight UTC); empty: None. One in the future is refused."""
    s = v.text(value, max_len=40).strip()
    if not s:
        return None
    try:
        if len(s) < 10 or not s[:4].isdigit() or s[4] != "-":
            raise ValueError(s)
        at = datetime.fromisoformat(s)
    except ValueError:
        raise v.FieldError(
            Message(
                "{text} is not a date and time; write it as ISO, in UTC: {example}",
                text=quoted(s, 40),
                example="2026-11-30T09:15:00Z",
            )
        ) from None
    at = at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)
    if at > (now or utcnow()):
        raise v.FieldError(Message("a consent cannot be given in the future"))
    return at


def written_time(at: datetime) -> str:
    """A consent's time as a file carries it (what consent_time reads back)."""
    utc = at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)  # stored UTC
    return utc.replace(microsecond=0, tzinfo=None).isoformat() + "Z"


def consents_of(uow: UnitOfWork, contact_ids: list[int]) -> dict[int, ConsentView]:
    """The consents of these contacts (those that said), by contact id."""
    out: dict[int, ConsentView] = {}
    for i in range(0, len(contact_ids), 500):
        rows = uow.session.scalars(
            select(EmailConsent).where(EmailConsent.contact_id.in_(contact_ids[i : i + 500]))
        )
        out.update((r.contact_id, _view(r)) for r in rows)
    return out


def consenting():  # noqa: ANN201
    """The SQL condition on Contact: may receive a campaign (opted in, an address, active)."""
    return and_(
        Contact.email.is_not(None),
        Contact.email != "",
        Contact.archived.is_(False),
        Contact.id.in_(select(EmailConsent.contact_id).where(EmailConsent.state == "in")),
    )


@requires("consent.see")
def get_consent(uow: UnitOfWork, contact_id: int) -> ConsentView | None:
    """The contact's consent, or None when they never said."""
    if uow.session.get(Contact, contact_id) is None:
        raise NotFound(Message("There is no contact #{id}.", id=contact_id))
    row = uow.session.get(EmailConsent, contact_id)
    return _view(row) if row else None


@requires("consent.edit")
def set_consent(
    uow: UnitOfWork, contact_id: int, state: str, how: str, *, at: datetime | None = None
) -> ConsentView:
    """Record that the contact opted in or out (``how``: one of CONSENT_HOW)."""
    if uow.session.get(Contact, contact_id) is None:
        raise NotFound(Message("There is no contact #{id}.", id=contact_id))
    chk = v.Checker()
    state = chk("state", v.choice, state, CONSENT_STATES)
    how = chk("how", v.choice, how, CONSENT_HOW)
    if (problem := opt_in_how(state, how)) is not None:
        chk.add("how", problem)
    chk.done()
    return record(uow, contact_id, state, how, at=at)


def record(
    uow: UnitOfWork, contact_id: int, state: str, how: str, *, at: datetime | None = None
) -> ConsentView:
    """Write the consent (values checked, the permission by the caller), audited with what
    it was before."""
    row = uow.session.get(EmailConsent, contact_id)
    before = {"state": row.state, "at": row.at.isoformat(), "how": row.how} if row else None
    when = at or utcnow()
    if row is None:
        row = EmailConsent(contact_id=contact_id, state=state, at=when, how=how, by=uow.user)
        uow.session.add(row)
    else:
        row.state, row.at, row.how, row.by = state, when, how, uow.user
    uow.session.flush()
    uow.audit(
        "email_consent",
        contact_id,
        "opt_in" if state == "in" else "opt_out",
        before=before,
        after={"state": state, "at": when.isoformat(), "how": how},
    )
    return _view(row)


def in_words(view: ConsentView | None) -> Message:
    """A consent as people read it: "opted in on 01/03/2026 (form)", or "not asked"; a
    Message, translated by the door that shows it (``tr``), its date in the reader's form."""
    if view is None:
        return Message("not asked")
    return Message(
        "{state} on {date} ({how})",
        state=Message(STATE_WORDS[view.state]),
        date=day(view.at.date()),
        how=Message(HOW_WORDS[view.how]) if view.how in HOW_WORDS else view.how,
    )
