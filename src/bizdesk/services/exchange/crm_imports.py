"""CSV imports: every row is checked first; all rows are written, or none.

A contact import runs in three steps, so that other people keep working meanwhile:

1. the file is read a row at a time and every row checked, outside any write transaction
   (what needs the store, such as which emails exist, is read in short read units of work,
   a batch of rows at a time); checked rows go, as compact tuples, to a private temporary
   SQLite file, so memory stays flat however long the file is;
2. if any row is bad, every problem is reported (``line N: column: problem``) and nothing is
   written; the write lock was never taken;
3. otherwise everything is written in ONE short write transaction (DESIGN: all rows or none),
   in batches of plain multi-row inserts; the search index is filled for the new rows in
   one set-based statement instead of a trigger per row.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import BinaryIO

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from bizdesk.db import chain
from bizdesk.db.bulk import insert_rows
from bizdesk.db.sequences import sync_id_sequences
from bizdesk.db.session import UnitOfWork
from bizdesk.errors import Conflict, ValidationError
from bizdesk.folding import fold_fields
from bizdesk.i18n import Message
from bizdesk.models.base import utcnow
from bizdesk.models.contacts import Contact, ContactTag
from bizdesk.models.core import AuditEvent, User
from bizdesk.models.marketing import CONSENT_HOW, CONSENT_STATES
from bizdesk.reading import is_digits, quoted
from bizdesk.services.base import validate as v
from bizdesk.services.base.csvio import read_rows
from bizdesk.services.base.permissions import can, require, requires
from bizdesk.services.base.usernames import active_users, not_a_user
from bizdesk.services.crm import contacts as contacts_service
from bizdesk.services.crm import nurture
from bizdesk.services.exchange.staging import (
    BATCH,
    ImportResult,
    Problems,
    Staging,
    chunks,
    fewer_indexes,
    line_problem,
)
from bizdesk.services.marketing import consent as consent_service
from bizdesk.services.marketing.consent import ConsentView

# e-mail consent: in or out (empty: the file does not say, and the store's is kept), when
# (ISO, UTC) and how; read and written only by those who may see and record consent
CONSENT_COLUMNS = ("email_consent", "consent_at", "consent_how")

CONTACT_COLUMNS = (
    "id",
    "name",
    "kind",
    "organization",
    "email",
    "phone",
    "street",
    "city",
    "postcode",
    "country",
    "vat_id",
    "tags",
    "stage",
    "roles",
    "owner",
    "notes",
    "payment_terms",
    "birth_date",
    *CONSENT_COLUMNS,
)
CONTACT_REQUIRED = ("name",)
ROLES = ("customer", "supplier")
COMPARED = (
    "name",
    "kind",
    "phone",
    "street",
    "city",
    "postcode",
    "country",
    "vat_id",
    "stage",
    "is_customer",
    "is_supplier",
    "owner",
    "notes",
    "organization_id",
    "payment_terms",
    "birth_date",
)


# the column of the file each compared field comes from (the same name, but for these)
_COLUMN_OF = {"is_customer": "roles", "is_supplier": "roles", "organization_id": "organization"}


def _roles(text: str) -> tuple[bool, bool]:
    text = v.text(text, max_len=100)
    items = {r.strip().lower() for r in text.replace(",", ";").split(";") if r.strip()}
    bad = items - set(ROLES)
    if bad:
        raise v.FieldError(
            Message("unknown roles {roles} (customer, supplier)", roles=", ".join(sorted(bad)))
        )
    return "customer" in items, "supplier" in items


# the columns of a checked row, in the staging table and in the tuples that go to it
_STAGED = (
    "line",
    "action",  # new, update or skip
    "target",  # the contact updated (or skipped)
    "version",
    "kind",
    "name",
    "sort_name",
    "organization",
    "email",
    "phone",
    "street",
    "city",
    "postcode",
    "country",
    "stage",
    "is_customer",
    "is_supplier",
    "owner",
    "source",
    "notes",
    "payment_terms",
    "vat_id",
    "birth_date",  # ISO, or None
    "consent",  # "state|ISO time|how", or None: the file does not say
    "tags",  # ';'-joined
)
_AT = {c: i for i, c in enumerate(_STAGED)}


class _Staging(Staging):
    """The checked contact rows (``_STAGED``), and the columns the file has."""

    def __init__(self) -> None:
        super().__init__(_STAGED)
        self.present: frozenset[str] = frozenset(CONTACT_COLUMNS)

    def count(self, action: str) -> int:
        return self.db.execute("SELECT count(*) FROM row WHERE action = ?", (action,)).fetchone()[0]


@dataclass
class _Known:
    """What checking a row needs from the store, read once before the file."""

    region: str | None
    users: set[str]
    organizations: dict[str, int]  # live organisations: sort_name -> id
    may_consent: bool  # the importing user records e-mail consent
    active: list[str] = field(default_factory=list)  # who an unknown owner's refusal names
    memo: dict[tuple, tuple[dict, dict[str, str]]] = field(default_factory=dict)


def _read_known(uow: UnitOfWork) -> _Known:
    return _Known(
        contacts_service.phone_region(uow.setting),
        set(uow.session.execute(select(User.username)).scalars()),
        _organizations(uow),
        can(uow, "consent.edit"),
        active_users(uow.session),
    )


def _organizations(uow: UnitOfWork) -> dict[str, int]:
    return dict(
        uow.session.execute(
            select(Contact.sort_name, Contact.id)
            .where(Contact.kind == "organization", Contact.archived.is_(False))
            .order_by(Contact.id.desc())  # the oldest of two same-named organisations wins
        ).all()
    )


def _contact_id(text: str) -> int:
    s = text.strip().removeprefix("#")
    if not is_digits(s) or len(s) > 18:
        raise v.FieldError(
            Message(
                "{text} is not a contact number (leave it empty for a new one)",
                text=quoted(text, 20),
            )
        )
    return int(s)


# columns whose values repeat from row to row (a city, a stage, tags): checked once per
# distinct combination; name, email and phone are checked on every row
_OWN = ("name", "email", "phone", "vat_id", "birth_date", *CONSENT_COLUMNS)
_SHARED = tuple(c for c in CONTACT_COLUMNS if c != "id" and c not in _OWN)


def _check_shared(values: tuple[str, ...], known: _Known) -> tuple[dict, dict[str, str]]:
    row = dict(zip(_SHARED, values, strict=True))
    chk = v.Checker()
    is_customer, is_supplier = chk("roles", _roles, row.pop("roles")) or (False, False)
    inp = contacts_service.ContactInput(
        name="-", **row, is_customer=is_customer, is_supplier=is_supplier
    )
    out, fchk = contacts_service.clean_fields(inp, known.region)
    for k, m in chk.errors.items():
        fchk.add(k, m)
    if out.get("owner") and out["owner"] not in known.users:
        fchk.add("owner", not_a_user(out["owner"], known.active))
    return out, {k: m for k, m in fchk.errors.items() if k not in _OWN}


_NO_SHARED = ("",) * len(_SHARED)


def _check_row(line: int, row: dict[str, str], known: _Known, problems: Problems):  # noqa: ANN202
    """One CSV row -> (the staged tuple without action/target/version, id or None), or None
    with its problems recorded. Every cell goes through contacts.clean_fields."""
    key = tuple(map(row.get, _SHARED, _NO_SHARED))
    shared = known.memo.get(key)
    if shared is None:
        if len(known.memo) >= 20_000:
            known.memo.clear()  # memory stays bounded on files where nothing repeats
        shared = known.memo[key] = _check_shared(key, known)
    out, errors = shared
    # name, email and phone: the same checks as contacts.clean_fields, on every row
    ochk = v.Checker()
    name = contacts_service.clean_name(ochk, row.get("name", ""))
    email = ochk("email", v.email, row.get("email", ""))
    phone = ochk("phone", v.phone, row.get("phone", ""), out["country"] or known.region)
    vat_id = ochk("vat_id", v.vat_id, row.get("vat_id", ""), out["country"]) or ""
    born = ochk("birth_date", contacts_service.birth_date, row.get("birth_date", ""))
    if born is not None and out["kind"] == "organization":
        ochk.add("birth_date", Message("only a person has a birth date"))
    consent = _check_consent(ochk, row, known)
    if ochk.errors:
        errors = {**errors, **ochk.errors}
    cid = None
    if row.get("id", "").strip():
        try:
            cid = _contact_id(row["id"])
        except v.FieldError as exc:
            errors = {**errors, "id": exc.message}
    if errors:
        for col in CONTACT_COLUMNS:
            if col in errors:
                problems.add(line, line_problem(line, errors[col], col))
        return None
    sort_name = v.sort_key(name)
    return (
        (
            line,
            None,
            None,
            None,
            out["kind"],
            name,
            name if sort_name == name else sort_name,
            out["organization"] or "",
            email,
            phone,
            out["street"],
            out["city"],
            out["postcode"],
            out["country"],
            out["stage"],
            out["is_customer"],
            out["is_supplier"],
            out["owner"],
            out["source"],
            out["notes"],
            out["payment_terms"],
            vat_id,
            born.isoformat() if born else None,
            consent,
            ";".join(out["tags"] or []),
        ),
        cid,
    )


def _check_consent(chk: v.Checker, row: dict[str, str], known: _Known) -> str | None:
    """The row's e-mail consent as staged ("in|2026-11-30T09:15:00+00:00|form"), or None when its
    email_consent is empty (then consent_at and consent_how must be empty too)."""
    if not (row.get("email_consent") or row.get("consent_at") or row.get("consent_how")):
        return None  # (most files: nothing to check)
    state = chk("email_consent", v.text, row.get("email_consent", ""), max_len=10)
    at_text = chk("consent_at", v.text, row.get("consent_at", ""), max_len=40)
    how = chk("consent_how", v.text, row.get("consent_how", ""), max_len=30)
    if state is None or at_text is None or how is None:
        return None  # text no field may hold: said
    state, at_text, how = state.strip(), at_text.strip(), how.strip()
    if not state:
        for col, value in (("consent_at", at_text), ("consent_how", how)):
            if value:
                chk.add(col, Message("only with an email_consent (in or out)"))
        return None
    if not known.may_consent:
        chk.add("email_consent", Message("your role does not record e-mail consent"))
        return None
    state = chk("email_consent", v.choice, state, CONSENT_STATES)
    how = chk("consent_how", v.choice, how or "import", CONSENT_HOW)
    if (problem := consent_service.opt_in_how(state, how)) is not None:
        chk.add("consent_how", problem)
        return None
    at = chk("consent_at", consent_service.consent_time, at_text)
    if state is None or how is None or (at_text and at is None):
        return None
    return f"{state}|{at.isoformat() if at else ''}|{how}"


def _consent_changes(staged: str | None, now: ConsentView | None) -> bool:
    """Whether a staged consent changes the contact's: only a different state does (the
    file exported and imported back changes nothing, whatever its times say)."""
    return staged is not None and (now is None or now.state != staged.split("|", 1)[0])


def _decide(
    uow: UnitOfWork,
    batch: list[tuple[tuple, int | None]],
    known: _Known,
    problems: Problems,
    present: frozenset[str] = frozenset(CONTACT_COLUMNS),
) -> list[tuple]:
    """Which rows of a batch create a contact, update one (by id, else by email) or leave
    it as it is (compared in the columns ``present`` in the file); the batch's existing
    contacts are read in one go."""
    compared = [k for k in COMPARED if _COLUMN_OF.get(k, k) in present]
    emails = [r[_AT["email"]] for r, _ in batch if r[_AT["email"]]]
    ids = [cid for _, cid in batch if cid is not None]
    found: dict[int, Contact] = {}
    by_email: dict[str, int] = {}
    hits: set[int] = set()  # first which contacts match (a light query; usually none)
    conn = uow.session.connection()
    p = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    for i in range(0, max(len(emails), len(ids)), 500):
        some_emails, some_ids = emails[i : i + 500], ids[i : i + 500]
        sql = (
            f"SELECT id FROM contact WHERE email IN ({', '.join([p] * len(some_emails)) or 'NULL'})"
            f" OR id IN ({', '.join([p] * len(some_ids)) or 'NULL'})"
        )
        hits.update(r[0] for r in conn.exec_driver_sql(sql, (*some_emails, *some_ids)))
    hit_list = sorted(hits)
    for i in range(0, len(hit_list), 500):  # then those contacts, whole
        cond = Contact.id.in_(hit_list[i : i + 500])
        for c in uow.session.execute(select(Contact).where(cond)).scalars():
            found[c.id] = c
            if c.email:
                by_email[c.email] = c.id
    tags: dict[int, set[str]] = {}
    for i in range(0, len(found), 500):
        for cid, tag in uow.session.execute(
            select(ContactTag.contact_id, ContactTag.tag).where(
                ContactTag.contact_id.in_(list(found)[i : i + 500])
            )
        ):
            tags.setdefault(cid, set()).add(tag)
    consents = consent_service.consents_of(uow, list(found))
    staged = []
    for r, cid in batch:
        line, email = r[0], r[_AT["email"]]
        if cid is not None:
            if cid not in found:
                problem = Message("no contact #{id} in this store", id=cid)
                problems.add(line, line_problem(line, problem, "id"))
                continue
            other = by_email.get(email) if email else None
            if other is not None and other != cid:
                problem = Message("already used by contact #{id}", id=other)
                problems.add(line, line_problem(line, problem, "email"))
                continue
        else:
            cid = by_email.get(email) if email else None
        if cid is None:
            staged.append(("new", None, None, r))
            continue
        old = found[cid]
        org = r[_AT["organization"]]
        new = {k: r[_AT[k]] for k in COMPARED if k in _AT}
        new["organization_id"] = known.organizations.get(v.sort_key(org)) if org else None
        born = r[_AT["birth_date"]]
        new["birth_date"] = date.fromisoformat(born) if born else None
        same = all(getattr(old, k) == new[k] for k in compared) and (
            "tags" not in present
            or tags.get(cid, set()) == set(filter(None, r[_AT["tags"]].split(";")))
        )
        if not same:
            action = "update"
        elif _consent_changes(r[_AT["consent"]], consents.get(cid)):
            action = "consent"  # the contact as it is; its consent recorded
        else:
            action = "skip"
        staged.append((action, cid, old.version, r))
    uow.session.expunge_all()
    return [(r[0], action, cid, version, *r[4:]) for action, cid, version, r in staged]


def _check_file(store, source, known: _Known, st: _Staging) -> None:  # noqa: ANN001
    problems = Problems()
    batch: list[tuple[tuple, int | None]] = []

    def flush() -> None:
        if batch:
            with store.read() as uow:  # short: a batch's lookups, never the whole file
                st.add(_decide(uow, batch, known, problems, st.present))
            batch.clear()

    for line, row in read_rows(source, CONTACT_COLUMNS, CONTACT_REQUIRED):
        if "__error__" in row:
            problems.add(line, line_problem(line, row["__error__"]))
            continue
        st.present = frozenset(row)  # the header's columns (every row has them all)
        checked = _check_row(line, row, known, problems)
        if checked is not None:
            batch.append(checked)
            if len(batch) >= BATCH:
                flush()
    flush()
    # what needs the whole file: the same email or id twice, organisations named in it
    st.db.execute("CREATE INDEX row_email ON row(email) WHERE email IS NOT NULL")
    for line, first in st.query(
        "SELECT r.line, d.first FROM row r JOIN (SELECT email, min(line) first FROM row "
        "WHERE email IS NOT NULL GROUP BY email HAVING count(*) > 1) d "
        "ON r.email = d.email AND r.line > d.first"
    ):
        problem = Message("also on line {first}", first=first)
        problems.add(line, line_problem(line, problem, "email"))
    for line, first, target in st.query(
        "SELECT r.line, d.first, r.target FROM row r JOIN (SELECT target, min(line) first FROM row "
        "WHERE target IS NOT NULL GROUP BY target HAVING count(*) > 1) d "
        "ON r.target = d.target AND r.line > d.first "
        "WHERE r.email IS NULL OR r.email NOT IN "  # (an email twice is said already)
        "(SELECT email FROM row WHERE email IS NOT NULL GROUP BY email HAVING count(*) > 1)"
    ):
        problem = Message("contact #{id} is also on line {first}", id=target, first=first)
        problems.add(line, line_problem(line, problem, "id"))
    in_file = {n for (n,) in st.query("SELECT sort_name FROM row WHERE kind = 'organization'")}
    for line, org in st.query("SELECT line, organization FROM row WHERE organization != ''"):
        key = v.sort_key(org)
        if key not in known.organizations and key not in in_file:
            problem = Message("no organisation named {name}", name=quoted(org, 60))
            problems.add(line, line_problem(line, problem, "organization"))
    problems.raise_any()


def import_contacts(
    store,
    source: bytes | str | BinaryIO,
    *,
    dry_run: bool = False,  # noqa: ANN001
) -> ImportResult:
    """Upsert contacts from CSV (DESIGN section 8): a row with an ``id`` updates that
    contact, else a row whose email exists updates that contact, else a contact is created.
    Raises ValidationError listing every bad row as ``line N: column: problem`` and writes
    nothing then. The file is read and checked before the write lock is taken (see above)."""
    with store.read() as uow:
        require(uow, "contacts.import")
        known = _read_known(uow)
    st = _Staging()
    try:
        _check_file(store, source, known, st)
        if dry_run:
            changed = st.count("update") + st.count("consent")
            return ImportResult(st.count("new"), changed, st.count("skip"), dry_run=True)
        with store.write() as uow:
            try:
                return _write_contacts(uow, st)
            except IntegrityError as exc:
                raise Conflict(
                    Message(
                        "Someone changed the contacts while the file was being read (an email "
                        "or an organisation in it was added or removed meanwhile); nothing was "
                        "imported. Run the import again."
                    )
                ) from exc
    finally:
        st.close()


_TRIGGER = re.compile(
    r"\bBEGIN\s+(INSERT\s+INTO\s+\w+\s*\([^)]*\))\s*VALUES\s*\(([^;]*)\)\s*;\s*END\s*$",
    re.IGNORECASE | re.DOTALL,
)


_CONTACT_ROW = (  # the contact table's columns, in the order the import writes them
    "id", "kind", "name", "sort_name", "organization_id", "email", "phone", "street", "city",
    "postcode", "country", "stage", "is_customer", "is_supplier", "owner", "source", "notes",
    "payment_terms", "archived", "created_at", "updated_at", "updated_by", "version", "search_text",
    "vat_id", "birth_date",
)  # fmt: skip


_NOT_AUDITED = {"sort_name", "created_at", "updated_at", "search_text"}  # as contacts._snapshot
# (name, its place in the row) in the order the audit writes keys (sorted, as _dump does);
# language and merged_into_id are not written by the import: their columns' defaults
_AUDITED = sorted(
    [(col, i) for i, col in enumerate(_CONTACT_ROW) if col not in _NOT_AUDITED]
    + [("language", None), ("merged_into_id", None), ("tags", None)]
)
_DEFAULTS = {"language": "", "merged_into_id": None}
_ENCODE = json.JSONEncoder(ensure_ascii=False, default=str).encode


def _audited(row: tuple, tags: str) -> str:
    """A new contact's audit "after" (JSON text, as a contact made by hand records it)
    from its row as the import writes it; tens of thousands a second, so built in order."""
    after = {
        col: row[i]
        if i is not None
        else (sorted(t for t in tags.split(";") if t) if col == "tags" else _DEFAULTS[col])
        for col, i in _AUDITED
    }
    return _ENCODE(after)


@contextmanager
def bulk_indexing(
    uow: UnitOfWork, table: str, trigger: str
) -> Iterator[Callable[[int, int], None]]:
    """Insert many rows into ``table`` without its per-row search-index trigger (SQLite):
    inside the block the trigger is dropped, ``index(first_id, last_id)`` fills the index
    for those rows in one set-based statement built from the trigger's own text (so search
    finds exactly what the trigger would have put there), and the trigger is re-created
    at the end, all in the caller's transaction. A trigger of another shape is kept."""
    conn = uow.session.connection()
    found = None
    if uow.store.is_sqlite:
        found = conn.exec_driver_sql(
            "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?", (trigger,)
        ).first()
    m = _TRIGGER.search(found[0]) if found else None
    if m is None:
        yield lambda first, last: None  # the trigger (or PostgreSQL's index) does it
        return
    sql = f"{m.group(1)} SELECT {m.group(2)} FROM {table} AS new WHERE new.id BETWEEN ? AND ?"
    conn.exec_driver_sql(f"DROP TRIGGER {trigger}")
    yield lambda first, last: conn.exec_driver_sql(sql, (first, last))
    # (on an error nothing is re-created here: the transaction rolls back, the drop with it,
    # as in fewer_indexes; a statement after a full disk would hide what happened)
    conn.exec_driver_sql(found[0])


