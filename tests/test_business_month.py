"""A month of business through the services, ending with exact balances and `check` green;
and the figures, reports and search that sit on top of it."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from bizdesk.services.books import ledger_reports
from bizdesk.services.crm import contacts
from bizdesk.services.overview.dashboard import dashboard
from bizdesk.services.overview.reports import build, report_csv
from bizdesk.services.overview.search import find
from bizdesk.services.trade import sales
from tests.erp_helpers import a_month, errors


@pytest.fixture
def month(store):  # noqa: ANN001, ANN201
    return a_month(store)


def test_the_month_ends_with_exact_balances(month) -> None:  # noqa: ANN001
    store, _cid, so_id = month
    with store.read() as uow:
        tb = {r.code: r.balance for r in ledger_reports.trial_balance(uow)[0] if r.balance}
        _, profit = ledger_reports.profit_loss(uow, date(2026, 11, 1), date(2026, 11, 30))
        so = sales.get(uow, so_id)
    assert tb == {
        "1010": Decimal("6760.00"),  # 10000 - 4800 + 2340 - 780
        "1200": Decimal("3200.00"),  # 8 bikes at 400
        "1300": Decimal("800.00"),
        "2200": Decimal("-260.00"),  # 390 charged - 130 credited
        "3000": Decimal("-10000.00"),
        "4000": Decimal("-1300.00"),
        "5000": Decimal("800.00"),
    }
    assert profit == Decimal("500.00") and so.state == "closed"
    assert errors(store) == []


def test_dashboard_reports_and_search_on_the_month(month) -> None:  # noqa: ANN001
    store, cid, so_id = month
    with store.read() as uow:
        d = dashboard(uow, today=date(2026, 11, 25))
        seg = build(uow, "segments", by="city")
        fc = build(uow, "forecast")
        hits = find(uow, "club")
        numbered = find(uow, "SO-1")
    assert d.sales_this_month == Decimal("1300.00") and d.sales_last_month == 0
    assert d.bank == Decimal("6760.00") and d.receivables == 0 and d.payables == 0
    assert d.tickets_open == 1 and d.low_stock == 1  # 8 bikes, reorder at 8
    assert d.sales_by_month[-1] == ("2026-11", Decimal("1300.00"))
    leeds = next(r for r in seg.rows if r["city"] == "Leeds")
    assert leeds["sales"] == Decimal("1300.00")
    assert fc.totals["deals"] == 0  # the only deal was won
    assert ("contact", cid) in {(h.kind, h.id) for h in hits}
    assert ("deal", 1) in {(h.kind, h.id) for h in hits}
    assert ("sales_order", so_id) in {(h.kind, h.id) for h in numbered}


def test_report_csv_neutralises_formulas(store) -> None:  # noqa: ANN001
    import io

    with store.write() as uow:
        contacts.create(uow, contacts.ContactInput(name="Evil", city="=HYPERLINK(1)"))
        rep = build(uow, "segments", by="city")
    out = io.StringIO()
    assert report_csv(rep, out) == 1
    assert "'=HYPERLINK(1)" in out.getvalue()
