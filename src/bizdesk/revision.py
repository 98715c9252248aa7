"""The newest revision of the store's schema (db/migrations/versions). A store already there
opens without loading Alembic at all (tests/test_store.py keeps this equal to the head of
the migrations), and Home is read at the start without the database stack only from a store
there (services/overview/fresh.py)."""

HEAD = "0030"
