"""A merge moves a customer's documents with their postings (issue 10's edges, found by a
tester closing a month): the journal lines moved to the kept contact while the sales orders,
invoices and reminders stayed on the archived one, so the kept one's statement listed
invoices its documents did not have and the merged one's could no longer be asked for."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from bizdesk.errors import ValidationError
from bizdesk.models.sales import Invoice, SalesOrder
from bizdesk.services.books.ledger_reports import aging
from bizdesk.services.crm import contacts
from bizdesk.services.crm.contacts import ContactInput
from bizdesk.services.marketing import consent
from tests.erp_helpers import errors
from tests.people_helpers import employee
from tests.shop_template import give_the_shop_an_address
from tests.test_bank_proposals import invoice


def _id(store, name: str) -> int:  # noqa: ANN001
    with store.read() as uow:
        return contacts.find_by_name_or_email(uow, name).id


def _customers(store) -> set[tuple[str, int]]:  # noqa: ANN001
    with store.read() as uow:
        docs = [
            (f"SO{r}", c)
            for r, c in uow.session.execute(select(SalesOrder.id, SalesOrder.customer_id))
        ]
        docs += [
            (f"INV{r}", c) for r, c in uow.session.execute(select(Invoice.id, Invoice.customer_id))
        ]
    return {c for _doc, c in docs}


def test_a_merge_moves_the_customer_s_orders_and_invoices_with_their_postings(store) -> None:  # noqa: ANN001
    invoice(store, "Metro Rapid Rentals", "100.00")
    invoice(store, "Metro Rentals", "40.00")
    keep, drop = _id(store, "Metro Rentals"), _id(store, "Metro Rapid Rentals")
    with store.write() as uow:
        consent.record(uow, keep, "in", "form")
        consent.record(uow, drop, "out", "unsubscribe link")
        contacts.merge(uow, keep, drop)
    assert _customers(store) == {keep}
    with store.read() as uow:
        rows, _totals = aging(uow, "receivable")
        assert [(r.contact_id, str(r.total)) for r in rows] == [(keep, "140.00")]
        # the opt-out of either stands: never lost to the other's opt-in
        assert consent.consents_of(uow, [keep])[keep].state == "out"
        assert consent.consents_of(uow, [drop]) == {}
    assert errors(store) == []


def test_two_employees_are_two_people_and_are_not_merged(store) -> None:  # noqa: ANN001
    one = employee(store, "Ana Pop")
    two = employee(store, "Ana Popp")
    with store.write() as uow, pytest.raises(ValidationError) as exc:
        contacts.merge(uow, _id(store, "Ana Pop"), _id(store, "Ana Popp"))
    assert exc.value.fields[""] == (
        f"Ana Pop and Ana Popp are both employees (#{one} and #{two}): two people, not one; "
        "they are not merged"
    )
    with store.write() as uow:  # one employee and a contact: the employee moves
        contacts.create(uow, ContactInput(name="Bo Li", kind="person"))
    bo = employee(store, "Bo Lee")
    with store.write() as uow:
        contacts.merge(uow, _id(store, "Bo Li"), _id(store, "Bo Lee"))
    from bizdesk.services.people import employees

    with store.read() as uow:
        assert employees.get(uow, bo).contact_id == _id(store, "Bo Li")
    assert errors(store) == []


def test_a_store_merged_before_has_its_documents_moved_on_upgrade(tmp_path) -> None:  # noqa: ANN001
    from alembic import command

    from bizdesk.db import open_store
    from bizdesk.db.migrate import alembic_config
    from bizdesk.services.admin import setup

    path = tmp_path / "old.db"
    s = open_store(str(path))
    setup.ensure_initialized(s)
    give_the_shop_an_address(s)
    invoice(s, "Metro Rapid Rentals", "100.00")
    drop = _id(s, "Metro Rapid Rentals")
    with s.write() as uow:
        keep = contacts.create(uow, ContactInput(name="Metro Rentals")).contact.id
        merged = contacts.create(uow, ContactInput(name="Metro R.")).contact.id
        contacts.merge(uow, merged, drop)  # a chain: drop into merged, merged into keep
        contacts.merge(uow, keep, merged)
        for model in (SalesOrder, Invoice):  # as a merge before left them
            uow.session.execute(update(model).values(customer_id=drop))
    command.downgrade(alembic_config(s), "0028")
    s.dispose()
    s = open_store(str(path))
    assert _customers(s) == {keep}
    assert errors(s) == []
    s.dispose()
