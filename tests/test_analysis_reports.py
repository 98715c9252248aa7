"""Win/loss, order cycle times and segments per period with age groups (issue 15,
deliverable 5): figures, drill-down pages, the CLI's JSON and the roles."""

from __future__ import annotations

import io
import json
from datetime import date, timedelta
from decimal import Decimal

import pytest

from bizdesk.db import Store
from bizdesk.errors import PermissionDenied, ValidationError
from bizdesk.services.admin import users
from bizdesk.services.base.paging import PageRequest
from bizdesk.services.base.validate import FieldError
from bizdesk.services.crm import contacts
from bizdesk.services.overview import analysis, reports
from bizdesk.services.trade import deals
from tests.test_analysis_sales import _shop
from tests.test_cli import bizdesk, bizdesk_user


def _deals(store: Store) -> dict[str, int]:
    """Four deals closed today: two lost on price (one after moving a stage on), one won,
    one lost by another owner; one left open."""
    with store.write() as uow:
        users.add(uow, "sam", "sales")
        cid = contacts.create(uow, contacts.ContactInput(name="Ann Rider")).contact.id

        def deal(title: str, amount: str, owner: str = "tester") -> deals.DealView:
            return deals.create(
                uow,
                deals.DealInput(title=title, contact=f"#{cid}", amount=amount, owner=owner),
            )

        a = deal("Fleet", "1000")
        a = deals.move(uow, a.id, +1, version=a.version)
        stage_a = a.stage
        deals.lose(uow, a.id, "Price too high", version=a.version)
        b = deal("Bikes", "250.50")
        deals.win(uow, b.id, "Good service", version=b.version)
        c = deal("Helmets", "99.99")
        deals.lose(uow, c.id, "Price too high ", version=c.version)
        d = deal("Lights", "10", owner="sam")
        deals.lose(uow, d.id, "No budget", version=d.version)
        deal("Open one", "5000")
        first = deals.list_stages(uow)[0].name
    return {"moved_to": stage_a, "first": first, "fleet": a.id}


def test_win_loss_by_reason_stage_and_owner(store) -> None:  # noqa: ANN001
    ids = _deals(store)
    today = date.today()
    rep = reports.run(store, "win-loss", date_from=today, date_to=today)
    rows = {r["reason"]: r for r in rep.rows}
    assert rows["Price too high"]["lost"] == 2  # the reasons are trimmed before grouping
    assert rows["Price too high"]["lost_amount"] == Decimal("1099.99")
    assert rows["Good service"]["won"] == 1 and rows["Good service"]["win_rate"] == 100
    assert rep.totals["won"] == 1 and rep.totals["lost"] == 3
    assert rep.totals["win_rate"] == Decimal("25.0")
    assert any("estimates" in n for n in rep.notes)
    by_stage = {r["stage"]: r for r in reports.run(store, "win-loss", by="stage").rows}
    assert by_stage[ids["moved_to"]]["lost"] == 1  # the stage it stood in when lost
    assert by_stage[ids["first"]]["lost"] == 2 and by_stage[ids["first"]]["won"] == 1
    by_owner = {r["owner"]: r for r in reports.run(store, "win-loss", by="owner").rows}
    assert by_owner["sam"]["lost"] == 1 and by_owner["tester"]["won"] == 1
    # closed before the period: nothing
    empty = reports.run(store, "win-loss", date_from=date(2020, 1, 1), date_to=date(2020, 12, 31))
    assert empty.rows == [] and empty.totals["win_rate"] is None
    # drill-down: the deals behind the row, paged
    with store.read() as uow:
        page = analysis.drill(uow, by_stage[ids["moved_to"]]["drill"], PageRequest(limit=5))
        assert [r.record_id for r in page.rows] == [ids["fleet"]]
        price = analysis.drill(uow, rows["Price too high"]["drill"], PageRequest(limit=1))
        more = analysis.drill(
            uow, rows["Price too high"]["drill"], PageRequest(limit=1, after=price.keys[-1])
        )
    assert {price.rows[0].title, more.rows[0].title} == {"Fleet", "Helmets"}
    assert price.rows[0].record == "deal" and price.more_after and not more.more_after


