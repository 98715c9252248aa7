"""Newcomer defects of the TUI (issue 10), each driven as a user meets it at 80x24."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import time
from datetime import date
from decimal import Decimal

from rich.console import Console
from textual.widgets import DataTable, Input, OptionList, Select, Static

from bizdesk.app import BizdeskApp, TabsScreen
from bizdesk.screens.deals import DealScreen, DealsPane
from bizdesk.screens.help import HelpScreen
from bizdesk.screens.home import (
    Chart,
    HomePane,
    axis_labels,
    axis_ticks,
    bar_chart,
    bar_lines,
)
from bizdesk.screens.reports import file_dates
from bizdesk.screens.sales import SalesOrdersScreen
from bizdesk.services.admin.audit import latest_id
from bizdesk.services.base.paging import PageRequest
from bizdesk.services.crm import contacts as C
from bizdesk.services.inventory import moves, products
from bizdesk.services.trade import deals as D
from bizdesk.services.trade import sales as SA
from bizdesk.widgets.form import FormScreen
from bizdesk.widgets.lines_form import LinesFormScreen
from tests.erp_helpers import product
from tests.test_business_month import month  # noqa: F401  (the fixture)
from tests.tui_helpers import SIZE, footer_text, settle, type_text


def _board(store) -> list[D.BoardColumn]:  # noqa: ANN001
    with store.read() as uow:
        return D.board_columns(uow, limit_per_stage=50)


async def test_deals_board_survives_f4_bursts_and_loads_arriving_mid_build(store) -> None:  # noqa: ANN001
    with store.write() as uow:
        C.create(uow, C.ContactInput(name="Ann Buyer"))
        D.create(uow, D.DealInput(title="Helmets", contact="#1", amount="100"))
    app = BizdeskApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*["f4"] * 16)  # pressed again and again as the app starts
        pane = app.query_one(DealsPane)
        await settle(pilot, app)
        # Two loads arriving back to back while a colleague reworks the pipeline (adds a
        # stage, then replaces it by another): the second arrives while the columns of the
        # first are still being built, and the first's cards must not be put into them.
        with store.write() as uow:
            added = D.add_stage(uow, "Demo", "30")
        with_demo = _board(store)
        with store.write() as uow:
            D.deactivate_stage(uow, added.id)
            D.add_stage(uow, "Trial", "40")
        new = _board(store)
        pane.post_message(DealsPane.Board(with_demo, None, 0))
        pane.post_message(DealsPane.Board(new, None, 0))
        await settle(pilot, app)
        lists = list(pane.query(OptionList))
        assert [ol.id for ol in lists] == [f"stage-{c.stage.id}" for c in new]
        titles = [str(t.render()).split("\n")[0] for t in pane.query(".column-title")]
        assert titles == [f"{c.stage.name} {c.stage.probability}%" for c in new]
        assert lists[0].option_count == 1 and app.active_pane() is pane


async def until(pilot, condition, what: str, seconds: float = 15) -> None:  # noqa: ANN001
    """Wait for a condition with a deadline (the change poll runs every 2 s)."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"{what}: not within {seconds} s"
        await pilot.pause(0.1)


def _sell(store, qty: str = "1") -> SA.SOView:  # noqa: ANN001
    """A colleague's counter sale, paid in cash, in their own unit of work."""
    with store.write() as uow:
        return SA.counter_sale(uow, [SA.SOLineInput(product="BIKE", qty=qty)])


async def polled(pilot, app: BizdeskApp, store) -> None:  # noqa: ANN001
    """Wait until the app's change poll has seen the newest change in the store."""
    with store.read() as uow:
        latest = latest_id(uow)
    await until(pilot, lambda: app._seen_change == latest, "the change poll")
    await settle(pilot, app)


def kpis(app: BizdeskApp) -> str:
    out = Console(width=80, record=True, file=io.StringIO())
    out.print(app.query_one(HomePane).query_one("#kpis", Static).content)
    return out.export_text()


