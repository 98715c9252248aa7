"""Tamper evidence: posted journal entries (with their lines) and audit events each form a
SHA-256 hash chain, as Odoo's inalterability hash does for posted moves.

Each link is SHA-256 over the previous link and the canonical content of the record, so
changing, deleting or inserting a record anywhere breaks every link after it. Someone who can
write the store file can compute a whole new chain (the hash has no secret): the chain heads
that ``bizdesk check`` prints and every backup records are what an owner keeps elsewhere to
compare with.

Links are made when a write unit of work commits, for exactly the records that unit wrote
(the entries it numbered from the journal series, the audit events it added), in the same
transaction and under the same write lock, so the chain has one order. A bulk import makes
the links of what it writes as it writes them (``linked``), in that same transaction; the
seal links the rest of the unit after them.

What a link covers: an entry's number, date, memo, source, the entry it reverses, when and by
whom it was posted, and each line's account, debit, credit, memo, date and posted flag. Not
covered: the contact on a line (merging two contacts re-points lines, and the merge is itself
audited) and the bookkeeping columns that change when an entry is later reversed
(``reversed_by_id``, ``version``, ``updated_*``; the reversal is its own sealed entry).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from itertools import groupby
from typing import Any

from sqlalchemy import Connection, Integer, String, TypeDecorator, select, type_coerce
from sqlalchemy.orm import Session

from bizdesk.i18n import Message
from bizdesk.models.core import AuditEvent
from bizdesk.models.ledger import ENTRY_PREFIX, JournalEntry, JournalLine, Sequence

GENESIS = "0" * 64
BATCH = 5000

_E = JournalEntry.__table__.c
_L = JournalLine.__table__.c
_A = AuditEvent.__table__.c
_S = Sequence.__table__.c


def plain(value: Any) -> Any:
    """A value as a link holds it: a time in UTC to the second, a date in ISO, a flag 0/1."""
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return int(value)
    return value


# what json.dumps(..., ensure_ascii=False, separators=(",", ":")) uses, made once
_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def link(previous: str, content: list[Any]) -> str:
    return _link_plain(previous, [plain(v) for v in content])


def _link_plain(previous: str, content: list[Any]) -> str:
    """``link`` of content whose values are plain already."""
    return hashlib.sha256(previous.encode() + b"\n" + _JSON.encode(content).encode()).hexdigest()


class _Plainer:
    """Sealing many records fast: selects ``cols`` with dates, times and flags as the driver
    gives them, and turns each row into exactly what ``_plain`` makes of the row SQLAlchemy
    would give (the column type's own result processor, then ``_plain``), computing that
    once per distinct raw text (a large import repeats the same date and time)."""

    def __init__(self, conn: Connection, cols: tuple[Any, ...]) -> None:
        dialect = conn.dialect
        self.procs: list[tuple[int, Any]] = []
        self.loose: list[int] = []  # no processor, but the driver may give a date or a flag
        for i, c in enumerate(cols):
            proc = c.type.dialect_impl(dialect).result_processor(dialect, None)
            if proc is not None:
                self.procs.append((i, proc))
                continue
            kind = c.type
            while isinstance(kind, TypeDecorator):  # without a processor: its impl's value
                kind = kind.impl
            if not isinstance(kind, Integer | String):  # else _plain returns it unchanged
                self.loose.append(i)
        with_proc = {i for i, _ in self.procs}
        self.columns = [
            type_coerce(c, String).label(c.name) if i in with_proc else c
            for i, c in enumerate(cols)
        ]
        self.seen: dict[tuple[int, str], Any] = {}

    def __call__(self, row: Any) -> list[Any]:
        out = list(row)
        for i in self.loose:
            out[i] = plain(out[i])
        for i, proc in self.procs:
            raw = out[i]
            if type(raw) is not str:
                out[i] = plain(proc(raw))
                continue
            key = (i, raw)
            try:
                out[i] = self.seen[key]
            except KeyError:
                if len(self.seen) > 10_000:
                    self.seen.clear()
                out[i] = self.seen[key] = plain(proc(raw))
        return out


ENTRY_COLUMNS = (
    _E.id,
    _E.number,
    _E.date,
    _E.memo,
    _E.source_kind,
    _E.source_id,
    _E.reverses_id,
    _E.posted_at,
    _E.posted_by,
    _E.chain_hash,
)
LINE_COLUMNS = (
    _L.entry_id,
    _L.account_id,
    _L.debit_minor,
    _L.credit_minor,
    _L.memo,
    _L.date,
    _L.posted,
)
AUDIT_COLUMNS = (
    _A.id,
    _A.at,
    _A.username,
    _A.entity,
    _A.entity_id,
    _A.action,
    _A.before,
    _A.after,
    _A.chain_hash,
)


def entry_content(entry: Any, lines: Iterable[Any]) -> list[Any]:
    head = list(entry[1:9])  # number .. posted_by
    return head + [[plain(v) for v in ln[1:]] for ln in lines]


def audit_content(event: Any) -> list[Any]:
    return list(event[1:8])  # at .. after


@dataclass(frozen=True)
class Heads:
    """Where both chains stood: the last sealed entry number and audit event id, and their
    links (GENESIS for an empty chain)."""

    entry_number: int
    entry_hash: str
    audit_id: int
    audit_hash: str


def _entry_head(conn: Connection, below: int | None = None) -> tuple[int, str]:
    """The last sealed entry (numbered below ``below``: one linked by this unit is not)."""
    stmt = select(_E.number, _E.chain_hash).where(_E.state == "posted", _E.chain_hash.is_not(None))
    if below is not None:
        stmt = stmt.where(_E.number < below)
    row = conn.execute(stmt.order_by(_E.number.desc()).limit(1)).first()
    return (row[0], row[1]) if row else (0, GENESIS)


def _audit_head(conn: Connection, below: int | None = None) -> tuple[int, str]:
    """The last sealed audit event (before id ``below``: one linked by this unit is not)."""
    stmt = select(_A.id, _A.chain_hash).where(_A.chain_hash.is_not(None))
    if below is not None:
        stmt = stmt.where(_A.id < below)
    row = conn.execute(stmt.order_by(_A.id.desc()).limit(1)).first()
    return (row[0], row[1]) if row else (0, GENESIS)


def entry_head(session: Session, below: int) -> tuple[int, str]:
    """The number and link of the last sealed entry numbered below ``below`` (0 and
    GENESIS before the first)."""
    return _entry_head(session.connection(), below)


def audit_head(session: Session, below: int) -> tuple[int, str]:
    """The id and link of the last sealed audit event before id ``below``."""
    return _audit_head(session.connection(), below)


def link_entry(previous: str, entry: Iterable[Any], lines: Iterable[Iterable[Any]]) -> str:
    """An entry's link from its content made plain already (``plain``), as ``verify``
    computes it: number, date, memo, source kind and id, the entry it reverses, when and by
    whom it was posted; then each line's account, debit, credit, memo, date, posted flag."""
    return _link_plain(previous, [*entry, *lines])


def link_event(previous: str, event: Iterable[Any]) -> str:
    """An audit event's link from its content made plain already: when, who, the entity
    and its id, the action, before and after (as stored: JSON text, or None)."""
    return _link_plain(previous, list(event))


_LINKED = {"journal": "bizdesk.chain.linked.journal", "audit": "bizdesk.chain.linked.audit"}


def linked(session: Session, chain: str, first: int, last: int, link: str) -> None:
    """Say that this unit of work wrote the links of ``chain``'s records ``first`` to
    ``last`` itself ("journal": entries by number; "audit": events by id), from the values
    it wrote, the last of them ``link`` (a bulk import: nothing is read back). The seal goes
    on from there, when ``first`` is the first record of that chain this unit added (else
    it links every record of the unit, as always). The links were made from the last sealed
    record before ``first`` (``entry_head``, ``audit_head``)."""
    session.info[_LINKED[chain]] = (first, last, link)


def heads(session: Session) -> Heads:
    conn = session.connection()
    return Heads(*_entry_head(conn), *_audit_head(conn))


_JOURNAL_SEQUENCE = select(_S.last).where(_S.name == "journal").scalar_subquery()
# One round trip at the start of each write: the journal series, the newest audit event and
# its link (the head the events of this unit will follow, unless it is unsealed).
_MARKS = (
    select(_JOURNAL_SEQUENCE.label("journal"), _A.id, _A.chain_hash).order_by(_A.id.desc()).limit(1)
)


@dataclass(frozen=True)
class Marks:
    journal: int  # the last number of the journal series
    audit_id: int  # the newest audit event
    audit_hash: str | None  # its link (None: unsealed, or no event)


def start_marks(session: Session) -> Marks:
    """Where a write unit begins. When it commits, exactly the entries numbered from the
    journal series since then and the audit events added since then are sealed: a record
    slipped in past bizdesk stays unsealed, for ``check`` to report, whatever number it took."""
    conn = session.connection()
    row = conn.execute(_MARKS).first()
    if row is None:  # no audit event yet
        return Marks(conn.execute(select(_JOURNAL_SEQUENCE)).scalar() or 0, 0, GENESIS)
    return Marks(row[0] or 0, row[1], row[2])


def _entries_with_lines(
    conn: Connection, after_number: int, upto: int | None = None
) -> Iterator[tuple[Any, list[Any]]]:
    """Posted entries numbered after ``after_number`` (up to ``upto``) in number order, each
    with its lines."""
    last = after_number
    while True:
        stmt = select(*ENTRY_COLUMNS).where(_E.state == "posted", _E.number > last)
        if upto is not None:
            stmt = stmt.where(_E.number <= upto)
        rows = conn.execute(stmt.order_by(_E.number).limit(BATCH)).all()
        ids = [r.id for r in rows]
        lines = conn.execute(
            select(*LINE_COLUMNS).where(_L.entry_id.in_(ids)).order_by(_L.entry_id, _L.id)
        ).all()
        by_entry = {k: list(g) for k, g in groupby(lines, key=lambda ln: ln[0])}
        for r in rows:
            yield r, by_entry.get(r.id, [])
        if len(rows) < BATCH:
            return
        last = rows[-1].number


def _events(conn: Connection, after_id: int) -> Iterator[Any]:
    last = after_id
    while True:
        rows = conn.execute(
            select(*AUDIT_COLUMNS).where(_A.id > last).order_by(_A.id).limit(BATCH)
        ).all()
        yield from rows
        if len(rows) < BATCH:
            return
        last = rows[-1].id


def seal(session: Session, marks: Marks) -> None:
    """Link what this unit of work posted and audited (everything after ``marks``), writing
    the links a batch at a time, so a large import's memory does not grow with it. The
    links are the ones ``verify`` computes (``link`` over the same content); only the reading
    and writing are leaner (see ``_Plainer``)."""
    session.flush()
    conn = session.connection()
    upto = conn.execute(select(_JOURNAL_SEQUENCE)).scalar() or 0
    given = session.info.pop(_LINKED["journal"], None)
    after, h = marks.journal, None
    if given is not None and given[0] == marks.journal + 1 and given[1] <= upto:
        after, h = given[1], given[2]  # linked as they were written (``linked``)
    if upto > after:  # this unit numbered entries (not yet linked)
        if h is None:
            _, h = _entry_head(conn, below=after + 1)
        updates = []
        for entry, lines in _plain_entries_with_lines(conn, after, upto):
            h = _link_plain(h, [*entry[1:9], *(ln[1:] for ln in lines)])
            updates.append((h, entry[0]))
            if len(updates) == BATCH:
                _write(conn, "journal_entry", updates)
                updates = []
        _write(conn, "journal_entry", updates)
    last, h = marks.audit_id, marks.audit_hash
    given = session.info.pop(_LINKED["audit"], None)
    if given is not None and given[0] == marks.audit_id + 1:
        last, h = given[1], given[2]  # linked as they were written (``linked``)
    updates = []
    plain = _Plainer(conn, AUDIT_COLUMNS)
    while True:
        rows = conn.execute(
            select(*plain.columns).where(_A.id > last).order_by(_A.id).limit(BATCH)
        ).all()
        for row in rows:
            if h is None:  # the newest event when this unit began carries no link
                _, h = _audit_head(conn, below=row[0])
            event = plain(row)
            h = _link_plain(h, event[1:8])  # audit_content
            updates.append((h, event[0]))
        _write(conn, "audit_event", updates)
        updates = []
        if len(rows) < BATCH:
            break
        last = rows[-1][0]


def _plain_entries_with_lines(
    conn: Connection, after_number: int, upto: int
) -> Iterator[tuple[list[Any], list[list[Any]]]]:
    """``_entries_with_lines``, each value made plain (``_Plainer``)."""
    entry_plain = _Plainer(conn, ENTRY_COLUMNS)
    line_plain = _Plainer(conn, LINE_COLUMNS)
    last = after_number
    while True:
        stmt = select(*entry_plain.columns).where(
            _E.state == "posted", _E.number > last, _E.number <= upto
        )
        rows = [entry_plain(r) for r in conn.execute(stmt.order_by(_E.number).limit(BATCH)).all()]
        ids = [r[0] for r in rows]
        lines = conn.execute(
            select(*line_plain.columns).where(_L.entry_id.in_(ids)).order_by(_L.entry_id, _L.id)
        ).all()
        by_entry = {
            k: [line_plain(ln) for ln in g] for k, g in groupby(lines, key=lambda ln: ln[0])
        }
        for r in rows:
            yield r, by_entry.get(r[0], [])
        if len(rows) < BATCH:
            return
        last = rows[-1][1]


def _write(conn: Connection, table: str, updates: list[tuple[str, int]]) -> None:
    """The links of one batch: on PostgreSQL one UPDATE joined to the batch as two arrays
    (a statement per row costs a round trip each), on SQLite executemany (in-process)."""
    if not updates:
        return
    if conn.dialect.name == "postgresql":
        hashes, ids = zip(*updates, strict=True)
        conn.exec_driver_sql(
            f"UPDATE {table} AS t SET chain_hash = v.h "
            "FROM unnest(%s::text[], %s::bigint[]) AS v(h, id) WHERE t.id = v.id",
            (list(hashes), list(ids)),
        )
        return
    conn.exec_driver_sql(f"UPDATE {table} SET chain_hash = ? WHERE id = ?", updates)


@dataclass(frozen=True)
class Break:
    chain: str  # "journal" or "audit"
    where: str  # "JE-12" or "audit event 345"
    message: str


def verify(session: Session) -> tuple[list[Break], Heads]:
    """Walk both chains from the start; the first broken link of each, and the heads."""
    conn = session.connection()
    journal, number, entry_hash = _first_break(
        "journal",
        f"{ENTRY_PREFIX}-",
        ((e.number, e.chain_hash, entry_content(e, ln)) for e, ln in _entries_with_lines(conn, 0)),
    )
    audit, event_id, audit_hash = _first_break(
        "audit",
        "audit event ",
        ((a.id, a.chain_hash, audit_content(a)) for a in _events(conn, 0)),
    )
    found = [b for b in (journal, audit) if b is not None]
    return found, Heads(number, entry_hash, event_id, audit_hash)


def _first_break(
    name: str, prefix: str, links: Iterable[tuple[int, str | None, list[Any]]]
) -> tuple[Break | None, int, str]:
    """Walk one chain's (key, stored link, content) in order: its first broken link, if
    any, and the last good key and link."""
    h, good = GENESIS, 0
    for key, stored, content in links:
        expected = link(h, content)
        if stored != expected:
            message = _broken(prefix, key, good, stored is None)
            return Break(name, f"{prefix}{key}", message), good, h
        h, good = expected, key
    return None, good, h


def _broken(prefix: str, at: int, good: int, unsealed: bool) -> str:
    """What is wrong with one link, as a ``Message`` (``check`` shows it in the reader's
    language)."""
    where, last = f"{prefix}{at}", f"{prefix}{good}"
    if unsealed and good:
        return Message(
            "{where} carries no seal: it was written outside bizdesk (chain intact up to {last})",
            where=where,
            last=last,
        )
    if unsealed:
        return Message(
            "{where} carries no seal: it was written outside bizdesk (chain broken from its "
            "first link)",
            where=where,
        )
    if good:
        return Message(
            "{where} does not match its seal: it was changed, or a record before it was "
            "deleted or inserted out of order (chain intact up to {last})",
            where=where,
            last=last,
        )
    return Message(
        "{where} does not match its seal: it was changed, or a record before it was "
        "deleted or inserted out of order (chain broken from its first link)",
        where=where,
    )
