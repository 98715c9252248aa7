"""A percentage typed with its sign ("50%", "12,5 %" in Spanish) reads in every percent field
as payroll lines read it: one reader (money.parse_percent), not a copy per field."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bizdesk.errors import ValidationError
from bizdesk.money import AmountError, percent_to_basis_points
from bizdesk.services.books import budgets
from bizdesk.services.crm import contacts as C
from bizdesk.services.inventory import products
from bizdesk.services.papers import shop as S
from bizdesk.services.trade import deals as D
from tests.test_cli import bizdesk, db  # noqa: F401


@pytest.mark.parametrize(
    ("typed", "locale", "read"),
    [
        ("50%", None, Decimal(50)),
        ("50 %", None, Decimal(50)),
        ("12.5%", None, Decimal("12.5")),
        ("12,5 %", "es_ES", Decimal("12.5")),
        ("12,5\u00a0%", "es_ES", Decimal("12.5")),  # as babel writes it in Spanish
        ("12,5", "es_ES", Decimal("12.5")),
        ("20", None, Decimal(20)),
    ],
)
def test_a_percentage_reads_with_or_without_its_sign(typed, locale, read) -> None:  # noqa: ANN001
    from bizdesk.money import parse_percent

    assert parse_percent(typed, decimals=2, locale=locale) == read


@pytest.mark.parametrize("typed", ["%", "50%%", "%50", "5 0%"])
def test_what_is_not_one_percentage_is_refused(typed) -> None:  # noqa: ANN001
    with pytest.raises(AmountError):
        percent_to_basis_points(typed)


def test_every_percent_field_takes_the_sign(store) -> None:  # noqa: ANN001
    """A deal's probability, a stage's, a product's VAT rate, the shop's standard VAT rate
    and a budget copy's percentage took "50%" nowhere, while payroll lines took "10%"."""
    with store.write() as uow:
        C.create(uow, C.ContactInput(name="Ann Buyer", email="ann@example.com"))
        deal = D.create(
            uow, D.DealInput(title="Ten bikes", contact="ann@example.com", probability="50%")
        )
        stage = D.add_stage(uow, "Demo booked", "40 %")
        product = products.create_product(
            uow, products.ProductInput(sku="BOLT", name="Bolt", vat_rate="5.5%")
        )
        S.set_one(uow, "vat-rate", "20%")
        assert budgets.copy_year(uow, "2025", "2026", "-10%") == 0
    assert (deal.probability, stage.probability, product.vat_rate) == (50, 40, Decimal("5.5"))
    with store.read() as uow:
        assert S.get(uow).vat_rate == "20"
    store.input_locale = "es_ES"
    try:
        with store.write() as uow:
            product = products.create_product(
                uow, products.ProductInput(sku="NUT", name="Nut", vat_rate="12,5 %")
            )
        assert product.vat_rate == Decimal("12.5")
        with pytest.raises(ValidationError) as exc, store.write() as uow:
            D.add_stage(uow, "Won twice", "150%")
        assert exc.value.fields["probability"] == "must be between 0 and 100"
    finally:
        store.input_locale = None


def test_the_command_line_takes_the_sign(db) -> None:  # noqa: ANN001, F811
    said = bizdesk("shop", "set", "vat-rate", "20%", "--db", db)
    assert said.returncode == 0, said.stderr
    said = bizdesk("pipeline", "add", "Demo booked", "50%", "--db", db)
    assert said.returncode == 0, said.stderr
    assert "(50%)" in said.stdout
    es = {"LANGUAGE": "", "LC_ALL": "", "LC_MESSAGES": "", "LANG": "es_ES.UTF-8"}
    said = bizdesk("pipeline", "set", "Demo booked", "--probability", "45 %", "--db", db, env=es)
    assert said.returncode == 0, said.stderr