@requires("contacts.import")
def _write_contacts(uow: UnitOfWork, st: _Staging) -> ImportResult:
    """Write the checked rows: new contacts (organisations first, so that people can point
    at them) with plain multi-row inserts, then the updates through the contact service."""
    result = ImportResult(created=st.count("new"), skipped=st.count("skip"))
    now = utcnow()
    orgs = _organizations(uow)
    conn = uow.session.connection()
    first = (uow.session.execute(select(func.max(Contact.id))).scalar() or 0) + 1
    next_id = first  # the write transaction holds the store's write lock
    cols = _STAGED[4:-1]
    # every value is checked already: COPY on PostgreSQL, executemany on SQLite; values as
    # SQLAlchemy would store them (SQLite keeps times as text)
    created = Contact.__table__.c.created_at.type.dialect_impl(conn.dialect)
    stamp = created.bind_processor(conn.dialect)
    at = stamp(now) if stamp else now
    user = uow.user
    adding = result.created
    events = _Events(uow, now, at)
    with (
        fewer_indexes(uow, ("contact", "contact_tag", "audit_event"), adding),
        bulk_indexing(uow, "contact", "contact_search_ai") as index,
    ):
        for kind in ("organization", "person"):
            for rows in chunks(
                st.query(
                    f"SELECT {', '.join(cols)}, tags FROM row "
                    "WHERE action = 'new' AND kind = ? ORDER BY line",
                    kind,
                )
            ):
                ids = range(next_id, next_id + len(rows))
                next_id += len(rows)
                contacts = []
                for cid, r in zip(ids, rows, strict=True):
                    (kind_, name, sort_name, org, email, phone, street, city, postcode) = r[:9]
                    country, stage, is_customer, is_supplier, owner, source, notes = r[9:16]
                    payment_terms, vat_id, born = r[16], r[17], r[18]
                    if kind == "organization":
                        orgs.setdefault(sort_name, cid)
                    contacts.append(
                        (
                            cid,
                            kind_,
                            name,
                            sort_name,
                            orgs.get(v.sort_key(org)) if org else None,
                            email,
                            phone,
                            street,
                            city,
                            postcode,
                            country,
                            stage,
                            bool(is_customer),
                            bool(is_supplier),
                            owner,
                            source,
                            notes,
                            payment_terms,
                            False,
                            at,
                            at,
                            user,
                            1,
                            fold_fields(name, email, phone, city),  # as the model's column
                            vat_id,
                            born,
                        )
                    )
                insert_rows(conn, "contact", _CONTACT_ROW, contacts)
                tag_rows = [
                    (cid, t)
                    for cid, r in zip(ids, rows, strict=True)
                    for t in r[-1].split(";")
                    if t
                ]
                insert_rows(conn, "contact_tag", ("contact_id", "tag"), tag_rows)
                # each with what it was made with, as a contact made by hand (it was blank)
                events.write(
                    [
                        ("contact", row[0], "import", _audited(row, tags))
                        for row, tags in zip(contacts, (r[-1] for r in rows), strict=True)
                    ]
                )
                said = [(cid, r[19]) for cid, r in zip(ids, rows, strict=True) if r[19]]
                if said:
                    _insert_consents(conn, said, now, stamp, user, events)
        if next_id > first:
            index(first, next_id - 1)
    events.close()
    # the new contacts enter their stage: the nurturing sequences start (set-based)
    nurture.entered_in_bulk(uow, first, next_id - 1)
    sync_id_sequences(conn, "contact")
    problems = Problems()
    for r in st.query(
        f"SELECT line, target, version, action, {', '.join(cols)}, tags FROM row "
        "WHERE action IN ('update', 'consent') ORDER BY line"
    ):
        line, cid, version, action = r[:4]
        d = dict(zip((*cols, "tags"), r[4:], strict=True))
        result.updated += 1
        if d["consent"] and _consent_changes(
            d["consent"], consent_service.consents_of(uow, [cid]).get(cid)
        ):
            state, when, how = d["consent"].split("|")
            at_ = datetime.fromisoformat(when) if when else None
            consent_service.record(uow, cid, state, how, at=at_)
        if action == "consent":
            continue
        inp = contacts_service.ContactInput(
            **{k: d[k] for k in _UPDATE_FIELDS},
            is_customer=bool(d["is_customer"]),
            is_supplier=bool(d["is_supplier"]),
            owner=d["owner"] or "",
            email=d["email"] or "",
            phone=d["phone"] or "",
            tags=[t for t in d["tags"].split(";") if t],
            birth_date=d["birth_date"] or "",
        )
        inp = _kept(uow, cid, inp, st.present)
        try:
            contacts_service.update(uow, cid, inp, version=version)
        except ValidationError as exc:
            for col, msg in exc.fields.items():
                problems.add(line, line_problem(line, msg, col or "row"))
    problems.raise_any()
    uow.audit(
        "import", None, "contacts", after={"created": result.created, "updated": result.updated}
    )
    return result


