"""Benchmark the marketing lists on the large store (DESIGN section 10, issue 15):

    python bench/bench_marketing.py [--db PATH]

On a COPY of the large store (default /tmp/bench-marketing/large.db; it is changed): gives
60% of the contacts with an address e-mail consent, the people a birth date and the shop
20,000 invoiced orders (bulk SQL: the demo generator has none of them), saves five segments
(a city, a tag, an age group, bought anything in the last 90 days, bought one product) and
300 draft campaigns, then measures,
median and p95 (targets: <= 50 ms median, <= 100 ms p95): each segment's members list
(first page, 50 page-downs, End), its member count (the segments screen shows it), a
campaign's left-out counts (its page), and the campaigns list (first page, page-downs).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from sqlalchemy import text

from bizdesk.db import open_store
from bizdesk.services.base.paging import PageRequest
from bizdesk.services.marketing import campaigns as K
from bizdesk.services.marketing import segments as S

sys.path.insert(0, str(Path(__file__).parent))
from bench_lists import ROWS, report, timed  # noqa: E402

SALES = 20_000  # orders, each invoiced, for the "bought" filters (the large demo has none)


def _sales(s) -> None:  # noqa: ANN001
    """Invoiced orders in bulk (one line each, over 2026): what a bought filter reads."""
    n = f"WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {SALES})"
    day = "date('2026-01-01', '+' || (i % 330) || ' days')"
    s.execute(
        text(
            f"{n} INSERT INTO sales_order (id, number, customer_id, state, order_date, notes, "
            "net_minor, vat_minor, created_at, updated_at, updated_by, version) "
            f"SELECT i, i, (i * 7 % 100000) + 1, 'invoiced', {day}, '', 1000, 0, "
            "'2026-01-01 00:00:00', '2026-01-01 00:00:00', 'bench', 1 FROM n"
        )
    )
    s.execute(
        text(
            f"{n} INSERT INTO sales_line (id, order_id, position, product_id, description, "
            "qty_scaled, unit_price_minor, vat_bp, delivered_scaled, delivered_value_minor, "
            "invoiced_scaled, returned_scaled, returned_value_minor) "
            "SELECT i, i, 0, (i * 13 % 10000) + 1, '', 1000, 1000, 0, 1000, 500, 1000, 0, 0 "
            "FROM n"
        )
    )
    entry = s.execute(text("SELECT min(id) FROM journal_entry")).scalar()
    s.execute(
        text(
            f"{n} INSERT INTO invoice (id, kind, number, order_id, customer_id, issued_on, "
            "due_on, net_minor, vat_minor, total_minor, entry_id, created_at) "
            f"SELECT i, 'invoice', i, i, (i * 7 % 100000) + 1, {day}, {day}, 1000, 0, 1000, "
            f"{entry}, '2026-01-01 00:00:00' FROM n"
        )
    )
    s.execute(
        text(
            f"{n} INSERT INTO invoice_line (id, invoice_id, sales_line_id, qty_scaled, "
            "net_minor, vat_minor) SELECT i, i, i, 1000, 1000, 0 FROM n"
        )
    )


def prepare(store) -> dict[str, int]:  # noqa: ANN001
    """Consent, birth dates, segments and campaigns on the copy (once)."""
    with store.read() as uow:
        done = uow.session.execute(text("SELECT count(*) FROM segment")).scalar()
        if done:
            return {r.name: r.id for r in S.list_segments(uow)}
    t = time.perf_counter()
    with store.write() as uow:
        s = uow.session
        s.execute(
            text(
                "INSERT INTO email_consent (contact_id, state, at, how, by) "
                "SELECT id, 'in', '2026-01-01 00:00:00', 'import', 'bench' FROM contact "
                "WHERE email IS NOT NULL AND id % 5 < 3"
            )
        )
        s.execute(
            text(
                "UPDATE contact SET birth_date = date('1940-01-01', '+' || (id * 7919 % 25000) "
                "|| ' days') WHERE kind = 'person'"
            )
        )
        if not s.execute(text("SELECT count(*) FROM invoice")).scalar():
            _sales(s)
        city = s.execute(
            text("SELECT city FROM contact GROUP BY city ORDER BY count(*) DESC LIMIT 1")
        ).scalar()
        tag = s.execute(
            text("SELECT tag FROM contact_tag GROUP BY tag ORDER BY count(*) DESC LIMIT 1")
        ).scalar()
        sku = s.execute(
            text(
                "SELECT p.sku FROM sales_line l JOIN product p ON p.id = l.product_id "
                "GROUP BY p.sku ORDER BY count(*) DESC LIMIT 1"
            )
        ).scalar()
        last = s.execute(text("SELECT date(max(issued_on), '-90 days') FROM invoice")).scalar()
        made = {}
        for name, data in (
            ("city", S.SegmentInput(name=f"In {city}", city=city)),
            ("tag", S.SegmentInput(name=f"Tagged {tag}", tag=tag)),
            ("age", S.SegmentInput(name="Aged 35-44", age_group="35-44")),
            (
                "bought",
                S.SegmentInput(name="Bought lately", bought="*", bought_from=str(last)[:10]),
            ),
            ("product", S.SegmentInput(name=f"Bought {sku}", bought=sku)),
        ):
            made[name] = S.create_segment(uow, data).id
        for i in range(300):
            K.create_campaign(
                uow,
                K.CampaignInput(f"Campaign {i:03d}", f"#{made['city']}", "Hi {first_name}", "Hi"),
            )
    print(f"prepared the copy in {time.perf_counter() - t:.1f} s (city {city!r}, tag {tag!r})")
    return made


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default="/tmp/bench-marketing/large.db")
    args = parser.parse_args()
    store = open_store(args.db)
    made = prepare(store)
    ok = True
    with store.read() as uow:
        ids = {r.name: r.id for r in S.list_segments(uow)}
    for name, sid in sorted(ids.items()):

        def first(sid=sid):  # noqa: ANN001, ANN202
            with store.read() as uow:
                return S.members_page(uow, sid, PageRequest(limit=ROWS))

        ok &= report(f"segment {name[:22]!r}: members, first page", timed(first, 15))

        def page_down(sid=sid) -> list[float]:  # noqa: ANN001
            with store.read() as uow:
                page = S.members_page(uow, sid, PageRequest(limit=ROWS))
            times = []
            for _ in range(50):
                if not page.more_after:
                    break
                t = time.perf_counter()
                with store.read() as uow:
                    page = S.members_page(uow, sid, PageRequest(limit=ROWS, after=page.keys[-1]))
                times.append((time.perf_counter() - t) * 1000)
            return times or [0.0]

        ok &= report(f"segment {name[:22]!r}: page down (50)", page_down())

        def end(sid=sid):  # noqa: ANN001, ANN202
            with store.read() as uow:
                return S.members_page(uow, sid, PageRequest(limit=ROWS, last=True))

        ok &= report(f"segment {name[:22]!r}: End", timed(end, 15))

        def count(sid=sid):  # noqa: ANN001, ANN202
            with store.read() as uow:
                return S.count_members(uow, sid)

        with store.read() as uow:
            n = S.count_members(uow, sid)
        ok &= report(f"segment {name[:22]!r}: count ({n})", timed(count, 10))
    with store.read() as uow:
        cid = K.find_campaign(uow, "Campaign 000").id

    def left() -> None:
        with store.read() as uow:
            K.left_out(uow, cid, 5)

    ok &= report("campaign page: left out, counted and named", timed(left, 10))

    def campaigns_first() -> None:
        with store.read() as uow:
            K.list_page(uow, PageRequest(limit=ROWS))

    ok &= report("campaigns: open the list (first page)", timed(campaigns_first))

    def campaigns_down() -> list[float]:
        with store.read() as uow:
            page = K.list_page(uow, PageRequest(limit=ROWS))
        times = []
        for _ in range(14):
            t = time.perf_counter()
            with store.read() as uow:
                page = K.list_page(uow, PageRequest(limit=ROWS, after=page.keys[-1]))
            times.append((time.perf_counter() - t) * 1000)
        return times

    ok &= report("campaigns: page down (14)", campaigns_down())
    store.dispose()
    _ = made
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
