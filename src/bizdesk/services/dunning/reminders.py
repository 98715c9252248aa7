"""Payment reminders: levels (days overdue -> name, wording, optional fee) and the reminders
they produce, once per level per invoice.

A run (``make_reminders``, `bizdesk reminders`) looks at every open invoice past its due
date on the day: it is due the level after the last it had (level 1 first, however late
it is: a reminder never speaks of reminders that were not sent), once it is that level's
days overdue and, after an earlier reminder, the days between the two levels have passed
since. What is due is grouped into one reminder per customer and level (number series RM),
so each reminder's wording is true of every invoice on it. The
unique constraint on (invoice, level) holds this even when two runs start at once; on SQLite
the second run waits for the first (BEGIN IMMEDIATE) and then finds nothing left to do.

A reminder is frozen when made: the level's name and wording, the open amount and days
overdue of each invoice and the fee are stored with it, so printing it later shows what was
sent. The fee, when the level has one, is posted at once: Dr Receivables (the customer) /
Cr the account with the role ``reminder_fees``; the customer owes it like an invoice (it is
in their balance and statement), and a payment of it is a journal entry, or a bank
line matched to the reminder (services.banking.reconcile: its invoices and its fee).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError

from bizdesk.db.session import UnitOfWork
from bizdesk.errors import Conflict, NotFound, ValidationError
from bizdesk.i18n import N_, Message, language_of, written
from bizdesk.models.contacts import Contact
from bizdesk.models.dunning import Reminder, ReminderItem, ReminderLevel
from bizdesk.models.ledger import Account, Sequence
from bizdesk.models.sales import CustomerPayment, Invoice
from bizdesk.money import AmountError, from_minor, parse_money
from bizdesk.reading import is_digits
from bizdesk.services.base import validate as v
from bizdesk.services.base.numbering import INVOICE, REMINDER, next_number
from bizdesk.services.base.permissions import requires
from bizdesk.services.books.ledger import Posting, account_for, post_entry
from bizdesk.services.crm import terms

MAX_LEVELS = 9
MAX_DAYS = 3650

# The levels a shop starts with (written in the shop's language when first shown or saved).
DEFAULT_LEVELS = (
    (
        7,
        N_("friendly"),
        N_(
            "Perhaps this has slipped your attention: the invoices below are past their due "
            "date. Please pay the amount due at your earliest convenience. If you have already "
            "paid, please disregard this reminder."
        ),
    ),
    (
        21,
        N_("second"),
        N_(
            "We have not yet received payment for the invoices below, although we reminded "
            "you of them. Please pay the amount due within 7 days."
        ),
    ),
    (
        45,
        N_("final"),
        N_(
            "Despite our reminders, the invoices below are still unpaid. Please pay the amount "
            "due within 7 days; otherwise we will have to take further steps."
        ),
    ),
)


@dataclass(frozen=True)
class LevelView:
    level: int
    days: int
    name: str
    wording: str
    fee: Decimal


@dataclass
class LevelInput:
    """What a form or the CLI says about one level: raw text, checked here."""

    days: str = ""
    name: str = ""
    wording: str = ""
    fee: str = ""


@dataclass(frozen=True)
class Covered:
    """An overdue invoice a reminder covers."""

    invoice_id: int
    label: str
    issued_on: date
    due_on: date
    days_overdue: int
    open: Decimal


@dataclass(frozen=True)
class Made:
    """A reminder a run made (what the mail service queues, and the CLI prints)."""

    id: int
    label: str
    customer_id: int
    customer: str
    email: str
    level: int
    level_name: str
    overdue: Decimal
    fee: Decimal
    invoices: tuple[Covered, ...]

    @property
    def total(self) -> Decimal:
        return self.overdue + self.fee


@dataclass(frozen=True)
class ReminderView:
    """A reminder's content as it was made: what its paper shows."""

    id: int
    label: str
    issued_on: date
    customer_id: int
    customer: str
    address: tuple[str, ...]  # street, postcode and city, country (the lines that are set)
    email: str
    level: int
    level_name: str
    wording: str  # in the shop's language, as the level said on the day
    language: str  # that language's code (en, es, ro, vi)
    currency: str
    invoices: tuple[Covered, ...]
    overdue: Decimal
    fee: Decimal
    total: Decimal
    terms: str  # the customer's payment terms in words (English, as stored)


@dataclass(frozen=True)
class ReminderRow:
    id: int
    label: str
    issued_on: date
    customer_id: int
    customer: str
    level: int
    level_name: str
    overdue: Decimal
    fee: Decimal


# --- levels ------------------------------------------------------------------------------


