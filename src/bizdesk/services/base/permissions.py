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
from bizdesk.i18n import N_, Message
from bizdesk.reading import quoted
from bizdesk.words import USER_ROLE_NAMES, word_message

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

# action: (what it is, in words for the refusal message, where it starts the sentence; the
# roles allowed)
PERMISSIONS: dict[str, tuple[str, frozenset[str]]] = {
    # --- CRM
    "contacts.view": (N_("Viewing contacts"), EVERYONE),
    "contacts.edit": (
        N_("Changing contacts"),
        frozenset({OWNER, ACCOUNTANT, SALES, SUPPORT}),
    ),
    "contacts.import": (N_("Importing contacts"), frozenset({OWNER, SALES})),
    # invoices, payments, bills and balances on a contact's page (support and warehouse work
    # with the contact, not with what they owe)
    "contacts.money": (
        N_("Seeing what a contact was invoiced, paid and owes"),
        frozenset({OWNER, ACCOUNTANT, SALES, VIEWER}),
    ),
    "deals.view": (N_("Viewing deals"), _NOT_WAREHOUSE),
    "deals.edit": (N_("Changing deals"), frozenset({OWNER, SALES})),
    "pipeline.config": (N_("Changing the pipeline stages"), frozenset({OWNER})),
    "targets.edit": (N_("Setting sales targets"), frozenset({OWNER})),
    "tickets.view": (N_("Viewing tickets"), EVERYONE),
    "tickets.edit": (N_("Changing tickets"), frozenset({OWNER, SALES, SUPPORT})),
    "sla.config": (N_("Changing support targets and business hours"), frozenset({OWNER})),
    # lead nurturing (services/crm/nurture.py): sequences of follow-up activities
    "nurture.view": (N_("Viewing nurturing sequences"), _NOT_WAREHOUSE),
    "nurture.config": (N_("Changing nurturing sequences"), frozenset({OWNER, SALES})),
    "followups.view": (N_("Viewing follow-up activities"), _NOT_WAREHOUSE),
    "followups.do": (
        N_("Doing, skipping or moving follow-up activities"),
        frozenset({OWNER, SALES, SUPPORT}),
    ),
    # --- stock
    "stock.view": (N_("Viewing products and stock"), EVERYONE),
    "products.edit": (N_("Changing products and locations"), frozenset({OWNER, WAREHOUSE})),
    "stock.move": (N_("Adjusting, counting or moving stock"), frozenset({OWNER, WAREHOUSE})),
    # --- making goods (services/making)
    "making.edit": (
        N_("Changing bills of materials and assembly orders"),
        frozenset({OWNER, WAREHOUSE}),
    ),
    # finishing consumes components and receives the product: stock moves that post
    "making.finish": (N_("Finishing assembly orders"), frozenset({OWNER, WAREHOUSE})),
    # --- people (services/people): everyone sees who works here; pay only owner and accountant
    "people.view": (N_("Viewing employees"), EVERYONE),
    "people.edit": (N_("Changing employees"), frozenset({OWNER, ACCOUNTANT})),
    "people.pay": (
        N_("Seeing salaries, payroll lines and payslips"),
        frozenset({OWNER, ACCOUNTANT}),
    ),
    "payroll.run": (N_("Running, posting and paying the payroll"), frozenset({OWNER, ACCOUNTANT})),
    "leave.request": (N_("Asking for leave"), EVERYONE - {VIEWER}),
    "leave.approve": (N_("Approving or refusing leave"), frozenset({OWNER})),
    # --- purchasing
    "purchases.view": (N_("Viewing purchase orders"), EVERYONE),
    "purchases.edit": (
        N_("Changing purchase orders"),
        frozenset({OWNER, ACCOUNTANT, WAREHOUSE}),
    ),
    "purchases.receive": (N_("Receiving goods"), frozenset({OWNER, WAREHOUSE})),
    "purchases.bill": (N_("Recording supplier bills"), frozenset({OWNER, ACCOUNTANT})),
    "purchases.pay": (N_("Paying suppliers"), frozenset({OWNER, ACCOUNTANT})),
    # --- sales
    "sales.view": (N_("Viewing sales orders"), EVERYONE),
    "sales.edit": (N_("Changing sales orders"), frozenset({OWNER, SALES})),
    "sales.deliver": (N_("Delivering sales orders"), frozenset({OWNER, WAREHOUSE})),
    "sales.invoice": (N_("Invoicing"), frozenset({OWNER, ACCOUNTANT})),
    "sales.pay": (N_("Recording customer payments and refunds"), frozenset({OWNER, ACCOUNTANT})),
    "sales.return": (N_("Taking goods back"), frozenset({OWNER, ACCOUNTANT})),
    "sales.counter": (N_("Selling over the counter"), frozenset({OWNER, SALES})),
    "reminders.view": (
        N_("Seeing payment reminders"),
        frozenset({OWNER, ACCOUNTANT, SALES, VIEWER}),
    ),
    "reminders.run": (N_("Making payment reminders"), frozenset({OWNER, ACCOUNTANT})),
    "reminders.config": (
        N_("Changing reminder levels and payment terms"),
        frozenset({OWNER}),
    ),
    # --- the books
    "journal.view": (N_("Viewing the journal"), frozenset({OWNER, ACCOUNTANT, VIEWER})),
    "journal.post": (N_("Writing journal entries"), frozenset({OWNER, ACCOUNTANT})),
    "accounts.view": (N_("Viewing the chart of accounts"), _NOT_WAREHOUSE),
    "accounts.edit": (N_("Changing the chart of accounts"), frozenset({OWNER, ACCOUNTANT})),
    "lock_date.set": (N_("Moving the lock date"), frozenset({OWNER})),
    "bank.import": (N_("Importing bank statements"), frozenset({OWNER, ACCOUNTANT})),
    "bank.view": (N_("Viewing bank statements"), frozenset({OWNER, ACCOUNTANT, VIEWER})),
    # --- e-mail (services/mail): documents sent from the outbox
    "mail.view": (N_("Viewing the e-mail outbox"), frozenset({OWNER, ACCOUNTANT, SALES, VIEWER})),
    "mail.send": (N_("Sending documents by e-mail"), frozenset({OWNER, ACCOUNTANT, SALES})),
    "mail.config": (N_("Changing how e-mail is sent"), frozenset({OWNER})),
    # --- marketing (services/marketing): consent is personal data, kept from the back office
    "consent.see": (N_("Seeing e-mail consent"), frozenset({OWNER, SALES, SUPPORT})),
    "consent.edit": (N_("Recording e-mail consent"), frozenset({OWNER, SALES, SUPPORT})),
    "segments.view": (N_("Viewing segments"), frozenset({OWNER, SALES, VIEWER})),
    "segments.edit": (N_("Changing segments"), frozenset({OWNER, SALES})),
    "campaigns.view": (N_("Viewing campaigns"), frozenset({OWNER, SALES, VIEWER})),
    "campaigns.edit": (N_("Changing campaigns"), frozenset({OWNER, SALES})),
    "campaigns.send": (N_("Sending campaigns"), frozenset({OWNER, SALES})),
    # --- what repeats: making an occurrence invoices and posts (sales.invoice, journal.post)
    "recurring.view": (
        N_("Viewing recurring invoices and entries"),
        frozenset({OWNER, ACCOUNTANT, VIEWER}),
    ),
    "recurring.manage": (
        N_("Changing recurring invoices and entries"),
        frozenset({OWNER, ACCOUNTANT}),
    ),
    "recurring.run": (
        N_("Making the recurring invoices and entries due"),
        frozenset({OWNER, ACCOUNTANT}),
    ),
    "budgets.edit": (N_("Setting budgets"), frozenset({OWNER, ACCOUNTANT})),
    "bank.reconcile": (N_("Reconciling bank statements"), frozenset({OWNER, ACCOUNTANT})),
    # --- documents as PDF (services/papers): reading them, so a viewer may too
    "print.quote": (N_("Printing quotes"), frozenset({OWNER, ACCOUNTANT, SALES, VIEWER})),
    "print.sales": (
        N_("Printing sales orders, invoices and credit notes"),
        frozenset({OWNER, ACCOUNTANT, SALES, VIEWER}),
    ),
    "print.purchases": (
        N_("Printing purchase orders"),
        frozenset({OWNER, ACCOUNTANT, WAREHOUSE, VIEWER}),
    ),
    "print.payslip": (N_("Printing payslips"), frozenset({OWNER, ACCOUNTANT})),
    "print.statement": (
        N_("Printing account statements"),
        frozenset({OWNER, ACCOUNTANT, SALES, VIEWER}),
    ),
    "shop.view": (N_("Viewing the shop's details"), EVERYONE),
    "shop.edit": (N_("Changing the shop's details"), frozenset({OWNER})),
    # --- reports and the rest
    "reports.finance": (
        N_("Reading financial reports"),
        frozenset({OWNER, ACCOUNTANT, VIEWER}),
    ),
    "reports.stock": (N_("Reading stock reports"), EVERYONE),
    "reports.crm": (N_("Reading pipeline and support reports"), _NOT_WAREHOUSE),
    "dashboard.view": (N_("Seeing the dashboard"), EVERYONE),
    "search.view": (N_("Finding records"), EVERYONE),
    "export.data": (N_("Exporting data"), frozenset({OWNER, ACCOUNTANT, VIEWER})),
    "audit.view": (N_("Reading the audit trail"), frozenset({OWNER, ACCOUNTANT})),
    "check.run": (N_("Checking the store"), frozenset({OWNER, ACCOUNTANT})),
    "backup.run": (N_("Backing up or restoring the store"), frozenset({OWNER})),
    "store.migrate": (N_("Copying the store to PostgreSQL"), frozenset({OWNER})),
    "demo.load": (N_("Loading the demo shop"), frozenset({OWNER})),
    "users.view": (N_("Listing users"), frozenset({OWNER})),
    "users.manage": (N_("Managing users"), frozenset({OWNER})),
    # one's own language; an owner's for anyone (services/admin/users.py)
    "users.language": (N_("Choosing a language"), EVERYONE),
}

