"""The outbox: a message is queued inside the transaction of the request that makes it, and
sent afterwards, outside any transaction, by whichever process claims it first.

How a message is sent (``deliver``):

1. **Claim**, in a short write transaction: ``UPDATE ... SET state='sending', claim=TOKEN
   WHERE id=? AND state='queued'``. Only one process can change that row from queued (SQLite
   serialises writers; PostgreSQL re-checks the condition after the first writer commits), so
   two retriers at once never both send it: the one whose update touched no row skips it.
2. **Send**, with no transaction open: the SMTP server (or sendmail) accepts it or not.
3. **Mark**, in a second write transaction: sent (with the interaction logged on the contact,
   carrying the document's label and SHA-256), or back to queued with the error and the time
   of the next try (later each time, at most every six hours).

The crash between 2 and 3 (the server accepted the message, then the process was killed, the
disk filled or the power went before the row was marked): the row stays ``sending``. Nobody
can know from the store whether the server took it. bizdesk chooses never to send twice by
itself: a claim older than ``LEASE`` becomes ``unsure`` (with that explanation as its error),
is shown by ``bizdesk mail outbox``, and is sent again only when a person says so
(``bizdesk mail retry --resend ID``) after checking the shop's sent folder or asking the
recipient. The same holds when the link to the server breaks after the message was handed
over and before the server's answer (SMTP itself cannot tell whether it was accepted): the
message becomes ``unsure`` at once (transport.SendUnsure), never queued again by itself. A
message is therefore never lost (it is always in the outbox, in some state) and
never sent twice without a person deciding it. Its Message-ID is made once, when it is
queued, so even a resent copy carries the same id and mail programs can recognise it.
"""

from __future__ import annotations

import json
import re
import secrets
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.policy import EmailPolicy
from email.utils import format_datetime, make_msgid

from sqlalchemy import or_, update
from sqlmodel import select

from bizdesk.db import Store, UnitOfWork
from bizdesk.errors import NotFound, ValidationError
from bizdesk.formatting import visible
from bizdesk.i18n import N_, Message, written
from bizdesk.models.base import utcnow
from bizdesk.models.contacts import Contact
from bizdesk.models.mail import OutboxMessage
from bizdesk.models.marketing import EmailConsent
from bizdesk.services.base import validate as v
from bizdesk.services.base.pages import Page, PageRequest
from bizdesk.services.base.paging import keyset_page, like_pattern
from bizdesk.services.base.permissions import covered, require_store, requires
from bizdesk.services.base.states import state_word
from bizdesk.services.crm.contacts import log_interaction
from bizdesk.services.mail import transport
from bizdesk.services.mail.settings import MailSettings, read_settings

# A claim older than this is taken for a process that died while sending (longer than any
# SMTP conversation can last: each step times out after transport.TIMEOUT seconds).
LEASE = timedelta(minutes=15)
FIRST_WAIT = timedelta(minutes=5)
LONGEST_WAIT = timedelta(hours=6)
BATCH = 200  # messages looked at per delivery run
UNSURE_HANDED = (
    "it may have been accepted: check the sent folder or ask the recipient, then: "
    "bizdesk mail retry --resend {id}"
)
UNSURE_NOTE = (
    "the process sending it stopped before it could record whether the server accepted it; "
    "check the sent folder, then: bizdesk mail retry --resend {id}"
)


@dataclass(frozen=True)
class OutboxView:
    id: int
    message_id: str
    to_address: str
    subject: str
    doc_kind: str
    doc_label: str
    doc_sha256: str
    attachment_name: str
    contact_id: int | None
    state: str
    attempts: int
    last_error: str
    next_try_at: datetime
    created_at: datetime
    sent_at: datetime | None


def _view(row: OutboxMessage) -> OutboxView:
    return OutboxView(
        row.id,
        row.message_id,
        row.to_address,
        row.subject,
        row.doc_kind,
        row.doc_label,
        row.doc_sha256,
        row.attachment_name,
        row.contact_id,
        row.state,
        row.attempts,
        row.last_error,
        row.next_try_at,
        row.created_at,
        row.sent_at,
    )


