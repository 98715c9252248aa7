"""A form with a lines editor: header fields, a table of lines, one row of inputs to add or
change a line, and a totals line that the service computes as the lines change. Every
document with lines uses it (sales and purchase orders, journal entries, deals); a kind of
document describes its lines once, as ``LineColumns``, and gets its form from them.

Like ``FormScreen``, the service is the only validator: the form sends the header values and
the lines as typed, and shows what comes back.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, Input, Static

from bizdesk.formatting import visible
from bizdesk.i18n import N_, _, tr
from bizdesk.widgets.footer import KeysFooter
from bizdesk.widgets.form import Field, FormScreen, field_label
from bizdesk.widgets.keys import TypeAheadInput
from bizdesk.widgets.table import Table

Preview = Callable[[Any, list[dict[str, str]]], Text]
LinesSave = Callable[[Any, dict[str, Any], list[dict[str, str]]], Any]


# What the services call a line's cells in their field keys ("line 2 unit price"): named in
# the reader's language in the form's message.
LINE_KEY = re.compile(r"line (\d+) (.+)")
LINE_CELLS = frozenset(
    (
        N_("account"),
        N_("debit"),
        N_("credit"),
        N_("contact"),
        N_("memo"),
        N_("product"),
        N_("qty"),
        N_("unit price"),
        N_("unit cost"),
        N_("VAT %"),
        N_("description"),
        # a nurturing sequence's steps (services/crm/nurture.py)
        N_("day"),
        N_("activity"),
        N_("what to do"),
    )
)


class LinesFormScreen(FormScreen):
    """``save(uow, header_values, lines)``; ``preview(uow, lines)`` gives the totals text.
    Extra actions (e.g. "save and post") are ``(key, label, fn)`` with ``fn`` like ``save``."""

    DEFAULT_CSS = """
    LinesFormScreen > #dialog { max-width: 120; height: 100%; }
    LinesFormScreen #fields { height: auto; max-height: 8; }
    LinesFormScreen #lines { height: 1fr; min-height: 4; }
    LinesFormScreen #line-editor { height: 1; }
    LinesFormScreen #line-editor Input { margin-right: 1; }
    LinesFormScreen #line-hint { height: 1; color: $text-muted; }
    LinesFormScreen #totals { height: auto; text-style: bold; }
    """

    def __init__(
        self,
        title: str,
        fields: list[Field],
        line_fields: list[Field],
        lines: list[dict[str, str]],
        save: LinesSave,
        preview: Preview,
        *,
        extra: list[tuple[str, str, LinesSave]] | None = None,
    ) -> None:
        super().__init__(title, fields, self._save_all, reload=None)
        self.line_fields = line_fields
        self.lines = [dict(ln) for ln in lines]
        self.lines_save = save
        self.preview = preview
        self.extra = extra or []
        self.editing: int | None = None  # index of the line in the editor, None = a new one
        self.initial_lines = [dict(ln) for ln in lines]
        self._action = save
        for key, label, _fn in self.extra:
            self._bindings.bind(key, f"extra('{key}')", label, priority=True)

    # --- layout ----------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(Text(visible(self.shown_title)), id="title")
            yield Static("", id="form-error")
            with Vertical(id="fields"):
                for f in self.fields:
                    with Horizontal(classes="field"):
                        yield Static(Text(field_label(f)), classes="field-label")
                        yield self._widget(f)
                    yield from self._hint(f)
                    yield Static("", id=f"e-{f.name}", classes="field-error")
            yield Table(id="lines", cursor_type="row", zebra_stripes=False)
            with Horizontal(id="line-editor"):
                for f in self.line_fields:
                    sugg = self._suggester(f)
                    box = (TypeAheadInput if sugg else Input)(
                        self._shown(f),
                        id=f"l-{f.name}",
                        placeholder=_(f.label),
                        suggester=sugg,
                        compact=True,
                    )
                    box.styles.width = f.width
                    yield box
            yield Static(
                Text(_("enter adds the line · on a line: enter edits it, d removes it")),
                id="line-hint",
            )
            yield Static("", id="totals")
            yield KeysFooter()

    def field_title(self, key: str) -> str:
        found = LINE_KEY.fullmatch(key)
        if found is None:
            return super().field_title(key)
        n, cell = found.groups()
        return _("line {n} {cell}").format(n=n, cell=_(cell) if cell in LINE_CELLS else cell)

    def on_mount(self) -> None:
        # The lines' numbers as the editor reads them back (the shop's locale in the app).
        numbers = [f for f in self.line_fields if f.kind == "number"]
        for ln in self.lines:
            for f in numbers:
                if f.name in ln:
                    ln[f.name] = self._shown(replace(f, value=ln[f.name]))
        self.initial_lines = [dict(ln) for ln in self.lines]
        grid = self.query_one("#lines", DataTable)
        grid.add_column("#", key="n", width=3)
        for f in self.line_fields:
            grid.add_column(
                Text(_(f.label), justify="right" if f.kind == "number" else "left"), key=f.name
            )
        self._redraw()
        super().on_mount()
        if not self.fields:  # lines only: start in the line editor
            self.query_one(f"#l-{self.line_fields[0].name}", Input).focus()

    def _redraw(self) -> None:
        grid = self.query_one("#lines", DataTable)
        grid.clear()
        # a Tab stop only when it holds a line: empty, it took the Tab after the last header
        # field and what was typed there (the first line's SKU or account) was lost unseen
        grid.can_focus = bool(self.lines)
        if not self.lines and self.focused is grid:  # its last line removed
            self.query_one(f"#l-{self.line_fields[0].name}", Input).focus()
        for i, ln in enumerate(self.lines, start=1):
            grid.add_row(
                Text(str(i)),
                *(
                    Text(
                        visible(ln.get(f.name, "")),
                        no_wrap=True,
                        justify="right" if f.kind == "number" else "left",
                    )
                    for f in self.line_fields
                ),
                key=str(i),
            )
        # the amounts whole at 80 columns, the words (an account's long name) giving way
        grid.fit({f.name for f in self.line_fields if f.kind == "number"})
        self._refresh_totals()

    # --- the line editor --------------------------------------------------------------

    def _editor_values(self) -> dict[str, str]:
        return {f.name: self.query_one(f"#l-{f.name}", Input).value for f in self.line_fields}

    def _fill_editor(self, values: dict[str, str]) -> None:
        for f in self.line_fields:
            self.query_one(f"#l-{f.name}", Input).value = str(values.get(f.name, f.value or ""))

    def _editor_typed(self) -> bool:
        """Whether the editor row holds anything beyond what it starts with (a quantity of
        1 alone is not a line)."""
        values = self._editor_values()
        return any(values[f.name].strip() != str(f.value or "").strip() for f in self.line_fields)

    def _take_line(self) -> bool:
        """Move what the editor row holds into the lines (added, or replacing the line being
        edited); False when the row is empty."""
        values = self._editor_values()
        if not any(v.strip() for v in values.values()):
            return False
        if self.editing is None and not self._editor_typed():
            return False
        if self.editing is None:
            self.lines.append(values)
        else:
            self.lines[self.editing] = values
        self.editing = None
        self._fill_editor({})
        self._lines_changed()
        return True

    @on(Input.Submitted, "#line-editor Input")
    def _commit_line(self, event: Input.Submitted) -> None:
        event.stop()
        if self._take_line():
            self.query_one(f"#l-{self.line_fields[0].name}", Input).focus()

    @on(DataTable.RowSelected, "#lines")
    def _edit_line(self, event: DataTable.RowSelected) -> None:
        event.stop()
        idx = event.cursor_row
        if 0 <= idx < len(self.lines):
            self.editing = idx
            self._fill_editor(self.lines[idx])
            self.query_one(f"#l-{self.line_fields[0].name}", Input).focus()

    def key_d(self) -> None:
        """Remove the line under the cursor. The cursor stays where it was (on the line
        after, or the last): it went to line 1, so a second d removed another line than
        the one below. A line being edited keeps being that line."""
        grid = self.query_one("#lines", DataTable)
        row = grid.cursor_row
        if self.focused is grid and 0 <= row < len(self.lines):
            del self.lines[row]
            if self.editing == row:  # its line is gone: so is what the editor held of it
                self.editing = None
                self._fill_editor({})
            elif self.editing is not None and self.editing > row:
                self.editing -= 1
            self._lines_changed()
            if self.lines:
                grid.move_cursor(row=min(row, len(self.lines) - 1))

    key_delete = key_d

    def _lines_changed(self) -> None:
        """A line added, changed or removed: drawn again, and what a refused save said is
        taken away (it named lines by number, "Line 1 product: ...", which may now be
        another line, or no longer hold); saving again says what still stands in the way."""
        self._redraw()
        self.query_one("#form-error", Static).update("")

    # --- totals, saving ---------------------------------------------------------------

    def _refresh_totals(self) -> None:
        self._compute_totals([dict(ln) for ln in self.lines], self.app.store)

    @work(thread=True, exclusive=True, group="lines-preview")
    def _compute_totals(self, lines: list[dict[str, str]], store) -> None:  # noqa: ANN001
        """In a thread: only the lines and the store handed over are read here, and the
        widgets are touched back on the app's thread."""
        try:
            with store.read() as uow:
                text = self.preview(uow, lines)
        except Exception as exc:  # a half-typed line: say so, the save will tell more
            text = Text(_("Totals not available: {reason}").format(reason=tr(exc)))
        self.app.call_from_thread(self._show_totals, text)

    def _show_totals(self, text: Text) -> None:
        self.query_one("#totals", Static).update(text)

    def draft_state(self) -> dict[str, Any]:
        return {
            "values": self.values(),
            "lines": [dict(ln) for ln in self.lines],
            "editor": self._editor_values(),
        }

    def apply_draft(self, state: dict[str, Any]) -> None:
        super().apply_draft(state)
        names = {f.name for f in self.line_fields}
        self.lines = [
            {k: str(v) for k, v in ln.items() if k in names}
            for ln in state.get("lines") or []
            if isinstance(ln, dict)
        ]
        self.editing = None
        self._fill_editor(state.get("editor") or {})
        self._redraw()

    @property
    def dirty(self) -> bool:
        return super().dirty or self.lines != self.initial_lines or self._editor_typed()

    def _save_all(self, uow, values: dict[str, Any]) -> Any:  # noqa: ANN001
        return self._action(uow, values, [dict(ln) for ln in self.lines])

    def action_save(self) -> None:
        self._action = self.lines_save
        self._take_line()  # a line typed but not added counts: saving drops nothing on screen
        super().action_save()

    def action_extra(self, key: str) -> None:
        self._action = next(fn for k, _label, fn in self.extra if k == key)
        self._take_line()
        super().action_save()


