"""The journal: drafts, posting, numbering, reversal, the lock date and the reports."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from bizdesk.errors import PermissionDenied, ValidationError
from bizdesk.services.books import ledger, ledger_reports
from bizdesk.services.books.ledger import EntryInput, LineInput
from tests.erp_helpers import errors
from tests.test_cli import bizdesk
from tests.test_cli import db as db  # noqa: F401  (the fixture)


def _entry(day: str = "2026-11-02", *lines: tuple[str, str, str]) -> EntryInput:
    lines = lines or (("1010", "100.00", ""), ("3000", "", "100.00"))
    return EntryInput(date=day, memo="capital", lines=[LineInput(a, d, c) for a, d, c in lines])


def _post(store, *args) -> ledger.EntryView:  # noqa: ANN001
    with store.write() as uow:
        e = ledger.create_draft(uow, _entry(*args))
        return ledger.post(uow, e.id, version=e.version)


def test_template_installed_with_roles(store) -> None:  # noqa: ANN001
    with store.read() as uow:
        accounts = {a.code: a for a in ledger.list_accounts(uow)}
        assert accounts["1200"].role == "inventory"
        assert {a.type for a in accounts.values()} == {
            "asset",
            "liability",
            "equity",
            "income",
            "expense",
        }


def test_post_gives_sequential_numbers_and_freezes(store) -> None:  # noqa: ANN001
    a = _post(store)
    b = _post(store)
    assert (a.number, b.number) == (1, 2)
    assert a.state == "posted" and a.total_debit == a.total_credit == Decimal("100.00")
    with store.write() as uow, pytest.raises(ValidationError, match="reverse it instead"):
        ledger.update_draft(uow, a.id, _entry(), version=a.version)
    with store.write() as uow, pytest.raises(ValidationError, match="reverse it instead"):
        ledger.delete_draft(uow, a.id, version=a.version)
    assert errors(store) == []


def test_unbalanced_draft_is_kept_but_not_posted(store) -> None:  # noqa: ANN001
    with store.write() as uow:
        e = ledger.create_draft(
            uow, _entry("2026-11-02", ("1010", "100", ""), ("3000", "", "99.99"))
        )
    with store.write() as uow, pytest.raises(ValidationError) as exc:
        ledger.post(uow, e.id, version=e.version)
    assert "differ by 0.01" in exc.value.fields["lines"]
    with store.read() as uow:
        assert ledger.get_entry(uow, e.id).state == "draft"
        assert ledger.get_entry(uow, e.id).number is None


@pytest.mark.parametrize(
    ("line", "field", "message"),
    [
        (("9999", "1", ""), "line 1 account", "no account"),
        (("1010", "1.001", ""), "line 1 debit", "at most 2 decimals"),
        (("1010", "-5", ""), "line 1 debit", "negative"),
        (("1010", "abc", ""), "line 1 debit", "not a number"),
        (("1010", "5", "5"), "line 1 debit", "one of them"),
        (("1010", "", ""), "line 1 debit", "one of them"),
    ],
)
def test_bad_lines_are_refused_per_field(store, line, field, message) -> None:  # noqa: ANN001
    with store.write() as uow, pytest.raises(ValidationError) as exc:
        ledger.create_draft(uow, _entry("2026-11-02", line, ("3000", "", "1")))
    assert message in exc.value.fields[field]


@pytest.mark.parametrize("credit", ["10000000000000000", "12,345", "abc"])
def test_a_refused_amount_is_the_one_thing_said_of_its_line(store, credit) -> None:  # noqa: ANN001
    """A credit too large or unreadable beside an empty debit was also told "enter a debit
    or a credit": it was entered."""
    with store.write() as uow, pytest.raises(ValidationError) as exc:
        ledger.create_draft(uow, _entry("2026-11-02", ("1010", "1", ""), ("3000", "", credit)))
    assert list(exc.value.fields) == ["line 2 credit"], exc.value.fields


