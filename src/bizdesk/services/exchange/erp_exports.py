"""Exports of the ERP side: products, stock, purchase orders and the journal (CSV, JSON,
and the hledger/ledger journal format an accountant can check with those tools)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import ROUND_HALF_EVEN, Decimal
from itertools import groupby
from typing import TextIO

from sqlalchemy import func, select

from bizdesk.db.session import UnitOfWork
from bizdesk.models.contacts import Contact
from bizdesk.models.ledger import Account, JournalEntry, JournalLine
from bizdesk.models.purchasing import PurchaseOrder
from bizdesk.models.stock import Location, Product, StockMove
from bizdesk.money import from_minor, money_str, percent_from_bp, qty_from_scaled
from bizdesk.services.base.numbering import JOURNAL, po_label
from bizdesk.services.base.permissions import requires
from bizdesk.services.books.ledger import pay_summed
from bizdesk.services.exchange.crm_exports import CHUNK, write_dicts
from bizdesk.services.exchange.erp_imports import PRODUCT_COLUMNS
from bizdesk.services.exchange.journal_import import JOURNAL_COLUMNS

STOCK_COLUMNS = ("sku", "name", "location", "on_hand", "value")
PO_COLUMNS = ("number", "supplier", "state", "order_date", "expected_date", "net", "vat", "total")


def _qty(scaled: int) -> str:
    return format(qty_from_scaled(scaled), "f")


def _chunks(uow: UnitOfWork, stmt, id_col) -> Iterator:  # noqa: ANN001
    """Run ``stmt`` a keyset chunk at a time by ``id_col`` (its last column)."""
    last = 0
    while True:
        rows = uow.session.execute(stmt.where(id_col > last).order_by(id_col).limit(CHUNK)).all()
        if not rows:
            return
        yield from rows
        last = rows[-1][-1]


@requires("export.data")
def product_rows(uow: UnitOfWork) -> Iterator[dict]:
    exp = uow.exponent
    stmt = (
        select(Product, Contact.name, Product.id)
        .outerjoin(Contact, Contact.id == Product.supplier_id)
        .where(Product.active.is_(True))
    )
    for p, supplier, _ in _chunks(uow, stmt, Product.id):
        yield {
            "sku": p.sku,
            "name": p.name,
            "unit": p.unit,
            "sale_price": money_str(p.sale_price_minor, exp),
            "cost": money_str(p.cost_minor, exp),
            "vat_rate": str(percent_from_bp(p.vat_bp)),
            "supplier": supplier or "",
            "reorder_point": _qty(p.reorder_point_scaled),
            "reorder_qty": _qty(p.reorder_qty_scaled),
            "allow_negative": "yes" if p.allow_negative else "no",
            "stocked": "yes" if p.stocked else "no",
        }


@requires("export.data")
def stock_rows(uow: UnitOfWork) -> Iterator[dict]:
    """On hand per product and location, each with its share of the product's value (its
    cost is one moving average over every location): by quantity, rounded half-even, the
    last location taking what rounding leaves, so a product's rows add up to its value in
    the stock valuation. Summed per location, the moves' values drifted with transfers: a
    location with nothing on hand was worth 1.09, another -1.09."""
    exp = uow.exponent
    rows = uow.session.execute(
        select(
            Product.id,
            Product.sku,
            Product.name,
            Location.name,
            func.sum(StockMove.qty_scaled),
            func.sum(StockMove.value_minor),
        )
        .join(StockMove, StockMove.product_id == Product.id)
        .join(Location, Location.id == StockMove.location_id)
        .group_by(Product.id, Product.sku, Product.name, Location.id, Location.name)
        .order_by(Product.sku, Product.id, Location.name)
    )
    for _pid, group in groupby(rows, key=lambda r: r[0]):
        places = [r for r in group if r[4] or r[5]]
        values = _shares(sum(r[5] for r in places), [r[4] for r in places])
        for (_id, sku, name, loc, q, _v), value in zip(places, values, strict=True):
            if not (q or value):  # emptied: its moves summed to nothing, or only rounding
                continue
            yield {
                "sku": sku,
                "name": name,
                "location": loc,
                "on_hand": _qty(q),
                "value": money_str(value, exp),
            }


def _shares(total: int, qtys: list[int]) -> list[int]:
    """``total`` shared by the locations holding stock (``qtys`` above zero) in proportion,
    rounded half-even, the last taking what rounding leaves; none to a location with none
    (or short, allowed below zero). With stock nowhere, all on the first (check names it)."""
    out = [0] * len(qtys)
    held = [i for i, q in enumerate(qtys) if q > 0] or list(range(len(qtys)))[:1]
    left, qty_left = total, sum(qtys[i] for i in held)
    for n, i in enumerate(held):
        if n == len(held) - 1:
            out[i] = left
        else:
            out[i] = int((Decimal(left) * qtys[i] / qty_left).quantize(0, ROUND_HALF_EVEN))
            left, qty_left = left - out[i], qty_left - qtys[i]
    return out


@requires("export.data")
def purchase_order_rows(uow: UnitOfWork) -> Iterator[dict]:
    exp = uow.exponent
    stmt = select(PurchaseOrder, Contact.name, PurchaseOrder.id).join(
        Contact, Contact.id == PurchaseOrder.supplier_id
    )
    for po, supplier, _ in _chunks(uow, stmt, PurchaseOrder.id):
        yield {
            "number": po_label(po.number),
            "supplier": supplier,
            "state": po.state,
            "order_date": po.order_date.isoformat(),
            "expected_date": po.expected_date.isoformat() if po.expected_date else "",
            "net": money_str(po.net_minor, exp),
            "vat": money_str(po.vat_minor, exp),
            "total": money_str(po.net_minor + po.vat_minor, exp),
        }


def _posted_lines(uow: UnitOfWork) -> Iterator:
    """Posted lines in entry-number order: (number, date, entry memo, code, name, type,
    debit, credit, line memo, contact email or name, line id). Read a block of entry
    numbers at a time (numbers have no gaps), each block through the entry-number index."""
    top = uow.session.scalar(select(func.max(JournalEntry.number))) or 0
    stmt = (
        select(
            JournalEntry.number,
            JournalEntry.date,
            JournalEntry.memo,
            Account.code,
            Account.name,
            Account.type,
            JournalLine.debit_minor,
            JournalLine.credit_minor,
            JournalLine.memo,
            func.coalesce(Contact.email, Contact.name),
            JournalLine.id,
        )
        .join(JournalLine, JournalLine.entry_id == JournalEntry.id)
        .join(Account, Account.id == JournalLine.account_id)
        .outerjoin(Contact, Contact.id == JournalLine.contact_id)
        .order_by(JournalEntry.number, JournalLine.id)
    )
    summed = pay_summed(uow)  # a role that may not see pay: the payroll's lines summed
    if summed is not None:
        stmt = stmt.where(summed.condition())
    for start in range(1, top + 1, CHUNK):
        rows = uow.session.execute(
            stmt.where(JournalEntry.number.between(start, start + CHUNK - 1))
        )
        if summed is None:
            yield from rows
            continue
        for r in rows:
            if r[-1] in summed.shown:
                d, c, _memo = summed.shown[r[-1]]
                r = (*r[:6], d, c, "", None, r[-1])  # noqa: PLW2901
            yield r


@requires("export.data")
def journal_rows(uow: UnitOfWork) -> Iterator[dict]:
    """Posted lines in the columns `import journal` takes (entry = the entry's number)."""
    exp = uow.exponent
    for num, day, memo, code, _n, _t, d, c, lmemo, contact, _ in _posted_lines(uow):
        yield {
            "entry": JOURNAL.label(num),
            "date": day.isoformat(),
            "account": code,
            "debit": money_str(d, exp) if d else "",
            "credit": money_str(c, exp) if c else "",
            "memo": lmemo or memo,
            "contact": contact or "",
        }


_UNSAFE = re.compile(r"[;\t\r\n]|  +")


def _clean(text: str) -> str:
    """Text safe inside a ledger-format line: no comment marks, tabs or double spaces."""
    return _UNSAFE.sub(" ", text).strip()


def ledger_account(code: str, type_: str) -> str:
    """The name an account has in the ledger export: its type and code, e.g. asset:1010."""
    return f"{type_}:{code}"


@requires("export.data")
def write_ledger(uow: UnitOfWork, stream: TextIO) -> int:
    """The posted journal in hledger/ledger format; returns the number of transactions."""
    exp = uow.exponent
    cur = uow.currency
    # a currency without decimals (VND) still writes its decimal mark: hledger refuses a
    # commodity directive without one ("Please include a decimal point...")
    sample = (
        format(Decimal(1000).scaleb(0).quantize(Decimal(1).scaleb(-exp)), ",f") if exp else "1,000."
    )
    stream.write(f"; bizdesk journal export, amounts in {cur}\n")
    stream.write(f"decimal-mark .\ncommodity {sample} {cur}\n\n")
    for a in uow.session.scalars(select(Account).order_by(Account.code)):
        stream.write(f"account {ledger_account(a.code, a.type)}  ; {_clean(a.name)}\n")
    n = 0
    current = None
    for num, day, memo, code, _name, type_, d, c, lmemo, contact, _ in _posted_lines(uow):
        if num != current:
            current = num
            n += 1
            label = JOURNAL.label(num)
            stream.write(f"\n{day.isoformat()} * ({label}) {_clean(memo) or 'entry'}\n")
        amount = from_minor(d - c, exp)
        note = (
            "  ; " + _clean(" ".join(x for x in (lmemo, contact or "") if x))
            if (lmemo or contact)
            else ""
        )
        stream.write(f"    {ledger_account(code, type_)}  {amount} {cur}{note}\n")
    return n


@requires("export.data")
def export(uow: UnitOfWork, kind: str, stream: TextIO, fmt: str = "csv") -> int:
    """Write one kind of data; returns how many rows (or transactions) were written."""
    if kind == "journal" and fmt == "ledger":
        return write_ledger(uow, stream)
    kinds = {
        "products": (PRODUCT_COLUMNS, product_rows),
        "stock": (STOCK_COLUMNS, stock_rows),
        "purchase-orders": (PO_COLUMNS, purchase_order_rows),
        "journal": (JOURNAL_COLUMNS, journal_rows),
    }
    columns, rows = kinds[kind]
    return write_dicts(stream, columns, rows(uow), fmt)