# What each role is for (README, Users screen help; translated where shown).
ROLE_SUMMARY = {
    OWNER: N_("everything, including users, settings, the lock date, pipeline and SLA set-up"),
    ACCOUNTANT: N_("the journal, accounts, bills, payments, invoices and all reports"),
    SALES: N_("contacts, deals, tickets, sales orders and counter sales"),
    SUPPORT: N_("contacts and tickets"),
    WAREHOUSE: N_("products, stock moves and counts, receiving and delivering (no journal)"),
    VIEWER: N_("reads everything but the audit trail, users and pay; changes nothing"),
}


def allowed(role: str | None, action: str) -> bool:
    return role is not None and role in PERMISSIONS[action][1]


def can(uow: Any, action: str) -> bool:  # noqa: ANN401
    """May the acting user do this? (for hiding what a role cannot see, never raises)."""
    return allowed(uow.role, action)


def owners_hint(uow: Any) -> Message:  # noqa: ANN401
    """Who to ask, for a refusal's "Ask {ask} ..." (a Message: translated where shown)."""
    return owners_message(uow.active_owners())


def owners_message(names: list[str]) -> Message:
    """owners_hint, from the active owners' names in order."""
    if not names:
        return Message("the shop's owner")
    return Message("an owner ({names})", names=", ".join(names))


