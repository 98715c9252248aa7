"""`bizdesk reminders`, `bizdesk reminder-levels`, `bizdesk terms` and the contacts CSV's
payment_terms column, as a user runs them."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from datetime import date, timedelta

from bizdesk.db import open_store
from bizdesk.identity import os_username
from bizdesk.services.crm import contacts
from bizdesk.services.trade import sales
from tests.erp_helpers import product
from tests.shop_template import clear_the_shops_address
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
    # Eli's invoice (net 14) is 22 days late on the day: never reminded, so the first level
    # (not the second, which says "we reminded you"); Dana's is not due
    as_of = (inv.due_on + timedelta(days=22)).isoformat()
    first = bizdesk("reminders", "--as-of", as_of, "--db", db)
    assert first.returncode == 0, first.stderr
    lines = first.stdout.splitlines()
    assert lines[-1] == "1 reminder was made."
    assert lines[0].split() == ["RM-00001", "Eli", "Late", "level", "1,", "friendly", "100.00"]
    again = bizdesk("reminders", "--as-of", as_of, "--db", db)
    assert (again.returncode, again.stdout) == (0, "No reminders are due.\n")
    today = bizdesk("reminders", "--db", db)
    assert today.returncode == 0, today.stderr
    assert today.stdout.splitlines()[0].split()[:6] == [
        "RM-00002",
        "Eli",
        "Late",
        "level",
        "2,",
        "second",
    ]  # 24 days after the first: the next level, one at a time
    assert today.stdout.splitlines()[-1] == "1 reminder was made."
    assert bizdesk("reminders", "--send", "--db", db).stdout == "No reminders are due.\n"
    future = bizdesk("reminders", "--as-of", "2199-01-01", "--db", db)
    assert future.returncode == 1 and "after today" in future.stderr


def test_levels_and_default_terms_from_the_command_line(db) -> None:  # noqa: ANN001
    r = bizdesk("reminder-levels", "set", "4", "--days", "90", "--name", "collection", "--db", db)
    assert (r.returncode, r.stdout) == (0, "Level 4: 90 days overdue, collection, no fee\n")
    fee = bizdesk("reminder-levels", "set", "4", "--fee", "12.50", "--db", db)
    assert fee.stdout == "Level 4: 90 days overdue, collection, a fee of 12.50\n", fee.stderr
    listed = bizdesk("reminder-levels", "list", "--db", db)
    assert "collection" in listed.stdout and "friendly" in listed.stdout
    # one day agrees with its number ("1 días", "1 zile")
    es = {"LANG": "es_ES.UTF-8", "LANGUAGE": "", "LC_ALL": "", "LC_MESSAGES": ""}
    r = bizdesk("reminder-levels", "set", "1", "--days", "1", "--db", db, env=es)
    assert r.stdout.startswith("Nivel 1: 1 día de retraso, "), r.stdout + r.stderr
    bad = bizdesk("reminder-levels", "set", "2", "--days", "50", "--db", db)
    assert bad.returncode == 1 and "more days than level 1" not in bad.stderr
    assert "3 --days: more days than level 2 (50)" in bad.stderr  # level 3 (45): too early
    # the level being set is refused by its options, in every language (it was "2.days")
    low = bizdesk("reminder-levels", "set", "2", "--days", "1", "--fee", "x", "--db", db)
    assert low.returncode == 1 and "2.days" not in low.stderr, low.stderr
    assert "--days: more days than level 1" in low.stderr and "--fee: 'x'" in low.stderr
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
        clear_the_shops_address(store)  # cleared since: a reminder carries the shop as it is
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
        assert sent.returncode == 1, sent.stderr  # one is still queued: a script can tell
        assert "2 reminders were made." in sent.stdout
        assert "the customer has no e-mail address; print it with bizdesk print reminder" in (
            sent.stdout
        )
        assert "1 message is still queued:" in sent.stdout  # the server said 451 once
        # the shop has no address now: the reminder e-mailed carries none, and sending says so
        assert "RM-00001 carries no address of the shop" in sent.stderr, sent.stderr
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


# --- reminders as PDF: `print reminder` and `reminders --print` ---------------------------------

CUSTOMERS = (
    "name,email,street,postcode,city,country,vat_id,roles\n"
    "Radhaus Köln GmbH,buy@radhaus.example,Hauptstraße 5,50667,Köln,DE,DE 136 695 976,customer\n"
    "Eli Late,,,,,,,customer\n"
)


def _overdue(db: str) -> str:  # noqa: ANN001
    """The shop (a VAT id, a fee of 5.00 at the first level) and two customers with
    overdue invoices: Radhaus (VAT id, address) owes 70.00 of INV-00001 (100.00, 30.00 paid)
    and 200.00 of INV-00002, Eli 100.00 of INV-00003. Returns the day on which they are 22
    days late (their first reminder)."""
    for args in (
        ("shop", "set", "country", "RO"),
        ("shop", "set", "vat-id", "RO 1854 7290"),
        ("reminder-levels", "set", "1", "--fee", "5"),
    ):
        r = bizdesk(*args, "--db", db)
        assert r.returncode == 0, (args, r.stderr)
    r = bizdesk("import", "contacts", "-", "--db", db, stdin=CUSTOMERS)
    assert r.returncode == 0, r.stderr
    store = open_store(db, user=os_username())
    try:
        product(store, "SRV", name="Service", sale_price="100", vat_rate="0", allow_negative="yes")
        day = date.today() - timedelta(days=60)
        with store.write() as uow:
            for who, qty in (
                ("Radhaus Köln GmbH", "1"),
                ("Radhaus Köln GmbH", "2"),
                ("Eli Late", "1"),
            ):
                so = sales.create(
                    uow,
                    sales.SOInput(
                        customer=who,
                        order_date=day.isoformat(),
                        lines=[sales.SOLineInput("SRV", qty)],
                    ),
                )
                sales.confirm(uow, so.id)
                sales.deliver(uow, so.id, when=day)
                inv = sales.invoice(uow, so.id, when=day)
                if inv.label == "INV-00001":
                    sales.pay(uow, inv.id, amount="30", when=day)
    finally:
        store.dispose()
    return (inv.due_on + timedelta(days=22)).isoformat()


def _radhaus_reminder(text: str, number: str = "RM-00001") -> None:
    """What Radhaus's reminder must say, read back from its PDF."""
    from tests.test_papers import lines_of

    lines = lines_of(text)
    assert "PAYMENT REMINDER" in text and number in text
    assert "Test Cycles" in text and "RO18547290" in text.replace(" ", "")  # the shop
    assert "Radhaus Köln GmbH" in text and "Hauptstraße 5" in text and "50667 Köln" in text
    assert "DE136695976" in text.replace(" ", "")  # the customer's VAT id
    assert "friendly" in text  # the level
    invoices = [ln for ln in lines if ln.startswith("INV-")]
    assert [ln.split()[0] for ln in invoices] == ["INV-00001", "INV-00002"]
    assert [ln.split()[-2:] for ln in invoices] == [["22", "70.00"], ["22", "200.00"]]
    assert "Overdue 270.00" in lines and "Reminder fee 5.00" in lines
    assert "Total EUR 275.00" in lines
    assert "INV-00003" not in text and "Eli Late" not in text  # another customer's


