"""ctrl+p: every action by name and any record; ctrl+f: find any record by name or number."""

from __future__ import annotations

import asyncio
from functools import partial

from textual.binding import Binding
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content
from textual.markup import escape

from bizdesk.formatting import visible
from bizdesk.i18n import _
from bizdesk.screens.registry import commands_with_keys


class FindRecords(Provider):
    """Records of every kind matching what is typed (services.search.find, in a thread)."""

    async def search(self, query: str) -> Hits:
        for label, action in await asyncio.to_thread(self._records, query):
            yield Hit(
                0.5, Content(visible(label)), partial(self.app.run_action, action), help=_("open")
            )

    def _records(self, query: str) -> list[tuple[str, str]]:
        from bizdesk.services.overview.search import find

        with self.app.store.read() as uow:
            return [(h.label, f"open_record('{h.kind}', {h.id})") for h in find(uow, query)]


class BizdeskCommands(FindRecords):
    """Every command of the registry, named with the key that runs it now (after the
    keymap), then the records matching what is typed."""

    def _commands(self) -> list[tuple[str, str]]:
        app = self.app
        out = []
        for command, key in commands_with_keys(getattr(app, "keymap", {})):
            name = command.shown(_)
            if key is not None:  # markup-escaped: "[" is a key too
                name += f" ({escape(app.get_key_display(Binding(key, '')))})"
            out.append((name, command.action))
        return out

    async def discover(self) -> Hits:
        for name, action in self._commands():
            yield DiscoveryHit(name, partial(self.app.run_action, action))

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, action in self._commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), partial(self.app.run_action, action))
        async for hit in super().search(query):
            yield hit
