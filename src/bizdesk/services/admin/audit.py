"""Reading the audit trail."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import and_, case, func
from sqlmodel import select

from bizdesk.db.session import UnitOfWork
from bizdesk.errors import ValidationError
from bizdesk.i18n import Message
from bizdesk.models.contacts import Contact
from bizdesk.models.core import AuditEvent
from bizdesk.models.deals import PipelineStage
from bizdesk.models.ledger import JournalEntry
from bizdesk.models.marketing import Segment
from bizdesk.models.people import Employee
from bizdesk.models.purchasing import PurchaseLine
from bizdesk.models.sales import SalesLine
from bizdesk.models.stock import Product
from bizdesk.models.tickets import Ticket
from bizdesk.money import from_minor, qty_from_scaled
from bizdesk.reading import quoted
from bizdesk.services.base.figures import for_someone_else
from bizdesk.services.base.numbering import entry_label
from bizdesk.services.base.permissions import requires

# Every kind of record the services write to the audit trail (the first argument of
# UnitOfWork.audit); a test keeps this list in step with the code.
ENTITY_KINDS = (
    "account",
    "assembly_order",
    "bank_line",
    "bank_statement",
    "budget",
    "campaign",
    "campaign_recipient",
    "contact",
    "deal",
    "email_consent",
    "employee",
    "follow_up",
    "import",
    "interaction",
    "invoice",
    "journal_entry",
    "leave_request",
    "location",
    "nurture_sequence",
    "outbox_message",
    "pay_line",
    "payroll_run",
    "product",
    "purchase_order",
    "recurring_template",
    "reminder",
    "reminder_level",
    "sales_order",
    "sales_target",
    "segment",
    "setting",
    "shop",
    "stage",
    "store",
    "supplier_bill",
    "ticket",
    "ticket_comment",
    "user",
)


def check_entity(entity: str) -> str:
    """The entity kind as given, or a refusal listing the kinds there are."""
    if entity not in ENTITY_KINDS:
        raise ValidationError(
            {
                "entity": Message(
                    "{value} is not a kind of record; one of: {kinds}",
                    value=quoted(entity, 20),
                    kinds=", ".join(ENTITY_KINDS),
                )
            }
        )
    return entity


@dataclass(frozen=True)
class AuditRow:
    id: int
    at: datetime
    username: str
    entity: str
    entity_id: int | None
    action: str
    before: str | None
    after: str | None


# --- what an event's details hold, to show them as every other output does -----------------
# The trail keeps each event's details as its writer gave them (and hashes them: they are
# never rewritten): money as an integer count of the currency's minor units, a quantity as
# thousandths. Shown, money is a decimal string with the currency's decimals ("1250.00") and
# a quantity as people write it ("2.5"), as in the reports' JSON. Only what is known is
# changed: a record's column says what it holds by its name (models/base.figure: ``*_minor``
# money, ``*_scaled`` a quantity), shown under its name without that suffix; any other detail
# is named below by the code that writes it. Everything else is shown as stored. A detail
# whose name reads as an amount or a quantity (amount, total, qty, hours, ...) is in DETAILS
# or in NOT_AMOUNTS (a count): tests/test_audit_details.py reads every writer for it.
MONEY = "money"
QTY = "qty"
PERCENT = "percent"  # hundredths of a percent (``*_bp``): a page shows the percentage


@dataclass(frozen=True)
class Each:
    """Every value of a list, or of an object keyed by ids (a line's quantity per line)."""

    shape: Any


@dataclass(frozen=True)
class Row:
    """A list holding one thing per place (a line: product, quantity, price, VAT rate); a
    list of another length is not the one known, and is shown as stored."""

    places: tuple[Any, ...]


_ORDER_LINES = Each(Row((None, QTY, MONEY, PERCENT)))  # product, qty, unit price, VAT %
_ENTRY_LINES = Each(Row((None, MONEY, MONEY, None)))  # account, debit, credit, contact

# (kind of record, action) -> {detail: what it holds}; an action "*": any action of the kind
DETAILS: dict[tuple[str, str], dict[str, Any]] = {
    ("assembly_order", "cancel"): {"done": QTY},
    ("assembly_order", "create"): {"qty": QTY},
    ("assembly_order", "finish"): {"qty": QTY, "consumed": MONEY, "labour": MONEY},
    ("bank_line", "match"): {"amounts": Each(MONEY)},
    ("bank_statement", "import"): {"closing": MONEY},
    ("budget", "set"): {"amount": MONEY},
    ("deal", "set_lines"): {"lines": Each(Row((None, QTY, MONEY)))},  # name, qty, price
    ("employee", "create"): {"pay": MONEY},
    ("employee", "update"): {"pay": MONEY},
    ("invoice", "credit"): {"total": MONEY},
    ("invoice", "issue"): {"total": MONEY},
    ("invoice", "pay"): {"amount": MONEY},
    ("invoice", "refund"): {"amount": MONEY},
    ("invoice", "unpay"): {"amount": MONEY},
    **{("journal_entry", a): {"lines": _ENTRY_LINES} for a in ("create", "update", "delete")},
    ("journal_entry", "post"): {"lines": _ENTRY_LINES},
    ("pay_line", "create"): {"amount": MONEY},
    ("payroll_run", "hours"): {"hours": QTY},  # an hourly employee's hours, as a quantity
    ("payroll_run", "pay"): {"amount": MONEY},
    ("payroll_run", "post"): {"gross": MONEY, "contributions": MONEY},
    # a stock move (an adjustment, a count, a transfer) and a bill of materials
    ("product", "*"): {
        "qty": QTY,
        "value": MONEY,
        "labour": MONEY,
        "components": Each(QTY),
    },
    ("purchase_order", "bill"): {"net": MONEY, "vat": MONEY},
    ("purchase_order", "close_rest"): {"released": Each(QTY)},
    ("purchase_order", "create"): {"lines": _ORDER_LINES},
    ("purchase_order", "receive"): {"lines": Each(QTY), "value": MONEY},
    ("purchase_order", "update"): {"lines": _ORDER_LINES},
    ("reminder", "create"): {"overdue": MONEY, "fee": MONEY},
    ("sales_order", "close_rest"): {"released": Each(QTY)},
    ("sales_order", "create"): {"lines": _ORDER_LINES},
    # the lines delivered, from which locations (location, quantity), and what they cost
    ("sales_order", "deliver"): {
        "lines": Each(QTY),
        "from": Each(Each(Row((None, QTY)))),
        "cost": MONEY,
    },
    ("sales_order", "update"): {"lines": _ORDER_LINES},
    ("sales_target", "set"): {"amount": MONEY},
    ("supplier_bill", "pay"): {"amount": MONEY},
    ("supplier_bill", "unpay"): {"amount": MONEY},
}
_SUFFIXES = {"_minor": MONEY, "_scaled": QTY}

# (kind of record, action) -> its details whose name reads as an amount or a quantity but
# which hold none (a count): shown as stored, as the guard is told.
NOT_AMOUNTS: dict[tuple[str, str], frozenset[str]] = {
    ("bank_statement", "delete"): frozenset({"lines"}),  # how many lines went with it
    ("bank_statement", "import"): frozenset({"lines"}),  # how many lines the file held
    ("budget", "copy"): frozenset({"lines"}),  # how many budget lines were written
    ("journal_entry", "import"): frozenset({"lines"}),  # how many journal lines were posted
}


def detail_shape(entity: str, action: str, key: str) -> Any:  # noqa: ANN401
    """What one stored detail of an event holds (MONEY, QTY, PERCENT, a list's shape), by
    DETAILS or by its name's suffix; None: nothing known, shown as stored."""
    known = {**DETAILS.get((entity, "*"), {}), **DETAILS.get((entity, action), {})}
    if key in known:
        return known[key]
    for suffix, shape in (*_SUFFIXES.items(), ("_bp", PERCENT)):
        if key.endswith(suffix):
            return shape
    return None


def shown_details(stored: str | None, entity: str, action: str, exponent: int) -> Any:
    """An event's details (its before or after, as stored) as they are shown: amounts and
    quantities as decimal strings where what they hold is known (DETAILS), else as stored."""
    if not stored:
        return None
    values = json.loads(stored)
    if not isinstance(values, dict):
        return values
    known = {**DETAILS.get((entity, "*"), {}), **DETAILS.get((entity, action), {})}
    out: dict[str, Any] = {}
    for key, value in values.items():
        if key in known:
            out[key] = _shown(value, known[key], exponent)
            continue
        for suffix, shape in _SUFFIXES.items():
            name = key.removesuffix(suffix)
            if name != key and name not in values and isinstance(value, int | None):
                out[name] = _shown(value, shape, exponent)
                break
        else:
            out[key] = value
    return out


def _shown(value: Any, shape: Any, exponent: int) -> Any:  # noqa: ANN401
    """``value`` read by ``shape``; what is not of that shape stays as stored."""
    if isinstance(value, bool):
        return value
    if shape == MONEY and isinstance(value, int):
        return str(from_minor(value, exponent))
    if shape == QTY and isinstance(value, int):
        return str(qty_from_scaled(value))
    if isinstance(shape, Each) and isinstance(value, list):
        return [_shown(v, shape.shape, exponent) for v in value]
    if isinstance(shape, Each) and isinstance(value, dict):
        return {k: _shown(v, shape.shape, exponent) for k, v in value.items()}
    if isinstance(shape, Row) and isinstance(value, list) and len(value) == len(shape.places):
        return [
            v if s is None else _shown(v, s, exponent)
            for v, s in zip(value, shape.places, strict=True)
        ]
    return value


# what every update changes, or what follows from what it changed, and the record's own id
# (the history's heading names it): never named as changed, nor shown
_BOOKKEEPING = frozenset(
    {"version", "updated_at", "updated_by", "search_text", "sort_name", "sort_title", "id"}
)


def _before_and_after(row: AuditRow) -> tuple[dict, dict] | None:
    """An update's details before and after it (None for an event that kept not both)."""
    try:
        before, after = json.loads(row.before or "null"), json.loads(row.after or "null")
    except ValueError:
        return None
    if not isinstance(before, dict) or not isinstance(after, dict):
        return None
    return before, after


def changed(row: AuditRow) -> list[str]:
    """The details an event changed, by their keys in the order kept: those whose value its
    ``before`` and ``after`` (both kept, as an update keeps them) hold differently."""
    both = _before_and_after(row)
    if both is None:
        return []
    before, after = both
    keys = [*after, *(k for k in before if k not in after)]
    return [
        k
        for k in keys
        if k not in _BOOKKEEPING and (k not in before or k not in after or before[k] != after[k])
    ]


def shown_keys(row: AuditRow) -> list[str]:
    """The details an event's page shows, by their keys: for an update (it kept both before
    and after) those it changed (``changed``), none for a save that changed nothing; for
    any other event (a creation, a deletion, a step) every detail it kept, but the
    bookkeeping every write changes."""
    if _before_and_after(row) is not None:
        return changed(row)
    kept: list[str] = []
    for stored in (row.after, row.before):
        try:
            values = json.loads(stored or "null")
        except ValueError:
            continue
        if isinstance(values, dict):
            kept += [k for k in values if k not in _BOOKKEEPING and k not in kept]
    return kept


def changed_nothing(row: AuditRow) -> bool:
    """Whether an event is an update that saved every detail as it was."""
    return _before_and_after(row) is not None and not changed(row)


# --- details that name another record by its id -----------------------------------------------
# A deal's stage, a product's supplier, an employee's contact are kept as the other record's
# id; a record's history shows that record's name beside it ("Qualified (#2)", was "2").
# (kind of record whose event it is, or "*" for any; the detail's key) -> the kind named.
REFERENCES: dict[tuple[str, str], str] = {
    ("*", "contact_id"): "contact",
    ("contact", "merged_into_id"): "contact",
    ("*", "organization_id"): "contact",
    ("*", "supplier_id"): "contact",
    ("*", "customer_id"): "contact",
    ("employee", "contact"): "contact",
    ("follow_up", "contact"): "contact",
    ("*", "stage_id"): "stage",
    ("*", "segment_id"): "segment",
    ("leave_request", "employee"): "employee",
    ("*", "ticket_id"): "ticket",
    ("payroll_run", "employee"): "employee",
    # a journal entry by its id, as these write it
    ("bank_line", "entry"): "journal_entry",
    ("invoice", "entry"): "journal_entry",
    ("supplier_bill", "entry"): "journal_entry",
    ("journal_entry", "reversal"): "journal_entry",
    # by its number (JOURNAL_NUMBER: given when posted, an id's equal only in a store where
    # every entry was posted as it was made), as these write it
    ("assembly_order", "entry"): "journal_number",
    ("payroll_run", "entry"): "journal_number",
}
JOURNAL_NUMBER = "journal_number"  # shown by its label alone: JE-12 names one entry
# Details that are a list of ids, each naming a record of this kind.
ID_LISTS: dict[tuple[str, str], str] = {("payroll_run", "employees"): "employee"}


# Details keyed by an order's line ids ({"12": quantity}: what a receipt or a delivery took,
# what was released): each line shown by its product's SKU (its description without one).
LINE_KEYED: dict[tuple[str, str], str] = {
    ("purchase_order", "lines"): "purchase_line",
    ("purchase_order", "released"): "purchase_line",
    ("sales_order", "lines"): "sales_line",
    ("sales_order", "released"): "sales_line",
    ("sales_order", "from"): "sales_line",
}


def referenced(entity: str, key: str) -> str | None:
    """The kind of record a detail names by its id (None: it names none)."""
    return REFERENCES.get((entity, key)) or REFERENCES.get(("*", key))


def named_ids(entity: str, key: str, value: object) -> tuple[str, list[int]] | None:
    """The kind of record and the ids a detail's value names (one id, or a list of them);
    None for a detail that names none."""
    kind = referenced(entity, key)
    if kind is not None and type(value) is int:
        return kind, [value]
    kind = ID_LISTS.get((entity, key))
    if kind is not None and isinstance(value, list) and all(type(v) is int for v in value):
        return kind, value
    return None


def _named_ids(rows: list[AuditRow]) -> dict[str, set[int]]:
    """The ids each kind of record is named by in these events' details."""
    ids: dict[str, set[int]] = {}
    for row in rows:
        for stored in (row.before, row.after):
            try:
                values = json.loads(stored or "null")
            except ValueError:
                continue
            if not isinstance(values, dict):
                continue
            for key, value in values.items():
                found = named_ids(row.entity, key, value)
                if found is not None:
                    ids.setdefault(found[0], set()).update(found[1])
                line = LINE_KEYED.get((row.entity, key))
                if line is not None and isinstance(value, dict):
                    ids.setdefault(line, set()).update(int(k) for k in value if k.isdigit())
    return ids


@requires("audit.view")
def names_of(uow: UnitOfWork, rows: list[AuditRow]) -> dict[tuple[str, int], str]:
    """The names of the records these events' details name by id ((kind, id) -> name: a
    contact's, a stage's or a segment's name, an employee's contact's, a ticket's subject,
    a journal entry's label, an order line's SKU); a record since deleted is not among
    them."""
    queries = {
        "contact": lambda ids: select(Contact.id, Contact.name).where(Contact.id.in_(ids)),
        "stage": lambda ids: select(PipelineStage.id, PipelineStage.name).where(
            PipelineStage.id.in_(ids)
        ),
        "segment": lambda ids: select(Segment.id, Segment.name).where(Segment.id.in_(ids)),
        "employee": lambda ids: (
            select(Employee.id, Contact.name)
            .join(Contact, Contact.id == Employee.contact_id)
            .where(Employee.id.in_(ids))
        ),
        "ticket": lambda ids: select(Ticket.id, Ticket.subject).where(Ticket.id.in_(ids)),
        "journal_entry": lambda ids: select(JournalEntry.id, JournalEntry.number).where(
            JournalEntry.id.in_(ids)
        ),
        JOURNAL_NUMBER: lambda numbers: select(JournalEntry.number, JournalEntry.number).where(
            JournalEntry.number.in_(numbers)
        ),
        "purchase_line": lambda ids: (
            select(PurchaseLine.id, Product.sku)
            .join(Product, Product.id == PurchaseLine.product_id)
            .where(PurchaseLine.id.in_(ids))
        ),
        "sales_line": lambda ids: (
            select(SalesLine.id, func.coalesce(Product.sku, SalesLine.description))
            .outerjoin(Product, Product.id == SalesLine.product_id)
            .where(SalesLine.id.in_(ids))
        ),
    }
    names: dict[tuple[str, int], str] = {}
    for kind, ids in _named_ids(rows).items():
        found = sorted(ids)
        for start in range(0, len(found), 500):  # (a statement's parameters are bounded)
            for record_id, name in uow.session.exec(queries[kind](found[start : start + 500])):
                if kind in ("journal_entry", JOURNAL_NUMBER):
                    name = str(entry_label(name, record_id))
                names[(kind, record_id)] = name
    return names


def _chosen(stmt, since: date | None, entity: str | None, entity_id: int | None):  # noqa: ANN001, ANN202
    """The events from ``since``, of records of kind ``entity`` (checked), of the one with
    ``entity_id`` (an id names a record of one kind: refused without ``entity``)."""
    if entity is not None:
        check_entity(entity)
    elif entity_id is not None:
        raise ValidationError(
            {"entity_id": Message("an id names a record of one kind: give the kind with it")}
        )
    if since:
        stmt = stmt.where(AuditEvent.at >= datetime.combine(since, datetime.min.time(), UTC))
    if entity is not None:
        stmt = stmt.where(AuditEvent.entity == entity)
    if entity_id is not None:
        stmt = stmt.where(AuditEvent.entity_id == entity_id)  # (the index on entity, id)
    return stmt


@requires("audit.view")
def list_events(
    uow: UnitOfWork,
    *,
    since: date | None = None,
    entity: str | None = None,
    entity_id: int | None = None,
    limit: int | None = 1000,
) -> list[AuditRow]:
    """The newest ``limit`` events (all of them with None), oldest first; of one kind of
    record, or of one record (``entity`` and ``entity_id``)."""
    stmt = _chosen(select(AuditEvent).order_by(AuditEvent.id.desc()), since, entity, entity_id)
    if limit is not None:
        stmt = stmt.limit(limit)
    return [
        AuditRow(e.id, e.at, e.username, e.entity, e.entity_id, e.action, e.before, e.after)
        for e in uow.session.exec(stmt)
    ][::-1]


@requires("audit.view")
def count_events(
    uow: UnitOfWork,
    *,
    since: date | None = None,
    entity: str | None = None,
    entity_id: int | None = None,
) -> int:
    """How many events list_events chooses from (to say what a limit left out)."""
    stmt = _chosen(select(func.count()).select_from(AuditEvent), since, entity, entity_id)
    return uow.session.exec(stmt).one()


def latest_id(uow: UnitOfWork) -> int:
    """The newest event's id: a cheap change counter for refreshing lists."""
    return uow.session.exec(select(func.coalesce(func.max(AuditEvent.id), 0))).one()


# In Changes.kinds: the store went back to an earlier state (a backup restored): anything
# may differ.
EVERYTHING = "*"
NEWEST_READ = 1000


@dataclass(frozen=True)
class Changes:
    """What was written since an earlier look: the newest event, the kinds of record
    (ENTITY_KINDS) written after the one seen then, those of them only ``created`` (every
    event of the kind a creation: no record seen before changed), and those written only
    ``for_others`` (every event of the kind a follow-up started for someone else than the
    one looking: figures.for_someone_else)."""

    latest: int
    kinds: frozenset[str]
    created: frozenset[str] = frozenset()
    for_others: frozenset[str] = frozenset()

    @property
    def shown(self) -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
        """What a pane is told of them (app.shows_any): the kinds, created, for others."""
        return self.kinds, self.created, self.for_others


def changes_since(uow: UnitOfWork, seen: int | None) -> Changes:
    """Which kinds of record changed after event ``seen`` (None: nothing seen yet, so none
    are new). Every write records its events in its own transaction, so this sees whole
    changes; one range of the primary key, however large the store."""
    latest = latest_id(uow)
    if seen is None or latest == seen:
        return Changes(latest, frozenset())
    if latest < seen:  # an earlier copy of the store restored in place
        return Changes(latest, frozenset({EVERYTHING}))
    # Read in id order (the primary key's range: DISTINCT would walk the entity index whole);
    # a burst beyond NEWEST_READ events (an import) counts as everything changed.
    started = and_(AuditEvent.entity == "follow_up", AuditEvent.action == "start")
    events = uow.session.exec(
        select(AuditEvent.entity, AuditEvent.action, case((started, AuditEvent.after)))
        .where(AuditEvent.id > seen)
        .order_by(AuditEvent.id)
        .limit(NEWEST_READ + 1)
    ).all()
    if len(events) > NEWEST_READ:
        return Changes(latest, frozenset({EVERYTHING}))
    kinds = frozenset(entity for entity, _action, _after in events)
    changed = {entity for entity, action, _after in events if action != "create"}
    mine = {e for e, action, after in events if not for_someone_else(e, action, after, uow.user)}
    return Changes(latest, kinds, kinds - changed, kinds - mine)
