"""`bizdesk bank import` and `bizdesk bank reconcile` as a person runs them, and two imports
of the same statement at once."""

from __future__ import annotations

import json

from sqlmodel import func, select

from bizdesk.db import open_store
from bizdesk.models.banking import BankLine
from bizdesk.models.ledger import JournalEntry
from bizdesk.models.sales import Invoice
from bizdesk.services.banking.statements import import_statement
from bizdesk.services.trade import sales
from tests.bank_files import LATER, NOVEMBER, RULES_ES, camt053, csv_es, ofx_v1
from tests.procs import run_together
from tests.test_bank_proposals import invoice
from tests.test_cli import bizdesk, bizdesk_user
from tests.test_cli import db as db  # noqa: F401  (the fixture)


def test_import_reconcile_and_check_end_to_end(db, tmp_path) -> None:  # noqa: ANN001
    statement, rules = tmp_path / "movimientos.csv", tmp_path / "banco.rules"
    statement.write_bytes(csv_es(*NOVEMBER))
    rules.write_text(RULES_ES, encoding="utf-8")
    args = ("bank", "import", str(statement), "--account", "1010", "--rules", str(rules))
    statement.write_bytes(csv_es(*NOVEMBER[:2], NOVEMBER[2][:4] + ("",)))  # no last balance
    blank = bizdesk(*args, "--dry-run", "--db", db)
    assert blank.stdout.splitlines()[1].startswith("No closing balance: the statement's last")
    statement.write_bytes(csv_es(*NOVEMBER))
    dry = bizdesk(*args, "--dry-run", "--db", db)
    assert dry.returncode == 0, dry.stderr
    assert dry.stdout.splitlines()[0] == "4 lines read: 4 would be added, 0 already there."
    first = bizdesk(*args, "--db", db)
    assert first.returncode == 0, first.stderr
    assert first.stdout.splitlines()[0] == "4 lines read: 4 added, 0 already there."
    # the CSV's balance column: the balance after its last line is the closing balance
    assert "The statement's closing balance on 2026-11-05: 3,145.44" in first.stdout
    again = bizdesk(*args, "--db", db)
    assert again.stdout.splitlines()[0] == "4 lines read: 0 added, 4 already there."
    statement.write_bytes(csv_es(*LATER))
    later = bizdesk(*args, "--db", db)
    assert later.stdout.splitlines()[0] == "3 lines read: 2 added, 1 already there."

    camt = tmp_path / "day.xml"
    camt.write_bytes(camt053())
    r = bizdesk("bank", "import", str(camt), "--account", "1010", "--db", db)
    assert r.returncode == 0, r.stderr
    assert "2 lines read: 2 added" in r.stdout
    assert "closing balance on 2026-11-20: 1,400.00" in r.stdout

    rec = bizdesk("bank", "reconcile", "--account", "1010", "--db", db)
    assert rec.returncode == 0, rec.stderr
    assert "6300 Office supplies" in rec.stdout and "a rule of the rules file" in rec.stdout
    assert "8 lines wait to be matched." in rec.stdout
    check = bizdesk("check", "--db", db)
    assert check.returncode == 0, check.stdout + check.stderr


def test_refusals_and_usage(db, tmp_path) -> None:  # noqa: ANN001
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_es(NOVEMBER[0], ("03/11/2026", "03/11/2026", "X", "1.5", "")))
    rules = tmp_path / "r.rules"
    rules.write_text(RULES_ES, encoding="utf-8")
    r = bizdesk("bank", "import", str(bad), "--account", "1010", "--rules", str(rules), "--db", db)
    assert r.returncode == 1
    assert "line 3: amount: '1.5' is ambiguous" in r.stderr and "Traceback" not in r.stderr
    ofx = tmp_path / "s.ofx"
    ofx.write_bytes(ofx_v1())
    r = bizdesk("bank", "import", str(ofx), "--account", "4000", "--db", db)
    assert r.returncode == 1 and "not a bank or cash account" in r.stderr
    r = bizdesk("bank", "import", str(tmp_path / "none.ofx"), "--account", "1010", "--db", db)
    assert r.returncode == 1 and "no such file" in r.stderr
    r = bizdesk("bank", "import", str(ofx), "--db", db)  # no --account
    assert r.returncode == 2
    r = bizdesk("bank", "reconcile", "--db", db)
    assert r.returncode == 0 and "No statement lines wait to be matched." in r.stdout


def test_in_spanish(db, tmp_path) -> None:  # noqa: ANN001
    statement, rules = tmp_path / "movimientos.csv", tmp_path / "banco.rules"
    statement.write_bytes(csv_es(*NOVEMBER, ("03/11/2026", "03/11/2026", "X", "1.5", "")))
    rules.write_text(RULES_ES, encoding="utf-8")
    args = ("bank", "import", str(statement), "--account", "1010", "--rules", str(rules))
    es = {"LANGUAGE": "es", "LC_ALL": "", "LANG": "es_ES.UTF-8"}
    r = bizdesk(*args, "--db", db, env=es)
    assert r.returncode == 1
    assert "línea 6: amount: '1.5' es ambiguo: las reglas dicen que ',' es el separador" in r.stderr
    statement.write_bytes(csv_es(*NOVEMBER))
    r = bizdesk(*args, "--db", db, env=es)
    assert r.stdout.splitlines()[0] == "4 líneas leídas: 4 añadidas, 0 ya estaban."