async def test_home_follows_sales_and_payments_made_elsewhere(store) -> None:  # noqa: ANN001
    product(store, "BIKE", name="City bike", cost="400", sale_price="650")
    with store.write() as uow:
        moves.adjust(uow, products.resolve_product(uow, "BIKE").id, "10", "opening")
        C.create(uow, C.ContactInput(name="Dana Client"))
        so = SA.create(uow, SA.SOInput(customer="Dana Client", lines=[SA.SOLineInput("BIKE")]))
        SA.confirm(uow, so.id)
        SA.deliver(uow, so.id)
        inv = SA.invoice(uow, so.id)
    app = BizdeskApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        home = app.query_one(HomePane)
        assert home.data.cash == 0 and home.data.receivables == Decimal("650.00")

        _sell(store)  # while Home is on view
        await until(pilot, lambda: home.data.cash == Decimal("650.00"), "cash after a sale")
        assert "650.00" in kpis(app).splitlines()[1]

        # Home not on view (another tab) when the customer pays: it catches up when shown
        await pilot.press("f3")
        await settle(pilot, app)
        with store.write() as uow:
            SA.pay(uow, inv.id, account="bank")
        await polled(pilot, app, store)  # while Contacts showed
        await pilot.press("f2")
        await until(pilot, lambda: home.data.receivables == 0, "receivables after a payment")
        assert home.data.bank == Decimal("650.00")

        # a page open over the tabs when a sale is made (here, the sales orders): Home
        # shows it as soon as the page is closed
        await pilot.press("s")
        await settle(pilot, app)
        assert isinstance(app.screen, SalesOrdersScreen)
        _sell(store, "2")
        await polled(pilot, app, store)
        await pilot.press("escape")
        await until(pilot, lambda: home.data.cash == Decimal("1950.00"), "cash after a sale")
        assert "1,950.00" in kpis(app)


async def test_deal_lines_from_the_deal_page_become_the_won_deals_order(store) -> None:  # noqa: ANN001
    product(store, "BIKE", name="City bike", cost="400", sale_price="650")
    with store.write() as uow:
        C.create(uow, C.ContactInput(name="Ann Buyer"))
        deal = D.create(uow, D.DealInput(title="Fleet", contact="#1", amount="100"))
    app = BizdeskApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        app.action_open_record("deal", deal.id)
        await settle(pilot, app)
        assert isinstance(app.screen, DealScreen)
        assert "p Lines" in footer_text(app)
        await pilot.press("p")
        await settle(pilot, app)
        assert isinstance(app.screen, LinesFormScreen)
        await pilot.press("escape")  # nothing typed (the editor's quantity 1 is no typing)
        await settle(pilot, app)
        assert isinstance(app.screen, DealScreen)
        await pilot.press("p")
        await settle(pilot, app)
        form = app.screen
        assert isinstance(form, LinesFormScreen)
        assert form.focused is form.query_one("#l-product", Input)
        await type_text(pilot, "BIKE")  # description and price: the product's
        await pilot.press("tab", "tab")
        await pilot.press("ctrl+a", "ctrl+k")
        await type_text(pilot, "2")
        await pilot.press("enter")
        await settle(pilot, app)
        await pilot.press("tab")
        await type_text(pilot, "Fitting")
        await pilot.press("tab", "tab")
        await type_text(pilot, "35x")  # a typo: refused, the form stays
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert app.screen is form
        assert "Not saved. Line 2 unit price" in str(form.query_one("#form-error", Static).render())
        # the typo is on line 2: enter on it puts it back in the editor to fix it
        form.query_one("#lines").focus()
        await pilot.press("down", "enter")
        await pilot.press("tab", "tab", "tab", "end", "backspace", "enter")
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert isinstance(app.screen, DealScreen) and len(form.lines) == 2
        page = str(app.screen.query_one("#main", Static).render())
        assert "2 × BIKE City bike @ 650.00 = 1,300.00" in page
        assert "1 × Fitting @ 35.00 = 35.00" in page and "amount 1,335.00" in page

        await pilot.press("w")
        await settle(pilot, app)
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        said = [str(n.message) for n in app._notifications]  # noqa: SLF001
    with store.read() as uow:
        won = D.get(uow, deal.id)
        page = SA.list_page(uow, PageRequest(filters={"customer_id": 1}))
        so = SA.get(uow, page.rows[0].id)
    assert won.stage == "Won" and so.deal_id == deal.id
    # the person is told an order was drafted, and which (only "Fleet: Won" was said)
    assert f"Fleet: Won · sales order {so.label} drafted from its lines" in said, said
    assert [(ln.sku, ln.description, ln.qty, ln.unit_price) for ln in so.lines] == [
        ("BIKE", "City bike", 2, Decimal("650.00")),
        ("", "Fitting", 1, Decimal("35.00")),
    ]