def english(text: str) -> str:
    """What is stored for a message (a Message's English value, never translated)."""
    return str.__str__(text)


@requires("mail.send")
def queue_message(
    uow: UnitOfWork,
    *,
    to: str,
    subject: str,
    body: str,
    attachment_name: str = "",
    attachment: bytes | None = None,
    doc_kind: str = "",
    doc_label: str = "",
    doc_sha256: str = "",
    contact_id: int | None = None,
    headers: dict[str, str] | None = None,
) -> OutboxView:
    """Put one message in the outbox, in the caller's transaction (committed with it).
    ``headers``: extra headers of this message alone (such as List-Unsubscribe), sent with it
    on every try."""
    chk = v.Checker()
    extra = _headers(chk, headers or {})
    address = chk("to", v.email, to)
    if address is None and "to" not in chk.errors:
        chk.add("to", Message("required"))
    subject = chk("subject", v.text, subject, required=True, max_len=300)
    body = chk("body", v.text, body, max_len=20_000, multiline=True)
    chk.done()
    sender = read_settings(uow).from_address
    domain = sender.rpartition("@")[2] or "bizdesk.invalid"
    row = OutboxMessage(
        message_id=make_msgid("bizdesk", domain=domain),
        to_address=address,
        subject=subject,
        body=body or "",
        headers=json.dumps(extra, sort_keys=True) if extra else "",
        attachment_name=attachment_name,
        attachment=attachment,
        doc_kind=doc_kind,
        doc_label=doc_label,
        doc_sha256=doc_sha256,
        contact_id=contact_id,
        created_by=uow.user,
    )
    uow.session.add(row)
    uow.session.flush()
    uow.audit(
        "outbox_message",
        row.id,
        "queue",
        after={
            "to": address,
            "subject": subject,
            "document": doc_label,
            "sha256": doc_sha256,
            "contact_id": contact_id,
        },
    )
    return _view(row)


# the extra headers a message may carry: never one bizdesk sets itself (From, To, Subject...)
EXTRA_HEADERS = ("List-Unsubscribe", "List-Unsubscribe-Post", "List-Id", "Precedence")
_HEADER_VALUE = re.compile(r"[\x20-\x7e]{1,998}")


def _headers(chk: v.Checker, headers: dict[str, str]) -> dict[str, str]:
    """The extra headers, checked: known names, one printable ASCII line each."""
    out: dict[str, str] = {}
    for name, value in headers.items():
        if name not in EXTRA_HEADERS:
            chk.add("headers", Message("{name} is not a header bizdesk adds", name=name))
        elif not _HEADER_VALUE.fullmatch(value):
            chk.add("headers", Message("the {name} header is not one line of text", name=name))
        else:
            out[name] = value
    return out


@requires("mail.view")
def list_outbox(uow: UnitOfWork, state: str | None = None, limit: int = 100) -> list[OutboxView]:
    """The newest messages first (``state``: only those)."""
    q = select(OutboxMessage)
    if state:
        q = q.where(OutboxMessage.state == state)
    q = q.order_by(OutboxMessage.id.desc()).limit(limit)
    return [_view(r) for r in uow.session.exec(q)]


@dataclass(frozen=True)
class OutboxRow:
    """A message as the outbox's list shows it (without its body and attachment)."""

    id: int
    created_at: datetime
    to_address: str
    document: str  # its document's label, else its subject
    state: str
    attempts: int
    last_error: str
    next_try_at: datetime
    sent_at: datetime | None


