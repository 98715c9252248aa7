"""Documents as PDF (services/papers): every kind read back with pypdf, the parties' VAT ids
checked per country, the shop's bank account checked, the roles per kind; the print command
and a print key."""

from __future__ import annotations

import io
import logging
import os
import re
import subprocess
import sys
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from pypdf import PdfReader

from bizdesk.db import Store
from bizdesk.errors import NotFound, PermissionDenied, ValidationError
from bizdesk.services import papers
from bizdesk.services.admin import users
from bizdesk.services.base.pages import PageRequest
from bizdesk.services.crm import contacts
from bizdesk.services.papers import shop as S
from bizdesk.services.trade import deals, purchasing, sales
from tests.erp_helpers import order, product, supplier


def pdf_text(data: bytes) -> str:
    """The text of every page of a PDF, as a reader (pypdf) extracts it."""
    assert data[:5] == b"%PDF-"
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def lines_of(text: str) -> list[str]:
    return [" ".join(line.split()) for line in text.splitlines()]


SHOP = S.ShopDetails(
    name="Bicicleta Ștefănescu și Țuțu SRL",
    street="Strada Ștefan cel Mare 12",
    postcode="010101",
    city="București",
    country="RO",
    vat_id="RO 1854 7290",
    iban="de89 3704 0044 0532 0130 00",
    bic="cobadeffxxx",
    email="shop@example.com",
)


@pytest.fixture
def shop(store):  # noqa: ANN001, ANN201
    """A shop with its details, a supplier, two products at two VAT rates in stock, a German
    customer with a VAT id, an invoice (delivered and invoiced), a credit note and a deal."""
    sid = supplier(store, "Acme Supply GmbH")
    product(store, "BIKE", name="City bike", cost="400", sale_price="650", vat_rate="19")
    product(store, "BOOK", name="Repair manual", cost="5", sale_price="20", vat_rate="5")
    po = order(store, sid, ("BIKE", "3", "400"), ("BOOK", "10", "5"))
    with store.write() as uow:
        S.update(uow, SHOP)
        purchasing.receive(uow, po.id, {ln.id: str(ln.qty) for ln in po.lines})
        cid = contacts.create(
            uow,
            contacts.ContactInput(
                name="Radhaus Köln GmbH",
                kind="organization",
                street="Hauptstraße 5",
                postcode="50667",
                city="Köln",
                country="DE",
                vat_id="DE 136 695 976",
                email="buy@radhaus.example",
                is_customer=True,
            ),
        ).contact.id
        so = sales.create(
            uow,
            sales.SOInput(
                customer=f"#{cid}",
                order_date="2026-11-02",
                lines=[sales.SOLineInput("BIKE", "2"), sales.SOLineInput("BOOK", "3")],
            ),
        )
        sales.confirm(uow, so.id)
        sales.deliver(uow, so.id, when="2026-11-04")
        inv = sales.invoice(uow, so.id, when="2026-11-05", due="2026-11-19")
        sales.pay(uow, inv.id, amount="500", when="2026-11-10")
        bike = next(ln for ln in sales.get(uow, so.id).lines if ln.sku == "BIKE")
        sales.return_goods(uow, so.id, {bike.id: "1"}, reason="too big", when="2026-11-12")
        deal = deals.create(uow, deals.DealInput(title="Fleet for the club", contact=f"#{cid}"))
        deals.set_lines(
            uow,
            deal.id,
            [
                deals.LineInput(product="BIKE", qty="4", unit_price=""),
                deals.LineInput("Fitting", "2", "30"),
            ],
            version=deal.version,
        )
    return store, cid, so, po, deal.id


# the bank details and the shop, as every document shows them
IBAN_SHOWN = "DE89 3704 0044 0532 0130 00"


def _both_parties(text: str) -> None:
    for part in (
        "Bicicleta Ștefănescu și Țuțu SRL",
        "Strada Ștefan cel Mare 12",
        "010101 București",
        "VAT id: RO18547290",
        "Radhaus Köln GmbH",
        "Hauptstraße 5",
        "50667 Köln",
        "Germany",
        "VAT id: DE136695976",
        IBAN_SHOWN,
        "COBADEFFXXX",
    ):
        assert part in text, part


def test_an_invoice_carries_both_parties_lines_rates_totals_and_the_bank(shop) -> None:  # noqa: ANN001
    store, cid, *_ = shop
    with store.read() as uow:
        paper = papers.render(uow, "invoice", "INV-00001")
    assert (paper.kind, paper.label, paper.filename) == ("invoice", "INV-00001", "INV-00001.pdf")
    assert (paper.contact_id, paper.email) == (cid, "buy@radhaus.example")
    assert len(paper.sha256) == 64
    text = pdf_text(paper.data)
    _both_parties(text)
    lines = lines_of(text)
    assert "INVOICE" in lines and "INV-00001" in lines
    assert "Date: Nov 5, 2026" in lines and "Due date: Nov 19, 2026" in lines
    assert "Order: SO-00001" in lines
    # each line: code, description, qty, unit price, VAT rate, net
    assert "BIKE City bike 2 650.00 19% 1,300.00" in lines
    assert "BOOK Repair manual 3 20.00 5% 60.00" in lines
    # totals per rate (rate, base, VAT), then the totals
    assert "5% 60.00 3.00" in lines and "19% 1,300.00 247.00" in lines
    assert "Net 1,360.00" in lines and "VAT 250.00" in lines and "Total EUR 1,610.00" in lines
    # as it stands when printed: 500.00 paid and 773.50 credited (it asked for the whole
    # 1,610.00 again, and a customer who read it would pay twice)
    said = " ".join(text.split())
    assert (
        "Of 1,610.00 EUR, 1,273.50 is paid or credited: please pay the 336.50 EUR left by "
        "Nov 19, 2026, quoting INV-00001."
    ) in said, said
    with store.write() as uow:
        sales.pay(uow, 1, when="2026-11-20")  # the rest
    with store.read() as uow:
        again = " ".join(pdf_text(papers.render(uow, "invoice", "INV-00001").data).split())
    assert "Settled in full: nothing is left to pay on INV-00001." in again
    assert "Please pay" not in again and "please pay" not in again


