"""`bizdesk new KIND [FILE|-]`: documents from JSON through the real command line, checked
afterwards in the store (totals, stock moves, postings, `check`), refused whole when bad."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from bizdesk.db import Store, open_store
from bizdesk.identity import os_username
from bizdesk.models.contacts import Interaction
from bizdesk.models.ledger import Account, JournalEntry, JournalLine
from bizdesk.models.sales import Invoice, SalesOrder
from bizdesk.models.stock import StockMove
from bizdesk.models.tickets import Ticket, TicketComment
from bizdesk.services.admin import setup, users
from bizdesk.services.books import ledger
from bizdesk.services.crm import contacts, tickets
from bizdesk.services.crm.contacts import ContactInput
from bizdesk.services.inventory.levels import on_hand
from bizdesk.services.trade import purchasing, sales
from bizdesk.shopzone import shop_zone
from tests.erp_helpers import errors, order, product, supplier
from tests.shop_template import give_the_shop_an_address
from tests.test_cli import bizdesk

ME = os_username()


@pytest.fixture
def shop(tmp_path) -> tuple[str, Store]:  # noqa: ANN001
    """A shop (I am its owner): a customer, a supplier, a stocked bolt and a service hour,
    and PO-00001 sent for 100 bolts at 0.20."""
    path = str(tmp_path / "shop.db")
    s = open_store(path)
    setup.ensure_initialized(s)
    give_the_shop_an_address(s)
    sid = supplier(s)
    with s.write() as uow:
        contacts.create(uow, ContactInput(name="Ann Buyer", email="ann@example.com"))
    product(s, "BOLT", name="Bolt M8", unit="kg", sale_price="0.40", cost="0.20", vat_rate="20")
    product(s, "HOUR", name="Workshop hour", sale_price="30", vat_rate="20", stocked=False)
    order(s, sid, ("BOLT", "100", "0.20"))
    yield path, s
    s.dispose()


def _stocked(s: Store) -> None:
    """PO-00001's bolts received (as the warehouse does in the terminal interface)."""
    with s.write() as uow:
        po = purchasing.get(uow, 1)
        purchasing.receive(uow, po.id, {po.lines[0].id: "100"})


def new(db: str, kind: str, doc: object | None = None, *args: str, via: str = "stdin", tmp=None):  # noqa: ANN001, ANN201
    """Run `bizdesk new KIND` with ``doc`` as JSON on standard input or in a file."""
    text = doc if isinstance(doc, str) else json.dumps(doc) if doc is not None else None
    if via == "file":
        f = tmp / f"{kind}.json"
        f.write_text(text, encoding="utf-8")
        return bizdesk("new", kind, str(f), *args, "--db", db)
    return bizdesk("new", kind, *args, "--db", db, stdin=text)


def count(s: Store, model) -> int:  # noqa: ANN001
    with s.read() as uow:
        return uow.session.scalar(select(func.count()).select_from(model))


def balance(s: Store, role: str) -> Decimal:
    """Debits less credits on the account with ``role``, in euros."""
    with s.read() as uow:
        total = uow.session.scalar(
            select(func.coalesce(func.sum(JournalLine.debit_minor - JournalLine.credit_minor), 0))
            .join(Account, Account.id == JournalLine.account_id)
            .where(Account.role == role)
        )
    return Decimal(int(total)).scaleb(-2)


ORDER = {
    "customer": "ann@example.com",
    "date": "2026-11-20",
    "notes": "web order 1001",
    "lines": [
        {"product": "BOLT", "quantity": 12.5, "unit_price": "0.40"},
        {"product": "HOUR", "quantity": 1, "description": "Fitting"},
    ],
}


@pytest.mark.parametrize("via", ["file", "stdin"])
def test_a_sales_order_as_a_draft_and_confirmed(shop, via, tmp_path) -> None:  # noqa: ANN001
    db, s = shop
    _stocked(s)
    r = new(db, "sales-order", ORDER, via=via, tmp=tmp_path)
    assert r.returncode == 0, r.stderr
    assert r.stdout == "SO-00001\n"
    r = new(
        db, "sales-order", {**ORDER, "confirm": True}, "--format", "json", via=via, tmp=tmp_path
    )
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["kind"] == "sales-order" and out["label"] == "SO-00002"
    # 12.5 x 0.40 = 5.00 and 1 x 30.00, 20% VAT on each: read exactly, no float anywhere
    assert (out["net"], out["vat"], out["total"]) == ("35.00", "7.00", "42.00")
    assert out["state"] == "confirmed" and out["lines"][0]["quantity"] == "12.5"
    with s.read() as uow:
        draft, confirmed = sales.get(uow, 1), sales.get(uow, 2)
        assert draft.state == "draft" and confirmed.state == "confirmed"
        assert draft.customer == "Ann Buyer" and draft.notes == "web order 1001"
        assert draft.order_date.isoformat() == "2026-11-20"
        assert draft.total == Decimal("42.00") and confirmed.total == Decimal("42.00")
        assert [ln.description for ln in draft.lines] == ["Bolt M8", "Fitting"]
        assert sales.available(uow, draft.lines[0].product_id) == 87_500  # 12.5 reserved
    assert errors(s) == []


