"""Purchase orders through their states, with every posting checked."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from bizdesk.errors import Conflict, ValidationError
from bizdesk.services.base.paging import PageRequest
from bizdesk.services.books import ledger, ledger_reports
from bizdesk.services.inventory import reports
from bizdesk.services.trade import purchasing
from tests.erp_helpers import errors, order, product, supplier


@pytest.fixture
def shop(store):  # noqa: ANN001, ANN201
    sid = supplier(store)
    product(store, "BOLT", cost="0.20", vat_rate="20", supplier="Acme Supply")
    product(store, "NUT", cost="0.10", vat_rate="20")
    return store, sid


def _balances(store) -> dict[str, Decimal]:  # noqa: ANN001
    with store.read() as uow:
        rows, _ = ledger_reports.trial_balance(uow)
    return {r.code: r.balance for r in rows}


def test_order_totals_and_defaults(shop) -> None:  # noqa: ANN001
    store, sid = shop
    po = order(store, sid, ("BOLT", "100", ""), ("NUT", "50", "0.12"), state="draft")
    assert po.label == "PO-00001" and po.state == "draft"
    assert [ln.unit_cost for ln in po.lines] == [Decimal("0.20"), Decimal("0.12")]
    assert (po.net, po.vat, po.total) == (Decimal("26.00"), Decimal("5.20"), Decimal("31.20"))


def test_bad_orders_are_refused(shop) -> None:  # noqa: ANN001
    store, sid = shop
    from bizdesk.services.crm import contacts

    with store.write() as uow:
        contacts.create(uow, contacts.ContactInput(name="Walk In"))
        with pytest.raises(ValidationError) as exc:
            purchasing.create(
                uow,
                purchasing.POInput(
                    supplier="Walk In",
                    order_date="2026-13-01",
                    lines=[
                        purchasing.POLineInput("NOPE", "1"),
                        purchasing.POLineInput("BOLT", "0"),
                        purchasing.POLineInput("NUT", "1", "-3"),
                    ],
                ),
            )
    f = exc.value.fields
    assert "not marked as a supplier" in f["supplier"] and "order_date" in f
    assert "no product" in f["line 1 product"] and "more than zero" in f["line 2 qty"]
    assert "negative" in f["line 3 unit cost"]
    with store.write() as uow, pytest.raises(ValidationError, match="at least one line"):
        purchasing.create(uow, purchasing.POInput(supplier=f"#{sid}"))


def test_full_cycle_posts_and_closes(shop) -> None:  # noqa: ANN001
    store, sid = shop
    po = order(store, sid, ("BOLT", "100", "0.20"), ("NUT", "50", "0.10"))
    bolt, nut = po.lines
    with store.write() as uow:
        po = purchasing.receive(uow, po.id, {bolt.id: "60"}, when="2026-11-03")
    assert po.state == "partially received"
    assert _balances(store) == {"1200": Decimal("12.00"), "2100": Decimal("-12.00")}
    with store.write() as uow:
        po = purchasing.receive(uow, po.id, {bolt.id: "40", nut.id: "50"})
        assert po.state == "received"
        b = purchasing.bill(uow, po.id, reference="INV-77", bill_date="2026-11-05")
    assert (b.net, b.vat, b.total, b.difference) == (
        Decimal("25.00"),
        Decimal("5.00"),
        Decimal("30.00"),
        Decimal("0.00"),
    )
    bal = _balances(store)
    assert bal["2100"] == 0 and bal["2000"] == Decimal("-30.00") and bal["1300"] == Decimal("5.00")
    with store.write() as uow:
        assert purchasing.get(uow, po.id).state == "billed"
        ahead = (date.today() + timedelta(days=1)).isoformat()
        with pytest.raises(ValidationError, match="after today: a payment is recorded once"):
            purchasing.pay(uow, b.id, amount="10", when=ahead)
        purchasing.pay(uow, b.id, amount="10", when="2026-11-10")
        b = purchasing.pay(uow, b.id, account="cash")
        assert b.open == 0 and purchasing.get(uow, po.id).state == "closed"
        with pytest.raises(ValidationError, match="paid already"):
            purchasing.pay(uow, b.id)
    bal = _balances(store)
    assert (
        bal["2000"] == 0 and bal["1010"] == Decimal("-10.00") and bal["1000"] == Decimal("-20.00")
    )
    assert errors(store) == []


def test_over_receipt_refused_and_nothing_changes(shop) -> None:  # noqa: ANN001
    store, sid = shop
    po = order(store, sid, ("BOLT", "10", "0.20"))
    with store.write() as uow, pytest.raises(ValidationError, match="over-receipt is refused"):
        purchasing.receive(uow, po.id, {po.lines[0].id: "11"})
    with store.write() as uow:
        purchasing.receive(uow, po.id, {po.lines[0].id: "4"})
        with pytest.raises(ValidationError, match="only 6 still to come"):
            purchasing.receive(uow, po.id, {po.lines[0].id: "7"})
    with store.read() as uow:
        assert purchasing.get(uow, po.id).lines[0].received == 4
    assert errors(store) == []


def test_state_rules(shop) -> None:  # noqa: ANN001
    store, sid = shop
    draft = order(store, sid, ("BOLT", "10", "0.20"), state="draft")
    with store.write() as uow, pytest.raises(ValidationError, match="send or confirm it first"):
        purchasing.receive(uow, draft.id, {draft.lines[0].id: "1"})
    with store.write() as uow:
        po = purchasing.confirm(uow, draft.id)
        with pytest.raises(ValidationError, match="only drafts change"):
            purchasing.update(uow, po.id, purchasing.po_input(po), version=po.version)
        with pytest.raises(ValidationError, match="nothing received to bill"):
            purchasing.bill(uow, po.id, reference="X")
        purchasing.receive(uow, po.id, {po.lines[0].id: "1"})
        with pytest.raises(ValidationError, match="cannot be cancelled"):
            purchasing.cancel(uow, po.id)
    other = order(store, sid, ("NUT", "1", "0.10"))
    with store.write() as uow:
        assert purchasing.cancel(uow, other.id).state == "cancelled"
        with pytest.raises(ValidationError, match="cancelled"):
            purchasing.receive(uow, other.id, {other.lines[0].id: "1"})


def test_bill_differences_go_to_price_differences(shop) -> None:  # noqa: ANN001
    store, sid = shop
    po = order(store, sid, ("BOLT", "100", "0.20"))
    with store.write() as uow:
        purchasing.receive(uow, po.id, {po.lines[0].id: "100"})
        assert purchasing.bill_defaults(uow, po.id) == (Decimal("20.00"), Decimal("4.00"))
        b = purchasing.bill(uow, po.id, reference="INV-9", net="21.50", vat="4.30")
        with pytest.raises(ValidationError, match="nothing received to bill"):
            purchasing.bill(uow, po.id, reference="INV-10")
    assert b.difference == Decimal("1.50")
    bal = _balances(store)
    assert bal["5200"] == Decimal("1.50") and bal["2000"] == Decimal("-25.80")
    assert bal["2100"] == 0 and bal["1200"] == Decimal("20.00")
    assert errors(store) == []


def test_partial_bill_then_rest(shop) -> None:  # noqa: ANN001
    store, sid = shop
    po = order(store, sid, ("BOLT", "10", "0.25"))
    with store.write() as uow:
        purchasing.receive(uow, po.id, {po.lines[0].id: "4"})
        purchasing.bill(uow, po.id, reference="A")
        assert purchasing.get(uow, po.id).state == "partially received"
        purchasing.receive(uow, po.id, {po.lines[0].id: "6"})
        with pytest.raises(ValidationError, match="recorded already"):
            purchasing.bill(uow, po.id, reference="A")
        purchasing.bill(uow, po.id, reference="B")
        view = purchasing.get(uow, po.id)
    assert view.state == "billed" and view.billed == Decimal("3.00")  # 2.50 + 20% VAT
    assert errors(store) == []


def test_stale_edit_refused(shop) -> None:  # noqa: ANN001
    store, sid = shop
    po = order(store, sid, ("BOLT", "10", "0.20"), state="draft")
    with store.write() as uow:
        purchasing.update(uow, po.id, purchasing.po_input(po), version=po.version)
    with store.write() as uow, pytest.raises(Conflict, match="tester changed this record"):
        purchasing.update(uow, po.id, purchasing.po_input(po), version=po.version)


def test_list_by_state_and_search(shop) -> None:  # noqa: ANN001
    store, sid = shop
    a = order(store, sid, ("BOLT", "1", "1"), state="draft")
    b = order(store, sid, ("BOLT", "1", "1"))
    with store.read() as uow:
        drafts = purchasing.list_page(uow, PageRequest(filters={"state": "draft"}))
        newest = purchasing.list_page(uow, PageRequest(descending=True))
        hit = purchasing.list_page(uow, PageRequest(search="PO-00002"))
    assert [r.id for r in drafts.rows] == [a.id]
    assert [r.id for r in newest.rows] == [b.id, a.id]
    assert [r.id for r in hit.rows] == [b.id] and hit.rows[0].total == Decimal("1.20")


def test_the_order_as_a_pdf_never_replaces_a_file(shop, tmp_path) -> None:  # noqa: ANN001
    from bizdesk.services import papers
    from tests.test_papers import pdf_text

    store, sid = shop
    po = order(store, sid, ("BOLT", "100", "0.20"))
    with store.read() as uow:
        paper = papers.render(uow, "purchase-order", po.label)
    path = papers.save(paper, tmp_path / "po.pdf")
    text = pdf_text(path.read_bytes())
    assert "PURCHASE ORDER" in text and "PO-00001" in text and "Acme Supply" in text
    assert "24.00" in text
    with pytest.raises(ValidationError, match="exists already"):
        papers.save(paper, path)
    with pytest.raises(ValidationError, match="cannot write"):
        papers.save(paper, tmp_path / "no" / "such" / "po.pdf")
    assert path.read_bytes() == paper.data


def test_receipts_keep_stock_and_books_together(shop) -> None:  # noqa: ANN001
    store, sid = shop
    po = order(store, sid, ("BOLT", "3", "0.33"))
    with store.write() as uow:
        purchasing.receive(uow, po.id, {po.lines[0].id: "1"})
        purchasing.receive(uow, po.id, {po.lines[0].id: "2"})
        assert ledger.balance_by_role(uow, "inventory") == reports.total_stock_value(uow) == 99


def test_merging_suppliers_moves_orders_and_postings(shop) -> None:  # noqa: ANN001
    from bizdesk.services.crm import contacts

    store, sid = shop
    other = supplier(store, "Acme Supplies (old)")
    po = order(store, other, ("BOLT", "10", "0.20"))
    with store.write() as uow:
        purchasing.receive(uow, po.id, {po.lines[0].id: "10"})
        with pytest.raises(Conflict, match="1 purchase order, 1 journal line"):
            contacts.delete(uow, other, version=contacts.get(uow, other).version)
        contacts.merge(uow, sid, other)
        assert purchasing.get(uow, po.id).supplier_id == sid
    assert errors(store) == []


def test_supplier_statement_report(shop) -> None:  # noqa: ANN001
    from bizdesk.services.overview.reports import build

    store, sid = shop
    po = order(store, sid, ("BOLT", "10", "1.00"))
    with store.write() as uow:
        purchasing.receive(uow, po.id, {po.lines[0].id: "10"})
        b = purchasing.bill(uow, po.id, reference="S-1")
        purchasing.pay(uow, b.id, amount="5")
        rep = build(uow, "statement", contact="Acme Supply")
        with pytest.raises(ValidationError, match="no contact"):
            build(uow, "statement", contact="Nobody")
    assert [r["balance"] for r in rep.rows] == [Decimal("12.00"), Decimal("7.00")]
    assert rep.notes == ["Balance: 7.00 (we owe)"]


def test_one_payment_settles_several_bills_in_full_and_in_part(shop) -> None:  # noqa: ANN001
    """purchasing.settle_bills: two bills of Acme and one of another supplier paid at once,
    one of them in part, from a second bank account: one journal entry, Dr Payables per bill
    (its supplier named) / Cr the bank, one payment row per bill."""
    from sqlalchemy import select

    from bizdesk.models.ledger import JournalEntry, JournalLine
    from bizdesk.models.purchasing import SupplierPayment

    store, sid = shop
    other = supplier(store, "Nut House")
    bills = []
    for who, line, ref in (
        (sid, ("BOLT", "100", "0.20"), "AC-1"),  # 24.00 with VAT
        (sid, ("NUT", "50", "0.10"), "AC-2"),  # 6.00
        (other, ("NUT", "30", "0.10"), "NH-9"),  # 3.60
    ):
        po = order(store, who, line)
        with store.write() as uow:
            purchasing.receive(uow, po.id, {po.lines[0].id: line[1]})
            bills.append(purchasing.bill(uow, po.id, reference=ref, bill_date="2026-11-15"))
    with store.write() as uow:
        ledger.add_account(uow, "1011", "Second bank", "asset")
        ledger.set_payment_kind(uow, "1011", "bank")
    before = _balances(store)
    assert before["2000"] == Decimal("-33.60")
    with store.write() as uow:
        for todo, field, said in (
            ([(bills[0].id, None), (bills[1].id, "6.01")], "AC-2 amount", "still open"),
            ([(bills[0].id, None), (bills[0].id, "1")], "AC-1 amount", "named twice"),
            ([(bills[0].id, "0"), (bills[1].id, None)], "AC-1 amount", "more than zero"),
        ):
            with pytest.raises(ValidationError) as refused:
                purchasing.settle_bills(uow, todo, account="1011")
            assert said in str(refused.value.fields[field]), refused.value.fields
        with pytest.raises(ValidationError) as refused:
            purchasing.settle_bills(uow, [(bills[0].id, None)], account="4000")
        assert "not an account payments go through" in str(refused.value.fields["account"])
    assert _balances(store) == before
    with store.write() as uow:
        e = purchasing.settle_bills(
            uow,
            [(bills[0].id, None), (bills[1].id, "2.50"), (bills[2].id, "")],
            account="1011",
            when="2026-11-20",
        )
        rows = uow.session.scalars(
            select(SupplierPayment).where(SupplierPayment.entry_id == e.id)
        ).all()
        assert sorted((r.bill_id, r.amount_minor) for r in rows) == [
            (bills[0].id, 2400),
            (bills[1].id, 250),
            (bills[2].id, 360),
        ]
        lines = uow.session.scalars(select(JournalLine).where(JournalLine.entry_id == e.id)).all()
        debits = sorted((ln.debit_minor, ln.contact_id) for ln in lines if ln.debit_minor)
        assert debits == [(250, sid), (360, other), (2400, sid)]
        assert [ln.credit_minor for ln in lines if ln.credit_minor] == [3010]
        entry = uow.session.get(JournalEntry, e.id)
        assert entry.date.isoformat() == "2026-11-20"
        assert "AC-1, AC-2, NH-9" in entry.memo
        states = [purchasing.get(uow, n).state for n in (1, 2, 3)]
        assert states == ["closed", "billed", "closed"]
        assert purchasing.get(uow, 2).bills[0].open == Decimal("3.50")
        with pytest.raises(ValidationError, match="paid already"):
            purchasing.settle_bills(uow, [(bills[1].id, None), (bills[2].id, None)])
    after = _balances(store)
    assert after["2000"] == Decimal("-3.50") and after["1011"] == Decimal("-30.10")
    assert errors(store) == []


def test_a_statement_of_a_supplier_who_also_buys_shows_what_they_owe(shop) -> None:  # noqa: ANN001
    """A contact who buys from us and sells to us: the statement showed the payable account
    only, hiding what they owe. A customer's statement is receivable by default, ``by``
    names the side, and the other side's balance is noted."""
    from bizdesk.models.contacts import Contact
    from bizdesk.services.overview.reports import build
    from bizdesk.services.trade import sales

    store, sid = shop
    po = order(store, sid, ("BOLT", "10", "1.00"))
    with store.write() as uow:
        purchasing.receive(uow, po.id, {po.lines[0].id: "10"})
        purchasing.bill(uow, po.id, reference="S-1")
        uow.session.get(Contact, sid).is_customer = True
        sales.counter_sale(uow, [sales.SOLineInput("BOLT", "2", "3.00")], customer=f"#{sid}")
    with store.read() as uow:
        owed = build(uow, "statement", contact=f"#{sid}")
        ours = build(uow, "statement", contact=f"#{sid}", by="payable")
        with pytest.raises(ValidationError, match="must be one of"):
            build(uow, "statement", contact=f"#{sid}", by="paid")
    assert owed.params["account"] == "receivable" and len(owed.rows) == 2
    assert owed.notes[-1] == "Acme Supply has a payable account too, balance 12.00."
    assert owed.other_side == "payable" and ours.other_side == "receivable"
    # the command line says how to see the other side from there
    from bizdesk.identity import os_username
    from bizdesk.services.admin import users
    from tests.test_cli import bizdesk

    with store.write() as uow:
        users.add(uow, os_username(), "owner")
    table = bizdesk("report", "statement", "--contact", f"#{sid}", "--db", store.url)
    assert table.returncode == 0, table.stderr
    assert (
        f"The other side: bizdesk report statement --contact '#{sid}' --by payable" in table.stdout
    ), table.stdout
    period = ("--from", "2020-01-01", "--to", "2099-12-31")
    table = bizdesk("report", "statement", "--contact", f"#{sid}", *period, "--db", store.url)
    assert table.returncode == 0, table.stderr
    assert (  # over the same period
        f"The other side: bizdesk report statement --contact '#{sid}' --from 2020-01-01 "
        "--to 2099-12-31 --by payable" in " ".join(table.stdout.split())
    ), table.stdout
    assert ours.params["account"] == "payable" and ours.rows[-1]["balance"] == Decimal("12.00")
