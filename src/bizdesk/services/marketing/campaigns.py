"""Campaigns: a message with merge fields, e-mailed to a saved segment's consenting contacts
through the shop's outbox (services/mail/outbox.py: the one sending path).

Queuing writes, in one transaction, one recipient per (campaign, contact) (a unique key) and
its message in the outbox, so queuing again, or after a crash, adds nobody twice; sending
then delivers the queued messages, each claimed first, never twice (the outbox says how).
Each recipient has an unguessable token: the unsubscribe link in the message's body and its
``List-Unsubscribe`` header (RFC 8058) carry it; ``unsubscribe(token)`` records the opt-out.

The link points where the shop's setting ``marketing.unsubscribe_url`` says (an https URL
holding ``{token}``, served by the shop's own web site, which then runs
``bizdesk unsubscribe TOKEN``), with ``List-Unsubscribe-Post: List-Unsubscribe=One-Click``;
a shop with no web endpoint gets a ``mailto:`` link to its sender address, the token in the
subject (no one-click header then: RFC 8058 asks for an https link for that), and whoever
reads that mailbox runs ``bizdesk unsubscribe TOKEN``.

Sales and deals of a recipient within ``attribution_days`` after the campaign was queued are
attributed to it (dated on or after its day, and entered after it was queued), unless a
later campaign reached them first (the last campaign before a sale takes it: one sale is
counted once).
"""

from __future__ import annotations

import json
import re
import secrets
import string
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from urllib.parse import quote, unquote

from sqlalchemy import case, func, select

from bizdesk.db import Store
from bizdesk.db.session import UnitOfWork
from bizdesk.errors import Conflict, NotFound, ValidationError
from bizdesk.i18n import N_, Message, written
from bizdesk.models.base import utcnow
from bizdesk.models.contacts import Contact
from bizdesk.models.core import Setting
from bizdesk.models.deals import Deal
from bizdesk.models.mail import OutboxMessage
from bizdesk.models.marketing import Campaign, CampaignRecipient, EmailConsent, Segment
from bizdesk.models.sales import Invoice, SalesOrder
from bizdesk.money import from_minor
from bizdesk.reading import is_digits, quoted
from bizdesk.services.base import validate as v
from bizdesk.services.base.paging import Page, PageRequest, keyset_page
from bizdesk.services.base.permissions import can, covered, require_store, requires
from bizdesk.services.base.records import check_version, touch
from bizdesk.services.crm import contacts
from bizdesk.services.mail import outbox, transport
from bizdesk.services.mail.settings import read_settings
from bizdesk.services.marketing.consent import consenting, record
from bizdesk.services.marketing.segments import condition, find_segment

MERGE_FIELDS = (
    "name",
    "first_name",
    "last_name",
    "organization",
    "city",
    "country",
    "email",
    "unsubscribe_url",
)
URL_SETTING = "marketing.unsubscribe_url"
DEFAULT_DAYS = 30
# why a segment member is left out (stored nowhere: worked out each time)
NO_EMAIL, OPTED_OUT, NOT_ASKED = "no e-mail address", "opted out", "never opted in"
NO_CONSENT = "no consent"  # the last two, to a role that does not see consent
REASON_WORDS = {
    NO_EMAIL: N_("no e-mail address"),
    OPTED_OUT: N_("opted out"),
    NOT_ASKED: N_("never opted in"),
    NO_CONSENT: N_("no consent to e-mail"),
}
# draft and queued are stored; sent is read: queued, and no message of it waits any more
# (each is sent or cancelled; a failed one is queued again and an unsure one waits for a
# person, so the campaign is not sent while it has one)
STATE_WORDS = {"draft": N_("draft"), "queued": N_("queued"), "sent": N_("sent")}
WAITING = ("queued", "sending", "unsure")