def test_cycle_times_of_sales_and_purchase_orders(store) -> None:  # noqa: ANN001
    _shop(store)
    with store.read() as uow:
        rows, total = analysis.cycle_times(uow, "sales")
    by_month = {r.month: r for r in rows}
    oct_, nov = by_month["2026-10"], by_month["2026-11"]
    # October: ordered 5th, delivered 6th, invoiced 2 November, paid the 10th
    assert oct_.orders == 1
    assert (oct_.steps["delivered"].median, oct_.steps["invoiced"].median) == (1, 27)
    assert oct_.steps["paid"].median == 8 and oct_.total.median == 36
    # November: the club's order (delivered in 2 days, invoiced at once, not paid) and the
    # counter sale (all on one day)
    assert nov.orders == 2
    assert nov.steps["delivered"].median == 0 and nov.steps["delivered"].p90 == 2
    assert nov.steps["invoiced"].done == 2 and nov.steps["invoiced"].p90 == 0
    assert nov.steps["paid"].done == 1 and nov.steps["paid"].waiting == 1
    assert total.orders == 3 and total.steps["paid"].waiting == 1
    assert total.steps["invoiced"].p90 == 27 and total.total.median == 0
    with store.read() as uow:
        prow, ptotal = analysis.cycle_times(uow, "purchases")
        page = analysis.drill(
            uow,
            {"kind": "orders", "of": "sales", "key": "2026-11", "date_from": None, "date_to": None},
            PageRequest(limit=10),
        )
    # bought 1 October, received the 2nd, never billed
    assert ptotal.orders == 1 and ptotal.steps["delivered"].median == 1
    assert ptotal.steps["invoiced"].waiting == 1
    assert len(page.rows) == 2 and page.rows[0].record == "sales_order"
    club = next(r for r in page.rows if r.contact == "Cycle Club")
    assert (club.ordered, club.delivered, club.invoiced, club.paid) == (
        date(2026, 11, 1),
        date(2026, 11, 3),
        date(2026, 11, 3),
        None,
    )
    rep = reports.run(store, "cycle-times", date_from=date(2026, 11, 1))
    assert [r["month_key"] for r in rep.rows][:4] == ["2026-11"] * 4
    assert rep.rows[-4]["month"] == "All months"
    # every row of the CSV names its month (its steps' rows had it blank); a table for
    # people shows it once per month
    out = io.StringIO()
    reports.report_csv(rep, out)
    assert [ln.split(",")[0] for ln in out.getvalue().splitlines()[1:5]] == ["2026-11"] * 4
    assert [r["month"] for r in rep.shown_rows()][:4] == ["2026-11", "", "", ""]


def test_segments_per_period(store) -> None:  # noqa: ANN001
    _shop(store)
    nov = {"date_from": date(2026, 11, 1), "date_to": date(2026, 11, 30)}
    rep = reports.run(store, "segments", by="city", **nov)
    rows = {r["city"]: r for r in rep.rows}
    # nobody was created in November (the store's clock is today); the club bought in it
    assert rows["York"]["customers_who_bought"] == 1 and rows["York"]["sales"] == Decimal("1300.00")
    assert rows["Leeds"]["customers_who_bought"] == 1 and rows["Leeds"]["sales"] == Decimal(
        "1374.90"
    )
    assert rep.totals["sales"] == Decimal("2774.70")  # the month's sales, credit note less
    today = date.today()
    new = reports.run(store, "segments", by="country", date_from=today, date_to=today)
    assert {r["country"]: r["new_contacts"] for r in new.rows}["GB"] == 2
    with store.read() as uow:
        page = analysis.drill(uow, rows["York"]["drill"], PageRequest(limit=10))
    assert [r.name for r in page.rows] == ["Cycle Club"] and page.rows[0].record == "contact"
    assert page.rows[0].sales == Decimal("1300.00")
    # without a period the report is the one it always was
    assert reports.run(store, "segments").columns[1].key == "contacts"
    # a group it does not know is refused naming every one (age too, read per period)
    with pytest.raises(ValidationError) as refused:
        reports.run(store, "segments", by="Age")
    assert "city, country, tag, stage, owner, age" in str(refused.value.fields["by"])
    with store.read() as uow, pytest.raises(ValidationError):
        reports.build(uow, "segments", by="shoe size", date_from=today)


