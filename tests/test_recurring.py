"""What repeats: recurring invoices and journal entries, made by run-due exactly once."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import func, select

from bizdesk.db import Store, open_store
from bizdesk.errors import PermissionDenied, ValidationError
from bizdesk.i18n import use
from bizdesk.models.ledger import JournalEntry
from bizdesk.models.recurring import RecurringRun
from bizdesk.models.sales import Invoice
from bizdesk.services.admin import users
from bizdesk.services.books import ledger as L
from bizdesk.services.crm import contacts
from bizdesk.services.crm.contacts import ContactInput
from bizdesk.services.inventory import moves, products
from bizdesk.services.recurring import templates as R
from bizdesk.services.recurring.due import run_due
from bizdesk.services.trade import sales
from tests.erp_helpers import errors, product
from tests.procs import run_together


def customer(store: Store, name: str = "Hill Farm") -> int:
    with store.write() as uow:
        return contacts.create(uow, ContactInput(name=name, is_customer=True)).contact.id


def rent(store: Store, start: str = "2026-01-31", **kw) -> int:  # noqa: ANN003
    data = R.TemplateInput(
        kind="entry",
        name=kw.pop("name", "Rent"),
        frequency=kw.pop("frequency", "monthly"),
        start=start,
        memo="Shop rent",
        lines=[
            L.LineInput(account="6000", debit="800.00"),
            L.LineInput(account="1010", credit="800.00"),
        ],
        **kw,
    )
    with store.write() as uow:
        return R.create(uow, data).id


def hosting(store: Store, who: str = "Hill Farm", start: str = "2026-01-15", **kw) -> int:  # noqa: ANN003
    data = R.TemplateInput(
        kind="invoice",
        name=kw.pop("name", "Hosting"),
        frequency=kw.pop("frequency", "monthly"),
        start=start,
        customer=who,
        lines=[
            sales.SOLineInput(description="Web hosting", qty="1", unit_price="50", vat_rate="20")
        ],
        **kw,
    )
    with store.write() as uow:
        return R.create(uow, data).id


def runs(store: Store, template_id: int) -> list[tuple[date, str]]:
    with store.read() as uow:
        return [
            (r.due_on, r.document)
            for r in uow.session.scalars(
                select(RecurringRun)
                .where(RecurringRun.template_id == template_id)
                .order_by(RecurringRun.due_on)
            )
        ]


def test_occurrences_keep_the_start_day_at_month_end() -> None:
    days = [R.occurrence(date(2026, 1, 31), "monthly", n) for n in range(6)]
    assert days == [
        date(2026, 1, 31),
        date(2026, 2, 28),
        date(2026, 3, 31),
        date(2026, 4, 30),
        date(2026, 5, 31),
        date(2026, 6, 30),
    ]
    assert R.occurrence(date(2027, 1, 31), "monthly", 1) == date(2027, 2, 28)
    assert R.occurrence(date(2028, 1, 31), "monthly", 1) == date(2028, 2, 29)
    assert R.occurrence(date(2026, 11, 30), "quarterly", 1) == date(2027, 2, 28)
    assert R.occurrence(date(2026, 11, 30), "quarterly", 2) == date(2027, 5, 30)
    assert R.occurrence(date(2028, 2, 29), "yearly", 1) == date(2029, 2, 28)
    assert R.occurrence(date(2028, 2, 29), "yearly", 4) == date(2032, 2, 29)


def test_catch_up_makes_every_missed_month_once_at_month_end(store) -> None:  # noqa: ANN001
    tid = rent(store)
    report = run_due(store, date(2026, 6, 15))
    assert [m.due_on for m in report.made] == [
        date(2026, 1, 31),
        date(2026, 2, 28),
        date(2026, 3, 31),
        date(2026, 4, 30),
        date(2026, 5, 31),
    ]
    assert report.failed == []
    assert run_due(store, date(2026, 6, 15)).made == []  # again: nothing
    with store.read() as uow:
        entries = list(uow.session.scalars(select(JournalEntry).order_by(JournalEntry.id)))
        assert [(e.date, e.state, e.memo) for e in entries] == [
            (m.due_on, "posted", "Shop rent") for m in report.made
        ]
        assert L.account_balance(uow, L.resolve_account(uow, "6000").id) == 4000
        t = R.get(uow, tid)
    assert t.next_date == date(2026, 6, 30) and t.made == 5
    assert [d for d, _doc in runs(store, tid)] == [m.due_on for m in report.made]
    assert errors(store) == []


def test_invoice_made_like_a_counter_sale_left_unpaid(store) -> None:  # noqa: ANN001
    customer(store)
    tid = hosting(store, frequency="quarterly")
    report = run_due(store, date(2026, 7, 15))
    assert [(m.due_on, m.document) for m in report.made] == [
        (date(2026, 1, 15), "INV-00001"),
        (date(2026, 4, 15), "INV-00002"),
        (date(2026, 7, 15), "INV-00003"),
    ]
    with store.read() as uow:
        invs = list(uow.session.scalars(select(Invoice).order_by(Invoice.id)))
        assert [(i.issued_on, i.total_minor) for i in invs] == [
            (date(2026, 1, 15), 6000),
            (date(2026, 4, 15), 6000),
            (date(2026, 7, 15), 6000),
        ]
        so = sales.get(uow, invs[0].order_id)
        assert so.state == "invoiced" and so.unpaid == 60
        assert R.get(uow, tid).next_date == date(2026, 10, 15)
    assert errors(store) == []


def test_an_invoice_made_late_takes_the_day_of_the_last_invoice(store) -> None:  # noqa: ANN001
    """Invoices are numbered in the order of their dates: a monthly invoice due on 15
    March, made on 20 March after an invoice of 18 March, is dated 18 March (run-due
    failed on it every day, and skipping it left the month unbilled). Made says so."""
    cid = customer(store)
    hosting(store, start="2026-03-15")
    with store.write() as uow:
        sales.counter_sale(
            uow,
            [sales.SOLineInput(description="Repair", qty="1", unit_price="10")],
            customer=f"#{cid}",
            when="2026-03-18",
        )
    report = run_due(store, date(2026, 4, 20))
    assert report.failed == []
    assert [(m.due_on, m.document, m.dated) for m in report.made] == [
        (date(2026, 3, 15), "INV-00002", date(2026, 3, 18)),
        (date(2026, 4, 15), "INV-00003", date(2026, 4, 15)),
    ]
    with store.read() as uow:
        days = uow.session.scalars(select(Invoice.issued_on).order_by(Invoice.number))
        assert list(days) == [date(2026, 3, 18), date(2026, 3, 18), date(2026, 4, 15)]
    assert errors(store) == []


def test_stocked_product_is_delivered_and_refused_without_stock(store) -> None:  # noqa: ANN001
    customer(store)
    product(store, "OIL", cost="4", sale_price="10", vat_rate="20")
    with store.write() as uow:
        moves.adjust(uow, products.resolve_product(uow, "OIL").id, "2", "counted")
    data = R.TemplateInput(
        kind="invoice",
        name="Oil delivery",
        start="2026-01-01",
        customer="Hill Farm",
        lines=[sales.SOLineInput(product="OIL", qty="1")],
    )
    with store.write() as uow:
        tid = R.create(uow, data).id
    report = run_due(store, date(2026, 3, 1))
    assert [m.due_on for m in report.made] == [date(2026, 1, 1), date(2026, 2, 1)]
    assert [(f.due_on, f.name) for f in report.failed] == [(date(2026, 3, 1), "Oil delivery")]
    assert "available" in report.failed[0].reason
    with store.read() as uow:
        assert products.get_product(uow, products.resolve_product(uow, "OIL").id).on_hand == 0
        assert R.get(uow, tid).next_date == date(2026, 3, 1)  # waits for stock
    assert errors(store) == []


def test_end_date_is_respected_and_the_template_ends(store) -> None:  # noqa: ANN001
    tid = rent(store, start="2026-01-31", end="2026-04-30")
    report = run_due(store, date(2026, 12, 31))
    assert [m.due_on for m in report.made] == [
        date(2026, 1, 31),
        date(2026, 2, 28),
        date(2026, 3, 31),
        date(2026, 4, 30),
    ]
    with store.read() as uow:
        t = R.get(uow, tid)
    assert (t.state, t.next_date) == ("ended", None)
    assert run_due(store, date(2027, 12, 31)).made == []


def test_stop_now_or_at_an_end_date(store) -> None:  # noqa: ANN001
    a = rent(store, name="Rent A")
    b = rent(store, name="Rent B")
    with store.write() as uow:
        R.stop(uow, a)
        R.stop(uow, b, end="2026-02-28")
        with pytest.raises(ValidationError, match="stopped already"):
            R.stop(uow, a)
    report = run_due(store, date(2026, 12, 31))
    assert [(m.name, m.due_on) for m in report.made] == [
        ("Rent B", date(2026, 1, 31)),
        ("Rent B", date(2026, 2, 28)),
    ]


def test_a_failing_template_is_reported_and_the_others_made(store) -> None:  # noqa: ANN001
    cid = customer(store)
    hosting(store, start="2026-01-10")
    rent(store, start="2026-01-31")
    with store.write() as uow:
        L.add_account(uow, "6900", "Cleaning", "expense")
    data = R.TemplateInput(
        kind="entry",
        name="Cleaning",
        start="2026-01-05",
        lines=[
            L.LineInput(account="6900", debit="90"),
            L.LineInput(account="1010", credit="90"),
        ],
    )
    with store.write() as uow:
        R.create(uow, data)
        L.set_account_archived(uow, L.resolve_account(uow, "6900").id)
        contacts.archive(uow, cid, version=contacts.get(uow, cid).version)
    report = run_due(store, date(2026, 2, 1))
    failed = {f.name: (f.due_on, f.reason) for f in report.failed}
    assert failed == {
        "Cleaning": (date(2026, 1, 5), "line 1 account: account 6900 Cleaning is archived"),
        "Hosting": (date(2026, 1, 10), "customer: Hill Farm is archived"),
    }
    assert [(m.name, m.due_on, m.document) for m in report.made] == [
        ("Rent", date(2026, 1, 31), "JE-1")
    ]


def test_a_refusal_is_said_with_its_field_in_the_reader_s_language(store) -> None:  # noqa: ANN001
    """A Spanish reader read "customer: Hill Farm está archivado": the field by its key."""
    cid = customer(store)
    hosting(store, start="2026-01-10")
    with store.write() as uow:
        contacts.archive(uow, cid, version=contacts.get(uow, cid).version)
    try:
        use("es")
        report = run_due(store, date(2026, 1, 31))
    finally:
        use("en")
    reason = report.failed[0].reason
    assert reason.startswith("Cliente: Hill Farm") and "customer" not in reason, reason


def test_lock_date_refuses_the_occurrences_before_it(store) -> None:  # noqa: ANN001
    tid = rent(store, start="2026-01-31")
    with store.write() as uow:
        L.set_lock_date(uow, "2026-02-15")
    report = run_due(store, date(2026, 3, 31))
    assert report.made == []
    assert "locked up to 2026-02-15" in report.failed[0].reason
    assert "skip this occurrence" in report.failed[0].reason
    assert runs(store, tid) == []
    # the January rent was paid by hand: skipping it lets February and March be made
    with store.write() as uow:
        view = R.skip(uow, tid)
    assert view.next_date == date(2026, 2, 28) and view.state == "active"
    assert runs(store, tid) == [(date(2026, 1, 31), "")]  # kept in its history as skipped
    report = run_due(store, date(2026, 3, 31))
    assert report.failed == []
    assert [(m.due_on, m.document) for m in report.made] == [
        (date(2026, 2, 28), "JE-1"),
        (date(2026, 3, 31), "JE-2"),
    ]
    assert run_due(store, date(2026, 3, 31)).made == []  # the skipped day is never made
    with store.write() as uow:
        R.stop(uow, tid)
        with pytest.raises(ValidationError, match="no next occurrence to skip"):
            R.skip(uow, tid)
    assert errors(store) == []


def test_template_checks_its_input(store) -> None:  # noqa: ANN001
    with store.write() as uow, pytest.raises(ValidationError) as exc:
        R.create(
            uow,
            R.TemplateInput(
                kind="entry",
                name="",
                frequency="weekly",
                start="2026-02-30",
                lines=[
                    L.LineInput(account="6000", debit="10"),
                    L.LineInput(account="1010", credit="9"),
                ],
            ),
        )
    fields = exc.value.fields
    assert set(fields) >= {"name", "frequency", "start", "lines"}
    with store.write() as uow, pytest.raises(ValidationError) as exc:
        R.create(
            uow, R.TemplateInput(kind="invoice", name="X", start="2026-01-01", customer="Nobody")
        )
    assert "customer" in exc.value.fields


@pytest.mark.parametrize("role", ["sales", "warehouse", "support", "viewer"])
def test_roles(store, role) -> None:  # noqa: ANN001
    rent(store)
    with store.write() as uow:
        users.add(uow, "pat", role)
    other = open_store(store.url, user="pat")
    try:
        with pytest.raises(PermissionDenied):
            run_due(other, date(2026, 3, 1))
        with other.write() as uow, pytest.raises(PermissionDenied):
            R.create(uow, R.TemplateInput(kind="entry", name="X", start="2026-01-01"))
        with other.read() as uow:
            if role == "viewer":
                assert R.list_page(uow, R.PageRequest()).rows[0].name == "Rent"
            else:
                with pytest.raises(PermissionDenied):
                    R.list_page(uow, R.PageRequest())
    finally:
        other.dispose()
    with store.write() as uow:
        users.add(uow, "acc", "accountant")
    acc = open_store(store.url, user="acc")
    try:
        assert len(run_due(acc, date(2026, 3, 1)).made) == 2
    finally:
        acc.dispose()


def _run(url: str, as_of: date, ready) -> list[str]:  # noqa: ANN001
    store = open_store(url, user="tester")
    ready()
    try:
        report = run_due(store, as_of)
        assert report.failed == [], report.failed
        return [m.document for m in report.made]
    finally:
        store.dispose()


def test_two_runs_at_once_make_each_occurrence_once(store) -> None:  # noqa: ANN001
    customer(store)
    for i in range(3):
        rent(store, name=f"Rent {i}", start="2025-01-31")
        hosting(store, name=f"Hosting {i}", start="2025-01-15")
    made = run_together(_run, [(store.url, date(2026, 11, 30)), (store.url, date(2026, 11, 30))])
    documents = [d for m in made for d in m]
    assert len(documents) == len(set(documents)) == 6 * 23
    with store.read() as uow:
        assert uow.session.scalar(select(func.count()).select_from(RecurringRun)) == 6 * 23
        assert uow.session.scalar(select(func.count()).select_from(Invoice)) == 3 * 23
    assert errors(store) == []
