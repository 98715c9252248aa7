"""An invoice is not issued while the shop's name or address is not set (DESIGN 5: every
document carries both parties' names and addresses, and an invoice keeps its issuer as issued:
one issued without would carry no address for good). One rule (shop_details.require_issuer),
called by every way an invoice is issued: from a delivery, a counter sale, a recurring
template. A credit note is not refused: it corrects an invoice already issued."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlmodel import func, select

from bizdesk.db import Store, open_store
from bizdesk.errors import ValidationError
from bizdesk.fieldnames import refusal
from bizdesk.i18n import use
from bizdesk.models.contacts import Contact
from bizdesk.models.ledger import JournalEntry
from bizdesk.models.sales import Invoice, SalesOrder
from bizdesk.services import papers
from bizdesk.services.base.pages import PageRequest
from bizdesk.services.base.shop_details import issuer_missing, require_issuer
from bizdesk.services.papers import shop as S
from bizdesk.services.recurring.due import run_due
from bizdesk.services.trade import sales
from tests.erp_helpers import errors
from tests.test_cli import bizdesk, bizdesk_user
from tests.test_cli import db as db  # noqa: F401  (the fixture)
from tests.test_papers import customer_with_order, pdf_text
from tests.test_recurring import customer, hosting, runs

REFUSED = (
    "an invoice carries the shop's name and address, and these are not set: Street, City. "
    "An owner sets them in Shop details (ctrl+p) or with: "
    'bizdesk shop set street "…"; bizdesk shop set city "…"'
)


def _without_address(store: Store) -> None:
    """A shop as `bizdesk init` leaves it: its name, no address."""
    with store.write() as uow:
        S.set_one(uow, "street", "")
        S.set_one(uow, "postcode", "")
        S.set_one(uow, "city", "")


def _counts(store: Store) -> tuple[int, ...]:
    with store.read() as uow:
        return tuple(
            uow.session.scalar(select(func.count()).select_from(m))
            for m in (Invoice, JournalEntry, SalesOrder, Contact)
        )


def test_the_rule_names_what_is_missing_in_the_readers_language(store) -> None:  # noqa: ANN001
    _without_address(store)
    with store.write() as uow:
        assert issuer_missing(uow) == ["street", "city"]
        with pytest.raises(ValidationError) as refused:
            require_issuer(uow)
        assert refusal(refused.value) == REFUSED
        S.set_one(uow, "street", "Calle de la Paz 14")
        with pytest.raises(ValidationError) as refused:
            require_issuer(uow)
        assert "this is not set: City. " in refusal(refused.value)
        assert 'bizdesk shop set city "…"' in refusal(refused.value)
        try:
            use("es")
            assert "City" not in refusal(refused.value)
            assert "Ciudad" in refusal(refused.value)
        finally:
            use("en")
        S.set_one(uow, "city", "Valencia")
        require_issuer(uow)  # name, street and city: an invoice may be issued
        assert issuer_missing(uow) == []


def test_no_invoice_from_a_delivery_without_the_shops_address(store) -> None:  # noqa: ANN001
    customer_with_order(store)
    _without_address(store)
    before = _counts(store)
    with store.write() as uow:
        so = sales.list_page(uow, PageRequest()).rows[0]
        with pytest.raises(ValidationError) as refused:
            sales.invoice(uow, so.id, when="2026-11-05")
    assert refusal(refused.value) == REFUSED
    assert _counts(store) == before
    with store.read() as uow:
        assert [ln.invoiced for ln in sales.get(uow, so.id).lines] == [0]
    with store.write() as uow:
        S.set_one(uow, "street", "Calle de la Paz 14")
        S.set_one(uow, "city", "Valencia")
        inv = sales.invoice(uow, so.id, when="2026-11-05")
        paper = papers.render(uow, "invoice", inv.label)
    assert inv.label == "INV-00001" and not inv.without_shop_address
    assert "Calle de la Paz 14" in pdf_text(paper.data) and not paper.without_shop_address
    assert errors(store) == []


def test_a_counter_sale_is_refused_whole_without_the_shops_address(store) -> None:  # noqa: ANN001
    _without_address(store)
    before = _counts(store)
    line = sales.SOLineInput(description="Repair", qty="1", unit_price="30", vat_rate="0")
    with store.write() as uow:
        with pytest.raises(ValidationError) as refused:
            sales.counter_sale(uow, [line])
    assert refusal(refused.value) == REFUSED
    assert _counts(store) == before  # no order, no entry, no walk-in customer
    with store.write() as uow:
        S.set_one(uow, "street", "Calle de la Paz 14")
        S.set_one(uow, "city", "Valencia")
        so = sales.counter_sale(uow, [line])
    assert [i.label for i in so.invoices] == ["INV-00001"] and so.state == "closed"


def test_a_recurring_invoice_waits_for_the_shops_address(store) -> None:  # noqa: ANN001
    """run-due reports the template and makes nothing of it (no occurrence claimed, no
    number taken); the run after the address is set makes every occurrence, once."""
    customer(store)
    tid = hosting(store, start="2026-01-15")
    _without_address(store)
    report = run_due(store, date(2026, 2, 20))
    assert report.made == []
    assert [(f.name, f.due_on, f.reason) for f in report.failed] == [
        ("Hosting", date(2026, 1, 15), REFUSED)
    ]
    assert runs(store, tid) == [] and _counts(store)[0] == 0
    again = run_due(store, date(2026, 2, 20))  # still not set: reported again, not lost
    assert [f.due_on for f in again.failed] == [date(2026, 1, 15)] and again.made == []
    with store.write() as uow:
        S.set_one(uow, "street", "Calle de la Paz 14")
        S.set_one(uow, "city", "Valencia")
    report = run_due(store, date(2026, 2, 20))
    assert report.failed == []
    assert [(m.due_on, m.document) for m in report.made] == [
        (date(2026, 1, 15), "INV-00001"),
        (date(2026, 2, 15), "INV-00002"),
    ]
    assert run_due(store, date(2026, 2, 20)).made == []  # made once
    assert runs(store, tid) == [(date(2026, 1, 15), "INV-00001"), (date(2026, 2, 15), "INV-00002")]
    assert errors(store) == []


def test_a_credit_note_corrects_an_invoice_issued_without_the_address(store) -> None:  # noqa: ANN001
    """An invoice an older bizdesk issued before the shop set its address (kept so: an
    invoice keeps its issuer as issued) still warns when printed, and a credit note for it
    is issued, address or not: refusing it would block a correction. It carries the shop's
    details as they are when it is issued."""
    customer_with_order(store)
    with store.write() as uow:
        so = sales.list_page(uow, PageRequest()).rows[0]
        first = sales.invoice(uow, so.id, when="2026-11-05")
        old = uow.session.get(Invoice, first.id)  # as an older bizdesk kept it
        kept = json.loads(old.shop_details)
        old.shop_details = json.dumps({**kept, "street": "", "postcode": "", "city": ""})
    _without_address(store)
    with store.write() as uow:
        assert sales.get(uow, so.id).invoices[0].without_shop_address
        paper = papers.render(uow, "invoice", first.label)
        assert paper.without_shop_address
        said = str(papers.no_shop_address(first.label))
        assert said.startswith("INV-00001 carries no address of the shop")
        bike = sales.get(uow, so.id).lines[0]
        note = sales.return_goods(uow, so.id, {bike.id: "1"}, reason="scratched", when="2026-11-06")
        assert note.kind == "credit" and note.without_shop_address  # the shop's as it is
        S.set_one(uow, "street", "Calle de la Paz 14")
        S.set_one(uow, "city", "Valencia")
        assert papers.render(uow, "invoice", first.label).without_shop_address  # as issued
    assert errors(store) == []


def test_the_command_line_refuses_a_counter_sale_and_says_how_to_set_the_address(db) -> None:  # noqa: ANN001
    """As a new shop's owner meets it: `init`, a counter sale refused (exit 1, nothing
    made), the address set as the refusal says, the sale made; run-due likewise."""
    store = open_store(db, user=bizdesk_user())
    try:
        customer(store)
        hosting(store, start="2026-03-15")
        _without_address(store)  # as `bizdesk init` leaves a shop
    finally:
        store.dispose()
    sale = {"lines": [{"description": "Repair", "quantity": "1", "unit_price": "10"}]}
    r = bizdesk("new", "counter-sale", "-", "--db", db, stdin=json.dumps(sale))
    assert (r.returncode, r.stdout, r.stderr) == (1, "", REFUSED + "\n")
    r = bizdesk("run-due", "--as-of", "2026-03-20", "--db", db)
    assert r.returncode == 1
    assert r.stderr == f"Hosting, due 2026-03-15, was not made: {REFUSED}\n"
    store = open_store(db, user=bizdesk_user())
    try:
        assert _counts(store)[:3] == (0, 0, 0)  # no invoice, entry or order
    finally:
        store.dispose()
    assert bizdesk("shop", "set", "street", "Calle de la Paz 14", "--db", db).returncode == 0
    assert bizdesk("shop", "set", "city", "Valencia", "--db", db).returncode == 0
    r = bizdesk("run-due", "--as-of", "2026-03-20", "--db", db)
    assert (r.returncode, r.stdout.splitlines()[0]) == (0, "2026-03-15  INV-00001  Hosting")
    r = bizdesk("new", "counter-sale", "-", "--db", db, stdin=json.dumps(sale))
    assert (r.returncode, r.stdout) == (0, "SO-00002\n"), r.stderr
