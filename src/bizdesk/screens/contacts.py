"""Contacts tab: the list, a contact's page with its interactions, and the contact forms."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from bizdesk.errors import ValidationError
from bizdesk.formatting import moment, money, visible, visible_text
from bizdesk.models.contacts import CONTACT_KINDS, INTERACTION_KINDS, STAGES
from bizdesk.screens.records import RecordKind, RecordListPane, RecordPage
from bizdesk.services.base.validate import FieldError
from bizdesk.services.crm import contacts as C
from bizdesk.services.crm.contacts import resolve
from bizdesk.services.overview.story import story
from bizdesk.widgets.field import Field
from bizdesk.widgets.form import FormScreen, record_form
from bizdesk.widgets.paged_table import Col, PagedTable
from bizdesk.widgets.pick import PickScreen

COLUMNS = [
    Col("name", "Name", 22),
    Col("email", "Email", 19),
    Col("phone", "Phone", 13),
    Col("city", "City", 10),
    Col("country", "Ctry", 4),
]


def contact_fields(view: C.ContactView | None = None) -> list[Field]:
    d = view.as_input() if view else C.ContactInput()
    return [
        Field("name", "Name", value=d.name, required=True),
        Field("kind", "Kind", "select", d.kind, options=CONTACT_KINDS),
        Field("organization", "Organisation", "organization", d.organization),
        Field("email", "Email", value=d.email),
        Field("phone", "Phone", value=d.phone, placeholder="+44 20 7946 0958"),
        Field("street", "Street", value=d.street),
        Field("postcode", "Postcode", value=d.postcode),
        Field("city", "City", value=d.city),
        Field("country", "Country", value=d.country, placeholder="code or name, e.g. DE"),
        Field("stage", "Stage", "select", d.stage, options=STAGES),
        Field("is_customer", "Customer", "checkbox", d.is_customer),
        Field("is_supplier", "Supplier", "checkbox", d.is_supplier),
        Field("tags", "Tags", value=d.tags, placeholder="separated by ;"),
        Field("owner", "Owner", value=d.owner, placeholder="user name"),
        Field("source", "Source", value=d.source),
        Field("notes", "Notes", "multiline", d.notes),
    ]


def _input(values: dict[str, Any]) -> C.ContactInput:
    return C.ContactInput(**values)


def contact_form(view: C.ContactView | None = None) -> FormScreen:
    """New (view None) or edit; saving over someone else's change is refused."""
    return record_form(
        "contact",
        contact_fields,
        view=view,
        get=C.get,
        create=lambda uow, values: C.create(uow, _input(values)),
        update=lambda uow, cid, values, version: C.update(
            uow, cid, _input(values), version=version
        ),
    )


def interaction_form(contact_id: int) -> FormScreen:
    def save(uow, values):  # noqa: ANN001, ANN202
        return C.log_interaction(uow, contact_id, values["kind"], values["summary"])

    return FormScreen(
        "Log an interaction",
        [
            Field("kind", "Kind", "select", "call", options=INTERACTION_KINDS),
            Field("summary", "What happened", "multiline", required=True),
        ],
        save,
    )


def merge_form(keep: C.ContactView) -> FormScreen:
    def save(uow, values):  # noqa: ANN001, ANN202
        try:
            other = resolve(uow, values["other"])
        except FieldError as exc:
            raise ValidationError({"other": str(exc)}) from None
        return C.merge(uow, keep.id, other.id)

    return FormScreen(
        f"Merge another contact into {keep.name} (#{keep.id})",
        [
            Field(
                "other",
                "The duplicate to merge in (name, email or #id; it will be archived)",
                "contact",
                required=True,
            ),
        ],
        save,
    )


CONTACT = RecordKind(
    "contact",
    get=C.get,
    label=lambda view: view.name,
    page=lambda contact_id: ContactScreen(contact_id),
    form=lambda view, _: contact_form(view),
    archive=C.archive,
    saved_view=lambda saved: saved.contact,
)


class ContactsPane(RecordListPane):
    RECORD = CONTACT
    HELP = (
        "The contacts list: people and organisations. Type / to filter by name, email, "
        "phone or city; s changes the sort. Enter opens a contact's page with its "
        "interactions."
    )
    BINDINGS = [
        Binding("enter", "open", "Open", id="contacts.open", show=False),
        Binding("n", "new", "New", id="contacts.new"),
        Binding("e", "edit", "Edit", id="contacts.edit"),
        Binding("d", "archive", "Archive", id="contacts.archive"),
        Binding("a", "toggle_archived", "Show archived", id="contacts.archived"),
    ]

    def compose(self) -> ComposeResult:
        yield PagedTable(
            C.list_page,
            COLUMNS,
            sorts=("name", "city", "country", "stage", "id"),
            id="contacts-table",
        )

    def archive_question(self, view: C.ContactView) -> str:
        return (
            f"Archive {view.name}? It disappears from lists but "
            "keeps its history; press a to see archived."
        )

    def action_toggle_archived(self) -> None:
        shown = bool(self.table.req.filters.get("archived"))
        self.table.set_filters(archived=not shown)
        self.notify("Showing archived contacts too" if not shown else "Hiding archived")


