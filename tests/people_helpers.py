"""Builders for the people tests: an employee from a new contact, the demo-like payroll
lines of the generic chart."""

from __future__ import annotations

from bizdesk.db import Store
from bizdesk.services.crm import contacts
from bizdesk.services.crm.contacts import ContactInput
from bizdesk.services.people import employees, payroll
from bizdesk.services.people.employees import EmployeeInput


def employee(store: Store, name: str, **kw) -> int:  # noqa: ANN003
    with store.write() as uow:
        contacts.create(uow, ContactInput(name=name, kind="person"))
        data = EmployeeInput(contact=name, **{"start_date": "2026-01-01", "pay": "2500", **kw})
        return employees.add(uow, data).id


def lines(store: Store) -> None:
    """Income tax 10 %, social security 6.35 % and a fixed 12.00 union fee withheld; the
    employer's social security 29.9 %."""
    with store.write() as uow:
        for name, kind, pct, amount, account in (
            ("Income tax", "deduction", "10", "", "2310"),
            ("Social security", "deduction", "6.35", "", "2320"),
            ("Union fee", "deduction", "", "12", "2320"),
            ("Employer social security", "contribution", "29.9", "", "2320"),
        ):
            payroll.add_line(uow, payroll.PayLineInput(name, kind, pct, amount, account))
