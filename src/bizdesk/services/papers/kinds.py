"""What each kind of document says: the store's orders, invoices, deals and postings made
into a ``PaperDoc`` (services/papers/layout.py draws it). Each kind is an entry point with
its own permission; its words are in the party's language (``Contact.language``), else the
shop's (the language of its locale), its amounts and dates as the shop's locale writes them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time
from decimal import Decimal
from types import SimpleNamespace

from babel.dates import format_date, format_skeleton
from sqlalchemy import func, select

from bizdesk.db.session import UnitOfWork
from bizdesk.errors import NotFound, ValidationError
from bizdesk.formatting import money, number
from bizdesk.i18n import N_, Message, language_of, translations
from bizdesk.models.contacts import Contact
from bizdesk.models.deals import Deal, DealLine
from bizdesk.models.ledger import JournalLine
from bizdesk.models.purchasing import PurchaseOrder
from bizdesk.models.sales import Invoice, InvoiceLine, SalesLine, SalesOrder
from bizdesk.models.stock import Product
from bizdesk.money import QTY_SCALE, from_minor, line_amounts, qty_from_scaled
from bizdesk.reading import is_digits, quoted
from bizdesk.services.base import validate as v
from bizdesk.services.base.numbering import (
    CREDIT_NOTE,
    INVOICE,
    PURCHASE_ORDER,
    SALES_ORDER,
    SERIES,
    Series,
    invoice_label,
)
from bizdesk.services.base.permissions import requires
from bizdesk.services.base.shop_details import read_shop
from bizdesk.services.books.ledger import account_for
from bizdesk.services.books.ledger_reports import contact_statement
from bizdesk.services.crm.contacts import resolve as resolve_contact
from bizdesk.services.dunning.reminders import reminder_view
from bizdesk.services.inventory.products import line_vat_bp
from bizdesk.services.papers.layout import Column, PaperDoc, Party, Table
from bizdesk.services.papers.shop import address_lines
from bizdesk.services.people import payroll
from bizdesk.services.trade import purchasing, sales

QUOTE = Series("quote", "Q")  # a quote is its deal, numbered by the deal's id


@dataclass(frozen=True)
class Made:
    """A document made: what to draw, its label, and whom it is for."""

    doc: PaperDoc
    label: str
    contact_id: int | None
    email: str


class Words:
    """The document's words in one language (each text marked with ``N_``)."""

    def __init__(self, language: str) -> None:
        self.language = language
        self._t = translations(language)

    def __call__(self, text: str, /, **params: object) -> str:
        """``text`` marked with ``N_``, or a ``Message.pgettext`` where the word alone is
        ambiguous (the heading "Open" is not the key that opens)."""
        if isinstance(text, Message) and text.context is not None:
            found = self._t.pgettext(text.context, text.msgid)
        else:
            found = self._t.gettext(text)
        return found.format(**params) if params else found


@dataclass(frozen=True)
class _Setting:
    """What every kind needs: the words, the shop's formats, the shop as a party."""

    w: Words
    locale: str
    currency: str
    exp: int
    shop: Party
    iban: str
    bic: str
    account: str  # where the country has no IBAN (papers.shop)

    def day(self, d: date | None) -> str:
        return format_date(d, "medium", locale=self.locale) if d else ""

    def amount(self, value: Decimal) -> str:
        return money(value, self.locale)

    def qty(self, value: Decimal) -> str:
        return number(value.normalize() if value == value.to_integral() else value, self.locale)

    def country(self, code: str) -> str:
        """A country's name in the document's language ("RO" -> "Rumania" in Spanish)."""
        from babel import Locale

        return Locale.parse(self.w.language).territories.get(code, code) if code else ""

    def rate(self, vat_bp: int) -> str:
        return number(Decimal(vat_bp) / 100, self.locale) + "%"


def _setting(uow: UnitOfWork, party: Contact | None, kept_shop: str = "") -> _Setting:
    """The document's language, money and issuer: the shop as it is, or, for an invoice,
    as it was issued (``kept_shop``: ISSUER_DETAILS kept with it since migration 0027)."""
    locale = uow.setting("locale", "en_US")
    lang = (party.language if party is not None else "") or language_of(locale) or "en"
    s = read_shop(uow)
    if kept_shop:
        s = replace(s, **json.loads(kept_shop))
    st = _Setting(
        Words(lang), locale, uow.currency, uow.exponent, Party(""), s.iban, s.bic, s.account
    )
    shop = Party(
        s.name,
        tuple(address_lines(s.street, s.postcode, s.city, st.country(s.country))),
        s.vat_id,
        tuple(x for x in (s.email, s.phone) if x),
    )
    return replace(st, shop=shop)


