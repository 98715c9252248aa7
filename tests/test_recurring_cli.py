"""`bizdesk run-due` and `bizdesk recurring ...` as cron and a person run them, and two
run-due processes at the same moment on one store (SQLite; PostgreSQL too when
BIZDESK_TEST_PG_URL is set)."""

from __future__ import annotations

import json
import subprocess
import sys

from sqlmodel import func, select

from bizdesk.db import open_store
from bizdesk.models.ledger import JournalEntry
from bizdesk.models.recurring import RecurringRun
from bizdesk.models.sales import Invoice
from bizdesk.services.admin import users
from tests.erp_helpers import errors
from tests.test_cli import bizdesk, bizdesk_user
from tests.test_cli import db as db  # noqa: F401  (the fixture)
from tests.test_recurring import customer, hosting, rent

TEMPLATES = [
    {
        "kind": "entry",
        "name": "Rent",
        "start": "2026-01-31",
        "end": "2026-04-30",
        "memo": "Shop rent",
        "lines": [{"account": "6000", "debit": "800.00"}, {"account": "1010", "credit": "800.00"}],
    },
    {
        "kind": "entry",
        "name": "Cleaning",
        "frequency": "quarterly",
        "start": "2026-02-10",
        "lines": [{"account": "6900", "debit": "90"}, {"account": "1010", "credit": "90"}],
    },
]


def test_add_list_run_due_and_stop(db, tmp_path) -> None:  # noqa: ANN001
    r = bizdesk("recurring", "add", "-", "--db", db, stdin=json.dumps(TEMPLATES))
    assert r.returncode == 1 and "template 2: line 1 account: no account '6900'" in r.stderr
    assert bizdesk("recurring", "list", "--db", db).stdout.strip() == (
        "No recurring invoices or entries."
    )  # all or none
    assert (
        bizdesk("accounts", "add", "6900", "Cleaning", "--type", "expense", "--db", db).returncode
        == 0
    )
    r = bizdesk("recurring", "add", "-", "--db", db, stdin=json.dumps(TEMPLATES))
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines() == [
        "#1 Rent: first on 2026-01-31",
        "#2 Cleaning: first on 2026-02-10",
    ]
    listed = bizdesk("recurring", "list", "--db", db).stdout
    assert "Cleaning" in listed and "quarterly" in listed and "2026-04-30" in listed

    r = bizdesk("run-due", "--as-of", "2026-01-15", "--db", db)
    assert (r.returncode, r.stdout.strip()) == (0, "Nothing is due.")
    r = bizdesk("run-due", "--as-of", "2026-06-30", "--db", db)
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines() == [
        "2026-01-31  JE-1  Rent",
        "2026-02-10  JE-2  Cleaning",
        "2026-02-28  JE-3  Rent",
        "2026-03-31  JE-4  Rent",
        "2026-04-30  JE-5  Rent",
        "2026-05-10  JE-6  Cleaning",
        "6 documents were made.",
    ]
    again = bizdesk("run-due", "--as-of", "2026-06-30", "--db", db)
    assert (again.returncode, again.stdout.strip()) == (0, "Nothing is due.")

    assert bizdesk("lock-date", "2026-08-31", "--db", db).returncode == 0
    r = bizdesk("run-due", "--as-of", "2026-09-30", "--db", db)
    assert r.returncode == 1
    assert r.stderr == (
        "Cleaning, due 2026-08-10, was not made: the books are locked up to 2026-08-31: skip "
        "this occurrence (it cannot be posted), move the lock date, or stop this template\n"
    )
    r = bizdesk("recurring", "skip", "2", "--db", db)  # August was paid by hand
    assert (r.returncode, r.stdout) == (0, "Cleaning: 2026-08-10 skipped; next on 2026-11-10.\n")
    r = bizdesk("run-due", "--as-of", "2026-09-30", "--db", db)
    assert (r.returncode, r.stdout.strip()) == (0, "Nothing is due.")
    r = bizdesk("recurring", "stop", "2", "--db", db)
    assert (r.returncode, r.stdout.strip()) == (0, "Cleaning is stopped: nothing more is made.")
    r = bizdesk("run-due", "--as-of", "2026-12-31", "--db", db)
    assert (r.returncode, r.stdout.strip()) == (0, "Nothing is due.")
    r = bizdesk("recurring", "stop", "2", "--db", db)
    assert r.returncode == 1 and "Cleaning is stopped already" in r.stderr
    r = bizdesk("recurring", "stop", "two", "--db", db)
    assert r.returncode == 2
    assert bizdesk("check", "--db", db).returncode == 0


