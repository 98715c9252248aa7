"""Reconciliation (issue 14, deliverables 1 and 3): payment accounts of any number, one
payment for several documents, a statement line matched to documents (split, part), to an
account or to a payment in the books, undone before the lock date, --auto, and the closing
balance that `check` compares with the reconciled balance. Real SQLite stores."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from bizdesk.db import Store
from bizdesk.errors import PermissionDenied, ValidationError
from bizdesk.models.banking import BankLine
from bizdesk.models.ledger import JournalEntry
from bizdesk.models.sales import CustomerPayment
from bizdesk.services.admin import users
from bizdesk.services.admin.checks import run_checks
from bizdesk.services.banking import reconcile
from bizdesk.services.banking.proposals import proposals
from bizdesk.services.banking.statements import import_statement
from bizdesk.services.books import ledger
from bizdesk.services.crm import contacts
from bizdesk.services.exchange import new_documents
from bizdesk.services.trade import purchasing, sales
from tests.bank_files import NOVEMBER, RULES_ES, csv_es
from tests.erp_helpers import errors, order, product, supplier
from tests.test_bank_proposals import camt_line, invoice
from tests.test_cli import bizdesk
from tests.test_cli import db as db  # noqa: F401  (the fixture)

RULES = """\
skip 1
fields date, description, amount, balance

if FEE
  account2 6400
