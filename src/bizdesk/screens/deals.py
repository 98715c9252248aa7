"""Deals tab: a board with one column per open stage, and the paged list of every deal."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import ContentSwitcher, OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import get_current_worker

from bizdesk import i18n
from bizdesk.formatting import day, moment, money, number, visible, visible_text
from bizdesk.i18n import N_, _, ngettext
from bizdesk.screens.common import KeysWaitForServices, Pane, ServiceResult
from bizdesk.screens.orders import not_complete
from bizdesk.screens.records import (
    RecordActions,
    RecordKind,
    RecordPage,
    SendsPapers,
    print_paper,
)
from bizdesk.services.inventory import products
from bizdesk.services.overview.dashboard import BESIDE_THE_BOOKS
from bizdesk.services.trade import deals as D
from bizdesk.widgets.field import DATE_FORM, Field
from bizdesk.widgets.form import FormScreen, record_form
from bizdesk.widgets.lines_form import LinesFormScreen
from bizdesk.widgets.paged_table import Col, PagedTable

LIST_COLUMNS = [
    Col("title", N_("Title"), 16),
    Col("contact", N_("Contact"), 12),
    Col("stage", N_("Stage"), 11),
    Col("amount", N_("Amount"), 10, right=True, fmt=money),
    Col("probability", "%", 3, right=True, fmt=number),
    Col("next_activity_due", N_("Next due"), 10, fmt=day),
    Col("overdue", N_("Late"), 4, fmt=lambda o: _("LATE") if o else ""),
]


def deal_fields(stages: list[str], view: D.DealView | None = None) -> list[Field]:
    d = view.as_input() if view else D.DealInput(stage=stages[0] if stages else "")
    return [
        Field("title", N_("Title"), value=d.title, required=True),
        Field(
            "contact",
            N_("Contact"),
            "contact",
            d.contact,
            required=True,
        ),
        Field("organization", N_("Organisation"), "organization", d.organization),
        Field("amount", N_("Amount (estimate)"), "number", d.amount),
        Field(
            "stage",
            N_("Stage"),
            "select",
            d.stage or stages[0],
            # a won or lost deal keeps its stage (w, l and o close and reopen a deal): its
            # form showed the first open stage and could not be saved
            options=(*stages, d.stage) if d.stage and d.stage not in stages else tuple(stages),
        ),
        Field(
            "probability",
            N_("Probability %"),
            "number",
            d.probability,
            placeholder=N_("empty: stage default"),
        ),
        Field(
            "expected_close",
            N_("Expected close"),
            value=d.expected_close,
            placeholder=DATE_FORM,
        ),
        Field("owner", N_("Owner"), value=d.owner, placeholder=N_("user name")),
        Field("next_activity", N_("Next activity"), value=d.next_activity),
        Field(
            "next_activity_due",
            N_("Next activity due"),
            value=d.next_activity_due,
            placeholder=DATE_FORM,
        ),
    ]


def deal_form(stages: list[str], view: D.DealView | None = None) -> FormScreen:
    return record_form(
        "deal",
        lambda v: deal_fields(stages, v),
        view=view,
        get=D.get,
        create=lambda uow, values: D.create(uow, D.DealInput(**values)),
        update=lambda uow, did, values, version: D.update(
            uow, did, D.DealInput(**values), version=version
        ),
    )


LINE_FIELDS = [
    Field("product", N_("Product (SKU)"), width="2fr", suggest=products.suggest_products),
    Field("description", N_("Description"), width="3fr"),
    Field("qty", N_("Qty"), "number", "1", width="8"),
    Field("unit_price", N_("Unit price"), "number", width="12"),
]


def _lines(lines: list[dict[str, str]]) -> list[D.LineInput]:
    return [D.LineInput(**ln) for ln in lines]


def _lines_total(uow, lines: list[dict[str, str]]) -> Text:  # noqa: ANN001
    total, bad = D.preview_lines(uow, _lines(lines))
    t = Text(_("Amount {amount}").format(amount=money(total, uow.setting("locale", "en_US"))))
    return not_complete(t, bad)


def lines_form(view: D.DealView) -> LinesFormScreen:
    """The deal's product lines (the lines editor of the order forms); saving replaces them
    and the deal's amount becomes their sum. Empty description or price: the product's."""
    lines = [
        {
            "product": ln.sku,
            "description": ln.description,
            "qty": str(ln.qty),
            "unit_price": str(ln.unit_price),
        }
        for ln in view.lines
    ]

    def save(uow, _values: dict[str, Any], lines: list[dict[str, str]]):  # noqa: ANN001, ANN202
        return D.set_lines(uow, view.id, _lines(lines), version=view.version)

    return LinesFormScreen(
        _("Product lines of {deal}").format(deal=view.title),
        [],
        LINE_FIELDS,
        lines,
        save,
        _lines_total,
    )


def reason_form(title: str, act, required: bool) -> FormScreen:  # noqa: ANN001
    return FormScreen(
        title,
        [Field("reason", N_("Reason"), value="", required=required)],
        lambda uow, values: act(uow, values["reason"]),
    )


def open_stages(uow) -> list[str]:  # noqa: ANN001
    """The stages a deal can be put in by its form (won and lost are reached by w and l)."""
    return [s.name for s in D.list_stages(uow) if s.kind == "open"]


DEAL = RecordKind(
    "deal",
    get=D.get,
    label=lambda view: view.title,
    page=lambda deal_id: DealScreen(deal_id),
    form=lambda view, stages: deal_form(stages, view),
    prepare=open_stages,
    archive=D.archive,
)


class DealActions(RecordActions):
    """The record keys, and a deal's own: lines, move, win, lose, reopen (board, list, page)."""

    RECORD = DEAL

    def archive_question(self, view: D.DealView) -> str:
        return _("Archive the deal {title}?").format(title=view.title)

    def action_lines(self) -> None:
        def edit(view: D.DealView) -> None:
            if not view.is_open:
                self.notify(
                    _("{title} is {stage}: reopen it to change its lines").format(
                        title=view.title, stage=view.stage.lower()
                    ),
                    severity="warning",
                    markup=False,
                )
                return
            self.app.push_screen(lines_form(view), self.record_saved)

        self.with_record(edit)

    def action_move(self, step: int) -> None:
        def move(view: D.DealView) -> None:
            self.run_service(
                lambda uow: D.move(uow, view.id, step, version=view.version), done=self.after_change
            )

        self.with_record(move)

    def action_win(self) -> None:
        def win(view: D.DealView) -> None:
            self.app.push_screen(
                reason_form(
                    _("Won: {title}").format(title=view.title),
                    lambda uow, r: D.win(uow, view.id, r, version=view.version),
                    False,
                ),
                self.deal_closed,
            )

        self.with_record(win)

    def action_lose(self) -> None:
        def lose(view: D.DealView) -> None:
            self.app.push_screen(
                reason_form(
                    _("Lost: {title}").format(title=view.title),
                    lambda uow, r: D.lose(uow, view.id, r, version=view.version),
                    True,
                ),
                self.deal_closed,
            )

        self.with_record(lose)

    def action_reopen(self) -> None:
        def reopen(view: D.DealView) -> None:
            self.run_service(
                lambda uow: D.reopen(uow, view.id, version=view.version),
                done=self.after_change,
                success=_("Reopened {title}").format(title=view.title),
            )

        self.with_record(reopen)

    def deal_closed(self, view: D.DealView | None) -> None:
        if view is not None:
            said = f"{view.title}: {view.stage}"
            if view.order:  # (to confirm: o opens the sales orders)
                said += " · " + _("sales order {label} drafted from its lines").format(
                    label=view.order
                )
            self.notify(said, markup=False)
            self.after_change(view)


