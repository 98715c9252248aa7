"""The journal's CSV import: entries posted from rows grouped by their ``entry`` column,
checked by the rules of ``ledger`` (the same as for an entry typed by hand), fast enough
for a year of a shop's books at once (DESIGN section 10: 50,000 lines a second).

Every row is checked first and every problem reported as ``line N: column: problem``;
then all entries are written, or none, in one short write transaction."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from itertools import groupby
from operator import itemgetter

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError

from bizdesk.db import chain
from bizdesk.db.bulk import insert_rows
from bizdesk.db.sequences import sync_id_sequences
from bizdesk.db.session import MAX_ROW_ID, UnitOfWork
from bizdesk.errors import Conflict
from bizdesk.i18n import N_, Message, written
from bizdesk.models.base import utcnow
from bizdesk.models.contacts import Contact
from bizdesk.models.ledger import JournalEntry, Sequence
from bizdesk.money import AmountError, parse_money
from bizdesk.reading import is_digits, quoted
from bizdesk.services.base import permissions
from bizdesk.services.base import validate as v
from bizdesk.services.base.csvio import read_rows
from bizdesk.services.base.numbering import JOURNAL
from bizdesk.services.base.permissions import requires
from bizdesk.services.books import ledger
from bizdesk.services.books.entry_search import index_entries
from bizdesk.services.exchange.staging import BATCH as STAGE_BATCH
from bizdesk.services.exchange.staging import (
    ImportResult,
    Problems,
    Staging,
    chunks,
    fewer_indexes,
    line_problem,
)

JOURNAL_COLUMNS = ("entry", "date", "account", "debit", "credit", "memo", "contact")
JOURNAL_REQUIRED = ("entry", "date", "account")

# the machine form only (digits, at most one ".", no sign, no grouping, no spaces); any other
# text goes to money.parse_money, which decides (and says what is expected)
_PLAIN_AMOUNT = re.compile(r"(0|[1-9][0-9]{0,12})(?:\.([0-9]+))?\Z")


def _amount_parser(exp: int, locale: str | None = None) -> Callable[[str], int]:
    """Amount text -> minor units; plain "123.45" without Decimal, the rest via parse_money.
    A file in a named locale (``import --locale``) is read in that locale's form only."""
    if locale is not None:
        return lambda text: parse_money(text, exp, locale=locale) if text.strip() else 0

    scale = 10**exp

    def parse(text: str) -> int:
        if not text:
            return 0
        m = _PLAIN_AMOUNT.match(text)
        if m:
            whole, frac = m.groups()
            if frac is None:
                return int(whole) * scale
            if len(frac) <= exp:
                return int(whole) * scale + int(frac.ljust(exp, "0"))
        if not text.strip():
            return 0
        return parse_money(text, exp)

    return parse


@dataclass(slots=True)
class _Entry:
    """An entry's running state while the file is read."""

    idx: int  # its place in the file (1, 2 ...): its number and id follow from it
    key: str
    first_line: int
    day: date | None = None  # the date of its first dated line
    memo: str = ""
    debit: int = 0
    credit: int = 0
    lines: int = 0  # its lines with a known account


