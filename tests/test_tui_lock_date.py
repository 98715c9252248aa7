"""The lock date from the Journal tab (k), in Spanish: a day that has not happened is
refused, the date is said as the person writes dates, and moving it back needs the box
that says the closed days are meant to open again (a box whose state reads without
colour)."""

from __future__ import annotations

from datetime import date

from textual.widgets import Checkbox, Input, Static

from bizdesk.app import BizdeskApp
from bizdesk.services.admin import users
from bizdesk.services.books import ledger
from bizdesk.widgets.form import FormScreen
from tests.tui_helpers import SIZE, settle, type_text


async def _lock_form(pilot, app: BizdeskApp, typed: str) -> None:  # noqa: ANN001
    if not isinstance(app.screen, FormScreen):
        await pilot.press("k")
        await settle(pilot, app)
    box = app.screen.query_one("#f-lock_date", Input)
    box.value = ""
    box.focus()
    await type_text(pilot, typed)
    await pilot.press("ctrl+s")
    await settle(pilot, app)


def _error(app: BizdeskApp, name: str) -> str:
    return str(app.screen.query_one(f"#e-{name}", Static).render())


async def test_the_lock_date_form_in_spanish(store) -> None:  # noqa: ANN001
    with store.write() as uow:
        users.set_language(uow, "tester", "es")
    app = BizdeskApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("f8")
        await settle(pilot, app)
        await _lock_form(pilot, app, "31/12/2199")
        assert "31/12/2199 es posterior a hoy" in _error(app, "lock_date")
        await _lock_form(pilot, app, "31/10/2026")
        assert not isinstance(app.screen, FormScreen)
        said = [str(n.message) for n in app._notifications]
        assert said[-1] == "Cerrado hasta el 31/10/2026"  # as the person writes dates
        await _lock_form(pilot, app, "30/09/2026")
        assert isinstance(app.screen, FormScreen)
        assert "esto vuelve a abrir los días del 01/10/2026 al 31/10/2026" in " ".join(
            _error(app, "reopen").split()
        )
        tick = app.screen.query_one("#f-reopen", Checkbox)
        assert "X" not in str(tick.render())  # unticked reads blank, not by colour alone
        tick.value = True
        await settle(pilot, app)
        assert "X" in str(tick.render())
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert not isinstance(app.screen, FormScreen)
    with store.read() as uow:
        assert ledger.lock_date(uow) == date(2026, 9, 30)
