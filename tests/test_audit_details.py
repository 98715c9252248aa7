"""Every amount and quantity the services write to the audit trail is shown as one.

services/admin/audit.DETAILS says which details of an event hold money (minor units) or a
quantity (thousandths), so `bizdesk audit` shows them as decimal strings; a record's
``*_minor`` and ``*_scaled`` columns are known by their names. A writer storing money under a
plain name was shown raw until someone added it (an hourly employee's hours were shown as
7500). These tests fail when a detail whose name reads as an amount or a quantity is neither
in DETAILS nor listed in audit.NOT_AMOUNTS as holding none: once over the events real writes
store, once over the source of every ``uow.audit(...)`` call.
"""

from __future__ import annotations

import ast
import importlib
import json
import pkgutil
import re
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select

import bizdesk
from bizdesk.db import Store
from bizdesk.models.banking import BankLine
from bizdesk.models.core import AuditEvent
from bizdesk.services.admin.audit import DETAILS, NOT_AMOUNTS, shown_details
from bizdesk.services.banking import reconcile
from bizdesk.services.banking.statements import import_statement
from bizdesk.services.demo import shop as demo
from bizdesk.services.people import payroll
from tests.erp_helpers import a_month
from tests.people_helpers import employee, lines
from tests.test_cli import bizdesk as run
from tests.test_cli import db as db  # noqa: F401  (the fixture)

# A detail's name that says it holds an amount or a quantity: the word, or ending in _word.
AMOUNT_WORDS = (
    "amount|amounts|total|net|vat|gross|contributions|pay|fee|fees|overdue|closing|opening|"
    "balance|cost|value|labour|consumed|price|debit|credit|discount|qty|quantity|hours|"
    "released|done|components|lines"
)
_AMOUNT_NAME = re.compile(rf"(^|_)({AMOUNT_WORDS})$|_(minor|scaled)$")


def reads_as_amount(name: str) -> bool:
    return bool(_AMOUNT_NAME.search(name))


def covered(entity: str, action: str, name: str) -> bool:
    """Whether ``name`` is shown as what it holds (DETAILS, a column's suffix) or is said to
    hold no amount (NOT_AMOUNTS)."""
    known = {
        *DETAILS.get((entity, "*"), {}),
        *DETAILS.get((entity, action), {}),
        *NOT_AMOUNTS.get((entity, action), ()),
    }
    return name in known or name.endswith(("_minor", "_scaled"))


def _numbers_in(value: Any) -> bool:  # noqa: ANN401
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return True
    if isinstance(value, list):
        return any(_numbers_in(v) for v in value)
    if isinstance(value, dict):
        return any(_numbers_in(v) for v in value.values())
    return False


def _nested_amounts(value: Any, path: str) -> list[str]:  # noqa: ANN401
    """Amount-like names with integers inside a detail not known as a whole."""
    found = []
    if isinstance(value, dict):
        for k, v in value.items():
            if reads_as_amount(str(k)) and _numbers_in(v):
                found.append(f"{path}.{k}")
            found += _nested_amounts(v, f"{path}.{k}")
    elif isinstance(value, list):
        for v in value:
            found += _nested_amounts(v, f"{path}[]")
    return found


def gaps_in(store: Store) -> set[str]:
    """Each stored event's details that read as an amount, hold an integer and are not
    covered, as "entity action detail"; and those DETAILS knows but stored in another shape
    (a line of five places where it knows four), which are shown as stored."""
    found = set()
    with store.read() as uow:
        events = uow.session.scalars(select(AuditEvent)).all()
        for e in events:
            for stored in (e.before, e.after):
                values = json.loads(stored) if stored else None
                if not isinstance(values, dict):
                    continue
                shown = shown_details(stored, e.entity, e.action, uow.exponent)
                known = {
                    **DETAILS.get((e.entity, "*"), {}),
                    **DETAILS.get((e.entity, e.action), {}),
                }
                for name, value in values.items():
                    if name in known and _numbers_in(value) and shown[name] == value:
                        found.add(f"{e.entity} {e.action} {name}: not of the shape known")
                    if covered(e.entity, e.action, name):
                        continue
                    if reads_as_amount(name) and _numbers_in(value):
                        found.add(f"{e.entity} {e.action} {name}")
                    found.update(f"{e.entity} {e.action} {p}" for p in _nested_amounts(value, name))
    return found


def _kinds(store: Store) -> set[tuple[str, str]]:
    with store.read() as uow:
        return {tuple(r) for r in uow.session.execute(select(AuditEvent.entity, AuditEvent.action))}


RULES = b"skip 1\nfields date, description, amount, balance\n"