def _state():  # noqa: ANN202
    """A campaign's state as people read it (STATE_WORDS), in SQL over Campaign."""
    waits = (
        select(CampaignRecipient.id)
        .join(OutboxMessage, OutboxMessage.id == CampaignRecipient.outbox_id)
        .where(CampaignRecipient.campaign_id == Campaign.id, OutboxMessage.state.in_(WAITING))
        .exists()
    )
    return case((Campaign.state == "draft", "draft"), (waits, "queued"), else_="sent")


# a recipient's result, in words (the state worked out from its message and what followed)
RESULT_WORDS = {
    "queued": N_("queued"),
    "sending": N_("sending"),
    "sent": N_("sent"),
    "failed": N_("failed, retrying"),  # a try failed; the outbox tries again until cancelled
    "unsure": N_("unsure"),
    "cancelled": N_("cancelled"),
    "unsubscribed": N_("unsubscribed"),
    "replied": N_("replied"),
}
FOOTER = N_("You receive this e-mail because you agreed to hear from us. To stop: {link}")


@dataclass
class CampaignInput:
    name: str = ""
    segment: str = ""  # a segment's name, or #id
    subject: str = ""
    body: str = ""
    attribution_days: str = str(DEFAULT_DAYS)


@dataclass(frozen=True)
class CampaignView:
    id: int
    name: str
    segment_id: int
    segment: str
    subject: str
    body: str
    attribution_days: int
    state: str  # a key of STATE_WORDS
    queued_at: datetime | None
    created_at: datetime
    updated_by: str
    version: int

    def as_input(self) -> CampaignInput:
        return CampaignInput(
            self.name, self.segment, self.subject, self.body, str(self.attribution_days)
        )


@dataclass(frozen=True)
class CampaignRow:
    id: int
    name: str
    segment: str
    state: str
    queued_at: datetime | None
    recipients: int


@dataclass(frozen=True)
class RecipientRow:
    contact_id: int
    name: str
    email: str
    result: str  # a key of RESULT_WORDS

    @property
    def id(self) -> int:  # a list's row key
        return self.contact_id


@dataclass(frozen=True)
class LeftOut:
    counts: dict[str, int]  # reason -> how many
    rows: list[tuple[int, str, str]]  # (contact id, name, reason), at most the limit asked


@dataclass(frozen=True)
class Results:
    recipients: int
    by_result: dict[str, int]
    attribution_days: int
    window_start: datetime | None
    window_end: datetime | None
    deals: int
    deals_amount: Decimal
    orders: int
    orders_amount: Decimal
    invoices: int
    invoices_amount: Decimal


@dataclass
class Queued:
    queued: int = 0  # recipients added by this run
    already: int = 0  # queued before (never twice)
    left_out: dict[str, int] = field(default_factory=dict)


@dataclass
class Sent:
    queued: Queued
    delivery: outbox.Delivery


def _view(uow: UnitOfWork, c: Campaign) -> CampaignView:
    seg = uow.session.get(Segment, c.segment_id)
    state = uow.session.scalar(select(_state()).where(Campaign.id == c.id))
    return CampaignView(
        c.id,
        c.name,
        c.segment_id,
        seg.name if seg else "",
        c.subject,
        c.body,
        c.attribution_days,
        state,
        c.queued_at,
        c.created_at,
        c.updated_by,
        c.version,
    )


def _load(uow: UnitOfWork, campaign_id: int) -> Campaign:
    row = uow.session.get(Campaign, campaign_id)
    if row is None:
        raise NotFound(Message("There is no campaign #{id}.", id=campaign_id))
    return row


# --- merge fields ------------------------------------------------------------------------


def merge_problem(text: str) -> Message | None:
    """Why ``text`` is not a valid message with merge fields, or None."""
    fields = ", ".join("{" + f + "}" for f in MERGE_FIELDS)
    try:
        parsed = list(string.Formatter().parse(text))
    except ValueError:
        return Message(
            "a brace is not closed: a merge field is written like {example}; the fields are: "
            "{fields}",
            example="{name}",
            fields=fields,
        )
    for _literal, name, spec, conversion in parsed:
        if name is None:
            continue
        if name not in MERGE_FIELDS or spec or conversion:
            shown = "{" + name + (f"!{conversion}" if conversion else "")
            shown += (f":{spec}" if spec else "") + "}"
            return Message(
                "{field} is not a merge field; the fields are: {fields}",
                field=shown,
                fields=fields,
            )
    return None