@requires("mail.view")
def outbox_page(uow: UnitOfWork, req: PageRequest) -> Page[OutboxRow]:
    """The outbox newest first (``req.descending``); the filter matches the address, the
    document or the subject; ``state`` filter: one state."""
    m = OutboxMessage
    stmt = select(
        m.id,
        m.created_at,
        m.to_address,
        m.doc_label,
        m.subject,
        m.state,
        m.attempts,
        m.last_error,
        m.next_try_at,
        m.sent_at,
    )
    typed = req.search.strip()
    if typed:
        pattern = like_pattern(typed)
        stmt = stmt.where(
            or_(
                m.to_address.like(pattern, escape="\\"),
                m.doc_label.like(pattern, escape="\\"),
                m.subject.like(pattern, escape="\\"),
            )
        )
    if req.filters.get("state"):
        stmt = stmt.where(m.state == req.filters["state"])

    def to_row(r) -> OutboxRow:  # noqa: ANN001
        return OutboxRow(r[0], r[1], r[2], r[3] or r[4], *r[5:])

    return keyset_page(uow.session, stmt, m.id, m.id, req, to_row)


@requires("mail.view")
def get_message(uow: UnitOfWork, message_id: int) -> OutboxView:
    return _view(_load(uow, message_id))


def _load(uow: UnitOfWork, message_id: int) -> OutboxMessage:
    row = uow.session.get(OutboxMessage, message_id)
    if row is None:
        raise NotFound(Message("There is no message #{id} in the outbox.", id=message_id))
    return row


RESENDABLE = frozenset({"unsure"})  # a person checked that it did not arrive
CANCELLABLE = frozenset({"queued", "unsure"})  # not sent, or perhaps not


@requires("mail.send")
def resend(uow: UnitOfWork, message_id: int) -> OutboxView:
    """A person decided that an ``unsure`` message was not received: queue it again."""
    row = _load(uow, message_id)
    if row.state not in RESENDABLE:
        raise ValidationError(
            {
                "": Message(
                    "message #{id} is {state}; only a message whose sending is unsure can be "
                    "sent again",
                    id=row.id,
                    state=state_word(row.state),
                )
            }
        )
    row.state, row.next_try_at, row.claim = "queued", utcnow(), ""
    uow.audit("outbox_message", row.id, "resend")
    return _view(row)


@requires("mail.send")
def cancel(uow: UnitOfWork, message_id: int) -> OutboxView:
    """Never send a queued (or unsure) message; it stays in the outbox, cancelled."""
    row = _load(uow, message_id)
    if row.state not in CANCELLABLE:
        raise ValidationError(
            {
                "": Message(
                    "message #{id} is {state}; only a queued or unsure message can be cancelled",
                    id=row.id,
                    state=state_word(row.state),
                )
            }
        )
    before = row.state
    row.state, row.claim = "cancelled", ""
    uow.audit("outbox_message", row.id, "cancel", before={"state": before})
    return _view(row)


# --- sending -------------------------------------------------------------------------------


