"""The command line as a package of command groups: every command reachable from the root
and loaded only when named, choices checked as enums (exit 2, the choices listed), the
import help built from the columns the services declare, and a command that imports only
what it needs (no rich console for JSON, no pydantic adapters, no other group's code)."""

from __future__ import annotations

import importlib
import subprocess
import sys

import pytest
import typer

from bizdesk.cli import exchange, group
from bizdesk.cli.reports import ReportName
from bizdesk.services.overview.reports import REPORTS
from tests.test_cli import bizdesk


def test_the_report_names_are_the_services():
    assert [n.value for n in ReportName] == list(REPORTS)


def test_every_command_is_listed_once_and_lives_where_the_list_says():
    """What each module defines at its top level is exactly what COMMANDS sends there."""
    defined: dict[str, str] = {}
    for module in set(group.COMMANDS.values()):
        built = typer.main.get_group(importlib.import_module(f"bizdesk.cli.{module}").app)
        for name in built.commands:
            assert name not in defined, f"{name} in {module} and {defined[name]}"
            defined[name] = module
    assert defined == group.COMMANDS


@pytest.mark.parametrize("kind", sorted(exchange.COLUMN_NOTES))
def test_import_help_lists_the_columns_the_service_reads(kind):
    columns, required = exchange.declared_columns(kind)
    said = exchange.columns_help(kind)
    for col in columns:
        assert f" {col}" in said
    for col in required:
        assert f"{col} (required" in said
    assert set(exchange.COLUMN_NOTES[kind]) <= set(columns)  # no note on a column gone


def test_bad_choices_exit_2_and_name_the_choices(tmp_path):
    db = str(tmp_path / "shop.db")
    r = bizdesk("export", "contacts", "--format", "ledger", "--db", db)
    assert r.returncode == 2 and "csv or json" in r.stderr and "Traceback" not in r.stderr
    r = bizdesk("report", "nonsense", "--db", db)
    assert r.returncode == 2 and "trial-balance, profit-loss" in r.stderr
    assert not (tmp_path / "shop.db").exists()  # refused before any store was opened


