"""`bizdesk send` and `bizdesk mail ...` as a person runs them, against a real SMTP server on
127.0.0.1 (aiosmtpd)."""

from __future__ import annotations

import hashlib
import os

import pytest

from bizdesk.db import open_store
from bizdesk.services.crm import contacts
from bizdesk.services.mail import outbox
from tests.mail_server import Inbox, Server, small_pdf
from tests.shop_template import issued_without_address
from tests.test_cli import bizdesk
from tests.test_cli import db as db  # noqa: F401  (the fixture)


def settings(db: str, port: int, *more: str):  # noqa: ANN201
    return bizdesk(
        "mail", "settings", "--host", "127.0.0.1", "--port", str(port), "--security", "none",
        "--from", "shop@example.com", *more, "--db", db,
    )  # fmt: skip


def queue_one(db: str, to: str = "ann@example.com") -> None:
    """Ann Buyer and one message to her, queued (an invoice's PDF attached)."""
    store = open_store(db)
    try:
        with store.write() as uow:
            ann = contacts.create(
                uow, contacts.ContactInput(name="Ann Buyer", email="ann@example.com")
            ).contact.id
            outbox.queue_message(
                uow,
                to=to,
                subject="INV-00001 from Test Cycles",
                body="Hello",
                attachment_name="INV-00001.pdf",
                attachment=small_pdf("INV-00001"),
                doc_label="INV-00001",
                contact_id=ann,
            )
    finally:
        store.dispose()


def test_settings_shown_changed_and_refused(db, tmp_path) -> None:  # noqa: ANN001
    shown = bizdesk("mail", "settings", "--db", db)
    assert shown.returncode == 0, shown.stderr
    assert "Transport (--transport): smtp" in shown.stdout
    assert "Security (--security): starttls" in shown.stdout
    assert "User (--user): none: no login" in shown.stdout
    spanish = bizdesk("mail", "settings", "--db", db, env={"LANGUAGE": "es", "LANG": "es_ES.UTF-8"})
    assert "Seguridad (--security): starttls" in spanish.stdout, spanish.stdout
    assert "Contraseña (--password-file): ninguno: sin inicio de sesión" in spanish.stdout
    loose = tmp_path / "pw"
    loose.write_text("secret\n")
    os.chmod(loose, 0o644)
    r = settings(db, 2525, "--user", "shop", "--password-file", str(loose))
    assert r.returncode == 1 and "can be read by others (mode 0644)" in r.stderr
    assert "Traceback" not in r.stderr
    os.chmod(loose, 0o600)
    r = settings(db, 2525, "--user", "shop", "--password-file", str(loose))
    assert r.returncode == 0, r.stderr
    assert "The mail settings were saved." in r.stdout
    assert f"Password (--password-file): {loose}" in r.stdout and "secret" not in r.stdout.replace(
        str(loose), ""
    )
    r = bizdesk("mail", "settings", "--port", "seventy", "--db", db)
    assert r.returncode == 1 and "port: a port is a whole number" in r.stderr


def test_mail_test_reaches_the_server(db) -> None:  # noqa: ANN001
    inbox = Inbox()
    with Server(inbox) as server:
        assert settings(db, server.port).returncode == 0
        r = bizdesk("mail", "test", "ann@example.com", "--db", db)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "A test message was sent to ann@example.com."
    assert len(inbox.messages) == 1 and "bizdesk test message" in inbox.messages[0]["Subject"]


def test_a_refused_try_is_retried_from_the_command_line(db) -> None:  # noqa: ANN001
    queue_one(db)
    inbox = Inbox(refuse=1)
    with Server(inbox) as server:
        assert settings(db, server.port).returncode == 0
        first = bizdesk("mail", "retry", "--db", db)
        assert first.returncode == 1, first.stderr  # still queued: a script (cron) can tell
        assert "0 messages were sent." in first.stdout
        assert "1 message is still queued:" in first.stdout and "451" in first.stdout
        listed = bizdesk("mail", "outbox", "--db", db)
        assert "queued" in listed.stdout and "INV-00001" in listed.stdout
        assert "Last error" in listed.stdout and "451" in listed.stdout
        second = bizdesk("mail", "retry", "--db", db)
        assert "1 message was sent." in second.stdout, second.stdout + second.stderr
    assert len(inbox.messages) == 1
    sent = bizdesk("mail", "outbox", "--state", "sent", "--db", db).stdout
    # no message with an error: no column for errors (at 80 columns it left the others
    # too little room for their headings, which folded: "Intent" over "os" in Spanish)
    assert "sent" in sent and "Last error" not in sent, sent
    # none queued, one sent: not "The outbox is empty."
    none = bizdesk("mail", "outbox", "--state", "queued", "--db", db)
    assert none.stdout.strip() == "No message of the outbox is queued.", none.stdout
    wrong = bizdesk("mail", "outbox", "--state", "weird", "--db", db)  # not "the outbox is empty"
    assert wrong.returncode == 2 and "queued, sending, sent, unsure or" in wrong.stderr


