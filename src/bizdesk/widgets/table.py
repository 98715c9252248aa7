"""The DataTable every bizdesk table is: text shown as typed, columns as wide as their cells.

Textual's DataTable reads a plain string cell or title as Rich markup, so a product named
`Wheel [bold]x` shows as a bold `Wheel x` and one named `[/]` stops the screen with an error.
And it measures the rows added only when it is next idle: a row drawn before then (a busy
machine, a slow SSH link) is clipped to its header's width and stays so, as the drawn cell
is cached (`Acme W…` under `Contact` for good). Here strings are literal text and every
automatic column grows to its cells as the row is added.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text, TextType
from textual.widgets import DataTable
from textual.widgets.data_table import ColumnKey, RowKey


def literal(value: Any) -> Any:
    """A string as the text it is (never markup); anything else as it is."""
    return Text(value, end="") if isinstance(value, str) else value


class Table(DataTable):
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
