"""The contact page's interaction form at 80x24: when it happened is typed as the person
writes dates (then HH:MM), wrong or future moments are refused in the form, and a back-dated
call lands in its place on the timeline, shown as it was typed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from textual.widgets import Input, Static, TextArea

from bizdesk.app import BizdeskApp
from bizdesk.reading import date_text_in
from bizdesk.screens.contacts import ContactScreen
from bizdesk.services.admin import users
from bizdesk.services.crm import contacts as C
from bizdesk.widgets.form import FormScreen
from tests.tui_helpers import SIZE, settle


async def test_a_call_made_yesterday_is_logged_in_its_place(store):
    with store.write() as uow:
        uow.set_setting("shop_timezone", "Europe/Madrid")
        users.set_language(uow, "tester", "es_ES")
        cid = C.create(uow, C.ContactInput(name="Ana Ruiz")).contact.id
        C.log_interaction(uow, cid, "note", "hace tiempo", datetime(2025, 3, 1, 10, tzinfo=UTC))
        C.log_interaction(uow, cid, "email", "hoy mismo")
    today = datetime.now(ZoneInfo("Europe/Madrid")).date()  # the shop's day (from 23:00
    yesterday = date_text_in(today - timedelta(days=1), "es_ES") + " 09:30"  # UTC, the
    tomorrow = date_text_in(today + timedelta(days=1), "es_ES")  # machine's is a day behind)
    app = BizdeskApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        app.push_screen(ContactScreen(cid))
        await settle(pilot, app)
        await pilot.press("i")
        await settle(pilot, app)
        assert isinstance(app.screen, FormScreen)
        when = app.screen.query_one("#f-at", Input)
        assert "DD/MM/AAAA HH:MM" in when.placeholder, when.placeholder
        app.screen.query_one("#f-summary", TextArea).text = "llamó por el pedido"
        for wrong, said in (
            ("31/02/2026", "ese día no existe"),
            ("2/3/26", "DD/MM/AAAA"),
            ("05/12/2026 9h", "HH:MM"),
            (tomorrow, tomorrow),
        ):
            when.value = wrong
            await pilot.press("ctrl+s")
            await settle(pilot, app)
            assert isinstance(app.screen, FormScreen), wrong
            error = str(app.screen.query_one("#e-at", Static).render())
            assert said in error, (wrong, error)
        when.value = yesterday
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert isinstance(app.screen, ContactScreen)
        log = str(app.screen.query_one("#interactions", Static).render())
        assert log.index("hoy mismo") < log.index("llamó por el pedido") < log.index("hace tiempo")
        assert f"{yesterday}  llamada" in log, log


async def test_a_follow_up_done_yesterday_is_logged_yesterday(store):
    from bizdesk.screens.nurture import FollowUpsScreen
    from bizdesk.services.crm import nurture

    with store.write() as uow:
        nurture.create_sequence(
            uow,
            nurture.SequenceInput(
                "New lead", "lead", True, [nurture.StepInput("0", "call", "Welcome call")]
            ),
        )
        cid = C.create(uow, C.ContactInput(name="Ana Lopez", stage="lead")).contact.id
    app = BizdeskApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        app.push_screen(FollowUpsScreen())
        await settle(pilot, app)
        await pilot.press("d")
        await settle(pilot, app)
        form = app.screen
        assert isinstance(form, FormScreen)
        when = form.query_one("#f-at", Input)
        assert "YYYY-MM-DD HH:MM" in when.placeholder, when.placeholder
        when.value = "2026-02-30 10:00"
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert "there is no such day" in str(form.query_one("#e-at", Static).render())
        when.value = "2026-11-30 10:00"
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert isinstance(app.screen, FollowUpsScreen)
    with store.read() as uow:
        [logged] = C.list_interactions(uow, cid)
    assert logged.at == datetime(2026, 11, 30, 10, 0, tzinfo=UTC)  # the shop's zone: UTC
