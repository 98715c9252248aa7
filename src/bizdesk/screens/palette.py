"""ctrl+p: every action by name, and go-to-record over contacts, deals, tickets, products,
purchase orders and journal entries."""

from __future__ import annotations

import asyncio
from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content

ACTIONS = [
    ("Go to Home", "show_tab('home')"),
    ("Go to Contacts", "show_tab('contacts')"),
    ("Go to Deals", "show_tab('deals')"),
    ("Go to Tickets", "show_tab('tickets')"),
    ("Go to Stock", "show_tab('stock')"),
    ("Go to Purchases", "show_tab('purchases')"),
    ("Go to Journal", "show_tab('journal')"),
    ("New contact", "new('contacts')"),
    ("New deal", "new('deals')"),
    ("New ticket", "new('tickets')"),
    ("New product", "new('stock')"),
    ("New purchase order", "new('purchases')"),
    ("New journal entry", "new('journal')"),
    ("Sales orders", "sales"),
    ("Counter sale", "sales(True)"),
    ("Help for this screen", "help"),
]


class BizdeskCommands(Provider):
    async def discover(self) -> Hits:
        for name, action in ACTIONS:
            yield DiscoveryHit(name, partial(self.app.run_action, action))

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, action in ACTIONS:
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), partial(self.app.run_action, action))
        if len(query.strip()) < 2:
            return
        records = await asyncio.to_thread(self._records, query)
        for label, action in records:
            yield Hit(
                0.5, Content(label), partial(self.app.run_action, action), help="go to record"
            )

    def _records(self, query: str) -> list[tuple[str, str]]:
        from bizdesk.services import contacts as C
        from bizdesk.services import deals as D
        from bizdesk.services import ledger as L
        from bizdesk.services import purchasing as PU
        from bizdesk.services import sales as SA
        from bizdesk.services import stock as S
        from bizdesk.services import tickets as T
        from bizdesk.services.paging import PageRequest

        q = query.strip()
        out: list[tuple[str, str]] = []
        with self.app.store.read() as uow:
            for r in C.suggest(uow, q, limit=8):
                out.append((f"Contact: {r.name} #{r.id}", f"open_record('contact', {r.id})"))
            for r in D.list_page(uow, PageRequest(limit=5, search=q)).rows:
                out.append((f"Deal: {r.title} #{r.id}", f"open_record('deal', {r.id})"))
            for r in T.list_page(
                uow, PageRequest(limit=5, search=q, filters={"queue": "all"})
            ).rows:
                out.append((f"Ticket: {r.subject} #{r.id}", f"open_record('ticket', {r.id})"))
            req = PageRequest(limit=5, search=q)
            for r in S.list_products(uow, req).rows:
                out.append((f"Product: {r.sku} {r.name}", f"open_record('product', {r.id})"))
            for r in PU.list_page(uow, req).rows:
                out.append(
                    (f"Order: {r.label} {r.supplier}", f"open_record('purchase_order', {r.id})")
                )
            for r in SA.list_page(uow, req).rows:
                out.append((f"Sale: {r.label} {r.customer}", f"open_record('sales_order', {r.id})"))
            for r in L.list_entries(uow, req).rows:
                out.append((f"Entry: {r.label} {r.memo}", f"open_record('entry', {r.id})"))
        return out
