"""The table every bizdesk screen draws rows in (widgets/table.py), in a real app: text as
typed, never markup, and a column as wide as its cells from the moment a row is added."""

from __future__ import annotations

import pytest
from textual.app import App, ComposeResult

from bizdesk.widgets.table import Table

NAMES = ["[/]", "[bold]x[/]", "[@click=app.quit]quit[/]", "Bolt [M8]", "Acme Wheels Ltd"]


class _Shop(App):
    def compose(self) -> ComposeResult:
        yield Table(id="t")


@pytest.mark.parametrize("name", NAMES)
async def test_a_cell_and_a_title_show_as_typed(name: str) -> None:
    app = _Shop()
    async with app.run_test(size=(80, 10)) as pilot:
        table = app.query_one(Table)
        table.add_column(name, key="c")
        table.add_row(name, key="r")
        await pilot.pause()
        shot = app.export_screenshot()
        assert app.is_running
        assert str(table.get_cell("r", "c")) == name
    # the SVG holds the text with spaces as no-break spaces and markup characters escaped
    drawn = shot.replace("&#160;", " ").replace("&#x27;", "'")
    assert name.replace("&", "&amp;").replace("<", "&lt;") in drawn


async def test_a_row_drawn_before_the_table_is_idle_is_not_clipped() -> None:
    """A busy machine draws a row before Textual's DataTable measures it when idle: there it
    is drawn clipped to the title's width (' Acme Wh', and the report snapshot once caught it
    so); here the column is as wide as the row from the moment it is added."""
    app = _Shop()
    async with app.run_test(size=(40, 6)) as pilot:
        table = app.query_one(Table)
        table.add_column("Contact", key="c")
        await pilot.pause()
        table.add_row("Acme Wheels Ltd", key="r")
        assert table.render_line(1).text.startswith(" Acme Wheels Ltd ")  # before any idle
        await pilot.pause()
        assert table.render_line(1).text.startswith(" Acme Wheels Ltd ")
