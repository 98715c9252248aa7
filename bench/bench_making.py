"""Benchmark making goods on the large store (DESIGN section 10, issue 15).

    python bench/bench_making.py [--db PATH] [--rebuild]

Uses the large demo store (bench/out/large.db, built by bench_lists.py or here) and adds,
once, what it lacks for this: 500 bills of materials (6 components each, 50 of them kits)
and 20,000 assembly orders of 6 lines over two years (a third open: drafts and confirmed
ones, which hold their components), in bulk. Then measures:
  - the assembly orders list: first page, 50 page-downs, End, a state filter, a search
    keystroke (target <= 50 ms median, 100 ms p95);
  - the production plan in process (every open order's components summed) and
    `bizdesk assembly plan --format json` as a whole process.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from bench_lists import ROWS, large_store, report, timed  # noqa: E402
from sqlalchemy import func, insert, select  # noqa: E402

from bizdesk.models.making import AssemblyLine, AssemblyOrder, Bom, BomLine  # noqa: E402
from bizdesk.models.stock import Location, Product  # noqa: E402
from bizdesk.services.base.paging import PageRequest  # noqa: E402
from bizdesk.services.making import assembly  # noqa: E402
from bizdesk.services.making.plan import production_plan  # noqa: E402

N_BOMS, N_KITS, N_ORDERS, PER_BOM = 500, 50, 20_000, 6


def add_making(store) -> None:  # noqa: ANN001
    """Bills of materials and assembly orders, in bulk, unless the store has them."""
    with store.write() as uow:
        s = uow.session
        if s.scalar(select(func.count()).select_from(AssemblyOrder)) >= N_ORDERS:
            return
        ids = list(s.scalars(select(Product.id).where(Product.stocked).order_by(Product.id)))
        loc = s.scalar(select(Location.id).where(Location.is_default))
        made, parts = ids[:N_BOMS], ids[N_BOMS:]
        s.execute(
            insert(Bom),
            [
                {
                    "product_id": pid,
                    "version": 1,
                    "active": True,
                    "labour_minor": 0 if i < N_KITS else 1500,
                    "note": "",
                    "kind": "kit" if i < N_KITS else "assembly",
                    "created_by": "bench",
                }
                for i, pid in enumerate(made)
            ],
        )
        boms = dict(s.execute(select(Bom.product_id, Bom.id)).all())
        recipe = {
            pid: [
                (parts[(i * PER_BOM + k) % len(parts)], 1000 + 1000 * (k % 3))
                for k in range(PER_BOM)
            ]
            for i, pid in enumerate(made)
        }
        s.execute(
            insert(BomLine),
            [
                {"bom_id": boms[pid], "component_id": c, "qty_scaled": q}
                for pid, lines in recipe.items()
                for c, q in lines
            ],
        )
        built = made[N_KITS:]
        start = date.today() - timedelta(days=600)
        first = (s.scalar(select(func.max(AssemblyOrder.number))) or 0) + 1
        states = ["cancelled", "cancelled", "draft", "confirmed", "cancelled", "cancelled"]
        rows = []
        for n in range(N_ORDERS):
            pid = built[n % len(built)]
            rows.append(
                {
                    "number": first + n,
                    "product_id": pid,
                    "bom_id": boms[pid],
                    "location_id": loc,
                    "state": states[n % len(states)],
                    "planned_date": start + timedelta(days=n * 730 // N_ORDERS),
                    "qty_scaled": 1000 * (1 + n % 5),
                    "notes": "",
                    "updated_by": "bench",
                }
            )
        s.execute(insert(AssemblyOrder), rows)
        orders = s.execute(
            select(AssemblyOrder.id, AssemblyOrder.product_id, AssemblyOrder.qty_scaled).where(
                AssemblyOrder.number >= first
            )
        ).all()
        s.execute(
            insert(AssemblyLine),
            [
                {
                    "order_id": oid,
                    "component_id": c,
                    "per_unit_scaled": q,
                    "qty_scaled": q * qty // 1000,
                }
                for oid, pid, qty in orders
                for c, q in recipe[pid]
            ],
        )


def lists(store) -> bool:  # noqa: ANN001
    ok = True

    def fetch(**kw):  # noqa: ANN003, ANN202
        with store.read() as uow:
            return assembly.list_page(uow, PageRequest(limit=ROWS, **kw))

    ok &= report("assembly orders: open (first page)", timed(lambda: fetch(), 15))

    def page_down() -> list[float]:
        page, times = fetch(), []
        for _ in range(50):
            if not page.more_after:
                break
            t = time.perf_counter()
            page = fetch(after=page.keys[-1])
            times.append((time.perf_counter() - t) * 1000)
        return times or [0.0]

    ok &= report("assembly orders: page down (up to 50)", page_down())
    ok &= report("assembly orders: End (last page)", timed(lambda: fetch(last=True), 15))
    for state in ("open", "confirmed", "cancelled"):
        ok &= report(
            f"assembly orders: state {state}",
            timed(lambda s=state: fetch(filters={"state": s}), 15),
        )
    ok &= report("assembly orders: filter 'hel'", timed(lambda: fetch(search="hel"), 15))
    ok &= report("assembly orders: filter 'mo19999'", timed(lambda: fetch(search="mo19999"), 15))
    return ok


def plan(store, db: str) -> bool:  # noqa: ANN001
    def once() -> None:
        with store.read() as uow:
            production_plan(uow)

    with store.read() as uow:
        p = production_plan(uow)
    print(
        f"production plan: {len(p.orders) + p.more_orders:,} open orders, "
        f"{len(p.needs):,} components, {len(p.shortages):,} short"
    )
    ok = report("production plan, in process", timed(once, 7), 300, 500)
    cmd = [sys.executable, "-m", "bizdesk", "assembly", "plan", "--format", "json", "--db", db]
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}

    def whole() -> None:
        subprocess.run(cmd, check=True, capture_output=True, env=env)

    ok &= report("bizdesk assembly plan --format json (process)", timed(whole, 5), 1000, 1500)
    return ok


def main() -> int:
    import argparse

    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default=str(Path(__file__).parent / "out" / "large.db"))
    parser.add_argument("--rebuild", action="store_true")
    args = parser.parse_args()
    store = large_store(args.db, args.rebuild)
    t = time.perf_counter()
    add_making(store)
    print(f"making data in {time.perf_counter() - t:.1f} s")
    ok = lists(store)
    ok &= plan(store, args.db)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
