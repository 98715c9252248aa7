"""Budgets (issue 15, deliverable 3): per account per month, set, imported or copied from a
year's actual figures with a percentage (half-even to the cent, stated and exact); budget
against actual with variance and percentage; sales targets per owner against won deals."""

from __future__ import annotations

import calendar
import json
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from bizdesk.db import Store
from bizdesk.errors import PermissionDenied, ValidationError
from bizdesk.models.budgets import Budget
from bizdesk.models.deals import Deal
from bizdesk.services.admin import users
from bizdesk.services.books import budgets, ledger
from bizdesk.services.crm import contacts
from bizdesk.services.overview import reports
from bizdesk.services.trade import deals
from tests.test_cli import bizdesk, bizdesk_user


def _spend(uow, day: date, code: str, minor: int) -> None:  # noqa: ANN001
    """An expense (or, for an income account, an income) paid from or into the bank."""
    acct = ledger.resolve_account(uow, code)
    bank = ledger.account_for(uow, "bank").id
    if acct.type == "income":
        lines = [
            ledger.Posting(bank, debit_minor=minor),
            ledger.Posting(acct.id, credit_minor=minor),
        ]
    else:
        lines = [
            ledger.Posting(acct.id, debit_minor=minor),
            ledger.Posting(bank, credit_minor=minor),
        ]
    ledger.post_entry(uow, day, f"{code} {day}", lines)


def _count(store: Store) -> int:
    with store.read() as uow:
        return uow.session.scalar(select(func.count()).select_from(Budget))


def test_set_and_report_budget_against_actual(store) -> None:  # noqa: ANN001
    with store.write() as uow:
        for month in ("2026-01", "2026-02"):
            budgets.set_budget(uow, "6000", month, "1000")
        budgets.set_budget(uow, "4000", "2026-01", "5000.00")
        line = budgets.set_budget(uow, "6000", "2026-02", "800")  # changed, not added
        _spend(uow, date(2026, 1, 5), "6000", 1_100_00)
        _spend(uow, date(2026, 2, 5), "6000", 700_00)
        _spend(uow, date(2026, 1, 20), "4000", 4_000_00)
        _spend(uow, date(2026, 1, 21), "6300", 25_00)  # no budget: shown, variance all of it
    assert (line.account, line.month, line.amount) == ("6000", 2, Decimal("800.00"))
    assert _count(store) == 3
    with store.read() as uow:
        rep = budgets.budget_report(uow, date(2026, 1, 1), date(2026, 2, 28))
    rows = {r.code: (r.budget, r.actual, r.variance, r.variance_percent) for r in rep.rows}
    assert rows == {
        "4000": (Decimal("5000.00"), Decimal("4000.00"), Decimal("-1000.00"), Decimal("-20.0")),
        "6000": (Decimal("1800.00"), Decimal("1800.00"), Decimal("0.00"), Decimal("0.0")),
        "6300": (Decimal("0.00"), Decimal("25.00"), Decimal("25.00"), None),
    }
    assert (rep.budget_profit, rep.actual_profit) == (Decimal("3200.00"), Decimal("2175.00"))
    # a period that cuts February counts 14 of its 28 days of budget
    with store.read() as uow:
        half = budgets.budget_report(uow, date(2026, 2, 1), date(2026, 2, 14))
    assert {r.code: r.budget for r in half.rows}["6000"] == Decimal("400.00")
    # January alone: one third of a 1,000 budget prorated over 10 of 31 days is 322.58 (half-even)
    with store.read() as uow:
        part = budgets.budget_report(uow, date(2026, 1, 1), date(2026, 1, 10))
    assert {r.code: r.budget for r in part.rows}["6000"] == Decimal("322.58")


def test_bad_input_is_refused_with_what_is_expected(store) -> None:  # noqa: ANN001
    with store.write() as uow:
        for args, field, text in (
            (("6000", "2026-13", "10"), "month", "is not a month: write YYYY-MM, e.g. 2026-03"),
            (("6000", "2026-1", "10"), "month", "is not a month: write YYYY-MM, e.g. 2026-03"),
            (("6000", "March", "10"), "month", "is not a month: write YYYY-MM, e.g. 2026-03"),
            (("6000", "2026-03", "10.005"), "amount", "at most 2 decimals"),
            (("6000", "2026-03", "ten"), "amount", ""),
            (("9999", "2026-03", "10"), "account", "no account '9999'"),
            # the start of a name (a suggestion seen, not taken): the accounts it begins
            (
                ("bank f", "2026-03", "10"),
                "account",
                "no account 'bank f'; did you mean 6400 Bank fees? Type the code or the whole name",
            ),
            # a bank's balance is no period's movement (a budget of 5 read 14 million %)
            (
                ("1010", "2026-03", "5"),
                "account",
                "1010 Bank is a balance-sheet account (asset): budgets are for income and "
                "expense accounts",
            ),
        ):
            with pytest.raises(ValidationError) as exc:
                budgets.set_budget(uow, *args)
            assert field in exc.value.fields and text in str(exc.value.fields[field]), args
    assert _count(store) == 0
    with store.read() as uow, pytest.raises(ValidationError) as exc:
        budgets.budget_report(uow, date(2026, 1, 1), None)
    assert "both ends of the period" in str(exc.value)


