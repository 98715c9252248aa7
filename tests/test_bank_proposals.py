"""What each unmatched statement line may settle (issue 14, deliverable 3, read-only part):
open invoices for money in, open supplier bills for money out, a rule's account; ranked."""

from __future__ import annotations

import sqlite3
from decimal import Decimal

import pytest

from bizdesk.config import sqlite_path
from bizdesk.db import Store
from bizdesk.errors import PermissionDenied, ValidationError
from bizdesk.services.admin import users
from bizdesk.services.banking import reconcile
from bizdesk.services.banking.proposals import proposals
from bizdesk.services.banking.statements import import_statement
from bizdesk.services.crm import contacts
from bizdesk.services.trade import purchasing, sales
from tests.bank_files import NOVEMBER, RULES_ES, csv_es
from tests.erp_helpers import errors, order, product, supplier


def invoice(store: Store, customer: str, price: str) -> str:
    """An invoice for a workshop hour (no stock), open; returns its label."""
    with store.write() as uow:
        found = contacts.find_by_name_or_email(uow, customer)
        if not found:
            contacts.create(uow, contacts.ContactInput(name=customer, is_customer=True))
        so = sales.create(
            uow,
            sales.SOInput(
                customer=customer,
                order_date="2026-11-01",
                lines=[sales.SOLineInput(description="Workshop", unit_price=price, vat_rate="0")],
            ),
        )
        so = sales.confirm(uow, so.id)
        sales.deliver(uow, so.id, when="2026-11-02")
        inv = sales.invoice(uow, so.id, when="2026-11-02", due="2026-11-16")
    return inv.label


def camt_line(store: Store, amount: str, side: str, name: str, text: str, ref: str) -> None:
    data = f"""<?xml version="1.0"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt><Stmt>
<Acct><Id><IBAN>ES9121000418450200051332</IBAN></Id></Acct>
<Ntry><Amt Ccy="EUR">{amount}</Amt><CdtDbtInd>{side}</CdtDbtInd><Sts>BOOK</Sts>
<BookgDt><Dt>2026-11-17</Dt></BookgDt><AcctSvcrRef>{ref}</AcctSvcrRef>
<NtryDtls><TxDtls><RltdPties><{"Dbtr" if side == "CRDT" else "Cdtr"}><Nm>{name}</Nm>
</{"Dbtr" if side == "CRDT" else "Cdtr"}></RltdPties><RmtInf><Ustrd>{text}</Ustrd></RmtInf>
</TxDtls></NtryDtls></Ntry></Stmt></BkToCstmrStmt></Document>""".encode()
    with store.write() as uow:
        import_statement(uow, data, account="1010", filename=f"{ref}.xml")


def best(store: Store, account: str | None = "1010") -> dict[str, list[str]]:
    """Each open line's text -> its proposals' labels, best first."""
    with store.read() as uow:
        found = proposals(uow, account)
    return {f"{ln.counterpart}|{ln.text}": [p.label for p in ln.proposals] for ln in found}


def test_an_invoice_named_in_the_text_ranks_first(store) -> None:  # noqa: ANN001
    first = invoice(store, "Cycle Club", "120.00")
    second = invoice(store, "Cycle Club", "120.00")
    other = invoice(store, "Bike Barn", "120.00")
    camt_line(store, "120.00", "CRDT", "CYCLE CLUB", f"Payment {second}", "R1")
    camt_line(store, "120.00", "CRDT", "Someone Else", "transfer", "R2")
    got = best(store)
    assert got[f"CYCLE CLUB|Payment {second}"][0] == second
    assert set(got[f"CYCLE CLUB|Payment {second}"][1:]) == {first, other}  # same amount only
    with store.read() as uow:
        line = next(ln for ln in proposals(uow, "1010") if ln.text.startswith("Payment"))
    top = line.proposals[0]
    assert (top.kind, top.contact, top.open_amount) == ("invoice", "Cycle Club", Decimal("120.00"))
    assert [str(r) for r in top.reasons][:3] == [
        "the same amount as is open",
        f"the text names {second}",
        "the name is like Cycle Club",
    ]
    assert top.score > line.proposals[1].score
    # a line that names nothing still gets the invoices of its amount, none above the others
    assert len(got["Someone Else|transfer"]) == 3


def test_a_counterpart_named_without_its_legal_form_is_the_contact(store) -> None:  # noqa: ANN001
    """A bank writes "URBAN WHEEL" for Urban Wheel GmbH and "MINH ANH" for Công ty TNHH Minh
    Anh: each is the contact's name (a signal --auto confirms on), not merely close to it
    (Urban Wheel's) or unlike it (Minh Anh's). A name that is little more than its legal
    form ("Ben Sa") is not shortened to "Ben"."""
    urban = invoice(store, "Urban Wheel GmbH", "120.00")
    invoice(store, "Bike Barn", "120.00")
    minh = invoice(store, "Công ty TNHH Minh Anh", "80.00")
    ben = invoice(store, "Ben Sa", "45.00")
    camt_line(store, "120.00", "CRDT", "URBAN WHEEL", "transfer", "R1")
    camt_line(store, "80.00", "CRDT", "MINH ANH", "chuyen khoan", "R2")
    camt_line(store, "45.00", "CRDT", "BEN", "transfer", "R3")
    with store.read() as uow:
        found = {ln.counterpart: ln.proposals for ln in proposals(uow, "1010")}
    assert [(p.label, p.signal) for p in found["URBAN WHEEL"]][0] == (urban, "name")
    assert "the name is like Urban Wheel GmbH" in [str(r) for r in found["URBAN WHEEL"][0].reasons]
    assert [(p.label, p.signal) for p in found["MINH ANH"]][0] == (minh, "name")
    assert [(p.label, p.signal) for p in found["BEN"]][0] == (ben, "")
    with store.write() as uow:
        done = reconcile.auto(uow, "1010")
    assert (done.documents, done.left) == (2, 1)