"""


def _invoice_id(store: Store, label: str) -> int:
    from bizdesk.models.sales import Invoice

    with store.read() as uow:
        number = int(label.split("-")[1])
        return uow.session.scalar(select(Invoice.id).where(Invoice.number == number))


def _line(store: Store, text: str) -> int:
    with store.read() as uow:
        return uow.session.scalar(select(BankLine.id).where(BankLine.text == text))


def _open(store: Store, label: str) -> Decimal:
    with store.read() as uow:
        _label, left = reconcile._open_invoice(uow, _invoice_id(store, label))
    return Decimal(left) / 100


def _csv(store: Store, *rows: str) -> None:
    data = ("date,description,amount,balance\n" + "\n".join(rows) + "\n").encode()
    with store.write() as uow:
        import_statement(uow, data, account="1010", rules=RULES.encode(), filename="s.csv")


def _entries(store: Store) -> int:
    with store.read() as uow:
        return uow.session.scalar(select(func.count()).select_from(JournalEntry))


def test_payment_accounts_any_number_and_a_payment_for_several_invoices(store) -> None:  # noqa: ANN001
    first = invoice(store, "Cycle Club", "100.00")
    second = invoice(store, "Cycle Club", "50.00")
    with store.write() as uow:
        ledger.add_account(uow, "1020", "Card terminal", "asset")
        ledger.set_payment_kind(uow, "1020", "card")
        ledger.add_account(uow, "1011", "Second bank", "asset")
        ledger.set_payment_kind(uow, "1011", "bank")
        with pytest.raises(ValidationError, match="not an asset account"):
            ledger.set_payment_kind(uow, "4000", "bank")
        with pytest.raises(ValidationError, match="stays a payment account"):
            ledger.set_payment_kind(uow, "1010", "none")
        codes = [a.code for a in ledger.payment_accounts(uow)]
    assert codes == ["1000", "1010", "1011", "1020"]
    before = _entries(store)
    with store.write() as uow:
        with pytest.raises(ValidationError) as refused:
            sales.settle_invoices(uow, [(_invoice_id(store, first), None)], account="4000")
        assert "choose one of 1000 Cash, 1010 Bank, 1011 Second bank, 1020 Card terminal" in str(
            refused.value.fields["account"]
        )
        e = sales.settle_invoices(
            uow,
            [(_invoice_id(store, first), None), (_invoice_id(store, second), "20")],
            account="1020",
            when="2026-11-20",
        )
        rows = list(
            uow.session.scalars(select(CustomerPayment).where(CustomerPayment.entry_id == e.id))
        )
        view = ledger.get_entry(uow, e.id)
    assert _entries(store) == before + 1  # one journal entry
    assert sorted(r.amount_minor for r in rows) == [2000, 10000]  # its allocations
    assert (view.lines[0].account, view.lines[0].debit) == ("1020 Card terminal", 120)
    assert _open(store, first) == 0 and _open(store, second) == Decimal("30.00")
    with store.write() as uow:  # a single payment names its account by code too
        sales.pay(uow, _invoice_id(store, second), account="1011", when="2026-11-21")
    assert _open(store, second) == 0
    assert errors(store) == []


def test_match_split_part_undo_and_the_lock_date(store) -> None:  # noqa: ANN001
    one = invoice(store, "Cycle Club", "100.00")
    two = invoice(store, "Bike Barn", "80.00")
    camt_line(store, "150.00", "CRDT", "CYCLE CLUB", f"{one} {two}", "R1")
    line = _line(store, f"{one} {two}")
    with store.write() as uow:
        with pytest.raises(ValidationError, match="they must add up to the line"):
            reconcile.match_documents(uow, line, [(one, None)])
        # split: all of the first, the rest of the line (part of the second)
        done = reconcile.match_documents(uow, line, [(one, None), (two, None)])
    assert done.state == "matched" and done.settled == (one, two)
    assert _open(store, one) == 0 and _open(store, two) == Decimal("30.00")
    with store.write() as uow:
        with pytest.raises(ValidationError, match="matched already"):
            reconcile.match_account(uow, line, "6400")
        undone = reconcile.undo(uow, line)
    assert undone.state == "open" and "reversed by JE-" in str(undone.message)
    assert _open(store, one) == Decimal("100.00") and _open(store, two) == Decimal("80.00")
    assert errors(store) == []
    with store.write() as uow:  # amounts named: 70 of the first, 80 of the second
        reconcile.match_documents(uow, line, [(one, "70"), (two, "80")])
    assert _open(store, one) == Decimal("30.00") and _open(store, two) == 0
    with store.write() as uow:
        ledger.set_lock_date(uow, "2026-11-17")
    with store.write() as uow, pytest.raises(ValidationError) as refused:
        reconcile.undo(uow, line)
    assert "on or before the lock date 2026-11-17" in str(refused.value.fields[""])
    assert errors(store) == []


def test_a_split_typed_as_a_spanish_person_writes_amounts(store) -> None:  # noqa: ANN001
    """In es_ES the decimal mark is a comma: "INV-00002=30,00" is one document and its
    amount, not two documents; messages write amounts the same way, so they read back."""
    one = invoice(store, "Cycle Club", "100.00")
    two = invoice(store, "Bike Barn", "80.00")
    camt_line(store, "130.00", "CRDT", "CYCLE CLUB", "both", "R1")
    line = _line(store, "both")
    assert reconcile.documents_typed(f"{one}, {two}=30,00") == [(one, None), (two, "30,00")]
    assert reconcile.documents_typed(f"{one}=1.234,56,{two}; X") == [
        (one, "1.234,56"),
        (two, None),
        ("X", None),
    ]
    with pytest.raises(ValidationError, match="'30' names no document"):
        reconcile.documents_typed(f"{one}, =30")
    store.input_locale = "es_ES"
    try:
        with store.write() as uow:
            with pytest.raises(ValidationError) as refused:
                reconcile.match_documents(uow, line, reconcile.documents_typed(f"{two}=90,50"))
            assert str(refused.value.fields["documents"]) == f"only 80,00 is open on {two}"
            with pytest.raises(ValidationError) as refused:
                reconcile.match_documents(uow, line, reconcile.documents_typed(f"{two}=9x"))
            assert str(refused.value.fields["documents"]).startswith(f"{two}: ")
            with pytest.raises(ValidationError) as refused:
                reconcile.match_documents(uow, line, reconcile.documents_typed(f"{two}=70,00"))
            assert "the line is 130,00 but the documents take 70,00" in str(
                refused.value.fields["documents"]
            )
            typed = reconcile.documents_typed(f"{one}=100,00, {two}=30,00")
            reconcile.match_documents(uow, line, typed)
    finally:
        store.input_locale = None
    assert _open(store, one) == 0 and _open(store, two) == Decimal("50.00")
    assert errors(store) == []


def test_a_bill_an_account_and_a_payment_in_the_books(store) -> None:  # noqa: ANN001
    sid = supplier(store, "Acme Supply")
    product(store, "BIKE", name="City bike", cost="100", sale_price="150", vat_rate="0")
    po = order(store, sid, ("BIKE", "2", "100"))
    with store.write() as uow:
        purchasing.receive(uow, po.id, {ln.id: str(ln.qty) for ln in po.lines})
        purchasing.bill(uow, po.id, reference="AC-77", bill_date="2026-11-10")
    camt_line(store, "200.00", "DBIT", "ACME", "Bill AC-77", "R1")
    camt_line(store, "12.50", "DBIT", "BANK", "fee", "R2")
    inv = invoice(store, "Cycle Club", "60.00")
    with store.write() as uow:  # paid at the counter by hand, then seen on the statement
        sales.pay(uow, _invoice_id(store, inv), account="bank", when="2026-11-16")
        payment = uow.session.scalar(
            select(JournalEntry.number).where(JournalEntry.memo == f"Payment of {inv}")
        )
    camt_line(store, "60.00", "CRDT", "CYCLE CLUB", "transfer", "R3")
    with store.write() as uow:
        done = reconcile.match_documents(uow, _line(store, "Bill AC-77"), [("AC-77", None)])
        assert done.settled == ("AC-77",)
        with pytest.raises(ValidationError, match="that is the statement's own account"):
            reconcile.match_account(uow, _line(store, "fee"), "1010")
        with pytest.raises(ValidationError, match="changes only through stock moves"):
            reconcile.match_account(uow, _line(store, "fee"), "1200")
        # the customers' or suppliers' account with nobody named: their invoices would stay
        # open while the account said paid
        with pytest.raises(ValidationError, match="match the line to their invoices"):
            reconcile.match_account(uow, _line(store, "transfer"), "1100")
        with pytest.raises(ValidationError, match="match the line to their bills"):
            reconcile.match_account(uow, _line(store, "fee"), "2000")
        with pytest.raises(ValidationError, match="moves 60.00 on the statement's account"):
            reconcile.match_entry(uow, _line(store, "fee"), f"JE-{payment}")
        reconcile.match_account(uow, _line(store, "fee"), "6400", memo="card fee")
        linked = reconcile.match_entry(uow, _line(store, "transfer"), f"JE-{payment}")
    assert linked.entry == f"JE-{payment}"
    before = _entries(store)
    with store.write() as uow:
        undone = reconcile.undo(uow, _line(store, "transfer"))
    assert "stays in the books" in str(undone.message) and _entries(store) == before
    with store.write() as uow:  # a link to an entry before the lock date: undone, as it
        reconcile.match_entry(uow, _line(store, "transfer"), f"JE-{payment}")  # posted nothing
        ledger.set_lock_date(uow, "2026-11-16")
    with store.write() as uow:
        assert "stays in the books" in str(reconcile.undo(uow, _line(store, "transfer")).message)
        reconcile.match_entry(uow, _line(store, "transfer"), f"JE-{payment}")
        ledger.set_lock_date(uow, "2026-11-17")
    with store.write() as uow, pytest.raises(ValidationError) as refused:
        reconcile.undo(uow, _line(store, "transfer"))
    assert str(refused.value.fields[""]).startswith(
        "line #3 (2026-11-17) is on or before the lock date 2026-11-17"
    )
    with store.read() as uow:
        bill = purchasing.get(uow, po.id).bills[0]
    assert bill.paid == Decimal("200.00")
    assert errors(store) == []


def test_auto_takes_only_the_unambiguous(store) -> None:  # noqa: ANN001
    named = invoice(store, "Cycle Club", "120.00")
    twin = invoice(store, "Bike Barn", "120.00")
    invoice(store, "Wheel World", "99.00")
    camt_line(store, "120.00", "CRDT", "CYCLE CLUB", f"Payment {named}", "R1")
    camt_line(store, "99.00", "CRDT", "Someone", "transfer", "R2")  # no signal: left
    _csv(store, "2026-11-18,BANK FEE,-3.00,1000.00")
    with store.write() as uow:
        summary = reconcile.auto(uow, "1010")
    assert (summary.documents, summary.accounts, summary.entries, summary.left) == (1, 1, 0, 1)
    assert _open(store, named) == 0 and _open(store, twin) == Decimal("120.00")
    assert str(summary.message) == (
        "2 lines matched: 1 to a document, 1 by a rule, 0 to payments in the books. "
        "1 line waits to be matched."
    )


def test_check_compares_the_closing_balance(store) -> None:  # noqa: ANN001
    # the books hold nothing on the bank before the statement; it closes at 97.00
    _csv(store, "2026-11-18,BANK FEE,-3.00,-3.00", "2026-11-19,deposit,100.00,97.00")
    found = [v for v in run_checks(store) if v.check == "bank-closing-balance"]
    assert [(v.severity, str(v.message)) for v in found] == [
        (
            "warning",
            "account 1010: the statement closes at 97.00 on 2026-11-19 but the reconciled "
            "balance is 0.00; 2 lines up to that day wait to be matched",
        )
    ]
    with store.write() as uow:
        reconcile.auto(uow)
        reconcile.match_account(uow, _line(store, "deposit"), "4900")
    assert not [v for v in run_checks(store) if v.check.startswith("bank-")]
    with store.write() as uow:  # a payment in the books the bank has not seen yet
        bank, supplies = ledger.account_for(uow, "bank"), ledger.resolve_account(uow, "6300")
        ledger.post_entry(
            uow,
            date(2026, 11, 19),
            "cheque",
            [
                ledger.Posting(bank.id, credit_minor=500),
                ledger.Posting(supplies.id, debit_minor=500),
            ],
        )
    assert not [v for v in run_checks(store) if v.check.startswith("bank-")]


def test_roles(store) -> None:  # noqa: ANN001
    camt_line(store, "10.00", "CRDT", "X", "y", "R1")
    with store.write() as uow:
        users.add(uow, "sam", "sales")
        users.add(uow, "vic", "viewer")
    for name in ("sam", "vic"):
        other = Store(url=store.url, engine=store.engine, user=name)
        with other.write() as uow:
            for call in (
                lambda: reconcile.match_account(uow, 1, "4900"),
                lambda: reconcile.undo(uow, 1),
                lambda: reconcile.auto(uow),
                lambda: ledger.set_payment_kind(uow, "1000", "cash"),
            ):
                with pytest.raises(PermissionDenied):
                    call()


def test_the_command_line(db, tmp_path) -> None:  # noqa: ANN001
    statement, rules = tmp_path / "movimientos.csv", tmp_path / "banco.rules"
    statement.write_bytes(csv_es(*NOVEMBER))
    rules.write_text(RULES_ES, encoding="utf-8")
    r = bizdesk(
        "bank", "import", str(statement), "--account", "1010", "--rules", str(rules), "--db", db
    )
    assert r.returncode == 0, r.stderr
    r = bizdesk("bank", "match", "3", "--rule", "--db", db)  # RECIBO LUZ: the rule's 6200
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("Line #3 matched: JE-1 (6200 Utilities)"), r.stdout
    r = bizdesk("bank", "match", "1", "--to-account", "6300", "--memo", "coffee", "--db", db)
    assert r.returncode == 0 and "(6300 Office supplies)" in r.stdout, r.stderr
    r = bizdesk("bank", "match", "1", "--rule", "--doc", "INV-1", "--db", db)
    assert r.returncode == 2 and "Give one of --doc" in r.stderr
    r = bizdesk("bank", "match", "4", "--doc", "INV-00099", "--db", db)
    assert r.returncode == 1 and "no invoice 'INV-00099'" in r.stderr
    r = bizdesk("bank", "undo", "3", "--db", db)
    assert r.returncode == 0 and "reversed by JE-3" in r.stdout, r.stdout + r.stderr
    r = bizdesk("accounts", "add", "1020", "Card terminal", "--type", "asset", "--db", db)
    assert r.returncode == 0, r.stderr
    assert bizdesk("bank", "set-kind", "1020", "card", "--db", db).returncode == 0
    r = bizdesk("bank", "accounts", "--db", db)
    assert r.stdout.splitlines() == [
        "1000  cash  Cash",
        "1010  bank  Bank",
        "1020  card  Card terminal",
    ]
    r = bizdesk("bank", "reconcile", "--db", db)
    assert "#3  2026-11-03  1010" in r.stdout and "3 lines wait to be matched." in r.stdout


def test_an_iban_matched_before_is_a_signal(store) -> None:  # noqa: ANN001
    first = invoice(store, "Cycle Club", "40.00")
    second = invoice(store, "Cycle Club", "55.00")
    invoice(store, "Bike Barn", "55.00")
    rules = b"skip 1\nfields date, payee, iban, description, amount\n"
    iban = "ES9121000418450200051332"
    rows = [
        "date,payee,iban,description,amount",
        f"2026-11-18,J SMITH,{iban},transfer,40.00",
        f"2026-11-25,J SMITH,{iban},november,55.00",
    ]
    with store.write() as uow:
        import_statement(
            uow, ("\n".join(rows) + "\n").encode(), account="1010", rules=rules, filename="i.csv"
        )
    with store.write() as uow:  # nothing but the amount ties either line: auto leaves both
        assert reconcile.auto(uow).left == 2
        reconcile.match_documents(uow, _line(store, "transfer"), [(first, None)])
    with store.write() as uow:  # now the IBAN paid Cycle Club before
        summary = reconcile.auto(uow)
    assert (summary.documents, summary.left) == (1, 0)
    assert _open(store, second) == 0


def _proposed(store: Store, text: str) -> list:  # noqa: ANN001
    with store.read() as uow:
        found = proposals(uow, "1010", limit=10)
    return next(ln for ln in found if ln.text == text).proposals


def test_a_payment_in_the_books_is_proposed_ranked_and_linked(store) -> None:  # noqa: ANN001
    """INV-00001 paid by hand into the bank, then the statement: its line is proposed the
    payment first (above an open invoice of the same amount), confirming it posts nothing,
    and a payment matched to one line is not proposed for another."""
    paid = invoice(store, "Cycle Club", "60.00")
    other = invoice(store, "Bike Barn", "60.00")
    with store.write() as uow:
        sales.pay(uow, _invoice_id(store, paid), account="1010", when="2026-11-16")
        number = uow.session.scalar(
            select(JournalEntry.number).where(JournalEntry.memo == f"Payment of {paid}")
        )
    payment = f"JE-{number}"
    camt_line(store, "60.00", "CRDT", "CYCLE CLUB", f"Payment {paid}", "R1")
    camt_line(store, "60.00", "CRDT", "CYCLE CLUB", "transfer", "R2")
    first = _proposed(store, f"Payment {paid}")
    assert [(p.kind, p.label) for p in first] == [
        ("entry", f"{payment} Payment of {paid}"),
        ("invoice", other),
    ]
    top = first[0]
    assert (top.ref, top.contact, top.exact, top.signal) == (payment, "Cycle Club", True, "text")
    assert [str(r) for r in top.reasons][:3] == [
        "the same amount, in the books already",
        f"the text names {paid}",
        "the name is like Cycle Club",
    ]
    assert _proposed(store, "transfer")[0].ref == payment  # by the name: there too
    before = _entries(store)
    with store.write() as uow:
        done = reconcile.confirm(uow, _line(store, f"Payment {paid}"), top)
    assert (done.state, done.entry, done.settled) == ("matched", payment, (payment,))
    assert _entries(store) == before  # linked, nothing posted
    assert _open(store, other) == Decimal("60.00")
    assert [p.label for p in _proposed(store, "transfer")] == [other]
    with store.write() as uow:  # the same payment for the other line: refused
        with pytest.raises(ValidationError, match="is matched to line #1 already"):
            reconcile.confirm(uow, _line(store, "transfer"), top)
        reconcile.undo(uow, _line(store, f"Payment {paid}"))
    assert _proposed(store, "transfer")[0].ref == payment  # open again, proposed again
    assert errors(store) == []


def test_auto_links_the_one_payment_in_the_books(store) -> None:  # noqa: ANN001
    """A payment typed by hand (an entry, no invoice), its line naming only the customer:
    --auto links it and posts nothing; a line of the same amount with no signal waits."""
    with store.write() as uow:
        customer = contacts.create(uow, contacts.ContactInput(name="Wheel World")).contact
        bank, income = ledger.account_for(uow, "bank"), ledger.resolve_account(uow, "4900")
        e = ledger.post_entry(
            uow,
            date(2026, 11, 15),
            "Deposit for the repair",
            [
                ledger.Posting(bank.id, debit_minor=4500),
                ledger.Posting(income.id, credit_minor=4500, contact_id=customer.id),
            ],
        )
        payment = f"JE-{e.number}"
    camt_line(store, "45.00", "CRDT", "WHEEL WORLD SL", "transfer", "R1")
    camt_line(store, "45.00", "CRDT", "Someone", "cash in", "R2")
    before = _entries(store)
    with store.write() as uow:
        summary = reconcile.auto(uow, "1010")
    assert (summary.documents, summary.accounts, summary.entries, summary.left) == (0, 0, 1, 1)
    assert str(summary.message) == (
        "1 line matched: 0 to documents, 0 by rules, 1 to a payment in the books. "
        "1 line waits to be matched."
    )
    assert _entries(store) == before
    with store.read() as uow:
        states = {ln.text: (ln.state, ln.match) for ln in uow.session.scalars(select(BankLine))}
        linked = uow.session.scalar(
            select(JournalEntry.number)
            .join(BankLine, BankLine.entry_id == JournalEntry.id)
            .where(BankLine.text == "transfer")
        )
    assert states == {"transfer": ("matched", "linked"), "cash in": ("open", "")}
    assert f"JE-{linked}" == payment
    assert _proposed(store, "cash in") == ()  # that payment is taken
    assert errors(store) == []


def test_a_debt_on_no_invoice_is_settled_the_way_the_refusal_says(store) -> None:  # noqa: ANN001
    """An opening balance a customer owes, booked in the Journal (no invoice), paid by
    transfer: the line has no invoice to match, and the customers' account alone is refused
    (nobody named). The refusal says what works: the line matched to that account naming
    the customer, in one step; the customer then owes nothing there."""
    from bizdesk.models.ledger import Account, JournalLine

    camt_line(store, "300.00", "CRDT", "CYCLE CLUB", "opening balance", "R1")
    with store.write() as uow:
        club = contacts.create(uow, contacts.ContactInput(name="Cycle Club", kind="organization"))
        ledger.save_and_post(
            uow,
            ledger.EntryInput(
                date="2026-10-31",
                memo="Opening balance",
                lines=[
                    ledger.LineInput(account="1100", debit="300.00", contact="Cycle Club"),
                    ledger.LineInput(account="3000", credit="300.00"),
                ],
            ),
        )
    with store.write() as uow, pytest.raises(ValidationError) as refused:
        reconcile.match_account(uow, _line(store, "opening balance"), "1100")
    said = refused.value.field_message("account")
    assert "match the line to their invoices" in said
    assert "match the line to 1100 naming the customer" in said and "--contact NAME" in said
    with store.write() as uow, pytest.raises(ValidationError) as refused:
        reconcile.match_account(uow, _line(store, "opening balance"), "1100", contact="Nobody")
    assert "Nobody" in refused.value.field_message("contact")
    with store.write() as uow:  # as it says
        done = reconcile.match_account(
            uow, _line(store, "opening balance"), "1100", contact="cycle club"
        )
    assert done.state == "matched" and "Cycle Club" in str(done.message), done.message
    with store.read() as uow:
        owed = uow.session.scalar(
            select(func.sum(JournalLine.debit_minor - JournalLine.credit_minor))
            .join(Account, Account.id == JournalLine.account_id)
            .where(Account.code == "1100", JournalLine.contact_id == club.contact.id)
        )
    assert owed == 0
    assert errors(store) == []


def test_a_bill_whose_reference_has_letters_outside_a_to_z_is_found_as_written(store) -> None:  # noqa: ANN001
    # Every bill of a Vietnamese supplier reads "HĐ-…": matched as the screen proposed it, or
    # paid by it, it was "no supplier bill 'HĐ-4012'" (SQLite lowers A-Z only, Python all).
    sid = supplier(store, "Công ty Xe Đạp")
    product(store, "BIKE", name="City bike", cost="100", sale_price="150", vat_rate="0")
    first = order(store, sid, ("BIKE", "2", "100"))
    second = order(store, sid, ("BIKE", "1", "100"))
    with store.write() as uow:
        for po, ref in ((first, "HĐ-4012"), (second, "HĐ-4013")):
            purchasing.receive(uow, po.id, {ln.id: str(ln.qty) for ln in po.lines})
            purchasing.bill(uow, po.id, reference=ref, bill_date="2026-11-10")
    camt_line(store, "200.00", "DBIT", "XE DAP", "HD 4012", "R1")
    with store.write() as uow:
        done = reconcile.match_documents(uow, _line(store, "HD 4012"), [("HĐ-4012", None)])
        paid = new_documents.bill_payment(uow, {"bill": "HĐ-4013", "account": "bank"})
    assert done.settled == ("HĐ-4012",) and paid.label.startswith("JE-")
    with store.read() as uow:
        assert [purchasing.get(uow, po.id).bills[0].paid for po in (first, second)] == [
            Decimal("200.00"),
            Decimal("100.00"),
        ]
    assert errors(store) == []


def test_auto_counts_the_lines_before_the_lock_date_among_those_waiting() -> None:
    """It said "4 lines wait to be matched." while 6 were listed: the two on or before the
    lock date, left alone, were counted nowhere."""
    said = str(reconcile.AutoSummary(1, 0, 0, 4, 2).message)
    assert said == (
        "1 line matched: 1 to a document, 0 by rules, 0 to payments in the books. 6 lines "
        "wait to be matched. 2 of them are dated on or before the lock date and were left "
        "alone."
    ), said
    assert str(reconcile.AutoSummary(0, 0, 0, 3, 0).message).endswith(
        ". 3 lines wait to be matched."
    )


def _refund_owed(store: Store) -> tuple[str, int]:
    """An invoice of 60.00 paid, then its goods back: 60.00 owed to Cycle Club on CN-00001
    (the invoice's label, its order's id)."""
    label = invoice(store, "Cycle Club", "60.00")
    inv_id = _invoice_id(store, label)
    with store.write() as uow:
        sales.pay(uow, inv_id, account="bank", when="2026-11-05")
        so = uow.session.get(sales.Invoice, inv_id).order_id
        line = sales.get(uow, so).lines[0]
        sales.return_goods(uow, so, {line.id: "1"}, reason="not done", when="2026-11-06")
    return label, so


def test_a_refund_on_the_statement_is_matched_to_its_credit_note(store) -> None:  # noqa: ANN001
    """Money back to a customer after a credit note: "no supplier bill 'CN-00001'", and the
    order kept offering the refund after the line was matched to the account by hand."""
    label, so = _refund_owed(store)
    camt_line(store, "60.00", "DBIT", "CYCLE CLUB", "refund", "R9")
    with store.write() as uow:
        done = reconcile.match_documents(uow, _line(store, "refund"), [("CN-00001", None)])
    assert done.state == "matched" and done.settled == ("CN-00001",)
    with store.read() as uow:
        assert sales.get(uow, so).invoices[0].refund_due == 0
    camt_line(store, "5.00", "DBIT", "CYCLE CLUB", "again", "R10")
    with store.write() as uow, pytest.raises(ValidationError) as refused:
        reconcile.match_documents(uow, _line(store, "again"), [("CN-00001", None)])
    assert str(refused.value.fields["documents"]).startswith(
        "CN-00001: nothing is owed back on INV-"
    )
    assert errors(store) == []


def test_a_refund_on_the_statement_is_proposed_with_its_credit_note(store) -> None:  # noqa: ANN001
    """Money out to a customer was proposed against supplier bills only: the refund a
    credit note owes had to be typed by its label. Now it is proposed, named by the credit
    note or the invoice in the text, and --auto confirms the exact one."""
    label, so = _refund_owed(store)
    camt_line(store, "60.00", "DBIT", "CYCLE CLUB", f"back {label}", "R9")
    found = _proposed(store, f"back {label}")
    assert [(p.kind, p.label, p.open_amount, p.exact) for p in found[:1]] == [
        ("refund", "CN-00001", Decimal("60.00"), True)
    ]
    with store.write() as uow:
        assert reconcile.auto(uow, "1010").documents == 1
    with store.read() as uow:
        assert sales.get(uow, so).invoices[0].refund_due == 0
        assert uow.session.scalar(select(BankLine.state)) == "matched"
    camt_line(store, "5.00", "DBIT", "CYCLE CLUB", "CN-00001 again", "R10")
    assert [p.kind for p in _proposed(store, "CN-00001 again")] == []  # nothing owed now
    assert errors(store) == []


def test_a_line_split_over_two_orders_invoices_is_listed_on_each_order(store) -> None:  # noqa: ANN001
    """The sales order's "Posted:" left out the entry of a bank line split over its invoice
    and another: that payment was posted for neither order alone."""
    one = invoice(store, "Cycle Club", "100.00")
    two = invoice(store, "Bike Barn", "80.00")
    camt_line(store, "180.00", "CRDT", "CYCLE CLUB", f"{one} {two}", "R1")
    with store.write() as uow:
        reconcile.match_documents(uow, _line(store, f"{one} {two}"), [(one, None), (two, None)])
        paid = uow.session.scalar(select(BankLine.entry_id))
        label = uow.session.get(JournalEntry, paid).number
        for ref in (one, two):
            so = uow.session.get(sales.Invoice, _invoice_id(store, ref)).order_id
            assert f"JE-{label}" in [lbl for _id, lbl, _memo in sales.get(uow, so).entries]


def test_an_undone_match_is_told_on_the_contact_page_as_undone_not_as_a_refund(store) -> None:  # noqa: ANN001
    """The contact's payments listed a match undone as "refund 100.00", money the customer
    never got back, and in the order the rows were written, not by date."""
    from bizdesk.services.overview.story import story

    one = invoice(store, "Cycle Club", "100.00")
    camt_line(store, "100.00", "CRDT", "CYCLE CLUB", one, "R1")
    with store.write() as uow:
        reconcile.match_documents(uow, _line(store, one), [(one, None)])
        reconcile.undo(uow, _line(store, one))
        sales.pay(uow, _invoice_id(store, one), account="cash", when="2026-11-10")
        cid = contacts.find_by_name_or_email(uow, "Cycle Club").id
        said = [(str(i.day), str(i.text)) for i in story(uow, cid).payments]
    assert said == [
        ("2026-11-17", f"payment 100.00 for {one} undone"),
        ("2026-11-17", f"payment 100.00 for {one}"),
        ("2026-11-10", f"payment 100.00 for {one}"),
    ], said


def test_auto_takes_the_named_document_over_a_rules_account(store) -> None:  # noqa: ANN001
    """A rule (if RENT -> 6000) also matched "Pago INV-00001 Metro Rapid Rentals": --auto
    matched nothing though the line had the invoice's exact amount and named it. The
    document wins; the rule's account applies only when nothing has that amount."""
    label = invoice(store, "Metro Rapid Rentals", "142.29")
    rules = "skip 1\nfields date, description, amount\n\nif RENT\n  account2 6000\n"
    data = (
        "date,description,amount\n"
        f"2026-12-04,Pago {label} Metro Rapid Rentals,142.29\n"
        "2026-12-05,RENT DECEMBER,-900.00\n"
    ).encode()
    with store.write() as uow:
        import_statement(uow, data, account="1010", rules=rules.encode(), filename="s.csv")
    with store.write() as uow:
        summary = reconcile.auto(uow, "1010")
    assert (summary.documents, summary.accounts, summary.left) == (1, 1, 0)
    assert _open(store, label) == 0
    assert errors(store) == []


