"""CSV imports for the ERP side: products, stock counts and journal entries.

Every row is checked first and every problem reported as ``line N: column: problem``;
then all rows are written, or none (the caller's unit of work rolls back on error).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError

from bizdesk.db.bulk import insert_rows
from bizdesk.db.session import UnitOfWork
from bizdesk.errors import Conflict, ValidationError
from bizdesk.models.base import utcnow
from bizdesk.models.contacts import Contact
from bizdesk.models.ledger import Account, JournalEntry, Sequence
from bizdesk.models.stock import Product
from bizdesk.money import AmountError, from_minor, parse_money, percent_from_bp, qty_from_scaled
from bizdesk.services.base import permissions
from bizdesk.services.base import validate as v
from bizdesk.services.base.csvio import read_rows
from bizdesk.services.base.permissions import requires
from bizdesk.services.books import ledger
from bizdesk.services.books.entry_search import index_entries
from bizdesk.services.exchange.crm_imports import BATCH as STAGE_BATCH
from bizdesk.services.exchange.crm_imports import ImportResult, _chunks, _Staging, fewer_indexes
from bizdesk.services.inventory import stock

PRODUCT_COLUMNS = (
    "sku",
    "name",
    "unit",
    "sale_price",
    "cost",
    "vat_rate",
    "supplier",
    "reorder_point",
    "reorder_qty",
    "allow_negative",
    "stocked",
)
PRODUCT_REQUIRED = ("sku", "name")
STOCK_COUNT_COLUMNS = ("sku", "counted", "location", "reason")
STOCK_COUNT_REQUIRED = ("sku", "counted")
JOURNAL_COLUMNS = ("entry", "date", "account", "debit", "credit", "memo", "contact")
JOURNAL_REQUIRED = ("entry", "date", "account")


def _report(errors: list[str]) -> None:
    if errors:
        shown = errors[:200]
        if len(errors) > len(shown):
            shown.append(f"... and {len(errors) - len(shown)} more problems")
        raise ValidationError({"file": "\n".join(shown)})


def _row_errors(line: int, exc: ValidationError) -> list[str]:
    return [f"line {line}: {col or 'row'}: {msg}" for col, msg in exc.fields.items()]


def _dry_run_guard(
    uow: UnitOfWork, dry_run: bool, work: Callable[[], ImportResult]
) -> ImportResult:
    """Run ``work`` inside a savepoint; a dry run rolls it back and only reports."""
    sp = uow.session.begin_nested()
    try:
        result = work()
    except BaseException:
        sp.rollback()
        raise
    if dry_run:
        sp.rollback()
        result.dry_run = True
    else:
        sp.commit()
    return result


@requires("products.edit")
def import_products(uow: UnitOfWork, data: bytes | str, *, dry_run: bool = False) -> ImportResult:
    """Create products, or update the ones whose SKU exists."""
    rows = list(read_rows(data, PRODUCT_COLUMNS, PRODUCT_REQUIRED))

    def work() -> ImportResult:
        result = ImportResult()
        errors: list[str] = []
        seen: dict[str, int] = {}
        for line, row in rows:
            if "__error__" in row:
                errors.append(f"line {line}: {row['__error__']}")
                continue
            sku = row.get("sku", "").strip().upper()
            if v.text_problem(sku):  # checked before it is looked up
                errors.append(f"line {line}: sku: {v.text_problem(sku)}")
                continue
            if sku in seen:
                errors.append(f"line {line}: sku: {sku} is also on line {seen[sku]}")
                continue
            seen[sku] = line
            defaults = stock.ProductInput()
            inp = stock.ProductInput(
                **{k: row.get(k) or getattr(defaults, k) for k in PRODUCT_COLUMNS}
            )
            existing = uow.session.scalars(select(Product).where(Product.sku == sku)).first()
            if existing is not None and not (row.get("stocked") or "").strip():
                inp.stocked = existing.stocked  # a file without the column keeps a service one
            try:
                if existing is None:
                    stock.create_product(uow, inp)
                    result.created += 1
                else:
                    before = stock.get_product(uow, existing.id)
                    if stock.product_input(before) == _normalised(uow, inp, existing.id):
                        result.skipped += 1
                        continue
                    stock.update_product(uow, existing.id, inp, version=existing.version)
                    result.updated += 1
            except ValidationError as exc:
                errors.extend(_row_errors(line, exc))
        _report(errors)
        return result

    return _dry_run_guard(uow, dry_run, work)


def _normalised(
    uow: UnitOfWork, inp: stock.ProductInput, self_id: int
) -> stock.ProductInput | None:
    """The input as it would read back after saving (to tell unchanged rows apart)."""
    try:
        clean = stock._clean_product(uow, inp, self_id=self_id)  # noqa: SLF001
    except ValidationError:
        return None
    exp = uow.exponent
    sup = uow.session.get(Contact, clean["supplier_id"]) if clean["supplier_id"] else None
    return stock.ProductInput(
        clean["sku"],
        clean["name"],
        clean["unit"],
        str(from_minor(clean["sale_price_minor"], exp)),
        str(from_minor(clean["cost_minor"], exp)),
        str(percent_from_bp(clean["vat_bp"])),
        sup.name if sup else "",
        str(qty_from_scaled(clean["reorder_point_scaled"])),
        str(qty_from_scaled(clean["reorder_qty_scaled"])),
        clean["allow_negative"],
        clean["stocked"],
    )


@requires("stock.move")
def import_stock_count(
    uow: UnitOfWork, data: bytes | str, *, dry_run: bool = False, when: date | None = None
) -> ImportResult:
    """Counted quantities per SKU (and location); differences post as adjustments.
    ``created`` counts the products adjusted, ``skipped`` the ones that matched the books."""
    rows = list(read_rows(data, STOCK_COUNT_COLUMNS, STOCK_COUNT_REQUIRED))

    def work() -> ImportResult:
        result = ImportResult()
        errors: list[str] = []
        seen: dict[tuple[str, str], int] = {}
        for line, row in rows:
            if "__error__" in row:
                errors.append(f"line {line}: {row['__error__']}")
                continue
            key = (row.get("sku", "").strip().upper(), row.get("location", "").strip().lower())
            if key in seen:
                errors.append(f"line {line}: sku: {key[0]} is also counted on line {seen[key]}")
                continue
            seen[key] = line
            try:
                p = stock.resolve_product(uow, row.get("sku", ""))
            except v.FieldError as exc:
                errors.append(f"line {line}: sku: {exc}")
                continue
            try:
                r = stock.count(
                    uow,
                    p.id,
                    row.get("counted", ""),
                    row.get("reason") or "stock count",
                    location=row.get("location", ""),
                    when=when,
                )
            except ValidationError as exc:
                errors.extend(_row_errors(line, exc))
                continue
            if r.qty:
                result.created += 1
            else:
                result.skipped += 1
        _report(errors)
        return result

    return _dry_run_guard(uow, dry_run, work)


# --- journal: the fast path (30,000+ lines a second) ----------------------------------------

# the machine form only (digits, at most one ".", no sign, no grouping, no spaces); any other
# text goes to money.parse_money, which decides (and says what is expected)
_PLAIN_AMOUNT = re.compile(r"(0|[1-9][0-9]{0,12})(?:\.([0-9]+))?\Z")


def _amount_parser(exp: int, locale: str | None = None) -> Callable[[str], int]:
    """Amount text -> minor units; plain "123.45" without Decimal, the rest via parse_money.
    A file in a named locale (``import --locale``) is read in that locale's form only."""
    if locale is not None:
        return lambda text: parse_money(text, exp, locale=locale) if text.strip() else 0

    def parse(text: str) -> int:
        if not text.strip():
            return 0
        m = _PLAIN_AMOUNT.match(text)
        if m and len(m.group(2) or "") <= exp:
            frac = (m.group(2) or "").ljust(exp, "0")
            return int(m.group(1)) * 10**exp + (int(frac) if frac else 0)
        return parse_money(text, exp)

    return parse


