"""Budgets (DESIGN section 13): an amount per account per month, entered, imported or copied
from a year's actual figures with a percentage; budget against actual for any period; and
sales targets per owner per month against the deals they won.

Amounts are in the account's natural sign (what a sales account earns, what a rent account
costs; ledger_reports.DEBIT_NATURE), so a budget and its actual figure compare directly.

Two rules of arithmetic, each stated once:

- **Copying** with a percentage: each month's amount is the actual figure of that month
  times (100 + percent) / 100, rounded half-even to the currency's minor unit, per account
  and month (``copy_year``).
- **A period that cuts a month**: the month's budget counts in proportion to the days of
  it inside the period (``days inside / days of the month``), rounded half-even to the
  minor unit per account and month; whole months count exactly (``_prorated``).
"""

from __future__ import annotations

import calendar
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_EVEN, Decimal

from sqlalchemy import delete, func, select

from bizdesk.db.session import UnitOfWork
from bizdesk.errors import ValidationError
from bizdesk.i18n import Lines, Message
from bizdesk.models.base import utcnow
from bizdesk.models.budgets import Budget, SalesTarget
from bizdesk.models.core import User
from bizdesk.models.deals import Deal, PipelineStage
from bizdesk.models.ledger import Account
from bizdesk.money import AmountError, from_minor, parse_money, parse_percent
from bizdesk.reading import DateError, is_digits, json_problem, quoted, read_month
from bizdesk.services.base import validate as v
from bizdesk.services.base.csvio import file_problem, read_rows
from bizdesk.services.base.permissions import requires
from bizdesk.services.books.ledger import resolve_account
from bizdesk.services.books.ledger_reports import DEBIT_NATURE, _sums
from bizdesk.words import ACCOUNT_TYPE_NAMES

_YEAR_HELP = Message("a year as YYYY, e.g. 2026")
PROFIT_TYPES = ("income", "expense")  # what a copied budget covers


def parse_month(value: object, local: bool = False) -> tuple[int, int]:
    """``2026-03`` (and, typed by a person, ``03.2026`` as they write months:
    reading.read_month) -> (2026, 3); anything else is refused with what is expected."""
    try:
        first = read_month(value, local=local)
    except DateError as exc:
        raise v.FieldError(exc.message) from None
    return first.year, first.month


def parse_year(value: object) -> int:
    s = str(value or "").strip()
    if len(s) != 4 or not is_digits(s) or int(s) < 1900:
        raise v.FieldError(_YEAR_HELP)
    return int(s)


def _month_range(year: int, month: int) -> tuple[date, date]:
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def _upsert(uow: UnitOfWork, model, key: dict, amount: int):  # noqa: ANN001, ANN202
    row = uow.session.scalars(select(model).filter_by(**key)).first()
    before = None if row is None else {"amount": row.amount_minor}
    if row is None:
        row = model(**key, amount_minor=amount, updated_by=uow.user)
        uow.session.add(row)
    else:
        row.amount_minor = amount
        row.updated_at = utcnow()
        row.updated_by = uow.user
    uow.session.flush()
    return row, before


def _month_amount(uow: UnitOfWork, model, **key: object) -> Decimal | None:  # noqa: ANN001
    """The amount set for one month (a budget's, a target's); None: not set."""
    minor = uow.session.scalar(select(model.amount_minor).filter_by(**key))
    return None if minor is None else from_minor(minor, uow.exponent)


def _budget_account(uow: UnitOfWork, text: object) -> Account:
    """An income or expense account: a budget is measured against a period's movement,
    which a bank's or a debt's balance is not (a budget of 5 on the bank read 93,265.03
    actual, a variance of 14 million percent)."""
    a = resolve_account(uow, text)
    if a.type not in PROFIT_TYPES:
        raise v.FieldError(
            Message(
                "{code} {name} is a balance-sheet account ({type}): budgets are for income "
                "and expense accounts",
                code=a.code,
                name=a.name,
                type=Message(ACCOUNT_TYPE_NAMES[a.type]),
            )
        )
    return a


def _amount(uow: UnitOfWork, chk: v.Checker, raw: object) -> int | None:
    try:
        return parse_money(raw, uow.exponent, allow_negative=True, locale=uow.input_locale)
    except AmountError as exc:
        chk.add("amount", exc.args[0])
        return None


