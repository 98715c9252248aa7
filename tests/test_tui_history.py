"""A record's history (h on its page): the audit trail's events of that record, newest
first, and one event's before and after; only for the roles that read the trail."""

from __future__ import annotations

from textual.widgets import DataTable, Input, Static

from bizdesk.app import BizdeskApp
from bizdesk.db import open_store
from bizdesk.screens.contacts import ContactScreen
from bizdesk.screens.history import EventScreen, HistoryScreen
from bizdesk.services.admin import users
from bizdesk.services.crm import contacts as C
from tests.tui_helpers import SIZE, footer_text, settle, type_text


def _rows(app: BizdeskApp) -> list[list[str]]:
    table = app.screen.query_one(DataTable)
    return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


def _said(app: BizdeskApp) -> list[str]:
    return [str(n.message) for n in app._notifications]


async def _open_contact(pilot, app: BizdeskApp) -> None:  # noqa: ANN001
    await settle(pilot, app)
    await pilot.press("f3")
    await settle(pilot, app)
    await pilot.press("enter")
    await settle(pilot, app)
    assert isinstance(app.screen, ContactScreen)


async def test_a_contacts_history_names_who_changed_its_phone(store):
    with store.write() as uow:
        C.create(uow, C.ContactInput(name="Ann Buyer", phone="+44 20 7946 0100"))
    app = BizdeskApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await _open_contact(pilot, app)
        assert "h History" in footer_text(app)
        await pilot.press("e")
        await settle(pilot, app)
        app.screen.query_one("#f-phone", Input).value = "+44 20 7946 0199"
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert isinstance(app.screen, ContactScreen)
        await pilot.press("h", "down", "up")
        await settle(pilot, app)
        assert isinstance(app.screen, HistoryScreen)
        rows = _rows(app)
        assert len(rows) == 2  # newest first: the change, then the creation
        assert rows[0][1:] == ["tester", "update", "Phone"]
        assert rows[1][1:3] == ["tester", "create"]
        await pilot.press("enter")
        await settle(pilot, app)
        assert isinstance(app.screen, EventScreen)
        shown = str(app.screen.query_one("#event-details", Static).render())
        with store.read() as uow:
            now = C.get(uow, 1).phone
        assert "0199" in now and f"Phone: {now.replace('0199', '0100')} → {now}" in shown
        await pilot.press("escape")
        await settle(pilot, app)
        assert isinstance(app.screen, HistoryScreen)
        await pilot.press("escape")
        await settle(pilot, app)
        assert isinstance(app.screen, ContactScreen)


async def test_a_save_that_changed_nothing_says_so(store):
    """It listed every detail as changed to itself ("City: York → York")."""
    with store.write() as uow:
        C.create(uow, C.ContactInput(name="Ann Buyer", city="York"))
    app = BizdeskApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await _open_contact(pilot, app)
        await pilot.press("e")
        await settle(pilot, app)
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        await pilot.press("h")
        await settle(pilot, app)
        assert _rows(app)[0][2:] == ["update", ""]
        await pilot.press("enter")
        await settle(pilot, app)
        shown = str(app.screen.query_one("#event-details", Static).render())
        assert shown.strip() == "This save changed nothing: every detail was kept as it was."


async def test_markup_in_a_value_is_shown_as_typed(store):
    with store.write() as uow:
        C.create(uow, C.ContactInput(name="Bolt [M8]", city="[bold]York[/]"))
        C.update(uow, 1, C.ContactInput(name="Bolt [M8]", city="[red]Hull"), version=1)
    app = BizdeskApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await _open_contact(pilot, app)
        await pilot.press("h", "enter")
        await settle(pilot, app)
        assert isinstance(app.screen, EventScreen)
        shown = str(app.screen.query_one("#event-details", Static).render())
        assert "City: [bold]York[/] → [red]Hull" in shown


async def test_a_role_that_may_not_read_the_trail_is_told_so(store):
    with store.write() as uow:
        C.create(uow, C.ContactInput(name="Ann Buyer"))
        users.add(uow, "colleague", "sales")
    seller = open_store(store.url, user="colleague")
    try:
        app = BizdeskApp(seller)
        async with app.run_test(size=SIZE) as pilot:
            await _open_contact(pilot, app)
            assert "History" not in footer_text(app)
            await pilot.press("h")
            await settle(pilot, app)
            assert isinstance(app.screen, ContactScreen)
            said = _said(app)
            assert any("audit trail" in m for m in said), said
            app.clear_notifications()
            await pilot.press("ctrl+p")
            await type_text(pilot, "history of this record")
            await settle(pilot, app)
            await pilot.press("enter")
            await settle(pilot, app)
            assert isinstance(app.screen, ContactScreen)
            said = _said(app)
            assert any("audit trail" in m for m in said), said
    finally:
        seller.dispose()


