"""Keystrokes in order: a burst of keys (lag over SSH, a paste) ends up exactly as typed,
bound keys (tab, ctrl+s, backspace, enter) included, and Tab accepts a type-ahead
suggestion. Through a real pseudo-terminal, each burst written in ONE ``write()``, and with
Pilot (the same bytes parsed by Textual's own terminal parser and posted all at once);
what was saved is read back with the services, never from the screen."""

from __future__ import annotations

import os
import select
import time
from collections.abc import Callable

import pytest
from textual._xterm_parser import XTermParser
from textual.widgets import Select, Tabs

from bizdesk.app import BizdeskApp
from bizdesk.db import Store, open_store
from bizdesk.screens.contacts import ContactScreen
from bizdesk.services.admin import drafts
from bizdesk.services.base.paging import PageRequest
from bizdesk.services.crm import contacts as C
from bizdesk.services.inventory import locations, products
from bizdesk.services.trade import purchasing as PU
from bizdesk.widgets.confirm import ConfirmScreen
from bizdesk.widgets.form import FormScreen
from tests.erp_helpers import order, product, supplier
from tests.test_ssh import Terminal, screen_text
from tests.test_ssh import shop as shop  # noqa: F401  (the fixture: a new store, set up)
from tests.tui_helpers import SIZE, settle

F3 = "\x1bOR"  # Contacts
F7 = "\x1b[18~"  # Purchases
TAB, CTRL_S, BACKSPACE, ENTER, CTRL_P = "\t", "\x13", "\x7f", "\r", "\x10"
LIST = "Archive"  # in the footer of the contacts list, not on the form


def paste(text: str) -> str:
    """``text`` as a terminal sends a paste (bracketed paste mode, which Textual turns on)."""
    return f"\x1b[200~{text}\x1b[201~"


# --- through a pseudo-terminal ---------------------------------------------------------


def wait_until(term: Terminal, done: Callable[[str], bool], what: str, limit: float = 120) -> str:
    """Read the terminal until ``done(screen text read meanwhile)`` holds; the screen text
    is what was drawn since the call."""
    got = b""
    end = time.monotonic() + limit
    while time.monotonic() < end:
        ready, _, _ = select.select([term.master], [], [], 0.1)
        if ready:
            try:
                chunk = os.read(term.master, 65536)
            except OSError:
                break
            got += chunk
            term.output += chunk
        text = screen_text(got)
        if done(text):
            return text
    raise AssertionError(f"waited {limit} s for {what}; the screen drew: {screen_text(got)!r}")


def showing(term: Terminal, *texts: str) -> str:
    return wait_until(term, lambda s: all(t in s for t in texts), f"{texts!r} on screen")


def new_contact_form(term: Terminal) -> None:
    """From Home, through the contacts list, to its new-contact form (each key once the
    screen before it is drawn)."""
    showing(term, "Home")
    os.write(term.master, F3.encode())
    showing(term, "New")
    os.write(term.master, b"n")
    showing(term, "New contact")


def contact_count(store: Store) -> int:
    with store.read() as uow:
        return C.counts(uow)["contacts"]


def contact(store: Store, name: str) -> C.ContactView | None:
    with store.read() as uow:
        found = C.find_by_name_or_email(uow, name)
        return C.get(uow, found.id) if found else None


@pytest.fixture
def terminal(shop, tmp_path):
    term = Terminal(shop, tmp_path / "state")
    yield term
    term.close()


def save_burst(
    term: Terminal, store: Store, burst: str, contacts_after: int, back_to: str = ""
) -> str:
    """Write ``burst`` (ending in ctrl+s) in one write; wait until the store holds
    ``contacts_after`` contacts (and, with ``back_to``, the form has closed: that text, not
    on the form, is drawn again) or the form says it did not save."""
    os.write(term.master, burst.encode())
    return wait_until(
        term,
        lambda s: "Not saved" in s or (contact_count(store) >= contacts_after and back_to in s),
        "the form to save or refuse",
    )


