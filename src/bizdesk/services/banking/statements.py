"""Importing a bank statement: every line stored once per account.

A line already imported is recognised by the bank's transaction id (OFX FITID, CAMT
AcctSvcrRef, a CSV ``code`` column) or else by its fingerprint: a hash of its booking day,
amount, counterpart and text, and its place among the identical lines of that day in the
file. Two real coffees of 2.50 at the same bar on one day are two lines (0 and 1); the same
statement, or one that overlaps it, imported again finds both already there. (A statement
that starts in the middle of a day and holds only the second of two identical lines would
take it for the first: banks cut statements at day ends.)

Both keys are unique on the account in the store, and the lines are inserted with "on
conflict do nothing", so two imports at once (SQLite or PostgreSQL) still store each line
once. A file with any bad line changes nothing.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import case, delete, func, select

from bizdesk.db.session import UnitOfWork
from bizdesk.errors import ValidationError
from bizdesk.folding import fold
from bizdesk.i18n import Message
from bizdesk.models.banking import BankLine, BankStatement
from bizdesk.models.base import utcnow
from bizdesk.models.ledger import Account
from bizdesk.money import from_minor
from bizdesk.reading import is_digits, quoted
from bizdesk.services.banking import csv_rules, reading
from bizdesk.services.banking.reading import Problems, ReadLine, ReadStatement
from bizdesk.services.base.permissions import requires
from bizdesk.services.books.ledger import payment_kind

# The payment kinds of the accounts statements come in for (every account money is paid
# through: bank, cash and card clearing; services/books/ledger.py PAYMENT_KINDS).
BANK_ROLES = ("bank", "cash", "card")
FORMATS = ("csv", "ofx", "camt053")


def is_bank_account(account: Account) -> bool:
    return payment_kind(account) in BANK_ROLES


@dataclass(frozen=True)
class ImportSummary:
    """What an import found and did."""

    format: str
    account: str  # the account's code
    read: int
    added: int
    already: int
    dry_run: bool
    statement_id: int | None
    closing: Decimal | None
    closing_date: date | None
    nothing: int = 0  # lines of 0.00: read, not stored (they move no money to match)
    no_closing: Message | None = None  # why there is no closing balance, when one was given

    @property
    def message(self) -> Message:
        """The summary for people, each count with its own plural."""
        read = Message.plural("{n} line read", "{n} lines read", self.read)
        if self.dry_run:
            added = Message.plural("{n} would be added", "{n} would be added", self.added)
        else:
            added = Message.plural("{n} added", "{n} added", self.added)
        already = Message.plural("{n} already there", "{n} already there", self.already)
        if self.nothing:
            zero = Message.plural(
                "{n} of zero left out (it moves no money)",
                "{n} of zero left out (they move no money)",
                self.nothing,
            )
            return Message(
                "{read}: {added}, {already}, {zero}.",
                read=read, added=added, already=already, zero=zero,
            )  # fmt: skip
        return Message("{read}: {added}, {already}.", read=read, added=added, already=already)


@dataclass(frozen=True)
class StatementView:
    """One imported file, as the list of statements shows it."""

    id: int
    account: str  # the ledger account's code
    account_ref: str  # the bank account the file named ("" when it named none)
    source_name: str
    format: str
    imported_at: datetime
    imported_by: str
    lines: int  # the lines it brought (lines it shared with an earlier file are that file's)
    matched: int
    closing: Decimal | None
    closing_date: date | None


@requires("bank.view")
def list_statements(uow: UnitOfWork, account: str | None = None) -> list[StatementView]:
    """The imported statements, newest first (of ``account`` only, a code, when given)."""
    counts = (
        select(
            BankLine.statement_id,
            func.count().label("lines"),
            func.sum(case((BankLine.state == "matched", 1), else_=0)).label("matched"),
        )
        .group_by(BankLine.statement_id)
        .subquery()
    )
    query = (
        select(BankStatement, Account.code, counts.c.lines, counts.c.matched)
        .join(Account, Account.id == BankStatement.account_id)
        .outerjoin(counts, counts.c.statement_id == BankStatement.id)
        .order_by(BankStatement.id.desc())
    )
    if account is not None:
        query = query.where(Account.id == _bank_account(uow, account).id)
    exp = uow.exponent
    return [
        StatementView(
            st.id,
            code,
            st.account_ref,
            st.source_name,
            st.format,
            st.imported_at,
            st.imported_by,
            lines or 0,
            matched or 0,
            from_minor(st.closing_minor, exp) if st.closing_minor is not None else None,
            st.closing_date,
        )
        for st, code, lines, matched in uow.session.execute(query)
    ]


@requires("bank.import")
def remove_statement(uow: UnitOfWork, statement_id: object) -> Message:
    """Take back an import (a file of the wrong account, a wrong file): the statement and
    the lines it brought, none of them matched (undo those matches first: the books keep
    what was posted until then). The file may be imported again."""
    number = str(statement_id or "").strip().lstrip("#")
    st = uow.session.get(BankStatement, int(number)) if is_digits(number) else None
    if st is None:
        raise ValidationError(
            {"statement": Message("no statement {id}", id=quoted(statement_id or "", 20))}
        )
    matched = list(
        uow.session.scalars(
            select(BankLine.id)
            .where(BankLine.statement_id == st.id, BankLine.state != "open")
            .order_by(BankLine.id)
        )
    )
    if matched:
        raise ValidationError(
            {
                "statement": Message.plural(
                    "statement #{id} has {n} matched line ({lines}); undo its match first "
                    "(u on the bank screen, or bizdesk bank undo LINE)",
                    "statement #{id} has {n} matched lines ({lines}); undo their matches "
                    "first (u on the bank screen, or bizdesk bank undo LINE)",
                    len(matched),
                    id=st.id,
                    lines=", ".join(f"#{i}" for i in matched[:5])
                    + (", …" if len(matched) > 5 else ""),
                )
            }
        )
    lines = uow.session.execute(delete(BankLine).where(BankLine.statement_id == st.id)).rowcount
    uow.audit(
        "bank_statement",
        st.id,
        "delete",
        before={
            "account_id": st.account_id,
            "file": st.source_name,
            "sha256": st.source_hash,
            "lines": lines,
        },
    )
    uow.session.delete(st)
    removed = Message.plural(
        "Statement #{id} ({file}) removed with its {n} line; the file may be imported again.",
        "Statement #{id} ({file}) removed with its {n} lines; the file may be imported again.",
        lines,
        id=st.id,
        file=st.source_name or st.format,
    )
    later = uow.session.scalar(
        select(func.count())
        .select_from(BankStatement)
        .where(BankStatement.account_id == st.account_id, BankStatement.id > st.id)
    )
    if not later:
        return removed
    # a line is stored once, with the first file that held it: a later file's lines that
    # this one held too went with it, until that file is imported again
    return Message(
        "{removed} Lines it shared with a later statement of the account went too: import "
        "that file again to bring them back.",
        removed=removed,
    )


def detect_format(data: bytes, has_rules: bool) -> str:
    """csv (whenever a rules file is given), ofx or camt053, from the file's first bytes."""
    if has_rules:
        return "csv"
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n").upper()
    if not head:
        raise ValidationError(
            {"file": Message("the file is empty: nothing in it to import; export it again")}
        )
    if head.startswith(b"OFXHEADER") or b"<OFX>" in head or b"<?OFX" in head:
        return "ofx"
    if head.startswith(b"<?XML") or head.startswith(b"<DOCUMENT"):
        return "camt053"
    raise ValidationError(
        {
            "file": Message(
                "not an OFX or CAMT.053 file; a CSV statement needs its rules file (--rules FILE)"
            )
        }
    )