async def test_the_palette_opens_the_history_of_the_page_shown(store):
    with store.write() as uow:
        C.create(uow, C.ContactInput(name="Ann Buyer"))
    app = BizdeskApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("ctrl+p")
        await type_text(pilot, "history of this record")
        await settle(pilot, app)
        await pilot.press("enter")
        await settle(pilot, app)
        said = _said(app)
        assert any("Open a record's page first" in m for m in said), said
        await _open_contact(pilot, app)
        await pilot.press("ctrl+p")
        await type_text(pilot, "history of this record")
        await settle(pilot, app)
        await pilot.press("enter")
        await settle(pilot, app)
        assert isinstance(app.screen, HistoryScreen)
        heading = app.screen.query_one("#history-title", Static).render()
        assert "History of contact #1" in str(heading)


def test_an_events_details_are_shown_as_the_shop_writes_numbers() -> None:
    """A product's VAT rate was shown as stored ("vat_bp: 1000"), and quantities as "2.5"
    in every locale: the page shows a rate as its percentage and amounts and quantities as
    the shop's locale writes them."""
    from bizdesk.fieldnames import title
    from bizdesk.screens.history import value_text
    from bizdesk.services.admin.audit import MONEY, PERCENT, QTY, detail_shape

    assert detail_shape("product", "update", "vat_bp") == PERCENT
    assert detail_shape("product", "update", "sale_price_minor") == MONEY
    assert detail_shape("payroll_run", "hours", "hours") == QTY
    assert detail_shape("contact", "update", "city") is None
    assert value_text("vat_bp", {"vat_bp": 550}, "es_ES", PERCENT) == "5,5"
    assert value_text("hours", {"hours": "7.5"}, "es_ES", QTY) == "7,5"
    price = {"sale_price": "1234.50"}
    assert value_text("sale_price_minor", price, "vi_VN", MONEY) == "1.234,50"
    assert value_text("city", {"city": "Iași"}, "ro_RO") == "Iași"
    assert title("vat_bp") == "VAT %"


def test_lines_are_shown_as_the_shop_writes_them() -> None:
    """A deal's or an order's lines were JSON with the amounts as stored, in every locale
    ('[["Cască", "5", "179.00"]]', its VAT rate 1900): each line's places now as the shop
    writes them, one line after another."""
    from bizdesk.screens.history import value_text
    from bizdesk.services.admin.audit import detail_shape, shown_details

    stored = '{"lines": [["Bicicletă de oraș 28\\"", 3000, 189900], ["Cască", 5000, 17900]]}'
    deal = shown_details(stored, "deal", "set_lines", 2)
    shape = detail_shape("deal", "set_lines", "lines")
    assert value_text("lines", deal, "ro_RO", shape) == (
        'Bicicletă de oraș 28" · 3 · 1.899,00; Cască · 5 · 179,00'
    )
    order = shown_details('{"lines": [["BOLT", 2500, 1050, 1900]]}', "sales_order", "create", 2)
    shape = detail_shape("sales_order", "create", "lines")
    assert value_text("lines", order, "es_ES", shape) == "BOLT · 2,5 · 10,50 · 19"
    received = shown_details('{"lines": {"7": 2000}}', "purchase_order", "receive", 2)
    shape = detail_shape("purchase_order", "receive", "lines")
    assert value_text("lines", received, "en_US", shape) == "7: 2"


async def test_an_employees_and_an_assembly_orders_pages_show_their_history(store):
    """h was on the customer side's pages and the documents' only: an employee's page and
    an assembly order's had none, although the trail keeps both (pay, quantities)."""
    from bizdesk.screens.making import AssemblyScreen
    from bizdesk.screens.people import EmployeeScreen
    from bizdesk.services.inventory import moves
    from bizdesk.services.making import assembly, boms
    from bizdesk.services.people import employees
    from tests.erp_helpers import product
    from tests.people_helpers import employee

    ana = employee(store, "Ana Pop", pay="2500", job_title="Mechanic")
    with store.read() as uow:
        shown = employees.get(uow, ana)
    with store.write() as uow:
        data = employees.EmployeeInput(
            contact="Ana Pop", start_date="2026-01-01", pay="2600", job_title="Mechanic"
        )
        employees.update(uow, ana, data, version=shown.version)
    wheel = product(store, "WHEEL", name="Wheel", cost="10")
    cart = product(store, "CART", name="Cart")
    with store.write() as uow:
        moves.adjust(uow, wheel, "12", "opening stock")
        boms.set_bom(uow, cart, boms.BomInput([("WHEEL", "4")], "2.50"))
        mo = assembly.create(uow, assembly.MOInput("CART", "3", "2026-12-01"))
        assembly.confirm(uow, mo.id)
    app = BizdeskApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        app.push_screen(EmployeeScreen(ana))
        await settle(pilot, app)
        assert "h History" in footer_text(app)
        await pilot.press("h")
        await settle(pilot, app)
        assert isinstance(app.screen, HistoryScreen)
        rows = _rows(app)
        assert [r[2] for r in rows] == ["update", "create"]
        assert rows[0][3] == "Salary or hourly rate"
        await pilot.press("enter")
        await settle(pilot, app)
        details = str(app.screen.query_one("#event-details", Static).render())
        assert "Salary or hourly rate: 2,500.00 → 2,600.00" in details, details
        await pilot.press("escape", "escape", "escape")
        await settle(pilot, app)
        app.push_screen(AssemblyScreen(mo.id))
        await settle(pilot, app)
        await pilot.press("h")
        await settle(pilot, app)
        assert isinstance(app.screen, HistoryScreen)
        assert [r[2] for r in _rows(app)] == ["confirm", "create"]
        await pilot.press("down", "enter")
        await settle(pilot, app)
        details = str(app.screen.query_one("#event-details", Static).render())
        assert "CART" in details and "3" in details and "3000" not in details, details


