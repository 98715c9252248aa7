"""The VAT return (issue 14, deliverable 6): output and input VAT per rate from invoices,
credit notes, counter sales and bills, other entries on their own line, the balance; it ties
to the VAT accounts' movements in the period to the cent, on every chart."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest

from bizdesk.db import Store, open_store
from bizdesk.errors import PermissionDenied, ValidationError
from bizdesk.services.admin import setup, users
from bizdesk.services.books import ledger, ledger_reports
from bizdesk.services.books.vat_return import movement, untied, vat_return
from bizdesk.services.crm import contacts
from bizdesk.services.overview import reports
from bizdesk.services.trade import purchasing, sales
from tests.erp_helpers import errors, product, supplier
from tests.shop_template import give_the_shop_an_address
from tests.test_cli import bizdesk, bizdesk_user

FROM, TO = date(2026, 10, 1), date(2026, 10, 31)


def _entry(uow, day: date, memo: str, *lines: tuple[str, int, int]) -> None:  # noqa: ANN001
    """A journal entry typed by hand: (account role or code, debit, credit) in minor units."""
    postings = []
    for who, debit, credit in lines:
        acct = ledger.account_for(uow, who) if not who.isdigit() else None
        aid = acct.id if acct else ledger.resolve_account(uow, who).id
        postings.append(ledger.Posting(aid, debit_minor=debit, credit_minor=credit))
    ledger.post_entry(uow, day, memo, postings)


def _bought(uow, sid: int, day: str, billed: str | None, *lines, ref: str = "") -> None:  # noqa: ANN001
    po = purchasing.create(
        uow,
        purchasing.POInput(
            supplier=f"#{sid}",
            order_date=day,
            lines=[purchasing.POLineInput(s, q, c) for s, q, c in lines],
        ),
    )
    purchasing.send(uow, po.id)
    purchasing.receive(uow, po.id, {ln.id: ln.qty for ln in po.lines}, when=day)
    if billed:
        purchasing.bill(uow, po.id, reference=ref, bill_date=billed)


def _sold(uow, cid: int, day: str, *lines) -> sales.SOView:  # noqa: ANN001
    so = sales.create(
        uow,
        sales.SOInput(
            customer=f"#{cid}",
            order_date=day,
            lines=[sales.SOLineInput(s, q, p) for s, q, p in lines],
        ),
    )
    sales.confirm(uow, so.id)
    sales.deliver(uow, so.id, when=day)
    sales.invoice(uow, so.id, when=day, due=day)
    return sales.get(uow, so.id)


def a_quarter(store: Store, bank: str = "bank") -> None:
    """Invoices at two rates (20 % and 5 %), a credit note, a counter sale, bills (one of
    both rates), manual entries on both VAT accounts; each kind also before and after
    October, which the return must leave out."""
    sid = supplier(store)
    product(store, "A", cost="100", sale_price="200", vat_rate="20")
    product(store, "B", cost="10", sale_price="30", vat_rate="5")
    with store.write() as uow:
        _entry(uow, date(2026, 9, 1), "Capital", (bank, 100_000_00, 0), ("equity", 0, 100_000_00))
        cid = contacts.create(uow, contacts.ContactInput(name="Cycle Club")).contact.id
        # September: bought and sold (outside the period)
        _bought(uow, sid, "2026-09-10", "2026-09-10", ("A", "2", "100"), ref="S-1")
        _sold(uow, cid, "2026-09-20", ("A", "1", "200"))
        # October: one bill of both rates, a sale of both, a counter sale, a return
        _bought(
            uow, sid, "2026-10-02", "2026-10-03", ("A", "10", "100"), ("B", "20", "10"), ref="O-1"
        )
        so = _sold(uow, cid, "2026-10-05", ("A", "3", "200"), ("B", "4", "30"))
        sales.counter_sale(uow, [sales.SOLineInput("B", "1", "30")], when="2026-10-10")
        a_line = next(ln for ln in so.lines if ln.sku == "A")
        sales.return_goods(uow, so.id, {a_line.id: "1"}, reason="too big", when="2026-10-20")
        # manual entries on the VAT accounts: a correction of output VAT, input VAT on rent
        _entry(
            uow, date(2026, 10, 30), "VAT correction", ("vat_payable", 50_00, 0), (bank, 0, 50_00)
        )
        _entry(uow, date(2026, 10, 15), "Rent VAT", ("vat_receivable", 7_00, 0), (bank, 0, 7_00))
        # received in October, billed in November; a November sale and entry
        _bought(uow, sid, "2026-10-25", "2026-11-02", ("B", "5", "10"), ref="N-1")
        _sold(uow, cid, "2026-11-03", ("B", "1", "30"))
        _entry(uow, date(2026, 11, 5), "Later", ("vat_payable", 1_00, 0), (bank, 0, 1_00))


def _ledger_movement(store: Store, role: str) -> Decimal:
    """The VAT account's movement in October from the general ledger report (credit - debit
    for VAT payable, debit - credit for receivable): what the return must equal."""
    with store.read() as uow:
        code = ledger.account_for(uow, role).code
        rows = [
            r
            for r in ledger_reports.general_ledger(uow, FROM, TO)
            if r.code == code and r.entry_id is not None
        ]
    total = sum((r.debit - r.credit for r in rows), Decimal(0))
    return -total if role == "vat_payable" else total


def test_the_return_per_rate_with_credit_notes_bills_and_other_entries(store) -> None:  # noqa: ANN001
    a_quarter(store)
    with store.read() as uow:
        ret = vat_return(uow, FROM, TO)
    got = {(r.side, r.rate): (r.base, r.vat, [d.number for d in r.documents]) for r in ret.rows}
    assert got == {
        # invoice A 3 x 200 (120 VAT), credit note A 1 x 200 back (-40)
        ("output", "20"): (Decimal("400.00"), Decimal("80.00"), ["INV-00002", "CN-00001"]),
        # invoice B 4 x 30 (6 VAT), counter sale B 1 x 30 (1.50)
        ("output", "5"): (Decimal("150.00"), Decimal("7.50"), ["INV-00002", "INV-00003"]),
        ("output", "other"): (Decimal("0.00"), Decimal("-50.00"), ["JE-14"]),
        # one bill of both rates, split exactly by its lines
        ("input", "20"): (Decimal("1000.00"), Decimal("200.00"), ["O-1 (PO-00002)"]),
        ("input", "5"): (Decimal("200.00"), Decimal("10.00"), ["O-1 (PO-00002)"]),
        ("input", "other"): (Decimal("0.00"), Decimal("7.00"), ["JE-15"]),
    }
    assert [(r.side, r.rate) for r in ret.rows][:3] == [
        ("output", "20"),
        ("output", "5"),
        ("output", "other"),
    ]
    assert ret.output_vat == Decimal("37.50")
    assert ret.input_vat == Decimal("217.00")
    assert ret.balance == Decimal("-179.50")  # to reclaim
    credit = next(d for r in ret.rows for d in r.documents if d.number == "CN-00001")
    assert (credit.kind, credit.date, credit.contact) == (
        "credit-note",
        date(2026, 10, 20),
        "Cycle Club",
    )
    assert (credit.base, credit.vat) == (Decimal("-200.00"), Decimal("-40.00"))


def test_the_return_ties_to_the_vat_accounts_to_the_cent(store) -> None:  # noqa: ANN001
    a_quarter(store)
    with store.read() as uow:
        ret = vat_return(uow, FROM, TO)
        assert untied(uow, FROM, TO) == []
        assert movement(uow, "vat_payable", FROM, TO) == 37_50
    assert ret.output_vat == _ledger_movement(store, "vat_payable") == Decimal("37.50")
    assert ret.input_vat == _ledger_movement(store, "vat_receivable") == Decimal("217.00")
    # the trial balance at the ends of the period says the same
    with store.read() as uow:
        before = {
            r.code: r.balance for r in ledger_reports.trial_balance(uow, date(2026, 9, 30))[0]
        }
        after = {r.code: r.balance for r in ledger_reports.trial_balance(uow, TO)[0]}
        pay = ledger.account_for(uow, "vat_payable").code
        rec = ledger.account_for(uow, "vat_receivable").code
    assert -(after[pay] - before.get(pay, 0)) == ret.output_vat
    assert after[rec] - before.get(rec, 0) == ret.input_vat
    assert errors(store) == []


def test_a_whole_year_ties_too_and_an_empty_period_is_zero(store) -> None:  # noqa: ANN001
    a_quarter(store)
    with store.read() as uow:
        year = vat_return(uow, date(2026, 1, 1), date(2026, 12, 31))
        assert (
            year.output_vat
            == Decimal(movement(uow, "vat_payable", date(2026, 1, 1), date(2026, 12, 31))) / 100
        )
        assert (
            year.input_vat
            == Decimal(movement(uow, "vat_receivable", date(2026, 1, 1), date(2026, 12, 31))) / 100
        )
        empty = vat_return(uow, date(2025, 1, 1), date(2025, 1, 31))
    assert (empty.rows, empty.balance) == ([], Decimal("0.00"))


def test_a_period_is_required_and_in_order(store) -> None:  # noqa: ANN001
    with store.read() as uow:
        with pytest.raises(ValidationError) as exc:
            vat_return(uow, None, TO)
        assert exc.value.fields == {"from": "a VAT return is for a period: give its first day"}
        with pytest.raises(ValidationError) as exc:
            vat_return(uow, None, None)
        assert set(exc.value.fields) == {"from", "to"}
        with pytest.raises(ValidationError) as exc:
            vat_return(uow, TO, FROM)
        assert "before its start" in str(exc.value)


def test_json_carries_the_documents_under_each_row_as_decimal_strings(store) -> None:  # noqa: ANN001
    a_quarter(store)
    with store.write() as uow:
        users.add(uow, bizdesk_user(), "accountant")  # the command runs as this OS user
    period = ("--db", store.url, "--from", "2026-10-01", "--to", "2026-10-31")
    result = bizdesk("report", "vat-return", *period, "--format", "json")
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    assert (doc["report"], doc["from"], doc["to"]) == ("vat-return", "2026-10-01", "2026-10-31")
    first = doc["rows"][0]
    assert {k: first[k] for k in ("section", "rate", "base", "vat", "count", "side")} == {
        "section": "Output VAT",
        "rate": "20",
        "base": "400.00",
        "vat": "80.00",
        "count": 2,
        "side": "output",
    }
    assert first["documents"][1] == {
        "kind": "credit-note",
        "number": "CN-00001",
        "date": "2026-10-20",
        "contact": "Cycle Club",
        "base": "-200.00",
        "vat": "-40.00",
        "record": "sales_order",
        "record_id": first["documents"][1]["record_id"],
    }
    other = next(r for r in doc["rows"] if r["side"] == "input" and r["rate"] == "other entries")
    assert (other["base"], other["vat"], other["documents"][0]["kind"]) == (None, "7.00", "entry")
    assert doc["totals"]["balance"] == "-179.50"
    assert doc["totals"]["section"] == "Balance to reclaim"
    assert (doc["totals"]["output_vat"], doc["totals"]["input_vat"]) == ("37.50", "217.00")
    table = bizdesk("report", "vat-return", *period)
    assert table.returncode == 0 and "Balance to reclaim" in table.stdout
    assert "179.50 to reclaim" in table.stdout
    said = " ".join(table.stdout.split())
    assert "whose base bizdesk cannot know" in said
    # no Enter key here: the command line says where the entries are listed
    assert "(enter)" not in said and "see each entry for what to declare as its base." in said
    assert (
        "Each entry, under its row's documents: bizdesk report vat-return --from 2026-10-01 "
        "--to 2026-10-31 --format json" in said
    )
    missing = bizdesk("report", "vat-return", "--db", store.url)
    assert missing.returncode == 1  # named as typed here, not "period: give --from and --to"
    assert "--from: a VAT return is for a period: give its first day" in missing.stderr
    assert "--to: a VAT return is for a period: give its last day" in missing.stderr


def test_a_bill_of_several_rates_that_cannot_be_split_says_so(store) -> None:  # noqa: ANN001
    """Two bills on an order of two rates: which lines each covered is not kept, so they
    show as "several rates" (never guessed), and the return still ties."""
    sid = supplier(store)
    product(store, "A", cost="100", sale_price="200", vat_rate="20")
    product(store, "B", cost="10", sale_price="30", vat_rate="5")
    with store.write() as uow:
        po = purchasing.create(
            uow,
            purchasing.POInput(
                supplier=f"#{sid}",
                order_date="2026-10-01",
                lines=[
                    purchasing.POLineInput("A", "2", "100"),
                    purchasing.POLineInput("B", "2", "10"),
                ],
            ),
        )
        purchasing.send(uow, po.id)
        purchasing.receive(uow, po.id, {po.lines[0].id: "2"}, when="2026-10-02")
        purchasing.bill(uow, po.id, reference="X-1", bill_date="2026-10-02")
        purchasing.receive(uow, po.id, {po.lines[1].id: "2"}, when="2026-10-03")
        purchasing.bill(uow, po.id, reference="X-2", bill_date="2026-10-03")
        ret = vat_return(uow, FROM, TO)
        assert [(r.rate, r.vat) for r in ret.rows] == [("mixed", Decimal("41.00"))]
        assert untied(uow, FROM, TO) == []


@pytest.mark.parametrize(
    ("chart", "locale", "currency"),
    [
        ("generic", "en_US", "EUR"),
        ("es", "es_ES", "EUR"),
        ("ro", "ro_RO", "RON"),
        ("vn", "vi_VN", "VND"),
    ],
)
def test_each_chart_finds_its_vat_accounts_by_role(tmp_path, chart, locale, currency) -> None:  # noqa: ANN001
    store = open_store(str(tmp_path / "shop.db"), user="tester")
    try:
        with store.write() as uow:
            setup.initialize(uow, company="Shop", currency=currency, locale=locale, chart=chart)
        give_the_shop_an_address(store)
        a_quarter(store)
        with store.read() as uow:
            ret = vat_return(uow, FROM, TO)
            scale = Decimal(1).scaleb(-uow.exponent)
        assert ret.output_vat == _ledger_movement(store, "vat_payable")
        assert ret.input_vat == _ledger_movement(store, "vat_receivable")
        assert ret.balance == ret.output_vat - ret.input_vat
        assert [(r.side, r.rate) for r in ret.rows] == [
            ("output", "20"),
            ("output", "5"),
            ("output", "other"),
            ("input", "20"),
            ("input", "5"),
            ("input", "other"),
        ]
        assert ret.input_vat.as_tuple().exponent == scale.as_tuple().exponent
        assert errors(store) == []
    finally:
        store.dispose()


def test_roles_that_may_not_read_the_books_are_refused(store) -> None:  # noqa: ANN001
    with store.write() as uow:
        users.add(uow, "wendy", "warehouse")
        users.add(uow, "sam", "sales")
        users.add(uow, "vic", "viewer")
    for name in ("wendy", "sam"):
        other = Store(url=store.url, engine=store.engine, user=name)
        with other.read() as uow, pytest.raises(PermissionDenied):
            reports.build(uow, "vat-return", date_from=FROM, date_to=TO)
    viewer = Store(url=store.url, engine=store.engine, user="vic")
    with viewer.read() as uow:
        assert reports.build(uow, "vat-return", date_from=FROM, date_to=TO).name == "vat-return"


def test_check_finds_a_document_whose_entry_posted_other_vat(store) -> None:  # noqa: ANN001
    """Written around the services (a bill's VAT changed in the table): `check` says so and
    the return no longer ties."""
    from sqlalchemy import text

    a_quarter(store)
    with store.engine.begin() as conn:
        conn.execute(
            text("UPDATE supplier_bill SET vat_minor = vat_minor + 1 WHERE reference = 'O-1'")
        )
    assert any(e.startswith("vat-return-bills: bill O-1") for e in errors(store))


def test_the_return_reads_in_spanish_and_vietnamese_json_stays_english(store) -> None:  # noqa: ANN001
    from bizdesk import i18n

    a_quarter(store)
    with store.read() as uow:
        rep = reports.build(uow, "vat-return", date_from=FROM, date_to=TO)
    try:
        i18n.use("es")
        shown = (str(rep.title), str(rep.rows[0]["section"]), str(rep.totals["section"]))
        i18n.use("vi")
        vi = str(rep.rows[2]["rate"])
    finally:
        i18n.use("en")
    assert shown == ("Declaración de IVA", "IVA repercutido", "Saldo a devolver")
    assert vi == "bút toán khác"
    assert reports.as_json(rep)["rows"][0]["section"] == "Output VAT"
    with store.write() as uow, pytest.raises(ValidationError) as exc:
        vat_return(uow, None, None)
    try:
        i18n.use("es")
        assert "indique su primer día" in str(exc.value.fields["from"])
    finally:
        i18n.use("en")


def test_a_price_difference_billed_without_vat_is_a_row_of_its_own(store) -> None:  # noqa: ANN001
    """Goods of 200.00 at 10 %, billed at 250.00 net with 20.00 VAT: the 10 % row is 200.00
    and 20.00 (it said 250.00 and 20.00: a base that was not the VAT's), and the 50.00 the
    supplier charged no VAT on is a row of its own. A bill whose VAT is its whole net's at
    the rate stays whole at that rate."""
    sid = supplier(store)
    product(store, "A", cost="100", sale_price="200", vat_rate="10")
    with store.write() as uow:
        _bought(uow, sid, "2026-10-02", None, ("A", "2", "100"))
        purchasing.bill(uow, 1, reference="X-1", net="250", vat="20", bill_date="2026-10-03")
        _bought(uow, sid, "2026-10-04", None, ("A", "1", "100"))
        purchasing.bill(uow, 2, reference="X-2", net="110", vat="11", bill_date="2026-10-05")
        ret = vat_return(uow, FROM, TO)
        assert [(r.rate, r.base, r.vat, len(r.documents)) for r in ret.rows] == [
            ("10", Decimal("310.00"), Decimal("31.00"), 2),
            ("untaxed", Decimal("50.00"), Decimal("0.00"), 1),
        ]
        assert untied(uow, FROM, TO) == []
        report = reports.build(uow, "vat-return", date_from=FROM, date_to=TO)
        assert [str(r["rate"]) for r in report.rows] == ["10", "no VAT charged"]