def test_import_is_all_or_nothing_with_line_numbers(store) -> None:  # noqa: ANN001
    bad = "account,month,amount\n6000,2026-01,100\n6000,2026-1,100\n4000,2026-01,x\n"
    with store.write() as uow, pytest.raises(ValidationError) as exc:
        budgets.import_budgets(uow, bad)
    text = str(exc.value.fields["file"])
    assert (
        "line 3: month: '2026-1' is not a month: write YYYY-MM" in text and "line 4: amount" in text
    )
    with store.write() as uow, pytest.raises(ValidationError) as exc:
        budgets.import_budgets(uow, "account,month,amount\n2100,2026-01,100\n")
    assert "line 2: account: 2100 " in str(exc.value.fields["file"])
    # said as the file's lines, not under the field "file" (it was "file: line 2: ...")
    assert str(exc.value).startswith("line 2: account: 2100 ")
    # a quote never closed: "100\n" was read as 100 and set
    with store.write() as uow, pytest.raises(ValidationError) as exc:
        budgets.import_budgets(uow, 'account,month,amount\n6000,2026-01,"100\n')
    assert str(exc.value).startswith("line 2: a quoted cell starts here and is never closed")
    assert _count(store) == 0
    with store.write() as uow:
        assert budgets.import_budgets(uow, "account,month,amount\n6000,2026-01,100\n") == 1
        as_json = json.dumps([{"account": "6000", "month": "2026-02", "amount": "120.50"}])
        assert budgets.import_budgets(uow, as_json.encode()) == 1
    with store.read() as uow:
        rep = budgets.budget_report(uow, date(2026, 1, 1), date(2026, 2, 28))
    assert rep.rows[0].budget == Decimal("220.50")
    # one account and month twice: which was meant is not guessed (it was: the last won)
    twice = "account,month,amount\n6000,2026-04,800\n6000,2026-04,900\n"
    with store.write() as uow, pytest.raises(ValidationError) as exc:
        budgets.import_budgets(uow, twice)
    assert "line 3: 6000 2026-04 is set already by line 2" in str(exc.value.fields["file"])
    # a JSON number with decimals is read exactly (it was "internal error: a float")
    with store.write() as uow:
        exact = '[{"account": "6000", "month": "2026-03", "amount": 5.1}]'
        assert budgets.import_budgets(uow, exact) == 1
    with store.read() as uow:
        rep = budgets.budget_report(uow, date(2026, 3, 1), date(2026, 3, 31))
    assert rep.rows[0].budget == Decimal("5.10")


@pytest.mark.parametrize(
    ("data", "said"),
    [
        ('{"bad json', "not JSON"),  # it was "line 1: unknown columns {"bad json"
        ('{"account": "6000", "month": "2026-01", "amount": 1}', "a JSON list of objects"),
    ],
)
def test_a_file_that_is_json_but_not_a_list_is_said_to_be_so(store, data, said) -> None:  # noqa: ANN001
    with store.write() as uow, pytest.raises(ValidationError) as exc:
        budgets.import_budgets(uow, data)
    assert said in str(exc.value.fields["file"]) and "columns" not in str(exc.value.fields["file"])