@pytest.mark.parametrize("via", ["file", "stdin"])
def test_a_counter_sale_is_delivered_invoiced_and_paid(shop, via, tmp_path) -> None:  # noqa: ANN001
    db, s = shop
    _stocked(s)
    cash = balance(s, "cash")
    doc = {"lines": [{"product": "BOLT", "quantity": "10"}], "account": "cash"}
    r = new(db, "counter-sale", doc, "--format", "json", via=via, tmp=tmp_path)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["label"] == "SO-00001" and out["invoice"] == "INV-00001"
    assert out["total"] == "4.80" and out["paid"] == "4.80" and out["state"] == "closed"
    assert balance(s, "cash") - cash == Decimal("4.80")
    with s.read() as uow:
        so = sales.get(uow, 1)
        assert so.customer == "Walk-in customer" and so.unpaid == 0
        assert on_hand(uow, so.lines[0].product_id) == 90_000
        moves = uow.session.scalars(select(StockMove).where(StockMove.qty_scaled < 0)).all()
        assert [m.qty_scaled for m in moves] == [-10_000]
    assert balance(s, "cogs") == Decimal("2.00")  # 10 bolts at 0.20
    assert balance(s, "sales") == Decimal("-4.00") and balance(s, "receivable") == 0
    assert bizdesk("check", "--db", db).returncode == 0


@pytest.mark.parametrize("via", ["file", "stdin", "options"])
def test_an_invoice_for_a_delivered_order(shop, via, tmp_path) -> None:  # noqa: ANN001
    db, s = shop
    _stocked(s)
    assert new(db, "sales-order", {**ORDER, "confirm": True}).returncode == 0
    with s.write() as uow:
        sales.deliver(uow, 1, when="2026-11-21")
    doc = {"order": "SO-00001", "date": "2026-11-21", "due": "2026-12-21"}
    if via == "options":
        args = ("--order", "SO-1", "--date", "2026-11-21", "--due", "2026-12-21")
        r = bizdesk("new", "invoice", *args, "--db", db)
    else:
        r = new(db, "invoice", doc, via=via, tmp=tmp_path)
    assert r.returncode == 0, r.stderr
    assert r.stdout == "INV-00001\n"
    with s.read() as uow:
        so = sales.get(uow, 1)
        assert so.state == "invoiced" and so.invoices[0].total == Decimal("42.00")
        assert so.invoices[0].due_on.isoformat() == "2026-12-21"
    assert balance(s, "receivable") == Decimal("42.00")
    assert balance(s, "vat_payable") == Decimal("-7.00")
    again = bizdesk("new", "invoice", "--order", "SO-00001", "--db", db)
    assert again.returncode == 1 and "SO-00001 is invoiced" in again.stderr
    assert count(s, Invoice) == 1 and errors(s) == []


def _invoiced(db: str, s: Store) -> None:
    _stocked(s)
    assert new(db, "sales-order", {**ORDER, "confirm": True}).returncode == 0
    with s.write() as uow:
        sales.deliver(uow, 1)
        sales.invoice(uow, 1)


@pytest.mark.parametrize("via", ["file", "stdin", "options"])
def test_a_customer_payment_in_part_then_the_rest(shop, via, tmp_path) -> None:  # noqa: ANN001
    db, s = shop
    _invoiced(db, s)
    if via == "options":
        r = bizdesk(
            "new", "payment", "--invoice", "INV-00001", "--amount", "12.50", "--db", db,
            "--format", "json",
        )  # fmt: skip
    else:
        doc = {"invoice": "INV-00001", "amount": 12.5, "account": "bank"}
        r = new(db, "payment", doc, "--format", "json", via=via, tmp=tmp_path)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["label"].startswith("JE-") and out["amount"] == "12.50"
    assert (out["paid"], out["open"]) == ("12.50", "29.50")
    with s.read() as uow:
        bank = uow.session.scalars(select(Account.code).where(Account.role == "bank")).one()
        memo = uow.session.scalars(
            select(JournalEntry.memo).where(JournalEntry.number == int(out["label"][3:]))
        ).one()
    assert out["account"] == bank and "INV-00001" in memo
    rest = bizdesk("new", "payment", "--invoice", "INV-1", "--account", "cash", "--db", db)
    assert rest.returncode == 0, rest.stderr
    with s.read() as uow:
        so = sales.get(uow, 1)
        assert so.invoices[0].open == 0 and so.state == "closed"
    assert balance(s, "receivable") == 0 and balance(s, "cash") == Decimal("29.50")
    assert errors(s) == []


@pytest.mark.parametrize("via", ["file", "stdin"])
def test_a_supplier_bill_payment(shop, via, tmp_path) -> None:  # noqa: ANN001
    db, s = shop
    _stocked(s)
    with s.write() as uow:
        purchasing.bill(uow, 1, reference="AC-77", bill_date="2026-11-20")
    doc = {"bill": "ac-77", "order": "PO-00001", "account": "bank", "date": "2026-11-30"}
    r = new(db, "payment", doc, "--format", "json", via=via, tmp=tmp_path)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert (out["bill"], out["order"], out["amount"], out["open"]) == (
        "AC-77",
        "PO-00001",
        "24.00",  # 100 x 0.20 + 20% VAT
        "0.00",
    )
    assert balance(s, "payable") == 0 and balance(s, "bank") == Decimal("-24.00")
    with s.read() as uow:
        assert purchasing.get(uow, 1).state == "closed"
    assert errors(s) == []


@pytest.mark.parametrize("via", ["file", "stdin", "options"])
def test_a_ticket(shop, via, tmp_path) -> None:  # noqa: ANN001
    db, s = shop
    doc = {
        "subject": "Bolt snapped",
        "contact": "Ann Buyer",
        "priority": "high",
        "body": "It snapped at 40 Nm.\nPhotos attached.",
    }
    if via == "options":
        opts = [x for k, val in doc.items() for x in (f"--{k}", val)]
        r = bizdesk("new", "ticket", *opts, "--db", db)
    else:
        r = new(db, "ticket", doc, via=via, tmp=tmp_path)
    assert r.returncode == 0, r.stderr
    assert r.stdout == "#1\n"
    with s.read() as uow:
        t = tickets.get(uow, 1)
    assert (t.subject, t.contact, t.priority, t.status) == (
        "Bolt snapped",
        "Ann Buyer",
        "high",
        "new",
    )
    assert t.description == doc["body"] and t.first_response.due is not None


