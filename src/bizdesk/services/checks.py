"""``bizdesk check``: every invariant of the store, each a small function in a registry.

A ledger is data plus checks (as in beancount and hledger): a check says exactly which
record is wrong and why, so a person can act on it.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from sqlalchemy import text

from bizdesk.config import sqlite_path
from bizdesk.db.session import Store, UnitOfWork


@dataclass(frozen=True)
class Violation:
    check: str
    message: str
    severity: str = "error"  # "error" fails the check; "warning" is reported only


CheckFn = Callable[[UnitOfWork], Iterator[Violation]]
CHECKS: list[tuple[str, CheckFn]] = []


def check(name: str) -> Callable[[CheckFn], CheckFn]:
    def register(fn: CheckFn) -> CheckFn:
        CHECKS.append((name, fn))
        return fn

    return register


def _sql_rule(name: str, sql: str, message: str) -> None:
    """A rule that holds when ``sql`` returns no rows; each row is one violation."""

    def run(uow: UnitOfWork) -> Iterator[Violation]:
        for row in uow.session.execute(text(sql)):
            yield Violation(name, message.format(*row))

    CHECKS.append((name, run))


@check("sqlite-integrity")
def _integrity(uow: UnitOfWork) -> Iterator[Violation]:
    if not uow.store.is_sqlite:
        return
    for (msg,) in uow.session.execute(text("PRAGMA integrity_check")):
        if msg != "ok":
            yield Violation("sqlite-integrity", msg)
    for row in uow.session.execute(text("PRAGMA foreign_key_check")):
        yield Violation("foreign-keys", f"{row[0]} row {row[1]} points at a missing {row[2]}")


@check("store-permissions")
def _permissions(uow: UnitOfWork) -> Iterator[Violation]:
    path = sqlite_path(uow.store.url)
    if path is None:
        return
    for p in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        if p.exists() and os.stat(p).st_mode & (stat.S_IROTH | stat.S_IWOTH):
            yield Violation(
                "store-permissions",
                f"{p} can be read or written by every user on this machine (chmod o-rwx {p})",
                "warning",
            )


_sql_rule(
    "contact-email",
    "SELECT id, email FROM contact WHERE email IS NOT NULL AND "
    "(email != lower(trim(email)) OR email = '')",
    "contact #{0}: email {1!r} is not normalised",
)
_sql_rule(
    "contact-sort-name",
    "SELECT id FROM contact WHERE sort_name IS NULL OR sort_name = ''",
    "contact #{0}: sort name missing",
)
_sql_rule(
    "contact-merged-archived",
    "SELECT id FROM contact WHERE merged_into_id IS NOT NULL AND NOT archived",
    "contact #{0} was merged but is not archived",
)
_sql_rule(
    "contact-stage",
    "SELECT id, stage FROM contact WHERE stage NOT IN ('lead','prospect','customer','inactive')",
    "contact #{0}: unknown stage {1!r}",
)
_sql_rule(
    "tag-lowercase",
    "SELECT contact_id, tag FROM contact_tag WHERE tag != lower(tag)",
    "contact #{0}: tag {1!r} is not lower case",
)
_sql_rule(
    "deal-stage",
    "SELECT d.id FROM deal d LEFT JOIN pipeline_stage s ON s.id = d.stage_id "
    "WHERE s.id IS NULL OR (NOT s.active AND NOT d.archived)",
    "deal #{0} sits in a missing or removed stage",
)
_sql_rule(
    "deal-closed",
    "SELECT d.id, s.name FROM deal d JOIN pipeline_stage s "
    "ON s.id = d.stage_id WHERE (s.kind != 'open') != (d.closed_at IS NOT NULL)",
    "deal #{0} in stage {1}: closed date does not match the stage",
)
_sql_rule(
    "deal-probability",
    "SELECT id, probability FROM deal WHERE probability < 0 OR probability > 100",
    "deal #{0}: probability {1} not 0-100",
)
_sql_rule("deal-amount", "SELECT id FROM deal WHERE amount_minor < 0", "deal #{0}: negative amount")
_sql_rule(
    "ticket-values",
    "SELECT id FROM ticket WHERE status NOT IN "
    "('new','open','waiting','resolved','closed') OR priority NOT IN "
    "('low','normal','high','urgent')",
    "ticket #{0}: unknown status or priority",
)
_sql_rule(
    "ticket-resolved-at",
    "SELECT id FROM ticket WHERE (status IN ('resolved','closed')) != (resolved_at IS NOT NULL)",
    "ticket #{0}: resolved time does not match its status",
)
_sql_rule(
    "ticket-breach-recorded",
    "SELECT id FROM ticket WHERE NOT first_response_breached "
    "AND first_response_at IS NOT NULL AND first_response_due IS NOT NULL "
    "AND first_response_at > first_response_due",
    "ticket #{0}: answered late but not flagged as breached",
)
for _entity, _table in (("contact", "contact"), ("deal", "deal"), ("ticket", "ticket")):
    _sql_rule(
        f"{_entity}-audited",
        f"SELECT t.id FROM {_table} t WHERE NOT EXISTS (SELECT 1 FROM audit_event a "
        f"WHERE a.entity = '{_entity}' AND a.entity_id = t.id)",
        f"{_entity} #{{0}} has no audit trail",
    )


def run_checks(store: Store) -> list[Violation]:
    found: list[Violation] = []
    with store.read() as uow:
        for _name, fn in CHECKS:
            found.extend(fn(uow))
    return found