def _levels(uow: UnitOfWork) -> list[LevelView]:
    exp = uow.exponent
    rows = uow.session.scalars(select(ReminderLevel).order_by(ReminderLevel.days)).all()
    if rows:
        return [
            LevelView(r.level, r.days, r.name, r.wording, from_minor(r.fee_minor, exp))
            for r in rows
        ]
    locale = uow.setting("locale")
    return [
        LevelView(i, days, written(locale, name), written(locale, wording), from_minor(0, exp))
        for i, (days, name, wording) in enumerate(DEFAULT_LEVELS, start=1)
    ]


@requires("reminders.view")
def levels(uow: UnitOfWork) -> list[LevelView]:
    """The shop's reminder levels, fewest days first (the defaults until the owner saves)."""
    return _levels(uow)


def _whole_days(value: object) -> int:
    s = v.text(value, max_len=10)
    if not s:
        raise v.FieldError(Message("required"))
    if not is_digits(s) or not 1 <= int(s) <= MAX_DAYS:
        raise v.FieldError(
            Message("a whole number of days from 1 to {most}, such as 14", most=MAX_DAYS)
        )
    return int(s)


@requires("reminders.config")
def set_levels(uow: UnitOfWork, items: list[LevelInput]) -> list[LevelView]:
    """Replace the shop's levels (level 1 = the first item). Days must rise from one level to
    the next; a fee needs an account with the role reminder_fees."""
    if not items:
        raise ValidationError({"": Message("keep at least one reminder level")})
    if len(items) > MAX_LEVELS:
        raise ValidationError({"": Message("at most {n} reminder levels", n=MAX_LEVELS)})
    exp = uow.exponent
    chk = v.Checker()
    clean = []
    for i, it in enumerate(items, start=1):
        days = chk(f"{i}.days", _whole_days, it.days)
        name = chk(f"{i}.name", v.text, it.name, required=True, max_len=60)
        wording = chk(f"{i}.wording", v.text, it.wording, max_len=2000, multiline=True)
        fee = 0
        if str(it.fee or "").strip():
            try:
                fee = parse_money(it.fee, exp, locale=uow.input_locale)
            except AmountError as exc:
                chk.add(f"{i}.fee", exc.args[0])
        if days is not None and clean and clean[-1][0] is not None and days <= clean[-1][0]:
            chk.add(
                f"{i}.days",
                Message("more days than level {level} ({days})", level=i - 1, days=clean[-1][0]),
            )
        clean.append((days, name, wording or "", fee))
    if any(c[3] for c in clean) and (
        uow.session.scalars(select(Account.id).where(Account.role == "reminder_fees")).first()
        is None
    ):
        first = next(i for i, c in enumerate(clean, start=1) if c[3])
        chk.add(
            f"{first}.fee",
            Message("a fee needs an account with the role reminder_fees in the chart"),
        )
    chk.done()
    before = [lv.__dict__ | {"fee": str(lv.fee)} for lv in _levels(uow)]
    uow.session.execute(delete(ReminderLevel))
    uow.session.flush()
    for i, (days, name, wording, fee) in enumerate(clean, start=1):
        uow.session.add(
            ReminderLevel(level=i, days=days, name=name, wording=wording, fee_minor=fee)
        )
    uow.session.flush()
    after = _levels(uow)
    uow.audit(
        "reminder_level",
        None,
        "set",
        before={"levels": before},
        after={"levels": [lv.__dict__ | {"fee": str(lv.fee)} for lv in after]},
    )
    return after


@requires("reminders.config")
def set_default_terms(uow: UnitOfWork, side: str, value: object) -> str:
    """The shop's default payment terms for ``side`` (customer or supplier); returns them as
    stored (English words)."""
    chk = v.Checker()
    side = chk("side", v.choice, side, tuple(terms.SETTING))
    text = chk("terms", terms.parse, value)
    if side and text is None and "terms" not in chk.errors:
        chk.add("terms", Message("required; {expected}", expected=terms.expected()))
    chk.done()
    before = terms.default_terms(uow, side).stored
    uow.set_setting(terms.SETTING[side], text.stored)
    uow.audit(
        "setting",
        None,
        "update",
        before={terms.SETTING[side]: before},
        after={terms.SETTING[side]: text.stored},
    )
    return text.stored


@requires("reminders.view")
def default_terms(uow: UnitOfWork) -> dict[str, str]:
    """The shop's default terms, customer and supplier, as stored (English words)."""
    return {side: terms.default_terms(uow, side).stored for side in terms.SETTING}


# --- making reminders --------------------------------------------------------------------