def _import_once(url: str, data: bytes, ready) -> int:  # noqa: ANN001
    store = open_store(url, user="tester")
    ready()
    with store.write() as uow:
        return import_statement(uow, data, account="1010", filename="same.ofx").added


def test_two_imports_at_once_store_each_line_once(store) -> None:  # noqa: ANN001
    added = run_together(_import_once, [(store.url, ofx_v1()), (store.url, ofx_v1())])
    assert sorted(added) == [0, 2]
    with store.read() as uow:
        assert uow.session.scalar(select(func.count()).select_from(BankLine)) == 2


def test_a_payment_in_the_books_is_listed_then_linked_by_auto(db, tmp_path) -> None:  # noqa: ANN001
    """INV-00001 paid by hand into the bank before the statement came: `bank reconcile`
    lists that payment for its line, and --auto links the line to it (nothing posted)."""
    store = open_store(db)
    label = invoice(store, "Cycle Club", "60.00")
    with store.write() as uow:
        found = uow.session.scalar(select(Invoice.id).where(Invoice.number == 1))
        sales.pay(uow, found, account="1010", when="2026-11-16")
        entries = uow.session.scalar(select(func.count()).select_from(JournalEntry))
        number = uow.session.scalar(select(func.max(JournalEntry.number)))
    store.engine.dispose()
    statement, rules = tmp_path / "s.csv", tmp_path / "s.rules"
    statement.write_text("date,payee,text,amount\n2026-11-17,CYCLE CLUB,transfer,60.00\n")
    rules.write_text("skip 1\nfields date, payee, description, amount\n")
    args = ("bank", "import", str(statement), "--account", "1010", "--rules", str(rules))
    assert bizdesk(*args, "--db", db).returncode == 0
    rec = bizdesk("bank", "reconcile", "--db", db)
    assert rec.returncode == 0, rec.stderr
    assert rec.stdout.splitlines()[1] == (
        f"    JE-{number} Payment of {label} · Cycle Club  (the same amount, in the books "
        "already; the name is like Cycle Club; 1 day from its dates)"
    )
    auto = bizdesk("bank", "reconcile", "--auto", "--db", db)
    assert auto.returncode == 0, auto.stderr
    assert auto.stdout.splitlines() == [
        "1 line matched: 0 to documents, 0 by rules, 1 to a payment in the books. "
        "0 lines wait to be matched.",
        "No statement lines wait to be matched.",
    ]
    store = open_store(db)
    with store.read() as uow:
        line = uow.session.scalars(select(BankLine)).one()
        assert uow.session.scalar(select(func.count()).select_from(JournalEntry)) == entries
        assert (line.state, line.match) == ("matched", "linked")
        assert uow.session.get(JournalEntry, line.entry_id).number == number
    store.engine.dispose()


def test_a_line_matched_to_the_customers_account_names_the_customer(db, tmp_path) -> None:  # noqa: ANN001
    """A payment of a debt on no invoice: matched to the receivables account with --contact,
    in one command; --contact alone is a mistyped command."""
    from bizdesk.services.crm import contacts

    ofx = tmp_path / "s.ofx"
    ofx.write_bytes(ofx_v1())
    r = bizdesk("bank", "import", str(ofx), "--account", "1010", "--db", db)
    assert r.returncode == 0, r.stderr
    store = open_store(db)
    try:
        with store.write() as uow:
            contacts.create(uow, contacts.ContactInput(name="Cycle Club", kind="organization"))
        with store.read() as uow:
            line = uow.session.scalar(select(BankLine.id).where(BankLine.amount_minor > 0))
    finally:
        store.dispose()
    r = bizdesk("bank", "match", str(line), "--doc", "INV-1", "--contact", "Cycle Club", "--db", db)
    assert r.returncode == 2 and "--contact goes with --to-account" in r.stderr, r.stderr
    r = bizdesk("bank", "match", str(line), "--to-account", "1100", "--db", db)
    assert r.returncode == 1 and "--contact NAME" in r.stderr, r.stderr
    r = bizdesk(
        "bank", "match", str(line), "--to-account", "1100", "--contact", "Cycle Club", "--db", db
    )
    assert r.returncode == 0, r.stderr
    assert "1100" in r.stdout and "Cycle Club" in r.stdout, r.stdout
    assert bizdesk("check", "--db", db).returncode == 0


