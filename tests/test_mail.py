"""E-mail from the outbox through a real SMTP server on 127.0.0.1 (aiosmtpd) and through a
stand-in ``sendmail`` program: a message arrives once with its PDF, even when the server
refuses the first try; two retriers at once send it once; the password file must be private;
roles. No mock of the server or of the store."""

from __future__ import annotations

import hashlib
import os
import socket
import stat
import sys
import threading
from datetime import timedelta

import pytest
from sqlalchemy import update

from bizdesk.db import Store, open_store
from bizdesk.errors import Conflict, PermissionDenied, ValidationError
from bizdesk.models.base import utcnow
from bizdesk.models.core import ROLES
from bizdesk.models.mail import OutboxMessage
from bizdesk.services.admin import users
from bizdesk.services.base.pages import PageRequest
from bizdesk.services.crm import contacts
from bizdesk.services.crm.contacts import ContactInput
from bizdesk.services.mail import outbox, transport
from bizdesk.services.mail.settings import PASSWORD_ENV, get_settings, update_settings
from tests.mail_server import Inbox, Server, small_pdf
from tests.procs import run_together

PDF = small_pdf("INV-00007")
SHA = hashlib.sha256(PDF).hexdigest()


def customer(store: Store, email: str = "ann@example.com") -> int:
    with store.write() as uow:
        return contacts.create(
            uow, ContactInput(name="Ann Buyer", email=email, is_customer=True)
        ).contact.id


def smtp_settings(store: Store, port: int, **more: str) -> None:
    with store.write() as uow:
        update_settings(
            uow,
            transport="smtp",
            host="127.0.0.1",
            port=str(port),
            security="none",
            from_address="shop@example.com",
            **more,
        )


def queue(store: Store, contact_id: int | None, label: str = "INV-00007", **kw) -> int:  # noqa: ANN003
    with store.write() as uow:
        return outbox.queue_message(
            uow,
            to=kw.pop("to", "ann@example.com"),
            subject=f"{label} from Test Cycles",
            body="Hello,\n\nplease find it attached.",
            attachment_name=f"{label}.pdf",
            attachment=PDF,
            doc_kind="invoice",
            doc_label=label,
            doc_sha256=SHA,
            contact_id=contact_id,
        ).id


def row(store: Store, message_id: int) -> outbox.OutboxView:
    with store.read() as uow:
        return outbox.get_message(uow, message_id)


def pdf_parts(msg) -> list[bytes]:  # noqa: ANN001
    return [
        part.get_content()
        for part in msg.iter_attachments()
        if part.get_content_type() == "application/pdf"
    ]


def test_a_document_arrives_once_with_its_pdf_and_is_logged_on_the_contact(store) -> None:  # noqa: ANN001
    ann = customer(store)
    inbox = Inbox()
    with Server(inbox) as server:
        smtp_settings(store, server.port)
        message_id = queue(store, ann)
        done = outbox.deliver(store)
        assert [m.id for m in done.sent] == [message_id] and not done.failed
        again = outbox.deliver(store)  # nothing left to send: never twice
        assert not again.sent and not again.failed
    assert len(inbox.messages) == 1
    msg = inbox.messages[0]
    assert inbox.envelopes == [("shop@example.com", ["ann@example.com"])]
    assert msg["Subject"] == "INV-00007 from Test Cycles"
    assert msg["Message-ID"] == row(store, message_id).message_id
    assert pdf_parts(msg) == [PDF]
    assert next(msg.iter_attachments()).get_filename() == "INV-00007.pdf"
    sent = row(store, message_id)
    assert sent.state == "sent" and sent.attempts == 1 and sent.sent_at is not None
    with store.read() as uow:
        logged = contacts.list_interactions(uow, ann)
    assert len(logged) == 1 and logged[0].kind == "email"
    assert "INV-00007" in logged[0].summary and SHA in logged[0].summary