def fingerprint(line: ReadLine, index: int) -> str:
    """A stable hash of a line: day, amount, counterpart, text and its place among the
    identical lines of that day in the file (letter case and spacing do not count); for a
    line the bank gave an id, that id instead of its place: two coffees of the same price
    on one day, in statements downloaded on two days, are two lines when their ids differ."""
    key = "\x1f".join(
        (
            line.booked_on.isoformat(),
            str(line.amount_minor),
            fold(" ".join(line.counterpart.split())),
            fold(" ".join(line.text.split())),
            f"id:{line.transaction_id}" if line.transaction_id else str(index),
        )
    )
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def fingerprints(lines: list[ReadLine]) -> list[str]:
    seen: Counter[tuple] = Counter()
    out = []
    for ln in lines:
        same = (ln.booked_on, ln.amount_minor, fold(ln.counterpart), fold(ln.text))
        out.append(fingerprint(ln, seen[same]))
        seen[same] += 1
    return out


def _bank_account(uow: UnitOfWork, code: object) -> Account:
    text = str(code or "").strip()
    acct = uow.session.scalars(select(Account).where(Account.code == text)).first()
    if acct is None:
        raise ValidationError({"account": Message("no account {code}", code=quoted(text, 20))})
    if not is_bank_account(acct):
        raise ValidationError(
            {
                "account": Message(
                    "{code} {name} is not a bank or cash account; statements go to an account "
                    "with the role bank or cash",
                    code=acct.code,
                    name=acct.name,
                )
            }
        )
    if acct.archived:
        raise ValidationError(
            {"account": Message("{code} {name} is archived", code=acct.code, name=acct.name)}
        )
    return acct