def _hours_and_the_bank(store: Store, month: str, day: str) -> None:
    """A payroll run for ``month`` with the hourly employees' hours entered, posted on
    ``day`` and paid; a bank fee imported and matched to an account."""
    cy = employee(store, "Cy Dan", pay_basis="hourly", pay="12.35", start_date=f"{month}-01")
    with store.write() as uow:
        run = payroll.create_run(uow, month, {f"#{cy}": "80"})
        for slip in run.slips:  # and the shop's own hourly employees (the demo's)
            if slip.pay_basis == "hourly":
                payroll.set_hours(uow, run.id, f"#{slip.employee_id}", "7.5")
        payroll.refresh(uow, run.id)
        payroll.post(uow, run.id, when=day)
        payroll.pay(uow, run.id, "bank", when=day)
        data = f"date,description,amount,balance\n{day},fee,-12.50,100\n".encode()
        import_statement(uow, data, account="1010", rules=RULES, filename="s.csv")
        line = uow.session.scalar(select(BankLine.id).where(BankLine.text == "fee"))
        reconcile.match_account(uow, line, "6400")


def test_a_month_of_business_payroll_and_the_bank_store_no_amount_shown_raw(store) -> None:  # noqa: ANN001
    a_month(store)
    lines(store)
    employee(store, "Ana Pop")
    _hours_and_the_bank(store, "2026-11", "2026-11-30")
    kinds = _kinds(store)
    assert {("payroll_run", "hours"), ("bank_line", "match"), ("invoice", "refund")} <= kinds
    assert gaps_in(store) == set()
    # the hours shown as a quantity, as money is (they were shown as stored: 7500)
    with store.read() as uow:
        hours = uow.session.scalar(
            select(AuditEvent.after).where(
                AuditEvent.entity == "payroll_run", AuditEvent.action == "hours"
            )
        )
    assert json.loads(hours)["hours"] == 7500
    assert shown_details(hours, "payroll_run", "hours", 2)["hours"] == "7.5"


def test_the_demo_shop_stores_no_amount_shown_raw(store) -> None:  # noqa: ANN001
    """The demo writes what a year of a shop does: making, budgets, campaigns, payroll;
    then hours are entered on its next month's run."""
    demo.generate(store, "small", today=date(2026, 11, 22))
    _hours_and_the_bank(store, "2026-12", "2026-12-31")
    assert {("assembly_order", "finish"), ("budget", "set"), ("payroll_run", "hours")} <= _kinds(
        store
    )
    assert gaps_in(store) == set()
    assert untitled_on_pages(store) == {}
    assert unsaid_words(store) == {}


# the kinds of record whose page has h (screens: AuditedScreen.AUDIT_ENTITY, the orders'),
# and those shown with them (history.KEPT_WITH: a contact's e-mail consent)
WITH_HISTORY = (
    "account", "assembly_order", "contact", "deal", "email_consent", "employee", "journal_entry",
    "payroll_run", "product", "purchase_order", "sales_order", "ticket",
)  # fmt: skip


def untitled_on_pages(store) -> dict[str, set[str]]:  # noqa: ANN001
    """The details a record's history would show under their stored key ("close_reason",
    "stage_id"), not as the forms name them: key -> the events."""
    from bizdesk.fieldnames import title
    from bizdesk.screens.history import shown_name
    from bizdesk.services.admin.audit import list_events, shown_keys

    found: dict[str, set[str]] = {}
    with store.read() as uow:
        rows = list_events(uow, limit=None)
        for e in (r for r in rows if r.entity in WITH_HISTORY and r.entity_id is not None):
            shown = shown_details(e.after or e.before, e.entity, e.action, 2)
            for key in shown_keys(e):
                name = shown_name(key, shown)
                if title(name) == name:
                    found.setdefault(name, set()).add(f"{e.entity} {e.action}")
    return found


def code_words() -> dict[str, str]:
    """Every word bizdesk stores and shows through a map of its own (words.py's, and any
    module's ``*_NAMES`` or ``*_WORDS``): the word -> where one such map is."""
    words: dict[str, str] = {}
    for m in pkgutil.walk_packages(bizdesk.__path__, "bizdesk."):
        if m.name.endswith("__main__"):
            continue
        for name, value in vars(importlib.import_module(m.name)).items():
            if name.endswith(("_NAMES", "_WORDS")) and isinstance(value, Mapping):
                for k, v in value.items():
                    if isinstance(k, str) and isinstance(v, str):
                        words.setdefault(k, f"{m.name}.{name}")
    return words


