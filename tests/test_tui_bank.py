"""The reconciliation screen at 80x24 (issue 14, deliverable 3): from the Journal tab with b,
the lines waiting with the proposals of the one under the cursor; confirm, split, match to
an account, auto, and undo on the matched view. Pilot on a real SQLite store."""

from __future__ import annotations

import threading

from sqlalchemy import func, select
from textual.widgets import Input, Static

from bizdesk.app import BizdeskApp
from bizdesk.models.banking import BankLine
from bizdesk.models.ledger import JournalEntry
from bizdesk.screens import bank as bank_screen
from bizdesk.screens.bank import ReconcileScreen
from bizdesk.services.banking import reconcile
from bizdesk.services.banking.proposals import proposals
from bizdesk.services.banking.statements import import_statement
from bizdesk.services.trade import sales
from bizdesk.widgets.confirm import ConfirmScreen
from bizdesk.widgets.form import FormScreen
from bizdesk.widgets.paged_table import PagedTable
from tests.erp_helpers import errors
from tests.test_bank_proposals import invoice
from tests.tui_helpers import SIZE, settle, wait_for

RULES = """\
skip 1
fields date, payee, description, amount, balance

if FEE
  account2 6400
"""


def _statement(store, one: str, two: str, three: str) -> None:  # noqa: ANN001
    rows = [
        "date,payee,description,amount,balance",
        f"2026-11-18,Cycle Club,Payment {one},100.00,100.00",
        f"2026-11-19,Bike Barn,{two} and {three},130.00,230.00",
        "2026-11-20,Bank,FEE,-2.00,228.00",
        "2026-11-21,Someone,deposit,5.00,233.00",
    ]
    with store.write() as uow:
        import_statement(
            uow,
            ("\n".join(rows) + "\n").encode(),
            account="1010",
            rules=RULES.encode(),
            filename="nov.csv",
        )


def _states(store) -> dict[str, str]:  # noqa: ANN001
    with store.read() as uow:
        return {ln.text: ln.state for ln in uow.session.scalars(select(BankLine))}


def _proposals(app) -> str:  # noqa: ANN001
    return str(app.screen.query_one("#proposals", Static).render())


async def test_reconcile_in_the_tui(store) -> None:  # noqa: ANN001
    one = invoice(store, "Cycle Club", "100.00")
    two = invoice(store, "Bike Barn", "80.00")
    three = invoice(store, "Bike Barn", "70.00")
    _statement(store, one, two, three)
    app = BizdeskApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f8")
        await settle(pilot, app)
        await pilot.press("b")
        await settle(pilot, app)
        assert isinstance(app.screen, ReconcileScreen)
        await wait_for(pilot, app, lambda: one in _proposals(app), "the first line's proposals")
        assert "the text names" in _proposals(app)
        # a proposal is two lines, each within the screen (wrapped, the last one went
        # behind the footer); and every column of the list is in view
        box = app.screen.query_one("#proposals", Static)
        lines = _proposals(app).splitlines()
        assert len(lines) == 2 * len(app.screen.shown), lines
        assert all(len(line) <= box.size.width - 2 for line in lines), lines
        grid = app.screen.query_one(PagedTable).grid
        assert grid.virtual_size.width <= grid.size.width, grid.virtual_size
        # the lines come in one order: no s offered (F1 listed "s Sort", which did nothing)
        assert "sort" not in {b.action for _n, b, *_r in app.screen.active_bindings.values()}
        await pilot.press("c")  # the first line pays the invoice it names
        await settle(pilot, app)
        await wait_for(pilot, app, lambda: _states(store)[f"Payment {one}"] == "matched", "a match")
        # the second line pays two invoices: all of one, part of the other
        await wait_for(pilot, app, lambda: two in _proposals(app), "the second line's")
        await pilot.press("p")
        await settle(pilot, app)
        form = app.screen
        assert isinstance(form, FormScreen)
        form.query_one("#f-documents", Input).value = f"{two}, {three}"
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert isinstance(app.screen, ReconcileScreen)
        assert _states(store)[f"{two} and {three}"] == "matched"
        with store.read() as uow:
            assert reconcile._open_invoice(uow, 3)[1] == 2000  # 50 of 70 paid, 20 open
        # the fee: a rule's account, offered by a
        await wait_for(pilot, app, lambda: "6400 Bank fees" in _proposals(app), "the rule")
        await pilot.press("a")
        await settle(pilot, app)
        box = app.screen.query_one("#f-account", Input)
        assert box.value == "6400"
        box.value = ""  # typed by hand, the account completes as in a journal entry
        box.focus()
        await pilot.press("6", "4")
        await wait_for(pilot, app, lambda: box._suggestion == "6400 Bank fees", "completion")
        await pilot.press("tab")
        assert box.value == "6400 Bank fees"
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert _states(store)["FEE"] == "matched"
        # the deposit could only be part of an invoice: t (auto) leaves it
        await wait_for(pilot, app, lambda: "part of the open" in _proposals(app), "a part")
        await pilot.press("t")
        await settle(pilot, app)
        assert _states(store)["deposit"] == "open"
        # the matched view: undo the split line
        await pilot.press("m")
        await settle(pilot, app)
        await wait_for(pilot, app, lambda: "matched to JE-" in _proposals(app), "matched view")
        # its keys are the matched lines': t matches waiting lines, not offered here
        assert app.screen.check_action("auto", ()) is False
        assert app.screen.check_action("undo", ()) is True
        await pilot.press("down")
        await settle(pilot, app)
        await pilot.press("u")  # asked first (it reversed at once): n keeps the match
        await wait_for(pilot, app, lambda: isinstance(app.screen, ConfirmScreen), "asked")
        assert "An entry the match posted is reversed" in str(app.screen.query_one(Static).render())
        await pilot.press("n")
        await settle(pilot, app)
        assert _states(store)[f"{two} and {three}"] == "matched"
        await pilot.press("u")
        await wait_for(pilot, app, lambda: isinstance(app.screen, ConfirmScreen), "asked")
        await pilot.press("y")
        await settle(pilot, app)
        await wait_for(
            pilot, app, lambda: _states(store)[f"{two} and {three}"] == "open", "the undo"
        )
        with store.read() as uow:
            assert reconcile._open_invoice(uow, 3)[1] == 7000
    assert errors(store) == []