def _loaded_by_command(*args: str) -> set[str]:
    code = (
        "import sys\n"
        "from bizdesk.cli import main\n"
        "sys.argv = ['bizdesk', *sys.argv[1:]]\n"
        "try:\n"
        "    main()\n"
        "except SystemExit as done:\n"
        "    assert not done.code, done.code\n"
        "sys.stderr.write('\\n'.join(sorted(sys.modules)))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return set(done.stderr.split())


def test_a_json_report_loads_only_what_it_needs(tmp_path):
    db = str(tmp_path / "shop.db")
    assert bizdesk("init", "--db", db).returncode == 0
    loaded = _loaded_by_command("report", "trial-balance", "--format", "json", "--db", db)
    assert "bizdesk.cli.reports" in loaded and "bizdesk.services.books.ledger_reports" in loaded
    unwanted = (
        "typer._adapters",  # pydantic TypeAdapters for each parameter (group._Plain instead)
        "rich.console",
        "rich.table",
        "textual",
        "alembic",
        "bizdesk.app",
        "bizdesk.screens",
        "bizdesk.services.trade",
        "bizdesk.services.inventory",
        "bizdesk.services.exchange",
        "bizdesk.services.admin.checks",
        "bizdesk.services.overview.analysis",  # only a report grouped --by
        "bizdesk.services.crm",
        *(f"bizdesk.models.{m}" for m in ("sales", "purchasing", "tickets", "mail", "nurture")),
        *(f"bizdesk.cli.{m}" for m in set(group.COMMANDS.values()) - {"reports"}),
    )
    present = sorted(n for n in unwanted if any(m == n or m.startswith(n + ".") for m in loaded))
    assert present == []


def test_help_loads_no_database_code():
    loaded = _loaded_by_command("--help")
    assert {f"bizdesk.cli.{m}" for m in group.COMMANDS.values()} <= loaded  # all, for the list
    assert not any(m.startswith(("sqlalchemy", "bizdesk.db", "bizdesk.services")) for m in loaded)


def test_typers_words_are_where_group_sets_them():
    """group._typer_words replaces typer.rich_utils' constants with the same msgids in the
    reader's language, and _Formatter passes click's "Usage: " prefix: a typer that renames
    or rewords them fails here (typer is pinned)."""
    import importlib.util
    import inspect

    from typer import rich_utils
    from typer._click.formatting import HelpFormatter

    from bizdesk.i18n import use

    # typer's own words from a fresh copy of its module: the one loaded may hold another
    # language's already (a command run in this process before, in Spanish)
    spec = importlib.util.find_spec("typer.rich_utils")
    typers = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(typers)
    own = {name: getattr(typers, name) for name in dir(typers) if name.isupper()}
    use("en")
    group._typer_words()
    after = {name: getattr(rich_utils, name) for name in dir(rich_utils) if name.isupper()}
    assert after == own  # every constant it sets exists, and in English is typer's own
    assert "prefix" in inspect.signature(HelpFormatter.write_usage).parameters
    assert group._Context.formatter_class is group._Formatter
    assert group.CommandLine.context_class is group._Context
    for name in ("param_hint", "param_type"):
        assert name in inspect.signature(typer._click.exceptions.MissingParameter).parameters
    assert "possibilities" in inspect.signature(typer._click.exceptions.NoSuchOption).parameters


def _every_command():
    for module in sorted(set(group.COMMANDS.values())):
        stack = [group._module_group(module)]
        while stack:
            command = stack.pop()
            yield command
            stack.extend(getattr(command, "commands", {}).values())


def test_no_list_of_choices_is_too_wide_for_the_helps_type_column():
    """At 80 columns a list wider than the type column folded inside a word
    ("<quote|sales-order|invoice|c" over "redit-note|..."): such a list is shown as a word,
    and the parameter's help names every choice."""
    long = 0
    for command in _every_command():
        for param in command.params:
            desc = getattr(param, "type_descriptor", None)
            if desc is None or not desc.is_choice:
                continue
            choices = [str(getattr(c, "value", c)) for c in desc.choices]
            if param.show_choices:
                assert len("|".join(choices)) + 2 <= group.CHOICES_AT_MOST, command.name
            else:
                long += 1
                for choice in choices:
                    assert choice in (param.help or ""), (command.name, param.name, choice)
    assert long >= 5  # print's kind, outbox, assembly, leave, nurture states; report names


def test_the_print_help_names_the_kinds_whole_at_80_columns():
    r = bizdesk("print", "--help", env={"COLUMNS": "80"})
    assert r.returncode == 0, r.stderr
    said = " ".join(r.stdout.replace("│", " ").split())
    assert "One of: quote, sales-order, invoice, credit-note, purchase-order, reminder" in said
    assert "|c" not in r.stdout and "<quote" not in r.stdout


def test_every_option_says_what_it_is_for():
    """`new ticket --help` listed --subject and --body with nothing beside them, and the
    imports' --dry-run and the exports' -o as bare as that."""
    bare = [
        f"{command.name} {param.opts[0]}"
        for command in _every_command()
        for param in command.params
        if param.param_type_name == "option" and param.name != "help" and not param.help
    ]
    assert bare == []


def test_usage_lines_write_arguments_as_the_readme_does():
    """typer wrote a required argument as "{file}" ("Usage: bizdesk import contacts
    [OPTIONS] {file}"); the README and every usage line now write FILE, and [FILE] for one
    that may be left out."""
    from typer._click.core import Context

    pieces = [
        piece
        for command in _every_command()
        for param in command.params
        if param.param_type_name == "argument"
        for piece in param.get_usage_pieces(Context(command))
    ]
    assert len(pieces) > 20
    assert [p for p in pieces if "{" in p or p.strip("[]") != p.strip("[]").upper()] == []
    r = bizdesk("import", "contacts", "--help")
    assert "import contacts [OPTIONS] FILE" in r.stdout
