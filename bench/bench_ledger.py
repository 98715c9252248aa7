"""Benchmark the journal and stock on the large store (DESIGN section 10, issue 3).

    python bench/bench_ledger.py [--db PATH_OR_URL] [--rebuild]

Uses the large demo store (bench/out/large.db: 10k products, 300k stock moves, 1M journal
lines; built by bench_lists.py or here) and measures, side by side on the same file:
  - the trial balance through bizdesk's service vs a raw SQL GROUP BY (target: <= 1.5x),
    and vs `hledger balance` and `ledger balance` on the exported journal (target: faster);
  - the ERP lists: products, purchase orders, journal entries, an account's 1M-line ledger:
    first page, 50 page-downs, End, a filter keystroke (target <= 50 ms median);
  - a validated journal import of 120,000 lines into a fresh store (target >= 30,000/s).
"""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from bench_lists import ROWS, large_store, report, timed  # noqa: E402

from bizdesk.db import open_store  # noqa: E402
from bizdesk.services.admin import setup
from bizdesk.services.base.paging import PageRequest  # noqa: E402
from bizdesk.services.books import ledger, ledger_reports
from bizdesk.services.exchange import erp_exports, erp_imports
from bizdesk.services.inventory import products
from bizdesk.services.trade import purchasing


def median_ms(fn, repeat: int = 7) -> float:  # noqa: ANN001
    return statistics.median(timed(fn, repeat))


def trial_balance(store) -> bool:  # noqa: ANN001
    raw_sql = (
        "SELECT account_id, SUM(debit_minor), SUM(credit_minor) FROM journal_line "
        "GROUP BY account_id"
    )

    def raw() -> None:  # the same query on the same engine, through a plain connection
        with store.engine.connect() as con:
            con.exec_driver_sql(raw_sql).fetchall()

    def ours() -> None:
        with store.read() as uow:
            ledger_reports.trial_balance(uow)

    with store.engine.connect() as con:
        n = con.exec_driver_sql("SELECT COUNT(*) FROM journal_line").scalar()
    raw_ms, ours_ms = median_ms(raw), median_ms(ours)
    ratio = ours_ms / raw_ms
    ok = ratio <= 1.5
    print(
        f"trial balance over {n:,} lines: bizdesk {ours_ms:.0f} ms, raw GROUP BY "
        f"{raw_ms:.0f} ms, ratio {ratio:.2f} ({'ok' if ok else 'MISSED'}, target <= 1.5)"
    )
    with tempfile.TemporaryDirectory() as tmp:
        journal = Path(tmp) / "books.journal"
        t = time.perf_counter()
        with store.read() as uow, journal.open("w", encoding="utf-8") as fh:
            erp_exports.write_ledger(uow, fh)
        print(
            f"ledger-format export: {(time.perf_counter() - t):.1f} s, "
            f"{journal.stat().st_size / 1e6:.0f} MB"
        )
        for tool in ("hledger", "ledger"):
            if shutil.which(tool) is None:
                print(f"{tool}: not installed, not compared")
                continue
            t = time.perf_counter()
            r = subprocess.run(
                [tool, "-f", str(journal), "balance"], capture_output=True, text=True
            )
            ms = (time.perf_counter() - t) * 1000
            faster = ours_ms < ms
            ok &= faster
            print(
                f"{tool} balance: {ms:.0f} ms (exit {r.returncode}); bizdesk "
                f"{'faster' if faster else 'SLOWER'}"
            )
    return ok


def lists(store) -> bool:  # noqa: ANN001
    ok = True
    with store.read() as uow:
        inventory = ledger.account_for(uow, "inventory").id
    cases = [
        ("products", products.list_products, "bolt"),
        ("purchase orders", purchasing.list_page, ""),
        ("journal entries", ledger.list_entries, "till"),
        ("inventory ledger", lambda uow, req: ledger.account_lines(uow, inventory, req), ""),
        ("chart of accounts", ledger.account_page, ""),
    ]
    for name, fetch, search in cases:
        descending = name in ("purchase orders", "journal entries")

        def first(fetch=fetch, descending=descending):  # noqa: ANN001, ANN202
            with store.read() as uow:
                return fetch(uow, PageRequest(limit=ROWS, descending=descending))

        ok &= report(f"{name}: open (first page)", timed(first, 15))

        def page_down(fetch=fetch, descending=descending):  # noqa: ANN001, ANN202
            with store.read() as uow:
                page = fetch(uow, PageRequest(limit=ROWS, descending=descending))
            times = []
            for _ in range(50):
                if not page.more_after:
                    break
                t = time.perf_counter()
                with store.read() as uow:
                    page = fetch(
                        uow, PageRequest(limit=ROWS, after=page.keys[-1], descending=descending)
                    )
                times.append((time.perf_counter() - t) * 1000)
            return times or [0.0]

        ok &= report(f"{name}: page down (up to 50)", page_down())

        def end(fetch=fetch, descending=descending):  # noqa: ANN001, ANN202
            with store.read() as uow:
                return fetch(uow, PageRequest(limit=ROWS, last=True, descending=descending))

        ok &= report(f"{name}: End (last page)", timed(end, 15))
        if search:

            def keystroke(fetch=fetch, search=search):  # noqa: ANN001, ANN202
                with store.read() as uow:
                    return fetch(uow, PageRequest(limit=ROWS, search=search))

            ok &= report(f"{name}: filter {search!r}", timed(keystroke, 15))
    return ok


def journal_import() -> bool:
    n_entries = 40_000  # 3 lines each
    rows = ["entry,date,account,debit,credit,memo,contact"]
    for i in range(n_entries):
        day = f"2026-{1 + i % 12:02d}-{1 + i % 28:02d}"
        net = 100 + (i * 37) % 90_000
        vat = net // 5
        rows.append(f"E{i},{day},1010,{(net + vat) // 100}.{(net + vat) % 100:02d},,Till {i},")
        rows.append(f"E{i},{day},4000,,{net // 100}.{net % 100:02d},,")
        rows.append(f"E{i},{day},2200,,{vat // 100}.{vat % 100:02d},,")
    data = ("\n".join(rows) + "\n").encode()
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(str(Path(tmp) / "import.db"), user="bench")
        setup.ensure_initialized(store)
        t = time.perf_counter()
        result = erp_imports.import_journal(store, data)
        secs = time.perf_counter() - t
        store.dispose()
    lines = n_entries * 3
    rate = lines / secs
    ok = rate >= 30_000
    print(
        f"journal import, validated: {lines:,} lines ({result.created:,} entries) in "
        f"{secs:.2f} s = {rate:,.0f} lines/s ({'ok' if ok else 'MISSED'}, target >= 30,000)"
    )
    return ok


def main() -> int:
    import argparse

    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default=str(Path(__file__).parent / "out" / "large.db"))
    parser.add_argument("--rebuild", action="store_true")
    args = parser.parse_args()
    store = large_store(args.db, args.rebuild)
    ok = journal_import()
    ok &= trial_balance(store)
    ok &= lists(store)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