def test_the_group_without_a_value_reads_in_the_readers_language(store) -> None:  # noqa: ANN001
    """Contacts with no city were grouped under "(none)" in English for every reader; the
    JSON keeps the stored word and the drill-down finds them."""
    from bizdesk import i18n

    with store.write() as uow:
        contacts.create(uow, contacts.ContactInput(name="Nowhere Man"))
    rep = reports.run(store, "segments", by="city")
    (row,) = rep.rows
    try:
        i18n.use("es")
        assert str(row["city"]) == "(ninguno)"
    finally:
        i18n.use("en")
    assert str(row["city"]) == "(none)" and row["drill"]["key"] == ""
    assert reports.as_json(rep)["rows"][0]["city"] == "(none)"


def test_roles_and_the_cli(store) -> None:  # noqa: ANN001
    _deals(store)
    with store.write() as uow:
        users.add(uow, "wendy", "warehouse")
        users.add(uow, bizdesk_user(), "sales")
    sam = Store(url=store.url, engine=store.engine, user="sam")
    wendy = Store(url=store.url, engine=store.engine, user="wendy")
    with sam.read() as uow:
        reports.build(uow, "win-loss")
        with pytest.raises(PermissionDenied):
            reports.build(uow, "cycle-times")
    with wendy.read() as uow, pytest.raises(PermissionDenied):
        reports.build(uow, "win-loss")
    with wendy.read() as uow, pytest.raises(PermissionDenied):
        analysis.deals_behind(uow, "reason", "No budget", None, None, PageRequest())
    r = bizdesk("report", "win-loss", "--by", "owner", "--format", "json", "--db", store.url)
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["by"] == "owner" and doc["totals"]["lost"] == 3
    assert {row["owner"]: row["lost_amount"] for row in doc["rows"]}["sam"] == "10.00"
    refused = bizdesk("report", "cycle-times", "--db", store.url)
    assert refused.returncode == 1 and "not allowed" in refused.stderr
    # --by in the reader's language too, as the Reports tab takes it; else the choices in it
    ro = {"LANGUAGE": "ro"}
    r = bizdesk("report", "win-loss", "--by", "Responsabil", "--format", "json", "--db",
                store.url, env=ro)  # fmt: skip
    assert r.returncode == 0 and json.loads(r.stdout)["by"] == "owner", r.stderr
    r = bizdesk("report", "win-loss", "--by", "vânzător", "--db", store.url, env=ro)
    assert r.returncode == 1 and "motiv, etapă, responsabil" in r.stderr, r.stderr


def test_the_grouped_columns_heading_is_taken_back_as_what_it_is_grouped_by(store) -> None:  # noqa: ANN001
    """The column a report is grouped by is headed "Age group", "Close reason", "Stage at
    close": typed into the last box (or --by) as read there, it groups by it; in Vietnamese
    too ("Nhóm tuổi" was refused, only "tuổi" taken)."""
    assert analysis.grouping("segments", "Age group") == "age"
    assert analysis.grouping("sales-analysis", " age GROUP ") == "age"
    assert analysis.grouping("win-loss", "Close reason") == "reason"
    assert analysis.grouping("win-loss", "stage at close") == "stage"
    with pytest.raises(FieldError):  # a heading of another report's grouping is not taken
        analysis.grouping("cycle-times", "Age group")
    with store.write() as uow:
        users.add(uow, bizdesk_user(), "sales")
    r = bizdesk("report", "segments", "--by", "nhóm tuổi", "--format", "json", "--db",
                store.url, env={"LANGUAGE": "vi"})  # fmt: skip
    assert r.returncode == 0 and json.loads(r.stdout)["by"] == "age", r.stderr


