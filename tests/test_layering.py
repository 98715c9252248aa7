"""The architecture is executable: the import-linter contracts in pyproject.toml hold (layers
interfaces -> services -> db -> models -> base modules, no import circles, the core never
imports Textual, the interfaces write no SQL...), and an import inside a function is there to
defer a module on purpose, never to hide a circle."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import grimp

import bizdesk

ROOT = Path(bizdesk.__file__).parent
REPO = ROOT.parent.parent
# The doors load what a command, a tab or a screen needs when it is used (DESIGN section 12):
# `bizdesk --help` loads no database code, the first frame no tab but Home.
DOORS = (
    "bizdesk.start",
    "bizdesk.cli",
    "bizdesk.app",
    "bizdesk.gate",
    "bizdesk.screens.",
    "bizdesk.widgets.",
)
DOOR_DEFERS = (
    "bizdesk.cli",  # with typer and pydantic: only for a command (bizdesk.start)
    "bizdesk.services",
    "bizdesk.db",
    "bizdesk.screens",
    "bizdesk.app",
    "bizdesk.gate",
    "bizdesk.config",  # with platformdirs
    "bizdesk.faults",
    "bizdesk.files",
    # the command line prints for people only when asked: a JSON report builds no console
    "bizdesk.formatting",  # with Babel's number data
    "rich",
    "typer.rich_utils",  # typer's help and error printer (rich): for a help or an error only
)
# Third-party modules worth deferring anywhere: Alembic only when a store is behind this
# bizdesk's schema, SQLAlchemy's URL parser only when a fault is told, the e-mail and phone
# checkers only when such a field is checked, Babel's locale data on the command line only
# when a file names its locale; plotext when Home draws its charts (after its figures).
# ofxtools: more than a second to import (measured); only an OFX statement needs it
HEAVY = (
    *("alembic", "sqlalchemy", "email_validator", "phonenumbers", "babel", "plotext", "ofxtools"),
    *("fpdf", "schwifty", "stdnum"),  # PDFs (with Pillow and fontTools), IBANs, VAT ids
)
# Deferred inside the core, each with its reason.
DEFERRED = {
    ("bizdesk.services.banking.proposals", "cleanco"): (
        "cleanco builds its table of legal forms when imported (20 ms): loaded when names "
        "are compared, not by the bank screen's start"
    ),
    ("bizdesk.services.people.days", "holidays"): (
        "the holidays library is large (every country's calendar): loaded when leave is "
        "counted, not by every command that imports the people services"
    ),
    ("bizdesk.screens.home", "bizdesk.services.books.budgets"): (
        "Home reads the budget in a worker after its figures: the budget's module brings the "
        "ledger's reports, which the start does not load"
    ),
    ("bizdesk.services.books.ledger_reports", "bizdesk.models.sales"): (
        "the aged balances read invoices; the trial balance loads no order code"
    ),
    ("bizdesk.services.books.ledger_reports", "bizdesk.models.purchasing"): (
        "the aged balances read supplier bills; the trial balance loads no order code"
    ),
    ("bizdesk.services.overview.reports", "bizdesk.services."): (
        "each report's module loads when that report is built: `report trial-balance` loads "
        "no deals, tickets or stock code"
    ),
    (
        "bizdesk.services.trade.deals",
        "bizdesk.services.trade.sales",
    ): "keeps the sales code off Home's start",
    (
        "bizdesk.services.trade.deals",
        "bizdesk.services.inventory.products",
    ): "keeps the stock code off Home's start",
    (
        "bizdesk.services.overview.dashboard",
        "bizdesk.services.inventory.reports",
    ): "keeps stock off Home's start",
    ("bizdesk.services.books.ledger", "bizdesk.services.crm.contacts"): (
        "a line's contact is looked up only when an entry is typed: the contacts module "
        "brings the models of mail, sales, purchases and tickets (70 ms), which `report "
        "trial-balance` and the other reports on the accounts never use"
    ),
    ("bizdesk.config", "tomllib"): "the config file is parsed only when there is one",
    ("bizdesk.i18n", "platformdirs"): (
        "the cache of compiled catalogs only when a language other than English is loaded"
    ),
    ("bizdesk.services.admin.setup", "bizdesk.services.books.ledger"): (
        "every command checks that the store is set up; only setting up installs the chart"
    ),
    ("bizdesk.services.mail.documents", "bizdesk.services.papers"): (
        "the documents are rendered (fpdf2 and its fonts loaded) only when one is sent"
    ),
}


def test_import_contracts_are_kept():
    """`lint-imports` (import-linter, configured in pyproject.toml) passes."""
    done = subprocess.run(
        [sys.executable, "-c", "from importlinter.cli import lint_imports_command as c; c()"]
        + ["--config", str(REPO / "pyproject.toml"), "--no-cache", "--no-logo"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 broken" in done.stdout and " kept" in done.stdout


def test_no_import_circles():
    """Not one module reaches itself through others, counting imports inside functions."""
    graph = grimp.build_graph("bizdesk", cache_dir=None)
    assert len(graph.modules) > 80
    circles = []
    for module in sorted(graph.modules):
        for imported in sorted(graph.find_modules_directly_imported_by(module)):
            if imported.startswith(module + ".") or module.startswith(imported + "."):
                continue  # a package and its own module (grimp cannot chain those)
            back = graph.find_shortest_chain(importer=imported, imported=module)
            if back is not None:
                circles.append(" -> ".join((module, *back)))
    assert circles == []


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imported(node: ast.Import | ast.ImportFrom) -> list[str]:
    if isinstance(node, ast.Import):
        return [a.name for a in node.names]
    return [node.module or ""]


def _function_imports(tree: ast.Module) -> list[ast.Import | ast.ImportFrom]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            found += [n for n in ast.walk(node) if isinstance(n, (ast.Import, ast.ImportFrom))]
    return list({id(n): n for n in found}.values())


def _top_imports(tree: ast.Module) -> set[str]:
    return {
        m for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom)) for m in _imported(n)
    }


def _deferral_reason(importer: str, target: str) -> str | None:
    if target.split(".")[0] in HEAVY:
        return "heavy"
    if importer.startswith(DOORS) or importer in DOORS:
        if target.startswith(DOOR_DEFERS):
            return "door"
    for (who, what), reason in DEFERRED.items():
        if importer == who and target.startswith(what):
            return reason
    return None


def test_imports_inside_functions_only_defer_on_purpose():
    """An import inside a function defers a heavy module, or a module a door loads when
    used, or one listed in DEFERRED with its reason; anything else belongs at the top (a
    circle hidden in a function is still a circle). Migrations are frozen history."""
    files = [p for p in ROOT.rglob("*.py") if "migrations" not in p.parts]
    assert len(files) > 50
    unexplained, pointless = [], []
    for path in files:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        importer = _module_name(path)
        top = _top_imports(tree)
        for node in _function_imports(tree):
            for target in _imported(node):
                where = f"{path.relative_to(ROOT)}:{node.lineno} {target}"
                if target in top:
                    pointless.append(where)
                elif _deferral_reason(importer, target) is None:
                    unexplained.append(where)
    assert pointless == [], "imported at the top already"
    assert unexplained == [], "move to the top, or add the reason to DEFERRED"
