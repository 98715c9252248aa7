"""Random sequences of orders, receipts, bills, payments, adjustments, counts, sales, returns,
journal entries and lock dates, by users of every role, keep every invariant of `bizdesk check`
and every amount exact.

Each step is one public service call inside a write unit of work that catches the refusal
and carries on (as a screen does): a step refused for a role, or for its data, must change
nothing at all in the store (a fingerprint of every table compares equal), and a step
accepted must change what it says it does. `check` is green after every step.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)

from bizdesk.db import Store, open_store
from bizdesk.errors import Conflict, NotFound, PermissionDenied, ValidationError
from bizdesk.services.admin import setup, users
from bizdesk.services.base.permissions import allowed
from bizdesk.services.books import ledger, ledger_reports
from bizdesk.services.inventory import moves, products, reports
from bizdesk.services.making import assembly, boms
from bizdesk.services.people import payroll
from bizdesk.services.trade import purchasing, sales
from tests.erp_helpers import errors, product, supplier
from tests.people_helpers import employee, lines

SKUS = ("A", "B", "C")  # B may go below zero, A and C may not
# login -> role; "tester" (the owner) made the store
ROLES = {
    "tester": "owner",
    "acc": "accountant",
    "sam": "sales",
    "wes": "warehouse",
    "sue": "support",
    "vic": "viewer",
}
WHO = st.sampled_from(sorted(ROLES))
QTY = st.integers(min_value=1, max_value=5000).map(lambda n: Decimal(n) / 100)
PCT = st.integers(1, 100)
PICK = st.integers(0, 50)
DAYS = st.sampled_from([date(2026, 1, 10), date(2026, 6, 1), date(2026, 11, 1)])


def fingerprint(store: Store) -> str:
    """A digest of every row of every table (search indexes too): equal before and after
    means nothing changed."""
    digest = hashlib.sha256()
    with store.engine.connect() as conn:
        names = conn.exec_driver_sql(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "ORDER BY name"
        ).scalars()
        for name in list(names):
            digest.update(name.encode())
            rows = sorted(repr(tuple(r)) for r in conn.exec_driver_sql(f'SELECT * FROM "{name}"'))
            digest.update("\n".join(rows).encode())
    return digest.hexdigest()


@pytest.fixture(scope="module")
def template(tmp_path_factory):  # noqa: ANN001, ANN201
    path = tmp_path_factory.mktemp("tpl") / "shop.db"
    s = open_store(str(path), user="tester")
    setup.ensure_initialized(s)
    supplier(s)
    # by the kilogram: parts of one are sold, made and counted (in pieces they are refused)
    product(s, "A", unit="kg", cost="0.33")
    product(s, "B", unit="kg", cost="1.07", allow_negative="yes")
    product(s, "C", unit="kg", cost="0.10")
    m, k = product(s, "M", unit="kg"), product(s, "K")  # made of 2 A and 1 C; a kit of 1 A, 1 C
    lines(s)  # payroll: 10 %, 6.35 % and a fixed 12.00 withheld, 29.9 % on top
    employee(s, "Ana Pop", start_date="2026-01-15", pay="2345.67")  # #1, pro rata in January
    employee(s, "Cy Dan", pay_basis="hourly", pay="12.35")  # #2
    with s.write() as uow:
        boms.set_bom(uow, m, boms.BomInput([("A", "2"), ("C", "1")], "0.05"))
        boms.set_bom(uow, k, boms.BomInput([("A", "1"), ("C", "1")], kind="kit"))
        for login, role in ROLES.items():
            if role != "owner":
                users.add(uow, login, role)
    s.dispose()
    return path


class Shop(RuleBasedStateMachine):
    """One store, six users; the model keeps the ids of what was made."""

    path = None  # set by the test, from the template

    @initialize()
    def open_shop(self) -> None:
        self.store = open_store(str(self.path), user="tester")
        self.stores = {
            login: Store(url=self.store.url, engine=self.store.engine, user=login)
            for login in ROLES
        }
        self.pos: list[int] = []
        self.bills: list[int] = []
        self.sos: list[int] = []
        self.invoices: list[int] = []
        self.mos: list[int] = []
        self.kit_sos: list[int] = []
        self.runs: list[int] = []
        self.steps = 0

    def teardown(self) -> None:
        store = getattr(self, "store", None)
        if store is not None:
            try:
                # every check of `bizdesk check`, once a run (50 ms each: after every step it
                # was a third of this test's time); the sums it rests on hold after each step
                assert errors(store) == []
            finally:
                store.dispose()

    # --- one step: a public service call, refused or accepted

    def call(self, who: str, fn, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN201
        """Run ``fn`` as ``who`` in a write unit that catches a refusal (the unit commits).

        Returns the result, or None when refused; a refusal must have changed nothing.
        """
        self.steps += 1
        for s in self.stores.values():  # each user is a separate process: no stale settings
            s._settings = None  # noqa: SLF001
        before = fingerprint(self.store)
        outcome, result = "ok", None
        with self.stores[who].write() as uow:
            try:
                result = fn(uow, *args, **kwargs)
            except PermissionDenied:
                outcome = "denied"
            except (ValidationError, Conflict, NotFound):
                outcome = "refused"
        may = allowed(ROLES[who], fn.action)
        assert (outcome == "denied") == (not may), (who, ROLES[who], fn.__name__, outcome)
        if outcome != "ok":
            assert fingerprint(self.store) == before, (
                f"{fn.__name__} as {who} was {outcome} but changed the store"
            )
            return None
        assert fingerprint(self.store) != before or fn is moves.count, fn.__name__
        return result

    def read(self, fn, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN201
        with self.store.read() as uow:
            return fn(uow, *args, **kwargs)

    def on_hand(self, sku: str) -> Decimal:
        with self.store.read() as uow:
            return products.get_product(uow, products.resolve_product(uow, sku).id).on_hand

    def product_id(self, sku: str) -> int:
        with self.store.read() as uow:
            return products.resolve_product(uow, sku).id

    # --- purchasing

    @rule(who=WHO, sku=st.sampled_from(SKUS), q=QTY, cost=st.integers(1, 999))
    def order(self, who: str, sku: str, q: Decimal, cost: int) -> None:
        line = purchasing.POLineInput(sku, str(q), str(Decimal(cost) / 100), "20")
        po = self.call(who, purchasing.create, purchasing.POInput("Acme Supply", lines=[line]))
        if po is not None:
            assert po.state == "draft" and po.lines[0].qty == q
            self.pos.append(po.id)

    @precondition(lambda self: self.pos)
    @rule(who=WHO, i=PICK)
    def send(self, who: str, i: int) -> None:
        po_id = self.pos[i % len(self.pos)]
        if self.call(who, purchasing.send, po_id) is not None:
            assert self.read(purchasing.get, po_id).state == "sent"

    @precondition(lambda self: self.pos)
    @rule(who=WHO, i=PICK, pct=PCT)
    def receive(self, who: str, i: int, pct: int) -> None:
        po = self.read(purchasing.get, self.pos[i % len(self.pos)])
        ln = po.lines[0]
        part = max(Decimal("0.01"), (ln.outstanding * pct / 100).quantize(Decimal("0.01")))
        had = self.on_hand(ln.sku)
        if self.call(who, purchasing.receive, po.id, {ln.id: str(part)}) is not None:
            assert part <= ln.outstanding
            assert self.read(purchasing.get, po.id).lines[0].received == ln.received + part
            assert self.on_hand(ln.sku) == had + part

    @precondition(lambda self: self.pos)
    @rule(who=WHO, i=PICK, cents=st.integers(-50, 50))
    def bill(self, who: str, i: int, cents: int) -> None:
        po_id = self.pos[i % len(self.pos)]
        net, vat = self.read(purchasing.bill_defaults, po_id)
        net = max(Decimal(0), net + Decimal(cents) / 100)
        ref = f"B{self.steps}"
        b = self.call(who, purchasing.bill, po_id, reference=ref, net=str(net), vat=str(vat))
        if b is not None:
            assert (b.reference, b.net, b.vat, b.paid) == (ref, net, vat, 0)
            self.bills.append(b.id)

    @precondition(lambda self: self.bills)
    @rule(who=WHO, i=PICK, pct=PCT)
    def pay_bill(self, who: str, i: int, pct: int) -> None:
        bill_id = self.bills[i % len(self.bills)]
        b = self.read(_bill, bill_id)
        amount = max(Decimal("0.01"), (b.open * pct / 100).quantize(Decimal("0.01")))
        paid = self.call(who, purchasing.pay, bill_id, amount=str(amount), account="cash")
        if paid is not None:
            assert amount <= b.open
            assert paid.paid == b.paid + amount

    # --- stock

    @rule(who=WHO, sku=st.sampled_from(SKUS), q=QTY, up=st.booleans())
    def adjust(self, who: str, sku: str, q: Decimal, up: bool) -> None:
        delta = q if up else -q
        had = self.on_hand(sku)
        if self.call(who, moves.adjust, self.product_id(sku), str(delta), "random") is not None:
            assert self.on_hand(sku) == had + delta
            assert sku == "B" or had + delta >= 0

    @rule(who=WHO, sku=st.sampled_from(SKUS))
    def remove_all(self, who: str, sku: str) -> None:
        had = self.on_hand(sku)
        if had > 0 and self.call(who, moves.adjust, self.product_id(sku), str(-had), "all out"):
            assert self.on_hand(sku) == 0

    @rule(who=WHO, sku=st.sampled_from(SKUS), n=st.one_of(st.just(0), st.integers(0, 3000)))
    def count(self, who: str, sku: str, n: int) -> None:
        counted = Decimal(n) / 10
        if self.call(who, moves.count, self.product_id(sku), str(counted), "count") is not None:
            assert self.on_hand(sku) == counted

    # --- sales

    @rule(who=WHO, sku=st.sampled_from(SKUS), q=QTY)
    def counter_sale(self, who: str, sku: str, q: Decimal) -> None:
        had = self.on_hand(sku)
        line = [sales.SOLineInput(sku, str(q), "2.99", "20")]
        so = self.call(who, sales.counter_sale, line)
        if so is not None:
            assert self.on_hand(sku) == had - q
            assert so.lines[0].invoiced == q and so.unpaid == 0
            self.sos.append(so.id)

    @rule(who=WHO, sku=st.sampled_from(SKUS), q=QTY)
    def sales_order(self, who: str, sku: str, q: Decimal) -> None:
        line = [sales.SOLineInput(sku, str(q), "2.99", "20")]
        so = self.call(who, sales.create, sales.SOInput(customer="Acme Supply", lines=line))
        if so is not None:
            assert so.state == "draft" and so.lines[0].qty == q
            self.sos.append(so.id)

    @precondition(lambda self: self.sos)
    @rule(who=WHO, i=PICK)
    def confirm(self, who: str, i: int) -> None:
        so_id = self.sos[i % len(self.sos)]
        if self.call(who, sales.confirm, so_id) is not None:
            assert self.read(sales.get, so_id).state == "confirmed"

    @precondition(lambda self: self.sos)
    @rule(who=WHO, i=PICK, pct=PCT)
    def deliver(self, who: str, i: int, pct: int) -> None:
        so = self.read(sales.get, self.sos[i % len(self.sos)])
        ln = so.lines[0]
        left = ln.qty - ln.delivered
        part = max(Decimal("0.01"), (left * pct / 100).quantize(Decimal("0.01")))
        had = self.on_hand(ln.sku)
        if self.call(who, sales.deliver, so.id, {ln.id: str(part)}) is not None:
            assert part <= left
            assert self.read(sales.get, so.id).lines[0].delivered == ln.delivered + part
            assert self.on_hand(ln.sku) == had - part

    @precondition(lambda self: self.sos)
    @rule(who=WHO, i=PICK)
    def invoice(self, who: str, i: int) -> None:
        so = self.read(sales.get, self.sos[i % len(self.sos)])
        inv = self.call(who, sales.invoice, so.id)
        if inv is not None:
            ln = self.read(sales.get, so.id).lines[0]
            assert ln.invoiced == ln.delivered > so.lines[0].invoiced
            self.invoices.append(inv.id)

    @precondition(lambda self: self.invoices)
    @rule(who=WHO, i=PICK, pct=PCT)
    def customer_pays(self, who: str, i: int, pct: int) -> None:
        inv_id = self.invoices[i % len(self.invoices)]
        inv = self.read(_invoice, inv_id)
        amount = max(Decimal("0.01"), (inv.open * pct / 100).quantize(Decimal("0.01")))
        paid = self.call(who, sales.pay, inv_id, amount=str(amount), account="bank")
        if paid is not None:
            assert amount <= inv.open
            assert paid.paid == inv.paid + amount

    @precondition(lambda self: self.sos)
    @rule(who=WHO, i=PICK, pct=PCT)
    def take_back(self, who: str, i: int, pct: int) -> None:
        so = self.read(sales.get, self.sos[i % len(self.sos)])
        ln = so.lines[0]
        q = max(
            Decimal("0.01"), ((ln.invoiced - ln.returned) * pct / 100).quantize(Decimal("0.01"))
        )
        had = self.on_hand(ln.sku)
        if self.call(who, sales.return_goods, so.id, {ln.id: str(q)}, reason="random"):
            assert q <= ln.invoiced - ln.returned
            assert self.on_hand(ln.sku) == had + q

    # --- making: assembly orders of M, and the kit K sold as its components

    @rule(who=WHO, q=QTY)
    def assembly_order(self, who: str, q: Decimal) -> None:
        mo = self.call(who, assembly.create, assembly.MOInput("M", str(q)))
        if mo is not None:
            assert mo.state == "draft" and [ln.qty for ln in mo.lines] == [2 * q, q]
            self.mos.append(mo.id)

    @precondition(lambda self: self.mos)
    @rule(who=WHO, i=PICK, step=st.sampled_from(["confirm", "cancel"]))
    def assembly_step(self, who: str, i: int, step: str) -> None:
        mo_id = self.mos[i % len(self.mos)]
        if self.call(who, getattr(assembly, step), mo_id) is not None:
            done = {"confirm": "confirmed", "cancel": "cancelled"}[step]
            assert self.read(assembly.get, mo_id).state == done

    @precondition(lambda self: self.mos)
    @rule(who=WHO, i=PICK, pct=PCT)
    def assembly_finish(self, who: str, i: int, pct: int) -> None:
        mo = self.read(assembly.get, self.mos[i % len(self.mos)])
        part = max(Decimal("0.01"), (mo.open_qty * pct / 100).quantize(Decimal("0.01")))
        had, a = self.on_hand("M"), self.on_hand("A")
        if self.call(who, assembly.finish, mo.id, str(part)) is not None:
            assert self.on_hand("M") == had + part and self.on_hand("A") == a - 2 * part

    @rule(who=WHO, n=st.integers(1, 3), counter=st.booleans())
    def kit_sale(self, who: str, n: int, counter: bool) -> None:
        line = [sales.SOLineInput("K", str(n), "4.99", "20")]
        a, c = self.on_hand("A"), self.on_hand("C")
        if counter:
            if self.call(who, sales.counter_sale, line) is not None:
                assert (self.on_hand("A"), self.on_hand("C"), self.on_hand("K")) == (
                    a - n,
                    c - n,
                    0,
                )
            return
        so = self.call(who, sales.create, sales.SOInput(customer="Acme Supply", lines=line))
        if so is not None:
            self.kit_sos.append(so.id)

    @precondition(lambda self: self.kit_sos)
    @rule(who=WHO, i=PICK, n=st.integers(1, 3))
    def kit_step(self, who: str, i: int, n: int) -> None:
        so = self.read(sales.get, self.kit_sos[i % len(self.kit_sos)])
        if so.state == "draft":
            self.call(who, sales.confirm, so.id)
            return
        a = self.on_hand("A")
        if self.call(who, sales.deliver, so.id, {so.lines[0].id: str(n)}) is not None:
            assert self.on_hand("A") == a - n and self.on_hand("K") == 0

    # --- the books

    @rule(who=WHO, cents=st.integers(1, 100_000), day=DAYS)
    def journal_entry(self, who: str, cents: int, day: date) -> None:
        cash, bank = self.read(_accounts, "cash", "bank")
        lines = [ledger.Posting(bank, debit_minor=cents), ledger.Posting(cash, credit_minor=cents)]
        locked = self.read(ledger.lock_date)
        if self.call(who, ledger.post_entry, day, "cash to the bank", lines) is not None:
            assert locked is None or day > locked

    @rule(who=WHO, day=st.sampled_from([None, date(2026, 3, 1), date(2026, 1, 31)]))
    def lock(self, who: str, day: date | None) -> None:
        value = day.isoformat() if day else "none"
        if self.call(who, ledger.set_lock_date, value, reopen=True) is not None:
            self.store._settings = None  # noqa: SLF001
            assert self.read(ledger.lock_date) == day

    # --- payroll (run, post, pay)

    @rule(who=WHO, month=st.sampled_from(["2026-01", "2026-02", "2026-11"]), hours=QTY)
    def payroll_run(self, who: str, month: str, hours: Decimal) -> None:
        run = self.call(who, payroll.create_run, month, {"#2": str(hours)})
        if run is not None:
            self.runs.append(run.id)
            assert run.net == run.gross - run.deductions

    @rule(who=WHO, i=PICK)
    def payroll_post(self, who: str, i: int) -> None:
        if self.runs:
            self.call(who, payroll.post, self.runs[i % len(self.runs)])

    @rule(
        who=WHO,
        i=PICK,
        account=st.sampled_from(["bank", "cash"]),
        only=st.sampled_from([(), ("#1",), ("#2",)]),  # everyone not paid yet, or one
    )
    def payroll_pay(self, who: str, i: int, account: str, only: tuple[str, ...]) -> None:
        if self.runs:
            self.call(who, payroll.pay, self.runs[i % len(self.runs)], account, employees=only)

    # --- after every step

    @invariant()
    def books_and_stock_agree(self) -> None:
        with self.store.read() as uow:
            _rows, total = ledger_reports.trial_balance(uow)
            assert total.debit == total.credit
            assert ledger.balance_by_role(uow, "inventory") == reports.total_stock_value(uow)
            owed = sum(r.net - r.paid for r in payroll.list_runs(uow) if r.state != "draft")
            assert Decimal(-ledger.balance_by_role(uow, "wages_payable")) / 100 == owed
            for sku in (*SKUS, "M"):
                p = products.get_product(uow, products.resolve_product(uow, sku).id)
                if p.on_hand == 0:
                    assert p.value == 0, f"{sku}: nothing on hand but a value of {p.value}"


def _bill(uow, bill_id: int):  # noqa: ANN001, ANN202
    return purchasing._bill_view(uow, uow.session.get(purchasing.SupplierBill, bill_id))  # noqa: SLF001


def _invoice(uow, invoice_id: int):  # noqa: ANN001, ANN202
    return sales._invoice_view(uow, uow.session.get(sales.Invoice, invoice_id))  # noqa: SLF001


def _accounts(uow, *roles: str) -> list[int]:  # noqa: ANN001
    return [ledger.account_for(uow, r).id for r in roles]


def test_random_steps_by_every_role_keep_the_books_and_stock_in_step(template, tmp_path) -> None:  # noqa: ANN001
    runs = iter(range(10_000))

    class Run(Shop):
        def __init__(self) -> None:
            super().__init__()
            self.path = tmp_path / f"run{next(runs)}.db"
            shutil.copy(template, self.path)

    Run.TestCase.settings = settings(
        max_examples=int(os.environ.get("BIZDESK_PROP_EXAMPLES", "20")),
        stateful_step_count=20,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    Run.TestCase().runTest()


def test_stock_counted_back_to_zero_from_below_leaves_no_value(store) -> None:  # noqa: ANN001
    """Found by the ERP state machine: two sales below zero, each valued and rounded on its
    own, then a count of zero left a stock value of 0.01 with nothing on hand."""
    supplier(store)
    product(store, "B", unit="kg", cost="1.07", allow_negative="yes")
    with store.write() as uow:
        sales.counter_sale(uow, [sales.SOLineInput("B", "0.64", "2.99", "20")])
        sales.counter_sale(uow, [sales.SOLineInput("B", "1.73", "2.99", "20")])
        moves.count(uow, products.resolve_product(uow, "B").id, "0", "count")
    with store.read() as uow:
        p = products.get_product(uow, products.resolve_product(uow, "B").id)
    assert (p.on_hand, p.value) == (0, 0)
    assert errors(store) == []
