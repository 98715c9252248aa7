"""What ``bizdesk check`` verifies about bank statement lines (services/admin/checks.py runs
these): every line sits on a payment account, no account holds one transaction id or one
fingerprint twice (the store's unique keys say so too; this finds a store changed past them,
or a line whose account lost its kind), a matched line's entry moves the account by the
line's amount, and every statement's closing balance equals the account's reconciled
balance on its closing day (services/banking/reconcile.py). While lines up to that day wait
to be matched, a difference is a warning, not yet an error."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from sqlalchemy import String, cast, func, or_, select

from bizdesk.db.session import UnitOfWork
from bizdesk.i18n import N_, Message
from bizdesk.models.banking import BankLine, BankStatement
from bizdesk.models.ledger import Account, JournalEntry, JournalLine
from bizdesk.money import money_text
from bizdesk.reading import FIRST_DAY, LAST_DAY, date_text, quoted
from bizdesk.services.banking.days import USABLE_DAYS, accepted
from bizdesk.services.banking.reconcile import open_lines, reconciled_balance
from bizdesk.services.base.numbering import JOURNAL
from bizdesk.services.books.ledger import IS_PAYMENT_ACCOUNT


def bank_line_findings(uow: UnitOfWork) -> Iterator[tuple[str, Message, str]]:
    """(check name, finding, severity) for every statement line that breaks a rule."""
    session = uow.session
    wrong = session.execute(
        select(BankLine.id, Account.code, Account.name)
        .join(Account, Account.id == BankLine.account_id)
        .where(~IS_PAYMENT_ACCOUNT)
        .order_by(BankLine.id)
    )
    for line_id, code, name in wrong:
        yield (
            "bank-line-account",
            Message(
                "bank line #{id} is on {code} {name}, which is not a bank or cash account",
                id=line_id,
                code=code,
                name=name,
            ),
            "error",
        )
    for column, check in (
        (BankLine.transaction_id, "bank-line-transaction-id"),
        (BankLine.fingerprint, "bank-line-fingerprint"),
    ):
        twice = session.execute(
            select(Account.code, column, func.count())
            .join(Account, Account.id == BankLine.account_id)
            .where(column.is_not(None))
            .group_by(Account.code, column)
            .having(func.count() > 1)
            .order_by(Account.code, column)
        )
        for code, value, n in twice:
            yield (
                check,
                Message(
                    "account {code}: {n} bank lines share {value}",
                    code=code,
                    n=n,
                    value=value,
                ),
                "error",
            )
    yield from _days(uow)
    yield from _matched_entries(uow)
    yield from _closing_balances(uow)


def _days(uow: UnitOfWork) -> Iterator[tuple[str, Message, str]]:
    """A line's booking and value days are days bizdesk accepts (an import refuses others;
    an older bizdesk, or a hand in the store, did not): reconciliation leaves such a line
    out (``days``). The days are read as text: one that is no day cannot be loaded."""
    rows = uow.session.execute(
        select(
            BankLine.id,
            BankLine.statement_id,
            cast(BankLine.booked_on, String),
            cast(BankLine.value_on, String),
            accepted(BankLine.booked_on),
            BankLine.value_on.is_(None) | accepted(BankLine.value_on),
        )
        .where(~USABLE_DAYS)
        .order_by(BankLine.id)
    )
    first, last = date_text(FIRST_DAY), date_text(LAST_DAY)
    for line_id, statement_id, booked, value, booked_ok, value_ok in rows:
        for ok, raw, which in (
            (booked_ok, booked, N_("booking day")),
            (value_ok, value, N_("value date")),
        ):
            if ok:
                continue
            try:
                day = date.fromisoformat(str(raw))
            except ValueError:
                day = None
            said = (
                Message(
                    "its {which} {date} is outside the dates bizdesk accepts ({first} to {last})",
                    which=Message(which),
                    date=date_text(day),
                    first=first,
                    last=last,
                )
                if day is not None
                else Message(
                    "its {which} {text} is not a day", which=Message(which), text=quoted(raw, 30)
                )
            )
            yield (
                "bank-line-date",
                Message(
                    "bank line #{id}: {problem}; reconciliation leaves it out: remove its "
                    "statement #{statement} (bizdesk bank remove-statement {statement}) and "
                    "import the bank's file again",
                    id=line_id,
                    problem=said,
                    statement=statement_id,
                ),
                "error",
            )


def _matched_entries(uow: UnitOfWork) -> Iterator[tuple[str, Message, str]]:
    """A matched line holds an entry, posted, not reversed, moving its account by its
    amount; an open line holds none."""
    exp, loc = uow.exponent, uow.input_locale or uow.setting("locale") or "en_US"
    moved = (
        select(func.coalesce(func.sum(JournalLine.debit_minor - JournalLine.credit_minor), 0))
        .where(
            JournalLine.entry_id == BankLine.entry_id,
            JournalLine.account_id == BankLine.account_id,
        )
        .scalar_subquery()
    )
    rows = uow.session.execute(
        select(BankLine.id, BankLine.state, BankLine.amount_minor, moved, JournalEntry.number)
        .outerjoin(JournalEntry, JournalEntry.id == BankLine.entry_id)
        .where(
            or_(
                (BankLine.state == "matched")
                & (
                    BankLine.entry_id.is_(None)
                    | (JournalEntry.state != "posted")
                    | JournalEntry.reversed_by_id.is_not(None)
                    | (moved != BankLine.amount_minor)
                ),
                (BankLine.state != "matched") & BankLine.entry_id.is_not(None),
            )
        )
        .order_by(BankLine.id)
    )
    for line_id, state, amount, got, number in rows:
        yield (
            "bank-line-entry",
            Message(
                "bank line #{id} ({state}, {amount}) and its entry {entry} (moving {moved}) "
                "do not agree",
                id=line_id,
                state=state,
                amount=money_text(amount, exp, loc),
                entry=JOURNAL.label(number) if number else "-",
                moved=money_text(got, exp, loc),
            ),
            "error",
        )


def _closing_balances(uow: UnitOfWork) -> Iterator[tuple[str, Message, str]]:
    exp = uow.exponent
    # amounts as the shop writes them, as every table and sentence shows them ("5,000.00"),
    # never the machine form ("5000.00"); a form's own locale where one is typed into
    loc = uow.input_locale or uow.setting("locale") or "en_US"
    rows = uow.session.execute(
        select(Account.id, Account.code, BankStatement.closing_date, BankStatement.closing_minor)
        .join(BankStatement, BankStatement.account_id == Account.id)
        .where(BankStatement.closing_minor.is_not(None))
        .distinct()
        .order_by(Account.code, BankStatement.closing_date)
    )
    for account_id, code, day, closing in rows:
        have = reconciled_balance(uow, account_id, day)
        if have == closing:
            continue
        waiting = open_lines(uow, account_id, day)
        yield (
            "bank-closing-balance",
            Message(
                "account {code}: the statement closes at {closing} on {date} but the "
                "reconciled balance is {balance}; {waiting}",
                code=code,
                closing=money_text(closing, exp, loc),
                date=date_text(day),
                balance=money_text(have, exp, loc),
                waiting=Message.plural(
                    "{n} line up to that day waits to be matched",
                    "{n} lines up to that day wait to be matched",
                    waiting,
                )
                if waiting
                else Message("every line up to that day is matched"),
            ),
            "warning" if waiting else "error",
        )
