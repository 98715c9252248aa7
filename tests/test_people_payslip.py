"""Payslips as PDF (`print payslip PR-00001/1`): drawn by the one layout, read back with
pypdf, in the employee's language; refused to the roles that may not see pay."""

from __future__ import annotations

import pytest

from bizdesk.db import Store
from bizdesk.errors import NotFound, PermissionDenied
from bizdesk.services import papers
from bizdesk.services.admin import users
from bizdesk.services.crm import contacts
from bizdesk.services.crm.contacts import ContactInput
from bizdesk.services.people import employees, payroll
from bizdesk.services.people.employees import EmployeeInput
from tests.people_helpers import employee, lines
from tests.test_cli import bizdesk
from tests.test_papers import pdf_text


@pytest.fixture
def shop(store):  # noqa: ANN001, ANN201
    lines(store)
    employee(store, "Ana Pop", pay="2500", iban="DE89370400440532013000", job_title="Mechanic")
    with store.write() as uow:
        contacts.create(uow, ContactInput(name="Lucía Gómez", kind="person", language="es"))
        employees.add(
            uow,
            EmployeeInput(
                contact="Lucía Gómez", start_date="2026-01-15", pay_basis="hourly", pay="12.35"
            ),
        )
        run = payroll.create_run(uow, "2026-01", {"Lucía Gómez": "101.5"})
        payroll.post(uow, run.id)
    return store


def test_a_payslip_reads_back(shop) -> None:  # noqa: ANN001
    with shop.read() as uow:
        paper = papers.render(uow, "payslip", "PR-00001/1")
    assert paper.filename == "PR-00001-1.pdf" and paper.data.startswith(b"%PDF")
    text = pdf_text(paper.data)
    for expected in (
        "PAYSLIP",
        "PR-00001/1",
        "Ana Pop",
        "Mechanic",
        "January 2026",
        "22 of 22 working days of 2,500.00 a month",
        "Income tax",
        "-250.00",
        "Employer social security",
        "747.50",
        "Net pay EUR",
        "2,079.25",  # 2500 - 250 - 158.75 - 12
        "DE89 3704 0044 0532 0130 00",
    ):
        assert expected in text, (expected, text)
    # not paid yet: where the pay will go, not "Paid to" (no money went there)
    assert "To be paid to" in text and "Paid to" not in text.replace("To be paid to", "")


def test_a_paid_payslip_says_when_it_was_paid(shop) -> None:  # noqa: ANN001
    with shop.write() as uow:
        payroll.pay(uow, 1, "bank", employees=["Ana Pop"], when="2026-02-03")
    with shop.read() as uow:
        paid = " ".join(pdf_text(papers.render(uow, "payslip", "PR-00001/1").data).split())
        waiting = pdf_text(papers.render(uow, "payslip", "PR-00001/2").data)
    assert "Paid on: Feb 3, 2026" in paid, paid
    assert "Paid to" in paid and "To be paid to" not in paid
    assert "Fecha de pago" not in waiting  # Lucía's is not paid yet


def test_a_payslip_paid_in_cash_says_so_and_not_the_iban(shop) -> None:  # noqa: ANN001
    """Paid from the cash account, it said "Paid to IBAN DE89 ..." (the money never went
    there)."""
    with shop.write() as uow:
        payroll.pay(uow, 1, "cash", employees=["Ana Pop"], when="2026-02-03")
    with shop.read() as uow:
        paid = " ".join(pdf_text(papers.render(uow, "payslip", "PR-00001/1").data).split())
    assert "Paid: in cash" in paid, paid
    assert "DE89" not in paid and "Paid to" not in paid


def test_in_the_employee_s_language(shop) -> None:  # noqa: ANN001
    with shop.read() as uow:
        text = pdf_text(papers.render(uow, "payslip", "pr1/2").data)
    assert "NÓMINA" in text and "Lucía Gómez" in text
    assert "101.5 horas a 12.35" in text and "Sueldo bruto" in text
    # under a heading that is not "month" too (Vietnamese read "Tháng: Tháng 9 2026"); the
    # month as the shop's locale writes dates on its papers
    assert "Periodo de pago: January 2026" in " ".join(text.split()), text


def test_refusals(shop) -> None:  # noqa: ANN001
    with shop.write() as uow:
        users.add(uow, "a_sales", "sales")
        users.add(uow, "a_accountant", "accountant")
    with Store(url=shop.url, engine=shop.engine, user="a_sales").read() as uow:
        with pytest.raises(PermissionDenied) as exc:
            papers.render(uow, "payslip", "PR-00001/1")
    assert "Printing payslips is not allowed for your role (sales)" in str(exc.value)
    with Store(url=shop.url, engine=shop.engine, user="a_accountant").read() as uow:
        assert papers.render(uow, "payslip", "PR-00001/1").label == "PR-00001/1"
    with shop.read() as uow, pytest.raises(NotFound) as exc:
        papers.render(uow, "payslip", "PR-00001/9")
    assert "There is no payslip 'PR-00001/9'" in str(exc.value)


def test_print_payslip_from_the_command_line(tmp_path) -> None:  # noqa: ANN001
    from bizdesk.db import open_store
    from bizdesk.services.admin import setup

    path = str(tmp_path / "shop.db")
    s = open_store(path)
    setup.ensure_initialized(s)
    lines(s)
    employee(s, "Ana Pop", pay="1000")
    with s.write() as uow:
        payroll.create_run(uow, "2026-02")
    s.dispose()
    out = tmp_path / "slip.pdf"
    r = bizdesk("print", "payslip", "PR-00001/1", "-o", str(out), "--db", path)
    assert r.returncode == 0, r.stderr
    assert "PR-00001/1 written to" in r.stderr
    assert "1,000.00" in pdf_text(out.read_bytes())
    r = bizdesk("print", "payslip", "PR-1", "--db", path)
    assert r.returncode == 1 and "a payslip is named by its run" in r.stderr
