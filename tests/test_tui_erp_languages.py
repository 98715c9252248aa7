"""The ERP screens in the person's language, at 80x24: a person whose setting is Spanish or
Vietnamese sees an order's page, the lines preview, a journal notification, a product's page
and a report's title in that language, with the shop's locale formatting the figures."""

from __future__ import annotations

from decimal import Decimal

import pytest
from textual.widgets import DataTable, Input, Select, Static

from bizdesk import i18n
from bizdesk.app import BizdeskApp
from bizdesk.formatting import money, number
from bizdesk.screens.journal import EntryScreen
from bizdesk.screens.sales import SalesOrderScreen, SalesOrdersScreen
from bizdesk.screens.stock import ProductScreen, percent
from bizdesk.services.admin import users
from bizdesk.services.books import ledger
from bizdesk.services.crm import contacts
from bizdesk.services.inventory import moves, products
from bizdesk.services.trade import sales
from bizdesk.widgets.lines_form import LinesFormScreen
from bizdesk.widgets.paged_table import PagedTable
from tests.erp_helpers import product
from tests.tui_helpers import SIZE, settle, type_text, wait_for

# the person's language, the shop's locale, and what each screen says there
SAID = {
    "es": {
        "locale": "es_ES",
        "draft": "BORRADOR",
        "customer": "Cliente: Dana Client · pedido el 02/11/2026",
        "page_totals": "Neto {net} · IVA {vat} · total {total}",
        "preview": "Neto {net} · IVA {vat} · Total {total}",
        "orders_title": "Pedidos de venta: pedidos abiertos  (1-8, 0: por estado)",
        "state_cell": "borrador",
        "posted": "Contabilizado como JE-",
        "entry_state": "CONTABILIZADO",
        "on_hand": "Existencias {qty} pcs · reservado",
        "vat": "IVA {rate}",
        "adjusted": "Existencias modificadas en {qty}, contabilizado JE-",
        "report": "Sumas y saldos",
        "rows": "de {n} filas",
    },
    "vi": {
        "locale": "vi_VN",
        "draft": "NHÁP",
        "customer": "Khách hàng: Dana Client · đặt ngày 02/11/2026",
        "page_totals": "Chưa thuế {net} · thuế GTGT {vat} · tổng {total}",
        "preview": "Chưa thuế {net} · Thuế GTGT {vat} · Tổng {total}",
        "orders_title": "Đơn bán hàng: đơn đang mở  (1-8, 0: theo trạng thái)",
        "state_cell": "nháp",
        "posted": "Đã ghi sổ thành JE-",
        "entry_state": "ĐÃ GHI SỔ",
        "on_hand": "Tồn {qty} pcs · đã giữ",
        "vat": "thuế GTGT {rate}",
        "adjusted": "Tồn kho thay đổi {qty}, đã ghi sổ JE-",
        "report": "Cân đối phát sinh",
        "rows": "trên {n} dòng",
    },
}


@pytest.fixture(params=sorted(SAID))
def lang(request) -> str:  # noqa: ANN001
    return request.param


@pytest.fixture
def shop(store, lang: str):  # noqa: ANN001, ANN201
    """A shop in the language's locale, its owner speaking that language, with a bike in
    stock, a customer and a draft sales order for two bikes."""
    product(store, "BIKE", name="City bike", cost="400", sale_price="650.50", vat_rate="20")
    with store.write() as uow:
        uow.set_setting("locale", SAID[lang]["locale"])
        moves.adjust(uow, products.resolve_product(uow, "BIKE").id, "1200", "opening")
        contacts.create(uow, contacts.ContactInput(name="Dana Client"))
        sales.create(
            uow,
            sales.SOInput(
                customer="Dana Client",
                order_date="2026-11-02",
                lines=[sales.SOLineInput("BIKE", "2")],
            ),
        )
        users.set_language(uow, uow.user, lang)
    yield store
    i18n.use("en")  # the next test's app starts in English


def _text(app, selector: str) -> str:  # noqa: ANN001
    return str(app.screen.query_one(selector, Static).render())


async def test_a_sales_order_and_its_lines_preview_speak_the_persons_language(
    shop, lang: str
) -> None:  # noqa: ANN001
    said, loc = SAID[lang], SAID[lang]["locale"]
    app = BizdeskApp(shop)
    async with app.run_test(size=SIZE) as pilot:
        assert i18n.current_language() == lang
        app.push_screen(SalesOrdersScreen())
        await settle(pilot, app)
        assert _text(app, "#so-title") == said["orders_title"]
        rows = app.screen.query_one(PagedTable)
        assert [r.state for r in rows.page_data.rows] == ["draft"]  # stored in English
        grid = rows.query_one(DataTable)
        shown = [str(grid.get_cell_at((0, i))) for i in range(len(grid.columns))]
        assert said["state_cell"] in shown
        await pilot.press("enter")
        await wait_for(pilot, app, lambda: isinstance(app.screen, SalesOrderScreen), "the order")
        await wait_for(pilot, app, lambda: app.screen.view is not None, "the order's page")
        page = _text(app, "#main")
        net, vat = Decimal("1301.00"), Decimal("260.20")
        assert said["draft"] in page
        assert said["customer"] in page
        assert (
            said["page_totals"].format(
                net=money(net, loc), vat=money(vat, loc), total=money(net + vat, loc)
            )
            in page
        )
        await pilot.press("escape")
        await settle(pilot, app)
        await pilot.press("n")  # a new order: its lines preview
        await settle(pilot, app)
        form = app.screen
        assert isinstance(form, LinesFormScreen)
        form.query_one("#l-product", Input).focus()
        await type_text(pilot, "BIKE")
        form.query_one("#l-qty", Input).value = "3"
        await pilot.press("enter")
        net, vat = Decimal("1951.50"), Decimal("390.30")
        expected = said["preview"].format(
            net=money(net, loc), vat=money(vat, loc), total=money(net + vat, loc)
        )
        await wait_for(pilot, app, lambda: expected in _text(app, "#totals"), expected)


