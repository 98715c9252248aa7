"""Messages handed to the shop's SMTP server (smtplib) or to the local ``sendmail``.

``Courier.send`` (and ``send``, for one message) returns when the server (or sendmail) has
accepted the message, and raises ``SendError`` otherwise, with the server's answer or the
reason in words. Nothing here touches the store."""

from __future__ import annotations

import smtplib
import ssl
import subprocess
from email.message import EmailMessage

from bizdesk.errors import BizdeskError
from bizdesk.i18n import Message
from bizdesk.services.mail.settings import MailSettings, MailSetupError, password, ready

TIMEOUT = 60  # seconds for each step of an SMTP conversation, and for sendmail to finish


class SendError(BizdeskError):
    """A try that failed: the message stays queued with this reason."""


class SendUnsure(BizdeskError):
    """The message was handed over and then the link broke before the answer: it may have
    been accepted. It is not sent again unless a person says so."""


def send(settings: MailSettings, msg: EmailMessage) -> None:
    """Hand one message over, on a connection of its own."""
    with Courier() as courier:
        courier.send(settings, msg)


class Courier:
    """Hands a delivery run's messages to the shop's server over one SMTP connection, opened
    for the first and kept for the next (a campaign to a thousand customers is one
    conversation, not a thousand). A message the server refuses leaves the connection usable
    (RSET); a connection the server closed between messages (many close after some number of
    messages) is opened again once, which is safe because that message was not handed over.
    When the server cannot be used at all (not reached, the secure connection or the password
    refused, the settings unusable), the rest of the run is told the same at once instead of
    each message waiting for its own time-out."""

    def __init__(self) -> None:
        self._settings: MailSettings | None = None
        self._conn: smtplib.SMTP | None = None
        self._down: Message | None = None  # why the server cannot be used in this run

    def __enter__(self) -> Courier:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            try:
                conn.quit()
            except (OSError, smtplib.SMTPException):
                conn.close()

    def send(self, settings: MailSettings, msg: EmailMessage) -> None:
        if settings != self._settings:  # changed meanwhile: start again with the new ones
            self.close()
            self._settings, self._down = settings, None
        if self._down is not None:
            raise SendError(self._down)
        try:
            ready(settings)
            if settings.transport == "sendmail":
                _sendmail(settings, msg)
                return
            secret = password(settings)  # before connecting: a refused file says so first
        except MailSetupError as exc:
            self._down = exc.message
            raise SendError(exc.message) from None
        server = f"{settings.host}:{settings.port}"
        if self._conn is not None:
            try:
                self._talk(self._conn, settings, server, msg)
                return
            except _LinkLost:
                pass  # the server closed the kept connection: this message was not handed over
        try:
            self._talk(self._connect(settings, secret, server), settings, server, msg)
        except _LinkLost as lost:
            self._down = _setup_failure(lost.cause, server)
            raise SendError(self._down) from None

    def _talk(
        self, conn: smtplib.SMTP, settings: MailSettings, server: str, msg: EmailMessage
    ) -> None:
        try:
            _conversation(conn, settings.from_address, str(msg["To"]), msg, server)
        except SendUnsure:
            self.close()
            raise
        except (smtplib.SMTPResponseException, smtplib.SMTPRecipientsRefused) as exc:
            if _code(exc) == 421:  # "closing the connection": not an answer about this message
                self.close()
                raise _LinkLost(exc) from None
            self._reset()
            raise SendError(_refusal(exc, server)) from None
        except OSError as exc:  # smtplib's errors too: the link broke before the message went
            self.close()
            raise _LinkLost(exc) from None

    def _reset(self) -> None:
        """After a refused message, ready the connection for the next one."""
        if self._conn is None:
            return
        try:
            self._conn.rset()
        except (OSError, smtplib.SMTPException):
            self.close()

    def _connect(self, settings: MailSettings, secret: str | None, server: str) -> smtplib.SMTP:
        """A connection, secured and logged in; a failure marks the server down for the run."""
        conn: smtplib.SMTP | None = None
        try:
            if settings.security == "ssl":
                conn = smtplib.SMTP_SSL(
                    settings.host,
                    settings.port,
                    timeout=TIMEOUT,
                    context=ssl.create_default_context(),
                )
            else:
                conn = smtplib.SMTP(settings.host, settings.port, timeout=TIMEOUT)
            if settings.security == "starttls":
                conn.starttls(context=ssl.create_default_context())
            if secret is not None:
                conn.login(settings.user, secret)
        except (OSError, smtplib.SMTPException) as exc:
            if conn is not None:
                conn.close()
            self._down = _setup_failure(exc, server)
            raise SendError(self._down) from None
        self._conn = conn
        return conn


