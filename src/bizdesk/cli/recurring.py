"""`bizdesk run-due` (what repeats, made when due: cron-safe) and `bizdesk recurring ...`
(the templates: list, add from JSON, stop, skip a date)."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from bizdesk.cli.core import (
    DbOpt,
    date_form,
    fail,
    open_store,
    parse_date,
    read_named,
    say,
    show,
    typed_date,
)
from bizdesk.errors import ValidationError
from bizdesk.fieldnames import refusal
from bizdesk.formatting import day, visible
from bizdesk.i18n import _, ngettext, tr
from bizdesk.reading import is_digits, json_problem, quoted

app = typer.Typer()
recurring = typer.Typer(help=_("Recurring invoices and journal entries: list, add, stop, skip."))
app.add_typer(recurring, name="recurring")

MAX_BYTES = 5 * 1024 * 1024
HEAD_KEYS = ("kind", "name", "frequency", "start", "end", "customer", "memo", "lines")
LINE_KEYS = {
    "invoice": ("product", "description", "qty", "unit_price", "vat_rate"),
    "entry": ("account", "debit", "credit", "contact", "memo"),
}


@app.command(
    "run-due",
    help=_(
        "Make the recurring invoices and journal entries due up to today (missed ones too), "
        "each once: safe from cron at any frequency, and when two run at once."
    ),
)
def run_due_command(
    ctx: typer.Context,
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", metavar=date_form(), help=_("Make what is due up to this day.")),
    ] = None,
    db: DbOpt = None,
) -> None:
    from bizdesk.services.recurring.due import run_due

    store = open_store(ctx, db)
    until = parse_date(as_of, "--as-of")
    report = run_due(store, until)
    for m in report.made:
        say(f"{day(m.due_on)}  {m.document}  {m.name}")
        if m.dated != m.due_on:  # made late, after an invoice of a later day
            say(
                _(
                    "  dated {date}, the day of the last invoice before it: invoices are "
                    "numbered in the order of their dates"
                ).format(date=day(m.dated))
            )
    for f in report.failed:
        say(
            _("{name}, due {date}, was not made: {reason}").format(
                name=f.name, date=day(f.due_on), reason=f.reason
            ),
            stderr=True,
        )
    n = len(report.made)
    if n:
        say(ngettext("{n} document was made.", "{n} documents were made.", n).format(n=n))
    elif not report.failed:
        say(_("Nothing is due."))
    mail_due(store)
    if report.failed:
        raise typer.Exit(1)


def mail_due(store) -> None:  # noqa: ANN001
    """The outbox's messages whose next try is due are tried again (for those who may send
    mail); a run with nothing waiting says nothing."""
    from bizdesk.services.base.permissions import can
    from bizdesk.services.mail.outbox import deliver_due

    with store.read() as uow:
        if not can(uow, "mail.send"):
            return
    for line in deliver_due(store).said(quiet=True):
        say(str(line))


@recurring.command("list", help=_("The recurring invoices and journal entries."))
def recurring_list(ctx: typer.Context, db: DbOpt = None) -> None:
    from rich.table import Table
    from rich.text import Text

    from bizdesk.services.base.paging import PageRequest
    from bizdesk.services.recurring import templates as R

    store = open_store(ctx, db)
    rows = []
    req = PageRequest(limit=500)
    with store.read() as uow:
        while True:
            page = R.list_page(uow, req)
            rows += page.rows
            if not page.more_after:
                break
            req = PageRequest(limit=500, after=page.keys[-1])
    if not rows:
        say(_("No recurring invoices or entries."))
        return
    table = Table(_("Id"), _("Name"), _("Kind"), _("Every"), _("Next"), _("Ends"), _("State"))
    for r in rows:
        table.add_row(
            str(r.id),
            Text(visible(r.name)),
            _(R.KIND_NAMES[r.kind]),
            _(R.FREQUENCY_NAMES[r.frequency]),
            day(r.next_date),
            day(r.end_date),
            _(R.STATE_NAMES[r.state]),
        )
    show(table)


def _read_json(file: str) -> object:
    raw = read_named(file, MAX_BYTES)
    if len(raw) > MAX_BYTES:
        fail(_("{file}: too large (at most 5 MB)").format(file=file))
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        fail(
            _("{file}: not UTF-8 text (byte {offset} cannot be read)").format(
                file=file, offset=exc.start
            )
        )
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        fail(f"{file}: {tr(json_problem(exc))}")


def _text(where: str, value: object) -> str:
    """A JSON value as text: strings and whole numbers; a fraction must be a string."""
    if value is None:
        return ""
    if isinstance(value, bool) or isinstance(value, float):
        fail(_('{where}: write it as a string, e.g. "12.50"').format(where=where))
    if isinstance(value, int | str):
        return str(value)
    fail(_("{where}: expected text").format(where=where))


def _template(i: int, doc: object):  # noqa: ANN202
    from bizdesk.services.books.ledger import LineInput
    from bizdesk.services.recurring.templates import TemplateInput
    from bizdesk.services.trade.sales import SOLineInput

    where = _("template {n}").format(n=i)
    if not isinstance(doc, dict):
        fail(_("{where}: expected an object").format(where=where))
    unknown = sorted(set(doc) - set(HEAD_KEYS))
    if unknown:
        fail(
            _("{where}: unknown keys {keys}; known: {known}").format(
                where=where, keys=", ".join(unknown), known=", ".join(HEAD_KEYS)
            )
        )
    kind = _text(f"{where} kind", doc.get("kind"))
    keys = LINE_KEYS.get(kind)
    if keys is None:
        fail(_('{where} kind: must be "invoice" or "entry"').format(where=where))
    lines = doc.get("lines") or []
    if not isinstance(lines, list):
        fail(_("{where} lines: expected a list").format(where=where))
    typed = []
    for j, ln in enumerate(lines, start=1):
        at = _("{where} line {n}").format(where=where, n=j)
        if not isinstance(ln, dict):
            fail(_("{where}: expected an object").format(where=at))
        bad = sorted(set(ln) - set(keys))
        if bad:
            fail(
                _("{where}: unknown keys {keys}; known: {known}").format(
                    where=at, keys=", ".join(bad), known=", ".join(keys)
                )
            )
        values = {k: _text(f"{at} {k}", ln.get(k)) for k in keys}
        if kind == "invoice" and not values["qty"]:
            values["qty"] = "1"
        typed.append(SOLineInput(**values) if kind == "invoice" else LineInput(**values))
    head = {k: _text(f"{where} {k}", doc.get(k)) for k in HEAD_KEYS if k != "lines"}
    return TemplateInput(**{**head, "frequency": head["frequency"] or "monthly"}, lines=typed)


@recurring.command(
    "add",
    help=_(
        "Add recurring invoices or journal entries from JSON (a file, or - for stdin): one "
        "object or a list, all saved or none."
    ),
)
def recurring_add(
    ctx: typer.Context,
    file: Annotated[str, typer.Argument(help=_("The JSON file, or - to read stdin."))],
    db: DbOpt = None,
) -> None:
    from bizdesk.services.recurring import templates as R

    doc = _read_json(file)
    docs = doc if isinstance(doc, list) else [doc]
    typed = [_template(i, d) for i, d in enumerate(docs, start=1)]
    store = open_store(ctx, db)
    made = []
    with store.write() as uow, uow.machine_form():
        for i, t in enumerate(typed, start=1):
            try:
                made.append(R.create(uow, t))
            except ValidationError as exc:  # all or none: nothing is saved
                fail(_("template {n}: {problem}").format(n=i, problem=refusal(exc)))
    for t in made:
        first = day(t.next_date)
        say(_("#{id} {name}: first on {date}").format(id=t.id, name=t.name, date=first))


@recurring.command(
    "stop",
    help=_("Stop a recurring invoice or entry now, or with --end after that date."),
)
def recurring_stop(
    ctx: typer.Context,
    template: Annotated[str, typer.Argument(help=_("Its id (bizdesk recurring list)."))],
    end: Annotated[
        str | None,
        typer.Option(
            "--end", metavar=date_form(), help=_("The last date an occurrence may fall on.")
        ),
    ] = None,
    db: DbOpt = None,
) -> None:
    from bizdesk.services.recurring import templates as R

    store = open_store(ctx, db)
    with store.write() as uow:
        t = R.stop(uow, _template_id(template), end=typed_date(end, "--end") or None)
    if t.state == "stopped":
        say(_("{name} is stopped: nothing more is made.").format(name=t.name))
    elif t.next_date is None:
        say(_("{name} has ended.").format(name=t.name))
    else:
        say(
            _("{name} ends on {date}; next on {next}.").format(
                name=t.name, date=day(t.end_date), next=day(t.next_date)
            )
        )


def _template_id(typed: str) -> int:
    if not is_digits(typed.strip().lstrip("#")):
        fail(_("{value} is not the id of a template (a number)").format(value=quoted(typed, 20)), 2)
    return int(typed.strip().lstrip("#"))


@recurring.command(
    "skip",
    help=_(
        "Skip the next date of a recurring invoice or entry: nothing is made for it, now or "
        "later (made by hand, or on or before the lock date)."
    ),
)
def recurring_skip(
    ctx: typer.Context,
    template: Annotated[str, typer.Argument(help=_("Its id (bizdesk recurring list)."))],
    db: DbOpt = None,
) -> None:
    from bizdesk.services.recurring import templates as R

    store = open_store(ctx, db)
    with store.write() as uow:
        before = R.get(uow, _template_id(template)).next_date
        t = R.skip(uow, _template_id(template))
    if t.next_date is None:
        say(_("{name}: {date} skipped; it has ended.").format(name=t.name, date=day(before)))
    else:
        say(
            _("{name}: {date} skipped; next on {next}.").format(
                name=t.name, date=day(before), next=day(t.next_date)
            )
        )
