"""The values of a bank's file as bizdesk reads and says them: dates within the range bizdesk
accepts everywhere, a missing date said missing, a bad value shown with its control
characters as codes (never a Python escape), OFX character references read as the
characters they name (and the text rule holding for those), and each problem at the line of
its own element, naming the field. Real SQLite stores."""

from __future__ import annotations

import re

import pytest
from sqlmodel import select

from bizdesk.db import Store
from bizdesk.errors import ValidationError
from bizdesk.models.banking import BankLine
from bizdesk.services.banking import reconcile
from bizdesk.services.banking.statements import import_statement
from bizdesk.services.base.paging import PageRequest
from tests.bank_files import camt053, ofx_v1, ofx_v2
from tests.test_cli import bizdesk
from tests.test_cli import db as db  # noqa: F401  (the fixture)

RULES = b"skip 1\nfields date, description, amount\n"
RANGE = "is outside the dates bizdesk accepts (1900-01-01 to 2199-12-31)"


def refused(store: Store, data: bytes, rules: bytes | None = None) -> str:
    with store.write() as uow, pytest.raises(ValidationError) as exc:
        import_statement(uow, data, account="1010", rules=rules, filename="x")
    return str(exc.value)


def imported(store: Store, data: bytes) -> list[BankLine]:
    with store.write() as uow:
        import_statement(uow, data, account="1010", filename="x")
    with store.read() as uow:
        got = list(uow.session.scalars(select(BankLine).order_by(BankLine.id)))
        uow.session.expunge_all()
    return got


def line_of(data: bytes, needle: str) -> int:
    """The line (from 1) of the file that holds ``needle``."""
    return next(i for i, t in enumerate(data.decode("latin-1").splitlines(), 1) if needle in t)


def test_dates_outside_those_bizdesk_accepts_are_refused_at_import(store) -> None:  # noqa: ANN001
    """A camt.053 line booked in 2250 and an OFX one in 1850 were imported (and could be
    matched and posted) while bizdesk refuses such days everywhere else."""
    camt = camt053().replace(
        b"<BookgDt><Dt>2026-11-20</Dt></BookgDt>", b"<BookgDt><Dt>2250-01-01</Dt></BookgDt>", 1
    )
    said = refused(store, camt)
    assert f"line {line_of(camt, '2250-01-01')}: date: 2250-01-01 {RANGE}" in said
    ofx = ofx_v1().replace(b"<DTPOSTED>20261107", b"<DTPOSTED>18500101")
    assert f"line {line_of(ofx, '18500101')}: date: 1850-01-01 {RANGE}" in refused(store, ofx)
    csv = b"date,description,amount\n2026-11-02,ok,1.00\n2250-01-01,later,2.00\n"
    assert f"line 3: date: 2250-01-01 {RANGE}" in refused(store, csv, RULES)
    value = ofx_v1().replace(b"<DTAVAIL>20261108", b"<DTAVAIL>22500101")
    assert f"line {line_of(value, '22500101')}: value date: 2250-01-01 {RANGE}" in refused(
        store, value
    )
    with store.read() as uow:
        assert uow.session.scalars(select(BankLine)).first() is None


def test_an_ofx_transaction_without_its_date_is_told_so(store) -> None:  # noqa: ANN001
    """It said "line 34: None is not an OFX date (YYYYMMDD...)"."""
    data = ofx_v1().replace(b"<DTPOSTED>20261107\r\n", b"")
    said = refused(store, data)
    start = [i for i, t in enumerate(data.decode().splitlines(), 1) if t == "<STMTTRN>"][1]
    assert said == f"line {start}: date: a date is required"


