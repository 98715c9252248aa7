"""Journal, product and stock-count imports through the services: all rows or none."""

from __future__ import annotations

import pytest

from bizdesk.errors import ValidationError
from bizdesk.services.books import ledger, ledger_reports
from bizdesk.services.exchange import erp_imports, journal_import
from tests.erp_helpers import errors, product

HEADER = "entry,date,account,debit,credit,memo,contact\n"


def test_a_bad_date_is_refused_saying_why(store) -> None:  # noqa: ANN001
    """0001-01-01 was "not a date (YYYY-MM-DD)", which it is written as: it is outside the
    years bizdesk keeps, and 2026-02-30 is a day that does not exist."""
    data = (
        HEADER
        + "A,0001-01-01,1010,5,,,\nA,0001-01-01,3000,,5,,\n"
        + "B,2026-02-30,1010,5,,,\nB,2026-02-30,3000,,5,,\n"
        + "C,20260215,1010,5,,,\nC,20260215,3000,,5,,\n"
    )
    with pytest.raises(ValidationError) as exc:
        journal_import.import_journal(store, data)
    said = str(exc.value).splitlines()
    assert said[0] == (
        "line 2: date: 0001-01-01 is outside the dates bizdesk accepts (1900-01-01 to 2199-12-31)"
    ), said
    assert said[2] == "line 4: date: '2026-02-30' is not a date: there is no such day", said
    assert said[4] == (
        "line 6: date: '20260215' is not a date: write YYYY-MM-DD, e.g. 2026-02-15"
    ), said


def test_journal_dry_run_writes_nothing(store) -> None:  # noqa: ANN001
    data = HEADER + "A,2026-11-01,1010,10,,x,\nA,2026-11-01,3000,,10,,\n"
    r = journal_import.import_journal(store, data, dry_run=True)
    assert r.created == 1 and r.dry_run
    with store.read() as uow:
        assert ledger_reports.trial_balance(uow)[0] == []


def test_a_refused_line_is_not_also_blamed_on_its_entry(store) -> None:  # noqa: ANN001
    """Entry A has two lines, one of them unreadable: the file is refused for that line only
    (it also said "entry A: an entry needs at least two lines", and first); an entry that
    has one line indeed still is told so."""
    data = (
        HEADER
        + "A,2026-11-01,1010,300000,,x,\nA,2026-11-01,3000,,30O000,x,\n"
        + "C,2026-11-01,1010,5,,,\nC,2026-11-01,9999,,5,,\n"
        + "D,2026-11-01,1010,5,5,,\nD,2026-11-01,3000,,5,,\n"
        + "B,2026-11-01,1010,5,,,\n"
    )
    with pytest.raises(ValidationError) as exc:
        journal_import.import_journal(store, data)
    said = str(exc.value).splitlines()
    assert said == [
        "line 3: debit/credit: '30O000' is not a number: use digits with . for decimals and "
        "no thousands separator, e.g. 12345.67",
        "line 5: account: no account '9999'",
        "line 6: debit: enter a debit or a credit (one of them, more than zero)",
        "line 8: entry B: an entry needs at least two lines",
    ], said


def test_journal_respects_lock_date_controlled_accounts_and_contacts(store) -> None:  # noqa: ANN001
    with store.write() as uow:
        ledger.set_lock_date(uow, "2026-10-31")
    data = (
        HEADER
        + "A,2026-10-31,1010,10,,,\nA,2026-10-31,3000,,10,,\n"
        + "B,2026-11-01,1200,10,,,\nB,2026-11-01,3000,,10,,\n"
        + "C,2026-11-01,1100,10,,,nobody@example.com\nC,2026-11-02,4000,,10,,\n"
    )
    with pytest.raises(ValidationError) as exc:
        journal_import.import_journal(store, data)
    text = str(exc.value)
    assert "line 2: date: the books are locked up to 2026-10-31" in text
    assert "line 4: account: 1200 Inventory changes only through stock moves" in text
    assert "line 6: contact: no contact 'nobody@example.com'" in text
    assert "line 7: date: entry C started on 2026-11-01 on line 6" in text