def test_a_shop_without_an_iban_prints_its_bank_account(shop) -> None:  # noqa: ANN001
    """A Vietnamese shop has no IBAN (refused as not one): its account number and bank, as
    typed, stand where the IBAN would, so a customer knows where to pay (on a document made
    now: an invoice issued before keeps the bank it was sent with)."""
    store, _cid, so, *_ = shop
    with store.write() as uow:
        with pytest.raises(ValidationError) as exc:
            S.update(uow, replace(SHOP, country="VN", vat_id="", iban="0071001234567"))
        assert "not a valid IBAN" in str(exc.value.fields["iban"])
        S.update(
            uow,
            replace(
                SHOP,
                country="VN",
                vat_id="",
                iban="",
                bic="",
                account="0071001234567 Vietcombank, CN Sài Gòn",
            ),
        )
        assert S.get(uow).account == "0071001234567 Vietcombank, CN Sài Gòn"
    with store.read() as uow:
        lines = lines_of(pdf_text(papers.render(uow, "sales-order", so.label).data))
    assert "Bank account 0071001234567 Vietcombank, CN Sài Gòn" in lines, lines
    assert not any("IBAN" in line for line in lines)


def test_a_reprint_is_the_invoice_as_issued_whatever_the_customer_is_today(shop) -> None:  # noqa: ANN001
    """The customer moved and changed its VAT id after the invoice: a reprint (and the credit
    note's) still bills the customer as it was; the sales order, a document of today, and
    an invoice made before invoices kept their customer (migration 0026) show the contact
    as it is."""
    from sqlalchemy import update

    from bizdesk.models.sales import Invoice

    store, cid, so, *_ = shop
    with store.write() as uow:
        view = contacts.get(uow, cid)
        contacts.update(
            uow,
            cid,
            replace(view.as_input(), street="Neumarkt 1", vat_id="DE811907980"),
            version=view.version,
        )
    with store.read() as uow:
        again = pdf_text(papers.render(uow, "invoice", "INV-00001").data)
        credit = pdf_text(papers.render(uow, "credit-note", "CN-00001").data)
        order = pdf_text(papers.render(uow, "sales-order", so.label).data)
    for text in (again, credit):
        assert "Hauptstraße 5" in text and "DE136695976" in text and "Neumarkt" not in text
    assert "Neumarkt 1" in order and "DE811907980" in order
    with store.write() as uow:  # as an invoice made before 0026 has it
        uow.session.execute(update(Invoice).values(customer_details=""))
    with store.read() as uow:
        old = pdf_text(papers.render(uow, "invoice", "INV-00001").data)
    assert "Neumarkt 1" in old


def test_a_reprint_is_issued_by_the_shop_as_it_was_whatever_it_is_today(shop) -> None:  # noqa: ANN001
    """The shop moved and changed its bank after the invoice: a reprint (and the credit
    note's) still carries the address and the IBAN it was sent with; the sales order, a
    document of today, and an invoice made before invoices kept their issuer (migration
    0027) show the shop as it is."""
    from sqlalchemy import update

    from bizdesk.models.sales import Invoice

    store, _cid, so, *_ = shop
    with store.write() as uow:
        S.set_one(uow, "street", "Bulevardul Unirii 1")
        S.set_one(uow, "iban", "RO49 AAAA 1B31 0075 9384 0000")
    with store.read() as uow:
        again = pdf_text(papers.render(uow, "invoice", "INV-00001").data)
        credit = pdf_text(papers.render(uow, "credit-note", "CN-00001").data)
        order = pdf_text(papers.render(uow, "sales-order", so.label).data)
    for text in (again, credit):
        assert "Strada Ștefan cel Mare 12" in text and "Unirii" not in text
    assert "DE89 3704 0044 0532 0130 00" in again and "RO49" not in again
    assert "Bulevardul Unirii 1" in order and "RO49 AAAA 1B31 0075 9384 0000" in order
    with store.write() as uow:  # as an invoice made before 0027 has it
        uow.session.execute(update(Invoice).values(shop_details=""))
    with store.read() as uow:
        old = pdf_text(papers.render(uow, "invoice", "INV-00001").data)
    assert "Bulevardul Unirii 1" in old


def test_a_credit_note_names_the_invoice_it_credits(shop) -> None:  # noqa: ANN001
    store, *_ = shop
    with store.read() as uow:
        paper = papers.render(uow, "credit-note", "1")
    text = pdf_text(paper.data)
    _both_parties(text)
    lines = lines_of(text)
    assert "CREDIT NOTE" in lines and "CN-00001" in lines and "Credits: INV-00001" in lines
    assert "BIKE City bike 1 650.00 19% 650.00" in lines
    assert "19% 650.00 123.50" in lines and "Total EUR 773.50" in lines
    # why, as typed when the goods came back (a corrective invoice states its reason)
    assert "Reason: too big" in lines


