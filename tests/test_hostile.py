"""Hostile strings: user text is shown literally everywhere and never breaks the screen."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from textual.widgets import Input, Static

from bizdesk.app import BizdeskApp
from bizdesk.screens.contacts import ContactScreen
from bizdesk.services import contacts as C
from bizdesk.services import tickets as T
from bizdesk.services.paging import PageRequest
from bizdesk.widgets.form import FormScreen
from bizdesk.widgets.paged_table import PagedTable
from tests.tui_helpers import SIZE, settle

LITERAL = [
    "[bold]x[/]",
    "[/]",
    "Bolt [M8]",
    "Velo 🚲 ☕ 👍🏽",
    "שלום עולם",
    "مرحبا بالعالم",
    "[@click=app.quit]quit[/]",
    "$var {x}",
]
ANSI = "Evil \x1b[31mred\x1b[0m \x1b]0;title\x07"
LONG = "L" * 10_000


def table_text(app: BizdeskApp) -> str:
    grid = app.query_one("#contacts-table", PagedTable).grid
    return "\n".join(str(cell) for row in range(grid.row_count) for cell in grid.get_row_at(row))


@pytest.mark.parametrize("name", LITERAL)
async def test_literal_names_through_form_table_detail_and_notification(store, name):
    app = BizdeskApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("f3")
        await settle(pilot, app)
        await pilot.press("n")
        await settle(pilot, app)
        app.screen.query_one("#f-name", Input).value = name
        app.screen.query_one("#f-notes").text = name
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert not isinstance(app.screen, FormScreen)
        assert name in table_text(app)
        assert any(name in str(n.message) for n in app._notifications)
        await pilot.press("enter")
        await settle(pilot, app)
        assert isinstance(app.screen, ContactScreen)
        details = app.screen.query_one("#details", Static).render()
        assert name in str(details)
        assert app.is_running  # [@click=app.quit] did not quit, markup did not apply
    with store.read() as uow:
        assert C.list_page(uow, PageRequest()).rows[0].name == name


@pytest.mark.parametrize(("value", "fragment"), [(ANSI, "control characters"), (LONG, "too long")])
async def test_refused_names_explained_in_the_form(store, value, fragment):
    app = BizdeskApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("f3")
        await settle(pilot, app)
        await pilot.press("n")
        await settle(pilot, app)
        app.screen.query_one("#f-name", Input).value = value
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert isinstance(app.screen, FormScreen)
        assert fragment in str(app.screen.query_one("#e-name", Static).render())
    with store.read() as uow:
        assert C.counts(uow)["contacts"] == 0


async def test_hostile_ticket_thread_renders_literally(store):
    with store.write() as uow:
        t = T.create(uow, T.TicketInput(subject="[red]Bolt [M8][/red]"))
        T.add_comment(uow, t.id, "[b]not bold[/b]\nשלום 🚲")
    from bizdesk.screens.tickets import TicketScreen

    app = BizdeskApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        app.push_screen(TicketScreen(t.id))
        await settle(pilot, app)
        text = str(app.screen.query_one("#ticket", Static).render())
        assert "[red]Bolt [M8][/red]" in text and "[b]not bold[/b]" in text


def run_cli(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "bizdesk", *args], input=stdin, capture_output=True, timeout=120
    )


def test_hostile_names_through_cli_import_export_and_reports(tmp_path):
    db = str(tmp_path / "cli.db")
    assert run_cli("init", "--db", db).returncode == 0  # only init makes a store
    rows = ["name,city,tags"] + [f'"{n}","{n}",' for n in LITERAL] + [f"{LONG[:200]},x,"]
    r = run_cli("import", "contacts", "-", "--db", db, stdin="\n".join(rows).encode())
    assert r.returncode == 0, r.stderr
    out = run_cli("export", "contacts", "--db", db, "--format", "json")
    names = [c["name"] for c in json.loads(out.stdout)]
    for n in LITERAL:
        assert n in names
    seg = run_cli("report", "segments", "--by", "city", "--db", db)
    assert seg.returncode == 0
    text = seg.stdout.decode()
    assert "[bold]x[/]" in text and "Bolt [M8]" in text and "[/]" in text
    assert "\x1b[1m" not in text  # nothing was turned into styling
    bad = run_cli("import", "contacts", "-", "--db", db, stdin=f"name\n{ANSI}\n{LONG}\n".encode())
    assert bad.returncode == 1
    assert "line 2: name: contains control characters" in bad.stderr.decode()
    assert "line 3: name: too long" in bad.stderr.decode()