@dataclass
class Delivery:
    """What one delivery run did."""

    sent: list[OutboxView] = field(default_factory=list)
    failed: list[OutboxView] = field(default_factory=list)  # still queued, with their error
    unsure: int = 0  # claims found abandoned, now waiting for a person
    # a campaign's messages cancelled as they were to go: their contact opted out (or was
    # archived) after they were queued
    withheld: list[OutboxView] = field(default_factory=list)

    @property
    def left_undone(self) -> bool:
        """A message still queued, or one that may or may not have gone: a script (cron)
        is told by the exit code, a person is to look."""
        return bool(self.failed) or self.unsure > 0

    def said(self, *, quiet: bool = False) -> list[str]:
        """What the run did, a sentence per line (translated where shown); ``quiet``: nothing
        when nothing was sent or waits (run-due's few words)."""
        out: list[str] = []
        sent, failed = len(self.sent), len(self.failed)
        if sent or not quiet:
            out.append(Message.plural("{n} message was sent.", "{n} messages were sent.", sent))
        if self.withheld:
            out.append(
                Message.plural(
                    "{n} message was not sent and is cancelled: its contact opted out (or was "
                    "archived) after it was queued.",
                    "{n} messages were not sent and are cancelled: their contacts opted out (or "
                    "were archived) after they were queued.",
                    len(self.withheld),
                )
            )
        if failed:
            out.append(
                Message.plural(
                    "{n} message is still queued:",
                    "{n} messages are still queued:",
                    failed,
                )
            )
        by_error: dict[str, list[OutboxView]] = {}
        for r in self.failed:
            by_error.setdefault(r.last_error, []).append(r)
        for error, rows in by_error.items():
            if len(rows) > 3:  # a server that could not be reached: once, not once per message
                n = len(rows)
                out.append(
                    "  "
                    + Message.plural(
                        "{ids}: {error}",
                        "{n} messages ({ids}): {error}",
                        n,
                        ids=_spans([r.id for r in rows]),
                        error=visible(error),
                    )
                )
                continue
            out += [f"  #{r.id} {visible(r.to_address)}: {visible(error)}" for r in rows]
        if self.unsure:
            out.append(
                Message.plural(
                    "{n} message may or may not have been sent (its sender stopped); see "
                    "bizdesk mail outbox --state unsure.",
                    "{n} messages may or may not have been sent (their sender stopped); see "
                    "bizdesk mail outbox --state unsure.",
                    self.unsure,
                )
            )
        return out


def _spans(ids: list[int]) -> str:
    """Message ids 1, 2, 3, 5, 7, 8 as "#1-#3, #5, #7-#8"."""
    ids = sorted(ids)
    spans: list[list[int]] = []
    for i in ids:
        if spans and i == spans[-1][1] + 1:
            spans[-1][1] = i
        else:
            spans.append([i, i])
    return ", ".join(f"#{a}" if a == b else f"#{a}-#{b}" for a, b in spans)


def deliver_due(store: Store) -> Delivery:
    """Send every queued message whose next try is due (for whatever runs due work, such as
    ``bizdesk run-due``); safe to run in several processes at once."""
    return deliver(store, due_only=True)


def deliver(
    store: Store,
    ids: list[int] | None = None,
    *,
    due_only: bool = False,
    courier: transport.Courier | None = None,
) -> Delivery:
    """Send the queued messages (``ids``: only those; ``due_only``: only those whose next try
    is due), each claimed first so that no other process sends it too, over one connection to
    the server (``courier``: one kept by the caller across several runs, which closes it)."""
    if courier is None:
        with transport.Courier() as mine:
            return deliver(store, ids, due_only=due_only, courier=mine)
    require_store(store, "mail.send")
    done = Delivery(unsure=_give_up_abandoned(store))
    with store.read() as uow:
        q = select(OutboxMessage.id).where(OutboxMessage.state == "queued")
        if ids is not None:
            q = q.where(OutboxMessage.id.in_(ids))
        if due_only:
            q = q.where(OutboxMessage.next_try_at <= utcnow())
        todo = list(uow.session.exec(q.order_by(OutboxMessage.id).limit(BATCH)))
    for message_id in todo:
        claimed = _claim(store, message_id)
        if claimed is None:
            continue  # another process has it (or it changed meanwhile)
        if isinstance(claimed, OutboxView):
            done.withheld.append(claimed)
            continue
        token, settings, msg = claimed
        try:
            courier.send(settings, msg)
        except transport.SendError as exc:
            done.failed.append(_failed(store, message_id, token, exc.message))
        except transport.SendUnsure as exc:
            done.unsure += 1
            _unsure(store, message_id, token, exc.message)
        else:
            done.sent.append(_sent(store, message_id, token))
    return done