def _read_statement(
    uow: UnitOfWork, data: bytes, rules: bytes | None, exponent: int
) -> ReadStatement:
    """The file's lines, or a ValidationError listing every bad line."""
    fmt = detect_format(data, rules is not None)
    problems = Problems()
    if fmt == "csv":
        parsed_rules = csv_rules.parse_rules(rules or b"", problems)
        if problems:
            raise ValidationError({"rules": problems.as_text()}, message=problems.as_text())
        statement = csv_rules.read_csv(data, parsed_rules, exponent, problems)
        _check_rule_accounts(uow, parsed_rules, problems)
    elif fmt == "ofx":
        statement = reading.read_ofx(data, exponent, problems)
    else:
        statement = reading.read_camt(data, exponent, problems)
    currency = uow.currency.upper()
    if statement.currency and statement.currency != currency:
        problems.add(
            None,
            Message(
                "the statement is in {currency}, but the shop's books and its bank accounts "
                "are kept in {shop}: import a statement of an account in {shop}",
                currency=reading.currency_shown(statement.currency),
                shop=currency,
            ),
        )
    if not problems and not statement.lines:
        problems.add(None, Message("the file holds no statement lines"))
    _same_id_same_line(statement.lines, problems)
    if problems:
        raise ValidationError({"file": problems.as_text()}, message=problems.as_text())
    return statement


_IBAN = re.compile(r"[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}")


def same_bank_account(one: str, other: str) -> bool:
    """Whether two files' names of a bank account name the same one: the same text (spaces
    and case aside), or an IBAN and the account number its domestic part ends with (an OFX
    file's ACCTID is often the sort code and number, a camt file's the IBAN: GB82 WEST
    1234 5698 7654 32 and 12345698765432), of six characters at least."""
    a, b = (re.sub(r"\s+", "", x).upper() for x in (one, other))
    if a == b:
        return True
    for iban, number in ((a, b), (b, a)):
        if _IBAN.fullmatch(iban) and len(number) >= 6 and iban[4:].endswith(number):
            return True
    return False


