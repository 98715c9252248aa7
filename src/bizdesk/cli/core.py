"""What every command shares: the options, the one way to open the store, the sentences it
says and where it writes them. Nothing here loads the database stack, rich or Babel until a
command needs them (`report trial-balance --format json` never builds a rich console)."""

from __future__ import annotations

import json
import re
import sys
from datetime import date
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer
from typer._click.exceptions import BadOptionUsage

from bizdesk import collector
from bizdesk.i18n import Message, _, current_locale, tr, use_setting
from bizdesk.identity import current_gate
from bizdesk.reading import (
    DateError,
    date_hint,
    month_hint,
    read_date,
    read_month,
    use_typing_locales,
)
from bizdesk.reading import (
    typed_number as typed_number,  # the doors mark the numbers a person types
)

if TYPE_CHECKING:
    from rich.console import Console, RenderableType
    from rich.table import Table

    from bizdesk.db import Store

# The store the command works on (for the sentence a fault is told with).
_current_url: str | None = None
# Sentences already printed (a damaged store is told once, when it is opened).
_said: set[str] = set()

DbOpt = Annotated[
    # no envvar here: $BIZDESK_DB is read by config.resolve_db after both --db (the
    # command's, then the one before it), so `bizdesk --db B cmd` is never overruled by it
    str | None,
    typer.Option("--db", help=_("Store file or SQLAlchemy URL (else $BIZDESK_DB).")),
]


class Shown(StrEnum):
    """How a report or the audit trail is printed."""

    TABLE = "table"
    CSV = "csv"
    JSON = "json"


FormatOpt = Annotated[Shown, typer.Option("--format", help=_("table, csv or json"))]


def current_url() -> str | None:
    return _current_url


@cache
def _console(stderr: bool) -> Console:
    """Prints user text literally and visibly: a control or bidi character in data (an ESC
    sequence in an old memo) is written as its code, <U+001B>, never sent to the terminal
    (tables and values also go through ``visible`` first, so columns line up)."""
    from rich.console import Console

    from bizdesk.formatting import visible

    class _Visible(Console):
        def _render_buffer(self, buffer):  # noqa: ANN001, ANN202
            return super()._render_buffer(
                seg if seg.control else seg._replace(text=visible(seg.text)) for seg in buffer
            )

    return _Visible(stderr=stderr, highlight=False, soft_wrap=True)


