"""SQLModel tables: the schema, one module per domain (each imports only what it uses).

Importing a module registers its tables; nothing here imports them all, so a command that
needs the journal does not build the payroll's and marketing's classes first (each table's
class costs about 10 ms to make). What needs every table (the migrations, moving a store to
PostgreSQL, the check that reads every text column) calls ``load_all()``."""

from __future__ import annotations

import importlib

from sqlmodel import SQLModel

MODULES = (
    "banking",
    "budgets",
    "contacts",
    "core",
    "deals",
    "dunning",
    "ledger",
    "mail",
    "making",
    "marketing",
    "nurture",
    "people",
    "purchasing",
    "recurring",
    "sales",
    "stock",
    "tickets",
)


def load_all():  # noqa: ANN201
    """Register every table (import every model module); returns the shared metadata."""
    for name in MODULES:
        importlib.import_module(f"{__name__}.{name}")
    return SQLModel.metadata