def _merge_values(uow: UnitOfWork, c: Contact, link: str) -> dict[str, str]:
    org = uow.session.get(Contact, c.organization_id) if c.organization_id else None
    first, _, last = c.name.partition(" ") if c.kind == "person" else (c.name, "", "")
    return {
        "name": c.name,
        "first_name": first,
        "last_name": last,
        "organization": org.name if org else (c.name if c.kind == "organization" else ""),
        "city": c.city,
        "country": c.country,
        "email": c.email or "",
        "unsubscribe_url": link,
    }


# --- the campaign itself -----------------------------------------------------------------


def _clean(uow: UnitOfWork, data: CampaignInput, self_id: int | None = None) -> dict:
    chk = v.Checker()
    name = chk("name", v.text, data.name, required=True, max_len=80)
    seg_text = chk("segment", v.text, data.segment, required=True, max_len=80)
    subject = chk("subject", v.text, data.subject, required=True, max_len=300)
    body = chk("body", v.text, data.body, required=True, max_len=20_000, multiline=True)
    days_text = chk("attribution_days", v.text, data.attribution_days, max_len=10)
    segment = None
    if seg_text:
        if seg_text.startswith("#") and is_digits(seg_text[1:]):
            segment = uow.session.get(Segment, int(seg_text[1:]))
            if segment is None:
                chk.add(
                    "segment",
                    Message("there is no segment named {name}", name=quoted(seg_text, 60)),
                )
        else:  # by name as everywhere: in any case when only one is so named
            try:
                segment = uow.session.get(Segment, find_segment(uow, seg_text).id)
            except NotFound as exc:
                chk.add("segment", exc.message)
    for key, text in (("subject", subject), ("body", body)):
        if text:
            problem = merge_problem(text)
            if problem:
                chk.add(key, problem)
    days = DEFAULT_DAYS
    if days_text:
        if not is_digits(days_text) or not 0 <= int(days_text) <= 366:
            chk.add("attribution_days", Message("a whole number of days from 0 to 366"))
        else:
            days = int(days_text)
    if name and "name" not in chk.errors:
        q = select(Campaign.id).where(Campaign.name == name)
        if self_id is not None:
            q = q.where(Campaign.id != self_id)
        if uow.session.scalars(q).first() is not None:
            chk.add("name", Message("a campaign named {name} exists", name=quoted(name, 60)))
    chk.done()
    return {
        "name": name,
        "segment_id": segment.id,
        "subject": subject,
        "body": body,
        "attribution_days": days,
    }


@requires("campaigns.edit")
def create_campaign(uow: UnitOfWork, data: CampaignInput) -> CampaignView:
    values = _clean(uow, data)
    row = Campaign(**values, updated_by=uow.user)
    uow.session.add(row)
    uow.session.flush()
    uow.audit("campaign", row.id, "create", after=values)
    return _view(uow, row)


@requires("campaigns.edit")
def update_campaign(
    uow: UnitOfWork, campaign_id: int, data: CampaignInput, *, version: int
) -> CampaignView:
    row = _load(uow, campaign_id)
    check_version(uow, row, version)
    _draft_only(row)
    values = _clean(uow, data, self_id=row.id)
    before = {k: getattr(row, k) for k in values}
    for k, value in values.items():
        setattr(row, k, value)
    touch(uow, row)
    uow.session.flush()
    uow.audit("campaign", row.id, "update", before=before, after=values)
    return _view(uow, row)