def test_a_state_a_priority_and_a_day_are_said_in_the_readers_language() -> None:
    """A Romanian order's history said "Stare: received", a Vietnamese ticket's "urgent"
    and "2026-11-30 03:00:00+00:00": a stored word is said as every list says it, a day
    and a moment as the page writes its other dates."""
    from bizdesk import i18n
    from bizdesk.screens.history import stored_words, value_text

    i18n.use_setting("es")
    orders = stored_words("purchase_order", "state")
    assert value_text("state", {"state": "received"}, "es_ES", None, None, orders) == "recibido"
    assert value_text("state", {"state": "odd"}, "es_ES", None, None, orders) == "odd"
    urgent = {"priority": "urgent"}
    said = value_text("priority", urgent, "es_ES", None, None, stored_words("ticket", "priority"))
    assert said not in ("urgent", "")
    assert stored_words("contact", "city") == {} and stored_words("contact", "state") == {}
    due = {"due": "2026-11-30 03:00:00+00:00", "day": "2027-03-22", "not": "2026-02-30"}
    assert value_text("due", due, "es_ES") == "30/11/2026 03:00:00"
    assert value_text("day", due, "es_ES") == "22/03/2027"
    assert value_text("not", due, "es_ES") == "2026-02-30"  # no such day: as stored


async def test_a_payroll_runs_page_shows_its_history_on_shift_h(store):
    """A payroll run's page had no history (h enters hours there): H shows who posted it and
    paid whom, naming the entries and the employees."""
    from bizdesk.screens.people import PayrollRunScreen
    from bizdesk.services.people import payroll
    from tests.people_helpers import employee, lines

    ana = employee(store, "Ana Pop", pay="2500")
    lines(store)
    with store.write() as uow:
        run = payroll.create_run(uow, "2026-11")
        payroll.post(uow, run.id)
        payroll.pay(uow, run.id, "cash", when="2026-11-30")
    app = BizdeskApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        app.push_screen(PayrollRunScreen(run.id))
        await settle(pilot, app)
        assert "H History" in footer_text(app)
        await pilot.press("H")
        await settle(pilot, app)
        assert isinstance(app.screen, HistoryScreen)
        assert [r[2] for r in _rows(app)] == ["pay", "post", "create"]
        await pilot.press("enter")
        await settle(pilot, app)
        details = str(app.screen.query_one("#event-details", Static).render())
        assert "Entry: JE-2" in details and f"Employees: Ana Pop (#{ana})" in details, details


async def test_an_accounts_page_shows_its_history(store):
    """An account's page had no history: who renamed an account, made it one payments go
    through or archived it was read only through `bizdesk audit`."""
    from bizdesk import i18n
    from bizdesk.screens.journal import AccountScreen
    from bizdesk.services.books import ledger

    with store.write() as uow:
        till = ledger.account_by_code(uow, "1010")
        ledger.rename_account(uow, till.id, "Till")
        ledger.set_payment_kind(uow, "1010", "card")
    app = BizdeskApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        i18n.use_setting("es")  # (the stored words said in the reader's language)
        app.push_screen(AccountScreen(till.id))
        await settle(pilot, app)
        await pilot.press("h")
        await settle(pilot, app)
        assert isinstance(app.screen, HistoryScreen)
        assert len(_rows(app)) == 2
        await pilot.press("enter")
        await settle(pilot, app)
        details = str(app.screen.query_one("#event-details", Static).render())
        assert i18n._("card") in details and "card" not in details, details
