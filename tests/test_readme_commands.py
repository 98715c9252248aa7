"""Every command the README lists, run as a user runs it, with its real output checked:
accounts, locations, lock-date, export stock|purchase-orders, report statement|forecast,
audit --since, demo --size large (scaled down) and migrate-to without PostgreSQL."""

from __future__ import annotations

import csv
import io
import json
import re
import sqlite3
from datetime import UTC, date, datetime

import pytest

from bizdesk.db import open_store
from bizdesk.services.admin import setup
from bizdesk.services.crm import contacts
from bizdesk.services.inventory import moves, products
from bizdesk.services.trade import deals, sales
from tests.erp_helpers import errors, order, product, supplier
from tests.shop_template import give_the_shop_an_address
from tests.test_cli import bizdesk


@pytest.fixture
def shop(tmp_path) -> str:  # noqa: ANN001
    """A store owned by the OS user (as the CLI acts): a supplier with a sent order, a
    customer who bought two bolts over the counter, stock, and three open deals."""
    path = str(tmp_path / "shop.db")
    s = open_store(path)
    setup.ensure_initialized(s)
    give_the_shop_an_address(s)
    acme = supplier(s)
    product(s, "BOLT", cost="0.20", sale_price="0.40", vat_rate="20")
    with s.write() as uow:
        contacts.create(
            uow, contacts.ContactInput(name="Cycle Club", kind="organization", is_customer=True)
        )
        moves.adjust(uow, products.resolve_product(uow, "BOLT").id, "12", "opening stock")
    order(s, acme, ("BOLT", "100", "0.20"))
    with s.write() as uow:
        sales.counter_sale(
            uow, [sales.SOLineInput("BOLT", "2")], customer="Cycle Club", when="2026-11-02"
        )
        for title, amount, close in (
            ("Club bikes", "1000", "2027-01-15"),
            ("Club helmets", "300", "2027-01-20"),
            ("Spring service", "500", "2027-03-01"),
        ):
            deals.create(
                uow,
                deals.DealInput(
                    title=title, contact="Cycle Club", amount=amount, expected_close=close
                ),
            )
    s.dispose()
    return path


def ok(*args: str, stdin: str | None = None) -> str:
    r = bizdesk(*args, stdin=stdin)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "Traceback" not in r.stderr
    return r.stdout


def refused(code: int, *args: str) -> str:
    r = bizdesk(*args)
    assert r.returncode == code, r.stdout + r.stderr
    assert "Traceback" not in r.stdout + r.stderr
    return r.stderr


def table_row(text: str, first: str) -> list[str]:
    """The cells of the table row whose first cell is ``first`` (a boxed table's split on
    its lines; a report's, ruled only under its headings, on its runs of spaces)."""
    for line in text.splitlines():
        if "│" in line:
            cells = [c.strip() for c in line.strip().strip("│").split("│")]
        else:
            cells = re.split(r"\s{2,}", line.strip())
        if cells and cells[0] == first:
            return cells
    raise AssertionError(f"no row {first!r} in:\n{text}")


def test_accounts_list_add_rename_archive(shop) -> None:  # noqa: ANN001
    db = ("--db", shop)
    assert table_row(ok("accounts", "list", *db), "1000")[:3] == ["1000", "Cash", "asset"]
    assert "6950" in ok("accounts", "add", "6950", "Bike repairs", "--type", "expense", *db)
    assert table_row(ok("accounts", "list", *db), "6950")[:3] == ["6950", "Bike repairs", "expense"]
    again = refused(1, "accounts", "add", "6950", "Other", "--type", "expense", *db)
    assert "account 6950 exists already (Bike repairs)" in again
    assert refused(1, "accounts", "add", "6510", "Odd", "--type", "wishful", *db)
    assert "6950 is now Repairs" in ok("accounts", "rename", "6950", "Repairs", *db)
    assert "6950 Repairs archived" in ok("accounts", "archive", "6950", *db)
    assert table_row(ok("accounts", "list", *db), "6950")[-1] == "archived"
    assert "6950 Repairs open again" in ok("accounts", "archive", "6950", "--undo", *db)
    assert table_row(ok("accounts", "list", *db), "6950")[1] == "Repairs"
    assert refused(1, "accounts", "rename", "9999", "Nothing", *db)


