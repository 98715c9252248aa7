"""``bizdesk check``: every invariant of the store, each a small function in a registry.

A ledger is data plus checks (as in beancount and hledger): a check says exactly which
record is wrong and why, so a person can act on it.
"""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Date, String, bindparam, or_, select, text

from bizdesk.config import backups_dir, sqlite_path
from bizdesk.db import chain
from bizdesk.db.session import Store, UnitOfWork
from bizdesk.faults import file_problem
from bizdesk.i18n import N_, Message
from bizdesk.models import load_all
from bizdesk.models.core import AuditEvent, User
from bizdesk.money import money_text, qty_text
from bizdesk.reading import date_text, quoted
from bizdesk.services.banking import findings as banking
from bizdesk.services.base import permissions
from bizdesk.services.base.numbering import JOURNAL, invoice_label
from bizdesk.services.base.validate import text_problem
from bizdesk.services.inventory.products import in_pieces, parts_on_hand


@dataclass(frozen=True)
class Violation:
    check: str  # the check's name, as `bizdesk check` prints it (not translated)
    message: str  # a Message: the finding, translated where shown
    severity: str = "error"  # "error" fails the check; "warning" and "info" are reported only


CheckFn = Callable[[UnitOfWork], Iterator[Violation]]
CHECKS: list[tuple[str, CheckFn]] = []


def check(name: str) -> Callable[[CheckFn], CheckFn]:
    def register(fn: CheckFn) -> CheckFn:
        CHECKS.append((name, fn))
        return fn

    return register


def _sql_rule(name: str, sql: str, message: str, *fields: str, **constants: object) -> None:
    """A rule that holds when ``sql`` returns no rows; each row is one violation, the
    sentence ``message`` (marked with N_) with the row's columns as ``fields`` (a field
    named "email!r" is quoted, "total!money" an amount in minor units, "qty!qty" a quantity
    in thousandths: both said as the shop writes them) and ``constants``."""
    keys = [f.partition("!")[0] for f in fields]
    kinds = [f.partition("!")[2] for f in fields]

    def run(uow: UnitOfWork) -> Iterator[Violation]:
        # amounts and quantities as the shop writes them, as every table shows them
        loc = uow.input_locale or uow.setting("locale") or "en_US"
        shown = {
            "r": lambda stored: quoted(stored, 80),  # an e-mail, a stage, a tag as stored
            "money": lambda minor: money_text(minor, uow.exponent, loc),
            "qty": lambda scaled: qty_text(scaled, loc),
        }
        for row in uow.session.execute(text(sql)):
            values = [
                shown[k](x) if k and x is not None else x for x, k in zip(row, kinds, strict=True)
            ]
            params = dict(zip(keys, values, strict=True))
            yield Violation(name, Message(message, **params, **constants))

    CHECKS.append((name, run))


@check("sqlite-integrity")
def _integrity(uow: UnitOfWork) -> Iterator[Violation]:
    if not uow.store.is_sqlite:
        return
    found = [msg for (msg,) in uow.session.execute(text("PRAGMA integrity_check"))]
    if found != ["ok"]:
        # from now on only read, here and in every process; the CLI says how to restore
        uow.store.mark_damaged("; ".join(found[:3]))
        for msg in found:
            yield Violation("sqlite-integrity", msg)
    elif uow.store.found_sound():
        yield Violation(
            "sqlite-integrity",
            Message(
                "the store had been found damaged before; every page is sound now, so "
                "bizdesk writes to it again"
            ),
            "info",
        )
    for row in uow.session.execute(text("PRAGMA foreign_key_check")):
        yield Violation(
            "foreign-keys",
            Message(
                "{table} row {row} points at a missing {parent}",
                table=row[0],
                row=row[1],
                parent=row[2],
            ),
        )


@check("hash-chains")
def _hash_chains(uow: UnitOfWork) -> Iterator[Violation]:
    """The journal's and the audit trail's hash chains (db/chain.py), and their heads for the
    owner to note: a store rewritten whole would show other heads."""
    breaks, heads = chain.verify(uow.session)
    for b in breaks:
        yield Violation(f"{b.chain}-chain", b.message)
    if heads.entry_number:
        entry = Message(
            "journal chain head: {entry} {hash}",
            entry=JOURNAL.label(heads.entry_number),
            hash=heads.entry_hash,
        )
    else:
        entry = Message("journal chain head: no posted entry {hash}", hash=heads.entry_hash)
    if heads.audit_id:
        event = Message(
            "audit chain head: audit event {id} {hash}", id=heads.audit_id, hash=heads.audit_hash
        )
    else:
        event = Message("audit chain head: no audit event {hash}", hash=heads.audit_hash)
    yield Violation("hash-chains", entry, "info")
    yield Violation("hash-chains", event, "info")