def test_json_is_read_strictly(db, tmp_path) -> None:  # noqa: ANN001
    bad = [
        {
            "kind": "entry",
            "name": "X",
            "start": "2026-01-01",
            "lines": [{"account": "6000", "debit": 12.5}],
        }
    ]
    r = bizdesk("recurring", "add", "-", "--db", db, stdin=json.dumps(bad))
    assert r.returncode == 1 and 'write it as a string, e.g. "12.50"' in r.stderr
    r = bizdesk("recurring", "add", "-", "--db", db, stdin='{"kind": "entry", "every": "month"}')
    assert r.returncode == 1 and "unknown keys every" in r.stderr
    r = bizdesk("recurring", "add", "-", "--db", db, stdin="{nope")
    assert r.returncode == 1 and "not JSON" in r.stderr and "Traceback" not in r.stderr
    # a template refused names its fields in the reader's language ("start", "line 1
    # debit" were in English on a Spanish screen)
    spanish = {"LANG": "es_ES.UTF-8", "LANGUAGE": "", "LC_ALL": "", "LC_MESSAGES": ""}
    lines = [{"account": "6000", "debit": "1,5"}, {"account": "1010", "credit": "1"}]
    bad = {"kind": "entry", "name": "X", "start": "2026-02-31", "lines": lines}
    r = bizdesk("recurring", "add", "-", "--db", db, stdin=json.dumps(bad), env=spanish)
    assert r.returncode == 1 and r.stderr.startswith("plantilla 1: Inicio: '2026-02-31'")
    assert "línea 1, Debe: '1,5'" in r.stderr, r.stderr


def test_two_run_due_processes_at_once_make_each_occurrence_once(store) -> None:  # noqa: ANN001
    with store.write() as uow:
        users.add(uow, bizdesk_user(), "owner")
    customer(store)
    for i in range(4):
        rent(store, name=f"Rent {i}", start="2025-01-31")
        hosting(store, name=f"Hosting {i}", start="2025-01-15")
    cmd = [sys.executable, "-m", "bizdesk", "run-due", "--as-of", "2026-11-30", "--db", store.url]
    procs = [
        subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    outs = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], [e for _o, e in outs]
    made = [ln.split()[1] for out, _err in outs for ln in out.splitlines() if ln[:2] == "20"]
    assert len(made) == len(set(made)) == 8 * 23
    with store.read() as uow:
        assert uow.session.scalar(select(func.count()).select_from(RecurringRun)) == 8 * 23
        assert uow.session.scalar(select(func.count()).select_from(Invoice)) == 4 * 23
        # each invoice posts one entry, each rent one
        assert uow.session.scalar(select(func.count()).select_from(JournalEntry)) == 8 * 23
    assert errors(store) == []


def test_run_due_says_when_an_invoice_takes_a_later_day(db) -> None:  # noqa: ANN001
    """An invoice made late, after one of a later day, is dated that day; run-due says so
    beside it (its due date alone was printed)."""
    sale = {
        "customer": "Hill Farm",
        "date": "2026-03-18",
        "lines": [{"description": "Repair", "quantity": "1", "unit_price": "10"}],
    }
    store = open_store(db, user=bizdesk_user())
    try:
        customer(store)
        hosting(store, start="2026-03-15")
    finally:
        store.dispose()
    made = bizdesk("new", "counter-sale", "-", "--db", db, stdin=json.dumps(sale))
    assert made.returncode == 0, made.stderr
    r = bizdesk("run-due", "--as-of", "2026-03-20", "--db", db)
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines()[:2] == [
        "2026-03-15  INV-00002  Hosting",
        "  dated 2026-03-18, the day of the last invoice before it: invoices are numbered in "
        "the order of their dates",
    ], r.stdout