def _party(st: _Setting, c: Contact, attention: str = "") -> Party:
    lines = address_lines(c.street, c.postcode, c.city, st.country(c.country))
    if attention:
        lines.insert(0, attention)
    return Party(c.name, tuple(lines), c.vat_id, tuple(x for x in (c.email or "",) if x))


def _iban_shown(iban: str) -> str:
    return " ".join(iban[i : i + 4] for i in range(0, len(iban), 4))


def _common(st: _Setting) -> dict:
    w = st.w
    bank: tuple[tuple[str, str], ...] = ()
    if st.iban:
        bank += ((w(N_("IBAN")), _iban_shown(st.iban)),)
    if st.bic:
        bank += ((w(N_("BIC")), st.bic),)
    if st.account:
        bank += ((w(N_("Bank account")), st.account),)
    return {
        "shop": st.shop,
        "vat_label": w(N_("VAT id")),
        "bank_heading": w(N_("Bank details")) if bank else "",
        "bank": bank,
        "page_label": w(N_("Page {page} of {pages}")),
    }


@dataclass(frozen=True)
class _Line:
    code: str
    description: str
    qty_scaled: int
    unit_minor: int
    vat_bp: int
    net_minor: int
    vat_minor: int


def _lines_and_totals(st: _Setting, lines: Iterable[_Line], price_label: str) -> dict:
    """The table of lines, the totals per VAT rate and the totals, from the lines."""
    w, exp = st.w, st.exp
    lines = list(lines)
    rows = tuple(
        (
            ln.code,
            ln.description,
            st.qty(qty_from_scaled(ln.qty_scaled)),
            st.amount(from_minor(ln.unit_minor, exp)),
            st.rate(ln.vat_bp),
            st.amount(from_minor(ln.net_minor, exp)),
        )
        for ln in lines
    )
    table = Table(
        (
            Column(w(N_("Code")), 2.2),  # a code of 14 characters on one line
            Column(w(N_("Description")), 3.8),
            Column(w(N_("Qty")), 1.0, "RIGHT"),
            Column(price_label, 1.6, "RIGHT"),
            Column(w(N_("VAT %")), 1.0, "RIGHT"),
            Column(w(N_("Net")), 1.7, "RIGHT"),
        ),
        rows,
    )
    by_rate: dict[int, list[int]] = {}
    for ln in lines:
        acc = by_rate.setdefault(ln.vat_bp, [0, 0])
        acc[0] += ln.net_minor
        acc[1] += ln.vat_minor
    rates = Table(
        (
            Column(w(N_("VAT rate")), 1),
            Column(w(N_("Taxable base")), 1.3, "RIGHT"),
            Column(w(N_("VAT")), 1.2, "RIGHT"),
        ),
        tuple(
            (
                st.rate(bp),
                st.amount(from_minor(n, exp)),
                st.amount(from_minor(t, exp)),
            )
            for bp, (n, t) in sorted(by_rate.items())
        ),
    )
    net = sum(ln.net_minor for ln in lines)
    vat = sum(ln.vat_minor for ln in lines)
    totals = (
        (w(N_("Net")), st.amount(from_minor(net, exp))),
        (w(N_("VAT")), st.amount(from_minor(vat, exp))),
        (w(N_("Total {currency}"), currency=st.currency), st.amount(from_minor(net + vat, exp))),
    )
    return {"lines": table, "rates": rates, "totals": totals}


def _number(series: Series, text: str, what: str) -> int:
    """The number in "INV-00007", "inv7" or "7"; refuses anything else, saying what is
    expected."""
    n = series.number_in(text) if series in SERIES else None
    if n is None:
        s = text.strip().lstrip("#")
        prefix = series.prefix + "-"
        if s.upper().startswith(prefix):
            s = s[len(prefix) :]
        if is_digits(s):  # not "²", which int() cannot read
            n = int(s)
    if n is None:
        raise ValidationError(
            {
                "number": Message(
                    "{text} is not a number of {what} (expected e.g. {example} or {n})",
                    text=quoted(text, 20),
                    what=Message(what),
                    example=series.label(7),
                    n=7,
                )
            }
        )
    return n


