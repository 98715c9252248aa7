"""Contacts tab: the list, a contact's page with its interactions, and the contact forms."""

from __future__ import annotations

from datetime import date
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from bizdesk.errors import ValidationError
from bizdesk.formatting import day, moment, money, visible, visible_text
from bizdesk.i18n import LANGUAGE_NAMES, LANGUAGES, N_, _, tr
from bizdesk.models.contacts import CONTACT_KINDS, INTERACTION_KINDS, STAGES
from bizdesk.screens.marketing import consent_form
from bizdesk.screens.orders import account_field, settle_form
from bizdesk.screens.records import (
    RecordKind,
    RecordListPane,
    RecordPage,
    SendsPapers,
    print_paper,
)
from bizdesk.services.base.permissions import allowed, can
from bizdesk.services.base.validate import FieldError
from bizdesk.services.crm import contacts as C
from bizdesk.services.crm import terms
from bizdesk.services.crm.contacts import resolve
from bizdesk.services.marketing.consent import get_consent, in_words
from bizdesk.services.overview.story import open_business, story
from bizdesk.services.trade import purchasing as PU
from bizdesk.services.trade import sales as SA
from bizdesk.widgets.confirm import ConfirmScreen
from bizdesk.widgets.field import DATE_FORM, Field
from bizdesk.widgets.form import FormScreen, record_form
from bizdesk.widgets.paged_table import Col, PagedTable
from bizdesk.widgets.pick import PickScreen
from bizdesk.words import CONTACT_KIND_NAMES, CONTACT_STAGE_NAMES, INTERACTION_NAMES


def _archived(row: C.ContactRow) -> str:
    """The mark of an archived contact in the list that shows them too (a shows them with the
    live ones, which looked the same)."""
    return _("ARCHIVED") if row.archived else ""


COLUMNS = [
    Col("name", N_("Name"), 22, mark=_archived),
    Col("email", N_("Email"), 19),
    Col("phone", N_("Phone"), 13),
    Col("city", N_("City"), 10),
    Col("country", N_("Ctry"), 4),
]
# The model's words for a contact's stage, as people read them.
STAGE_NAMES = CONTACT_STAGE_NAMES


def contact_fields(
    view: C.ContactView | None = None, examples: C.FormExamples | None = None
) -> list[Field]:
    d = view.as_input() if view else C.ContactInput()
    e = examples or C.form_examples({})
    return [
        Field("name", N_("Name"), value=d.name, required=True),
        Field(
            "kind",
            N_("Kind"),
            "select",
            d.kind,
            options=CONTACT_KINDS,
            option_labels=CONTACT_KIND_NAMES,
        ),
        Field("organization", N_("Organisation"), "organization", d.organization),
        Field("email", N_("Email"), value=d.email),
        Field("phone", N_("Phone"), value=d.phone, placeholder=e.phone),
        Field("street", N_("Street"), value=d.street),
        Field("postcode", N_("Postcode"), value=d.postcode),
        Field("city", N_("City"), value=d.city),
        Field(
            "country",
            N_("Country"),
            value=d.country,
            placeholder=_("code or name, e.g. {code}").format(code=e.country),
        ),
        Field(
            "vat_id",
            N_("VAT id"),
            value=d.vat_id,
            placeholder=_("e.g. {example}").format(example=e.vat_id),
        ),
        Field("birth_date", N_("Birth date"), value=d.birth_date, placeholder=DATE_FORM),
        Field(
            "language",
            N_("Documents in"),
            "select",
            d.language,
            options=("", *LANGUAGES),
            option_labels={"": N_("the shop's language"), **LANGUAGE_NAMES},
        ),
        Field("stage", N_("Stage"), "select", d.stage, options=STAGES, option_labels=STAGE_NAMES),
        Field("is_customer", N_("Customer"), "checkbox", d.is_customer),
        Field("is_supplier", N_("Supplier"), "checkbox", d.is_supplier),
        Field(
            "payment_terms",
            N_("Payment terms"),
            value=d.payment_terms,
            placeholder=N_("net 30 days, or end of month + 10 days"),
        ),
        Field("tags", N_("Tags"), value=d.tags, placeholder=N_("separated by ;")),
        Field("owner", N_("Owner"), value=d.owner, placeholder=N_("user name")),
        Field("source", N_("Source"), value=d.source),
        Field("notes", N_("Notes"), "multiline", d.notes),
    ]


