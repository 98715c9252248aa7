"""The one paged table: a keyset page from the database that fits the screen.

It never holds more than one page of rows. Moving past the last visible row asks the
database for the rows after it; `/` filters in SQL as you type. All reads run in a thread
worker that opens its own unit of work and posts the page back as a message.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from rich.cells import cell_len
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.css.scalar import Unit
from textual.message import Message
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import DataTable, Input, Static
from textual.widgets.data_table import ColumnKey

from bizdesk.faults import describe
from bizdesk.formatting import LOCALE_FORMATS, ZONE_FORMATS, day, moment, visible
from bizdesk.i18n import N_, _
from bizdesk.services.base.pages import Page, PageRequest
from bizdesk.widgets.table import Table

Fetch = Callable[[Any, PageRequest], Page]

# Keys closer together than this are one burst (typed faster than anyone types by hand):
# the filter runs for the first at once and for the rest once they pause.
BURST = 0.04


@dataclass(frozen=True)
class Col:
    key: str  # attribute of the row object
    label: str  # the column's title, N_-marked: shown translated
    width: int | None = None
    right: bool = False
    fmt: Callable[[Any], str] = str
    # the values a column of known words may hold (a state, a priority): it is as wide as the
    # longest of them as ``fmt`` shows it in the reader's language ("urgen…" for "urgente")
    shows: tuple[Any, ...] = ()
    # a word the whole row earns, written before the cell's text (an archived contact among
    # live ones: "ARCHIVED · Ann Lee", not told by colour alone); "" for none
    mark: Callable[[Any], str] | None = None


def whole(c: Col) -> bool:
    """A column never cut: a number or an amount (right-aligned), a date or a moment, a known
    word. Cut, 99.999.999,99 would read "99.999.999,…" and 01/12/2026 "01/12/2…"."""
    return c.right or c.fmt in (day, moment) or bool(c.shows)


def fitted_widths(
    columns: list[Col], titles: list[str], cells: list[list[Text]] | None = None
) -> list[int | None]:
    """The columns' widths with every title whole, every word a column of known words shows,
    and every number and date of ``cells`` (a page's rows): such a column grows to it, and
    the widest of the others give up as much (down to 8, then the one declared widest, a
    name, down to 4; never a whole column, nor one that grew), so the table keeps the width
    it was laid out for (80 columns) in every language and with any amount."""
    widths = [c.width for c in columns]
    needs = [
        max(
            [
                cell_len(t),
                *(cell_len(c.fmt(v)) for v in c.shows),
                *(row[i].cell_len for row in cells or () if whole(c)),
            ]
        )
        for i, (c, t) in enumerate(zip(columns, titles, strict=True))
    ]
    wanted = [max(0, n - w) if w else 0 for n, w in zip(needs, widths, strict=True)]
    extra = sum(wanted)
    if not extra:
        return widths
    widths = [w + more if w else w for w, more in zip(widths, wanted, strict=True)]
    keeps = [whole(c) or more > 0 for c, more in zip(columns, wanted, strict=True)]
    may = [i for i, w in enumerate(widths) if w and not keeps[i]]
    # the widest down to 8 first, then the one declared widest (a name) down to "Bic…"
    main = [max(may, key=lambda i: columns[i].width or 0)] if may else []
    for floor, among in ((8, may), (4, main)):
        while extra:
            givers = [i for i in among if widths[i] > floor]
            if not givers:
                break
            widest = max(givers, key=lambda i: widths[i])
            widths[widest] -= 1
            extra -= 1
    return widths


def _title(c: Col, title: str, width: int | None) -> Text:
    """A column's title, cut with "…" where its column gave way ("Reason / sou…", not
    "Reason / sourc", read as a word)."""
    text = Text(title, justify="right" if c.right else "left")
    if width is not None and cell_len(title) > width:
        text.truncate(width, overflow="ellipsis")
    return text


class _Grid(Table):
    """A DataTable whose edges ask the owning PagedTable for the next or previous page, and
    whose moving keys wait for the page being read (see PagedTable.kept)."""

    def __init__(self, owner: PagedTable) -> None:
        super().__init__(cursor_type="row", zebra_stripes=False)
        self.owner = owner

    def action_cursor_down(self) -> None:
        if self.owner.kept("cursor_down"):
            return
        if self.cursor_row >= self.row_count - 1:
            self.owner.scroll_rows(+1)
        else:
            super().action_cursor_down()

    def action_cursor_up(self) -> None:
        if self.owner.kept("cursor_up"):
            return
        if self.cursor_row <= 0:
            self.owner.scroll_rows(-1)
        else:
            super().action_cursor_up()

    def action_select_cursor(self) -> None:
        if not self.owner.kept("select_cursor"):
            super().action_select_cursor()

    def action_page_down(self) -> None:
        if not self.owner.kept("page_down"):
            self.owner.page(+1)

    def action_page_up(self) -> None:
        if not self.owner.kept("page_up"):
            self.owner.page(-1)

    def action_scroll_home(self) -> None:
        if not self.owner.kept("scroll_home"):
            self.owner.first()

    def action_scroll_end(self) -> None:
        if not self.owner.kept("scroll_end"):
            self.owner.last()

    action_scroll_top = action_scroll_home
    action_scroll_bottom = action_scroll_end


def rows_in(widget: Widget, top: Widget, height: int) -> int | None:
    """The lines ``widget`` (inside ``top``) will get when ``top`` is drawn ``height``
    lines high, from the styles alone, before anything is laid out; None unless, from
    ``top`` down to ``widget``, every box lays out vertically and everything shown beside
    the way down has a fixed height (in lines)."""
    path = [widget]
    while path[-1] is not top:
        if path[-1].parent is None:
            return None
        path.append(path[-1].parent)
    lines = height - top.styles.gutter.height
    for parent, child in zip(path[:0:-1], path[-2::-1], strict=True):
        if parent.styles.layout is not None and parent.styles.layout.name != "vertical":
            return None
        if not child.display:
            return None
        for other in parent.children:
            if other is child or not other.display:
                continue
            h = other.styles.height
            if h is None or h.unit is not Unit.CELLS:
                return None
            lines -= int(h.value) + other.styles.margin.height
        lines -= child.styles.margin.height + child.styles.gutter.height
    return lines


class PagedTable(Vertical):
    """A list read from the database one keyset page at a time."""

    DEFAULT_CSS = """
    PagedTable { height: 1fr; }
    PagedTable > _Grid { height: 1fr; }
    PagedTable > #filter { display: none; height: 1; }
    PagedTable.filtering > #filter { display: block; }
    PagedTable > #status { height: 1; color: $text-muted; }
    """
    BINDINGS = [
        Binding("slash", "filter", N_("Filter"), id="list.filter"),
        Binding("s", "sort", N_("Sort"), id="list.sort"),
        # escape clears a filter first (before the screen's escape goes back): a binding, as
        # the screen's is, so the nearer one wins; with no filter it passes the key on
        Binding("escape", "clear_filter", N_("Clear the filter"), id="list.clear", show=False),
    ]

    class Opened(Message):
        """Enter on a row."""

        def __init__(self, table: PagedTable, row: Any) -> None:
            super().__init__()
            self.table = table
            self.row = row

    class Loaded(Message):
        def __init__(
            self, page: Page, req: PageRequest, cursor: int, keep_id: Any, asked: int
        ) -> None:
            super().__init__()
            self.page, self.req, self.cursor, self.keep_id = page, req, cursor, keep_id
            self.asked = asked  # which load asked for it (only the latest is shown)

    class Failed(Message):
        def __init__(self, error: Exception) -> None:
            super().__init__()
            self.error = error

    def __init__(
        self,
        fetch: Fetch,
        columns: list[Col],
        *,
        sorts: tuple[str, ...] = (),
        filters: dict[str, Any] | None = None,
        descending: bool = False,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self.fetch = fetch
        self.columns = columns
        self.sorts = sorts
        self.req = PageRequest(limit=20, filters=dict(filters or {}), descending=descending)
        self.page_data: Page | None = None
        self._drawn: tuple | None = None  # what the rows and the status line show (_show)
        self._debounce: Timer | None = None
        self._last_key = 0.0
        self._asked = 0  # loads asked for so far
        self._answered = 0  # the last of them shown (or failed)
        self._kept: list[str] = []  # moving keys that came while a page was being read
        self._replaying = False
        self._load_started = 0.0
        self._requested = False
        self.last_load_ms = 0.0

    def compose(self) -> ComposeResult:
        yield Input(
            placeholder=_("Filter: type to search, escape to clear"), id="filter", compact=True
        )
        yield _Grid(self)
        yield Static("", id="status", markup=False)

    @property
    def grid(self) -> _Grid:
        return self.query_one(_Grid)

    def on_mount(self) -> None:
        titles = [_(c.label) for c in self.columns]
        for c, title, width in zip(
            self.columns, titles, fitted_widths(self.columns, titles), strict=True
        ):
            self.grid.add_column(_title(c, title, width), key=c.key, width=width)

    def _fit(self, cells: list[list[Text]]) -> None:
        """Widen the columns of numbers and dates to the page's longest, the others giving
        way (fitted_widths): an amount is shown whole or not at all, never cut."""
        titles = [_(c.label) for c in self.columns]
        widths = fitted_widths(self.columns, titles, cells)
        for c, title, width in zip(self.columns, titles, widths, strict=True):
            column = self.grid.columns[ColumnKey(c.key)]
            if width is not None and column.width != width:
                column.width = width
                column.label = _title(c, title, width)

    def on_resize(self) -> None:
        """The page is as long as the screen shows; the first read waits for the real size,
        so a list on a tab nobody opened reads nothing."""
        rows = max(5, self.grid.size.height - 2)  # header and a spare line
        if rows == self.req.limit and self.page_data is not None:
            return
        first = self.page_data is None and not self._requested
        self.req = replace(self.req, limit=rows)
        if first:
            self._requested = True
            self.load(self.req)
        elif self.page_data is not None:
            self.reload()

    def read_ahead(self, height: int, top: Widget) -> None:
        """Read the first page before the list is first shown (a tab built ahead), as if
        ``top``, the pane it is in, were drawn ``height`` lines high: its first visit then
        shows rows at once. Only when the lines beside the rows are known from the styles
        alone (``rows_in``); otherwise, or when the guess was wrong (the terminal resized
        since), the list reads at its real size once shown, as any list does."""
        if self._requested:
            return
        rows = rows_in(self.grid, top, height)
        if rows is not None:
            self.req = replace(self.req, limit=max(5, rows - 2))  # as on_resize counts
            self.load(self.req)

    # --- loading ---------------------------------------------------------------------

    @property
    def store(self):  # noqa: ANN201
        return self.app.store

    def load(self, req: PageRequest, cursor: int = 0, keep_id: Any = None) -> None:
        self._requested = True
        self._load_started = time.perf_counter()
        self._asked += 1
        self._fetch(req, cursor, keep_id, self._asked)

    @work(thread=True, exclusive=True, group="paged-table")
    def _fetch(self, req: PageRequest, cursor: int, keep_id: Any, asked: int) -> None:
        try:
            with self.store.read() as uow:
                page = self.fetch(uow, req)
        except Exception as exc:  # shown to the user, never swallowed
            self.post_message(self.Failed(exc))
            return
        self.post_message(self.Loaded(page, req, cursor, keep_id, asked))

    @on(Loaded)
    def _show(self, msg: Loaded) -> None:
        msg.stop()
        if msg.asked != self._asked:  # an older read that finished late ("a" after "ab")
            return
        self._answered = msg.asked
        page = msg.page
        if not page.rows and (msg.req.after or msg.req.before):
            self._replay()
            return  # nothing further that way: keep what is shown
        wanted = self.req.limit  # the size may have changed while this page was read
        req = replace(msg.req, after=None, before=None, last=False)
        cursor = msg.cursor
        if msg.keep_id is not None:
            ids = [r.id for r in page.rows]
            if msg.keep_id in ids:
                cursor = ids.index(msg.keep_id)
        cursor = max(0, min(cursor, len(page.rows) - 1))
        grid = self.grid
        cells = [self._cells(row) for row in page.rows]
        # what is drawn: read again after a change elsewhere that is not on this page, the
        # same is not drawn again (an idle session sends nothing while what it shows stays)
        drawn = (req, [r.id for r in page.rows], cells, page.more_before, page.more_after)
        same = drawn == self._drawn and cursor == grid.cursor_row
        self.req = req
        self.page_data = page
        if not same:
            self._drawn = drawn
            grid.clear()
            self._fit(cells)
            for row, texts in zip(page.rows, cells, strict=True):
                grid.add_row(*texts, key=str(row.id))
            if page.rows:
                grid.move_cursor(row=cursor)
            self._status()
        # from the key press to the rows in the table: what the benchmark reports
        self.last_load_ms = (time.perf_counter() - self._load_started) * 1000
        self.post_message(self.Changed(self))
        if wanted != msg.req.limit:  # read again at the size the table has now
            self.req = replace(self.req, limit=wanted)
            self.reload()
        self._replay()

    def kept(self, action: str) -> bool:
        """Keep a moving key (a row down, enter, a page) that comes while the page it moves
        in is being read or a filter typed, to act on the rows once they are shown: a burst
        over SSH (ctrl+e enter, / acme enter) opens the row the user saw coming, not nothing,
        nor a row of the page before."""
        if self._replaying or (self._settled() and not self._kept):
            return False
        self._kept.append(action)
        return True

    @property
    def holds_keys(self) -> bool:
        """Keys typed after a kept one wait in the app's line (widgets/keys.py) until it has
        acted: "/cyr enter enter i" logs an interaction on the contact the enter opens. So
        do keys typed before the first page is shown (or said unreadable): "ctrl+p outbox
        enter x" cancels the message x was typed for, not nothing."""
        return bool(self._kept) or self._answered == 0

    def _keys_go_on(self) -> None:
        if not self._kept:
            release = getattr(self.app, "release_keys", None)
            if release is not None:
                self.app.call_after_refresh(release)

    def _settled(self) -> bool:
        return self._requested and self._answered == self._asked and self._debounce is None

    def _replay(self) -> None:
        self._replaying = True
        try:  # until one of them reads another page: the rest wait for it
            while self._kept and self._settled():
                getattr(self.grid, f"action_{self._kept.pop(0)}")()
        finally:
            self._replaying = False
            self._keys_go_on()

    class Changed(Message):
        """The visible page changed (for screens that show details of the selection)."""

        def __init__(self, table: PagedTable) -> None:
            super().__init__()
            self.table = table

    @on(Failed)
    def _failed(self, msg: Failed) -> None:
        msg.stop()
        self._answered = self._asked
        self._kept.clear()  # the keys were for rows that could not be read
        self._keys_go_on()
        text = describe(msg.error, self.store.url)  # one sentence, never SQL
        self.notify(text, title=_("Could not load the list"), severity="error", markup=False)

    def _cells(self, row: Any) -> list[Text]:
        out = []
        for c in self.columns:
            value = getattr(row, c.key)
            if value is None:
                text = ""
            elif c.fmt in LOCALE_FORMATS or getattr(c.fmt, "takes_locale", False):
                # amounts and quantities in the shop's locale
                text = c.fmt(value, self.app.locale)
            elif c.fmt in ZONE_FORMATS:  # a time, in the shop's time zone
                text = c.fmt(value, self.app.zone)
            else:
                text = visible(c.fmt(value))
            said = c.mark(row) if c.mark is not None else ""
            if said:
                text = f"{said} · {text}"
            out.append(
                Text(
                    text, justify="right" if c.right else "left", no_wrap=True, overflow="ellipsis"
                )
            )
        return out

    def _status(self) -> None:
        p = self.page_data
        parts = []
        if self.req.search:
            parts.append(_("filter: {text}").format(text=self.req.search))
        if self.req.sort:
            # the column as its title names it (lower case, as English showed the key)
            label = next((c.label for c in self.columns if c.key == self.req.sort), None)
            sort = _(label).lower() if label and label.isalpha() else self.req.sort
            if self.req.descending:
                parts.append(_("sorted by {column} desc").format(column=sort))
            else:
                parts.append(_("sorted by {column}").format(column=sort))
        if p is not None:
            if not p.rows:
                parts.append(_("nothing to show"))
            elif p.more_before and p.more_after:
                parts.append(_("more above, more below"))
            elif p.more_before or p.more_after:
                parts.append(_("more above") if p.more_before else _("more below"))
            else:
                parts.append(_("all shown"))
        self.query_one("#status", Static).update(Text(visible(" · ".join(parts))))

    # --- moving ----------------------------------------------------------------------

    def scroll_rows(self, step: int) -> None:
        p = self.page_data
        if p is None or not p.rows:
            return
        if step > 0 and p.more_after:
            self.load(replace(self.req, after=p.keys[0]), cursor=len(p.rows) - 1)
        elif step < 0 and p.more_before:
            self.load(replace(self.req, before=p.keys[-1]), cursor=0)

    def page(self, step: int) -> None:
        p = self.page_data
        if p is None or not p.rows:
            return
        cur = self.grid.cursor_row
        if step > 0:
            if p.more_after:
                self.load(replace(self.req, after=p.keys[-1]), cursor=cur)
            else:
                self.grid.move_cursor(row=len(p.rows) - 1)
        else:
            if p.more_before:
                self.load(replace(self.req, before=p.keys[0]), cursor=cur)
            else:
                self.grid.move_cursor(row=0)

    def first(self) -> None:
        self.load(replace(self.req, after=None, before=None, last=False), cursor=0)

    def last(self) -> None:
        self.load(replace(self.req, last=True), cursor=10**6)

    def reload(self) -> None:
        """Read the shown page again from its first row, keeping the cursor on its record.
        A list never shown reads nothing: its first read comes with its size (on_resize)."""
        if not self._requested:
            return
        p = self.page_data
        keep = self.selected.id if self.selected is not None else None
        req = self.req
        if p is not None and p.rows and p.more_before:
            value, ident = p.keys[0]
            # the key just before the first row: ids are whole numbers
            req = replace(req, after=(value, ident + (1 if req.descending else -1)))
        self.load(req, cursor=self.grid.cursor_row, keep_id=keep)

    def set_filters(self, **filters: Any) -> None:
        self.load(
            replace(
                self.req,
                filters={**self.req.filters, **filters},
                after=None,
                before=None,
                last=False,
            )
        )

    @property
    def selected(self) -> Any:
        p = self.page_data
        if p is None or not p.rows:
            return None
        row = self.grid.cursor_row
        return p.rows[row] if 0 <= row < len(p.rows) else None

    @on(DataTable.RowSelected)
    def _opened(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if self.selected is not None:
            self.post_message(self.Opened(self, self.selected))

    # --- filter and sort -------------------------------------------------------------

    def action_filter(self) -> None:
        self.add_class("filtering")
        # focused now, not after the next refresh: keys typed right after / (a burst over
        # SSH) are already queued and go where the focus is when each is handled
        self.screen.set_focus(self.query_one("#filter", Input))

    @on(Input.Changed, "#filter")
    def _typed(self, event: Input.Changed) -> None:
        event.stop()
        if self._debounce is not None:
            self._debounce.stop()
            self._debounce = None
        value = event.value
        now = time.monotonic()
        if now - self._last_key >= BURST:  # a key after a pause: answered at once
            self._apply_filter(value)
        else:  # keys of a burst (a paste, a laggy link): once, when the burst pauses
            self._debounce = self.set_timer(BURST, lambda: self._apply_filter(value))
        self._last_key = now

    def _apply_filter(self, value: str) -> None:
        self._debounce = None
        self.load(replace(self.req, search=value, after=None, before=None, last=False))

    @on(Input.Submitted, "#filter")
    def _filter_done(self, event: Input.Submitted) -> None:
        event.stop()
        self.grid.focus()

    def clear_filter(self) -> bool:
        """Escape: clear an active filter. Returns False when there was none."""
        box = self.query_one("#filter", Input)
        if not self.has_class("filtering") and not self.req.search:
            return False
        box.value = ""
        self.remove_class("filtering")
        self.grid.focus()
        if self.req.search:
            self._apply_filter("")
        return True

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "clear_filter":
            return self.has_class("filtering") or bool(self.req.search)
        if action == "sort":  # a list in one order only offers no s (it did nothing)
            return bool(self.sorts)
        return True

    def action_clear_filter(self) -> None:
        self.clear_filter()

    def action_sort(self) -> None:
        if not self.sorts:
            return
        names = list(self.sorts)
        current = self.req.sort or names[0]
        nxt = names[(names.index(current) + 1) % len(names)] if current in names else names[0]
        self.load(replace(self.req, sort=nxt, after=None, before=None, last=False))

    def focus_grid(self) -> None:
        # at once rather than after the queue (Widget.focus): a late focus on a pane that
        # is no longer shown would switch the tabs back to it
        self.screen.set_focus(self.grid)