@dataclass(slots=True)
class _Entry:
    key: str
    first_line: int
    date: date | None = None
    memo: str = ""
    debit: int = 0
    credit: int = 0
    lines: int = 0  # its lines with a known account


# a checked journal line, in the private staging file (imports._Staging) until it is written
_LINE = ("line", "key", "account_id", "debit", "credit", "contact", "memo")


@dataclass
class _Books:
    """What checking a journal file needs from the store, read before the file; the write
    checks that it still holds."""

    accounts: dict[str, tuple[int, bool]]  # code -> (id, archived)
    controlled: dict[str, str]  # code -> why it cannot be posted to by hand
    locked: date | None


def _read_books(uow: UnitOfWork) -> _Books:
    return _Books(
        {a.code: (a.id, a.archived) for a in uow.session.scalars(select(Account))},
        {
            a.code: ledger.controlled_message(a)
            for a in uow.session.scalars(select(Account).where(Account.role.is_not(None)))
            if ledger.controlled_message(a)
        },
        ledger.lock_date(uow),
    )


def _contact_ids(uow: UnitOfWork, texts: list[str]) -> dict[str, int]:
    """Live contacts by email, else by exact name (case-insensitive), a few hundred a query."""
    found: dict[str, int] = {}
    by_mail: set[str] = set()  # texts matched by email: a name match does not replace them
    for i in range(0, len(texts), 500):
        chunk = texts[i : i + 500]
        emails: dict[str, list[str]] = {}
        names: dict[str, list[str]] = {}
        for t in chunk:
            emails.setdefault(t.lower(), []).append(t)
            names.setdefault(v.sort_key(t), []).append(t)
        for email, name, cid in uow.session.execute(
            select(Contact.email, Contact.sort_name, Contact.id)
            .where(
                Contact.archived.is_(False),
                or_(Contact.email.in_(list(emails)), Contact.sort_name.in_(list(names))),
            )
            .order_by(Contact.id.desc())  # the oldest of two same-named contacts wins
        ):
            for t in emails.get(email or "", ()):
                found[t] = cid
                by_mail.add(t)
            for t in names.get(name, ()):
                if t not in by_mail:
                    found[t] = cid
    return found