# A positional argument's name in usage lines, help and refusals ("Missing argument
# 'number'"), in the reader's words: typer shows the Python parameter's name.
ARGUMENT_WORDS = {
    "account": Message.pgettext("command-line argument", "account"),
    "activity": Message.pgettext("command-line argument", "activity"),
    "address": Message.pgettext("command-line argument", "address"),
    "amount": Message.pgettext("command-line argument", "amount"),
    "campaign": Message.pgettext("command-line argument", "campaign"),
    "code": Message.pgettext("command-line argument", "code"),
    "contact": Message.pgettext("command-line argument", "contact"),
    "days": Message.pgettext("command-line argument", "days"),
    "date": Message.pgettext("command-line argument", "date"),
    "dest": Message.pgettext("command-line argument", "dest"),
    "employee": Message.pgettext("command-line argument", "employee"),
    "end": Message.pgettext("command-line argument", "end"),
    "file": Message.pgettext("command-line argument", "file"),
    "first": Message.pgettext("command-line argument", "first"),
    "first_response": Message.pgettext("command-line argument", "first-response"),
    "follow_up": Message.pgettext("command-line argument", "follow-up"),
    "hours": Message.pgettext("command-line argument", "hours"),
    "key": Message.pgettext("command-line argument", "key"),
    "kind": Message.pgettext("command-line argument", "kind"),
    "label": Message.pgettext("command-line argument", "label"),
    "language": Message.pgettext("command-line argument", "language"),
    "last": Message.pgettext("command-line argument", "last"),
    "level": Message.pgettext("command-line argument", "level"),
    "line": Message.pgettext("command-line argument", "line"),
    "message": Message.pgettext("command-line argument", "message"),
    "month": Message.pgettext("command-line argument", "month"),
    "name": Message.pgettext("command-line argument", "name"),
    "new": Message.pgettext("command-line argument", "new"),
    "number": Message.pgettext("command-line argument", "number"),
    "owner": Message.pgettext("command-line argument", "owner"),
    "priority": Message.pgettext("command-line argument", "priority"),
    "probability": Message.pgettext("command-line argument", "probability"),
    "qty": Message.pgettext("command-line argument", "qty"),
    "resolution": Message.pgettext("command-line argument", "resolution"),
    "role": Message.pgettext("command-line argument", "role"),
    "run": Message.pgettext("command-line argument", "run"),
    "segment": Message.pgettext("command-line argument", "segment"),
    "sequence": Message.pgettext("command-line argument", "sequence"),
    "sku": Message.pgettext("command-line argument", "sku"),
    "src": Message.pgettext("command-line argument", "src"),
    "stage": Message.pgettext("command-line argument", "stage"),
    "start": Message.pgettext("command-line argument", "start"),
    "statement": Message.pgettext("command-line argument", "statement"),
    "state": Message.pgettext("command-line argument", "state"),
    "template": Message.pgettext("command-line argument", "template"),
    "text": Message.pgettext("command-line argument", "text"),
    "timezone": Message.pgettext("command-line argument", "timezone"),
    "token": Message.pgettext("command-line argument", "token"),
    "url": Message.pgettext("command-line argument", "url"),
    "value": Message.pgettext("command-line argument", "value"),
    "version": Message.pgettext("command-line argument", "version"),
    "when": Message.pgettext("command-line argument", "when"),
}


def argument_name(name: str) -> str:
    """An argument as a refusal names it: an option (``--from``) as it is typed, a positional
    one (``MONTH``) in the reader's words, in capitals as usage lines write it (LUNĂ)."""
    word = ARGUMENT_WORDS.get(name.lower())
    return str(word).upper() if word is not None and not name.startswith("-") else name


def width() -> int:
    """How many columns a table for people may take (the terminal's; 80 into a file)."""
    return _console(False).width


# a cell that is a number as bizdesk writes one: digits, grouped or not, a decimal mark
_NUMBER = re.compile(r"-?\d[\d.,\u00a0\u202f\u2009' ]*")


def show(what: RenderableType, *, stderr: bool = False, settled: bool = False) -> None:
    """A table, or other rich renderable, for people, its text shown as typed (``literal``).
    A table's columns of numbers only are right-aligned and their numbers never wrapped or
    cut ("2,41…"); in a table wider than the terminal no word is split while the words fit
    (``_settle``): free text wraps at its spaces, and only a word wider than what is left
    folds onto more lines (never cut short). A ``settled`` table's columns are printed as
    they are (a report's: cli.reports settles their widths)."""
    from rich.cells import cell_len
    from rich.table import Table
    from rich.text import Text

    what = literal(what)
    if isinstance(what, Table) and not settled:
        for column in what.columns:
            cells = [getattr(c, "plain", c) for c in column.cells]
            cells = [c for c in cells if isinstance(c, str) and c.strip()]
            # text that does not fit folds onto the next line, never cut short: an e-mail
            # address shown as "cliente@e…" could be neither read nor typed back
            column.overflow = "fold"
            if cells and all(_NUMBER.fullmatch(c.strip()) for c in cells):
                # at least as wide as its widest number, at most as its heading's longest
                # word: the heading wraps at its spaces, and folds only when the table
                # cannot fit otherwise (a row of long headings over small counts fits 80)
                title = column.header
                if not isinstance(title, Text):
                    title = column.header = Text(str(title))
                title.no_wrap, title.overflow = False, "fold"
                widest = max(cell_len(c) for c in cells)
                words = max(cell_len(w) for w in [*title.plain.split(), ""])
                column.justify, column.no_wrap = "right", True
                column.min_width = max(column.min_width or 0, widest)
                column.max_width = max(column.min_width, words)
        _settle(what, width())
    _console(stderr).print(what)