def test_a_refused_first_try_stays_queued_and_the_retry_sends_it_once(store) -> None:  # noqa: ANN001
    ann = customer(store)
    inbox = Inbox(refuse=1)
    with Server(inbox) as server:
        smtp_settings(store, server.port)
        message_id = queue(store, ann)
        first = outbox.deliver(store)
        assert not first.sent and [m.id for m in first.failed] == [message_id]
        waiting = row(store, message_id)
        assert waiting.state == "queued" and waiting.attempts == 1
        assert "451" in waiting.last_error and "Try again later" in waiting.last_error
        assert waiting.next_try_at > utcnow()  # not due again at once
        assert not outbox.deliver_due(store).sent  # whatever runs due work waits for it
        # time passes: the next try is due (the row's time moved back, as a clock would)
        with store.write() as uow:
            uow.session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id == message_id)
                .values(next_try_at=utcnow() - timedelta(seconds=1))
            )
        second = outbox.deliver_due(store)
        assert [m.id for m in second.sent] == [message_id]
    assert len(inbox.messages) == 1 and pdf_parts(inbox.messages[0]) == [PDF]
    done = row(store, message_id)
    assert done.state == "sent" and done.attempts == 2 and done.last_error == ""
    with store.read() as uow:
        assert len(contacts.list_interactions(uow, ann)) == 1


def test_an_unreachable_server_keeps_the_message_queued(store) -> None:  # noqa: ANN001
    from tests.mail_server import free_port

    smtp_settings(store, free_port())  # nobody listens there
    message_id = queue(store, customer(store))
    done = outbox.deliver(store)
    assert [m.id for m in done.failed] == [message_id]
    assert "could not be reached" in row(store, message_id).last_error
    assert row(store, message_id).state == "queued"


def test_a_run_sends_over_one_connection(store) -> None:  # noqa: ANN001
    ann = customer(store)
    inbox = Inbox()
    with Server(inbox) as server:
        smtp_settings(store, server.port)
        ids = [queue(store, ann, label=f"INV-{n:05d}") for n in range(1, 13)]
        done = outbox.deliver(store)
    assert sorted(m.id for m in done.sent) == ids and not done.failed
    assert len(inbox.messages) == 12 and len({id(s) for s in inbox.connections}) == 1


def test_a_refused_recipient_leaves_the_connection_to_the_others(store) -> None:  # noqa: ANN001
    ann = customer(store)
    inbox = Inbox(no_such=("gone@example.com",))
    with Server(inbox) as server:
        smtp_settings(store, server.port)
        first = queue(store, ann, label="INV-00001")
        gone = queue(store, None, label="INV-00002", to="gone@example.com")
        last = queue(store, ann, label="INV-00003")
        done = outbox.deliver(store)
    assert [m.id for m in done.sent] == [first, last] and [m.id for m in done.failed] == [gone]
    assert "refused the recipient" in row(store, gone).last_error
    assert "550 5.1.1 No such user here" in row(store, gone).last_error
    assert row(store, gone).state == "queued"
    assert [str(m["To"]) for m in inbox.messages] == ["ann@example.com"] * 2
    assert len({id(s) for s in inbox.connections}) == 1


@pytest.mark.parametrize("smtputf8", [False, True], ids=["ascii-server", "smtputf8-server"])
def test_an_address_with_letters_outside_ascii(store, smtputf8) -> None:  # noqa: ANN001
    # A customer's address may be written with any letters (RFC 6531). A server that takes
    # them gets it as written; one that does not fails that message alone, in a sentence
    # (it stopped a whole campaign with an error from Python's codecs), the others go.
    ann = customer(store)
    hugo = customer(store, email="hugo.müller@example.com")
    inbox = Inbox()
    with Server(inbox, smtputf8=smtputf8) as server:
        smtp_settings(store, server.port)
        first = queue(store, ann, label="INV-00001")
        his = queue(store, hugo, label="INV-00002", to="hugo.müller@example.com")
        last = queue(store, ann, label="INV-00003")
        done = outbox.deliver(store)
    if smtputf8:
        assert [m.id for m in done.sent] == [first, his, last] and not done.failed
        assert inbox.envelopes[1] == ("shop@example.com", ["hugo.müller@example.com"])
        assert str(inbox.messages[1]["To"]) == "hugo.müller@example.com"
        assert pdf_parts(inbox.messages[1]) == [PDF]
        return
    assert [m.id for m in done.sent] == [first, last] and [m.id for m in done.failed] == [his]
    assert row(store, his).state == "queued"
    assert row(store, his).last_error == (
        f"127.0.0.1:{server.port} does not take addresses with letters outside ASCII (it "
        "lacks SMTPUTF8): nothing was sent to hugo.müller@example.com; send it through a "
        "server that does, or give the contact another address"
    )
    assert [str(m["To"]) for m in inbox.messages] == ["ann@example.com"] * 2


