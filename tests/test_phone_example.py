"""The contact form's phone placeholder is a number of the shop's own region."""

from __future__ import annotations

from bizdesk.services.base.validate import example_phone, phone
from bizdesk.services.crm.contacts import phone_example


def test_the_example_is_the_regions_and_is_accepted_there():
    for region, prefix in (("ES", "+34 "), ("RO", "+40 "), ("VN", "+84 "), ("US", "+1 ")):
        shown = example_phone(region)
        assert shown.startswith(prefix)
        assert phone(shown, region)  # what the placeholder shows is a valid number
    assert example_phone(None) == example_phone("XX") == "+49 30 1234567"


def test_the_store_names_the_region_else_its_locale_does(store):
    with store.write() as uow:
        uow.set_setting("locale", "ro_RO")
        uow.set_setting("region", "")
    assert phone_example(store.settings()) == example_phone("RO")
    with store.write() as uow:
        uow.set_setting("region", "vn")
    assert phone_example(store.settings()) == example_phone("VN")
