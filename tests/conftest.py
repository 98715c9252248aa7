"""Shared fixtures: every test runs on a real, freshly migrated SQLite file."""

from __future__ import annotations

import pytest

from bizdesk.db import Store, open_store
from bizdesk.services import setup


@pytest.fixture
def store(tmp_path) -> Store:  # noqa: ANN001
    """A new, set-up store acting as the owner 'tester'."""
    s = open_store(str(tmp_path / "shop.db"), user="tester")
    setup.ensure_initialized(s)
    yield s
    s.dispose()
