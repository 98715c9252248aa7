"""The demo shop in each language (issue 13): `bizdesk demo --locale vi_VN` (es_ES, ro_RO)
makes a believable local bike shop in a real SQLite file, in the local currency and chart
of accounts, whose books balance and pass every check. And the new-product default VAT
rate follows the store's chart."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from datetime import date
from decimal import Decimal

import phonenumbers
import pytest

from bizdesk.config import data_dir
from bizdesk.db import open_store
from bizdesk.services.admin import setup
from bizdesk.services.books import ledger, ledger_reports
from bizdesk.services.demo import operations as demo_erp
from bizdesk.services.demo import shop as demo
from bizdesk.services.inventory import products
from tests.erp_helpers import errors

# locale: (currency, chart, country calling code, a family name, a city, a product word)
LOCALES = {
    "vi_VN": ("VND", "vn", 84, "Nguyễn", "Hà Nội", "Xe đạp"),
    "es_ES": ("EUR", "es", 34, "García", "Valencia", "Bicicleta"),
    "ro_RO": ("RON", "ro", 40, "Popescu", "Cluj-Napoca", "Bicicletă"),
}


def run(*args: str) -> subprocess.CompletedProcess:
    """The command line, as a user runs it (a whole demo can take a while on a busy box)."""
    return subprocess.run(
        [sys.executable, "-m", "bizdesk", *args],
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "LANGUAGE": "en"},
    )


def shop_file(locale: str) -> dict:
    return json.loads((data_dir() / "demo" / f"{locale}.json").read_text("utf-8"))


def build(locale: str, path: str) -> None:
    """A locale's demo in a new file. es_ES is made the other way a user may: `init
    --locale es_ES` then a plain `demo`, which follows the store's locale."""
    if locale == "es_ES":
        assert run("init", "--locale", "es_ES", "--db", path).returncode == 0
        r = run("demo", "--db", path)
    else:
        r = run("demo", "--locale", locale, "--db", path)
    assert r.returncode == 0, r.stderr
    assert "Demo shop ready: 220 contacts" in r.stdout


@pytest.mark.parametrize("locale", sorted(LOCALES))
def test_the_demo_shop_in_each_language(tmp_path, locale: str) -> None:  # noqa: ANN001
    """One build per locale (a whole demo is the slow part), then every check on it."""
    path = str(tmp_path / "demo.db")
    build(locale, path)
    store = open_store(path)
    try:
        built = (locale, path, store)
        check_locale_currency_and_chart(built)
        check_local_people_cities_and_phone_numbers(built)
        check_products_prices_and_vat_in_the_local_currency(built)
        check_checks_pass_and_the_books_balance_on_the_local_chart(built)
        check_the_journal_speaks_the_shop_language(built)
        check_employees_with_a_year_of_payroll(built)
        check_wages_are_the_payroll_s_and_the_shop_has_its_details(built)
        check_the_campaign_s_deal_is_in_the_shop_s_money(built)
    finally:
        store.dispose()


def rows(store, sql: str) -> list[tuple]:  # noqa: ANN001
    from sqlalchemy import text

    with store.read() as uow:
        return [tuple(r) for r in uow.session.execute(text(sql))]


def check_the_campaign_s_deal_is_in_the_shop_s_money(built) -> None:  # noqa: ANN001
    """The deal attributed to the campaign sent ("two city bikes") was 1,200 in every
    currency: 1.200 đồng in the Vietnamese shop, where two bikes cost millions. It is
    worth about two of the bikes the shop sells now (those of the product sold after it)."""
    from bizdesk.services.demo.campaigns import TEXTS

    locale, _path, store = built
    title = TEXTS[locale[:2]]["deal"]
    (deal,) = rows(store, f"SELECT amount_minor FROM deal WHERE title = '{title}'")
    (price,) = rows(store, "SELECT sale_price_minor FROM product WHERE active ORDER BY id LIMIT 1")
    assert price[0] <= deal[0] <= 3 * price[0], (deal, price)


def check_employees_with_a_year_of_payroll(built) -> None:  # noqa: ANN001
    """Three employees named in the shop's language, twelve runs posted and paid, leave."""
    from bizdesk.services.demo.people import PEOPLE

    locale, _path, store = built
    names = rows(
        store, "SELECT c.name, e.job_title FROM employee e JOIN contact c ON c.id = e.contact_id"
    )
    assert sorted(names) == sorted((n, job) for n, job, *_ in PEOPLE[locale]["staff"])
    runs = rows(store, "SELECT state, paid_minor FROM payroll_run")
    assert len(runs) == 12 and {s for s, _p in runs} == {"paid"}
    assert rows(store, "SELECT state FROM leave_request ORDER BY id") == [
        ("approved",),
        ("approved",),
        ("requested",),
    ]
    assert errors(store) == []


def check_wages_are_the_payroll_s_and_the_shop_has_its_details(built) -> None:  # noqa: ANN001
    """The running costs posted 'Wages' every month beside the payroll runs' own entries:
    wages were paid twice. Every wage entry is a payroll run's now; and the shop prints a
    full header (address, VAT id) on its invoices."""
    locale, _path, store = built
    wages = rows(
        store,
        "SELECT DISTINCT e.memo FROM journal_line l JOIN journal_entry e ON e.id = l.entry_id "
        "JOIN account a ON a.id = l.account_id WHERE a.role = 'wages' AND l.debit_minor > 0",
    )
    runs = rows(store, "SELECT e.memo FROM payroll_run r JOIN journal_entry e ON e.id = r.entry_id")
    assert wages and set(wages) <= set(runs), wages
    settings = store.settings()
    details = shop_file(locale)["details"]
    assert settings["shop_street"] == details["street"] and settings["shop_vat_id"]
    assert settings["shop_city"] == shop_file(locale)["places"][0]["cities"][0]


def check_locale_currency_and_chart(built) -> None:  # noqa: ANN001
    locale, _path, store = built
    currency, chart, *_ = LOCALES[locale]
    settings = store.settings()
    assert (settings["locale"], settings["currency"], settings["chart"]) == (
        locale,
        currency,
        chart,
    )
    assert settings["company"] == shop_file(locale)["company"]
    stages = [n for (n,) in rows(store, "SELECT name FROM pipeline_stage ORDER BY position")]
    assert stages == shop_file(locale)["stages"]


def check_local_people_cities_and_phone_numbers(built) -> None:  # noqa: ANN001
    locale, _path, store = built
    _cur, _chart, calling, family, city, _word = LOCALES[locale]
    region = locale[-2:]
    people = rows(store, "SELECT name, city, country, phone, email FROM contact")
    places = {c for p in shop_file(locale)["places"] for c in p["cities"]}
    names = " ".join(p[0] for p in people)
    assert family in names and city in {p[1] for p in people}
    # a counter-sale customer (made by the sales service) has no city
    assert {p[1] for p in people if p[1]} <= places
    assert {p[2] for p in people if p[1]} == {region}
    phones = [p[3] for p in people if p[3]]
    assert len(phones) > 100
    for phone in phones:
        number = phonenumbers.parse(phone)
        assert number.country_code == calling and phonenumbers.is_valid_number(number), phone
    assert all(e.isascii() for (*_, e) in people if e)
    if locale == "vi_VN":  # family name first, then the middle and given names
        assert any(re.fullmatch(r"Nguyễn (Văn|Thị) \w+", n) for (n, *_) in people)


def check_products_prices_and_vat_in_the_local_currency(built) -> None:  # noqa: ANN001
    locale, _path, store = built
    currency, _chart, _cc, _fam, _city, word = LOCALES[locale]
    items = rows(store, "SELECT sku, name, sale_price_minor, cost_minor, vat_bp FROM product")
    assert len(items) == 183  # with the workshop's parts, bike and kit (demo/making.py)
    assert any(name.startswith(word) for _sku, name, *_ in items)
    assert all(sku.isascii() and " " not in sku for sku, *_ in items)
    standard = shop_file(locale)["vat_rate"]
    assert {vat for *_, vat in items} == {int(standard) * 100}
    with store.read() as uow:
        assert products.standard_vat_rate(uow) == standard
        assert uow.exponent == (0 if currency == "VND" else 2)
    if currency == "VND":  # whole đồng, priced in thousands as shops do
        assert all(price % 1000 == 0 and cost % 1000 == 0 for _s, _n, price, cost, _v in items)
        assert min(price for _s, _n, price, *_ in items if price) >= 20_000


def check_checks_pass_and_the_books_balance_on_the_local_chart(built) -> None:  # noqa: ANN001
    locale, path, store = built
    currency, chart, *_ = LOCALES[locale]
    assert errors(store) == []
    r = run("check", "--db", path)
    assert r.returncode == 0 and "All checks passed" in r.stdout, r.stderr
    with store.read() as uow:
        tb = ledger_reports.trial_balance(uow)[0]
        role = {a.role: a.code for a in ledger.list_accounts(uow) if a.role}
    assert sum(row.balance for row in tb) == 0
    assert sum(row.debit for row in tb) == sum(row.credit for row in tb) > 0
    template = ledger.chart_template(chart)
    codes = {a["code"] for a in template["accounts"]}
    posted = {
        code
        for (code,) in rows(
            store,
            "SELECT DISTINCT a.code FROM journal_line l JOIN account a ON a.id = l.account_id",
        )
    }
    assert posted <= codes
    expenses = json.loads((data_dir() / "demo" / "charts.json").read_text("utf-8"))["expenses"]
    wanted = {role[r] for r in ("cash", "bank", "receivable", "sales", "cogs", "inventory")}
    wanted |= {role[r] for r in ("vat_payable", "vat_receivable", "payable", "grni", "equity")}
    wanted |= {by_chart[chart] for by_chart in expenses.values()}
    assert wanted <= posted
    # the written report shows whole đồng: no decimals at all in a VND store
    report = run("report", "trial-balance", "--format", "json", "--db", path)
    amounts = [r["balance"] for r in json.loads(report.stdout)["rows"]]
    if currency == "VND":
        assert all(re.fullmatch(r"-?\d+", a) for a in amounts), amounts
    else:
        assert all(re.fullmatch(r"-?\d+\.\d\d", a) for a in amounts), amounts


def check_the_journal_speaks_the_shop_language(built) -> None:  # noqa: ANN001
    locale, _path, store = built
    texts = shop_file(locale)["texts"]
    memos = {m for (m,) in rows(store, "SELECT memo FROM journal_entry")}
    assert texts["capital"] in memos and texts["takings"] in memos
    rent = shop_file(locale)["running_costs"][0]["memo"]
    months = sorted(m for m in memos if m.startswith(rent + " "))
    assert months
    if locale == "vi_VN":
        assert all(re.fullmatch(rf"{rent} tháng \d{{1,2}}/\d{{4}}", m) for m in months), months
    if locale == "es_ES":
        assert all(re.search(r" de \d{4}$", m) for m in months), months


def test_a_store_in_another_currency_is_refused_untouched(tmp_path) -> None:  # noqa: ANN001
    path = str(tmp_path / "shop.db")
    assert run("init", "--db", path).returncode == 0  # EUR, en_US
    r = run("demo", "--locale", "vi_VN", "--db", path)
    assert r.returncode == 1
    assert "sells in VND" in r.stderr and "keeps its books in EUR" in r.stderr
    assert "--db NEW-FILE" in r.stderr
    store = open_store(path)
    try:
        assert rows(store, "SELECT count(*) FROM contact") == [(0,)]
    finally:
        store.dispose()


def test_an_unknown_locale_is_refused_with_the_choices(tmp_path) -> None:  # noqa: ANN001
    path = tmp_path / "shop.db"
    r = run("demo", "--locale", "de_DE", "--db", str(path))
    assert r.returncode != 0
    assert "en_US, es_ES, ro_RO, vi_VN" in r.stderr and "de_DE" in r.stderr
    assert not path.exists()


def test_the_english_shop_without_cents_is_refused_not_mangled(tmp_path) -> None:  # noqa: ANN001
    store = open_store(str(tmp_path / "shop.db"))
    try:
        with store.write() as uow:
            setup.initialize(uow, currency="VND", locale="en_US")
        with pytest.raises(Exception, match="use --locale vi_VN"):
            demo.generate(store)
    finally:
        store.dispose()


def test_every_demo_file_has_what_the_generator_reads() -> None:
    english = json.loads((data_dir() / "demo" / "shop.json").read_text("utf-8"))
    assert demo.demo_locales() == ["en_US", "es_ES", "ro_RO", "vi_VN"]
    for locale in LOCALES:
        local = shop_file(locale)
        assert set(local) - {"stages"} == set(english)
        assert set(local["texts"]) == set(english["texts"])
        assert set(local["money"]) == set(english["money"])
        assert len(local["product_families"]) == len(english["product_families"])
        items = list(demo_erp.catalogue(local))
        assert len({i["sku"] for i in items}) == len(items)  # every SKU its own


def test_a_large_vietnamese_demo_scaled_down_is_consistent(tmp_path, monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.setitem(demo.SIZES, "large", (200, 40, 60))
    monkeypatch.setattr(demo_erp, "LARGE", {"products": 40, "moves": 300, "lines": 1500})
    store = open_store(str(tmp_path / "large.db"))
    try:
        demo.prepare(store, "vi_VN")
        demo.generate(store, "large", today=date(2026, 11, 22), locale="vi_VN")
        assert errors(store) == []
        with store.read() as uow:
            tb = ledger_reports.trial_balance(uow)[0]
        assert sum(row.balance for row in tb) == 0
        prices = rows(store, "SELECT sale_price_minor, vat_bp FROM product")
        assert all(p % 1000 == 0 and vat == 1000 for p, vat in prices)
        assert rows(store, "SELECT min(amount_minor) FROM deal")[0][0] >= 2_000_000
    finally:
        store.dispose()


@pytest.mark.parametrize(
    ("locale", "currency", "rate"),
    [("vi_VN", "VND", "10"), ("es_ES", "EUR", "21"), ("ro_RO", "RON", "21"), ("en_US", "EUR", "0")],
)
def test_a_new_product_starts_at_the_charts_standard_vat_rate(
    tmp_path,  # noqa: ANN001
    locale: str,
    currency: str,
    rate: str,
) -> None:
    store = open_store(str(tmp_path / "shop.db"))
    try:
        with store.write() as uow:
            setup.initialize(uow, currency=currency, locale=locale)
        with store.write() as uow:
            assert products.new_product_input(uow).vat_rate == rate
            made = products.create_product(uow, products.ProductInput(sku="A", name="A"))
            zero = products.create_product(
                uow, products.ProductInput(sku="B", name="B", vat_rate="0")
            )
        assert made.vat_rate == Decimal(rate) and zero.vat_rate == 0  # given: kept as given
    finally:
        store.dispose()


def test_an_edit_without_a_rate_keeps_the_products_own(tmp_path) -> None:  # noqa: ANN001
    store = open_store(str(tmp_path / "shop.db"))
    try:
        with store.write() as uow:
            setup.initialize(uow, currency="RON", locale="ro_RO")
        with store.write() as uow:
            p = products.create_product(
                uow, products.ProductInput(sku="A", name="A", vat_rate="11")
            )
            after = products.update_product(
                uow, p.id, products.ProductInput(sku="A", name="A, renamed"), version=p.version
            )
        assert after.vat_rate == 11 and after.name == "A, renamed"
    finally:
        store.dispose()


async def test_the_new_product_form_offers_the_standard_rate(tmp_path) -> None:  # noqa: ANN001
    import time

    from textual.widgets import Input

    from bizdesk.app import BizdeskApp
    from bizdesk.widgets.form import FormScreen
    from tests.tui_helpers import SIZE, settle

    store = open_store(str(tmp_path / "shop.db"))
    with store.write() as uow:
        setup.initialize(uow, currency="VND", locale="vi_VN")
    app = BizdeskApp(store)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot, app)
            await pilot.press("f6")
            await settle(pilot, app)
            await pilot.press("n")
            deadline = time.monotonic() + 15
            while not isinstance(app.screen, FormScreen):  # the rate is read first
                assert time.monotonic() < deadline, "the new-product form did not open"
                await pilot.pause(0.1)
            await settle(pilot, app)
            assert app.screen.query_one("#f-vat_rate", Input).value == "10"
            app.screen.query_one("#f-sku", Input).value = "PHO"
            app.screen.query_one("#f-name", Input).value = "Phở bò"
            await pilot.press("ctrl+s")
            await settle(pilot, app)
            assert not isinstance(app.screen, FormScreen)
        with store.read() as uow:
            made = products.get_product(uow, products.resolve_product(uow, "PHO").id)
        assert made.vat_rate == 10
    finally:
        store.dispose()
