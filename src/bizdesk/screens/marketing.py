"""Marketing in the interface: the campaigns (ctrl+k or the palette), a campaign's page with
its results and attribution, the saved segments and their members, and the consent form a
contact's page opens (c)."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Static

from bizdesk.errors import BizdeskError
from bizdesk.formatting import moment, money, visible, visible_text
from bizdesk.i18n import N_, Message, _, ngettext, tr
from bizdesk.models.contacts import STAGES
from bizdesk.models.marketing import CONSENT_HOW, CONSENT_STATES
from bizdesk.screens.common import ServiceRunner, ServiceScreen, WithTable
from bizdesk.services.base.paging import Page, PageRequest
from bizdesk.services.marketing import campaigns as C
from bizdesk.services.marketing import consent as K
from bizdesk.services.marketing import segments as S
from bizdesk.services.overview.analysis import AGE_GROUPS
from bizdesk.widgets.confirm import ConfirmScreen
from bizdesk.widgets.field import DATE_FORM, Field
from bizdesk.widgets.footer import KeysFooter
from bizdesk.widgets.form import FormScreen
from bizdesk.widgets.header import Header
from bizdesk.widgets.paged_table import Col, PagedTable
from bizdesk.words import CONTACT_STAGE_NAMES

CAMPAIGN_COLUMNS = [
    Col("name", N_("Name"), 20),
    Col("segment", N_("Segment"), 14),
    Col("state", N_("State"), 8, fmt=lambda s: _(C.STATE_WORDS[s]), shows=tuple(C.STATE_WORDS)),
    Col("queued_at", N_("Queued"), 16, fmt=moment),
    Col("recipients", N_("Recipients"), 10, right=True),
]
RECIPIENT_COLUMNS = [
    Col("name", N_("Name"), 24),
    Col("email", N_("E-mail"), 26),
    Col("result", N_("Result"), 18, fmt=lambda r: _(C.RESULT_WORDS[r])),
]
SEGMENT_COLUMNS = [
    Col("name", N_("Name"), 24),
    Col("filter", Message.pgettext("segment's rule", "Filter"), 50),  # a noun, not the key
]
MEMBER_COLUMNS = [
    Col("name", N_("Name"), 24),
    Col("email", N_("E-mail"), 26),
    Col("city", N_("City"), 12),
    Col("country", N_("Country"), 7),
]


# --- consent (from a contact's page) -----------------------------------------------------


def consent_form(contact_id: int, name: str, now: K.ConsentView | None) -> FormScreen:
    fields = [
        Field(
            "state",
            N_("E-mail consent"),
            "select",
            now.state if now else "out",  # never consent that nobody chose
            options=CONSENT_STATES,
            required=True,
            option_labels=K.STATE_WORDS,
        ),
        Field(
            "how",
            N_("How"),
            "select",
            "by hand",
            options=CONSENT_HOW,
            required=True,
            option_labels=K.HOW_WORDS,
        ),
    ]

    def save(uow, values: dict[str, Any]):  # noqa: ANN001, ANN202
        return K.set_consent(uow, contact_id, values["state"], values["how"])

    return FormScreen(_("E-mail consent of {name}").format(name=name), fields, save)


# --- segments ----------------------------------------------------------------------------


class SegmentLine:
    def __init__(self, id: int, name: str, filter: str) -> None:  # noqa: A002
        self.id, self.name, self.filter = id, name, filter


def segment_page(uow, req: PageRequest) -> Page[SegmentLine]:  # noqa: ANN001
    """Every segment (a shop keeps a few), with its filter (members are counted on the
    members' screen: a count reads every member)."""
    rows = []
    search = req.search.strip().casefold()
    for r in S.list_segments(uow):
        if search and search not in r.name.casefold():
            continue
        b = r.definition.get("bought") or {}
        sku = S.product_sku(uow, b["product_id"]) if b.get("product_id") else ""
        text = "; ".join(f"{k}: {v}" for k, v in S.definition_words(r.definition, sku))
        rows.append(SegmentLine(r.id, r.name, text or _("every contact")))
    return Page(rows, [(r.name, r.id) for r in rows], False, False)


def segment_fields(data: S.SegmentInput) -> list[Field]:
    return [
        Field("name", N_("Name"), value=data.name, required=True),
        Field("city", N_("City"), value=data.city),
        Field("country", N_("Country"), value=data.country, placeholder=N_("ES, RO, VN...")),
        Field("tag", N_("Tag"), value=data.tag),
        Field(
            "stage",
            N_("Stage"),
            "select",
            data.stage,
            options=("", *STAGES),
            option_labels={"": N_("any"), **CONTACT_STAGE_NAMES},
        ),
        Field("owner", N_("Owner"), value=data.owner, placeholder=N_("a user's name")),
        Field(
            "age_group",
            N_("Age group"),
            "select",
            data.age_group,
            options=("", *(key for key, _shown in AGE_GROUPS)),
            option_labels={"": N_("any"), **dict(AGE_GROUPS)},
        ),
        Field("bought", N_("Bought"), value=data.bought, placeholder=N_("SKU, or * for any")),
        Field("bought_from", N_("Bought from"), value=data.bought_from, placeholder=DATE_FORM),
        Field("bought_to", N_("Bought until"), value=data.bought_to, placeholder=DATE_FORM),
    ]


def segment_form(view: S.SegmentView | None, sku: str = "") -> FormScreen:
    data = view.as_input(sku) if view else S.SegmentInput()

    def save(uow, values: dict[str, Any]):  # noqa: ANN001, ANN202
        given = S.SegmentInput(**{k: str(values[k]) for k in vars(S.SegmentInput())})
        if view is None:
            return S.create_segment(uow, given)
        return S.update_segment(uow, view.id, given, version=view.version)

    title = _("New segment") if view is None else _("Segment {name}").format(name=view.name)
    return FormScreen(title, segment_fields(data), save)


class SegmentsScreen(WithTable, ServiceScreen):
    """The saved segments: n adds, e edits, x deletes, enter lists the members."""

    BINDINGS = [
        Binding("escape", "app.pop_screen", N_("Back"), id="segments.back"),
        Binding("n", "new", N_("New"), id="segments.new"),
        Binding("e", "edit", N_("Edit"), id="segments.edit"),
        Binding("x", "delete", N_("Delete"), id="segments.delete"),
    ]
    HELP = N_(
        "Saved segments: contacts matching a filter (city, country, tag, stage, owner, age "
        "group, what they bought and when), worked out again each time. n adds one, e edits "
        "the selected one, x deletes it (if no campaign uses it), enter lists its members "
        "and counts them."
    )
    DEFAULT_CSS = """
    SegmentsScreen #segments-title { height: 1; padding: 0 1; }
    SegmentsScreen PagedTable { height: 1fr; }
    """

    def compose(self) -> ComposeResult:
        yield Header(icon="")
        yield Static(
            Text(_("Segments  (n new, e edit, x delete, enter members)")), id="segments-title"
        )
        yield PagedTable(segment_page, SEGMENT_COLUMNS, id="segments-table")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.sub_title = _("Segments")
        self.table.focus_grid()

    def _saved(self, view: S.SegmentView | None) -> None:
        if view is not None:
            self.notify(_("Saved {name}").format(name=view.name), markup=False)
            self.table.reload()

    def action_new(self) -> None:
        self.app.push_screen(segment_form(None), self._saved)

    def action_edit(self) -> None:
        row = self.table.selected
        if row is None:
            return

        def loaded(got: tuple) -> None:
            self.app.push_screen(segment_form(*got), self._saved)

        def fetch(uow):  # noqa: ANN001, ANN202
            view = S.get_segment(uow, row.id)
            b = view.definition.get("bought") or {}
            return view, S.product_sku(uow, b["product_id"]) if b.get("product_id") else ""

        self.run_service(fetch, write=False, done=loaded)

    def action_delete(self) -> None:
        row = self.table.selected
        if row is None:
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.run_service(
                    lambda uow: S.delete_segment(uow, row.id),
                    done=lambda _v: self.table.reload(),
                    success=_("The segment {name} was deleted.").format(name=row.name),
                )

        self.app.push_screen(
            ConfirmScreen(_("Delete the segment {name}?").format(name=row.name)), answered
        )

    @on(PagedTable.Opened)
    def _opened(self, event: PagedTable.Opened) -> None:
        self.app.push_screen(MembersScreen(event.row.id, event.row.name))


class MembersScreen(WithTable, ServiceRunner, Screen):
    """A segment's members today, by name; enter opens a contact."""

    BINDINGS = [Binding("escape", "app.pop_screen", N_("Back"), id="members.back")]
    HELP = N_("The contacts a segment holds today, by name; enter opens one, / filters.")
    DEFAULT_CSS = """
    MembersScreen #members-title { height: 1; padding: 0 1; }
    MembersScreen PagedTable { height: 1fr; }
    """

    def __init__(self, segment_id: int, name: str) -> None:
        super().__init__()
        self.segment_id, self.segment_name = segment_id, name

    def compose(self) -> ComposeResult:
        sid = self.segment_id
        yield Header(icon="")
        yield Static(Text(visible(self.segment_name)), id="members-title")
        yield PagedTable(
            lambda uow, req: S.members_page(uow, sid, req), MEMBER_COLUMNS, id="members-table"
        )
        yield KeysFooter()

    def on_mount(self) -> None:
        self.sub_title = _("Members")
        self.table.focus_grid()
        sid = self.segment_id
        self.run_service(lambda uow: S.count_members(uow, sid), write=False, done=self._counted)

    def _counted(self, n: int) -> None:
        # counted here, not in the list of segments: a count reads every member (91 ms for
        # five segments of the large store, over the list's 50 ms; bench/RESULTS.md)
        title = ngettext("{name}: {n} member", "{name}: {n} members", n).format(
            name=self.segment_name, n=n
        )
        self.query_one("#members-title", Static).update(Text(visible(title)))

    @on(PagedTable.Opened)
    def _opened(self, event: PagedTable.Opened) -> None:
        self.app.action_open_record("contact", event.row.id)


# --- campaigns ---------------------------------------------------------------------------


def campaign_form(view: C.CampaignView | None, segment_names: list[str]) -> FormScreen:
    data = view.as_input() if view else C.CampaignInput()
    fields = [
        Field("name", N_("Name"), value=data.name, required=True),
        Field(
            "segment",
            N_("Segment"),
            value=data.segment,
            required=True,
            placeholder=", ".join(segment_names[:4]),
        ),
        Field("subject", N_("Subject"), value=data.subject, required=True),
        Field("body", N_("Message"), "multiline", data.body, required=True),
        Field(
            "attribution_days",
            N_("Days attributed"),
            value=data.attribution_days,
            placeholder=N_("sales this many days after count for it"),
        ),
    ]

    def save(uow, values: dict[str, Any]):  # noqa: ANN001, ANN202
        given = C.CampaignInput(**{k: str(values[k]) for k in vars(C.CampaignInput())})
        if view is None:
            return C.create_campaign(uow, given)
        return C.update_campaign(uow, view.id, given, version=view.version)

    title = _("New campaign") if view is None else _("Campaign {name}").format(name=view.name)
    return FormScreen(title, fields, save)


class Sender:
    """Sends a campaign in a thread (queue, then deliver: network), then says what it did."""

    @work(thread=True, exclusive=True, group="send")
    def send_campaign(self, campaign_id: int) -> None:
        try:
            done = C.send_campaign(self.app.store, campaign_id)
        except BizdeskError as exc:
            self.app.call_from_thread(self.notify, tr(exc), severity="error", markup=False)
            return
        sent, failed = len(done.delivery.sent), len(done.delivery.failed)
        text = ngettext(
            "{n} message was sent; {failed} wait to be tried again.",
            "{n} messages were sent; {failed} wait to be tried again.",
            sent,
        ).format(n=sent, failed=failed)
        reasons = {m.last_error for m in done.delivery.failed}
        if len(reasons) == 1:  # the server could not be reached, say: why, once
            text += "\n" + visible(reasons.pop())
        if done.delivery.withheld:
            text += "\n" + ngettext(
                "{n} message was not sent and is cancelled: its contact opted out (or was "
                "archived) after it was queued.",
                "{n} messages were not sent and are cancelled: their contacts opted out (or "
                "were archived) after they were queued.",
                len(done.delivery.withheld),
            ).format(n=len(done.delivery.withheld))
        severity = "warning" if failed else "information"
        self.app.call_from_thread(self.notify, text, markup=False, severity=severity)
        self.app.call_from_thread(self.refresh_data)

    def ask_send(self, campaign_id: int, name: str) -> None:
        def answered(yes: bool | None) -> None:
            if yes:
                self.notify(_("Sending {name}…").format(name=name), markup=False)
                self.send_campaign(campaign_id)

        self.app.push_screen(
            ConfirmScreen(
                _(
                    "Send {name} now to every consenting contact of its segment not sent to yet?"
                ).format(name=name)
            ),
            answered,
        )


def _segment_names(uow) -> list[str]:  # noqa: ANN001
    return [r.name for r in S.list_segments(uow)]


class CampaignsScreen(Sender, WithTable, ServiceScreen):
    """The campaigns: n adds one, e edits a draft, m sends, g the segments, enter its page."""

    BINDINGS = [
        Binding("escape", "app.pop_screen", N_("Back"), id="campaigns.back"),
        Binding("n", "new", N_("New"), id="campaigns.new"),
        Binding("e", "edit", N_("Edit"), id="campaigns.edit"),
        Binding("m", "send", N_("Send"), id="campaigns.send"),
        Binding("g", "segments", N_("Segments"), id="campaigns.segments"),
    ]
    HELP = N_(
        "E-mail campaigns to a segment's consenting contacts. n adds a draft, e edits it, m "
        "queues and sends it (each contact once, however often it is pressed), g shows the "
        "segments, enter opens a campaign's results."
    )
    DEFAULT_CSS = """
    CampaignsScreen #campaigns-title { height: 1; padding: 0 1; }
    CampaignsScreen PagedTable { height: 1fr; }
    """

    def compose(self) -> ComposeResult:
        yield Header(icon="")
        yield Static(
            Text(_("Campaigns  (n new, e edit, m send, g segments)")), id="campaigns-title"
        )
        yield PagedTable(C.list_page, CAMPAIGN_COLUMNS, id="campaigns-table")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.sub_title = _("Campaigns")
        self.table.focus_grid()

    def _saved(self, view: C.CampaignView | None) -> None:
        if view is not None:
            self.notify(_("Saved {name}").format(name=view.name), markup=False)
            self.table.reload()

    def action_new(self) -> None:
        self.run_service(
            _segment_names,
            write=False,
            done=lambda names: self.app.push_screen(campaign_form(None, names), self._saved),
        )

    def action_edit(self) -> None:
        row = self.table.selected
        if row is None:
            return
        if row.state != "draft":
            self.notify(_("Only a draft can be changed."), markup=False)
            return
        self.run_service(
            lambda uow: (C.get_campaign(uow, row.id), _segment_names(uow)),
            write=False,
            done=lambda got: self.app.push_screen(campaign_form(*got), self._saved),
        )

    def action_send(self) -> None:
        row = self.table.selected
        if row is not None:
            self.ask_send(row.id, row.name)

    def action_segments(self) -> None:
        self.app.push_screen(SegmentsScreen())

    @on(PagedTable.Opened)
    def _opened(self, event: PagedTable.Opened) -> None:
        self.app.push_screen(CampaignScreen(event.row.id))


class CampaignScreen(Sender, WithTable, ServiceScreen):
    """A campaign's page: its message, who is left out and why, the results and the sales
    attributed, and each recipient's result."""

    BINDINGS = [
        Binding("escape", "app.pop_screen", N_("Back"), id="campaign.back"),
        Binding("m", "send", N_("Send"), id="campaign.send"),
        Binding("r", "replied", N_("Replied"), id="campaign.replied"),
    ]
    HELP = N_(
        "A campaign: its message, who is left out and why, each recipient's result, and the "
        "deals, orders and invoices of its recipients in the days after it. m queues and "
        "sends it (each contact once), r records that the selected recipient replied, enter "
        "opens the contact."
    )
    DEFAULT_CSS = """
    CampaignScreen #campaign-summary { height: auto; max-height: 12; padding: 0 1; }
    CampaignScreen PagedTable { height: 1fr; }
    """

    def __init__(self, campaign_id: int) -> None:
        super().__init__()
        self.campaign_id = campaign_id
        self.view: C.CampaignView | None = None

    def compose(self) -> ComposeResult:
        cid = self.campaign_id
        yield Header(icon="")
        yield Static(_("Loading…"), id="campaign-summary")
        yield PagedTable(
            lambda uow, req: C.recipients_page(uow, cid, req),
            RECIPIENT_COLUMNS,
            id="recipients-table",
        )
        yield KeysFooter()

    def on_mount(self) -> None:
        self.sub_title = _("Campaign")
        self.table.focus_grid()
        self.load_summary()

    def refresh_data(self) -> None:
        self.table.reload()
        self.load_summary()

    def load_summary(self) -> None:
        cid = self.campaign_id
        self.run_service(
            lambda uow: (C.get_campaign(uow, cid), C.results(uow, cid), C.left_out(uow, cid, 5)),
            write=False,
            done=self._show,
        )

    def _show(self, got: tuple) -> None:
        view, res, left = got
        self.view = view
        loc = self.app.locale
        t = Text()
        t.append(
            _("{name} to {segment} ({state})").format(
                name=view.name, segment=view.segment, state=_(C.STATE_WORDS[view.state])
            )
            + "\n",
            style="bold",
        )
        t.append(_("Subject: {subject}").format(subject=view.subject) + "\n")
        left_n = sum(left.counts.values())
        why = ", ".join(f"{_(C.REASON_WORDS[r])} {n}" for r, n in sorted(left.counts.items()))
        t.append(_("Left out: {n}").format(n=left_n) + (f" ({why})" if why else "") + "\n")
        shown = ", ".join(f"{_(C.RESULT_WORDS[k])} {n}" for k, n in sorted(res.by_result.items()))
        t.append(_("Recipients: {n}").format(n=res.recipients) + (f" ({shown})" if shown else ""))
        t.append("\n")
        t.append(  # counts after labels, as "Left out: 10": no plural for each to agree with
            ngettext(
                "Within {days} day, deals: {deals} ({deals_amount}), orders: {orders} "
                "({orders_amount}), invoices: {invoices} ({invoices_amount})",
                "Within {days} days, deals: {deals} ({deals_amount}), orders: {orders} "
                "({orders_amount}), invoices: {invoices} ({invoices_amount})",
                res.attribution_days,
            ).format(
                days=res.attribution_days,
                deals=res.deals,
                deals_amount=money(res.deals_amount, loc),
                orders=res.orders,
                orders_amount=money(res.orders_amount, loc),
                invoices=res.invoices,
                invoices_amount=money(res.invoices_amount, loc),
            )
        )
        self.query_one("#campaign-summary", Static).update(visible_text(t))
        self.sub_title = visible(view.name)

    def action_send(self) -> None:
        if self.view is not None:
            self.ask_send(self.view.id, self.view.name)

    def action_replied(self) -> None:
        row = self.table.selected
        if row is None:
            return
        cid = self.campaign_id
        self.run_service(
            lambda uow: C.mark_replied(uow, cid, f"#{row.contact_id}"),
            done=lambda _v: self.refresh_data(),
            success=_("{name} replied.").format(name=row.name),
        )

    @on(PagedTable.Opened)
    def _opened(self, event: PagedTable.Opened) -> None:
        self.app.action_open_record("contact", event.row.contact_id)
