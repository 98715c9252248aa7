"""The command line's root group: it loads a command's module only when that command is
named (``--help`` names them all), and it is the one place where whatever escapes a command
becomes a sentence on stderr and exit 1, never a traceback.

Typer 0.29 checks every parameter through a pydantic TypeAdapter: for `--help`, `locate` or
a refused usage that is all of pydantic to import (more than the rest of the command line);
for a command that opens the store (SQLModel loads pydantic anyway) still typer's adapter
module and one schema per parameter. The parameters here are plain strings, flags and
StrEnum choices, so ``_plain_params`` checks them itself (the same values, the same exit 2
with the choices listed). It sets typer's private ``_runtime_param`` (typer is pinned in
pyproject.toml); tests/test_cli_package.py fails if typer's adapters come back."""

from __future__ import annotations

import importlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from typing import Any

import typer
from typer._click.core import Context
from typer._click.exceptions import BadParameter
from typer._coercion import RuntimeParam
from typer.core import TyperGroup
from typer.exceptions import TyperException

from bizdesk.cli import core
from bizdesk.i18n import _

# Every command, in the order `bizdesk --help` lists them, and the module that holds it.
COMMANDS = {
    "init": "store",
    "demo": "store",
    "report": "reports",
    "check": "store",
    "backup": "store",
    "migrate-to": "store",
    "restore": "store",
    "audit": "admin",
    "locate": "store",
    "lock-date": "books",
    "bank": "bank",
    "new": "new",
    "send": "mail",
    "mail": "mail",
    "run-due": "recurring",
    "recurring": "recurring",
    "budget": "budgets",
    "reminders": "dunning",
    "reminder-levels": "dunning",
    "terms": "dunning",
    "import": "exchange",
    "export": "exchange",
    "users": "admin",
    "accounts": "books",
    "pipeline": "deals",
    "sla": "tickets",
    "locations": "stock",
    "print": "papers",
    "shop": "papers",
    "bom": "making",
    "assembly": "making",
}


def either(choices: list[str]) -> str:
    """``a, b or c``."""
    if len(choices) == 1:
        return choices[0]
    return _("{choices} or {last}").format(choices=", ".join(choices[:-1]), last=choices[-1])


# the words pydantic reads as a yes or a no (a flag's value is a bool already)
_BOOLS = {w: True for w in ("1", "on", "t", "true", "y", "yes")}
_BOOLS.update({w: False for w in ("0", "off", "f", "false", "n", "no")})


@dataclass(frozen=True)
class _Plain(RuntimeParam):
    """A str parameter as typed, a yes or no, or the member of a StrEnum whose value was
    typed."""

    def _coerce_value(self, value: Any, param: Any, ctx: Any) -> Any:
        kind = self.annotation
        if kind is str:
            return str(value)
        if kind is bool:
            if isinstance(value, bool):
                return value
            if str(value).strip().lower() in _BOOLS:
                return _BOOLS[str(value).strip().lower()]
            raise BadParameter(
                _("{value} is not a yes or a no").format(value=repr(value)), ctx=ctx, param=param
            )
        for choice in kind:
            if value is choice or value == choice.value:
                return choice
        raise BadParameter(
            _("must be {choices}").format(choices=either([c.value for c in kind])),
            ctx=ctx,
            param=param,
        )


def _plain_params(command: Any) -> None:
    """Give every str, bool and StrEnum parameter of a command (and of its sub-commands) the
    plain check; any other kind keeps typer's. Its help's panels, and --help's own line, are
    named in the reader's language (typer's own words are English)."""
    # --help is made when first asked for, and then kept: made here, so it is checked too
    helps = command.get_help_option(Context(command))
    if helps is not None:
        helps.help = _("Show this message and exit.")
    for param in [*command.params, *([helps] if helps is not None else [])]:
        if getattr(param, "rich_help_panel", None) is None:
            argument = param.param_type_name == "argument"
            param.rich_help_panel = _("Arguments") if argument else _("Options")
        desc = getattr(param, "type_descriptor", None)
        if desc is None or getattr(param, "_runtime_param", False) is not None:
            continue
        kind = desc.annotation
        if kind in (str, bool) or (isinstance(kind, type) and issubclass(kind, StrEnum)):
            param._runtime_param = _Plain(parameter_info=desc.parameter_info, annotation=kind)
    for sub in getattr(command, "commands", {}).values():
        if getattr(sub, "rich_help_panel", None) is None:
            sub.rich_help_panel = _("Commands")
        _plain_params(sub)


@cache
def _module_group(module: str) -> TyperGroup:
    group = typer.main.get_group(importlib.import_module(f"bizdesk.cli.{module}").app)
    _plain_params(group)
    return group


class _Commands(Mapping):
    """The root's commands: each built when first looked up."""

    def __getitem__(self, name: str) -> Any:
        return _module_group(COMMANDS[name]).commands[name]

    def __iter__(self) -> Iterator[str]:
        return iter(COMMANDS)

    def __len__(self) -> int:
        return len(COMMANDS)


class CommandLine(TyperGroup):
    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        _plain_params(self)  # its own options (--db), before the commands are its
        self.commands = _Commands()  # type: ignore[assignment]

    def invoke(self, ctx):  # noqa: ANN001, ANN201
        """Whatever escapes a command (a refusal, a full disk, a damaged store, a bug) ends as
        one sentence on stderr and exit 1; the unexpected ones are logged with their
        traceback (bizdesk.faults.describe says where)."""
        try:
            return super().invoke(ctx)
        except (typer.Exit, typer.Abort, TyperException, KeyboardInterrupt):
            raise
        except BrokenPipeError:  # the reader went away (| head): nothing more to say
            raise typer.Exit(1) from None
        except Exception as exc:
            from bizdesk.faults import describe

            try:
                core.say_error(describe(exc, core.current_url()))
            except OSError:
                pass
            raise typer.Exit(1) from None