def _settle(table: Table, room: int) -> None:
    """The widths of a table wider than ``room``: rich would fold any column, a date into
    "2026-12-0" and "6", an e-mail address over three rows. Here every column first gets
    its longest word (a date, a number, a label, an address is one word: kept whole), then
    what is left goes, in turn, to the headings' words, to each column's cells whole, and
    to its headings whole; free text wraps at its spaces. Only a table whose words alone
    are wider than the terminal is left to fold."""
    from rich.cells import cell_len
    from rich.text import Text

    columns = table.columns
    cells = []
    for column in columns:
        rows = [*column._cells, *([column.footer] if table.show_footer else [])]
        if not all(isinstance(c, Text) for c in [*rows, column.header]):
            return  # a renderable inside: rich measures it
        cells.append([line for c in rows for line in c.plain.split("\n")])
    heads = [c.header.plain.split("\n") if table.show_header else [] for c in columns]

    def widest(texts: list[str], *, words: bool) -> int:
        parts = [w for t in texts for w in t.split()] if words else texts
        return max([1, *(cell_len(p) for p in parts)])  # (an empty column takes one)

    numbers = [c.no_wrap and c.justify == "right" for c in columns]
    word = [widest(c, words=not n) for c, n in zip(cells, numbers, strict=True)]
    whole = [widest(c, words=False) for c in cells]
    head_word = [widest(h, words=True) for h in heads]
    head_whole = [widest(h, words=False) for h in heads]
    levels = [
        word,
        [max(a, b) for a, b in zip(word, head_word, strict=True)],
        [max(a, b) for a, b in zip(whole, head_word, strict=True)],
        [max(a, b) for a, b in zip(whole, head_whole, strict=True)],
    ]
    for i, column in enumerate(columns):  # a column of numbers: no wider than show() set
        if numbers[i] and column.max_width is not None:
            for level in levels:
                level[i] = min(level[i], max(column.max_width, word[i]))

    def inside() -> int:  # the room the columns have, less the lines between them
        pads = sum(table._get_padding_width(i) for i in range(len(columns)))
        return room - table._extra_width - pads

    if sum(levels[-1]) <= inside():
        return  # it fits as it is
    if sum(levels[2]) > inside():  # cells not whole (a name wrapped): light lines, as
        from rich import box  # reports have, when they give the room for every word

        boxed = table.box, table.show_edge, table.pad_edge, table.collapse_padding
        table.box, table.show_edge, table.pad_edge = box.SIMPLE_HEAD, False, False
        table.collapse_padding = True
        if sum(levels[0]) > inside():
            table.box, table.show_edge, table.pad_edge, table.collapse_padding = boxed
        elif sum(levels[1]) > inside():  # the headings' words fold ("Intent/os") unless
            table.padding = (0, 0)  # the columns stand one space apart, not two
            if sum(levels[1]) > inside():
                table.padding = (0, 1)
    room = inside()
    widths = list(levels[0])
    if sum(widths) > room:  # words wider than the terminal: only the widest ones fold, the
        for base in levels[1], levels[0]:  # headings kept whole while that leaves them 12
            cap = max(base)
            while cap > 1 and sum(min(w, cap) for w in base) > room:
                cap -= 1
            if cap >= 12:
                break
        widths = [min(w, cap) for w in base]
        levels = [[min(w, cap) for w in level] for level in levels]
    spare = room - sum(widths)
    for level in levels[1:]:
        while spare > 0:
            grow = [i for i, w in enumerate(widths) if w < level[i]]
            if not grow:
                break
            for i in grow[:spare]:
                widths[i] += 1
            spare -= len(grow[:spare])
    for column, w in zip(columns, widths, strict=True):
        column.width = w
        column.header.no_wrap, column.header.overflow = False, "fold"


