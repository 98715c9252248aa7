"""Local charts of accounts (issue 13): a generic one and small-shop charts for Spain, Romania
and Vietnam, each mapping every role bizdesk posts to; a month of business and `check` work
on each."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from bizdesk.config import data_dir
from bizdesk.db import open_store
from bizdesk.errors import ValidationError
from bizdesk.services.admin import setup
from bizdesk.services.books import ledger, ledger_reports
from tests.erp_helpers import a_month, errors
from tests.shop_template import give_the_shop_an_address

# every role some service posts to (account_for) or reads by
ROLES = {
    "cash",
    "bank",
    "receivable",
    "inventory",
    "vat_receivable",
    "payable",
    "grni",
    "vat_payable",
    "equity",
    "retained_earnings",
    "sales",
    "cogs",
    "stock_adjustment",
    "price_difference",
    "reminder_fees",
    "labour_absorbed",
    "wages",
    "employer_contributions",
    "wages_payable",
}
SHOPS = {
    "generic": ("en_US", "EUR"),
    "es": ("es_ES", "EUR"),
    "ro": ("ro_RO", "RON"),
    "vn": ("vi_VN", "VND"),
}


@pytest.mark.parametrize("chart", ledger.CHARTS)
def test_each_template_maps_every_role_once(chart: str) -> None:
    spec = json.loads((data_dir() / "accounts" / f"{chart}.json").read_text("utf-8"))
    roles = [a["role"] for a in spec["accounts"] if "role" in a]
    assert sorted(roles) == sorted(ROLES)
    codes = [a["code"] for a in spec["accounts"]]
    assert len(codes) == len(set(codes))
    assert {a["type"] for a in spec["accounts"]} <= {
        "asset",
        "liability",
        "equity",
        "income",
        "expense",
    }


def test_the_source_posts_to_no_role_the_templates_lack() -> None:
    import re
    from pathlib import Path

    import bizdesk

    used = set()
    for path in Path(bizdesk.__file__).parent.rglob("*.py"):
        used |= set(re.findall(r'account_for\(\s*uow,\s*"([a-z_]+)"', path.read_text("utf-8")))
    assert used and used <= ROLES


@pytest.mark.parametrize("chart", ledger.CHARTS)
def test_a_month_of_business_on_each_chart(tmp_path, chart: str) -> None:  # noqa: ANN001
    locale, currency = SHOPS[chart]
    store = open_store(str(tmp_path / "shop.db"), user="tester")
    try:
        with store.write() as uow:
            setup.initialize(uow, company="Shop", currency=currency, locale=locale)
        assert store.settings()["chart"] == chart  # the locale's own chart by default
        give_the_shop_an_address(store)  # no invoice is issued without it
        a_month(store)
        with store.read() as uow:
            code = {role: ledger.account_for(uow, role).code for role in ROLES}
            tb = {r.code: r.balance for r in ledger_reports.trial_balance(uow)[0] if r.balance}
            capital = Decimal(10_000_00).scaleb(-uow.exponent)  # posted in minor units
        assert tb == {
            code["bank"]: capital - Decimal("3240"),  # - 4800 + 2340 - 780
            code["inventory"]: Decimal("3200"),
            code["vat_receivable"]: Decimal("800"),
            code["vat_payable"]: Decimal("-260"),
            code["equity"]: -capital,
            code["sales"]: Decimal("-1300"),
            code["cogs"]: Decimal("800"),
        }
        assert errors(store) == []
    finally:
        store.dispose()


def test_a_chart_can_be_chosen_and_a_wrong_one_is_refused(tmp_path) -> None:  # noqa: ANN001
    store = open_store(str(tmp_path / "shop.db"), user="tester")
    try:
        with pytest.raises(ValidationError) as exc, store.write() as uow:
            setup.initialize(uow, locale="es_ES", chart="fr")
        assert (
            "is not a chart of accounts bizdesk ships; choose one of generic, es, ro, vn"
            in (exc.value.fields["chart"])
        )
        with store.write() as uow:
            setup.initialize(uow, locale="es_ES", chart="ro")
        assert store.settings()["vat_rates"] == "21,11"
        with store.read() as uow:
            names = {a.code: a.name for a in ledger.list_accounts(uow)}
        assert names["4427"] == "TVA colectată" and names["408"] == "Furnizori - facturi nesosite"
    finally:
        store.dispose()


@pytest.mark.parametrize(
    ("locale", "chart"),
    [
        ("es_ES", "es"),
        ("es", "es"),  # a language alone: its usual country's
        ("es_MX", "generic"),  # Mexico's books do not follow Spain's PGC
        ("en_ES", "es"),  # the country's law decides, not the language
        ("ro_RO", "ro"),
        ("ro_MD", "generic"),
        ("vi_VN", "vn"),
        ("en_GB", "generic"),
        ("de_DE", "generic"),
    ],
)
def test_the_default_chart_follows_the_locale(locale: str, chart: str) -> None:
    assert ledger.chart_for_locale(locale) == chart