def test_copy_from_last_year_with_a_percentage_rounds_half_even_per_month(store) -> None:  # noqa: ANN001
    with store.write() as uow:
        _spend(uow, date(2025, 1, 10), "6000", 1_000_00)
        _spend(uow, date(2025, 2, 10), "6000", 333_33)  # x 1.05 = 349.9965 -> 350.00
        _spend(uow, date(2025, 1, 11), "6300", 10)  # 0.10 x 1.05 = 0.105 -> 0.10 (even)
        _spend(uow, date(2025, 2, 11), "6300", 30)  # 0.30 x 1.05 = 0.315 -> 0.32 (even)
        _spend(uow, date(2025, 3, 1), "4000", 2_000_05)  # 2,100.0525 -> 2,100.05
        _spend(uow, date(2025, 3, 2), "1500", 99_00)  # an asset: not copied
        n = budgets.copy_year(uow, "2025", "2026", "5")
    assert n == 5
    with store.read() as uow:
        got = {
            (code, m): a
            for code, m, a in uow.session.execute(
                select(ledger.Account.code, Budget.month, Budget.amount_minor)
                .join(ledger.Account, ledger.Account.id == Budget.account_id)
                .where(Budget.year == 2026)
            )
        }
    assert got == {
        ("6000", 1): 1_050_00,
        ("6000", 2): 350_00,
        ("6300", 1): 10,
        ("6300", 2): 32,
        ("4000", 3): 2_100_05,
    }
    assert budgets.grown(2_000_05, Decimal("5")) == 2_100_05
    assert budgets.grown(10, Decimal("-2.5")) == 10  # 9.75 -> 10
    # 2026 has a budget now: copying over it is refused unless asked to replace it
    with store.write() as uow, pytest.raises(ValidationError) as exc:
        budgets.copy_year(uow, "2025", "2026", "10")
    assert "2026 has a budget already (5 lines)" in str(exc.value)
    with store.write() as uow:
        assert budgets.copy_year(uow, "2025", "2026", "-100", replace=True) == 5
    with store.read() as uow:
        amounts = uow.session.scalars(select(Budget.amount_minor).where(Budget.year == 2026)).all()
    assert set(amounts) == {0}
    with store.write() as uow:
        for args, field in (
            (("2025", "2025", "5"), "to_year"),
            (("25", "2026", "5"), "from_year"),
            (("2025", "2027", "-101"), "percent"),
            (("2025", "2027", "x"), "percent"),
        ):
            with pytest.raises(ValidationError) as exc:
                budgets.copy_year(uow, *args)
            assert field in exc.value.fields, args


def test_the_budget_report_in_json_and_the_cli(store) -> None:  # noqa: ANN001
    with store.write() as uow:
        users.add(uow, bizdesk_user(), "accountant")
        _spend(uow, date(2025, 1, 10), "6000", 1_000_00)
    db = ("--db", store.url)
    assert bizdesk("budget", "set", "6000", "2026-01", "900", *db).returncode == 0
    # a negative amount is the amount, not an option ("No such option: -5")
    below = bizdesk("budget", "set", "6000", "2026-03", "-50", *db)
    assert below.returncode == 0 and "6000 Rent for 2026-03: -50.00" in below.stdout, below.stderr
    copy = bizdesk(
        "budget", "copy", "--from-year", "2025", "--to-year", "2026", "--percent", "5", *db
    )
    said = copy.stderr  # the option that does it, by its name
    assert copy.returncode == 1 and said.startswith("--to-year: 2026 has a budget already"), said
    assert "--replace copies over it" in said
    copy = bizdesk(
        "budget",
        "copy",
        "--from-year",
        "2025",
        "--to-year",
        "2026",
        "--percent",
        "5",
        "--replace",
        *db,
    )
    assert copy.returncode == 0 and "1 budget line written for 2026" in copy.stdout, copy.stderr
    imported = bizdesk(
        "budget", "import", "-", *db, stdin="account,month,amount\n6000,2026-02,500\n"
    )
    assert imported.returncode == 0 and "1 budget line set" in imported.stdout, imported.stderr
    with store.write() as uow:
        _spend(uow, date(2026, 1, 10), "6000", 1_200_00)
    r = bizdesk(
        "report", "budget", "--from", "2026-01-01", "--to", "2026-02-28", "--format", "json", *db
    )
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["rows"] == [
        {
            "account": "6000",
            "name": "Rent",
            "budget": "1550.00",
            "actual": "1200.00",
            "variance": "-350.00",
            "variance_percent": "-22.6",
        }
    ]
    assert doc["totals"]["budget"] == "-1550.00" and doc["totals"]["actual"] == "-1200.00"
    refused = bizdesk("budget", "target", "tester", "2026-01", "100", *db)
    assert refused.returncode == 1 and "Setting sales targets is not allowed" in refused.stderr