@check("user-roles")
def _user_roles(uow: UnitOfWork) -> Iterator[Violation]:
    """Each user's role, and whether they may open the store, is what the audit trail (a
    hash chain) last recorded for them: a role given past bizdesk (sqlite3 on a shared
    group's store) is found here, as a changed posting is by the chains. The store's first
    owner is the one who set it up (its "init" event; in a store from before, its first
    user)."""
    recorded: dict[int, tuple[str | None, bool]] = {}
    events = uow.session.execute(
        select(AuditEvent.entity_id, AuditEvent.action, AuditEvent.after)
        .where(AuditEvent.entity == "user")
        .order_by(AuditEvent.id)
    )
    for user_id, action, after in events:
        data = json.loads(after) if after else {}
        role, active = recorded.get(user_id, (None, True))
        if action in ("add", "set-role"):
            role, active = data.get("role", role), bool(data.get("active", True))
        elif action == "disable":
            active = False
        recorded[user_id] = (role, active)
    founder = uow.session.scalar(
        select(AuditEvent.username)
        .where(AuditEvent.entity == "store", AuditEvent.action == "init")
        .order_by(AuditEvent.id)
        .limit(1)
    )
    people = list(uow.session.scalars(select(User).order_by(User.id)))
    if founder is None and people:  # a store older than its init's event: its first user
        founder = people[0].username
    for u in people:
        expected = recorded.get(u.id)
        if expected is None and u.username == founder:
            expected = ("owner", True)
        if not u.active and expected is not None and not expected[1]:
            continue  # disabled, as the trail says: no role opens the store
        if expected is None or expected[0] is None:
            yield Violation(
                "user-roles",
                Message(
                    "user {name} ({role}) is in the store, but the audit trail never recorded "
                    "them being let in: added past bizdesk? Disable them (bizdesk users "
                    "disable {name}) or set their role again",
                    name=u.username,
                    role=u.role,
                ),
            )
        elif (u.role, bool(u.active)) != expected:
            yield Violation(
                "user-roles",
                Message(
                    "user {name} is {role} ({state}), but the audit trail last recorded "
                    "{recorded} ({recorded_state}): changed past bizdesk? Set their role again "
                    "(bizdesk users set-role {name} ROLE) or disable them",
                    name=u.username,
                    role=u.role,
                    state=Message.pgettext("user", "active")
                    if u.active
                    else Message.pgettext("user", "disabled"),
                    recorded=expected[0],
                    recorded_state=Message.pgettext("user", "active")
                    if expected[1]
                    else Message.pgettext("user", "disabled"),
                ),
            )


# PostgreSQL's search indexes (migrations 0007 and 0005): PostgreSQL keeps them up to date
# itself, so they only need to be there and valid (a failed build leaves one invalid).
PG_SEARCH_INDEXES = ("contact_search_text", "entry_search_memo")


@check("search-indexes")
def _search_indexes(uow: UnitOfWork) -> Iterator[Violation]:
    """Every row indexed once: or searches would miss records (or find ghosts)."""
    if uow.store.engine.dialect.name == "postgresql":
        valid = set(
            uow.session.scalars(
                text(
                    "SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
                    "WHERE c.relname LIKE '%search%' AND i.indisvalid "
                    "AND c.relnamespace = current_schema()::regnamespace"
                )
            )
        )
        for name in PG_SEARCH_INDEXES:
            if name not in valid:
                yield Violation(
                    "search-indexes",
                    Message("search index {name} is missing or invalid (REINDEX it)", name=name),
                )
        return
    if not uow.store.is_sqlite:
        return
    for index, table in (("contact_search", "contact"), ("entry_search", "journal_entry")):
        indexed = uow.session.execute(text(f"SELECT COUNT(*) FROM {index}_docsize")).scalar()
        rows = uow.session.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar()
        if indexed != rows:
            yield Violation(
                "search-indexes",
                Message(
                    "{index} indexes {indexed} rows but {table} has {rows}",
                    index=index,
                    indexed=indexed,
                    table=table,
                    rows=rows,
                ),
            )


@check("store-permissions")
def _permissions(uow: UnitOfWork) -> Iterator[Violation]:
    path = sqlite_path(uow.store.url)
    if path is None:
        return
    backups = backups_dir(uow.store.url)
    copies = sorted(backups.glob("*.db")) if backups.is_dir() else []
    live = [path.with_name(path.name + suffix) for suffix in ("", "-wal", "-shm", "-turns")]
    # the store and the files beside it, said once (a store copied as 0644 gave three
    # warnings for one cause); each backup on its own line
    for group in ([p for p in live if _exposed(p)], *([p] for p in copies if _exposed(p))):
        if group:
            said = " ".join(str(p) for p in group)
            yield Violation(
                "store-permissions",
                Message(
                    "{path} can be read or written by every user on this machine "
                    "(chmod o-rwx {path})",
                    path=said,
                ),
                "warning",
            )


def _exposed(p) -> bool:  # noqa: ANN001
    return p.exists() and bool(os.stat(p).st_mode & (stat.S_IROTH | stat.S_IWOTH))


@check("shop-vat-id")
def _shop_vat_id(uow: UnitOfWork) -> Iterator[Violation]:
    """Invoices that charge VAT print the seller's VAT id, which most countries require on
    them: without it in the shop's details every such invoice went out without, unsaid."""
    if uow.setting("shop_vat_id", ""):
        return
    charged = uow.session.scalar(
        text("SELECT count(*) FROM invoice WHERE kind = 'invoice' AND vat_minor <> 0")
    )
    if charged:
        yield Violation(
            "shop-vat-id",
            Message.plural(
                "{n} invoice charges VAT but the shop's VAT id is not set, so it is not "
                "printed on it: bizdesk shop set vat-id ID (or the Shop details form)",
                "{n} invoices charge VAT but the shop's VAT id is not set, so it is not "
                "printed on them: bizdesk shop set vat-id ID (or the Shop details form)",
                charged,
                n=charged,
            ),
            "warning",
        )


