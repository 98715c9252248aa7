"""The contact form's examples (phone, country, VAT id) are the shop's own region's."""

from __future__ import annotations

import pytest

from bizdesk.services.base.validate import (
    FieldError,
    example_iban,
    example_phone,
    example_vat_id,
    iban,
    phone,
    vat_id,
)
from bizdesk.services.crm.contacts import form_examples


def test_the_example_is_the_regions_and_is_accepted_there():
    for region, prefix in (("ES", "+34 "), ("RO", "+40 "), ("VN", "+84 "), ("US", "+1 ")):
        shown = example_phone(region)
        assert shown.startswith(prefix)
        assert phone(shown, region)  # what the placeholder shows is a valid number
    assert example_phone(None) == example_phone("XX") == "+49 30 1234567"


def test_a_refused_phone_shows_the_regions_example():
    for region in ("VN", "ES", None):
        with pytest.raises(FieldError) as exc:
            phone("call me", region)
        assert f"e.g. {example_phone(region)})" in str(exc.value.message)


def test_a_number_with_digits_missing_shows_the_regions_example_too():
    """ "0903 375 55" (a digit short) was refused as "not a valid phone number" alone: once
    typed, the box's example is gone, and nothing said what a number looks like."""
    for region, typed in (("VN", "0903 375 55"), ("ES", "612 345 67"), (None, "+49 30 12")):
        with pytest.raises(FieldError) as exc:
            phone(typed, region)
        assert str(exc.value.message) == (
            f"not a valid phone number (e.g. {example_phone(region)})"
        ), region


@pytest.mark.parametrize("region", ["DE", "ES", "FR", "GB", "IT", "RO", "VN"])
def test_a_vat_id_and_iban_example_is_accepted_in_its_region(region: str):
    shown = example_vat_id(region)
    assert vat_id(shown, region) == shown
    account = example_iban(region)
    assert iban(account)
    assert account.startswith(region) or region == "VN"  # (Vietnam has no IBANs)


def test_the_store_names_the_region_else_its_locale_does(store):
    with store.write() as uow:
        uow.set_setting("locale", "ro_RO")
        uow.set_setting("region", "")
    romanian = form_examples(store.settings())
    assert (romanian.phone, romanian.country, romanian.vat_id) == (
        example_phone("RO"), "RO", "RO18547290"
    )  # fmt: skip
    with store.write() as uow:
        uow.set_setting("region", "vn")
    vietnamese = form_examples(store.settings())
    assert (vietnamese.phone, vietnamese.country, vietnamese.vat_id) == (
        example_phone("VN"), "VN", "0100109106"
    )  # fmt: skip


def test_a_number_with_an_extension_is_refused_not_cut():
    """ "0903 375 555 x12" was stored +84903375555: the extension dropped unsaid (a number is
    stored E.164, which has no extension)."""
    for typed, region in (("0903 375 555 x12", "VN"), ("+34 612 345 678 ext. 5", "ES")):
        with pytest.raises(FieldError) as exc:
            phone(typed, region)
        extension = typed.rsplit(" ", 1)[1].removeprefix("x")
        assert str(exc.value.message) == (
            f"an extension ({extension}) cannot be kept with a phone number: type the number "
            "alone (the extension can go in the notes)"
        )
    assert phone("0903 375 555", "VN") == "+84903375555"