@requires("campaigns.edit")
def delete_campaign(uow: UnitOfWork, campaign_id: int) -> None:
    row = _load(uow, campaign_id)
    _draft_only(row)
    uow.audit("campaign", row.id, "delete", before={"name": row.name})
    uow.session.delete(row)


def _draft_only(row: Campaign) -> None:
    if row.state != "draft":
        raise Conflict(
            Message(
                "The campaign {name} was queued; it can no longer be changed or deleted.",
                name=row.name,
            )
        )


@requires("campaigns.view")
def get_campaign(uow: UnitOfWork, campaign_id: int) -> CampaignView:
    return _view(uow, _load(uow, campaign_id))


@requires("campaigns.view")
def find_campaign(uow: UnitOfWork, name_or_id: str) -> CampaignView:
    """A campaign by its name, or #id."""
    s = name_or_id.strip()
    if s.startswith("#") and is_digits(s[1:]):
        return _view(uow, _load(uow, int(s[1:])))
    row = uow.session.scalars(select(Campaign).where(Campaign.name == s)).first()
    if row is None:  # in any case when only one is so named, as a segment is found
        alike = [
            r for r in uow.session.scalars(select(Campaign)) if r.name.casefold() == s.casefold()
        ]
        if len(alike) > 1:
            raise NotFound(
                Message(
                    "There is no campaign named {name}; there are {names}: type one as it is "
                    "written.",
                    name=quoted(s, 60),
                    names=", ".join(
                        quoted(r.name, 60) for r in sorted(alike, key=lambda r: r.name)
                    ),
                )
            )
        row = alike[0] if alike else None
    if row is None:
        raise NotFound(Message("There is no campaign named {name}.", name=quoted(s, 60)))
    return _view(uow, row)


@requires("campaigns.view")
def list_page(uow: UnitOfWork, req: PageRequest) -> Page[CampaignRow]:
    """The campaigns, by name (newest first with sort "queued")."""
    count = (
        select(func.count(CampaignRecipient.id))
        .where(CampaignRecipient.campaign_id == Campaign.id)
        .scalar_subquery()
    )
    stmt = select(
        Campaign.id,
        Campaign.name,
        Segment.name,
        _state(),
        Campaign.queued_at,
        count,
        Campaign.name,
        Campaign.id,
    ).join(Segment, Segment.id == Campaign.segment_id)
    if req.search.strip():
        stmt = stmt.where(Campaign.name.contains(req.search.strip(), autoescape=True))
    return keyset_page(
        uow.session,
        stmt,
        Campaign.name,
        Campaign.id,
        req,
        lambda r: CampaignRow(r[0], r[1], r[2], r[3], r[4], r[5] or 0),
    )


# --- who it goes to ----------------------------------------------------------------------


def _reason():  # noqa: ANN202
    return case(
        (func.coalesce(Contact.email, "") == "", NO_EMAIL),
        (EmailConsent.state == "out", OPTED_OUT),
        else_=NOT_ASKED,
    )


@requires("campaigns.view")
def left_out(uow: UnitOfWork, campaign_id: int, limit: int = 100) -> LeftOut:
    """The segment's members who will not receive it (or did not: once sent, its
    recipients are not among them), counted by why, and the first ``limit`` of them named
    (by name). To a role that does not see e-mail consent (a viewer), who opted out and who
    never opted in are one count, and only those without an address are named."""
    c = _load(uow, campaign_id)
    where = condition(json.loads(uow.session.get(Segment, c.segment_id).definition))
    base = (
        select(Contact.id, Contact.name, _reason().label("reason"), Contact.sort_name)
        .outerjoin(EmailConsent, EmailConsent.contact_id == Contact.id)
        .where(where, ~consenting())
        # who received it and then opted out is a recipient (unsubscribed), not left out
        .where(
            Contact.id.not_in(
                select(CampaignRecipient.contact_id).where(CampaignRecipient.campaign_id == c.id)
            )
        )
    )
    sub = base.subquery()
    counts = {
        r: n
        for r, n in uow.session.execute(select(sub.c.reason, func.count()).group_by(sub.c.reason))
    }
    if not can(uow, "consent.see"):
        hidden = counts.pop(OPTED_OUT, 0) + counts.pop(NOT_ASKED, 0)
        if hidden:
            counts[NO_CONSENT] = hidden
        base = base.where(func.coalesce(Contact.email, "") == "")
    rows = [
        (r[0], r[1], r[2])
        for r in uow.session.execute(base.order_by(Contact.sort_name, Contact.id).limit(limit))
    ]
    return LeftOut(counts, rows)