@pytest.mark.parametrize("silently", [False, True], ids=["421", "hang-up"])
def test_a_server_that_closes_after_some_messages_gets_each_once(store, silently) -> None:  # noqa: ANN001
    ann = customer(store)
    inbox = Inbox(per_connection=3, silently=silently)
    with Server(inbox) as server:
        smtp_settings(store, server.port)
        ids = [queue(store, ann, label=f"INV-{n:05d}") for n in range(1, 9)]
        done = outbox.deliver(store)
    assert sorted(m.id for m in done.sent) == ids and not done.failed and not done.unsure
    with store.read() as uow:
        expected = sorted(outbox.get_message(uow, i).message_id for i in ids)
    assert sorted(str(m["Message-ID"]) for m in inbox.messages) == expected  # each once
    assert len({id(s) for s in inbox.connections}) == 3  # 3 + 3 + 2


def test_a_server_that_never_answers_is_waited_for_once_per_run(store, monkeypatch) -> None:  # noqa: ANN001
    """A server that takes the connection and then says nothing: the run waits for it once
    (one time-out), not once per message, and every message stays queued saying why."""
    monkeypatch.setattr(transport, "TIMEOUT", 0.5)
    mute = socket.create_server(("127.0.0.1", 0))
    accepted: list[socket.socket] = []

    def take() -> None:
        while True:
            try:
                accepted.append(mute.accept()[0])
            except OSError:
                return

    threading.Thread(target=take, daemon=True).start()
    try:
        smtp_settings(store, mute.getsockname()[1])
        ann = customer(store)
        ids = [queue(store, ann, label=f"INV-{n:05d}") for n in range(1, 6)]
        done = outbox.deliver(store)
    finally:
        mute.close()
        for conn in accepted:
            conn.close()
    assert sorted(m.id for m in done.failed) == ids and not done.sent
    assert len(accepted) == 1
    said = done.said()  # once for all, not a line per message
    assert len(said) == 3 and said[0] == "0 messages were sent."
    assert said[1] == "5 messages are still queued:"
    assert said[2] == f"  5 messages (#{ids[0]}-#{ids[-1]}): " + row(store, ids[0]).last_error
    for i in ids:
        waiting = row(store, i)
        assert waiting.state == "queued" and waiting.attempts == 1
        assert "could not be reached (timed out)" in waiting.last_error


def _retrier(url: str, ready) -> int:  # noqa: ANN001
    store = open_store(url, user="tester")
    ready()
    return len(outbox.deliver(store).sent)


def test_two_retriers_at_once_send_each_message_once(store) -> None:  # noqa: ANN001
    ann = customer(store)
    inbox = Inbox()
    with Server(inbox) as server:
        smtp_settings(store, server.port)
        ids = [queue(store, ann, label=f"INV-{n:05d}") for n in range(1, 21)]
        counts = run_together(_retrier, [(store.url,), (store.url,)])
        assert sum(counts) == 20
    got = sorted(str(m["Message-ID"]) for m in inbox.messages)
    with store.read() as uow:
        expected = sorted(outbox.get_message(uow, i).message_id for i in ids)
        assert len(contacts.list_interactions(uow, ann)) == 20
    assert got == expected  # each exactly once


