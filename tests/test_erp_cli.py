"""ERP imports, exports and reports through the command line, as a user runs them."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest

from tests.test_cli import bizdesk
from tests.test_cli import db as db  # noqa: F401  (the fixture)

CONTACTS = "name,kind,email,roles\nAcme Supply,organization,acme@example.com,supplier\n"
PRODUCTS = (
    "sku,name,unit,sale_price,cost,vat_rate,supplier,reorder_point,reorder_qty,allow_negative\n"
    "bolt-m8,Bolt M8,pcs,0.40,0.20,20,acme@example.com,50,200,no\n"
    "NUT-M8,Nut M8,pcs,0.15,0.05,20,Acme Supply,50,200,\n"
)
JOURNAL = (
    "entry,date,account,debit,credit,memo,contact\n"
    "1,2026-10-01,1010,5000.00,,Owner puts money in,\n"
    "1,2026-10-01,3000,,5000.00,,\n"
    "2,2026-10-05,6000,800,,Rent October,\n"
    "2,2026-10-05,1010,,800,,\n"
    "3,2026-10-20,1500,120.50,,Shelves bought,acme@example.com\n"
    "3,2026-10-20,2000,,120.50,,acme@example.com\n"
)


@pytest.fixture
def shop(db):  # noqa: ANN001, ANN201
    for kind, text in (("contacts", CONTACTS), ("products", PRODUCTS), ("journal", JOURNAL)):
        r = bizdesk("import", kind, "-", "--db", db, stdin=text)
        assert r.returncode == 0, r.stderr
    return db


def _json(*args: str) -> dict:
    r = bizdesk(*args, "--format", "json")
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def test_products_upsert_dry_run_and_round_trip(shop, tmp_path) -> None:  # noqa: ANN001
    again = bizdesk("import", "products", "-", "--db", shop, stdin=PRODUCTS)
    assert "0 products were created, 0 updated, 2 unchanged" in again.stdout, again.stderr
    changed = PRODUCTS.replace("0.40,0.20", "0.45,0.20")
    dry = bizdesk("import", "products", "-", "--dry-run", "--db", shop, stdin=changed)
    assert "1 updated" in dry.stdout and "would be" in dry.stdout
    out = tmp_path / "products.csv"
    assert bizdesk("export", "products", "--db", shop, "-o", str(out)).returncode == 0
    rows = list(csv.DictReader(out.open()))
    assert rows[0]["sku"] == "BOLT-M8" and rows[0]["sale_price"] == "0.40"  # dry run kept it
    back = bizdesk("import", "products", str(out), "--db", shop)
    assert "2 unchanged" in back.stdout, back.stderr


def test_product_import_errors_name_lines(db) -> None:  # noqa: ANN001
    bad = "sku,name,vat_rate,colour\nA,x,1\n"
    r = bizdesk("import", "products", "-", "--db", db, stdin=bad)
    assert r.returncode == 1 and "unknown columns colour" in r.stderr
    bad = "sku,name,vat_rate,sale_price\nA,Apple,abc,1\nA,Again,1,1\nB,,1,1.999\n"
    r = bizdesk("import", "products", "-", "--db", db, stdin=bad)
    assert r.returncode == 1
    for expected in (
        "line 2: vat_rate",
        "line 3: sku: A is also on line 2",
        "line 4: name",
        "line 4: sale_price",
    ):
        assert expected in r.stderr
    assert _json("export", "products", "--db", db) == []  # nothing written


def test_journal_import_rejects_unbalanced_with_line_numbers(db) -> None:  # noqa: ANN001
    bad = (
        "entry,date,account,debit,credit\n"
        "A,2026-11-01,1010,10,\nA,2026-11-01,3000,,9.99\n"
        "B,2026-11-01,1010,1,\nB,2026-11-01,3000,,1\n"
    )
    r = bizdesk("import", "journal", "-", "--db", db, stdin=bad)
    assert r.returncode == 1
    assert "line 2: entry A: debits 10.00 and credits 9.99 differ" in r.stderr
    assert _json("report", "trial-balance", "--db", db)["rows"] == []  # B was not posted either


def test_stock_count_import_posts_adjustments(shop) -> None:  # noqa: ANN001
    r = bizdesk(
        "import",
        "stock-count",
        "-",
        "--db",
        shop,
        stdin="sku,counted,reason\nBOLT-M8,100,opening count\nNUT-M8,0,\n",
    )
    assert "1 product was adjusted, 1 matched the books" in r.stdout, r.stderr
    val = _json("report", "stock-valuation", "--db", shop)
    assert val["rows"] == [
        {
            "sku": "BOLT-M8",
            "name": "Bolt M8",
            "on_hand": "100",
            "average_cost": "0.20",
            "value": "20.00",
        }
    ]
    assert bizdesk("check", "--db", shop).returncode == 0


def test_every_erp_report_as_json_and_one_in_every_format(shop) -> None:  # noqa: ANN001
    for name in (
        "trial-balance",
        "profit-loss",
        "balance-sheet",
        "general-ledger",
        "stock-valuation",
        "low-stock",
        "ar-aging",
        "ap-aging",
    ):
        doc = _json("report", name, "--db", shop)
        assert doc["report"] == name and isinstance(doc["rows"], list)
    for fmt in ("table", "csv"):  # the same report object, printed two more ways
        r = bizdesk("report", "balance-sheet", "--db", shop, "--format", fmt)
        assert r.returncode == 0 and "Owner's equity" in r.stdout, r.stderr
    tb = _json("report", "trial-balance", "--db", shop)
    assert tb["rows"][0] == {
        "account": "1010",
        "name": "Bank",
        "debit": "5000.00",
        "credit": "800.00",
        "balance": "4200.00",
    }
    assert tb["totals"]["debit"] == tb["totals"]["credit"] == "5920.50"
    pl = _json("report", "profit-loss", "--db", shop, "--from", "2026-10-01", "--to", "2026-10-31")
    assert pl["totals"]["amount"] == "-800.00"
    ap = _json("report", "ap-aging", "--db", shop, "--as-of", "2026-11-22")
    assert ap["rows"] == [
        {
            "contact": "Acme Supply",
            "days_0_30": "0.00",
            "days_31_60": "120.50",
            "days_61_90": "0.00",
            "over_90": "0.00",
            "total": "120.50",
        }
    ]
    low = _json("report", "low-stock", "--db", shop)
    assert [r["sku"] for r in low["rows"]] == ["BOLT-M8", "NUT-M8"]


def test_journal_csv_export_imports_into_another_store(shop, tmp_path) -> None:  # noqa: ANN001
    out = tmp_path / "journal.csv"
    assert bizdesk("export", "journal", "--db", shop, "-o", str(out)).returncode == 0
    # never over a store (-o shop.db replaced the store with a CSV); -o - is standard output
    written = out.read_bytes()
    onto_store = bizdesk("export", "journal", "--db", shop, "-o", shop)
    assert onto_store.returncode == 1 and "is a bizdesk store" in onto_store.stderr
    # nor over its write-ahead log or its other companions, there or not (a CSV written
    # as shop.db-wal hid committed entries and made the store read as damaged)
    for suffix in ("-wal", "-shm", "-journal", "-turns"):
        companion = Path(shop + suffix)
        before = companion.read_bytes() if companion.exists() else None
        beside = bizdesk("export", "journal", "--db", shop, "-o", str(companion))
        assert beside.returncode == 1, beside
        assert f"belongs to the store {shop}; choose another name" in beside.stderr
        assert (companion.read_bytes() if companion.exists() else None) == before
    assert bizdesk("check", "--db", shop).returncode == 0
    dash = bizdesk("export", "journal", "--db", shop, "-o", "-")
    assert dash.returncode == 0 and dash.stdout.encode() == written.replace(b"\r\n", b"\n")
    assert not (Path.cwd() / "-").exists()
    other = str(tmp_path / "other.db")
    assert bizdesk("init", "--db", other).returncode == 0
    assert bizdesk("import", "contacts", "-", "--db", other, stdin=CONTACTS).returncode == 0
    r = bizdesk("import", "journal", str(out), "--db", other)
    assert r.stdout.strip() == "3 entries were posted: JE-1–JE-3.", r.stderr
    assert (
        _json("report", "trial-balance", "--db", other)["rows"]
        == _json("report", "trial-balance", "--db", shop)["rows"]
    )


@pytest.mark.skipif(
    shutil.which("hledger") is None,
    reason="hledger is not installed (Debian package hledger; .ci/run installs it)",
)
def test_ledger_export_checks_and_balances_in_hledger(shop, tmp_path) -> None:  # noqa: ANN001
    journal = tmp_path / "books.journal"
    r = bizdesk("export", "journal", "--format", "ledger", "--db", shop, "-o", str(journal))
    assert r.returncode == 0, r.stderr
    check = subprocess.run(
        ["hledger", "-f", str(journal), "check"], capture_output=True, text=True, timeout=60
    )
    assert check.returncode == 0, check.stderr
    bal = subprocess.run(
        ["hledger", "-f", str(journal), "balance", "--flat", "-O", "csv"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    theirs = {
        row["account"].split(":", 1)[1]: Decimal(row["balance"].split()[0] or "0")
        for row in csv.DictReader(io.StringIO(bal.stdout))
        if row["account"] != "total"
    }
    ours = {
        r["account"]: Decimal(r["balance"])
        for r in _json("report", "trial-balance", "--db", shop)["rows"]
    }
    assert theirs == ours and len(ours) == 5


@pytest.mark.skipif(
    shutil.which("hledger") is None,
    reason="hledger is not installed (Debian package hledger; .ci/run installs it)",
)
def test_a_vnd_ledger_export_loads_in_hledger(tmp_path) -> None:  # noqa: ANN001
    """A currency without decimals: the commodity directive read "1,000 VND", which hledger
    refuses ("Please include a decimal point or decimal comma in commodity directives")."""
    db = str(tmp_path / "vn.db")
    made = bizdesk("init", "--db", db, "--locale", "vi_VN", "--currency", "VND")
    assert made.returncode == 0, made.stderr
    rows = "entry,date,account,debit,credit\n1,2026-11-02,1111,1500000,\n"
    rows += "1,2026-11-02,4111,,1500000\n"
    assert bizdesk("import", "journal", "-", "--db", db, stdin=rows).returncode == 0
    journal = tmp_path / "books.journal"
    r = bizdesk("export", "journal", "--format", "ledger", "--db", db, "-o", str(journal))
    assert r.returncode == 0, r.stderr
    bal = subprocess.run(
        ["hledger", "-f", str(journal), "balance", "--flat", "-O", "csv"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert bal.returncode == 0, bal.stderr
    assert "1,500,000 VND" in bal.stdout or "1500000 VND" in bal.stdout, bal.stdout


def test_the_audit_trail_shows_amounts_as_decimals_and_stays_sealed(shop, tmp_path) -> None:  # noqa: ANN001
    """`audit --format json` gave stored money as minor units (a product's price 40 for
    0.40, a budget 80050 for 800.50), a price under its storage name (sale_price_minor):
    amounts are decimal strings with the currency's decimals, quantities as people write
    them, as in every other output; CSV says the same; what is stored (and hashed) is not
    touched: the check stays green."""
    assert bizdesk("budget", "set", "6000", "2026-10", "800.50", "--db", shop).returncode == 0
    events = _json("audit", "--db", shop)
    made = {e["after"]["sku"]: e["after"] for e in events if e["entity"] == "product"}
    bolt = made["BOLT-M8"]
    assert (bolt["sale_price"], bolt["cost"], bolt["reorder_point"]) == ("0.40", "0.20", "50")
    assert not any(key.endswith(("_minor", "_scaled")) for key in bolt)
    budget = [e["after"] for e in events if e["entity"] == "budget"]
    assert budget == [{"account": "6000", "amount": "800.50", "month": "2026-10"}]
    rows = list(
        csv.DictReader(io.StringIO(bizdesk("audit", "--db", shop, "--format", "csv").stdout))
    )
    assert [json.loads(r["after"]) if r["after"] else None for r in rows] == [
        e["after"] for e in events
    ]
    assert bizdesk("check", "--db", shop).returncode == 0
    # a currency without decimals: dong as they are
    vnd = str(tmp_path / "vnd.db")
    assert bizdesk("init", "--db", vnd, "--currency", "VND").returncode == 0
    items = "sku,name,unit,sale_price,cost,vat_rate\nPHO,Pho,bowl,45000,20000,8\n"
    assert bizdesk("import", "products", "-", "--db", vnd, stdin=items).returncode == 0
    pho = [e["after"] for e in _json("audit", "--db", vnd) if e["entity"] == "product"]
    assert (pho[0]["sale_price"], pho[0]["cost"]) == ("45000", "20000")


def test_every_report_with_amounts_says_their_currency(shop) -> None:  # noqa: ANN001
    """The accounting reports' JSON (trial-balance ... budget) did not say the currency of
    their amounts, as the analyses' JSON does: every report with amounts says it, the same
    way (a parameter); those without money (counts, quantities, days) do not."""
    from bizdesk.cli.reports import ReportName
    from bizdesk.services.overview.reports import NO_MONEY

    for name in ReportName:
        extra = {
            ReportName.STATEMENT: ("--contact", "Acme Supply"),
            ReportName.VAT_RETURN: ("--from", "2026-10-01", "--to", "2026-10-31"),
        }.get(name, ())
        doc = _json("report", name.value, *extra, "--db", shop)
        assert doc["report"] == name.value
        if name.value in NO_MONEY:
            assert "currency" not in doc, name
        else:
            assert doc["currency"] == "EUR", name
    assert NO_MONEY == {"low-stock", "tickets-sla", "cycle-times"}