async def test_a_payment_in_the_books_is_proposed_and_linked_in_the_tui(store) -> None:  # noqa: ANN001
    """INV-00001 was paid into the bank by hand; its statement line is proposed that payment
    first, above an open invoice of the same amount, and c links the line to it (nothing is
    posted, the other invoice stays open)."""
    paid = invoice(store, "Cycle Club", "60.00")
    other = invoice(store, "Bike Barn", "60.00")
    with store.write() as uow:
        sales.pay(uow, 1, account="1010", when="2026-11-16")
        entries = uow.session.scalar(select(func.count()).select_from(JournalEntry))
        number = uow.session.scalar(select(func.max(JournalEntry.number)))
    rows = ["date,payee,description,amount,balance", "2026-11-17,Cycle Club,transfer,60.00,60.00"]
    with store.write() as uow:
        import_statement(
            uow,
            ("\n".join(rows) + "\n").encode(),
            account="1010",
            rules=RULES.encode(),
            filename="nov.csv",
        )
    app = BizdeskApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f8")
        await settle(pilot, app)
        await pilot.press("b")
        await settle(pilot, app)
        assert isinstance(app.screen, ReconcileScreen)
        await wait_for(pilot, app, lambda: f"JE-{number}" in _proposals(app), "the payment")
        shown = _proposals(app)
        assert shown.startswith(f"1 JE-{number} Payment of {paid} · Cycle Club\n  the same")
        assert "in the books already" in shown and f"2 {other} · Bike Barn" in shown
        await pilot.press("c")
        await settle(pilot, app)
        await wait_for(pilot, app, lambda: _states(store)["transfer"] == "matched", "the link")
    with store.read() as uow:
        line = uow.session.scalars(select(BankLine)).one()
        assert (line.match, uow.session.get(JournalEntry, line.entry_id).number) == (
            "linked",
            number,
        )
        assert uow.session.scalar(select(func.count()).select_from(JournalEntry)) == entries
        assert reconcile._open_invoice(uow, 2) == (other, 6000)
    assert errors(store) == []


async def test_a_key_in_the_same_burst_as_the_move_never_takes_the_last_lines_proposal(
    store,  # noqa: ANN001
    monkeypatch,  # noqa: ANN001
) -> None:
    """Down and c in one read (a laggy SSH link): c must not confirm the fee line's account
    for the line below it; it waits for that line's own proposals and says so. The read of
    the deposit's proposals is held until c has been handled (on a loaded machine it could
    otherwise finish first, and c then rightly takes the proposal shown for the deposit)."""
    from tests.test_keys import post_burst

    one = invoice(store, "Cycle Club", "100.00")
    two = invoice(store, "Bike Barn", "80.00")
    three = invoice(store, "Bike Barn", "70.00")
    _statement(store, one, two, three)
    with store.read() as uow:
        deposit = uow.session.scalar(select(BankLine.id).where(BankLine.text == "deposit"))
    gate = threading.Event()

    def held(uow, line_ids):  # noqa: ANN001, ANN202
        if line_ids == [deposit]:
            assert gate.wait(60), "the test never let the deposit's proposals be read"
        return proposals(uow, line_ids=line_ids)

    monkeypatch.setattr(bank_screen, "proposals", held)
    app = BizdeskApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f8")
        await settle(pilot, app)
        await pilot.press("b")
        await settle(pilot, app)
        await wait_for(pilot, app, lambda: one in _proposals(app), "the first line's proposals")
        await pilot.press("down", "down")
        await wait_for(pilot, app, lambda: "6400 Bank fees" in _proposals(app), "the fee's")
        post_burst(app, "\x1b[Bc")  # Down, then c before the next line's proposals are read
        for _ in range(600):  # (settle would wait for the held read)
            if any("still being read" in str(n.message) for n in app._notifications):
                break
            await pilot.pause(0.05)
        gate.set()
        assert any("still being read" in str(n.message) for n in app._notifications)
        await settle(pilot, app)
        await wait_for(pilot, app, lambda: "part of the open" in _proposals(app), "the deposit's")
        assert _states(store)["FEE"] == "open"
        assert _states(store)["deposit"] == "open"  # not matched to 6400 with the fee's proposal
        await pilot.press("c", "c")  # c on the line, and a second before the list is read again
        await settle(pilot, app)
        assert not any("undo" in str(n.message).lower() for n in app._notifications)
    assert errors(store) == []


