"""The analysis reports (issue 15) on the large store, measured the way a user waits: each
`bizdesk report NAME --format json` as a whole process from exec, beside `report
trial-balance` on the same file (what every CLI report pays to start), and each report's
service in process.

    python bench/bench_analysis.py --db COPY_OF_LARGE_STORE [--orders 20000] [--runs 5]

The large store (bench_lists.py) sells through journal entries only; on a copy without
sales orders this adds ``--orders`` of them in bulk (two lines each: delivered with their
cost posted, invoiced, most paid, a few still waiting at each step) over the last year, and
birth dates for four people in five, so that sales, margins, cycle times and age groups have
rows to count. Give it a copy: the store is changed.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import func, insert, select, text

from bizdesk.db import open_store
from bizdesk.models.base import utcnow
from bizdesk.models.contacts import Contact
from bizdesk.models.ledger import JournalEntry, JournalLine, Sequence
from bizdesk.models.sales import (
    CustomerPayment,
    Invoice,
    InvoiceLine,
    SalesLine,
    SalesOrder,
)
from bizdesk.models.stock import Product, StockMove
from bizdesk.services.books import ledger as L
from bizdesk.services.inventory import locations
from bizdesk.services.overview import reports

REPORTS = [
    ("trial-balance",),
    ("sales-analysis",),
    ("sales-analysis", "--by", "customer"),
    ("sales-analysis", "--by", "age", "--from", "2026-01-01"),
    ("win-loss",),
    ("win-loss", "--by", "stage"),
    ("cycle-times",),
    ("cycle-times", "--by", "purchases"),
    ("segments", "--by", "age"),
    ("segments", "--by", "city", "--from", "2026-06-01", "--to", "2026-11-30"),
]


def add_sales(store, orders: int, today: date) -> None:  # noqa: ANN001
    """Sales orders in bulk, posted as the services post them (COGS at delivery, sales at
    invoice, payments), and birth dates for people."""
    rng = random.Random(15)
    now = utcnow()
    with store.write() as uow:
        s = uow.session
        if s.scalar(select(func.count()).select_from(SalesOrder)) >= orders:
            return
        acct = {
            r: L.account_for(uow, r).id
            for r in ("inventory", "cogs", "receivable", "sales", "vat_payable", "bank")
        }
        loc = locations.default_location(uow).id
        customers = s.scalars(
            select(Contact.id).where(Contact.kind == "person").order_by(Contact.id).limit(20_000)
        ).all()
        goods = s.execute(
            select(Product.id, Product.sale_price_minor, Product.cost_minor)
            .where(Product.stocked.is_(True))
            .limit(2000)
        ).all()
        seq = s.get(Sequence, "journal")
        number = seq.last
        first_so = (s.scalar(select(func.max(SalesOrder.number))) or 0) + 1
        first_inv = (s.scalar(select(func.max(Invoice.number))) or 0) + 1
        entries, lines = [], []  # entries: dicts; lines: (entry number, account, d, c, day)
        so_rows, line_rows, inv_rows, inv_lines, pay_rows, move_rows = [], [], [], [], [], []

        def entry(day: date, memo: str, postings, source_id: int) -> int:  # noqa: ANN001
            nonlocal number
            number += 1
            entries.append(
                {
                    "number": number,
                    "date": day,
                    "memo": memo,
                    "state": "posted",
                    "source_kind": "sales_order",
                    "source_id": source_id,
                    "posted_at": now,
                    "posted_by": uow.user,
                    "created_at": now,
                    "updated_at": now,
                    "updated_by": uow.user,
                    "version": 1,
                }
            )
            for a, d, c in postings:
                lines.append((number, a, d, c, day))
            return number

        so_id = (s.scalar(select(func.max(SalesOrder.id))) or 0) + 1
        line_id = (s.scalar(select(func.max(SalesLine.id))) or 0) + 1
        inv_id = (s.scalar(select(func.max(Invoice.id))) or 0) + 1
        for k in range(orders):
            ordered = today - timedelta(days=365 - k * 365 // orders)
            fate = rng.random()  # 4% confirmed only, 4% delivered, 8% invoiced, rest paid
            state = (
                "confirmed"
                if fate < 0.04
                else "delivered"
                if fate < 0.08
                else "invoiced"
                if fate < 0.16
                else "closed"
            )
            cust = customers[rng.randrange(len(customers))]
            net = vat = cost = 0
            my_lines = []
            for pos in range(2):
                pid, price, unit_cost = goods[rng.randrange(len(goods))]
                qty = rng.randrange(1, 4)
                ln_net, ln_vat = price * qty, price * qty * 2 // 10
                net, vat, cost = net + ln_net, vat + ln_vat, cost + unit_cost * qty
                out = qty * 1000 if state != "confirmed" else 0
                line_rows.append(
                    {
                        "id": line_id,
                        "order_id": so_id,
                        "position": pos,
                        "product_id": pid,
                        "description": "",
                        "qty_scaled": qty * 1000,
                        "unit_price_minor": price,
                        "vat_bp": 2000,
                        "delivered_scaled": out,
                        "delivered_value_minor": unit_cost * qty if out else 0,
                        "invoiced_scaled": out if state in ("invoiced", "closed") else 0,
                        "returned_scaled": 0,
                        "returned_value_minor": 0,
                    }
                )
                my_lines.append((line_id, pid, qty, unit_cost, ln_net, ln_vat))
                line_id += 1
            so_rows.append(
                {
                    "id": so_id,
                    "number": first_so + k,
                    "customer_id": cust,
                    "state": state,
                    "order_date": ordered,
                    "notes": "",
                    "net_minor": net,
                    "vat_minor": vat,
                    "created_at": now,
                    "updated_at": now,
                    "updated_by": uow.user,
                    "version": 1,
                }
            )
            if state != "confirmed":
                delivered = ordered + timedelta(days=rng.choice((0, 1, 1, 2, 3, 5, 8)))
                n = entry(
                    delivered,
                    "Goods delivered",
                    [(acct["cogs"], cost, 0), (acct["inventory"], 0, cost)],
                    so_id,
                )
                for lid, pid, qty, unit_cost, _n, _v in my_lines:
                    move_rows.append(
                        {
                            "product_id": pid,
                            "location_id": loc,
                            "kind": "delivery",
                            "qty_scaled": -qty * 1000,
                            "unit_cost_minor": unit_cost,
                            "value_minor": -unit_cost * qty,
                            "reason": "",
                            "source_kind": "sales_line",
                            "source_id": lid,
                            "username": uow.user,
                            "at": now,
                            "entry_id": n,
                        }
                    )
            if state in ("invoiced", "closed"):
                issued = delivered + timedelta(days=rng.choice((0, 0, 1, 2, 7)))
                n = entry(
                    issued,
                    "Invoice",
                    [
                        (acct["receivable"], net + vat, 0),
                        (acct["sales"], 0, net),
                        (acct["vat_payable"], 0, vat),
                    ],
                    so_id,
                )
                inv_rows.append(
                    {
                        "id": inv_id,
                        "kind": "invoice",
                        "number": first_inv + len(inv_rows),
                        "order_id": so_id,
                        "customer_id": cust,
                        "issued_on": issued,
                        "due_on": issued + timedelta(days=30),
                        "net_minor": net,
                        "vat_minor": vat,
                        "total_minor": net + vat,
                        "entry_id": n,
                        "created_at": now,
                    }
                )
                for lid, _p, qty, _c, ln_net, ln_vat in my_lines:
                    inv_lines.append(
                        {
                            "invoice_id": inv_id,
                            "sales_line_id": lid,
                            "qty_scaled": qty * 1000,
                            "net_minor": ln_net,
                            "vat_minor": ln_vat,
                        }
                    )
                if state == "closed":
                    paid = issued + timedelta(days=rng.choice((0, 3, 10, 14, 25, 30, 45)))
                    n = entry(
                        paid,
                        "Payment",
                        [(acct["bank"], net + vat, 0), (acct["receivable"], 0, net + vat)],
                        so_id,
                    )
                    pay_rows.append(
                        {
                            "invoice_id": inv_id,
                            "paid_on": paid,
                            "amount_minor": net + vat,
                            "account_id": acct["bank"],
                            "entry_id": n,
                            "created_at": now,
                        }
                    )
                inv_id += 1
            so_id += 1
        ids = s.scalars(
            insert(JournalEntry).returning(JournalEntry.id, sort_by_parameter_order=True), entries
        ).all()
        by_number = dict(zip((e["number"] for e in entries), ids, strict=True))
        conn = s.connection()
        conn.execute(
            insert(JournalLine.__table__),
            [
                {
                    "entry_id": by_number[n],
                    "account_id": a,
                    "debit_minor": d,
                    "credit_minor": c,
                    "contact_id": None,
                    "memo": "",
                    "date": day,
                    "posted": True,
                }
                for n, a, d, c, day in lines
            ],
        )
        for rows in (inv_rows, pay_rows):
            for r in rows:
                r["entry_id"] = by_number[r["entry_id"]]
        for m in move_rows:
            m["entry_id"] = by_number[m["entry_id"]]
        conn.execute(insert(SalesOrder.__table__), so_rows)
        conn.execute(insert(SalesLine.__table__), line_rows)
        conn.execute(insert(Invoice.__table__), inv_rows)
        conn.execute(insert(InvoiceLine.__table__), inv_lines)
        conn.execute(insert(CustomerPayment.__table__), pay_rows)
        conn.execute(insert(StockMove.__table__), move_rows)
        seq.last = number
        # four people in five get a birth date between 1940 and 2008
        conn.execute(
            text(
                "UPDATE contact SET birth_date = :start + ((id * 7919) % 24800) "
                "WHERE kind = 'person' AND id % 5 != 0"
                if not store.is_sqlite
                else "UPDATE contact SET birth_date = date('1940-01-01', '+' || "
                "((id * 7919) % 24800) || ' days') WHERE kind = 'person' AND id % 5 != 0"
            ),
            {"start": date(1940, 1, 1)} if not store.is_sqlite else {},
        )
    print(f"added {orders} sales orders ({len(entries)} entries, {len(lines)} lines)")


def timed(cmd: list[str], runs: int) -> tuple[float, float]:
    """Median wall and CPU seconds of ``runs`` runs of a whole process."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    walls, cpus = [], []
    for _ in range(runs):
        t = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
        err = proc.stderr.read() if proc.stderr else b""
        _, status, usage = os.wait4(proc.pid, 0)
        walls.append(time.perf_counter() - t)
        cpus.append(usage.ru_utime + usage.ru_stime)
        if os.waitstatus_to_exitcode(status):
            sys.exit(f"{' '.join(cmd)} failed:\n{err.decode(errors='replace')}")
    return statistics.median(walls), statistics.median(cpus)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", required=True, help="a copy of the large store (changed)")
    parser.add_argument("--orders", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    store = open_store(args.db)
    add_sales(store, args.orders, date.today())
    py = sys.executable
    script = Path(py).with_name("bizdesk")
    bizdesk = [str(script)] if script.exists() else [py, "-m", "bizdesk"]
    print(f"load average before: {os.getloadavg()[0]:.2f}; {args.runs} runs each")
    print(f"{'report':<58} {'in process':>10} {'process wall':>12} {'CPU':>6}")
    base = None
    ok = True
    for argv in REPORTS:
        name, opts = argv[0], dict(zip(argv[1::2], argv[2::2], strict=True))
        params = {"by": opts.get("--by")} if "--by" in opts else {}
        for flag, key in (("--from", "date_from"), ("--to", "date_to")):
            if flag in opts:
                params[key] = date.fromisoformat(opts[flag])
        reports.run(store, name, **params)  # warm, as a second look is
        t = time.perf_counter()
        reports.run(store, name, **params)
        inproc = time.perf_counter() - t
        wall, cpu = timed(
            [*bizdesk, "report", *argv, "--format", "json", "--db", args.db], args.runs
        )
        if base is None:
            base = wall
        elif wall > base * 1.2:  # a report costs what the trial balance costs, or less
            ok = False
        label = " ".join(argv)
        print(f"{label:<58} {inproc * 1000:>8.0f} ms {wall:>10.3f} s {cpu:>5.2f}s")
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
