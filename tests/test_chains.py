"""Tamper evidence: the journal's and the audit trail's hash chains (db/chain.py).

The tampering is done as a member with a shell would: straight into the database, past
bizdesk (Python's sqlite3 module on the file; a plain connection on PostgreSQL)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys

import pytest
from sqlalchemy import create_engine, text

from bizdesk.db import Store
from bizdesk.services.admin.checks import run_checks
from bizdesk.services.books import ledger
from bizdesk.services.books.ledger import EntryInput, LineInput
from bizdesk.services.crm import contacts
from bizdesk.services.crm.contacts import ContactInput
from tests.erp_helpers import errors


def _post(store: Store, amount: str = "100.00", memo: str = "capital") -> ledger.EntryView:
    lines = [LineInput("1010", amount, ""), LineInput("3000", "", amount)]
    with store.write() as uow:
        e = ledger.create_draft(uow, EntryInput(date="2026-11-02", memo=memo, lines=lines))
        return ledger.post(uow, e.id, version=e.version)


def _tamper(store: Store, *statements: str) -> None:
    """Run SQL on the store directly, not through bizdesk."""
    if store.is_sqlite:
        conn = sqlite3.connect(store.engine.url.database)
        try:
            for sql in statements:
                conn.execute(sql)
            conn.commit()
        finally:
            conn.close()
        return
    engine = create_engine(store.url)
    with engine.begin() as conn:
        for sql in statements:
            conn.execute(text(sql))
    engine.dispose()


def _heads(store: Store) -> list[str]:
    return [v.message for v in run_checks(store) if v.check == "hash-chains"]


@pytest.fixture
def books(store: Store) -> Store:
    """Five posted entries, the third reversed, and a merge that re-points lines' contact."""
    posted = [_post(store, f"{100 + i}.00", memo=f"entry {i}") for i in range(5)]
    with store.write() as uow:
        ledger.reverse(uow, posted[2].id, "2026-11-03")
    return store


def test_an_untouched_store_passes_and_shows_both_heads(books: Store) -> None:
    assert errors(books) == []
    journal, audit = _heads(books)
    assert journal.startswith("journal chain head: JE-6 ")  # the reversal is JE-6
    assert audit.startswith("audit chain head: audit event ")
    assert len(journal.rsplit(" ", 1)[1]) == 64


def test_each_write_moves_the_heads(books: Store) -> None:
    before = _heads(books)
    _post(books)
    after = _heads(books)
    assert after[0].startswith("journal chain head: JE-7 ") and after != before
    assert errors(books) == []


def test_merging_contacts_keeps_the_chain(books: Store) -> None:
    with books.write() as uow:
        a = contacts.create(uow, ContactInput(name="Ann Duplicate")).contact.id
        b = contacts.create(uow, ContactInput(name="Ann Duplicat")).contact.id
    _tamper(books, f"UPDATE journal_line SET contact_id = {b} WHERE id = 1")  # as if booked
    with books.write() as uow:
        contacts.merge(uow, a, b)
    assert errors(books) == []


def test_a_changed_amount_is_found_at_its_entry(books: Store) -> None:
    _tamper(
        books,
        "UPDATE journal_line SET debit_minor = debit_minor + 1 WHERE debit_minor > 0 AND "
        "entry_id = (SELECT id FROM journal_entry WHERE number = 2)",
        "UPDATE journal_line SET credit_minor = credit_minor + 1 WHERE credit_minor > 0 AND "
        "entry_id = (SELECT id FROM journal_entry WHERE number = 2)",
    )
    found = errors(books)
    assert any(
        m.startswith("journal-chain: JE-2 does not match its seal") and "intact up to JE-1" in m
        for m in found
    ), found


def test_a_changed_date_or_memo_is_found(books: Store) -> None:
    _tamper(books, "UPDATE journal_entry SET memo = 'nothing to see' WHERE number = 4")
    assert any(m.startswith("journal-chain: JE-4 ") for m in errors(books))


def test_a_deleted_entry_breaks_the_next_link(books: Store) -> None:
    _tamper(
        books,
        "DELETE FROM journal_line WHERE entry_id = (SELECT id FROM journal_entry WHERE number = 5)",
        "DELETE FROM journal_entry WHERE number = 5",
    )
    assert any(
        m.startswith("journal-chain: JE-6 does not match") and "intact up to JE-4" in m
        for m in errors(books)
    )


def test_an_inserted_entry_carries_no_seal(books: Store) -> None:
    _tamper(
        books,
        "INSERT INTO journal_entry (number, date, memo, state, posted_by, created_at, "
        "updated_at, updated_by, version) VALUES (100, '2026-11-05', 'slipped in', 'posted', "
        "'eve', '2026-11-05 00:00:00', '2026-11-05 00:00:00', 'eve', 1)",
    )
    assert any(
        m.startswith("journal-chain: JE-100 carries no seal") and "intact up to JE-6" in m
        for m in errors(books)
    )
    # later writes seal their own entries, not the intruder's
    _post(books)
    assert any(
        m.startswith("journal-chain: JE-100 carries no seal") and "intact up to JE-7" in m
        for m in errors(books)
    )


