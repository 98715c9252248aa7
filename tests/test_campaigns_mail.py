"""Must hold (issue 15): a campaign to 1,000 consenting contacts, sent by `bizdesk campaigns
send` to a real SMTP server on 127.0.0.1 (aiosmtpd), arrives exactly once per recipient, also
when the sending process is killed (SIGKILL) half-way and run again; each message carries its
own List-Unsubscribe headers. And the CLI as a person runs it."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter

from sqlmodel import select

from bizdesk.db import open_store
from bizdesk.models.mail import OutboxMessage
from bizdesk.models.marketing import CampaignRecipient
from bizdesk.services.marketing import campaigns, consent
from tests.mail_server import Inbox, Server
from tests.test_cli import bizdesk
from tests.test_cli import db as db  # noqa: F401  (the fixture)
from tests.test_mail_cli import settings

N = 1000
HOLD_AT = 400  # the server keeps this message without answering: the sender is killed then


class HoldingInbox(Inbox):
    """Keeps every message; the HOLD_AT-th is kept and its answer held back until
    ``release`` (the sender waits for it, and is killed while it waits)."""

    def __init__(self) -> None:
        super().__init__()
        self.released = False

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: ANN001, N802
        answer = await super().handle_DATA(server, session, envelope)
        if len(self.messages) == HOLD_AT:
            while not self.released:  # the sending process is killed meanwhile
                await asyncio.sleep(0.01)
        return answer


def wait_for(condition, what: str, seconds: float = 240) -> None:  # noqa: ANN001
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"waited {seconds} s for {what}"
        time.sleep(0.05)


def thousand(db: str) -> None:  # noqa: F811
    rows = "\n".join(f"Person {i:04d},p{i:04d}@example.com,Madrid" for i in range(N))
    r = bizdesk("import", "contacts", "-", "--db", db, stdin="name,email,city\n" + rows + "\n")
    assert r.returncode == 0, r.stderr
    store = open_store(db)
    try:
        with store.write() as uow:
            for cid in range(1, N + 1):
                consent.set_consent(uow, cid, "in", "import")
    finally:
        store.dispose()
    r = bizdesk("segments", "add", "Madrid", "--city", "Madrid", "--db", db)
    assert r.returncode == 0, r.stderr
    r = bizdesk(
        "campaigns", "add", "Spring", "--segment", "Madrid", "--subject", "Spring, {name}",
        "--body", "Hello {first_name}, see you in {city}.", "--db", db,
    )  # fmt: skip
    assert r.returncode == 0, r.stderr


def test_a_thousand_recipients_exactly_once_through_a_kill_and_a_restart(db) -> None:  # noqa: ANN001, F811
    thousand(db)
    assert (
        bizdesk("campaigns", "link", "https://shop.example/u/{token}", "--db", db).returncode == 0
    )
    inbox = HoldingInbox()
    with Server(inbox) as server:
        assert settings(db, server.port).returncode == 0
        sender = subprocess.Popen(
            [sys.executable, "-m", "bizdesk", "campaigns", "send", "Spring", "--db", db],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        try:
            wait_for(lambda: len(inbox.messages) >= HOLD_AT, f"{HOLD_AT} messages")
            os.kill(sender.pid, signal.SIGKILL)
            assert sender.wait(60) == -signal.SIGKILL
        finally:
            if sender.poll() is None:
                sender.kill()
                sender.wait()
            sender.stdout.close()
            sender.stderr.close()
            inbox.released = True
        again = bizdesk("campaigns", "send", "Spring", "--db", db)
        assert again.returncode == 0, again.stderr
        assert "0 recipients were queued now (1000 before)." in again.stdout
        assert f"{N - HOLD_AT} messages were sent." in again.stdout, again.stdout
        third = bizdesk("campaigns", "send", "Spring", "--db", db)
        assert "0 messages were sent." in third.stdout, third.stdout
    arrived = Counter(m["To"] for m in inbox.messages)
    assert len(arrived) == N and set(arrived.values()) == {1}
    # one connection per sending process, whatever the number of messages
    assert len({id(s) for s in inbox.connections}) == 2
    store = open_store(db)
    try:
        with store.read() as uow:
            tokens = dict(
                uow.session.exec(select(CampaignRecipient.email, CampaignRecipient.token)).all()
            )
            states = Counter(uow.session.exec(select(OutboxMessage.state)).all())
    finally:
        store.dispose()
    # the message the server took while its sender was killed stays "sending" (then unsure):
    # never sent again by itself (services/mail/outbox.py)
    assert states == {"sent": N - 1, "sending": 1}
    assert len(set(tokens.values())) == N
    for m in inbox.messages:
        token = tokens[m["To"]]
        assert f"<https://shop.example/u/{token}>" in " ".join(m["List-Unsubscribe"].split())
        assert m["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert f"https://shop.example/u/{token}" in m.get_content()


def test_the_campaign_commands(db) -> None:  # noqa: ANN001, F811
    rows = "Ana Ruiz,ana@example.com,Madrid\nBen Ortiz,ben@example.com,Madrid\nDan Mora,,Madrid\n"
    assert (
        bizdesk("import", "contacts", "-", "--db", db, stdin="name,email,city\n" + rows).returncode
        == 0
    )
    assert bizdesk("consent", "set", "Ana Ruiz", "in", "--how", "form", "--db", db).returncode == 0
    bad = bizdesk("consent", "set", "Ana Ruiz", "maybe", "--how", "pigeon", "--db", db)
    assert bad.returncode == 1 and "state: must be one of: in, out" in bad.stderr
    assert "how: must be one of" in bad.stderr and "Traceback" not in bad.stderr
    shown = bizdesk("consent", "show", "ana@example.com", "--db", db)
    assert shown.stdout.startswith("opted in on ") and "(form)" in shown.stdout
    assert bizdesk("consent", "show", "Ben Ortiz", "--db", db).stdout.strip() == "not asked"
    assert bizdesk("segments", "add", "Madrid", "--city", "Madrid", "--db", db).returncode == 0
    typo = bizdesk("campaigns", "add", "X", "--segment", "Madrid", "--subject", "Hi {frist}",
                   "--body", "x", "--db", db)  # fmt: skip
    assert typo.returncode == 1 and "{frist} is not a merge field" in typo.stderr
    assert "{first_name}" in typo.stderr
    r = bizdesk("campaigns", "add", "Spring", "--segment", "Madrid", "--subject", "Hi {name}",
                "--body", "Hello {first_name}", "--days", "14", "--db", db)  # fmt: skip
    assert r.returncode == 0, r.stderr
    listed = bizdesk("campaigns", "list", "--format", "json", "--db", db)
    assert '"state": "draft"' in listed.stdout and '"recipients": 0' in listed.stdout
    show = bizdesk("campaigns", "show", "Spring", "--db", db)
    assert "Left out: 2" in show.stdout and "Ben Ortiz: never opted in" in show.stdout
    assert "Dan Mora: no e-mail address" in show.stdout
    inbox = Inbox()
    with Server(inbox) as server:
        assert settings(db, server.port).returncode == 0
        sent = bizdesk("campaigns", "send", "Spring", "--db", db)
    assert sent.returncode == 0, sent.stderr
    assert "1 recipient was queued now (0 before)." in sent.stdout
    assert "1 message was sent." in sent.stdout
    m = inbox.messages[0]
    assert m["List-Unsubscribe"].startswith("<mailto:shop@example.com?subject=unsubscribe%20")
    token = m["List-Unsubscribe"].rsplit("%20", 1)[1].rstrip(">")
    gone = bizdesk("unsubscribe", token, "--db", db)
    assert gone.stdout.strip() == "Ana Ruiz (ana@example.com) will receive no more campaigns."
    again = bizdesk("unsubscribe", token, "--db", db)
    assert "had already unsubscribed" in again.stdout
    wrong = bizdesk("unsubscribe", "nope", "--db", db)
    assert (
        wrong.returncode == 1 and "No campaign message has that unsubscribe token." in wrong.stderr
    )
    res = bizdesk("campaigns", "results", "Spring", "--format", "json", "--db", db)
    assert '"unsubscribed": 1' in res.stdout and '"deals_amount": "0.00"' in res.stdout
    said = bizdesk("campaigns", "results", "Spring", "--db", db).stdout.splitlines()
    assert said[0] == "Spring: 1 recipient" and "Within 14 days after it:" in said
    assert "opted out" in bizdesk("consent", "show", "Ana Ruiz", "--db", db).stdout
    nope = bizdesk("campaigns", "replied", "Spring", "Ben Ortiz", "--db", db)
    assert nope.returncode == 1 and "did not receive the campaign Spring" in nope.stderr
    link = bizdesk("campaigns", "link", "http://shop.example/u", "--db", db)
    assert link.returncode == 1 and "https address holding {token}" in link.stderr


def test_an_old_token_starting_with_a_dash_still_unsubscribes(db) -> None:  # noqa: ANN001, F811
    """Tokens made before campaigns.new_token could start with "-" (1 in 64) and were mailed:
    `bizdesk unsubscribe -Ab...` printed a usage error ("No such option: -A"). The token is
    the argument, wherever it stands; --help, --db and a mistyped option still work."""
    rows = "Ana Ruiz,ana@example.com,Madrid\nBen Ortiz,ben@example.com,Madrid\n"
    r = bizdesk("import", "contacts", "-", "--db", db, stdin="name,email,city\n" + rows)
    assert r.returncode == 0, r.stderr
    assert bizdesk("segments", "add", "Madrid", "--city", "Madrid", "--db", db).returncode == 0
    r = bizdesk("campaigns", "add", "Spring", "--segment", "Madrid", "--subject", "Hi",
                "--body", "Hello {first_name}", "--db", db)  # fmt: skip
    assert r.returncode == 0, r.stderr
    link = bizdesk("campaigns", "link", "https://shop.example/u/{token}", "--db", db)
    assert link.returncode == 0, link.stderr
    store = open_store(db)
    try:
        with store.write() as uow:
            consent.set_consent(uow, 1, "in", "form")
            consent.set_consent(uow, 2, "in", "form")
            campaign_id = campaigns.find_campaign(uow, "Spring").id
            assert campaigns.queue_campaign(uow, campaign_id).queued == 2
        old = {"ana@example.com": "-Ab" + "c" * 29, "ben@example.com": "--" + "x" * 30}
        with store.write() as uow:  # as stored before the fix
            for r in uow.session.exec(select(CampaignRecipient)).all():
                r.token = old[r.email]
    finally:
        store.dispose()
    ana, ben = old["ana@example.com"], old["ben@example.com"]
    gone = bizdesk("unsubscribe", ana, "--db", db)
    assert gone.returncode == 0, gone.stderr
    assert gone.stdout.strip() == "Ana Ruiz (ana@example.com) will receive no more campaigns."
    again = bizdesk("unsubscribe", "--db", db, ana)
    assert "had already unsubscribed" in again.stdout, again.stderr
    gone = bizdesk("unsubscribe", "--db", db, ben)
    assert gone.stdout.strip() == "Ben Ortiz (ben@example.com) will receive no more campaigns."
    after = bizdesk("unsubscribe", "--db", db, "--", ben)  # as a careful script writes it
    assert "had already unsubscribed" in after.stdout, after.stderr
    shown = bizdesk("unsubscribe", "--help")
    assert shown.returncode == 0 and "TOKEN" in shown.stdout
    typo = bizdesk("unsubscribe", ana, "--dbb", db)
    assert typo.returncode == 2 and "No such option: --dbb" in typo.stderr
    short = bizdesk("unsubscribe", "-Ab", "--db", db)  # not a token: an unknown option
    assert short.returncode == 2 and "No such option: -A" in short.stderr
    res = bizdesk("campaigns", "results", "Spring", "--format", "json", "--db", db)
    assert json.loads(res.stdout)["currency"] == "EUR"  # of its amounts, as a report's JSON
