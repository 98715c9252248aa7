"""What every pane and page shares: running a service in a worker and telling the outcome."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Static

from bizdesk.errors import ValidationError
from bizdesk.faults import describe
from bizdesk.fieldnames import refusal
from bizdesk.formatting import visible
from bizdesk.i18n import _, tr
from bizdesk.identity import current_gate
from bizdesk.widgets.footer import KeysFooter
from bizdesk.widgets.header import Header
from bizdesk.words import SLA_NAMES, TICKET_STATUS_NAMES

if TYPE_CHECKING:
    from bizdesk.widgets.paged_table import PagedTable


class ServiceResult(Message):
    """What a service did (``value``) or why not (``error``), and what follows (``done``).
    ``ran`` marks the answer of ``run_service`` (other workers tell their outcome this way
    too)."""

    def __init__(
        self,
        done: Callable[[Any], None] | None,
        value: Any,
        error: Exception | None,
        success: str | None,
        ran: bool = False,
    ) -> None:
        super().__init__()
        self.done, self.value, self.error, self.success = done, value, error, success
        self.ran = ran


class ServiceRunner:
    """Mixin for widgets and screens: ``run_service(fn)`` calls ``fn(uow)`` in a thread."""

    @work(thread=True, group="service")
    def run_service(
        self,
        fn: Callable[[Any], Any],
        *,
        write: bool = True,
        done: Callable[[Any], None] | None = None,
        success: str | None = None,
    ) -> None:
        store = self.app.store
        try:
            with store.write() if write else store.read() as uow:
                value = fn(uow)
        except Exception as exc:
            self.post_message(ServiceResult(done, None, exc, None, ran=True))
            return
        self.post_message(ServiceResult(done, value, None, success, ran=True))

    def on_service_result(self, msg: ServiceResult) -> None:
        msg.stop()
        if msg.error is not None:
            self.say_not_done(msg.error)
            return
        if msg.success:
            self.notify(tr(msg.success), markup=False)
        if msg.done is not None:
            msg.done(msg.value)

    def say_not_done(self, err: Exception) -> None:
        if isinstance(err, ValidationError):  # its fields named in the reader's language
            text = visible(refusal(err))
        else:
            text = describe(err, self.app.store.url)  # one sentence, never SQL
        self.notify(text, title=_("Not done"), severity="error", markup=False)


class Pane(ServiceRunner, Vertical):
    """A tab's content. HELP (N_-marked) is shown by F1, translated, with the pane's keys."""

    HELP = ""

    def focus_main(self) -> None:
        """Focus the pane's main widget (its list)."""

    def on_show(self) -> None:
        """A tab's pane takes the focus when it is first drawn, however long that took."""
        self.app.focus_active_pane()


class FollowsOthers:
    """Mixin for a screen opened over the tabs (a list, a record's page, the production
    plan): the app's look for changes (every 2 s) calls ``changed_elsewhere`` when someone
    else wrote what it may show, and it is read again (``reread``) at once if on view, else
    when it shows again. ``REREAD_ON_RESUME``: read again whenever it shows again (the
    screens opened over it change what it shows)."""

    REREAD_ON_RESUME = False
    _behind = False  # changed elsewhere while another screen was over it

    def reread(self) -> None:
        raise NotImplementedError

    def changed_elsewhere(self) -> None:
        if self.app.screen is self:
            self.reread()
        else:
            self._behind = True

    def on_screen_resume(self) -> None:
        if self._behind or self.REREAD_ON_RESUME:
            self._behind = False
            self.reread()


class WithTable(FollowsOthers):
    """Mixin for a pane or screen built around one PagedTable: other people's changes
    reload it (its cursor kept on its record)."""

    @property
    def table(self) -> PagedTable:
        # by its name: Home (built at start, no list) does not import the lists' widget
        return self.query_one("PagedTable")

    def refresh_data(self) -> None:
        self.table.reload()

    def reread(self) -> None:
        self.refresh_data()


class ListPane(WithTable, Pane):
    """A pane whose main widget is a PagedTable: focus goes to it."""

    def focus_main(self) -> None:
        self.table.focus_grid()

    def read_ahead(self, height: int) -> None:
        """Built ahead, not shown yet: read the first rows for a pane ``height`` high."""
        self.table.read_ahead(height, top=self)


class RecordLoaded(Message):
    """A record read for its page (``view``), or why it could not be (``error``); ``number``
    says which reading it answers."""

    def __init__(self, view: Any, number: int, error: Exception | None = None) -> None:
        super().__init__()
        self.view, self.number, self.error = view, number, error