def _give_up_abandoned(store: Store) -> int:
    """Claims older than LEASE: their process died while sending; mark them unsure."""
    with store.read() as uow:
        stale = list(
            uow.session.exec(
                select(OutboxMessage.id).where(
                    OutboxMessage.state == "sending",
                    OutboxMessage.claimed_at < utcnow() - LEASE,
                )
            )
        )
    if not stale:
        return 0
    with store.write() as uow:
        for message_id in stale:
            n = uow.session.execute(
                update(OutboxMessage)
                .where(
                    OutboxMessage.id == message_id,
                    OutboxMessage.state == "sending",
                    OutboxMessage.claimed_at < utcnow() - LEASE,
                )
                .values(state="unsure", last_error=UNSURE_NOTE.format(id=message_id))
            ).rowcount
            if n:
                uow.audit("outbox_message", message_id, "unsure")
    return len(stale)


WITHHELD = N_("not sent: the contact opted out of e-mail (or was archived) after it was queued")


def _withheld(uow: UnitOfWork, message_id: int) -> OutboxView | None:
    """A campaign's message whose contact may no longer receive it (opted out or archived
    since it was queued: consent is asked for as the message goes, not only when it is
    queued), cancelled; None for any other message."""
    row = uow.session.get(OutboxMessage, message_id)
    if row is None or row.state != "queued" or row.doc_kind != "campaign" or not row.contact_id:
        return None
    contact = uow.session.get(Contact, row.contact_id)
    consent = uow.session.get(EmailConsent, row.contact_id)
    if contact and not contact.archived and consent and consent.state == "in":
        return None
    withheld = written(uow.setting("locale"), WITHHELD)  # stored: in the shop's language
    n = uow.session.execute(  # only while it is queued: another process may claim it first
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.state == "queued")
        .values(state="cancelled", claim="", last_error=withheld)
    ).rowcount
    if n != 1:
        return None
    uow.session.refresh(row)
    uow.audit("outbox_message", row.id, "cancel", before={"state": "queued"})
    if contact is not None:  # beside "Campaign X: queued for ..." on the contact
        with covered(uow):
            what = written(
                uow.setting("locale"),
                N_("Campaign {name}: {withheld} ({email})"),
                name=row.doc_label,
                withheld=withheld,
                email=row.to_address,
            )
            log_interaction(uow, contact.id, "email", what)
    return _view(row)


def _claim(
    store: Store, message_id: int
) -> tuple[str, MailSettings, EmailMessage] | OutboxView | None:
    """The message claimed for sending (its claim token, the settings, the message); the
    message cancelled instead when it may no longer go (_withheld); None when another
    process has it."""
    token = secrets.token_hex(16)
    now = utcnow()
    with store.write() as uow:
        withheld = _withheld(uow, message_id)
        if withheld is not None:
            return withheld
        n = uow.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == message_id, OutboxMessage.state == "queued")
            .values(
                state="sending",
                claim=token,
                claimed_at=now,
                attempts=OutboxMessage.attempts + 1,
            )
        ).rowcount
        if n != 1:
            return None
        row = uow.session.get(OutboxMessage, message_id)
        uow.session.refresh(row)
        settings = read_settings(uow)
        return token, settings, build(row, settings)


class _Policy(EmailPolicy):
    """The standard library's, but the extra headers (printable ASCII, checked when queued)
    are folded only between their <...> parts and never encoded: a long List-Unsubscribe
    came out as =?utf-8?q?=3Chttps=3A...?=, which no mail program reads as a link."""

    def _fold(self, name: str, value: object, refold_binary: bool = False) -> str:
        if name in EXTRA_HEADERS:
            parts = re.split(r",\s*(?=<)", str(value))
            return f"{name}: " + f",{self.linesep} ".join(parts) + self.linesep
        return super()._fold(name, value, refold_binary)


POLICY = _Policy()  # else the standard library's default


def build(row: OutboxMessage, settings: MailSettings) -> EmailMessage:
    """The message as it goes out: the same headers on every try."""
    msg = EmailMessage(policy=POLICY)
    msg["From"] = settings.from_address
    msg["To"] = row.to_address
    msg["Subject"] = row.subject
    msg["Date"] = format_datetime(row.created_at)
    msg["Message-ID"] = row.message_id
    for name, value in (json.loads(row.headers) if row.headers else {}).items():
        msg[name] = value
    msg.set_content(row.body or "", cte="quoted-printable")  # 7-bit: any server takes it
    if row.attachment is not None:
        maintype, _, subtype = _mime(row.attachment_name).partition("/")
        msg.add_attachment(
            row.attachment, maintype=maintype, subtype=subtype, filename=row.attachment_name
        )
    return msg