class ContactScreen(RecordPage):
    """One contact's page: details, tags and every interaction, newest first."""

    RECORD = CONTACT

    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back", id="contact.back"),
        Binding("e", "edit", "Edit", id="contact.edit"),
        Binding("i", "interaction", "Log interaction", id="contact.interaction"),
        Binding("m", "merge", "Merge", id="contact.merge"),
        Binding("d", "archive", "Archive", id="contact.archive"),
        Binding("o", "documents", "Open document", id="contact.documents"),
    ]
    HELP = (
        "A contact's page: their deals, sales orders, invoices (what is unpaid), payments, "
        "tickets, and as a supplier their purchase orders and bills, then every interaction. "
        "o opens any of those documents; e edits, i logs a call, email, meeting, visit or "
        "note, m merges a duplicate into this contact, d archives it, escape goes back."
    )
    DEFAULT_CSS = """
    ContactScreen #body { padding: 0 1; }
    ContactScreen .section { margin-top: 1; text-style: bold; }
    """

    def __init__(self, contact_id: int) -> None:
        super().__init__(contact_id)
        self.contact_id = contact_id

    def body(self) -> ComposeResult:
        yield Static("Loading…", id="details")
        yield Static("", id="story")
        yield Static("Interactions (newest first)", classes="section")
        yield Static("", id="interactions")

    def fetch(self, uow):  # noqa: ANN001, ANN201
        return (
            C.get(uow, self.contact_id),
            C.list_interactions(uow, self.contact_id),
            story(uow, self.contact_id),
        )

    def show(self, loaded) -> None:  # noqa: ANN001
        self.view = v = loaded[0]
        interactions = loaded[1]
        self.story = loaded[2]
        self.query_one("#story", Static).update(visible_text(self._story_text(loaded[2])))
        tz = self.app.store.settings().get("timezone", "UTC")
        roles = [r for r, on_ in (("customer", v.is_customer), ("supplier", v.is_supplier)) if on_]
        lines = [
            (v.name, "bold"),
            (
                f"{v.kind} · stage {v.stage}"
                + (f" · {', '.join(roles)}" if roles else "")
                + (" · ARCHIVED" if v.archived else ""),
                "",
            ),
        ]
        for label, value in (
            ("Organisation", v.organization),
            ("Email", v.email),
            ("Phone", v.phone),
            ("Address", ", ".join(x for x in (v.street, v.postcode, v.city, v.country) if x)),
            ("Tags", ", ".join(v.tags)),
            ("Owner", v.owner),
            ("Source", v.source),
            ("Notes", v.notes),
        ):
            if value:
                lines.append((f"{label}: {value}", ""))
        lines.append(
            (f"Changed {moment(v.updated_at, tz)} by {v.updated_by} · version {v.version}", "dim")
        )
        details = Text()
        for text, style in lines:
            details.append(text + "\n", style=style or None)
        self.query_one("#details", Static).update(visible_text(details))
        log = Text()
        for i in interactions:
            log.append(f"{moment(i.at, tz)}  {i.kind:<8} {i.username}\n", style="bold")
            log.append(f"  {i.summary}\n")
        self.query_one("#interactions", Static).update(
            visible_text(log) if interactions else Text("None yet: press i to log one.")
        )
        self.sub_title = visible(v.name)

    def _story_text(self, st) -> Text:  # noqa: ANN001
        loc = self.app.locale
        t = Text()
        if st.unpaid or st.owed:
            if st.unpaid:
                t.append(f"Owes us {money(st.unpaid, loc)}  ", style="bold")
            if st.owed:
                t.append(f"We owe them {money(st.owed, loc)}", style="bold")
            t.append("\n")
        for title, items in (
            ("Deals", st.deals),
            ("Sales orders", st.orders),
            ("Invoices and credit notes", st.invoices),
            ("Payments", st.payments),
            ("Tickets", st.tickets),
            ("Purchase orders", st.purchases),
            ("Bills", st.bills),
        ):
            if not items:
                continue
            t.append(f"\n{title}\n", style="bold")
            for item in items:
                t.append(f"  {item.day.isoformat() + '  ' if item.day else ''}{item.text}\n")
        return t

    def action_documents(self) -> None:
        docs = getattr(self, "story", None)
        if docs is None or not docs.documents:
            self.notify("No deals, orders, invoices or tickets for this contact yet")
            return
        self.app.push_screen(
            PickScreen("Open which document?", [(i.text, (i.kind, i.id)) for i in docs.documents]),
            lambda target: target and self.app.action_open_record(*target),
        )

    def action_interaction(self) -> None:
        self.app.push_screen(interaction_form(self.contact_id), lambda r: r and self.load())

    def action_merge(self) -> None:
        if self.view is None:
            return
        self.app.push_screen(
            merge_form(self.view),
            lambda r: (
                r
                and (
                    self.notify("Merged; the other contact is archived", markup=False),
                    self.load(),
                )
            ),
        )