def literal(what: RenderableType) -> RenderableType:
    """``what`` with every string in it (a table's cells, headings, title) as plain text,
    shown exactly as typed: rich would read "[bold]" or ":smile:" in a string as markup and
    an emoji, so a job typed as "Bolt [M8]" showed as "Bolt ". Tables in tables too."""
    from rich.table import Table
    from rich.text import Text

    if isinstance(what, str):
        return Text(what)
    if isinstance(what, Table):
        for attr in ("title", "caption"):
            if isinstance(getattr(what, attr), str):
                setattr(what, attr, Text(getattr(what, attr)))
        for column in what.columns:
            column.header = literal(column.header)
            column.footer = literal(column.footer)
            column._cells = [literal(c) for c in column._cells]
    return what


def say(message: str, *, stderr: bool = False) -> None:
    """One line for people, printed literally (never read as markup), in the reader's
    language when it is a ``Message``."""
    from rich.text import Text

    _console(stderr).print(Text(tr(message)))


def say_error(message: str) -> None:
    message = tr(message)
    if message not in _said:
        _said.add(message)
        say(message, stderr=True)


def fail(message: str, code: int = 1) -> NoReturn:
    say_error(message)
    raise typer.Exit(code)


def read_named(file: str, most: int) -> bytes:
    """What FILE holds (``-``: standard input), at most ``most`` bytes and one more (so
    the caller can tell a file too long: /dev/zero is never read whole). Under the shop's
    gate a named file is refused (``files.may_read``): the shop's account could read its
    keys, its mail password, its backups for whoever named them."""
    if file == "-":
        return sys.stdin.buffer.read(most + 1)
    from bizdesk.files import may_read

    path = Path(file)
    may_read(path)
    try:  # (a pipe too: --body-file <(...)); a folder, a name too long...: as every
        with path.open("rb") as fh:  # command says them (faults.translate)
            return fh.read(most + 1)
    except FileNotFoundError:
        fail(_("{file}: no such file").format(file=file))


class _VisibleStream:
    """Standard output for data (CSV, JSON, ledger) when a person reads it on a terminal:
    control and bidi characters show as codes there. A pipe or a file gets the exact data."""

    def __init__(self, stream) -> None:  # noqa: ANN001
        from bizdesk.formatting import visible

        self.stream = stream
        self.visible = visible

    def write(self, s: str) -> int:
        return self.stream.write(self.visible(s))

    def __getattr__(self, name: str):  # noqa: ANN204
        return getattr(self.stream, name)


def data_out():  # noqa: ANN201
    return data_to(sys.stdout)


def data_to(stream):  # noqa: ANN001, ANN201
    """``stream`` for data: a terminal shows control characters as codes, anything else
    gets the exact data."""
    return _VisibleStream(stream) if stream.isatty() else stream


def print_json(doc: object) -> None:
    """Data as JSON on standard output (amounts already strings: never floats)."""
    data_out().write(json.dumps(doc, ensure_ascii=False, indent=2) + "\n")


def given_db(ctx: typer.Context, db: str | None) -> str | None:
    """The command's --db, else the one given before the command (``bizdesk --db X cmd``);
    both is a usage error, as ``--db A --db B`` is (neither is meant over the other)."""
    before = ctx.obj if isinstance(ctx.obj, str) else None
    # (inside the gate the one before is the shop's: store_url says to leave --db out)
    if db is not None and before is not None and current_gate() is None:
        raise BadOptionUsage(
            "--db", _("{option} is given twice; give it once").format(option="--db"), ctx=ctx
        )
    if db is not None:  # an empty --db "" is refused, never taken for the default store
        return db
    return before