class _Entries:
    """The file's entries by key, kept in the staging file: those seen lately in memory (at
    most a batch of them), the others on disk, so memory does not grow with the file; an
    entry whose key comes back later in the file is taken up where it was left."""

    _COLUMNS = "idx, key, first_line, day, memo, debit, credit, lines"

    def __init__(self, staged: Staging) -> None:
        self.db = staged.db
        self.db.execute(
            "CREATE TABLE entry (idx INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE, "
            "first_line, day, memo, debit, credit, lines)"
        )
        self.recent: dict[str, _Entry] = {}
        self.count = 0
        self.came_back = False  # whether an entry's lines are apart in the file
        # a Bloom filter of the keys on disk (2**23 bits, two of them a key): a key it does
        # not hold was never seen, and is not looked for on disk
        self.on_disk = bytearray(1 << 20)

    def get(self, key: str, line: int) -> _Entry:
        e = self.recent.get(key)
        if e is not None:
            self.came_back = True
            return e
        if self._maybe_on_disk(key):
            row = self.db.execute(
                f"SELECT {self._COLUMNS} FROM entry WHERE key = ?", (key,)
            ).fetchone()
            if row is not None:
                self.came_back = True
                e = _Entry(*row)
                e.day = date.fromordinal(e.day) if e.day is not None else None
        if e is None:
            self.count += 1
            e = _Entry(self.count, key, line)
        if len(self.recent) >= STAGE_BATCH:
            self.flush()
        self.recent[key] = e
        return e

    def flush(self) -> None:
        with self.db:
            self.db.execute("BEGIN")
            self.db.executemany(
                "INSERT OR REPLACE INTO entry VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        e.idx,
                        e.key,
                        e.first_line,
                        e.day.toordinal() if e.day is not None else None,
                        e.memo,
                        e.debit,
                        e.credit,
                        e.lines,
                    )
                    for e in self.recent.values()
                ],
            )
        bits = self.on_disk
        for key in self.recent:
            for bit in self._bits(key):
                bits[bit >> 3] |= 1 << (bit & 7)
        self.recent.clear()

    @staticmethod
    def _bits(key: str) -> tuple[int, int]:
        h = hash(key)
        return h & 0x7FFFFF, (h >> 23) & 0x7FFFFF

    def _maybe_on_disk(self, key: str) -> bool:
        a, b = self._bits(key)
        bits = self.on_disk
        return bool(bits[a >> 3] & (1 << (a & 7)) and bits[b >> 3] & (1 << (b & 7)))


# a checked journal line, in the private staging file (staging.Staging) until it is
# written: its entry by place in the file (``_Entry.idx``), the contact as typed
_LINE = ("line", "idx", "day", "account_id", "debit", "credit", "contact", "memo")


def _contact_ids(uow: UnitOfWork, texts: list[str]) -> tuple[dict[str, int], dict[str, list]]:
    """Live contacts by "#number", by email, else by exact name (case-insensitive), a few
    hundred a query: (text -> id, text -> the ids of the several contacts that bear that
    name: which one was meant is never guessed)."""
    found: dict[str, int] = {}
    shared: dict[str, list[int]] = {}
    for i in range(0, len(texts), 500):
        chunk = texts[i : i + 500]
        numbers: dict[int, list[str]] = {}
        emails: dict[str, list[str]] = {}
        names: dict[str, list[str]] = {}
        for t in chunk:
            if t.startswith("#") and is_digits(t[1:]):
                numbers.setdefault(int(t[1:]), []).append(t)
            else:
                emails.setdefault(t.lower(), []).append(t)
                names.setdefault(v.sort_key(t), []).append(t)
        by_name: dict[str, list[int]] = {}
        for email, name, cid in uow.session.execute(
            select(Contact.email, Contact.sort_name, Contact.id)
            .where(
                Contact.archived.is_(False),
                or_(
                    Contact.id.in_([n for n in numbers if n <= MAX_ROW_ID]),
                    Contact.email.in_(list(emails)),
                    Contact.sort_name.in_(list(names)),
                ),
            )
            .order_by(Contact.id)
        ):
            for t in numbers.get(cid, ()):
                found[t] = cid
            for t in emails.get(email or "", ()):
                found[t] = cid
            for t in names.get(name, ()):
                by_name.setdefault(t, []).append(cid)
        for t, ids in by_name.items():
            if t in found:  # an e-mail address: one contact
                continue
            if len(ids) == 1:
                found[t] = ids[0]
            else:
                shared[t] = ids
    return found, shared


def import_journal(  # noqa: ANN001
    store, source, *, dry_run: bool = False, locale: str | None = None
) -> ImportResult:
    """Post journal entries from rows grouped by the ``entry`` column. Each entry must
    balance and fall after the lock date (the rules of ``ledger``, the same as for an entry
    typed by hand); ``created`` counts the entries posted. Amounts are in the machine form
    (1234.56), or in ``locale``'s form when the file names one.

    The file is read and checked before the write lock is taken (accounts and the lock
    date read before, contacts in short reads after), its lines and entries held in a
    private staging file (memory does not grow with the file); problems are reported as
    ``line N: column: problem``, the first of them by line and how many more. Then all
    entries are posted in one short write transaction, which first checks that the
    accounts and the lock date did not change meanwhile."""
    with store.read() as uow:
        permissions.require(uow, "journal.post")
        rules = ledger.posting_rules(uow)
    staged = Staging(_LINE)
    try:
        return _check_and_post(store, source, rules, staged, dry_run, locale)
    finally:
        staged.close()


