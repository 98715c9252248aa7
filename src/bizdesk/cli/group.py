"""The command line's root group: it loads a command's module only when that command is
named (``--help`` names them all), and it is the one place where whatever escapes a command
becomes a sentence on stderr and exit 1, never a traceback.

Typer 0.29 checks every parameter through a pydantic TypeAdapter: for `--help`, `locate` or
a refused usage that is all of pydantic to import (more than the rest of the command line);
for a command that opens the store (SQLModel loads pydantic anyway) still typer's adapter
module and one schema per parameter. The parameters here are plain strings, flags and
StrEnum choices, so ``_plain_params`` checks them itself (the same values, the same exit 2
with the choices listed). It sets typer's private ``_runtime_param`` (typer is pinned in
pyproject.toml); tests/test_cli_package.py fails if typer's adapters come back.

Typer's and click's own words ("Usage:", "[required]", the usage errors) are English in
typer 0.29 (its click has no gettext; its help words are constants of typer.rich_utils, read
when a help or an error is printed): ``_Context`` gives every command a usage line and those
constants in the reader's language, and ``_in_words`` retells a usage error in it. Only the
environment's language is known for a usage error (the store is not open yet)."""

from __future__ import annotations

import importlib
import os
import re
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from functools import cache, partial
from pathlib import PurePath
from typing import Any, get_args

import typer
from typer._click.core import Context, ParameterSource
from typer._click.exceptions import (
    BadOptionUsage,
    BadParameter,
    MissingParameter,
    NoSuchOption,
    UsageError,
)
from typer._click.formatting import HelpFormatter
from typer._coercion import RuntimeParam
from typer.core import TyperGroup
from typer.exceptions import TyperException

from bizdesk.characters import shown_name
from bizdesk.cli import core
from bizdesk.errors import ValidationError
from bizdesk.fieldnames import refusal
from bizdesk.i18n import _, ngettext
from bizdesk.reading import quoted
from bizdesk.streams import OutputFailed

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
    "consent": "marketing",
    "segments": "marketing",
    "campaigns": "marketing",
    "unsubscribe": "marketing",
    "employees": "people",
    "leave": "people",
    "payroll": "people",
    "nurture": "nurture",
    "followups": "nurture",
}


def either(choices: list[str]) -> str:
    """``a, b or c``."""
    if len(choices) == 1:
        return choices[0]
    return _("{choices} or {last}").format(choices=", ".join(choices[:-1]), last=choices[-1])


# the words pydantic reads as a yes or a no (a flag's value is a bool already)
_BOOLS = {w: True for w in ("1", "on", "t", "true", "y", "yes")}
_BOOLS.update({w: False for w in ("0", "off", "f", "false", "n", "no")})


# Options that, left out, take a default (the whole amount, today, the bank account, ...):
# typed empty (`--amount "$UNSET"`) they are refused, not read as left out. Options whose
# empty value means something (`employees set --end ""`, `--fee ""`) are not here.
NOT_EMPTY = frozenset(
    (
        "--account", "--amount", "--as-of", "--date", "--days", "--due", "--entry", "--from",
        "--from-year", "--hours", "--limit", "--order", "--percent", "--since", "--to",
        "--to-year", "--until", "--year",
    )
)  # fmt: skip