def test_age_groups_on_the_last_day_of_the_period(store) -> None:  # noqa: ANN001
    ids = _shop(store)  # Ann (no birth date yet) and the club (an organisation: unknown)
    today = date.today()  # the contacts are made today: the period ends today

    def born(years: int, days_later: int = 0) -> str:
        return (analysis._years_before(today, years) + timedelta(days=days_later)).isoformat()

    with store.write() as uow:
        ann = contacts.get(uow, ids["ann"])
        data = ann.as_input()
        data.birth_date = born(25)  # 25 today: 25-34
        contacts.update(uow, ids["ann"], data, version=ann.version)
        for name, birth in (
            ("Young", born(25, 1)),  # 25 tomorrow
            ("Mid", born(45)),
            ("Senior", born(65)),
            ("Nearly", born(65, 1)),  # 64
        ):
            contacts.create(uow, contacts.ContactInput(name=name, birth_date=birth))
    rep = reports.run(store, "segments", by="age", date_to=today)
    rows = {r["age"]: r for r in rep.rows}
    assert list(rows) == ["under 25", "25–34", "35–44", "45–54", "55–64", "65+", "unknown"]
    assert {k: r["new_contacts"] for k, r in rows.items()} == {
        "under 25": 1,
        "25–34": 1,
        "35–44": 0,
        "45–54": 1,
        "55–64": 1,
        "65+": 1,
        "unknown": 3,  # the club, the walk-in customer, the supplier: no birth date
    }
    assert rows["25–34"]["customers_who_bought"] == 1 and rows["25–34"]["sales"] == Decimal(
        "1374.90"
    )
    assert rows["unknown"]["customers_who_bought"] == 2  # the club and the walk-in customer
    assert any(f"Age on {today.isoformat()}" in n for n in rep.notes)
    nov = {"date_from": date(2026, 11, 1), "date_to": today}
    sales = reports.run(store, "sales-analysis", by="age", **nov)
    by_age = {r["age"]: r["net_sales"] for r in sales.rows}
    assert by_age == {"25–34": Decimal("1374.90"), "unknown": Decimal("1399.80")}
    assert sales.totals["net_sales"] == Decimal("2774.70")
    with store.read() as uow:
        young = analysis.drill(
            uow,
            {
                "kind": "contacts",
                "by": "age",
                "key": "under 25",
                "date_from": None,
                "date_to": today,
            },
            PageRequest(limit=5),
        )
    assert [r.name for r in young.rows] == ["Young"]


def test_the_90th_percentile_of_ten_orders_is_the_ninth() -> None:
    """Nearest rank in whole numbers: in floating point 0.9 * 10 is 9.000000000000002, whose
    ceiling picked the tenth."""
    from bizdesk.services.overview.analysis import _rank

    days = [(d, 1) for d in range(1, 11)]
    assert (_rank(days, 10, 50), _rank(days, 10, 90)) == (5, 9)
    assert _rank([], 0, 90) is None


def test_an_empty_period_totals_money_as_money(store) -> None:  # noqa: ANN001
    """Nothing in the period: the totals are 0.00 (as every amount shows), not a bare 0
    (a sum of no amounts), in the tables and in the JSON."""
    _shop(store)
    empty = {"date_from": date(2030, 1, 1), "date_to": date(2030, 12, 31)}
    for name, by, keys in (
        ("sales-analysis", "product", ("net_sales", "cost_of_sales", "margin")),
        ("win-loss", "reason", ("won_amount", "lost_amount")),
        ("segments", "country", ("sales",)),
    ):
        rep = reports.run(store, name, by=by, **empty)
        assert rep.rows == [], name
        for key in keys:
            assert str(rep.totals[key]) == "0.00", (name, key, rep.totals[key])