def _check_and_post(  # noqa: C901
    store,  # noqa: ANN001
    source,  # noqa: ANN001
    rules: ledger.PostingRules,
    staged: Staging,
    dry_run: bool,
    locale: str | None,
) -> ImportResult:
    parse_amount = _amount_parser(rules.exponent, locale)
    dates: dict[str, date | None] = {}
    entries = _Entries(staged)
    # (line, entry idx, its date, account id, debit, credit, contact text or None, memo)
    lines: list[tuple] = []
    problems = Problems()
    staged_lines = 0
    e: _Entry | None = None
    # entry -> its lines refused for their account or amounts, which its totals do not count:
    # "differ by" is not said of it, nor "needs two lines" when it has two (bounded: past it
    # such a follow-on may show, beside the lines' own problems)
    incomplete: dict[str, int] = {}

    for line, row in read_rows(source, JOURNAL_COLUMNS, JOURNAL_REQUIRED):
        if "__error__" in row:
            problems.add(line, line_problem(line, row["__error__"]))
            continue
        key = row["entry"].strip()
        if not key:
            problems.add(line, line_problem(line, Message("required"), "entry"))
            continue
        bad_key = v.text_problem(key) or (
            len(key) > 60 and Message("too long (at most {n} characters)", n=60)
        )
        if bad_key:  # the key becomes the memo of an entry without one
            problems.add(line, line_problem(line, bad_key, "entry"))
            continue
        if e is None or e.key != key:
            e = entries.get(key, line)
        raw_date = row["date"].strip()
        if raw_date not in dates:
            if len(dates) > 10_000:
                dates.clear()  # bounded, even in a file of garbage dates
            try:
                dates[raw_date] = v.iso_date(raw_date)  # YYYY-MM-DD, 1900-2199
            except v.FieldError as exc:  # why: the form, no such day, out of the years
                dates[raw_date] = exc.message
            except ValueError:
                dates[raw_date] = None
        day = dates[raw_date]
        if day is None or not isinstance(day, date):
            problem = day or Message("{text} is not a date (YYYY-MM-DD)", text=quoted(raw_date, 20))
            problems.add(line, line_problem(line, problem, "date"))
        elif e.day is None:
            e.day = day
            problem = rules.period(day)
            if problem:
                problems.add(line, line_problem(line, problem, "date"))
        elif day != e.day:
            problem = Message(
                "entry {entry} started on {day} on line {first}",
                entry=key,
                day=e.day,
                first=e.first_line,
            )
            problems.add(line, line_problem(line, problem, "date"))
        account_id, problem = rules.account(row["account"])
        if problem:
            problems.add(line, line_problem(line, problem, "account"))
        try:
            debit = parse_amount(row.get("debit", ""))
            credit = parse_amount(row.get("credit", ""))
            problem = ledger.side_problem(debit, credit)
            if problem:
                problems.add(line, line_problem(line, problem, "debit"))
        except AmountError as exc:
            problem = exc.args[0]
            problems.add(line, line_problem(line, problem, "debit/credit"))
        if (problem or account_id is None) and len(incomplete) < 100_000:
            incomplete[key] = incomplete.get(key, 0) + 1
        if problem:
            continue
        memo = row.get("memo", "")
        if memo:
            try:
                memo = v.text(memo, max_len=200)
            except v.FieldError as exc:
                problems.add(line, line_problem(line, exc.message, "memo"))
                memo = ""  # (never written: the file is refused; not even staged as it is)
        if memo and not e.memo:
            e.memo = memo
        contact = row.get("contact", "")
        who = contact.strip() or None
        problem = v.text_problem(contact) if contact else None
        if problem:  # never looked up (nor shown) as it is
            problems.add(line, line_problem(line, problem, "contact"))
            who = None
        elif account_id is not None and (problem := rules.contact(account_id, who)):
            problems.add(line, line_problem(line, problem, "contact"))
        e.debit += debit
        e.credit += credit
        if account_id is not None:
            e.lines += 1
            # (the entry's date: a line staged before it is known, or of another date, is
            # a problem, and then nothing is written)
            lines.append(
                (line, e.idx, e.day and e.day.toordinal(), account_id, debit, credit, who, memo)
            )
            if len(lines) >= STAGE_BATCH:
                staged.add(lines)
                staged_lines += len(lines)
                lines = []
    staged.add(lines)
    staged_lines += len(lines)
    del lines
    entries.flush()
    _find_contacts(store, staged, problems)
    for first_line, key, n, debit, credit in staged.query(
        "SELECT first_line, key, lines, debit, credit FROM entry WHERE lines < 2 OR debit != credit"
    ):
        if key in incomplete and n + incomplete[key] >= 2:
            continue  # its refused lines say what is wrong (but an entry of one line is told)
        problem = rules.balance(n, debit, credit)
        problems.add(
            first_line,
            Message(
                "line {line}: entry {entry}: {problem}", line=first_line, entry=key, problem=problem
            ),
        )
    problems.raise_any()
    result = ImportResult(created=entries.count, dry_run=dry_run)
    if dry_run or not entries.count:
        return result
    with store.write() as uow:
        first = _post_journal(uow, rules, staged, entries, staged_lines)
    last = first + entries.count - 1
    result.posted = JOURNAL.label(first) + (f"–{JOURNAL.label(last)}" if last > first else "")
    return result