@check("invoice-date-order")
def _invoice_date_order(uow: UnitOfWork) -> Iterator[Violation]:
    """Invoices and credit notes are numbered in the order of their dates and not dated
    after today (sales.invoice refuses both); an older bizdesk took either, and a series out
    of order is what a tax office asks about. Posted, they stay: this says so."""
    rows = uow.session.execute(
        text(
            "SELECT kind, number, issued_on, before FROM (SELECT kind, number, issued_on, "
            "LAG(issued_on) OVER (PARTITION BY kind ORDER BY number) AS before "
            "FROM invoice) t WHERE issued_on < before OR issued_on > :today ORDER BY kind, number"
        ).bindparams(bindparam("today", type_=Date)),
        {"today": date.today()},
    ).all()
    for kind, number, issued_on, before in rows:
        day = date.fromisoformat(str(issued_on))
        if day > date.today():
            message = Message(
                "{label} is dated {day}, after today: the next invoice of its series cannot "
                "be dated before it",
                label=invoice_label(kind, number),
                day=date_text(day),
            )
        else:
            message = Message(
                "{label} is dated {day}, before the one numbered before it ({before}): the "
                "series is out of the order of its dates",
                label=invoice_label(kind, number),
                day=date_text(day),
                before=date_text(date.fromisoformat(str(before))),
            )
        yield Violation("invoice-date-order", message, "warning")


@check("backups")
def _backups(uow: UnitOfWork) -> Iterator[Violation]:
    """Every file in the backups folder is a sound store: a copy cut short (killed, full
    disk) or damaged since must not be the one somebody restores in a hurry."""
    if sqlite_path(uow.store.url) is None:
        return
    folder = backups_dir(uow.store.url)
    for p in sorted(folder.glob("*.db")) if folder.is_dir() else []:
        problem = file_problem(p, full=False)  # each was checked in full when written
        if problem is not None:
            yield Violation(
                "backups",
                Message(
                    "{path} cannot be restored: {problem} (move it out of {folder})",
                    path=str(p),
                    problem=problem,
                    folder=str(folder),
                ),
            )


_sql_rule(
    "credits-within-invoices",
    "SELECT sl.order_id, sl.id FROM sales_line sl JOIN ("
    " SELECT il.sales_line_id AS line_id,"
    "  SUM(CASE WHEN i.kind = 'invoice' THEN il.net_minor ELSE 0 END) AS net,"
    "  SUM(CASE WHEN i.kind = 'credit' THEN il.net_minor ELSE 0 END) AS net_back,"
    "  SUM(CASE WHEN i.kind = 'invoice' THEN il.vat_minor ELSE 0 END) AS vat,"
    "  SUM(CASE WHEN i.kind = 'credit' THEN il.vat_minor ELSE 0 END) AS vat_back"
    " FROM invoice_line il JOIN invoice i ON i.id = il.invoice_id GROUP BY il.sales_line_id"
    ") t ON t.line_id = sl.id WHERE t.net_back > t.net OR t.vat_back > t.vat ORDER BY sl.id",
    N_(
        "sales order #{order}, line #{line}: its credit notes take back more than its "
        "invoices charged (the customer is owed what they never paid)"
    ),
    "order",
    "line",
)
_sql_rule(
    "contact-email",
    "SELECT id, email FROM contact WHERE email IS NOT NULL AND "
    "(email != lower(trim(email)) OR email = '')",
    N_("contact #{id}: email {email} is not normalised"),
    "id",
    "email!r",
)
_sql_rule(
    "contact-sort-name",
    "SELECT id FROM contact WHERE sort_name IS NULL OR sort_name = ''",
    N_("contact #{id}: sort name missing"),
    "id",
)
_sql_rule(
    "search-text",
    " UNION ALL ".join(
        f"SELECT '{t}', id FROM {t} WHERE search_text = ''"
        for t in ("contact", "product", "deal", "ticket")
    ),
    N_("{table} #{id}: no search text (it cannot be found; written around the store's code?)"),
    "table",
    "id",
)
_sql_rule(
    "contact-merged-archived",
    "SELECT id FROM contact WHERE merged_into_id IS NOT NULL AND NOT archived",
    N_("contact #{id} was merged but is not archived"),
    "id",
)
_sql_rule(
    "contact-stage",
    "SELECT id, stage FROM contact WHERE stage NOT IN ('lead','prospect','customer','inactive')",
    N_("contact #{id}: unknown stage {stage}"),
    "id",
    "stage!r",
)
_sql_rule(
    "tag-lowercase",
    "SELECT contact_id, tag FROM contact_tag WHERE tag != lower(tag)",
    N_("contact #{id}: tag {tag} is not lower case"),
    "id",
    "tag!r",
)
_sql_rule(
    "deal-stage",
    "SELECT d.id FROM deal d LEFT JOIN pipeline_stage s ON s.id = d.stage_id "
    "WHERE s.id IS NULL OR (NOT s.active AND NOT d.archived)",
    N_("deal #{id} sits in a missing or removed stage"),
    "id",
)
_sql_rule(
    "deal-closed",
    "SELECT d.id, s.name FROM deal d JOIN pipeline_stage s "
    "ON s.id = d.stage_id WHERE (s.kind != 'open') != (d.closed_at IS NOT NULL)",
    N_("deal #{id} in stage {stage}: closed date does not match the stage"),
    "id",
    "stage",
)
_sql_rule(
    "deal-probability",
    "SELECT id, probability FROM deal WHERE probability < 0 OR probability > 100",
    N_("deal #{id}: probability {probability} not 0-100"),
    "id",
    "probability",
)
_sql_rule(
    "deal-amount",
    "SELECT id FROM deal WHERE amount_minor < 0",
    N_("deal #{id}: negative amount"),
    "id",
)
_sql_rule(
    "ticket-values",
    "SELECT id FROM ticket WHERE status NOT IN "
    "('new','open','waiting','resolved','closed') OR priority NOT IN "
    "('low','normal','high','urgent')",
    N_("ticket #{id}: unknown status or priority"),
    "id",
)
_sql_rule(
    "ticket-resolved-at",
    "SELECT id FROM ticket WHERE (status IN ('resolved','closed')) != (resolved_at IS NOT NULL)",
    N_("ticket #{id}: resolved time does not match its status"),
    "id",
)
_sql_rule(
    "ticket-breach-recorded",
    "SELECT id FROM ticket WHERE NOT first_response_breached "
    "AND first_response_at IS NOT NULL AND first_response_due IS NOT NULL "
    "AND first_response_at > first_response_due",
    N_("ticket #{id}: answered late but not flagged as breached"),
    "id",
)
for _entity, _table, _message in (
    ("contact", "contact", N_("contact #{id} has no audit trail")),
    ("deal", "deal", N_("deal #{id} has no audit trail")),
    ("ticket", "ticket", N_("ticket #{id} has no audit trail")),
    ("product", "product", N_("product #{id} has no audit trail")),
    ("purchase_order", "purchase_order", N_("purchase_order #{id} has no audit trail")),
    ("sales_order", "sales_order", N_("sales_order #{id} has no audit trail")),
):
    _sql_rule(
        f"{_entity}-audited",
        f"SELECT t.id FROM {_table} t WHERE NOT EXISTS (SELECT 1 FROM audit_event a "
        f"WHERE a.entity = '{_entity}' AND a.entity_id = t.id)",
        _message,
        "id",
    )