def import_journal(  # noqa: ANN001
    store, source, *, dry_run: bool = False, locale: str | None = None
) -> ImportResult:
    """Post journal entries from rows grouped by the ``entry`` column. Each entry must
    balance and fall after the lock date; ``created`` counts the entries posted. Amounts
    are in the machine form (1234.56), or in ``locale``'s form when the file names one.

    The file is read and checked before the write lock is taken (accounts and the lock
    date read before, contacts in one read after); then all entries are posted in one
    short write transaction, which first checks that the accounts and the lock date did
    not change meanwhile."""
    with store.read() as uow:
        permissions.require(uow, "journal.post")
        exp = uow.exponent
        books = _read_books(uow)
    # the checked lines go a batch at a time to a private staging file (memory does not
    # grow with them) and come back from it a batch at a time to be written
    staged = _Staging(_LINE)
    try:
        return _check_and_post(store, source, books, exp, staged, dry_run, locale)
    finally:
        staged.close()


def _check_and_post(  # noqa: C901
    store,  # noqa: ANN001
    source,  # noqa: ANN001
    books: _Books,
    exp: int,
    staged: _Staging,
    dry_run: bool,
    locale: str | None,
) -> ImportResult:
    parse_amount = _amount_parser(exp, locale)
    accounts, controlled, locked = books.accounts, books.controlled, books.locked
    contacts: dict[str, str] = {}  # contact text as typed, shared by the lines naming it
    dates: dict[str, date | None] = {}
    entries: dict[str, _Entry] = {}
    # (line, entry key, account id, debit, credit, contact text or None, memo)
    lines: list[tuple[int, str, int, int, int, str | None, str]] = []  # the batch
    errors: list[str] = []

    for line, row in read_rows(source, JOURNAL_COLUMNS, JOURNAL_REQUIRED):
        if "__error__" in row:
            errors.append(f"line {line}: {row['__error__']}")
            continue
        key = row["entry"].strip()
        if not key:
            errors.append(f"line {line}: entry: required")
            continue
        bad_key = v.text_problem(key) or (len(key) > 60 and "too long (at most 60 characters)")
        if bad_key:  # the key becomes the memo of an entry without one
            errors.append(f"line {line}: entry: {bad_key}")
            continue
        e = entries.get(key)
        if e is None:
            e = entries[key] = _Entry(key, line)
        raw_date = row["date"].strip()
        if raw_date not in dates:
            try:
                dates[raw_date] = v.iso_date(raw_date)  # YYYY-MM-DD, 1900-2199
            except ValueError:
                dates[raw_date] = None
        day = dates[raw_date]
        if day is None:
            errors.append(f"line {line}: date: {raw_date[:20]!r} is not a date (YYYY-MM-DD)")
        elif e.date is None:
            e.date = day
            if locked is not None and day <= locked:
                errors.append(f"line {line}: date: the books are locked up to {locked}")
        elif day != e.date:
            errors.append(
                f"line {line}: date: entry {key} started on {e.date} on line {e.first_line}"
            )
        acct = accounts.get(row["account"].strip())
        if acct is None:
            errors.append(f"line {line}: account: no account {row['account'][:20]!r}")
        elif acct[1]:
            errors.append(f"line {line}: account: {row['account']} is archived")
        elif row["account"].strip() in controlled:
            errors.append(f"line {line}: account: {controlled[row['account'].strip()]}")
        try:
            debit = parse_amount(row.get("debit", ""))
            credit = parse_amount(row.get("credit", ""))
        except AmountError as exc:
            errors.append(f"line {line}: debit/credit: {exc}")
            continue
        if (debit > 0) == (credit > 0):
            errors.append(f"line {line}: debit: enter a debit or a credit (one of them)")
            continue
        memo = row.get("memo", "")
        if memo:
            try:
                memo = v.text(memo, max_len=200)
            except v.FieldError as exc:
                errors.append(f"line {line}: memo: {exc}")
                memo = ""  # (never written: the file is refused; not even staged as it is)
        if memo and not e.memo:
            e.memo = memo
        who = row.get("contact", "").strip() or None
        problem = v.text_problem(row.get("contact", ""))
        if problem:  # never looked up (nor shown) as it is
            errors.append(f"line {line}: contact: {problem}")
            who = None
        elif who is not None:
            who = contacts.setdefault(who, who)
        e.debit += debit
        e.credit += credit
        if acct is not None:
            e.lines += 1
            lines.append((line, key, acct[0], debit, credit, who, memo))
            if len(lines) >= STAGE_BATCH:
                staged.add(lines)
                lines = []
    staged.add(lines)
    del lines
    ids: dict[str, int] = {}
    if contacts:
        with store.read() as uow:
            ids = _contact_ids(uow, list(contacts))
        for line, who in staged.query("SELECT line, contact FROM row WHERE contact IS NOT NULL"):
            if who not in ids:
                errors.append(f"line {line}: contact: no contact {who[:40]!r}")
    for e in entries.values():
        if e.debit != e.credit:
            errors.append(
                f"line {e.first_line}: entry {e.key}: debits {from_minor(e.debit, exp)} and "
                f"credits {from_minor(e.credit, exp)} differ; the entry does not balance"
            )
    for e in entries.values():
        if e.lines < 2 and e.debit == e.credit:
            errors.append(f"line {e.first_line}: entry {e.key}: needs at least two lines")
    _report(sorted(errors, key=_line_of))
    result = ImportResult(created=len(entries), dry_run=dry_run)
    if dry_run or not entries:
        return result
    rows = (
        [(k, a, d, c, ids[w] if w else None, m) for k, a, d, c, w, m in chunk]
        for chunk in _chunks(
            staged.query(
                "SELECT key, account_id, debit, credit, contact, memo FROM row ORDER BY line"
            )
        )
    )
    with store.write() as uow:
        _post_journal(uow, books, list(entries.values()), rows)
    return result