def _always_in_view(app: BizdeskApp) -> None:
    """F1 and quit are drawn whole in the footer, left of the palette key docked right."""
    from textual.widgets._footer import FooterKey

    keys = {k.key: k for k in app.screen.query(FooterKey)}
    palette = [k.region.x for k in keys.values() if k.has_class("-command-palette")]
    right = min([SIZE[0], *palette])
    for key, shown in (("f1", "F1 Help"), ("ctrl+q", "^q Quit")):
        region = keys[key].region
        assert region.width > 0 and region.right <= right, (key, app.screen)
        assert f"{keys[key].key_display} {keys[key].description}" == shown


async def test_help_and_quit_stay_in_the_footer_at_80_columns(store) -> None:  # noqa: ANN001
    with store.write() as uow:
        C.create(uow, C.ContactInput(name="Ann Buyer"))
        D.create(uow, D.DealInput(title="Helmets", contact="#1", amount="100"))
    app = BizdeskApp(store)
    async with app.run_test(size=SIZE) as pilot:
        for key in ("f2", "f3", "f4", "f5", "f6", "f7", "f8", "f9"):
            await pilot.press(key)
            await settle(pilot, app)
            _always_in_view(app)
        await pilot.press("f4", "enter")  # a deal's page (a form, being modal, has its own keys)
        await settle(pilot, app)
        assert isinstance(app.screen, DealScreen)
        _always_in_view(app)
        await pilot.press("escape", "o")  # the sales orders, over the tabs
        await settle(pilot, app)
        _always_in_view(app)


async def test_help_names_keys_as_they_are_printed(store) -> None:  # noqa: ANN001
    app = BizdeskApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("f4")
        await settle(pilot, app)
        await pilot.press("f1")
        await settle(pilot, app)
        assert isinstance(app.screen, HelpScreen)
        rows = dict(app.screen.rows())
        assert rows["[ or shift+←"] == "◀ Stage" and rows["] or shift+→"] == "Stage ▶"
        assert not any("_" in key for key in rows), rows
        # every key fits the keys' column (14): wrapped, "Home End" stood beside "page)"
        assert all(len(key) <= 14 for key in rows if key != "Everywhere"), rows


async def test_f1_works_in_a_form_and_the_footer_under_it_offers_only_what_works(store) -> None:  # noqa: ANN001
    """F1 did nothing in a form (the app's keys stop at a modal screen), and the list's
    footer under it still offered / Filter, n New, d Archive, which did nothing either. Now
    F1 shows the form's keys (F1 again closes the help), and the footer under a form keeps
    help and quit only, and all of its keys again when the form closes."""
    from bizdesk.widgets.footer import KeysFooter

    app = BizdeskApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("f3")
        await settle(pilot, app)
        under = app.screen.query_one(KeysFooter)
        await pilot.press("n")
        await settle(pilot, app)
        assert isinstance(app.screen, FormScreen)
        await pilot.pause(0.2)
        assert [getattr(w, "action", None) for w in under.children] == ["help", "quit"]
        await pilot.press("f1")
        await settle(pilot, app)
        assert isinstance(app.screen, HelpScreen)
        rows = app.screen.rows()
        assert rows[:2] == [("^s", "Save"), ("esc", "Cancel")]  # the form's own keys first
        await pilot.press("f1")
        await settle(pilot, app)
        assert isinstance(app.screen, FormScreen)
        await pilot.press("escape")
        await settle(pilot, app)
        await pilot.pause(0.2)
        assert "new" in [getattr(w, "action", None) for w in under.children]


