"""Users and roles: the permission table, enforced at every service entry point."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest
from sqlmodel import select

import bizdesk.services as services_pkg
from bizdesk.db import Store, open_store
from bizdesk.errors import NotFound, PermissionDenied, ValidationError
from bizdesk.models.core import ROLES, AuditEvent
from bizdesk.services.admin import setup, users
from bizdesk.services.base import permissions
from bizdesk.services.base.paging import PageRequest
from bizdesk.services.base.permissions import PERMISSIONS
from bizdesk.services.books import ledger
from bizdesk.services.overview import reports, search
from bizdesk.services.overview.dashboard import dashboard
from bizdesk.services.trade import sales
from tests.erp_helpers import order, product, supplier

# Public functions taking a unit of work that are not entry points of their own: lookups
# and helpers used inside entry points, set-up, and the role check itself. Everything else
# that takes a uow must carry @requires (test_every_entry_point_is_checked).
HELPERS = {
    "moves.unit_cost_typed",  # reads a cost typed for adjust, count and the count import
    "templates.claim",  # a step of making or skipping an occurrence (run_due, skip: checked)
    "templates.advance",  # the step after it
    "consent.record",  # writes a consent already checked: set_consent, the import, unsubscribe
    "consent.consents_of",  # a lookup inside the contacts import and export (each checked)
    "employees.posted_runs",  # a lookup inside leave and employment changes (each checked)
    "moves.not_stocked",  # a check inside stock moves and the stock-count import (checked)
    "employees.calendar",  # the shop's working days (its country's holidays): no data of anyone
    "employees.days_in_year",  # a count inside leave and employment changes (each checked)
    "audit.latest_id",  # the TUI's change counter (an id, no data)
    "audit.changes_since",  # the kinds of record written since (no data): what panes rerun
    "contacts.find_by_name_or_email",
    "contacts.resolve",
    "contacts.named_alike",  # which of a report's contacts share a name (the report's roles)
    "contacts.suggest",
    "numbering.next_number",
    "ledger.install_chart",
    "ledger.account_for",
    "ledger.resolve_account",
    "ledger.payment_account",  # a payment account from its code (or the role bank, cash)
    "ledger.payment_accounts",  # the payment accounts a payment form offers (codes, names)
    "findings.bank_line_findings",  # run by run_checks, which checks check.run
    "ledger.suggest_accounts",
    "ledger.lock_date",
    "ledger.preview_entry",
    "purchasing.preview_totals",
    "sales.available",
    "sales.preview_totals",
    "sales.last_issued",  # the last invoice's date, inside run_due (checked)
    "entry_search.index_entries",
    "entry_search.entry_memo_condition",
    "setup.is_initialized",
    "setup.born",  # when the store was set up: which store a draft belongs to (no data)
    "setup.initialize",  # refuses a store already set up; its caller becomes the owner
    "setup.needs_erp_defaults",
    "setup.install_erp_defaults",
    "products.resolve_supplier",
    "products.resolve_product",
    "products.suggest_products",
    "products.load_product",
    "locations.default_location",
    "locations.resolve_location",
    "locations.suggest_locations",  # type-ahead over location names (as suggest_products)
    "levels.totals",  # on hand and value of one product, inside the entry points that show them
    "levels.is_kit",  # whether a product is a kit (never stocked): inside stock entry points
    "kits.copy_kit",  # a sales line's kit components, copied when its order is confirmed
    "kits.kit_components",  # the components of a kit (a lookup)
    "kits.sold_kit_lines",  # the components copied onto sales lines (a lookup)
    "plan.last_suppliers",  # whom components were last bought from (the plan, the drafts)
    "analysis.drill",  # hands a report row to the *_behind entry point it names (each checked)
    "levels.on_order",
    "levels.last_cost",
    "levels.average_cost",
    "records.touch",
    "records.check_version",  # inside every checked update of a record
    "products.line_vat_bp",  # a deal line's rate, inside the quote and the order (checked)
    "sales.customer_details",  # what an invoice keeps, inside invoice and return (checked)
    "paging.contains",  # a SQL condition (LIKE or ILIKE), no data
    "tickets.business_hours",
    "tickets.sla_policy",
    "users.whoami",
    "users.access",
    "users.my_language",  # the acting person's own setting, read before anything is shown
    "doc_lines.clean_line",
    "doc_lines.preview",
    "orders.amount_paid",  # reads a typed amount inside sales.pay and purchasing.pay
    "ledger.payment_day",  # reads a typed day inside every payment (sales, purchases, payroll)
    "paging.keyset_page",
    "shop_details.read_shop",  # the shop's details inside a document's own check (papers.kinds)
    "shop_details.issuer_details",  # what an invoice keeps, inside invoice and return (checked)
    "shop_details.issuer_missing",  # what an invoice lacks of its issuer, inside require_issuer
    "shop_details.require_issuer",  # the refusal inside invoice, counter_sale, make_next (checked)
    "shop_details.vat_rates",  # the standard VAT rate inside product and line checks (checked)
    "ledger.pay_summed",  # what the reading services (checked) show of the payroll's lines
    "products.in_pieces",  # whether a product takes whole numbers (no data of a role)
    "products.product_qty",  # a quantity read inside each checked service that takes one
    "products.parts_on_hand",  # inside update_product and `check` (which reads everything)
    "deals.preview_lines",  # a running total of lines being typed (no data read)
    "crm_imports.bulk_indexing",  # inside the import's own checked write
    "staging.fewer_indexes",  # inside the import's own checked write
    "moves.plan_issue",  # where a delivery takes stock from: inside sales.deliver
    "settings.read_settings",  # how mail is sent, inside mail.send's entry points
    "boms.active_bom",  # the active version's row, inside the making entry points
    "boms.bom_lines",
    "boms.made_of",
    "boms.preview_cost",  # a running total of lines being typed
    "moves.stock_by_location",  # the same, and the delivery form's note (sales.delivery_stock)
    "terms.default_terms",  # the shop's default payment terms, inside invoicing and billing
    "terms.terms_of",  # a contact's payment terms, the same
    "terms.due_date",  # the due date they give, the same
    "employees.load",  # an employee's row, inside the people entry points
    "employees.view_of",  # the same, as a view (pay shown only with people.pay)
    "employees.employed_in",  # who a payroll run pays, inside payroll.create_run
    "leave.unpaid_days",  # what a payroll run deducts, inside the payroll entry points
    # lead nurturing: what a contact's stage change does, inside the contact entry points
    "nurture.shop_hours",
    "nurture.shop_today",
    "nurture.stage_entered",
    "nurture.entered_in_bulk",  # inside the import's own checked write
    "nurture.cancel_open",
    "nurture.before_merge",
    "nurture.after_merge",
    "nurture.on_delete",
    "contacts.found_by_search",  # a SQL condition for a list joined to its contacts
}


def entry_points() -> list[tuple[str, object]]:
    """Every public function of services/ whose first parameter is the unit of work."""
    found = []
    for info in pkgutil.walk_packages(services_pkg.__path__, "bizdesk.services."):
        short = info.name.rpartition(".")[2]
        if info.ispkg or short == "permissions":
            continue
        mod = importlib.import_module(info.name)
        for name, fn in vars(mod).items():
            if name.startswith("_") or not inspect.isfunction(fn):
                continue
            if fn.__module__ != mod.__name__:
                continue
            params = list(inspect.signature(fn).parameters)
            if params and params[0] == "uow":
                found.append((f"{short}.{name}", fn))
    return sorted(found, key=lambda p: p[0])


ENTRY_POINTS = [(n, f) for n, f in entry_points() if hasattr(f, "action")]


def test_every_entry_point_is_checked() -> None:
    unchecked = [n for n, f in entry_points() if not hasattr(f, "action") and n not in HELPERS]
    assert unchecked == [], f"public services with no @requires: {unchecked}"
    assert len(ENTRY_POINTS) > 100


def test_the_table_says_what_the_issue_says() -> None:
    ok = permissions.allowed
    assert not ok("sales", "journal.post") and not ok("sales", "lock_date.set")
    assert not ok("warehouse", "journal.view") and not ok("warehouse", "reports.finance")
    assert ok("warehouse", "purchases.receive") and ok("warehouse", "sales.deliver")
    assert ok("sales", "sales.counter") and ok("support", "tickets.edit")
    assert not ok("support", "deals.edit")
    assert ok("accountant", "journal.post") and not ok("accountant", "users.manage")
    assert not ok("accountant", "lock_date.set")
    assert all(ok("owner", a) for a in PERMISSIONS)
    reads = {a for a in PERMISSIONS if a.endswith(".view") or a.startswith("reports.")}
    reads |= {"export.data", "contacts.money"}  # contacts.money: seeing, on a contact's page
    reads |= {a for a in PERMISSIONS if a.startswith("print.")}  # a PDF of what one may read
    viewer = {a for a in PERMISSIONS if ok("viewer", a)}
    assert viewer <= reads | {"users.language"}  # a viewer changes nothing but their language
    # pay is seen by owner and accountant only (issue 15), payslips included
    assert viewer >= reads - {"audit.view", "users.view", "print.payslip"}
    assert not any(ok(None, a) for a in PERMISSIONS)


@pytest.fixture(scope="module")
def people(tmp_path_factory) -> dict[str, Store]:  # noqa: ANN001
    """One store, and a Store acting as a user of each role (plus strangers)."""
    s = open_store(str(tmp_path_factory.mktemp("roles") / "shop.db"), user="tester")
    setup.ensure_initialized(s)
    with s.write() as uow:
        for role in ROLES:
            users.add(uow, f"a_{role}", role)
        users.add(uow, "gone", "sales")
        users.disable(uow, "gone")
    out = {role: Store(url=s.url, engine=s.engine, user=f"a_{role}") for role in ROLES}
    out["stranger"] = Store(url=s.url, engine=s.engine, user="mallory")
    out["gone"] = Store(url=s.url, engine=s.engine, user="gone")
    yield out
    s.dispose()


class _Rollback(Exception):
    pass


def _ran_body(exc: BaseException, fn) -> bool:  # noqa: ANN001
    """Was ``exc`` raised after the body of ``fn`` (under its @requires) began to run?"""
    body = inspect.unwrap(fn).__code__
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code is body:
            return True
        tb = tb.tb_next
    return False


def _call(store: Store, fn, action: str) -> bool:  # noqa: ANN001
    """Call an entry point with placeholder arguments; True if the role check let it pass
    (whatever the call did next: NotFound, a bad argument ...). Nothing is ever committed.
    An error counts as "let pass" only when the function's own body raised it: a crash in
    the check itself fails the test."""
    params = list(inspect.signature(fn).parameters.values())[1:]
    args = [0 for p in params if p.kind == p.POSITIONAL_OR_KEYWORD and p.default is p.empty]
    kwargs = {p.name: 0 for p in params if p.kind == p.KEYWORD_ONLY and p.default is p.empty}
    try:
        with store.write() as uow:
            try:
                fn(uow, *args, **kwargs)
            except PermissionDenied as exc:
                msg = str(exc)
                assert f"({uow.role})" in msg and "tester" in msg, msg
                return False
            except Exception as exc:  # past the check: the placeholders are not real arguments
                assert _ran_body(exc, fn), f"{fn.__name__} failed before its body ran: {exc!r}"
            raise _Rollback
    except _Rollback:
        return True


@pytest.mark.parametrize("name,fn", ENTRY_POINTS, ids=[n for n, _ in ENTRY_POINTS])
def test_role_by_action_at_every_entry_point(people, name, fn) -> None:  # noqa: ANN001
    """The table of role x entry point: each allowed exactly when PERMISSIONS says so."""
    action = fn.action
    for role in ROLES:
        expected = role in PERMISSIONS[action][1] if action in PERMISSIONS else None
        if expected is None:  # reports.build: checked per report below
            continue
        assert _call(people[role], fn, action) is expected, (name, action, role)


@pytest.mark.parametrize("name", sorted(reports.REPORTS))
def test_role_by_report(people, name) -> None:  # noqa: ANN001
    action = reports.REPORT_ACTIONS[name]
    for role in ROLES:
        with people[role].read() as uow:
            try:
                reports.build(uow, name)
                passed = True
            except PermissionDenied:
                passed = False
            except (ValidationError, NotFound):
                passed = True  # a report that needs parameters (statement): past the check
        assert passed is permissions.allowed(role, action), (name, role)


@pytest.mark.parametrize("who", ["stranger", "gone"])
def test_an_unregistered_or_disabled_user_is_refused(people, who) -> None:  # noqa: ANN001
    store = people[who]
    with store.read() as uow, pytest.raises(PermissionDenied) as exc:
        users.whoami(uow)
    msg = str(exc.value)
    assert "tester" in msg  # who to ask
    if who == "stranger":
        assert "bizdesk users add mallory --role ROLE" in msg
    else:
        assert "disabled" in msg and "bizdesk users set-role gone ROLE" in msg
    with store.read() as uow, pytest.raises(PermissionDenied):
        ledger.list_accounts(uow)


def test_refusals_name_what_the_role_and_who_to_ask(people) -> None:  # noqa: ANN001
    with people["sales"].write() as uow, pytest.raises(PermissionDenied) as exc:
        ledger.set_lock_date(uow, "2020-01-01")
    assert str(exc.value) == (
        "Moving the lock date is not allowed for your role (sales). "
        "Ask an owner (a_owner, tester) to do it, or to change your role."
    )
    with people["warehouse"].read() as uow, pytest.raises(PermissionDenied) as exc:
        ledger.list_entries(uow, PageRequest())
    assert "Viewing the journal" in str(exc.value) and "(warehouse)" in str(exc.value)


def test_the_dashboard_hides_what_a_role_cannot_see(people) -> None:  # noqa: ANN001
    with people["warehouse"].read() as uow:
        d = dashboard(uow)
    assert d.cash is None and d.sales_this_month is None and d.sales_by_month == []
    assert d.pipeline_total is None and d.low_stock == 0
    with people["support"].read() as uow:
        d = dashboard(uow)
    assert d.cash is None and d.pipeline_total is not None
    with people["viewer"].read() as uow:
        d = dashboard(uow)
    assert d.cash is not None


def test_a_counter_sale_by_sales_posts_without_journal_rights(store) -> None:  # noqa: ANN001
    """Nested calls: the sale's own permission covers its delivery and postings."""
    sid = supplier(store)
    product(store, "BIKE", name="City bike", cost="400", sale_price="650", vat_rate="20")
    po = order(store, sid, ("BIKE", "2", "400"))
    with store.write() as uow:
        from bizdesk.services.trade import purchasing

        purchasing.receive(uow, po.id, {ln.id: str(ln.qty) for ln in po.lines})
        users.add(uow, "sam", "sales")
        users.add(uow, "wes", "warehouse")
    sam = Store(url=store.url, engine=store.engine, user="sam")
    with sam.write() as uow:
        so = sales.counter_sale(uow, [sales.SOLineInput("BIKE", "1")], account="cash")
    assert so.state in ("invoiced", "closed")
    with sam.read() as uow, pytest.raises(PermissionDenied):
        ledger.list_entries(uow, PageRequest())
    with sam.write() as uow:
        hits = search.find(uow, "JE-1")
    assert hits == [] or all(h.kind != "entry" for h in hits)
    wes = Store(url=store.url, engine=store.engine, user="wes")
    with wes.write() as uow, pytest.raises(PermissionDenied):
        sales.counter_sale(uow, [sales.SOLineInput("BIKE", "1")], account="cash")


