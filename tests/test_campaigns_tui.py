"""Campaigns, segments and consent in the interface at 80x24, on a real store (Pilot)."""

from __future__ import annotations

from textual.widgets import DataTable, Input, Select, Static

from bizdesk.app import BizdeskApp
from bizdesk.screens.contacts import ContactScreen
from bizdesk.screens.marketing import CampaignScreen, CampaignsScreen, SegmentsScreen
from bizdesk.services.marketing import campaigns, consent
from bizdesk.widgets.form import FormScreen
from tests.mail_server import free_port
from tests.test_campaigns_service import campaign, madrid
from tests.test_mail import smtp_settings
from tests.tui_helpers import SIZE, settle, wait_for


def text_of(screen, selector: str) -> str:  # noqa: ANN001
    return str(screen.query_one(selector, Static).render())


async def test_campaigns_page_segments_and_a_refused_typo(store) -> None:  # noqa: ANN001
    madrid(store)
    cid = campaign(store)
    with store.write() as uow:
        campaigns.set_unsubscribe_url(uow, "https://shop.example/u/{token}")
        campaigns.queue_campaign(uow, cid)  # queued, not sent: no server needed
    app = BizdeskApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("ctrl+k")
        await settle(pilot, app)
        assert isinstance(app.screen, CampaignsScreen)
        await pilot.press("n")
        await settle(pilot, app)
        form = app.screen
        assert isinstance(form, FormScreen)
        form.query_one("#f-name", Input).value = "Autumn"
        form.query_one("#f-segment", Input).value = "Madrid"
        form.query_one("#f-subject", Input).value = "Hi {frist_name}"
        form.query_one("#f-attribution_days", Input).value = "a month"
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert app.screen is form
        assert "{frist_name} is not a merge field" in text_of(form, "#e-subject")
        assert "a whole number of days" in text_of(form, "#e-attribution_days")
        assert "required" in text_of(form, "#e-body")
        await pilot.press("escape")
        await settle(pilot, app)
        await pilot.press("y")  # discard what was typed
        await settle(pilot, app)
        assert isinstance(app.screen, CampaignsScreen)
        await pilot.press("enter")
        await settle(pilot, app)
        page = app.screen
        assert isinstance(page, CampaignScreen)
        summary = text_of(page, "#campaign-summary")
        assert "Spring service to Madrid (queued)" in summary
        assert "Left out: 3" in summary and "opted out 1" in summary
        assert "Recipients: 2 (queued 2)" in summary
        rows = page.query_one(DataTable)
        assert rows.row_count == 2 and "Ana Ruiz" in str(rows.get_row_at(0))
        await pilot.press("r")  # Ana replied
        await settle(pilot, app)
        assert "Recipients: 2 (queued 1, replied 1)" in text_of(page, "#campaign-summary")
        await pilot.press("escape", "g")
        await settle(pilot, app)
        assert isinstance(app.screen, SegmentsScreen)


async def test_consent_from_the_contact_page(store) -> None:  # noqa: ANN001
    ids = madrid(store)
    app = BizdeskApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        app.action_open_record("contact", ids["eva"])
        await settle(pilot, app)
        page = app.screen
        assert isinstance(page, ContactScreen)
        assert "E-mail consent: not asked" in text_of(page, "#details")
        await pilot.press("c")
        await settle(pilot, app)
        assert isinstance(app.screen, FormScreen)
        # never asked: the form starts at "opted out" (a consent nobody chose is never
        # recorded), by hand
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert isinstance(app.screen, ContactScreen)
        assert "E-mail consent: opted out on " in text_of(page, "#details")
        await pilot.press("c")
        await settle(pilot, app)
        app.screen.query_one("#f-state", Select).value = "in"  # chosen
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert "E-mail consent: opted in on " in text_of(page, "#details")
    with store.read() as uow:
        assert consent.get_consent(uow, ids["eva"]).how == "by hand"


async def test_a_campaign_to_a_server_that_is_down_says_why_once(store) -> None:  # noqa: ANN001
    """Nobody listens where the settings point: the campaign is tried over one connection
    attempt and the person is told the messages wait, and why."""
    madrid(store)
    cid = campaign(store)
    with store.write() as uow:
        campaigns.set_unsubscribe_url(uow, "https://shop.example/u/{token}")
    smtp_settings(store, free_port())
    app = BizdeskApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("ctrl+k")
        await settle(pilot, app)
        assert isinstance(app.screen, CampaignsScreen)
        await pilot.press("m")
        await settle(pilot, app)
        await pilot.press("y")
        await wait_for(
            pilot,
            app,
            lambda: any("wait to be tried again" in str(n.message) for n in app._notifications),
            "the campaign's outcome",
        )
        said = next(str(n.message) for n in app._notifications if "wait to be" in str(n.message))
        await pilot.press("enter")  # the campaign's page: a failed try is tried again
        await wait_for(
            pilot, app, lambda: type(app.screen).__name__ == "CampaignScreen", "the page"
        )
        await settle(pilot, app)
        assert "Recipients: 2 (failed, retrying 2)" in str(
            app.screen.query_one("#campaign-summary").render()
        )
    assert said.startswith("0 messages were sent; 2 wait to be tried again.\n"), said
    assert "could not be reached" in said
    with store.read() as uow:
        assert campaigns.results(uow, cid).by_result == {"failed": 2}