async def test_a_form_key_in_a_burst_opens_its_form_and_the_keys_after_it_go_into_it(
    store,  # noqa: ANN001
    monkeypatch,  # noqa: ANN001
) -> None:
    """Down a 6400 ctrl+s in one read, the deposit's proposals still being read: a was
    refused ("press the key again") and the digits that followed were taken as the screen's
    keys (3 confirmed the third proposal: a payment nobody asked for). The account form now
    opens at once (its proposals read then) and takes the rest of the burst."""
    from tests.test_keys import post_burst

    one = invoice(store, "Cycle Club", "100.00")
    _statement(store, one, invoice(store, "Bike Barn", "80.00"), "INV-9")
    with store.read() as uow:
        deposit = uow.session.scalar(select(BankLine.id).where(BankLine.text == "deposit"))
    gate = threading.Event()

    def held(uow, line_ids):  # noqa: ANN001, ANN202
        if line_ids == [deposit] and threading.current_thread() is not threading.main_thread():
            assert gate.wait(60), "the test never let the deposit's proposals be read"
        return proposals(uow, line_ids=line_ids)

    monkeypatch.setattr(bank_screen, "proposals", held)
    app = BizdeskApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f8")
        await settle(pilot, app)
        await pilot.press("b")
        await settle(pilot, app)
        await wait_for(pilot, app, lambda: one in _proposals(app), "the first line's proposals")
        await pilot.press("down", "down")
        await wait_for(pilot, app, lambda: "6400 Bank fees" in _proposals(app), "the fee's")
        post_burst(app, "\x1b[Ba6400\x13")  # Down a 6400 ctrl+s
        for _ in range(600):  # (settle would wait for the held read)
            if isinstance(app.screen, ReconcileScreen) and _states(store)["deposit"] != "open":
                break
            await pilot.pause(0.05)
        gate.set()
        await settle(pilot, app)
        assert not any("still being read" in str(n.message) for n in app._notifications)
        assert isinstance(app.screen, ReconcileScreen)
    states = _states(store)
    assert states["deposit"] == "matched"
    assert sorted(states.values()) == ["matched", "open", "open", "open"]  # that line alone
    with store.read() as uow:
        memo = uow.session.scalar(
            select(JournalEntry.memo).order_by(JournalEntry.id.desc()).limit(1)
        )
    assert "deposit" in memo or "Someone" in memo, memo
    assert errors(store) == []


async def test_a_line_is_matched_to_the_customers_account_naming_the_customer(store) -> None:  # noqa: ANN001
    """a on a line: the customers' account alone is refused, saying to name the customer;
    with the Contact box filled in, the line is matched and the entry's line names them."""
    from bizdesk.models.ledger import Account, JournalLine

    one = invoice(store, "Cycle Club", "100.00")
    _statement(store, one, invoice(store, "Bike Barn", "80.00"), "INV-9")
    app = BizdeskApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f8")
        await settle(pilot, app)
        await pilot.press("b")
        await settle(pilot, app)
        table = app.screen.query_one(PagedTable)
        await wait_for(pilot, app, lambda: table.page_data is not None, "the lines")
        row = [i for i, r in enumerate(table.page_data.rows) if "deposit" in r.said][0]
        table.grid.move_cursor(row=row)
        await wait_for(pilot, app, lambda: "part of the open" in _proposals(app), "its proposals")
        await pilot.press("a")
        await settle(pilot, app)
        form = app.screen
        form.query_one("#f-account", Input).value = "1100"
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        said = str(form.query_one("#e-account", Static).render())
        assert "naming the customer (Contact in the form" in said, said
        form.query_one("#f-contact", Input).value = "Cycle Club"
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert isinstance(app.screen, ReconcileScreen)
    assert _states(store)["deposit"] == "matched"
    with store.read() as uow:
        named = uow.session.scalar(
            select(JournalLine.contact_id)
            .join(Account, Account.id == JournalLine.account_id)
            .where(Account.code == "1100", JournalLine.credit_minor == 500)
        )
    assert named is not None
    assert errors(store) == []