def test_bursts_into_the_contact_form_are_saved_as_typed(shop, terminal):
    store = open_store(str(shop))
    with store.write() as uow:
        C.create(uow, C.ContactInput(name="BurstOrg", kind="organization"))
    new_contact_form(terminal)

    # letters then ctrl+s (a priority binding): the save sees every letter
    screen = save_burst(terminal, store, "Quick Save Name" + CTRL_S, 2, LIST)
    assert "Not saved" not in screen
    assert contact(store, "Quick Save Name") is not None

    # tab moves on between letters: Name, Kind (left as it is), Organisation, Email
    os.write(terminal.master, b"n")
    showing(terminal, "New contact")
    burst = "Burst One" + TAB + TAB + "BurstOrg" + TAB + "b@example.com" + CTRL_S
    assert "Not saved" not in save_burst(terminal, store, burst, 3, LIST)
    saved = contact(store, "Burst One")
    assert saved is not None
    assert (saved.name, saved.organization, saved.email) == (
        "Burst One",
        "BurstOrg",
        "b@example.com",
    )

    # backspace in the middle of a burst deletes what was typed just before it
    os.write(terminal.master, b"n")
    showing(terminal, "New contact")
    burst = (
        "Backspace Tesx" + BACKSPACE + "t" + TAB + TAB + TAB + "bs@example.comm" + BACKSPACE
    ) + CTRL_S
    assert "Not saved" not in save_burst(terminal, store, burst, 4, LIST)
    saved = contact(store, "Backspace Test")
    assert saved is not None and saved.email == "bs@example.com"

    # a paste (bracketed) between typed keys
    os.write(terminal.master, b"n")
    showing(terminal, "New contact")
    burst = "Ann " + paste("Pasted") + " Lee" + TAB * 3 + paste("ann@example.com") + CTRL_S
    assert "Not saved" not in save_burst(terminal, store, burst, 5)
    saved = contact(store, "Ann Pasted Lee")
    assert saved is not None and saved.email == "ann@example.com"
    assert contact_count(store) == 5  # nothing else was made on the way


def test_a_paste_holding_an_escape_is_refused_not_scrambled(shop, terminal):
    """Textual's parser read an ESC inside a paste as a key: "abc<ESC>def" pasted into a
    name saved "^defabc". The field now holds what was pasted, which the text rule refuses
    by name; with the ESC taken out, what is pasted is saved as it is."""
    store = open_store(str(shop))
    new_contact_form(terminal)
    os.write(terminal.master, (paste("abc\x1bdef") + CTRL_S).encode())
    # (the refusal may be drawn over two reads: wait for all of it, or for a save)
    screen = wait_until(
        terminal,
        lambda s: ("Not saved" in s and "control character" in s) or contact_count(store),
        "the form to refuse or save",
    )
    assert "Not saved" in screen and "control character" in screen, screen
    assert contact_count(store) == 0
    # the field holds the pasted text: emptied and pasted again without the ESC, it saves
    os.write(terminal.master, ("\x15" + paste("abcdef") + CTRL_S).encode())  # ctrl+u empties
    wait_until(terminal, lambda s: contact_count(store) == 1, "the contact saved")
    assert contact(store, "abcdef") is not None and contact(store, "^defabc") is None


@pytest.mark.parametrize(
    "reads",
    [
        ["\x1b[200~abc\x1bdef\x1b[201~x"],
        ["\x1b[2", "00~abc\x1b", "def\x1b[2", "01~x"],  # both marks cut between reads
        ["\x1b", "[200~abc", "\x1b", "def", "\x1b", "[201~", "x"],
        ["\x1b[", "2", "0", "0~abc\x1bd", "ef\x1b[", "20", "1", "~x"],  # one byte a read
    ],
)
def test_an_escape_in_a_paste_stays_in_it_however_the_reads_cut_it(reads: list[str]) -> None:
    from bizdesk.terminal import PasteKeeper

    parser, keeper, got = XTermParser(), PasteKeeper(), []
    for text in reads:
        if passed := keeper.feed(text):  # ("" would tell the parser the input ended)
            got += [keeper.event(e) for e in parser.feed(passed)]
    assert [(type(e).__name__, getattr(e, "text", None) or e.key) for e in got] == [
        ("Paste", "abc\x1bdef"),
        ("Key", "x"),
    ]


