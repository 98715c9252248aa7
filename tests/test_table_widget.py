"""The table every bizdesk screen draws rows in (widgets/table.py), in a real app: text as
typed, never markup, and a column as wide as its cells from the moment a row is added."""

from __future__ import annotations

import pytest
from rich.text import Text
from textual.app import App, ComposeResult

from bizdesk.app import BizdeskApp
from bizdesk.formatting import day
from bizdesk.services.books import ledger
from bizdesk.widgets.paged_table import Col, PagedTable, fitted_widths
from bizdesk.widgets.table import PAD, Table, fit_widths, two_lines
from tests.tui_helpers import SIZE, settle, wait_for

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


def test_an_amount_keeps_its_width_and_the_words_give_way() -> None:
    """fit_widths: the name column gives way to the amounts (down to WORDS_FLOOR), then the
    amounts' titles down to their two-line width; an amount's column is never under its
    figures."""
    # code, a long name, three amounts of 13 cells under short titles: 80 cells in all
    heads, bodies = [4, 4, 5, 6, 5], [5, 62, 13, 13, 14]
    widths = fit_widths(heads, bodies, [False, False, True, True, True], 78, heads)
    assert widths[2:] == [13, 13, 14] and widths[0] == 5
    assert sum(widths) + PAD * len(widths) == 78  # the name has what is left
    # titles wider than their figures give way down to their two lines' width, no further
    heads, bodies, titles = [9, 20, 20], [6, 2, 2], [9, 12, 12]
    assert fit_widths(heads, bodies, [False, True, True], 39, titles) == [9, 12, 12]
    assert fit_widths(heads, bodies, [False, True, True], 20, titles) == [9, 12, 12]  # scrolls
    assert fit_widths(heads, bodies, [False, True, True], 60, titles) == [9, 20, 20]


async def test_a_title_takes_two_lines_rather_than_an_ellipsis() -> None:
    """Two amounts' titles that differ only at their end ('1st resp. met', '1st resp.
    breached') stay whole over narrow figures: wrapped on two lines, never both '1st re…'."""
    app = _Shop()
    async with app.run_test(size=(40, 8)) as pilot:
        table = app.query_one(Table)
        table.add_column("Priority", key="p")
        table.add_column("1st resp. met", key="a")
        table.add_column("1st resp. breached", key="b")
        table.add_row("urgent", "13", "5", key="r")
        table.fit({"a", "b"})
        await pilot.pause()
        assert two_lines(Text("1st resp. breached"), app.console) == 9
        head = [table.render_line(y).text for y in (0, 1)]
        assert head[0].split() == ["Priority", "1st", "resp.", "1st", "resp."], head
        assert head[1].split() == ["met", "breached"], head
        assert table.render_line(2).text.split() == ["urgent", "13", "5"]


class _Wide(App):
    def compose(self) -> ComposeResult:
        yield Table(id="t", cursor_type="row")


async def test_a_table_wider_than_the_screen_draws_whole_cells_only() -> None:
    """Six amounts of 12 cells in 40 columns, more rows than it shows (a scrollbar beside
    them): each figure is drawn whole or not at all, before and after scrolling right a
    column at a time, the row's name kept on the left."""
    figure = "1.234.567,89"
    app = _Wide()
    async with app.run_test(size=(40, 6)) as pilot:
        table = app.query_one(Table)
        table.add_column("Name", key="name")
        for i in range(6):
            table.add_column(f"M{i}", key=f"m{i}")
        for r in range(10):
            table.add_row("Ann Buyers", *([figure] * 6), key=str(r))
        table.fit({f"m{i}" for i in range(6)})
        table.focus()
        await pilot.pause()
        titles = []
        for _ in range(7):
            screen = [strip.text for strip in app.screen._compositor.render_strips()]
            line = screen[1]
            assert line.startswith(" Ann Buyers ")
            whole = line.count(figure)
            digits = sum(ch.isdigit() for ch in line)
            assert whole >= 1 and digits == whole * 9, line  # no figure in part
            titles.append(screen[0].split())
            assert len(titles[-1]) == whole + 1  # a title over each figure shown
            await pilot.press("right")
            await pilot.pause()
        assert titles[0][:2] == ["Name", "M0"]
        assert titles[1][:2] == ["Name", "M1"]  # a column further right
        assert titles[-1][-1] == "M5"  # to the last


def test_a_column_of_words_a_date_and_a_grown_title_are_never_cut_to_fit() -> None:
    states = {"partially done": "terminada en parte", "done": "terminada"}
    columns = [
        Col("label", "Number", 8),
        Col("planned", "Planned", 10, fmt=day),
        Col("sku", "SKU", 8),
        Col("name", "Name", 13),
        Col("qty", "Qty", 6),
        Col("done", "Made", 6),
        Col("state", "State", 14, fmt=states.get, shows=tuple(states)),
    ]
    titles = ["Número", "Prevista", "Referencia", "Nombre", "Cant.", "Fabricado", "Estado"]
    widths = fitted_widths(columns, titles)
    # the state whole ("terminada …" read as done), the date, the number and the titles
    # that grew whole; the name gives what they take, down to 4
    assert widths == [8, 10, 10, 4, 6, 9, 18], widths
    assert sum(widths) == sum(c.width for c in columns)