# --- the ERP side: the books balance and agree with stock and purchasing --------------------

_sql_rule(
    "entry-balanced",
    "SELECT e.number, SUM(l.debit_minor), SUM(l.credit_minor) FROM journal_entry e "
    "JOIN journal_line l ON l.entry_id = e.id WHERE e.state = 'posted' "
    "GROUP BY e.id, e.number HAVING SUM(l.debit_minor) != SUM(l.credit_minor) OR COUNT(*) < 2",
    N_("{prefix}-{number}: debits {debit} and credits {credit} do not balance"),
    "number",
    "debit!money",
    "credit!money",
    prefix=JOURNAL.prefix,
)
_sql_rule(
    "party-line-contact",
    "SELECT e.number, a.code, a.name FROM journal_line l JOIN journal_entry e ON e.id = "
    "l.entry_id JOIN account a ON a.id = l.account_id WHERE l.posted = TRUE AND "
    "l.contact_id IS NULL AND a.role IN ('receivable', 'payable') "
    "GROUP BY e.number, a.code, a.name ORDER BY e.number",
    N_(
        "{prefix}-{number}: a line on {code} {name} names no customer or supplier, so it is "
        "on no statement or aged list; reverse the entry and post it again naming them"
    ),
    "number",
    "code",
    "name",
    prefix=JOURNAL.prefix,
)
_sql_rule(
    "entry-lines-posted",
    "SELECT e.id, l.id FROM journal_entry e JOIN journal_line l ON l.entry_id = e.id "
    "WHERE (e.state = 'posted') != (l.posted = TRUE) OR (e.state = 'posted' AND l.date != e.date)",
    N_("journal entry #{id}: line #{line} does not carry the entry's posted state or date"),
    "id",
    "line",
)
_sql_rule(
    "entry-numbers",
    "SELECT COUNT(*), MAX(number) FROM journal_entry WHERE state = 'posted' "
    "HAVING COUNT(*) != COALESCE(MAX(number), 0) OR COUNT(*) != COUNT(DISTINCT number)",
    N_("{count} posted entries but numbers run to {last}: the series has a gap or a repeat"),
    "count",
    "last",
)
_sql_rule(
    "entry-draft-number",
    "SELECT id FROM journal_entry WHERE (state = 'draft') = (number IS NOT NULL)",
    N_("journal entry #{id}: a number belongs to posted entries only"),
    "id",
)
_sql_rule(
    "stock-not-negative",
    "SELECT p.sku, loc.name, SUM(m.qty_scaled) FROM stock_move m "
    "JOIN product p ON p.id = m.product_id JOIN location loc ON loc.id = m.location_id "
    "WHERE NOT p.allow_negative GROUP BY p.id, p.sku, loc.id, loc.name "
    "HAVING SUM(m.qty_scaled) < 0",
    N_("{sku} at {location}: on hand is below zero ({qty}) and the product does not allow it"),
    "sku",
    "location",
    "qty!qty",
)
_sql_rule(
    "stock-zero-value",
    "SELECT p.sku, SUM(m.value_minor) FROM stock_move m JOIN product p ON p.id = m.product_id "
    "GROUP BY p.id, p.sku HAVING SUM(m.qty_scaled) = 0 AND SUM(m.value_minor) != 0",
    N_("{sku}: nothing on hand but a stock value of {value} is left"),
    "sku",
    "value!money",
)
_sql_rule(
    "received-equals-moves",
    "SELECT l.id, l.received_scaled, COALESCE(SUM(m.qty_scaled), 0) FROM purchase_line l "
    "LEFT JOIN stock_move m ON m.source_kind = 'purchase_line' AND m.source_id = l.id "
    "GROUP BY l.id, l.received_scaled HAVING l.received_scaled != COALESCE(SUM(m.qty_scaled), 0)",
    N_("purchase line #{id}: received {received} but its stock moves add up to {moved}"),
    "id",
    "received!qty",
    "moved!qty",
)
_sql_rule(
    "receipt-within-order",
    "SELECT id FROM purchase_line WHERE received_scaled > qty_scaled OR received_scaled < 0 "
    "OR billed_scaled > received_scaled",
    N_("purchase line #{id}: received more than ordered, or billed more than received"),
    "id",
)
_sql_rule(
    "sales-line-quantities",
    "SELECT id FROM sales_line WHERE delivered_scaled > qty_scaled OR invoiced_scaled > "
    "delivered_scaled OR returned_scaled > invoiced_scaled OR delivered_scaled < 0",
    N_(
        "sales line #{id}: delivered more than ordered, invoiced more than delivered, or "
        "returned more than invoiced"
    ),
    "id",
)
_sql_rule(
    "delivered-equals-moves",
    "SELECT l.id, l.delivered_scaled - l.returned_scaled, -COALESCE(SUM(m.qty_scaled), 0) "
    "FROM sales_line l JOIN product p ON p.id = l.product_id AND p.stocked = TRUE "
    "LEFT JOIN stock_move m ON m.source_kind = 'sales_line' "
    "AND m.source_id = l.id WHERE NOT EXISTS (SELECT 1 FROM sales_kit_line k "
    "WHERE k.sales_line_id = l.id) GROUP BY l.id "
    "HAVING l.delivered_scaled - l.returned_scaled != -COALESCE(SUM(m.qty_scaled), 0)",
    N_("sales line #{id}: {out} out with the customer but its stock moves say {moved}"),
    "id",
    "out!qty",
    "moved!qty",
)
_sql_rule(
    "invoice-numbers",
    "SELECT kind, COUNT(*), MAX(number) FROM invoice GROUP BY kind "
    "HAVING COUNT(*) != MAX(number) OR COUNT(*) != COUNT(DISTINCT number)",
    N_("{kind} numbers: {count} issued but numbers run to {last} (a gap or a repeat)"),
    "kind",
    "count",
    "last",
)
_sql_rule(
    "invoice-paid-within-total",
    "SELECT i.number, i.total_minor, SUM(p.amount_minor) FROM invoice i "
    "JOIN customer_payment p ON p.invoice_id = i.id GROUP BY i.id, i.number, i.total_minor "
    "HAVING SUM(p.amount_minor) > i.total_minor",
    N_("invoice {number}: paid {paid}, more than its total {total}"),
    "number",
    "total!money",
    "paid!money",
)
_ROLE_BALANCE = (
    "(SELECT COALESCE(SUM(l.debit_minor - l.credit_minor), 0) FROM journal_line l "
    "JOIN account a ON a.id = l.account_id WHERE l.posted = TRUE AND a.role = '{}')"
)
_sql_rule(
    "inventory-equals-valuation",
    f"SELECT inv, val FROM (SELECT {_ROLE_BALANCE.format('inventory')} AS inv, "
    "(SELECT COALESCE(SUM(value_minor), 0) FROM stock_move) AS val) AS t WHERE inv != val",
    N_("the inventory account holds {books} but the stock is valued at {stock}"),
    "books!money",
    "stock!money",
)
_sql_rule(
    "grni-equals-unbilled",
    f"SELECT grni, open FROM (SELECT -{_ROLE_BALANCE.format('grni')} AS grni, "
    "(SELECT COALESCE(SUM(received_value_minor - billed_value_minor), 0) FROM purchase_line) "
    "AS open) AS t WHERE grni != open",
    N_("goods received not invoiced holds {books} but received-not-billed goods are worth {open}"),
    "books!money",
    "open!money",
)
_sql_rule(
    "bill-paid-within-total",
    "SELECT b.reference, b.total_minor, SUM(p.amount_minor) FROM supplier_bill b "
    "JOIN supplier_payment p ON p.bill_id = b.id GROUP BY b.id, b.reference, b.total_minor "
    "HAVING SUM(p.amount_minor) > b.total_minor",
    N_("bill {reference}: paid {paid}, more than its total {total}"),
    "reference",
    "total!money",
    "paid!money",
)
# The VAT return (services/books/vat_return.py) counts a document's VAT from its lines and
# the rest of the VAT accounts' lines entry by entry: it ties to the accounts exactly when
# every document posted the VAT its lines add up to.
_ENTRY_VAT = (
    "(SELECT COALESCE(SUM(l.{}), 0) FROM journal_line l JOIN account a ON a.id = l.account_id "
    "WHERE l.entry_id = {} AND a.role = '{}')"
)
_sql_rule(
    "vat-return-documents",
    "SELECT i.kind, i.number, i.vat_minor, "
    f"{_ENTRY_VAT.format('credit_minor - l.debit_minor', 'i.entry_id', 'vat_payable')} "
    "* (CASE WHEN i.kind = 'invoice' THEN 1 ELSE -1 END) AS posted "
    "FROM invoice i WHERE i.vat_minor != (SELECT COALESCE(SUM(x.vat_minor), 0) FROM "
    "invoice_line x WHERE x.invoice_id = i.id) OR i.vat_minor != "
    f"{_ENTRY_VAT.format('credit_minor - l.debit_minor', 'i.entry_id', 'vat_payable')} "
    "* (CASE WHEN i.kind = 'invoice' THEN 1 ELSE -1 END)",
    N_("{kind} {number}: VAT {vat} but its lines or its entry say otherwise (posted {posted})"),
    "kind",
    "number",
    "vat!money",
    "posted!money",
)
_sql_rule(
    "vat-return-bills",
    "SELECT b.reference, b.vat_minor, "
    f"{_ENTRY_VAT.format('debit_minor - l.credit_minor', 'b.entry_id', 'vat_receivable')} "
    "FROM supplier_bill b WHERE b.vat_minor != "
    f"{_ENTRY_VAT.format('debit_minor - l.credit_minor', 'b.entry_id', 'vat_receivable')}",
    N_("bill {reference}: VAT {vat} but its entry posted {posted} to VAT receivable"),
    "reference",
    "vat!money",
    "posted!money",
)

