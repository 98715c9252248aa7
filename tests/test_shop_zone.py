"""The shop's time zone: times are kept in UTC and shown in the shop's own. The screens read
a "timezone" setting nothing ever wrote, so a Vietnamese shop saw every time seven hours
behind ("Posted 04/12/2026 19:07" for an entry posted at 02:07 on the 5th). The zone is a
shop detail; without one, the ticket hours' zone, else the country's when it has only one."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest

from bizdesk.app import BizdeskApp
from bizdesk.errors import Conflict, ValidationError
from bizdesk.formatting import moment
from bizdesk.models.ledger import JournalEntry
from bizdesk.screens.journal import EntryScreen
from bizdesk.screens.stock import ProductScreen
from bizdesk.services.base.zones import country_zone, shop_zone, zone_without_own
from bizdesk.services.crm import contacts
from bizdesk.services.crm.contacts import ContactInput
from bizdesk.services.crm.tickets import set_business_hours
from bizdesk.services.inventory.products import resolve_product
from bizdesk.services.papers import shop as S
from bizdesk.services.trade import purchasing
from bizdesk.widgets.paged_table import PagedTable
from tests.erp_helpers import order
from tests.test_cli import bizdesk
from tests.test_tui_erp import shop  # noqa: F401  (the fixture)
from tests.tui_helpers import SIZE, settle, wait_for


def details(store, **changed: str) -> S.Saved:  # noqa: ANN001
    with store.write() as uow:
        before = S.get(uow)
        return S.update(uow, S.ShopDetails(**{**vars(before), "name": "Bikes", **changed}))


def test_the_zone_is_the_shop_s_own_else_its_ticket_hours_else_its_country_s() -> None:
    def zone(**settings: str) -> str:
        return shop_zone(lambda key, default="": settings.get(key, default))

    assert zone() == "UTC"
    assert zone(shop_country="VN") == "Asia/Ho_Chi_Minh"
    assert zone(shop_country="RO") == "Europe/Bucharest"
    assert country_zone("ES") == ""  # Madrid and the Canaries: never guessed
    assert zone(shop_country="ES") == "UTC"
    hours = '{"days": ["mon"], "start": "09:00", "end": "17:00", "timezone": "Atlantic/Canary"}'
    assert zone(shop_country="ES", business_hours=hours) == "Atlantic/Canary"
    utc_hours = hours.replace("Atlantic/Canary", "UTC")  # the hours' default: not a choice
    assert zone(shop_country="VN", business_hours=utc_hours) == "Asia/Ho_Chi_Minh"
    own = {"shop_timezone": "Europe/Madrid", "shop_country": "VN", "business_hours": hours}
    assert zone(**own) == "Europe/Madrid"


def test_the_shop_s_zone_is_read_as_the_tz_database_spells_it(store) -> None:  # noqa: ANN001
    assert details(store, timezone=" europe/madrid ").details.timezone == "Europe/Madrid"
    with pytest.raises(ValidationError) as refused:
        details(store, timezone="Madrid")
    said = str(refused.value.fields["timezone"])
    assert "'Madrid' is not a time zone" in said and "Europe/Madrid" in said
    with store.read() as uow:
        assert S.get(uow).timezone == "Europe/Madrid"
    details(store, timezone="", country="ES")
    with store.read() as uow:
        assert shop_zone(uow.setting) == "UTC"
    with store.write() as uow:
        set_business_hours(uow, "mon-fri", "09:00", "17:00", "Atlantic/Canary")
    with store.read() as uow:
        assert shop_zone(uow.setting) == "Atlantic/Canary"


def test_a_changed_record_says_when_in_the_shop_s_zone(store) -> None:  # noqa: ANN001
    details(store, country="VN")
    with store.write() as uow:
        saved = contacts.create(uow, ContactInput(name="Lan"))
        contacts.update(uow, saved.contact.id, ContactInput(name="Lan Anh"), version=1)
    with store.write() as uow, pytest.raises(Conflict) as stale:
        contacts.update(uow, saved.contact.id, ContactInput(name="Lan B"), version=1)
    with store.read() as uow:
        at = contacts.get(uow, saved.contact.id).updated_at
    assert moment(at, "Asia/Ho_Chi_Minh") in str(stale.value), str(stale.value)
    assert moment(at, "Asia/Ho_Chi_Minh") != moment(at, "UTC")


async def test_an_entry_s_page_says_when_it_was_posted_in_the_shop_s_zone(shop) -> None:  # noqa: ANN001, F811
    details(shop, country="VN")
    po = order(shop, 1, ("BOLT", "10", "0.20"))
    with shop.write() as uow:
        purchasing.receive(uow, po.id, {po.lines[0].id: "10"})
    with shop.read() as uow:
        posted = uow.session.get(JournalEntry, 1).posted_at
    local = posted.astimezone(ZoneInfo("Asia/Ho_Chi_Minh"))
    with shop.read() as uow:
        bolt = resolve_product(uow, "BOLT").id
    app = BizdeskApp(shop)
    async with app.run_test(size=SIZE) as pilot:
        app.push_screen(EntryScreen(1))
        await settle(pilot, app)
        text = str(app.screen.query_one("#main").render())
        app.pop_screen()
        app.push_screen(ProductScreen(bolt))  # its moves: when, in the shop's zone too

        def moves() -> PagedTable | None:
            found = app.screen.query(PagedTable) if isinstance(app.screen, ProductScreen) else []
            return found[0] if found and found[0].page_data is not None else None

        await wait_for(pilot, app, lambda: moves() is not None, "its moves")
        await settle(pilot, app)
        table = moves()
        when = str(table._cells(table.page_data.rows[0])[0])  # noqa: SLF001
    assert f"Posted {local:%Y-%m-%d %H:%M} by" in text, text
    assert when == f"{local:%Y-%m-%d %H:%M}", when


def test_shop_show_says_which_zone_the_shop_has_without_one(tmp_path) -> None:  # noqa: ANN001
    db = str(tmp_path / "shop.db")
    assert bizdesk("init", "--db", db, "--company", "Bikes").returncode == 0
    assert bizdesk("shop", "set", "country", "VN", "--db", db).returncode == 0
    shown = bizdesk("shop", "show", "--db", db).stdout
    assert "none set: times are shown in Asia/Ho_Chi_Minh" in shown, shown
    hours = bizdesk("sla", "hours", "mon-sat", "08:00", "17:00", "--db", db).stdout
    assert hours.strip() == "Business hours set: mon-sat 08:00 17:00 Asia/Ho_Chi_Minh", hours
    set_ = bizdesk("shop", "set", "timezone", "asia/bangkok", "--db", db)
    assert set_.returncode == 0 and "Asia/Bangkok" in set_.stdout, set_.stdout
    bad = bizdesk("shop", "set", "timezone", "GMT+7", "--db", db)
    assert bad.returncode != 0 and "is not a time zone" in bad.stdout + bad.stderr
    # cleared: says what applies now, not an empty value
    cleared = bizdesk("shop", "set", "timezone", "", "--db", db).stdout
    assert cleared.strip() == "Time zone: none set: times are shown in Asia/Ho_Chi_Minh"
    assert bizdesk("shop", "set", "phone", "", "--db", db).stdout.strip() == "Phone: not set"
    # an hour as a clock writes it
    hours = bizdesk("sla", "hours", "mon-fri", "8:00", "17:00", "--db", db).stdout
    assert hours.strip() == "Business hours set: mon-fri 08:00 17:00 Asia/Ho_Chi_Minh", hours


def test_the_zone_without_its_own_ignores_the_shop_s_own(store) -> None:  # noqa: ANN001
    """What the form offers for an empty box: the zone the shop would have without it."""
    details(store, country="RO", timezone="Europe/Madrid")
    with store.read() as uow:
        assert shop_zone(uow.setting) == "Europe/Madrid"
        assert zone_without_own(uow.setting) == "Europe/Bucharest"


def test_ticket_hours_until_set_are_in_the_shop_s_zone(store) -> None:  # noqa: ANN001
    """Monday to Friday 9 to 5 in UTC was 16:00 to 24:00 in Vietnam: an urgent ticket opened
    on Saturday morning was due on Monday at 17:00."""
    from bizdesk.services.crm.tickets import business_hours

    details(store, country="VN")
    with store.read() as uow:
        hours = business_hours(uow)
    assert hours.typed() == "mon-fri 09:00 17:00 Asia/Ho_Chi_Minh"


def test_the_command_line_s_today_is_the_shop_s_day(tmp_path) -> None:  # noqa: ANN001
    """At 05:00 in Vietnam the server's date (UTC) was yesterday's: a report "as of" today,
    a document's date, "after today" all read it. Of UTC+14 and UTC-12 one is always on
    another day than UTC: the shop in that zone sees its own day."""
    from datetime import UTC, datetime

    now = datetime.now(UTC)
    zone = next(
        z for z in ("Etc/GMT-14", "Etc/GMT+12") if now.astimezone(ZoneInfo(z)).date() != now.date()
    )
    day = datetime.now(ZoneInfo(zone)).date()
    db = str(tmp_path / "shop.db")
    assert bizdesk("init", "--db", db, "--company", "Bikes").returncode == 0
    assert bizdesk("shop", "set", "timezone", zone, "--db", db).returncode == 0
    aged = bizdesk("report", "ar-aging", "--db", db).stdout
    assert f"as of {day.isoformat()}" in aged, (zone, aged)


def test_a_phone_without_a_country_is_the_shop_s_country_s(store) -> None:  # noqa: ANN001
    """0909 123 456 typed for a contact with no country, in a shop whose details say VN,
    was refused ("use the international form, e.g. +49 30 1234567")."""
    from bizdesk.services.crm import contacts
    from bizdesk.services.crm.contacts import ContactInput

    with store.write() as uow, pytest.raises(ValidationError):  # no country anywhere
        contacts.create(uow, ContactInput(name="Lan", phone="0909123456"))
    details(store, country="VN")
    with store.write() as uow:
        saved = contacts.create(uow, ContactInput(name="Lan", phone="0909123456"))
    assert saved.contact.phone == "+84909123456"


async def test_a_zone_set_elsewhere_is_taken_by_the_running_app(store) -> None:  # noqa: ANN001
    """`bizdesk shop set timezone` from another terminal while the app is open: its times
    and its day ("today") follow at the next look for changes, not at the next start."""
    import os
    import time
    from datetime import date, datetime

    from bizdesk.db.session import Store

    before = os.environ.get("TZ")
    app = BizdeskApp(store)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot, app)
            assert app.zone == "UTC"
            elsewhere = Store(url=store.url, engine=store.engine, user="tester")
            with elsewhere.write() as uow:
                S.set_one(uow, "timezone", "Pacific/Kiritimati")  # UTC+14: its own day
            await wait_for(pilot, app, lambda: app.zone == "Pacific/Kiritimati", "the new zone")
            assert os.environ["TZ"] == "Pacific/Kiritimati"
            assert date.today() == datetime.now(ZoneInfo("Pacific/Kiritimati")).date()
    finally:
        if before is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = before
        time.tzset()
