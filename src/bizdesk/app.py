"""The Textual app: one window, tabs across the top, the footer showing the live keys."""

from __future__ import annotations

import asyncio
import os
import re
import select
import signal
import sys
import termios
import threading
import time
from collections.abc import Callable, Mapping
from datetime import date
from functools import partial
from typing import TYPE_CHECKING

from rich.cells import cell_len
from rich.text import Text
from textual import constants, events, work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.command import CommandPalette
from textual.css.query import NoMatches
from textual.driver import Driver
from textual.filter import LineFilter
from textual.screen import ModalScreen, Screen
from textual.widgets import Input, Static, TabbedContent, TabPane, TextArea
from textual.widgets._tabbed_content import ContentTab, ContentTabs

from bizdesk import collector
from bizdesk.config import Settings, load_settings, sqlite_path
from bizdesk.errors import BizdeskError, StoreDamaged
from bizdesk.faults import describe, translate
from bizdesk.formatting import UNSAFE, visible
from bizdesk.i18n import (
    LANGUAGE_NAMES,
    N_,
    Message,
    _,
    ngettext,
    setting_name,
    tr,
    use_setting,
)
from bizdesk.identity import current_gate
from bizdesk.reading import date_text
from bizdesk.screens.palette import BizdeskCommands, FindRecords, Palette
from bizdesk.screens.registry import APP_KEYS, TABS, check_keymap, keys_of, tab
from bizdesk.services.base.permissions import allowed, refusal
from bizdesk.terminal import QuietLinuxDriver
from bizdesk.widgets.footer import KeysFooter
from bizdesk.widgets.form import FormScreen
from bizdesk.widgets.header import Header
from bizdesk.widgets.keys import OrderedKeys
from bizdesk.words import USER_ROLE_NAMES

if TYPE_CHECKING:  # the database stack is imported by the opening worker, after a frame
    from bizdesk.db.session import Store
    from bizdesk.services.overview.glance import Glance
    from bizdesk.services.papers.shop import Saved

# Textual waits ESCDELAY ms after an escape byte for the rest of a key's sequence (an arrow
# key is ESC [ A). Its 100 ms default is too short over a slow or jittery SSH link: a split
# sequence would read as a bare escape plus letters. 400 ms (tmux waits 500) unless the user
# set ESCDELAY; a bare escape only ever closes or asks, so the wait is its only cost.
SLOW_LINK_ESCAPE_DELAY_MS = 400
# The exit status after the terminal hung up: 128 + SIGHUP, as a shell reports it.
HANGUP_EXIT = 128 + signal.SIGHUP

# The tabs and the app's own keys are in bizdesk/screens/registry.py. Only Home is built at
# start, so the dashboard is up sooner; `bizdesk` then builds the other tabs one by one behind
# it (build_ahead), and a tab not built yet when its key comes is built then.


# Textual's own palette commands and their help, for the catalogs (get_system_commands).
TEXTUAL_COMMANDS = (
    N_("Theme"),
    N_("Change the current theme"),
    N_("Quit"),
    N_("Quit the application as soon as possible"),
    N_("Keys"),
    N_("Hide the keys and widget help panel"),
    N_("Show help for the focused widget and a summary of available keys"),
    N_("Minimize"),
    N_("Minimize the widget and restore to normal size"),
    N_("Maximize"),
    N_("Maximize the focused widget"),
    N_("Screenshot"),
    N_("Save an SVG 'screenshot' of the current screen"),
)

# Between two tabs built ahead (s): the person's keys come first.
BUILD_AHEAD_PAUSE = 0.05


def shows_any(
    pane,  # noqa: ANN001
    kinds: frozenset[str],
    created: frozenset[str] = frozenset(),
    for_others: frozenset[str] = frozenset(),
) -> bool:
    """Whether ``pane`` may show a record of one of these kinds (audit entity kinds), of
    which those ``created`` were only created and those ``for_others`` only written for
    someone else (audit.Changes): a pane names the kinds it never shows in NOT_SHOWN, those
    whose new records it cannot show in NEW_NOT_SHOWN (a new contact is on no deal: a deal
    naming it is a change of a deal), and those it shows only the person's own of in
    OWN_ONLY (Home's follow-ups); every other kind counts."""
    from bizdesk.services.admin.audit import EVERYTHING

    not_shown = getattr(pane, "NOT_SHOWN", frozenset())
    new_not_shown = getattr(pane, "NEW_NOT_SHOWN", frozenset()) & created
    others = getattr(pane, "OWN_ONLY", frozenset()) & for_others
    return EVERYTHING in kinds or bool(kinds - not_shown - new_not_shown - others)


class Tabs(TabbedContent):
    """TabbedContent follows the focus to the pane that holds it. The focus message arrives
    after the fact, so a focus given just before a tab key (typed ahead over SSH) would
    switch the tabs back: follow it only while the focus is still in that pane.

    The tab titles are in the person's language; when they do not fit in one line with
    Textual's spacing (Spanish and Vietnamese at 80 columns), the space between them is
    halved, so every tab stays in view."""

    SCOPED_CSS = False
    DEFAULT_CSS = "#tabs.-tight ContentTab { padding: 0 0 0 1; }"

    def on_mount(self) -> None:
        # the tab bar takes no focus: tab from a pane's last box went there, where typing
        # ("03/04/2026" meant for a date box) did nothing; F2-F9 and the mouse switch tabs
        self.query_one(ContentTabs).can_focus = False

    def fit_titles(self) -> None:
        width = self.size.width or self.app.size.width
        wanted = sum(cell_len(str(t.label)) + 2 for t in self.query(ContentTab))
        self.set_class(wanted > width, "-tight")

    def on_resize(self) -> None:
        self.fit_titles()

    def _on_tab_pane_focused(self, event: TabPane.Focused) -> None:
        focused = self.app.focused
        if focused is not None and event.tab_pane in focused.ancestors:
            super()._on_tab_pane_focused(event)
        else:
            event.stop()


class TabsScreen(Screen):
    """The screen holding the tabs; when it shows again, the pane on view catches up."""

    def on_screen_resume(self) -> None:
        if getattr(self.app, "_stale", None) is not None:  # after the app's on_mount
            self.app.tabs_shown_again()


