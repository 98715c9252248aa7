"""The DataTable every bizdesk table is: text shown as typed, columns as wide as their cells.

Textual's DataTable reads a plain string cell or title as Rich markup, so a product named
`Wheel [bold]x` shows as a bold `Wheel x` and one named `[/]` stops the screen with an error.
And it measures the rows added only when it is next idle: a row drawn before then (a busy
machine, a slow SSH link) is clipped to its header's width and stays so, as the drawn cell
is cached (`Acme W…` under `Contact` for good). Here strings are literal text and every
automatic column grows to its cells as the row is added.

A table told which columns hold amounts (`Table.fit`) fits the screen's width: an amount is
never cut (a Romanian account's long name gives way, ending in an ellipsis); a table still
wider than the screen scrolls sideways a whole column at a time, its columns of words kept
in view, and never draws a cell in part.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from typing import Any

from rich.cells import cell_len
from rich.console import Console
from rich.style import Style
from rich.text import Text, TextType
from textual.strip import Strip
from textual.widgets import DataTable
from textual.widgets.data_table import ColumnKey, RowKey

PAD = 2  # a cell's padding, one on each side (DataTable's cell_padding)


def literal(value: Any) -> Any:
    """A string as the text it is (never markup); anything else as it is."""
    return Text(value, end="") if isinstance(value, str) else value


# a column of words (a name, a description) gives way down to this many cells before an
# amount's title does
WORDS_FLOOR = 12


def _give_way(widths: list[int], floors: list[int], over: int) -> int:
    """Take ``over`` cells from the widest columns still above their floor, one at a time;
    returns what could not be taken."""
    while over > 0:
        givers = [i for i, w in enumerate(widths) if w > floors[i]]
        if not givers:
            break
        widest = max(givers, key=lambda i: (widths[i] - floors[i], widths[i]))
        widths[widest] -= 1
        over -= 1
    return over


def fit_widths(
    heads: list[int], bodies: list[int], amounts: list[bool], room: int, titles: list[int]
) -> list[int]:
    """Each column's width (without its padding, `PAD` cells) in ``room`` cells: an amount's
    column is never narrower than its widest figure; when the columns are too wide together,
    the columns of words give way first (widest first, down to WORDS_FLOOR: their cells end
    in an ellipsis), then the amounts' titles, down to ``titles`` (the width that shows each
    whole on two lines) or their figures. What still does not fit scrolls sideways (Table
    draws whole cells only)."""
    widths = [max(h, b) for h, b in zip(heads, bodies, strict=True)]
    over = sum(widths) + PAD * len(widths) - room
    if over <= 0:
        return widths
    words = [w if a else min(w, WORDS_FLOOR) for w, a in zip(widths, amounts, strict=True)]
    over = _give_way(widths, words, over)
    floors = [
        max(b, t) if amount else w
        for b, t, w, amount in zip(bodies, titles, widths, amounts, strict=True)
    ]
    _give_way(widths, floors, over)
    return widths


def two_lines(title: Text, console: Console) -> int:
    """The fewest cells that show ``title`` whole on two lines, its words wrapped (a word is
    never cut: a title of one word keeps its width)."""
    words = title.plain.split()
    width = max([(title.cell_len + 1) // 2, *(cell_len(w) for w in words)])
    while width < title.cell_len and len(title.wrap(console, width)) > 2:
        width += 1
    return width


class Table(DataTable):
    amounts: frozenset[Any] | None = None  # the amounts' columns' keys, once fitted

    def action_scroll_home(self) -> None:
        """Home goes to the first row, as on every list (DESIGN: Home/End move); Textual's
        went to the first column, so a row table (an order's lines) did not move at all and
        d then deleted the line the cursor was still on."""
        if self.cursor_type == "row":
            self.action_scroll_top()
        else:
            super().action_scroll_home()

    def action_scroll_end(self) -> None:
        """End goes to the last row (see action_scroll_home)."""
        if self.cursor_type == "row":
            self.action_scroll_bottom()
        else:
            super().action_scroll_end()

    def add_column(
        self,
        label: TextType,
        *,
        width: int | None = None,
        key: str | None = None,
        default: Any = None,
    ) -> ColumnKey:
        return super().add_column(literal(label), width=width, key=key, default=default)

    def add_row(
        self,
        *cells: Any,
        height: int | None = 1,
        key: str | None = None,
        label: TextType | None = None,
    ) -> RowKey:
        cells = tuple(literal(c) for c in cells)
        row_key = super().add_row(*cells, height=height, key=key, label=literal(label))
        for column, cell in zip(self.ordered_columns, cells, strict=False):
            if column.auto_width and isinstance(cell, Text):
                widest = max((line.cell_len for line in cell.split(allow_blank=True)), default=0)
                column.content_width = max(column.content_width, widest)
        return row_key

    def refill(self, rows: Iterable[Sequence[Any]], keys: Iterable[object]) -> None:
        """The rows replaced by ``rows`` (each keyed by its record's ``keys``), the cursor
        kept on the record it was on wherever that row is now, else at its place: a list
        read again after a colleague's change moves under the person, and a key they press
        next (approve, open) acts on the record they chose."""
        was = self.cursor_row
        chosen = None
        if 0 <= was < self.row_count:
            chosen = self.coordinate_to_cell_key(self.cursor_coordinate).row_key.value
        self.clear()
        for row, key in zip(rows, keys, strict=True):
            self.add_row(*row, key=str(key))
        if not self.row_count:
            return
        at = self.get_row_index(chosen) if chosen is not None and chosen in self.rows else was
        self.move_cursor(row=max(0, min(at, self.row_count - 1)), animate=False)

    # --- fitting the screen's width (reports) ----------------------------------------------

    def fit(self, amounts: Collection[Any]) -> None:
        """Fit the columns to the width shown, the columns keyed in ``amounts`` whole (see
        fit_widths); again at each resize. Call it once the rows are added."""
        self.amounts = frozenset(amounts)
        self._fit()

    def on_resize(self) -> None:
        if self.amounts is not None:
            self._fit()

    def _room(self) -> int:
        """The cells a row has: the width less the scrollbar the rows will need."""
        rows = self.row_count + (self.header_height if self.show_header else 0)
        room = self.container_size.width
        if rows >= self.container_size.height:
            room -= self.styles.scrollbar_size_vertical
        return room

    def _fit(self) -> None:
        room = self._room()
        if room <= 0 or not self.columns:
            return  # not laid out yet: its resize fits it
        columns = self.ordered_columns
        heads = [c.label.cell_len for c in columns]
        bodies = [0] * len(columns)
        for row in self._data.values():
            for i, c in enumerate(columns):
                cell = row.get(c.key)
                if isinstance(cell, Text):
                    widest = max((ln.cell_len for ln in cell.split(allow_blank=True)), default=0)
                    bodies[i] = max(bodies[i], widest)
                elif cell is not None:
                    bodies[i] = max(bodies[i], len(str(cell)))
        amounts = [c.key.value in self.amounts for c in columns]
        titles = [two_lines(c.label, self.app.console) for c in columns]
        widths = fit_widths(heads, bodies, amounts, room, titles)
        # a title narrower than its words takes two lines (a name's, cut, ends in "…")
        lines = 2 if any(w < h for w, h in zip(widths, heads, strict=True)) else 1
        for c, width in zip(columns, widths, strict=True):
            c.auto_width = False
            c.width = width
            label = c.label.copy()
            label.no_wrap, label.overflow = lines == 1, "ellipsis"
            c.label = label
        self.header_height = lines
        # when it scrolls, the columns of words before the first amount stay in view (as
        # many as take half the width at most: the account and its name, not the memo)
        kept = words = 0
        if sum(w + PAD for w in widths) > room:
            for width, amount in zip(widths, amounts, strict=True):
                if amount or (kept + width + PAD) * 2 > room:
                    break
                kept, words = kept + width + PAD, words + 1
        self.fixed_columns = words
        self.scroll_x = 0
        self._clear_caches()
        self._update_count += 1
        self._require_update_dimensions = True
        self.refresh(layout=True)

    def _edges(self) -> list[int]:
        """Where each column starts, and where the last ends (in the row's cells)."""
        edges = [0]
        for c in self.ordered_columns:
            edges.append(edges[-1] + c.get_render_width(self))
        return edges

    def _kept_width(self) -> int:
        return sum(c.get_render_width(self) for c in self.ordered_columns[: self.fixed_columns])

    def _render_line(self, y: int, x1: int, x2: int, base_style: Style) -> Strip:
        # (DataTable's own, textual==8.2.8 is pinned) cropped to whole cells when the row is
        # wider than the table: the part left of x1 or right of x2 of a cell is not drawn,
        # so neither is the rest of that cell (an amount shows whole or not at all)
        edges = self._edges()
        if self.amounts is None or edges[-1] <= x2 - x1:
            return super()._render_line(y, x1, x2, base_style)
        kept = self._kept_width()
        seen = x1 + self.scrollable_content_region.width  # the vertical scrollbar covers the rest
        left = min((e for e in edges if e >= x1 + kept), default=x2)
        right = max(left, max((e for e in edges if e <= seen), default=left))
        strip = super()._render_line(y, left - kept, x2 + left - x1 - kept, base_style)
        return strip.crop(0, kept + right - left).adjust_cell_length(x2 - x1, base_style)

    def _sideways(self, step: int) -> bool:
        """Scroll a whole column right (+1) or left (-1); False when it has nothing to."""
        if self.amounts is None or self.cursor_type in ("cell", "column"):
            return False
        edges = self._edges()
        if edges[-1] <= self.scrollable_content_region.width:
            return False
        kept = self._kept_width()
        at = min((e for e in edges if e >= self.scroll_x + kept), default=edges[-1])
        if step > 0:
            to = min((e for e in edges if e > at), default=edges[-1])
        else:
            to = max((e for e in edges if kept <= e < at), default=kept)
        self.scroll_to(x=min(max(0, to - kept), self.max_scroll_x), animate=False)
        return True

    def action_cursor_right(self) -> None:
        if not self._sideways(+1):
            super().action_cursor_right()

    def action_cursor_left(self) -> None:
        if not self._sideways(-1):
            super().action_cursor_left()
