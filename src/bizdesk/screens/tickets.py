"""Tickets tab: queues, a ticket's page with its thread and SLA clocks, replies and notes."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from bizdesk.formatting import moment, visible_text
from bizdesk.models.tickets import PRIORITIES, STATUSES
from bizdesk.screens.records import RecordKind, RecordListPane, RecordPage
from bizdesk.services.crm import tickets as T
from bizdesk.widgets.field import Field
from bizdesk.widgets.form import FormScreen, record_form
from bizdesk.widgets.paged_table import Col, PagedTable

QUEUES = {
    "1": ("mine", "Mine"),
    "2": ("unassigned", "Unassigned"),
    "3": ("overdue", "Overdue"),
    "4": ("open", "All open"),
    "5": ("all", "All"),
}

COLUMNS = [
    Col("id", "#", 5, right=True),
    Col("subject", "Subject", 20),
    Col("contact", "Contact", 12),
    Col("priority", "Prio", 6),
    Col("status", "Status", 7),
    Col("assignee", "Assignee", 8),
    Col("sla", "SLA", 8, fmt=lambda s: s.upper() if s in ("breached", "at risk") else s),
]


def ticket_fields(view: T.TicketView | None = None) -> list[Field]:
    d = view.as_input() if view else T.TicketInput()
    return [
        Field("subject", "Subject", value=d.subject, required=True),
        Field("contact", "Contact", "contact", d.contact, placeholder="type a name; or #id"),
        Field("priority", "Priority", "select", d.priority, options=PRIORITIES),
        Field("assignee", "Assignee", value=d.assignee, placeholder="user name"),
        Field("description", "Description", "multiline", d.description),
        Field(
            "link_kind",
            "Linked to",
            value=d.link_kind,
            placeholder="sales_order, purchase_order or product",
        ),
        Field("link_id", "Linked document number", value=d.link_id),
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
    title = "Internal note (not sent to the customer)" if internal else "Reply to the customer"
    return FormScreen(
        title,
        [Field("body", "Text", "multiline", required=True)],
        lambda uow, v: T.add_comment(uow, ticket_id, v["body"], internal=internal),
    )


def status_form(view: T.TicketView) -> FormScreen:
    allowed = tuple(s for s in STATUSES if s in T.TRANSITIONS[view.status])
    return FormScreen(
        f"Status of #{view.id} (now {view.status})",
        [Field("status", "New status", "select", allowed[0], options=allowed)],
        lambda uow, v: T.set_status(uow, view.id, v["status"], version=view.version),
    )


TICKET = RecordKind(
    "ticket",
    get=T.get,
    label=lambda view: f"ticket #{view.id}",
    page=lambda ticket_id: TicketScreen(ticket_id),
    form=lambda view, _: ticket_form(view),
)


class TicketsPane(RecordListPane):
    RECORD = TICKET
    HELP = (
        "Support tickets by queue: 1 mine, 2 unassigned, 3 overdue, 4 all open, 5 all. "
        "The SLA column says ok, AT RISK, BREACHED, paused (waiting on the customer) or "
        "met. Enter opens a ticket; n creates one."
    )
    BINDINGS = [
        Binding("n", "new", "New", id="tickets.new"),
        *(
            Binding(k, f"queue('{q}')", label, id=f"tickets.queue.{q}")
            for k, (q, label) in QUEUES.items()
        ),
    ]

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
            Text(f"Queue: {label}   (1 mine · 2 unassigned · 3 overdue · 4 open · 5 all)")
        )

    def action_queue(self, queue: str) -> None:
        self._title(queue)
        self.table.set_filters(queue=queue)


class TicketScreen(RecordPage):
    """One ticket: who, what, the SLA clocks in words, and the thread oldest first."""

    RECORD = TICKET

    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back", id="ticket.back"),
        Binding("r", "reply", "Reply", id="ticket.reply"),
        Binding("i", "note", "Internal note", id="ticket.note"),
        Binding("s", "status", "Status", id="ticket.status"),
        Binding("e", "edit", "Edit", id="ticket.edit"),
        Binding("o", "linked", "Linked document", id="ticket.linked"),
        Binding("g", "contact", "Contact", id="ticket.contact"),
    ]
    HELP = (
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
        yield Static("Loading…", id="ticket")

    def fetch(self, uow):  # noqa: ANN001, ANN201
        return T.get(uow, self.ticket_id)

    def action_linked(self) -> None:
        v = self.view
        if v is None or not v.link_kind:
            self.notify("This ticket is not about an order or a product (e links one)")
            return
        self.app.action_open_record(v.link_kind, v.link_id)

    def action_contact(self) -> None:
        if self.view is not None and self.view.contact_id:
            self.app.action_open_record("contact", self.view.contact_id)

    def show(self, v: T.TicketView) -> None:
        tz = self.app.store.settings().get("timezone", "UTC")
        t = Text()
        t.append(f"#{v.id} {v.subject}\n", style="bold")
        t.append(f"Status {v.status} · priority {v.priority} · assignee {v.assignee or 'nobody'}\n")
        if v.contact:
            t.append(f"Contact: {v.contact} (#{v.contact_id})\n")
        if v.link_kind:
            t.append(f"About {v.link_kind.replace('_', ' ')} #{v.link_id} (o opens it)\n")
        t.append(f"Opened {moment(v.created_at, tz)}\n")
        for name, clock in (("First response", v.first_response), ("Resolution", v.resolution)):
            style = (
                "bold reverse"
                if clock.state == "breached"
                else ("bold" if clock.state == "at risk" else "")
            )
            due = f"due {moment(clock.due, tz)}" if clock.due else "no due time"
            t.append(f"{name}: ")
            t.append(clock.state.upper(), style=style)
            t.append(f" ({due})\n")
        if v.description:
            t.append("\n" + v.description + "\n")
        t.append("\nThread\n", style="bold")
        if not v.comments:
            t.append("No replies yet: r replies, i adds an internal note.\n", style="dim")
        for c in v.comments:
            kind = "INTERNAL NOTE" if c.internal else "reply"
            t.append(
                f"{moment(c.at, tz)} {c.username} · {kind}\n",
                style="bold" if not c.internal else "italic",
            )
            t.append(c.body + "\n\n")
        self.query_one("#ticket", Static).update(visible_text(t))
        self.sub_title = f"Ticket #{v.id}"

    def _then_reload(self, result) -> None:  # noqa: ANN001
        if result is not None:
            self.load()

    def action_reply(self) -> None:
        self.app.push_screen(comment_form(self.ticket_id, False), self._then_reload)

    def action_note(self) -> None:
        self.app.push_screen(comment_form(self.ticket_id, True), self._then_reload)

    def action_status(self) -> None:
        if self.view is not None:
            self.app.push_screen(status_form(self.view), self._then_reload)