# --- lead nurturing (services/crm/nurture.py)
_sql_rule(
    "follow-up-done-logged",
    "SELECT f.id FROM follow_up f LEFT JOIN interaction i ON i.id = f.interaction_id "
    "WHERE (f.state = 'done') != (i.id IS NOT NULL AND i.contact_id = f.contact_id)",
    N_("follow-up #{id}: done and logged on its contact must go together"),
    "id",
)
_sql_rule(
    "follow-up-open-contact",
    "SELECT f.id, c.id FROM follow_up f JOIN contact c ON c.id = f.contact_id "
    "WHERE f.state = 'open' AND c.archived",
    N_("follow-up #{id} is open on archived contact #{contact}"),
    "id",
    "contact",
)

# --- making goods (services/making/assembly.py)
_sql_rule(
    "assembly-balances",
    "SELECT o.number, o.received_value_minor, o.labour_value_minor, "
    "(SELECT COALESCE(SUM(consumed_value_minor), 0) FROM assembly_line l WHERE l.order_id = o.id) "
    "AS used FROM assembly_order o WHERE o.received_value_minor != o.labour_value_minor + "
    "(SELECT COALESCE(SUM(consumed_value_minor), 0) FROM assembly_line l WHERE l.order_id = o.id)",
    N_(
        "assembly order #{number}: received at {received} but its components cost {used} and "
        "its labour {labour}"
    ),
    "number",
    "received!money",
    "labour!money",
    "used!money",
)
_sql_rule(
    "assembly-moves",
    "SELECT o.number, o.done_scaled, o.received_value_minor, "
    "COALESCE(SUM(m.qty_scaled), 0), COALESCE(SUM(m.value_minor), 0) FROM assembly_order o "
    "LEFT JOIN stock_move m ON m.source_kind = 'assembly_order' AND m.source_id = o.id "
    "AND m.kind = 'made' GROUP BY o.id, o.number, o.done_scaled, o.received_value_minor "
    "HAVING o.done_scaled != COALESCE(SUM(m.qty_scaled), 0) "
    "OR o.received_value_minor != COALESCE(SUM(m.value_minor), 0)",
    N_(
        "assembly order #{number}: {done} made worth {value} but its stock moves say {moved} "
        "worth {moved_value}"
    ),
    "number",
    "done!qty",
    "value!money",
    "moved!qty",
    "moved_value!money",
)
_sql_rule(
    "assembly-consumed",
    "SELECT o.number, l.id, l.consumed_scaled, l.consumed_value_minor, "
    "COALESCE(-SUM(m.qty_scaled), 0), COALESCE(-SUM(m.value_minor), 0) FROM assembly_line l "
    "JOIN assembly_order o ON o.id = l.order_id LEFT JOIN stock_move m "
    "ON m.source_kind = 'assembly_order' AND m.source_id = o.id AND m.kind = 'consumed' "
    "AND m.product_id = l.component_id "
    "GROUP BY o.number, l.id, l.consumed_scaled, l.consumed_value_minor "
    "HAVING l.consumed_scaled != COALESCE(-SUM(m.qty_scaled), 0) "
    "OR l.consumed_value_minor != COALESCE(-SUM(m.value_minor), 0)",
    N_(
        "assembly order #{number}, line #{line}: {consumed} consumed worth {value} but its "
        "stock moves say {moved} worth {moved_value}"
    ),
    "number",
    "line",
    "consumed!qty",
    "value!money",
    "moved!qty",
    "moved_value!money",
)
_sql_rule(
    "assembly-within-quantity",
    "SELECT o.number, o.qty_scaled, o.done_scaled FROM assembly_order o "
    "WHERE o.done_scaled < 0 OR o.done_scaled > o.qty_scaled OR EXISTS (SELECT 1 FROM "
    "assembly_line l WHERE l.order_id = o.id AND (l.consumed_scaled < 0 OR "
    "l.consumed_scaled > l.qty_scaled))",
    N_(
        "assembly order #{number}: made {done} of {qty}, or a component consumed beyond its "
        "quantity (a reservation below zero)"
    ),
    "number",
    "qty!qty",
    "done!qty",
)
_sql_rule(
    "assembly-done-consumed-all",
    "SELECT o.number FROM assembly_order o JOIN assembly_line l ON l.order_id = o.id "
    "WHERE o.state = 'done' AND l.consumed_scaled != l.qty_scaled GROUP BY o.number",
    N_("assembly order #{number} is done but not all of its components were consumed"),
    "number",
)