def _contact(uow: UnitOfWork, contact_id: int) -> Contact:
    return uow.session.get(Contact, contact_id)


# --- invoices and credit notes -------------------------------------------------------------


def _to_pay(uow: UnitOfWork, st, inv: Invoice, total: str, label: str) -> str:  # noqa: ANN001
    """What an invoice asks of its customer, as it stands when printed: its total, what is
    left once paid in part or credited, or nothing (a reprint must not ask for it again)."""
    left = sales.left_to_pay(uow, inv.id)
    if left <= 0:
        return st.w(N_("Settled in full: nothing is left to pay on {number}."), number=label)
    figures = {"currency": st.currency, "date": st.day(inv.due_on), "number": label}
    if left == inv.total_minor:
        return st.w(
            N_("Please pay {total} {currency} by {date}, quoting {number}."),
            total=total,
            **figures,
        )
    return st.w(
        N_(
            "Of {total} {currency}, {settled} is paid or credited: please pay the {left} "
            "{currency} left by {date}, quoting {number}."
        ),
        total=total,
        settled=st.amount(from_minor(inv.total_minor - left, st.exp)),
        left=st.amount(from_minor(left, st.exp)),
        **figures,
    )


def _as_issued(customer: Contact, kept: str) -> Contact:
    """The customer as the invoice was issued to them (sales.CUSTOMER_DETAILS, kept with
    it): a reprint is the document that was sent, whatever the contact says today. An
    invoice made before they were kept (migration 0026) shows the contact as it is."""
    if not kept:
        return customer
    return SimpleNamespace(**{k: getattr(customer, k) for k in sales.CUSTOMER_DETAILS}
                           | json.loads(kept))  # fmt: skip


def _invoice(uow: UnitOfWork, kind: str, text: str) -> Made:
    series = INVOICE if kind == "invoice" else CREDIT_NOTE
    what = N_("an invoice") if kind == "invoice" else N_("a credit note")
    n = _number(series, text, what)
    inv = uow.session.scalars(
        select(Invoice)
        .where(Invoice.kind == ("invoice" if kind == "invoice" else "credit"))
        .where(Invoice.number == n)
    ).first()
    if inv is None:
        raise NotFound(Message("There is no {label}.", label=series.label(n)))
    customer = _contact(uow, inv.customer_id)
    st = _setting(uow, customer, inv.shop_details)
    w = st.w
    rows = uow.session.execute(
        select(InvoiceLine, SalesLine, Product.sku)
        .join(SalesLine, SalesLine.id == InvoiceLine.sales_line_id)
        .outerjoin(Product, Product.id == SalesLine.product_id)
        .where(InvoiceLine.invoice_id == inv.id)
        .order_by(InvoiceLine.id)
    ).all()
    lines = [
        _Line(
            sku or "",
            sl.description,
            il.qty_scaled,
            sl.unit_price_minor,
            sl.vat_bp,
            il.net_minor,
            il.vat_minor,
        )
        for il, sl, sku in rows
    ]
    label = invoice_label(inv.kind, inv.number)
    so = uow.session.get(SalesOrder, inv.order_id)
    facts = [(w(N_("Date")), st.day(inv.issued_on))]
    total = st.amount(from_minor(inv.total_minor, st.exp))
    if inv.kind == "invoice":
        title = w(N_("INVOICE"))
        facts.append((w(N_("Due date")), st.day(inv.due_on)))
        terms = [_to_pay(uow, st, inv, total, label)]
    else:
        title = w(N_("CREDIT NOTE"))
        terms = [w(N_("This credit note takes back goods returned."))]
        reason = sales.credit_reason(uow, inv.id)
        if reason:  # as typed, in whatever language it was typed
            terms.append(w(N_("Reason: {reason}"), reason=reason))
        if inv.credits_id:
            credited = uow.session.get(Invoice, inv.credits_id)
            facts.append((w(N_("Credits")), invoice_label(credited.kind, credited.number)))
    facts.append((w(N_("Order")), SALES_ORDER.label(so.number)))
    doc = PaperDoc(
        title=title,
        number=label,
        party=_party(st, _as_issued(customer, inv.customer_details)),
        party_heading=w(N_("Bill to")),
        facts=tuple(facts),
        terms=tuple(terms),
        issued=datetime.combine(inv.issued_on, time(0), UTC),
        **_lines_and_totals(st, lines, w(N_("Unit price"))),
        **_common(st),
    )
    return Made(doc, label, customer.id, customer.email or "")