def test_a_sales_order_a_purchase_order_and_a_quote(shop) -> None:  # noqa: ANN001
    store, cid, so, po, deal_id = shop
    with store.read() as uow:
        order_text = pdf_text(papers.render(uow, "sales-order", so.label).data)
        po_paper = papers.render(uow, "purchase-order", "PO-1")
        quote = papers.render(uow, "quote", f"Q-{deal_id:05d}")
    _both_parties(order_text)
    lines = lines_of(order_text)
    assert "ORDER CONFIRMATION" in lines and "SO-00001" in lines
    assert "BIKE City bike 2 650.00 19% 1,300.00" in lines and "Total EUR 1,610.00" in lines

    text = pdf_text(po_paper.data)
    lines = lines_of(text)
    assert po_paper.label == "PO-00001" and "PURCHASE ORDER" in lines and "Supplier" in lines
    assert "Acme Supply GmbH" in lines and "VAT id: RO18547290" in lines
    assert "BIKE City bike 3 400.00 19% 1,200.00" in lines
    assert "BOOK Repair manual 10 5.00 5% 50.00" in lines
    assert "19% 1,200.00 228.00" in lines and "5% 50.00 2.50" in lines
    assert "Total EUR 1,480.50" in lines and IBAN_SHOWN in text

    assert quote.label == f"Q-{deal_id:05d}" and quote.contact_id == cid
    text = pdf_text(quote.data)
    _both_parties(text)
    lines = lines_of(text)
    assert "QUOTE" in lines and "Fleet for the club" in lines
    assert "BIKE City bike 4 650.00 19% 2,600.00" in lines
    assert "Fitting 2 30.00 0% 60.00" in lines  # a line without a product: no VAT rate
    assert "0% 60.00 0.00" in lines and "19% 2,600.00 494.00" in lines
    assert "Total EUR 3,154.00" in lines


def test_a_statement_has_its_opening_and_closing_balance(shop) -> None:  # noqa: ANN001
    store, cid, *_ = shop
    with store.read() as uow:
        whole = papers.render(uow, "statement", f"#{cid}", date_to=date(2026, 11, 30))
        later = papers.render(
            uow, "statement", "Radhaus Köln GmbH", date_from="2026-11-11", date_to="2026-11-30"
        )
    assert whole.label == f"ST-{cid:05d}-20261130" and whole.filename.endswith(".pdf")
    text = pdf_text(whole.data)
    _both_parties(text)
    lines = lines_of(text)
    assert "ACCOUNT STATEMENT" in lines and "Period: Jan 1, 2026 – Nov 30, 2026" in lines
    # the invoice (1,610.00), the payment (500.00), the credit note (773.50)
    assert "Opening balance 0.00" in lines and "Closing balance 336.50" in lines
    assert any("1,610.00 1,610.00" in x for x in lines)
    assert any(x.endswith("500.00 1,110.00") for x in lines)
    assert any(x.endswith("773.50 336.50") for x in lines)
    assert "Balance you owe us on Nov 30, 2026: 336.50 EUR" in lines
    lines = lines_of(pdf_text(later.data))
    assert "Opening balance 1,110.00" in lines and "Closing balance 336.50" in lines
    assert not any("1,610.00" in x for x in lines)


def test_the_statement_report_covers_a_period_as_the_printed_statement(shop) -> None:  # noqa: ANN001
    """`report statement --from --to` starts from the balance brought forward, as the printed
    statement does (one reading of the account serves both): it took only --as-of."""
    from bizdesk.services.overview import reports

    store, cid, *_ = shop
    rep = reports.run(
        store,
        "statement",
        contact=f"#{cid}",
        date_from=date(2026, 11, 11),
        date_to=date(2026, 11, 30),
    )
    first, *rest = rep.rows
    assert (first["date"], first["entry"], str(first["memo"])) == (
        date(2026, 11, 11),
        "",
        "Opening balance",
    )
    assert first["debit"] is None and first["balance"] == Decimal("1110.00")
    assert [r["balance"] for r in rest][-1] == Decimal("336.50")
    assert not any(r["debit"] == Decimal("1610.00") for r in rest)  # before the period
    assert rep.notes == ["Balance: 336.50 (owes us)"]
    assert str(reports.heading(rep)).endswith("2026-11-11 to 2026-11-30")
    doc = reports.as_json(rep)
    assert (doc["from"], doc["to"]) == ("2026-11-11", "2026-11-30")
    assert doc["rows"][0] == {
        "date": "2026-11-11", "entry": "", "memo": "Opening balance", "debit": None,
        "credit": None, "balance": "1110.00",
    }  # fmt: skip
    with store.read() as uow:
        paper = papers.render(
            uow, "statement", f"#{cid}", date_from="2026-11-11", date_to="2026-11-30"
        )
    lines = lines_of(pdf_text(paper.data))
    assert "Opening balance 1,110.00" in lines and "Closing balance 336.50" in lines
    with pytest.raises(ValidationError) as refused:
        reports.run(store, "statement", contact=f"#{cid}", as_of=date(2026, 11, 30))
    assert "it takes --contact, --from, --to, --by" in str(refused.value.fields["report"])