def test_users_add_set_role_disable_and_the_last_owner(store) -> None:  # noqa: ANN001
    with store.write() as uow:
        users.add(uow, "maria", "accountant", "Maria Ortiz")
        with pytest.raises(ValidationError) as exc:
            users.add(uow, "paul", "boss")
        assert "owner, accountant, sales, support, warehouse, viewer" in str(exc.value)
        with pytest.raises(ValidationError):
            users.add(uow, "maria", "sales")
        with pytest.raises(ValidationError):
            users.add(uow, "bad name!", "sales")
    with store.write() as uow, pytest.raises(ValidationError) as exc:
        users.disable(uow, "tester")
    assert "only owner" in str(exc.value)
    with store.write() as uow, pytest.raises(ValidationError):
        users.set_role(uow, "tester", "viewer")
    with store.write() as uow:
        users.set_role(uow, "maria", "owner")
    # nobody disables themself: with the other owner unable to log in, the store was shut
    with store.write() as uow, pytest.raises(ValidationError) as exc:
        users.disable(uow, "tester")
    assert "you cannot disable yourself; another owner can" in str(exc.value)
    maria = Store(url=store.url, engine=store.engine, user="maria")
    with maria.write() as uow:
        users.disable(uow, "tester")  # by another owner: allowed
    with maria.write() as uow:
        with pytest.raises(ValidationError):
            users.disable(uow, "maria")
        users.set_role(uow, "tester", "owner")  # enables tester again
    with store.read() as uow:
        assert {u.username: (u.role, u.active) for u in users.list_users(uow)} == {
            "maria": ("owner", True),
            "tester": ("owner", True),
        }
        actions = [
            e.action
            for e in uow.session.exec(
                select(AuditEvent).where(AuditEvent.entity == "user").order_by(AuditEvent.id)
            )
        ]
    assert actions == ["add", "set-role", "disable", "set-role"]
    with store.write() as uow:
        users.add(uow, "vic", "viewer")
    vic = Store(url=store.url, engine=store.engine, user="vic")
    with vic.write() as uow, pytest.raises(PermissionDenied):
        users.add(uow, "eve", "owner")


