"""One message handed to the shop's SMTP server (smtplib) or to the local ``sendmail``.

``send`` returns when the server (or sendmail) has accepted the message, and raises
``SendError`` otherwise, with the server's answer or the reason in words. Nothing here
touches the store."""

from __future__ import annotations

import smtplib
import socket
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
    try:
        ready(settings)
        if settings.transport == "sendmail":
            _sendmail(settings, msg)
        else:
            _smtp(settings, msg)
    except MailSetupError as exc:
        raise SendError(exc.message) from None


def _smtp(settings: MailSettings, msg: EmailMessage) -> None:
    secret = password(settings)  # before connecting: a refused password file says so first
    server = f"{settings.host}:{settings.port}"
    try:
        if settings.security == "ssl":
            conn: smtplib.SMTP = smtplib.SMTP_SSL(
                settings.host,
                settings.port,
                timeout=TIMEOUT,
                context=ssl.create_default_context(),
            )
        else:
            conn = smtplib.SMTP(settings.host, settings.port, timeout=TIMEOUT)
        with conn:
            if settings.security == "starttls":
                conn.starttls(context=ssl.create_default_context())
            if secret is not None:
                conn.login(settings.user, secret)
            _conversation(conn, settings.from_address, str(msg["To"]), msg, server)
    except smtplib.SMTPAuthenticationError as exc:
        raise SendError(
            Message(
                "{server} refused the user name or password: {answer}",
                server=server,
                answer=_answer(exc.smtp_code, exc.smtp_error),
            )
        ) from None
    except smtplib.SMTPRecipientsRefused as exc:
        answers = "; ".join(f"{to}: {_answer(*a)}" for to, a in exc.recipients.items())
        raise SendError(
            Message("{server} refused the recipient: {answer}", server=server, answer=answers)
        ) from None
    except smtplib.SMTPResponseException as exc:
        raise SendError(
            Message(
                "{server} answered: {answer}",
                server=server,
                answer=_answer(exc.smtp_code, exc.smtp_error),
            )
        ) from None
    except smtplib.SMTPNotSupportedError:
        raise SendError(
            Message(
                "{server} does not offer STARTTLS; choose --security ssl or none",
                server=server,
            )
        ) from None
    except ssl.SSLError as exc:
        raise SendError(
            Message(
                "{server}: the secure connection failed ({reason})",
                server=server,
                reason=exc.reason or str(exc),
            )
        ) from None
    except (OSError, smtplib.SMTPException) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        if isinstance(exc, socket.timeout | TimeoutError):
            reason = "timed out"
        raise SendError(
            Message("{server} could not be reached ({reason})", server=server, reason=reason)
        ) from None


def _conversation(conn: smtplib.SMTP, sender: str, to: str, msg: EmailMessage, server: str) -> None:
    """MAIL, RCPT and DATA (smtplib's own steps, as send_message takes them), so that a
    connection lost after the message was handed over is told apart: the server may have
    accepted it, and it must not be sent again by itself (SendUnsure)."""
    conn.ehlo_or_helo_if_needed()
    data = msg.as_bytes(policy=msg.policy.clone(linesep="\r\n"))
    code, answer = conn.mail(sender)
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
            input=msg.as_bytes(),
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