@dataclass(frozen=True)
class BudgetLine:
    account: str  # the account's code
    name: str
    year: int
    month: int
    amount: Decimal


@requires("budgets.edit")
def set_budget(uow: UnitOfWork, account: object, month: object, amount: object) -> BudgetLine:
    """Set (or change) one account's budget for one month."""
    chk = v.Checker()
    acct = chk("account", _budget_account, uow, account)
    ym = chk("month", parse_month, month, uow.person_input)
    minor = _amount(uow, chk, amount)
    chk.done()
    year, mon = ym
    row, before = _upsert(uow, Budget, {"account_id": acct.id, "year": year, "month": mon}, minor)
    uow.audit(
        "budget",
        row.id,
        "set",
        before=before,
        after={"account": acct.code, "month": f"{year}-{mon:02d}", "amount": minor},
    )
    return BudgetLine(acct.code, acct.name, year, mon, from_minor(minor, uow.exponent))


@requires("budgets.edit")
def month_budget(uow: UnitOfWork, account: object, month: object) -> Decimal | None:
    """One account's budget for one month as set (None: not set), for a form that changes
    it to start from it."""
    chk = v.Checker()
    acct = chk("account", _budget_account, uow, account)
    ym = chk("month", parse_month, month, uow.person_input)
    chk.done()
    return _month_amount(uow, Budget, account_id=acct.id, year=ym[0], month=ym[1])


IMPORT_COLUMNS = ("account", "month", "amount")


@requires("budgets.edit")
def import_budgets(uow: UnitOfWork, data: str | bytes) -> int:
    """Budgets from CSV (columns account, month, amount) or JSON (a list of objects with
    those keys): all of them or, on any problem, none, with ``line N: …`` (CSV) or
    ``item N: …`` (JSON) for each. Returns how many were set."""
    try:
        text = data.decode("utf-8-sig") if isinstance(data, bytes) else data
    except UnicodeDecodeError as exc:
        raise ValidationError(
            {"file": Message("not UTF-8 text (byte {offset} cannot be read)", offset=exc.start)}
        ) from None
    if text.lstrip().startswith(("[", "{")):
        try:
            items = json.loads(text, parse_float=Decimal)  # 5.1 read exactly, never a float
        except json.JSONDecodeError as exc:
            raise file_problem(json_problem(exc)) from None
        if not isinstance(items, list):
            raise ValidationError(
                {"file": Message("a JSON list of objects with keys account, month, amount")}
            )
        rows = []
        for n, item in enumerate(items, 1):
            if not isinstance(item, dict) or set(item) - set(IMPORT_COLUMNS):
                rows.append(
                    (
                        Message("item {n}", n=n),
                        {"__error__": Message("an object with keys account, month, amount")},
                    )
                )
            else:
                rows.append(
                    (Message("item {n}", n=n), {k: item.get(k, "") for k in IMPORT_COLUMNS})
                )
    else:
        rows = [
            (Message("line {n}", n=n), row)
            for n, row in read_rows(text, IMPORT_COLUMNS, IMPORT_COLUMNS)
        ]
    problems: list[str] = []
    todo = []
    first_at: dict[tuple[int, int, int], str] = {}  # account, year, month -> where first
    for where, row in rows:
        if "__error__" in row:
            problems.append(Message("{where}: {problem}", where=where, problem=row["__error__"]))
            continue
        chk = v.Checker()
        acct = chk("account", _budget_account, uow, row["account"])
        ym = chk("month", parse_month, row["month"])
        minor = _amount(uow, chk, row["amount"])
        try:
            chk.done()
        except ValidationError as exc:
            for fld, msg in exc.fields.items():
                problems.append(
                    Message("{where}: {field}: {problem}", where=where, field=fld, problem=msg)
                )
            continue
        key = (acct.id, *ym)
        if key in first_at:  # which one was meant? neither is guessed
            problems.append(
                Message(
                    "{where}: {account} {month} is set already by {first}",
                    where=where,
                    account=acct.code,
                    month=f"{ym[0]}-{ym[1]:02d}",
                    first=first_at[key],
                )
            )
            continue
        first_at[key] = where
        todo.append((acct, ym, minor))
    if problems:
        raise file_problem(Lines(problems))
    for acct, (year, mon), minor in todo:
        _upsert(uow, Budget, {"account_id": acct.id, "year": year, "month": mon}, minor)
    uow.audit("budget", None, "import", after={"rows": len(todo)})
    return len(todo)


