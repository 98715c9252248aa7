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
            refused = conn.send_message(msg, from_addr=settings.from_address)
            if refused:  # only with several recipients, some refused: one here
                raise SendError(
                    Message("{server} refused {refused}", server=server, refused=refused)
                )
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
    except (OSError, subprocess.TimeoutExpired) as exc:
        reason = "timed out" if isinstance(exc, subprocess.TimeoutExpired) else exc.strerror
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