def test_typing_ahead_into_a_form_that_is_opening(shop, terminal):
    store = open_store(str(shop))
    showing(terminal, "Home")
    os.write(terminal.master, F3.encode())
    showing(terminal, "New")
    # the key that opens the form and what goes into it, in one write
    screen = save_burst(terminal, store, "n" + "Early Bird" + TAB * 3 + "e@example.com" + CTRL_S, 1)
    assert "Not saved" not in screen
    saved = contact(store, "Early Bird")
    assert saved is not None and saved.email == "e@example.com"


def test_escape_and_a_letter_in_one_burst_are_both_acted_on(shop, terminal):
    """Escape then n in one write is what a terminal sends for alt+n: Textual read it so,
    the escape was lost and the n went into the form's first field ("nAlpha" saved in the
    form escape was to close). The escape closes the form, n opens a new one."""
    store = open_store(str(shop))
    new_contact_form(terminal)
    screen = save_burst(terminal, store, "\x1bn" + "Alpha" + CTRL_S, 1)
    assert "Not saved" not in screen
    assert contact(store, "Alpha") is not None and contact(store, "nAlpha") is None


def test_keys_typed_while_the_store_opens_wait_their_turn(shop, tmp_path):
    """Over a slow link one types ahead while bizdesk starts: the keys written the moment
    it is launched (before its store is open) are acted on in order once Home is there.
    (ctrl+s comes after: typed before the program sets the terminal raw, the terminal
    itself would take it as XOFF, whatever program runs.)"""
    store = open_store(str(shop))
    term = Terminal(shop, tmp_path / "state")
    try:
        os.write(term.master, (F3 + "n" + "Early Start" + TAB * 3 + "s@example.com").encode())
        showing(term, "New contact", "s@example.com")
        assert "Not saved" not in save_burst(term, store, CTRL_S, 1)
        saved = contact(store, "Early Start")
        assert saved is not None and saved.email == "s@example.com"
    finally:
        term.close()


def test_a_burst_into_the_receive_form_saves_to_the_location_typed(shop, terminal):
    store = open_store(str(shop))
    sid = supplier(store)
    pid = product(store, "BOLT", name="Bolt M8", cost="0.20")
    with store.write() as uow:
        locations.add_location(uow, "Basement")
    po = order(store, sid, ("BOLT", "10", "0.20"))
    showing(terminal, "Home")
    os.write(terminal.master, F7.encode())
    showing(terminal, po.label)
    os.write(terminal.master, ENTER.encode())
    showing(terminal, "Receive")
    os.write(terminal.master, b"r")
    showing(terminal, f"Receive goods on {po.label}")

    def received(screen: str) -> bool:
        with store.read() as uow:
            return "Not saved" in screen or PU.get(uow, po.id).state == "received"

    # from the quantity (10 to come) to the location, then save
    os.write(terminal.master, (TAB + "Basement" + CTRL_S).encode())
    screen = wait_until(terminal, received, "the receipt to save or be refused")
    assert "Not saved" not in screen
    with store.read() as uow:
        where = [(x.location, x.on_hand) for x in products.get_product(uow, pid).locations]
    assert where == [("Basement", 10)]