@pytest.mark.parametrize("via", ["file", "stdin"])
def test_a_receipt_in_two_parts(shop, via, tmp_path) -> None:  # noqa: ANN001
    db, s = shop
    with s.write() as uow:
        from bizdesk.services.inventory.locations import add_location

        add_location(uow, "Back room")
    doc = {
        "order": "PO-00001",
        "location": "back room",
        "lines": [{"product": "bolt", "quantity": 60}],
    }
    r = new(db, "receipt", doc, "--format", "json", via=via, tmp=tmp_path)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["label"].startswith("JE-") and out["state"] == "partially received"
    assert out["received_value"] == "12.00" and out["lines"][0]["received"] == "60"
    rest = new(db, "receipt", {"order": "PO-1", "lines": [{"line": 1, "quantity": "40"}]})
    assert rest.returncode == 0, rest.stderr and rest.stdout.startswith("JE-")
    with s.read() as uow:
        po = purchasing.get(uow, 1)
        assert po.state == "received" and po.lines[0].received == 100
        moves = uow.session.scalars(select(StockMove).order_by(StockMove.id)).all()
        assert [m.qty_scaled for m in moves] == [60_000, 40_000]
        assert moves[0].location_id != moves[1].location_id  # the back room, then the default
    assert balance(s, "inventory") == Decimal("20.00") and balance(s, "grni") == Decimal("-20.00")
    over = new(db, "receipt", {"order": "PO-1", "lines": [{"product": "BOLT", "quantity": 1}]})
    assert over.returncode == 1 and "PO-00001 is received" in over.stderr
    assert errors(s) == []