def _find_contacts(store, staged: Staging, problems: Problems) -> None:  # noqa: ANN001
    """The contacts the lines name, a batch of names per short read, into the staging file's
    ``who`` table (name as typed -> id, or NULL when there is none: a problem)."""
    staged.db.execute("CREATE TABLE who (text TEXT PRIMARY KEY, id, shared)")
    for texts in chunks(staged.query("SELECT DISTINCT contact FROM row WHERE contact IS NOT NULL")):
        texts = [t for (t,) in texts]
        with store.read() as uow:
            ids, shared = _contact_ids(uow, texts)
        rows = [
            (t, ids.get(t), ", ".join(f"#{i}" for i in shared[t][:5]) if t in shared else None)
            for t in texts
        ]
        with staged.db:
            staged.db.execute("BEGIN")
            staged.db.executemany("INSERT INTO who VALUES (?, ?, ?)", rows)
    for line, who, same in staged.query(
        "SELECT r.line, r.contact, w.shared FROM row r JOIN who w ON w.text = r.contact "
        "WHERE w.id IS NULL"
    ):
        if same:
            problem = Message(
                "several contacts are named {name}: {which}; give the one meant by its "
                "#number or its e-mail",
                name=who[:40],
                which=same,
            )
        else:
            problem = Message("no contact {name}", name=quoted(who, 40))
        problems.add(line, line_problem(line, problem, "contact"))


@requires("journal.post")
def _post_journal(
    uow: UnitOfWork, rules: ledger.PostingRules, staged: Staging, entries: _Entries, lines: int
) -> int:
    """Post what was checked, unless the books it was checked against changed meanwhile;
    the number of the first entry posted (the others follow it)."""
    if ledger.posting_rules(uow) != rules:
        raise Conflict(
            Message(
                "The chart of accounts or the lock date changed while the file was being "
                "read; nothing was posted. Run the import again."
            )
        )
    try:
        return _write_journal(uow, staged, entries, lines)
    except IntegrityError as exc:  # a contact named in the file was deleted meanwhile
        raise Conflict(
            Message(
                "A contact named in the file was removed while the file was being read; "
                "nothing was posted. Run the import again."
            )
        ) from exc


ENTRY_COLUMNS = (
    "id", "number", "date", "memo", "state", "source_kind", "posted_at", "posted_by",
    "created_at", "updated_at", "updated_by", "version", "chain_hash",
)  # fmt: skip
LINE_COLUMNS = (
    "entry_id", "account_id", "debit_minor", "credit_minor", "contact_id", "memo", "date",
    "posted",
)  # fmt: skip