def test_tab_accepts_type_ahead_in_a_burst(shop, terminal):
    store = open_store(str(shop))
    sid = supplier(store, "Acme Supply")
    product(store, "BOLT", name="Bolt M8", cost="0.20")
    product(store, "WSH-1", name="Nylon washer", cost="0.05")
    with store.write() as uow:
        C.create(uow, C.ContactInput(name="Northwind Traders", kind="organization"))
    showing(terminal, "Home")

    # the organisation picker of the contact form
    os.write(terminal.master, F3.encode())
    showing(terminal, "New")
    os.write(terminal.master, b"n")
    showing(terminal, "New contact")
    burst = "Picker Person" + TAB + TAB + "North" + TAB + "p@example.com" + CTRL_S
    assert "Not saved" not in save_burst(terminal, store, burst, 3, LIST)
    saved = contact(store, "Picker Person")
    assert saved is not None
    assert (saved.organization, saved.email) == ("Northwind Traders", "p@example.com")

    # the supplier and the product pickers of a purchase order, enter adding each line
    os.write(terminal.master, F7.encode())
    showing(terminal, "New order")
    os.write(terminal.master, b"n")
    showing(terminal, "New purchase order")
    burst = (
        "Acm" + TAB * 4  # supplier, order date, expected, notes (the empty table: no stop)
        + "BOL" + TAB + "5" + TAB * 3 + "first line" + ENTER  # the line editor
        + "bol" + TAB + "2" + ENTER
        + "Nylo" + TAB + "3" + ENTER  # a product by its name's start
        + CTRL_S
    )  # fmt: skip
    os.write(terminal.master, burst.encode())

    def saved_order(screen: str) -> bool:
        with store.read() as uow:
            return "Not saved" in screen or PU.list_page(uow, PageRequest()).rows != []

    assert "Not saved" not in wait_until(terminal, saved_order, "the order to save")
    with store.read() as uow:
        (row,) = PU.list_page(uow, PageRequest()).rows
        po = PU.get(uow, row.id)
    assert po.supplier == "Acme Supply" and po.supplier_id == sid
    assert [(ln.sku, str(ln.qty), ln.description) for ln in po.lines] == [
        ("BOLT", "5", "first line"),
        ("BOLT", "2", "Bolt M8"),
        ("WSH-1", "3", "Nylon washer"),
    ]


# --- with Pilot: the same bytes, parsed by Textual's terminal parser, posted at once ----


def post_burst(app: BizdeskApp, data: str) -> None:
    """Every key of ``data`` in the app's queue before the first is handled, as when a
    terminal delivers them in one read."""
    for event in XTermParser().feed(data):
        app.post_message(event)


async def wait_for(pilot, check: Callable[[], bool], what: str, limit: float = 60) -> None:  # noqa: ANN001
    end = time.monotonic() + limit
    while not check():
        assert time.monotonic() < end, f"waited {limit} s for {what}"
        await pilot.pause(0.05)
    # in order, and in time: no key went on only because the wait for the one before it
    # was given up (a marker that never came back: widgets/keys.py GIVE_UP_SECONDS)
    assert pilot.app.keys_given_up == 0


async def open_new_contact(pilot, app: BizdeskApp) -> FormScreen:  # noqa: ANN001
    await settle(pilot, app)
    await pilot.press("f3")
    await settle(pilot, app)
    await pilot.press("n")
    await settle(pilot, app)
    assert isinstance(app.screen, FormScreen)
    return app.screen


async def test_pilot_burst_with_shift_tab_backspace_and_ctrl_s(store):
    app = BizdeskApp(store)
    async with app.run_test(size=SIZE) as pilot:
        form = await open_new_contact(pilot, app)
        # email first, back to the name with shift+tab, a typo mended with backspace
        burst = (
            TAB * 3 + "x@example.org" + "\x1b[Z" * 3 + "Shifty Tipo" + BACKSPACE * 2 + "yo"
        ) + CTRL_S
        post_burst(app, burst)
        await wait_for(
            pilot,
            lambda: form.saved or "Not saved" in str(form.query_one("#form-error").render()),
            "a save",
        )
        assert form.saved
    saved = contact(store, "Shifty Tiyo")
    assert saved is not None and saved.email == "x@example.org"


async def test_pilot_keys_typed_while_a_form_saves_act_after_it(store):
    """Name, ctrl+s, n, another name, ctrl+s in one read: the keys after the first ctrl+s
    wait for its save, then open the next form (they never land in the closing form)."""
    app = BizdeskApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await open_new_contact(pilot, app)
        post_burst(app, "First Burst" + CTRL_S + "n" + "Second Burst" + CTRL_S)
        await wait_for(pilot, lambda: contact(store, "Second Burst") is not None, "two saves")
        await settle(pilot, app)
        assert not isinstance(app.screen, FormScreen)
    assert contact(store, "First Burst") is not None
    assert contact_count(store) == 2


