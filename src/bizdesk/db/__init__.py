"""Engine, sessions and migrations. Never imports the UI."""

from bizdesk.db.session import Store, UnitOfWork, create_store, open_store

__all__ = ["Store", "UnitOfWork", "create_store", "open_store"]
