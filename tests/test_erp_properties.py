"""Random sequences of receipts, deliveries, adjustments, counts, bills and payments keep
every invariant of `bizdesk check` and every amount exact."""

from __future__ import annotations

import shutil
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bizdesk.db import open_store
from bizdesk.errors import ValidationError
from bizdesk.services import ledger, ledger_reports, purchasing, sales, setup, stock
from tests.erp_helpers import errors, product, supplier

SKUS = ("A", "B", "C")


@pytest.fixture(scope="module")
def template(tmp_path_factory):  # noqa: ANN001, ANN201
    path = tmp_path_factory.mktemp("tpl") / "shop.db"
    s = open_store(str(path), user="tester")
    setup.ensure_initialized(s)
    supplier(s)
    product(s, "A", cost="0.33")
    product(s, "B", cost="1.07", allow_negative="yes")
    product(s, "C", cost="0.10")
    s.dispose()
    return path


qty = st.integers(min_value=1, max_value=5000).map(lambda n: Decimal(n) / 100)
ops = st.lists(
    st.one_of(
        st.tuples(
            st.just("order"),
            st.sampled_from(SKUS),
            qty,
            st.integers(1, 999).map(lambda n: Decimal(n) / 100),
        ),
        st.tuples(st.just("receive"), st.integers(0, 5), st.integers(1, 100)),  # percent of rest
        st.tuples(st.just("deliver"), st.sampled_from(SKUS), qty),
        st.tuples(st.just("adjust"), st.sampled_from(SKUS), qty, st.booleans()),
        st.tuples(
            st.just("count"), st.sampled_from(SKUS), st.one_of(st.just(0), st.integers(0, 3000))
        ),
        st.tuples(st.just("deliver-all"), st.sampled_from(SKUS)),
        st.tuples(st.just("bill"), st.integers(0, 5), st.integers(-50, 50)),
        st.tuples(st.just("pay"), st.integers(0, 5), st.integers(1, 100)),
        st.tuples(st.just("sell"), st.sampled_from(SKUS), qty, st.booleans()),
        st.tuples(st.just("return"), st.integers(0, 5), st.integers(1, 100)),
    ),
    min_size=1,
    max_size=25,
)


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(steps=ops)
def test_random_operations_keep_the_books_and_stock_in_step(template, tmp_path, steps) -> None:  # noqa: ANN001
    path = tmp_path / f"run{abs(hash(str(steps)))}.db"
    shutil.copy(template, path)
    store = open_store(str(path), user="tester")
    orders: list[int] = []
    bills: list[int] = []
    sold: list[int] = []
    try:
        for step in steps:
            with store.write() as uow:
                try:
                    _apply(uow, step, orders, bills, sold)
                except ValidationError:
                    pass  # a refusal must leave everything as it was; the checks below say so
        assert errors(store) == []
        with store.read() as uow:
            rows, total = ledger_reports.trial_balance(uow)
            assert total.debit == total.credit
            assert ledger.balance_by_role(uow, "inventory") == stock.total_stock_value(uow)
            for sku in SKUS:
                p = stock.get_product(uow, stock.resolve_product(uow, sku).id)
                if p.on_hand == 0:
                    assert p.value == 0
    finally:
        store.dispose()


def _apply(uow, step, orders: list[int], bills: list[int], sold: list[int]) -> None:  # noqa: ANN001
    kind = step[0]
    if kind == "order":
        _, sku, q, cost = step
        po = purchasing.create(
            uow,
            purchasing.POInput(
                supplier="Acme Supply", lines=[purchasing.POLineInput(sku, str(q), str(cost), "20")]
            ),
        )
        purchasing.send(uow, po.id)
        orders.append(po.id)
    elif kind == "receive" and orders:
        po = purchasing.get(uow, orders[step[1] % len(orders)])
        ln = po.lines[0]
        part = max(Decimal("0.001"), (ln.outstanding * step[2] / 100).quantize(Decimal("0.001")))
        purchasing.receive(uow, po.id, {ln.id: str(min(part, ln.outstanding))})
    elif kind == "deliver":
        _, sku, q = step
        p = stock.resolve_product(uow, sku)
        move = stock.issue_from_stock(
            uow, p.id, stock.default_location(uow).id, int(q * 1000), ("test", 0)
        )
        cogs, inv = ledger.account_for(uow, "cogs").id, ledger.account_for(uow, "inventory").id
        amt = -move.value_minor
        lines = [ledger.Posting(cogs, debit_minor=amt), ledger.Posting(inv, credit_minor=amt)]
        if amt < 0:
            lines = [ledger.Posting(inv, debit_minor=-amt), ledger.Posting(cogs, credit_minor=-amt)]
        if amt:
            ledger.post_entry(uow, uow_date(), "delivery", lines)
    elif kind == "deliver-all":
        p = stock.get_product(uow, stock.resolve_product(uow, step[1]).id)
        if p.on_hand > 0:
            _apply(uow, ("deliver", step[1], p.on_hand), orders, bills, sold)
    elif kind == "adjust":
        _, sku, q, up = step
        stock.adjust(uow, stock.resolve_product(uow, sku).id, str(q if up else -q), "random")
    elif kind == "count":
        _, sku, n = step
        stock.count(uow, stock.resolve_product(uow, sku).id, str(Decimal(n) / 10), "count")
    elif kind == "bill" and orders:
        po_id = orders[step[1] % len(orders)]
        net, vat = purchasing.bill_defaults(uow, po_id)
        b = purchasing.bill(
            uow,
            po_id,
            reference=f"B{len(bills)}",
            net=str(max(Decimal(0), net + Decimal(step[2]) / 100)),
            vat=str(vat),
        )
        bills.append(b.id)
    elif kind == "sell":
        _, sku, q, over_the_counter = step
        line = [sales.SOLineInput(sku, str(q), "2.99", "20")]
        if over_the_counter:
            sold.append(sales.counter_sale(uow, line).id)
        else:
            so = sales.create(uow, sales.SOInput(customer="Acme Supply", lines=line))
            sales.confirm(uow, so.id)
            sales.deliver(uow, so.id, {so.lines[0].id: str(q / 2)})
            sales.invoice(uow, so.id)
            sold.append(so.id)
    elif kind == "return" and sold:
        so = sales.get(uow, sold[step[1] % len(sold)])
        ln = so.lines[0]
        left = ln.invoiced - ln.returned
        q = (left * step[2] / 100).quantize(Decimal("0.001"))
        if q > 0:
            sales.return_goods(uow, so.id, {ln.id: str(q)}, reason="random")
    elif kind == "pay" and bills:
        bill_id = bills[step[1] % len(bills)]
        b = purchasing._bill_view(uow, uow.session.get(purchasing.SupplierBill, bill_id))  # noqa: SLF001
        amount = max(Decimal("0.01"), (b.open * step[2] / 100).quantize(Decimal("0.01")))
        purchasing.pay(uow, bill_id, amount=str(min(amount, b.open)), account="cash")


def uow_date():  # noqa: ANN201
    from datetime import date

    return date(2026, 11, 1)
