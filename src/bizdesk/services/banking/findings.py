"""What ``bizdesk check`` verifies about bank statement lines (services/admin/checks.py runs
these): every line sits on a bank or cash account, and no account holds one transaction id or
one fingerprint twice (the store's unique keys say so too; this finds a store changed past
them, or a line whose account lost its role)."""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from bizdesk.i18n import Message
from bizdesk.models.banking import BankLine
from bizdesk.models.ledger import Account
from bizdesk.services.banking.statements import BANK_ROLES


def bank_line_findings(session: Session) -> Iterator[tuple[str, Message]]:
    """(check name, finding) for every statement line that breaks a rule."""
    wrong = session.execute(
        select(BankLine.id, Account.code, Account.name)
        .join(Account, Account.id == BankLine.account_id)
        .where(or_(Account.role.is_(None), Account.role.not_in(BANK_ROLES)))
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
            )