def _links(uow: UnitOfWork, token: str) -> tuple[str, dict[str, str]]:
    """The unsubscribe link for the body, and the List-Unsubscribe headers."""
    url = _url(uow)
    sender = read_settings(uow).from_address
    mailto = f"mailto:{sender}?subject={quote('unsubscribe ' + token)}" if sender else ""
    if url:
        link = url.replace("{token}", token)
        header = f"<{link}>" + (f", <{mailto}>" if mailto else "")
        return link, {
            "List-Unsubscribe": header,
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        }
    if not mailto:
        raise ValidationError(
            {
                "": Message(
                    "A campaign needs an unsubscribe link: set the shop's sender address "
                    "(m on the users screen, ctrl+u, or bizdesk mail settings --from) or its "
                    "unsubscribe page (bizdesk campaigns link URL)."
                )
            }
        )
    return mailto, {"List-Unsubscribe": f"<{mailto}>"}


def _url(uow: UnitOfWork) -> str:
    """The unsubscribe page as stored now (this transaction's change included)."""
    row = uow.session.get(Setting, URL_SETTING)
    return row.value if row else ""


@requires("mail.config")
def set_unsubscribe_url(uow: UnitOfWork, url: str) -> str:
    """The shop's unsubscribe page: an https URL holding {token} ('' = a mailto link)."""
    s = v.text(url, max_len=500)
    if s:
        other = s.replace("{token}", "")  # ({x} would stay in every link as typed)
        if not s.startswith("https://") or other == s or any(c in other for c in " {}"):
            raise ValidationError(
                {
                    "url": Message(
                        "an https address holding {token}, such as {example}",
                        token="{token}",
                        example="https://shop.example/unsubscribe/{token}",
                    )
                }
            )
        if not all(0x21 <= ord(ch) <= 0x7E for ch in s):
            raise ValidationError({"url": Message("only plain ASCII characters")})
    before = _url(uow)
    uow.set_setting(URL_SETTING, s)
    uow.audit("setting", None, "update", before={URL_SETTING: before}, after={URL_SETTING: s})
    return s


def _logged(
    uow: UnitOfWork, contact_id: int, text: str, name: str, email: str = "", **more: str
) -> None:
    """What came of a campaign for one contact, logged on them (an e-mail interaction) in
    the shop's language: data, written as its people would write it."""
    said = written(uow.setting("locale"), text, name=name, email=email, **more)
    contacts.log_interaction(uow, contact_id, "email", said)


