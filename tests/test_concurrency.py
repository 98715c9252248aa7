"""Eight people saving at once on one store: deals, tickets, counter sales out of stock and
journal postings from eight processes. Nothing fails, nothing is lost, the books and the
stock agree (`check` green)."""

from __future__ import annotations

import sqlite3
from decimal import Decimal

import pytest
from sqlalchemy import event, func
from sqlmodel import select

from bizdesk.db import engine as engine_module
from bizdesk.db import open_store
from bizdesk.db import session as session_module
from bizdesk.errors import StoreError
from bizdesk.models.deals import Deal
from bizdesk.models.ledger import JournalEntry
from bizdesk.models.tickets import Ticket
from bizdesk.services.admin import setup
from bizdesk.services.books import ledger as L
from bizdesk.services.crm import contacts, tickets
from bizdesk.services.inventory import moves, products
from bizdesk.services.trade import deals, sales
from tests.erp_helpers import errors, product
from tests.procs import run_together

PROCS = 8
ROUNDS = 12  # each round: a deal, a ticket, a counter sale of one unit, a journal entry


def _step(uow, kind: str, n: int, i: int) -> None:  # noqa: ANN001
    if kind == "deal":
        deals.create(uow, deals.DealInput(title=f"Deal {n}-{i}", contact="#1", amount="100"))
    elif kind == "ticket":
        tickets.create(uow, tickets.TicketInput(subject=f"Ticket {n}-{i}", contact="#1"))
    elif kind == "sale":
        sales.counter_sale(uow, [sales.SOLineInput("RACE", "1")])
    else:
        draft = L.create_draft(uow, _entry(n, i))
        L.post(uow, draft.id, version=draft.version)


def _worker(url: str, n: int, ready) -> list[str]:  # noqa: ANN001
    store = open_store(url, user="tester", migrate=False)
    failures = []
    ready()
    for i in range(ROUNDS):
        for kind in ("deal", "ticket", "sale", "entry"):
            try:
                with store.write() as uow:
                    _step(uow, kind, n, i)
            except Exception as exc:  # noqa: BLE001 - anything a user would have seen
                failures.append(f"{kind}: {type(exc).__name__}: {exc}")
    store.dispose()
    return failures


def _entry(n: int, i: int) -> L.EntryInput:
    return L.EntryInput(
        "2026-11-02",
        f"Cash count {n}-{i}",
        [L.LineInput("1000", "1.00", ""), L.LineInput("4000", "", "1.00")],
    )


def test_eight_processes_writing_at_once(store) -> None:  # noqa: ANN001
    with store.write() as uow:
        contacts.create(uow, contacts.ContactInput(name="Walk-in regular", is_customer=True))
    product(store, "RACE", cost="10", sale_price="20")
    with store.write() as uow:
        moves.adjust(uow, products.resolve_product(uow, "RACE").id, "500", "opening stock")
        entries_before = uow.session.exec(select(func.count()).select_from(JournalEntry)).one()
    reports = run_together(_worker, [(store.url, n) for n in range(PROCS)])
    assert reports == [[]] * PROCS  # every child exited 0 and nothing failed
    total = PROCS * ROUNDS
    with store.read() as uow:
        count = lambda model: uow.session.exec(select(func.count()).select_from(model)).one()  # noqa: E731
        assert count(Deal) == total
        assert count(Ticket) == total
        product_id = products.resolve_product(uow, "RACE").id
        assert products.get_product(uow, product_id).on_hand == Decimal(500 - total)
        # every counter sale posts its own entries; every hand-made entry is there too
        numbers = uow.session.exec(
            select(func.count(), func.max(JournalEntry.number)).where(
                JournalEntry.state == "posted"
            )
        ).one()
        assert numbers[0] == numbers[1]  # numbered 1..n without a gap
        assert count(JournalEntry) > entries_before + total
        memos = uow.session.exec(
            select(func.count()).where(JournalEntry.memo.like("Cash count %"))
        ).one()
        assert memos == total
    assert errors(store) == []


def test_a_store_held_busy_too_long_says_so_and_runs_nothing(tmp_path, monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.setattr(engine_module, "BUSY_TIMEOUT_MS", 50)
    monkeypatch.setattr(session_module, "WRITE_TRIES", 2)
    path = tmp_path / "busy.db"
    store = open_store(str(path), user="tester")
    setup.ensure_initialized(store)
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # somebody else is in the middle of a long save
    ran = []
    with pytest.raises(StoreError, match="busy.*Nothing was saved"):
        with store.write():
            ran.append("the change")
    assert ran == []  # the change never started, so nothing can be half-done
    holder.execute("ROLLBACK")
    holder.close()
    with store.write() as uow:  # free again: it just works
        contacts.create(uow, contacts.ContactInput(name="After the wait"))
    store.dispose()


def test_a_first_write_reads_the_schema_before_it_asks_for_the_write_lock(store) -> None:  # noqa: ANN001
    # Whether the store has the hash chains is read from the schema once per process (the
    # first write). Read under the write lock, it made every other writer wait for it: on
    # PostgreSQL a dozen catalog queries per process, at the moment a shop opens its day.
    fresh = open_store(store.url, user="tester", migrate=False)
    statements: list[str] = []

    @event.listens_for(fresh.engine, "before_cursor_execute")
    def _seen(_conn, _cursor, statement, _params, _context, _many) -> None:  # noqa: ANN001
        statements.append(statement)

    try:
        with fresh.write() as uow:
            L.create_draft(uow, _entry(0, 0))
    finally:
        fresh.dispose()
    locked = next(
        i for i, s in enumerate(statements) if "pg_advisory_xact_lock" in s or "IMMEDIATE" in s
    )
    schema = [s for s in statements[locked:] if "pg_catalog" in s or "PRAGMA" in s.upper()]
    assert schema == [], schema