# --- kits (services/making/kits.py): a kit line moves its components, never the kit
_sql_rule(
    "kit-components-moved",
    "SELECT l.id, k.component_id, k.per_kit_scaled * (l.delivered_scaled - l.returned_scaled) "
    "/ 1000, k.delivered_value_minor - k.returned_value_minor, "
    "-COALESCE(SUM(m.qty_scaled), 0), -COALESCE(SUM(m.value_minor), 0) "
    "FROM sales_kit_line k JOIN sales_line l ON l.id = k.sales_line_id "
    "LEFT JOIN stock_move m ON m.source_kind = 'sales_line' AND m.source_id = l.id "
    "AND m.product_id = k.component_id "
    "GROUP BY l.id, k.id, k.component_id, k.per_kit_scaled, l.delivered_scaled, "
    "l.returned_scaled, k.delivered_value_minor, k.returned_value_minor "
    "HAVING k.per_kit_scaled * (l.delivered_scaled - l.returned_scaled) / 1000 "
    "!= -COALESCE(SUM(m.qty_scaled), 0) "
    "OR k.delivered_value_minor - k.returned_value_minor != -COALESCE(SUM(m.value_minor), 0)",
    N_(
        "sales line #{id}: component #{component} of its kit is {out} out worth {value} but "
        "its stock moves say {moved} worth {moved_value}"
    ),
    "id",
    "component",
    "out!qty",
    "value!money",
    "moved!qty",
    "moved_value!money",
)
_sql_rule(
    "kit-line-value",
    "SELECT l.id, l.delivered_value_minor, SUM(k.delivered_value_minor) FROM sales_line l "
    "JOIN sales_kit_line k ON k.sales_line_id = l.id GROUP BY l.id, l.delivered_value_minor, "
    "l.returned_value_minor, l.delivered_scaled, l.returned_scaled "
    "HAVING l.delivered_value_minor != SUM(k.delivered_value_minor) "
    "OR l.returned_value_minor != SUM(k.returned_value_minor) "
    "OR l.delivered_scaled % 1000 != 0 OR l.returned_scaled % 1000 != 0",
    N_(
        "sales line #{id}: its kit left at {value} but its components at {components}, or "
        "part of a kit left or came back"
    ),
    "id",
    "value!money",
    "components!money",
)
_sql_rule(
    "kit-never-in-stock",
    "SELECT p.sku, SUM(m.qty_scaled), SUM(m.value_minor) FROM product p "
    "JOIN bom b ON b.product_id = p.id AND b.active = TRUE AND b.kind = 'kit' "
    "JOIN stock_move m ON m.product_id = p.id GROUP BY p.id, p.sku "
    "HAVING SUM(m.qty_scaled) != 0 OR SUM(m.value_minor) != 0",
    N_("{sku} is a kit but has {qty} in stock worth {value}"),
    "sku",
    "qty!qty",
    "value!money",
)


