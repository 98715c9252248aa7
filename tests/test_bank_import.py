"""Bank statement import (issue 14, deliverable 2): CSV with a rules file, OFX (SGML and
XML) and CAMT.053, each line stored once per account, bad files refused whole."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlmodel import func, select

from bizdesk.db import Store
from bizdesk.errors import PermissionDenied, ValidationError
from bizdesk.models.banking import BankLine, BankStatement
from bizdesk.services.admin import users
from bizdesk.services.admin.audit import list_events
from bizdesk.services.banking import reconcile
from bizdesk.services.banking.reading import BadValue, read_amount
from bizdesk.services.banking.statements import (
    import_statement,
    list_statements,
    remove_statement,
)
from tests.bank_files import LATER, NOVEMBER, RULES_ES, camt053, csv_es, ofx_v1, ofx_v2
from tests.erp_helpers import errors

RULES = RULES_ES.encode("utf-8")


def run(store: Store, data: bytes, *, rules: bytes | None = None, account: str = "1010", **kw):  # noqa: ANN003, ANN201
    with store.write() as uow:
        return import_statement(uow, data, account=account, rules=rules, filename="x", **kw)


def lines(store: Store) -> list[BankLine]:
    with store.read() as uow:
        got = list(uow.session.scalars(select(BankLine).order_by(BankLine.booked_on, BankLine.id)))
        uow.session.expunge_all()  # (read after the unit of work ends)
    return got


def counts(store: Store) -> tuple[int, int]:
    with store.read() as uow:
        return (
            uow.session.scalar(select(func.count()).select_from(BankStatement)),
            uow.session.scalar(select(func.count()).select_from(BankLine)),
        )


def test_spanish_csv_with_rules_is_read_exactly_and_imported_once(store) -> None:  # noqa: ANN001
    data = csv_es(*NOVEMBER)
    first = run(store, data, rules=RULES)
    assert (first.format, first.read, first.added, first.already) == ("csv", 4, 4, 0)
    assert str(first.message) == "4 lines read: 4 added, 0 already there."
    got = lines(store)
    assert [ln.amount_minor for ln in got] == [-250, -250, -8412, 123456]
    assert got[0].text == "CAFETERÍA SOL"  # latin-1 read as latin-1
    assert got[3].booked_on == date(2026, 11, 5) and got[3].value_on == date(2026, 11, 4)
    assert (got[0].rule_account, got[0].rule_memo) == ("6300", "café")
    assert (got[2].rule_account, got[2].rule_contact) == ("6200", "Iberdrola")
    assert got[3].rule_account == "" and all(ln.state == "open" for ln in got)
    again = run(store, data, rules=RULES)
    assert (again.read, again.added, again.already) == (4, 0, 4)
    assert counts(store) == (1, 4)
    assert errors(store) == []


def test_a_csv_whose_last_line_has_no_balance_says_there_is_no_closing_one(store) -> None:  # noqa: ANN001
    """The rules name a balance column, but the bank left the last line's empty: the
    statement had no closing balance without a word (and the books were then never compared
    with the bank's figure). The summary says so, and which line."""
    last = ("06/11/2026", "06/11/2026", "CAFETERÍA SOL", "-2,50", "")
    got = run(store, csv_es(*NOVEMBER, last), rules=RULES)
    assert got.closing is None and got.added == 5
    assert str(got.no_closing) == (
        "No closing balance: the statement's last line (line 6) has no balance, so the books "
        "are not compared with the bank's figure."
    )
    full = run(store, csv_es(*LATER), rules=RULES)
    assert full.closing == Decimal("3136.94") and full.no_closing is None
    plain = b"skip 1\nfields date, description, amount\n"  # no balance column: nothing to say
    bare = run(store, b"d,t,a\n2026-11-20,Tea,-1.00\n", rules=plain)
    assert bare.closing is None and bare.no_closing is None


def test_two_identical_coffees_on_one_day_are_two_lines(store) -> None:  # noqa: ANN001
    coffee = ("02/11/2026", "02/11/2026", "CAFETERÍA SOL", "-2,50", "")
    assert run(store, csv_es(coffee, coffee), rules=RULES).added == 2
    got = lines(store)
    assert len(got) == 2 and got[0].fingerprint != got[1].fingerprint
    # the same day exported again, with a third coffee bought later that day: one more line
    assert run(store, csv_es(coffee, coffee, coffee), rules=RULES).added == 1
    assert counts(store)[1] == 3


def test_an_overlapping_statement_adds_only_the_new_lines(store) -> None:  # noqa: ANN001
    run(store, csv_es(*NOVEMBER), rules=RULES)
    later = run(store, csv_es(*LATER), rules=RULES)
    assert (later.read, later.added, later.already) == (3, 2, 1)
    assert [ln.amount_minor for ln in lines(store)][-2:] == [-250, -600]
    assert counts(store) == (2, 6)


def test_a_dry_run_stores_nothing(store) -> None:  # noqa: ANN001
    dry = run(store, csv_es(*NOVEMBER), rules=RULES, dry_run=True)
    assert (dry.dry_run, dry.added) == (True, 4)
    assert str(dry.message) == "4 lines read: 4 would be added, 0 already there."
    assert counts(store) == (0, 0)


def test_bad_lines_are_named_and_nothing_is_stored(store) -> None:  # noqa: ANN001
    data = csv_es(
        NOVEMBER[0],
        ("03/11/2026", "03/11/2026", "RECIBO", "-84.12", ""),  # a point where , is the mark
        ("31/11/2026", "31/11/2026", "NO SUCH DAY", "-1,00", ""),
        ("04/11/2026", "04/11/2026", "TOO MANY DECIMALS", "-1,005", ""),
    )
    with pytest.raises(ValidationError) as exc:
        run(store, data, rules=RULES)
    text = str(exc.value)
    assert "line 3: amount: '-84.12' is ambiguous" in text
    assert "line 4: date: '31/11/2026': there is no such day" in text  # written so, all the same
    assert "line 5: amount: '-1,005' has more decimals than the currency's 2" in text
    assert "line 2" not in text
    assert counts(store) == (0, 0)


def test_a_quote_in_a_bank_csv_is_never_guessed_at(store) -> None:  # noqa: ANN001
    """'"RECIBO" LUZ' was read as "RECIBO LUZ"; a quote never closed took in every line
    after it as one memo."""
    data = csv_es(
        NOVEMBER[0],
        ("03/11/2026", "03/11/2026", '"RECIBO" LUZ', "-84,12", "1.910,88"),
    )
    with pytest.raises(ValidationError) as exc:
        run(store, data, rules=RULES)
    assert 'line 3: text after the closing " of a quoted cell' in str(exc.value)
    data = csv_es(
        NOVEMBER[0], ("03/11/2026", "03/11/2026", '"RECIBO LUZ', "-84,12", "1.910,88"), LATER[1]
    )
    with pytest.raises(ValidationError) as exc:
        run(store, data, rules=RULES)
    assert "line 3: a quoted cell starts here and is never closed" in str(exc.value)
    assert counts(store) == (0, 0)


def test_a_bad_rules_file_is_refused_with_its_lines(store) -> None:  # noqa: ANN001
    rules = b"skip 1\ndecimal-mark ;\nfields date, description\nif CAFE\n  account2 9999\n"
    with pytest.raises(ValidationError) as exc:
        run(store, csv_es(*NOVEMBER), rules=rules)
    text = str(exc.value)
    assert "line 2: rules file: decimal-mark is . or ," in text
    assert "rules file: the fields need amount, or amount-in and amount-out" in text
    assert counts(store) == (0, 0)
    unknown = RULES_ES.replace("account2 6300", "account2 9999").encode()
    with pytest.raises(
        ValidationError, match="line 10: rules file: account2 '9999' is not in the chart"
    ):
        run(store, csv_es(*NOVEMBER), rules=unknown)
    # an if with no pattern matched no line, and said nothing
    bare = RULES_ES.replace("if CAFETER", "if\n  account2 6000\nif CAFETER", 1).encode()
    assert bare != RULES_ES.encode()
    with pytest.raises(ValidationError, match="rules file: if needs a pattern"):
        run(store, csv_es(*NOVEMBER), rules=bare)


def test_amount_in_and_out_columns(store) -> None:  # noqa: ANN001
    rules = b"skip 1\nfields date, description, amount-out, amount-in, code\n"
    data = b"date,text,out,in,id\n2026-11-02,Rent,800.00,,T1\n2026-11-03,Sale,,1,250.00,T2\n"
    with pytest.raises(ValidationError, match="line 3"):  # a comma splits the in column
        run(store, data, rules=rules)
    data = b'date,text,out,in,id\n2026-11-02,Rent,800.00,,T1\n2026-11-03,Sale,,"1,250.00",T2\n'
    assert run(store, data, rules=rules).added == 2
    assert [(ln.amount_minor, ln.transaction_id) for ln in lines(store)] == [
        (-80000, "T1"),
        (125000, "T2"),
    ]


@pytest.mark.parametrize(
    "text,mark,exp,minor",
    [
        ("1.234,56", ",", 2, 123456),
        ("-2,5", ",", 2, -250),
        ("1,234.56", ".", 2, 123456),
        ("1 500 000", ",", 0, 1500000),
        ("12,500", ".", 2, 1250000),  # "," can only group when "." is the mark
    ],
)
def test_amounts_are_read_exactly(text, mark, exp, minor) -> None:  # noqa: ANN001
    assert read_amount(text, mark, exp) == minor


@pytest.mark.parametrize(
    "text,mark,exp",
    [
        ("12.50", ",", 2),  # not a thousands group: which mark was meant?
        ("12,345", ",", 2),  # three decimals in euros
        ("1.234.5", ".", 2),
        ("1e3", ".", 2),
        ("12,5.0", ".", 2),
        ("", ".", 2),
        ("350.000", ".", 0),
    ],
)
def test_ambiguous_or_wrong_amounts_are_refused(text, mark, exp) -> None:  # noqa: ANN001
    with pytest.raises(BadValue):
        read_amount(text, mark, exp)


def test_a_line_with_a_new_bank_id_is_new_however_like_an_earlier_one(store) -> None:  # noqa: ANN001
    """Yesterday's download held a 3.00 coffee (id C1); today's holds only another 3.00
    coffee on the same day (id C2): it is added. (It was taken for C1 by its day, amount
    and text, and dropped as already there.) Both again add nothing."""
    rules = b"skip 1\nfields date, description, amount, code\n"
    first = b"date,text,amount,id\n2026-12-01,Coffee,-3.00,C1\n"
    second = b"date,text,amount,id\n2026-12-01,Coffee,-3.00,C2\n"
    both = b"date,text,amount,id\n2026-12-01,Coffee,-3.00,C1\n2026-12-01,Coffee,-3.00,C2\n"
    assert run(store, first, rules=rules).added == 1
    again = run(store, second, rules=rules)
    assert (again.added, again.already) == (1, 0)
    assert sorted(ln.transaction_id for ln in lines(store)) == ["C1", "C2"]
    assert run(store, both, rules=rules).added == 0


def test_a_line_of_zero_is_read_and_left_out(store) -> None:  # noqa: ANN001
    """A bank prints 0.00 lines (a card check, an interest line of nothing): they move no
    money, so nothing could ever match them; they are counted and not stored, and the same
    file again adds nothing."""
    rules = b"skip 1\nfields date, description, amount, code\n"
    data = b"date,text,amount,id\n2026-11-02,Card check,0.00,T0\n2026-11-03,Sale,25.00,T1\n"
    first = run(store, data, rules=rules)
    assert (first.read, first.added, first.already, first.nothing) == (2, 1, 0, 1)
    assert str(first.message) == (
        "2 lines read: 1 added, 0 already there, 1 of zero left out (it moves no money)."
    )
    assert [ln.amount_minor for ln in lines(store)] == [2500]
    again = run(store, data, rules=rules)
    assert (again.added, again.already, again.nothing) == (0, 1, 1)
    assert errors(store) == []


def test_ofx_sgml_and_xml_share_their_transaction_ids(store) -> None:  # noqa: ANN001
    v1 = run(store, ofx_v1())
    assert (v1.format, v1.read, v1.added) == ("ofx", 2, 2)
    assert (v1.closing, v1.closing_date) == (Decimal("1234.10"), date(2026, 11, 30))
    got = lines(store)
    # the booking day as the bank wrote it (never moved to another day by a time zone)
    assert (got[0].booked_on, got[0].amount_minor, got[0].transaction_id) == (
        date(2026, 11, 5),
        -4590,
        "2026110501",
    )
    assert (got[1].counterpart, got[1].text) == ("CYCLE CLUB", "INV-00001")
    assert (got[0].value_on, got[1].value_on) == (None, date(2026, 11, 8))
    assert run(store, ofx_v1()).added == 0
    v2 = run(store, ofx_v2())  # the bank's XML export: one line new, one known by its FITID
    assert (v2.read, v2.added, v2.already) == (2, 1, 1)
    assert counts(store) == (2, 3)
    with store.read() as uow:
        closing = uow.session.scalars(select(BankStatement.closing_minor)).all()
    assert sorted(closing) == [122210, 123410]


def test_ofx_text_reads_its_character_entities(store) -> None:  # noqa: ANN001
    """OFX writes & < > as &amp; &lt; &gt; (section 2.3; banks mix in &apos; and &nbsp;):
    they were kept as written, so "TEA &amp; CAKE" never matched a rule for "TEA & CAKE"."""
    data = (
        ofx_v1()
        .replace(b"<NAME>HARDWARE WHOLESALE", b"<NAME>TEA &amp; CAKE")
        .replace(b"<MEMO>Card purchase 4411", b"<MEMO>&lt;4411&gt; Ann&apos;s&nbsp;card")
    )
    assert run(store, data).added == 2
    got = lines(store)[0]
    assert (got.counterpart, got.text) == ("TEA & CAKE", "<4411> Ann's card")


def test_ofx_in_another_currency_is_refused(store) -> None:  # noqa: ANN001
    """Said of the whole file: it was "line 1: ...", a line that holds no currency."""
    with pytest.raises(ValidationError) as refused:
        run(store, ofx_v1("USD"))
    assert str(refused.value) == (
        "the statement is in USD, but the shop's books and its bank accounts are kept in EUR: "
        "import a statement of an account in EUR"
    )
    assert counts(store) == (0, 0)


def test_a_camt_account_in_dollars_with_amounts_in_euro_is_refused(store, tmp_path) -> None:  # noqa: ANN001
    """<Acct><Ccy>USD</Ccy> with every <Amt Ccy="EUR">, in a shop kept in euro: the amounts'
    currency was the only one looked at, so the statement of a dollar account was imported
    as euro without a word. Each amount is refused where it is, with both currencies, and
    the statement's currency against the books'; nothing is stored."""
    path = tmp_path / "usd.xml"
    path.write_bytes(camt053().replace(b"<Ccy>EUR</Ccy>", b"<Ccy>USD</Ccy>"))
    with pytest.raises(ValidationError) as refused:
        run(store, path.read_bytes())
    kept = (
        "the amount is in EUR, but the statement's account is kept in USD (<Acct><Ccy>): "
        "every amount of the statement must be in USD"
    )
    assert str(refused.value).splitlines() == [
        f"line 12: balance: {kept}",  # the opening balance
        f"line 17: balance: {kept}",  # the closing one
        f"line 22: amount: {kept}",  # the two booked entries
        f"line 40: amount: {kept}",
        "the statement is in USD, but the shop's books and its bank accounts are kept in EUR: "
        "import a statement of an account in EUR",
    ]
    assert counts(store) == (0, 0)


def test_a_camt_entry_in_another_currency_than_its_account_is_refused(store, tmp_path) -> None:  # noqa: ANN001
    """The account (and the shop) in euro, one entry in dollars: it was refused only as "line
    1: the file mixes currencies", a line that holds none; without <Acct><Ccy>, the file's
    first amount says which currency the others must be in."""
    path = tmp_path / "one.xml"
    one = camt053().replace(b'<Amt Ccy="EUR">250.00', b'<Amt Ccy="USD">250.00')
    path.write_bytes(one)
    with pytest.raises(ValidationError) as refused:
        run(store, path.read_bytes())
    assert str(refused.value) == (
        "line 40: amount: the amount is in USD, but the statement's account is kept in EUR "
        "(<Acct><Ccy>): every amount of the statement must be in EUR"
    )
    path.write_bytes(one.replace(b"<Ccy>EUR</Ccy>", b""))
    with pytest.raises(ValidationError) as refused:
        run(store, path.read_bytes())
    assert str(refused.value) == (
        "line 40: amount: the amount is in USD, but the file's first amount (line 12) is in "
        "EUR: every amount of a statement must be in one currency"
    )
    assert counts(store) == (0, 0)
    path.write_bytes(camt053().replace(b"<Ccy>EUR</Ccy>", b"<Ccy>eur</Ccy>"))
    assert run(store, path.read_bytes()).added == 2  # (a code's letter case says nothing)


def test_a_broken_ofx_header_is_said_in_one_line_without_the_file(store) -> None:  # noqa: ANN001
    """ofxtools' message carries the header it could not read: it was said whole, the
    file's lines inside the refusal."""
    broken = b"OFXHEADER:100\nDATA:OFXSGML\nVERSION:102\n\n<OFX><BANKMSGSRSV1>garbage"
    with pytest.raises(ValidationError) as exc:
        run(store, broken)
    said = str(exc.value)
    assert said == "not an OFX file bizdesk can read (OFX header is malformed)", said
    assert "garbage" not in said and "\n" not in said
    assert counts(store) == (0, 0)


def test_an_ofx_closing_tag_without_its_opening_one_is_not_an_ofx_file(store) -> None:  # noqa: ANN001
    """ "</FITID>" with no <FITID> before it: ofxtools' tree builder fails with an IndexError,
    which stopped bizdesk on an unexpected error."""
    with pytest.raises(ValidationError) as exc:
        run(store, ofx_v2().replace(b"<FITID>2026110702", b""))
    assert str(exc.value) == ("not an OFX file bizdesk can read (a closing tag has no opening tag)")
    assert counts(store) == (0, 0)


@pytest.mark.parametrize("version", ["02", "08"])
def test_camt053_entries_and_balances(store, version) -> None:  # noqa: ANN001
    result = run(store, camt053(version))
    assert (result.format, result.read, result.added) == ("camt053", 2, 2)  # pending left out
    assert (result.closing, result.closing_date) == (Decimal("1400.00"), date(2026, 11, 20))
    got = lines(store)
    assert [(ln.amount_minor, ln.transaction_id) for ln in got] == [
        (65000, "BANKREF-0001"),
        (-25000, "BANKREF-0002"),
    ]
    assert got[0].counterpart == "Cycle Club Ltd"
    assert got[0].counterpart_iban == "GB33BUKB20201555555555"
    assert got[0].text == "Payment INV-00002 thank you"
    assert got[1].counterpart == "Acme Supply"
    with store.read() as uow:
        st = uow.session.scalars(select(BankStatement)).one()
        uow.session.expunge_all()
    assert (st.opening_minor, st.opening_date, st.closing_minor) == (
        100000,
        date(2026, 11, 20),
        140000,
    )
    assert run(store, camt053(version)).added == 0


def test_a_bad_camt_entry_names_its_line(store) -> None:  # noqa: ANN001
    data = camt053(amount2="250.005")
    with pytest.raises(ValidationError) as exc:
        run(store, data)
    # the line of the entry's amount, and the field (it said the line of <Ntry>)
    entry = data.decode().splitlines().index("      <Ntry>", 30)
    bad_line = next(i for i, t in enumerate(data.decode().splitlines()) if "250.005" in t) + 1
    assert bad_line > entry + 1
    assert f"line {bad_line}: amount: '250.005' has more decimals" in str(exc.value)
    assert counts(store) == (0, 0)
    doctype = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><Document/>'
    with pytest.raises(ValidationError, match="DOCTYPE"):
        run(store, doctype)


def test_the_account_must_be_a_bank_or_cash_account(store) -> None:  # noqa: ANN001
    with pytest.raises(ValidationError, match="4000 Sales is not a bank or cash account"):
        run(store, ofx_v1(), account="4000")
    with pytest.raises(ValidationError, match="no account '9999'"):
        run(store, ofx_v1(), account="9999")
    assert run(store, ofx_v1(), account="1000").added == 2  # cash is fine
    with pytest.raises(ValidationError, match="needs its rules file"):
        run(store, csv_es(*NOVEMBER))


def test_only_owner_and_accountant_import(store) -> None:  # noqa: ANN001
    with store.write() as uow:
        for name, role in (("ana", "accountant"), ("sam", "sales"), ("wes", "warehouse")):
            users.add(uow, name, role)
        users.add(uow, "vic", "viewer")
    for name in ("sam", "wes", "vic"):
        other = Store(url=store.url, engine=store.engine, user=name)
        with pytest.raises(PermissionDenied, match="Importing bank statements is not allowed"):
            run(other, ofx_v1())
    assert counts(store) == (0, 0)
    ana = Store(url=store.url, engine=store.engine, user="ana")
    assert run(ana, ofx_v1()).added == 2


def test_rule_patterns_fields_and_and_the_file_encoding(store) -> None:  # noqa: ANN001
    rules = (
        "skip 1\nseparator ;\ndate-format %d/%m/%Y\ndecimal-mark ,\n"
        "fields date, date2, description, amount, _\n"
        "if CAFETER\n& %amount ^-2,50$\n  account2 6300\n"  # both must hold
        "if comisi[oó]n\n%description mantenimiento\n  account2 6400\n"  # either one
    ).encode()
    with pytest.raises(ValidationError, match="line 3: not utf-8 text"):  # latin-1, no rule
        run(store, csv_es(*LATER), rules=rules)
    rules += b"encoding latin-1\n"
    data = csv_es(*LATER, ("12/11/2026", "12/11/2026", "CAFETERÍA SOL", "-5,00", ""))
    assert run(store, data, rules=rules).added == 4
    got = {(ln.text, ln.amount_minor): ln.rule_account for ln in lines(store)}
    assert got[("CAFETERÍA SOL", -250)] == "6300"
    assert got[("CAFETERÍA SOL", -500)] == ""
    assert got[("COMISIÓN MANTENIMIENTO", -600)] == "6400"
    assert got[("TRANSFERENCIA DE CYCLE CLUB", 123456)] == ""


@pytest.mark.parametrize("amount", ["-1.000,00", "-1,000.00", "-1 000.00"])
def test_an_ofx_amount_with_thousands_separators_is_refused_as_the_format_writes(
    store, amount
) -> None:  # noqa: ANN001
    # OFX writes no grouping: "1,000.00" was read as 1000.00 (a bank that writes it so may
    # mean something else), and "1.000,00" was refused naming rules this file has none of.
    data = ofx_v1().replace(b"<TRNAMT>-45.90", f"<TRNAMT>{amount}".encode())
    with pytest.raises(ValidationError) as exc:
        run(store, data)
    said = str(exc.value)
    assert "is not an amount as this format writes one" in said and "rules" not in said, said
    assert counts(store) == (0, 0)


def test_one_transaction_id_for_two_different_lines_refuses_the_file(store) -> None:  # noqa: ANN001
    """The same FITID twice with another amount and text: "2 lines read: 1 added, 1
    already there", and the -7.50 line was never imported nor mentioned. The same line
    given twice with its id is still one line."""
    twice = ofx_v1().replace(b"<FITID>2026110702", b"<FITID>2026110501")
    with pytest.raises(ValidationError) as exc:
        run(store, twice)
    assert "transaction id '2026110501' is line" in str(exc.value.fields["file"])
    assert counts(store) == (0, 0)
    block = ofx_v1().split(b"<STMTTRN>")[1].split(b"</STMTTRN>")[0]
    repeated = ofx_v1().replace(
        b"</BANKTRANLIST>", b"<STMTTRN>" + block + b"</STMTTRN>\r\n</BANKTRANLIST>"
    )
    assert run(store, repeated).added == 2  # the first line repeated whole: one line


@pytest.mark.parametrize("data", [b"", b"\xef\xbb\xbf\r\n  \n"])
def test_an_empty_file_is_said_to_be_empty(store, data: bytes) -> None:  # noqa: ANN001
    """It was called "not an OFX or CAMT.053 file", which sent the person looking for a
    format problem."""
    with pytest.raises(ValidationError) as exc:
        run(store, data)
    assert exc.value.fields["file"] == "the file is empty: nothing in it to import; export it again"


def test_a_statement_of_another_bank_account_is_refused(store) -> None:  # noqa: ANN001
    assert run(store, ofx_v1()).added == 2  # 1010 now holds bank account 00012345
    other = (
        ofx_v1()
        .replace(b"<ACCTID>00012345", b"<ACCTID>00099999")
        .replace(b"FITID>2026", b"FITID>9026")
    )
    with pytest.raises(
        ValidationError,
        match="account 00099999, but 1010 Bank holds the statements of bank account 00012345",
    ):
        run(store, other)
    # the same bank account's file into another ledger account: named where it goes
    with pytest.raises(
        ValidationError,
        match="account 00012345, whose statements go to 1010 Bank; import it there",
    ):
        run(store, ofx_v2(), account="1000")
    assert counts(store) == (1, 2)
    assert run(store, other, account="1000").added == 2  # its own account: taken
    assert run(store, ofx_v2()).added == 1  # and 1010's next file still goes to 1010
    with store.read() as uow:
        refs = uow.session.execute(
            select(BankStatement.account_id, BankStatement.account_ref)
        ).all()
    assert sorted(ref for _, ref in refs) == ["00012345", "00012345", "00099999"]
    # a CAMT file names its IBAN the same way; a CSV file names none and binds nothing
    with pytest.raises(ValidationError, match="bank account RO49AAAA1B31007593840000, but 1010"):
        run(store, camt053())
    assert run(store, csv_es(*NOVEMBER), rules=RULES).added > 0


def test_an_iban_and_the_account_number_it_ends_with_are_one_bank_account(store) -> None:  # noqa: ANN001
    """The bank's OFX names the account by its number (ACCTID 1007593840000), its camt file
    by the IBAN that number ends RO49 AAAA 1B31 0075 9384 0000 with: one bank account (the
    camt month was refused as another)."""
    ofx = ofx_v1().replace(b"<ACCTID>00012345", b"<ACCTID>1007593840000")
    assert run(store, ofx).added == 2
    assert run(store, camt053()).added > 0  # into the same ledger account
    with pytest.raises(ValidationError, match="whose statements go to 1010 Bank"):
        run(store, camt053(amount2="251.00"), account="1000")


@pytest.mark.parametrize(
    ("one", "other", "same"),
    [
        ("GB82WEST12345698765432", "12345698765432", True),
        ("GB82 WEST 1234 5698 7654 32", "gb82west12345698765432", True),
        ("GB82WEST12345698765432", "98765432", True),
        ("GB82WEST12345698765432", "65432", False),  # too short to say
        ("GB82WEST12345698765432", "12345698765431", False),
        ("00012345", "12345", False),  # neither is an IBAN: only the same text
    ],
)
def test_same_bank_account(one: str, other: str, same: bool) -> None:
    from bizdesk.services.banking.statements import same_bank_account

    assert same_bank_account(one, other) is same
    assert same_bank_account(other, one) is same


def test_a_wrong_import_is_removed_and_its_file_may_come_again(store) -> None:  # noqa: ANN001
    """A file imported into the wrong account, or the wrong file, stayed for ever: its lines
    waited to be matched and could only be posted to something."""
    run(store, ofx_v1())
    run(store, ofx_v2())  # one line of its own, one the first file brought
    with store.read() as uow:
        listed = list_statements(uow)
    assert [(s.id, s.account, s.account_ref, s.lines, s.matched) for s in listed] == [
        (2, "1010", "00012345", 1, 0),
        (1, "1010", "00012345", 2, 0),
    ]
    assert (listed[1].closing, listed[1].closing_date) == (Decimal("1234.10"), date(2026, 11, 30))
    with store.write() as uow:
        said = str(remove_statement(uow, "#1"))
    assert said.startswith("Statement #1 (x) removed with its 2 lines; the file may be imported")
    assert said.endswith("import that file again to bring them back.")
    assert counts(store) == (1, 1)
    # the later file again: the line it shared comes back, under that file
    assert (run(store, ofx_v2()).added, counts(store)) == (1, (1, 2))
    assert run(store, ofx_v1()).added == 1  # and the first file may come again
    with store.read() as uow:
        events = [e.action for e in list_events(uow, entity="bank_statement")]
    assert events.count("delete") == 1


def test_a_statement_with_a_matched_line_is_not_removed(store) -> None:  # noqa: ANN001
    run(store, ofx_v1())
    with store.write() as uow:
        line = uow.session.scalar(select(BankLine.id).where(BankLine.amount_minor == -4590))
        reconcile.match_account(uow, line, "6300")
    with store.write() as uow, pytest.raises(ValidationError) as refused:
        remove_statement(uow, "1")
    assert str(refused.value.fields["statement"]) == (
        f"statement #1 has 1 matched line (#{line}); undo its match first (u on the bank "
        "screen, or bizdesk bank undo LINE)"
    )
    for bad in ("9", "x", ""):
        with store.write() as uow, pytest.raises(ValidationError, match="no statement"):
            remove_statement(uow, bad)
    with store.write() as uow:
        users.add(uow, "a_sales", "sales")
    other = Store(url=store.url, engine=store.engine, user="a_sales")
    with other.write() as uow, pytest.raises(PermissionDenied):
        remove_statement(uow, "1")
    assert counts(store) == (1, 2)
