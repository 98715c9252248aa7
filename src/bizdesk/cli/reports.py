"""`bizdesk report NAME`: any report as a table, CSV or JSON (the service builds it and
gives its JSON; this prints)."""

from __future__ import annotations

from enum import StrEnum
from itertools import groupby
from typing import Annotated

import typer

from bizdesk.cli.core import (
    DbOpt,
    FormatOpt,
    Shown,
    data_out,
    date_form,
    open_store,
    parse_date,
    print_json,
    say,
    show,
    width,
)
from bizdesk.errors import ValidationError
from bizdesk.i18n import Message, _


class ReportName(StrEnum):
    """The reports `bizdesk report` prints: services/overview/reports.py REPORTS (a test
    holds the two equal; named here so that `--help` loads no database code)."""

    TRIAL_BALANCE = "trial-balance"
    PROFIT_LOSS = "profit-loss"
    BALANCE_SHEET = "balance-sheet"
    GENERAL_LEDGER = "general-ledger"
    STOCK_VALUATION = "stock-valuation"
    LOW_STOCK = "low-stock"
    AR_AGING = "ar-aging"
    AP_AGING = "ap-aging"
    STATEMENT = "statement"
    PIPELINE = "pipeline"
    FORECAST = "forecast"
    TICKETS_SLA = "tickets-sla"
    SEGMENTS = "segments"
    VAT_RETURN = "vat-return"
    BUDGET = "budget"
    SALES_TARGETS = "sales-targets"
    SALES_ANALYSIS = "sales-analysis"
    WIN_LOSS = "win-loss"
    CYCLE_TIMES = "cycle-times"


app = typer.Typer()


@app.command(help=_("Print a report as a table, CSV or JSON."))
def report(
    ctx: typer.Context,
    name: Annotated[ReportName, typer.Argument(help=", ".join(ReportName), show_choices=False)],
    db: DbOpt = None,
    date_from: Annotated[
        str | None, typer.Option("--from", metavar=date_form(), help=_("From this day on."))
    ] = None,
    date_to: Annotated[
        str | None, typer.Option("--to", metavar=date_form(), help=_("Up to this day."))
    ] = None,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of",
            metavar=date_form(),
            help=_("On this day (balances, ageing); default: all dates (ageing: today)."),
        ),
    ] = None,
    by: Annotated[
        str | None,
        typer.Option(
            help=_(
                "segments: city, country, tag, stage, owner, age; sales-analysis: product, "
                "customer, owner, city, country, tag, stage, age, segment; win-loss: reason, "
                "stage, owner; cycle-times: sales, purchases; statement: receivable, payable"
            )
        ),
    ] = None,
    contact: Annotated[str, typer.Option(help=_("statement: the contact (name, email, #id)"))] = "",
    fmt: FormatOpt = Shown.TABLE,
) -> None:
    from bizdesk.services.base.validate import FieldError
    from bizdesk.services.overview import reports

    store = open_store(ctx, db)
    params = {
        "date_from": parse_date(date_from, "--from"),
        "date_to": parse_date(date_to, "--to"),
        "as_of": parse_date(as_of, "--as-of"),
        "contact": contact,
    }
    if by is not None:  # each report has its own default grouping
        from bizdesk.services.overview.analysis import GROUPINGS, grouping

        params["by"] = by
        if name.value in GROUPINGS:  # typed in the reader's language too (--by oraș)
            try:
                params["by"] = grouping(name.value, by)
            except FieldError as exc:
                raise ValidationError({"by": exc.message}) from None
    rep = reports.run(store, name.value, **params)
    if fmt is Shown.JSON:
        print_json(reports.as_json(rep))
    elif fmt is Shown.CSV:
        reports.report_csv(rep, data_out())
    else:
        _table(rep, store.settings().get("locale", "en_US"))


def _words(text: str) -> str:
    """A report's title, column label or note in the reader's language: a ``Message`` the
    service made, or a text it marked with ``N_``."""
    return str(text) if isinstance(text, Message) else _(text)


WORD_WIDTH = 12  # a text column of a report in a table keeps words up to this long whole
WORD_FLOOR = 5  # ... and is not made narrower than this to keep a column of dates whole


def _settled(low: list[int], most: list[int], room: int) -> list[int]:
    """Each column's width: at least its ``low``, then a column at a time, the one furthest
    from its ``most``, one wider while the room lasts."""
    widths = list(low)
    while sum(widths) < room:
        short = [(most[i] - w, i) for i, w in enumerate(widths) if w < most[i]]
        if not short:
            break
        widths[max(short)[1]] += 1
    return widths