@requires("print.sales")
def invoice(uow: UnitOfWork, number: str) -> Made:
    """An invoice ("INV-00007" or 7)."""
    return _invoice(uow, "invoice", str(number))


@requires("print.sales")
def credit_note(uow: UnitOfWork, number: str) -> Made:
    """A credit note ("CN-00003" or 3)."""
    return _invoice(uow, "credit-note", str(number))


# --- orders --------------------------------------------------------------------------------


def _order_id(uow: UnitOfWork, model: type, series: Series, text: str, what: str) -> int:
    n = _number(series, str(text), what)
    found = uow.session.scalars(select(model.id).where(model.number == n)).first()
    if found is None:
        raise NotFound(Message("There is no {label}.", label=series.label(n)))
    return found


def _minor(value: Decimal, exp: int) -> int:
    return int((value * 10**exp).to_integral_value())


@requires("print.sales")
def sales_order(uow: UnitOfWork, number: str) -> Made:
    """A sales order ("SO-00042" or 42), as an order confirmation for the customer."""
    so = sales.get(uow, _order_id(uow, SalesOrder, SALES_ORDER, number, N_("a sales order")))
    customer = _contact(uow, so.customer_id)
    st = _setting(uow, customer)
    w, exp = st.w, st.exp
    lines = [
        _Line(
            ln.sku,
            ln.description,
            int(ln.qty * QTY_SCALE),
            _minor(ln.unit_price, exp),
            int(ln.vat_rate * 100),
            _minor(ln.net, exp),
            _minor(ln.vat, exp),
        )
        for ln in so.lines
    ]
    doc = PaperDoc(
        title=w(N_("ORDER CONFIRMATION")),
        number=so.label,
        party=_party(st, customer),
        party_heading=w(N_("Customer")),
        facts=((w(N_("Order date")), st.day(so.order_date)),),
        terms=tuple(x for x in (so.notes,) if x),
        issued=datetime.combine(so.order_date, time(0), UTC),
        **_lines_and_totals(st, lines, w(N_("Unit price"))),
        **_common(st),
    )
    return Made(doc, so.label, customer.id, customer.email or "")


@requires("print.purchases")
def purchase_order(uow: UnitOfWork, number: str) -> Made:
    """A purchase order ("PO-00015" or 15), to send to the supplier."""
    po = purchasing.get(
        uow, _order_id(uow, PurchaseOrder, PURCHASE_ORDER, number, N_("a purchase order"))
    )
    supplier = _contact(uow, po.supplier_id)
    st = _setting(uow, supplier)
    w, exp = st.w, st.exp
    lines = [
        _Line(
            ln.sku,
            ln.description,
            int(ln.qty * QTY_SCALE),
            _minor(ln.unit_cost, exp),
            int(ln.vat_rate * 100),
            _minor(ln.net, exp),
            _minor(ln.vat, exp),
        )
        for ln in po.lines
    ]
    facts = [(w(N_("Order date")), st.day(po.order_date))]
    if po.expected_date:
        facts.append((w(N_("Delivery expected")), st.day(po.expected_date)))
    terms = [w(N_("Please quote {number} on your delivery note and bill."), number=po.label)]
    if po.notes:
        terms.append(po.notes)
    doc = PaperDoc(
        title=w(N_("PURCHASE ORDER")),
        number=po.label,
        party=_party(st, supplier),
        party_heading=w(N_("Supplier")),
        facts=tuple(facts),
        terms=tuple(terms),
        issued=datetime.combine(po.order_date, time(0), UTC),
        **_lines_and_totals(st, lines, w(N_("Unit cost"))),
        **_common(st),
    )
    return Made(doc, po.label, supplier.id, supplier.email or "")


# --- quotes --------------------------------------------------------------------------------