def test_a_customer_in_credit_is_told_what_the_shop_owes_them(shop) -> None:  # noqa: ANN001
    """A customer who paid more than they owed was told "Balance you owe us: -63.50 EUR"."""
    from bizdesk.services.books.ledger import Posting, account_for, post_entry

    store, cid, *_ = shop
    with store.write() as uow:
        post_entry(
            uow,
            date(2026, 11, 20),
            "Paid twice",
            [
                Posting(account_for(uow, "bank").id, debit_minor=40000),
                Posting(account_for(uow, "receivable").id, credit_minor=40000, contact_id=cid),
            ],
        )
        paper = papers.render(uow, "statement", f"#{cid}", date_to=date(2026, 11, 30))
    lines = lines_of(pdf_text(paper.data))
    assert "Balance we owe you on Nov 30, 2026: 63.50 EUR" in lines, lines


def test_a_statements_period_typed_in_a_form_is_read_as_the_person_writes_dates(shop) -> None:  # noqa: ANN001
    """The print and e-mail forms pass the period as typed: a Spanish person's 11/11/2026 is
    11 November (their form, as the form's hint says), not refused as not ISO."""
    from bizdesk import i18n

    store, cid, *_ = shop
    i18n.use("es")
    store.input_locale = "en_US"  # a form: a person typed it
    try:
        with store.read() as uow:
            later = papers.render(
                uow, "statement", f"#{cid}", date_from="11/11/2026", date_to="30/11/2026"
            )
    finally:
        store.input_locale = None
        i18n.use("en")
    lines = lines_of(pdf_text(later.data))
    assert "Opening balance 1,110.00" in lines and "Closing balance 336.50" in lines


def test_bad_numbers_and_kinds_are_refused_saying_what_is_expected(shop) -> None:  # noqa: ANN001
    store, *_ = shop
    with store.read() as uow:
        with pytest.raises(NotFound, match="There is no INV-00009"):
            papers.render(uow, "invoice", "9")
        with pytest.raises(ValidationError, match="expected e.g. INV-00007 or 7"):
            papers.render(uow, "invoice", "SO-1")
        with pytest.raises(ValidationError, match="not a kind of document"):
            papers.render(uow, "receipt", "1")  # payslip is one now
        with pytest.raises(ValidationError, match="starts after it ends"):
            papers.render(uow, "statement", "#1", date_from="2026-12-01", date_to="2026-11-01")
        with pytest.raises(ValidationError, match="no contact named"):
            papers.render(uow, "statement", "Nobody at all")


def test_romanian_and_vietnamese_round_trip(store) -> None:  # noqa: ANN001
    """The words in the customer's language, their text exactly as typed, read back."""
    product(
        store,
        "XE",
        name="Xe đạp thành phố ưu việt",
        sale_price="650",
        vat_rate="10",
        allow_negative="yes",
    )
    with store.write() as uow:
        S.update(uow, SHOP)
        vi = contacts.create(
            uow,
            contacts.ContactInput(
                name="Công ty Cổ phần Thương mại Ánh Dương",
                street="Số 12 phố Huế, phường Ngô Thì Nhậm",
                city="Hà Nội",
                country="VN",
                vat_id="0100233488-001",
                language="vi",
            ),
        ).contact
        ro = contacts.create(
            uow,
            contacts.ContactInput(
                name="Țesătoria Mărășești SRL",
                city="Brașov",
                country="RO",
                vat_id="RO18547290",
                language="ro",
            ),
        ).contact
        assert vi.vat_id == "0100233488001" and ro.vat_id == "RO18547290"
        for c in (vi, ro):
            so = sales.counter_sale(uow, [sales.SOLineInput("XE", "1")], customer=f"#{c.id}")
            assert so.invoices
    with store.read() as uow:
        vi_text = pdf_text(papers.render(uow, "invoice", "1").data)
        ro_text = pdf_text(papers.render(uow, "invoice", "2").data)
    for part in (
        "HÓA ĐƠN",
        "Công ty Cổ phần Thương mại Ánh Dương",
        "Số 12 phố Huế, phường Ngô Thì Nhậm",
        "Hà Nội",
        "Việt Nam",
        "Xe đạp thành phố ưu việt",
        "Thuế GTGT",
        "0100233488001",
        "Bicicleta Ștefănescu și Țuțu SRL",
    ):
        assert part in " ".join(vi_text.split()), part
    for part in ("FACTURĂ", "Țesătoria Mărășești SRL", "Brașov", "România", "TVA", "Scadență"):
        assert part in " ".join(ro_text.split()), part


@pytest.mark.parametrize(
    "vat_id,country,stored",
    [
        ("RO 1854 7290", "RO", "RO18547290"),
        ("18547290", "RO", "18547290"),  # a Romanian CUI without the VAT prefix
        ("de136695976", "DE", "DE136695976"),
        ("EL094259216", "GR", "EL094259216"),
        ("0100233488", "VN", "0100233488"),
        ("12-3456789", "US", "123456789"),  # no rule for the country: letters and digits
        ("GB 980 7806 84", "GB", "GB980780684"),  # the prefix stays as it was typed
        ("980780684", "GB", "980780684"),
        ("", "DE", ""),
        ("GB 980 7806 84", "", "GB980780684"),  # no country: the prefix's rules
        ("RO 1854 7290", "", "RO18547290"),
    ],
)
def test_vat_ids_are_checked_for_the_country_and_kept_compact(
    store, vat_id, country, stored
) -> None:  # noqa: ANN001
    with store.write() as uow:
        c = contacts.create(
            uow, contacts.ContactInput(name="Firm", country=country, vat_id=vat_id)
        ).contact
    assert c.vat_id == stored


