"""Engine, sessions and migrations. Never imports the UI."""

from bizdesk.db.session import Store, UnitOfWork, open_store

__all__ = ["Store", "UnitOfWork", "open_store"]