async def test_reports_names_bad_dates_keys_and_the_file_written(store, tmp_path) -> None:  # noqa: ANN001
    with store.write() as uow:
        C.create(uow, C.ContactInput(name="Ann Buyer"))
    app = BizdeskApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f9")
        await settle(pilot, app)
        pane = app.active_pane()
        choose = pane.query_one("#report", Select)
        shown = {label for label, _name in choose._options}
        assert {"Trial balance", "Aged receivables", "Profit and loss"} <= shown
        assert not any("-" in label for label in shown)
        table = pane.query_one("#report-rows", DataTable)
        assert table.row_count > 0 and "x Write CSV" in footer_text(app)

        # typing in a box: x and u are letters there, and the footer does not offer them
        box = pane.query_one("#as_of", Input)
        box.focus()
        await pilot.pause()
        await type_text(pilot, "2026-13-0x")
        assert box.value == "2026-13-0x" and isinstance(app.screen, TabsScreen)
        assert "Write CSV" not in footer_text(app) and "Run again" not in footer_text(app)
        await pilot.press("enter")  # a bad date: the old figures go, the reason shows
        await settle(pilot, app)
        title = str(pane.query_one("#report-title", Static).render())
        assert title.startswith("Not run: As of:") and table.row_count == 0
        assert pane.report is None

        box.value = "2026-10-31"
        await pilot.press("enter")
        await settle(pilot, app)
        assert table.row_count > 0
        table.focus()
        await pilot.pause()
        await pilot.press("x")  # on the figures, x writes them
        await settle(pilot, app)
        assert isinstance(app.screen, FormScreen)
        # the file is named by the day the figures are as of, not the day it is written
        offered = app.screen.query_one("#f-path", Input).value
        assert offered.endswith("trial-balance-2026-10-31.csv"), offered
        target = tmp_path / "tb.csv"
        app.screen.query_one("#f-path", Input).value = str(target)
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert target.exists()
        messages = [n.message for n in app._notifications]
        assert any(m.endswith(f"written to {target}") for m in messages), messages


def test_chart_axes_read_as_amounts_in_the_shops_locale() -> None:
    assert axis_ticks(31783) == [0, 10000, 20000, 30000, 40000]
    assert axis_labels(axis_ticks(59734, 3), "de_DE") == ["0", "20.000", "40.000", "60.000"]
    assert axis_labels([0, 100_000_000], "vi_VN") == ["0", "100\xa0Tr"]  # too wide: short
    text = bar_chart("Sales", ["06", "07"], [31783, 26485], 38, 12).plain
    assert "30,000" in text
    assert not re.search(r"\d\.\d", text), text  # no 31783.0, no 26485.8
    below = bar_chart("Sales", ["06", "07"], [-1500, 3000], 38, 12).plain  # returns > sales
    assert "-2,000┤" in below and "3,000┤" in below


def test_each_stage_s_bar_stands_beside_its_name_at_any_height() -> None:
    # a stage's name beside its bar is whole when it fits a third of the chart, else it
    # says it was cut ("Negotiation" read "Negotiatio" on Home at 80 columns); plotext
    # drew a bar over a row and a half, under no name, or left a stage out
    stages = ["New", "Negotiation", "Proposal sent to the customer"]
    lines = bar_lines("Pipeline", stages, [1000, 5000, 3000], 39, 4).plain.splitlines()
    assert lines[0].strip() == "Pipeline"
    assert re.fullmatch(r" *New █+\S? *1,000", lines[1]), lines
    assert re.fullmatch(r"  Negotiation █+ 5,000", lines[2]), lines
    assert re.fullmatch(r"Proposal sen… █+\S? *3,000", lines[3]), lines
    assert all(len(line) <= 39 for line in lines), lines
    assert lines[2].count("█") == 39 - 13 - 5 - 2  # the largest fills the room left
    short = bar_lines("Pipeline", stages, [1000, 5000, 3000], 39, 3, "vi_VN").plain
    assert short.splitlines()[1:] == [short.splitlines()[1], "and 2 more stages"], short
    assert "1.000" in short  # the amount in the shop's locale


async def test_home_charts_and_pages_show_formatted_amounts(month) -> None:  # noqa: ANN001, F811
    store, _cid, _so = month
    app = BizdeskApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        chart = app.query_one("#sales-chart", Chart)
        await until(pilot, lambda: chart.spec is not None, "the sales chart")
        await pilot.pause()
        drawn = chart.content.plain
        assert re.search(r"\d,000┤", drawn) and not re.search(r"\d\.\d", drawn), drawn
        await app.action_show_report("balance-sheet")
        await settle(pilot, app)
        pane = app.active_pane()
        shown = lambda: str(pane.query_one("#report-notes", Static).render())  # noqa: E731
        await until(pilot, lambda: shown() != "", "the balance sheet's notes")  # from a worker
        notes = shown()
        assert re.fullmatch(r"Assets [\d,]+\.\d\d = liabilities .*", notes), notes
        assert re.search(r"\d,\d\d\d\.\d\d", notes), notes


