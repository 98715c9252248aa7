"""Several processes posting journal entries at the same moment: every entry gets its own
number, the series has no gap, and the books still check (on SQLite and PostgreSQL)."""

from __future__ import annotations

from bizdesk.db import open_store
from bizdesk.services.books import ledger
from bizdesk.services.books.ledger import EntryInput, LineInput
from tests.erp_helpers import errors
from tests.procs import run_together

PROCESSES = 4
ENTRIES = 25


def _poster(url: str, n: int, ready) -> list[int] | str:  # noqa: ANN001
    store = open_store(url, user="tester")
    ready()
    numbers: list[int] = []
    try:
        for i in range(ENTRIES):
            data = EntryInput(
                date="2026-11-02",
                memo=f"till {n} sale {i}",
                lines=[LineInput("1010", "1.00", ""), LineInput("3000", "", "1.00")],
            )
            if i % 2:  # a draft posted later, in its own unit of work
                with store.write() as uow:
                    e = ledger.create_draft(uow, data)
                with store.write() as uow:
                    numbers.append(ledger.post(uow, e.id, version=e.version).number)
            else:
                with store.write() as uow:
                    e = ledger.create_draft(uow, data)
                    numbers.append(ledger.post(uow, e.id, version=e.version).number)
        return numbers
    except Exception as exc:  # noqa: BLE001 - the message is what the test looks at
        return f"{type(exc).__name__}: {exc}"
    finally:
        store.dispose()


def test_concurrent_posting_numbers_without_gaps(store) -> None:  # noqa: ANN001
    outcomes = run_together(_poster, [(store.url, n) for n in range(PROCESSES)])
    assert all(isinstance(o, list) for o in outcomes), outcomes
    numbers = sorted(n for o in outcomes for n in o)
    assert numbers == list(range(1, PROCESSES * ENTRIES + 1))
    for o in outcomes:  # each process saw its own numbers rise
        assert o == sorted(o)
    assert errors(store) == []