def test_bad_values_show_control_characters_as_codes_not_python_escapes(store) -> None:  # noqa: ANN001
    """'\\x1b[31m3,50' is not an amount; '€3,50' read as latin-1 was said 'â\\x82¬3,50'."""
    comma = b"skip 1\nseparator ;\ndecimal-mark ,\nfields date, description, amount\n"
    csv = b"date;description;amount\n2026-11-02;paint;\x1b[31m3,50\n"
    said = refused(store, csv, comma)
    assert "line 2: amount: '<U+001B>[31m3,50' is not an amount" in said
    assert "\\x1b" not in said and "\x1b" not in said
    latin = comma.replace(b"skip 1", b"skip 1\nencoding latin-1")
    said = refused(store, "date;description;amount\n2026-11-02;x;€3,50\n".encode(), latin)
    assert "line 2: amount: 'â<U+0082>¬3,50' is not an amount" in said
    assert "\\x82" not in said
    ofx = ofx_v1().replace(b"<TRNAMT>780.00", b"<TRNAMT>7\x0780.00")
    said = refused(store, ofx)
    assert f"line {line_of(ofx, '<TRNAMT>7')}: amount: '7<U+0007>80.00'" in said
    assert "\\x07" not in said


@pytest.mark.parametrize("make", [ofx_v1, ofx_v2], ids=["sgml", "xml"])
def test_ofx_character_references_are_read_and_the_text_rule_holds(store, make) -> None:  # noqa: ANN001
    """NAME "Jos&#233; &amp; Co &lt;x&gt;" was stored as "Jos&#233; & Co <x>" and no longer
    matched the contact; a reference to a control character must not slip past the rule."""
    data = make().replace(b"CYCLE CLUB", b"Jos&#233; &amp; Co &lt;x&gt; &#x4C;td")
    got = imported(store, data)
    assert "José & Co <x> Ltd" in [ln.counterpart for ln in got]
    esc = make().replace(b"CYCLE CLUB", b"late&#27;[2J")
    said = refused(store, esc)
    assert said.startswith(f"line {line_of(esc, 'late&#27;')}: transaction '2026110702', name: ")
    assert "control character" in said


NOT_TEXT = "the file holds a character that is not text"


@pytest.mark.parametrize("make", [ofx_v1, ofx_v2], ids=["sgml", "xml"])
@pytest.mark.parametrize(
    ("reference", "why"),
    [
        ("&#0;", "'&#0;' names no character"),
        ("&#x0;", "'&#x0;' names no character"),
        ("&#1114112;", "'&#1114112;' names no character"),
        ("&#x1F;", "'&#x1F;': contains a control character (U+001F)"),
        ("&#x85;", "'&#x85;': contains a control character (U+0085)"),
    ],
)
def test_an_ofx_reference_to_no_character_or_a_control_one_refuses_the_file(
    store, tmp_path, make, reference, why
) -> None:  # noqa: ANN001
    """NAME "ACME&#0;" was stored as written ("&#0;": no character, kept as the text), and
    &#x1F; or &#x85; (control characters the folding of spaces takes for spaces) became a
    space: the file holds what is not text, so it is refused, naming the transaction (its
    FITID, else its place) and the field, and nothing is stored."""
    path = tmp_path / "s.ofx"
    path.write_bytes(make().replace(b"CYCLE CLUB", f"CYCLE{reference}CLUB".encode()))
    said = refused(store, path.read_bytes())
    line = line_of(path.read_bytes(), "CYCLE&")
    assert said.startswith(f"line {line}: transaction '2026110702', name: {NOT_TEXT} ({why}"), said
    memo = re.sub(rb"<FITID>2026110702(</FITID>)?", b"", make())  # no FITID: its place
    memo = memo.replace(b"INV-00001", f"INV{reference}1".encode())
    path.write_bytes(memo)
    said = refused(store, path.read_bytes())
    line = line_of(memo, "INV&")
    assert said.startswith(f"line {line}: transaction 2 of the file, memo: {NOT_TEXT} ({why}"), said
    with store.read() as uow:
        assert uow.session.scalars(select(BankLine)).first() is None