def test_journal_lines_on_receivables_and_payables_name_one_contact(store) -> None:  # noqa: ANN001
    """A receivable or payable line without a contact would be on no statement or aged list;
    a name two contacts share is never given to the older one."""
    from bizdesk.services.admin.checks import run_checks
    from bizdesk.services.crm import contacts
    from bizdesk.services.crm.contacts import ContactInput

    with store.write() as uow:
        first = contacts.create(uow, ContactInput(name="Ana Pop", city="Cluj")).contact.id
        second = contacts.create(uow, ContactInput(name="Ana Pop", city="Iași")).contact.id
        contacts.create(uow, ContactInput(name="Ion Rus", email="ion@example.com"))
    data = (
        HEADER
        + "A,2026-11-01,1100,10,,,\nA,2026-11-01,4000,,10,,\n"
        + "B,2026-11-01,2000,,10,,\nB,2026-11-01,6000,10,,,\n"
        + "C,2026-11-01,1100,10,,,ana pop\nC,2026-11-01,4000,,10,,\n"
    )
    with pytest.raises(ValidationError) as exc:
        journal_import.import_journal(store, data)
    text = str(exc.value)
    assert "line 2: contact: 1100 Accounts receivable holds what customers owe" in text
    assert "line 4: contact: 2000 Accounts payable holds what is owed to suppliers" in text
    assert f"line 6: contact: several contacts are named ana pop: #{first}, #{second}" in text
    ok = (
        HEADER
        + f"A,2026-11-01,1100,10,,,#{second}\nA,2026-11-01,4000,,10,,\n"
        + "B,2026-11-01,1100,5,,,ION@example.com\nB,2026-11-01,4000,,5,,\n"
    )
    assert journal_import.import_journal(store, ok).created == 2
    with store.read() as uow:
        rows, totals = ledger_reports.aging(uow, "receivable")
        tb = {r.code: r.balance for r in ledger_reports.trial_balance(uow)[0]}
        assert [r.contact for r in rows] == ["Ana Pop", "Ion Rus"]
        assert rows[0].contact_id == second
        assert totals["total"] == tb["1100"]
    assert [x for x in run_checks(store) if x.check == "party-line-contact"] == []


def test_check_finds_a_receivable_line_an_older_bizdesk_posted_without_contact(store) -> None:  # noqa: ANN001
    from datetime import date

    from bizdesk.models.ledger import JournalEntry, JournalLine
    from bizdesk.services.admin.checks import run_checks

    with store.write() as uow:  # as a version before this rule could post it
        e = JournalEntry(date=date(2026, 11, 1), state="posted", number=1, memo="old")
        uow.session.add(e)
        uow.session.flush()
        for role, d, c in (("receivable", 700, 0), ("sales", 0, 700)):
            uow.session.add(
                JournalLine(
                    entry_id=e.id,
                    account_id=ledger.account_for(uow, role).id,
                    debit_minor=d,
                    credit_minor=c,
                    date=e.date,
                    posted=True,
                )
            )
    found = [str(x.message) for x in run_checks(store) if x.check == "party-line-contact"]
    assert found == [
        "JE-1: a line on 1100 Accounts receivable names no customer or supplier, so it is on "
        "no statement or aged list; reverse the entry and post it again naming them"
    ]


def test_journal_numbers_follow_existing_entries(store) -> None:  # noqa: ANN001
    with store.write() as uow:
        e = ledger.create_draft(
            uow,
            ledger.EntryInput(
                "2026-11-01", "", [ledger.LineInput("1010", "5"), ledger.LineInput("3000", "", "5")]
            ),
        )
        ledger.post(uow, e.id, version=e.version)
    journal_import.import_journal(
        store, HEADER + "X,2026-11-02,1010,1.5,,,\nX,2026-11-02,3000,,1.50,,\n"
    )
    with store.write() as uow:
        e2 = ledger.create_draft(
            uow,
            ledger.EntryInput(
                "2026-11-03", "", [ledger.LineInput("1010", "1"), ledger.LineInput("3000", "", "1")]
            ),
        )
        assert ledger.post(uow, e2.id, version=e2.version).number == 3
    assert errors(store) == []


def test_stock_count_import_is_all_or_nothing(store) -> None:  # noqa: ANN001
    product(store, "A", cost="1")
    product(store, "B", cost="1")
    with store.write() as uow, pytest.raises(ValidationError) as exc:
        erp_imports.import_stock_count(uow, "sku,counted\nA,5\nB,-1\nZ,1\nA,\n")
    text = str(exc.value)
    assert "line 3: counted: must not be negative" in text
    assert "line 4: sku: no product with SKU 'Z'" in text
    assert "line 5: sku: A is also counted on line 2" in text
    assert "line 5: counted: a number is required" in text  # its other problem too
    with store.read() as uow:
        assert ledger_reports.trial_balance(uow)[0] == []  # A's count was rolled back


def test_imported_entries_are_searchable_and_the_index_is_checked(store, backend) -> None:  # noqa: ANN001
    from datetime import date

    from bizdesk.models.ledger import JournalEntry
    from bizdesk.services.overview.search import find

    data = HEADER + "A,2026-11-01,1010,10,,Quarterly insurance,\nA,2026-11-01,3000,,10,,\n"
    journal_import.import_journal(store, data)
    with store.read() as uow:
        assert [h.label for h in find(uow, "insurance")] == ["Entry JE-1 Quarterly insurance"]
    assert errors(store) == []
    with store.write() as uow:  # an entry written behind the services' back
        uow.session.add(JournalEntry(date=date(2026, 11, 2), memo="not indexed"))
    if backend == "sqlite":  # FTS5 is fed by the services; the check sees what they missed
        assert any(e.startswith("search-indexes") for e in errors(store))
    else:  # PostgreSQL's trigram index follows every row by itself
        with store.read() as uow:
            assert [h.label for h in find(uow, "Not Indexed")] == ["Entry draft not indexed"]
        assert errors(store) == []