def test_print_reminder_writes_its_pdf(db, tmp_path) -> None:  # noqa: ANN001
    """`bizdesk print reminder` (the hint `reminders --send` gives): the PDF names both
    parties with their VAT ids, the overdue invoices with what is open, the fee and the
    total; as the other kinds, never over a file, and for the roles that see reminders."""
    from tests.test_papers import pdf_text

    as_of = _overdue(db)
    made = bizdesk("reminders", "--as-of", as_of, "--db", db)
    assert made.returncode == 0, made.stderr
    assert "2 reminders were made." in made.stdout
    # the line says what the paper asks for: the overdue 270.00 and the fee (as the screen)
    assert made.stdout.splitlines()[0].split()[-1] == "275.00", made.stdout
    out = tmp_path / "rm.pdf"
    r = bizdesk("print", "reminder", "RM-00001", "-o", str(out), "--db", db)
    assert r.returncode == 0, r.stderr
    assert f"RM-00001 written to {out}" in r.stderr
    _radhaus_reminder(pdf_text(out.read_bytes()))
    again = bizdesk("print", "reminder", "1", "-o", str(out), "--db", db)
    assert again.returncode == 1 and "exists already" in again.stderr
    # a path holding a control character is said with its code, never sent to the terminal
    odd = tmp_path / "rm\x1b[2J.pdf"
    r = bizdesk("print", "reminder", "1", "-o", str(odd), "--db", db)
    assert r.returncode == 0 and odd.exists(), r.stderr
    assert (
        f"RM-00001 written to {tmp_path}/rm<U+001B>[2J.pdf" in r.stderr and "\x1b" not in r.stderr
    )
    missing = bizdesk("print", "reminder", "RM-00009", "-o", str(tmp_path / "x.pdf"), "--db", db)
    assert missing.returncode == 1 and "There is no reminder RM-00009." in missing.stderr
    # a viewer may print it (as an invoice); a warehouse clerk may not see reminders
    from bizdesk.db import Store
    from bizdesk.services.admin import users

    s = open_store(db)
    with s.write() as uow:
        users.add(uow, "boss", "owner")
    me = s.user
    boss = Store(url=s.url, engine=s.engine, user="boss")
    for role, ok in (("viewer", True), ("sales", True), ("warehouse", False)):
        with boss.write() as uow:
            users.set_role(uow, me, role)
        target = tmp_path / f"{role}.pdf"
        r = bizdesk("print", "reminder", "RM-00002", "-o", str(target), "--db", db)
        if ok:
            assert r.returncode == 0, (role, r.stderr)
            assert "Eli Late" in pdf_text(target.read_bytes())
        else:
            assert r.returncode == 1 and f"not allowed for your role ({role})" in r.stderr
            assert not target.exists()
    s.dispose()