@pytest.mark.parametrize(
    "vat_id,country,expected",
    [
        ("RO18547291", "RO", "not a valid EU VAT id: its check digit does not match"),
        ("DE136695976", "RO", "is an EU VAT id of DE, but the country is RO"),
        ("DE12345", "DE", "not a valid EU VAT id: it has the wrong number of characters"),
        ("ESB1234", "ES", "e.g. ESB58378431)"),  # its own country's example, not Romania's
        ("0100233489", "VN", "not a valid Vietnamese tax code (MST): its check digit"),
        ("01002", "VN", "expected 10 digits, or 13 for a branch"),
        ("x", "US", "not a tax id: expected 4 to 20 letters and digits"),
        # no country and no country's prefix: read by no rules, it was stored as HELLO123
        ("hello-123", "", "give the country, or write the id with its country's two letters"),
        ("GB 980 7806 85", "", "not a valid tax id for GB"),
        # stdnum reads GR too, but Greece's EU VAT ids are EL: such an id fails in VIES
        (
            "GR094259216",
            "GR",
            "a Greek VAT id is written with EL, not GR (its EU prefix), e.g. EL094259216",
        ),
        ("GR 094259216", "", "e.g. EL 094259216"),
        ("EL12345", "GR", "e.g. EL094259216)"),  # Greece's own example
    ],
)
def test_invalid_vat_ids_are_refused_saying_what_is_expected(
    store, vat_id, country, expected
) -> None:  # noqa: ANN001
    with store.write() as uow, pytest.raises(ValidationError) as err:
        contacts.create(uow, contacts.ContactInput(name="Firm", country=country, vat_id=vat_id))
    assert set(err.value.fields) == {"vat_id"}
    assert expected in str(err.value.fields["vat_id"])


def test_contacts_csv_carries_the_vat_id_and_refuses_a_bad_one(store) -> None:  # noqa: ANN001
    from bizdesk.services.exchange.crm_exports import export_contacts
    from bizdesk.services.exchange.crm_imports import import_contacts

    good = "name,country,vat_id\nFirm A,RO,RO 1854 7290\nFirm B,VN,0100233488\n"
    bad = "name,country,vat_id\nFirm C,RO,RO18547291\n"
    with pytest.raises(ValidationError, match=r"line 2.*vat_id"):
        import_contacts(store, bad)
    assert import_contacts(store, good).created == 2
    out = io.StringIO()
    with store.read() as uow:
        export_contacts(uow, out, "csv")
    rows = out.getvalue().splitlines()
    assert "vat_id" in rows[0].split(",")
    assert any("RO18547290" in r for r in rows) and any("0100233488" in r for r in rows)
    with store.write() as uow:  # a language set on the page stays through an update by file
        a = contacts.resolve(uow, "Firm A")
        view = contacts.get(uow, a.id)
        contacts.update(uow, a.id, replace(view.as_input(), language="ro"), version=view.version)
    again = f"id,name,country,vat_id\n{a.id},Firm A,RO,18547290\n"
    assert import_contacts(store, again).updated == 1
    with store.read() as uow:
        assert (contacts.get(uow, a.id).vat_id, contacts.get(uow, a.id).language) == (
            "18547290",
            "ro",
        )


def test_the_shop_s_iban_bic_and_vat_id_are_checked(store) -> None:  # noqa: ANN001
    with store.write() as uow:
        saved = S.update(uow, SHOP).details
    assert (saved.vat_id, saved.iban, saved.bic) == ("RO18547290", IBAN_SHOWN.replace(" ", ""),
                                                    "COBADEFFXXX")  # fmt: skip
    for key, value, expected in (
        ("iban", "DE89 3704 0044 0532 0130 01", "check digits do not match"),
        ("iban", "12345", "not a valid IBAN"),
        ("bic", "COBA", "not a valid BIC"),
        ("vat-id", "RO18547291", "not a valid EU VAT id"),
        ("country", "DE", "is an EU VAT id of RO, but the country is DE"),
        ("name", "", "required"),
    ):
        with store.write() as uow, pytest.raises(ValidationError) as err:
            S.set_one(uow, key, value)
        assert expected in str(err.value), (key, value, str(err.value))
    with store.write() as uow, pytest.raises(ValidationError, match="not a shop detail"):
        S.set_one(uow, "colour", "red")
    with store.write() as uow:
        assert S.set_one(uow, "bic", "").details.bic == ""
    with store.read() as uow:
        assert S.get(uow) == replace(saved, bic="")