def test_locations_list_and_add(shop) -> None:  # noqa: ANN001
    db = ("--db", shop)
    assert ok("locations", "list", *db).split("\n")[0].split() == ["Main", "(default)"]
    ok("locations", "add", "Workshop", *db)
    assert [ln.split()[0] for ln in ok("locations", "list", *db).splitlines()] == [
        "Main",
        "Workshop",
    ]
    assert "exists already" in refused(1, "locations", "add", "workshop", *db)
    # stock can now be moved there and is exported per location
    with open_store(shop).write() as uow:
        moves.transfer(uow, products.resolve_product(uow, "BOLT").id, "4", "Main", "Workshop")
    rows = list(csv.DictReader(io.StringIO(ok("export", "stock", *db))))
    assert [(r["location"], r["on_hand"]) for r in rows] == [("Main", "6"), ("Workshop", "4")]


def test_lock_date_set_shown_enforced_and_lifted(shop) -> None:  # noqa: ANN001
    db = ("--db", shop)
    assert ok("lock-date", *db).strip() == "No lock date"
    assert ok("lock-date", "2026-10-31", *db).strip() == "Locked up to 2026-10-31"
    assert ok("lock-date", *db).strip() == "Locked up to 2026-10-31"
    entry = (
        "entry,date,account,debit,credit,memo\n"
        "1,2026-10-15,1000,5.00,,Late\n"
        "1,2026-10-15,3000,,5.00,\n"
    )
    r = bizdesk("import", "journal", "-", *db, stdin=entry)
    assert r.returncode == 1 and "2026-10-31" in r.stdout + r.stderr
    assert refused(1, "lock-date", "2026-02-30", *db)
    assert ok("lock-date", "none", "--reopen", *db).strip() == "No lock date"
    ok("import", "journal", "-", *db, stdin=entry)  # the same entry goes in now


def test_export_stock_and_purchase_orders(shop) -> None:  # noqa: ANN001
    db = ("--db", shop)
    rows = list(csv.DictReader(io.StringIO(ok("export", "stock", *db))))
    # 12 in at 0.20, 2 sold: 10 left worth 2.00
    assert rows == [
        {
            "sku": "BOLT",
            "name": "Product BOLT",
            "location": "Main",
            "on_hand": "10",
            "value": "2.00",
        }
    ]
    assert json.loads(ok("export", "stock", "--format", "json", *db)) == rows
    orders = list(csv.DictReader(io.StringIO(ok("export", "purchase-orders", *db))))
    assert orders == [
        {
            "number": "PO-00001",
            "supplier": "Acme Supply",
            "state": "sent",
            "order_date": "2026-11-01",
            "expected_date": "",
            "net": "20.00",
            "vat": "4.00",
            "total": "24.00",
        }
    ]
    as_json = json.loads(ok("export", "purchase-orders", "--format", "json", *db))
    assert [(o["number"], o["total"]) for o in as_json] == [("PO-00001", "24.00")]


def test_report_statement_of_a_customer(shop) -> None:  # noqa: ANN001
    db = ("--db", shop)
    rep = json.loads(ok("report", "statement", "--contact", "Cycle Club", "--format", "json", *db))
    assert (rep["contact"], rep["account"]) == ("Cycle Club", "receivable")
    assert [(r["memo"], r["debit"], r["credit"], r["balance"]) for r in rep["rows"]] == [
        ("Invoice INV-00001 (SO-00001)", "0.96", "0.00", "0.96"),
        ("Payment of INV-00001", "0.00", "0.96", "0.00"),
    ]
    table = ok("report", "statement", "--contact", "Cycle Club", *db)
    assert "Statement of Cycle Club" in table and "Balance: 0.00" in table
    assert "contact: required" in refused(1, "report", "statement", *db)
    assert "no contact named 'Nobody'" in refused(
        1, "report", "statement", "--contact", "Nobody", *db
    )


def test_report_forecast_by_month(shop) -> None:  # noqa: ANN001
    rep = json.loads(ok("report", "forecast", "--format", "json", "--db", shop))
    # new deals: the first stage's probability (10 %)
    assert [(r["month"], r["deals"], r["amount"], r["weighted"]) for r in rep["rows"]] == [
        ("2027-01", 2, "1300.00", "130.00"),
        ("2027-03", 1, "500.00", "50.00"),
    ]
    assert rep["totals"]["amount"] == "1800.00" and rep["totals"]["weighted"] == "180.00"
    assert table_row(ok("report", "forecast", "--db", shop), "Total")[1:] == [
        "3",
        "1,800.00",  # the table shows amounts as the shop's locale writes them
        "180.00",
    ]