def test_a_message_that_may_or_may_not_have_gone_exits_1(db) -> None:  # noqa: ANN001
    """The server took the message and the link broke before its answer: unsure, and the
    run exited 0, so a script (cron) could not tell that a person has to look."""
    queue_one(db)
    inbox = Inbox(hang_up=1)
    with Server(inbox) as server:
        assert settings(db, server.port).returncode == 0
        r = bizdesk("mail", "retry", "--db", db)
    assert r.returncode == 1, r.stdout + r.stderr
    assert "1 message may or may not have been sent" in r.stdout
    assert len(inbox.messages) == 1


def test_send_refuses_a_document_that_does_not_exist(db) -> None:  # noqa: ANN001
    pytest.importorskip("bizdesk.services.papers")
    r = bizdesk("send", "invoice", "INV-99999", "--db", db)
    assert r.returncode == 1 and "Traceback" not in r.stderr


def test_send_an_invoice_end_to_end(db) -> None:  # noqa: ANN001
    """Runs once services.papers (helper `paper`) is merged: the invoice rendered as a PDF,
    e-mailed to the customer's address, logged on the contact with its SHA-256."""
    pytest.importorskip("bizdesk.services.papers")
    from bizdesk.services.inventory import products
    from bizdesk.services.trade import sales

    store = open_store(db)
    try:
        with store.write() as uow:
            products.create_product(
                uow,
                products.ProductInput(
                    sku="SRV", name="Service hour", sale_price="45", vat_rate="20",
                    allow_negative="yes",
                ),
            )  # fmt: skip
            ann = contacts.create(
                uow, contacts.ContactInput(name="Ann Buyer", email="ann@example.com")
            ).contact.id
            bob = contacts.create(uow, contacts.ContactInput(name="Bob NoMail")).contact.id
            labels = []
            for who in (ann, bob):
                so = sales.create(
                    uow,
                    sales.SOInput(customer=f"#{who}", lines=[sales.SOLineInput("SRV", "2")]),
                )
                sales.confirm(uow, so.id)
                sales.deliver(uow, so.id)
                labels.append(sales.invoice(uow, so.id).label)
        issued_without_address(store, labels[0])  # as an older bizdesk issued it
    finally:
        store.dispose()
    inbox = Inbox(refuse=1)
    with Server(inbox) as server:
        assert settings(db, server.port).returncode == 0
        first = bizdesk("send", "invoice", labels[0], "--db", db)
        assert first.returncode == 1, first.stdout  # not sent: exit 1, said on standard error
        assert "could not be sent to ann@example.com yet" in first.stderr
        # issued before the shop set its address: it carries none, and sending says so
        assert f"{labels[0]} carries no address of the shop" in first.stderr
        retried = bizdesk("mail", "retry", "--db", db)
        assert "1 message was sent." in retried.stdout, retried.stdout + retried.stderr
        again = bizdesk("send", "invoice", labels[0], "--to", "books@example.com", "--db", db)
        assert again.stdout.strip() == f"{labels[0]} was sent to books@example.com."
        none = bizdesk("send", "invoice", labels[1], "--db", db)
        assert none.returncode == 1 and "no e-mail address" in none.stderr
    assert [m["To"] for m in inbox.messages] == ["ann@example.com", "books@example.com"]
    attached = [p.get_content() for p in inbox.messages[0].iter_attachments()]
    assert len(attached) == 1 and attached[0].startswith(b"%PDF")
    sha = hashlib.sha256(attached[0]).hexdigest()
    store = open_store(db)
    try:
        with store.read() as uow:
            logged = contacts.list_interactions(uow, ann)
    finally:
        store.dispose()
    assert len(logged) == 2 and all(labels[0] in i.summary for i in logged)
    assert sha in logged[-1].summary  # the first sending: the hash of the PDF that went out