# the columns a contact keeps as stored when a file does not have them ("source" is never one)
_KEPT_AS_STORED = (
    *("kind", "email", "phone", "street", "city", "postcode", "country", "vat_id", "stage"),
    *("owner", "source", "notes", "payment_terms", "birth_date"),
)


def _kept(
    uow: UnitOfWork, cid: int, inp: contacts_service.ContactInput, present: frozenset[str]
) -> contacts_service.ContactInput:
    """A row's update with what the contact holds in every column the file does not have
    (a file of names and emails emptied every phone, city, tag and role), and the language
    of its documents, never a column."""
    c = uow.session.get(Contact, cid)
    keep: dict[str, object] = {"language": c.language}
    for col in _KEPT_AS_STORED:
        if col not in present:
            keep[col] = getattr(c, col) or ""
    if "roles" not in present:
        keep["is_customer"], keep["is_supplier"] = c.is_customer, c.is_supplier
    if "organization" not in present and c.organization_id:
        org = uow.session.get(Contact, c.organization_id)
        keep["organization"] = contacts_service.reference(org.name, org.id)
    if "tags" not in present:
        keep["tags"] = list(
            uow.session.scalars(select(ContactTag.tag).where(ContactTag.contact_id == cid))
        )
    return replace(inp, **keep)


