"""Engine, sessions and migrations. Never imports the UI."""

from bizdesk.db.opening import create_store, open_store
from bizdesk.db.session import Store, UnitOfWork

__all__ = ["Store", "UnitOfWork", "create_store", "open_store"]