class NeverSendUnsafe(LineFilter):
    """The last line of the second wall (DESIGN section 9): every door shows user text
    through ``formatting.visible``; should one forget, a control or bidi character that
    reaches a line on screen is dropped here rather than sent to the terminal (they take no
    cell, so the layout stays as it was)."""

    def apply(self, segments: list, background) -> list:  # noqa: ANN001
        if not any(UNSAFE.search(seg.text) for seg in segments):
            return segments
        out = [
            seg if seg.control else seg._replace(text=UNSAFE.sub("", seg.text)) for seg in segments
        ]
        return [seg for seg in out if seg.text or seg.control]


class BizdeskApp(OrderedKeys, App):  # OrderedKeys: keys in the order typed (see there)
    TITLE = "bizdesk"
    CSS_PATH = "styles/app.tcss"
    COMMANDS = App.COMMANDS | {BizdeskCommands}
    BINDINGS = [
        Binding(k.key, k.action, k.title, id=k.id, show=k.show, priority=k.priority)
        for k in APP_KEYS
    ]

    def __init__(
        self,
        store: Store | None = None,
        keymap: Mapping[str, str] | None = None,
        *,
        opener: Callable[[Callable[[Message], None]], Store] | None = None,
        kept: Callable[[], Glance | None] | None = None,
        backup: bool = False,
        run_due: bool = False,
        build_ahead: bool = False,
    ) -> None:
        """On an open ``store``; or with ``opener``, which a worker runs while the first
        frame shows (the database stack is imported there, not before that frame); it is
        given a function that shows why the person waits (an upgrade) in that frame.
        ``kept``: Home as this person last saw it on this store, if nothing changed since
        (services/overview/glance.kept), else as the store is now (services/overview/fresh;
        run before the opener, neither imports the database stack): drawn while the store
        opens, and replaced by what is read there where anything differs.
        ``keymap``: binding id -> keys, checked (registry.check_keymap, as run_app does).
        ``backup``: make the daily backup once Home is drawn (run_app).
        ``run_due``: make the recurring documents due, once Home is drawn (run_app).
        ``build_ahead``: build the other tabs one by one once Home is drawn (run_app)."""
        super().__init__()
        self.keymap = dict(keymap or {})
        self.set_keymap(self.keymap)
        # Textual's footer finds the palette's key under this name
        self.COMMAND_PALETTE_BINDING = keys_of(self.keymap, "app.palette", "ctrl+p")[0]
        self.clashes_told: set[tuple[str, str]] = set()  # keymap clashes said (the footer)
        self.today: date | None = None  # None: the real date (tests pin it)
        self.animation_level = "none"
        self.hung_up = False
        self.locale = "en_US"
        self.role: str | None = None
        self.ask = ""
        self._opener = opener
        self._kept = kept
        self._kept_drawn = threading.Event()  # Home drawn from the kept figures
        self.language_setting = ""  # the person's (services/admin/users.my_language)
        self._backup = backup
        self._run_due = run_due
        self._build_ahead = build_ahead
        self._store_open = asyncio.Event()
        self.store: Store | None = None
        # keys typed while the store opens wait, in order, until Home is there to take them
        self._opening = opener is not None
        if store is not None:
            self._take_store(store, *self._read_access(store))

    store_born = ""  # which store it is (services/admin/setup.born): a draft is kept for it

    @staticmethod
    def _read_access(store: Store) -> tuple[str | None, str, dict[str, str], str]:
        from bizdesk.services.admin.setup import born
        from bizdesk.services.admin.users import access, my_language

        with store.read() as uow:  # the role decides which tabs show (services enforce it)
            role, ask = access(uow)
            language = my_language(uow)
            use_setting(language)  # the person's language, before Home
            which = born(uow)
        return role, ask, store.settings(), which, language

    def _take_store(
        self, store: Store, role: str | None, ask: str, settings: dict, which: str, language: str
    ) -> None:
        self.store = store
        self.store_born = which
        self.language_setting = language
        self.role, self.ask = role, ask
        self.sub_title = visible(settings.get("company", ""))
        self.locale = settings.get("locale", "en_US")
        # Numbers typed into forms are read as the screens show them, in the shop's locale.
        store.input_locale = self.locale
        self._store_open.set()

    @work(thread=True, group="open", exit_on_error=False)
    def _open_store(self) -> None:
        """Open the store (importing the database stack) and read Home's figures, while
        the first frame shows; a store that cannot be used ends the app with a sentence."""
        url = None
        glance = self._kept() if self._kept is not None and self.today is None else None
        if glance is not None and self.is_running:  # Home as last seen, the store
            self.call_from_thread(self._show_kept, glance)  # unchanged since: shown now
            self._kept_drawn.wait(timeout=1)  # (the database stack imported after it)
        try:
            from bizdesk.services.base.zones import live_in_shop_zone

            store = self._opener(self._say_while_opening)
            url = store.url
            role, ask, settings, which, language = self._read_access(store)
            live_in_shop_zone(settings.get)  # the shop's day: "today" is its date
            home = tab("home").pane_class()
            data, mark = home.preload(store, role, self.today)
        except Exception as exc:  # noqa: BLE001 - every failure is said in one sentence
            if isinstance(exc, BizdeskError):
                text = str(exc)
            else:
                known = translate(exc, url) if isinstance(exc, OSError) else None
                text = str(known) if known is not None else describe(exc, url)
            self.call_from_thread(self.exit, return_code=1, message=Text(text))
            return
        self.call_from_thread(self._opened, store, role, ask, settings, which, language, data)
        if mark is not None:
            self.keep_home(data, mark)

    def _say_while_opening(self, message: Message) -> None:
        """From the opening worker: say what takes long where "Opening the store…" is."""
        text = str(message)

        def show() -> None:
            for shown in self.query("#opening").results(Static):
                shown.update(text)

        self.call_from_thread(show)

    async def _show_kept(self, glance: Glance) -> None:
        """Home as this person last saw it (the store unchanged since), while the store
        opens: keys wait as before (keys_on_hold); _opened then gives it the figures read."""
        self.role, self.ask = glance.role, glance.ask
        self.sub_title = visible(glance.company)
        self.locale = glance.locale
        use_setting(glance.language)
        self._speak()
        tab_pane = self.query_one(Tabs).get_pane(TABS[0].id)
        await tab_pane.remove_children()
        pane = self._pane_for(TABS[0].id, glance.data, kept=True)
        await tab_pane.mount(pane)
        if not getattr(pane, "kept", False):  # (no Home for the role: nothing to wait for)
            self._kept_drawn.set()

    def home_drawn(self) -> None:
        """Home's figures and charts are on the screen (screens/home.py)."""
        self._kept_drawn.set()

    def keep_home(self, data: object, mark: object) -> None:
        """Keep Home's figures, read at ``mark``, for this person's next start on this
        store (services/overview/glance); from a worker. Not for PostgreSQL, nor from a
        damaged store (nor under the gate: glance.keep)."""
        from bizdesk.services.overview.glance import Glance, keep

        store = self.store
        if store is None or store.damaged is not None:
            return
        path = sqlite_path(store.url)
        if path is None or self.role is None or self.today is not None:
            return
        glance = Glance(
            role=self.role,
            ask=self.ask,
            language=self.language_setting,
            locale=self.locale,
            company=store.settings().get("company", ""),
            which=self.store_born,
            data=data,
        )
        keep(path, store.user, mark, glance)

    async def _opened(
        self,
        store: Store,
        role: str | None,
        ask: str,
        settings: dict,
        which: str,
        language: str,
        data: object,
    ) -> None:
        collector.settle()  # the store is open and read: collect again (release: once built)
        same_role = role == self.role  # as the kept figures were read for, if shown
        self._take_store(store, role, ask, settings, which, language)
        tab_pane = self.query_one(Tabs).get_pane(TABS[0].id)
        shown = tab_pane.children[0] if tab_pane.children else None
        if data is not None and same_role and getattr(shown, "kept", False):
            shown.post_message(shown.Loaded(data))  # drawn again only if a figure differs
        else:
            await tab_pane.remove_children()
            await tab_pane.mount(self._pane_for(TABS[0].id, data))
        self._speak()
        self._watch_store()
        self.focus_active_pane()
        self._opening = False
        self.call_after_refresh(self.release_keys)  # once Home is drawn and has the focus

    _never_send_unsafe = NeverSendUnsafe()

    def get_line_filters(self):  # noqa: ANN201
        return [*super().get_line_filters(), self._never_send_unsafe]

    def notify(self, message: str, *, title: str = "", **kwargs) -> None:  # noqa: ANN003
        """Every notification (all of them come here) shows user text visibly, and a
        service's Message in the reader's language."""
        if isinstance(message, str):
            message = visible(tr(message))
        super().notify(message, title=visible(tr(title)), **kwargs)

    def keys_on_hold(self) -> bool:
        """While the store opens, while the screen shown is not ready for keys yet (a
        record's page before its record is read: ``holds_keys``), and while a list keeps
        keys for the page it reads."""
        if self._opening:
            return True
        if self.screen_stack and getattr(self.screen_stack[-1], "holds_keys", False):
            return True
        # a list keeping moving keys for the page it reads (widgets/paged_table.py)
        focused = self.focused
        return focused is not None and any(
            getattr(w, "holds_keys", False) for w in focused.ancestors_with_self
        )

    def passes_hold(self, event: events.Key | events.Paste) -> bool:
        """Quitting needs no store: ctrl+q (or the key the keymap gives it) acts at once."""
        return isinstance(event, events.Key) and event.key in keys_of(
            self.keymap, "app.quit", "ctrl+q"
        )

    def _speak(self) -> None:
        """The frame in the person's language, once it is known (the store is open): the tab
        titles, composed before, and the footer's keys."""
        tabs = self.query_one(Tabs)
        for t in TABS:
            tabs.get_tab(t.id).label = _(t.title)
        tabs.fit_titles()
        footer = self.query_one(KeysFooter)
        footer.call_next(footer.bindings_changed, self.screen)  # as Textual's signal does

    POLL_SECONDS = 2.0

    def on_mount(self) -> None:
        # Other people's changes: on SQLite, PRAGMA data_version says whether anything was
        # committed at all (no query); then the audit trail says which kinds of record were
        # written (services/admin/audit.changes_since). Only a pane showing one of those
        # is reloaded (the visible one now; the others, built but not on view, when they
        # show again), and a pane whose figures came back the same draws nothing.
        self._seen_change: int | None = None
        self._seen_token: tuple | None = None
        self._stale: dict[str, set[str]] = {}  # tabs behind others' changes, and their kinds
        if not self.is_headless:
            loop = asyncio.get_running_loop()
            loop.add_signal_handler(signal.SIGHUP, self.hang_up)
            threading.Thread(
                target=_watch_terminal, args=(self, loop), name="terminal-watch", daemon=True
            ).start()
        if self.store is None:
            self._open_store()
            return
        self._watch_store()
        self.call_after_refresh(self.focus_active_pane)

    def _watch_store(self) -> None:
        self.set_interval(self.POLL_SECONDS, self._poll_changes)
        if self.store.damaged is not None:  # the store opens read-only: say why, and how
            self.notify(
                str(self.store.damaged),
                title=_("Store damaged"),
                severity="error",
                markup=False,
                timeout=60,
            )

    def on_home_pane_loaded(self) -> None:
        if self.store is None:  # the kept figures, while the store opens: wait for it
            return
        if self._run_due:  # once, after Home's first figures are drawn, for who may
            self._run_due = False
            if allowed(self.role, "recurring.run") and self.store.damaged is None:
                self.make_due()
        if self._backup:  # once, after Home's first figures are drawn, for who may (an
            self._backup = False  # owner: the others were told "backup failed" each start)
            if allowed(self.role, "backup.run"):
                self.call_after_refresh(
                    # Not a daemon: a backup under way when the app ends (even after a
                    # hang-up) finishes.
                    threading.Thread(target=self.daily_backup, name="daily-backup").start
                )
        if self._build_ahead:  # once, after Home's first figures are drawn
            self._build_ahead = False
            self.set_timer(BUILD_AHEAD_PAUSE, self._build_next_pane)

    def daily_backup(self) -> None:
        """The first start of the day backs the store up (quietly; only a failure is said).
        Runs in its own thread beside the app, at the lowest priority, once Home is drawn
        (from run_app; not in Pilot tests)."""
        try:  # Linux: the nice value of this thread alone
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 19)
        except (OSError, AttributeError):
            pass
        from bizdesk.services.admin.backup import daily_backup, verify_store

        try:
            if daily_backup(self.store) is None:  # made already today: still look at it
                verify_store(self.store)
        except StoreDamaged as exc:  # found now: from here on the store is only read
            self._tell(str(exc), _("Store damaged"), "error")
        except Exception as exc:  # never stops anyone working; says so instead
            self._tell(
                _("Today's backup failed: {reason}").format(reason=describe(exc, self.store.url)),
                None,
                "warning",
            )

    @work(thread=True, group="run-due", exit_on_error=False)
    def make_due(self) -> None:
        """The recurring invoices and entries due (services/recurring/due.py), in a worker
        beside the app at a low priority: said when something was made or refused, silent
        when nothing was due."""
        try:  # Linux: the nice value of this thread alone
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 10)
        except (OSError, AttributeError):
            pass
        from bizdesk.services.recurring import anything_due

        try:
            if not anything_due(self.store, self.today):
                return
            from bizdesk.services.recurring.due import run_due

            report = run_due(self.store, self.today)
        except Exception as exc:  # never stops anyone working; says so instead
            self._tell(
                _("The recurring documents were not made: {reason}").format(
                    reason=describe(exc, self.store.url)
                ),
                None,
                "warning",
            )
            return
        if report.made:
            n = len(report.made)
            said = ngettext(
                "{n} recurring document was made: {documents}",
                "{n} recurring documents were made: {documents}",
                n,
            )
            self._tell(
                said.format(n=n, documents=", ".join(m.document for m in report.made)),
                None,
                "information",
            )
        for f in report.failed:
            self._tell(
                _("{name}, due {date}, was not made: {reason}").format(
                    name=f.name, date=f.due_on.isoformat(), reason=f.reason
                ),
                None,
                "warning",
            )

    def _tell(self, text: str, title: str | None, severity: str) -> None:
        if self.is_running and not self.hung_up:
            self.call_from_thread(
                self.notify, text, title=title or "", severity=severity, markup=False, timeout=30
            )

    def get_driver_class(self) -> type[Driver]:
        # On a Unix terminal, Textual's driver with an input thread that sleeps between keys
        # (terminal.py); a driver named in $TEXTUAL_DRIVER is left to Textual
        if constants.DRIVER is None and sys.platform != "win32":
            return QuietLinuxDriver
        return super().get_driver_class()

    def on_unmount(self) -> None:
        if not self.is_headless:
            asyncio.get_running_loop().remove_signal_handler(signal.SIGHUP)

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        # A blinking cursor repaints twice a second: over SSH an idle form would never stop
        # sending. A steady cursor shows the same thing.
        if isinstance(event.widget, Input | TextArea):
            event.widget.cursor_blink = False

    def hang_up(self) -> None:
        """The terminal is gone (a dropped SSH link sends SIGHUP): keep every open form's
        unsaved typing as a draft and end. A save already running finishes first (its
        thread is waited for at exit), and its transaction commits whole or not at all."""
        if self.hung_up:
            return
        self.hung_up = True
        _detach_from_terminal()
        self._keep_drafts()
        self.exit(return_code=HANGUP_EXIT)

    def _keep_drafts(self, why: str = "hang-up") -> list[str]:
        """Every open form's unsaved typing, kept as a private draft (offered back when the
        form opens again); the titles of the forms whose typing was kept."""
        kept = []
        for screen in self.screen_stack:
            if isinstance(screen, FormScreen):
                try:
                    if screen.keep_draft(why):
                        kept.append(screen.shown_title)
                except Exception:  # a draft that cannot be written must not stop the exit
                    pass
        return kept

    async def action_quit(self) -> None:
        """ctrl+q, on every screen (a priority key): a form's unsaved typing is kept as a
        draft, offered back when that form opens again, and said as bizdesk ends."""
        kept = self._keep_drafts("quit") if self.store is not None else []
        if not kept:
            self.exit()
            return
        self.exit(
            message=Text(
                _(
                    "Not saved, kept as a draft for you: {forms}. Open the form again to "
                    "restore it. Everything saved is in the store."
                ).format(forms=", ".join(visible(t) for t in kept))
            )
        )

    def _handle_exception(self, error: Exception) -> None:
        # After a hang-up the app is only ending: a screen callback failing on widgets that
        # are going has nobody to show it to and must not turn the exit into a crash. Saved
        # data does not depend on it (each save is one transaction, already committed).
        if self.hung_up:
            return
        super()._handle_exception(error)

    crash: str | None = None  # the sentence for an unexpected error that ended the app

    def _fatal_error(self) -> None:
        # In a terminal an unexpected error ends the app with one sentence (run_app prints
        # it after the screen is restored) and its traceback in the private log; tests
        # (headless) keep Textual's report.
        if self.is_headless:
            super()._fatal_error()
            return

        url = self.store.url if self.store is not None else None
        self.crash = describe(self._exception or RuntimeError("unknown"), url)
        self._close_messages_no_wait()

    def panic(self, *renderables) -> None:  # noqa: ANN002
        # Reading a hung-up terminal fails in Textual's input thread, which panics; when the
        # terminal is gone that is a hang-up, not a crash.
        if not self.is_headless and (self.hung_up or _terminal_gone()):
            self.hang_up()
            return
        super().panic(*renderables)

    def _poll_changes(self) -> None:
        if self.store is not None:  # not while the store is being opened
            self._read_change_counter()

    @work(thread=True, exclusive=True, group="poll")
    def _read_change_counter(self) -> None:
        from bizdesk.services.admin.audit import EVERYTHING, changes_since
        from bizdesk.services.admin.users import access

        try:
            token = self.store.change_token()
            if token is not None and token == self._seen_token:
                return  # nothing committed by anyone since the last look
            with self.store.read() as uow:
                changes = changes_since(uow, self._seen_change)
                # an owner may have changed this user's role: read it again then
                who = access(uow) if changes.kinds & {"user", EVERYTHING} else None
            settings = None
            if changes.kinds & {"setting", "shop", "store", EVERYTHING}:
                # the shop's details or settings (its time zone: its day) changed elsewhere
                self.store.forget_settings()
                settings = self.store.settings()
        except Exception:  # a busy or vanished store: try again at the next tick
            return
        if self.is_running:
            self.call_from_thread(self._changed_to, changes, who, token, settings)

    async def _changed_to(self, changes, who, token, settings=None) -> None:  # noqa: ANN001
        if settings is not None:
            from bizdesk.services.base.zones import live_in_shop_zone

            live_in_shop_zone(settings.get)  # the shop's day, as when the store opened
        if who is not None and who[0] != self.role:
            await self._role_changed(*who)
            if self.role is None:
                return
        self._seen_change, self._seen_token = changes.latest, token
        if not changes.kinds:
            return
        tabs = self.query_one(Tabs)
        for t in TABS:
            tab_pane = tabs.get_pane(t.id)
            pane = tab_pane.children[0] if tab_pane.children else None
            if pane is not None and shows_any(pane, *changes.shown):
                self._stale.setdefault(t.id, set()).update(changes.kinds)
        self._refresh_shown_pane()
        for screen in self.screen_stack[1:]:  # record pages opened over the tabs
            shown = shows_any(screen, *changes.shown)
            if hasattr(screen, "changed_elsewhere") and shown:
                screen.changed_elsewhere()

    def _refresh_shown_pane(self) -> None:
        """Reload the pane on view if something changed since it was last loaded."""
        tab = self.query_one(Tabs).active
        pane = self.active_pane()
        if (
            tab in self._stale
            and pane is not None
            and pane.is_attached
            and hasattr(pane, "refresh_data")
            and self.screen is self.screen_stack[0]
        ):
            changed = frozenset(self._stale.pop(tab))
            try:
                if hasattr(pane, "refresh_changed"):  # reads only what those kinds change
                    pane.refresh_changed(changed)
                else:
                    pane.refresh_data()
            except NoMatches:  # the app is closing and its widgets are going
                pass

    async def _role_changed(self, role: str | None, ask: str) -> None:
        """An owner changed this user's role (or disabled them) while the app was open: the
        tabs follow at once. Services check the role on every call anyway; this keeps the
        screen from offering what would be refused."""
        self.role, self.ask = role, ask
        if role is None:  # after the poll worker that brought the news has finished
            self.call_later(self._shut_out, ask)
            return
        await self._build_panes_again()
        self.notify(
            _("Your role is now {role}.").format(role=_(USER_ROLE_NAMES.get(role, role))),
            title=_("Role changed"),
            markup=False,
        )
        self.call_after_refresh(self.focus_active_pane)

    async def _build_panes_again(self) -> None:
        """Every tab built already is built again (for a new role, or a new language)."""
        tabs = self.query_one(Tabs)
        for t in TABS:
            tab_pane = tabs.get_pane(t.id)
            if tab_pane.children:
                await tab_pane.remove_children()
                await tab_pane.mount(self._pane_for(t.id))

    async def speak(self, setting: str) -> None:
        """The person chose the language bizdesk speaks to them (``setting``: a language, or
        '' to follow the session): the frame and every tab speak it at once, no restart."""
        language = use_setting(setting)
        await self._build_panes_again()
        self._speak()
        self.notify(
            _("bizdesk now speaks {language} to you; dates are written {example}.").format(
                language=setting_name(setting) or LANGUAGE_NAMES[language],
                example=date_text(date(2026, 12, 31)),
            ),
            markup=False,
        )
        self.call_after_refresh(self.focus_active_pane)

    def action_my_language(self) -> None:
        """Anyone's own language (the palette): its form, then the switch."""
        if self.store is not None:  # else still being opened
            self._my_language()

    @work(thread=True, group="language", exit_on_error=False)
    def _my_language(self) -> None:
        from bizdesk.services.admin.users import my_language

        try:
            with self.store.read() as uow:
                now = my_language(uow)
        except Exception as exc:  # noqa: BLE001 - said in one sentence; the app goes on
            said = describe(exc, self.store.url)
            self.call_from_thread(self.notify, said, severity="error", markup=False)
            return
        self.call_from_thread(self._language_form, now)

    def _language_form(self, now: str) -> None:
        from bizdesk.screens.users import language_form

        self.push_screen(
            language_form(self.store.user, now),
            lambda saved: saved and self.run_worker(self.speak(saved.language)),
        )

    def _shut_out(self, ask: str) -> None:
        """Disabled while the app was open: keep any unsaved typing as a private draft (as
        after a hang-up) and end, saying why."""
        self._keep_drafts("disabled")
        self.exit(
            return_code=1,
            message=Text(
                _(
                    "You ({user}) may no longer use this store: your account was disabled. "
                    "Nothing saved was lost. Ask {ask} if this is a mistake."
                ).format(user=self.store.user, ask=ask)
            ),
        )

    def tabs_shown_again(self) -> None:
        """The tabs are on view again (a page or form over them closed, another tab chosen):
        reload the pane if it missed a change, and look for changes now rather than at
        the next tick (one saved on the page just closed is shown at once)."""
        self._refresh_shown_pane()
        self._poll_changes()

    def get_default_screen(self) -> Screen:
        # on the tabs the focus is set by focus_active_pane, never guessed: otherwise a key
        # pressed early (F6 typed ahead over SSH) could lose the focus to the home screen
        screen = TabsScreen(id="_default")
        screen.AUTO_FOCUS = ""
        return screen

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False, icon="")
        with Tabs(id="tabs"):
            for t in TABS:
                with TabPane(_(t.title), id=t.id):  # in the order of their keys (F1 says so)
                    if t is TABS[0]:
                        yield self._pane_for(t.id)
        yield KeysFooter()

    def _pane_for(self, tab_id: str, data: object = None, kept: bool = False):  # noqa: ANN202
        action = tab(tab_id).permission
        if action and not allowed(self.role, action):
            from bizdesk.screens.users import NoAccess

            return NoAccess(refusal(self.role, action, self.ask))
        if kept:  # Home as last seen, while the store opens
            return tab(tab_id).pane_class()(data=data, kept=True)
        if self.store is None:  # the store is being opened: Home says so meanwhile
            return Static(_("Opening the store…"), id="opening")
        if data is not None:
            return tab(tab_id).pane_class()(data=data)
        return tab(tab_id).pane_class()()

    async def _build_pane(self, tab: str) -> None:
        """Build a tab's pane the first time it is shown."""
        await self._store_open.wait()  # a tab key typed while the store opens
        try:
            tab_pane = self.query_one(Tabs).get_pane(tab)
        except NoMatches:  # the app is closing and its widgets are going
            return
        if not tab_pane.children and tab_pane.is_attached:  # (not while they go)
            await tab_pane.mount(self._pane_for(tab))

    async def _build_next_pane(self) -> None:
        """Build the next tab not built yet, then wait a moment before the one after: keys
        typed meanwhile wait for one pane at most (a few tens of ms), in order. A list
        reads its first rows then (a report runs only once shown): a first visit only
        draws the pane."""
        if self._exit or self.hung_up or self.role is None:
            return
        for t in TABS:
            try:
                built = bool(self.query_one(Tabs).get_pane(t.id).children)
            except NoMatches:  # the app is closing
                return
            if not built:
                await self._build_pane(t.id)
                self._read_ahead(t.id)
                self.set_timer(BUILD_AHEAD_PAUSE, self._build_next_pane)
                return
        collector.release()  # every tab is built: the start is over

    def _read_ahead(self, tab_id: str) -> None:
        """A list built ahead reads its first rows at the size of the pane on view."""
        try:
            shown = self.active_pane()
            pane = self.query_one(Tabs).get_pane(tab_id).children
        except NoMatches:  # the app is closing
            return
        if shown is not None and shown.size.height and pane and hasattr(pane[0], "read_ahead"):
            pane[0].read_ahead(shown.outer_size.height)

    async def action_show_tab(self, tab: str) -> bool:
        """Show a tab; from a screen opened over the tabs (a list, a record's page) go back
        to them first: the tab used to change unseen underneath. A form or a question open
        keeps the key (its typing is not left behind): False then, and what was to follow
        the tab (a report, a new record from the palette) is not done either."""
        from bizdesk.screens.help import HelpScreen

        above = self.screen_stack[1:]
        if any(isinstance(s, ModalScreen) and not isinstance(s, HelpScreen) for s in above):
            return False
        for _screen in above:
            await self.pop_screen()
        await self._build_pane(tab)
        self.query_one(Tabs).active = tab
        self.focus_active_pane()
        self.tabs_shown_again()
        return True

    async def go_to_tab(self, tab: str) -> bool:
        """``action_show_tab`` for a command that acts on the tab once there (from the
        palette): with a form or a question open, says why nothing happens."""
        if await self.action_show_tab(tab):
            return True
        self.notify(
            _("A form is open: save it (ctrl+s) or close it (Escape) first, then choose again."),
            severity="warning",
        )
        return False

    async def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        if self._store_open.is_set():
            await self._tab_activated(event.pane.id)  # a tab chosen with the mouse
        else:  # Home at the start, or a click while the store opens: waits beside the
            # app's messages, so ctrl+q and the end said after a store that cannot open act
            # (the coroutine function, not a coroutine: one the end cancels leaves none behind)
            self.run_worker(partial(self._tab_activated, event.pane.id), group="tab")

    async def _tab_activated(self, tab_id: str) -> None:
        await self._build_pane(tab_id)
        self.call_after_refresh(self.focus_active_pane)
        self.tabs_shown_again()

    def active_pane(self):  # noqa: ANN201
        tabs = self.query_one(Tabs)
        pane = tabs.get_pane(tabs.active)
        return pane.children[0] if pane.children else None

    def focus_active_pane(self, tries: int = 4) -> None:
        """Focus the shown tab's main widget, at once (panes' focus_main use set_focus, not
        the queued Widget.focus: TabbedContent shows whichever pane gets the focus, so a
        late focus would switch tabs back). A pane just built may only take the focus once
        it is drawn: check after the next refresh and try again."""
        pane = self.active_pane()
        if (
            pane is None
            or not hasattr(pane, "focus_main")
            or self.screen is not self.screen_stack[0]
        ):
            return
        if self.focused is not None and pane in self.focused.ancestors_with_self:
            return
        pane.focus_main()
        if tries > 1:
            self.call_after_refresh(self.focus_active_pane, tries - 1)

    async def action_new(self, tab: str) -> None:
        if not await self.go_to_tab(tab):
            return
        pane = self.active_pane()
        if pane is not None and hasattr(pane, "action_new"):
            pane.action_new()

    def action_open_record(self, kind: str, record_id: int) -> None:
        from bizdesk.screens.contacts import ContactScreen
        from bizdesk.screens.deals import DealScreen
        from bizdesk.screens.journal import EntryScreen
        from bizdesk.screens.making import AssemblyScreen
        from bizdesk.screens.people import PayrollRunScreen
        from bizdesk.screens.purchases import PurchaseOrderScreen
        from bizdesk.screens.sales import SalesOrderScreen
        from bizdesk.screens.stock import ProductScreen
        from bizdesk.screens.tickets import TicketScreen

        screen = {
            "contact": ContactScreen,
            "deal": DealScreen,
            "ticket": TicketScreen,
            "product": ProductScreen,
            "purchase_order": PurchaseOrderScreen,
            "sales_order": SalesOrderScreen,
            "entry": EntryScreen,
            "assembly_order": AssemblyScreen,
            "payroll_run": PayrollRunScreen,
        }[kind]
        if kind == "payroll_run" and not self.allowed_or_told("people.pay"):
            return  # (the run's page is its pay: said in a sentence, not opened)
        self.push_screen(screen(record_id))

    def deliver_screenshot(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003
        """Textual saves screenshots as files; under the shop's gate bizdesk writes no file
        on the server for its users (bizdesk/files.py), so it says so instead."""
        if current_gate() is not None:
            self.notify(
                _("Screenshots are not saved on the server in this shop."), severity="warning"
            )
            return
        super().deliver_screenshot(*args, **kwargs)

    def action_find(self) -> None:
        """Find any record by name or number, from anywhere."""
        if self.store is None:  # still being opened
            return
        if not CommandPalette.is_open(self):
            self.push_screen(
                Palette(
                    providers=[FindRecords],
                    # after the box's magnifier, at most 73 columns of 80 in every language
                    placeholder=_("Contact, deal, ticket, product, order, invoice, entry…"),
                )
            )

    async def action_lock_date(self) -> None:
        """The lock date's form, from the palette (k on the Journal tab)."""
        if not await self.go_to_tab("journal"):
            return
        pane = self.active_pane()
        if pane is not None and hasattr(pane, "action_lock_date"):
            pane.action_lock_date()

    async def action_show_report(self, name: str) -> None:
        """The report behind a figure of Home's, for its own period."""
        if await self.go_to_tab("reports"):
            self.active_pane().show(name, fresh=True)

    def action_sales(self, counter: bool = False) -> None:
        if self.store is None:  # still being opened
            return
        from bizdesk.screens.sales import SalesOrdersScreen

        screen = self._open(SalesOrdersScreen)
        if counter:
            self.call_after_refresh(screen.action_counter)

    def action_assembly_orders(self) -> None:
        if self.store is None:  # still being opened
            return
        from bizdesk.screens.making import AssemblyListScreen

        self._open(AssemblyListScreen)

    def action_production_plan(self) -> None:
        if self.store is None:
            return
        from bizdesk.screens.making import ProductionPlanScreen

        self._open(ProductionPlanScreen)

    def action_history(self) -> None:
        """The history of the record whose page is shown (the palette); a role that may not
        read the audit trail is told so, and so is anyone elsewhere than on such a page."""
        if self.store is None or not self.allowed_or_told("audit.view"):
            return
        page = self.screen
        if getattr(page, "audit_entity", None) is None:
            self.notify(
                _(
                    "Open a record's page first (a contact, a deal, an order...): its "
                    "history is shown from there."
                ),
                severity="warning",
                markup=False,
            )
            return
        page.action_history()

    def action_reconcile(self) -> None:
        """The bank reconciliation screen, for the roles that see bank statements."""
        if self.store is None or not self.allowed_or_told("bank.view"):
            return
        from bizdesk.screens.bank import ReconcileScreen

        self._open(ReconcileScreen)

    def action_campaigns(self) -> None:
        """The e-mail campaigns (ctrl+k, the palette); a role that may not see them is told."""
        if self.store is None or not self.allowed_or_told("campaigns.view"):
            return
        from bizdesk.screens.marketing import CampaignsScreen

        self._open(CampaignsScreen)

    def action_segments(self) -> None:
        """The saved segments of contacts (the palette, or g on the campaigns)."""
        if self.store is None or not self.allowed_or_told("segments.view"):
            return
        from bizdesk.screens.marketing import SegmentsScreen

        self._open(SegmentsScreen)

    def action_users(self) -> None:
        """The owner's Users screen; anyone else is told who to ask."""
        if self.store is None:  # still being opened
            return
        from bizdesk.screens.users import UsersScreen

        if not allowed(self.role, "users.view"):
            self.notify(
                refusal(self.role, "users.view", self.ask),
                title=_("Not allowed"),
                severity="warning",
                markup=False,
            )
            return
        self._open(UsersScreen)

    def _open(self, screen_class: type[Screen]) -> Screen:
        """Open a screen of the whole app (its key, the palette) unless it is the one shown:
        the key pressed again, or twice in a burst, opens no second copy over the first."""
        if type(self.screen) is screen_class:
            return self.screen
        screen = screen_class()
        self.push_screen(screen)
        return screen

    def allowed_or_told(self, action: str) -> bool:
        if allowed(self.role, action):
            return True
        self.notify(
            refusal(self.role, action, self.ask),
            title=_("Not allowed"),
            severity="warning",
            markup=False,
        )
        return False

    def action_people(self, then: str = "") -> None:
        """The employees (``then``: "leave" or "payroll" opens that screen over them)."""
        if self.store is None or not self.allowed_or_told("people.view"):
            return
        from bizdesk.screens import people

        wanted = {"leave": people.LeaveScreen, "payroll": people.PayrollScreen}.get(then)
        if wanted is not None and type(self.screen) is wanted:
            return  # there already: the key again opens no second one
        self._open(people.EmployeesScreen)
        if then == "leave":
            self.push_screen(people.LeaveScreen())
        elif then == "payroll" and self.allowed_or_told("people.pay"):
            self.push_screen(people.PayrollScreen())

    def action_recurring(self) -> None:
        """The recurring entries and invoices; a role that may not see them is told who to ask."""
        if self.store is None or not self.allowed_or_told("recurring.view"):
            return
        from bizdesk.screens.recurring import RecurringScreen

        self._open(RecurringScreen)

    def action_followups(self) -> None:
        """The person's follow-up activities (lead nurturing)."""
        if self.store is None or not self.allowed_or_told("followups.view"):
            return
        from bizdesk.screens.nurture import FollowUpsScreen

        self._open(FollowUpsScreen)

    def action_outbox(self) -> None:
        """The e-mail outbox: what was sent, what waits, what is unsure."""
        if self.store is None or not self.allowed_or_told("mail.view"):
            return
        from bizdesk.screens.outbox import OutboxScreen

        self._open(OutboxScreen)

    def action_sequences(self) -> None:
        """The nurturing sequences that make the follow-up activities."""
        if self.store is None or not self.allowed_or_told("nurture.view"):
            return
        from bizdesk.screens.nurture import SequencesScreen

        self._open(SequencesScreen)

    def action_reminders(self, make: bool = False) -> None:
        """The reminders made (palette); ``make``: make those due today first."""
        if self.store is None or not self.allowed_or_told(
            "reminders.run" if make else "reminders.view"
        ):
            return
        from bizdesk.screens.reminders import make_due, show_reminders

        try:
            make_due(self) if make else show_reminders(self)
        except BizdeskError as exc:
            self.notify(tr(exc), severity="error", markup=False)

    def action_reminder_levels(self) -> None:
        """The owner's form: the shop's default payment terms and the reminder levels."""
        if self.store is None or not self.allowed_or_told("reminders.config"):
            return
        from bizdesk.screens.reminders import levels_form

        self.push_screen(levels_form(self), lambda r: r and self.notify(_("Saved"), markup=False))

    @property
    def zone(self) -> str:
        """The time zone the shop's times are shown in (services.base.zones.shop_zone)."""
        from bizdesk.services.base.zones import shop_zone

        return shop_zone(self.store.settings().get) if self.store is not None else "UTC"

    def action_shop_details(self) -> None:
        """The form of the shop's details (name, address, VAT id, bank) on its documents."""
        if self.store is None or not self.allowed_or_told("shop.edit"):
            return
        from bizdesk.screens.users import shop_form
        from bizdesk.services.base.zones import zone_without_own
        from bizdesk.services.crm.contacts import form_examples
        from bizdesk.services.papers.shop import get

        with self.store.read() as uow:
            details = get(uow)
            zone = zone_without_own(uow.setting)
        self.push_screen(
            shop_form(details, form_examples(self.store.settings()), zone),
            self._shop_saved,
        )

    def _shop_saved(self, saved: Saved | None) -> None:
        if saved:
            self.notify(_("Saved the shop's details"))
            for line in saved.said():
                self.notify(str(line))

    def action_command_palette(self) -> None:
        """Textual's palette, asking in the person's language."""
        if self.use_command_palette and not CommandPalette.is_open(self):
            self.push_screen(Palette(id="--command-palette", placeholder=_("Search for commands…")))

    def get_system_commands(self, screen: Screen):  # noqa: ANN201
        """Textual's own commands in the palette (theme, quit, keys, screenshot...), named
        in the person's language (TEXTUAL_COMMANDS marks their texts)."""
        for command in super().get_system_commands(screen):
            yield command._replace(title=_(command.title), help=_(command.help))

    def get_key_display(self, binding: Binding) -> str:
        """Keys as Textual shows them ("[" for left_square_bracket, "^q"), function keys as
        printed on the keyboard ("F1")."""
        shown = super().get_key_display(binding)
        return shown.upper() if re.fullmatch(r"f\d{1,2}", shown) else shown

    def action_help(self) -> None:
        from bizdesk.screens.help import HelpScreen

        screen = self.screen
        if isinstance(screen, HelpScreen):  # F1 again closes it
            self.pop_screen()
            return
        target = self.active_pane() if screen is self.screen_stack[0] else screen
        self.push_screen(HelpScreen(target, screen.active_bindings))


def _terminal_gone() -> bool:
    try:
        termios.tcgetattr(sys.__stdin__.fileno())
    except (termios.error, OSError, ValueError, AttributeError):
        return True
    return False


# After the terminal hung up without a SIGHUP, the app is given this long to end as after
# one; if it has not, the process ends (as after kill -9, which the store is made to survive).
HANGUP_GRACE_SECONDS = 30


def _watch_terminal(app: BizdeskApp, loop: asyncio.AbstractEventLoop) -> None:
    """Wait (in a thread of its own, without using the CPU) for the terminal to hang up.

    A dropped link normally sends SIGHUP (``hang_up``). A program whose pty is not its
    controlling terminal (started in a session of its own: ``setsid``, some wrappers) gets
    none: Textual's input thread then spins on the closed pty, and its output thread ends
    at the first failed write, after which the app waits for ever to draw. Seen: such a
    process using two thirds of a core for as long as the machine ran. Here the hang-up is
    seen on the terminal itself and told to the app as SIGHUP is; if the app cannot end
    within HANGUP_GRACE_SECONDS (stuck on its output), the process ends."""
    try:
        fd = sys.__stdin__.fileno()
    except (AttributeError, ValueError, OSError):
        return
    poller = select.poll()
    poller.register(fd, 0)  # hang-up and errors are always reported; nothing else is asked
    gone = select.POLLHUP | select.POLLERR | select.POLLNVAL
    while not any(event & gone for _fd, event in poller.poll()):
        pass
    try:
        loop.call_soon_threadsafe(app.hang_up)
    except RuntimeError:  # the loop is closed: the app is ending anyway
        return
    time.sleep(HANGUP_GRACE_SECONDS)
    os._exit(HANGUP_EXIT)


def _detach_from_terminal() -> None:
    """Point stdout and stderr at /dev/null: the closing writes (and any late message) to a
    hung-up terminal would fail with EIO and turn a clean exit into an error."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    for fd in (1, 2):
        try:
            os.dup2(devnull, fd)
        except OSError:
            pass
    os.close(devnull)


def run_app(
    store: Store | None = None,
    settings: Settings | None = None,
    *,
    opener: Callable[[Callable[[Message], None]], Store] | None = None,
    kept: Callable[[], Glance | None] | None = None,
) -> int:
    """Run the TUI on ``store``, or on the one ``opener`` opens once the first frame shows
    (Home as last seen, ``kept``, drawn meanwhile); returns the exit status (0, or
    HANGUP_EXIT after the terminal hung up). ``settings``: the config file and environment
    as read (read here when not given); a keymap naming a binding or key that does not exist
    raises ConfigError before start."""
    settings = load_settings() if settings is None else settings
    keymap = check_keymap(settings)
    if "ESCDELAY" not in os.environ:  # $ESCDELAY, then the config file, then ours
        constants.ESCAPE_DELAY = (settings.escape_delay_ms or SLOW_LINK_ESCAPE_DELAY_MS) / 1000
    app = BizdeskApp(
        store, keymap, opener=opener, kept=kept, backup=True, run_due=True, build_ahead=True
    )
    try:
        app.run()
    finally:
        if app.store is not None:
            app.store.close()
    if app.crash:
        print(app.crash, file=sys.stderr)
    return app.return_code or 0
