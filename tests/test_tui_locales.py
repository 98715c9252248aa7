"""A shop in each language bizdesk speaks, typed into as its people type (Textual's pilot at
80x24): an amount written the way the screen writes it is read exactly, shown back the same
way, and one written another way is refused in the person's language, with the shop's own
example of the right way."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from textual.widgets import DataTable, Input

from bizdesk import i18n
from bizdesk.app import BizdeskApp
from bizdesk.db import open_store
from bizdesk.formatting import money
from bizdesk.services.admin import setup, users
from bizdesk.services.base.paging import PageRequest
from bizdesk.services.base.validate import FieldError
from bizdesk.services.books import ledger, ledger_reports
from bizdesk.services.inventory import products
from bizdesk.services.trade import sales
from tests.shop_template import give_the_shop_an_address
from tests.tui_helpers import SIZE, settle, wait_for

# language, shop locale, currency, chart; an amount as the shop writes it, its value; an
# amount written the other way (refused); the shop's example of the right way
SHOPS = {
    "en": ("en_US", "USD", "generic", "1,299.99", Decimal("1299.99"), "1.299,99", "12,345.67"),
    "es": ("es_ES", "EUR", "es", "1.299,99", Decimal("1299.99"), "1,299.99", "12.345,67"),
    "ro": ("ro_RO", "RON", "ro", "1.299,99", Decimal("1299.99"), "1,299.99", "12.345,67"),
    "vi": ("vi_VN", "VND", "vn", "1.500.000", Decimal("1500000"), "1,500,000", "1.234.567"),
}
# 2026-11-02 as each language's people write it, and how the screens show it
DATES = {"en": "2026-11-02", "es": "02/11/2026", "ro": "02.11.2026", "vi": "02/11/2026"}
KEYS = {".": "full_stop", ",": "comma", "/": "slash", "-": "minus"}


@pytest.fixture(params=sorted(SHOPS))
def shop(request, tmp_path):  # noqa: ANN001, ANN201
    lang = request.param
    locale, currency, chart = SHOPS[lang][:3]
    store = open_store(str(tmp_path / f"{lang}.db"), user="tester")
    with store.write() as uow:
        setup.initialize(uow, company="Shop", currency=currency, locale=locale, chart=chart)
        users.set_language(uow, "tester", lang)  # the person's own setting
    yield lang, store
    store.dispose()


async def _type(pilot, field: Input, text: str) -> None:  # noqa: ANN001
    field.focus()
    await pilot.pause()
    field.value = ""
    await pilot.press(*[KEYS.get(c, c) for c in text])


async def _new_product(pilot, app: BizdeskApp, price: str):  # noqa: ANN001, ANN202
    await pilot.press("f6")
    await settle(pilot, app)
    await pilot.press("n")
    await settle(pilot, app)
    form = app.screen
    await _type(pilot, form.query_one("#f-sku", Input), "BIKE")
    await _type(pilot, form.query_one("#f-name", Input), "Bike")
    await _type(pilot, form.query_one("#f-sale_price", Input), price)
    await pilot.press("ctrl+s")
    await settle(pilot, app)
    return form


def _error(form, field: str = "") -> str:  # noqa: ANN001
    """What the form says: at the top, or under one field."""
    return str(form.query_one(f"#e-{field}" if field else "#form-error").render())


async def test_an_amount_typed_as_the_shop_writes_it_is_read_exactly_and_shown_back(shop) -> None:  # noqa: ANN001
    lang, store = shop
    _locale, _cur, _chart, typed, value, _other, _example = SHOPS[lang]
    app = BizdeskApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        assert i18n.current_language() == lang  # the person's language, from the store
        form = await _new_product(pilot, app, typed)
        assert app.screen is not form, _error(form)
        with store.read() as uow:
            view = products.get_product(uow, products.resolve_product(uow, "BIKE").id)
            assert view.sale_price == value
        from bizdesk.screens.stock import product_form

        app.push_screen(product_form(view))
        await settle(pilot, app)
        again = app.screen
        assert again.query_one("#f-sale_price", Input).value == typed  # typed back as shown
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert app.screen is not again, _error(again)
    with store.read() as uow:
        assert products.get_product(uow, view.id).sale_price == value


async def test_an_amount_written_the_other_way_is_refused_in_the_persons_language(shop) -> None:  # noqa: ANN001
    lang, store = shop
    _locale, _cur, _chart, _typed, _value, other, example = SHOPS[lang]
    app = BizdeskApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        form = await _new_product(pilot, app, other)
        assert app.screen is form  # nothing saved
        said = _error(form, "sale_price")
        assert example in said, said
        if lang != "en":
            assert "is not" not in said and "write it" not in said.lower(), said  # no English
    with store.read() as uow, pytest.raises(FieldError):
        products.resolve_product(uow, "BIKE")


# --- a sale, a journal entry and a report, in each language --------------------------------

CHARTS = Path(__file__).parents[1] / "data" / "accounts"


def _role(chart: str, role: str) -> str:
    accounts = json.loads((CHARTS / f"{chart}.json").read_text(encoding="utf-8"))["accounts"]
    return next(a["code"] for a in accounts if a.get("role") == role)


async def test_a_counter_sale_typed_in_the_shops_numbers(shop) -> None:  # noqa: ANN001
    from bizdesk.screens.sales import SalesOrderScreen

    lang, store = shop
    locale, _cur, _chart, typed, value, _other, _example = SHOPS[lang]
    app = BizdeskApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        with store.write() as uow:
            products.create_product(
                uow, products.ProductInput("BIKE", "Bike", sale_price="1", stocked=False)
            )
        app.action_sales(counter=True)
        await settle(pilot, app)
        form = app.screen
        await _type(pilot, form.query_one("#l-product", Input), "BIKE")
        await _type(pilot, form.query_one("#l-qty", Input), "2")
        await _type(pilot, form.query_one("#l-unit_price", Input), typed)
        await _type(pilot, form.query_one("#l-vat_rate", Input), "0")
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        # the shop never set its address: no invoice, and what is missing said in its language
        said = " ".join(_error(form).split())
        assert app.screen is form and 'bizdesk shop set street "…"' in said, said
        assert lang == "en" or "Street" not in said, said
        give_the_shop_an_address(store)
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert isinstance(app.screen, SalesOrderScreen), _error(form)
        page = str(app.screen.query_one("#main").render())
        assert money(2 * value, locale) in page, page
    with store.read() as uow:
        (so,) = sales.list_page(uow, PageRequest()).rows
        assert sales.get(uow, so.id).total == 2 * value


async def test_a_journal_entry_typed_in_the_shops_numbers_and_its_report(shop) -> None:  # noqa: ANN001
    from bizdesk.widgets.lines_form import LinesFormScreen

    lang, store = shop
    _locale, _cur, chart, typed, value, _other, _example = SHOPS[lang]
    bank, equity = _role(chart, "bank"), _role(chart, "equity")
    app = BizdeskApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("f8")
        await settle(pilot, app)
        await pilot.press("n")
        await settle(pilot, app)
        form = app.screen
        assert isinstance(form, LinesFormScreen)
        await _type(pilot, form.query_one("#f-date", Input), DATES[lang])  # as people write it
        await _type(pilot, form.query_one("#f-memo", Input), "Capital")
        for account, debit, credit in ((bank, typed, ""), (equity, "", typed)):
            await _type(pilot, form.query_one("#l-account", Input), account)
            await _type(pilot, form.query_one("#l-debit", Input), debit)
            await _type(pilot, form.query_one("#l-credit", Input), credit)
            await pilot.press("enter")
            await settle(pilot, app)
        await pilot.press("f9")  # save and post
        await settle(pilot, app)
        if isinstance(app.screen, LinesFormScreen):
            said = [str(w.render()) for w in form.query(".field-error")] + [_error(form)]
            raise AssertionError(said)
        with store.read() as uow:
            balances = {r.code: r.balance for r in ledger_reports.trial_balance(uow)[0]}
            (entry,) = ledger.list_entries(uow, PageRequest()).rows
        assert balances[bank] == value
        assert entry.date == date(2026, 11, 2)
        grid = app.active_pane().query_one(DataTable)  # the journal shows it as it was typed
        await wait_for(pilot, app, lambda: grid.row_count == 1, "the posted entry")
        assert DATES[lang] in [str(c) for c in grid.get_row_at(0)]
        await pilot.press("f9")  # Reports: the trial balance shows it as typed
        await settle(pilot, app)
        pane = app.active_pane()
        pane.show("trial-balance")
        await settle(pilot, app)
        table = pane.query_one(DataTable)
        await wait_for(pilot, app, lambda: table.row_count > 0, "the trial balance")
        cells = [str(c) for r in range(table.row_count) for c in table.get_row_at(r)]
        assert typed in cells, cells


async def test_a_refused_lines_cell_is_named_in_the_persons_language(shop) -> None:  # noqa: ANN001
    from bizdesk.widgets.lines_form import LinesFormScreen

    lang, store = shop
    typed = SHOPS[lang][3]
    app = BizdeskApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("f8")
        await settle(pilot, app)
        await pilot.press("n")
        await settle(pilot, app)
        form = app.screen
        await _type(pilot, form.query_one("#f-date", Input), "2026-11-02")
        await _type(pilot, form.query_one("#l-account", Input), "9999")
        await _type(pilot, form.query_one("#l-debit", Input), typed)
        await pilot.press("enter")
        await settle(pilot, app)
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert isinstance(app.screen, LinesFormScreen)
        said = _error(form)
        # the first reason after "Not saved." starts the sentence: with a capital
        cell = {"en": "Line 1 account", "es": "Línea 1, cuenta", "ro": "Linia 1, cont"}
        assert cell.get(lang, "Dòng 1, tài khoản") in said, said