def require_user(uow: Any) -> str:  # noqa: ANN401
    """The acting user's role; refuse an OS user not registered (or disabled) in the store."""
    role = uow.role
    if role is not None:
        return role
    if uow.user_disabled:
        raise PermissionDenied(
            Message(
                "Your account {user} is disabled in this store. Ask {ask} to enable it: {command}",
                user=quoted(uow.user, 60),
                ask=owners_hint(uow),
                command=f"bizdesk users set-role {uow.user} ROLE",
            )
        )
    raise PermissionDenied(
        Message(
            "You ({user}) are not a user of this store. Ask {ask} to add you: {command}",
            user=uow.user,
            ask=owners_hint(uow),
            command=f"bizdesk users add {uow.user} --role ROLE",
        )
    )


def refusal(role: str | None, action: str, ask: str) -> Message:
    """What is refused, the user's role and who to ask (``ask``: from owners_hint)."""
    return Message(
        "{what} is not allowed for your role ({role}). Ask {ask} to do it, or to change your role.",
        what=Message(PERMISSIONS[action][0]),
        role=word_message(USER_ROLE_NAMES, role) if role else role,  # "bán hàng", not "sales"
        ask=ask,
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
        raise KeyError(f"unknown action {action!r}")  # a programming error, not for people

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
                nested = uow.session.begin_nested()
                try:
                    result = fn(uow, *args, **kwargs)
                except BaseException as exc:
                    try:
                        nested.rollback()
                    except Exception:  # noqa: BLE001
                        # the transaction is gone already (SQLite ends it on a full disk):
                        # what happened is the first error, not the lost savepoint
                        raise exc from None
                    raise
                nested.commit()
                return result
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