def test_store_level_services_check_too(people, tmp_path) -> None:  # noqa: ANN001
    """backup, restore, check and demo take a store, not a unit of work: same table."""
    from bizdesk.services.admin.backup import backup_store
    from bizdesk.services.admin.checks import run_checks
    from bizdesk.services.demo import shop as demo

    def passed(call) -> bool:  # noqa: ANN001
        try:
            call()
        except PermissionDenied:
            return False
        except (ValidationError, NotFound):
            pass
        return True

    for role in ROLES:
        s = people[role]
        assert passed(lambda s=s, r=role: backup_store(s, tmp_path / f"{r}.db")) is (
            role == "owner"
        )
        assert passed(lambda s=s: run_checks(s)) is (role in ("owner", "accountant"))
        assert passed(lambda s=s: demo.generate(s, size="huge")) is (role == "owner")
    assert not passed(lambda: run_checks(people["stranger"]))


def test_migrate_to_checks_the_role_before_reading(people) -> None:  # noqa: ANN001
    """Copying the store out is the owner's: anyone else is refused before a row is read
    (the target named here does not even exist, so nothing could have been copied)."""
    from bizdesk.services.admin.transfer import migrate_to

    nowhere = "postgresql+psycopg://nobody@/bizdesk_nowhere?host=/nonexistent-socket-folder"
    for role in ROLES:
        if role == "owner":
            continue
        with pytest.raises(PermissionDenied) as exc:
            migrate_to(people[role], nowhere)
        assert "Copying the store to PostgreSQL is not allowed" in str(exc.value)
    with pytest.raises(Exception) as exc:  # the owner gets past the check, to the target
        migrate_to(people["owner"], nowhere)
    assert not isinstance(exc.value, PermissionDenied)
    with pytest.raises(PermissionDenied):
        migrate_to(people["stranger"], nowhere)
