"""Several processes posting journal entries at the same moment: every entry gets its own
number, the series has no gap, and the books still check (on SQLite and PostgreSQL)."""

from __future__ import annotations

import multiprocessing as mp

from bizdesk.db import open_store
from bizdesk.services import ledger
from bizdesk.services.ledger import EntryInput, LineInput
from tests.erp_helpers import errors

PROCESSES = 4
ENTRIES = 25


def _poster(url: str, n: int, start, results) -> None:  # noqa: ANN001
    store = open_store(url, user="tester")
    start.wait()
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
        results.put(numbers)
    except Exception as exc:  # noqa: BLE001 - the message is what the test looks at
        results.put(f"{type(exc).__name__}: {exc}")
    finally:
        store.dispose()


def test_concurrent_posting_numbers_without_gaps(store) -> None:  # noqa: ANN001
    ctx = mp.get_context("spawn")
    start, results = ctx.Event(), ctx.Queue()
    procs = [
        ctx.Process(target=_poster, args=(store.url, n, start, results)) for n in range(PROCESSES)
    ]
    for p in procs:
        p.start()
    start.set()
    outcomes = [results.get(timeout=120) for _ in procs]
    for p in procs:
        p.join(60)
    assert all(isinstance(o, list) for o in outcomes), outcomes
    numbers = sorted(n for o in outcomes for n in o)
    assert numbers == list(range(1, PROCESSES * ENTRIES + 1))
    for o in outcomes:  # each process saw its own numbers rise
        assert o == sorted(o)
    assert errors(store) == []
