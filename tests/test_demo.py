"""The demo shop: promised size, every stage and state, identical each time, checks green."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import text

from bizdesk.db import open_store
from bizdesk.errors import ValidationError
from bizdesk.services.admin import setup
from bizdesk.services.admin.checks import run_checks
from bizdesk.services.demo import shop as demo

DAY = date(2026, 11, 22)
STABLE = {
    "contact": "name, email, phone, city, country, stage, is_customer, is_supplier, created_at",
    "deal": "title, contact_id, amount_minor, probability, stage_id, close_reason",
    "ticket": "subject, contact_id, priority, status, assignee, created_at, first_response_at",
    "ticket_comment": "ticket_id, body, internal, at",
    "contact_tag": "contact_id, tag",
    "pipeline_stage": "id, kind",
    "budget": "account_id, year, month, amount_minor",
    "sales_target": "owner, year, month, amount_minor",
    "contact_email": "email, 1",
    "deal_order_vat": "vat_bp, 1",
}
VIEWS = {  # (what is compared besides the tables)
    "contact_email": "(SELECT email FROM contact WHERE email <> '')",
    "deal_order_vat": "(SELECT l.vat_bp FROM sales_line l "
    "JOIN sales_order o ON o.id = l.order_id WHERE o.deal_id IS NOT NULL)",
}


def build(path) -> dict[str, list]:  # noqa: ANN001
    store = open_store(str(path), user="demo")
    setup.ensure_initialized(store)
    demo.generate(store, "small", today=DAY)
    assert [v for v in run_checks(store) if v.severity == "error"] == []
    with store.read() as uow:
        return {
            table: [
                tuple(r)
                for r in uow.session.execute(
                    text(f"SELECT {cols} FROM {VIEWS.get(table, table)} AS t ORDER BY 1, 2")
                )
            ]
            for table, cols in STABLE.items()
        }


def test_small_demo_is_complete_deterministic_and_consistent(tmp_path):
    one = build(tmp_path / "one.db")
    two = build(tmp_path / "two.db")
    assert one == two
    assert len(one["contact"]) >= 200
    assert len(one["deal"]) >= 40 and {d[4] for d in one["deal"]} == set(range(1, 7))
    kind = dict(one["pipeline_stage"])
    closed = [d for d in one["deal"] if kind[d[4]] in ("won", "lost")]
    assert closed and all(d[5] for d in closed)  # won and lost deals carry reasons
    assert all(not d[5] for d in one["deal"] if kind[d[4]] == "open")  # open ones none
    statuses = {t[3] for t in one["ticket"]}
    assert len(one["ticket"]) >= 60 and statuses == {"new", "open", "waiting", "resolved", "closed"}
    assert any(c[2] for c in one["ticket_comment"]) and any(not c[2] for c in one["ticket_comment"])
    # a budget for this year (its months gone by and those to come) and sales targets, so
    # the budget report, Home's budget line and the targets have something to show
    budget = one["budget"]
    assert {b[1] for b in budget} == {2026} and {b[2] for b in budget} >= {10, 11, 12}
    assert len({b[0] for b in budget}) >= 5 and all(b[3] for b in budget)
    # addresses of ASCII letters (the demo doubled accented names: chloebakkerchloébakk.141@…)
    assert all(e.isascii() and e.count(".") == 2 for e, _ in one["contact_email"])
    # a won deal's order is sold at the shop's VAT (20 %), as its products are (it was 0 %)
    assert one["deal_order_vat"] and {v for v, _ in one["deal_order_vat"]} == {2000}
    assert [(t[0], t[1], t[2]) for t in one["sales_target"]] == [
        ("demo", 2026, 11),
        ("demo", 2026, 12),
        ("demo", 2027, 1),
    ]


def test_the_demo_s_contacts_joined_over_its_year(tmp_path) -> None:  # noqa: ANN001
    """Every contact was made on the demo day, so segments per period showed the whole shop
    joining in one month. They joined over the year before it, each before the first thing
    dated that it did; the days are part of the deterministic demo (STABLE above)."""
    from bizdesk.services.overview import reports

    path = tmp_path / "shop.db"
    build(path)
    store = open_store(str(path), user="demo")
    with store.read() as uow:
        joined = [
            date.fromisoformat(str(r[0])[:10])
            for r in uow.session.execute(text("SELECT created_at FROM contact"))
        ]
        late = uow.session.execute(
            text(
                "SELECT c.id FROM contact c WHERE c.created_at > ("
                "SELECT min(at) FROM interaction i WHERE i.contact_id = c.id) "
                "OR date(c.created_at) > ("
                "SELECT min(issued_on) FROM invoice v WHERE v.customer_id = c.id) "
                "OR c.created_at > (SELECT min(at) FROM email_consent e WHERE e.contact_id = c.id)"
            )
        ).all()
    assert late == []
    within = [d for d in joined if DAY - timedelta(days=400) <= d <= DAY]
    assert len(within) >= 0.95 * len(joined)
    months = {(d.year, d.month) for d in within}
    assert len(months) >= 11, sorted(months)
    # no month holds more than a fifth of the shop
    most = max(sum(1 for d in joined if (d.year, d.month) == m) for m in months)
    assert most < len(joined) / 5
    june = reports.run(
        store, "segments", by="city", date_from=date(2026, 6, 1), date_to=date(2026, 6, 30)
    )
    assert 0 < june.totals["new_contacts"] < len(joined) / 5


def test_the_demo_forced_into_a_store_that_holds_it_says_what_to_do(tmp_path):
    """--force, as the refusal on a store with data advises, then failed on "email: already
    used by Farid Hoffmann (#2)": the demo's people are there already. It says so, and what
    to do instead; nothing is added."""
    build(tmp_path / "one.db")
    store = open_store(str(tmp_path / "one.db"), user="demo")
    with store.read() as uow:
        before = uow.session.execute(text("SELECT count(*) FROM contact")).scalar_one()
    with pytest.raises(ValidationError) as refused:
        demo.generate(store, "small", today=DAY, force=True)
    said = str(refused.value)
    assert said.startswith("the demo shop cannot be added to what this store holds (already")
    assert said.endswith(
        "nothing was added. Make it in a store of its own: bizdesk demo --db NEW.db"
    )
    with store.read() as uow:
        assert uow.session.execute(text("SELECT count(*) FROM contact")).scalar_one() == before
