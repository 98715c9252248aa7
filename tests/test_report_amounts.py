"""Report tables on the command line print amounts formatted in the shop's locale (the
balance-sheet line too); JSON and CSV keep plain decimal strings."""

from __future__ import annotations

import json

import pytest

from tests.test_cli import bizdesk

JOURNAL = (
    "entry,date,account,debit,credit,memo,contact\n"
    "1,2026-10-01,1010,12345.67,,Owner puts money in,\n"
    "1,2026-10-01,3000,,12345.67,,\n"
)


@pytest.mark.parametrize(
    ("locale", "shown"), [("en_US", "12,345.67"), ("de_DE", "12.345,67")], ids=["en", "de"]
)
def test_report_tables_format_amounts(tmp_path, locale, shown) -> None:  # noqa: ANN001
    db = str(tmp_path / "shop.db")
    assert bizdesk("init", "--db", db, "--locale", locale).returncode == 0
    r = bizdesk("import", "journal", "-", "--db", db, stdin=JOURNAL)
    assert r.returncode == 0, r.stderr
    for name in ("trial-balance", "balance-sheet", "general-ledger"):
        table = bizdesk("report", name, "--db", db, env={"COLUMNS": "200"})
        assert table.returncode == 0, table.stderr
        assert shown in table.stdout, (name, table.stdout)
        assert "12345.67" not in table.stdout, (name, table.stdout)
    sheet = bizdesk("report", "balance-sheet", "--db", db).stdout
    assert f"Assets {shown} = liabilities 0.00 + equity {shown} ({shown})" in sheet.replace(
        "0,00", "0.00"
    )
    doc = json.loads(bizdesk("report", "trial-balance", "--db", db, "--format", "json").stdout)
    assert doc["rows"][0]["debit"] == "12345.67"
    csv = bizdesk("report", "trial-balance", "--db", db, "--format", "csv").stdout
    assert "12345.67" in csv and shown not in csv


def test_report_tables_at_80_columns_never_cut_an_amount_short(tmp_path) -> None:  # noqa: ANN001
    """At 80 columns (a terminal's usual width; the width into a file) the general ledger's
    nine columns used to show "12,34…" and "2026-…": an amount is now always whole, the
    text columns wrap (folding a word only when the table cannot fit otherwise), and no
    line is wider than the width."""
    db = str(tmp_path / "shop.db")
    assert (
        bizdesk(
            "init", "--db", db, "--locale", "vi_VN", "--currency", "VND", "--chart", "generic"
        ).returncode
        == 0
    )
    big = JOURNAL.replace("12345.67", "98765432109")
    assert bizdesk("import", "journal", "-", "--db", db, stdin=big).returncode == 0
    for name in ("trial-balance", "general-ledger", "balance-sheet"):
        table = bizdesk("report", name, "--db", db, env={"COLUMNS": "80"})
        assert table.returncode == 0, table.stderr
        assert "98.765.432.109" in table.stdout, (name, table.stdout)
        assert "…" not in table.stdout, (name, table.stdout)
        assert max(len(line) for line in table.stdout.splitlines()) <= 80, table.stdout
    # a column of single words (the dates, the entries' numbers) keeps them whole at 80:
    # "2026-10-01" broke into "2026-10-0" and "1" beside the wrapping names and memos
    narrow = bizdesk(
        "report", "general-ledger", "--from", "2026-10-01", "--db", db, env={"COLUMNS": "80"}
    )
    assert "2026-10-01" in narrow.stdout and "JE-1 " in narrow.stdout, narrow.stdout
    # the opening balance's debit and credit are amounts as the others are (it showed 0)
    doc = json.loads(
        bizdesk(
            "report", "general-ledger", "--from", "2026-10-01", "--db", db, "--format", "json"
        ).stdout
    )
    assert (doc["rows"][0]["debit"], doc["rows"][0]["credit"]) == ("0", "0")  # VND: no decimals
    ledger = bizdesk("report", "general-ledger", "--db", db, env={"COLUMNS": "120"}).stdout
    assert "2026-10-01" in ledger and "Owner" in ledger and "money" in ledger  # words whole


def test_the_general_ledger_at_80_columns_heads_each_account_and_keeps_dates_whole(
    tmp_path,  # noqa: ANN001
) -> None:
    """Nine columns did not fit 80: beside a few words of memo the dates broke ("2026-1" over
    "0-01") and so did the headings ("Accoun" over "t"). The account is a line over its rows
    now, and the columns of every account's rows line up under one row of headings."""
    db = str(tmp_path / "shop.db")
    assert bizdesk("init", "--db", db).returncode == 0
    memo = "Till takings for the week of the autumn fair"
    rows = [f"{JOURNAL}2,2026-10-08,1000,1620.90,,{memo},\n2,2026-10-08,4000,,1620.90,,\n"]
    assert bizdesk("import", "journal", "-", "--db", db, stdin=rows[0]).returncode == 0
    out = bizdesk("report", "general-ledger", "--db", db, env={"COLUMNS": "80"}).stdout
    lines = out.splitlines()
    assert max(len(line) for line in lines) <= 80, out
    assert lines[1].split() == ["Date", "Entry", "Memo", "Contact", "Debit", "Credit", "Balance"]
    for account in ("1000 Cash", "1010 Bank", "3000 Owner's equity", "4000 Sales"):
        assert lines.count(account) == 1, (account, out)  # once, a line of its own
    dates = [line.split()[0] for line in lines if line[:4] == "2026"]
    assert dates == ["2026-10-08", "2026-10-01", "2026-10-01", "2026-10-08"], out
    starts = {line.index("1,620.90") for line in lines if "1,620.90" in line}
    assert len(starts) == 2, out  # a debit and a credit: two columns, each lined up
    doc = json.loads(bizdesk("report", "general-ledger", "--db", db, "--format", "json").stdout)
    assert (doc["rows"][0]["account"], doc["rows"][0]["name"]) == ("1000", "Cash")


def test_a_report_of_many_counts_keeps_its_words_column_at_80_columns(tmp_path) -> None:  # noqa: ANN001
    """tickets-sla has seven columns of counts under long headings: each count column was as
    wide as its heading and never wrapped, so the table overflowed 80 columns and rich gave
    the priority column no width at all (its words vanished). The headings wrap now."""
    db = str(tmp_path / "shop.db")
    assert bizdesk("init", "--db", db).returncode == 0
    table = bizdesk("report", "tickets-sla", "--db", db, env={"COLUMNS": "80"})
    assert table.returncode == 0, table.stderr
    lines = table.stdout.splitlines()
    assert max(len(line) for line in lines) <= 80, table.stdout
    for word in ("urgent", "high", "normal", "low", "Total"):
        assert any(line.startswith(f"{word} ") for line in lines), (word, table.stdout)