def test_a_claim_left_by_a_dead_process_is_unsure_never_resent_by_itself(store) -> None:  # noqa: ANN001
    inbox = Inbox()
    with Server(inbox) as server:
        smtp_settings(store, server.port)
        message_id = queue(store, customer(store))
        # a process claimed it, handed it to the server, and died before marking it
        with store.write() as uow:
            uow.session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id == message_id)
                .values(
                    state="sending",
                    claim="dead",
                    attempts=1,
                    claimed_at=utcnow() - outbox.LEASE - timedelta(minutes=1),
                )
            )
        done = outbox.deliver(store)
        assert done.unsure == 1 and not done.sent
        unsure = row(store, message_id)
        assert unsure.state == "unsure" and f"--resend {message_id}" in unsure.last_error
        assert not outbox.deliver(store).sent and inbox.messages == []
        with store.write() as uow:
            outbox.resend(uow, message_id)  # a person checked: it never arrived
        assert [m.id for m in outbox.deliver(store).sent] == [message_id]
    assert len(inbox.messages) == 1


def test_a_link_lost_before_the_servers_answer_is_unsure_and_not_resent(store) -> None:  # noqa: ANN001
    inbox = Inbox(hang_up=1)
    with Server(inbox) as server:
        smtp_settings(store, server.port)
        message_id = queue(store, customer(store))
        done = outbox.deliver(store)
        assert done.unsure == 1 and not done.sent and not done.failed
        unsure = row(store, message_id)
        assert unsure.state == "unsure" and "broke after the message was handed over" in (
            unsure.last_error
        )
        assert f"bizdesk mail retry --resend {message_id}" in unsure.last_error
        assert not outbox.deliver(store).sent  # never again by itself
    assert len(inbox.messages) == 1  # the server did take it: sending again would be twice


def test_a_recent_claim_is_left_alone(store) -> None:  # noqa: ANN001
    smtp_settings(store, 25)
    message_id = queue(store, None)
    with store.write() as uow:
        uow.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == message_id)
            .values(state="sending", claim="alive", claimed_at=utcnow())
        )
    done = outbox.deliver(store)
    assert done.unsure == 0 and not done.sent and not done.failed
    assert row(store, message_id).state == "sending"


def private_file(path, text: str, mode: int = 0o600):  # noqa: ANN001, ANN201
    path.write_text(text + "\n", encoding="utf-8")
    os.chmod(path, mode)
    return path


def test_the_password_comes_from_a_private_file(store, tmp_path) -> None:  # noqa: ANN001
    inbox = Inbox()
    secret = private_file(tmp_path / "smtp-password", "s3cret pass")
    with Server(inbox, auth=True) as server:
        smtp_settings(store, server.port, user="shop", password_file=str(secret))
        message_id = queue(store, customer(store))
        assert [m.id for m in outbox.deliver(store).sent] == [message_id]
    assert inbox.logins == [("shop", "s3cret pass")]
    # the store holds where the password is, never the password
    with store.read() as uow:
        assert "s3cret" not in repr(store.settings())
        assert get_settings(uow).password_source() == str(secret)


def test_a_password_file_others_can_read_is_refused(store, tmp_path) -> None:  # noqa: ANN001
    loose = private_file(tmp_path / "loose", "s3cret pass", 0o644)
    with store.write() as uow, pytest.raises(ValidationError) as refused:
        update_settings(uow, password_file=str(loose))
    assert "can be read by others (mode 0644)" in str(refused.value)
    assert f"chmod 600 {loose}" in str(refused.value)
    # made private, it is accepted; loosened later, the send is refused and stays queued
    os.chmod(loose, 0o600)
    inbox = Inbox()
    with Server(inbox, auth=True) as server:
        smtp_settings(store, server.port, user="shop", password_file=str(loose))
        os.chmod(loose, 0o640)
        message_id = queue(store, customer(store))
        assert [m.id for m in outbox.deliver(store).failed] == [message_id]
    assert "mode 0640" in row(store, message_id).last_error
    assert inbox.logins == [] and inbox.messages == []


