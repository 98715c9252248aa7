"""The order-document core: what every document with a header, priced lines and a life of
states has in common, written once.

A kind of document is an ``OrderKind``: its two tables (a header with ``number``, ``state``,
``order_date``, ``notes``, ``net_minor``, ``vat_minor``, ``version`` and ``updated_by``, and
lines with ``order_id``, ``position``, ``product_id``, ``description``, ``qty_scaled``, a unit
amount and ``vat_bp``), its numbering ``Series``, the contact it is made out to, and its
``Flow``: a ``StrEnum`` of the states as they are stored and the steps that move between
them, declared once. The kind then loads a document, checks the lines as typed, keeps the
totals with the lines, numbers and creates it, changes it while it is a draft, moves it
from state to state (refusing a step its state does not allow), writes the audit trail's
snapshots, lists its journal entries, filters its list, and totals a form's lines as they
are typed.

Sales orders (``sales.py``) and purchase orders (``purchasing.py``) are kinds today; quotes,
assembly orders and payroll runs are meant to be the next ones: declare the tables, the
states and the steps, and write only what is theirs (what a step does to stock and to the
books).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import Select, and_, or_, select

from bizdesk.db.session import UnitOfWork
from bizdesk.errors import InvariantViolation, NotFound, ValidationError
from bizdesk.formatting import editable
from bizdesk.i18n import N_, Message
from bizdesk.models.ledger import JournalEntry
from bizdesk.models.stock import Product
from bizdesk.money import (
    AmountError,
    bounded,
    from_minor,
    line_amounts,
    parse_money,
    qty_text,
)
from bizdesk.reading import date_text
from bizdesk.services.base import validate as v
from bizdesk.services.base.numbering import JOURNAL, Series, next_number
from bizdesk.services.base.paging import PageRequest, folded_contains
from bizdesk.services.base.records import check_version, touch
from bizdesk.services.base.states import state_word
from bizdesk.services.inventory.moves import ahead_problem
from bizdesk.services.inventory.products import product_qty
from bizdesk.services.trade.doc_lines import CleanLine, clean_line, preview

OPEN = "open"  # the list filter for every state that still starts a step
# whole sentences per kind of document and per step (never a noun glued into a sentence)
_NO_SUCH = {
    "sales_order": N_("There is no sales order #{id}."),
    "purchase_order": N_("There is no purchase order #{id}."),
}
_TOO_MANY = {
    "delivered": N_("only {qty} can be delivered"),
    "received": N_("only {qty} can be received"),
    "returned": N_("only {qty} can be returned"),
}
_NONE_GIVEN = {
    "delivered": N_("enter a quantity delivered for at least one line"),
    "received": N_("enter a quantity received for at least one line"),
    "returned": N_("enter a quantity returned for at least one line"),
}
_STILL_OPEN = {
    "invoice": N_("only {amount} is still open on this invoice"),
    "bill": N_("only {amount} is still open on this bill"),
}


class Flow:
    """The states of a kind of document and its steps: per step, the states it starts from
    and the states it may leave the document in (staying where it is is always allowed, as
    when a part delivery leaves an order partially delivered). The first state of the enum
    is where a document starts, and the only one in which it may be edited."""

    def __init__(
        self, states: type[StrEnum], steps: Mapping[str, tuple[Iterable[str], Iterable[str]]]
    ) -> None:
        self.states = states
        self.draft = next(iter(states))
        self.steps = {name: (frozenset(a), frozenset(b)) for name, (a, b) in steps.items()}
        unknown = frozenset().union(*(a | b for a, b in self.steps.values())) - set(states)
        if unknown:
            raise ValueError(f"steps name states {states.__name__} does not have: {unknown}")

    def starts(self, step: str) -> frozenset[str]:
        """The states in which ``step`` may be taken."""
        return self.steps[step][0]

    def may(self, step: str, state: str) -> bool:
        return state in self.steps[step][0]

    @property
    def final(self) -> tuple[str, ...]:
        """The states no step starts from (an order there is over)."""
        begun = frozenset().union(*(starts for starts, _ends in self.steps.values()))
        return tuple(s for s in self.states if s not in begun)

    def move(self, doc: Any, step: str, new: str) -> None:  # noqa: ANN401
        """Set the state a step leaves ``doc`` in; a move the flow does not declare is a
        bug, never something a user did."""
        starts, ends = self.steps[step]
        if doc.state not in starts or (new != doc.state and new not in ends):
            raise InvariantViolation(f"{step} cannot move a document from {doc.state} to {new}")
        doc.state = self.states(new)


@dataclass(frozen=True)
class OrderKind:
    """One kind of order document and what the core does with it (the module's docstring)."""

    header: type  # the header table
    line: type  # the lines table
    series: Series
    flow: Flow
    party: str  # the header's contact column: "customer_id"
    unit: str  # the line's unit amount column: "unit_price_minor" (typed as "unit_price")
    default_unit: str  # the product's column an empty unit amount takes: "sale_price_minor"
    product_required: bool = False  # False: a line may be a fee or a service, no product
    snapshot_fields: tuple[str, ...] = ()  # header columns the audit trail keeps as well

    @property
    def entity(self) -> str:
        """The audit trail's entity and the journal's source kind: "sales_order"."""
        return self.header.__tablename__

    @property
    def noun(self) -> str:
        return self.entity.replace("_", " ")

    @property
    def unit_input(self) -> str:
        """The unit amount in the service's line input: "unit_price"."""
        return self.unit.removesuffix("_minor")

    # --- reading ------------------------------------------------------------------------

    def load(self, uow: UnitOfWork, doc_id: int, *, lock: bool = False) -> Any:  # noqa: ANN401
        doc = uow.session.get(self.header, doc_id, with_for_update=lock)
        if doc is None:
            raise NotFound(Message(_NO_SUCH[self.entity], id=doc_id))
        return doc

    def lines(self, uow: UnitOfWork, doc_id: int) -> list:
        ln = self.line
        return list(
            uow.session.scalars(
                select(ln).where(ln.order_id == doc_id).order_by(ln.position, ln.id)
            )
        )

    def label(self, doc: Any) -> str:  # noqa: ANN401
        return self.series.label(doc.number)

    def entries(
        self, uow: UnitOfWork, doc_id: int, paid_by: Select | None = None
    ) -> list[tuple[int, str, str]]:
        """The journal entries posted for a document: (entry id, label, memo); ``paid_by``:
        the entries of its payments too (a payment of several documents, a bank line split
        over them, is posted for none of them alone)."""
        mine = and_(JournalEntry.source_kind == self.entity, JournalEntry.source_id == doc_id)
        return [
            (eid, JOURNAL.label(num), memo)
            for eid, num, memo in uow.session.execute(
                select(JournalEntry.id, JournalEntry.number, JournalEntry.memo)
                .where(mine if paid_by is None else or_(mine, JournalEntry.id.in_(paid_by)))
                .order_by(JournalEntry.id)
            )
        ]

    def filtered(self, stmt: Select, req: PageRequest, party_text: Any) -> Select:  # noqa: ANN401
        """A list's filters: ``state`` (one state, or "open": every state not final) and the
        search (a document number, or words of the party's name)."""
        h = self.header
        state = req.filters.get("state")
        if state == OPEN:
            stmt = stmt.where(h.state.not_in(self.flow.final))
        elif state:
            stmt = stmt.where(h.state == state)
        s = req.search.strip()
        if s:
            cond = folded_contains(party_text, s)
            num = self.series.number_in(s)
            if num is not None:
                cond = or_(cond, h.number == num)
            stmt = stmt.where(cond)
        return stmt

    # --- lines as typed -----------------------------------------------------------------

    def clean_line(self, uow: UnitOfWork, chk: v.Checker, i: int, ln: Any) -> CleanLine | None:  # noqa: ANN401
        return clean_line(
            uow,
            chk,
            i,
            product=ln.product,
            qty=ln.qty,
            unit=getattr(ln, self.unit_input),
            vat_rate=ln.vat_rate,
            description=ln.description,
            unit_label=self.unit_input.replace("_", " "),
            default_unit=lambda p: getattr(p, self.default_unit),
            product_required=self.product_required,
        )

    def clean_lines(
        self,
        uow: UnitOfWork,
        chk: v.Checker,
        typed: list,
        refuse: Callable[[CleanLine], str | None] = lambda _line: None,
    ) -> list[dict]:
        """The lines as columns of the lines table; ``refuse`` names what this kind does not
        take on a line (problems go to ``chk`` as "line i ...")."""
        lines = []
        for i, ln in enumerate(typed, start=1):
            line = self.clean_line(uow, chk, i, ln)
            if line is None:
                continue
            why = refuse(line) if line.product is not None else None
            if why:
                chk.add(f"line {i} product", why)
            elif line.product is not None or not self.product_required:
                lines.append(
                    {
                        "product_id": line.product.id if line.product else None,
                        "description": line.description,
                        "qty_scaled": line.qty_scaled,
                        self.unit: line.unit_minor,
                        "vat_bp": line.vat_bp,
                    }
                )
        if not lines and not chk.errors:
            chk.add("lines", Message("an order needs at least one line"))
        try:  # the lines' figures within bounds, their sum too
            if not chk.errors:
                bounded(
                    sum(
                        sum(line_amounts(ln["qty_scaled"], ln[self.unit], ln["vat_bp"]))
                        for ln in lines
                    ),
                    uow.exponent,
                    uow.input_locale,
                )
        except AmountError as exc:
            chk.add("lines", exc.args[0])
        return lines

    def preview(self, uow: UnitOfWork, typed: list) -> tuple[Decimal, Decimal, int]:
        """A form's running totals: net, VAT, and how many lines cannot be read yet."""
        return preview(uow, typed, lambda chk, i, ln: self.clean_line(uow, chk, i, ln))

    # --- writing ------------------------------------------------------------------------

    def replace_lines(self, uow: UnitOfWork, doc: Any, lines: list[dict]) -> None:  # noqa: ANN401
        """The lines of ``doc`` become ``lines``, and its totals theirs."""
        uow.session.execute(self.line.__table__.delete().where(self.line.order_id == doc.id))
        amounts = [line_amounts(ln["qty_scaled"], ln[self.unit], ln["vat_bp"]) for ln in lines]
        doc.net_minor = sum(n for n, _ in amounts)
        doc.vat_minor = sum(t for _, t in amounts)
        uow.session.add_all(
            self.line(order_id=doc.id, position=i, **ln) for i, ln in enumerate(lines)
        )

    def snapshot(self, doc: Any, lines: list[dict] | None = None) -> dict:  # noqa: ANN401
        """What the audit trail keeps of a document (and of its lines, when they change)."""
        out = {"number": doc.number, self.party: getattr(doc, self.party), "state": doc.state}
        out.update((name, getattr(doc, name)) for name in self.snapshot_fields)
        if lines is not None:
            out["lines"] = [
                [ln["product_id"], ln["qty_scaled"], ln[self.unit], ln["vat_bp"]] for ln in lines
            ]
        return out

    def create(self, uow: UnitOfWork, head: dict, lines: list[dict], **extra: Any) -> Any:  # noqa: ANN401
        """A new document with the next number of its series, in its first state."""
        doc = self.header(
            number=next_number(uow, self.series), updated_by=uow.user, **extra, **head
        )
        uow.session.add(doc)
        uow.session.flush()
        self.replace_lines(uow, doc, lines)
        uow.session.flush()
        uow.audit(self.entity, doc.id, "create", after=self.snapshot(doc, lines))
        return doc

    def update(
        self,
        uow: UnitOfWork,
        doc_id: int,
        clean: Callable[[], tuple[dict, list[dict]]],
        *,
        version: int,
    ) -> Any:  # noqa: ANN401
        """Change a draft to what ``clean()`` makes of the form (only drafts change)."""
        doc = self.load(uow, doc_id, lock=True)
        check_version(uow, doc, version)
        if doc.state != self.flow.draft:
            raise ValidationError(
                {
                    "": Message(
                        "{label} is {state}; only drafts change",
                        label=self.label(doc),
                        state=state_word(doc.state),
                    )
                }
            )
        head, lines = clean()
        before = self.snapshot(doc)
        for k, val in head.items():
            setattr(doc, k, val)
        self.replace_lines(uow, doc, lines)
        touch(uow, doc)
        uow.session.flush()
        uow.audit(self.entity, doc.id, "update", before=before, after=self.snapshot(doc, lines))
        return doc

    def start(
        self,
        uow: UnitOfWork,
        doc_id: int,
        step: str,
        why: str | Callable[[str], str],
        *,
        version: int | None = None,
    ) -> Any:  # noqa: ANN401
        """The document, locked, at ``version`` (when given), in a state ``step`` starts
        from; else refused as "LABEL is STATE; why" (``why``, a Message of its own, may
        depend on the state)."""
        doc = self.load(uow, doc_id, lock=True)
        if version is not None:
            check_version(uow, doc, version)
        if not self.flow.may(step, doc.state):
            reason = why(doc.state) if callable(why) else why
            raise ValidationError(
                {
                    "": Message(
                        "{label} is {state}; {reason}",
                        label=self.label(doc),
                        state=state_word(doc.state),
                        reason=reason,
                    )
                }
            )
        return doc

    def quantities(
        self,
        uow: UnitOfWork,
        chk: v.Checker,
        lines: dict[int, Any],
        wanted: dict[int, object],
        limit: Callable[[Any], int],
        what: str,
        *,
        label: Callable[[Any], str] = lambda ln: ln.description[:30] or f"line {ln.id}",  # a key
        too_many: Callable[[Any], str] | None = None,
    ) -> list[tuple[Any, int]]:
        """A step's quantities as typed per line id (a delivery, a receipt, a return): each
        at most ``limit(line)``, in thousandths; problems go to ``chk`` under ``label(line)``,
        and one entry at least is asked for. ``what``: "delivered", "received" or "returned"
        (_TOO_MANY)."""
        todo = []
        for line_id, raw in wanted.items():
            ln = lines.get(line_id)
            if ln is None:
                chk.add(f"line {line_id}", Message("not a line of this order"))
                continue
            name = label(ln)
            if not str(raw or "").strip():
                continue
            try:
                made_of = uow.session.get(Product, ln.product_id) if ln.product_id else None
                q = product_qty(uow, made_of, raw)
            except AmountError as exc:
                chk.add(name, exc.args[0])
                continue
            if q > limit(ln):
                chk.add(
                    name,
                    too_many(ln)
                    if too_many
                    else Message(_TOO_MANY[what], qty=qty_text(limit(ln), uow.input_locale)),
                )
            elif q:
                todo.append((ln, q))
        if not todo and not chk.errors:
            chk.add("", Message(_NONE_GIVEN[what]))
        return todo

    def on_or_after_order(self, chk: v.Checker, doc: Any, day: date | None) -> None:  # noqa: ANN401
        """A step of the order (a receipt, a delivery, an invoice, a return) is dated on the
        order's day or later: its entry would otherwise sit in the books before the order."""
        if day is not None and day < doc.order_date:
            chk.add(
                "date",
                Message(
                    "{day} is before {label} was ordered, on {ordered}",
                    day=date_text(day),
                    label=self.label(doc),
                    ordered=date_text(doc.order_date),
                ),
            )

    def not_ahead(self, chk: v.Checker, day: date | None) -> None:
        """Goods are recorded as they move (inventory.moves.ahead_problem)."""
        ahead = ahead_problem(day) if day is not None else None
        if ahead is not None:
            chk.add("date", ahead)

    def move(self, uow: UnitOfWork, doc: Any, step: str, new: str, action: str) -> None:  # noqa: ANN401
        """Take a step that only changes the state, recorded as ``action``."""
        before = doc.state
        self.flow.move(doc, step, new)
        touch(uow, doc)
        uow.audit(self.entity, doc.id, action, before={"state": before}, after={"state": new})


@dataclass(frozen=True)
class OpenDocument:
    """An invoice or a supplier bill with something still to pay (``open``), as a payment
    of several documents lists them; ``named``: what that payment's problems call it
    ("INV-00007 amount", "AC-1234 amount")."""

    id: int
    label: str
    issued: date
    due: date
    open: Decimal
    named: str


def paid_after(chk: v.Checker, day: date, when: object, label: str, dated: date) -> None:
    """A payment a person dates (``when`` typed) before the document it pays (``dated``) is
    refused: INV-00041 of 5 December was paid on the 1st, and the customer's statement
    listed the payment before the invoice. A bank line's own date (a ``date``) stands: a
    customer may pay ahead, and the line is matched to the invoice later."""
    if day < dated and not isinstance(when, date):
        chk.add(
            "date",
            Message(
                "{date} is before {label} ({dated}): a payment of it is dated on or after it",
                date=date_text(day),
                label=label,
                dated=date_text(dated),
            ),
        )


def amount_paid(uow: UnitOfWork, chk: v.Checker, amount: object, open_: int, what: str) -> int:
    """A payment's amount as typed, in minor units: all that is open when left empty, never
    zero and never more than is open on the ``what`` (an invoice, a bill)."""
    exp = uow.exponent
    try:
        amt = open_ if amount in (None, "") else parse_money(amount, exp, locale=uow.input_locale)
    except AmountError as exc:
        chk.add("amount", exc.args[0])
        return 0
    if amt <= 0:
        chk.add("amount", Message("must be more than zero"))
    elif amt > open_:
        # as the amount is typed here (1.640,40 in a form of a Spanish shop): typed back as is
        still = editable(from_minor(open_, exp), uow.input_locale)
        chk.add("amount", Message(_STILL_OPEN[what], amount=still))
    return amt