@requires("print.quote")
def quote(uow: UnitOfWork, number: str, *, today: date | None = None) -> Made:
    """A quote from a deal's product lines ("Q-00012", 12 or #12: the deal's number)."""
    n = _number(QUOTE, str(number), N_("a deal"))
    deal = uow.session.get(Deal, n)
    if deal is None or deal.archived:
        raise NotFound(Message("There is no deal #{id}.", id=n))
    rows = uow.session.execute(
        select(DealLine, Product)
        .outerjoin(Product, Product.id == DealLine.product_id)
        .where(DealLine.deal_id == deal.id)
        .order_by(DealLine.id)
    ).all()
    if not rows:
        raise ValidationError(
            {
                "number": Message(
                    "deal #{id} has no product lines to quote: add them on the deal's page first",
                    id=deal.id,
                )
            }
        )
    person = _contact(uow, deal.contact_id)
    org = _contact(uow, deal.organization_id) if deal.organization_id else None
    party = org or person
    st = _setting(uow, party if party.language else person)  # the firm's, else the person's
    w = st.w
    lines = []
    for ln, p in rows:
        vat_bp = line_vat_bp(uow, p)  # as the deal's sales order will have it
        net, vat = line_amounts(ln.qty_scaled, ln.unit_price_minor, vat_bp)
        lines.append(
            _Line(p.sku if p else "", ln.description, ln.qty_scaled, ln.unit_price_minor, vat_bp,
                  net, vat)
        )  # fmt: skip
    today = today or date.today()
    facts = [(w(N_("Date")), st.day(today))]
    if deal.expected_close and deal.expected_close >= today:
        facts.append((w(N_("Valid until")), st.day(deal.expected_close)))
    label = QUOTE.label(deal.id)
    doc = PaperDoc(
        title=w(N_("QUOTE")),
        number=label,
        party=_party(st, party, attention=person.name if org else ""),
        party_heading=w(N_("For")),
        facts=tuple(facts),
        intro=(deal.title,),
        terms=(
            w(N_("Prices are in {currency}. We look forward to your order."), currency=st.currency),
        ),  # fmt: skip
        issued=datetime.combine(today, time(0), UTC),
        **_lines_and_totals(st, lines, w(N_("Unit price"))),
        **_common(st),
    )
    return Made(doc, label, party.id, party.email or person.email or "")


# --- statements ----------------------------------------------------------------------------


def statement_label(contact_id: int, date_to: date) -> str:
    """A statement's label and file name: the contact and the day it ends on."""
    return f"ST-{contact_id:05d}-{date_to:%Y%m%d}"


@requires("print.statement")
def statement(
    uow: UnitOfWork,
    number: str,
    *,
    date_from: date | str | None = None,
    date_to: date | str | None = None,
) -> Made:
    """A contact's account statement ("#12", 12, an e-mail or a name) over a period (by
    default from the first of the year to today): the opening balance, every posting to
    their receivable (a supplier's: payable) account with its document, and the closing
    balance, in the account's natural sign (what they owe us, or we owe them)."""
    text = str(number).strip()
    if is_digits(text):
        text = f"#{text}"
    chk = v.Checker()
    c = chk("number", resolve_contact, uow, text)
    date_from = chk("from", v.iso_date, date_from, local=uow.person_input)
    date_to = chk("to", v.iso_date, date_to, local=uow.person_input)
    chk.done()
    date_to = date_to or date.today()
    date_from = date_from or date(date_to.year, 1, 1)
    if date_from > date_to:
        raise ValidationError({"from": Message("the period starts after it ends")})
    role = "payable" if c.is_supplier and not c.is_customer else "receivable"
    account = contact_statement(uow, c.id, role, date_from, date_to)
    st = _setting(uow, c)
    w = st.w
    rows = [
        (
            st.day(r.date),
            str(r.entry),
            r.memo,
            st.amount(r.debit) if r.debit else "",
            st.amount(r.credit) if r.credit else "",
            st.amount(r.balance),
        )
        for r in account.rows
    ]
    table = Table(
        (
            Column(w(N_("Date")), 1.5),
            Column(w(N_("Entry")), 1.1),
            Column(w(N_("Document")), 4.0),
            Column(w(N_("Debit")), 1.5, "RIGHT"),
            Column(w(N_("Credit")), 1.5, "RIGHT"),
            Column(w(N_("Balance")), 1.6, "RIGHT"),
        ),
        (
            (
                st.day(date_from),
                "",
                w(N_("Opening balance")),
                "",
                "",
                st.amount(account.opening),
            ),
            *rows,
            (
                "",
                "",
                w(N_("Closing balance")),
                st.amount(account.debits),
                st.amount(account.credits),
                st.amount(account.closing),
            ),
        ),  # fmt: skip
        bold_last=True,
    )
    label = statement_label(c.id, date_to)
    # the side the balance is on, never a negative amount owed ("you owe us -0.01")
    they_owe = (account.closing >= 0) == (role == "receivable")
    if they_owe:
        said = w(N_("Balance you owe us on {date}: {amount} {currency}"),
                 date=st.day(date_to), amount=st.amount(abs(account.closing)),
                 currency=st.currency)  # fmt: skip
    else:
        said = w(N_("Balance we owe you on {date}: {amount} {currency}"),
                 date=st.day(date_to), amount=st.amount(abs(account.closing)),
                 currency=st.currency)  # fmt: skip
    doc = PaperDoc(
        title=w(N_("ACCOUNT STATEMENT")),
        number=label,
        party=_party(st, c),
        party_heading=w(N_("Customer")) if role == "receivable" else w(N_("Supplier")),
        facts=(
            (w(N_("Period")), f"{st.day(date_from)} – {st.day(date_to)}"),
            (w(N_("Date")), st.day(date_to)),
        ),
        lines=table,
        totals=(
            (w(N_("Opening balance")), st.amount(account.opening)),
            (w(N_("Closing balance")), st.amount(account.closing)),
        ),
        terms=(said,),
        issued=datetime.combine(date_to, time(0), UTC),
        **_common(st),
    )
    return Made(doc, label, c.id, c.email or "")


