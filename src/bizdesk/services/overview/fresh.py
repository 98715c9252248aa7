"""Home read at the start through Python's own sqlite3, when nothing is kept to show.

A start with nothing kept (glance.kept: the first one, or after a sale, a payment, a deal or
a ticket since the last look) waited for the database stack (SQLAlchemy, SQLModel, every
table: about half a second) before Home had a figure. This reads the same figures with the
same queries as the overview (services/overview/dashboard.py), in SQL of their own, through
a read-only connection in one read transaction, before that stack is imported; the store
is then opened as always behind them and the overview read there replaces anything that
differs (app._opened), as for figures kept. So a figure here that ever differed from the
overview's would be on the screen for a moment only; tests/test_home_fresh.py holds them
equal on every kind of store it builds, for every role.

Only a SQLite store at the newest schema, never under the gate (where everyone is the
shop's account), a person registered and active whose role sees Home; anything else or any
error: None, and the start reads the store as it always did.

This module imports no database stack.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime
from pathlib import Path

from bizdesk.identity import current_gate
from bizdesk.money import QTY_SCALE, currency_exponent
from bizdesk.revision import HEAD
from bizdesk.services.base.figures import pipeline_rows
from bizdesk.services.base.permissions import allowed, owners_message
from bizdesk.services.crm.business_hours import BusinessHours
from bizdesk.services.overview.glance import (
    Dashboard,
    Glance,
    last_month,
    sales_months,
    with_books,
    without_books,
)
from bizdesk.words import USER_ROLE_NAMES

# as SQLAlchemy writes a DateTime into SQLite (models/base.py utcnow: whole seconds)
_STORED_TIME = "%Y-%m-%d %H:%M:%S.%f"

# the states in which a document holds stock back (services/inventory/levels.py
# reserved_subquery: models.sales.SOState, models.making.MOState)
_SALES_HOLDING = ("confirmed", "partially delivered")
_ASSEMBLY_HOLDING = ("confirmed", "partially done")
_TICKET_CLOSED = ("resolved", "closed")  # services/crm/tickets.py CLOSED

_BALANCE = (
    "SELECT coalesce(sum(debit_minor - credit_minor), 0) FROM journal_line"
    " WHERE posted IS 1 AND account_id = ? AND date >= ? AND date <= ?"
)

_LOW_STOCK = f"""
SELECT count(*) FROM product
WHERE product.active IS 1 AND product.stocked IS 1 AND product.reorder_point_scaled > 0
  AND (SELECT coalesce(sum(stock_move.qty_scaled), 0) FROM stock_move
       WHERE stock_move.product_id = product.id)
    - ((SELECT coalesce(sum(sales_line.qty_scaled - sales_line.delivered_scaled), 0)
        FROM sales_line JOIN sales_order ON sales_order.id = sales_line.order_id
        WHERE sales_line.product_id = product.id AND sales_order.state IN (?, ?)
          AND NOT EXISTS (SELECT 1 FROM sales_kit_line
                          WHERE sales_kit_line.sales_line_id = sales_line.id))
     + (SELECT coalesce(sum((sales_kit_line.per_kit_scaled
                             * (sales_line.qty_scaled - sales_line.delivered_scaled))
                            / {QTY_SCALE}), 0)
        FROM sales_kit_line JOIN sales_line ON sales_line.id = sales_kit_line.sales_line_id
        JOIN sales_order ON sales_order.id = sales_line.order_id
        WHERE sales_kit_line.component_id = product.id AND sales_order.state IN (?, ?))
     + (SELECT coalesce(sum(assembly_line.qty_scaled - assembly_line.consumed_scaled), 0)
        FROM assembly_line JOIN assembly_order ON assembly_order.id = assembly_line.order_id
        WHERE assembly_line.component_id = product.id AND assembly_order.state IN (?, ?)))
    <= product.reorder_point_scaled
"""

_FOLLOW_UPS = """
SELECT (SELECT count(*) FROM follow_up WHERE assignee = ? AND state = 'open' AND due = ?),
       (SELECT count(*) FROM follow_up WHERE assignee = ? AND state = 'open' AND due < ?)
"""

_PIPELINE = """
SELECT pipeline_stage.name, pipeline_stage.probability, count(deal.id),
       coalesce(sum(deal.amount_minor), 0), coalesce(sum(deal.amount_minor * deal.probability), 0)
FROM pipeline_stage
LEFT OUTER JOIN deal ON deal.stage_id = pipeline_stage.id AND deal.archived IS 0
WHERE pipeline_stage.kind = 'open' AND pipeline_stage.active IS 1
GROUP BY pipeline_stage.id, pipeline_stage.name, pipeline_stage.probability,
         pipeline_stage.position
ORDER BY pipeline_stage.position
"""

_TICKETS = """
SELECT count(*),
       coalesce(sum((first_response_at IS NULL AND first_response_due < :now)
                    OR resolution_due < :now), 0)