def _open_overdue(uow: UnitOfWork, as_of: date) -> list[tuple[Invoice, int]]:
    """Invoices past due on ``as_of`` and still open now, with the smaller of what was open
    on that day and what is open now (every payment and credit note counted, whatever its
    day): a reminder for a day past is sent today, so it never asks for what was paid (or
    credited) since."""

    def open_on(day: date | None, name: str):  # noqa: ANN202
        credit = Invoice.__table__.alias(name)
        paid = select(func.coalesce(func.sum(CustomerPayment.amount_minor), 0)).where(
            CustomerPayment.invoice_id == Invoice.id
        )
        credited = select(func.coalesce(func.sum(credit.c.total_minor), 0)).where(
            credit.c.credits_id == Invoice.id
        )
        if day is not None:
            paid = paid.where(CustomerPayment.paid_on <= day)
            credited = credited.where(credit.c.issued_on <= day)
        return Invoice.total_minor - paid.scalar_subquery() - credited.scalar_subquery()

    then = open_on(as_of, "credit_then").label("open_then")
    now = open_on(None, "credit_now").label("open_now")
    rows = uow.session.execute(
        select(Invoice, then, now)
        .where(Invoice.kind == "invoice", Invoice.due_on < as_of, Invoice.issued_on <= as_of)
        .where(then > 0, now > 0)
        .order_by(Invoice.customer_id, Invoice.due_on, Invoice.number)
    ).all()
    return [(inv, min(int(t), int(n))) for inv, t, n in rows]


def _covered(uow: UnitOfWork, items: list[ReminderItem]) -> tuple[Covered, ...]:
    exp = uow.exponent
    out = []
    for it in items:
        inv = uow.session.get(Invoice, it.invoice_id)
        out.append(
            Covered(
                inv.id,
                INVOICE.label(inv.number),
                inv.issued_on,
                inv.due_on,
                it.days_overdue,
                from_minor(it.open_minor, exp),
            )
        )
    return tuple(out)


def _next_levels(
    overdue: list[tuple[Invoice, int]],
    done: dict[int, tuple[int, date]],
    lv: list[LevelView],
    day: date,
) -> Iterator[tuple[Invoice, int, int, int]]:
    """(invoice, open, days overdue, level) for each invoice due a reminder on ``day``: the
    level after the last it had (level 1 first, however late it is, so no reminder speaks
    of reminders never sent), once the invoice is as many days overdue as that level says
    and, after an earlier reminder, as many days have passed since as lie between the two
    levels."""
    for inv, open_minor in overdue:
        days = (day - inv.due_on).days
        last, last_on = done.get(inv.id, (0, None))
        if last >= len(lv):
            continue
        nxt = lv[last]
        if days < nxt.days:
            continue
        if last_on is not None and (day - last_on).days < nxt.days - lv[last - 1].days:
            continue
        yield inv, open_minor, days, nxt.level


@requires("reminders.run")
def make_reminders(uow: UnitOfWork, as_of: object = None) -> list[Made]:
    """Make the reminders due on ``as_of`` (default today; not after today): one per
    customer and level, for the invoices due their next level (_next_levels). Returns what
    was made (nothing when everything due was already reminded)."""
    chk = v.Checker()
    day = chk("as_of", v.iso_date, as_of) or date.today()
    if day > date.today():
        chk.add("as_of", Message("after today; reminders are made on the day or for a day past"))
    chk.done()
    lv = _levels(uow)
    if not lv:
        return []
    # the reminder counter's row first: on PostgreSQL a second run waits here for the first
    next_number(uow, REMINDER)  # taken back below if nothing is made (no gap: same transaction)
    had = uow.session.execute(
        select(ReminderItem.invoice_id, func.max(ReminderItem.level), func.max(Reminder.issued_on))
        .join(Reminder, Reminder.id == ReminderItem.reminder_id)
        .group_by(ReminderItem.invoice_id)
    ).all()
    done = {inv_id: (level, on) for inv_id, level, on in had}
    due: dict[tuple[int, int], list[tuple[Invoice, int, int, int]]] = {}
    for inv, open_minor, days, level in _next_levels(_open_overdue(uow, day), done, lv, day):
        due.setdefault((inv.customer_id, level), []).append((inv, open_minor, days, level))
    seq = uow.session.get(Sequence, REMINDER.name)
    seq.last -= 1  # the number taken above to lock the counter
    uow.session.flush()
    by_level = {x.level: x for x in lv}
    exp = uow.exponent
    made = []
    try:
        for (customer_id, _level), invoices in sorted(due.items(), key=lambda kv: kv[0]):
            made.append(_make_one(uow, day, customer_id, invoices, by_level, exp))
    except IntegrityError:
        raise Conflict(
            Message("Another run made these reminders at the same time; nothing was added.")
        ) from None
    return made