def test_a_burst_of_f4_typed_ahead_as_the_app_starts_over_a_pty(tmp_path) -> None:  # noqa: ANN001
    from tests.test_ssh import QUIET, Terminal, screen_text

    db = tmp_path / "shop.db"
    made = subprocess.run(
        [sys.executable, "-m", "bizdesk", "init", "--db", str(db)], capture_output=True, text=True
    )
    assert made.returncode == 0, made.stderr
    term = Terminal(db, tmp_path / "state")
    try:
        os.write(term.master, b"\x1bOS" * 16)  # F4 sixteen times, before the app is even up
        deadline = time.monotonic() + 90
        while "Qualified" not in screen_text(term.output):
            assert time.monotonic() < deadline, screen_text(term.output)[-2000:]
            assert term.proc.poll() is None, screen_text(term.output)[-2000:]
            term.read(0.5)
        while term.read(QUIET):  # until quiet (it may be already: then nothing more comes)
            assert time.monotonic() < deadline, screen_text(term.output)[-2000:]
        shown = screen_text(term.output)
        assert term.proc.poll() is None and "NoMatches" not in shown and "Traceback" not in shown
        os.write(term.master, b"\x11")  # ctrl+q
        assert term.proc.wait(timeout=60) == 0
    finally:
        term.close()


async def test_a_won_deal_is_edited_in_its_stage(store) -> None:  # noqa: ANN001
    """e on a won deal showed the first open stage ("New") and saving refused "use win, lose
    or reopen": a closed deal's owner or next activity could not be changed. Its form shows
    its stage now and saves."""
    with store.write() as uow:
        C.create(uow, C.ContactInput(name="Ann Buyer"))
        deal = D.create(uow, D.DealInput(title="Fleet", contact="#1", amount="100"))
        D.win(uow, deal.id, "good price", version=deal.version)
    app = BizdeskApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        app.action_open_record("deal", deal.id)
        await settle(pilot, app)
        await pilot.press("e")
        await settle(pilot, app)
        form = app.screen
        assert isinstance(form, FormScreen)
        assert form.query_one("#f-stage", Select).value == "Won"
        assert form.query_one("#f-contact", Input).value == "Ann Buyer #1"  # not a bare #1
        form.query_one("#f-next_activity", Input).focus()
        await type_text(pilot, "Thank-you call")
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert not isinstance(app.screen, FormScreen), str(form.query_one("#form-error").render())
    with store.read() as uow:
        saved = D.get(uow, deal.id)
    assert (saved.stage, saved.next_activity) == ("Won", "Thank-you call")


async def test_a_forms_long_title_is_shown_whole(store) -> None:  # noqa: ANN001
    """A form's title is a sentence ("Supplier's bill for PO-00033: received goods worth
    14.40 not yet billed"): at 80 columns its end was cut off. It wraps now."""
    from tests.test_tui_languages import drawn

    title = "Supplier's bill for PO-00033: received goods worth 14.40 not yet billed, and more"
    app = BizdeskApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        app.push_screen(FormScreen(title, [], lambda uow, values: None))
        await settle(pilot, app)
        shown = " ".join(drawn(app.screen.query_one("#title", Static)).split())
    assert shown == title


def test_a_reports_file_is_named_by_its_period() -> None:
    nov = {"date_from": date(2026, 11, 1), "date_to": date(2026, 11, 30)}
    assert file_dates(nov) == "2026-11-01-to-2026-11-30"
    assert file_dates({"as_of": date(2026, 10, 31)}) == "2026-10-31"
    assert file_dates({}) == date.today().isoformat()