def test_money_out_is_proposed_against_open_bills(store) -> None:  # noqa: ANN001
    sid = supplier(store, "Acme Supply")
    product(store, "BIKE", name="City bike", cost="100", sale_price="150", vat_rate="0")
    po = order(store, sid, ("BIKE", "2", "100"))
    other = order(store, sid, ("BIKE", "1", "200"))
    with store.write() as uow:
        for p in (po, other):
            purchasing.receive(uow, p.id, {ln.id: str(ln.qty) for ln in p.lines})
        purchasing.bill(uow, po.id, reference="AC-77", bill_date="2026-11-10")
        purchasing.bill(uow, other.id, reference="AC-78", bill_date="2026-11-10")
    invoice(store, "Cycle Club", "200.00")  # money in: never proposed for money out
    camt_line(store, "200.00", "DBIT", "ACME SUPPLY SL", "Bill AC 77", "R3")
    got = best(store)
    assert got["ACME SUPPLY SL|Bill AC 77"][:2] == ["AC-77 (PO-00001)", "AC-78 (PO-00002)"]


def test_a_rule_account_is_proposed_and_invoices_only_for_money_in(store) -> None:  # noqa: ANN001
    label = invoice(store, "Cycle Club", "1234.56")
    with store.write() as uow:
        import_statement(
            uow, csv_es(*NOVEMBER), account="1010", rules=RULES_ES.encode(), filename="n.csv"
        )
    got = best(store, None)
    assert got["|CAFETERÍA SOL"] == ["6300 Office supplies"]
    assert got["|RECIBO LUZ NOVIEMBRE"] == ["6200 Utilities"]
    assert got["|TRANSFERENCIA DE CYCLE CLUB"] == [label]
    with store.read() as uow:
        assert len(proposals(uow)) == 4  # the two coffees are two lines


def test_proposals_need_a_bank_account_and_the_right_role(store) -> None:  # noqa: ANN001
    with store.read() as uow:
        assert proposals(uow, "1010") == []
        with pytest.raises(ValidationError, match="4000 Sales is not a bank or cash account"):
            proposals(uow, "4000")
    with store.write() as uow:
        users.add(uow, "sam", "sales")
    sam = Store(url=store.url, engine=store.engine, user="sam")
    with sam.read() as uow, pytest.raises(PermissionDenied):
        proposals(uow, "1010")


def test_check_finds_a_statement_line_off_the_bank_accounts(store, sqlite_only) -> None:  # noqa: ANN001
    camt_line(store, "10.00", "CRDT", "X", "y", "R9")
    assert errors(store) == []
    with sqlite3.connect(sqlite_path(store.url)) as conn:
        conn.execute("UPDATE bank_line SET account_id = (SELECT id FROM account WHERE code='4000')")
    assert errors(store) == [
        "bank-line-account: bank line #1 is on 4000 Sales, which is not a bank or cash account"
    ]


def test_check_finds_lines_stored_twice_past_the_stores_keys(store, sqlite_only) -> None:  # noqa: ANN001
    """A store changed past bizdesk: the unique keys gone, a line copied."""
    camt_line(store, "10.00", "CRDT", "X", "y", "R9")
    with sqlite3.connect(sqlite_path(store.url)) as conn:
        conn.execute("CREATE TABLE copy AS SELECT * FROM bank_line")
        conn.execute("DROP TABLE bank_line")
        conn.execute("ALTER TABLE copy RENAME TO bank_line")
        conn.execute("INSERT INTO bank_line SELECT * FROM bank_line")
    found = errors(store)
    assert "bank-line-transaction-id: account 1010: 2 bank lines share R9" in found
    assert any(
        f.startswith("bank-line-fingerprint: account 1010: 2 bank lines share ") for f in found
    )


def test_a_split_starts_with_documents_of_one_customer_only() -> None:
    """A line from William Petit was offered his invoice and Urban Coastal's (proposed only
    as "part of the open amount"); the split form was filled with both and one ctrl+s paid
    Urban Coastal's invoice with his money. A split starts with one party's documents."""
    from bizdesk.services.banking.proposals import Proposal, split_suggestion

    def doc(label: str, who: str, kind: str = "invoice") -> Proposal:
        return Proposal(kind, 1, label, who, Decimal("10.00"), 50, ())

    found = [
        doc("INV-00044", "William Petit"),
        doc("INV-00023", "Urban Coastal Wholesale"),
        Proposal("account", None, "6290 Coffee", "", None, 40, ()),
        doc("INV-00050", "William Petit"),
        doc("INV-00051", "William Petit"),
    ]
    assert split_suggestion(found) == ["INV-00044", "INV-00050"]
    assert split_suggestion([doc("AC-1 (PO-00003)", "Acme", "bill")]) == ["AC-1"]
    assert split_suggestion(found[2:3]) == []