def test_the_cli_refuses_an_ofx_file_holding_a_nul_reference(db, tmp_path) -> None:  # noqa: ANN001
    path = tmp_path / "nul.ofx"
    path.write_bytes(ofx_v1().replace(b"<MEMO>Card purchase 4411", b"<MEMO>Card&#0;4411"))
    r = bizdesk("bank", "import", str(path), "--account", "1010", "--db", db)
    assert r.returncode == 1, r.stdout
    line = line_of(path.read_bytes(), "Card&#0;")
    assert r.stderr.strip() == (
        f"line {line}: transaction '2026110501', memo: {NOT_TEXT} ('&#0;' names no character)"
    )
    listed = bizdesk("bank", "statements", "--format", "json", "--db", db)
    assert listed.stdout.strip() == "[]", listed.stdout


def test_a_line_without_memo_says_its_name_once(db, tmp_path) -> None:  # noqa: ANN001
    """An OFX line without MEMO was listed as "PAPER SHOP — PAPER SHOP"."""
    ofx = tmp_path / "s.ofx"
    ofx.write_bytes(ofx_v2())
    assert bizdesk("bank", "import", str(ofx), "--account", "1010", "--db", db).returncode == 0
    r = bizdesk("bank", "reconcile", "--db", db)
    assert r.returncode == 0, r.stderr
    listed = [t for t in r.stdout.splitlines() if t.startswith("#")]
    assert listed[0].endswith("780.00  CYCLE CLUB — INV-00001"), listed
    assert listed[1].endswith("-12.00  PAPER SHOP"), listed


def test_the_bank_screens_list_says_the_name_once(store) -> None:  # noqa: ANN001
    imported(store, ofx_v2())
    with store.read() as uow:
        page = reconcile.line_page(uow, PageRequest(filters={"state": "open"}))
    assert sorted(r.said for r in page.rows) == ["CYCLE CLUB — INV-00001", "PAPER SHOP"]


def test_a_camt_problem_is_told_at_its_elements_line_with_its_field(store) -> None:  # noqa: ANN001
    data = camt053().replace(b"Acme Supply", "Acme\u202e Supply".encode())
    said = refused(store, data)
    assert said.startswith(f"line {line_of(data, 'Acme')}: name: ")
    assert line_of(data, "Acme") > line_of(data, "BANKREF-0002")  # not the entry's line


def test_the_journal_import_shows_control_characters_as_codes(db, tmp_path) -> None:  # noqa: ANN001
    """The journal's import said "debit/credit: '\\x1b[31m3.50' is not a number" (and so
    every sentence that says back a typed value)."""
    journal = tmp_path / "j.csv"
    journal.write_bytes(
        b"entry,date,account,debit,credit,memo,contact\n"
        b"A,2026-11-02,1010,\x1b[31m3.50,,x,\n"
        b"A,2026-11-02,4000,,3\xc2\x8250,x,\n"
        b"B,2026\xe2\x80\xae-11-02,1010,1,,x,\n"
        b"B,2026-11-02,4000,,1,x,\n"
    )
    r = bizdesk("import", "journal", str(journal), "--db", db)
    assert r.returncode == 1
    assert "line 2: debit/credit: '<U+001B>[31m3.50' is not a number" in r.stderr
    assert "line 3: debit/credit: '3<U+0082>50' is not a number" in r.stderr
    assert "\\x" not in r.stderr and "\\u" not in r.stderr and "Traceback" not in r.stderr


def test_a_value_said_back_is_quoted_with_codes() -> None:
    from bizdesk.reading import quoted

    assert quoted("\x1b[31m3,50") == "'<U+001B>[31m3,50'"
    assert quoted("12\xa0000,5\u202e") == "'12<U+00A0>000,5<U+202E>'"
    assert quoted("it's") == '"it\'s"' and quoted("a\\b") == "'a\\b'"
    assert quoted("x" * 25) == "'" + "x" * 20 + "…'"