def _insert_consents(conn, said: list[tuple[int, str]], now, stamp, user: str, events) -> None:  # noqa: ANN001
    """The consents of new contacts, with their audit events (as consent.record writes)."""
    rows, audited = [], []
    for cid, staged in said:
        state, when, how = staged.split("|")
        at = datetime.fromisoformat(when) if when else now
        rows.append((cid, state, stamp(at) if stamp else at, how, user))
        after = json.dumps(
            {"state": state, "at": at.isoformat(), "how": how}, ensure_ascii=False, sort_keys=True
        )
        action = "opt_in" if state == "in" else "opt_out"
        audited.append(("email_consent", cid, action, after))
    insert_rows(conn, "email_consent", ("contact_id", "state", "at", "how", "by"), rows)
    events.write(audited)


class _Events:
    """The audit events of the new contacts and their consents, all made ``now``: given
    ids in turn (the write lock is held) and linked into the audit chain as they are
    written, so the seal does not read them back (``chain.linked``)."""

    COLUMNS = ("id", "at", "username", "entity", "entity_id", "action", "after", "chain_hash")

    def __init__(self, uow: UnitOfWork, now: datetime, stored_now: object) -> None:
        self.session = uow.session
        self.session.flush()  # (an event the session holds takes its id before these)
        self.conn = self.session.connection()
        self.user = uow.user
        self.first = (self.session.execute(select(func.max(AuditEvent.id))).scalar() or 0) + 1
        self.next = self.first
        _, self.link = chain.audit_head(self.session, below=self.first)
        self.now, self.stored_now = chain.plain(now), stored_now

    def write(self, events: list[tuple[str, int, str, str | None]]) -> None:
        """(entity, its id, action, after as JSON text or None) a batch at a time."""
        rows = []
        for entity, entity_id, action, after in events:
            self.link = chain.link_event(
                self.link, (self.now, self.user, entity, entity_id, action, None, after)
            )
            rows.append(
                (self.next, self.stored_now, self.user, entity, entity_id, action, after, self.link)
            )
            self.next += 1
        insert_rows(self.conn, "audit_event", self.COLUMNS, rows)

    def close(self) -> None:
        if self.next > self.first:
            chain.linked(self.session, "audit", self.first, self.next - 1, self.link)
            sync_id_sequences(self.conn, "audit_event")


_UPDATE_FIELDS = (
    "name",
    "kind",
    "organization",
    "street",
    "city",
    "postcode",
    "country",
    "vat_id",
    "stage",
    "source",
    "notes",
    "payment_terms",
)