async def test_pilot_keys_typed_while_a_form_is_refused_go_into_it(store):
    """ctrl+s on an empty name, then a name and ctrl+s in the same read: the name waits for
    the refusal, is typed into the form that stayed, and saves."""
    app = BizdeskApp(store)
    async with app.run_test(size=SIZE) as pilot:
        form = await open_new_contact(pilot, app)
        post_burst(app, CTRL_S + "Named Late" + CTRL_S)
        await wait_for(pilot, lambda: form.saved, "the second save")
    assert contact(store, "Named Late") is not None
    assert contact_count(store) == 1


async def test_pilot_tab_keeps_a_filled_picker_as_it_is(store):
    """Tab accepts only a suggestion for what was typed in the field: tabbing through a
    field filled in before it had the focus (a restored draft) leaves the text alone,
    though a name starts with it."""
    with store.write() as uow:
        C.create(uow, C.ContactInput(name="Acme Holdings", kind="organization"))
    app = BizdeskApp(store)
    async with app.run_test(size=SIZE) as pilot:
        form = await open_new_contact(pilot, app)
        form.apply_draft({"values": {"organization": "Acme"}})
        await settle(pilot, app)
        post_burst(app, TAB * 3)  # Name -> Kind -> Organisation -> Email
        await wait_for(pilot, lambda: app.focused.id == "f-email", "the focus on Email")
        await settle(pilot, app)
        assert form.values()["organization"] == "Acme"


async def test_pilot_end_takes_the_suggestion_as_the_right_arrow_does(store):
    with store.write() as uow:
        C.create(uow, C.ContactInput(name="Northwind Traders", kind="organization"))
    app = BizdeskApp(store)
    async with app.run_test(size=SIZE) as pilot:
        form = await open_new_contact(pilot, app)
        box = form.query_one("#f-organization")
        box.focus()
        await pilot.press(*"North")
        await wait_for(pilot, lambda: box._suggestion == "Northwind Traders", "the suggestion")
        await pilot.press("home", "end")
        assert form.values()["organization"] == "Northwind Traders"


async def test_pilot_a_suggestion_goes_on_from_the_letters_typed(store):
    # names are found without accents, but the suggestion shown after "Ște" is the one whose
    # name starts so: accepting it writes what the box showed
    with store.write() as uow:
        for name in ("Stefan Bikes", "Ștefan Bikes"):
            C.create(uow, C.ContactInput(name=name, kind="organization"))
    app = BizdeskApp(store)
    async with app.run_test(size=SIZE) as pilot:
        form = await open_new_contact(pilot, app)
        box = form.query_one("#f-organization")
        box.focus()
        await pilot.press(*"Ște")
        await wait_for(pilot, lambda: box._suggestion == "Ștefan Bikes", "the suggestion")
        await pilot.press("ctrl+u", *"ste")
        await wait_for(pilot, lambda: box._suggestion == "Stefan Bikes", "the other one")


async def test_pilot_burst_slash_and_a_filter_loses_no_key(store):
    for name in ("Anna Cole", "Cyrus Dane", "Cyril Moss"):
        with store.write() as uow:
            C.create(uow, C.ContactInput(name=name))
    app = BizdeskApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("f3")
        await settle(pilot, app)
        post_burst(app, "/cyru")  # the / and what follows, in one read
        table = app.query_one("#contacts-table")
        await wait_for(pilot, lambda: table.req.search == "cyru", "the whole filter")
        await wait_for(
            pilot,
            lambda: [r.name for r in table.page_data.rows] == ["Cyrus Dane"],
            "the filtered rows",
        )


# --- a list's moving keys before its rows are read ---------------------------------------

DOWN = "\x1b[B"


def _contacts(store: Store, *names: str) -> None:
    with store.write() as uow:
        for name in names:
            C.create(uow, C.ContactInput(name=name))