def test_a_page_s_amounts_and_dates_are_whole_and_the_text_gives_way() -> None:
    columns = [
        Col("label", "Entry", 10),
        Col("date", "Date", 10, fmt=day),
        Col("memo", "Memo", 28),
        Col("amount", "Amount", 12, right=True),
        Col("state", "State", 14),
    ]
    titles = ["Asiento", "Fecha", "Concepto", "Importe", "Estado"]

    def page(*amounts: str) -> list[list[Text]]:
        return [[Text(x) for x in ("JE-1", "20/11/2026", "Grande", a, "posted")] for a in amounts]

    assert fitted_widths(columns, titles, page("7,60", "2.297,79")) == [10, 10, 28, 12, 14]
    # 99.999.999,99 is 13 wide: shown whole, the memo one narrower, the table as wide
    widths = fitted_widths(columns, titles, page("7,60", "99.999.999,99"))
    assert widths == [10, 10, 27, 13, 14], widths


async def test_the_journal_shows_the_largest_amount_whole_at_80_columns(store) -> None:  # noqa: ANN001
    most = "99999999.99"
    with store.write() as uow:
        lines = [ledger.LineInput("1010", most, ""), ledger.LineInput("3000", "", most)]
        e = ledger.create_draft(uow, ledger.EntryInput(date="2026-11-02", memo="big", lines=lines))
        ledger.post(uow, e.id, version=e.version)
    app = BizdeskApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f8")
        await wait_for(pilot, app, lambda: app.query_one("#entries", PagedTable).page_data, "rows")
        await settle(pilot, app)
        shot = app.export_screenshot().replace("&#160;", " ")
    assert "99,999,999.99" in shot
    assert "99,999,999.…" not in shot


async def test_an_imported_entry_s_page_names_its_source_and_keeps_its_columns(store) -> None:  # noqa: ANN001
    """An imported entry's page read "From: import #None", and an amount longer than the
    column (99,999,999.99) pushed the credits out of line with their title."""
    from bizdesk.screens.journal import EntryScreen
    from bizdesk.services.exchange import journal_import

    most = "99999999.99"
    data = (
        "entry,date,account,debit,credit,memo\n"
        f"1,2026-11-02,1010,{most},,big\n1,2026-11-02,3000,,{most},big\n"
    )
    journal_import.import_journal(store, data)
    app = BizdeskApp(store)
    async with app.run_test(size=SIZE) as pilot:
        app.push_screen(EntryScreen(1))
        await settle(pilot, app)
        lines = str(app.screen.query_one("#main").render()).splitlines()
    assert "From: import" in lines and not any("None" in x for x in lines), lines
    heads = next(x for x in lines if x.startswith("Account"))
    total = next(x for x in lines if x.startswith("Total"))
    assert total.index("99,999,999.99") + len("99,999,999.99") == heads.index("Debit") + len(
        "Debit"
    ), (heads, total)
    assert total.rstrip().endswith("99,999,999.99"), total
    assert len(total.rstrip()) == heads.index("Credit") + len("Credit"), (heads, total)


def test_a_title_whose_column_gave_way_is_cut_with_an_ellipsis() -> None:
    # "Reason / sourc" read as a word of its own; cut, a title says so as a cell does
    from bizdesk.widgets.paged_table import _title

    reason = Col("reason", "Reason / source", 16)
    assert _title(reason, "Reason / source", 14).plain == "Reason / sour…"
    assert _title(reason, "Reason / source", 15).plain == "Reason / source"
    assert _title(Col("qty", "Qty", 6, right=True), "Qty", 6).justify == "right"


def test_every_list_of_a_screen_is_laid_out_for_80_columns() -> None:
    """A product's moves were laid out 86 cells wide: at 80 columns the reason was cut to
    "Reason / sour" and the table scrolled sideways as soon as an amount grew. Every list's
    declared widths and padding fit the 80 columns the screens are drawn for."""
    import importlib
    import pkgutil

    import bizdesk.screens

    lists = {}
    for info in pkgutil.walk_packages(bizdesk.screens.__path__, "bizdesk.screens."):
        for name, value in vars(importlib.import_module(info.name)).items():
            if isinstance(value, list) and value and all(isinstance(c, Col) for c in value):
                lists[f"{info.name}.{name}"] = sum(c.width or 0 for c in value) + PAD * len(value)
    assert "bizdesk.screens.stock.MOVE_COLUMNS" in lists
    assert {name: width for name, width in lists.items() if width > 80} == {}


def test_a_moment_is_never_cut_to_fit() -> None:
    """A move's time read "2026-12-06 06…" once its value grew: a moment is whole, as a
    date is, and the reason gives way."""
    from datetime import datetime

    from bizdesk.formatting import moment
    from bizdesk.screens.stock import MOVE_COLUMNS

    at = datetime(2026, 12, 6, 6, 20)
    row = [at, "count", "Main", "999,986", "2,399,966.40", "found a warehouse"]
    cells = [
        [
            Text(c.fmt(v) if c.fmt is moment else str(v))
            for c, v in zip(MOVE_COLUMNS, row, strict=True)
        ]
    ]
    titles = [c.label for c in MOVE_COLUMNS]
    widths = fitted_widths(MOVE_COLUMNS, titles, cells)
    assert widths[0] == len("2026-12-06 06:20"), widths
    assert widths[4] == len("2,399,966.40"), widths
    assert sum(widths) == sum(c.width for c in MOVE_COLUMNS)