def test_reversal_mirrors_and_links_once(store) -> None:  # noqa: ANN001
    a = _post(store)
    with store.write() as uow:
        r = ledger.reverse(uow, a.id, "2026-11-03")
    assert r.reverses_id == a.id and r.number == 2
    assert [(ln.debit, ln.credit) for ln in r.lines] == [
        (Decimal("0.00"), Decimal("100.00")),
        (Decimal("100.00"), Decimal("0.00")),
    ]
    with store.read() as uow:
        assert ledger.get_entry(uow, a.id).reversed_by_number == 2
        rows, total = ledger_reports.trial_balance(uow)
        assert all(r.balance == 0 for r in rows)
    with store.write() as uow, pytest.raises(ValidationError, match="reversed already"):
        ledger.reverse(uow, a.id)


def test_a_reversal_is_never_dated_before_its_original(store) -> None:  # noqa: ANN001
    a = _post(store, "2026-11-02")
    with store.write() as uow, pytest.raises(ValidationError) as exc:
        ledger.reverse(uow, a.id, "2023-11-02")
    assert exc.value.fields["date"] == (
        "2023-11-02 is before JE-1 itself (2026-11-02); "
        "a reversal is dated on or after its original"
    )
    with store.write() as uow, pytest.raises(ValidationError, match="before JE-1 itself"):
        ledger.reverse(uow, a.id, "2026-11-01")
    with store.read() as uow:  # the refusals left nothing behind
        assert ledger.get_entry(uow, a.id).reversed_by_number is None
    with store.write() as uow:
        r = ledger.reverse(uow, a.id, "2026-11-02")  # the same day is fine
    assert r.date == date(2026, 11, 2)


def test_a_reversal_of_a_future_entry_defaults_to_its_date(store) -> None:  # noqa: ANN001
    later = date.fromordinal(date.today().toordinal() + 40)
    a = _post(store, later.isoformat())
    with store.write() as uow:
        r = ledger.reverse(uow, a.id)
    assert r.date == later


def test_an_entry_a_document_made_is_not_reversed_in_the_journal(store) -> None:  # noqa: ANN001
    """A stock adjustment's entry reversed alone would leave the stock's value apart from
    the inventory account: the journal refuses it and says where it is corrected."""
    from sqlalchemy import select

    from bizdesk.models.ledger import JournalEntry
    from bizdesk.services.inventory import moves
    from tests.erp_helpers import product

    pid = product(store, "BOLT", cost="2.00")
    with store.write() as uow:
        made = moves.adjust(uow, pid, "5", "found in the back")
        entry_id = uow.session.scalars(
            select(JournalEntry.id).where(JournalEntry.number == made.entry_number)
        ).one()
    with pytest.raises(ValidationError) as exc, store.write() as uow:
        ledger.reverse(uow, entry_id)
    said = str(exc.value)
    assert "stock adjustment" in said and "not by a reversal in the journal" in said
    assert errors(store) == []


def test_lock_date_refuses_posting_on_or_before(store) -> None:  # noqa: ANN001
    with store.write() as uow:
        ledger.set_lock_date(uow, "2026-10-31")
    with pytest.raises(ValidationError, match="locked up to 2026-10-31"):
        _post(store, "2026-10-31")
    assert _post(store, "2026-11-01").number == 1  # the refused one took no number


def test_a_lock_date_set_elsewhere_holds_for_a_session_open_before(store) -> None:  # noqa: ANN001
    """A session open since before (the interface, its settings read at start) posts after
    the owner locked the books from another process: the lock holds for it at once."""
    from bizdesk.db import open_store

    with store.read() as uow:
        assert ledger.lock_date(uow) is None  # this session has read the settings
    elsewhere = open_store(store.url, user="tester")
    try:
        with elsewhere.write() as uow:
            ledger.set_lock_date(uow, "2026-10-31")
    finally:
        elsewhere.dispose()
    with pytest.raises(ValidationError, match="locked up to 2026-10-31"):
        _post(store, "2026-10-15")
    with store.read() as uow:  # and it reads the new date from then on
        assert ledger.lock_date(uow).isoformat() == "2026-10-31"