@requires("campaigns.send")
def queue_campaign(uow: UnitOfWork, campaign_id: int) -> Queued:
    """Queue the campaign for every consenting member of its segment not queued yet."""
    c = _load(uow, campaign_id)
    done = Queued()
    done.already = (
        uow.session.scalar(
            select(func.count(CampaignRecipient.id)).where(CampaignRecipient.campaign_id == c.id)
        )
        or 0
    )
    definition = json.loads(uow.session.get(Segment, c.segment_id).definition)
    already = select(CampaignRecipient.contact_id).where(CampaignRecipient.campaign_id == c.id)
    todo = uow.session.scalars(
        select(Contact)
        .where(condition(definition), consenting(), Contact.id.not_in(already))
        .order_by(Contact.id)
    ).all()
    if c.state == "draft" and not todo:  # else it would be "sent" to nobody, and locked
        segment = uow.session.get(Segment, c.segment_id).name
        raise Conflict(
            Message(
                "No contact of the segment {segment} has opted in with an e-mail address: "
                "{name} was not sent and stays a draft.",
                segment=segment,
                name=c.name,
            )
        )
    locale = uow.setting("locale")
    for contact in todo:
        token = new_token()
        link, headers = _links(uow, token)
        values = _merge_values(uow, contact, link)
        body = c.body.format_map(values)
        if "{unsubscribe_url}" not in c.body:
            body += "\n\n-- \n" + written(contact.language or locale, FOOTER, link=link)
        msg = outbox.queue_message(
            uow,
            to=contact.email,
            subject=c.subject.format_map(values),
            body=body,
            doc_kind="campaign",
            doc_label=c.name[:60],
            contact_id=contact.id,
            headers=headers,
        )
        uow.session.add(
            CampaignRecipient(
                campaign_id=c.id,
                contact_id=contact.id,
                email=contact.email,
                token=token,
                outbox_id=msg.id,
            )
        )
        _logged(uow, contact.id, N_("Campaign {name}: queued for {email}"), c.name, contact.email)
        done.queued += 1
    if c.state == "draft":
        c.state, c.queued_at = "queued", utcnow()
        touch(uow, c)
    uow.session.flush()
    if done.queued:
        uow.audit("campaign", c.id, "queue", after={"recipients": done.queued})
    done.left_out = left_out(uow, c.id, limit=0).counts
    return done


def send_campaign(store: Store, campaign_id: int) -> Sent:
    """Queue whoever is not queued yet, then deliver the campaign's queued messages (each
    tried once in this run). Safe to run again, or after a crash: nobody gets it twice."""
    require_store(store, "campaigns.send")
    with store.write() as uow:
        queued = queue_campaign(uow, campaign_id)
    with store.read() as uow:
        ids = list(
            uow.session.scalars(
                select(OutboxMessage.id)
                .join(CampaignRecipient, CampaignRecipient.outbox_id == OutboxMessage.id)
                .where(
                    CampaignRecipient.campaign_id == campaign_id,
                    OutboxMessage.state == "queued",
                )
                .order_by(OutboxMessage.id)
            )
        )
    done = outbox.Delivery()
    with transport.Courier() as courier:  # one connection for the whole campaign
        for start in range(0, len(ids), outbox.BATCH):
            part = outbox.deliver(store, ids[start : start + outbox.BATCH], courier=courier)
            done.sent += part.sent
            done.failed += part.failed
            done.unsure += part.unsure
            done.withheld += part.withheld
    if done.failed:
        with store.write() as uow, covered(uow):
            name = _load(uow, campaign_id).name
            for m in done.failed:
                said = N_("Campaign {name}: not sent to {email} yet: {error}")
                _logged(uow, m.contact_id, said, name, m.to_address, error=m.last_error)
    return Sent(queued, done)


# --- what came of it ---------------------------------------------------------------------


def _result():  # noqa: ANN202
    return case(
        (CampaignRecipient.unsubscribed_at.is_not(None), "unsubscribed"),
        (CampaignRecipient.replied_at.is_not(None), "replied"),
        (
            (OutboxMessage.state == "queued") & (OutboxMessage.attempts > 0),
            "failed",
        ),
        else_=func.coalesce(OutboxMessage.state, "queued"),
    )


@requires("campaigns.view")
def recipients_page(uow: UnitOfWork, campaign_id: int, req: PageRequest) -> Page[RecipientRow]:
    c = _load(uow, campaign_id)
    stmt = (
        select(
            Contact.id,
            Contact.name,
            CampaignRecipient.email,
            _result(),
            Contact.sort_name,
            Contact.id,
        )
        .join(CampaignRecipient, CampaignRecipient.contact_id == Contact.id)
        .outerjoin(OutboxMessage, OutboxMessage.id == CampaignRecipient.outbox_id)
        .where(CampaignRecipient.campaign_id == c.id)
    )
    return keyset_page(
        uow.session,
        stmt,
        Contact.sort_name,
        Contact.id,
        req,
        lambda r: RecipientRow(r[0], r[1], r[2], r[3]),
    )


