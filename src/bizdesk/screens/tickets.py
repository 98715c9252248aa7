"""Tickets tab: queues, a ticket's page with its thread and SLA clocks, replies and notes."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from bizdesk.formatting import moment, visible_text
from bizdesk.i18n import N_, Message, _
from bizdesk.models.tickets import PRIORITIES, STATUSES
from bizdesk.screens.records import RecordKind, RecordListPane, RecordPage
from bizdesk.services.crm import tickets as T
from bizdesk.services.overview.dashboard import BESIDE_THE_BOOKS
from bizdesk.widgets.field import Field
from bizdesk.widgets.form import FormScreen, record_form
from bizdesk.widgets.paged_table import Col, PagedTable
from bizdesk.words import AUDIT_ENTITY_NAMES, PRIORITY_NAMES, SLA_NAMES, TICKET_STATUS_NAMES

QUEUES = {
    "1": ("mine", N_("Mine")),
    "2": ("unassigned", N_("Unassigned")),
    "3": ("overdue", N_("Overdue")),
    "4": ("open", N_("All open")),
    "5": ("all", Message.pgettext("tickets queue", "All")),  # (Spanish: feminine, incidencias)
}

# What a ticket can be about (its link_kind), as people read it.
LINK_NAMES = {
    "sales_order": N_("sales order"),
    "purchase_order": N_("purchase order"),
    "product": N_("product"),
}


def _sla(state: str) -> str:
    """The SLA column: a clock in danger in capitals (AT RISK, BREACHED)."""
    shown = _(SLA_NAMES.get(state, state))
    return shown.upper() if state in ("breached", "at risk") else shown


COLUMNS = [
    Col("id", "#", 5, right=True),
    Col("subject", N_("Subject"), 20),
    Col("contact", N_("Contact"), 12),
    Col(
        "priority",
        N_("Prio"),
        6,
        fmt=lambda p: _(PRIORITY_NAMES.get(p, p)),
        shows=tuple(PRIORITY_NAMES),
    ),
    Col(
        "status",
        N_("Status"),
        7,
        fmt=lambda s: _(TICKET_STATUS_NAMES.get(s, s)),
        shows=tuple(TICKET_STATUS_NAMES),
    ),
    Col("assignee", N_("Assignee"), 8),
    Col("sla", N_("SLA"), 8, fmt=_sla),
]


def ticket_fields(view: T.TicketView | None = None) -> list[Field]:
    d = view.as_input() if view else T.TicketInput()
    return [
        Field("subject", N_("Subject"), value=d.subject, required=True),
        Field(
            "contact", N_("Contact"), "contact", d.contact, placeholder=N_("type a name; or #id")
        ),
        Field(
            "priority",
            N_("Priority"),
            "select",
            d.priority,
            options=PRIORITIES,
            option_labels=PRIORITY_NAMES,
        ),
        Field("assignee", N_("Assignee"), value=d.assignee, placeholder=N_("user name")),
        Field("description", N_("Description"), "multiline", d.description),
        Field(
            "link_kind",
            N_("Linked to"),
            "select",
            d.link_kind or "",
            options=("", *T.LINK_KINDS),
            option_labels={"": N_("nothing"), **{k: AUDIT_ENTITY_NAMES[k] for k in T.LINK_KINDS}},
        ),
        Field("link_id", N_("Linked document number"), value=d.link_id),
    ]


def ticket_form(view: T.TicketView | None = None) -> FormScreen:
    return record_form(
        "ticket",
        ticket_fields,
        view=view,
        get=T.get,
        create=lambda uow, values: T.create(uow, T.TicketInput(**values)),
        update=lambda uow, tid, values, version: T.update(
            uow, tid, T.TicketInput(**values), version=version
        ),
    )


def comment_form(ticket_id: int, internal: bool) -> FormScreen:
    if internal:
        title = _("Internal note (not sent to the customer)")
    else:
        title = _("Reply to the customer")
    return FormScreen(
        title,
        [Field("body", N_("Text"), "multiline", required=True)],
        lambda uow, v: T.add_comment(uow, ticket_id, v["body"], internal=internal),
    )


def status_form(view: T.TicketView) -> FormScreen:
    allowed = tuple(s for s in STATUSES if s in T.TRANSITIONS[view.status])
    return FormScreen(
        _("Status of #{id} (now {status})").format(
            id=view.id, status=_(TICKET_STATUS_NAMES.get(view.status, view.status))
        ),
        [
            Field(
                "status",
                N_("New status"),
                "select",
                allowed[0],
                options=allowed,
                option_labels=TICKET_STATUS_NAMES,
            )
        ],
        lambda uow, v: T.set_status(uow, view.id, v["status"], version=view.version),
    )


TICKET = RecordKind(
    "ticket",
    get=T.get,
    label=lambda view: _("ticket #{id}").format(id=view.id),
    page=lambda ticket_id: TicketScreen(ticket_id),
    form=lambda view, _: ticket_form(view),
)


class TicketsPane(RecordListPane):
    RECORD = TICKET
    HELP = N_(
        "Support tickets by queue: 1 mine, 2 unassigned, 3 overdue, 4 all open, 5 all. "
        "The SLA column says ok, AT RISK, BREACHED, paused (waiting on the customer) or "
        "met. Enter opens a ticket; n creates one."
    )
    BINDINGS = [
        Binding("n", "new", N_("New"), id="tickets.new"),
        *(
            Binding(k, f"queue('{q}')", label, id=f"tickets.queue.{q}")
            for k, (q, label) in QUEUES.items()
        ),
    ]
    # tickets with their contact; nothing else of the customer side (app.shows_any)
    NOT_SHOWN = BESIDE_THE_BOOKS - {"ticket", "ticket_comment", "contact"}
    NEW_NOT_SHOWN = frozenset({"contact"})  # a new contact has no ticket yet

    def compose(self) -> ComposeResult:
        yield Static("", id="queue-title", classes="pane-title")
        yield PagedTable(
            T.list_page,
            COLUMNS,
            sorts=("id", "subject"),
            filters={"queue": "open"},
            id="tickets-table",
        )

    def on_mount(self) -> None:
        self._title("open")

    def _title(self, queue: str) -> None:
        label = next(lbl for q, lbl in QUEUES.values() if q == queue)
        self.query_one("#queue-title", Static).update(
            Text(
                _("Queue: {queue}   (1 mine · 2 unassigned · 3 overdue · 4 open · 5 all)").format(
                    queue=_(label)
                )
            )
        )

    def action_queue(self, queue: str) -> None:
        self._title(queue)
        self.table.set_filters(queue=queue)


class TicketScreen(RecordPage):
    """One ticket: who, what, the SLA clocks in words, and the thread oldest first."""

    AUDIT_ENTITY = "ticket"

    RECORD = TICKET

    BINDINGS = [
        Binding("escape", "app.pop_screen", N_("Back"), id="ticket.back"),
        Binding("r", "reply", N_("Reply"), id="ticket.reply"),
        Binding("i", "note", N_("Internal note"), id="ticket.note"),
        Binding("s", "status", N_("Status"), id="ticket.status"),
        Binding("e", "edit", N_("Edit"), id="ticket.edit"),
        Binding("o", "linked", N_("Linked document"), id="ticket.linked"),
        Binding("g", "contact", N_("Contact"), id="ticket.contact"),
    ]
    HELP = N_(
        "A ticket's page. r replies to the customer (the first reply stops the "
        "first-response clock), i adds an internal note, s changes the status (waiting "
        "pauses the resolution clock; a resolved or closed ticket can be reopened), "
        "e edits (and links the ticket to a sales order, purchase order or product), o opens "
        "that document, g the contact, escape goes back."
    )

    def __init__(self, ticket_id: int) -> None:
        super().__init__(ticket_id)
        self.ticket_id = ticket_id

    def body(self) -> ComposeResult:
        yield Static(_("Loading…"), id="ticket")

    def fetch(self, uow):  # noqa: ANN001, ANN201
        return T.get(uow, self.ticket_id)

    def action_linked(self) -> None:
        v = self.view
        if v is None or not v.link_kind:
            self.notify(_("This ticket is not about an order or a product (e links one)"))
            return
        self.app.action_open_record(v.link_kind, v.link_id)

    def action_contact(self) -> None:
        if self.view is not None and self.view.contact_id:
            self.app.action_open_record("contact", self.view.contact_id)

    def show(self, v: T.TicketView) -> None:
        tz = self.app.zone
        t = Text()
        t.append(f"#{v.id} {v.subject}\n", style="bold")
        t.append(
            _("Status {status} · priority {priority} · assignee {assignee}").format(
                status=_(TICKET_STATUS_NAMES.get(v.status, v.status)),
                priority=_(PRIORITY_NAMES.get(v.priority, v.priority)),
                assignee=v.assignee or _("nobody"),
            )
            + "\n"
        )
        if v.contact:
            t.append(_("Contact: {name} (#{id})").format(name=v.contact, id=v.contact_id) + "\n")
        if v.link_kind:
            t.append(
                _("About {document} {label} (o opens it)").format(
                    document=_(LINK_NAMES.get(v.link_kind, v.link_kind.replace("_", " "))),
                    label=v.link_label,  # SO-00012, a SKU: its id is not its number
                )
                + "\n"
            )
        t.append(_("Opened {when}").format(when=moment(v.created_at, tz)) + "\n")
        for name, clock in (
            (_("First response: {state} ({due})"), v.first_response),
            (_("Resolution: {state} ({due})"), v.resolution),
        ):
            style = (
                "bold reverse"
                if clock.state == "breached"
                else ("bold" if clock.state == "at risk" else "")
            )
            due = (
                _("due {when}").format(when=moment(clock.due, tz))
                if clock.due
                else _("no due time")
            )
            before, _sep, after = name.partition("{state}")
            t.append(before.format(due=due))
            t.append(_(SLA_NAMES.get(clock.state, clock.state)).upper(), style=style)
            t.append(after.format(due=due) + "\n")
        if v.description:
            t.append("\n" + v.description + "\n")
        t.append("\n" + _("Thread") + "\n", style="bold")
        if not v.comments:
            t.append(_("No replies yet: r replies, i adds an internal note.") + "\n", style="dim")
        for c in v.comments:
            kind = _("INTERNAL NOTE") if c.internal else _("reply")
            t.append(
                f"{moment(c.at, tz)} {c.username} · {kind}\n",
                style="bold" if not c.internal else "italic",
            )
            t.append(c.body + "\n\n")
        self.query_one("#ticket", Static).update(visible_text(t))
        self.sub_title = _("Ticket #{id}").format(id=v.id)

    def _then_reload(self, result) -> None:  # noqa: ANN001
        if result is not None:
            self.load()

    def action_reply(self) -> None:
        self.app.push_screen(comment_form(self.ticket_id, False), self._replied)

    def _replied(self, result) -> None:  # noqa: ANN001
        said = T.stays_closed(result, internal=False) if result is not None else None
        if said is not None:  # a reply does not reopen a ticket: the one replying is told
            self.notify(f"{said} " + _("(s changes the status)"), timeout=10)
        self._then_reload(result)

    def action_note(self) -> None:
        self.app.push_screen(comment_form(self.ticket_id, True), self._then_reload)

    def action_status(self) -> None:
        if self.view is not None:
            self.app.push_screen(status_form(self.view), self._then_reload)
