"""A real SMTP server on 127.0.0.1 (aiosmtpd) for the e-mail tests, and a small real PDF."""

from __future__ import annotations

import email
import email.policy
import socket
import threading
from email.message import EmailMessage

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


def small_pdf(text: str = "INV-00007") -> bytes:
    """A minimal, valid one-page PDF that shows ``text`` (offsets computed, not guessed)."""
    stream = f"BT /F1 18 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


class Inbox:
    """The server's handler: keeps every message it accepted; ``refuse`` answers 451 to
    that many DATA commands first (a server that is busy, then fine); ``hang_up`` keeps that
    many messages and then closes the connection instead of answering; ``no_such`` are
    addresses refused at RCPT (550); ``per_connection``: after that many messages on one
    connection the server says 421 (``silently``: closes it without a word), as many servers
    do. ``connections`` holds the connection (its session) of each DATA, in order."""

    def __init__(
        self,
        refuse: int = 0,
        hang_up: int = 0,
        no_such: tuple[str, ...] = (),
        per_connection: int = 0,
        silently: bool = False,
    ) -> None:
        self.refuse = refuse
        self.hang_up = hang_up  # keep that many messages, then hang up before answering
        self.no_such = no_such
        self.per_connection = per_connection
        self.silently = silently
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.logins: list[tuple[str, str]] = []
        self.connections: list[object] = []
        self.lock = threading.Lock()
        self.arrived = threading.Condition(self.lock)

    async def handle_MAIL(self, server, session, envelope, address, options) -> str:  # noqa: ANN001, N802
        with self.lock:
            given = sum(1 for s in self.connections if s is session)
        if self.per_connection and given >= self.per_connection:
            if self.silently:
                server.transport.close()
            return "421 4.7.0 Too many messages on this connection, closing"
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, options) -> str:  # noqa: ANN001, N802
        if address in self.no_such:
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(options)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: ANN001, N802
        with self.lock:
            self.connections.append(session)
            if self.refuse > 0:
                self.refuse -= 1
                return "451 4.3.0 Try again later"
            msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
            self.messages.append(msg)
            self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
            self.arrived.notify_all()
            if self.hang_up > 0:
                self.hang_up -= 1
                server.transport.close()  # the answer is lost: the sender cannot know
        return "250 OK"

    def authenticate(self, server, session, envelope, mechanism, auth_data) -> AuthResult:  # noqa: ANN001
        if isinstance(auth_data, LoginPassword):
            login, password = auth_data.login.decode(), auth_data.password.decode()
            self.logins.append((login, password))
            return AuthResult(success=password == "s3cret pass")
        return AuthResult(success=False)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, inbox: Inbox, *, auth: bool = False, smtputf8: bool = False) -> None:
        self.inbox = inbox
        self.port = free_port()
        kwargs: dict[str, object] = {"enable_SMTPUTF8": smtputf8}
        if auth:
            kwargs |= {"authenticator": inbox.authenticate, "auth_require_tls": False}
        self.controller = Controller(inbox, hostname="127.0.0.1", port=self.port, **kwargs)

    def __enter__(self) -> Server:
        self.controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()