def test_a_linked_password_file_is_refused(store, tmp_path) -> None:  # noqa: ANN001
    target = private_file(tmp_path / "real", "s3cret pass")
    link = tmp_path / "link"
    link.symlink_to(target)
    with store.write() as uow, pytest.raises(ValidationError) as refused:
        update_settings(uow, password_file=str(link))
    assert "symbolic link" in str(refused.value)


def test_the_password_from_the_environment(store, monkeypatch) -> None:  # noqa: ANN001
    inbox = Inbox()
    with Server(inbox, auth=True) as server:
        smtp_settings(store, server.port, user="shop")
        message_id = queue(store, customer(store))
        failed = outbox.deliver(store).failed
        assert [m.id for m in failed] == [message_id] and PASSWORD_ENV in failed[0].last_error
        monkeypatch.setenv(PASSWORD_ENV, "s3cret pass")
        assert [m.id for m in outbox.deliver(store).sent] == [message_id]
    assert inbox.logins == [("shop", "s3cret pass")]


SENDMAIL = """#!{python}
import sys
with open({out!r}, "ab") as f:
    f.write(repr(sys.argv[1:]).encode() + b"\\n" + sys.stdin.buffer.read() + b"\\n=====\\n")
sys.exit({code})
"""


def stand_in_sendmail(tmp_path, code: int = 0):  # noqa: ANN001, ANN201
    out = tmp_path / "sendmail.out"
    script = tmp_path / "sendmail"
    script.write_text(SENDMAIL.format(python=sys.executable, out=str(out), code=code))
    script.chmod(stat.S_IRWXU)
    return script, out


def test_sendmail_transport(store, tmp_path) -> None:  # noqa: ANN001
    script, out = stand_in_sendmail(tmp_path)
    with store.write() as uow:
        update_settings(
            uow, transport="sendmail", sendmail=str(script), from_address="shop@example.com"
        )
    ann = customer(store)
    message_id = queue(store, ann)
    assert [m.id for m in outbox.deliver(store).sent] == [message_id]
    args, _, rest = out.read_bytes().partition(b"\n")
    assert args == repr(["-i", "-f", "shop@example.com", "--", "ann@example.com"]).encode()
    import email
    import email.policy

    msg = email.message_from_bytes(rest.rpartition(b"\n=====\n")[0], policy=email.policy.default)
    assert pdf_parts(msg) == [PDF] and msg["To"] == "ann@example.com"
    with store.read() as uow:
        assert len(contacts.list_interactions(uow, ann)) == 1


def test_a_failing_sendmail_keeps_the_message_queued(store, tmp_path) -> None:  # noqa: ANN001
    script, _out = stand_in_sendmail(tmp_path, code=75)
    with store.write() as uow:
        update_settings(
            uow, transport="sendmail", sendmail=str(script), from_address="shop@example.com"
        )
    message_id = queue(store, None)
    assert [m.id for m in outbox.deliver(store).failed] == [message_id]
    waiting = row(store, message_id)
    assert waiting.state == "queued" and "exit 75" in waiting.last_error


def test_settings_are_checked_and_nothing_is_saved_on_a_bad_value(store) -> None:  # noqa: ANN001
    with store.write() as uow, pytest.raises(ValidationError) as refused:
        update_settings(uow, host="smtp.example.com", port="99999", security="tls")
    assert set(refused.value.fields) == {"port", "security"}
    with store.read() as uow:
        assert get_settings(uow).host == ""
    with store.write() as uow:
        s = update_settings(uow, host="smtp.example.com", security="ssl")
    assert (s.host, s.security, s.port) == ("smtp.example.com", "ssl", 465)
    with store.write() as uow, pytest.raises(ValidationError):
        outbox.queue_message(uow, to="not an address", subject="x", body="")