def test_a_delivery_by_its_lines_then_the_rest_with_the_order_alone(shop) -> None:  # noqa: ANN001
    """A sales order delivered from the command line (there was no way: only the terminal
    interface delivered, so `new invoice` was refused with nothing to invoice)."""
    db, s = shop
    _stocked(s)
    assert new(db, "sales-order", {**ORDER, "confirm": True}).returncode == 0
    part = {"order": "SO-00001", "lines": [{"product": "BOLT", "quantity": "5"}]}
    r = new(db, "delivery", part, "--format", "json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["label"].startswith("JE-") and out["state"] == "partially delivered"
    assert out["lines"] == [{"product": "BOLT", "quantity": "5", "delivered": "5"}]
    over = new(db, "delivery", {"order": "SO-1", "lines": [{"line": 1, "quantity": "8"}]})
    assert over.returncode == 1 and "lines[0].quantity: only 7.5 can be delivered" in over.stderr
    early = bizdesk("new", "delivery", "--order", "SO-1", "--date", "2026-11-19", "--db", db)
    assert early.returncode == 1 and early.stderr.startswith("date: 2026-11-19 is before SO-00001")
    rest = bizdesk("new", "delivery", "--order", "SO-00001", "--db", db)  # all that is left
    assert rest.returncode == 0 and rest.stdout.startswith("JE-"), rest.stderr
    with s.read() as uow:
        so = sales.get(uow, 1)
    assert so.state == "delivered" and [ln.delivered for ln in so.lines] == [Decimal("12.5"), 1]
    assert balance(s, "cogs") == Decimal("2.50")  # 12.5 kg of bolts at 0.20
    again = bizdesk("new", "delivery", "--order", "SO-00001", "--db", db)
    assert again.returncode == 1 and "nothing is left to deliver" in again.stderr
    assert bizdesk("new", "invoice", "--order", "SO-00001", "--db", db).returncode == 0
    assert errors(s) == []


def _nothing_made(s: Store, before: dict) -> None:
    assert {m.__name__: count(s, m) for m in before} == {m.__name__: n for m, n in before.items()}


@pytest.fixture
def unchanged(shop):  # noqa: ANN001, ANN201
    """Checks that nothing was written: no order, invoice, entry, move or ticket more."""
    _db, s = shop
    _stocked(s)
    models = (SalesOrder, Invoice, JournalEntry, StockMove, Ticket)
    before = {m: count(s, m) for m in models}
    yield
    _nothing_made(s, before)


def test_a_bad_sales_order_names_every_problem_and_makes_nothing(shop, unchanged) -> None:  # noqa: ANN001
    db, _s = shop
    doc = (
        '{"customer": "Nobody", "colour": "red", "confirm": "yes", "lines": ['
        '{"product": "NOPE", "quantity": "1,000"}, '
        '{"product": "BOLT", "quantity": 1, "unit_price": 0.405}, '
        "7, "
        '{"product": "BOLT", "quantity": true, "vat_rate": "120"}]}'
    )
    r = new(db, "sales-order", doc)
    assert r.returncode == 1 and r.stdout == ""
    for said in (
        "unknown keys colour (the keys are: customer, date, notes, confirm, lines)",
        "confirm: true or false",
        "customer: no contact named 'Nobody'",
        "lines[0].product: no product with SKU 'NOPE'",
        "lines[0].quantity: '1,000' is not a number",  # never read as 1 or 1000
        "lines[1].unit_price: ",  # 0.405 is read exactly: three decimals, refused
        "lines[2]: an object",
        "lines[3].quantity: a number, or a string holding one",
        "lines[3].vat_rate: must be between 0 and 100",
    ):
        assert said in r.stderr, (said, r.stderr)
    assert "at most 2 decimals" in r.stderr and "Traceback" not in r.stderr
    # confirming more than is in stock: refused, and the order is not left behind either
    many = new(
        db,
        "sales-order",
        {**ORDER, "confirm": True, "lines": [{"product": "BOLT", "quantity": 101}]},
    )
    assert many.returncode == 1 and "BOLT: only 100 kg available, 101 wanted" in many.stderr


@pytest.mark.parametrize(
    "kind,doc,said",
    [
        ("sales-order", "[1, 2]", "the document must be a JSON object"),
        ("sales-order", '{"customer": "Ann Buyer", "lines": [{"quantity": NaN}]}', "NaN"),
        ("sales-order", '{"customer": "a", "customer": "b"}', "customer: given twice"),
        (
            "sales-order",
            '{"customer": "a", "lines": [{"product": "X", "quantity": 2, "quantity": 3}]}',
            "lines[0].quantity: given twice",
        ),
        ("sales-order", '{"customer": "Ann Buyer",', "not JSON: "),
        ("counter-sale", {"lines": [], "account": "till", "date": "2026-02-30"}, "date: "),
        ("counter-sale", {"lines": [{"product": "BOLT", "quantity": 0}]}, "lines[0].quantity"),
        ("invoice", {"order": "SO-00099"}, "order: there is no SO-00099"),
        ("invoice", {"order": "PO-00001"}, "order: not a sales order number (e.g. SO-00042)"),
        ("invoice", {}, "order: required"),
        ("payment", {"invoice": "INV-00009", "amount": "1,5"}, "invoice: there is no INV-00009"),
        ("payment", {"amount": "5"}, "name either an invoice or a supplier bill"),
        ("payment", {"bill": "nope"}, "bill: no supplier bill has the reference 'nope'"),
        ("ticket", {"subject": "", "priority": "asap", "contact": "x@y.z"}, "subject: required"),
        ("ticket", {"subject": "Hi", "priority": "asap"}, "priority: must be one of: low"),
        ("receipt", {"order": "PO-1", "lines": [{"product": "HOUR", "quantity": 1}]},
         "lines[0].product: HOUR is not on PO-00001"),
        ("receipt", {"order": "PO-1", "lines": [{"line": 2, "quantity": 1}]},
         "lines[0].line: PO-00001 has lines 1 to 1"),
        ("receipt", {"order": "PO-1", "lines": [{"line": "²", "quantity": 1}]},
         "lines[0].line: PO-00001 has lines 1 to 1"),  # isdigit(), but not for int()
        ("receipt", {"order": "PO-1", "location": "Attic", "lines": [{"product": "BOLT"}]},
         "lines[0].quantity: required"),
    ],
)  # fmt: skip
def test_bad_documents_are_refused_with_their_fields_named(
    shop, unchanged, kind, doc, said
) -> None:  # noqa: ANN001
    db, _s = shop
    r = new(db, kind, doc)
    assert r.returncode == 1, r.stdout
    assert said in r.stderr, r.stderr
    assert "Traceback" not in r.stderr and r.stdout == ""


def test_usage_and_options_given_twice(shop, unchanged) -> None:  # noqa: ANN001
    db, _s = shop
    twice = bizdesk("new", "invoice", "-", "--order", "SO-2", "--db", db, stdin='{"order": "SO-1"}')
    assert twice.returncode == 1 and "order: given both in the JSON and as --order" in twice.stderr
    missing = bizdesk("new", "ticket", "/nonexistent/t.json", "--db", db)
    assert missing.returncode == 1 and "no such file" in missing.stderr
    assert bizdesk("new", "quote", "--db", db).returncode == 2
    assert bizdesk("new", "ticket", "--format", "xml", "--db", db).returncode == 2


def test_roles_are_the_terminal_interfaces(tmp_path) -> None:  # noqa: ANN001
    """The person running the command: refused with the same sentence as anywhere else."""
    db = str(tmp_path / "shop.db")
    theirs = open_store(db, user="alice")
    setup.ensure_initialized(theirs)
    with theirs.write() as uow:
        users.add(uow, ME, "support")
        contacts.create(uow, ContactInput(name="Ann Buyer"))
    product(theirs, "BOLT", sale_price="1")
    order(theirs, supplier(theirs), ("BOLT", "5", "1"))
    so = {"customer": "Ann Buyer", "lines": [{"product": "BOLT", "quantity": 1}]}
    refused = {
        "sales-order": (so, "Changing sales orders is not allowed for your role (support)"),
        "counter-sale": (so, "Selling over the counter is not allowed for your role (support)"),
        "invoice": ({"order": "SO-1"}, "Invoicing is not allowed for your role (support)"),
        "payment": ({"invoice": "INV-1"}, "Recording customer payments and refunds is not"),
        "receipt": ({"order": "PO-1", "lines": [{"product": "BOLT", "quantity": 1}]},
                    "Receiving goods is not allowed"),
    }  # fmt: skip
    for kind, (doc, said) in refused.items():
        r = new(db, kind, doc)
        assert r.returncode == 1 and said in r.stderr, (kind, r.stderr)
        assert "alice" in r.stderr  # who to ask
    bill = new(db, "payment", {"bill": "X-1"})
    assert bill.returncode == 1 and "Paying suppliers is not allowed" in bill.stderr
    ok = new(db, "ticket", {"subject": "Where is my order?", "contact": "Ann Buyer"})
    assert ok.returncode == 0 and ok.stdout == "#1\n", ok.stderr
    with theirs.write() as uow:
        users.set_role(uow, ME, "warehouse")
    assert new(db, "receipt", refused["receipt"][0]).returncode == 0
    no = new(db, "ticket", {"subject": "x"})
    assert (
        no.returncode == 1
        and "Changing tickets is not allowed for your role (warehouse)" in no.stderr
    )
    with theirs.read() as uow:
        assert uow.session.scalar(select(func.count()).select_from(SalesOrder)) == 0
        assert uow.session.scalar(select(func.count()).select_from(Ticket)) == 1
    theirs.dispose()


def test_a_script_orders_invoices_and_is_paid(shop) -> None:  # noqa: ANN001
    """A web shop's script: the order confirmed, delivered by the warehouse, then invoiced
    and paid from the command line; the invoice ends paid and the books check."""
    db, s = shop
    _stocked(s)
    so = bizdesk("new", "sales-order", "--confirm", "--db", db, stdin=json.dumps(ORDER))
    assert so.returncode == 0, so.stderr
    label = so.stdout.strip()
    with s.write() as uow:  # the warehouse delivers it, in the terminal interface
        sales.deliver(uow, 1)
    inv = bizdesk("new", "invoice", "--order", label, "--db", db)
    assert inv.returncode == 0, inv.stderr
    paid = bizdesk("new", "payment", "--invoice", inv.stdout.strip(), "--db", db)
    assert paid.returncode == 0, paid.stderr
    with s.read() as uow:
        view = sales.get(uow, 1)
    assert view.label == label and view.state == "closed"
    assert view.invoices[0].label == inv.stdout.strip() and view.invoices[0].open == 0
    assert view.invoices[0].paid == Decimal("42.00") and balance(s, "bank") == Decimal("42.00")
    checked = bizdesk("check", "--db", db)
    assert checked.returncode == 0, checked.stderr


def test_a_refused_document_in_the_persons_language(shop) -> None:  # noqa: ANN001
    """The places stay the JSON's (machine names), what is wrong with them is translated."""
    db, s = shop
    es = {"LANG": "es_ES.UTF-8", "LANGUAGE": "", "LC_ALL": "", "LC_MESSAGES": ""}
    doc = '{"customer": "Ann Buyer", "lines": [{"product": "BOLT", "quantity": "1,5"}, 3]}'
    r = bizdesk("new", "sales-order", "--db", db, stdin=doc, env=es)
    assert r.returncode == 1
    assert "lines[0].quantity: '1,5' no es un número" in r.stderr, r.stderr
    assert "lines[1]: un objeto" in r.stderr
    assert count(s, SalesOrder) == 0


def _balance_of(s: Store, code: str) -> Decimal:
    """Debits less credits on account ``code``, in euros."""
    with s.read() as uow:
        total = uow.session.scalar(
            select(func.coalesce(func.sum(JournalLine.debit_minor - JournalLine.credit_minor), 0))
            .join(Account, Account.id == JournalLine.account_id)
            .where(Account.code == code)
        )
    return Decimal(int(total)).scaleb(-2)


def _three_invoices(db: str, s: Store) -> None:
    """Ann's INV-00001 (4.80), INV-00002 (9.60) and INV-00003 (24.00), delivered and
    invoiced; a second bank account, 1011."""
    _stocked(s)
    for qty in (10, 20, 50):
        doc = {"customer": "ann@example.com", "lines": [{"product": "BOLT", "quantity": qty}]}
        assert new(db, "sales-order", {**doc, "confirm": True}).returncode == 0
    with s.write() as uow:
        for so in (1, 2, 3):
            sales.deliver(uow, so)
            sales.invoice(uow, so)
        ledger.add_account(uow, "1011", "Second bank", "asset")
        ledger.set_payment_kind(uow, "1011", "bank")


TODAY = date.today().isoformat()


@pytest.mark.parametrize("via", ["file", "stdin", "options"])
def test_one_payment_settles_two_invoices_and_part_of_a_third(shop, via, tmp_path) -> None:  # noqa: ANN001
    db, s = shop
    _three_invoices(db, s)  # invoiced today: paid today (a payment is never before its invoice)
    assert balance(s, "receivable") == Decimal("38.40")
    entries = count(s, JournalEntry)
    if via == "options":
        r = bizdesk(
            "new", "payment", "--invoice", "INV-00001", "--invoice", "inv2",
            "--invoice", "INV-00003=10.00", "--account", "1011", "--date", TODAY,
            "--format", "json", "--db", db,
        )  # fmt: skip
    else:
        doc = {
            "invoices": [
                {"invoice": "INV-00001"},
                {"invoice": "inv2", "amount": None},
                {"invoice": "INV-00003", "amount": 10},
            ],
            "account": "1011",
            "date": TODAY,
        }
        r = new(db, "payment", doc, "--format", "json", via=via, tmp=tmp_path)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["label"] == f"JE-{entries + 1}" and count(s, JournalEntry) == entries + 1
    assert (out["amount"], out["account"], out["date"]) == ("24.40", "1011", TODAY)
    assert out["invoices"] == [
        {"invoice": "INV-00001", "amount": "4.80", "paid": "4.80", "open": "0.00"},
        {"invoice": "INV-00002", "amount": "9.60", "paid": "9.60", "open": "0.00"},
        {"invoice": "INV-00003", "amount": "10.00", "paid": "10.00", "open": "14.00"},
    ]
    assert balance(s, "receivable") == Decimal("14.00")
    assert _balance_of(s, "1011") == Decimal("24.40") and balance(s, "bank") == 0
    with s.read() as uow:
        assert [sales.get(uow, so).state for so in (1, 2, 3)] == ["closed", "closed", "invoiced"]
    assert errors(s) == []
    checked = bizdesk("check", "--db", db)
    assert checked.returncode == 0, checked.stderr
    # the rest of INV-00003 alone, as before: in full by default
    rest = bizdesk("new", "payment", "--invoice", "INV-00003", "--db", db)
    assert rest.returncode == 0, rest.stderr
    assert balance(s, "receivable") == 0 and balance(s, "bank") == Decimal("14.00")


def test_one_payment_settles_several_bills(shop, tmp_path) -> None:  # noqa: ANN001
    """Two purchase orders billed (AC-1 24.00, AC-2 12.00): one payment, AC-1 in full and
    6.00 of AC-2, then the rest of AC-2 from the options."""
    db, s = shop
    _stocked(s)
    sid = supplier(s, "Bolt Works")
    order(s, sid, ("BOLT", "50", "0.20"))
    with s.write() as uow:
        po = purchasing.get(uow, 2)
        purchasing.receive(uow, po.id, {po.lines[0].id: "50"})
        purchasing.bill(uow, 1, reference="AC-1")
        purchasing.bill(uow, 2, reference="AC-2")
    assert balance(s, "payable") == Decimal("-36.00")
    entries = count(s, JournalEntry)
    doc = {"bills": [{"bill": "ac-1"}, {"bill": "AC-2", "order": "PO-2", "amount": "6"}]}
    r = new(db, "payment", doc, "--format", "json", "--account", "bank", via="file", tmp=tmp_path)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert count(s, JournalEntry) == entries + 1 and out["amount"] == "30.00"
    assert out["bills"] == [
        {"bill": "AC-1", "order": "PO-00001", "amount": "24.00", "paid": "24.00", "open": "0.00"},
        {"bill": "AC-2", "order": "PO-00002", "amount": "6.00", "paid": "6.00", "open": "6.00"},
    ]
    assert balance(s, "payable") == Decimal("-6.00") and balance(s, "bank") == Decimal("-30.00")
    with s.read() as uow:
        assert [purchasing.get(uow, po).state for po in (1, 2)] == ["closed", "billed"]
    # a bill named with another order: said where it is ("no supplier bill has" it)
    other = new(db, "payment", {"bill": "AC-2", "order": "PO-1"})
    assert other.returncode == 1
    assert "bill: the supplier bill 'AC-2' is on PO-00002, not on PO-00001" in other.stderr
    again = bizdesk("new", "payment", "--bill", "AC-2=6.00", "--bill", "AC-1", "--db", db)
    assert again.returncode == 1 and "bills[1].amount: bill AC-1 is paid already" in again.stderr
    rest = bizdesk("new", "payment", "--bill", "AC-2=6.00", "--account", "cash", "--db", db)
    assert rest.returncode == 0, rest.stderr
    assert balance(s, "payable") == 0 and balance(s, "cash") == Decimal("-6.00")
    assert errors(s) == []
    assert bizdesk("check", "--db", db).returncode == 0


def test_one_payment_of_several_documents_refused_with_sentences(shop) -> None:  # noqa: ANN001
    db, s = shop
    _three_invoices(db, s)
    with s.write() as uow:
        purchasing.bill(uow, 1, reference="AC-1")
    before = (count(s, JournalEntry), balance(s, "receivable"), balance(s, "payable"))
    refused = [
        (
            ["--invoice", "INV-1=5", "--invoice", "INV-2=9.61", "--invoice", "INV-3=0"],
            ["invoices[1].amount: ", "only 9.60 is still open", "invoices[2].amount: must be "],
        ),
        (
            ["--invoice", "INV-1", "--invoice", "INV-00001=2"],
            ["invoices[1].invoice: INV-00001 is named twice"],
        ),
        (
            ["--invoice", "INV-1", "--invoice", "INV-9", "--invoice", "SO-1"],
            ["invoices[1].invoice: there is no INV-00009", "invoices[2].invoice: not an invoice"],
        ),
        (["--invoice", "INV-1", "--bill", "AC-1"], ["invoices (money in) or supplier bills"]),
        (["--invoice", "INV-1", "--invoice", "INV-2", "--amount", "5"], ["amount: with several"]),
        (["--invoice", "INV-1", "--invoice", "INV-2", "--account", "4000"], ["account: '4000'"]),
        (["--invoice", "INV-1", "--invoice", "INV-2", "--date", "2026-02-30"], ["date: "]),
    ]
    for args, said in refused:
        r = bizdesk("new", "payment", *args, "--db", db)
        assert r.returncode == 1 and r.stdout == "", (args, r.stdout)
        for part in said:
            assert part in r.stderr, (args, part, r.stderr)
        assert "Traceback" not in r.stderr
    docs = [
        ({"invoices": []}, "invoices: name at least one document to pay"),
        ({"invoices": {"invoice": "INV-1"}}, "invoices: a list of objects"),
        ({"invoices": ["INV-1"]}, "invoices[0]: an object"),
        ({"invoices": [{"amount": "1"}]}, "invoices[0].invoice: required"),
        ({"invoices": [{"invoice": "INV-1", "colour": "red"}]}, "invoices[0]: unknown keys colour"),
        ({"invoice": "INV-1", "invoices": [{"invoice": "INV-2"}]}, "give invoice or invoices"),
        ({"bills": [{"bill": "AC-1"}], "order": "PO-1"}, "order: with several bills"),
        ({"bills": [{"bill": "AC-1", "order": "PO-9"}]}, "bills[0].order: there is no PO-00009"),
        ({"bills": [{"bill": "nope"}]}, "bills[0].bill: no supplier bill has the reference"),
    ]
    for doc, said in docs:
        r = new(db, "payment", doc)
        assert r.returncode == 1 and said in r.stderr, (doc, r.stderr)
    usage = bizdesk("new", "payment", "--invoice", "INV-1", "--invoice", "INV-2=", "--db", db)
    assert usage.returncode == 2 and "DOCUMENT=AMOUNT" in usage.stderr
    twice = bizdesk(
        "new", "payment", "-", "--invoice", "INV-1", "--invoice", "INV-2", "--db", db,
        stdin='{"invoices": [{"invoice": "INV-3"}]}',
    )  # fmt: skip
    assert twice.returncode == 1 and "given both in the JSON and as --invoice" in twice.stderr
    after = (count(s, JournalEntry), balance(s, "receivable"), balance(s, "payable"))
    assert after == before and errors(s) == []


def test_several_documents_paid_under_the_roles_of_one(tmp_path) -> None:  # noqa: ANN001
    """Paying several invoices needs the right to record customer payments; several bills,
    the right to pay suppliers: the same sentences as for one."""
    db = str(tmp_path / "shop.db")
    theirs = open_store(db, user="alice")
    setup.ensure_initialized(theirs)
    with theirs.write() as uow:
        users.add(uow, ME, "warehouse")
    theirs.dispose()
    r = new(db, "payment", {"invoices": [{"invoice": "INV-1"}, {"invoice": "INV-2"}]})
    assert r.returncode == 1 and "Recording customer payments and refunds is not" in r.stderr
    r = new(db, "payment", {"bills": [{"bill": "X-1"}, {"bill": "X-2"}]})
    assert r.returncode == 1 and "Paying suppliers is not allowed" in r.stderr


def test_an_amount_a_romanian_reader_writes_two_ways_is_refused(shop) -> None:  # noqa: ANN001
    """--amount 1.000 (and INV=1.000) typed by a person whose shop writes 1.000 for a
    thousand: refused in both forms, nothing paid; the same amount in JSON on standard input
    is the machine form, never second-guessed (and so refused only for its decimals)."""
    db, s = shop
    _invoiced(db, s)
    with s.write() as uow:
        uow.set_setting("locale", "ro_RO")
    for args in (("--invoice", "INV-00001", "--amount", "1.000"), ("--invoice", "INV-00001=1.000")):
        r = bizdesk("new", "payment", *args, "--db", db)
        assert r.returncode == 1 and "'1.000' reads two ways: 1 on the command line" in r.stderr
        assert "1000 as Romanian (Romania) writes numbers" in r.stderr, r.stderr
    r = bizdesk("new", "payment", "--db", db, stdin='{"invoice": "INV-00001", "amount": "1.000"}')
    assert r.returncode == 1 and "reads two ways" not in r.stderr, r.stderr
    assert balance(s, "receivable") == Decimal("42.00")


ES = {"LANG": "es_ES.UTF-8", "LANGUAGE": "", "LC_ALL": "", "LC_MESSAGES": ""}


def _interactions(s: Store) -> list[contacts.InteractionView]:
    with s.read() as uow:
        rows = uow.session.scalars(select(Interaction).order_by(Interaction.id))
        return [
            contacts.InteractionView(r.id, r.contact_id, r.kind, r.at, r.username, r.summary)
            for r in rows
        ]


@pytest.mark.parametrize("via", ["file", "stdin", "options"])
def test_an_interaction_logged_with_a_contact(shop, via, tmp_path) -> None:  # noqa: ANN001
    """A phone system's script logs a call on the contact it names; the moment is the shop's
    clock time, read back as the terminal interface shows it."""
    db, s = shop
    doc = {
        "contact": "ann@example.com",
        "kind": "call",
        "summary": "Asked when PO-15 arrives.\nCalls back Monday.",
        "at": "2026-11-20 14:30",
    }
    if via == "options":
        opts = [x for k, val in doc.items() for x in (f"--{k}", val)]
        r = bizdesk("new", "interaction", *opts, "--db", db)
    else:
        r = new(db, "interaction", doc, via=via, tmp=tmp_path)
    assert r.returncode == 0, r.stderr
    [logged] = _interactions(s)
    assert r.stdout == f"#{logged.id}\n" and r.stderr == ""
    with s.read() as uow:
        ann = contacts.resolve(uow, "Ann Buyer").id
        zone = ZoneInfo(shop_zone(uow.setting))
    assert (logged.contact_id, logged.kind, logged.summary, logged.username) == (
        ann,
        "call",
        doc["summary"],
        ME,
    )
    at = logged.at.replace(tzinfo=UTC) if logged.at.tzinfo is None else logged.at
    assert at.astimezone(zone).replace(tzinfo=None) == datetime(2026, 11, 20, 14, 30)


def test_an_interaction_in_the_readers_words_and_as_json(shop) -> None:  # noqa: ANN001
    """The kind as the reader's language says it ("reunión"), no moment: now; --format json
    names what was logged, the interaction's kind beside the document's."""
    db, s = shop
    r = bizdesk(
        "new", "interaction", "--contact", "Ann Buyer", "--kind", "Reunión", "--summary",
        "Vino a la tienda", "--format", "json", "--db", db, env=ES,
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    said = json.loads(r.stdout)
    [logged] = _interactions(s)
    assert logged.kind == "meeting" and said["interaction"] == "meeting"
    assert (said["kind"], said["label"], said["id"]) == ("interaction", f"#{logged.id}", logged.id)
    assert said["contact"] == f"Ann Buyer #{logged.contact_id}" and said["user"] == ME
    assert said["summary"] == "Vino a la tienda" and said["at"].startswith(TODAY)


@pytest.mark.parametrize(
    "doc,said",
    [
        ({"contact": "Ben Evans", "kind": "call", "summary": "x"},
         "contact: several contacts are named Ben Evans: #"),
        ({"contact": "Nobody", "kind": "call", "summary": "x"}, "contact: no contact named"),
        ({"contact": "Ann Buyer", "kind": "chat", "summary": "x"},
         "kind: must be one of: call, email, meeting, visit, note"),
        ({"contact": "Ann Buyer", "kind": "call", "summary": "x", "at": "2099-01-01"},
         "at: '2099-01-01' is in the future"),
        ({"contact": "Ann Buyer", "kind": "call", "summary": "x", "at": "20/11/2026"},
         "at: '20/11/2026' is not a date"),
        ({"contact": "Ann Buyer", "kind": "note", "summary": ""}, "summary: required"),
        ({"kind": "note", "summary": "x"}, "contact: required"),
        ({"contact": "Ann Buyer", "summary": "x", "when": "now"},
         "unknown keys when (the keys are: contact, kind, summary, at)"),
    ],
)  # fmt: skip
def test_a_bad_interaction_is_refused_and_logs_nothing(shop, doc, said) -> None:  # noqa: ANN001
    db, s = shop
    with s.write() as uow:
        for city in ("Leeds", "London"):
            contacts.create(uow, ContactInput(name="Ben Evans", city=city))
    r = new(db, "interaction", doc)
    assert r.returncode == 1 and r.stdout == ""
    assert said in r.stderr, r.stderr
    assert "Traceback" not in r.stderr and _interactions(s) == []


def test_a_refused_interaction_in_the_readers_language(shop) -> None:  # noqa: ANN001
    db, s = shop
    r = bizdesk(
        "new", "interaction", "--contact", "Ann Buyer", "--kind", "charla", "--summary", "x",
        "--db", db, env=ES,
    )  # fmt: skip
    assert r.returncode == 1
    assert "kind: debe ser uno de: llamada, correo, reunión, visita, nota" in r.stderr, r.stderr
    assert _interactions(s) == []


def _a_ticket(s: Store) -> int:
    with s.write() as uow:
        return tickets.create(
            uow, tickets.TicketInput(subject="Bolt snapped", contact="Ann Buyer")
        ).id


@pytest.mark.parametrize("via", ["file", "stdin", "options"])
def test_a_reply_on_a_ticket_is_its_first_response(shop, via, tmp_path) -> None:  # noqa: ANN001
    db, s = shop
    tid = _a_ticket(s)
    doc = {"ticket": f"#{tid}", "body": "A new one is on its way.\nSorry!"}
    if via == "options":
        r = bizdesk("new", "ticket-comment", "--ticket", doc["ticket"], "--body", doc["body"],
                    "--db", db)  # fmt: skip
    else:
        r = new(db, "ticket-comment", doc, via=via, tmp=tmp_path)
    assert r.returncode == 0, r.stderr
    assert r.stdout == f"#{tid}\n" and r.stderr == ""
    with s.read() as uow:
        t = tickets.get(uow, tid)
    assert [(c.body, c.internal, c.username) for c in t.comments] == [(doc["body"], False, ME)]
    assert t.status == "open" and t.first_response_at is not None


def test_an_internal_note_and_a_reply_to_a_resolved_ticket(shop) -> None:  # noqa: ANN001
    """A note is not a first response; a reply to a resolved ticket is saved, the ticket
    stays resolved and the person is told how to reopen it (in their language)."""
    db, s = shop
    tid = _a_ticket(s)
    note = bizdesk(
        "new", "ticket-comment", "--ticket", str(tid), "--body", "Check stock first",
        "--internal", "--format", "json", "--db", db,
    )  # fmt: skip
    assert note.returncode == 0, note.stderr
    said = json.loads(note.stdout)
    assert (said["kind"], said["label"], said["ticket"]) == ("ticket-comment", f"#{tid}", f"#{tid}")
    assert said["internal"] is True and said["first_response_at"] is None
    assert said["status"] == "new"
    with s.write() as uow:
        tickets.set_status(uow, tid, "resolved", version=tickets.get(uow, tid).version)
    late = new(db, "ticket-comment", {"ticket": tid, "body": "Thanks!"})
    assert late.returncode == 0 and late.stdout == f"#{tid}\n", late.stderr
    assert f"ticket #{tid} stays resolved and out of the open queues" in late.stderr
    es = bizdesk("new", "ticket-comment", "--ticket", f"#{tid}", "--body", "¡Gracias!",
                 "--db", db, env=ES)  # fmt: skip
    assert es.returncode == 0 and "reábrala" in es.stderr, es.stderr
    with s.read() as uow:
        t = tickets.get(uow, tid)
    assert [c.internal for c in t.comments] == [True, False, False] and t.status == "resolved"


@pytest.mark.parametrize(
    "doc,said",
    [
        ({"ticket": "#99", "body": "x"}, "ticket: there is no ticket #99"),
        ({"ticket": "ticket one", "body": "x"}, "ticket: not a ticket number (e.g. #71)"),
        ({"ticket": "#²", "body": "x"}, "ticket: not a ticket number"),
        ({"ticket": True, "body": "x"}, "ticket: a number, or a string holding one"),
        ({"ticket": "#1", "body": ""}, "body: required"),
        ({"ticket": "#1", "body": "x", "internal": "yes"}, "internal: true or false"),
        ({"body": "x"}, "ticket: required"),
    ],
)
def test_a_bad_ticket_comment_is_refused_and_adds_nothing(shop, doc, said) -> None:  # noqa: ANN001
    db, s = shop
    _a_ticket(s)
    r = new(db, "ticket-comment", doc)
    assert r.returncode == 1 and r.stdout == ""
    assert said in r.stderr, r.stderr
    assert "Traceback" not in r.stderr and count(s, TicketComment) == 0


def test_replies_and_interactions_under_the_roles(tmp_path) -> None:  # noqa: ANN001
    """The warehouse may neither log an interaction nor reply to a ticket (the services'
    own sentences, naming who to ask); support may do both."""
    db = str(tmp_path / "shop.db")
    theirs = open_store(db, user="alice")
    setup.ensure_initialized(theirs)
    with theirs.write() as uow:
        users.add(uow, ME, "warehouse")
        contacts.create(uow, ContactInput(name="Ann Buyer"))
        tickets.create(uow, tickets.TicketInput(subject="Where is my order?"))
    call = {"contact": "Ann Buyer", "kind": "call", "summary": "Asked about her order"}
    reply = {"ticket": "#1", "body": "It left today."}
    no = new(db, "interaction", call)
    assert no.returncode == 1, no.stderr
    assert "Changing contacts is not allowed for your role (warehouse)" in no.stderr
    assert "alice" in no.stderr and "Traceback" not in no.stderr
    no = new(db, "ticket-comment", reply)
    assert no.returncode == 1, no.stderr
    assert "Changing tickets is not allowed for your role (warehouse)" in no.stderr
    assert count(theirs, Interaction) == 0 and count(theirs, TicketComment) == 0
    with theirs.write() as uow:
        users.set_role(uow, ME, "support")
    assert new(db, "interaction", call).returncode == 0
    assert new(db, "ticket-comment", reply).stdout == "#1\n"
    assert count(theirs, Interaction) == 1 and count(theirs, TicketComment) == 1
    theirs.dispose()