# --- reminders -----------------------------------------------------------------------------


@requires("reminders.view")
def reminder(uow: UnitOfWork, number: str) -> Made:
    """A payment reminder ("RM-00003" or 3), as it was made (services/dunning): its level's
    wording, the overdue invoices with what is open on each, the fee and what is due now."""

    r = reminder_view(uow, str(number))
    customer = _contact(uow, r.customer_id)
    st = _setting(uow, customer)
    w = st.w
    table = Table(
        (
            Column(w(Message.pgettext("document", "Invoice")), 1.6),
            Column(w(N_("Date")), 1.6),
            Column(w(N_("Due date")), 1.6),
            Column(w(N_("Days overdue")), 1.2, "RIGHT"),
            Column(w(Message.pgettext("amount still owed", "Open")), 1.6, "RIGHT"),
        ),
        tuple(
            (
                c.label,
                st.day(c.issued_on),
                st.day(c.due_on),
                str(c.days_overdue),
                st.amount(c.open),
            )
            for c in r.invoices
        ),
    )
    totals = [(w(N_("Overdue")), st.amount(r.overdue))]
    if r.fee:
        totals.append((w(N_("Reminder fee")), st.amount(r.fee)))
    totals.append((w(N_("Total {currency}"), currency=st.currency), st.amount(r.total)))
    doc = PaperDoc(
        title=w(N_("PAYMENT REMINDER")),
        number=r.label,
        party=_party(st, customer),
        party_heading=w(Message.pgettext("addressee", "To")),
        facts=((w(N_("Date")), st.day(r.issued_on)), (w(N_("Reminder")), r.level_name)),
        intro=(r.wording,),
        lines=table,
        totals=tuple(totals),
        terms=(_reminder_to_pay(uow, st, r),),
        issued=datetime.combine(r.issued_on, time(0), UTC),
        **_common(st),
    )
    return Made(doc, r.label, customer.id, customer.email or "")


def _reminder_to_pay(uow: UnitOfWork, st, r) -> str:  # noqa: ANN001
    """What a reminder asks for as it stands when printed (a reprint, or a reminder sent
    again, must not ask again for what was paid since; as an invoice's reprint): what is
    open today of its invoices and its fee, never more than the customer owes today (a
    fee is paid by a journal entry naming no reminder)."""
    exp = uow.exponent
    fee = int(r.fee.scaleb(exp))
    open_now = sum(max(sales.left_to_pay(uow, c.invoice_id), 0) for c in r.invoices)
    acct = account_for(uow, "receivable")
    owed = uow.session.scalar(
        select(
            func.coalesce(func.sum(JournalLine.debit_minor - JournalLine.credit_minor), 0)
        ).where(
            JournalLine.account_id == acct.id,
            JournalLine.contact_id == r.customer_id,
            JournalLine.posted.is_(True),
        )
    )
    left = max(min(open_now + fee, int(owed), int(r.total.scaleb(exp))), 0)
    total = int(r.total.scaleb(exp))
    if left <= 0:
        return st.w(N_("Settled in full: nothing is left to pay on {number}."), number=r.label)
    if left == total:
        return st.w(
            N_("Please pay {total} {currency} now, quoting {number}."),
            total=st.amount(r.total),
            currency=st.currency,
            number=r.label,
        )
    return st.w(
        N_(
            "Of {total} {currency}, {paid} has been paid since: please pay the {left} left "
            "now, quoting {number}."
        ),
        total=st.amount(r.total),
        paid=st.amount(from_minor(total - left, exp)),
        left=st.amount(from_minor(left, exp)),
        currency=st.currency,
        number=r.label,
    )