def test_run_due_sends_the_mail_whose_try_is_due(db) -> None:  # noqa: ANN001
    """`bizdesk run-due` (cron) also tries the outbox: a message queued earlier goes out once;
    a second run sends nothing and says nothing about mail."""
    queue_one(db)
    inbox = Inbox()
    with Server(inbox) as server:
        assert settings(db, server.port).returncode == 0
        first = bizdesk("run-due", "--db", db)
        assert first.returncode == 0, first.stderr
        assert first.stdout.splitlines() == ["Nothing is due.", "1 message was sent."]
        again = bizdesk("run-due", "--db", db)
        assert again.stdout == "Nothing is due.\n"
    assert len(inbox.messages) == 1


def _customer_with_a_deal_and_an_invoice(db: str) -> tuple[int, int, str]:
    """Ann Buyer (with an e-mail address), a deal of hers with product lines and an invoice
    of 2 hours at 45 + 20% VAT: (her id, the deal's id, the invoice's label)."""
    from bizdesk.services.inventory import products
    from bizdesk.services.trade import deals, sales

    store = open_store(db)
    try:
        with store.write() as uow:
            products.create_product(
                uow,
                products.ProductInput(
                    sku="SRV", name="Service hour", sale_price="45", vat_rate="20",
                    allow_negative="yes",
                ),
            )  # fmt: skip
            ann = contacts.create(
                uow, contacts.ContactInput(name="Ann Buyer", email="ann@example.com")
            ).contact.id
            deal = deals.create(uow, deals.DealInput(title="Spring service", contact=f"#{ann}"))
            deals.set_lines(
                uow,
                deal.id,
                [deals.LineInput(product="SRV", qty="3", unit_price="")],
                version=deal.version,
            )
            so = sales.create(
                uow, sales.SOInput(customer=f"#{ann}", lines=[sales.SOLineInput("SRV", "2")])
            )
            sales.confirm(uow, so.id)
            sales.deliver(uow, so.id)
            label = sales.invoice(uow, so.id).label
    finally:
        store.dispose()
    return ann, deal.id, label


def _attachment_lines(message) -> list[str]:  # noqa: ANN001
    from tests.test_papers import lines_of, pdf_text

    attached = [p.get_content() for p in message.iter_attachments()]
    assert len(attached) == 1
    return lines_of(pdf_text(attached[0]))


def test_send_a_quote_and_a_statement_end_to_end(db) -> None:  # noqa: ANN001
    """`bizdesk send quote Q-…` and `bizdesk send statement …` (the contact by name): each
    arrives once at the server with its PDF, and is logged on the contact."""
    ann, deal_id, invoice = _customer_with_a_deal_and_an_invoice(db)
    quote = f"Q-{deal_id:05d}"
    inbox = Inbox()
    with Server(inbox) as server:
        assert settings(db, server.port).returncode == 0
        sent = bizdesk("send", "quote", quote, "--db", db)
        assert sent.returncode == 0, sent.stderr
        assert sent.stdout.strip() == f"{quote} was sent to ann@example.com."
        st = bizdesk("send", "statement", "Ann Buyer", "--to", "books@example.com", "--db", db)
        assert st.returncode == 0, st.stderr
        assert st.stdout.startswith(f"ST-{ann:05d}-") and "was sent to books@example.com." in (
            st.stdout
        )
        none = bizdesk("send", "quote", "Q-99999", "--db", db)
        assert none.returncode == 1 and "There is no deal #99999." in none.stderr
        assert "Traceback" not in none.stderr
    assert [m["To"] for m in inbox.messages] == ["ann@example.com", "books@example.com"]
    lines = _attachment_lines(inbox.messages[0])
    assert lines[:4] == ["Test Cycles", "1 Test Street", "10001 Testville", "QUOTE"], lines
    assert quote in lines and "Spring service" in lines
    assert "SRV Service hour 3 45.00 20% 135.00" in lines and "Total EUR 162.00" in lines
    lines = _attachment_lines(inbox.messages[1])
    assert lines[:4] == ["Test Cycles", "1 Test Street", "10001 Testville", "ACCOUNT STATEMENT"]
    assert "Ann Buyer" in lines
    assert any(invoice in line for line in lines)  # the invoice posted to her account
    assert "Closing balance 108.00 0.00 108.00" in lines
    store = open_store(db)
    try:
        with store.read() as uow:
            logged = [i.summary for i in contacts.list_interactions(uow, ann)]
            sent_labels = [m.doc_label for m in outbox.list_outbox(uow, state="sent")]
    finally:
        store.dispose()
    assert sorted(sent_labels) == sorted([quote, st.stdout.split()[0]])
    assert any(quote in s for s in logged) and any(st.stdout.split()[0] in s for s in logged)