def test_a_burst_into_a_list_not_read_yet_opens_the_row_it_counts_to(shop, terminal):
    """F3, down, down, enter in one write: the rows are not read when the keys arrive; they
    wait for the page and open the third contact by name, not nothing."""
    store = open_store(str(shop))
    _contacts(store, "Anna Cole", "Bruno Diaz", "Carla Eve", "Dora Fay")
    showing(terminal, "Home")
    os.write(terminal.master, (F3 + DOWN + DOWN + ENTER).encode())
    showing(terminal, "bizdesk — Carla Eve", "E-mail consent")


async def test_pilot_burst_filter_then_enter_opens_the_row_filtered(store):
    """/cyr enter enter in one read: the second enter opens the first row of the filtered
    list (read after the burst), never a row of the list shown before it."""
    _contacts(store, "Anna Cole", "Cyrus Dane", "Cyril Moss")
    app = BizdeskApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("f3")
        await settle(pilot, app)
        post_burst(app, "/cyr" + ENTER + ENTER)
        await wait_for(pilot, lambda: isinstance(app.screen, ContactScreen), "a contact")
        await settle(pilot, app)  # drawn whole before the app closes
        assert app.screen.contact_id == contact(store, "Cyril Moss").id


async def test_pilot_a_key_after_a_kept_enter_acts_on_the_row_it_opens(store):
    """/cyr enter enter i in one read: i (log an interaction) waits for the contact the
    second enter opens, instead of acting on the list (where it is nothing) first."""
    _contacts(store, "Anna Cole", "Cyrus Dane", "Cyril Moss")
    app = BizdeskApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("f3")
        await settle(pilot, app)
        post_burst(app, "/cyr" + ENTER + ENTER + "i")
        await wait_for(pilot, lambda: isinstance(app.screen, FormScreen), "the interaction form")
        await settle(pilot, app)
        assert isinstance(app.screen_stack[-2], ContactScreen)
        assert app.screen_stack[-2].contact_id == contact(store, "Cyril Moss").id


async def test_pilot_moving_keys_wait_for_the_next_page(store):
    """Down past the last row reads the next page; more downs and enter in the same burst
    act on that page once shown: the row they count to opens."""
    names = [f"Person {i:03d}" for i in range(60)]
    _contacts(store, *names)
    app = BizdeskApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("f3")
        await settle(pilot, app)
        table = app.query_one("#contacts-table")
        shown = len(table.page_data.rows)
        post_burst(app, DOWN * (shown + 2) + ENTER)
        await wait_for(pilot, lambda: isinstance(app.screen, ContactScreen), "a contact")
        await settle(pilot, app)  # drawn whole before the app closes
        assert app.screen.contact_id == contact(store, names[shown + 2]).id


async def _draft_offered_after_a_burst(pilot, app: BizdeskApp, store: Store) -> ConfirmScreen:  # noqa: ANN001
    """A kept draft of "New contact", then "n", a name and ctrl+s typed in one burst from
    the contacts list: the question the draft brings stays unanswered, nothing is saved."""
    drafts.save_draft(store.url, "New contact", {"values": {"name": "Kept Typing"}})
    before = contact_count(store)
    await settle(pilot, app)
    await pilot.press("f3")
    await settle(pilot, app)
    post_burst(app, "n" + "Burst Name" + CTRL_S)  # its "r" would restore, its "n"...
    await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the draft question")
    await settle(pilot, app)
    assert isinstance(app.screen, ConfirmScreen), app.screen
    assert contact_count(store) == before
    return app.screen


async def test_pilot_keys_typed_before_a_draft_question_do_not_answer_it(
    store, tmp_path, monkeypatch
):
    """The typing is kept aside while the question waits, and goes into the form it was
    typed for once the answer leaves that form as it opened (discard, later)."""
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    app = BizdeskApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await _draft_offered_after_a_burst(pilot, app, store)
        await pilot.press("d")  # discard: the burst then fills the empty form and saves it
        await wait_for(pilot, lambda: contact(store, "Burst Name") is not None, "the save")
        assert drafts.load_draft(store.url, "New contact") is None

        await _draft_offered_after_a_burst(pilot, app, store)
        await pilot.press("escape")  # later: the same, and the draft stays
        await wait_for(pilot, lambda: contact_count(store) == 2, "the second save")
        assert drafts.load_draft(store.url, "New contact") is not None
    assert contact(store, "Kept Typing") is None


