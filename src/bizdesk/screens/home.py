"""Home: the shop at a glance (aggregate queries only), with charts drawn in text.

Every figure has a key that opens the list behind it.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from babel.numbers import format_compact_decimal, format_decimal
from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import Static

from bizdesk.formatting import money, number, visible
from bizdesk.i18n import N_, _, ngettext
from bizdesk.screens.common import Pane, ServiceResult
from bizdesk.services.base.permissions import allowed
from bizdesk.services.overview.glance import IN_NO_FIGURE, Dashboard

if TYPE_CHECKING:
    from bizdesk.services.books.budgets import BudgetGlance
    from bizdesk.services.overview.glance import Mark


def axis_ticks(top: int, count: int = 4) -> list[int]:
    """Round steps (1, 2 or 5 times a power of ten) from 0 to at least ``top``, in whole
    units: an axis reads 10,000 20,000 30,000, never 26485.8."""
    if top <= 0:
        return [0, 1]
    raw = top / count
    power = 10 ** max(0, len(str(int(raw))) - 1)
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    return [i * step for i in range(-(-top // step) + 1)]


def axis_labels(ticks: list[int], locale: str) -> list[str]:
    """The ticks in the shop's locale (grouped as every amount is); when that is too wide
    for the axis, in the locale's short form (350 Tr, 40K)."""
    labels = [format_decimal(t, locale=locale) for t in ticks]
    if max(len(label) for label in labels) > 7:
        labels = [format_compact_decimal(t, locale=locale, fraction_digits=1) for t in ticks]
    return labels


def bar_chart(
    title: str,
    labels: list[str],
    values: list[int],
    width: int,
    height: int,
    locale: str = "en_US",
) -> Text:
    """A bar chart as text (plotext); the bars are blocks, readable without colour."""
    import plotext as plt  # deferred on purpose: the figures are drawn before the charts

    plt.clear_figure()
    plt.theme("pro")
    plt.plotsize(max(20, width), max(6, height))
    plt.bar(labels, values, marker="hd")
    low = min(values, default=0)
    ticks = axis_ticks(max(*values, -low, 0), 4)
    if low < 0:  # a month of more returns than sales: the axis goes below 0 too
        ticks = sorted({-t for t in ticks} | set(ticks))
    plt.yticks(ticks, axis_labels(ticks, locale))
    plt.ylim(ticks[0], ticks[-1])
    plt.title(title)
    return Text.from_ansi(plt.build())


EIGHTHS = " ▏▎▍▌▋▊▉"  # a bar's last cell, in eighths of a cell