def _line_of(message: str) -> int:
    m = re.match(r"line (\d+)", message)
    return int(m.group(1)) if m else 0


@requires("journal.post")
def _post_journal(
    uow: UnitOfWork, books: _Books, entries: list[_Entry], lines: Iterable[list[tuple]]
) -> None:
    """Post what was checked, unless the books it was checked against changed meanwhile."""
    if _read_books(uow) != books:
        raise Conflict(
            "The chart of accounts or the lock date changed while the file was being read; "
            "nothing was posted. Run the import again."
        )
    try:
        _write_journal(uow, entries, lines)
    except IntegrityError as exc:  # a contact named in the file was deleted meanwhile
        raise Conflict(
            "A contact named in the file was removed while the file was being read; nothing "
            "was posted. Run the import again."
        ) from exc


ENTRY_COLUMNS = (
    "number", "date", "memo", "state", "source_kind", "posted_at", "posted_by",
    "created_at", "updated_at", "updated_by", "version",
)  # fmt: skip
LINE_COLUMNS = (
    "entry_id", "account_id", "debit_minor", "credit_minor", "contact_id", "memo", "date",
    "posted",
)  # fmt: skip


def _write_journal(uow: UnitOfWork, entries: list[_Entry], lines: Iterable[list[tuple]]) -> None:
    """Bulk insert, numbered in file order (every row is checked already: COPY on
    PostgreSQL, executemany on SQLite), then the new ids are read back by their numbers."""
    first = ledger.next_number(uow, "journal")
    last = first + len(entries) - 1
    uow.session.get(Sequence, "journal").last = last  # the whole block, in this transaction
    uow.session.flush()
    user = uow.user
    conn = uow.session.connection()
    cols = JournalEntry.__table__.c
    # values as SQLAlchemy would store them (SQLite keeps dates and times as text)
    to_db_time = cols.posted_at.type.dialect_impl(conn.dialect).bind_processor(conn.dialect)
    to_db_date = cols.date.type.dialect_impl(conn.dialect).bind_processor(conn.dialect)
    to_db_time = to_db_time or (lambda x: x)
    to_db_date = to_db_date or (lambda x: x)
    now = to_db_time(utcnow())

    with fewer_indexes(uow, ("journal_entry",), len(entries)):
        insert_rows(
            conn,
            "journal_entry",
            ENTRY_COLUMNS,
            [
                (
                    first + i,
                    to_db_date(e.date),
                    e.memo or f"Imported entry {e.key}",
                    "posted",
                    "import",
                    now,
                    user,
                    now,
                    now,
                    user,
                    1,
                )
                for i, e in enumerate(entries)
            ],
        )
    ids = dict(
        conn.execute(
            select(JournalEntry.number, JournalEntry.id).where(
                JournalEntry.number.between(first, last)
            )
        ).all()
    )
    by_key = {e.key: (ids[first + i], to_db_date(e.date)) for i, e in enumerate(entries)}
    index_entries(uow, min(ids.values()), max(ids.values()))
    count = 0
    with fewer_indexes(uow, ("journal_line",), sum(e.lines for e in entries)):
        for chunk in lines:  # batches of (entry key, account, debit, credit, contact, memo)
            count += len(chunk)
            insert_rows(
                conn,
                "journal_line",
                LINE_COLUMNS,
                [
                    (by_key[k][0], a, d, c, cid, memo, by_key[k][1], True)
                    for k, a, d, c, cid, memo in chunk
                ],
            )
    # one audit event for the import, naming the entries it posted
    uow.audit(
        "journal_entry",
        None,
        "import",
        after={"entries": len(entries), "numbers": [first, last], "lines": count},
    )
