"""Home: the shop at a glance, from aggregate queries only."""

from __future__ import annotations

from dataclasses import dataclass

from rich.table import Table
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import Static

from bizdesk.formatting import money
from bizdesk.screens.common import Pane
from bizdesk.services import contacts as C
from bizdesk.services import deals as D
from bizdesk.services import tickets as T
from bizdesk.services.paging import PageRequest


@dataclass(frozen=True)
class Overview:
    counts: dict[str, int]
    pipeline: list[D.PipelineRow]
    pipeline_total: D.PipelineRow
    sla: T.SlaRow
    overdue_deals: int
    overdue_tickets: int


def overview(uow) -> Overview:  # noqa: ANN001
    rows, total = D.pipeline_report(uow)
    _, sla_total = T.sla_report(uow)
    overdue = D.list_page(uow, PageRequest(limit=100, filters={"overdue": True}))
    late = T.list_page(uow, PageRequest(limit=100, filters={"queue": "overdue"}))
    return Overview(C.counts(uow), rows, total, sla_total, len(overdue.rows), len(late.rows))


class HomePane(Pane):
    HELP = "The shop at a glance. F3 contacts, F4 deals, F5 tickets; r refreshes."
    BINDINGS = [Binding("r", "refresh", "Refresh", id="home.refresh")]

    class Loaded(Message):
        def __init__(self, data: Overview) -> None:
            super().__init__()
            self.data = data

    def compose(self) -> ComposeResult:
        yield Static("Loading…", id="overview")

    def on_mount(self) -> None:
        self.action_refresh()

    def focus_main(self) -> None:
        self.query_one("#overview").focus()

    def refresh_data(self) -> None:
        self.action_refresh()

    @work(thread=True, exclusive=True)
    def action_refresh(self) -> None:
        with self.app.store.write() as uow:  # the SLA report records breaches it finds
            data = overview(uow)
        self.post_message(self.Loaded(data))

    def on_home_pane_loaded(self, msg: Loaded) -> None:
        d = msg.data
        loc = self.app.locale
        out = Table.grid(padding=(0, 2))
        out.add_column()
        out.add_column()
        people = Table(title="Contacts", title_justify="left", box=None)
        people.add_column("")
        people.add_column("", justify="right")
        for k in ("contacts", "customers", "suppliers"):
            people.add_row(k.capitalize(), str(d.counts[k]))
        support = Table(title="Tickets", title_justify="left", box=None)
        support.add_column("")
        support.add_column("", justify="right")
        support.add_row("Open", str(d.sla.open))
        late = f"{d.overdue_tickets}{'+' if d.overdue_tickets >= 100 else ''}"
        support.add_row("Overdue now", late)
        support.add_row("1st response breached", str(d.sla.first_response_breached))
        support.add_row("Resolution breached", str(d.sla.resolution_breached))
        pipe = Table(title="Pipeline (open deals)", title_justify="left", box=None)
        pipe.add_column("Stage")
        pipe.add_column("Deals", justify="right")
        pipe.add_column("Amount", justify="right")
        pipe.add_column("Weighted", justify="right")
        for r in d.pipeline:
            pipe.add_row(Text(r.stage), str(r.deals), money(r.amount, loc), money(r.weighted, loc))
        t = d.pipeline_total
        pipe.add_row(
            "Total", str(t.deals), money(t.amount, loc), money(t.weighted, loc), style="bold"
        )
        pipe.add_row(
            Text(
                f"Next activities overdue: {d.overdue_deals}{'+' if d.overdue_deals >= 100 else ''}"
            ),
            "",
            "",
            "",
        )
        out.add_row(people, support)
        out.add_row(pipe, "")
        self.query_one("#overview", Static).update(out)