def test_the_lock_date_closes_past_days_and_reopens_only_when_asked(store) -> None:  # noqa: ANN001
    """A lock date after today is refused (it would close days that have not happened);
    moving it back or removing it opens closed days again, so it needs ``reopen``."""
    from datetime import date, timedelta

    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    with store.write() as uow:
        with pytest.raises(ValidationError, match="is after today"):
            ledger.set_lock_date(uow, tomorrow)
        assert ledger.lock_date(uow) is None
        ledger.set_lock_date(uow, date.today().isoformat())  # today at the latest
        ledger.set_lock_date(uow, "2026-10-31", reopen=True)
    with store.write() as uow:
        ledger.set_lock_date(uow, "2026-11-15")  # forward: closes more, asks nothing
        with pytest.raises(ValidationError) as refused:
            ledger.set_lock_date(uow, "2026-10-31")
        assert str(refused.value.fields["reopen"]) == (
            "the books are locked up to 2026-11-15; this opens the days from 2026-11-01 to "
            "2026-11-15 to posting again: confirm that you mean to reopen them"
        )
        with pytest.raises(ValidationError, match="opens every day up to it"):
            ledger.set_lock_date(uow, "")
        assert ledger.lock_date(uow).isoformat() == "2026-11-15"
    with store.write() as uow:
        assert ledger.set_lock_date(uow, "", reopen=True) is None


def test_the_command_line_reopens_with_its_flag(db) -> None:  # noqa: ANN001
    assert bizdesk("lock-date", "2026-11-15", "--db", db).returncode == 0
    back = bizdesk("lock-date", "none", "--db", db)
    assert back.returncode == 1 and "Traceback" not in back.stderr
    assert back.stderr.startswith("The books are locked up to 2026-11-15")  # a sentence
    assert back.stderr.strip().endswith(
        "to posting again: confirm that you mean to reopen them. Add --reopen to do so."
    )
    assert bizdesk("lock-date", "--db", db).stdout == "Locked up to 2026-11-15\n"
    ok = bizdesk("lock-date", "none", "--reopen", "--db", db)
    assert (ok.returncode, ok.stdout) == (0, "No lock date\n")


def test_only_the_owner_moves_the_lock_date(store) -> None:  # noqa: ANN001
    from bizdesk.db import open_store
    from bizdesk.models.core import User

    with store.write() as uow:
        uow.session.add(User(username="clerk", role="accountant"))
    clerk = open_store(store.url, user="clerk")
    with clerk.write() as uow, pytest.raises(PermissionDenied):
        ledger.set_lock_date(uow, "2026-10-31")
    clerk.dispose()


def test_accounts_add_rename_archive_delete(store) -> None:  # noqa: ANN001
    with store.write() as uow:
        a = ledger.add_account(uow, "6600", "Insurance", "expense")
        with pytest.raises(ValidationError, match="exists already"):
            ledger.add_account(uow, "6600", "Other", "expense")
        with pytest.raises(ValidationError, match="must be one of"):
            ledger.add_account(uow, "6700", "Other", "costs")
        ledger.rename_account(uow, a.id, "Insurance premiums")
    _post(store, "2026-11-02", ("6600", "10", ""), ("1000", "", "10"))
    with store.write() as uow:
        with pytest.raises(ValidationError, match="archive it instead"):
            ledger.delete_account(uow, a.id)
        ledger.set_account_archived(uow, a.id)
    with store.write() as uow, pytest.raises(ValidationError, match="archived"):
        ledger.create_draft(uow, _entry("2026-11-02", ("6600", "1", ""), ("1000", "", "1")))
    with store.write() as uow, pytest.raises(ValidationError, match="cannot be archived"):
        ledger.set_account_archived(uow, ledger.account_for(uow, "inventory").id)


def test_reports_agree(store) -> None:  # noqa: ANN001
    _post(store, "2026-10-01", ("1010", "1000", ""), ("3000", "", "1000"))
    _post(store, "2026-10-15", ("1010", "250", ""), ("4000", "", "250"))
    _post(store, "2026-11-05", ("6000", "400", ""), ("1010", "", "400"))
    with store.read() as uow:
        rows, total = ledger_reports.trial_balance(uow)
        assert total.debit == total.credit == Decimal("1650.00")
        assert {r.code: r.balance for r in rows}["1010"] == Decimal("850.00")
        # as of a date leaves later lines out
        rows, _ = ledger_reports.trial_balance(uow, date(2026, 10, 31))
        assert {r.code: r.balance for r in rows}["1010"] == Decimal("1250.00")
        _, profit = ledger_reports.profit_loss(uow, date(2026, 10, 1), date(2026, 10, 31))
        assert profit == Decimal("250.00")
        _, profit = ledger_reports.profit_loss(uow, None, None)
        assert profit == Decimal("-150.00")
        lines, totals = ledger_reports.balance_sheet(uow, None)
        assert totals["asset"] == totals["liabilities_and_equity"] == Decimal("850.00")
        gl = list(ledger_reports.general_ledger(uow, date(2026, 10, 10), None))
        bank = [r for r in gl if r.code == "1010"]
        assert bank[0].memo == "Opening balance" and bank[0].balance == Decimal("1000.00")
        assert bank[-1].balance == Decimal("850.00")