async def test_pilot_a_restored_draft_takes_none_of_the_keys_typed_before(
    store, tmp_path, monkeypatch
):
    """Restore changes the form the burst was typed for: its keys are not applied (a ctrl+s
    among them would save a mix of both), and the form says so."""
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    app = BizdeskApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await _draft_offered_after_a_burst(pilot, app, store)
        await pilot.press("r")
        await wait_for(pilot, lambda: isinstance(app.screen, FormScreen), "the form")
        await settle(pilot, app)
        form = app.screen
        assert form.values()["name"] == "Kept Typing"
        said = str(form.query_one("#form-error").render())
        assert "What you typed before the question appeared was not applied." in said
        assert contact_count(store) == 0
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: contact(store, "Kept Typing") is not None, "the save")
    assert contact_count(store) == 1


async def test_pilot_tab_stops_only_on_fields_and_wraps_to_the_first(store):
    """Tab past the last field went to the fields' scrolling box (focusable when the form
    is taller than the screen, and drawn as nothing): what was typed there was lost. Now
    every Tab stop is a field, and Tab from the last goes to the first."""
    app = BizdeskApp(store)
    async with app.run_test(size=SIZE) as pilot:
        form = await open_new_contact(pilot, app)
        fields = [f"f-{f.name}" for f in form.fields]
        assert [w.id for w in form.focus_chain] == fields
        post_burst(app, TAB * len(fields) + "Wrapped Round" + CTRL_S)
        await wait_for(pilot, lambda: form.saved, "a save")
    assert contact(store, "Wrapped Round") is not None


async def test_pilot_palette_enter_runs_what_was_typed_not_a_stale_hit(store):
    """ctrl+p, a name and enter in one read: enter waits for the search of the name, and
    runs its first hit (the statement report), not the first of the hits the empty box
    listed (Home) while the search was still under way."""
    app = BizdeskApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        post_burst(app, CTRL_P + "statement" + ENTER)
        await wait_for(pilot, lambda: app.query_one(Tabs).active == "reports", "Reports")
        await settle(pilot, app)
        assert app.query_one("#report", Select).value == "statement"


async def test_pilot_a_key_typed_before_a_lists_first_page_acts_on_its_rows(store):
    """ctrl+p, "outbox", enter, x, y in one read: x came before the outbox's first page was
    read, found no row under the cursor and did nothing (y neither). Keys now wait for a
    list's first page: the newest message is cancelled."""
    from bizdesk.screens.outbox import OutboxScreen
    from bizdesk.services.mail import outbox
    from tests.test_mail import customer, queue

    message = queue(store, customer(store), "INV-00004")
    app = BizdeskApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        post_burst(app, CTRL_P + "outbox" + ENTER + "xy")
        await wait_for(pilot, lambda: isinstance(app.screen, OutboxScreen), "the outbox")

        def state() -> str:
            with store.read() as uow:
                return outbox.get_message(uow, message).state

        await wait_for(pilot, lambda: state() == "cancelled", "the message cancelled")


async def test_pilot_keys_typed_while_a_form_opens_after_a_read_are_typed_into_it(store):
    """a (adjust) reads the product before its form opens; "a 5 Tab broken ctrl+s" in one
    read lost "5 Tab bro" (released before the form had its focus: typed into nothing),
    and the form said "a number is required". Keys now wait for the form to be ready."""
    from bizdesk.services.inventory import moves as M

    pid = product(store, "BOLT", name="Bolt M8", cost="0.20")
    app = BizdeskApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("f6")
        await settle(pilot, app)
        post_burst(app, "a5" + TAB + "broken" + CTRL_S)

        def on_hand() -> list:
            with store.read() as uow:
                page = M.product_moves(uow, pid, PageRequest())
                return [(m.kind, m.qty, m.reason) for m in page.rows]

        await wait_for(pilot, lambda: on_hand() != [], "the adjustment saved")
        assert on_hand() == [("adjustment", 5, "broken")]