FROM ticket WHERE status NOT IN (:closed1, :closed2)
"""

_OVERDUE_INVOICES = """
SELECT coalesce(sum(left_), 0) FROM (
  SELECT invoice.total_minor
         - (SELECT coalesce(sum(customer_payment.amount_minor), 0) FROM customer_payment
            WHERE customer_payment.invoice_id = invoice.id)
         - coalesce(credited.back, 0) AS left_
  FROM invoice
  LEFT OUTER JOIN (SELECT credits_id, sum(total_minor) AS back FROM invoice
                   WHERE kind = 'credit' GROUP BY credits_id) AS credited
    ON credited.credits_id = invoice.id
  WHERE invoice.kind = 'invoice' AND invoice.due_on < ?
) WHERE left_ > 0
"""

_OVERDUE_BILLS = """
SELECT coalesce(sum(left_), 0) FROM (
  SELECT supplier_bill.total_minor
         - (SELECT coalesce(sum(supplier_payment.amount_minor), 0) FROM supplier_payment
            WHERE supplier_payment.bill_id = supplier_bill.id) AS left_
  FROM supplier_bill WHERE supplier_bill.due_date < ?
) WHERE left_ > 0
"""


def read(store: Path, user: str, now: datetime | None = None) -> Glance | None:
    """Home for ``user`` on the SQLite store at ``store`` as it is now, read without the
    database stack; None where the start must read it as it always did (see above)."""
    if current_gate() is not None:
        return None
    try:
        con = sqlite3.connect(f"{store.resolve().as_uri()}?mode=ro", uri=True, timeout=0.1)
    except Exception:  # noqa: BLE001 - no store there, or none to read: the opening says so
        return None
    try:
        con.execute("BEGIN")  # every figure from one moment of the store
        return _read(con, user, now or datetime.now(UTC))
    except Exception:  # noqa: BLE001 - an older schema, a busy or damaged store, settings
        return None  # not as bizdesk writes them: the opening reads it and says so
    finally:
        con.close()


def _read(con: sqlite3.Connection, user: str, now: datetime) -> Glance | None:
    (revision,) = con.execute("SELECT version_num FROM alembic_version").fetchone()
    if revision != HEAD:
        return None  # the opening upgrades it first
    person = con.execute(
        "SELECT role, active, language FROM user WHERE username = ?", (user,)
    ).fetchone()
    if person is None or not person[1] or person[0] not in USER_ROLE_NAMES:
        return None  # refused at the opening, with its sentence
    role, _active, language = person
    if not allowed(role, "dashboard.view"):
        return None
    owners = [
        name
        for (name,) in con.execute(
            "SELECT username FROM user WHERE role = 'owner' AND active IS 1 ORDER BY username"
        )
    ]
    settings = dict(con.execute("SELECT key, value FROM setting").fetchall())
    first = con.execute("SELECT at FROM audit_event ORDER BY id LIMIT 1").fetchone()
    zone = BusinessHours.from_json(settings.get("business_hours", "")).tz
    today = now.astimezone(zone).date()
    data = _figures(con, role, user, today, now, currency_exponent(settings.get("currency", "EUR")))
    if data is None:
        return None
    return Glance(
        role=role,
        ask=owners_message(owners),
        language=language or "",
        locale=settings.get("locale", "en_US"),
        company=settings.get("company", ""),
        which=_stored_time(first[0]).isoformat() if first is not None else "",
        data=data,
    )


def _stored_time(text: str) -> datetime:
    """A time as the store keeps it (UTC, no zone written), as the database stack reads it."""
    at = datetime.fromisoformat(text)
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def _figures(
    con: sqlite3.Connection, role: str, user: str, today: date, now: datetime, exp: int
) -> Dashboard | None:
    """dashboard.dashboard(uow, today), for ``role``; None if an account it reads has no
    account with its role (the overview refuses: the opening then says so)."""
    day = today.isoformat()
    low_stock = con.execute(_LOW_STOCK, _SALES_HOLDING * 2 + _ASSEMBLY_HOLDING).fetchone()[0]
    follow_ups = None
    if allowed(role, "followups.view"):
        due_today, overdue = con.execute(_FOLLOW_UPS, (user, day, user, day)).fetchone()
        follow_ups = {"today": due_today, "overdue": overdue}
    pipeline, total = (
        pipeline_rows(con.execute(_PIPELINE).fetchall(), exp)
        if allowed(role, "reports.crm")
        else ([], None)
    )
    stamp = now.astimezone(UTC).replace(microsecond=0).strftime(_STORED_TIME)
    tickets_open, tickets_overdue = con.execute(
        _TICKETS, {"now": stamp, "closed1": _TICKET_CLOSED[0], "closed2": _TICKET_CLOSED[1]}
    ).fetchone()
    common = dict(
        today=today,
        low_stock=low_stock,
        follow_ups=follow_ups,
        pipeline=pipeline,
        pipeline_total=total,
        tickets_open=tickets_open,
        tickets_overdue=tickets_overdue,
    )
    if not allowed(role, "reports.finance"):
        return without_books(**common)
    accounts = dict(
        con.execute(
            "SELECT role, min(id) FROM account WHERE role IN"
            " ('sales', 'cash', 'bank', 'receivable', 'payable') GROUP BY role"
        ).fetchall()
    )
    if len(accounts) < 5:
        return None

    def balance(of: str, start: date | None, end: date) -> int:
        first = start.isoformat() if start else "0000-01-01"
        return con.execute(_BALANCE, (accounts[of], first, end.isoformat())).fetchone()[0]

    start, end = last_month(today)
    return with_books(
        exp,
        [(label, -balance("sales", a, b)) for label, a, b in sales_months(today)],
        -balance("sales", start, end),
        {r: balance(r, None, today) for r in ("cash", "bank", "receivable", "payable")},
        con.execute(_OVERDUE_INVOICES, (day,)).fetchone()[0],
        con.execute(_OVERDUE_BILLS, (day,)).fetchone()[0],
        **common,
    )