def _mime(name: str) -> str:
    return "application/pdf" if name.lower().endswith(".pdf") else "application/octet-stream"


def _sent(store: Store, message_id: int, token: str) -> OutboxView:
    with store.write() as uow:
        row = uow.session.get(OutboxMessage, message_id)
        # the claim is ours, even if it was meanwhile taken for abandoned (unsure): it was sent
        row.state, row.sent_at, row.last_error, row.claim = "sent", utcnow(), "", ""
        if row.contact_id is not None:
            summary = _summary(row, uow.setting("locale"))
            with covered(uow):
                row.interaction_id = log_interaction(uow, row.contact_id, "email", summary).id
        uow.session.flush()
        uow.audit(
            "outbox_message",
            row.id,
            "sent",
            after={
                "to": row.to_address,
                "document": row.doc_label,
                "sha256": row.doc_sha256,
                "attempt": row.attempts,
                "claim": token,
            },
        )
        return _view(row)


def _summary(row: OutboxMessage, locale: str | None) -> str:
    """The interaction logged on the contact: data, written in the shop's language."""
    text = written(
        locale,
        N_("E-mailed {document} to {email}: {subject}"),
        document=row.doc_label or row.subject,
        email=row.to_address,
        subject=row.subject,
    )
    if row.attachment_name:
        text += "\n" + written(locale, N_("Attachment: {name}"), name=row.attachment_name)
    if row.doc_sha256:
        text += f"\nSHA-256: {row.doc_sha256}"
    text += f"\nMessage-ID: {row.message_id}"
    return text


def _failed(store: Store, message_id: int, token: str, error: str) -> OutboxView:
    with store.write() as uow:
        row = uow.session.get(OutboxMessage, message_id)
        wait = min(FIRST_WAIT * 2 ** max(row.attempts - 1, 0), LONGEST_WAIT)
        row.state, row.claim = "queued", ""
        row.last_error = english(error)[:1000]
        row.next_try_at = utcnow() + wait
        uow.audit(
            "outbox_message",
            row.id,
            "failed",
            after={"attempt": row.attempts, "error": row.last_error, "claim": token},
        )
        # stored in English; told now as it was raised (a Message: in the reader's language)
        return replace(_view(row), last_error=error)


def _unsure(store: Store, message_id: int, token: str, error: str) -> None:
    with store.write() as uow:
        row = uow.session.get(OutboxMessage, message_id)
        row.state = "unsure"
        row.last_error = (english(error)[:600] + "; " + UNSURE_HANDED.format(id=row.id))[:1000]
        uow.audit(
            "outbox_message",
            row.id,
            "unsure",
            after={"attempt": row.attempts, "error": row.last_error, "claim": token},
        )


def send_test(store: Store, to: str) -> None:
    """Send a short message to ``to`` at once (not through the outbox) to try the settings;
    raises SendError saying why it failed."""
    require_store(store, "mail.config")
    with store.read() as uow:
        settings = read_settings(uow)
        company = uow.setting("company", "bizdesk")
    address = v.email(to)
    if not address:
        raise ValidationError({"to": Message("required")})
    row = OutboxMessage(
        message_id=make_msgid(
            "bizdesk", domain=settings.from_address.rpartition("@")[2] or "bizdesk.invalid"
        ),
        to_address=address,
        subject=str(Message("bizdesk test message from {company}", company=company)),
        body=str(
            Message(
                "This message was sent by bizdesk to try the shop's mail settings. It needs no "
                "answer."
            )
        ),
        created_at=utcnow(),
    )
    transport.send(settings, build(row, settings))