def _actual_month(uow: UnitOfWork, year: int, month: int) -> dict[int, int]:
    """Natural-sign movement per income and expense account in one month (minor units);
    an archived account is left out: no budget may be set for it (set_budget), so a copied
    one could not be changed."""
    start, end = _month_range(year, month)
    sums = _sums(uow, start, end)
    kinds = dict(
        uow.session.execute(
            select(Account.id, Account.type).where(
                Account.type.in_(PROFIT_TYPES), Account.archived.is_(False)
            )
        ).all()
    )
    return {a: (d - c) * DEBIT_NATURE[kinds[a]] for a, (d, c) in sums.items() if a in kinds}


def grown(actual_minor: int, percent: Decimal) -> int:
    """The copy rule: actual x (100 + percent) / 100, half-even to the minor unit."""
    return int(
        (Decimal(actual_minor) * (100 + percent) / 100).quantize(Decimal(1), ROUND_HALF_EVEN)
    )


@requires("budgets.edit")
def copy_year(
    uow: UnitOfWork,
    from_year: object,
    to_year: object,
    percent: object = "0",
    *,
    replace: bool = False,
) -> int:
    """A year's budget from another year's actual figures (income and expense accounts not
    archived, each month), changed by ``percent`` (may be negative, not below -100). A year that has
    a budget already is refused unless ``replace``. Returns the budget lines written."""
    chk = v.Checker()
    y1 = chk("from_year", parse_year, from_year)
    y2 = chk("to_year", parse_year, to_year)
    try:
        pct = parse_percent(percent, decimals=2, allow_negative=True, locale=uow.input_locale)
        if pct < -100:
            chk.add("percent", Message("must not be below -100"))
    except AmountError as exc:
        chk.add("percent", exc.args[0])
        pct = Decimal(0)
    if y1 is not None and y1 == y2:
        chk.add("to_year", Message("the same year as the one copied"))
    chk.done()
    there = uow.session.scalar(select(func.count()).select_from(Budget).where(Budget.year == y2))
    if there and not replace:
        raise ValidationError(
            {
                "to_year": Message.plural(
                    "{year} has a budget already ({n} line); --replace copies over it",
                    "{year} has a budget already ({n} lines); --replace copies over it",
                    there,
                    year=y2,
                )
            }
        )
    if there:
        uow.session.execute(delete(Budget).where(Budget.year == y2))
    written = 0
    for month in range(1, 13):
        for account_id, actual in sorted(_actual_month(uow, y1, month).items()):
            if actual:
                uow.session.add(
                    Budget(
                        account_id=account_id,
                        year=y2,
                        month=month,
                        amount_minor=grown(actual, pct),
                        updated_by=uow.user,
                    )
                )
                written += 1
    uow.session.flush()
    uow.audit(
        "budget",
        None,
        "copy",
        after={"from": y1, "to": y2, "percent": str(pct), "lines": written, "replaced": there},
    )
    return written


def _months(date_from: date, date_to: date):  # noqa: ANN202
    """(year, month, share numerator, share denominator) for each month the period meets."""
    y, m = date_from.year, date_from.month
    while (y, m) <= (date_to.year, date_to.month):
        start, end = _month_range(y, m)
        inside = (min(end, date_to) - max(start, date_from)).days + 1
        yield y, m, inside, (end - start).days + 1
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)


def _prorated(amount: int, inside: int, days: int) -> int:
    if inside == days:
        return amount
    return int((Decimal(amount) * inside / days).quantize(Decimal(1), ROUND_HALF_EVEN))


def _budgeted(uow: UnitOfWork, date_from: date, date_to: date) -> dict[int, int]:
    """Budget per account over the period (minor units), months cut by it prorated."""
    months = list(_months(date_from, date_to))
    out: dict[int, int] = {}
    if not months:
        return out
    share = {(y, m): (i, d) for y, m, i, d in months}
    stmt = select(Budget.account_id, Budget.year, Budget.month, Budget.amount_minor).where(
        Budget.year >= date_from.year, Budget.year <= date_to.year
    )
    for account_id, year, month, amount in uow.session.execute(stmt):
        if (year, month) in share:
            out[account_id] = out.get(account_id, 0) + _prorated(amount, *share[(year, month)])
    return out