def _here(*args: str, cwd) -> subprocess.CompletedProcess:  # noqa: ANN001
    return subprocess.run(
        [sys.executable, "-m", "bizdesk", *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
    )


def test_reminders_print_writes_each_new_reminder_once(db, tmp_path) -> None:  # noqa: ANN001
    """`reminders --print -o DIR` makes the reminders due and writes each one made as
    RM-NNNNN.pdf, saying which; a folder that is not there, or a file there already, is
    refused before anything is made; a second run makes and writes nothing."""
    from tests.test_papers import pdf_text

    as_of = _overdue(db)
    out = tmp_path / "out"
    alone = bizdesk("reminders", "-o", str(out), "--db", db)
    assert alone.returncode == 2 and "-o is for --print only" in alone.stderr
    missing = bizdesk("reminders", "--as-of", as_of, "--print", "-o", str(out), "--db", db)
    assert missing.returncode == 1 and f"{out} is not a folder" in missing.stderr
    out.mkdir()
    (out / "RM-00002.pdf").write_bytes(b"mine")
    taken = bizdesk("reminders", "--as-of", as_of, "--print", "-o", str(out), "--db", db)
    assert taken.returncode == 1 and f"{out / 'RM-00002.pdf'} exists already" in taken.stderr
    assert (out / "RM-00002.pdf").read_bytes() == b"mine" and len(list(out.iterdir())) == 1
    (out / "RM-00002.pdf").unlink()
    r = bizdesk("reminders", "--as-of", as_of, "--print", "--output", str(out), "--db", db)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0].split()[0] == "RM-00001"  # nothing was made by the refused runs
    assert "carries no address" not in r.stderr, r.stderr  # (this shop has set its own)
    assert lines[2:] == [
        "2 reminders were made.",
        f"RM-00001 written to {out / 'RM-00001.pdf'}",
        f"RM-00002 written to {out / 'RM-00002.pdf'}",
    ]
    assert sorted(p.name for p in out.iterdir()) == ["RM-00001.pdf", "RM-00002.pdf"]
    _radhaus_reminder(pdf_text((out / "RM-00001.pdf").read_bytes()))
    eli = pdf_text((out / "RM-00002.pdf").read_bytes())
    assert "Eli Late" in eli and "INV-00003" in eli and "Radhaus" not in eli
    again = bizdesk("reminders", "--as-of", as_of, "--print", "-o", str(out), "--db", db)
    assert (again.returncode, again.stdout) == (0, "No reminders are due.\n")
    assert len(list(out.iterdir())) == 2
    # today both are 46 days late, 24 days after the first: the second level, here
    here = tmp_path / "here"
    here.mkdir()
    later = _here("reminders", "--print", "--db", db, cwd=here)
    assert later.returncode == 0, later.stderr
    assert "RM-00003 written to" in later.stdout and "RM-00004 written to" in later.stdout
    assert sorted(p.name for p in here.iterdir()) == ["RM-00003.pdf", "RM-00004.pdf"]
    text = pdf_text((here / "RM-00003.pdf").read_bytes())
    assert "second" in text and "Radhaus Köln GmbH" in text and "Total EUR 270.00" in text
    assert _here("reminders", "--print", "--db", db, cwd=here).stdout == "No reminders are due.\n"