async def test_a_segment_form_hints_its_dates_in_the_readers_form(store) -> None:  # noqa: ANN001
    """ "Bought from" and "Bought until" are dates: their boxes say how to write one, as every
    other date box does (they said nothing)."""
    app = BizdeskApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("ctrl+k")
        await settle(pilot, app)
        await pilot.press("g")
        await settle(pilot, app)
        assert isinstance(app.screen, SegmentsScreen)
        await pilot.press("n")
        await settle(pilot, app)
        form = app.screen
        assert isinstance(form, FormScreen)
        for name in ("bought_from", "bought_to"):
            assert form.query_one(f"#f-{name}", Input).placeholder == "YYYY-MM-DD", name


async def test_a_segments_stage_and_age_are_chosen_in_the_readers_words(store) -> None:  # noqa: ANN001
    """Stage and age group were free boxes hinting "lead, prospect, customer" in English to
    every reader; they are lists of the reader's words that save the stored ones. A
    ticket's link is chosen the same way (its box said "sales_order, purchase_order")."""
    from bizdesk import i18n
    from bizdesk.screens.tickets import ticket_form
    from bizdesk.services.admin import users
    from bizdesk.services.marketing import segments

    with store.write() as uow:
        users.set_language(uow, "tester", "ro")
    app = BizdeskApp(store)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot, app)
            await pilot.press("ctrl+k")
            await settle(pilot, app)
            await pilot.press("g")
            await settle(pilot, app)
            assert isinstance(app.screen, SegmentsScreen)
            await pilot.press("n")
            await settle(pilot, app)
            form = app.screen
            stage = form.query_one("#f-stage", Select)
            age = form.query_one("#f-age_group", Select)
            assert [str(label) for label, _v in stage._options] == [
                "oricare", "potențial", "prospect", "client", "inactiv",
            ]  # fmt: skip
            assert [v for _l, v in age._options][:2] == ["", "under 25"]
            assert str(age._options[1][0]) == "sub 25"
            form.query_one("#f-name", Input).value = "Tineri"
            stage.value = "customer"
            age.value = "25-34"
            await pilot.press("ctrl+s")
            await wait_for(pilot, app, lambda: app.screen is not form, "the form saved")
            with store.read() as uow:
                (saved,) = segments.list_segments(uow)
            assert saved.definition == {"stage": "customer", "age_group": "25-34"}
            app.push_screen(ticket_form())
            await settle(pilot, app)
            link = app.screen.query_one("#f-link_kind", Select)
            assert [(str(label), v) for label, v in link._options] == [
                ("nimic", ""),
                ("comandă de vânzare", "sales_order"),
                ("comandă de achiziție", "purchase_order"),
                ("produs", "product"),
            ]
    finally:
        i18n.use("en")


async def test_keys_typed_while_the_campaign_form_is_being_made_go_into_it(
    store,  # noqa: ANN001
    monkeypatch,  # noqa: ANN001
) -> None:
    """ "n" and the name in one burst (SSH): the form opens once the segments are read, and
    the name typed meanwhile lands in it, whole, never acting on the list behind (an "n"
    in the name opening a second form, a "g" opening the segments). The read is made slow
    (a busy server), so that every key comes before the form."""
    import time

    from bizdesk.screens import marketing
    from tests.test_keys import post_burst

    names = marketing._segment_names

    def slowly(uow):  # noqa: ANN001, ANN202
        time.sleep(0.5)
        return names(uow)

    monkeypatch.setattr(marketing, "_segment_names", slowly)
    madrid(store)
    app = BizdeskApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("ctrl+k")
        await settle(pilot, app)
        assert isinstance(app.screen, CampaignsScreen)
        post_burst(app, "nWinter sale gone\tMadrid")
        await wait_for(pilot, app, lambda: isinstance(app.screen, FormScreen), "the form")
        await settle(pilot, app)
        form = app.screen
        assert isinstance(form, FormScreen)
        assert form.query_one("#f-name", Input).value == "Winter sale gone"
        assert form.query_one("#f-segment", Input).value == "Madrid"
        assert [type(s).__name__ for s in app.screen_stack].count("FormScreen") == 1


async def test_a_segment_s_own_page_counts_its_members(store) -> None:  # noqa: ANN001
    """The list of segments has no count (a count reads every member: 91 ms for five
    segments of the large store, over a list's 50 ms); enter opens the segment's page,
    which counts them, one member as one ("Solo: 1 members" before)."""
    from tests.test_campaigns_service import person, segment

    madrid(store)  # five people in Madrid; the segment Madrid, of every contact
    person(store, "Lou Vidal", city="Lugo")
    segment(store, "Lugo", city="Lugo")
    app = BizdeskApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        app.action_segments()
        await wait_for(pilot, app, lambda: isinstance(app.screen, SegmentsScreen), "segments")
        await settle(pilot, app)
        segments_list = app.screen
        await wait_for(pilot, app, lambda: segments_list.table.page_data is not None, "a page")
        for down, said in ((0, "Lugo: 1 member"), (1, "Madrid: 6 members")):  # (no filter)
            segments_list.table.focus_grid()
            await pilot.press(*["down"] * down, "enter")
            await wait_for(pilot, app, lambda: app.screen is not segments_list, "its page")
            await wait_for(
                pilot,
                app,
                lambda said=said: text_of(app.screen, "#members-title") == said,
                said,
            )
            await pilot.press("escape")
            await wait_for(pilot, app, lambda: app.screen is segments_list, "the list")