def test_roles(store) -> None:  # noqa: ANN001
    with store.write() as uow:
        for name, role in (
            ("sam", "sales"),
            ("wendy", "warehouse"),
            ("vic", "viewer"),
            ("ann", "accountant"),
        ):
            users.add(uow, name, role)
    as_ = {
        n: Store(url=store.url, engine=store.engine, user=n) for n in ("sam", "wendy", "vic", "ann")
    }
    for name in ("sam", "wendy", "vic"):
        with as_[name].write() as uow, pytest.raises(PermissionDenied):
            budgets.set_budget(uow, "6000", "2026-01", "1")
    with as_["ann"].write() as uow:
        budgets.set_budget(uow, "6000", "2026-01", "1")
        with pytest.raises(PermissionDenied):
            budgets.set_target(uow, "ann", "2026-01", "1")
        with pytest.raises(PermissionDenied):
            budgets.month_target(uow, "ann", "2026-01")
    for name in ("sam", "wendy"):
        with as_[name].read() as uow, pytest.raises(PermissionDenied):
            reports.build(uow, "budget")
    with as_["vic"].read() as uow:
        assert reports.build(uow, "budget").rows[0]["account"] == "6000"
    with as_["sam"].read() as uow:
        reports.build(uow, "sales-targets")  # the pipeline's readers see the targets
    with as_["wendy"].read() as uow, pytest.raises(PermissionDenied):
        reports.build(uow, "sales-targets")


def test_sales_targets_against_won_deals(store) -> None:  # noqa: ANN001
    today = date.today()
    month = f"{today.year}-{today.month:02d}"
    with store.write() as uow:
        users.add(uow, "sam", "sales")
        cid = contacts.create(uow, contacts.ContactInput(name="Cycle Club")).contact.id
        for title, owner, amount in (
            ("Bikes", "sam", "600"),
            ("Locks", "sam", "150"),
            ("Big", "tester", "50"),
        ):
            d = deals.create(
                uow, deals.DealInput(title=title, contact=f"#{cid}", owner=owner, amount=amount)
            )
            deals.win(uow, d.id, "ok", version=d.version)
        deals.create(
            uow, deals.DealInput(title="Open", contact=f"#{cid}", owner="sam", amount="999")
        )
        budgets.set_target(uow, "sam", month, "1000")
        with pytest.raises(ValidationError) as exc:
            budgets.set_target(uow, "nobody", month, "1000")
        assert "no user 'nobody'" in str(exc.value.fields["owner"])
        # what a form changing a target starts from
        assert budgets.month_target(uow, "sam", month) == Decimal("1000.00")
        assert budgets.month_target(uow, "tester", month) is None
        with pytest.raises(ValidationError) as exc:
            budgets.month_target(uow, "sam", "2026-13")
        assert set(exc.value.fields) == {"month"}
        last = date(today.year, today.month, calendar.monthrange(today.year, today.month)[1])
        rows = budgets.targets_report(uow, date(today.year, today.month, 1), last)
    got = {r.owner: (r.month, r.target, r.won, r.deals, r.variance, r.percent) for r in rows}
    assert got == {
        "sam": (
            month,
            Decimal("1000.00"),
            Decimal("750.00"),
            2,
            Decimal("-250.00"),
            Decimal("75.0"),
        ),
        "tester": (month, Decimal("0.00"), Decimal("50.00"), 1, Decimal("50.00"), None),
    }


def test_a_period_that_cuts_a_month_counts_its_days(store) -> None:  # noqa: ANN001
    # Deals won on 3 and 20 March; a target of 3,100 for March. Asked for 7-31 March, the
    # report counted both deals and the whole target, as if asked for the month.
    with store.write() as uow:
        cid = contacts.create(uow, contacts.ContactInput(name="Cycle Club")).contact.id
        for title, amount, day in (("Early", "400", 3), ("Late", "250", 20)):
            d = deals.create(
                uow, deals.DealInput(title=title, contact=f"#{cid}", owner="tester", amount=amount)
            )
            deals.win(uow, d.id, "ok", version=d.version)
            uow.session.execute(
                update(Deal)
                .where(Deal.id == d.id)
                .values(closed_at=datetime(2026, 3, day, 12, tzinfo=UTC))
            )
        budgets.set_target(uow, "tester", "2026-03", "3100")

    def report(first: date, last: date) -> list[tuple]:
        with store.read() as uow:
            rows = budgets.targets_report(uow, first, last)
        return [(r.month, r.target, r.won, r.deals) for r in rows]

    assert report(date(2026, 3, 1), date(2026, 3, 31)) == [
        ("2026-03", Decimal("3100.00"), Decimal("650.00"), 2)
    ]
    assert report(date(2026, 3, 7), date(2026, 3, 31)) == [  # 25 of March's 31 days
        ("2026-03", Decimal("2500.00"), Decimal("250.00"), 1)
    ]
    assert report(date(2026, 3, 21), date(2026, 4, 30)) == [
        ("2026-03", Decimal("1100.00"), Decimal("0.00"), 0)
    ]