def _write_journal(uow: UnitOfWork, staged: Staging, seen: _Entries, lines: int) -> int:
    """Bulk insert from the staging file, a batch of entries at a time and then their
    lines (every row is checked already: COPY on PostgreSQL, executemany on SQLite). The
    entries are numbered and given ids in file order (the write lock is held, so both
    series are free from the next one on); each entry's lines follow in file order. Each
    entry is linked into the hash chain from the values written (``chain.linked``), so
    the seal does not read back what was just written."""
    session = uow.session
    entries = seen.count
    first = ledger.next_number(uow, "journal")
    session.get(Sequence, "journal").last = first + entries - 1  # the whole block
    session.flush()
    conn = session.connection()
    first_id = (conn.execute(select(func.max(JournalEntry.id))).scalar() or 0) + 1
    user = uow.user
    cols = JournalEntry.__table__.c
    # values as SQLAlchemy would store them (SQLite keeps dates and times as text)
    to_db_time = cols.posted_at.type.dialect_impl(conn.dialect).bind_processor(conn.dialect)
    to_db_date = cols.date.type.dialect_impl(conn.dialect).bind_processor(conn.dialect)
    to_db_time = to_db_time or (lambda x: x)
    when = utcnow()
    now = to_db_time(when)
    plain_now = chain.plain(when)
    days: dict[int, tuple[object, str]] = {}

    def db_date(ordinal: int) -> tuple[object, str]:
        """The day as stored, and as a link holds it."""
        if ordinal not in days:
            day = date.fromordinal(ordinal)
            days[ordinal] = (to_db_date(day) if to_db_date else day, day.isoformat())
        return days[ordinal]

    _, link = chain.entry_head(session, below=first)
    by_entry = groupby(
        staged.query(
            "SELECT r.idx, r.day, r.account_id, r.debit, r.credit, w.id, r.memo FROM row r "
            "LEFT JOIN who w ON w.text = r.contact "
            # (in file order, unless some entry's lines are apart: no sort)
            + ("ORDER BY r.idx, r.rowid" if seen.came_back else "ORDER BY r.rowid")
        ),
        key=itemgetter(0),
    )
    locale = uow.setting("locale")
    with (
        fewer_indexes(uow, ("journal_entry",), entries),
        fewer_indexes(uow, ("journal_line",), lines),
    ):
        for chunk in chunks(staged.query("SELECT idx, day, memo, key FROM entry ORDER BY idx")):
            entry_rows, line_rows = [], []
            for idx, day, memo, key in chunk:
                got, group = next(by_entry)  # (every entry has two lines or more)
                if got != idx:  # never: the entry and its lines are read in the same order
                    raise RuntimeError(f"the import's lines of entry {idx} came as {got}'s")
                its_lines = list(group)
                stored_day, plain_day = db_date(day)
                memo = memo or written(locale, N_("Imported entry {key}"), key=key)
                content = [
                    (a, d, c, line_memo, plain_day, 1)  # (posted: True, as a link holds it)
                    for _, _, a, d, c, _, line_memo in its_lines
                ]
                number = first + idx - 1
                link = chain.link_entry(
                    link, (number, plain_day, memo, "import", None, None, plain_now, user), content
                )
                entry_rows.append(
                    (first_id + idx - 1, number, stored_day, memo, "posted", "import", now,
                     user, now, now, user, 1, link)
                )  # fmt: skip
                line_rows += [
                    (first_id + idx - 1, a, d, c, cid, line_memo, stored_day, True)
                    for _, _, a, d, c, cid, line_memo in its_lines
                ]
            insert_rows(conn, "journal_entry", ENTRY_COLUMNS, entry_rows)
            insert_rows(conn, "journal_line", LINE_COLUMNS, line_rows)
    chain.linked(session, "journal", first, first + entries - 1, link)
    sync_id_sequences(conn, "journal_entry")
    index_entries(uow, first_id, first_id + entries - 1)
    # one audit event for the import, naming the entries it posted
    uow.audit(
        "journal_entry",
        None,
        "import",
        after={"entries": entries, "numbers": [first, first + entries - 1], "lines": lines},
    )
    return first