def test_aging_fifo_by_contact(store) -> None:  # noqa: ANN001
    from bizdesk.services.crm import contacts
    from bizdesk.services.crm.contacts import ContactInput

    with store.write() as uow:
        cid = contacts.create(uow, ContactInput(name="Dana Client")).contact.id
    ar = "1100"
    for day, d, c in (
        ("2026-08-01", "100", ""),
        ("2026-10-20", "50", ""),
        ("2026-11-01", "", "120"),
    ):
        with store.write() as uow:
            lines = [LineInput(ar, d, c, f"#{cid}"), LineInput("4000", c, d)]
            e = ledger.create_draft(uow, EntryInput(day, "", lines))
            ledger.post(uow, e.id, version=e.version)
    with store.read() as uow:
        rows, totals = ledger_reports.aging(uow, "receivable", date(2026, 11, 22))
        stmt = ledger_reports.contact_statement(uow, cid)
    assert len(rows) == 1 and rows[0].total == Decimal("30.00")
    assert rows[0].buckets["31_60"] == Decimal("30.00")  # the oldest 100 was paid first
    assert stmt.rows[-1].balance == stmt.closing == Decimal("30.00")


def test_aging_tells_two_contacts_of_one_name_apart_as_a_form_does(store) -> None:  # noqa: ANN001
    """Two customers named Võ Văn An: the report shows each with its number, which the
    statement takes back; so is one whose namesake owes nothing (the report named it alone,
    and the statement then asked which); a name no one else has stays as it is."""
    from bizdesk.services.crm import contacts
    from bizdesk.services.crm.contacts import ContactInput
    from bizdesk.services.overview import reports

    with store.write() as uow:
        ids = [
            contacts.create(uow, ContactInput(name=name, email=f"c{i}@example.com")).contact.id
            for i, name in enumerate(("Võ Văn An", "Võ Văn An", "Lê Thị Hoa", "Đặng Thu"))
        ]
        contacts.create(uow, ContactInput(name="Đặng Thu", email="namesake@example.com"))
        for cid in ids:
            lines = [LineInput("1100", "10", "", f"#{cid}"), LineInput("4000", "", "10")]
            e = ledger.create_draft(uow, EntryInput("2026-11-01", "", lines))
            ledger.post(uow, e.id, version=e.version)
        rep = reports.build(uow, "ar-aging", as_of=date(2026, 11, 22))
        shown = sorted(r["contact"] for r in rep.rows)
        assert shown == [
            "Lê Thị Hoa",
            f"Võ Văn An #{ids[0]}",
            f"Võ Văn An #{ids[1]}",
            f"Đặng Thu #{ids[3]}",
        ]
        assert contacts.resolve(uow, f"Võ Văn An #{ids[1]}").id == ids[1]