class KeysWaitForServices(ServiceRunner):
    """Mixin for a screen or a pane: keys typed while one of its services runs wait in the
    app's line (``holds_keys``, widgets/keys.py) and act in order once it is done and what
    it set off has begun (a list read again, which holds them too): "a ↓ a" in one burst on
    the leave list approves the first request, then the second, never the first twice."""

    _services = 0  # services running for this screen or pane

    @property
    def holds_keys(self) -> bool:
        return self._services > 0

    def run_service(self, fn: Callable[[Any], Any], **kwargs: Any) -> Any:  # noqa: ANN401
        self._services += 1
        return super().run_service(fn, **kwargs)

    def on_service_result(self, msg: ServiceResult) -> None:
        # Textual calls ServiceRunner's handler too, after this one: it says what happened
        # and runs what was to follow (often reading again, which holds the keys again)
        if msg.ran:
            self._services -= 1
            self.settled()

    def settled(self) -> None:
        """Let the keys go on if nothing holds them any more."""
        if not self.holds_keys:
            # once what was drawn is on the screen (and what followed the service began)
            self.app.call_after_refresh(self.app.release_keys)


class ServiceScreen(KeysWaitForServices, Screen):
    """A screen whose keys wait for its services (KeysWaitForServices)."""


class RecordScreen(FollowsOthers, ServiceScreen):
    """One record's page: read in a worker by ``fetch``, drawn by ``show``.

    Keys typed before its record is first read wait for it, as they wait for an action's
    service and the reading after it: over SSH "enter y" arrives at once and opens a
    payroll run, then its pay form; "s r" on a purchase order marks it sent, then receives
    on the order as sent (not on the draft it was)."""

    HELP = ""

    def __init__(self, record_id: int) -> None:
        super().__init__()
        self.record_id = record_id
        self.view: Any = None
        self._asked = 1  # readings asked for (the first when mounted) ...
        self._answered = 0  # ... and the newest answered
        self._quiet: set[int] = set()  # readings asked for by others' changes, not by a key
        self._read_last: Any = None  # what fetch gave for what is drawn (show may keep a part)

    @property
    def holds_keys(self) -> bool:
        return self._answered < self._asked or self._services > 0

    def compose(self) -> ComposeResult:
        yield Header(icon="")
        with VerticalScroll(id="body"):
            yield from self.body()
        yield KeysFooter()

    def body(self) -> ComposeResult:
        yield Static(_("Loading…"), id="main")

    def fetch(self, uow: Any) -> Any:
        raise NotImplementedError

    def show(self, view: Any) -> None:
        raise NotImplementedError

    def on_mount(self) -> None:
        self._read(self._asked)

    def load(self) -> None:
        """Read the record again and show it."""
        self._asked += 1
        self._read(self._asked)

    def reread(self) -> None:
        """Someone else wrote what this page may show (FollowsOthers): it is drawn again
        only if it differs, and a reading that fails (the record deleted) says nothing: the
        next key on it is refused with the reason."""
        self._quiet.add(self._asked + 1)
        self.load()

    @work(thread=True, exclusive=True, group="record")
    def _read(self, number: int) -> None:
        try:
            with self.app.store.read() as uow:
                view = self.fetch(uow)
        except Exception as exc:
            self.post_message(RecordLoaded(None, number, exc))
            return
        self.post_message(RecordLoaded(view, number))

    def on_record_loaded(self, msg: RecordLoaded) -> None:
        msg.stop()
        quiet = msg.number in self._quiet
        self._quiet.discard(msg.number)
        if msg.number < self._answered:
            return  # an older reading, answered after a newer one
        self._answered = msg.number
        if msg.error is not None:
            if not quiet:
                self.say_not_done(msg.error)
        elif not (quiet and msg.view == self._read_last):
            self.view = self._read_last = msg.view
            self.show(msg.view)
            self.refresh_bindings()  # keys offered by the record's state (check_action)
        self.settled()


def tickets_text(tickets: list) -> Text:
    """The tickets about a document or product, for its page (the other side of a link)."""
    t = Text()
    if tickets:
        t.append("\n" + _("Tickets about this") + "\n", style="bold")
        for r in tickets:
            status = _(TICKET_STATUS_NAMES.get(r.status, r.status))
            t.append(f"  #{r.id} {r.subject} · {status} · {_(SLA_NAMES.get(r.sla, r.sla))}\n")
    return t


def no_files_here(screen: Any) -> bool:  # noqa: ANN401
    """Under the shop's gate bizdesk writes no file on the server for a person
    (bizdesk/files.py): a key that would ask where to write one says so at once, and how to
    get it instead, rather than offering a file name it then refuses."""
    if current_gate() is None:
        return False
    screen.notify(
        _(
            "In this shop bizdesk does not write files on the server (it runs as the shop's "
            "account). From your own computer: ssh SHOP@SERVER bizdesk report NAME --format "
            "csv > FILE, or print KIND NUMBER -o - > FILE for a PDF."
        ),
        severity="warning",
        markup=False,
    )
    return True
