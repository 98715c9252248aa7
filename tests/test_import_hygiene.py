"""Start-up imports only what it needs (as Harlequin's test_import_hygiene.py): a fresh
interpreter imports the command line, or the app and its Home tab, and we look at what is in
``sys.modules``. An import moved to the top of a module on the start path shows up here."""

from __future__ import annotations

import subprocess
import sys


def _loaded(*modules: str) -> set[str]:
    code = "import sys\n" + "".join(f"import {m}\n" for m in modules)
    code += "print('\\n'.join(sorted(sys.modules)))"
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    return set(done.stdout.split())


def _present(loaded: set[str], names: tuple[str, ...]) -> list[str]:
    return sorted(n for n in names if any(m == n or m.startswith(n + ".") for m in loaded))


# `bizdesk --help`, and every command before it knows what it needs: no database stack, no
# interface, no service (each command imports its own when it runs), no command group (each
# is loaded when one of its commands is named), no rich console (JSON needs none).
CLI_DEFERS = (
    "bizdesk.cli.admin",
    "bizdesk.cli.books",
    "bizdesk.cli.deals",
    "bizdesk.cli.exchange",
    "bizdesk.cli.reports",
    "bizdesk.cli.stock",
    "bizdesk.cli.store",
    "bizdesk.cli.tickets",
    "rich",
    "textual",
    "sqlalchemy",
    "sqlmodel",
    "alembic",
    "pydantic",
    "plotext",
    "platformdirs",
    "email_validator",
    "phonenumbers",
    "bizdesk.app",
    "bizdesk.gate",
    "bizdesk.db",
    "bizdesk.models",
    "bizdesk.services",
    "bizdesk.screens",
    "bizdesk.widgets",
    "bizdesk.config",
    "bizdesk.faults",
    "bizdesk.files",
)
# The app (before its first frame): no command line, no migration tool, no tab's screen,
# no service beyond the drafts and the permission table.
APP_DEFERS = (
    "typer",
    "alembic",
    "plotext",
    "email_validator",
    "phonenumbers",
    "bizdesk.cli",
    "bizdesk.gate",
)
APP_SERVICES = {
    "bizdesk.services",
    "bizdesk.services.admin",
    "bizdesk.services.admin.drafts",
    "bizdesk.services.base",
    "bizdesk.services.base.permissions",
}
# Home (the one tab built at start): no stock, order, search, report or journal-screen code.
HOME_DEFERS = (
    "bizdesk.services.inventory",
    "bizdesk.services.trade.sales",
    "bizdesk.services.trade.purchasing",
    "bizdesk.services.trade.doc_lines",
    "bizdesk.services.overview.reports",
    "bizdesk.services.books.ledger_reports",
    "bizdesk.services.admin.backup",
    "bizdesk.services.admin.checks",
    "bizdesk.services.overview.search",
    "bizdesk.screens.journal",
    "bizdesk.screens.contacts",
    "bizdesk.screens.reports",
    "alembic",
    "typer",
)


def test_the_command_line_starts_without_what_its_commands_load():
    loaded = _loaded("bizdesk.cli")
    assert "bizdesk.cli" in loaded and "typer" in loaded
    assert _present(loaded, CLI_DEFERS) == []


def test_the_app_starts_without_the_tabs_and_the_command_line():
    loaded = _loaded("bizdesk.app")
    assert "textual" in loaded and "bizdesk.app" in loaded
    assert _present(loaded, APP_DEFERS) == []
    assert {m for m in loaded if m.startswith("bizdesk.services")} <= APP_SERVICES
    assert {m for m in loaded if m.startswith("bizdesk.screens")} <= {
        "bizdesk.screens",
        "bizdesk.screens.palette",
        "bizdesk.screens.registry",  # the tabs by name: each tab's module is not loaded
    }


def test_the_interface_draws_before_the_database_stack_is_imported():
    """`bizdesk` with no command: what runs before the first frame (bizdesk.start and the
    app) imports no database stack and no command line; the opening worker does."""
    loaded = _loaded("bizdesk.start", "bizdesk.app")
    assert (
        _present(
            loaded,
            (
                "sqlalchemy",
                "sqlmodel",
                "pydantic",
                "bizdesk.db",
                "bizdesk.models",
                "typer",
                "plotext",
            ),
        )
        == []
    )


def test_home_loads_no_other_tab_and_no_stock_or_orders():
    loaded = _loaded("bizdesk.app", "bizdesk.screens.home", "bizdesk.services.overview.dashboard")
    assert _present(loaded, HOME_DEFERS) == []


def test_home_as_last_seen_is_drawn_without_the_database_stack():
    """Home is drawn from the figures kept at the last look (services/overview/glance)
    before the store is open: its module, and reading those figures back, load no
    database stack and not the lists' widgets."""
    loaded = _loaded(
        "bizdesk.start", "bizdesk.app", "bizdesk.screens.home", "bizdesk.services.overview.glance"
    )
    assert "sqlite3" in loaded
    deferred = ("sqlalchemy", "sqlmodel", "pydantic", "bizdesk.db", "bizdesk.models")
    assert _present(loaded, (*deferred, "bizdesk.services.overview.dashboard")) == []
    assert _present(loaded, ("bizdesk.widgets.paged_table", "textual.widgets._data_table")) == []


def test_the_core_runs_without_the_interface():
    """What the contracts say statically, at run time: the services, db and models load no
    Textual and no command line."""
    loaded = _loaded(
        "bizdesk.services.crm.contacts", "bizdesk.services.overview.reports", "bizdesk.db"
    )
    assert "bizdesk.models" in loaded
    assert _present(loaded, ("textual", "typer", "bizdesk.app", "bizdesk.cli")) == []


def test_the_reports_on_the_accounts_load_no_customer_or_order_code():
    """`report trial-balance` (and profit and loss, balance sheet, the ledger) loads the
    books, not the contacts' services nor the models of orders, tickets and mail (a journal
    line's contact is looked up only when an entry is typed)."""
    loaded = _loaded("bizdesk.services.books.ledger_reports")
    assert "bizdesk.services.books.ledger" in loaded
    assert _present(loaded, ("bizdesk.services.crm", "bizdesk.services.trade")) == []
    assert (
        _present(
            loaded,
            ("bizdesk.models.sales", "bizdesk.models.purchasing", "bizdesk.models.tickets"),
        )
        == []
    )


def test_the_journal_import_loads_no_contact_stock_or_order_code():
    """`import journal` (a year of books at once, where the start counts) loads the books
    and what every import shares, not the contact services, the stock or the orders: a
    line's contact is looked up by a query of its own."""
    loaded = _loaded("bizdesk.services.exchange.journal_import")
    assert "bizdesk.services.exchange.staging" in loaded
    assert (
        _present(
            loaded,
            (
                "bizdesk.services.crm",
                "bizdesk.services.inventory",
                "bizdesk.services.trade",
                "bizdesk.services.exchange.crm_imports",
                "bizdesk.services.exchange.erp_imports",
                "bizdesk.models.sales",
                "bizdesk.models.purchasing",
                "bizdesk.models.tickets",
            ),
        )
        == []
    )
