"""Type-ahead for the fields of a form: contacts and organisations, and any field whose
service suggests what it takes (products, accounts, employees)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

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
                rows = suggest(uow, value, kind=self.kind)
            # the first whose name goes on from what was typed as it is shown: "ste" does not
            # show "fan" after it for "Ștefan", which accepting would write in its place
            typed = value.casefold()
            return next((r.name for r in rows if r.name.casefold().startswith(typed)), None)

        return await asyncio.to_thread(lookup)


class LookupSuggester(Suggester):
    """Type-ahead from a service ``suggest(uow, prefix) -> [text]``, read in a thread."""

    def __init__(self, store, suggest: Callable[[Any, str], list[str]]) -> None:  # noqa: ANN001
        super().__init__(use_cache=False, case_sensitive=False)
        self.store = store
        self.suggest = suggest

    async def get_suggestion(self, value: str) -> str | None:
        if not value.strip():
            return None

        def lookup() -> str | None:
            with self.store.read() as uow:
                rows = self.suggest(uow, value)
            hit = next((r for r in rows if r.lower().startswith(value.lower())), None)
            return hit

        return await asyncio.to_thread(lookup)