def test_audit_since_a_date(shop) -> None:  # noqa: ANN001
    db = ("--db", shop)
    with sqlite3.connect(shop) as conn:  # everything so far happened last year
        conn.execute("UPDATE audit_event SET at = '2025-12-31 10:00:00.000000'")
        before = conn.execute("SELECT count(*) FROM audit_event").fetchone()[0]
    with open_store(shop).write() as uow:
        contacts.create(uow, contacts.ContactInput(name="New Rider"))
    today = datetime.now(UTC).date().isoformat()
    recent = json.loads(ok("audit", "--since", today, "--format", "json", *db))
    assert [(e["entity"], e["action"]) for e in recent] == [("contact", "create")]
    assert recent[0]["after"]["name"] == "New Rider"
    everything = json.loads(ok("audit", "--since", "2025-12-31", "--format", "json", *db))
    assert len(everything) == before + 1
    assert json.loads(ok("audit", "--since", "2026-01-01", "--format", "json", *db)) == recent
    assert "not a date" in refused(1, "audit", "--since", "tomorrow", *db)  # a user error


def test_large_demo_scaled_down_is_consistent(tmp_path, monkeypatch) -> None:  # noqa: ANN001
    """The large generator (bulk inserts), at a small size: every check passes, the counts
    are what was asked, and the reports run on it."""
    from bizdesk.services.demo import operations as demo_erp
    from bizdesk.services.demo import shop as demo

    monkeypatch.setitem(demo.SIZES, "large", (300, 60, 90))
    monkeypatch.setattr(demo_erp, "LARGE", {"products": 40, "moves": 400, "lines": 2000})
    path = str(tmp_path / "large.db")
    s = open_store(path)
    setup.ensure_initialized(s)
    counts = demo.generate(s, "large", today=date(2026, 11, 22))
    assert errors(s) == []
    with sqlite3.connect(path) as conn:
        n = {
            t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]  # noqa: S608
            for t in (
                *("contact", "deal", "ticket", "product", "stock_move", "journal_line"),
                "employee",
            )
        }
    # the contacts asked for, and the people demo's employees (each a contact of its own)
    assert (n["contact"] - n["employee"], n["deal"], n["ticket"]) == (300, 60, 90)
    assert n["employee"] == 3
    assert n["product"] >= 40 and n["stock_move"] >= 400 and n["journal_line"] >= 2000
    assert all(v > 0 for v in counts.values()), counts
    with sqlite3.connect(path) as conn:  # joined over the year before, not all on the day
        joined = [
            date.fromisoformat(r[0][:10]) for r in conn.execute("SELECT created_at FROM contact")
        ]
    assert max(joined) <= date(2026, 11, 22)
    assert len({(d.year, d.month) for d in joined}) >= 11
    assert max(joined.count(d) for d in joined) < len(joined) / 20
    s.dispose()
    assert "All checks passed" in ok("check", "--db", path)
    tb = json.loads(ok("report", "trial-balance", "--format", "json", "--db", path))
    assert tb["totals"]["debit"] == tb["totals"]["credit"] != "0.00"
    assert "already has data" in refused(1, "demo", "--size", "large", "--db", path)
    assert "small or large" in refused(2, "demo", "--size", "huge", "--db", path)


def test_migrate_to_refuses_what_is_not_postgresql(shop) -> None:  # noqa: ANN001
    """Without a PostgreSQL server: every refusal says what to give, nothing is touched."""
    before = open(shop, "rb").read()  # noqa: SIM115, PTH123
    for target in ("/tmp/other.db", "sqlite:////tmp/other.db", "mysql://u@h/db"):
        said = refused(1, "migrate-to", target, "--db", shop)
        assert "give a URL like postgresql+psycopg://USER@HOST/DBNAME" in said, said
    assert open(shop, "rb").read() == before  # noqa: SIM115, PTH123


def test_migrate_to_an_unreachable_server_is_one_sentence(shop) -> None:  # noqa: ANN001
    r = bizdesk("migrate-to", "postgresql+psycopg://nobody@127.0.0.1:1/none", "--db", shop)
    assert r.returncode == 1
    assert "Traceback" not in r.stdout + r.stderr
    assert "127.0.0.1" in r.stderr