def test_aging_shows_customers_in_credit_so_its_total_is_the_account(store) -> None:  # noqa: ANN001
    """A customer who paid twice is owed money back. The aged total left them out, so it was
    not the account's balance (in JSON too). They are a row of negative amounts, aged from
    the payments that made it, and the total is the trial balance's."""
    from bizdesk.services.crm import contacts
    from bizdesk.services.crm.contacts import ContactInput
    from bizdesk.services.overview.reports import as_json, build

    with store.write() as uow:
        ana = contacts.create(uow, ContactInput(name="Ana Owes")).contact.id
        ben = contacts.create(uow, ContactInput(name="Ben Paid Twice")).contact.id
    for cid, day, d, c in (
        (ana, "2026-11-01", "30", ""),
        (ben, "2026-08-02", "50", ""),
        (ben, "2026-08-03", "", "50"),
        (ben, "2026-11-04", "", "50"),
    ):
        with store.write() as uow:
            lines = [LineInput("1100", d, c, f"#{cid}"), LineInput("1010", c, d)]
            e = ledger.create_draft(uow, EntryInput(day, "", lines))
            ledger.post(uow, e.id, version=e.version)
    with store.read() as uow:
        rows, totals = ledger_reports.aging(uow, "receivable", date(2026, 11, 22))
        tb = {r.code: r.balance for r in ledger_reports.trial_balance(uow)[0]}
        rep = build(uow, "ar-aging", as_of=date(2026, 11, 22))
        stmt = build(uow, "statement", contact=f"#{ben}", date_to=date(2026, 11, 22))
        ana_stmt = build(uow, "statement", contact=f"#{ana}", date_to=date(2026, 11, 22))
    # the statement's words follow the sign: Ben is owed, Ana owes
    assert stmt.notes == ["Balance: -50.00 (we owe)"]
    assert ana_stmt.notes == ["Balance: 30.00 (owes us)"]
    assert [(r.contact, r.total) for r in rows] == [
        ("Ana Owes", Decimal("30.00")),
        ("Ben Paid Twice", Decimal("-50.00")),
    ]
    assert rows[1].buckets["0_30"] == Decimal("-50.00")  # the newest payment made the credit
    assert tb["1100"] == totals["total"] == Decimal("-20.00")
    assert totals["0_30"] == Decimal("-20.00")
    assert totals["in_credit"] == Decimal("50.00") and totals["in_credit_contacts"] == 1
    assert rep.notes == [
        "1 customer in credit, owed 50.00 back, is shown as negative amounts aged from the "
        "payments and credit notes that made it; the total is the account's balance"
    ]
    doc = as_json(rep)
    assert doc["totals"]["total"] == "-20.00" and doc["rows"][1]["days_0_30"] == "-50.00"
    assert doc["notes"] == rep.notes  # --format json keeps what the table says


def test_aging_reads_past_an_undone_payment(store) -> None:  # noqa: ANN001
    """A payment reversed (a bank match undone) gives the invoice back its age: the reversal
    and the payment are left out of the ages, not aged from the day of the reversal."""
    from bizdesk.services.crm import contacts
    from bizdesk.services.crm.contacts import ContactInput
    from bizdesk.services.overview.reports import build

    with store.write() as uow:
        cid = contacts.create(uow, ContactInput(name="Eva Undone")).contact.id
    ids = []
    for day, d, c in (("2026-08-01", "100", ""), ("2026-08-10", "", "100")):
        with store.write() as uow:
            lines = [LineInput("1100", d, c, f"#{cid}"), LineInput("1010", c, d)]
            e = ledger.create_draft(uow, EntryInput(day, "", lines))
            ids.append(ledger.post(uow, e.id, version=e.version).id)
    with store.write() as uow:
        ledger.reverse(uow, ids[1], when="2026-11-20")
    with store.read() as uow:
        rows, _ = ledger_reports.aging(uow, "receivable", date(2026, 11, 22))
        before, _ = ledger_reports.aging(uow, "receivable", date(2026, 11, 19))
        stmt = build(uow, "statement", contact=f"#{cid}", date_to=date(2026, 11, 19))
    assert stmt.notes == ["Balance: 0.00 (settled)"]
    assert rows[0].total == rows[0].buckets["over_90"] == Decimal("100.00")
    assert before == []  # paid then, and the reversal not yet made


def test_million_dimes_sum_exactly(store) -> None:  # noqa: ANN001
    """A million amounts of 0.10 sum to exactly 100000.00 (integer minor units in SQL)."""
    from sqlalchemy import text

    from bizdesk.models.ledger import JournalEntry, JournalLine

    with store.write() as uow:
        e = JournalEntry(date=date(2026, 11, 1), state="posted", number=1, memo="dimes")
        uow.session.add(e)
        uow.session.flush()
        cash = ledger.account_for(uow, "cash").id
        sales = ledger.account_for(uow, "sales").id
        # a million lines of 0.10, written by the database itself (a recursive count)
        uow.session.execute(
            text(
                "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n "
                "WHERE i < 1000000) INSERT INTO journal_line (entry_id, account_id, "
                "debit_minor, credit_minor, memo, date, posted) "
                "SELECT :e, :a, 10, 0, '', :d, TRUE FROM n"
            ),
            {"e": e.id, "a": cash, "d": date(2026, 11, 1)},
        )
        uow.session.add(
            JournalLine(
                entry_id=e.id,
                account_id=sales,
                credit_minor=100_000_00,
                date=date(2026, 11, 1),
                posted=True,
            )
        )
    with store.read() as uow:
        rows, total = ledger_reports.trial_balance(uow)
    assert {r.code: r.debit for r in rows}["1000"] == Decimal("100000.00")
    assert total.balance == 0