# the keys, not the stages "Won" and "Lost"; those a deal is closed with come before the
# stage moves, so they are not the ones cut off at 80 columns
DEAL_KEYS = [
    Binding("n", "new", N_("New"), id="deals.new"),
    Binding("e", "edit", N_("Edit"), id="deals.edit"),
    Binding("w", "win", i18n.Message.pgettext("deal key", "Won"), id="deals.win"),
    Binding("l", "lose", i18n.Message.pgettext("deal key", "Lost"), id="deals.lose"),
    Binding("left_square_bracket,shift+left", "move(-1)", N_("◀ Stage"), id="deals.back"),
    Binding("right_square_bracket,shift+right", "move(1)", N_("Stage ▶"), id="deals.forward"),
    Binding("p", "lines", N_("Lines"), id="deals.lines"),
    Binding("d", "archive", N_("Archive"), id="deals.archive"),
]


class DealsPane(DealActions, KeysWaitForServices, Pane):
    HELP = N_(
        "The pipeline. The board shows each open stage with its count and amount "
        "(the first 50 deals of each; the list shows them all). Left/right change column, "
        "[ and ] (or shift+arrows) move a deal to the previous or next stage, w marks it "
        "won, l lost (with a reason; a won deal with product lines becomes a sales order); "
        "p edits its product lines (their sum is the deal's amount). v switches between the "
        "board and the list; / filters the list (from the board too); o opens the sales orders "
        "(and counter sales)."
    )
    BINDINGS = [
        *DEAL_KEYS,
        Binding("v", "toggle_view", N_("Board/List"), id="deals.view"),
        Binding("o", "app.sales", N_("Sales orders"), id="deals.orders"),
        # the board has no filter: / opens the list's (the text typed after it was read as
        # keys: e edited a deal, w would have won one)
        Binding("slash", "filter", N_("Filter"), show=False, id="deals.filter"),
        Binding("left", "column(-1)", N_("Column"), show=False),
        Binding("right", "column(1)", N_("Column"), show=False),
        Binding("enter", "open", N_("Open"), show=False),
    ]
    # deals with their stage and contact; nothing else of the customer side (app.shows_any)
    NOT_SHOWN = BESIDE_THE_BOOKS - {"deal", "stage", "contact"}
    NEW_NOT_SHOWN = frozenset({"contact"})  # a new contact is on no deal yet
    DEFAULT_CSS = """
    DealsPane #board { height: 1fr; }
    DealsPane .column { width: 1fr; border: round $panel; }
    DealsPane .column:focus-within { border: round $accent; }
    DealsPane .column-title { height: 2; text-style: bold; }
    DealsPane OptionList, DealsPane OptionList:focus { height: 1fr; border: none; padding: 0;
        text-wrap: nowrap; text-overflow: ellipsis; }
    """

    class Board(Message):
        """A board read (``columns``; None: the reading failed, said apart), the ``number``
        of the reading it answers."""

        def __init__(
            self, columns: list[D.BoardColumn] | None, focus_id: int | None, number: int
        ) -> None:
            super().__init__()
            self.columns, self.focus_id, self.number = columns, focus_id, number

    # Keys typed while a deal moves wait for the move and the board drawn after it: over
    # SSH "[ [" arrives at once, and moves the deal back twice (not the second time with the
    # version the first move replaced: "changed by someone else").
    _asked = 0  # board readings asked for ...
    _drawn = 0  # ... and the newest drawn
    _on_board: list[D.BoardColumn] | None = None  # the columns the board shows

    @property
    def holds_keys(self) -> bool:
        return super().holds_keys or self._drawn < self._asked

    def compose(self) -> ComposeResult:
        with ContentSwitcher(initial="board"):
            yield Horizontal(id="board")
            yield PagedTable(
                D.list_page, LIST_COLUMNS, sorts=("title", "amount", "probability", "id"), id="list"
            )

    def on_mount(self) -> None:
        self.read_board()

    def read_board(self, focus_id: int | None = None) -> None:
        self._asked += 1
        self.load_board(focus_id, self._asked)

    @property
    def showing_board(self) -> bool:
        return self.query_one(ContentSwitcher).current == "board"

    def focus_main(self) -> None:
        if self.showing_board:
            lists = self.query(OptionList)
            if lists:
                focused = self.app.focused
                if focused not in lists:
                    self.screen.set_focus(lists.first())
        else:
            self.query_one(PagedTable).focus_grid()

    def refresh_data(self) -> None:
        self.after_change()

    @work(thread=True, exclusive=True, group="board")
    def load_board(self, focus_id: int | None, number: int) -> None:
        try:
            with self.app.store.read() as uow:
                cols = D.board_columns(uow, limit_per_stage=50)
        except Exception as exc:  # told as one sentence; the app goes on
            self.post_message(ServiceResult(None, None, exc, None))
            self.post_message(self.Board(None, None, number))
            return
        if not get_current_worker().is_cancelled:  # a newer load is under way: it draws
            self.post_message(self.Board(cols, focus_id, number))

    async def on_deals_pane_board(self, msg: Board) -> None:
        if msg.columns is not None:
            await self._draw(msg)
        self._drawn = max(self._drawn, msg.number)
        self.settled()

    async def _draw(self, msg: Board) -> None:
        if msg.columns != self._on_board or msg.focus_id is not None:
            await self._build(msg)
            self._on_board = msg.columns
        # else: read again for a colleague's change that left the board as it was: nothing
        # is drawn (an idle session sends nothing while nothing it shows changed)
        if (self.app.focused is None or self.app.focused is self.app.screen) and self.on_view:
            self.focus_main()

    async def _build(self, msg: Board) -> None:
        board = self.query_one("#board", Horizontal)
        wanted = [f"stage-{c.stage.id}" for c in msg.columns]
        if [ol.id for ol in self.query(OptionList)] != wanted:
            # The pipeline itself changed (or first load): build the columns, and wait until
            # they are in place (a column's list is only there once the column is mounted).
            # Waiting here also holds the next load until this one is drawn.
            await board.remove_children()
            await board.mount_all(
                Vertical(Static("", classes="column-title"), OptionList(id=wid), classes="column")
                for wid in wanted
            )
        self._fill(msg)

    def _fill(self, msg: Board) -> None:
        """Put the cards in place; the column that had focus keeps it."""
        loc = self.app.locale
        for col in msg.columns:
            ol = self.query_one(f"#stage-{col.stage.id}", OptionList)
            keep = ol.highlighted
            ol.clear_options()
            ol.add_options(
                Option(visible_text(self._card(card)), id=str(card.id)) for card in col.cards
            )
            more = col.count - len(col.cards)
            if more > 0:
                ol.add_option(
                    Option(
                        Text(
                            ngettext(
                                "… {n} more: v shows the list", "… {n} more: v shows the list", more
                            ).format(n=number(more, loc)),
                            style="dim",
                        ),
                        disabled=True,
                    )
                )
            title = Text(f"{col.stage.name} {number(col.stage.probability, loc)}%\n", style="bold")
            title.append(f"{number(col.count, loc)} · {money(col.amount, loc)}", style="")
            ol.parent.query_one(".column-title", Static).update(visible_text(title))
            ids = [c.id for c in col.cards]
            if msg.focus_id in ids:
                ol.focus()
                ol.highlighted = ids.index(msg.focus_id)
            elif col.cards:
                ol.highlighted = min(keep or 0, len(col.cards) - 1)

    @property
    def on_view(self) -> bool:
        """Whether the board is the tab shown, on the screen shown: a board built ahead of
        its visit, or filled while a form is open over it, never takes the focus (the tabs
        show the pane that has it: the app would switch to Deals)."""
        return self.screen is self.app.screen and self.app.active_pane() is self

    def _card(self, card: D.DealRow) -> Text:
        t = Text(card.title, no_wrap=True, overflow="ellipsis")
        t.append("\n")
        t.append(money(card.amount, self.app.locale), style="bold")
        t.append(f" {card.contact}", style="dim")
        if card.overdue:
            t.append("\n" + _("OVERDUE"), style="reverse")
        return t

    def current_id(self) -> int | None:
        if not self.showing_board:
            row = self.query_one(PagedTable).selected
            return row.id if row else None
        for ol in self.query(OptionList):
            if ol.has_focus and ol.highlighted is not None:
                opt = ol.get_option_at_index(ol.highlighted)
                return int(opt.id) if opt.id else None
        return None

    def after_change(self, view: D.DealView | None = None) -> None:
        self.read_board(view.id if view is not None and view.is_open else None)
        self.query_one(PagedTable).reload()

    def action_column(self, step: int) -> None:
        lists = list(self.query(OptionList))
        if not self.showing_board or not lists:
            return
        idx = next((i for i, ol in enumerate(lists) if ol.has_focus), 0)
        lists[(idx + step) % len(lists)].focus()

    def action_filter(self) -> None:
        """Filter the list (from the board, the list is shown first)."""
        self.query_one(ContentSwitcher).current = "list"
        self.query_one("#list", PagedTable).action_filter()

    def action_toggle_view(self) -> None:
        switcher = self.query_one(ContentSwitcher)
        switcher.current = "list" if self.showing_board else "board"
        self.focus_main()

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id:
            self.open_record(int(event.option.id))

    @on(PagedTable.Opened)
    def _opened(self, event: PagedTable.Opened) -> None:
        self.open_record(event.row.id)