def test_a_report_refuses_what_it_does_not_read_and_says_its_period(store) -> None:  # noqa: ANN001
    """--as-of given to the budget was ignored: the figures were this year to date and the
    reader thought them of another day. A parameter a report does not read is refused; the
    title says the days the figures cover."""
    for name, params, said in (
        (
            "budget",
            {"as_of": date(2026, 1, 31)},
            "budget does not take --as-of; it takes --from, --to",
        ),
        (
            "pipeline",
            {"date_from": date(2026, 1, 1)},
            "pipeline does not take --from",
        ),
        (
            "statement",
            {"contact": "#1", "as_of": date(2026, 1, 1)},
            "statement does not take --as-of; it takes --contact, --from, --to, --by",
        ),
    ):
        with pytest.raises(ValidationError) as exc:
            reports.run(store, name, **params)
        assert said in str(exc.value.fields["report"])
    rep = reports.run(store, "budget", date_from=None, date_to=None, as_of=None, contact="")
    today = date.today()
    assert str(reports.heading(rep)) == f"Budget against actual · {today.year}-01-01 to {today}"
    one = reports.run(store, "trial-balance", as_of=date(2026, 3, 31))
    assert str(reports.heading(one)) == "Trial balance · as of 2026-03-31"
    assert str(reports.heading(reports.run(store, "profit-loss"))) == "Profit and loss · all dates"
    assert str(reports.heading(reports.run(store, "pipeline"))) == "Weighted pipeline (open deals)"


@pytest.mark.parametrize(
    ("name", "by", "header"),
    [
        ("segments", "city", "city,contacts,customers,sales"),
        ("segments", "age", "age,new_contacts,customers_who_bought,sales"),
        (
            "sales-analysis",
            "product",
            "sku,product,qty,net_sales,cost_of_sales,margin,margin_percent",
        ),
        (
            "sales-analysis",
            "customer",
            "customer,qty,net_sales,cost_of_sales,margin,margin_percent",
        ),
        ("win-loss", "reason", "reason,won,won_amount,lost,lost_amount,win_rate"),
    ],
)
def test_a_group_s_column_is_keyed_by_what_it_groups_by(store, name, by, header) -> None:  # noqa: ANN001
    """JSON rows and CSV headers said "value" for the city, product or reason a row groups
    ("value,contacts,customers,sales"), and "net" and "cogs" for the columns titled "Net
    sales" and "Cost of sales": each column is keyed by its name (DESIGN section 7)."""
    _deals(store) if name == "win-loss" else _shop(store)
    period = {"date_to": date(2026, 11, 30)} if by == "age" else {}
    rep = reports.run(store, name, by=by, **period)
    out = io.StringIO()
    reports.report_csv(rep, out)
    assert out.getvalue().splitlines()[0] == header
    doc = reports.as_json(rep)
    assert doc["by"] == by and list(doc["rows"][0]) == header.split(","), doc["rows"][0]


def test_every_analysis_s_json_says_its_currency_and_period(store) -> None:  # noqa: ANN001
    """A script reading `report sales-analysis --format json` was not told the currency of
    its amounts, as win-loss (and pipeline, forecast) say it; the segments report's JSON
    had no period at all when none was given (from/to: null over a period's). Every
    analysis carries its period, and the ones with amounts their currency, the same way."""
    _deals(store)
    with store.write() as uow:
        users.add(uow, bizdesk_user(), "accountant")
        currency = uow.currency
    money = {"segments", "sales-analysis", "win-loss"}
    for name, extra in (
        ("segments", {}),
        ("segments", {"date_from": date(2020, 1, 1)}),
        ("segments", {"by": "age"}),
        ("sales-analysis", {}),
        ("win-loss", {}),
        ("cycle-times", {}),
    ):
        doc = reports.as_json(reports.run(store, name, **extra))
        assert "from" in doc and "to" in doc, (name, extra)
        first = extra.get("date_from")
        assert doc["from"] == (first.isoformat() if first else None) and doc["to"] is None
        if name in money:
            assert doc["currency"] == currency, (name, extra)
        else:  # days, not money
            assert "currency" not in doc
    r = bizdesk("report", "sales-analysis", "--format", "json", "--db", store.url)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["currency"] == currency