def test_a_receivable_or_payable_line_names_its_contact(store) -> None:  # noqa: ANN001
    """Without a contact the amount would be in the books but on no statement, reminder or
    aged list: the aged receivables would no longer add up to the ledger."""
    from bizdesk.services.crm import contacts
    from bizdesk.services.crm.contacts import ContactInput

    for account, words in (("1100", "name the customer"), ("2000", "name the supplier")):
        with store.write() as uow, pytest.raises(ValidationError) as exc:
            ledger.create_draft(uow, _entry("2026-11-02", (account, "5", ""), ("4000", "", "5")))
        assert words in exc.value.fields["line 1 contact"]
    with store.write() as uow:
        cid = contacts.create(uow, ContactInput(name="Dana Client")).contact.id
    e = _post(store, "2026-11-02", ("4000", "", "5"), ("1010", "5", ""))  # no party: as before
    assert e.state == "posted"
    with store.write() as uow:
        lines = [LineInput("1100", "5", "", f"#{cid}"), LineInput("4000", "", "5")]
        e = ledger.create_draft(uow, EntryInput("2026-11-02", "", lines))
        ledger.post(uow, e.id, version=e.version)
    with store.read() as uow:
        rows, totals = ledger_reports.aging(uow, "receivable", date(2026, 11, 22))
        tb = {r.code: r.balance for r in ledger_reports.trial_balance(uow)[0]}
    assert totals["total"] == tb["1100"] == Decimal("5.00")


def test_hand_made_lines_cannot_touch_controlled_accounts(store) -> None:  # noqa: ANN001
    with store.write() as uow, pytest.raises(ValidationError) as exc:
        ledger.create_draft(uow, _entry("2026-11-02", ("1200", "5", ""), ("1010", "", "5")))
    assert "changes only through stock moves" in exc.value.fields["line 1 account"]


def test_save_and_post_is_one_step_for_a_new_entry_and_a_draft(store) -> None:  # noqa: ANN001
    with store.write() as uow:
        posted = ledger.save_and_post(uow, _entry())
    assert (posted.state, posted.label) == ("posted", "JE-1")
    with store.write() as uow:
        draft = ledger.create_draft(uow, _entry("2026-11-03"))
    with store.write() as uow:
        again = ledger.save_and_post(
            uow, _entry("2026-11-04"), entry_id=draft.id, version=draft.version
        )
    assert (again.id, again.state, again.date) == (draft.id, "posted", date(2026, 11, 4))
    assert errors(store) == []


def test_save_and_post_saves_nothing_when_it_cannot_post(store) -> None:  # noqa: ANN001
    from bizdesk.services.base.paging import PageRequest

    unbalanced = _entry("2026-11-02", ("1010", "100", ""), ("3000", "", "99.99"))
    with store.write() as uow, pytest.raises(ValidationError, match="differ by 0.01"):
        ledger.save_and_post(uow, unbalanced)
    with store.read() as uow:
        assert ledger.list_entries(uow, PageRequest()).rows == []


