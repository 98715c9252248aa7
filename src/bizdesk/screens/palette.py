"""ctrl+p: every action by name and any record; ctrl+f: find any record by name or number."""

from __future__ import annotations

import asyncio
from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content

from bizdesk.formatting import visible

ACTIONS = [
    ("Go to Home", "show_tab('home')"),
    ("Go to Contacts", "show_tab('contacts')"),
    ("Go to Deals", "show_tab('deals')"),
    ("Go to Tickets", "show_tab('tickets')"),
    ("Go to Stock", "show_tab('stock')"),
    ("Go to Purchases", "show_tab('purchases')"),
    ("Go to Journal", "show_tab('journal')"),
    ("Go to Reports", "show_tab('reports')"),
    ("New contact", "new('contacts')"),
    ("New deal", "new('deals')"),
    ("New ticket", "new('tickets')"),
    ("New product", "new('stock')"),
    ("New purchase order", "new('purchases')"),
    ("New journal entry", "new('journal')"),
    ("Sales orders", "sales"),
    ("Counter sale", "sales(True)"),
    ("Find a record (ctrl+f)", "find"),
    ("Users and roles (ctrl+u)", "users"),
    ("Help for this screen", "help"),
]


class FindRecords(Provider):
    """Records of every kind matching what is typed (services.search.find, in a thread)."""

    async def search(self, query: str) -> Hits:
        for label, action in await asyncio.to_thread(self._records, query):
            yield Hit(
                0.5, Content(visible(label)), partial(self.app.run_action, action), help="open"
            )

    def _records(self, query: str) -> list[tuple[str, str]]:
        from bizdesk.services.overview.search import find

        with self.app.store.read() as uow:
            return [(h.label, f"open_record('{h.kind}', {h.id})") for h in find(uow, query)]


class BizdeskCommands(FindRecords):
    async def discover(self) -> Hits:
        for name, action in ACTIONS:
            yield DiscoveryHit(name, partial(self.app.run_action, action))

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, action in ACTIONS:
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), partial(self.app.run_action, action))
        async for hit in super().search(query):
            yield hit
