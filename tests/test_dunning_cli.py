"""`bizdesk reminders`, `bizdesk reminder-levels`, `bizdesk terms` and the contacts CSV's
payment_terms column, as a user runs them."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

from bizdesk.db import open_store
from bizdesk.identity import os_username
from bizdesk.services.crm import contacts
from bizdesk.services.trade import sales
from tests.erp_helpers import product
from tests.test_cli import bizdesk
from tests.test_cli import db as db  # noqa: F401  (the fixture)

CONTACTS = (
    "name,email,roles,payment_terms\n"
    "Dana Client,dana@example.com,customer,end of month + 60 days\n"
    "Eli Late,eli@example.com,customer,\n"
)


def test_contacts_csv_carries_payment_terms(db) -> None:  # noqa: ANN001
    r = bizdesk("import", "contacts", "-", "--db", db, stdin=CONTACTS)
    assert r.returncode == 0, r.stderr
    out = bizdesk("export", "contacts", "--db", db)
    rows = {row["name"]: row for row in csv.DictReader(io.StringIO(out.stdout))}
    assert rows["Dana Client"]["payment_terms"] == "end of month + 60 days"
    assert rows["Eli Late"]["payment_terms"] == ""
    bad = bizdesk(
        "import", "contacts", "-", "--db", db, stdin="name,payment_terms\nFay,30 days net\n"
    )
    assert bad.returncode == 1
    assert "line 2" in bad.stderr and "write net 30 days or end of month + 10 days" in bad.stderr


def test_reminders_print_one_line_each_and_never_twice(db) -> None:  # noqa: ANN001
    r = bizdesk("import", "contacts", "-", "--db", db, stdin=CONTACTS)
    assert r.returncode == 0, r.stderr
    store = open_store(db, user=os_username())
    try:
        product(store, "SRV", name="Service", sale_price="100", vat_rate="0", allow_negative="yes")
        day = date.today() - timedelta(days=60)
        with store.write() as uow:
            for who in ("Dana Client", "Eli Late"):
                so = sales.create(
                    uow,
                    sales.SOInput(
                        customer=who, order_date=day.isoformat(), lines=[sales.SOLineInput("SRV")]
                    ),
                )
                sales.confirm(uow, so.id)
                sales.deliver(uow, so.id, when=day)
                inv = sales.invoice(uow, so.id, when=day)
            assert contacts.get(uow, so.customer_id).name == "Eli Late"
    finally:
        store.dispose()
    # Eli's invoice (net 14) is 22 days late on the day: the second level; Dana's is not due
    as_of = (inv.due_on + timedelta(days=22)).isoformat()
    first = bizdesk("reminders", "--as-of", as_of, "--db", db)
    assert first.returncode == 0, first.stderr
    lines = first.stdout.splitlines()
    assert lines[-1] == "1 reminder was made."
    assert lines[0].split() == ["RM-00001", "Eli", "Late", "level", "2,", "second", "100.00"]
    again = bizdesk("reminders", "--as-of", as_of, "--db", db)
    assert (again.returncode, again.stdout) == (0, "No reminders are due.\n")
    today = bizdesk("reminders", "--db", db)
    assert today.returncode == 0, today.stderr
    assert today.stdout.splitlines()[0].split()[:6] == [
        "RM-00002",
        "Eli",
        "Late",
        "level",
        "3,",
        "final",
    ]
    assert today.stdout.splitlines()[-1] == "1 reminder was made."
    assert bizdesk("reminders", "--send", "--db", db).stdout == "No reminders are due.\n"
    future = bizdesk("reminders", "--as-of", "2199-01-01", "--db", db)
    assert future.returncode == 1 and "after today" in future.stderr


def test_levels_and_default_terms_from_the_command_line(db) -> None:  # noqa: ANN001
    r = bizdesk("reminder-levels", "set", "4", "--days", "90", "--name", "collection", "--db", db)
    assert (r.returncode, r.stdout) == (0, "Level 4: 90 days overdue, collection\n")
    listed = bizdesk("reminder-levels", "list", "--db", db)
    assert "collection" in listed.stdout and "friendly" in listed.stdout
    bad = bizdesk("reminder-levels", "set", "2", "--days", "50", "--db", db)
    assert bad.returncode == 1 and "more days than level 1" not in bad.stderr
    assert "more days than level 2 (50)" in bad.stderr  # level 3 (45) now comes too early
    gone = bizdesk("reminder-levels", "remove", "--db", db)
    assert (
        gone.returncode == 0
        and "collection" not in bizdesk("reminder-levels", "list", "--db", db).stdout
    )
    shown = bizdesk("terms", "--db", db)
    assert shown.stdout == "Customers: net 14 days\nSuppliers: net 30 days\n"
    bad = bizdesk("terms", "--customers", "thirty", "--db", db)
    assert bad.returncode == 1 and "write net 30 days or end of month + 10 days" in bad.stderr
    ok = bizdesk("terms", "--customers", "end of month + 15 days", "--db", db)
    assert ok.stdout.startswith("Customers: end of month + 15 days\n")


def test_reminders_send_e_mails_each_with_its_pdf_once(db) -> None:  # noqa: ANN001
    """`reminders --send` through a real SMTP server on 127.0.0.1 that refuses the first
    try: the reminder is made and queued together, arrives once with RM-00001.pdf (its
    invoice, open amount and wording inside), and a customer without an address is told to
    print theirs."""
    from pypdf import PdfReader

    from tests.mail_server import Inbox, Server

    people = CONTACTS + "Gus Nomail,,customer,\n"
    assert bizdesk("import", "contacts", "-", "--db", db, stdin=people).returncode == 0
    store = open_store(db, user=os_username())
    try:
        product(store, "SRV", name="Service", sale_price="100", vat_rate="0", allow_negative="yes")
        day = date.today() - timedelta(days=30)
        with store.write() as uow:
            for who in ("Eli Late", "Gus Nomail"):
                so = sales.create(
                    uow,
                    sales.SOInput(
                        customer=who, order_date=day.isoformat(), lines=[sales.SOLineInput("SRV")]
                    ),
                )
                sales.confirm(uow, so.id)
                sales.deliver(uow, so.id, when=day)
                sales.invoice(uow, so.id, when=day)
    finally:
        store.dispose()
    inbox = Inbox(refuse=1)
    with Server(inbox) as server:
        mail = (
            "mail", "settings", "--host", "127.0.0.1", "--port", str(server.port),
            "--security", "none", "--from", "shop@example.com", "--db", db,
        )  # fmt: skip
        assert bizdesk(*mail).returncode == 0
        sent = bizdesk("reminders", "--send", "--db", db)
        assert sent.returncode == 0, sent.stderr
        assert "2 reminders were made." in sent.stdout
        assert "the customer has no e-mail address; print it with bizdesk print reminder" in (
            sent.stdout
        )
        assert "1 message is still queued:" in sent.stdout  # the server said 451 once
        again = bizdesk("mail", "retry", "--db", db)
        assert "1 message was sent." in again.stdout, again.stdout + again.stderr
        assert bizdesk("mail", "retry", "--db", db).stdout.startswith("0 messages were sent.")
    assert len(inbox.messages) == 1
    msg = inbox.messages[0]
    assert msg["To"] == "eli@example.com"
    (pdf,) = [p for p in msg.iter_attachments() if p.get_filename().startswith("RM-")]
    text = PdfReader(io.BytesIO(pdf.get_content())).pages[0].extract_text()
    assert "PAYMENT REMINDER" in text and "Eli Late" in text and "INV-00001" in text
    assert "100.00" in text