def bar_lines(
    title: str,
    labels: list[str],
    values: list[int],
    width: int,
    height: int,
    locale: str = "en_US",
) -> Text:
    """Bars side by side with their names and amounts, a line each ("Proposal ████▌
    35,495"): every name beside its own bar at any height. (plotext drew each bar over a
    row and a half: at Home's height a bar stood under no name, or a stage had none.)
    The names take up to a third of the width, whole when they fit, else cut with "…";
    when fewer lines than bars are free, the last line says how many are left out."""
    t = Text(title.center(width).rstrip(), style="bold")
    if not labels:
        return t
    amounts = [format_decimal(v, locale=locale) for v in values]
    room = min(max(len(label) for label in labels), max(8, width // 3))
    figure = max(len(a) for a in amounts)
    cells = max(1, width - room - figure - 2)
    top = max(max(values), 1)
    rows = list(zip(labels, values, amounts, strict=True))
    lines = max(1, height - 1)
    shown = rows if len(rows) <= lines else rows[: lines - 1]
    for label, value, amount in shown:
        name = label if len(label) <= room else label[: room - 1] + "…"
        eighths = round(max(value, 0) * cells * 8 / top)
        full, part = divmod(eighths, 8)
        bar = "█" * full + (EIGHTHS[part] if part else "")
        t.append(f"\n{name:>{room}} ")
        t.append(f"{bar:<{cells}}")
        t.append(f" {amount:>{figure}}")
    if len(shown) < len(rows):
        left = len(rows) - len(shown)
        t.append(
            "\n" + ngettext("and {n} more stage", "and {n} more stages", left).format(n=left),
            style="dim",
        )
    return t


class Figures(Static, can_focus=True):
    """The figures take the focus, so the pane's keys work as soon as Home shows."""


class Chart(Static):
    """A bar chart drawn at its own size, again whenever that size changes (the figures
    above it take their height only once they are loaded)."""

    def __init__(self, id: str) -> None:  # noqa: A002
        super().__init__("", id=id)
        self.spec: tuple[str, list[str], list[int], bool] | None = None
        self._drawn_in: str | None = None  # the locale its numbers were written in

    def plot(self, title: str, labels: list[str], values: list[int], horizontal: bool) -> None:
        """Draw the chart; the same chart again (the figures above changed, not the bars:
        a colleague's follow-up) is neither drawn nor sent again."""
        spec = (title, labels, values, horizontal)
        if spec == self.spec and self._drawn_in == self.app.locale:
            return
        self.spec = spec
        self._draw()

    def on_resize(self) -> None:
        self._draw()

    def _draw(self) -> None:
        if self.spec is None or not self.size.width:
            return
        title, labels, values, horizontal = self.spec
        labels = [visible(label) for label in labels]
        w, h = self.size
        draw = bar_lines if horizontal else bar_chart
        # (its size is the pane's, never its drawing's: no layout of the screen for it)
        self.update(draw(title, labels, values, w, h, self.app.locale), layout=False)
        self._drawn_in = self.app.locale


# What a new shop does first, shown where the charts would be while there is nothing to
# chart (no sales in the chart's months, no open deal): (permission, keys, what they do)
FIRST_STEPS = (
    ("shop.edit", N_("ctrl+p Shop details"), N_("the shop's address, VAT id and bank")),
    ("products.edit", N_("F6 Stock, n"), N_("a product; then a on it: the stock you have")),
    ("contacts.edit", N_("F3 Contacts, n"), N_("a customer or a supplier")),
    ("deals.edit", N_("F4 Deals, n"), N_("a sale you hope to make")),
    ("purchases.edit", N_("F7 Purchases, n"), N_("an order to a supplier")),
    (None, N_("F1"), N_("the keys of the screen you are on")),
)


def first_steps(role: str | None) -> Group:
    """The first steps the role may take, as Home shows them on a shop with nothing to chart."""
    grid = Table.grid(padding=(0, 2))
    grid.add_column(no_wrap=True)
    grid.add_column()
    for permission, keys, what in FIRST_STEPS:
        if permission is None or allowed(role, permission):
            grid.add_row(_(keys), _(what))
    return Group(Text(_("Nothing to chart yet. To begin:"), style="bold"), grid)


class HomePane(Pane):
    HELP = N_(
        "The shop at a glance. Each figure opens what is behind it: s sales orders, c the "
        "cash account, b the bank account, r receivables and p payables by age, d the deals "
        "board, t overdue tickets, f your follow-ups, l low stock, g the budget against "
        "actual (when this year has a budget). The charts show sales by month and the "
        "weighted pipeline by stage. u refreshes."
    )
    # kinds of record (audit entities) no figure here depends on: their changes rerun nothing
    NOT_SHOWN = IN_NO_FIGURE  # (contacts, interactions, campaigns, leave ...)
    OWN_ONLY = frozenset({"follow_up"})  # the person's own: a colleague's lead starts theirs
    BINDINGS = [
        Binding("s", "app.sales", N_("Sales"), id="home.sales"),
        Binding("c", "account('cash')", N_("Cash"), id="home.cash"),
        Binding("b", "account('bank')", N_("Bank"), id="home.bank"),
        Binding("r", "report('ar-aging')", N_("Receivables"), id="home.ar"),
        Binding("p", "report('ap-aging')", N_("Payables"), id="home.ap"),
        Binding("d", "app.show_tab('deals')", N_("Deals"), id="home.deals"),
        Binding("t", "tickets", N_("Tickets"), id="home.tickets"),
        Binding("l", "low_stock", N_("Low stock"), id="home.low"),
        Binding("g", "report('budget')", N_("Budget"), id="home.budget"),
        Binding("f", "app.followups", N_("Follow-ups"), id="home.followups"),
        Binding("u", "refresh", N_("Refresh"), id="home.refresh"),
    ]
    DEFAULT_CSS = """
    HomePane #kpis { height: auto; padding: 0 1; }
    HomePane #kpis:focus { background: $surface; }
    HomePane #charts { height: 1fr; }
    HomePane #charts Static { width: 1fr; height: 1fr; }
    HomePane #first-steps { height: auto; padding: 1 1 0 1; display: none; }
    """

    class Loaded(Message):
        def __init__(self, data: Dashboard, books: bool = True) -> None:
            super().__init__()
            self.data = data
            self.books = books  # the books' figures were read (the budget's glance follows)

    class BudgetLoaded(Message):
        def __init__(self, budget: BudgetGlance | None) -> None:
            super().__init__()
            self.budget = budget

    def __init__(self, data: Dashboard | None = None, kept: bool = False) -> None:
        """``data``: the figures read as the store opened; ``kept``: those of the last look
        (services/overview/glance), shown while the store opens."""
        super().__init__()
        self._preloaded = data
        self.kept = kept
        self.data: Dashboard | None = None
        self.budget: BudgetGlance | None = None  # read after the figures: the start stays fast

    @staticmethod
    def preload(
        store, role: str | None, today: date | None
    ) -> tuple[Dashboard, Mark] | tuple[None, None]:  # noqa: ANN001
        """The figures, read by the app's opening worker as soon as the store is open (so
        the first Home is drawn with them), and what they were read from (to keep them);
        None if the role may not see them."""
        from bizdesk.services.overview.dashboard import dashboard, mark  # the database stack

        if not allowed(role, "dashboard.view"):
            return None, None
        with store.read() as uow:
            return dashboard(uow, today=today), mark(uow)

    def compose(self) -> ComposeResult:
        yield Figures(_("Loading…"), id="kpis")
        with Horizontal(id="charts"):
            yield Chart(id="sales-chart")
            yield Chart(id="pipeline-chart")
        yield Static("", id="first-steps")

    def on_mount(self) -> None:
        if self._preloaded is not None:
            self.post_message(self.Loaded(self._preloaded))
        else:
            self.action_refresh()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "report" and parameters == ("budget",):  # only when there is a budget
            return self.budget is not None
        if action == "account" or parameters in (("ar-aging",), ("ap-aging",)):
            # cash, bank, receivables, payables: keys of figures only the books' readers see
            return allowed(self.app.role, "reports.finance")
        return True

    def focus_main(self) -> None:
        kpis = self.query("#kpis")
        if not kpis:  # the store opened before the pane was composed (a busy machine)
            self.call_after_refresh(self.focus_main)
            return
        self.screen.set_focus(kpis.first())  # now, not later (see app.py)

    def refresh_data(self) -> None:
        self._read(None)

    def refresh_changed(self, changed: frozenset[str]) -> None:
        """Others wrote records of these kinds (the app's look for changes): only the
        figures they may change are read again."""
        self._read(changed)

    def action_refresh(self) -> None:
        self._read(None)

    @work(thread=True, exclusive=True)
    def _read(self, changed: frozenset[str] | None) -> None:
        from bizdesk.services.overview.dashboard import books_changed, dashboard, mark

        last = self.data
        try:
            with self.app.store.read() as uow:
                data = dashboard(uow, today=self.app.today, last=last, changed=changed)
                seen = mark(uow)
        except (
            Exception
        ) as exc:  # told as one sentence (a locked or damaged store); the app goes on
            self.post_message(ServiceResult(None, None, exc, None))
            return
        # the books' figures read again (a change of theirs, or a new day): the budget too
        books = last is None or last.today != data.today or books_changed(changed)
        self.post_message(self.Loaded(data, books))
        if books:  # every figure read in this unit of work, as of ``seen``: kept for the
            self.app.keep_home(data, seen)  # next start (not a few counts over the last)

    def on_home_pane_loaded(self, msg: Loaded) -> None:
        store_open = self.app.store is not None  # (not yet while the kept figures show)
        if msg.books and store_open and allowed(self.app.role, "reports.finance"):
            self._load_budget()
        if msg.data == self.data:  # nothing it shows changed: nothing is sent
            return
        self.data = msg.data
        self._draw()

    @work(thread=True, exclusive=True, group="budget")
    def _load_budget(self) -> None:
        from bizdesk.services.books.budgets import glance  # the ledger's reports: not at start

        try:
            with self.app.store.read() as uow:
                budget = glance(uow, self.app.today or date.today())
        except Exception as exc:  # as above
            self.post_message(ServiceResult(None, None, exc, None))
            return
        self.post_message(self.BudgetLoaded(budget))

    def on_home_pane_budget_loaded(self, msg: BudgetLoaded) -> None:
        if msg.budget == self.budget:
            return
        self.budget = msg.budget
        self.refresh_bindings()
        if self.data is not None:
            self._draw()

    def _draw(self) -> None:
        if not self.query("#kpis"):  # figures read before the pane was composed
            self.call_after_refresh(self._draw)
            return
        d = self.data
        loc = self.app.locale
        grid = Table.grid(padding=(0, 2))
        for justify in ("left", "right", "left", "left"):
            grid.add_column(justify=justify)
        if d.sales_this_month is not None:  # None: the role may not see the books
            change = d.sales_this_month - d.sales_last_month
            grid.add_row(
                Text(_("Sales this month"), style="bold"),
                money(d.sales_this_month, loc),
                _("last month {amount} ({change})").format(
                    amount=money(d.sales_last_month, loc),
                    change=("+" if change >= 0 else "") + money(change, loc),
                ),
                "s",
            )
            grid.add_row(
                _("Cash"),  # the figure is the cash account's; the bank's beside it
                money(d.cash, loc),
                _("bank {amount}").format(amount=money(d.bank, loc)),
                "c b",
            )
            grid.add_row(
                _("Receivables"),
                money(d.receivables, loc),
                _("overdue {amount}").format(amount=money(d.receivables_overdue, loc)),
                "r",
            )
            grid.add_row(
                _("Payables"),
                money(d.payables, loc),
                _("overdue {amount}").format(amount=money(d.payables_overdue, loc)),
                "p",
            )
        b = self.budget
        if b is not None:  # this year to date, against the budget of the same days
            grid.add_row(
                _("Income, year to date"),
                money(b.income, loc),
                _("budget {amount}").format(amount=money(b.income_budget, loc)),
                "g",
            )
            grid.add_row(
                _("Expenses, year to date"),
                money(b.expenses, loc),
                _("budget {amount}").format(amount=money(b.expense_budget, loc)),
                "g",
            )
        t = d.pipeline_total
        if t is not None:
            grid.add_row(
                _("Weighted pipeline"),
                money(t.weighted, loc),
                ngettext(
                    "of {amount} in {n} open deal", "of {amount} in {n} open deals", t.deals
                ).format(amount=money(t.amount, loc), n=number(t.deals, loc)),
                "d",
            )
        grid.add_row(
            _("Tickets open"),
            number(d.tickets_open, loc),
            ngettext("{n} overdue", "{n} overdue", d.tickets_overdue).format(
                n=number(d.tickets_overdue, loc)
            ),
            "t",
        )
        if d.follow_ups is not None:
            grid.add_row(
                _("Follow-ups due today"),
                number(d.follow_ups["today"], loc),
                ngettext("{n} overdue", "{n} overdue", d.follow_ups["overdue"]).format(
                    n=number(d.follow_ups["overdue"], loc)
                ),
                "f",
            )
        grid.add_row(
            _("Low stock"),
            number(d.low_stock, loc),
            _("products at or below reorder point"),
            "l",
        )
        self.query_one("#kpis", Static).update(grid)
        self.call_after_refresh(self._plot)  # the figures first, then the charts

    def _plot(self) -> None:
        d = self.data
        # nothing sold in the chart's months and no open deal (a new shop): its first
        # steps instead of empty charts (a role that sees neither chart: none drawn)
        charted = bool(d.sales_by_month) or d.pipeline_total is not None
        bare = charted and not any(v for _m, v in d.sales_by_month)
        bare = bare and not (d.pipeline_total and d.pipeline_total.deals)
        self.query_one("#charts").display = not bare
        steps = self.query_one("#first-steps", Static)
        steps.display = bare
        if bare:
            steps.update(first_steps(self.app.role))
        # a chart the role may not see is not drawn empty: the other takes its place
        self.query_one("#sales-chart").display = bool(d.sales_by_month)
        self.query_one("#pipeline-chart").display = bool(d.pipeline)
        months = [m[5:] for m, _v in d.sales_by_month]
        self.query_one("#sales-chart", Chart).plot(
            _("Sales by month"),
            months,
            [int(v) for _m, v in d.sales_by_month],
            horizontal=False,
        )
        self.query_one("#pipeline-chart", Chart).plot(
            _("Weighted pipeline by stage"),
            [r.stage for r in d.pipeline],
            [int(r.weighted) for r in d.pipeline],
            horizontal=True,
        )
        self.call_after_refresh(self.app.home_drawn)

    def action_account(self, role: str) -> None:
        from bizdesk.screens.journal import AccountScreen
        from bizdesk.services.books.ledger import account_for

        self.run_service(
            lambda uow: account_for(uow, role).id,
            write=False,
            done=lambda aid: self.app.push_screen(AccountScreen(aid)),
        )

    async def action_report(self, name: str) -> None:
        await self.app.action_show_report(name)

    async def action_tickets(self) -> None:
        if await self.app.go_to_tab("tickets"):
            self.app.active_pane().action_queue("overdue")

    async def action_low_stock(self) -> None:
        if await self.app.go_to_tab("stock"):
            self.app.active_pane().table.set_filters(low=True)