@requires("campaigns.view")
def results(uow: UnitOfWork, campaign_id: int) -> Results:
    c = _load(uow, campaign_id)
    # each recipient's result in a subquery, counted by it (PostgreSQL groups by a column,
    # not by a CASE whose parameters are bound twice)
    each = (
        select(_result().label("result"))
        .select_from(CampaignRecipient)
        .outerjoin(OutboxMessage, OutboxMessage.id == CampaignRecipient.outbox_id)
        .where(CampaignRecipient.campaign_id == c.id)
        .subquery()
    )
    by = {
        k: n
        for k, n in uow.session.execute(select(each.c.result, func.count()).group_by(each.c.result))
    }
    exp = uow.exponent
    zero = from_minor(0, exp)
    if c.queued_at is None:
        return Results(0, by, c.attribution_days, None, None, 0, zero, 0, zero, 0, zero)
    start, end = c.queued_at, c.queued_at + timedelta(days=c.attribution_days)
    reached = (
        select(CampaignRecipient.contact_id)
        .join(OutboxMessage, OutboxMessage.id == CampaignRecipient.outbox_id)
        .where(CampaignRecipient.campaign_id == c.id, OutboxMessage.state == "sent")
    )
    deals = uow.session.execute(
        select(func.count(Deal.id), func.coalesce(func.sum(Deal.amount_minor), 0)).where(
            Deal.contact_id.in_(reached),
            Deal.created_at >= start,
            Deal.created_at <= end,
            _last_touch(c, Deal.contact_id, Campaign.queued_at <= Deal.created_at),
        )
    ).one()
    orders = uow.session.execute(
        select(func.count(SalesOrder.id), func.coalesce(func.sum(SalesOrder.net_minor), 0)).where(
            SalesOrder.customer_id.in_(reached),
            SalesOrder.state != "cancelled",
            SalesOrder.order_date >= start.date(),
            SalesOrder.created_at >= start,  # (not one entered earlier the same day)
            SalesOrder.order_date <= end.date(),
            _last_touch(
                c, SalesOrder.customer_id, func.date(Campaign.queued_at) <= SalesOrder.order_date
            ),
        )
    ).one()
    invoices = uow.session.execute(
        select(func.count(Invoice.id), func.coalesce(func.sum(Invoice.net_minor), 0)).where(
            Invoice.customer_id.in_(reached),
            Invoice.kind == "invoice",
            Invoice.issued_on >= start.date(),
            Invoice.created_at >= start,
            Invoice.issued_on <= end.date(),
            _last_touch(c, Invoice.customer_id, func.date(Campaign.queued_at) <= Invoice.issued_on),
        )
    ).one()
    return Results(
        sum(by.values()),
        by,
        c.attribution_days,
        start,
        end,
        deals[0],
        from_minor(deals[1], exp),
        orders[0],
        from_minor(orders[1], exp),
        invoices[0],
        from_minor(invoices[1], exp),
    )


def _last_touch(c: Campaign, contact, before):  # noqa: ANN001, ANN202
    """A deal, order or invoice counts for the last campaign that reached its contact by
    then (``before``: that campaign was sent by its day): a later campaign to them takes
    it, so one sale is never counted by every campaign its customer received."""
    later = (
        select(CampaignRecipient.id)
        .join(Campaign, Campaign.id == CampaignRecipient.campaign_id)
        .join(OutboxMessage, OutboxMessage.id == CampaignRecipient.outbox_id)
        .where(
            CampaignRecipient.contact_id == contact,
            OutboxMessage.state == "sent",
            Campaign.id != c.id,
            Campaign.queued_at > c.queued_at,
            before,
        )
    )
    return ~later.exists()


# --- after it was sent: unsubscribing, replies ------------------------------------------