# --- payroll (services/people/payroll.py)
_sql_rule(
    "payslip-sums",
    "SELECT r.number, e.id AS employee, s.gross_minor, s.deductions_minor, "
    "s.contributions_minor, s.net_minor FROM payslip s JOIN payroll_run r ON r.id = s.run_id "
    "JOIN employee e ON e.id = s.employee_id WHERE s.net_minor != s.gross_minor - "
    "s.deductions_minor OR s.deductions_minor != (SELECT COALESCE(SUM(amount_minor), 0) FROM "
    "payslip_item i WHERE i.payslip_id = s.id AND i.kind = 'deduction') OR "
    "s.contributions_minor != (SELECT COALESCE(SUM(amount_minor), 0) FROM payslip_item i "
    "WHERE i.payslip_id = s.id AND i.kind = 'contribution')",
    N_(
        "payslip PR-{number}/{employee}: gross {gross} less deductions {deductions} is not its "
        "net {net}, or its lines do not add up to its deductions and contributions {contributions}"
    ),
    "number",
    "employee",
    "gross!money",
    "deductions!money",
    "contributions!money",
    "net!money",
)
_sql_rule(
    "payroll-entry",
    "SELECT r.number, (SELECT COALESCE(SUM(s.gross_minor + s.contributions_minor), 0) FROM "
    "payslip s WHERE s.run_id = r.id) AS lines, (SELECT COALESCE(SUM(l.debit_minor), 0) FROM "
    "journal_line l WHERE l.entry_id = r.entry_id) AS posted FROM payroll_run r "
    "WHERE r.state != 'draft' AND (r.entry_id IS NULL OR (SELECT COALESCE(SUM(s.gross_minor + "
    "s.contributions_minor), 0) FROM payslip s WHERE s.run_id = r.id) != (SELECT "
    "COALESCE(SUM(l.debit_minor), 0) FROM journal_line l WHERE l.entry_id = r.entry_id) OR "
    "(SELECT COALESCE(SUM(s.net_minor), 0) FROM payslip s WHERE s.run_id = r.id) != (SELECT "
    "COALESCE(SUM(l.credit_minor), 0) FROM journal_line l JOIN account a ON a.id = "
    "l.account_id WHERE l.entry_id = r.entry_id AND a.role = 'wages_payable'))",
    N_(
        "payroll run #{number}: its payslips come to {lines} but its entry posts {posted}, or "
        "its net pay is not what the entry owes the employees"
    ),
    "number",
    "lines!money",
    "posted!money",
)
_sql_rule(
    "payroll-paid",
    "SELECT r.number, r.paid_minor, (SELECT COALESCE(SUM(s.net_minor), 0) FROM payslip s "
    "WHERE s.run_id = r.id) AS net, (SELECT COALESCE(SUM(l.credit_minor - l.debit_minor), 0) "
    "FROM journal_entry e JOIN journal_line l ON l.entry_id = e.id JOIN account a ON a.id = "
    "l.account_id WHERE e.source_kind = 'payroll_payment' AND e.source_id = r.id AND "
    "(a.role IS NULL OR a.role != 'wages_payable')) AS moved FROM payroll_run r WHERE "
    "r.paid_minor < 0 OR (r.paid_minor > 0 AND r.paid_minor > (SELECT "
    "COALESCE(SUM(s.net_minor), 0) FROM payslip s WHERE s.run_id = r.id)) OR "
    "r.paid_minor != (SELECT COALESCE(SUM(l.credit_minor - l.debit_minor), 0) FROM "
    "journal_entry e JOIN journal_line l ON l.entry_id = e.id JOIN "
    "account a ON a.id = l.account_id WHERE e.source_kind = 'payroll_payment' AND "
    "e.source_id = r.id AND (a.role IS NULL OR a.role != 'wages_payable'))",
    N_("payroll run #{number}: paid {paid} of a net {net}, and its payments moved {moved}"),
    "number",
    "paid!money",
    "net!money",
    "moved!money",
)
_sql_rule(
    "payroll-state",
    "SELECT r.number, r.state FROM payroll_run r LEFT JOIN journal_entry e ON e.id = "
    "r.entry_id WHERE (r.state = 'draft' AND r.entry_id IS NOT NULL) OR (r.state IN "
    "('posted', 'paid') AND (e.id IS NULL OR e.reversed_by_id IS NOT NULL)) OR (r.state = "
    "'reversed' AND (e.id IS NULL OR e.reversed_by_id IS NULL)) OR r.paid_minor != (SELECT "
    "COALESCE(SUM(s.net_minor), 0) FROM payslip s WHERE s.run_id = r.id AND s.paid_entry_id IS "
    "NOT NULL) OR (r.state NOT IN ('posted', 'paid') AND r.paid_minor != 0) OR (r.state = "
    "'paid' AND EXISTS (SELECT 1 FROM payslip s "
    "WHERE s.run_id = r.id AND s.net_minor != 0 AND s.paid_entry_id IS NULL)) OR (r.state = "
    "'posted' AND r.paid_minor != 0 AND NOT EXISTS (SELECT 1 FROM payslip s WHERE s.run_id = "
    "r.id AND s.net_minor != 0 AND s.paid_entry_id IS NULL))",
    N_(
        "payroll run #{number} is {state} but its entry (posted, reversed) or what was paid "
        "says otherwise"
    ),
    "number",
    "state",
)
_sql_rule(
    "payslip-paid",
    "SELECT r.number, s.employee_id AS employee, s.net_minor, (SELECT COALESCE(SUM(l.debit_minor"
    "), 0) FROM journal_line l JOIN account a ON a.id = l.account_id JOIN employee m ON m.id = "
    "s.employee_id WHERE l.entry_id = e.id AND a.role = 'wages_payable' AND l.contact_id = "
    "m.contact_id) AS moved FROM payslip s JOIN payroll_run r ON r.id = s.run_id LEFT JOIN "
    "journal_entry e ON e.id = s.paid_entry_id WHERE s.paid_entry_id IS NOT NULL AND (e.id IS "
    "NULL OR e.source_kind != 'payroll_payment' OR e.source_id != r.id OR s.net_minor != (SELECT "
    "COALESCE(SUM(l.debit_minor), 0) FROM journal_line l JOIN account a ON a.id = l.account_id "
    "JOIN employee m ON m.id = s.employee_id WHERE l.entry_id = e.id AND a.role = "
    "'wages_payable' AND l.contact_id = m.contact_id))",
    N_(
        "payslip PR-{number}/{employee}: its net pay {net} is not what the payment it names "
        "paid the employee ({moved}), or that payment is not one of its run's"
    ),
    "number",
    "employee",
    "net!money",
    "moved!money",
)
_sql_rule(
    "payroll-once-a-month",
    "SELECT month, COUNT(*) AS runs FROM payroll_run WHERE state IN ('posted', 'paid') "
    "GROUP BY month HAVING COUNT(*) > 1",
    N_("{runs} payroll runs are posted for the month of {month}"),
    "month",
    "runs",
)