# --- payslips ------------------------------------------------------------------------------


@requires("print.payslip")
def payslip(uow: UnitOfWork, number: str) -> Made:
    """An employee's payslip ("PR-00003/2": the run and the employee's number): gross pay
    and how it was reached, each deduction, net pay, what the employer paid on top, and the
    bank account it is paid to; in the employee's language."""
    run_id, slip_id = payroll.find_slip(uow, number)
    run = payroll.get(uow, run_id)
    s = payroll.get_slip(uow, slip_id)
    person = _contact(uow, s.contact_id)
    st = _setting(uow, person)
    w = st.w
    if s.pay_basis == "hourly" and s.hours is None:  # a draft's, before they are entered
        basis = w(N_("hours not entered, at {rate}"), rate=st.amount(s.pay))
    elif s.pay_basis == "hourly":
        basis = w(N_("{hours} hours at {rate}"), hours=st.qty(s.hours), rate=st.amount(s.pay))
    else:
        basis = w(
            N_("{days} of {month_days} working days of {salary} a month"),
            days=s.days_paid,
            month_days=s.days_month,
            salary=st.amount(s.pay),
        )
    rows = [(w(N_("Gross pay")), basis, "", st.amount(s.gross))]
    for it in s.items:
        if it.kind == "deduction":
            rows.append((it.name, w(N_("withheld")), _share(st, it), st.amount(-it.amount)))
    employer = [
        (it.name, w(N_("paid by the employer")), _share(st, it), st.amount(it.amount))
        for it in s.items
        if it.kind == "contribution"
    ]
    table = Table(
        (
            Column(w(N_("Item")), 3.2),
            Column(w(N_("Basis")), 3.6),
            Column(w(N_("Rate")), 1.0, "RIGHT"),
            Column(w(N_("Amount")), 1.8, "RIGHT"),
        ),
        tuple(rows + employer),
    )
    # "tháng 9 năm 2026", "septiembre de 2026": the month as the shop's language writes it
    # in a sentence, under a heading that is not "Month" too ("Tháng: Tháng 9 2026")
    month = format_skeleton("yMMMM", run.month, locale=st.locale)
    facts = [(w(N_("Pay period")), month), (w(N_("Employee")), f"#{s.employee_id}")]
    if s.job_title:
        facts.append((w(N_("Job")), s.job_title))
    if s.paid_on is not None:
        facts.append((w(N_("Paid on")), st.day(s.paid_on)))
    bank: tuple[tuple[str, str], ...] = ()
    if s.paid_in_cash:  # not to the account below: it said the cash went to the IBAN
        facts.append((w(N_("Paid")), w(N_("in cash"))))
    elif s.iban:
        bank = ((w(N_("IBAN")), _iban_shown(s.iban)),)
    common = _common(st)
    # not paid yet, it is where the pay will go ("Paid to" told money sent that was not)
    heading = N_("Paid to") if s.paid_on is not None else N_("To be paid to")
    common.update(bank_heading=w(heading) if bank else "", bank=bank)
    doc = PaperDoc(
        title=w(N_("PAYSLIP")),
        number=s.number,
        party=_party(st, person),
        party_heading=w(N_("Employee")),
        facts=tuple(facts),
        lines=table,
        totals=(
            (w(N_("Gross pay")), st.amount(s.gross)),
            (w(N_("Deductions")), st.amount(-s.deductions)),
            (w(N_("Employer contributions")), st.amount(s.contributions)),
            (w(N_("Net pay {currency}"), currency=st.currency), st.amount(s.net)),
        ),
        issued=datetime.combine(run.month, time(0), UTC),
        **common,
    )
    return Made(doc, s.number, person.id, person.email or "")


def _share(st: _Setting, item) -> str:  # noqa: ANN001
    """A payroll line's percentage of gross ("6.35%"), or nothing for a fixed amount."""
    return "" if item.percent is None else st.qty(item.percent) + "%"