@dataclass(frozen=True)
class Unsubscribed:
    contact_id: int
    name: str
    email: str
    campaign: str
    already: bool  # the link had been used before


@requires("consent.edit")
def unsubscribe(uow: UnitOfWork, token: str) -> Unsubscribed:
    """The unsubscribe link was followed (or its mail answered): the contact opts out.
    ``token``: the token, or what holds it as a person would paste it: the link, the
    header's ``<...>``, the mailto link or the subject of the unsubscribe e-mail."""
    candidates = _tokens_in(token)
    r = None
    if candidates:
        found = uow.session.scalars(
            select(CampaignRecipient).where(CampaignRecipient.token.in_(candidates))
        ).all()
        r = found[0] if len(found) == 1 else None
    if r is None:
        raise NotFound(Message("No campaign message has that unsubscribe token."))
    c = uow.session.get(Campaign, r.campaign_id)
    contact = uow.session.get(Contact, r.contact_id)
    now = uow.session.get(EmailConsent, contact.id)
    # followed again after they opted in again: it opts them out again
    already = r.unsubscribed_at is not None and not (now is not None and now.state == "in")
    if not already:
        r.unsubscribed_at = r.unsubscribed_at or utcnow()
        record(uow, contact.id, "out", "unsubscribe link")
        with covered(uow):
            _logged(uow, contact.id, N_("Campaign {name}: unsubscribed ({email})"), c.name, r.email)
        uow.audit("campaign_recipient", r.id, "unsubscribe", after={"campaign": c.name})
    return Unsubscribed(contact.id, contact.name, r.email, c.name, already)


def new_token() -> str:
    """An unsubscribe token: 32 URL-safe characters (secrets.token_urlsafe(24)), never
    starting with "-": `bizdesk unsubscribe -Ab…` read it as an option (1 in 64 tokens)."""
    while True:
        token = secrets.token_urlsafe(24)
        if not token.startswith("-"):
            return token


# a token as new_token makes it, alone or inside a link
TOKEN_IN_TEXT = re.compile(r"(?<![A-Za-z0-9_-])[A-Za-z0-9_-]{32}(?![A-Za-z0-9_-])")


def is_token(text: str) -> bool:
    """``text`` is one bare token as stored: new_token's, or one made before it, which may
    start with "-" (the links already mailed with one keep working)."""
    return TOKEN_IN_TEXT.fullmatch(text) is not None


def _tokens_in(text: object) -> list[str]:
    """The tokens ``text`` may hold: all of it when it is one, else each run of a token's
    characters as long as a token in it, URL-decoded (a mailto subject's %20)."""
    t = unquote(str(text or "")).strip()
    if not t or len(t) > 2000:
        return []
    found = ([t] if len(t) <= 64 else []) + TOKEN_IN_TEXT.findall(t)
    return list(dict.fromkeys(found))[:20]


@requires("campaigns.edit")
def mark_replied(uow: UnitOfWork, campaign_id: int, who: str) -> RecipientRow:
    """Record that a recipient answered the campaign (said by a person)."""
    c = _load(uow, campaign_id)
    try:
        contact = contacts.resolve(uow, who)
    except v.FieldError as exc:
        raise ValidationError({"contact": exc.message}) from None
    r = uow.session.scalars(
        select(CampaignRecipient).where(
            CampaignRecipient.campaign_id == c.id, CampaignRecipient.contact_id == contact.id
        )
    ).first()
    if r is None:
        raise ValidationError(
            {
                "contact": Message(
                    "{name} did not receive the campaign {campaign}",
                    name=contact.name,
                    campaign=c.name,
                )
            }
        )
    if r.replied_at is None:
        r.replied_at = utcnow()
        with covered(uow):
            _logged(uow, contact.id, N_("Campaign {name}: replied"), c.name)
        uow.audit("campaign_recipient", r.id, "replied", after={"campaign": c.name})
    return RecipientRow(contact.id, contact.name, r.email, "replied")