def test_a_statement_is_sent_over_the_period_asked(db) -> None:  # noqa: ANN001
    """`bizdesk send statement … --since … --until …`: the PDF covers that period (a year
    with nothing in it closes at 0.00); a period for another kind of document, or an
    impossible day, is refused by name, and nothing is queued."""
    ann, _deal, invoice = _customer_with_a_deal_and_an_invoice(db)
    inbox = Inbox()
    with Server(inbox) as server:
        assert settings(db, server.port).returncode == 0
        st = bizdesk(
            "send", "statement", f"#{ann}", "--since", "2020-01-01", "--until", "2020-12-31",
            "--db", db,
        )  # fmt: skip
        assert st.returncode == 0, st.stderr
        wrong = bizdesk("send", "invoice", invoice, "--since", "2020-01-01", "--db", db)
        assert wrong.returncode == 1 and "a period is for a statement only" in wrong.stderr
        day = bizdesk("send", "statement", f"#{ann}", "--until", "2020-02-30", "--db", db)
        assert day.returncode == 1 and "--until" in day.stderr and "no such day" in day.stderr
        backwards = bizdesk(
            "send", "statement", f"#{ann}", "--since", "2021-01-01", "--until", "2020-12-31",
            "--db", db,
        )  # fmt: skip
        assert backwards.returncode == 1, backwards.stderr
        assert "since: the period starts after it ends" in backwards.stderr
    assert len(inbox.messages) == 1
    lines = _attachment_lines(inbox.messages[0])
    assert "Period: Jan 1, 2020 – Dec 31, 2020" in lines, lines
    assert not any(invoice in line for line in lines)
    assert "Closing balance 0.00 0.00 0.00" in lines, lines


def test_why_a_message_waits_is_said_in_the_readers_language(db) -> None:  # noqa: ANN001
    """No sender address set: the document waits in the outbox, and the reason is told in
    the reader's language at once (the outbox keeps it in English, for every reader)."""
    ann, _deal, _invoice = _customer_with_a_deal_and_an_invoice(db)
    es = {"LANG": "es_ES.UTF-8", "LANGUAGE": "", "LC_ALL": "", "LC_MESSAGES": ""}
    sent = bizdesk("send", "statement", f"#{ann}", "--db", db, env=es)
    assert sent.returncode == 1, sent.stdout  # not sent: a script can tell
    assert "no hay dirección de remitente configurada" in sent.stderr, sent.stderr
    assert "no sender address" not in sent.stderr
    store = open_store(db)
    try:
        with store.read() as uow:
            (waiting,) = outbox.list_outbox(uow, state="queued")
    finally:
        store.dispose()
    assert waiting.last_error.startswith("no sender address is set")


def test_a_refused_setting_is_named_by_the_option_typed(db) -> None:  # noqa: ANN001
    """ "from_address: không phải là địa chỉ email hợp lệ" named the box by its key."""
    vi = {"LANG": "vi_VN.UTF-8", "LANGUAGE": "", "LC_ALL": "", "LC_MESSAGES": ""}
    refused = bizdesk("mail", "settings", "--from", "notmail", "--db", db, env=vi)
    assert refused.returncode == 1 and refused.stderr.startswith("--from: không phải")
    refused = bizdesk("mail", "settings", "--port", "99999", "--db", db, env=vi)
    assert refused.returncode == 1 and refused.stderr.startswith("--port: "), refused.stderr


def test_the_outbox_shows_a_long_address_whole_at_80_columns(db) -> None:  # noqa: ANN001
    """The address a message went to is never cut short ("ann.buyer.accounts@exa…"): a
    column too narrow for it folds it onto the next lines, where it can be read whole."""
    address = "ann.buyer.accounts.payable@bicycle-wholesale-example.com"
    queue_one(db, to=address)
    listed = bizdesk("mail", "outbox", "--db", db, env={"COLUMNS": "80"})
    assert listed.returncode == 0, listed.stderr
    assert "…" not in listed.stdout
    rows = [ln.split("│") for ln in listed.stdout.splitlines() if ln.startswith("│")]
    assert "".join(cells[3].strip() for cells in rows) == address
    assert max(len(ln) for ln in listed.stdout.splitlines()) <= 80