def _same_bank_account(uow: UnitOfWork, acct: Account, ref: str) -> None:
    """A file that names its bank account goes to the ledger account whose statements were
    of that bank account; a statement of another bank account would be reconciled against
    the wrong money. (A CSV file names none: the user's choice of account stands.)"""
    if not ref:
        return
    known = uow.session.execute(  # a few rows: one a bank account the shop has
        select(BankStatement.account_id, BankStatement.account_ref)
        .where(BankStatement.account_ref != "")
        .distinct()
        .order_by(BankStatement.account_id, BankStatement.account_ref)
    ).all()
    same = [k for k in known if same_bank_account(k.account_ref, ref)]
    if any(k.account_id == acct.id for k in same):
        return
    if same:
        other = uow.session.get(Account, same[0].account_id)
        message = Message(
            "the file is a statement of bank account {ref}, whose statements go to "
            "{code} {name}; import it there",
            ref=ref,
            code=other.code,
            name=other.name,
        )
    else:
        held = next((k.account_ref for k in known if k.account_id == acct.id), None)
        if held is None:
            return
        message = Message(
            "the file is a statement of bank account {ref}, but {code} {name} holds the "
            "statements of bank account {known}; import it into the account it belongs to",
            ref=ref,
            code=acct.code,
            name=acct.name,
            known=held,
        )
    raise ValidationError({"file": message}, message=message)


def _same_id_same_line(lines: list[ReadLine], problems: Problems) -> None:
    """A transaction id given twice in one file names one line given twice (stored once);
    twice with another day, amount or text it names two lines the bank told apart by
    nothing: one of them would be dropped unsaid, so the file is refused."""
    first: dict[str, ReadLine] = {}
    for ln in lines:
        if not ln.transaction_id:
            continue
        was = first.setdefault(ln.transaction_id, ln)
        if was is not ln and _what(was) != _what(ln):
            problems.add(
                ln.line,
                Message(
                    "transaction id {id} is line {other}'s too, with another day, amount or "
                    "text: the bank's file gives two lines one id; ask the bank for the "
                    "statement again",
                    id=quoted(ln.transaction_id, 30),
                    other=was.line,
                ),
            )


def _what(ln: ReadLine) -> tuple:
    return (ln.booked_on, ln.amount_minor, ln.counterpart, ln.text)


def _check_rule_accounts(uow: UnitOfWork, rules: csv_rules.Rules, problems: Problems) -> None:
    codes = {b.sets["account"]: b.set_on["account"] for b in rules.blocks if b.sets.get("account")}
    if not codes:
        return
    known = set(uow.session.scalars(select(Account.code).where(Account.code.in_(list(codes)))))
    for code, line in codes.items():
        if code not in known:
            problems.add(
                line,
                Message("rules file: account2 {code} is not in the chart", code=quoted(code, 30)),
            )


@requires("bank.import")
def import_statement(
    uow: UnitOfWork,
    data: bytes,
    *,
    account: str,
    rules: bytes | None = None,
    filename: str = "",
    dry_run: bool = False,
) -> ImportSummary:
    """Store the statement's lines that the account does not have yet (all of the file is
    read and checked first: a bad line refuses the whole file). ``dry_run`` stores nothing
    and says what would be added."""
    if not isinstance(data, bytes | bytearray):
        raise ValidationError({"file": Message("the statement file could not be read")})
    acct = _bank_account(uow, account)
    exp = uow.exponent
    statement = _read_statement(uow, bytes(data), rules, exp)
    _same_bank_account(uow, acct, statement.account_ref)
    lines = [ln for ln in statement.lines if ln.amount_minor]  # 0.00 moves nothing to match
    prints = fingerprints(lines)
    ids = [ln.transaction_id for ln in lines if ln.transaction_id]
    known_ids: set[str] = set()
    known_prints: set[str] = set()
    for chunk in range(0, max(len(lines), 1), 500):
        part_ids = ids[chunk : chunk + 500]
        if part_ids:
            known_ids.update(
                uow.session.scalars(
                    select(BankLine.transaction_id).where(
                        BankLine.account_id == acct.id, BankLine.transaction_id.in_(part_ids)
                    )
                )
            )
        known_prints.update(
            uow.session.scalars(
                select(BankLine.fingerprint).where(
                    BankLine.account_id == acct.id,
                    BankLine.fingerprint.in_(prints[chunk : chunk + 500]),
                )
            )
        )
    new = [
        (ln, fp)
        for ln, fp in zip(lines, prints, strict=True)
        if (ln.transaction_id not in known_ids if ln.transaction_id else fp not in known_prints)
    ]  # a line with the bank's id is known by that id alone
    # the same transaction id twice in one file: one line
    seen_ids: set[str] = set()
    unique = []
    for ln, fp in new:
        if ln.transaction_id is not None:
            if ln.transaction_id in seen_ids:
                continue
            seen_ids.add(ln.transaction_id)
        unique.append((ln, fp))
    digest = hashlib.sha256(bytes(data)).hexdigest()
    closing = statement.closing
    if dry_run or not uow.write:
        return _summary(statement, acct, exp, len(unique), True, None)
    statement_id = _insert_statement(uow, acct, statement, digest, filename)
    if statement_id is None:  # this very file came before: its lines go back under its row
        # (they are all there, unless an earlier file that held them too was removed)
        statement_id = uow.session.scalar(
            select(BankStatement.id).where(
                BankStatement.account_id == acct.id, BankStatement.source_hash == digest
            )
        )
        if not unique:
            return _summary(statement, acct, exp, 0, False, None)
    added = 0
    for ln, fp in unique:
        added += _insert_line(uow, acct.id, statement_id, ln, fp)
    uow.audit(
        "bank_statement",
        statement_id,
        "import",
        after={
            "account": acct.code,
            "file": filename,
            "sha256": digest,
            "format": statement.format,
            "lines": len(lines),
            "added": added,
            "closing": closing[0] if closing else None,
        },
    )
    return _summary(statement, acct, exp, added, False, statement_id)