def _receivable(store: Store, customer: str) -> Decimal:
    """What the customer owes on the receivables account (invoices, fees, payments)."""
    from bizdesk.models.contacts import Contact
    from bizdesk.models.ledger import Account, JournalLine

    with store.read() as uow:
        owed = uow.session.scalar(
            select(func.sum(JournalLine.debit_minor - JournalLine.credit_minor))
            .join(Account, Account.id == JournalLine.account_id)
            .join(Contact, Contact.id == JournalLine.contact_id)
            .where(Account.role == "receivable", Contact.name == customer)
        )
    return Decimal(owed) / 100


def test_a_payment_of_what_a_reminder_asked_is_matched_to_the_reminder(store) -> None:  # noqa: ANN001
    """The reminder's PDF asks for its invoices and its fee, quoting RM-00001: the line
    paying that is matched to the reminder (its invoices paid, its fee taken off what the
    customer owes), once. It was refused ('no invoice RM-00001'; the invoice alone 'must
    add up to the line') and could only go to the receivables account, which left the
    invoice open (and reminded again)."""
    from bizdesk.services.dunning import reminders

    inv = invoice(store, "Cycle Club", "100.00")  # due 2026-11-16
    with store.write() as uow:
        reminders.set_levels(uow, [reminders.LevelInput("7", "friendly", "Pay", "5")])
        (made,) = reminders.make_reminders(uow, "2026-11-23")
    assert made.label == "RM-00001" and _receivable(store, "Cycle Club") == Decimal("105.00")
    camt_line(store, "105.00", "CRDT", "CYCLE CLUB", "RM-00001", "R1")
    camt_line(store, "5.00", "CRDT", "CYCLE CLUB", "RM-00001 again", "R2")
    line, again = _line(store, "RM-00001"), _line(store, "RM-00001 again")
    with store.write() as uow:
        with pytest.raises(ValidationError) as refused:
            reconcile.match_documents(uow, line, [("RM-00001", "105")])
        assert "a reminder is paid whole" in str(refused.value.fields["documents"])
        with pytest.raises(ValidationError) as refused:
            reconcile.match_documents(uow, line, [("RM-00001", None), (inv, None)])
        assert "a document is named twice" in str(refused.value.fields["documents"])
    with store.write() as uow:
        done = reconcile.match_documents(uow, line, [("RM-00001", None)])
    assert done.settled == (inv, "RM-00001")
    assert _open(store, inv) == 0  # the invoice is paid
    assert _receivable(store, "Cycle Club") == 0  # and the fee with it
    with store.write() as uow:  # the fee is not paid twice
        with pytest.raises(ValidationError) as refused:
            reconcile.match_documents(uow, again, [("RM-00001", None)])
        assert "RM-00001 is settled" in str(refused.value.fields["documents"])
    assert errors(store) == []
    with store.write() as uow:  # undone: the invoice and the fee are owed again
        reconcile.undo(uow, line)
    assert _open(store, inv) == Decimal("100.00")
    assert _receivable(store, "Cycle Club") == Decimal("105.00")
    with store.write() as uow:  # a line short of all it asked: its invoices come first
        with pytest.raises(ValidationError) as refused:
            reconcile.match_documents(uow, again, [("rm1", None)])
        assert "nothing of the line is left for RM-00001" in str(refused.value.fields["documents"])
        sales.pay(uow, _invoice_id(store, inv), when="2026-11-24")
    with store.write() as uow:  # the invoice paid apart: the line pays the fee alone
        done = reconcile.match_documents(uow, again, [("rm1", None)])
    assert done.settled == ("RM-00001",)
    assert _receivable(store, "Cycle Club") == 0 and _open(store, inv) == 0
    assert errors(store) == []


