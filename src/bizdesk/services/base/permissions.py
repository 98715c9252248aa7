"""Who may do what: ONE table of action -> roles, enforced at every public service entry point.

A public service function that takes a unit of work is decorated with ``@requires(action)``.
The check runs once, at the outermost decorated call of a unit of work: whatever that call
does inside (a counter sale delivers goods and posts journal entries) is covered by the outer
action, so internal helpers never demand rights of their own. In a write unit of work that
outermost call also runs inside a SAVEPOINT: it is all or nothing, however many calls the
unit of work makes. The role is read from the store
(the ``user`` table) by the acting OS user's name; an unregistered or disabled user is refused.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable
from typing import Any, TypeVar

from bizdesk.errors import PermissionDenied

OWNER, ACCOUNTANT, SALES, SUPPORT, WAREHOUSE, VIEWER = (
    "owner",
    "accountant",
    "sales",
    "support",
    "warehouse",
    "viewer",
)
EVERYONE = frozenset({OWNER, ACCOUNTANT, SALES, SUPPORT, WAREHOUSE, VIEWER})
_NOT_WAREHOUSE = EVERYONE - {WAREHOUSE}

# action: (what it is, in words for the refusal message; the roles allowed)
PERMISSIONS: dict[str, tuple[str, frozenset[str]]] = {
    # --- CRM
    "contacts.view": ("viewing contacts", EVERYONE),
    "contacts.edit": (
        "changing contacts",
        frozenset({OWNER, ACCOUNTANT, SALES, SUPPORT}),
    ),
    "contacts.import": ("importing contacts", frozenset({OWNER, SALES})),
    # invoices, payments, bills and balances on a contact's page (support and warehouse work
    # with the contact, not with what they owe)
    "contacts.money": (
        "seeing what a contact was invoiced, paid and owes",
        frozenset({OWNER, ACCOUNTANT, SALES, VIEWER}),
    ),
    "deals.view": ("viewing deals", _NOT_WAREHOUSE),
    "deals.edit": ("changing deals", frozenset({OWNER, SALES})),
    "pipeline.config": ("changing the pipeline stages", frozenset({OWNER})),
    "tickets.view": ("viewing tickets", EVERYONE),
    "tickets.edit": ("changing tickets", frozenset({OWNER, SALES, SUPPORT})),
    "sla.config": ("changing support targets and business hours", frozenset({OWNER})),
    # --- stock
    "stock.view": ("viewing products and stock", EVERYONE),
    "products.edit": ("changing products and locations", frozenset({OWNER, WAREHOUSE})),
    "stock.move": ("adjusting, counting or moving stock", frozenset({OWNER, WAREHOUSE})),
    # --- purchasing
    "purchases.view": ("viewing purchase orders", EVERYONE),
    "purchases.edit": (
        "changing purchase orders",
        frozenset({OWNER, ACCOUNTANT, WAREHOUSE}),
    ),
    "purchases.receive": ("receiving goods", frozenset({OWNER, WAREHOUSE})),
    "purchases.bill": ("recording supplier bills", frozenset({OWNER, ACCOUNTANT})),
    "purchases.pay": ("paying suppliers", frozenset({OWNER, ACCOUNTANT})),
    # --- sales
    "sales.view": ("viewing sales orders", EVERYONE),
    "sales.edit": ("changing sales orders", frozenset({OWNER, SALES})),
    "sales.deliver": ("delivering sales orders", frozenset({OWNER, WAREHOUSE})),
    "sales.invoice": ("invoicing", frozenset({OWNER, ACCOUNTANT})),
    "sales.pay": ("recording customer payments and refunds", frozenset({OWNER, ACCOUNTANT})),
    "sales.return": ("taking goods back", frozenset({OWNER, ACCOUNTANT})),
    "sales.counter": ("selling over the counter", frozenset({OWNER, SALES})),
    # --- the books
    "journal.view": ("viewing the journal", frozenset({OWNER, ACCOUNTANT, VIEWER})),
    "journal.post": ("writing journal entries", frozenset({OWNER, ACCOUNTANT})),
    "accounts.view": ("viewing the chart of accounts", _NOT_WAREHOUSE),
    "accounts.edit": ("changing the chart of accounts", frozenset({OWNER, ACCOUNTANT})),
    "lock_date.set": ("moving the lock date", frozenset({OWNER})),
    "bank.import": ("importing bank statements", frozenset({OWNER, ACCOUNTANT})),
    "bank.view": ("viewing bank statements", frozenset({OWNER, ACCOUNTANT, VIEWER})),
    # --- reports and the rest
    "reports.finance": (
        "reading financial reports",
        frozenset({OWNER, ACCOUNTANT, VIEWER}),
    ),
    "reports.stock": ("reading stock reports", EVERYONE),
    "reports.crm": ("reading pipeline and support reports", _NOT_WAREHOUSE),
    "dashboard.view": ("seeing the dashboard", EVERYONE),
    "search.view": ("finding records", EVERYONE),
    "export.data": ("exporting data", frozenset({OWNER, ACCOUNTANT, VIEWER})),
    "audit.view": ("reading the audit trail", frozenset({OWNER, ACCOUNTANT})),
    "check.run": ("checking the store", frozenset({OWNER, ACCOUNTANT})),
    "backup.run": ("backing up or restoring the store", frozenset({OWNER})),
    "store.migrate": ("copying the store to PostgreSQL", frozenset({OWNER})),
    "demo.load": ("loading the demo shop", frozenset({OWNER})),
    "users.view": ("listing users", frozenset({OWNER})),
    "users.manage": ("managing users", frozenset({OWNER})),
    # one's own language; an owner's for anyone (services/admin/users.py)
    "users.language": ("choosing a language", EVERYONE),
}

# What each role is for (README, Users screen help).
ROLE_SUMMARY = {
    OWNER: "everything, including users, settings, the lock date, pipeline and SLA set-up",
    ACCOUNTANT: "the journal, accounts, bills, payments, invoices and all reports",
    SALES: "contacts, deals, tickets, sales orders and counter sales",
    SUPPORT: "contacts and tickets",
    WAREHOUSE: "products, stock moves and counts, receiving and delivering (no journal)",
    VIEWER: "reads everything but the audit trail and users; changes nothing",
}


def allowed(role: str | None, action: str) -> bool:
    return role is not None and role in PERMISSIONS[action][1]


def can(uow: Any, action: str) -> bool:  # noqa: ANN401
    """May the acting user do this? (for hiding what a role cannot see, never raises)."""
    return allowed(uow.role, action)


def owners_hint(uow: Any) -> str:  # noqa: ANN401
    names = uow.active_owners()
    if not names:
        return "the shop's owner"
    return "an owner (" + ", ".join(names) + ")"


def require_user(uow: Any) -> str:  # noqa: ANN401
    """The acting user's role; refuse an OS user not registered (or disabled) in the store."""
    role = uow.role
    if role is not None:
        return role
    if uow.user_disabled:
        raise PermissionDenied(
            f"Your account {uow.user!r} is disabled in this store. Ask {owners_hint(uow)} "
            f"to enable it: bizdesk users set-role {uow.user} ROLE"
        )
    raise PermissionDenied(
        f"You ({uow.user}) are not a user of this store. Ask {owners_hint(uow)} "
        f"to add you: bizdesk users add {uow.user} --role ROLE"
    )