GATED = """
import sys
from pathlib import Path

from bizdesk.cli import app
from bizdesk.identity import Gate, enter_gate

url, user, *words = sys.argv[1:]
enter_gate(Gate(user, url, Path("/nonexistent/authorized_keys"), ("bizdesk",)))
app(args=["--db", url, *words], prog_name="bizdesk")
"""


def test_reminders_print_is_refused_through_the_shops_gate(db, tmp_path) -> None:  # noqa: ANN001
    """Through the shop's gate bizdesk writes no files for a user (as `print`): the run is
    refused before any reminder is made."""
    as_of = _overdue(db)
    url = f"sqlite:///{db}"

    def gated(*words: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-c", GATED, url, os_username(), *words],
            capture_output=True,
            text=True,
            timeout=120,
            cwd=tmp_path,
        )

    r = gated("reminders", "--as-of", as_of, "--print", "-o", str(tmp_path))
    assert r.returncode == 1 and "does not write files on the server" in r.stderr, r.stderr
    assert list(tmp_path.glob("RM-*")) == []
    r = gated("reminders", "--as-of", as_of, "--print")
    assert r.returncode == 1 and "does not write files on the server" in r.stderr
    made = bizdesk("reminders", "--as-of", as_of, "--db", db)
    assert made.stdout.splitlines()[-1] == "2 reminders were made."  # none made before


def test_reminders_print_finishes_what_a_stopped_run_left(db, tmp_path) -> None:  # noqa: ANN001
    """A run stopped after its commit but before its PDFs (as a kill -9 or a power cut
    leaves it: the reminders made, a marker beside each file to come) is finished by the
    next `reminders --print` in that folder; a marker whose reminder was never made (the
    run stopped before its commit) is dropped, and nothing is written for it."""
    from tests.test_papers import pdf_text

    as_of = _overdue(db)
    made = bizdesk("reminders", "--as-of", as_of, "--db", db)  # committed, no PDFs
    assert made.returncode == 0 and "2 reminders were made." in made.stdout, made.stderr
    out = tmp_path / "out"
    out.mkdir()
    for name in ("RM-00001", "RM-00002", "RM-00009"):
        (out / f".{name}.pdf.pending").touch()
    r = bizdesk("reminders", "--as-of", as_of, "--print", "-o", str(out), "--db", db)
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines() == [
        "RM-00001 was made by an earlier run that stopped before writing it; written to "
        f"{out / 'RM-00001.pdf'}",
        "RM-00002 was made by an earlier run that stopped before writing it; written to "
        f"{out / 'RM-00002.pdf'}",
        "No reminders are due.",
    ]
    assert sorted(p.name for p in out.iterdir()) == ["RM-00001.pdf", "RM-00002.pdf"]
    _radhaus_reminder(pdf_text((out / "RM-00001.pdf").read_bytes()))


def test_reminders_print_killed_anywhere_loses_no_pdf(db, tmp_path) -> None:  # noqa: ANN001
    """kill -9 of `reminders --print` the moment its folder shows a step (the markers, before
    the commit; a PDF being written, after it; the first PDF whole, between two), and at a
    random moment; then the same command again: every reminder in the store has its PDF in
    the folder, once, and no marker is left. (A step gone by before it was seen lets the run
    finish: the same must then hold.)"""
    import random
    import shutil
    import signal
    import sqlite3
    import time

    as_of = _overdue(db)
    rng = random.Random()
    for round_, step in enumerate((".*.pending", ".*.partial", "RM-00001.pdf", None)):
        store = tmp_path / f"round{round_}.db"
        shutil.copy(db, store)
        out = tmp_path / f"out{round_}"
        out.mkdir()
        args = [sys.executable, "-m", "bizdesk", "reminders", "--as-of", as_of, "--print"]
        args += ["-o", str(out), "--db", str(store)]
        proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if step is None:
            time.sleep(rng.uniform(0.2, 1.6))  # the moment of the kill, not a wait
        else:
            while proc.poll() is None and not list(out.glob(step)):
                pass  # watching the folder as closely as the machine allows
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        again = subprocess.run(args, capture_output=True, text=True, timeout=120)
        assert again.returncode == 0, again.stderr
        with sqlite3.connect(store) as conn:
            numbers = [n for (n,) in conn.execute("SELECT number FROM reminder ORDER BY number")]
        assert len(numbers) == 2
        pdfs = sorted(p.name for p in out.glob("RM-*.pdf"))
        assert pdfs == [f"RM-{n:05d}.pdf" for n in numbers], sorted(out.iterdir())
        assert not list(out.glob("*.pending")), sorted(out.iterdir())
