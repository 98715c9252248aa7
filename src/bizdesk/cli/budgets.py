"""`bizdesk budget …`: a budget per account per month (set, import, copy from a year's
actual figures) and sales targets per owner; the reports are `bizdesk report budget` and
`bizdesk report sales-targets`."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer

from bizdesk.cli.core import (
    DbOpt,
    fail,
    month_form,
    open_store,
    read_named,
    say,
    typed_month,
    typed_number,
)
from bizdesk.i18n import _, ngettext
from bizdesk.reading import month_text

app = typer.Typer()
budget = typer.Typer(help=_("Budgets per account per month, and sales targets per owner."))
app.add_typer(budget, name="budget")

MAX_BYTES = 10 * 1024 * 1024


@budget.command(
    "set",
    help=_("Set one account's budget for one month."),
    context_settings={"ignore_unknown_options": True},  # a negative amount: -50
)
def budget_set(
    ctx: typer.Context,
    account: Annotated[str, typer.Argument(help=_("The account's code."))],
    month: Annotated[str, typer.Argument(help=month_form())],
    amount: Annotated[
        str,
        typer.Argument(parser=typed_number, help=_("The amount, in the account's natural sign.")),
    ],
    db: DbOpt = None,
) -> None:
    from bizdesk.formatting import money
    from bizdesk.services.books.budgets import set_budget

    store = open_store(ctx, db)
    month = typed_month(month, "MONTH")
    with store.write() as uow:
        line = set_budget(uow, account, month, amount)
        loc = uow.setting("locale", "en_US")
    say(
        _("Budget of {account} {name} for {month}: {amount}").format(
            account=line.account,
            name=line.name,
            month=month_text(date(line.year, line.month, 1)),
            amount=money(line.amount, loc),
        )
    )


@budget.command(
    "import",
    help=_(
        "Set budgets from a CSV file (columns account, month, amount) or a JSON list of "
        "such objects; - reads stdin. A file with a bad line changes nothing."
    ),
)
def budget_import(
    ctx: typer.Context,
    file: Annotated[str, typer.Argument(help=_("The file, or - for stdin."))],
    db: DbOpt = None,
) -> None:
    from bizdesk.services.books.budgets import import_budgets

    data = read_named(file, MAX_BYTES)
    if len(data) > MAX_BYTES:
        fail(_("{file}: too large for a budget (at most 10 MB)").format(file=file))
    store = open_store(ctx, db)
    with store.write() as uow:
        n = import_budgets(uow, data)
    say(ngettext("{n} budget line set", "{n} budget lines set", n).format(n=n))


@budget.command(
    "copy",
    help=_(
        "A year's budget from another year's actual figures (income and expense accounts, "
        "month by month), changed by a percentage, rounded half-even to the cent."
    ),
)
def budget_copy(
    ctx: typer.Context,
    from_year: Annotated[
        str, typer.Option("--from-year", help=_("The year whose figures are copied."))
    ],
    to_year: Annotated[str, typer.Option("--to-year", help=_("The year the budget is for."))],
    percent: Annotated[
        str, typer.Option("--percent", parser=typed_number, help=_("Change, e.g. 5 or -2.5"))
    ] = "0",
    replace: Annotated[
        bool, typer.Option("--replace", help=_("Replace the budget that year has already."))
    ] = False,
    db: DbOpt = None,
) -> None:
    from bizdesk.services.books.budgets import copy_year

    store = open_store(ctx, db)
    with store.write() as uow:
        n = copy_year(uow, from_year, to_year, percent, replace=replace)
    say(
        ngettext(
            "{n} budget line written for {year}", "{n} budget lines written for {year}", n
        ).format(n=n, year=to_year)
    )


@budget.command("target", help=_("Set a user's sales target (won deals) for one month."))
def budget_target(
    ctx: typer.Context,
    owner: Annotated[str, typer.Argument(help=_("The user, as deals name their owner."))],
    month: Annotated[str, typer.Argument(help=month_form())],
    amount: Annotated[
        str, typer.Argument(parser=typed_number, help=_("The value of deals to win."))
    ],
    db: DbOpt = None,
) -> None:
    from bizdesk.formatting import money
    from bizdesk.services.books.budgets import set_target

    store = open_store(ctx, db)
    month = typed_month(month, "MONTH")
    with store.write() as uow:
        t = set_target(uow, owner, month, amount)
        loc = uow.setting("locale", "en_US")
    say(
        _("Sales target of {owner} for {month}: {amount}").format(
            owner=t.owner,
            month=month_text(date(t.year, t.month, 1)),
            amount=money(t.amount, loc),
        )
    )