def test_aging_ages_the_documents_a_payment_left_open(store) -> None:  # noqa: ANN001
    """A payment pays the invoice it was made for: a customer billed in August and in
    November who paid November's owes August's, over 90 days (oldest-first showed the
    amount as 10 days old, while Home called all of it overdue). A credit note takes its
    part of its invoice back; a hand-made entry beyond the invoices is aged from its own
    date; a payment made by hand pays the oldest."""
    from bizdesk.services.trade import sales

    def invoice(day: str, qty: str, price: str) -> tuple[int, int, int]:
        with store.write() as uow:
            so = sales.create(
                uow,
                sales.SOInput(
                    customer="Dana Client",
                    order_date=day,
                    lines=[sales.SOLineInput(description="Service", qty=qty, unit_price=price,
                                             vat_rate="0")],
                ),
            )  # fmt: skip
            so = sales.confirm(uow, so.id)
            sales.deliver(uow, so.id, when=day)
            return sales.invoice(uow, so.id, when=day, due=day).id, so.id, so.lines[0].id

    def aged() -> dict:
        with store.read() as uow:
            rows, totals = ledger_reports.aging(uow, "receivable", date(2026, 11, 22))
            tb = {r.code: r.balance for r in ledger_reports.trial_balance(uow)[0]}
        assert totals["total"] == tb["1100"]  # always the account's balance
        return {k: v for k, v in rows[0].buckets.items() if v}

    from bizdesk.services.crm import contacts
    from bizdesk.services.crm.contacts import ContactInput

    with store.write() as uow:
        cid = contacts.create(uow, ContactInput(name="Dana Client", is_customer=True)).contact.id
    _august, so, line = invoice("2026-08-03", "2", "50")
    november, _so, _line = invoice("2026-11-12", "1", "70")
    with store.write() as uow:
        sales.pay(uow, november, when="2026-11-15")
    assert aged() == {"over_90": Decimal("100.00")}
    with store.write() as uow:  # one of August's two back: a credit note of 50
        sales.return_goods(uow, so, {line: "1"}, reason="not done", when="2026-11-16")
    assert aged() == {"over_90": Decimal("50.00")}
    with store.write() as uow:
        lines = [LineInput("1100", "40", "", f"#{cid}"), LineInput("4000", "", "40")]
        ledger.post(
            uow, ledger.create_draft(uow, EntryInput("2026-10-01", "", lines)).id, version=1
        )
    assert aged() == {"over_90": Decimal("50.00"), "31_60": Decimal("40.00")}
    with store.write() as uow:  # paid by hand: the oldest, August's, first
        lines = [LineInput("1100", "", "50", f"#{cid}"), LineInput("1010", "50", "")]
        ledger.post(
            uow, ledger.create_draft(uow, EntryInput("2026-11-20", "", lines)).id, version=1
        )
    assert aged() == {"31_60": Decimal("40.00")}


def test_home_s_balances_are_those_on_its_day_as_the_lists_behind_them(store) -> None:  # noqa: ANN001
    """An entry dated 2199 (a typo of a year) counted in Home's receivables at once, while
    the aged receivables its r key opens (as of today) left it out: 15,960.78 against
    15,955.78. Home's balances are those on its day, as the lists behind them."""
    from bizdesk.services.crm import contacts
    from bizdesk.services.crm.contacts import ContactInput
    from bizdesk.services.overview.dashboard import dashboard

    with store.write() as uow:
        cid = contacts.create(uow, ContactInput(name="Dana Client")).contact.id
    for day, amount in (("2026-11-01", "100"), ("2199-12-31", "5")):
        with store.write() as uow:
            lines = [LineInput("1100", amount, "", f"#{cid}"), LineInput("4000", "", amount)]
            e = ledger.create_draft(uow, EntryInput(day, "", lines))
            ledger.post(uow, e.id, version=e.version)
    _post(store, "2199-12-31", ("1010", "7", ""), ("3000", "", "7"))
    today = date(2026, 11, 22)
    with store.read() as uow:
        home = dashboard(uow, today=today)
        _rows, totals = ledger_reports.aging(uow, "receivable", today)
    assert home.receivables == totals["total"] == Decimal("100.00"), (home, totals)
    assert home.bank == 0


def test_an_account_bizdesk_posts_to_is_named_by_its_role_in_the_reader_s_words(store) -> None:  # noqa: ANN001
    """Archiving 5200 said "is where bizdesk posts price_difference": the stored code word,
    in every language. The role is said as the accounts list says it."""
    from bizdesk import i18n

    with store.write() as uow, pytest.raises(ValidationError) as exc:
        ledger.set_account_archived(uow, ledger.account_for(uow, "price_difference").id)
    said = exc.value.fields[""]
    assert "price_difference" not in str(said)
    assert "posts price difference; it cannot be archived" in str(said)
    try:
        i18n.use("ro")
        assert "diferențe de preț" in str(said)
    finally:
        i18n.use("en")


def test_the_equity_account_is_named_by_its_role_too(store) -> None:  # noqa: ANN001
    with store.write() as uow, pytest.raises(ValidationError) as exc:
        ledger.set_account_archived(uow, ledger.account_for(uow, "equity").id)
    assert "bizdesk posts equity; it cannot be archived" in str(exc.value)