@dataclass(frozen=True)
class _Plain(RuntimeParam):
    """A str parameter as typed, a yes or no, or the member of a StrEnum whose value was
    typed."""

    def _coerce_value(self, value: Any, param: Any, ctx: Any) -> Any:
        kind = self.annotation
        if kind is str:
            if (
                not str(value).strip()
                and NOT_EMPTY.intersection(param.opts)
                and ctx.get_parameter_source(param.name) is ParameterSource.COMMANDLINE
            ):  # typed empty (a default of "" is left out, not typed)
                raise BadParameter(
                    _("is empty: give a value, or leave the option out"), ctx=ctx, param=param
                )
            parser = self.parameter_info.parser  # typed_number marks a person's numbers
            return str(value) if parser is None else parser(str(value))
        if kind is bool:
            if isinstance(value, bool):
                return value
            if str(value).strip().lower() in _BOOLS:
                return _BOOLS[str(value).strip().lower()]
            raise BadParameter(
                _("{value} is not a yes or a no").format(value=quoted(value, 20)),
                ctx=ctx,
                param=param,
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
        _long_choices(param)
        word = _type_word(param)
        if word is not None:  # typer's "<str>", "<bool>": Python's names, in English
            param.display_type_rich = lambda ctx, word=word: word
        named = core.ARGUMENT_WORDS.get(param.name)  # after its type word: that reads the metavar
        if param.param_type_name == "argument" and named and param.metavar is None:
            param.metavar = str(named) + ("..." if param.nargs != 1 else "")
        if param.param_type_name == "argument":
            param.get_usage_pieces = partial(_usage_pieces, param)
        desc = getattr(param, "type_descriptor", None)
        if desc is None or getattr(param, "_runtime_param", False) is not None:
            continue
        kind = desc.annotation
        if kind in (str, bool) or (isinstance(kind, type) and issubclass(kind, StrEnum)):
            param._runtime_param = _Plain(parameter_info=desc.parameter_info, annotation=kind)
    command.context_class = _Context
    command.make_parser = _once(command.make_parser)
    if command.options_metavar == "[OPTIONS]":
        command.options_metavar = _("[OPTIONS]")
    if getattr(command, "subcommand_metavar", None) == "COMMAND [ARGS]...":
        command.subcommand_metavar = _("COMMAND [ARGS]...")
    for sub in getattr(command, "commands", {}).values():
        if getattr(sub, "rich_help_panel", None) is None:
            sub.rich_help_panel = _("Commands")
        _plain_params(sub)


# the widest list of choices ("<text|json>") the help's type column shows whole at 80
# columns, its help beside it
CHOICES_AT_MOST = 24


def _long_choices(param: Any) -> None:
    """A list of choices too wide for the help's type column, which folded it inside a word
    ("<quote|sales-order|invoice|c" over "redit-note|..."), is shown as a word there; the
    parameter's help names the choices instead, unless it names every one already."""
    desc = getattr(param, "type_descriptor", None)
    if desc is None or not desc.is_choice or not getattr(param, "show_choices", False):
        return
    choices = [str(getattr(c, "value", c)) for c in desc.choices or ()]
    if len("|".join(choices)) + 2 <= CHOICES_AT_MOST:
        return
    param.show_choices = False
    said = (param.help or "").rstrip()
    if said and not said.endswith((".", ":", ";", "!", "?")):
        said += "."  # ("open (default) or one state. One of: open, draft, ...")
    if not all(re.search(rf"(?<![\w-]){re.escape(c)}(?![\w-])", said) for c in choices):
        param.help = " ".join(
            [*([said] if said else []), _("One of: {choices}.").format(choices=", ".join(choices))]
        )


def _once(make_parser: Any) -> Any:
    """A command's parser that refuses an option given twice (``--amount 5 --amount 6``):
    click would keep the last without a word. Flags and options meant to be repeated are
    left alone."""

    def make(ctx: Context) -> Any:
        parser = make_parser(ctx)
        parse = parser.parse_args

        def parse_args(args: list[str]) -> Any:
            opts, rest, order = parse(args=args)
            seen = set()
            for param in order:
                if param.param_type_name != "option" or param.is_flag or param.multiple:
                    continue
                if param.name in seen:
                    option = max(param.opts, key=len)
                    raise BadOptionUsage(
                        option,
                        _("{option} is given twice; give it once").format(option=option),
                        ctx=ctx,
                    )
                seen.add(param.name)
            return opts, rest, order

        parser.parse_args = parse_args
        return parser

    return make


def _type_word(param: Any) -> str | None:
    """What a parameter takes, in the reader's words, for its help's type column ("TEXTO",
    nothing for a flag), or None to keep typer's (its metavar, its list of choices)."""
    if param.metavar is not None:
        return None
    if getattr(param, "is_flag", False):
        return ""  # a flag takes no value
    desc = getattr(param, "type_descriptor", None)
    if desc is None:
        return None
    if desc.is_choice:
        return None if param.show_choices else _("NAME")
    kind = desc.annotation
    if kind is str or (desc.is_list and get_args(kind) == (str,)):
        return _("TEXT")
    if kind in (int, float, Decimal):
        return _("NUMBER")
    if isinstance(kind, type) and issubclass(kind, PurePath):
        return _("PATH")
    return None


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


def _usage_pieces(param: Any, ctx: Context) -> list[str]:  # noqa: ANN401, ARG001 - click's
    """An argument in the usage line as the README writes them: FILE when it must be given,
    [FILE] when it may be left out (typer writes "{file}" and "[file]")."""
    name = (param.metavar or param.name or "").upper()
    if param.metavar is None and param.nargs != 1:
        name += "..."
    return [name if param.required else f"[{name}]"]


class _Formatter(HelpFormatter):
    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        usage = _("Usage:") + " "  # click's own msgid, and its space
        super().write_usage(prog, args, usage if prefix is None else prefix)


def _typer_words() -> None:
    """typer's help and error words in the reader's language (constants typer reads when it
    prints a help or an error; rich_utils is loaded for that anyway)."""
    import typer.rich_utils as rich_utils

    rich_utils.DEPRECATED_STRING = _("(deprecated) ")
    rich_utils.DEFAULT_STRING = _("[default: {}]")
    rich_utils.ENVVAR_STRING = _("[env var: {}]")
    rich_utils.REQUIRED_LONG_STRING = _("[required]")
    rich_utils.ARGUMENTS_PANEL_TITLE = _("Arguments")
    rich_utils.OPTIONS_PANEL_TITLE = _("Options")
    rich_utils.COMMANDS_PANEL_TITLE = _("Commands")
    rich_utils.ERRORS_PANEL_TITLE = _("Error")
    rich_utils.ABORTED_TEXT = _("Aborted.")
    rich_utils.RICH_HELP = _("Try [blue]'{command_path} {help_option}'[/] for help.")


class _Context(Context):
    """Every command's context (``_plain_params`` sets it): its usage line and typer's words
    in the reader's language; an error's usage is printed before typer's words are read."""

    formatter_class = _Formatter
    running: _Context | None = None  # the context of the command running (options_running)

    def invoke(self, callback, /, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN201
        if getattr(callback, "params", None) is None:  # a command's own function
            _Context.running = self
        return super().invoke(callback, *args, **kwargs)

    def get_usage(self) -> str:
        _typer_words()
        return super().get_usage()

    def get_help(self) -> str:
        _typer_words()
        return super().get_help()


def _hint(exc: BadParameter) -> str:
    if exc.param_hint is not None:
        hint = exc.param_hint
        return " / ".join(quoted(h, 40) for h in hint) if not isinstance(hint, str) else hint
    if exc.param is None:
        return ""
    if exc.param.param_type_name != "option":
        return exc.param.get_error_hint()
    return " / ".join(quoted(x, 40) for x in exc.param.opts)  # typer adds "(env var: ...)"


_EXTRA = re.compile(r"Got unexpected extra argument\(s\) \((.*)\)", re.S)
_NO_COMMAND = re.compile(r"No such command (.*?)\.?(?: Did you mean (.*)\?)?", re.S)


def _number_problem(cause: BaseException | None) -> str | None:
    """What typer's check of a whole-number parameter found (pydantic's words, in English
    only), in the reader's language; None for anything else."""
    errors = getattr(cause, "errors", None)
    found = errors()[0] if callable(errors) and errors() else None
    if not isinstance(found, dict):
        return None
    given = found.get("input", "")
    if found.get("type") == "int_parsing":  # (quoted: a control character shows as its code)
        return _("{value} is not a whole number").format(value=quoted(str(given), 20))
    if found.get("type") == "greater_than_equal":  # (a number already)
        return _("{value} is too small: at least {least}").format(
            value=given, least=(found.get("ctx") or {}).get("ge")
        )
    return None


def _usage_text(exc: UsageError) -> str | None:
    """What a usage error says, in the reader's language; None for one not known here."""
    if isinstance(exc, MissingParameter):
        kind = exc.param_type or (exc.param.param_type_name if exc.param else "")
        name = _hint(exc)
        if kind == "argument":
            text = _("Missing argument {name}.").format(name=name)
        elif kind == "option":
            text = _("Missing option {name}.").format(name=name)
        else:
            text = _("Missing parameter {name}.").format(name=name)
        desc = getattr(exc.param, "type_descriptor", None)
        if desc is not None and desc.is_choice and desc.choices:
            values = [getattr(c, "value", c) for c in desc.choices]
            text += " " + _("Choose from: {choices}.").format(choices=", ".join(values))
        return text
    if isinstance(exc, BadParameter):
        hint = _hint(exc)
        problem = _number_problem(exc.__cause__) or exc.message
        if not hint:
            return _("Invalid value: {problem}").format(problem=problem)
        return _("Invalid value for {name}: {problem}").format(name=hint, problem=problem)
    if isinstance(exc, NoSuchOption):
        text = _("No such option: {name}").format(name=exc.option_name)
        if exc.possibilities:
            options = ", ".join(sorted(exc.possibilities))
            text += " " + _("(Possible options: {possibilities})").format(possibilities=options)
        return text
    if isinstance(exc, BadOptionUsage):
        if exc.message.endswith("requires an argument."):
            return _("Option {name} requires an argument.").format(name=quoted(exc.option_name, 40))
        if exc.message.endswith("does not take a value."):
            return _("Option {name} does not take a value.").format(
                name=quoted(exc.option_name, 40)
            )
        return None
    if exc.message == "Missing command.":
        return _("Missing command.")
    if found := _EXTRA.fullmatch(exc.message):
        n = len(found.group(1).split())
        return ngettext(
            "Got unexpected extra argument ({args})", "Got unexpected extra arguments ({args})", n
        ).format(args=found.group(1))
    if found := _NO_COMMAND.fullmatch(exc.message):
        if found.group(2):
            return _("No such command {name}. Did you mean {possibilities}?").format(
                name=found.group(1), possibilities=found.group(2)
            )
        return _("No such command {name}.").format(name=found.group(1))
    return None


def _in_words(exc: UsageError) -> UsageError:
    """A usage error of typer's (English) as the same error in the reader's language."""
    if type(exc).__name__ == "NoArgsIsHelpError":
        return exc
    _typer_words()  # its panel's title (an error without a context prints no usage)
    text = _usage_text(exc)
    return exc if text is None else UsageError(text, exc.ctx)


def _options_running() -> dict[str, str]:
    """The options of the command that ran, by the name of its parameter ("as_of":
    "--as-of"): a refusal names the option typed, not the service's field."""
    ctx = _Context.running
    if ctx is None or ctx.command is None:
        return {}
    named = {}
    for p in ctx.command.params:
        if p.name and p.param_type_name == "option" and p.opts and p.name != "db":
            option = max(p.opts, key=len)
            named[p.name] = option
            # and by the option's own name: `payroll pay --date` (parameter "when") was
            # refused as "date: ...", the service's field, not the option typed
            named.setdefault(option.lstrip("-").replace("-", "_"), option)
    for key, argument in ctx.meta.get("field_arguments", {}).items():  # (fields_from_arguments)
        named[key] = core.argument_name(argument)
    named.update(ctx.meta.get("field_words", {}))  # (fields_as_typed)
    return named


_NOT_UTF8 = re.compile("[\ud800-\udfff]")  # a byte that is not UTF-8, as Python keeps it


def _refuse_bytes(args: list[str]) -> None:
    """An argument that is not UTF-8 text (a name, a number typed in another encoding) is
    refused before any command sees it: the store cannot hold it, and a look-up with it
    ended as an "unexpected error". A file's name is the one exception: it names a file."""
    for arg in args:
        if _NOT_UTF8.search(arg) and not os.path.lexists(arg.split("=", 1)[-1]):
            core.fail(
                _(
                    "{argument} is not UTF-8 text (its bytes that are not are shown as "
                    "codes). Nothing was run. Type it again in UTF-8."
                ).format(argument=shown_name(arg)),
                2,
            )


class CommandLine(TyperGroup):
    context_class = _Context

    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        _plain_params(self)  # its own options (--db), before the commands are its
        self.commands = _Commands()  # type: ignore[assignment]

    def make_context(self, info_name, args, parent=None, **extra):  # noqa: ANN001, ANN201
        _refuse_bytes(args)
        try:
            return super().make_context(info_name, args, parent, **extra)
        except UsageError as exc:  # the root's own options (bizdesk --nope)
            raise _in_words(exc) from None

    def invoke(self, ctx):  # noqa: ANN001, ANN201
        """Whatever escapes a command (a refusal, a full disk, a damaged store, a bug) ends as
        one sentence on stderr and exit 1; the unexpected ones are logged with their
        traceback (bizdesk.faults.describe says where)."""
        try:
            done = super().invoke(ctx)
            sys.stdout.flush()  # what is still buffered: a fault writing it is the command's
            return done
        except OutputFailed:  # standard output closed or its disk full (bizdesk.streams)
            from bizdesk.faults import output_problem

            problem = output_problem()
            if problem is not None:
                core.say_error(problem)
            raise typer.Exit(1) from None
        except UsageError as exc:
            raise _in_words(exc) from None
        except typer.Abort:
            _typer_words()  # "Aborted." in the reader's language
            raise
        except (typer.Exit, TyperException, KeyboardInterrupt):
            raise
        except Exception as exc:
            from bizdesk.faults import describe

            try:
                if isinstance(exc, ValidationError):  # its fields named by their options
                    core.say_error(refusal(exc, _options_running()))
                else:
                    core.say_error(describe(exc, core.current_url()))
            except OSError:
                pass
            raise typer.Exit(1) from None