def test_statements_listed_and_one_removed(db, tmp_path) -> None:  # noqa: ANN001
    ofx = tmp_path / "nov.ofx"
    ofx.write_bytes(ofx_v1())
    assert bizdesk("bank", "import", str(ofx), "--account", "1000", "--db", db).returncode == 0
    listed = bizdesk("bank", "statements", "--format", "json", "--db", db)
    assert listed.returncode == 0, listed.stderr
    assert json.loads(listed.stdout) == [
        {
            "id": 1,
            "account": "1000",
            "bank_account": "00012345",
            "file": "nov.ofx",
            "format": "ofx",
            "imported_at": json.loads(listed.stdout)[0]["imported_at"],
            "imported_by": bizdesk_user(),
            "lines": 2,
            "matched": 0,
            "closing": "1234.10",
            "closing_date": "2026-11-30",
        }
    ]
    table = bizdesk("bank", "statements", "--db", db, env={"COLUMNS": "80"})
    assert "nov.ofx" in table.stdout and "1,234.10" in table.stdout, table.stdout
    # the file of bank account 00012345 went to cash by mistake: taken back, then to 1010
    gone = bizdesk("bank", "remove-statement", "1", "--db", db)
    assert gone.returncode == 0, gone.stderr
    assert gone.stdout.startswith("Statement #1 (nov.ofx) removed with its 2 lines")
    again = bizdesk("bank", "import", str(ofx), "--account", "1010", "--db", db)
    assert again.returncode == 0 and "2 added" in again.stdout, again.stderr
    none = bizdesk("bank", "remove-statement", "7", "--db", db)
    assert (none.returncode, none.stderr.strip()) == (1, "statement: no statement '7'")


def test_a_refunds_typed_amount_is_read_and_checked_as_an_invoices(db, tmp_path) -> None:  # noqa: ANN001
    """`--doc CN-00001=AMOUNT` on money out to a customer: the amount was never read, and
    =1.005, =999.99 and =5000 all posted the whole line. Now it is read exactly, at most
    what is owed back, and the documents must add up to the line, as an invoice's share."""
    store = open_store(db)
    label = invoice(store, "Cycle Club", "60.00")
    with store.write() as uow:
        inv = uow.session.scalar(select(Invoice.id).where(Invoice.number == 1))
        sales.pay(uow, inv, account="1010", when="2026-11-05")
        so = uow.session.get(Invoice, inv).order_id
        line = sales.get(uow, so).lines[0]
        sales.return_goods(uow, so, {line.id: "1"}, reason="not done", when="2026-11-06")
        entries = uow.session.scalar(select(func.count()).select_from(JournalEntry))
    store.engine.dispose()
    statement, rules = tmp_path / "s.csv", tmp_path / "s.rules"
    statement.write_text(
        "date,payee,text,amount\n2026-11-17,CYCLE CLUB,refund,-60.00\n"
        "2026-11-18,CYCLE CLUB,part refund,-25.00\n"
    )
    rules.write_text("skip 1\nfields date, payee, description, amount\n")
    args = ("bank", "import", str(statement), "--account", "1010", "--rules", str(rules))
    assert bizdesk(*args, "--db", db).returncode == 0
    refusals = {
        "1.005": "CN-00001: '1.005': at most 2 decimals",
        "999.99": "only 60.00 is owed back on CN-00001",
        "5000": "only 60.00 is owed back on CN-00001",
        "0": "CN-00001: must be more than zero",
        "50": "the line is 60.00 but the documents take 50.00",
    }
    for typed, said in refusals.items():
        r = bizdesk("bank", "match", "1", "--doc", f"CN-00001={typed}", "--db", db)
        assert r.returncode == 1, (typed, r.stdout)
        assert said in r.stderr, (typed, r.stderr)
    store = open_store(db)
    with store.read() as uow:
        assert uow.session.scalar(select(func.count()).select_from(JournalEntry)) == entries
    store.engine.dispose()
    # a part of what is owed back, the whole line: posted for that part
    r = bizdesk("bank", "match", "2", "--doc", "CN-00001=25.00", "--db", db)
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("Line #2 matched: JE-") and "(CN-00001)" in r.stdout
    store = open_store(db)
    with store.read() as uow:
        assert sales.get(uow, so).invoices[0].refund_due == 35
    store.engine.dispose()
    # the line's 60.00 is now more than the 35.00 owed back
    r = bizdesk("bank", "match", "1", "--doc", "CN-00001", "--db", db)
    assert r.returncode == 1 and "the line is 60.00 but the documents take 35.00" in r.stderr
    r = bizdesk("bank", "match", "1", "--doc", "CN-00001=60", "--db", db)
    assert r.returncode == 1 and "only 35.00 is owed back on CN-00001" in r.stderr
    assert label == "INV-00001"


def test_a_camt_file_of_a_dollar_account_is_refused_by_the_cli(db, tmp_path) -> None:  # noqa: ANN001
    """The account in dollars, its amounts in euro: it was imported into a euro shop."""
    camt = tmp_path / "usd.xml"
    camt.write_bytes(camt053().replace(b"<Ccy>EUR</Ccy>", b"<Ccy>USD</Ccy>"))
    r = bizdesk("bank", "import", str(camt), "--account", "1010", "--db", db)
    assert r.returncode == 1, r.stdout
    assert (
        "line 22: amount: the amount is in EUR, but the statement's account is kept in USD"
        in r.stderr
    )
    assert "the statement is in USD, but the shop's books" in r.stderr
    assert "Traceback" not in r.stderr
    listed = bizdesk("bank", "statements", "--format", "json", "--db", db)
    assert json.loads(listed.stdout) == []
