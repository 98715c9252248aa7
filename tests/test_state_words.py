"""A stored state inside a service's sentence reads in the reader's language; the stored
value, and the sentence's English, stay as they were."""

from __future__ import annotations

import pytest

from bizdesk import i18n
from bizdesk.errors import ValidationError
from bizdesk.i18n import _
from bizdesk.services.base.states import state_word
from bizdesk.services.crm import contacts
from bizdesk.services.trade import sales
from tests.erp_helpers import product


def _in(language: str, show):  # noqa: ANN001, ANN202
    try:
        i18n.use(language)
        return show()
    finally:
        i18n.use("en")


def test_a_known_state_is_a_message_and_another_word_stays_as_it_is():
    assert state_word("partially delivered") == "partially delivered"
    assert _in("es", lambda: str(state_word("partially delivered"))) == _in(
        "es", lambda: _("partially delivered")
    )
    assert _in("ro", lambda: str(state_word("partially delivered"))) != "partially delivered"
    assert state_word("Proposal sent") == "Proposal sent"  # a shop's own word: as it is
    assert type(state_word("Proposal sent")) is str


def test_an_order_refusal_says_its_state_in_the_readers_language(store):
    product(store, "SRV", name="Service hour", sale_price="45", vat_rate="20", allow_negative="yes")
    with store.write() as uow:
        cid = contacts.create(uow, contacts.ContactInput(name="Dana")).contact.id
        so = sales.create(
            uow, sales.SOInput(customer=f"#{cid}", lines=[sales.SOLineInput("SRV", "1")])
        )
        sales.confirm(uow, so.id)
        with pytest.raises(ValidationError) as found:
            sales.invoice(uow, so.id)
    assert str(found.value) == f"{so.label} is confirmed; nothing delivered waits for an invoice"
    for lang in ("es", "ro", "vi"):
        said = _in(lang, lambda: str(found.value))
        confirmed = _in(lang, lambda: _("confirmed"))
        assert confirmed != "confirmed" and confirmed in said and "confirmed" not in said, said
    with store.read() as uow:
        assert sales.get(uow, so.id).state == "confirmed"  # the stored value: untouched
