"""Low stock with and without what confirmed orders promised, on the large store.

    bizdesk --db /tmp/big.db demo --size large
    python bench/bench_low_stock.py /tmp/big.db

Times the count Home shows (the old condition, on hand only, written out here beside the
service's) and the whole report, median of 15 reads each, in one process, alternated.
"""

import statistics
import sys
import time

from sqlalchemy import func, select

from bizdesk.db import open_store
from bizdesk.models.stock import Product, StockMove
from bizdesk.services.inventory import reports
from bizdesk.services.inventory.levels import sum_of_moves

store = open_store(sys.argv[1] if len(sys.argv) > 1 else "bench/out/large.db", user="root")


def old(uow):
    qty = sum_of_moves(StockMove.qty_scaled)
    return uow.session.scalar(
        select(func.count())
        .select_from(Product)
        .where(
            Product.active.is_(True),
            Product.stocked.is_(True),
            Product.reorder_point_scaled > 0,
            qty <= Product.reorder_point_scaled,
        )
    )


for name, fn in (
    ("old count", old),
    ("new count", reports.low_stock_count),
    ("old count", old),
    ("new count", reports.low_stock_count),
    ("new report", lambda u: len(reports.low_stock(u))),
):
    ts = []
    for _ in range(15):
        with store.read() as uow:
            t = time.perf_counter()
            r = fn(uow)
            ts.append(time.perf_counter() - t)
    print(name, r, f"median {statistics.median(ts) * 1000:.1f} ms")