def _table(rep, locale: str) -> None:  # noqa: ANN001
    """The report for people: amounts as the shop's locale writes them, totals underneath;
    its title, columns and notes in the reader's language. A heading column (the general
    ledger's account) is a line over the rows that share it."""
    from rich import box
    from rich.cells import cell_len
    from rich.table import Table
    from rich.text import Text

    from bizdesk.formatting import visible
    from bizdesk.services.overview.reports import cell_text, heading

    over = [c for c in rep.columns if c.heading]
    columns = [c for c in rep.columns if not c.heading]
    rows = rep.shown_rows()
    cells = [[visible(cell_text(r[c.key], c.numeric, locale)) for c in columns] for r in rows]
    feet = [
        "" if rep.totals is None else cell_text(rep.totals.get(c.key), c.numeric, locale)
        for c in columns
    ]
    # Nothing is cut short ("2,00…", "2026-…"): an amount's column is as wide as its widest
    # amount; a text column keeps its words whole (a date, a number; up to WORD_WIDTH) when
    # the table then fits the width, else it wraps them. What cannot fit folds onto a next
    # line rather than being hidden. The widths are settled here, as rich would cut a
    # column to nothing (tickets-sla lost its priorities beside seven long headings).
    labels = [_words(c.label) for c in columns]
    least, heads = [], []
    # a column of single words (a date, an entry's or a document's number, a code) is kept
    # whole as the amounts are: "01/12/2026" never breaks into "01/12/2" and "026"
    atoms = [
        i
        for i, c in enumerate(columns)
        if not c.numeric
        and any(row[i].strip() for row in cells)
        and all(len(row[i].split()) <= 1 for row in cells)
    ]
    for i, c in enumerate(columns):
        if c.numeric:
            least.append(max([cell_len(feet[i]), *(cell_len(row[i]) for row in cells)]))
        else:
            words = [cell_len(w) for row in cells for w in row[i].split()]
            least.append(min(max(words, default=0), WORD_WIDTH))
        heads.append(max([least[i], *(cell_len(w) for w in labels[i].split())]))
    numbers = [i for i, c in enumerate(columns) if c.numeric]
    whole = [*numbers, *atoms]
    texts = [i for i in range(len(columns)) if i not in whole]
    room = width() - 2 * (len(columns) - 1)  # less what stands between the columns
    fits = sum(heads) <= room
    if fits:  # every word whole, headings' too
        low, high = least, heads
    else:  # each text column its share of what the whole ones leave; the amounts the rest
        kept = [heads[i] if i in atoms else least[i] for i in range(len(least))]  # (titles too)
        if sum(kept[i] for i in whole) + WORD_FLOOR * len(texts) > room:  # no room: they fold
            atoms, whole = [], numbers
            texts = [i for i in range(len(columns)) if i not in whole]
        share = max(1, (room - sum(kept[i] for i in whole)) // max(1, len(texts)))
        low = [kept[i] if i in whole else max(1, min(least[i], share)) for i in range(len(least))]
        extra = max(0, room - sum(low)) // max(1, len(numbers))
        high = [min(heads[i], least[i] + extra) if i in numbers else None for i in range(len(low))]
    # printed in parts (a heading line between them), the parts' columns must line up: each
    # column's width is settled here rather than by rich, as close to its widest cell as fits
    fixed = None
    if over:
        widest = [
            max([cell_len(labels[i]), *(cell_len(row[i]) for row in cells)])
            for i in range(len(columns))
        ]
        most = [high[i] if c.numeric else widest[i] for i, c in enumerate(columns)]
        fixed = _settled(heads if fits else low, most, room)

    def part(body: list[list[str]], *, header: bool, footer: bool) -> Table:
        # light lines, as a ledger prints: a rule under the headings (and over the totals),
        # one space and a blank between columns, none at the edges; more room for words
        table = Table(
            title=_words(heading(rep)) if header else None,
            show_header=header,
            show_footer=footer,
            box=box.SIMPLE,
            show_edge=False,
            pad_edge=False,
            collapse_padding=True,
        )
        for i, c in enumerate(columns):
            table.add_column(
                Text(labels[i], no_wrap=False, overflow="fold"),  # wraps at its spaces first
                footer=Text(feet[i]),
                justify="right" if c.numeric else "left",
                width=fixed[i] if fixed else None,
                min_width=low[i],
                max_width=high[i] if c.numeric else None,
                no_wrap=c.numeric or i in atoms,
                overflow="fold",
            )
        for row in body:
            table.add_row(*(Text(cell) for cell in row))
        return table

    totals = rep.totals is not None
    if not over:
        show(part(cells, header=True, footer=totals), settled=True)
    else:
        show(part([], header=True, footer=False), settled=True)

        def key(pair: tuple[dict, list[str]]) -> str:
            return " ".join(cell_text(pair[0][c.key], c.numeric, locale) for c in over)

        runs = [
            (k, [cell for _, cell in run])
            for k, run in groupby(zip(rep.rows, cells, strict=True), key)
        ]
        for n, (title, body) in enumerate(runs):
            show(Text(visible(title), style="bold"))
            show(part(body, header=False, footer=totals and n == len(runs) - 1), settled=True)
    for note in rep.notes:
        say(_words(note))
    period = "".join(
        f" {option} {rep.params[key].isoformat()}"
        for key, option in (("from", "--from"), ("to", "--to"))
        if rep.params.get(key)
    )
    if rep.own_entries:  # a VAT return's entries of their own: where they are listed
        command = f"bizdesk report {rep.name}{period} --format json"
        say(_("Each entry, under its row's documents: {command}").format(command=command))
    if rep.other_side:  # a statement's other side, and how to see it from here
        command = (
            f"bizdesk report statement --contact '#{rep.params['contact_id']}'{period} "
            f"--by {rep.other_side}"
        )
        say(_("The other side: {command}").format(command=command))
