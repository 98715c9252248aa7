"""A document e-mailed to whom it is for: rendered by services.papers (``render(uow, kind,
number) -> Paper``), queued in the outbox with its PDF, its label and its SHA-256."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bizdesk.db import UnitOfWork
from bizdesk.errors import ValidationError
from bizdesk.i18n import Message
from bizdesk.services.base.permissions import require, requires
from bizdesk.services.mail.outbox import OutboxView, queue_message

# Who may see each kind of document (the check render makes when called on its own: inside
# this entry point it would be covered by mail.send, so it is made here too).
VIEW = {
    "quote": "deals.view",
    "sales-order": "sales.view",
    "invoice": "sales.view",
    "credit-note": "sales.view",
    "purchase-order": "purchases.view",
    "reminder": "reminders.view",
    "statement": "contacts.money",
}


@dataclass(frozen=True)
class QueuedPaper:
    """A document queued to be e-mailed: its message, and whether the document carries no
    address of the shop (a door warns, as when it is printed)."""

    message: OutboxView
    without_shop_address: bool


# a statement's period as the sending names it (its "to" is the address)
PERIOD = {"from": "since", "to": "until"}


@requires("mail.send")
def queue_document(
    uow: UnitOfWork,
    kind: str,
    number: str,
    to: str | None = None,
    *,
    date_from: date | str | None = None,
    date_to: date | str | None = None,
) -> QueuedPaper:
    """Render the document and queue it for ``to``, else for its contact's e-mail address
    (refused when the contact has none); a statement over ``date_from``..``date_to`` (by
    default 1 January to today). Committed with the caller's transaction; sending is
    ``outbox.deliver``'s, after the commit."""
    if kind in VIEW:
        require(uow, VIEW[kind])
    if kind != "statement" and (date_from or date_to):
        raise ValidationError({"since": Message("a period is for a statement only")})
    from bizdesk.services.papers import render  # the documents' package (above: its layer)

    try:
        paper = render(uow, kind, number, date_from=date_from, date_to=date_to)
    except ValidationError as exc:  # here "to" is the address: the period's ends are named apart
        raise ValidationError({PERIOD.get(k, k): m for k, m in exc.fields.items()}) from None
    address = (to or "").strip() or paper.email
    if not address:
        raise ValidationError(
            {
                "to": Message(
                    "{label} is for a contact with no e-mail address; give the address to "
                    "send it to",
                    label=paper.label,
                )
            }
        )
    company = uow.setting("company", "")
    queued = queue_message(
        uow,
        to=address,
        subject=str(Message("{label} from {company}", label=paper.label, company=company)),
        body=str(
            Message(
                "Hello,\n\nplease find {filename} attached.\n\nKind regards,\n{company}",
                filename=paper.filename,
                company=company,
            )
        ),
        attachment_name=paper.filename,
        attachment=paper.data,
        doc_kind=paper.kind,
        doc_label=paper.label,
        doc_sha256=paper.sha256,
        contact_id=paper.contact_id,
    )
    return QueuedPaper(queued, paper.without_shop_address)


@requires("mail.send")
def queue_reminders(uow: UnitOfWork, made: list) -> tuple[list[QueuedPaper], list[str]]:  # noqa: ANN001
    """Queue each reminder just made (services.dunning ``make_reminders``) for its
    customer's address, in the caller's transaction; returns what was queued and the labels
    of the reminders whose customer has no address (to be printed instead)."""
    queued: list[QueuedPaper] = []
    unsent: list[str] = []
    for m in made:
        if m.email:
            queued.append(queue_document(uow, "reminder", m.label))
        else:
            unsent.append(m.label)
    return queued, unsent