def test_a_deleted_audit_event_is_found(books: Store) -> None:
    _tamper(books, "DELETE FROM audit_event WHERE id = 3")
    assert any(
        m.startswith("audit-chain: audit event 4 does not match")
        and "intact up to audit event 2" in m
        for m in errors(books)
    )


def test_a_changed_audit_event_is_found(books: Store) -> None:
    _tamper(books, "UPDATE audit_event SET username = 'someone-else' WHERE id = 2")
    assert any(m.startswith("audit-chain: audit event 2 does not match") for m in errors(books))


def test_check_prints_the_heads(tmp_path) -> None:  # noqa: ANN001
    """As the owner runs it: the heads on stdout, to be noted down."""
    from bizdesk.db import open_store

    path = str(tmp_path / "shop.db")
    env = dict(os.environ)
    bizdesk = [sys.executable, "-m", "bizdesk"]
    made = subprocess.run([*bizdesk, "init", "--db", path], capture_output=True, env=env)
    assert made.returncode == 0, made.stderr
    store = open_store(path)  # as this OS user, the owner init recorded
    _post(store)
    _post(store)
    store.dispose()
    done = subprocess.run([*bizdesk, "check", "--db", path], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "journal chain head: JE-2 " in done.stdout
    assert "audit chain head: audit event " in done.stdout
    assert "All checks passed." in done.stdout


def test_every_backup_records_the_heads(books: Store, sqlite_only, tmp_path) -> None:  # noqa: ANN001
    """Beside each backup, the heads it was taken at, as check prints them."""
    from bizdesk.services.admin.backup import backup_store, heads_file

    path = backup_store(books, tmp_path / "kept.db")
    recorded = heads_file(path).read_text().splitlines()
    assert recorded == _heads(books)
    assert recorded[0].startswith("journal chain head: JE-6 ")
    assert heads_file(path).stat().st_mode & 0o077 == 0


def test_the_lean_seal_makes_the_links_verify_computes(store: Store, monkeypatch) -> None:  # noqa: ANN001
    """seal reads raw values (dates, times, flags through each type's processor, computed
    once per distinct text) and writes with plain SQL; verify reads through the ORM types:
    every link must agree, across batches, days, non-ASCII, quotes and empty values."""
    from bizdesk.db import chain

    monkeypatch.setattr(chain, "BATCH", 2)  # several batches of entries, lines and events
    memos = ["Ünïcödé €", 'quote " and \\ backslash', "", "Nguyễn 🙂", "x" * 200]
    with store.write() as uow:
        for i, memo in enumerate(memos):
            day = f"2026-11-{1 + i % 3:02d}"
            amount = f"{i + 1}.0{i}"
            lines = [LineInput("1010", amount, memo=memo), LineInput("3000", "", amount)]
            e = ledger.create_draft(uow, EntryInput(date=day, memo=memo or "m", lines=lines))
            ledger.post(uow, e.id, version=e.version)
        contacts.create(uow, ContactInput(name="Ann Ünïcödé", notes="a\nb"))
    _post(store)  # and a unit of its own after them
    assert errors(store) == []


def test_a_role_given_past_bizdesk_is_found(store: Store) -> None:
    """A sales member of a shared group's store made themselves owner with sqlite3 and
    check said "All checks passed" (README: tampering is found by check)."""
    from bizdesk.services.admin import users

    with store.write() as uow:
        users.add(uow, "sam", "sales")
        users.add(uow, "olga", "viewer")
        users.disable(uow, "olga")
    assert errors(store) == []
    _tamper(
        store,
        "UPDATE \"user\" SET role = 'owner' WHERE username = 'sam'",
        "UPDATE \"user\" SET active = TRUE WHERE username = 'olga'",
        'INSERT INTO "user" (username, full_name, role, active, created_at, language) '
        "VALUES ('eve', '', 'owner', TRUE, '2026-11-30 10:00:00', '')",
    )
    found = errors(store)
    assert (
        "user-roles: user sam is owner (active), but the audit trail last recorded sales "
        "(active): changed past bizdesk? Set their role again (bizdesk users set-role sam "
        "ROLE) or disable them"
    ) in found, found
    assert any(m.startswith("user-roles: user olga is viewer (active), but the audit trail "
                            "last recorded viewer (disabled)") for m in found), found  # fmt: skip
    assert any(m.startswith("user-roles: user eve (owner) is in the store, but the audit trail "
                            "never recorded them") for m in found), found  # fmt: skip
    with store.write() as uow:  # set again through bizdesk: recorded, and found no more
        users.set_role(uow, "sam", "sales")
        users.disable(uow, "olga")
        users.disable(uow, "eve")
    assert errors(store) == []