def test_home_glance_only_with_a_budget_this_year(store) -> None:  # noqa: ANN001
    today = date.today()
    with store.read() as uow:
        assert budgets.glance(uow, today) is None
    with store.write() as uow:
        budgets.set_budget(uow, "4000", f"{today.year}-01", "100")
        budgets.set_budget(uow, "6000", f"{today.year}-01", "40")
        _spend(uow, date(today.year, 1, 2), "6000", 30_00)
    with store.read() as uow:
        g = budgets.glance(uow, today)
    assert (g.income_budget, g.income, g.expense_budget, g.expenses) == (
        Decimal("100.00"),
        Decimal("0.00"),
        Decimal("40.00"),
        Decimal("30.00"),
    )


def test_the_readme_says_how_a_budget_month_is_typed_and_it_is_so(store) -> None:  # noqa: ANN001
    """The README said MONTH is "as the person writes months (12/2026, 12.2026) or YYYY-MM",
    yet English with no country takes YYYY-MM only (the command line's one machine form):
    a person's form is read only where their locale names one, as for dates. The README
    now says so, and each of its examples is run as it says."""
    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    block = readme[readme.index("bizdesk budget set ACCOUNT MONTH") :]
    said = " ".join(block[: block.index("bizdesk budget copy")].split())
    assert "English with no country (en, C) takes YYYY-MM only" in said, said
    assert "12.2026 in Romanian, 12/2026 in Spanish, Vietnamese, en_US or en_GB" in said
    with store.write() as uow:
        users.add(uow, bizdesk_user(), "accountant")
    db = ("--db", store.url)
    for locale, month in (
        ("ro_RO.UTF-8", "12.2026"),
        ("es_ES.UTF-8", "12/2026"),
        ("vi_VN.UTF-8", "11/2026"),
        ("en_US.UTF-8", "10/2026"),
        ("en_GB.UTF-8", "09/2026"),
        ("C.UTF-8", "2026-08"),
    ):
        r = bizdesk("budget", "set", "6000", month, "5", *db, env={"LC_ALL": locale})
        assert r.returncode == 0, (locale, r.stderr)
    for month in ("12/2026", "12.2026"):
        r = bizdesk("budget", "set", "6000", month, "5", *db, env={"LC_ALL": "C.UTF-8"})
        assert r.returncode == 1 and "is not a month: write YYYY-MM" in r.stderr, r.stderr
    with store.read() as uow:
        months = uow.session.scalars(select(Budget.month).order_by(Budget.month)).all()
    assert months == [8, 9, 10, 11, 12]


def test_copy_leaves_out_an_archived_account_which_no_budget_may_be_set_for(store) -> None:  # noqa: ANN001
    """An account archived since: its copied budget could not be changed (set refuses an
    archived account), so the copy leaves it out instead of budgeting what it never takes."""
    with store.write() as uow:
        _spend(uow, date(2025, 1, 10), "6000", 1_000_00)
        _spend(uow, date(2025, 1, 11), "6300", 50_00)
        ledger.set_account_archived(uow, ledger.resolve_account(uow, "6300").id)
        assert budgets.copy_year(uow, "2025", "2026", "0") == 1
    with store.read() as uow:
        codes = uow.session.scalars(
            select(ledger.Account.code)
            .join(Budget, Budget.account_id == ledger.Account.id)
            .where(Budget.year == 2026)
        ).all()
    assert codes == ["6000"]


def test_variance_percent_has_the_sign_of_the_variance_on_a_negative_budget(store) -> None:  # noqa: ANN001
    """A budget below zero (an expense account that earns, such as stock adjustments):
    actual above budget is a positive variance and a positive percentage, not 863.00 beside
    -49.3 %."""
    with store.write() as uow:
        budgets.set_budget(uow, "6000", "2026-01", "-200")
        _spend(uow, date(2026, 1, 5), "6000", 100_00)
    with store.read() as uow:
        rep = budgets.budget_report(uow, date(2026, 1, 1), date(2026, 1, 31))
    row = {r.code: r for r in rep.rows}["6000"]
    assert (row.variance, row.variance_percent) == (Decimal("300.00"), Decimal("150.0"))