def store_url(ctx: typer.Context, db: str | None) -> str:
    """The store's URL (remembered for the sentence a fault is told with); inside the gate,
    only the shop's own store."""
    global _current_url
    from bizdesk.config import resolve_db

    _current_url = resolve_db(given_db(ctx, db))
    gate = current_gate()
    if gate is not None and _current_url != gate.url:
        fail(
            _(
                "--db: this shop's account opens its own store only; leave --db out. "
                "Nothing was run."
            )
        )
    return _current_url


def open_store(
    ctx: typer.Context, db: str | None, *, setup: bool = True, empty_ok: bool = False
) -> Store:
    """The one way a command opens its store. A set-up store refuses an OS user it does not
    know (or disabled). A missing store is refused (only ``init`` makes one); a damaged one
    opens read-only, and the sentence saying how to restore it is printed first."""
    from bizdesk.db import open_store as _open
    from bizdesk.services.admin.setup import ensure_initialized
    from bizdesk.services.admin.users import my_language, whoami
    from bizdesk.services.base.zones import live_in_shop_zone

    store_url(ctx, db)
    store = _open(
        given_db(ctx, db),
        create=False,
        say=lambda m: say(str(m), stderr=True),
        empty_ok=empty_ok,
    )
    ctx.call_on_close(store.close)  # when the command ends, whichever way
    try:
        if setup:
            if store.damaged is None:
                ensure_initialized(store)
            with store.read() as uow:
                whoami(uow)
                use_setting(my_language(uow))  # the person's language from here on
                # numbers typed in the form they or their shop write them are refused, not
                # misread
                use_typing_locales(current_locale(), uow.setting("locale"))
                live_in_shop_zone(uow.setting)  # and the shop's day
    finally:  # (said first, before what went wrong reading it; in the person's language
        if store.damaged is not None:  # when it could be read: as the interface says it)
            say_error(str(store.damaged))
    collector.settle()  # the command's own work is collected as usual
    return store


def date_form() -> str:
    """How the person at this door writes a date, as a command's help names it ("DD/MM/AAAA",
    "YYYY-MM-DD"): read when a command's module is loaded, in the session's locale."""
    return date_hint()


def fields_from_arguments(ctx: typer.Context, **keys: str) -> None:
    """The service's field keys this command took from its arguments, by the argument
    (start_date="first"): a refusal names such a field as the usage line names the
    argument (FIRST: ...), never by the service's key (start_date: ...)."""
    ctx.meta.setdefault("field_arguments", {}).update(keys)


def fields_as_typed(ctx: typer.Context, **keys: str) -> None:
    """The service's field keys this command took from a word typed as it is (`shop set
    vat-rate 20%`: vat_rate="vat-rate"): a refusal names the field by that word, in every
    language, as it names an option."""
    ctx.meta.setdefault("field_words", {}).update(keys)


def typed_date(value: str | None, name: str) -> str | None:
    """A date a person typed in an option or an argument (their form or ISO), in the ISO form
    the services read; what is not a date is refused naming ``name``; None and "" stay."""
    day = parse_date(value, name)
    return day.isoformat() if day else value


def month_form() -> str:
    """How the person at this door writes a month ("MM/AAAA", "YYYY-MM"), as date_form."""
    return month_hint()


def typed_month(value: str, name: str) -> str:
    """A month a person typed in an argument (their form, 12.2026, or ISO), in the ISO form
    the services read; what is not a month is refused naming ``name``."""
    try:
        return f"{read_month(value, local=True):%Y-%m}"
    except DateError as exc:
        fail(f"{argument_name(name)}: {exc}")


def parse_date(value: str | None, name: str) -> date | None:
    """A date option: read after the store is opened (``open_store``), so in the form of the
    person's own setting, not only their session's."""
    if not value:
        return None
    try:
        return read_date(value, local=True)
    except DateError as exc:
        fail(f"{argument_name(name)}: {exc}")
