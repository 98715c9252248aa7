"""`bizdesk send KIND NUMBER [--to ADDRESS]`: a document e-mailed to whom it is for, and
`bizdesk mail ...`: how mail is sent (settings, a test message) and the outbox (list, retry,
cancel). services/mail does the work."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from bizdesk.cli.core import DbOpt, date_form, fail, open_store, parse_date, say, show
from bizdesk.errors import BizdeskError
from bizdesk.i18n import _, pgettext
from bizdesk.reading import is_digits

app = typer.Typer()
mail = typer.Typer(help=_("How e-mail is sent, and the outbox of messages."))
app.add_typer(mail, name="mail")


@app.command(
    "send",
    help=_(
        "E-mail a document (quote, sales-order, invoice, credit-note, purchase-order, "
        "reminder, statement) as a PDF: queued in the outbox, then sent at once; a failed try "
        "stays queued and is tried again."
    ),
)
def send(
    ctx: typer.Context,
    kind: Annotated[str, typer.Argument(help=_("The kind of document, such as invoice."))],
    number: Annotated[str, typer.Argument(help=_("Its number, such as INV-00007."))],
    to: Annotated[
        str | None,
        typer.Option("--to", help=_("The address to send it to (default: the contact's).")),
    ] = None,
    since: Annotated[
        str | None,
        typer.Option(
            "--since", metavar=date_form(), help=_("statement: from (default: 1 January)")
        ),
    ] = None,
    until: Annotated[
        str | None,
        typer.Option("--until", metavar=date_form(), help=_("statement: to (default: today)")),
    ] = None,
    db: DbOpt = None,
) -> None:
    from bizdesk.services.mail.documents import queue_document
    from bizdesk.services.mail.outbox import deliver
    from bizdesk.services.papers import no_shop_address

    store = open_store(ctx, db)
    period = {"date_from": parse_date(since, "--since"), "date_to": parse_date(until, "--until")}
    with store.write() as uow:
        paper = queue_document(uow, kind, number, to, **period)
    queued = paper.message
    if paper.without_shop_address:  # (as a print says: the recipient sees none)
        say(str(no_shop_address(queued.doc_label)), stderr=True)
    done = deliver(store, [queued.id])
    label = queued.doc_label
    if done.sent:
        say(_("{label} was sent to {address}.").format(label=label, address=queued.to_address))
    elif done.failed:  # on standard error, exit 1: a script can tell it was not sent
        fail(
            _(
                "{label} could not be sent to {address} yet ({reason}); it waits in the "
                "outbox and will be tried again (bizdesk mail retry)."
            ).format(label=label, address=queued.to_address, reason=done.failed[0].last_error)
        )
    elif done.unsure:  # its sending was cut off: whether the server took it is unknown
        fail(
            _(
                "{label} may or may not have been sent to {address} (the mail server stopped "
                "answering); see bizdesk mail outbox --state unsure before sending it again."
            ).format(label=label, address=queued.to_address)
        )
    else:  # another bizdesk claimed it first
        say(
            _("{label} is in the outbox for {address}; another bizdesk is sending it.").format(
                label=label, address=queued.to_address
            )
        )


@mail.command(
    "settings",
    help=_(
        "Show how e-mail is sent, or change it (owners): the options given are changed. The "
        "SMTP password is never stored: it is read from --password-file (a file only you can "
        "read, mode 0600) or from BIZDESK_SMTP_PASSWORD."
    ),
)
def mail_settings(
    ctx: typer.Context,
    transport: Annotated[
        str | None, typer.Option("--transport", help=_("smtp or sendmail"))
    ] = None,
    host: Annotated[str | None, typer.Option("--host", help=_("The SMTP server."))] = None,
    port: Annotated[str | None, typer.Option("--port", help=_("Its port."))] = None,
    security: Annotated[
        str | None, typer.Option("--security", help=_("starttls, ssl or none"))
    ] = None,
    user: Annotated[
        str | None,
        typer.Option("--user", help=_("The SMTP user name (empty: no login).")),
    ] = None,
    from_address: Annotated[
        str | None, typer.Option("--from", help=_("The sender's address."))
    ] = None,
    password_file: Annotated[
        str | None,
        typer.Option(
            "--password-file",
            help=_("A file holding the SMTP password (empty: BIZDESK_SMTP_PASSWORD)."),
        ),
    ] = None,
    sendmail: Annotated[
        str | None, typer.Option("--sendmail", help=_("The sendmail program's path."))
    ] = None,
    db: DbOpt = None,
) -> None:
    from bizdesk.services.mail.settings import get_settings, update_settings

    store = open_store(ctx, db)
    changes = {
        "transport": transport,
        "host": host,
        "port": port,
        "security": security,
        "user": user,
        "from_address": from_address,
        "password_file": password_file,
        "sendmail": sendmail,
    }
    if any(value is not None for value in changes.values()):
        with store.write() as uow:
            s = update_settings(uow, **changes)
        say(_("The mail settings were saved."))
    else:
        with store.read() as uow:
            s = get_settings(uow)
    # each line names the option that changes it; the values are typed back as shown
    unset, login = _("not set"), _("none: no login")
    rows = [
        (_("Transport"), "--transport", s.transport),
        (_("Sender"), "--from", s.from_address or unset),
    ]
    if s.transport == "smtp":
        rows += [
            (_("Server"), "--host", s.host or unset),
            (_("Port"), "--port", str(s.port)),
            (_("Security"), "--security", s.security),
            (_("User"), "--user", s.user or login),
            (_("Password"), "--password-file", s.password_source() or login),
        ]
    else:
        rows.append((_("Program"), "--sendmail", s.sendmail))
    for name, option, value in rows:
        say(f"{name} ({option}): {value}")


@mail.command("test", help=_("Send a short test message to ADDRESS now, with these settings."))
def mail_test(
    ctx: typer.Context,
    address: Annotated[str, typer.Argument(help=_("Where to send it."))],
    db: DbOpt = None,
) -> None:
    from bizdesk.services.mail.outbox import send_test

    store = open_store(ctx, db)
    try:
        send_test(store, address)
    except BizdeskError as exc:
        fail(_("The test message was not sent: {reason}").format(reason=str(exc)))
    say(_("A test message was sent to {address}.").format(address=address))


class OutboxState(StrEnum):
    """The states a message of the outbox is in (a state not among them is refused: it
    listed nothing, as if the outbox were empty)."""

    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    UNSURE = "unsure"
    CANCELLED = "cancelled"


@mail.command("outbox", help=_("The messages of the outbox, newest first, with their state."))
def mail_outbox(
    ctx: typer.Context,
    state: Annotated[
        OutboxState | None,
        typer.Option("--state", help=_("Only these: queued, sending, sent, unsure, cancelled.")),
    ] = None,
    db: DbOpt = None,
) -> None:
    from bizdesk.formatting import moment
    from bizdesk.services.base.states import state_word
    from bizdesk.services.base.zones import shop_zone
    from bizdesk.services.mail.outbox import list_outbox

    store = open_store(ctx, db)
    with store.read() as uow:
        rows = list_outbox(uow, state=state.value if state else None)
    if not rows:
        if state is None:
            say(_("The outbox is empty."))
        else:  # (the others are there: "empty" misled a month-end look for failed sends)
            say(
                _("No message of the outbox is {state}.").format(state=str(state_word(state.value)))
            )
        return
    # the errors' column only when a message has one: at 80 columns an address, a date
    # and a document leave no room for an empty column's heading (it folded, in Spanish)
    errors = any(r.last_error for r in rows)
    heads = [_("Id"), _("Queued"), pgettext("e-mail", "To"), _("Document"), _("State")]
    table = Table(*heads, _("Tries"), *([_("Last error")] if errors else []))
    zone = shop_zone(store.settings().get)
    for r in rows:
        table.add_row(
            Text(str(r.id)),
            Text(moment(r.created_at, zone)),
            Text(r.to_address),
            Text(r.doc_label or r.subject),
            Text(str(state_word(r.state))),
            Text(str(r.attempts)),
            *([Text(r.last_error)] if errors else []),
        )
    show(table)


@mail.command(
    "retry",
    help=_(
        "Send the queued messages now, without waiting for their next try (--resend ID: "
        "send again a message whose sending is unsure, after checking it was not received)."
    ),
)
def mail_retry(
    ctx: typer.Context,
    resend: Annotated[
        str | None, typer.Option("--resend", help=_("The id of an unsure message."))
    ] = None,
    db: DbOpt = None,
) -> None:
    from bizdesk.services.mail import outbox

    store = open_store(ctx, db)
    if resend is not None:
        if not is_digits(resend):
            fail(_("--resend: a message's id, a whole number"), 2)
        with store.write() as uow:
            outbox.resend(uow, int(resend))
    done = outbox.deliver(store)
    _said(done)
    if done.left_undone:  # still queued or unsure: exit 1, so that a script (cron) can tell
        raise typer.Exit(1)


@mail.command("cancel", help=_("Never send a queued or unsure message (it stays listed)."))
def mail_cancel(
    ctx: typer.Context,
    message: Annotated[str, typer.Argument(help=_("The message's id."))],
    db: DbOpt = None,
) -> None:
    from bizdesk.services.mail import outbox

    if not is_digits(message):
        fail(_("ID: a message's id, a whole number"), 2)
    store = open_store(ctx, db)
    with store.write() as uow:
        row = outbox.cancel(uow, int(message))
    say(_("Message {id} was cancelled; it will not be sent.").format(id=row.id))


def _said(done) -> None:  # noqa: ANN001
    for line in done.said():
        say(str(line))