@dataclass(frozen=True)
class LineColumns:
    """The lines of one kind of document: the editor's inputs, the service's line input that
    a row becomes (built by field name), and the totals line the service's figures make.
    The fields' labels (N_-marked) are the columns' titles, translated by the form; so are
    the extra actions' labels (the footer translates them)."""

    fields: list[Field]
    make: Callable[..., Any]  # the service's line input: make(**row)
    totals: Callable[[Any, list], Text]  # (uow, line inputs) -> the totals line

    def rows(self, lines: Iterable[Any]) -> list[dict[str, str]]:
        """Line inputs (a saved document's lines) as the editor's rows."""
        return [{f.name: str(getattr(ln, f.name)) for f in self.fields} for ln in lines]

    def inputs(self, rows: list[dict[str, str]]) -> list:
        return [self.make(**row) for row in rows]

    def form(
        self,
        title: str,
        fields: list[Field],
        lines: Iterable[Any],
        save: Callable[[Any, dict[str, Any], list], Any],
        *,
        extra: Iterable[tuple[str, str, Callable[[Any, dict[str, Any], list], Any]]] = (),
    ) -> LinesFormScreen:
        """The form; ``save(uow, header values, line inputs)``, and each extra action
        ``(key, label, fn)`` with ``fn`` like ``save``."""

        def typed(fn):  # noqa: ANN001, ANN202
            return lambda uow, values, rows: fn(uow, values, self.inputs(rows))

        return LinesFormScreen(
            title,
            fields,
            self.fields,
            self.rows(lines),
            typed(save),
            lambda uow, rows: self.totals(uow, self.inputs(rows)),
            extra=[(key, label, typed(fn)) for key, label, fn in extra],
        )
