"""Type-ahead for the contact and organisation fields of a form."""

from __future__ import annotations

import asyncio

from textual.suggester import Suggester


class ContactSuggester(Suggester):
    """Type-ahead over contact names, read in a thread so typing never waits on the disk."""

    def __init__(self, store, kind: str | None = None) -> None:  # noqa: ANN001
        super().__init__(use_cache=False, case_sensitive=False)
        self.store = store
        self.kind = kind

    async def get_suggestion(self, value: str) -> str | None:
        if not value.strip() or value.startswith("#"):
            return None
        from bizdesk.services.crm.contacts import suggest

        def lookup() -> str | None:
            with self.store.read() as uow:
                rows = suggest(uow, value, kind=self.kind, limit=1)
            return rows[0].name if rows else None

        return await asyncio.to_thread(lookup)