def refusal(role: str | None, action: str, ask: str) -> str:
    """What is refused, the user's role and who to ask (``ask``: from owners_hint)."""
    what = PERMISSIONS[action][0]
    return (
        f"{what[:1].upper()}{what[1:]} is not allowed for your role ({role}). "
        f"Ask {ask} to do it, or to change your role."
    )


def require(uow: Any, action: str) -> None:  # noqa: ANN401
    """Refuse, with a message saying what, the user's role and who to ask."""
    role = require_user(uow)
    if role not in PERMISSIONS[action][1]:
        raise PermissionDenied(refusal(role, action, owners_hint(uow)))


def require_store(store: Any, action: str) -> None:  # noqa: ANN401
    """The same check for the few services that take a store rather than a unit of work."""
    with store.read() as uow:
        require(uow, action)


F = TypeVar("F", bound=Callable[..., Any])


def requires(action: str) -> Callable[[F], F]:
    """Mark a public service function (first argument: the unit of work) with its action."""
    if action not in PERMISSIONS:
        raise KeyError(f"unknown action {action!r}")

    def wrap(fn: F) -> F:
        @functools.wraps(fn)
        def checked(uow: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: ANN401
            if uow.service_depth:  # inside another entry point: covered by its action
                return fn(uow, *args, **kwargs)
            require(uow, action)
            uow.service_depth += 1
            try:
                if not uow.write:
                    return fn(uow, *args, **kwargs)
                # All or nothing, even inside a larger unit of work: a refused call (or any
                # error) rolls back to this savepoint, so a caller that catches the refusal
                # and carries on never commits the call's partial writes.
                with uow.session.begin_nested():
                    return fn(uow, *args, **kwargs)
            finally:
                uow.service_depth -= 1

        checked.action = action  # type: ignore[attr-defined]
        return checked  # type: ignore[return-value]

    return wrap


def covered(uow: Any):  # noqa: ANN201, ANN401
    """Run internal calls as covered by the caller's own check (store-level services)."""

    @contextlib.contextmanager
    def block():  # noqa: ANN202
        uow.service_depth += 1
        try:
            yield uow
        finally:
            uow.service_depth -= 1

    return block()
