"""Migration 0019: a store set up before it gets the payroll tables and the accounts its
chart needs for payroll (roles given to the chart's own accounts, missing ones added)."""

from __future__ import annotations

import sqlite3

import pytest
from alembic import command
from sqlalchemy import text

from bizdesk.db import open_store
from bizdesk.db.migrate import alembic_config
from bizdesk.services.admin import setup
from bizdesk.services.books.ledger import account_for
from tests.erp_helpers import errors

TABLES = ("payslip_item", "payslip", "payroll_run", "pay_line", "leave_request", "employee")
EXPECTED = {
    # chart: {role: (code, name)}
    "generic": {
        "wages": ("6100", "Wages"),
        "employer_contributions": ("6110", "Employer payroll contributions"),
        "wages_payable": ("2300", "Wages payable"),
    },
    "es": {
        "wages": ("640", "Sueldos y salarios"),
        "employer_contributions": ("642", "Seguridad Social a cargo de la empresa"),
        "wages_payable": ("465", "Remuneraciones pendientes de pago"),
    },
    "ro": {
        "wages": ("641", "Cheltuieli cu salariile personalului"),
        "employer_contributions": (
            "646",
            "Cheltuieli privind contribuția asiguratorie pentru muncă",
        ),
        "wages_payable": ("421", "Personal - salarii datorate"),
    },
    "vn": {
        "wages": ("6421", "Chi phí nhân viên"),
        "employer_contributions": (
            "64212",
            "Chi phí bảo hiểm bắt buộc do doanh nghiệp đóng cho nhân viên",
        ),
        "wages_payable": ("334", "Phải trả người lao động"),
    },
}
NEW_LIABILITIES = {
    "generic": ("2310", "2320"),
    "es": (),
    "ro": ("4314", "436"),
    "vn": ("3384", "3386"),
}


@pytest.mark.parametrize("chart", sorted(EXPECTED))
def test_an_older_store_gets_its_payroll_accounts(tmp_path, chart) -> None:  # noqa: ANN001
    path = tmp_path / "old.db"
    s = open_store(str(path), create=True)
    with s.write() as uow:
        setup.initialize(uow, chart=chart)
    with s.read() as uow:  # a new store has them from its chart
        for role, (code, name) in EXPECTED[chart].items():
            a = account_for(uow, role)
            assert (a.code, a.name) == (code, name)
    # as the store was before people: every migration from 0019 on undone
    command.downgrade(alembic_config(s), "0018")
    s.dispose()
    roles = tuple(EXPECTED[chart])
    with sqlite3.connect(path) as conn:
        assert not set(TABLES) & {
            n for (n,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        }
        conn.execute("UPDATE account SET role = NULL WHERE role IN (?, ?, ?)", roles)
        added = ["6110", "2300", "2310", "2320", "4314", "436", "646", "3384", "3386", "64212"]
        conn.execute(f"DELETE FROM account WHERE code IN ({','.join('?' * len(added))})", added)
    s = open_store(str(path))
    with s.read() as uow:
        for role, (code, name) in EXPECTED[chart].items():
            a = account_for(uow, role)
            assert (a.code, a.name) == (code, name)
        codes = {c for (c,) in uow.session.execute(text("SELECT code FROM account"))}
    assert set(NEW_LIABILITIES[chart]) <= codes
    assert errors(s) == []
    s.dispose()