def _summary(
    statement: ReadStatement,
    acct: Account,
    exponent: int,
    added: int,
    dry_run: bool,
    statement_id: int | None,
) -> ImportSummary:
    closing = statement.closing
    read = len(statement.lines)
    nothing = sum(1 for ln in statement.lines if not ln.amount_minor)
    return ImportSummary(
        statement.format,
        acct.code,
        read,
        added,
        read - nothing - added,
        dry_run,
        statement_id,
        from_minor(closing[0], exponent) if closing else None,
        closing[1] if closing else None,
        nothing,
        statement.no_closing,
    )


def _insert(uow: UnitOfWork, table, values: dict):  # noqa: ANN001, ANN202
    """INSERT ... ON CONFLICT DO NOTHING RETURNING id, on SQLite and PostgreSQL."""
    dialect = uow.session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    stmt = insert(table).values(**values).on_conflict_do_nothing().returning(table.c.id)
    return uow.session.execute(stmt).scalar()


def _insert_statement(
    uow: UnitOfWork, acct: Account, statement: ReadStatement, digest: str, filename: str
) -> int | None:
    """The statement's row; None when this very file was imported to the account before
    (then every line is there already)."""
    opening, closing = statement.opening, statement.closing
    return _insert(
        uow,
        BankStatement.__table__,
        {
            "account_id": acct.id,
            "source_name": (filename or "")[-255:],
            "source_hash": digest,
            "format": statement.format,
            "account_ref": statement.account_ref,
            "imported_at": utcnow(),
            "imported_by": uow.user,
            "opening_minor": opening[0] if opening else None,
            "opening_date": opening[1] if opening else None,
            "closing_minor": closing[0] if closing else None,
            "closing_date": closing[1] if closing else None,
        },
    )


def _insert_line(uow: UnitOfWork, account_id: int, statement_id: int, ln: ReadLine, fp: str) -> int:
    got = _insert(
        uow,
        BankLine.__table__,
        {
            "statement_id": statement_id,
            "account_id": account_id,
            "booked_on": ln.booked_on,
            "value_on": ln.value_on,
            "amount_minor": ln.amount_minor,
            "counterpart": ln.counterpart,
            "counterpart_iban": ln.counterpart_iban,
            "text": ln.text,
            "transaction_id": ln.transaction_id,
            "fingerprint": fp,
            "state": "open",
            "rule_account": ln.rule_account,
            "rule_contact": ln.rule_contact,
            "rule_memo": ln.rule_memo,
        },
    )
    return 0 if got is None else 1
