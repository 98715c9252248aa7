"""Moving a store to PostgreSQL: copy every table of a (SQLite) store into an empty
PostgreSQL database, then check both and compare them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import func, insert, inspect, select, text

from bizdesk.db.engine import WRITE
from bizdesk.db.migrate import upgrade
from bizdesk.db.opening import open_store
from bizdesk.db.sequences import sync_id_sequences
from bizdesk.db.session import Store
from bizdesk.errors import StoreError
from bizdesk.faults import translate
from bizdesk.i18n import Message
from bizdesk.models import load_all
from bizdesk.services.admin.checks import PG_SEARCH_INDEXES, Violation, run_checks
from bizdesk.services.base.permissions import require_store
from bizdesk.services.books.ledger_reports import trial_balance

BATCH = 5000


@dataclass
class TableCopy:
    table: str
    source_rows: int
    target_rows: int


@dataclass
class TransferReport:
    target: str
    tables: list[TableCopy] = field(default_factory=list)
    source_problems: list[Violation] = field(default_factory=list)
    target_problems: list[Violation] = field(default_factory=list)
    trial_balance_matches: bool = False

    @property
    def rows(self) -> int:
        return sum(t.target_rows for t in self.tables)

    @property
    def ok(self) -> bool:
        return (
            all(t.source_rows == t.target_rows for t in self.tables)
            and self.trial_balance_matches
            and not [
                v for v in self.source_problems + self.target_problems if v.severity == "error"
            ]
        )


def _tables() -> list:  # noqa: ANN202
    """Every bizdesk table, parents before the rows that point at them."""
    return list(load_all().sorted_tables)


def _self_references(table) -> list[str]:  # noqa: ANN001
    """Columns pointing into their own table (a contact's organisation, a reversal): copied
    as NULL first and filled in once every row of the table is there."""
    return sorted({fk.parent.name for fk in table.foreign_keys if fk.column.table is table})


def _refuse_unless_empty(target: Store) -> None:
    """An empty database, or one holding only an empty bizdesk schema (a copy that failed
    half-way leaves that behind, its rows rolled back)."""
    with target.engine.connect() as conn:
        names = set(inspect(conn).get_table_names())
        if not names:
            return
        known = {t.name for t in _tables()} | {"alembic_version"}
        foreign = sorted(names - known)
        filled = sorted(
            t.name
            for t in _tables()
            if t.name in names and conn.execute(select(func.count()).select_from(t)).scalar()
        )
    if foreign or filled:
        what = ", ".join((foreign + filled)[:5])
        raise StoreError(
            Message(
                "{url} is not empty (it holds {what}). migrate-to only copies into an "
                "empty PostgreSQL database: create a new one (createdb NAME) and try again; "
                "nothing was changed.",
                url=str(target.url),
                what=what,
            )
        )


def migrate_to(
    source: Store, target_url: str, progress: Callable[[str, int], None] | None = None
) -> TransferReport:
    """Copy ``source`` into the empty PostgreSQL database at ``target_url``, all or nothing,
    and report row counts, the checks of both stores and whether their trial balances agree.
    Only an owner may: the role is checked before a single row is read."""
    require_store(source, "store.migrate")
    if not target_url.startswith("postgresql"):
        raise StoreError(
            Message(
                "migrate-to copies into a PostgreSQL database: give a URL like "
                "postgresql+psycopg://USER@HOST/DBNAME"
            )
        )
    target = open_store(target_url, user=source.user, migrate=False)
    try:
        try:
            _refuse_unless_empty(target)
        except Exception as exc:  # the target cannot be reached: said of the target
            fault = translate(exc, target_url)
            if fault is None:
                raise
            raise fault from None
        upgrade(target)
        report = TransferReport(target=target.engine.url.render_as_string(hide_password=True))
        _copy(source, target, report, progress)
        report.source_problems = run_checks(source)
        report.target_problems = run_checks(target)
        with source.read() as a, target.read() as b:
            report.trial_balance_matches = trial_balance(a) == trial_balance(b)
        return report
    finally:
        target.dispose()


def _copy(
    source: Store,
    target: Store,
    report: TransferReport,
    progress: Callable[[str, int], None] | None,
) -> None:
    # One read transaction on the source (one consistent state while others may write) and
    # one write transaction on the target: either every row arrives or none does.
    with (
        source.engine.connect() as src,
        target.engine.execution_options(bizdesk_mode=WRITE).begin() as dst,
    ):
        src.begin()
        for table in _tables():
            later = _self_references(table)
            order = list(table.primary_key.columns)
            copied = 0
            result = src.execution_options(yield_per=BATCH).execute(select(table).order_by(*order))
            fixes: list[dict] = []
            for batch in result.mappings().partitions(BATCH):
                rows = [dict(r) for r in batch]
                for row in rows:
                    if later and any(row[c] is not None for c in later):
                        fixes.append({"id": row["id"], **{c: row[c] for c in later}})
                        for c in later:
                            row[c] = None
                dst.execute(insert(table), rows)
                copied += len(rows)
                if progress:
                    progress(table.name, copied)
            if fixes:
                sets = ", ".join(f"{c} = :{c}" for c in later)
                dst.execute(text(f'UPDATE "{table.name}" SET {sets} WHERE id = :id'), fixes)
            if "id" in table.columns and table.columns["id"].autoincrement is not False:
                sync_id_sequences(dst, table.name)
            report.tables.append(
                TableCopy(
                    table.name,
                    src.execute(select(func.count()).select_from(table)).scalar() or 0,
                    dst.execute(select(func.count()).select_from(table)).scalar() or 0,
                )
            )
        src.rollback()
        # The search indexes were filled row by row; rebuild them compact.
        for index in PG_SEARCH_INDEXES:
            dst.execute(text(f"REINDEX INDEX {index}"))
    with target.engine.connect() as conn:  # statistics for the planner, outside the copy
        conn.execute(text("ANALYZE"))
        conn.commit()