def _setup_failure(exc: OSError | smtplib.SMTPException, server: str) -> Message:
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return Message(
            "{server} refused the user name or password: {answer}",
            server=server,
            answer=_answer(exc.smtp_code, exc.smtp_error),
        )
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        return Message(
            "{server} does not offer STARTTLS; choose --security ssl or none", server=server
        )
    if isinstance(exc, ssl.SSLError):
        return Message(
            "{server}: the secure connection failed ({reason})",
            server=server,
            reason=exc.reason or str(exc),
        )
    if isinstance(exc, smtplib.SMTPResponseException | smtplib.SMTPRecipientsRefused):
        return _refusal(exc, server)
    return _unreached(exc, server)


class _LinkLost(Exception):  # noqa: N818
    """The connection ended before the message was handed over (``cause`` says how)."""

    def __init__(self, cause: OSError) -> None:
        self.cause = cause


def _code(exc: smtplib.SMTPResponseException | smtplib.SMTPRecipientsRefused) -> int:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return min((code for code, _ in exc.recipients.values()), default=0)
    return exc.smtp_code


def _refusal(
    exc: smtplib.SMTPResponseException | smtplib.SMTPRecipientsRefused, server: str
) -> Message:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        answers = "; ".join(f"{to}: {_answer(*a)}" for to, a in exc.recipients.items())
        return Message("{server} refused the recipient: {answer}", server=server, answer=answers)
    return Message(
        "{server} answered: {answer}", server=server, answer=_answer(exc.smtp_code, exc.smtp_error)
    )


def _unreached(exc: OSError | smtplib.SMTPException, server: str) -> Message:
    reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
    if isinstance(exc, TimeoutError) or isinstance(exc.__context__, TimeoutError):
        reason = "timed out"  # smtplib says "Connection unexpectedly closed: timed out"
    return Message("{server} could not be reached ({reason})", server=server, reason=reason)


def _conversation(conn: smtplib.SMTP, sender: str, to: str, msg: EmailMessage, server: str) -> None:
    """MAIL, RCPT and DATA (smtplib's own steps, as send_message takes them), so that a
    connection lost after the message was handed over is told apart: the server may have
    accepted it, and it must not be sent again by itself (SendUnsure)."""
    conn.ehlo_or_helo_if_needed()
    options: tuple[str, ...] = ()
    if _international(sender, to):  # as smtplib's send_message does (RFC 6531)
        if not conn.has_extn("smtputf8"):
            raise SendError(
                Message(
                    "{server} does not take addresses with letters outside ASCII (it lacks "
                    "SMTPUTF8): nothing was sent to {address}; send it through a server that "
                    "does, or give the contact another address",
                    server=server,
                    address=to if not to.isascii() else sender,
                )
            )
        options = ("SMTPUTF8", "BODY=8BITMIME")
    data = _bytes(msg, sender, to, linesep="\r\n")
    code, answer = conn.mail(sender, options)
    if code != 250:
        raise smtplib.SMTPSenderRefused(code, answer, sender)
    code, answer = conn.rcpt(to)
    if code not in (250, 251):
        raise smtplib.SMTPRecipientsRefused({to: (code, answer)})
    try:
        code, answer = conn.data(data)
    except smtplib.SMTPResponseException:
        raise  # the server answered no: not accepted
    except OSError as exc:  # the link broke while the message or the answer was on its way
        raise SendUnsure(
            Message(
                "the connection to {server} broke after the message was handed over ({reason})",
                server=server,
                reason=str(exc) or type(exc).__name__,
            )
        ) from None
    if code != 250:
        raise smtplib.SMTPDataError(code, answer)


def _international(*addresses: str) -> bool:
    return not all(a.isascii() for a in addresses)


def _bytes(msg: EmailMessage, sender: str, to: str, linesep: str = "\n") -> bytes:
    """The message as sent: an address with letters outside ASCII is written as it is
    (UTF-8, RFC 6532); e-mail's usual encoded words cannot carry one."""
    policy = msg.policy.clone(linesep=linesep, utf8=_international(sender, to))
    return msg.as_bytes(policy=policy)


def _answer(code: int, text: bytes | str) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return f"{code} {text}".strip()


def _sendmail(settings: MailSettings, msg: EmailMessage) -> None:
    recipients = [a.strip() for a in str(msg["To"]).split(",") if a.strip()]
    # -i: a line with a lone dot does not end the message; -f: the envelope sender
    command = [settings.sendmail, "-i", "-f", settings.from_address, "--", *recipients]
    try:
        done = subprocess.run(
            command,
            input=_bytes(msg, settings.from_address, str(msg["To"])),
            capture_output=True,
            timeout=TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise SendUnsure(
            Message(
                "{path} was stopped after {seconds} seconds with the message in its hands",
                path=settings.sendmail,
                seconds=TIMEOUT,
            )
        ) from None
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise SendError(
            Message("{path} did not run ({reason})", path=settings.sendmail, reason=reason)
        ) from None
    if done.returncode != 0:
        said = done.stderr.decode("utf-8", "replace").strip()[:300]
        raise SendError(
            Message(
                "{path} failed (exit {code}): {said}",
                path=settings.sendmail,
                code=done.returncode,
                said=said,
            )
        )