def default_period(date_from: date | None, date_to: date | None, today: date) -> tuple[date, date]:
    """No dates: this year to date. One date without the other is refused (never guessed)."""
    if date_from is None and date_to is None:
        return date(today.year, 1, 1), today
    if date_from is None or date_to is None:
        raise ValidationError(
            {"period": Message("give both ends of the period (from and to), or neither")}
        )
    if date_to < date_from:
        raise ValidationError({"to": Message("the end of the period is before its start")})
    return date_from, date_to


def percent_of(part: int, whole: int) -> Decimal | None:
    """part / whole in percent, one decimal, half-even; None when whole is 0."""
    if not whole:
        return None
    return (Decimal(part) * 100 / whole).quantize(Decimal("0.1"), ROUND_HALF_EVEN)


@dataclass(frozen=True)
class BudgetRow:
    account_id: int
    code: str
    name: str
    type: str
    budget: Decimal
    actual: Decimal
    variance: Decimal  # actual - budget
    variance_percent: Decimal | None  # variance / |budget| x 100, one decimal


@dataclass(frozen=True)
class BudgetReport:
    date_from: date
    date_to: date
    rows: list[BudgetRow]
    budget_profit: Decimal  # budgeted income - budgeted expenses
    actual_profit: Decimal


@requires("reports.finance")
def budget_report(
    uow: UnitOfWork, date_from: date | None = None, date_to: date | None = None
) -> BudgetReport:
    """Budget against actual per account for the period: every account with a budget in it,
    and every income or expense account that moved in it."""
    date_from, date_to = default_period(date_from, date_to, date.today())
    exp = uow.exponent
    budgeted = _budgeted(uow, date_from, date_to)
    sums = _sums(uow, date_from, date_to)
    accounts = uow.session.scalars(select(Account).order_by(Account.code)).all()
    rows = []
    profit = {"budget": 0, "actual": 0}
    for a in accounts:
        d, c = sums.get(a.id, (0, 0))
        actual = (d - c) * DEBIT_NATURE[a.type]
        if a.id not in budgeted and not (a.type in PROFIT_TYPES and (d or c)):
            continue
        b = budgeted.get(a.id, 0)
        if a.type in PROFIT_TYPES:
            sign = 1 if a.type == "income" else -1
            profit["budget"] += sign * b
            profit["actual"] += sign * actual
        rows.append(
            BudgetRow(
                a.id,
                a.code,
                a.name,
                a.type,
                from_minor(b, exp),
                from_minor(actual, exp),
                from_minor(actual - b, exp),
                percent_of(actual - b, abs(b)),  # a budget below zero: the variance's sign
            )
        )
    return BudgetReport(
        date_from,
        date_to,
        rows,
        from_minor(profit["budget"], exp),
        from_minor(profit["actual"], exp),
    )


@dataclass(frozen=True)
class BudgetGlance:
    """Home's line: this year to date, income and expenses against their budget."""

    income_budget: Decimal
    income: Decimal
    expense_budget: Decimal
    expenses: Decimal


@requires("reports.finance")
def glance(uow: UnitOfWork, today: date) -> BudgetGlance | None:
    """None when this year has no budget (Home then shows no line): one indexed count first,
    so a shop without budgets pays nothing more at start."""
    if not uow.session.scalar(select(Budget.id).where(Budget.year == today.year).limit(1)):
        return None
    start = date(today.year, 1, 1)
    budgeted = _budgeted(uow, start, today)
    sums = _sums(uow, start, today)
    totals = {"income": [0, 0], "expense": [0, 0]}
    kinds = dict(
        uow.session.execute(
            select(Account.id, Account.type).where(Account.type.in_(PROFIT_TYPES))
        ).all()
    )
    for account_id, kind in kinds.items():
        d, c = sums.get(account_id, (0, 0))
        totals[kind][0] += budgeted.get(account_id, 0)
        totals[kind][1] += (d - c) * DEBIT_NATURE[kind]
    exp = uow.exponent
    return BudgetGlance(
        from_minor(totals["income"][0], exp),
        from_minor(totals["income"][1], exp),
        from_minor(totals["expense"][0], exp),
        from_minor(totals["expense"][1], exp),
    )