def test_each_kind_is_refused_to_the_roles_that_may_not_print_it(shop) -> None:  # noqa: ANN001
    store, cid, so, po, deal_id = shop
    with store.write() as uow:
        for role in ("warehouse", "sales", "support", "viewer"):
            users.add(uow, f"a_{role}", role)
    asks = {
        "quote": str(deal_id),
        "sales-order": so.label,
        "invoice": "1",
        "credit-note": "1",
        "purchase-order": po.label,
        "statement": f"#{cid}",
    }
    may = {
        "warehouse": {"purchase-order"},
        "sales": {"quote", "sales-order", "invoice", "credit-note", "statement"},
        "support": set(),
        "viewer": set(asks),
    }
    for role, allowed in may.items():
        person = Store(url=store.url, engine=store.engine, user=f"a_{role}")
        for kind, number in asks.items():
            with person.read() as uow:
                if kind in allowed:
                    assert papers.render(uow, kind, number).data[:4] == b"%PDF"
                else:
                    with pytest.raises(PermissionDenied, match=rf"\({role}\)"):
                        papers.render(uow, kind, number)
        with person.write() as uow, pytest.raises(PermissionDenied):
            S.set_one(uow, "city", "Cluj")


def _bizdesk(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "bizdesk", *args],
        capture_output=True,
        timeout=120,
        cwd=cwd,
    )


