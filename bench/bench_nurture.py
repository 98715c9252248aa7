"""Benchmark lead nurturing's lists on the large store (DESIGN section 10).

    python bench/bench_nurture.py [--db PATH_OR_URL] [--rebuild]

The large store (bench_lists.py's, default bench/out/large.db) gets the demo's nurturing
sequences and their follow-ups in bulk when it has none (every lead and every fourth
customer entered their stage on one of the last three weeks' days: about 100,000
follow-ups). Then, median and p95 of: the follow-ups list (everyone's; first page, 50
page-downs, End; today, overdue, upcoming, done, skipped; mine; a filter keystroke), Home's count of
the person's follow-ups, a contact's open follow-ups, and the sequences list.
Targets: list operations <= 50 ms median and <= 100 ms p95.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import date
from pathlib import Path

from sqlalchemy import func, select

sys.path.insert(0, str(Path(__file__).parent))
from bench_lists import ROWS, large_store, report, timed  # noqa: E402

from bizdesk.models.nurture import FollowUp  # noqa: E402
from bizdesk.services.base.paging import PageRequest  # noqa: E402
from bizdesk.services.crm import followups as F  # noqa: E402
from bizdesk.services.crm import nurture as N  # noqa: E402
from bizdesk.services.demo import nurture as demo_nurture  # noqa: E402
from bizdesk.services.demo import shop as demo  # noqa: E402


def with_follow_ups(store) -> int:  # noqa: ANN001
    with store.read() as uow:
        n = uow.session.scalar(select(func.count()).select_from(FollowUp))
    if n:
        return n
    t = time.perf_counter()
    made = demo_nurture.large(store, demo._shop_for(store, None), date.today())["follow_ups"]
    print(f"made {made} follow-ups in {time.perf_counter() - t:.1f} s")
    return made


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", default=str(Path(__file__).parent / "out" / "large.db"))
    ap.add_argument("--rebuild", action="store_true")
    args = ap.parse_args()
    store = large_store(args.db, args.rebuild)
    print(f"{with_follow_ups(store)} follow-ups in the store")
    ok = True
    everyone = {"who": "all"}

    def page(filters: dict, **kw) -> object:  # noqa: ANN003
        with store.read() as uow:
            return F.list_page(uow, PageRequest(limit=ROWS, filters=filters, **kw))

    ok &= report("follow-ups: open the list (everyone's)", timed(lambda: page(everyone)))

    def page_down() -> list[float]:
        p = page(everyone)
        times = []
        for _ in range(50):
            t = time.perf_counter()
            p = page(everyone, after=p.keys[-1])
            times.append((time.perf_counter() - t) * 1000)
        return times

    ok &= report("follow-ups: page down (50 in a row)", page_down())
    ok &= report("follow-ups: End (last page)", timed(lambda: page(everyone, last=True)))
    for view in ("today", "overdue", "upcoming", "done", "skipped"):
        f = {"who": "all", "view": view}
        ok &= report(f"follow-ups: {view} (everyone's)", timed(lambda f=f: page(f)))
        m = {"who": "mine", "view": view}
        ok &= report(f"follow-ups: {view} (mine)", timed(lambda m=m: page(m)))
    for text in ("a", "an", "anna", "zzzz"):
        ok &= report(
            f"follow-ups: filter keystroke {text!r}",
            timed(lambda text=text: page(everyone, search=text), 15),
        )

    def home() -> None:
        with store.read() as uow:
            F.counts(uow)

    # a figure of Home: the dashboard's target (bench_lists.py: 800 ms)
    ok &= report("Home: my follow-ups due today / overdue", timed(home), 800, 800)
    with store.read() as uow:
        cid = uow.session.scalar(select(FollowUp.contact_id).where(FollowUp.state == "open"))

    def on_page() -> None:
        with store.read() as uow:
            F.for_contact(uow, cid)

    ok &= report("contact page: its open follow-ups", timed(on_page))

    def sequences() -> None:
        with store.read() as uow:
            N.sequences_page(uow, PageRequest(limit=ROWS))

    ok &= report("sequences: the list", timed(sequences))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