class DealScreen(SendsPapers, DealActions, RecordPage):
    """One deal: amounts, stage, next activity, product lines, close reason."""

    AUDIT_ENTITY = "deal"

    BINDINGS = [
        Binding("escape", "app.pop_screen", N_("Back"), id="deal.back"),
        *DEAL_KEYS[1:],
        Binding("o", "reopen", N_("Reopen"), id="deals.reopen"),
        Binding("g", "contact", N_("Contact"), id="deal.contact"),
        Binding("q", "quote", N_("Quote"), id="deal.quote"),
        Binding("m", "mail", N_("E-mail"), show=False, id="deal.mail"),
    ]
    HELP = N_(
        "A deal's page. e edits, p edits the product lines (a won deal with lines becomes a "
        "sales order), [ and ] move it between stages, w won, l lost, o reopens a closed "
        "deal, g opens the contact, q writes a quote of its lines as a PDF, m e-mails that quote "
        "to the contact, escape goes back."
    )

    def action_contact(self) -> None:
        if self.view is not None:
            self.app.action_open_record("contact", self.view.contact_id)

    def action_quote(self) -> None:
        from bizdesk.services.papers.kinds import QUOTE

        if self.view is not None:
            print_paper(self, "quote", str(self.view.id), QUOTE.label(self.view.id))

    def action_mail(self) -> None:
        """E-mail the deal's quote (its product lines), as `bizdesk send quote` does."""
        from bizdesk.services.papers.kinds import QUOTE

        if self.view is not None:
            label = QUOTE.label(self.view.id)
            self.mail([(label, ("quote", label))])

    def __init__(self, deal_id: int) -> None:
        super().__init__(deal_id)
        self.deal_id = deal_id

    def fetch(self, uow):  # noqa: ANN001, ANN201
        return D.get(uow, self.deal_id)

    def show(self, v: D.DealView) -> None:
        loc = self.app.locale
        tz = self.app.zone
        t = Text()
        t.append(v.title + "\n", style="bold")
        t.append(
            _(
                "Stage {stage} · probability {probability}% · amount {amount} · weighted {weighted}"
            ).format(
                stage=v.stage,
                probability=number(v.probability, loc),
                amount=money(v.amount, loc),
                weighted=money(v.weighted, loc),
            )
            + "\n"
        )
        t.append(_("Contact: {name} (#{id})").format(name=v.contact, id=v.contact_id) + "\n")
        if v.organization:
            t.append(_("Organisation: {value}").format(value=v.organization) + "\n")
        if v.owner:
            t.append(_("Owner: {value}").format(value=v.owner) + "\n")
        if v.expected_close:
            t.append(_("Expected close: {date}").format(date=day(v.expected_close)) + "\n")
        if v.next_activity:
            t.append(
                _("Next: {activity} due {date}").format(
                    activity=v.next_activity, date=day(v.next_activity_due)
                )
            )
            t.append(
                " " + _("OVERDUE") + "\n" if v.overdue else "\n",
                style="reverse" if v.overdue else "",
            )
        if v.closed_at:
            t.append(
                _("Closed {when}: {reason}").format(
                    when=moment(v.closed_at, tz), reason=v.close_reason
                )
                + "\n"
            )
        if v.lines:
            t.append("\n" + _("Product lines") + "\n", style="bold")
            for ln in v.lines:
                sku = f"{ln.sku} " if ln.sku else ""
                t.append(
                    f"  {number(ln.qty, loc)} × {sku}{ln.description} @ "
                    f"{money(ln.unit_price, loc)} = {money(ln.total, loc)}\n"
                )
        t.append(
            "\n"
            + _("Changed {when} by {user}").format(
                when=moment(v.updated_at, tz), user=v.updated_by
            ),
            style="dim",
        )
        self.query_one("#main", Static).update(visible_text(t))
        self.sub_title = visible(v.title)

    def after_archive(self) -> None:
        self.app.pop_screen()
