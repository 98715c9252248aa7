"""Home and End on a table of rows (an order's or a deal's lines, a report) go to the first
and last row, as on every list (DESIGN section 5); Textual's went to the first and last
column, so the cursor stayed and d then deleted the line it was still on."""

from __future__ import annotations

from textual.app import App, ComposeResult

from bizdesk.widgets.table import Table


class _Lines(App):
    def compose(self) -> ComposeResult:
        yield Table(id="lines", cursor_type="row")

    def on_mount(self) -> None:
        table = self.query_one(Table)
        table.add_columns("#", "Product")
        for n, sku in enumerate(("KIT", "WSB-28", "PDL"), 1):
            table.add_row(str(n), sku)
        table.focus()


async def test_home_and_end_move_a_row_table_to_its_first_and_last_row() -> None:
    app = _Lines()
    async with app.run_test(size=(80, 24)) as pilot:
        table = app.query_one(Table)
        await pilot.press("end")
        assert table.cursor_row == 2
        await pilot.press("home")
        assert table.cursor_row == 0
        table.cursor_type = "cell"  # a table of cells keeps Textual's: along the row
        await pilot.press("end")
        assert table.cursor_coordinate == (0, 1)
