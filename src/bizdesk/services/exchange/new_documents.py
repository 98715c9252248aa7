"""Documents made from JSON (`bizdesk new KIND`): sales orders, counter sales, invoices for
delivered orders, payments of invoices and supplier bills, tickets and their replies and
notes, interactions logged with a contact, goods delivered and goods received on a purchase
order, so that a web shop, a phone system or a mailbox's script can feed the store.

The JSON is read exactly (a number such as 12.5 becomes the Decimal 12.5, never a float; a
string goes to the same machine-form reader as the command line and CSV files, so "1,000" is
refused, never guessed) and each kind takes a fixed set of keys (README, "Documents from
JSON"). Every document goes through the very services the terminal interface calls, under
the same permission (each maker here carries the action of the service it calls, so the
services inside it are covered by that same check); a problem is named by its place in the
JSON (``lines[1].quantity: …``, the first line is ``lines[0]``) and nothing is created.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from bizdesk.db.session import UnitOfWork
from bizdesk.errors import ValidationError
from bizdesk.i18n import N_, Lines, Message
from bizdesk.models.ledger import Account, JournalEntry
from bizdesk.models.purchasing import PurchaseOrder, SupplierBill, SupplierPayment
from bizdesk.models.sales import CustomerPayment, Invoice, SalesOrder
from bizdesk.models.tickets import Ticket
from bizdesk.money import from_minor
from bizdesk.reading import is_digits, json_problem, quoted
from bizdesk.services.base import validate as v
from bizdesk.services.base.numbering import INVOICE, JOURNAL, PURCHASE_ORDER, SALES_ORDER
from bizdesk.services.base.paging import same_name
from bizdesk.services.base.permissions import requires
from bizdesk.services.crm import contacts, tickets
from bizdesk.services.inventory.products import resolve_product
from bizdesk.services.trade import purchasing, sales

MAX_BYTES = 10 * 1024 * 1024  # far above any order a script sends

# the keys each kind takes (lines: the keys of one line); the README documents them
SALES_LINE_KEYS = ("product", "quantity", "unit_price", "vat_rate", "description")
KEYS: dict[str, tuple[str, ...]] = {
    "sales-order": ("customer", "date", "notes", "confirm", "lines"),
    "counter-sale": ("customer", "account", "date", "lines"),
    "invoice": ("order", "date", "due"),
    "payment": ("invoice", "invoices", "bill", "bills", "order", "amount", "account", "date"),
    "ticket": ("subject", "contact", "priority", "body", "assignee"),
    "ticket-comment": ("ticket", "body", "internal"),
    "interaction": ("contact", "kind", "summary", "at"),
    "receipt": ("order", "location", "date", "lines"),
    "delivery": ("order", "location", "date", "lines"),
}
LINE_KEYS = {
    "sales-order": SALES_LINE_KEYS,
    "counter-sale": SALES_LINE_KEYS,
    "receipt": ("product", "line", "quantity"),
    "delivery": ("product", "line", "quantity"),
}
# the lists a kind takes besides its lines (one payment of several documents), and the keys
# of one of their items
LIST_KEYS = {
    "invoices": ("invoice", "amount"),
    "bills": ("bill", "order", "amount"),
}
LISTS = {"lines", *LIST_KEYS}
REQUIRED = {
    "sales-order": ("customer", "lines"),
    "counter-sale": ("lines",),
    "invoice": ("order",),
    "payment": (),  # an invoice or a bill: checked on its own
    "ticket": ("subject",),
    "ticket-comment": ("ticket", "body"),
    "interaction": ("contact", "kind", "summary"),
    "receipt": ("order", "lines"),
    "delivery": ("order",),  # no lines: all that is left to deliver
}
NUMBERS = {"quantity", "unit_price", "vat_rate", "amount", "line", "ticket"}  # or a JSON number
FLAGS = {"confirm", "internal"}  # true or false
KINDS = tuple(KEYS)

_NOT_A_NUMBER = {  # an "order" that names no order of its kind
    SALES_ORDER.name: N_("not a sales order number (e.g. {example})"),
    PURCHASE_ORDER.name: N_("not a purchase order number (e.g. {example})"),
}
# what the services call a line's fields, and the JSON's names for them
_LINE_FIELD = re.compile(r"^line (\d+) (.+)$")
_SALES_LINE_NAMES = {
    "product": "product",
    "qty": "quantity",
    "unit price": "unit_price",
    "VAT %": "vat_rate",
    "description": "description",
}


@dataclass(frozen=True)
class Created:
    """What was made: its label (printed) and its figures (``--format json``; amounts and
    quantities as decimal strings), and what the person is told besides (``notes``)."""

    kind: str
    label: str
    figures: dict[str, Any] = field(default_factory=dict)
    notes: tuple[Message, ...] = ()  # for the person, besides the label (standard error)

    def as_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "label": self.label, **self.figures}


# --- reading the JSON -------------------------------------------------------------------------


def _refuse_constant(name: str) -> Decimal:
    raise ValueError(name)


class _Twice(dict):
    """An object that gives ``key`` twice: found, with its place, once the whole document is
    read (the parser tells an object's keys without saying where the object is)."""

    def __init__(self, key: str) -> None:
        super().__init__()
        self.key = key


def _no_twice(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            return _Twice(key)
        out[key] = value
    return out


def _twice_at(value: object, path: str = "") -> str | None:
    """The place of the first key given twice in ``value`` ("lines[0].quantity"), if any."""
    if isinstance(value, _Twice):
        return f"{path}.{value.key}" if path else value.key
    items = (
        value.items()
        if isinstance(value, dict)
        else enumerate(value)
        if isinstance(value, list)
        else ()
    )
    for k, item in items:
        inner = f"{path}[{k}]" if isinstance(k, int) else f"{path}.{k}" if path else k
        found = _twice_at(item, inner)
        if found is not None:
            return found
    return None


def _problems(items: list[tuple[str, str]]) -> ValidationError:
    """Every problem on a line of its own: "lines[0].quantity: must be more than zero"."""
    fields: dict[str, str] = {}
    for key, problem in items:
        fields.setdefault(key, problem)
    shown = [
        Message("{field}: {problem}", field=k, problem=p) if k else p for k, p in fields.items()
    ]
    return ValidationError(fields, message=Lines(shown))


def read_json(data: bytes) -> object:
    """The document as JSON values, numbers as Decimal; ValidationError when it is not JSON
    (naming the line and column), when a key is given twice, or for NaN and Infinity."""
    if len(data) > MAX_BYTES:
        raise _problems([("", Message("too large for a document (at most 10 MB)"))])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _problems(
            [("", Message("not UTF-8 text (byte {offset} cannot be read)", offset=exc.start))]
        ) from None
    try:
        doc = json.loads(
            text,
            parse_float=Decimal,
            parse_constant=_refuse_constant,
            object_pairs_hook=_no_twice,
        )
        twice = _twice_at(doc)
    except json.JSONDecodeError as exc:
        raise _problems([("", json_problem(exc))]) from None
    except ValueError as exc:  # NaN, Infinity
        raise _problems(
            [("", Message("not JSON: {value} is not a number bizdesk reads", value=str(exc)))]
        ) from None
    except RecursionError:
        raise _problems([("", Message("nested too deeply"))]) from None
    if twice is not None:
        raise _problems([(twice, Message("given twice"))])
    return doc


def _value(problems: list, path: str, key: str, value: object) -> object:
    """A value as the services take it: text, a number as machine-form text (exactly), a
    flag; None when it is null (not given)."""
    if value is None:
        return None
    if key in FLAGS:
        if isinstance(value, bool):
            return value
        problems.append((path, Message("true or false")))
        return None
    if key in NUMBERS:
        if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
            problems.append((path, Message("a number, or a string holding one")))
            return None
        if isinstance(value, Decimal):
            return format(value, "f")  # 1E+2 -> "100": exactly the number written
        return value if isinstance(value, str) else str(value)  # (a person's: reading.Typed)
    if not isinstance(value, str):
        problems.append((path, Message("a string")))
        return None
    return value


def _object(problems: list, path: str, raw: object, keys: tuple[str, ...]) -> dict[str, Any]:
    if not isinstance(raw, dict):
        problems.append((path, Message("an object")))
        return {}
    unknown = [k for k in raw if k not in keys]
    if unknown:
        problems.append(
            (
                path,
                Message(
                    "unknown keys {unknown} (the keys are: {keys})",
                    unknown=", ".join(unknown),
                    keys=", ".join(keys),
                ),
            )
        )
    out = {}
    for key in keys:
        if key not in raw or key in LISTS:
            continue
        value = _value(problems, f"{path}.{key}" if path else key, key, raw[key])
        if value is not None:
            out[key] = value
    return out


def checked(kind: str, raw: object) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """The document of ``kind`` with its keys and the types of its values checked, and the
    problems found (a line that is not an object stays in its place, empty, so the lines
    after it keep their numbers); the services then check what the values mean, so that
    every problem is named at once."""
    if kind not in KEYS:
        raise _problems([("", v.must_be_one_of(KINDS))])
    if not isinstance(raw, dict):
        raise _problems([("", Message("the document must be a JSON object"))])
    problems: list[tuple[str, str]] = []
    doc = _object(problems, "", raw, KEYS[kind])
    doc["lines"] = []
    if "lines" in KEYS[kind] and raw.get("lines") is not None:
        lines = raw["lines"]
        if not isinstance(lines, list):
            problems.append(("lines", Message("a list of lines")))
        else:
            doc["lines"] = [
                _object(problems, f"lines[{i}]", ln, LINE_KEYS[kind]) for i, ln in enumerate(lines)
            ]
    for key, item_keys in LIST_KEYS.items():
        if key in KEYS[kind] and raw.get(key) is not None:
            items = raw[key]
            if not isinstance(items, list):
                problems.append((key, Message("a list of objects")))
            else:
                doc[key] = [
                    _object(problems, f"{key}[{i}]", it, item_keys) for i, it in enumerate(items)
                ]
    for key in REQUIRED[kind]:
        if not doc.get(key) and not any(p == key for p, _m in problems):
            problems.append((key, Message("required")))
    if kind == "payment":
        _payment_keys(problems, doc, raw)
    return doc, problems


def _payment_keys(problems: list, doc: dict[str, Any], raw: dict[str, Any]) -> None:
    """A payment names one invoice, several (invoices), one supplier bill or several
    (bills): only one of these, each amount on its document when there is a list."""
    given = [k for k in ("invoice", "invoices", "bill", "bills") if raw.get(k) is not None]
    if not given:
        problems.append(("", Message("name either an invoice or a supplier bill")))
        return
    if len(given) > 1:
        if {"invoice", "invoices"} & set(given) and {"bill", "bills"} & set(given):
            problems.append(
                (
                    "",
                    Message(
                        "a payment settles invoices (money in) or supplier bills (money "
                        "out), not both"
                    ),
                )
            )
        else:
            problems.append(
                ("", Message("give {one} or {many}, not both", one=given[0], many=given[1]))
            )
        return
    many = given[0]
    if many not in LIST_KEYS or many not in doc:
        return
    if not doc[many]:
        problems.append((many, Message("name at least one document to pay")))
    if "amount" in doc:
        problems.append(
            (
                "amount",
                Message(
                    "with several documents, give each its own amount ({key}[0].amount)",
                    key=many,
                ),
            )
        )
    if many == "bills" and "order" in doc:
        problems.append(
            ("order", Message("with several bills, give each its own order (bills[0].order)"))
        )


# --- the services' problems, named as the JSON names them ----------------------------------


def _attempt(
    problems: list,
    names: dict[str, str],
    fn: Callable[..., Any],
    *args: Any,  # noqa: ANN401
    line_names: dict[str, str] | None = None,
    **kwargs: Any,  # noqa: ANN401
) -> Any:  # noqa: ANN401
    """Run a service; its refusal joins ``problems``, each field named as the JSON names it
    ("line 2 qty" -> "lines[1].quantity", "order_date" -> "date"; others, such as a
    product's SKU or the whole document's "", as they are). None when refused."""
    try:
        return fn(*args, **kwargs)
    except ValidationError as exc:
        for key, problem in exc.fields.items():
            m = _LINE_FIELD.match(key)
            if m and line_names is not None and m.group(2) in line_names:
                key = f"lines[{int(m.group(1)) - 1}].{line_names[m.group(2)]}"
            else:
                key = names.get(key, key)
            problems.append((key, problem))
        return None


def _done(problems: list) -> None:
    """Refuse the document when anything is wrong (what a service made before is undone:
    the maker runs all or nothing)."""
    if problems:
        raise _problems(problems)


def _one(problems: list, key: str, fn: Callable[..., Any], *args: Any) -> Any:  # noqa: ANN401
    try:
        return fn(*args)
    except v.FieldError as exc:
        problems.append((key, exc.message))
        return None


_SALES_NAMES = {"order_date": "date"}


def _sales_lines(doc: dict[str, Any]) -> list[sales.SOLineInput]:
    return [
        sales.SOLineInput(
            product=ln.get("product", ""),
            qty=ln.get("quantity", ""),
            unit_price=ln.get("unit_price", ""),
            vat_rate=ln.get("vat_rate", ""),
            description=ln.get("description", ""),
        )
        for ln in doc["lines"]
    ]


def _order_figures(so: sales.SOView) -> dict[str, Any]:
    return {
        "state": so.state,
        "customer": so.customer,
        "date": so.order_date.isoformat(),
        "net": str(so.net),
        "vat": str(so.vat),
        "total": str(so.total),
        "lines": [
            {
                "product": ln.sku,
                "description": ln.description,
                "quantity": str(ln.qty),
                "unit_price": str(ln.unit_price),
                "vat_rate": str(ln.vat_rate),
                "net": str(ln.net),
                "vat": str(ln.vat),
            }
            for ln in so.lines
        ],
    }


def _order_id(uow: UnitOfWork, problems: list, text: str, series, model) -> int | None:  # noqa: ANN001
    """The id of the order a label names ("SO-00042", "so42", "42")."""
    number = series.number_in(text)
    if number is None:
        problems.append(
            (
                "order",
                Message(_NOT_A_NUMBER[series.name], example=series.label(42)),
            )
        )
        return None
    found = uow.session.scalar(select(model.id).where(model.number == number))
    if found is None:
        problems.append(("order", Message("there is no {label}", label=series.label(number))))
    return found


def _entry_label(uow: UnitOfWork, entry_id: int) -> str:
    return JOURNAL.label(uow.session.get(JournalEntry, entry_id).number)


def _account_code(uow: UnitOfWork, account_id: int) -> str:
    return uow.session.get(Account, account_id).code


def _minor(uow: UnitOfWork, amount_minor: int) -> str:
    return str(from_minor(amount_minor, uow.exponent))


def _exact(uow: UnitOfWork, amount: Decimal) -> str:
    """An amount with the currency's decimals ("0.00", never "0")."""
    return str(amount.quantize(Decimal(1).scaleb(-uow.exponent)))


# --- the kinds --------------------------------------------------------------------------------


@requires("sales.edit")
def sales_order(uow: UnitOfWork, raw: object) -> Created:
    """A sales order, a draft, or confirmed ("confirm": true: its stock reserved)."""
    doc, problems = checked("sales-order", raw)
    data = sales.SOInput(
        customer=doc.get("customer", ""),
        order_date=doc.get("date", ""),
        notes=doc.get("notes", ""),
        lines=_sales_lines(doc),
    )
    so = _attempt(problems, _SALES_NAMES, sales.create, uow, data, line_names=_SALES_LINE_NAMES)
    _done(problems)
    if doc.get("confirm"):
        so = _attempt(problems, {}, sales.confirm, uow, so.id)
        _done(problems)
    return Created("sales-order", so.label, _order_figures(so))


@requires("sales.counter")
def counter_sale(uow: UnitOfWork, raw: object) -> Created:
    """Sold over the counter: ordered, delivered, invoiced and paid at once."""
    doc, problems = checked("counter-sale", raw)
    day = _one(problems, "date", v.iso_date, doc.get("date"))
    so = _attempt(
        problems,
        _SALES_NAMES,
        sales.counter_sale,
        uow,
        _sales_lines(doc),
        customer=doc.get("customer", ""),
        account=doc.get("account", "cash"),
        when=day,
        line_names=_SALES_LINE_NAMES,
    )
    _done(problems)
    inv = so.invoices[-1]
    return Created(
        "counter-sale",
        so.label,
        {**_order_figures(so), "invoice": inv.label, "paid": str(inv.paid)},
    )


@requires("sales.invoice")
def invoice(uow: UnitOfWork, raw: object) -> Created:
    """The invoice of what was delivered on a sales order and not yet invoiced."""
    doc, problems = checked("invoice", raw)
    order_id = (
        _order_id(uow, problems, doc["order"], SALES_ORDER, SalesOrder)
        if doc.get("order")
        else None
    )
    if order_id is None:
        _done(problems)
    inv = _attempt(
        problems, {}, sales.invoice, uow, order_id, when=doc.get("date"), due=doc.get("due")
    )
    _done(problems)
    so = sales.get(uow, order_id)
    return Created(
        "invoice",
        inv.label,
        {
            "order": so.label,
            "customer": so.customer,
            "date": inv.issued_on.isoformat(),
            "due": inv.due_on.isoformat(),
            "net": str(inv.net),
            "vat": str(inv.vat),
            "total": str(inv.total),
            "open": str(inv.open),
        },
    )


def _payment(uow: UnitOfWork, raw: object) -> Created:
    """A payment of invoices ("invoice", or several: "invoices") or of supplier bills
    ("bill", or several: "bills"), under the permission for that kind of payment."""
    if isinstance(raw, dict) and (raw.get("bill") is not None or raw.get("bills") is not None):
        return bill_payment(uow, raw)
    return invoice_payment(uow, raw)


def _how(doc: dict[str, Any]) -> dict[str, Any]:
    """A payment's amount, date and account as the services take them (the account only
    when named: each kind of payment has its own default)."""
    how = {"amount": doc.get("amount"), "when": doc.get("date")}
    if "account" in doc:
        how["account"] = doc["account"]
    return how


def _settle_how(doc: dict[str, Any]) -> dict[str, Any]:
    """The date and account of a payment of several documents (each has its amount)."""
    how = _how(doc)
    del how["amount"]
    return how


def _find_invoice(uow: UnitOfWork, problems: list, key: str, text: str) -> Invoice | None:
    """The invoice a number names ("INV-00007", "inv7", "7"), or None (a problem said)."""
    number = INVOICE.number_in(text)
    if number is None:
        problems.append(
            (key, Message("not an invoice number (e.g. {example})", example=INVOICE.label(7)))
        )
        return None
    inv = uow.session.scalars(
        select(Invoice).where(Invoice.kind == "invoice", Invoice.number == number)
    ).first()
    if inv is None:
        problems.append((key, Message("there is no {label}", label=INVOICE.label(number))))
    return inv


@requires("sales.pay")
def invoice_payment(uow: UnitOfWork, raw: object) -> Created:
    doc, problems = checked("payment", raw)
    if "order" in doc:
        problems.append(("order", Message("only with a bill: an invoice names its order")))
    if "invoices" in doc:
        return _invoices_payment(uow, doc, problems)
    inv = _find_invoice(uow, problems, "invoice", doc["invoice"]) if "invoice" in doc else None
    if inv is None:
        _done(problems)
    view = _attempt(problems, {}, sales.pay, uow, inv.id, **_how(doc))
    _done(problems)
    paid = uow.session.scalars(
        select(CustomerPayment)
        .where(CustomerPayment.invoice_id == inv.id)
        .order_by(CustomerPayment.id.desc())
    ).first()
    return Created(
        "payment",
        _entry_label(uow, paid.entry_id),
        {
            "invoice": view.label,
            "date": paid.paid_on.isoformat(),
            "amount": _minor(uow, paid.amount_minor),
            "account": _account_code(uow, paid.account_id),
            "paid": str(view.paid),
            "open": str(view.open),
        },
    )


def _item_named(problems: list, where: str, item: dict[str, Any], key: str) -> bool:
    """Whether list item ``where`` names its document (``key``); a problem said if not (and
    none said yet about that item, such as not being an object)."""
    if key in item:
        return True
    if not any(p.startswith(where) for p, _m in problems):
        problems.append((f"{where}.{key}", Message("required")))
    return False


def _invoices_payment(uow: UnitOfWork, doc: dict[str, Any], problems: list) -> Created:
    """One payment of several invoices ("invoices": each its number and, for a part of it,
    its amount; no amount: all that is open): one journal entry."""
    found: list[tuple[int, Invoice, object]] = []  # (its place in the list, it, amount)
    for i, item in enumerate(doc["invoices"]):
        where = f"invoices[{i}]"
        if not _item_named(problems, where, item, "invoice"):
            continue
        inv = _find_invoice(uow, problems, f"{where}.invoice", item["invoice"])
        if inv is None:
            continue
        if any(inv.id == other.id for _i, other, _a in found):
            label = INVOICE.label(inv.number)
            problems.append((f"{where}.invoice", Message("{label} is named twice", label=label)))
            continue
        found.append((i, inv, item.get("amount")))
    if not found:
        _done(problems)

    def said(row: CustomerPayment) -> tuple[dict[str, str], Any]:
        inv = uow.session.get(Invoice, row.invoice_id)
        view = next(x for x in sales.get(uow, inv.order_id).invoices if x.id == inv.id)
        return {"invoice": view.label}, view

    def named(inv: Invoice) -> str:
        return INVOICE.label(inv.number)

    settle = sales.settle_invoices
    return _settle_several(
        uow, doc, problems, "invoices", found, named, settle, CustomerPayment, said
    )


def _settle_several(
    uow: UnitOfWork,
    doc: dict[str, Any],
    problems: list,
    key: str,
    found: list[tuple[int, Any, object]],
    named: Callable[[Any], str],
    settle: Callable[..., Any],
    paid_rows: Any,  # noqa: ANN401 - CustomerPayment or SupplierPayment
    said: Callable[[Any], tuple[dict[str, str], Any]],
) -> Created:
    """What one payment of several invoices or of several bills shares: ``settle`` them
    (one journal entry; each ``found`` is its place in the ``key`` list, the document, its
    amount or None), the service's problems named by their place in that list, and what
    the payment paid on each (``said``: a paid row's document, and its view)."""
    # the service names a problem "amount" (one document) or "INV-00007 amount" (several)
    names: dict[str, str] = {}
    for i, document, _a in found:
        names.setdefault(f"{named(document)} amount", f"{key}[{i}].amount")
    names["amount"] = f"{key}[{found[0][0]}].amount"
    names["date"], names["account"] = "date", "account"
    paid = [(document.id, amount) for _i, document, amount in found]
    entry = _attempt(problems, names, settle, uow, paid, **_settle_how(doc))
    _done(problems)
    rows = list(
        uow.session.scalars(
            select(paid_rows).where(paid_rows.entry_id == entry.id).order_by(paid_rows.id)
        )
    )
    settled = []
    for row in rows:
        head, view = said(row)
        settled.append(
            {
                **head,
                "amount": _minor(uow, row.amount_minor),
                "paid": _exact(uow, view.paid),
                "open": _exact(uow, view.open),
            }
        )
    return Created(
        "payment",
        _entry_label(uow, entry.id),
        {
            "date": entry.date.isoformat(),
            "amount": _minor(uow, sum(r.amount_minor for r in rows)),
            "account": _account_code(uow, rows[0].account_id),
            key: settled,
        },
    )


def _find_bill(
    uow: UnitOfWork, problems: list, where: str, ref: str, order: str | None
) -> SupplierBill | None:
    """The supplier bill with reference ``ref`` (any case), on purchase order ``order``
    when given; None when there is none, or several (a problem said). ``where`` is the
    JSON's place of the bill ("" for the document, "bills[1]" for an item of a list)."""
    at = f"{where}." if where else ""
    stmt = select(SupplierBill).where(same_name(SupplierBill.reference, ref.strip()))
    if order is not None:
        order_problems: list = []
        order_id = _order_id(uow, order_problems, order, PURCHASE_ORDER, PurchaseOrder)
        problems.extend((f"{at}order", m) for _k, m in order_problems)
        if order_id is None:
            return None
        stmt = stmt.where(SupplierBill.order_id == order_id)
    bills = list(uow.session.scalars(stmt.order_by(SupplierBill.id).limit(2)))
    if not bills:
        elsewhere = None
        if order is not None:  # there is one, on another order: said so
            elsewhere = uow.session.scalars(
                select(SupplierBill.order_id).where(same_name(SupplierBill.reference, ref.strip()))
            ).first()
        said = (
            Message(
                "the supplier bill {ref} is on {other}, not on {order}",
                ref=quoted(ref, 40),
                other=PURCHASE_ORDER.label(uow.session.get(PurchaseOrder, elsewhere).number),
                order=PURCHASE_ORDER.label(uow.session.get(PurchaseOrder, order_id).number),
            )
            if elsewhere is not None
            else Message("no supplier bill has the reference {ref}", ref=quoted(ref, 40))
        )
        problems.append((f"{at}bill", said))
        return None
    if len(bills) > 1:
        problems.append(
            (
                f"{at}bill",
                Message(
                    "several supplier bills have the reference {ref}; name the purchase "
                    "order too (order)",
                    ref=quoted(ref, 40),
                ),
            )
        )
        return None
    return bills[0]


@requires("purchases.pay")
def bill_payment(uow: UnitOfWork, raw: object) -> Created:
    doc, problems = checked("payment", raw)
    if "bills" in doc:
        return _bills_payment(uow, doc, problems)
    bill = _find_bill(uow, problems, "", doc["bill"], doc.get("order")) if "bill" in doc else None
    if bill is None:
        _done(problems)
    view = _attempt(problems, {}, purchasing.pay, uow, bill.id, **_how(doc))
    _done(problems)
    paid = uow.session.scalars(
        select(SupplierPayment)
        .where(SupplierPayment.bill_id == bill.id)
        .order_by(SupplierPayment.id.desc())
    ).first()
    po = uow.session.get(PurchaseOrder, bill.order_id)
    return Created(
        "payment",
        _entry_label(uow, paid.entry_id),
        {
            "bill": bill.reference,
            "order": PURCHASE_ORDER.label(po.number),
            "date": paid.paid_on.isoformat(),
            "amount": _minor(uow, paid.amount_minor),
            "account": _account_code(uow, paid.account_id),
            "paid": str(view.paid),
            "open": str(view.open),
        },
    )


def _bills_payment(uow: UnitOfWork, doc: dict[str, Any], problems: list) -> Created:
    """One payment of several supplier bills ("bills": each its reference, its purchase
    order when several bills share the reference, and its amount for a part of it; no
    amount: all that is open): one journal entry."""
    found: list[tuple[int, SupplierBill, object]] = []
    for i, item in enumerate(doc["bills"]):
        where = f"bills[{i}]"
        if not _item_named(problems, where, item, "bill"):
            continue
        bill = _find_bill(uow, problems, where, item["bill"], item.get("order"))
        if bill is None:
            continue
        if any(bill.id == other.id for _i, other, _a in found):
            problems.append(
                (f"{where}.bill", Message("bill {ref} is named twice", ref=bill.reference))
            )
            continue
        found.append((i, bill, item.get("amount")))
    if not found:
        _done(problems)

    def said(row: SupplierPayment) -> tuple[dict[str, str], Any]:
        bill = uow.session.get(SupplierBill, row.bill_id)
        po = purchasing.get(uow, bill.order_id)
        return {"bill": bill.reference, "order": po.label}, next(
            x for x in po.bills if x.id == bill.id
        )

    def named(bill: SupplierBill) -> str:
        return bill.reference

    settle = purchasing.settle_bills
    return _settle_several(uow, doc, problems, "bills", found, named, settle, SupplierPayment, said)


@requires("tickets.edit")
def ticket(uow: UnitOfWork, raw: object) -> Created:
    doc, problems = checked("ticket", raw)
    data = tickets.TicketInput(
        subject=doc.get("subject", ""),
        description=doc.get("body", ""),
        contact=doc.get("contact", ""),
        priority=doc.get("priority", "normal"),
        assignee=doc.get("assignee", ""),
    )
    t = _attempt(problems, {"description": "body"}, tickets.create, uow, data)
    _done(problems)
    return Created(
        "ticket",
        f"#{t.id}",
        {
            "id": t.id,
            "subject": t.subject,
            "contact": t.contact,
            "priority": t.priority,
            "status": t.status,
            "first_response_due": _when(t.first_response.due),
            "resolution_due": _when(t.resolution.due),
        },
    )


def _when(at: object) -> str | None:
    return at.isoformat() if at is not None else None


def _find_ticket(uow: UnitOfWork, problems: list, text: str) -> int | None:
    """The id of the ticket its number names as people see it ("#71", or 71), or None (a
    problem said)."""
    typed = text.strip()
    digits = typed[1:] if typed.startswith("#") else typed
    if not is_digits(digits) or len(digits) > 12:
        problems.append(("ticket", Message("not a ticket number (e.g. {example})", example="#71")))
        return None
    found = uow.session.get(Ticket, int(digits))
    if found is None:
        problems.append(("ticket", Message("there is no ticket #{id}", id=int(digits))))
        return None
    return found.id


@requires("tickets.edit")
def ticket_comment(uow: UnitOfWork, raw: object) -> Created:
    """A reply to the customer on a ticket (its first response, if it is the first), or with
    "internal": true a note the customer is not sent; a reply to a resolved or closed
    ticket saves and leaves it so (Created.notes says it, as the terminal interface does)."""
    doc, problems = checked("ticket-comment", raw)
    ticket_id = _find_ticket(uow, problems, doc["ticket"]) if "ticket" in doc else None
    if ticket_id is None:
        _done(problems)
    internal = bool(doc.get("internal", False))
    t = _attempt(
        problems, {}, tickets.add_comment, uow, ticket_id, doc.get("body", ""), internal=internal
    )
    _done(problems)
    said = tickets.stays_closed(t, internal=internal)
    comment = max(t.comments, key=lambda c: c.id)  # the one just added
    return Created(
        "ticket-comment",
        f"#{t.id}",
        {
            "ticket": f"#{t.id}",
            "comment": comment.id,
            "internal": comment.internal,
            "at": comment.at.isoformat(),
            "status": t.status,
            "first_response_at": _when(t.first_response_at),
        },
        notes=(said,) if said is not None else (),
    )


@requires("contacts.edit")
def interaction(uow: UnitOfWork, raw: object) -> Created:
    """A call, an e-mail, a meeting, a visit or a note logged with a contact (named as a
    ticket names one: e-mail, exact name or #id; a name two contacts share is refused), its
    kind and moment read as the terminal interface's form reads them."""
    doc, problems = checked("interaction", raw)
    c = None
    if "contact" in doc:
        c = _one(problems, "contact", contacts.resolve, uow, doc["contact"])
    if c is None:
        _done(problems)
    i = _attempt(
        problems,
        {},
        contacts.log_interaction,
        uow,
        c.id,
        doc.get("kind", ""),
        doc.get("summary", ""),
        doc.get("at"),
    )
    _done(problems)
    return Created(
        "interaction",
        f"#{i.id}",
        {
            "id": i.id,
            "contact": contacts.reference(c.name, c.id),
            "interaction": i.kind,
            "at": i.at.isoformat(),
            "user": i.username,
            "summary": i.summary,
        },
    )


@requires("purchases.receive")
def receipt(uow: UnitOfWork, raw: object) -> Created:
    """Goods received on a purchase order: each line names the order's product (or the
    order's line by its number, 1 for the first, when a product is on several lines)."""
    doc, problems = checked("receipt", raw)
    po = purchasing.get(uow, _named_order(uow, problems, doc, PURCHASE_ORDER, PurchaseOrder))
    wanted, names = _wanted(uow, problems, po, doc["lines"])
    before = {e[0] for e in po.entries}
    if wanted:
        po = _attempt(
            problems,
            names,
            purchasing.receive,
            uow,
            po.id,
            wanted,
            location=doc.get("location", ""),
            when=doc.get("date"),
        )
    _done(problems)
    entry = next(e for e in po.entries if e[0] not in before)
    got = {ln.id: ln for ln in po.lines}
    return Created(
        "receipt",
        entry[1],
        {
            "order": po.label,
            "state": po.state,
            "received_value": str(po.received_value),
            "lines": [
                {"product": got[i].sku, "quantity": q, "received": str(got[i].received)}
                for i, q in wanted.items()
            ],
        },
    )


@requires("sales.deliver")
def delivery(uow: UnitOfWork, raw: object) -> Created:
    """Goods delivered on a sales order: its lines as a receipt's (the order's product, or
    its line by number), or none for all that is left to deliver. Printed: the entry that
    put the goods' cost to the cost of sales (the order's label when only services left)."""
    doc, problems = checked("delivery", raw)
    so = sales.get(uow, _named_order(uow, problems, doc, SALES_ORDER, SalesOrder))
    # (a sales order's step names a line by its description, as ORDERS.quantities does)
    wanted, names = _wanted(
        uow, problems, so, doc["lines"], lambda line: line.description[:30] or f"line {line.id}"
    )
    _done(problems)
    before = {e[0] for e in so.entries}
    done = _attempt(
        problems,
        {**names, "qty": "lines"},
        sales.deliver,
        uow,
        so.id,
        wanted or None,
        location=doc.get("location", ""),
        when=doc.get("date"),
    )
    _done(problems)
    entry = next((e for e in done.entries if e[0] not in before), None)
    old = {ln.id: ln.delivered for ln in so.lines}
    return Created(
        "delivery",
        entry[1] if entry else done.label,
        {
            "order": done.label,
            "state": done.state,
            "lines": [
                {
                    "product": ln.sku,
                    "quantity": str(ln.delivered - old[ln.id]),
                    "delivered": str(ln.delivered),
                }
                for ln in done.lines
                if ln.delivered != old[ln.id]
            ],
        },
    )


def _named_order(uow: UnitOfWork, problems: list, doc: dict[str, Any], series, model) -> int:  # noqa: ANN001
    """The id of the order a receipt or a delivery names; refused (with every problem found
    so far) when it names none."""
    order_id = None
    if doc.get("order"):
        order_id = _order_id(uow, problems, doc["order"], series, model)
    if order_id is None:
        _done(problems)
    return order_id


def _wanted(
    uow: UnitOfWork,
    problems: list,
    order: Any,  # noqa: ANN401
    lines: list[dict[str, Any]],
    key: Callable[[Any], str] = lambda line: line.sku,
) -> tuple[dict[int, str], dict[str, str]]:
    """The quantity per line id of a receipt's or a delivery's lines, and the JSON's name
    for the quantity of each line as the service names it (``key``: a receipt's by SKU)."""
    wanted: dict[int, str] = {}
    json_index: dict[str, int] = {}
    for i, ln in enumerate(lines):
        where = f"lines[{i}]"
        target = _order_line(uow, problems, where, order, ln)
        if target is None:
            continue
        if target.id in wanted:
            problems.append((where, Message("the same line of the order is named twice")))
            continue
        if "quantity" not in ln:
            problems.append((f"{where}.quantity", Message("required")))
            continue
        wanted[target.id] = ln["quantity"]
        json_index.setdefault(key(target), i)
    return wanted, {name: f"lines[{i}].quantity" for name, i in json_index.items()}


def _order_line(uow: UnitOfWork, problems: list, where: str, po: Any, ln: dict[str, Any]) -> Any:  # noqa: ANN401
    """The line of a purchase or sales order that a receipt's or a delivery's line names."""
    if ("product" in ln) == ("line" in ln):
        if not any(p.startswith(where) for p, _m in problems):  # not an object: said already
            problems.append((where, Message("name the product or the order's line (line)")))
        return None
    if "line" in ln:
        n = ln["line"]
        if not is_digits(n) or not 1 <= int(n) <= len(po.lines):
            problems.append(
                (
                    f"{where}.line",
                    Message("{label} has lines 1 to {n}", label=po.label, n=len(po.lines)),
                )
            )
            return None
        return po.lines[int(n) - 1]
    p = _one(problems, f"{where}.product", resolve_product, uow, ln["product"])
    if p is None:
        return None
    on = [(i, x) for i, x in enumerate(po.lines, start=1) if x.product_id == p.id]
    if not on:
        problems.append(
            (f"{where}.product", Message("{sku} is not on {label}", sku=p.sku, label=po.label))
        )
        return None
    if len(on) > 1:
        problems.append(
            (
                f"{where}.product",
                Message(
                    "{sku} is on lines {lines} of {label}; name the line instead (line)",
                    sku=p.sku,
                    lines=", ".join(str(i) for i, _x in on),
                    label=po.label,
                ),
            )
        )
        return None
    return on[0][1]


# what `bizdesk new KIND` calls for each kind
MAKERS: dict[str, Callable[[UnitOfWork, object], Created]] = {
    "sales-order": sales_order,
    "counter-sale": counter_sale,
    "invoice": invoice,
    "payment": _payment,
    "ticket": ticket,
    "ticket-comment": ticket_comment,
    "interaction": interaction,
    "receipt": receipt,
    "delivery": delivery,
}
