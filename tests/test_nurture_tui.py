"""Lead nurturing on screen, at 80x24, on a real store: Home's count, the follow-ups list
(ctrl+t), done/skip/move with wrong dates typed, the sequences' lines editor, a contact's
page, and a role that may not see them told so."""

from __future__ import annotations

from textual.widgets import DataTable, Input, Static, TextArea

from bizdesk.app import BizdeskApp
from bizdesk.db import Store
from bizdesk.services.admin import users
from bizdesk.services.base.paging import PageRequest
from bizdesk.services.crm import contacts, followups, nurture
from bizdesk.widgets.form import FormScreen
from bizdesk.widgets.lines_form import LinesFormScreen
from tests.tui_helpers import SIZE, palette_hits, settle, type_text, wait_for


def text_of(screen, selector: str) -> str:  # noqa: ANN001
    return str(screen.query_one(selector, Static).render())


def _shop(store: Store) -> None:
    with store.write() as uow:
        nurture.create_sequence(
            uow,
            nurture.SequenceInput(
                "New lead",
                "lead",
                True,
                [
                    nurture.StepInput("0", "call", "Welcome call"),
                    nurture.StepInput("3", "email", "Send the catalogue"),
                ],
            ),
        )
        for name in ("Ana Lopez", "Bo Chen"):
            contacts.create(uow, contacts.ContactInput(name=name, stage="lead"))


def _open(store: Store) -> list:
    with store.read() as uow:
        return followups.list_page(uow, PageRequest(filters={"who": "all"})).rows


async def test_follow_ups_from_home_done_skip_move(store) -> None:  # noqa: ANN001
    from bizdesk.screens.contacts import ContactScreen
    from bizdesk.screens.nurture import FollowUpsScreen

    _shop(store)
    with store.read() as uow:
        today = nurture.shop_today(uow)
    app = BizdeskApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        home = app.active_pane()
        await wait_for(pilot, app, lambda: home.data is not None, "Home's figures")
        # (the row itself is pictured by the Home snapshots)
        assert home.data.follow_ups == {"today": 2 if today.weekday() < 5 else 0, "overdue": 0}
        await pilot.press("ctrl+t")
        await wait_for(pilot, app, lambda: isinstance(app.screen, FollowUpsScreen), "the list")
        screen = app.screen
        await settle(pilot, app)
        grid = screen.query_one(DataTable)
        assert grid.row_count == 4
        # done, with a note typed in one burst and saved at once
        await pilot.press("d")
        await wait_for(pilot, app, lambda: isinstance(app.screen, FormScreen), "the note")
        app.screen.query_one(TextArea).focus()
        await type_text(pilot, "wants a blue one")
        await pilot.press("ctrl+s")
        await wait_for(pilot, app, lambda: app.screen is screen, "back at the list")
        await settle(pilot, app)
        assert grid.row_count == 3
        # move: wrong things typed are refused with what is expected; nothing moves
        await pilot.press("m")
        await wait_for(pilot, app, lambda: isinstance(app.screen, FormScreen), "the date")
        form = app.screen
        box = form.query_one("#f-due", Input)
        for wrong, said in (
            ("31/02/2026", "is not a date"),
            ("2020-01-01", "cannot be moved into the past"),
            ("", "required"),
        ):
            box.value = wrong
            await pilot.press("ctrl+s")
            await settle(pilot, app)
            shown = text_of(form, "#e-due") + text_of(form, "#form-error")
            assert said in shown, shown
        box.value = "2099-01-05"
        await pilot.press("ctrl+s")
        await wait_for(pilot, app, lambda: app.screen is screen, "moved")
        await settle(pilot, app)
        assert "2099-01-05" in [r.due.isoformat() for r in _open(store)]
        # skip without a note
        await pilot.press("k")
        await wait_for(pilot, app, lambda: isinstance(app.screen, FormScreen), "skip")
        await pilot.press("ctrl+s")
        await wait_for(pilot, app, lambda: app.screen is screen, "skipped")
        await settle(pilot, app)
        await pilot.press("5")  # done
        await settle(pilot, app)
        assert grid.row_count == 1
        await pilot.press("6")  # skipped
        await settle(pilot, app)
        assert grid.row_count == 1
        await pilot.press("1", "enter")  # the contact's page, its open follow-ups on it
        await wait_for(pilot, app, lambda: isinstance(app.screen, ContactScreen), "contact")
        await settle(pilot, app)
        assert "Follow-ups to do" in text_of(app.screen, "#story")
    states = sorted(r.state for r in _open(store))
    assert states == ["open", "open"]
    with store.read() as uow:
        done = [
            r.state
            for view in ("done", "skipped")
            for r in followups.list_page(
                uow, PageRequest(filters={"who": "all", "view": view})
            ).rows
        ]
    assert done == ["done", "skipped"]