# --- sales targets


@dataclass(frozen=True)
class TargetLine:
    owner: str
    year: int
    month: int
    amount: Decimal


def _owner(uow: UnitOfWork, value: object) -> str:
    name = v.text(value, max_len=64)
    if not name:
        raise v.FieldError(Message("required"))
    if not uow.session.scalar(select(User.username).where(User.username == name)):
        raise v.FieldError(Message("no user {name}; a target is for a user", name=quoted(name, 60)))
    return name


@requires("targets.edit")
def set_target(uow: UnitOfWork, owner: object, month: object, amount: object) -> TargetLine:
    """Set (or change) a user's sales target for one month (won deals' value)."""
    chk = v.Checker()
    who = chk("owner", _owner, uow, owner)
    ym = chk("month", parse_month, month, uow.person_input)
    minor = None
    try:
        minor = parse_money(amount, uow.exponent, locale=uow.input_locale)
    except AmountError as exc:
        chk.add("amount", exc.args[0])
    chk.done()
    year, mon = ym
    row, before = _upsert(uow, SalesTarget, {"owner": who, "year": year, "month": mon}, minor)
    uow.audit(
        "sales_target",
        row.id,
        "set",
        before=before,
        after={"owner": who, "month": f"{year}-{mon:02d}", "amount": minor},
    )
    return TargetLine(who, year, mon, from_minor(minor, uow.exponent))


@requires("targets.edit")
def month_target(uow: UnitOfWork, owner: object, month: object) -> Decimal | None:
    """A user's sales target for one month as set (None: not set), for a form that changes
    it to start from it."""
    chk = v.Checker()
    who = chk("owner", _owner, uow, owner)
    ym = chk("month", parse_month, month, uow.person_input)
    chk.done()
    return _month_amount(uow, SalesTarget, owner=who, year=ym[0], month=ym[1])


@dataclass(frozen=True)
class TargetRow:
    owner: str
    month: str  # YYYY-MM
    target: Decimal
    won: Decimal  # the value of the deals won that month
    deals: int
    variance: Decimal  # won - target
    percent: Decimal | None  # won / target x 100, one decimal


@requires("reports.crm")
def targets_report(
    uow: UnitOfWork, date_from: date | None = None, date_to: date | None = None
) -> list[TargetRow]:
    """Per owner and month of the period: the target against the value of deals won
    (closed in a won stage) in the period that month. A month the period cuts counts by its
    days, as a budget does: its target prorated, its deals those won inside the period."""
    date_from, date_to = default_period(date_from, date_to, date.today())
    exp = uow.exponent
    share = {(y, m): (i, d) for y, m, i, d in _months(date_from, date_to)}
    cells: dict[tuple[str, int, int], list[int]] = {}
    for owner, year, month, amount in uow.session.execute(
        select(SalesTarget.owner, SalesTarget.year, SalesTarget.month, SalesTarget.amount_minor)
    ):
        if (year, month) in share:
            cells[(owner, year, month)] = [_prorated(amount, *share[(year, month)]), 0, 0]
    # won deals, one row per deal's owner and closing day (closed_at is UTC: its date counts)
    won = uow.session.execute(
        select(Deal.owner, Deal.closed_at, Deal.amount_minor)
        .join(PipelineStage, PipelineStage.id == Deal.stage_id)
        .where(
            PipelineStage.kind == "won",
            Deal.archived.is_(False),
            Deal.closed_at >= datetime.combine(date_from, time(), tzinfo=UTC),
            Deal.closed_at < datetime.combine(date_to + timedelta(days=1), time(), tzinfo=UTC),
        )
    )
    for owner, closed_at, amount in won:
        key = (owner or "", closed_at.year, closed_at.month)
        cell = cells.setdefault(key, [0, 0, 0])
        cell[1] += amount
        cell[2] += 1
    out = []
    for (owner, year, month), (target, value, n) in sorted(cells.items()):
        out.append(
            TargetRow(
                owner,
                f"{year}-{month:02d}",
                from_minor(target, exp),
                from_minor(value, exp),
                n,
                from_minor(value - target, exp),
                percent_of(value, target),
            )
        )
    return out