def _make_one(uow, day, customer_id, invoices, by_level, exp) -> Made:  # noqa: ANN001
    level = by_level[max(x[3] for x in invoices)]
    fee = int(level.fee.scaleb(exp))
    overdue = sum(x[1] for x in invoices)
    number = next_number(uow, REMINDER)
    label = REMINDER.label(number)
    rm = Reminder(
        number=number,
        customer_id=customer_id,
        issued_on=day,
        level=level.level,
        level_name=level.name,
        wording=level.wording,
        overdue_minor=overdue,
        fee_minor=fee,
        created_by=uow.user,
    )
    uow.session.add(rm)
    uow.session.flush()
    items = [
        ReminderItem(
            reminder_id=rm.id,
            invoice_id=inv.id,
            level=lvl,
            open_minor=open_minor,
            days_overdue=days,
        )
        for inv, open_minor, days, lvl in invoices
    ]
    uow.session.add_all(items)
    uow.session.flush()
    if fee:
        e = post_entry(
            uow,
            day,
            written(uow.setting("locale"), N_("Reminder fee {number}"), number=label),
            [
                Posting(account_for(uow, "receivable").id, debit_minor=fee, contact_id=customer_id),
                Posting(account_for(uow, "reminder_fees").id, credit_minor=fee),
            ],
            source=("reminder", rm.id),
        )
        rm.entry_id = e.id
        uow.session.flush()
    c = uow.session.get(Contact, customer_id)
    covered = _covered(uow, items)
    uow.audit(
        "reminder",
        rm.id,
        "create",
        after={
            "number": label,
            "customer": customer_id,
            "level": level.level,
            "invoices": [x.label for x in covered],
            "overdue": overdue,
            "fee": fee,
        },
    )
    return Made(
        rm.id,
        label,
        customer_id,
        c.name,
        c.email or "",
        level.level,
        level.name,
        from_minor(overdue, exp),
        from_minor(fee, exp),
        covered,
    )


# --- reading -----------------------------------------------------------------------------


def _find(uow: UnitOfWork, number: object) -> Reminder:
    text = str(number if number is not None else "").strip()
    n = REMINDER.number_in(text) if text else None
    rm = uow.session.scalars(select(Reminder).where(Reminder.number == n)).first() if n else None
    if rm is None:
        raise NotFound(Message("There is no reminder {number}.", number=text or "?"))
    return rm


@requires("reminders.view")
def reminder_view(uow: UnitOfWork, number: object) -> ReminderView:
    """A reminder's content, by its label ("RM-00003") or number, as it was made."""
    rm = _find(uow, number)
    exp = uow.exponent
    c = uow.session.get(Contact, rm.customer_id)
    items = uow.session.scalars(
        select(ReminderItem).where(ReminderItem.reminder_id == rm.id).order_by(ReminderItem.id)
    ).all()
    place = " ".join(x for x in (c.postcode, c.city) if x)
    address = tuple(x for x in (c.street, place, c.country) if x)
    return ReminderView(
        rm.id,
        REMINDER.label(rm.number),
        rm.issued_on,
        c.id,
        c.name,
        address,
        c.email or "",
        rm.level,
        rm.level_name,
        rm.wording,
        language_of(uow.setting("locale")) or "en",
        uow.currency,
        _covered(uow, list(items)),
        from_minor(rm.overdue_minor, exp),
        from_minor(rm.fee_minor, exp),
        from_minor(rm.overdue_minor + rm.fee_minor, exp),
        terms.terms_of(uow, c.id, "customer").stored,
    )


@requires("reminders.view")
def reminders_of(
    uow: UnitOfWork, customer_id: int | None = None, limit: int = 200
) -> list[ReminderRow]:
    """The newest reminders (of one customer, or of all), newest first."""
    exp = uow.exponent
    q = (
        select(Reminder, Contact.name)
        .join(Contact, Contact.id == Reminder.customer_id)
        .order_by(Reminder.id.desc())
        .limit(limit)
    )
    if customer_id is not None:
        q = q.where(Reminder.customer_id == customer_id)
    return [
        ReminderRow(
            rm.id,
            REMINDER.label(rm.number),
            rm.issued_on,
            rm.customer_id,
            name,
            rm.level,
            rm.level_name,
            from_minor(rm.overdue_minor, exp),
            from_minor(rm.fee_minor, exp),
        )
        for rm, name in uow.session.execute(q)
    ]