async def test_posting_from_the_journal_is_told_in_the_persons_language(shop, lang: str) -> None:  # noqa: ANN001
    with shop.write() as uow:
        draft = ledger.create_draft(
            uow,
            ledger.EntryInput(
                "2026-11-03",
                "Rent",
                [ledger.LineInput("6000", "900", ""), ledger.LineInput("1010", "", "900")],
            ),
        )
    app = BizdeskApp(shop)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f8")
        await settle(pilot, app)
        await pilot.press("2")  # the drafts
        await settle(pilot, app)
        await pilot.press("p")  # the one draft is posted
        await wait_for(
            pilot,
            app,
            lambda: any(SAID[lang]["posted"] in str(n.message) for n in app._notifications),
            "the notification of the posting",
        )
        entries = app.query_one("#entries", PagedTable)
        state = next(c for c in entries.columns if c.key == "state")
        memo = next(c for c in entries.columns if c.key == "memo")
        word = i18n._("posted")
        assert state.width >= len(word)  # the state's word fits its column
        assert state.width + memo.width == 6 + 30  # the row keeps its English width
        app.push_screen(EntryScreen(draft.id))
        await wait_for(pilot, app, lambda: app.screen.view is not None, "the entry's page")
        assert SAID[lang]["entry_state"] in _text(app, "#main")


async def test_a_products_page_and_a_stock_change_speak_the_persons_language(
    shop, lang: str
) -> None:  # noqa: ANN001
    said, loc = SAID[lang], SAID[lang]["locale"]
    with shop.read() as uow:
        bike = products.resolve_product(uow, "BIKE").id
    app = BizdeskApp(shop)
    async with app.run_test(size=SIZE) as pilot:
        app.push_screen(ProductScreen(bike))
        await wait_for(pilot, app, lambda: app.screen.view is not None, "the product's page")
        details = _text(app, "#details")
        assert said["on_hand"].format(qty=number(Decimal(1200), loc)) in details
        assert said["vat"].format(rate=percent(20, loc)) in details  # "20 %" in Spanish
        await pilot.press("a")  # adjust: -2 broken
        await settle(pilot, app)
        await type_text(pilot, "-2")
        await pilot.press("tab")
        await type_text(pilot, "broken")
        await pilot.press("ctrl+s")
        told = said["adjusted"].format(qty=number(Decimal(-2), loc))
        await wait_for(
            pilot,
            app,
            lambda: any(told in str(n.message) for n in app._notifications),
            told,
        )


async def test_a_reports_name_and_title_speak_the_persons_language(shop, lang: str) -> None:  # noqa: ANN001
    said = SAID[lang]
    app = BizdeskApp(shop)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f9")
        pane = app.active_pane()
        await wait_for(pilot, app, lambda: pane.report is not None, "the trial balance")
        select = pane.query_one("#report", Select)
        assert str(select.selection) == "trial-balance"
        assert str(select.query_one("#label", Static).render()) == said["report"]
        n = len(pane.report.rows)
        title = _text(app, "#report-title")
        assert title.endswith(said["rows"].format(n=n)), title
        assert pane.query_one("#as_of", Input).placeholder == i18n._("As of") != "As of"


def test_a_stored_word_that_is_empty_shows_empty_not_the_catalogs_header(lang: str) -> None:
    """gettext answers an empty text with the catalog's header ("Project-Id-Version: ..."):
    an account with no role, a move or order with no kind or state, a report with no note
    show nothing."""
    from bizdesk.screens import journal, orders, reports, stock

    assert i18n.use(lang) == lang
    try:
        assert "Project-Id-Version" in i18n._("")  # what is guarded against
        assert journal._named(journal.ROLE_NAMES, "") == ""
        assert orders.state_name("") == ""
        assert reports.said("") == ""
        kind = next(c for c in stock.MOVE_COLUMNS if c.key == "kind")
        assert kind.fmt("") == ""
        assert journal._named(journal.ROLE_NAMES, "vat_payable") == i18n._("vat payable")
        assert i18n._("vat payable") != "vat payable"
    finally:
        i18n.use("en")


async def test_a_refusal_names_its_field_in_the_persons_language(shop, lang: str) -> None:  # noqa: ANN001
    """A page's refusal named the field it is about by the service's key ("state: MO-00003
    is partly done…" to a Romanian reader); it is named as the forms name it."""
    from bizdesk.errors import ValidationError
    from bizdesk.i18n import Message

    def refuse(_uow) -> None:  # noqa: ANN001
        raise ValidationError({"state": Message("Nothing to do")})

    app = BizdeskApp(shop)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        app.active_pane().run_service(refuse)
        word = {"es": "Estado", "vi": "Trạng thái", "ro": "Stare"}[lang]
        said = lambda: [str(n.message) for n in app._notifications]  # noqa: E731
        await wait_for(pilot, app, lambda: any(m.startswith(f"{word}: ") for m in said()), word)
        assert not any(m.startswith("state:") for m in said()), said()