async def test_deal_lines_open_as_the_shop_writes_numbers_and_save_unchanged(store) -> None:  # noqa: ANN001
    """A Romanian shop's deal lines opened with 1899.00 and 2.00 (the machine form), which its
    own editor then refused as "not a number" on saving: they open as the shop writes them."""
    product(store, "BIKE", name="City bike", cost="400", sale_price="1899")
    with store.write() as uow:
        uow.set_setting("locale", "ro_RO")
        C.create(uow, C.ContactInput(name="Ann Buyer"))
        deal = D.create(uow, D.DealInput(title="Fleet", contact="#1", amount="100"))
        deal = D.set_lines(
            uow,
            deal.id,
            [D.LineInput("Trike", "2", "1899.5"), D.LineInput(product="BIKE", unit_price="")],
            version=deal.version,
        )
    app = BizdeskApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        app.action_open_record("deal", deal.id)
        await settle(pilot, app)
        await pilot.press("p")
        await settle(pilot, app)
        form = app.screen
        assert isinstance(form, LinesFormScreen)
        assert [(ln["qty"], ln["unit_price"]) for ln in form.lines] == [
            ("2", "1.899,50"),
            ("1", "1.899,00"),
        ]
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert isinstance(app.screen, DealScreen), str(form.query_one("#form-error").render())
    with store.read() as uow:
        assert D.get(uow, deal.id).amount == Decimal("5698.00")


async def test_tab_goes_round_a_panes_boxes_never_to_the_tab_bar(store) -> None:  # noqa: ANN001
    """tab from the report's rows went to the tab bar, where a date typed for the next box
    ("03/04/2026") did nothing at all; the tab bar is for F2-F9 and the mouse."""
    app = BizdeskApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        for key, pane in (("f9", "reports"), ("f3", "contacts")):
            await pilot.press(key)
            await settle(pilot, app)
            seen = []
            for _ in range(6):
                await pilot.press("tab")
                await settle(pilot, app)
                seen.append(app.focused)
                assert any(w.id == pane for w in app.focused.ancestors), (pane, app.focused)
            assert not any(type(w).__name__ == "ContentTabs" for w in seen), seen


async def test_home_on_a_new_shop_shows_its_first_steps_until_there_is_a_chart(store) -> None:  # noqa: ANN001
    """A new shop opened on Home to two empty charts and no word on where to begin. With
    nothing sold in the chart's months and no open deal, Home says what to do first (what
    the role may do); once something is sold, the charts come back."""
    from rich.console import Console as Out

    from bizdesk.screens.home import first_steps

    app = BizdeskApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        steps = app.query_one("#first-steps", Static)
        await until(pilot, lambda: steps.display, "the first steps")
        out = Out(width=78, record=True, file=io.StringIO())
        out.print(steps.content)
        shown = out.export_text()
        assert shown.startswith("Nothing to chart yet. To begin:"), shown
        assert "ctrl+p Shop details" in shown and "F6 Stock, n" in shown, shown
        assert not app.query_one("#charts").display

        product(store, "BIKE", name="City bike", cost="400", sale_price="650")
        with store.write() as uow:
            moves.adjust(uow, products.resolve_product(uow, "BIKE").id, "1", "opening")
        _sell(store)
        await pilot.press("u")
        await until(pilot, lambda: app.query_one("#charts").display, "the charts")
        assert not steps.display
    out = Out(width=78, record=True, file=io.StringIO())
    out.print(first_steps("warehouse"))
    warehouse = out.export_text()
    assert "F6 Stock, n" in warehouse and "Shop details" not in warehouse, warehouse
    assert "F4 Deals" not in warehouse, warehouse


async def test_a_toast_at_80_columns_keeps_a_files_path_on_one_line(store) -> None:  # noqa: ANN001
    """ "21 rows written to /tmp/s53/trial-balance-2026-12-07.cs" then "v": at 80 columns a
    toast was 40 wide, so the path of the file just written broke inside its name. A toast
    may now take three quarters of the screen (60 columns, Textual's own width)."""
    from textual.geometry import Region
    from textual.widgets._toast import Toast

    path = "/home/ana/reports/trial-balance-2026-12-07.csv"  # 46 characters
    app = BizdeskApp(store)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot, app)
        app.notify(f"21 rows written to {path}", markup=False)
        await until(pilot, lambda: bool(app.screen.query(Toast)), "a toast")
        await pilot.pause(0.2)
        toast = app.screen.query(Toast).first()
        whole = Region(0, 0, toast.size.width, 8)  # (its height is still growing in)
        lines = [strip.text.strip("▌ ") for strip in toast.render_lines(whole)]
        assert path in lines, (toast.size, lines)