def test_a_queued_message_is_part_of_the_request_transaction(store) -> None:  # noqa: ANN001
    class Boom(Exception):
        pass

    with pytest.raises(Boom), store.write() as uow:
        outbox.queue_message(uow, to="ann@example.com", subject="INV-00007", body="")
        raise Boom  # the request fails after queueing: the message goes with it
    with store.read() as uow:
        assert outbox.list_outbox(uow) == []


@pytest.fixture(scope="module")
def people(tmp_path_factory) -> dict[str, Store]:  # noqa: ANN001
    from bizdesk.services.admin import setup

    s = open_store(str(tmp_path_factory.mktemp("mailroles") / "shop.db"), user="tester")
    setup.ensure_initialized(s)
    with s.write() as uow:
        for role in ROLES:
            users.add(uow, f"m_{role}", role)
    yield {role: Store(url=s.url, engine=s.engine, user=f"m_{role}") for role in ROLES}
    s.dispose()


@pytest.mark.parametrize("role", ROLES)
def test_roles(people, role) -> None:  # noqa: ANN001
    from bizdesk.services.base.permissions import PERMISSIONS

    store = people[role]

    def allowed(action: str, call) -> bool:  # noqa: ANN001
        try:
            call()
        except PermissionDenied:
            return False
        return True

    def configure() -> None:
        with store.write() as uow:
            update_settings(uow, host="smtp.example.com")

    def send() -> None:
        outbox.deliver(store)

    def look() -> None:
        with store.read() as uow:
            outbox.list_outbox(uow)
            outbox.outbox_page(uow, PageRequest())

    for action, call in (("mail.config", configure), ("mail.send", send), ("mail.view", look)):
        assert allowed(action, call) is (role in PERMISSIONS[action][1]), (action, role)
    assert (role in PERMISSIONS["mail.config"][1]) is (role == "owner")
    assert (role in PERMISSIONS["mail.send"][1]) is (role in ("owner", "accountant", "sales"))


def test_a_contact_with_e_mails_is_not_deleted_and_a_merge_moves_them(store) -> None:  # noqa: ANN001
    ann = customer(store)
    message_id = queue(store, ann)
    with store.write() as uow:
        other = contacts.create(uow, ContactInput(name="Ann B.")).contact.id
        with pytest.raises(Conflict, match="it has 1 e-mail"):
            contacts.delete(uow, ann, version=contacts.get(uow, ann).version)
        contacts.merge(uow, other, ann)
    assert row(store, message_id).contact_id == other


def _gated_settings(url: str, sendmail: str, ready) -> str:  # noqa: ANN001
    from pathlib import Path

    from bizdesk.identity import Gate, enter_gate

    enter_gate(Gate("tester", url, Path("/nonexistent/authorized_keys"), ("bizdesk",)))
    store = open_store(url)
    ready()
    try:
        with store.write() as uow:
            update_settings(uow, transport="sendmail", sendmail=sendmail)
    except ValidationError as exc:
        return str(exc)
    return "saved"


def test_through_the_gate_only_the_systems_sendmail_runs(store, tmp_path) -> None:  # noqa: ANN001
    script, _out = stand_in_sendmail(tmp_path)
    said = run_together(
        _gated_settings, [(store.url, str(script)), (store.url, "/usr/sbin/sendmail")]
    )
    assert "the sendmail program can only be /usr/sbin/sendmail" in said[0]
    assert said[1] == "saved"


def _gated_password(url: str, path: str, ready) -> str:  # noqa: ANN001
    from pathlib import Path

    from bizdesk.identity import Gate, enter_gate

    enter_gate(Gate("tester", url, Path("/nonexistent/authorized_keys"), ("bizdesk",)))
    store = open_store(url)
    ready()
    try:
        with store.write() as uow:
            update_settings(uow, user="shop", password_file=path)
    except ValidationError as exc:
        return str(exc)
    return "saved"