def test_a_line_quoting_a_reminder_is_proposed_it_and_auto_takes_it(store) -> None:  # noqa: ANN001
    """The text names RM-00001 and the amount is what it asked (invoices and fee): it is
    proposed first, suggested for a split, and --auto confirms it."""
    from bizdesk.services.banking.proposals import split_suggestion
    from bizdesk.services.dunning import reminders

    inv = invoice(store, "Cycle Club", "100.00")
    with store.write() as uow:
        reminders.set_levels(uow, [reminders.LevelInput("7", "friendly", "Pay", "5")])
        reminders.make_reminders(uow, "2026-11-23")
    camt_line(store, "105.00", "CRDT", "CYCLE CLUB", "rm 1", "R1")
    found = _proposed(store, "rm 1")
    assert (found[0].kind, found[0].label, found[0].exact) == ("reminder", "RM-00001", True)
    assert split_suggestion(found) == ["RM-00001"]
    with store.write() as uow:
        summary = reconcile.auto(uow)
    assert (summary.documents, summary.left) == (1, 0)
    assert _open(store, inv) == 0 and _receivable(store, "Cycle Club") == 0
    assert errors(store) == []


def test_documents_typed_with_a_space_between_are_told_to_take_commas(store) -> None:  # noqa: ANN001
    """'INV-00001 INV-00002' in the split form was refused as "no invoice 'INV-00001
    INV-00002'", which did not say how to write two documents."""
    one = invoice(store, "Cycle Club", "100.00")
    two = invoice(store, "Cycle Club", "50.00")
    camt_line(store, "150.00", "CRDT", "CYCLE CLUB", "two", "R1")
    with store.write() as uow:
        with pytest.raises(ValidationError) as refused:
            reconcile.match_documents(
                uow, _line(store, "two"), reconcile.documents_typed(f"{one} {two}")
            )
    assert "separate the documents with commas" in str(refused.value.fields["documents"])
