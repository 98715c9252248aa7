"""ctrl+p: every action by name and any record; ctrl+f: find any record by name or number."""

from __future__ import annotations

import asyncio
import re
from contextlib import suppress
from functools import partial

from rich.align import Align
from rich.text import Text
from textual import on
from textual.binding import Binding
from textual.command import CommandList, CommandPalette, DiscoveryHit, Hit, Hits, Provider
from textual.content import Content
from textual.markup import escape
from textual.widgets import Input
from textual.widgets.option_list import Option
from textual.worker import WorkerCancelled, WorkerFailed

from bizdesk.folding import fold
from bizdesk.formatting import visible
from bizdesk.i18n import _, pgettext
from bizdesk.screens.registry import commands_with_keys


def words_match(query: str, words: str) -> bool:
    """Every word typed begins a word of ``words``, without accents or case: "bill of
    materials" finds "bills of materials", "payslip" finds "payslips". Words from their
    start, not letters in order as names are matched: a short query ("sales") would
    otherwise find most of a long text."""
    typed = re.findall(r"\w+", fold(query))
    known = re.findall(r"\w+", fold(words))
    return bool(typed) and all(any(w.startswith(t) for w in known) for t in typed)


def words_score(query: str) -> float:
    """The rank of a command found by its words (``words_match``): just under what Textual's
    matcher gives a name holding what was typed whole, at the start of its words, so that it
    comes before a name holding the letters only scattered ("win" found the Weighted
    pipeline, w-i-n, first, and enter ran it, not the deals won and lost)."""
    typed = re.findall(r"\w+", fold(query))
    return (len(" ".join(typed)) + len(typed)) * 2 - 0.01


class Palette(CommandPalette):
    """Textual's palette, saying that nothing matched in the person's language, and
    running on enter what matches the text as typed.

    Textual 8.2.8 writes "No matches found" in English inside ``_start_no_matches_countdown``;
    it is the same method with the sentence translated (check it again when Textual is
    upgraded)."""

    @on(Input.Submitted)
    async def _after_the_search(self, event: Input.Submitted) -> None:
        """Enter waits for the search of what was typed before it, then Textual's own
        handler (next in line) picks the first hit. Keys in one burst (a slow link)
        ``ctrl+p statement enter`` reached enter while the list still held the hits of the
        empty box, and enter ran the first of those (Home) instead of the statement. While
        this waits, the keys after enter wait too (widgets/keys.py)."""
        for worker in list(self.workers):
            if (
                worker.node is self
                and worker.group == self._GATHER_COMMANDS_GROUP
                and not worker.is_finished
            ):
                with suppress(WorkerCancelled, WorkerFailed):
                    await worker.wait()

    def _start_no_matches_countdown(self, search_value: str) -> None:
        self._stop_no_matches_countdown()

        def _show_no_matches() -> None:
            if search_value:
                self.query_one(CommandList).add_option(
                    Option(
                        Align.center(Text(_("No matches found"), style="not bold")),
                        disabled=True,
                        id=self._NO_MATCHES,
                    )
                )
                self._list_visible = True
            else:
                self._list_visible = False

        self._no_matches_timer = self.set_timer(self._NO_MATCHES_COUNTDOWN, _show_no_matches)


class FindRecords(Provider):
    """Records of every kind matching what is typed (services.search.find, in a thread)."""

    async def search(self, query: str) -> Hits:
        for label, action in await asyncio.to_thread(self._records, query):
            yield Hit(
                0.5,
                Content(visible(label)),
                partial(self.app.run_action, action),
                help=pgettext("verb", "open"),
            )

    def _records(self, query: str) -> list[tuple[str, str]]:
        from bizdesk.services.overview.search import find

        with self.app.store.read() as uow:
            return [(h.label, f"open_record('{h.kind}', {h.id})") for h in find(uow, query)]


class BizdeskCommands(FindRecords):
    """Every command of the registry, named with the key that runs it now (after the
    keymap), then the records matching what is typed."""

    def _commands(self) -> list[tuple[str, str, str]]:
        """(name with its key, action, the words it is found by too, translated)."""
        app = self.app
        out = []
        for command, key in commands_with_keys(getattr(app, "keymap", {})):
            name = command.shown(_)
            if key is not None:  # markup-escaped: "[" is a key too
                name += f" ({escape(app.get_key_display(Binding(key, '')))})"
            out.append((name, command.action, _(command.words) if command.words else ""))
        return out

    async def discover(self) -> Hits:
        for name, action, _words in self._commands():
            yield DiscoveryHit(name, partial(self.app.run_action, action))

    async def search(self, query: str) -> Hits:
        # compared without accents or case: "phan khuc" finds "Phân khúc liên hệ", as a
        # keyboard without ă or ễ types it (the hit is shown as written, its letters marked)
        matcher = self.matcher(fold(query))
        for name, action, words in self._commands():
            folded = fold(name)
            score = matcher.match(folded)
            if score <= 0 and words_match(query, words):
                # found by the words it carries ("payslip": the payroll runs): said under it
                yield Hit(
                    words_score(query),
                    Content(name),
                    partial(self.app.run_action, action),
                    help=escape(words),
                )
            if score > 0:
                marked = matcher.highlight(folded)
                shown = (
                    Content(name, spans=marked.spans)
                    if len(folded) == len(name)
                    else matcher.highlight(name)
                )
                yield Hit(score, shown, partial(self.app.run_action, action))
        async for hit in super().search(query):
            yield hit