def _input(values: dict[str, Any]) -> C.ContactInput:
    return C.ContactInput(**values)


def contact_form(
    view: C.ContactView | None = None, examples: C.FormExamples | None = None
) -> FormScreen:
    """New (view None) or edit; saving over someone else's change is refused. ``examples``:
    the shop's region's phone number, country and VAT id (C.form_examples)."""
    return record_form(
        "contact",
        lambda shown: contact_fields(shown, examples),
        view=view,
        get=C.get,
        create=lambda uow, values: C.create(uow, _input(values)),
        update=lambda uow, cid, values, version: C.update(
            uow, cid, _input(values), version=version
        ),
    )


def interaction_form(contact_id: int) -> FormScreen:
    def save(uow, values):  # noqa: ANN001, ANN202
        return C.log_interaction(uow, contact_id, values["kind"], values["summary"], values["at"])

    return FormScreen(
        _("Log an interaction"),
        [
            Field(
                "kind",
                N_("Kind"),
                "select",
                "call",
                options=INTERACTION_KINDS,
                option_labels=INTERACTION_NAMES,
            ),
            Field("summary", N_("What happened"), "multiline", required=True),
            Field("at", N_("When"), placeholder=N_("{form} HH:MM, empty: now")),
        ],
        save,
    )


def merge_form(keep: C.ContactView) -> FormScreen:
    """Which contact to merge in: the form names it (nothing is written); the page asks
    before merging (it cannot be undone)."""

    def save(uow, values):  # noqa: ANN001, ANN202
        try:
            other = resolve(uow, values["other"])
        except FieldError as exc:
            raise ValidationError({"other": str(exc)}) from None
        if other.id == keep.id:
            raise ValidationError({"other": _("that is this contact; name the duplicate")})
        return C.get(uow, other.id)

    return FormScreen(
        _("Merge another contact into {name} (#{id})").format(name=keep.name, id=keep.id),
        [
            Field(
                "other",
                N_("The duplicate to merge in (name, email or #id; it will be archived)"),
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
    form=contact_form,
    prepare_now=C.form_examples,
    archive=C.archive,
    restore=C.unarchive,
    still_open=open_business,
    saved_view=lambda saved: saved.contact,
)


def archive_or_restore(action: str, archived: bool | None) -> bool:
    """d archives a contact and restores an archived one: the footer names what it does
    (``archived`` None: no contact to act on, d says to select one)."""
    if action == "archive":
        return not archived
    if action == "restore":
        return bool(archived)
    return True


class ContactsPane(RecordListPane):
    RECORD = CONTACT
    HELP = N_(
        "The contacts list: people and organisations. Type / to filter by name, email, "
        "phone or city; s changes the sort. Enter opens a contact's page with its "
        "interactions."
    )
    BINDINGS = [
        Binding("enter", "open", N_("Open"), id="contacts.open", show=False),
        Binding("n", "new", N_("New"), id="contacts.new"),
        Binding("e", "edit", N_("Edit"), id="contacts.edit"),
        Binding("d", "archive", N_("Archive"), id="contacts.archive"),
        Binding("d", "restore", N_("Restore"), id="contacts.restore"),
        Binding("a", "toggle_archived", N_("Show archived"), id="contacts.archived"),
    ]

    def compose(self) -> ComposeResult:
        yield PagedTable(
            C.list_page,
            COLUMNS,
            sorts=("name", "city", "country", "stage", "id"),
            id="contacts-table",
        )

    def archive_question(self, view: C.ContactView) -> str:
        return _(
            "Archive {name}? It disappears from lists but keeps its history; press a to see "
            "archived."
        ).format(name=view.name)

    def archive_open_question(self, view: C.ContactView, open_now: Any) -> str:  # noqa: ANN401
        return _(
            "{name} still has {open}. Archive it all the same? It disappears from lists but "
            "keeps its history; press a to see archived."
        ).format(name=view.name, open=open_now)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        row = self.table.selected if self.is_mounted else None
        return archive_or_restore(action, None if row is None else row.archived)

    @on(PagedTable.Changed)
    def _moved(self) -> None:
        self.refresh_bindings()

    def action_toggle_archived(self) -> None:
        shown = bool(self.table.req.filters.get("archived"))
        self.table.set_filters(archived=not shown)
        self.notify(_("Showing archived contacts too") if not shown else _("Hiding archived"))


def _follow_ups(rows: list) -> Text:
    """A contact's open follow-up activities (services/crm/nurture), for its page."""
    from bizdesk.services.crm.nurture import KIND_NAMES as ACTIVITY_NAMES

    t = Text()
    if rows:
        t.append("\n" + _("Follow-ups to do") + "\n", style="bold")
    for r in rows:
        kind = _(ACTIVITY_NAMES.get(r.kind, r.kind))
        t.append(f"  {day(r.due)}  {kind:<8} {visible(r.text)}  ({r.assignee})\n")
    return t


class ContactScreen(SendsPapers, RecordPage):
    """One contact's page: details, tags and every interaction, newest first."""

    AUDIT_ENTITY = "contact"

    RECORD = CONTACT

    BINDINGS = [
        Binding("escape", "app.pop_screen", N_("Back"), id="contact.back"),
        Binding("e", "edit", N_("Edit"), id="contact.edit"),
        Binding("i", "interaction", N_("Log interaction"), id="contact.interaction"),
        Binding("m", "merge", N_("Merge"), id="contact.merge"),
        Binding("d", "archive", N_("Archive"), id="contact.archive"),
        Binding("d", "restore", N_("Restore"), id="contact.restore"),
        Binding("o", "documents", N_("Open document"), id="contact.documents"),
        Binding("s", "statement", N_("Statement"), id="contact.statement"),
        Binding("t", "mail_statement", N_("E-mail statement"), show=False, id="contact.mail"),
        Binding("c", "consent", N_("Consent"), id="contact.consent"),
        Binding("p", "pay", N_("Payment"), id="contact.pay"),
    ]
    HELP = N_(
        "A contact's page: their deals, sales orders, invoices (what is unpaid), payments, "
        "tickets, and as a supplier their purchase orders and bills, then every interaction. "
        "o opens any of those documents; s writes their account statement as a PDF, t e-mails "
        "it to them (from 1 January to today); c records their e-mail consent; p records one "
        "payment of several of their open invoices (or bills), each in full or in part; e "
        "edits, "
        "i logs a call, email, meeting, visit or note, m merges a duplicate into this "
        "contact, d archives it (or restores it, once archived), escape goes back."
    )
    DEFAULT_CSS = """
    ContactScreen #body { padding: 0 1; }
    ContactScreen .section { margin-top: 1; text-style: bold; }
    """

    def __init__(self, contact_id: int) -> None:
        super().__init__(contact_id)
        self.contact_id = contact_id

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "history":
            return self.may_see_history()
        v = self.view
        return archive_or_restore(action, None if v is None else v.archived)

    def body(self) -> ComposeResult:
        yield Static(_("Loading…"), id="details")
        yield Static("", id="story")
        yield Static(_("Interactions (newest first)"), classes="section")
        yield Static("", id="interactions")

    def fetch(self, uow):  # noqa: ANN001, ANN201
        from bizdesk.services.crm.followups import for_contact
        from bizdesk.services.dunning.reminders import reminders_of

        return (
            C.get(uow, self.contact_id),
            C.list_interactions(uow, self.contact_id),
            story(uow, self.contact_id),
            reminders_of(uow, self.contact_id, 20) if can(uow, "reminders.view") else [],
            get_consent(uow, self.contact_id) if can(uow, "consent.see") else False,
            for_contact(uow, self.contact_id) if can(uow, "followups.view") else [],
        )

    def show(self, loaded) -> None:  # noqa: ANN001
        self.view = v = loaded[0]
        interactions = loaded[1]
        self.story = loaded[2]
        text = self._story_text(loaded[2])
        if loaded[3]:
            text.append("\n" + _("Payment reminders") + "\n", style="bold")
            for r in loaded[3]:
                line = _("{number}  level {level}, {name}  {amount}").format(
                    number=r.label,
                    level=r.level,
                    name=r.level_name,
                    amount=money(r.overdue + r.fee, self.app.locale),
                )
                text.append(f"  {day(r.issued_on)}  {line}\n")
        text.append_text(_follow_ups(loaded[5]))
        self.query_one("#story", Static).update(visible_text(text))
        tz = self.app.zone
        roles = [
            r for r, on_ in ((_("customer"), v.is_customer), (_("supplier"), v.is_supplier)) if on_
        ]
        lines = [
            (v.name, "bold"),
            (
                _("{kind} · stage {stage}").format(
                    kind=_(CONTACT_KIND_NAMES.get(v.kind, v.kind)),
                    stage=_(STAGE_NAMES.get(v.stage, v.stage)),
                )
                + (f" · {', '.join(roles)}" if roles else "")
                + (" · " + _("ARCHIVED") if v.archived else ""),
                "",
            ),
        ]
        for label, value in (
            (_("Organisation: {value}"), v.organization),
            (_("Email: {value}"), v.email),
            (
                _("E-mail consent: {value}"),
                tr(in_words(loaded[4])) if loaded[4] is not False else "",
            ),
            (_("Phone: {value}"), v.phone),
            (
                _("Address: {value}"),
                ", ".join(x for x in (v.street, v.postcode, v.city, v.country) if x),
            ),
            (_("VAT id: {value}"), v.vat_id),
            (_("Born: {value}"), day(v.birth_date)),
            (_("Documents in: {value}"), LANGUAGE_NAMES.get(v.language, "")),
            (_("Tags: {value}"), ", ".join(v.tags)),
            (_("Owner: {value}"), v.owner),
            (_("Source: {value}"), v.source),
            (_("Payment terms: {value}"), terms.shown(v.payment_terms)),
            (_("Notes: {value}"), v.notes),
        ):
            if value:
                lines.append((label.format(value=value), ""))
        lines.append(
            (
                _("Changed {when} by {user} · version {version}").format(
                    when=moment(v.updated_at, tz), user=v.updated_by, version=v.version
                ),
                "dim",
            )
        )
        details = Text()
        for text, style in lines:
            details.append(text + "\n", style=style or None)
        self.query_one("#details", Static).update(visible_text(details))
        log = Text()
        for i in interactions:
            kind = _(INTERACTION_NAMES.get(i.kind, i.kind))
            log.append(f"{moment(i.at, tz)}  {kind:<8} {i.username}\n", style="bold")
            log.append(f"  {i.summary}\n")
        self.query_one("#interactions", Static).update(
            visible_text(log) if interactions else Text(_("None yet: press i to log one."))
        )
        self.sub_title = visible(v.name)

    def _story_text(self, st) -> Text:  # noqa: ANN001
        loc = self.app.locale
        t = Text()
        if st.unpaid or st.owed:
            if st.unpaid:
                t.append(_("Owes us {amount}").format(amount=money(st.unpaid, loc)), style="bold")
                t.append("  ", style="bold")
            if st.owed:
                t.append(_("We owe them {amount}").format(amount=money(st.owed, loc)), style="bold")
            t.append("\n")
        for title, items in (
            (_("Deals"), st.deals),
            (_("Sales orders"), st.orders),
            (_("Invoices and credit notes"), st.invoices),
            (_("Payments"), st.payments),
            (_("Tickets"), st.tickets),
            (_("Purchase orders"), st.purchases),
            (_("Bills"), st.bills),
        ):
            if not items:
                continue
            t.append(f"\n{title}\n", style="bold")
            for item in items:
                t.append(f"  {day(item.day) + '  ' if item.day else ''}{item.text}\n")
        return t

    def action_consent(self) -> None:
        """Record the contact's e-mail consent (opted in or out, and how)."""
        if self.view is None or not self.app.allowed_or_told("consent.edit"):
            return
        cid, name = self.contact_id, self.view.name
        self.run_service(
            lambda uow: get_consent(uow, cid),
            write=False,
            done=lambda now: self.app.push_screen(
                consent_form(cid, name, now), lambda saved: saved and self.load()
            ),
        )

    def action_pay(self) -> None:
        """One payment received from the contact for several of their open invoices, or
        made to them for several of their bills (a pick first when there are both)."""
        if self.view is None:
            return
        app, cid = self.app, self.contact_id
        if not allowed(app.role, "sales.pay") and not allowed(app.role, "purchases.pay"):
            app.allowed_or_told("sales.pay")
            return

        def fetch(uow):  # noqa: ANN001, ANN202
            from bizdesk.services.books.ledger import payment_accounts

            return (
                SA.open_invoices(uow, cid) if can(uow, "sales.pay") else [],
                PU.open_bills(uow, cid) if can(uow, "purchases.pay") else [],
                # read here, in the worker: ``account_field`` draws them on the screen
                [(a.code, a.name, a.role) for a in payment_accounts(uow)],
            )

        self.run_service(fetch, write=False, done=self._pay_which)

    def _pay_which(self, found: tuple[list, list, list]) -> None:
        invoices, bills, accounts = found
        name = self.view.name
        forms = []
        if invoices:
            forms.append(
                (
                    _("Receive a payment for {name}'s invoices").format(name=name),
                    (N_("Paid into"), invoices, SA.settle_invoices),
                )
            )
        if bills:
            forms.append(
                (
                    _("Pay {name}'s bills").format(name=name),
                    (N_("Paid from"), bills, PU.settle_bills),
                )
            )
        if not forms:
            self.notify(
                _(
                    "{name} has no open invoice or bill. A balance posted by a journal entry "
                    "is settled by a journal entry (Journal tab, n)."
                ).format(name=name),
                markup=False,
            )
            return

        def open_form(chosen: tuple) -> None:
            title = next(t for t, c in forms if c is chosen)
            label, docs, settle = chosen
            account = account_field(accounts, "bank")
            form = settle_form(title, docs, self.app.locale, label, account, settle)
            self.app.push_screen(form, self._paid)

        if len(forms) == 1:
            open_form(forms[0][1])
        else:
            self.app.push_screen(
                PickScreen(_("A payment for which?"), forms), lambda c: c and open_form(c)
            )

    def _paid(self, entry: Any) -> None:  # noqa: ANN401
        if entry:
            self.notify(_("Payment recorded"), markup=False)
            self.load()

    def action_statement(self) -> None:
        from bizdesk.services.papers import statement_label

        cid = self.record_id
        label = statement_label(cid, date.today())
        print_paper(self, "statement", f"#{cid}", label, period=True)

    def action_mail_statement(self) -> None:
        """E-mail the contact's statement over a period asked in the form (by default 1
        January to today), as `bizdesk send statement` does."""
        from bizdesk.services.papers import statement_label

        cid = self.record_id
        self.mail([(statement_label(cid, date.today()), ("statement", f"#{cid}"))])

    def action_documents(self) -> None:
        docs = getattr(self, "story", None)
        if docs is None or not docs.documents:
            self.notify(_("No deals, orders, invoices or tickets for this contact yet"))
            return
        self.app.push_screen(
            PickScreen(
                _("Open which document?"), [(i.text, (i.kind, i.id)) for i in docs.documents]
            ),
            lambda target: target and self.app.action_open_record(*target),
        )

    def action_interaction(self) -> None:
        self.app.push_screen(interaction_form(self.contact_id), lambda r: r and self.load())

    def action_merge(self) -> None:
        if self.view is None:
            return
        keep = self.view

        def merged(_view: object) -> None:
            self.notify(_("Merged; the other contact is archived"), markup=False)
            self.load()

        def answered(yes: bool | None, other: C.ContactView) -> None:
            if yes:
                self.run_service(lambda uow: C.merge(uow, keep.id, other.id), done=merged)

        def chosen(other: C.ContactView | None) -> None:
            if other is None:
                return
            question = _(
                "Merge {other} (#{other_id}) into {keep} (#{keep_id})? Everything of "
                "{other} (deals, tickets, orders, invoices, postings, e-mails) moves to "
                "{keep}, and {other} is archived. A merge cannot be undone."
            ).format(other=other.name, other_id=other.id, keep=keep.name, keep_id=keep.id)
            self.app.push_screen(ConfirmScreen(question), lambda yes: answered(yes, other))

        self.app.push_screen(merge_form(keep), chosen)