def test_through_the_gate_the_password_is_read_from_the_shop_s_file_alone(
    store,  # noqa: ANN001
    sqlite_only,  # noqa: ANN001
    tmp_path,  # noqa: ANN001
) -> None:
    """Any private file of the shop's account was taken as the password file (its keys):
    bizdesk runs as that account for everyone, and its first line went to the server named."""
    from pathlib import Path

    keys = tmp_path / "authorized_keys"
    beside = Path(store.url.removeprefix("sqlite:///")).parent / "smtp-password"
    for f in (keys, beside):
        f.write_text("secret\n")
        f.chmod(0o600)
    said = run_together(_gated_password, [(store.url, str(keys)), (store.url, str(beside))])
    assert f"the SMTP password is read from {beside} alone" in said[0]
    assert said[1] == "saved"


def test_a_message_body_of_several_lines_is_not_a_finding(store: Store) -> None:
    """A mail body holds lines (the outbox checks it as multi-line text): `check` does not
    report its line breaks, as it would in a one-line field."""
    from bizdesk.services.admin.checks import run_checks

    queue(store, None)
    assert [f for f in run_checks(store) if f.check == "text-characters"] == []


def test_long_list_unsubscribe_is_folded_between_its_links_never_encoded() -> None:
    """A List-Unsubscribe of a web link and a mailto (RFC 8058) is longer than a line: the
    standard library wrote it as =?utf-8?q?=3Chttps=3A...?=, which no mail program reads
    as links. It is folded between its <...> parts, each whole, and reads back the same."""
    import email
    import email.policy
    import json

    from bizdesk.services.mail.settings import MailSettings

    token = "k3Jd9xQ2mW8vT5nR7pL1sZ4yB6cF0hGa"
    header = (
        f"<https://shop.example/unsubscribe/{token}>, "
        f"<mailto:orders@bike-shop.example.com?subject=unsubscribe%20{token}>"
    )
    row = OutboxMessage(
        message_id="<1@bike-shop.example.com>",
        to_address="ann@example.com",
        subject="Spring service",
        body="Hello",
        headers=json.dumps({"List-Unsubscribe": header}),
    )
    msg = outbox.build(row, MailSettings(from_address="orders@bike-shop.example.com"))
    raw = msg.as_bytes(policy=msg.policy.clone(linesep="\r\n"))
    assert (
        f"List-Unsubscribe: <https://shop.example/unsubscribe/{token}>,\r\n"
        f" <mailto:orders@bike-shop.example.com?subject=unsubscribe%20{token}>\r\n"
    ).encode() in raw
    assert b"=?" not in raw
    back = email.message_from_bytes(raw, policy=email.policy.default)
    assert " ".join(back["List-Unsubscribe"].split()) == header


def test_the_outbox_page_newest_first_filtered_by_text_and_state(store) -> None:  # noqa: ANN001
    """The terminal's outbox list: newest first, a page at a time; the filter finds an
    address, a document or a subject (a % typed is a %, not any text); one state only."""
    cid = customer(store)
    ids = [queue(store, cid, f"INV-{n:05d}") for n in range(1, 6)]
    queue(store, cid, "INV-00100", to="bob@example.com")
    with store.write() as uow:
        outbox.cancel(uow, ids[0])

    def page(**kw) -> list[str]:  # noqa: ANN003
        with store.read() as uow:
            return [r.document for r in outbox.outbox_page(uow, PageRequest(**kw)).rows]

    assert page(descending=True, limit=3) == ["INV-00100", "INV-00005", "INV-00004"]
    with store.read() as uow:
        last = outbox.outbox_page(uow, PageRequest(descending=True, limit=3)).rows[-1]
        after = outbox.outbox_page(
            uow, PageRequest(descending=True, limit=3, after=(last.id, last.id))
        )
    assert [r.document for r in after.rows] == ["INV-00003", "INV-00002", "INV-00001"]
    assert page(search="bob@") == ["INV-00100"]
    assert page(search="00003") == ["INV-00003"]
    assert page(search="%") == []
    assert page(filters={"state": "cancelled"}) == ["INV-00001"]