def unsaid_words(store) -> dict[tuple[str, str], set[str]]:  # noqa: ANN001
    """The details stored as such a word that a record's history would show as stored (in
    English to every reader): (kind of record, detail) -> the words."""
    from bizdesk.screens.history import stored_words
    from bizdesk.services.admin.audit import list_events

    words = code_words()
    found: dict[tuple[str, str], set[str]] = {}
    with store.read() as uow:
        for e in list_events(uow, limit=None):
            for details in (e.before, e.after):
                shown = shown_details(details, e.entity, e.action, 2)
                for key, value in shown.items() if isinstance(shown, dict) else ():
                    if isinstance(value, str) and value in words:
                        if not stored_words(e.entity, key):
                            found.setdefault((e.entity, key), set()).add(value)
    return found


def _strings(node: ast.expr, module: Any) -> list[str] | None:  # noqa: ANN401
    """The texts an expression of an audit call can be (a literal, a module's constant, a
    choice of two), or None when not known from the source."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.Name) and isinstance(getattr(module, node.id, None), str):
        return [getattr(module, node.id)]
    if isinstance(node, ast.IfExp):
        one, other = _strings(node.body, module), _strings(node.orelse, module)
        return one + other if one is not None and other is not None else None
    return None


def _text(node: ast.expr) -> bool:
    """Whether a detail's value is text as written (a literal, an f-string, str(...),
    .isoformat()): not an integer count of anything."""
    if isinstance(node, ast.Constant):
        return not isinstance(node.value, int) or isinstance(node.value, bool)
    if isinstance(node, ast.JoinedStr):
        return True
    if isinstance(node, ast.Call):
        f = node.func
        return (isinstance(f, ast.Name) and f.id == "str") or (
            isinstance(f, ast.Attribute) and f.attr in ("isoformat", "strftime")
        )
    return False


def test_every_audit_call_s_amount_details_are_known() -> None:
    """The writers no test above runs: each ``uow.audit(KIND, id, ACTION, {...})`` whose
    details are written out in the call."""
    root = Path(bizdesk.__file__).parent
    found, calls = set(), 0
    for path in sorted(root.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        module = None
        for node in ast.walk(tree):
            if not (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "audit"
                and len(node.args) >= 3
            ):
                continue
            if module is None:
                name = ".".join(("bizdesk", *path.relative_to(root).with_suffix("").parts))
                module = importlib.import_module(name)
            entities = _strings(node.args[0], module)
            actions = _strings(node.args[2], module)
            if entities is None or actions is None:
                continue
            calls += 1
            details = [*node.args[3:], *(k.value for k in node.keywords)]
            for d in details:
                if not isinstance(d, ast.Dict):
                    continue
                for key, value in zip(d.keys, d.values, strict=True):
                    if not (isinstance(key, ast.Constant) and isinstance(key.value, str)):
                        continue
                    if not reads_as_amount(key.value) or _text(value):
                        continue
                    found.update(
                        f"{e} {a} {key.value}"
                        for e in entities
                        for a in actions
                        if not covered(e, a, key.value)
                    )
    assert calls > 100
    assert found == set()
    # every detail DETAILS knows reads as an amount (else the guard would not see its like
    # in a new writer), and NOT_AMOUNTS lists only such names
    assert [n for shapes in DETAILS.values() for n in shapes if not reads_as_amount(n)] == [
        "from"  # the locations a delivery took each line from: a list of places
    ]
    assert [n for names in NOT_AMOUNTS.values() for n in names if not reads_as_amount(n)] == []


def test_the_hours_entered_are_a_decimal_string_in_json_and_csv(db) -> None:  # noqa: ANN001
    """`bizdesk audit` gave an hourly employee's hours as stored: 7500 for 7.5 hours; now as a
    quantity, as money is ("7.5", in Spanish too: JSON and CSV are for machines)."""
    from bizdesk.db import open_store

    store = open_store(db)
    cy = employee(store, "Cy Dan", pay_basis="hourly", pay="12.35")
    with store.write() as uow:
        run_id = payroll.create_run(uow, "2026-11").id
        payroll.set_hours(uow, run_id, f"#{cy}", "7.5")
    for env in ({}, {"LANG": "es_ES.UTF-8", "LC_ALL": "es_ES.UTF-8"}):
        shown = run("audit", "--entity", "payroll_run", "--format", "json", "--db", db, env=env)
        assert shown.returncode == 0, shown.stderr
        hours = [e["after"] for e in json.loads(shown.stdout) if e["action"] == "hours"]
        assert hours == [{"employee": cy, "hours": "7.5"}]
        rows = run("audit", "--entity", "payroll_run", "--format", "csv", "--db", db, env=env)
        after = json.dumps({"employee": cy, "hours": "7.5"}).replace('"', '""')
        assert f',"{after}"' in rows.stdout
