"""Validated CSV import speed and memory (DESIGN section 10: >= 30,000 contacts/s,
>= 50,000 journal lines/s; 1,000,000 rows in <= 300 MB).

    python bench/bench_import.py [--rows N] [--runs N] [--kind contacts|journal|both]
                                 [--db POSTGRESQL_URL]

Writes N generated contacts (each with an email, a phone, tags and roles) and N journal
lines (entries of two lines, some naming a contact) as CSV files, then imports each file
into a fresh store through the command line (`bizdesk import KIND FILE`, a process of its
own), and prints rows/s and that process's peak memory (its maximum resident set size); with
--runs N, N imports each into a fresh store, and their median rate against the target.
With --db and the URL of an empty PostgreSQL database, each import goes into that database
instead, emptied before each run (everything in its schema `public` is dropped); without it,
into SQLite files in a temporary folder.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def contacts_csv(path: Path, n: int) -> None:
    with path.open("w", encoding="utf-8") as fh:
        fh.write("name,email,phone,city,country,tags,stage,roles\n")
        for i in range(n):
            fh.write(
                f"Person {i},p{i}@example.com,+44 20 7946 0{i % 1000:03d},Leeds,GB,a;b,"
                "customer,customer\n"
            )


def journal_csv(path: Path, n: int) -> None:
    with path.open("w", encoding="utf-8") as fh:
        fh.write("entry,date,account,debit,credit,memo,contact\n")
        for i in range(n // 2):
            day = f"2026-{1 + i % 12:02d}-{1 + i % 28:02d}"
            amount = f"{1 + i % 5000}.{i % 100:02d}"
            who = "Walk-in" if i % 10 == 0 else ""
            fh.write(f"E{i},{day},1010,{amount},,Till {i},{who}\n")
            fh.write(f"E{i},{day},4000,,{amount},,\n")


def run(*args: str) -> tuple[float, float, int, str]:
    """Run bizdesk; (seconds, CPU seconds and peak RSS in bytes of that process, output)."""
    t = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "bizdesk", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    out = proc.stdout.read() if proc.stdout else ""
    _, status, usage = os.wait4(proc.pid, 0)
    secs = time.perf_counter() - t
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        sys.exit(f"bizdesk {' '.join(args)} failed:\n{out}")
    return secs, usage.ru_utime + usage.ru_stime, usage.ru_maxrss * 1024, out.strip()


TARGET = {"contacts": 30_000, "journal": 50_000}  # rows a second (DESIGN section 10)


def fresh_postgresql(url: str) -> str:
    """The database at ``url`` emptied (a fresh store for ``bizdesk init``)."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    engine.dispose()
    return url


def bench(kind: str, n: int, tmp: Path, runs: int = 1, url: str | None = None) -> bool:
    """Import ``n`` generated rows ``runs`` times, each into a fresh store (a SQLite file in
    ``tmp``, or the PostgreSQL database at ``url`` emptied); the median rate is what is
    compared with the target (this machine's figures vary by a few percent)."""
    path = tmp / f"{kind}.csv"
    (contacts_csv if kind == "contacts" else journal_csv)(path, n)
    rates = []
    for i in range(runs):
        db = fresh_postgresql(url) if url else str(tmp / f"{kind}-{i}.db")
        run("init", "--db", db, "--company", "Bench")
        if kind == "journal":
            (tmp / "walkin.csv").write_text("name\nWalk-in\n", encoding="utf-8")
            run("import", "contacts", str(tmp / "walkin.csv"), "--db", db)
        secs, cpu, rss, out = run("import", kind, str(path), "--db", db)
        rates.append(n / secs)
        print(
            f"{kind}: {n:,} rows in {secs:.1f} s = {n / secs:,.0f} rows/s; {cpu:.1f} s of CPU = "
            f"{n / cpu:,.0f} rows per CPU second (on a shared machine); peak RSS "
            f"{rss / 2**20:,.0f} MB [{out}]"
        )
    rate = statistics.median(rates)
    target = TARGET[kind]
    ok = rate >= target
    print(
        f"{kind}: median {rate:,.0f} rows/s of {runs} run(s) (min {min(rates):,.0f}, max "
        f"{max(rates):,.0f}): {'ok' if ok else 'MISSED'}, target >= {target:,}"
    )
    return ok


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument("--kind", choices=("contacts", "journal", "both"), default="both")
    ap.add_argument("--db", help="the URL of an empty PostgreSQL database (else SQLite files)")
    a = ap.parse_args()
    if a.db and "://" not in a.db:
        ap.error("--db takes a PostgreSQL URL (postgresql+psycopg://...)")
    kinds = ("contacts", "journal") if a.kind == "both" else (a.kind,)
    with tempfile.TemporaryDirectory() as tmp:
        results = [bench(k, a.rows, Path(tmp), a.runs, a.db) for k in kinds]
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
