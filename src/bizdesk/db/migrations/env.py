"""Alembic environment: runs on the engine handed over by bizdesk.db.migrate."""

from alembic import context
from sqlalchemy import create_engine

from bizdesk.models import load_all

config = context.config
target_metadata = load_all()  # every table


def include_object(obj, name, type_, reflected, compare_to):  # noqa: ANN001, ANN201
    """Leave search indexes (made by hand-written migrations) out of autogenerate."""
    return not (type_ == "table" and name and name.startswith(("contact_search", "entry_search")))


def run() -> None:
    engine = config.attributes.get("engine")
    if engine is None:  # `alembic revision --autogenerate` from the command line
        engine = create_engine(config.get_main_option("sqlalchemy.url"))
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=True,  # SQLite needs table rebuilds for most ALTERs
            include_object=include_object,
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


run()