async def test_sequence_form_with_wrong_steps_then_right(store) -> None:  # noqa: ANN001
    from bizdesk.screens.nurture import SequencesScreen

    app = BizdeskApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("ctrl+p")
        await settle(pilot, app)
        await type_text(pilot, "Nurturing sequences")
        await wait_for(pilot, app, lambda: "Nurturing sequences" in palette_hits(app), "hit")
        await pilot.press("enter")
        await wait_for(pilot, app, lambda: isinstance(app.screen, SequencesScreen), "list")
        screen = app.screen
        await settle(pilot, app)
        await pilot.press("n")
        await wait_for(pilot, app, lambda: isinstance(app.screen, LinesFormScreen), "form")
        form = app.screen
        form.query_one("#l-day", Input).focus()
        await pilot.press("ctrl+u", "minus", "5", "tab", "ctrl+u")
        await type_text(pilot, "fax")
        await pilot.press("tab")
        await type_text(pilot, "Ring them")
        await pilot.press("enter", "ctrl+s")  # one burst: the line added, then the save
        await settle(pilot, app)
        err = " ".join(text_of(form, "#form-error").split())
        # one sentence after "Not saved.", with a capital as any sentence has
        assert "Not saved. Line 1 day" in err and "line 1 activity" in err
        assert "required" in text_of(form, "#e-name")
        form.query_one("#f-name", Input).value = "After purchase"
        grid = form.query_one("#lines", DataTable)
        grid.focus()
        grid.move_cursor(row=0)
        await pilot.press("d")
        await settle(pilot, app)
        form.query_one("#l-day", Input).focus()
        await pilot.press("ctrl+u", "2", "tab", "ctrl+u")
        await type_text(pilot, "call")
        await pilot.press("tab")
        await type_text(pilot, "How is the bike?")
        await pilot.press("enter", "ctrl+s")
        await wait_for(pilot, app, lambda: app.screen is screen, "saved")
        await settle(pilot, app)
        assert screen.query_one(DataTable).row_count == 1
    with store.read() as uow:
        view = nurture.find_sequence(uow, "After purchase")
    assert [(s.day, s.activity, s.text) for s in view.steps] == [(2, "call", "How is the bike?")]


async def test_a_warehouse_clerk_is_told(store) -> None:  # noqa: ANN001
    with store.write() as uow:
        users.add(uow, "wh", "warehouse")
    clerk = Store(url=store.url, engine=store.engine, user="wh")
    app = BizdeskApp(clerk)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("ctrl+t")
        await settle(pilot, app)
        assert not type(app.screen).__name__.startswith("FollowUps")
        assert any("not allowed" in str(n.message) for n in app._notifications)


async def test_a_new_step_is_a_call_in_the_readers_language(store) -> None:  # noqa: ANN001
    """In Vietnamese the new step's activity reads "cuộc gọi", not the key "call", and a
    step left so is saved as a call."""
    from bizdesk import i18n
    from bizdesk.screens.nurture import sequence_form
    from bizdesk.services.admin import users

    with store.write() as uow:
        users.set_language(uow, uow.user, "vi")
    try:
        app = BizdeskApp(store)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot, app)
            assert i18n.current_language() == "vi"
            app.push_screen(sequence_form())
            await wait_for(pilot, app, lambda: isinstance(app.screen, LinesFormScreen), "form")
            await settle(pilot, app)
            form = app.screen
            call = i18n._(nurture.KIND_NAMES["call"])
            assert call != "call"
            assert form.query_one("#l-activity", Input).value == call
            form.query_one("#f-name", Input).value = "Sau khi mua"
            form.query_one("#l-text", Input).value = "Hỏi thăm"
            form.query_one("#l-text", Input).focus()
            await pilot.press("enter", "ctrl+s")
            await wait_for(pilot, app, lambda: app.screen is not form, "saved")
    finally:
        i18n.use("en")  # the next test's app starts in English
    with store.read() as uow:
        view = nurture.find_sequence(uow, "Sau khi mua")
    assert [(s.day, s.activity, s.text) for s in view.steps] == [(0, "call", "Hỏi thăm")]
