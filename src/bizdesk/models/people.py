"""People: employees, their leave, the shop's payroll lines and the monthly payroll runs
(one payslip per employee a run pays, with one item per payroll line)."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field

from bizdesk.models.base import Row, figure, utcnow


class Employee(Row, table=True):
    """A person the shop employs: a contact, optionally a bizdesk user. ``pay_minor`` is the
    monthly salary (pay basis monthly) or the hourly rate (hourly), in minor units."""

    id: int | None = Field(default=None, primary_key=True)
    contact_id: int = Field(foreign_key="contact.id", unique=True)
    user_id: int | None = Field(default=None, foreign_key="user.id")
    job_title: str = Field(default="", max_length=100)
    start_date: date
    end_date: date | None = None
    pay_basis: str = Field(default="monthly", max_length=10)  # monthly | hourly
    pay_minor: int = figure(0)
    iban: str = Field(default="", max_length=34)
    leave_days: int = 0  # working days of paid leave a year
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    updated_by: str = ""
    version: int = 1


class LeaveState(StrEnum):
    REQUESTED = "requested"
    APPROVED = "approved"
    REFUSED = "refused"
    WITHDRAWN = "withdrawn"  # asked for or approved, then called off (by the owner)


class LeaveRequest(Row, table=True):
    __tablename__ = "leave_request"
    __table_args__ = (Index("ix_leave_employee", "employee_id", "start_date"),)

    id: int | None = Field(default=None, primary_key=True)
    employee_id: int = Field(foreign_key="employee.id")
    kind: str = Field(max_length=20)  # vacation | sick | unpaid
    start_date: date
    end_date: date
    days: int  # working days (Monday to Friday) from start to end, both included
    state: str = Field(default=LeaveState.REQUESTED, max_length=20)
    note: str = Field(default="", max_length=200)
    decided_by: str = Field(default="", max_length=64)
    created_at: datetime = Field(default_factory=utcnow)
    created_by: str = Field(default="", max_length=64)


class PayLine(Row, table=True):
    """A deduction from gross pay (the employee's) or an employer contribution (the shop's):
    a percentage of gross (``rate_bp``, hundredths of a percent) or a fixed amount a month
    (``amount_minor``), owed to the liability account ``account_id``."""

    __tablename__ = "pay_line"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True, max_length=80)
    kind: str = Field(max_length=20)  # deduction | contribution
    rate_bp: int | None = None
    amount_minor: int | None = figure(None)
    account_id: int = Field(foreign_key="account.id")
    active: bool = True
    created_at: datetime = Field(default_factory=utcnow)


class RunState(StrEnum):
    DRAFT = "draft"
    POSTED = "posted"
    PAID = "paid"
    REVERSED = "reversed"


class PayrollRun(Row, table=True):
    """One month's payroll ("PR-00001"): a draft, then posted in one entry, then paid."""

    __tablename__ = "payroll_run"
    __table_args__ = (Index("ix_payroll_run_month", "month", "state"),)

    id: int | None = Field(default=None, primary_key=True)
    number: int = Field(unique=True)
    month: date  # its first day
    state: str = Field(default=RunState.DRAFT, max_length=20)
    entry_id: int | None = Field(default=None, foreign_key="journal_entry.id")
    paid_minor: int = figure(0)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    updated_by: str = ""
    version: int = 1


class Payslip(Row, table=True):
    """What a run pays one employee ("PR-00001/3": the run and the employee's number)."""

    __table_args__ = (UniqueConstraint("run_id", "employee_id", name="uq_payslip_employee"),)

    id: int | None = Field(default=None, primary_key=True)
    run_id: int = Field(foreign_key="payroll_run.id", index=True)
    employee_id: int = Field(foreign_key="employee.id", index=True)
    pay_basis: str = Field(max_length=10)
    pay_minor: int = figure()  # the salary or the rate it was computed from
    hours_scaled: int = figure(0)  # hourly: thousandths of an hour worked
    hours_entered: bool = False  # hourly: the hours were given (0 is an answer, none is not)
    days_paid: int = 0  # monthly: working days paid ...
    days_month: int = 0  # ... of the month's working days
    gross_minor: int = figure(0)
    deductions_minor: int = figure(0)
    contributions_minor: int = figure(0)
    net_minor: int = figure(0)
    # the payment entry that paid its net pay (a run may be paid employee by employee)
    paid_entry_id: int | None = Field(default=None, foreign_key="journal_entry.id")


class PayslipItem(Row, table=True):
    """One payroll line on one payslip, as it was when the run was computed."""

    __tablename__ = "payslip_item"

    id: int | None = Field(default=None, primary_key=True)
    payslip_id: int = Field(foreign_key="payslip.id", index=True)
    pay_line_id: int = Field(foreign_key="pay_line.id")
    name: str = Field(max_length=80)
    kind: str = Field(max_length=20)
    rate_bp: int | None = None
    account_id: int = Field(foreign_key="account.id")
    amount_minor: int = figure()