# text fields that may hold several lines (the text rule allows "\n" and "\t" in them)
MULTILINE_COLUMNS = {
    ("contact", "notes"),
    ("interaction", "summary"),
    ("ticket", "description"),
    ("ticket_comment", "body"),
    ("purchase_order", "notes"),
    ("sales_order", "notes"),
    ("outbox_message", "body"),
    ("campaign", "body"),
    ("follow_up", "note"),
    ("reminder_level", "wording"),
}


@check("stock-in-pieces")
def _stock_in_pieces(uow: UnitOfWork) -> Iterator[Violation]:
    """Part of a piece on hand of a product counted in pieces (products.in_pieces): taken
    before pieces were whole only, or written around bizdesk. A count mends it."""
    locale = uow.setting("locale")
    for product, location, qty in parts_on_hand(uow):
        if in_pieces(uow, product):
            yield Violation(
                "stock-in-pieces",
                Message(
                    "{sku} is counted in whole {unit}, but {qty} are on hand at {location}: "
                    "count it to a whole number (Stock, c; or bizdesk import stock-count)",
                    sku=product.sku,
                    unit=product.unit,
                    qty=qty_text(qty, locale),
                    location=location,
                ),
                "warning",
            )


@check("text-characters")
def _text_characters(uow: UnitOfWork) -> Iterator[Violation]:
    """Text that the text rule (validate.text) would refuse: saved before the rule, or
    written around bizdesk. Screens and the command line show such characters as codes
    (<U+001B>), so they are harmless, but an owner should find the records and fix them.
    Every text column of every table; only rows with a character outside printable ASCII
    are read into Python."""
    sqlite = uow.store.engine.dialect.name == "sqlite"
    for table in load_all().sorted_tables:
        cols = [
            c
            for c in table.columns
            if isinstance(getattr(c.type, "impl_instance", c.type), String)
            and not c.name.startswith("sort_")
            and c.name != "search_text"  # derived (folded), like sort_*
        ]
        if not cols:
            continue
        keys = list(table.primary_key.columns)
        unusual = [c.op("GLOB")("*[^ -~]*") if sqlite else c.op("~")("[^ -~]") for c in cols]
        stmt = select(*keys, *cols).where(or_(*unusual)).execution_options(yield_per=1000)
        for row in uow.session.execute(stmt):
            key = ", ".join(str(k) for k in row[: len(keys)])
            key = f"#{key}" if len(keys) == 1 else f"({key})"
            for col, value in zip(cols, row[len(keys) :], strict=True):
                if not isinstance(value, str):
                    continue
                problem = text_problem(value, (table.name, col.name) in MULTILINE_COLUMNS)
                if problem:
                    yield Violation(
                        "text-characters",
                        Message(
                            "{table} {key} {column}: {problem}",
                            table=table.name,
                            key=key,
                            column=col.name,
                            problem=problem,
                        ),
                        "warning",
                    )


def run_checks(store: Store) -> list[Violation]:
    found: list[Violation] = []
    with store.read() as uow:
        permissions.require(uow, "check.run")
        for _name, fn in CHECKS:
            found.extend(fn(uow))
        found.extend(
            Violation(name, text, severity)
            for name, text, severity in banking.bank_line_findings(uow)
        )
    return found