def test_print_writes_label_pdf_here_never_over_a_file(tmp_path) -> None:  # noqa: ANN001
    db = str(tmp_path / "shop.db")
    assert _bizdesk("init", "--db", db, "--company", "Test Cycles", cwd=tmp_path).returncode == 0
    r = _bizdesk("shop", "set", "iban", "DE89 3704 0044 0532 0130 00", "--db", db, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    r = _bizdesk("shop", "set", "iban", "DE89 3704 0044 0532 0130 01", "--db", db, cwd=tmp_path)
    assert r.returncode == 1 and b"check digits do not match" in r.stderr
    shown = _bizdesk("shop", "show", "--db", db, cwd=tmp_path).stdout.decode()
    assert re.search(r"iban\s.*DE89370400440532013000", shown), shown
    from bizdesk.db import open_store

    s = open_store(db)
    try:
        sid = supplier(s, "Acme Supply")
        product(s, "BOLT", name="Bolt M8", cost="0.20", vat_rate="20")
        order(s, sid, ("BOLT", "100", "0.20"))
    finally:
        s.dispose()
    r = _bizdesk("print", "purchase-order", "PO-00001", "--db", db, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    written = tmp_path / "PO-00001.pdf"
    assert "PO-00001 written to" in r.stderr.decode()
    # the shop's address was never set: the document carries none, and says so
    assert "PO-00001 carries no address of the shop" in r.stderr.decode()
    text = pdf_text(written.read_bytes())
    assert "Acme Supply" in text and "BOLT Bolt M8 100 0.20 20% 20.00" in lines_of(text)
    before = written.read_bytes()
    again = _bizdesk("print", "purchase-order", "1", "--db", db, cwd=tmp_path)
    assert again.returncode == 1 and b"exists already" in again.stderr
    assert written.read_bytes() == before
    out = _bizdesk("print", "purchase-order", "1", "-o", "-", "--db", db, cwd=tmp_path)
    assert out.returncode == 0 and out.stdout == before  # the same document, the same bytes
    named = _bizdesk("print", "purchase-order", "1", "-o", "po.pdf", "--db", db, cwd=tmp_path)
    assert named.returncode == 0 and (tmp_path / "po.pdf").read_bytes() == before
    bad = _bizdesk("print", "bill", "1", "--db", db, cwd=tmp_path)
    assert bad.returncode == 2 and b"purchase-order" in bad.stderr
    missing = _bizdesk("print", "invoice", "7", "--db", db, cwd=tmp_path)
    assert missing.returncode == 1 and b"There is no INV-00007" in missing.stderr
    # a folder that is not there, said in the reader's language (it was the system's
    # English "No such file or directory" inside a Romanian sentence)
    nowhere = str(tmp_path / "nowhere" / "po.pdf")
    ro = subprocess.run(
        [sys.executable, "-m", "bizdesk", "print", "purchase-order", "1", "-o", nowhere,
         "--db", db],
        capture_output=True, text=True, timeout=120, cwd=tmp_path,
        env={**os.environ, "LANG": "ro_RO.UTF-8", "LANGUAGE": "", "LC_ALL": ""},
    )  # fmt: skip
    assert ro.returncode == 1 and f"nu se poate scrie {nowhere}: dosarul nu există" in ro.stderr
    assert "No such file" not in ro.stderr, ro.stderr


def test_the_font_ships_with_the_package() -> None:
    """A fresh machine may have no DejaVu: the PDF's font and its licence are package data
    (under src/bizdesk, which the wheel takes whole)."""
    from bizdesk.services.papers.layout import FONT_DIR

    for name in ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "LICENSE-DejaVu.txt"):
        assert (FONT_DIR / name).is_file(), name
    assert FONT_DIR.is_relative_to(Path(papers.__file__).parents[2])


def test_a_store_from_before_vat_ids_upgrades_and_keeps_its_search(tmp_path) -> None:  # noqa: ANN001
    """Migration 0016 adds the columns in place: the contact search triggers stay."""
    from alembic import command
    from sqlalchemy import text

    from bizdesk.db import open_store
    from bizdesk.db.migrate import HEAD, alembic_config, current_revision
    from bizdesk.services.admin import setup
    from bizdesk.services.base.paging import PageRequest

    def triggers(s: Store) -> set[str]:
        with s.engine.connect() as c:
            sql = "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'contact'"
            return {r[0] for r in c.execute(text(sql))}

    path = str(tmp_path / "old.db")
    s = open_store(path)
    setup.ensure_initialized(s)
    with s.write() as uow:
        contacts.create(
            uow, contacts.ContactInput(name="Công ty Ánh Dương", vat_id="0100233488", country="VN")
        )
    before = triggers(s)
    assert len(before) == 3
    command.downgrade(alembic_config(s), "0010")
    assert current_revision(s) == "0010" and triggers(s) == before
    s.dispose()
    s = open_store(path)
    try:
        assert current_revision(s) == HEAD and triggers(s) == before
        with s.read() as uow:
            found = contacts.list_page(uow, PageRequest(search="anh duong")).rows
            assert [(c.name, contacts.get(uow, c.id).vat_id) for c in found] == [
                ("Công ty Ánh Dương", "")
            ]
    finally:
        s.dispose()


def _paper(label: str) -> papers.Paper:
    return papers.Paper("reminder", label, f"{label}.pdf", b"%PDF-" + label.encode(), None, "", "")


def test_several_documents_are_placed_before_any_is_written(tmp_path) -> None:  # noqa: ANN001
    """`reminders --print`: the folder and every file name are checked first (refused
    whole); a file that appears afterwards stops only its own document, never replaced."""
    two = [_paper("RM-00001"), _paper("RM-00002")]
    with pytest.raises(ValidationError, match="is not a folder; name one that exists"):
        papers.place(two, tmp_path / "nowhere")
    with pytest.raises(ValidationError, match="is not a folder"):
        papers.place([], tmp_path / "nowhere")  # said even with nothing to write
    (tmp_path / "RM-00002.pdf").write_bytes(b"mine")
    with pytest.raises(ValidationError, match="RM-00002.pdf exists already"):
        papers.place(two, tmp_path)
    assert not (tmp_path / "RM-00001.pdf").exists()
    (tmp_path / "RM-00002.pdf").unlink()
    placed = papers.place(two, tmp_path)
    assert [p for _, p in placed] == [tmp_path / "RM-00001.pdf", tmp_path / "RM-00002.pdf"]
    (tmp_path / "RM-00001.pdf").write_bytes(b"theirs")  # written by someone in between
    done = papers.save_placed(placed)
    assert [(p.label, path) for p, path in done.written] == [
        ("RM-00002", tmp_path / "RM-00002.pdf")
    ]
    assert [(p.label, why) for p, _path, why in done.failed] == [
        ("RM-00001", f"{tmp_path / 'RM-00001.pdf'} exists already; choose another name")
    ]
    assert (tmp_path / "RM-00001.pdf").read_bytes() == b"theirs"
    assert (tmp_path / "RM-00002.pdf").read_bytes() == b"%PDF-RM-00002"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["RM-00001.pdf", "RM-00002.pdf"]


def test_check_warns_when_invoices_charge_vat_without_the_shop_s_vat_id(shop) -> None:  # noqa: ANN001
    """Most countries require the seller's VAT id on an invoice that charges VAT: without it
    in the shop's details every invoice went out without, and nothing said so."""
    from bizdesk.services.admin.checks import run_checks

    store = shop[0]
    assert not [v for v in run_checks(store) if v.check == "shop-vat-id"]
    with store.write() as uow:
        S.set_one(uow, "vat-id", "")
    (found,) = [v for v in run_checks(store) if v.check == "shop-vat-id"]
    assert found.severity == "warning"
    assert found.message.startswith("1 invoice charges VAT but the shop's VAT id is not set")


def test_what_the_font_cannot_draw_is_marked_not_dropped(shop, caplog) -> None:  # noqa: ANN001
    """An emoji typed in a line ("Bell 🔔") was left out of the PDF, and fpdf2 warned on
    stderr under the command's output. It is a visible replacement mark now, no warning."""
    store, cid, *_ = shop
    with store.write() as uow:
        so = sales.create(
            uow,
            sales.SOInput(
                customer=f"#{cid}",
                lines=[sales.SOLineInput(description="Bell 🔔", unit_price="5", vat_rate="0")],
            ),
        )
    with caplog.at_level(logging.WARNING), store.read() as uow:
        text = pdf_text(papers.render(uow, "sales-order", so.label).data)
    assert "Bell \ufffd" in text, text
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []


def test_a_quote_s_line_without_a_product_has_the_rate_its_order_will_have(store) -> None:  # noqa: ANN001
    """A line without a product is quoted at the store's standard rate, as the won deal's
    sales order charges it: the quote said 0 % and 2,620.14, the order 21 % and 2,634.47."""
    from bizdesk.services.crm import contacts
    from bizdesk.services.trade import deals, sales

    with store.write() as uow:
        uow.set_setting("vat_rates", "21,10,4")  # as the Spanish chart records them
        cid = contacts.create(uow, contacts.ContactInput(name="Club Norte")).contact.id
        d = deals.create(uow, deals.DealInput(title="Fitting day", contact=f"#{cid}"))
        d = deals.set_lines(
            uow, d.id, [deals.LineInput("Fitting", "1.5", "45.50", None)], version=d.version
        )
    with store.read() as uow:
        lines = lines_of(pdf_text(papers.render(uow, "quote", f"Q-{d.id:05d}").data))
    assert "Fitting 1.5 45.50 21% 68.25" in lines and "Total EUR 82.58" in lines, lines
    with store.write() as uow:
        deals.win(uow, d.id, "", version=d.version)
        (row,) = sales.list_page(uow, sales.PageRequest()).rows
        assert sales.get(uow, row.id).total == Decimal("82.58")


@pytest.mark.parametrize("locale", ["en_US", "es_ES", "ro_RO", "vi_VN"])
def test_the_bank_heading_and_its_rows_read_differently(locale) -> None:  # noqa: ANN001
    # A Vietnamese invoice printed "Tài khoản ngân hàng" over "Tài khoản ngân hàng 007…":
    # the heading (Bank details) and a row's label (Bank account) were the same words.
    from bizdesk.i18n import written

    heading = written(locale, "Bank details")
    assert heading not in {written(locale, row) for row in ("Bank account", "IBAN", "BIC")}


def test_a_shop_on_the_generic_chart_sets_its_standard_vat_rate(store) -> None:  # noqa: ANN001
    """The generic chart names no VAT rate, and nothing could set one: every new product
    was offered 0 % and a sales order's line without a product charged no VAT. The
    standard rate is a shop detail, typed as the reader writes numbers."""
    from bizdesk.services.inventory import products

    def rates() -> str:
        with store.read() as uow:
            return uow.setting("vat_rates")

    with store.read() as uow:
        assert products.standard_vat_rate(uow) is None and S.get(uow).vat_rate == ""
    with store.write() as uow:
        assert S.set_one(uow, "vat-rate", "20").details.vat_rate == "20"
    with store.read() as uow:
        assert products.new_product_input(uow).vat_rate == "20"
        assert products.line_vat_bp(uow, None) == 2000
    for typed, expected in (("5,5", "is not a number"), ("101", "between 0 and 100")):
        with store.write() as uow, pytest.raises(ValidationError, match=expected):
            S.set_one(uow, "vat-rate", typed)
    assert rates() == "20"
    with store.write() as uow:  # another detail leaves it as it is
        S.set_one(uow, "city", "Valencia")
        uow.set_setting("vat_rates", "21,10,4")  # as the Spanish chart records them
    store.input_locale = "es_ES"  # a form: as the person writes numbers
    try:
        with store.write() as uow:
            S.update(uow, replace(S.get(uow), vat_rate="10,5"))
        with store.read() as uow:
            assert S.get(uow).vat_rate == "10,5"  # typed back as shown
    finally:
        store.input_locale = None
    assert rates() == "10.5,10,4"  # the standard one replaced, the others kept after it
    with store.write() as uow:
        assert S.set_one(uow, "vat-rate", "").details.vat_rate == ""
    assert rates() == ""


def test_the_command_line_sets_and_shows_the_standard_vat_rate(tmp_path) -> None:  # noqa: ANN001
    db = str(tmp_path / "shop.db")
    assert _bizdesk("init", "--db", db, "--company", "Test Cycles", cwd=tmp_path).returncode == 0
    shown = _bizdesk("shop", "show", "--db", db, cwd=tmp_path).stdout.decode()
    assert "Standard VAT % │ none set: a new product's rate is 0" in shown, shown
    r = _bizdesk("shop", "set", "vat-rate", "19", "--db", db, cwd=tmp_path)
    assert (r.returncode, r.stdout.decode()) == (0, "Standard VAT %: 19\n"), r
    assert (
        "Standard VAT % │ 19 " in _bizdesk("shop", "show", "--db", db, cwd=tmp_path).stdout.decode()
    )
    r = _bizdesk("shop", "set", "vat-rate", "19,5", "--db", db, cwd=tmp_path)
    assert r.returncode == 1 and b"is not a number" in r.stderr, r


def test_a_document_without_the_shops_address_says_so(store) -> None:  # noqa: ANN001
    """A document printed while the shop has no address (an order: the shop as it is now)
    carries none and says so; an invoice is not issued so (tests/test_invoice_issuer.py),
    and keeps the address it was issued with when the shop's is cleared later."""
    cid = customer_with_order(store)
    with store.write() as uow:
        so = sales.list_page(uow, PageRequest()).rows[0]
        first = sales.invoice(uow, so.id, when="2026-11-05")
        assert not first.without_shop_address
        for key in ("street", "postcode", "city"):
            S.set_one(uow, key, "")
    with store.write() as uow:
        assert papers.render(uow, "sales-order", so.label).without_shop_address
        assert not papers.render(uow, "invoice", first.label).without_shop_address  # as issued
        S.set_one(uow, "city", "Köln")
        assert not papers.render(uow, "sales-order", so.label).without_shop_address
    said = str(papers.no_shop_address(so.label))
    assert said.startswith("SO-00001 carries no address of the shop") and cid


def customer_with_order(store) -> int:  # noqa: ANN001
    """A customer and a confirmed order of two bikes, one delivered."""
    product(store, "BIKE", name="City bike", cost="400", sale_price="650", vat_rate="19")
    sid = supplier(store, "Acme Supply GmbH")
    po = order(store, sid, ("BIKE", "3", "400"))
    with store.write() as uow:
        purchasing.receive(uow, po.id, {ln.id: str(ln.qty) for ln in po.lines})
        cid = contacts.create(
            uow, contacts.ContactInput(name="Radhaus", is_customer=True)
        ).contact.id
        so = sales.create(
            uow,
            sales.SOInput(
                customer=f"#{cid}", order_date="2026-11-02", lines=[sales.SOLineInput("BIKE", "2")]
            ),
        )
        sales.confirm(uow, so.id)
        bike = sales.get(uow, so.id).lines[0]
        sales.deliver(uow, so.id, {bike.id: "1"}, when="2026-11-04")
    return cid
