"""How the shop sends e-mail: kept in the store's settings (keys ``mail.*``), changed by the
owner (``mail.config``). The SMTP password is never stored: it is read, when a message is
sent, from the file the settings name (private to the person running bizdesk: mode 0600 or
stricter, owned by them, not a link), else from the environment variable
BIZDESK_SMTP_PASSWORD."""

from __future__ import annotations

import os
import stat
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from bizdesk.config import sqlite_path
from bizdesk.db import UnitOfWork
from bizdesk.errors import BizdeskError, ValidationError
from bizdesk.i18n import Message
from bizdesk.identity import current_gate
from bizdesk.reading import is_digits
from bizdesk.services.base import validate as v
from bizdesk.services.base.permissions import requires

TRANSPORTS = ("smtp", "sendmail")
SECURITIES = ("starttls", "ssl", "none")
PASSWORD_ENV = "BIZDESK_SMTP_PASSWORD"
DEFAULT_PORTS = {"starttls": 587, "ssl": 465, "none": 25}
MAX_PASSWORD_FILE = 4096
# Through the shop's gate bizdesk runs as the shop's account for every member: only the
# system's own sendmail may be run then, never a program a member names.
SYSTEM_SENDMAIL = ("/usr/sbin/sendmail", "/usr/lib/sendmail")


class MailSetupError(BizdeskError):
    """The settings or the password cannot be used to send; the message says what to do.
    (A failed try of one message: it stays in the outbox with this as its error.)"""


@dataclass(frozen=True)
class MailSettings:
    transport: str = "smtp"
    host: str = ""
    port: int = 587
    security: str = "starttls"
    user: str = ""
    from_address: str = ""
    password_file: str = ""
    sendmail: str = "/usr/sbin/sendmail"

    def password_source(self) -> str:
        """Where the password comes from, in words (never the password)."""
        if self.transport != "smtp" or not self.user:
            return ""
        if self.password_file:
            return self.password_file
        return PASSWORD_ENV


_KEYS = {
    "transport": "mail.transport",
    "host": "mail.host",
    "port": "mail.port",
    "security": "mail.security",
    "user": "mail.user",
    "from_address": "mail.from",
    "password_file": "mail.password_file",
    "sendmail": "mail.sendmail",
}


def read_settings(uow: UnitOfWork) -> MailSettings:
    """The settings as stored (for sending: no check of the reader's role)."""
    d = MailSettings()
    got: dict[str, Any] = {}
    for name, key in _KEYS.items():
        value = uow.setting(key, "")
        if value != "":
            got[name] = int(value) if name == "port" else value
    return replace(d, **got)


@requires("mail.config")
def get_settings(uow: UnitOfWork) -> MailSettings:
    return read_settings(uow)


@requires("mail.config")
def update_settings(uow: UnitOfWork, **changes: Any) -> MailSettings:  # noqa: ANN401
    """Change the fields given (None: unchanged; "" clears a text field). Every value is
    checked first; nothing is saved unless all are right. A password file named here must
    already be private to the person setting it."""
    current = read_settings(uow)
    unknown = set(changes) - set(_KEYS)
    if unknown:
        raise ValidationError({"": v.must_be_one_of(tuple(_KEYS))})
    chk = v.Checker()
    clean: dict[str, Any] = {}
    for name, value in changes.items():
        if value is None:
            continue
        if name == "transport":
            clean[name] = chk(name, v.choice, value, TRANSPORTS)
        elif name == "security":
            clean[name] = chk(name, v.choice, value, SECURITIES)
        elif name == "port":
            clean[name] = chk(name, _port, value)
        elif name == "from_address":
            clean[name] = chk(name, v.email, value) or ""
        elif name == "host":
            clean[name] = chk(name, _host, value)
        elif name == "user":
            clean[name] = chk(name, v.text, value, max_len=254)
        elif name == "sendmail":
            clean[name] = chk(name, _sendmail, value)
        else:  # password_file
            clean[name] = chk(name, _path, value)
    chk.done()
    new = replace(current, **{k: val for k, val in clean.items() if val is not None})
    if new.password_file and "password_file" in clean:
        try:
            read_password_file(new.password_file)
        except MailSetupError as exc:
            raise ValidationError({"password_file": exc.message}) from None
    if (
        "security" in clean
        and "port" not in clean
        and current.port == DEFAULT_PORTS.get(current.security)
    ):
        new = replace(new, port=DEFAULT_PORTS[new.security])  # the usual port goes with it
    before, after = asdict(current), asdict(new)
    changed = {k: after[k] for k in after if after[k] != before[k]}
    if not changed:
        return new
    for name in changed:
        uow.set_setting(_KEYS[name], str(after[name]))
    uow.audit(
        "setting",
        None,
        "mail",
        before={k: before[k] for k in changed},
        after=changed,
    )
    return new


def _port(value: object) -> int:
    s = str(value).strip()
    if not is_digits(s) or not 1 <= int(s) <= 65535:
        raise v.FieldError(Message("a port is a whole number from 1 to 65535"))
    return int(s)


def _host(value: object) -> str:
    s = v.text(value, max_len=253)
    if any(ch.isspace() or ch in "/@" for ch in s):
        raise v.FieldError(Message("a server's name or address, such as smtp.example.com"))
    return s


def _path(value: object) -> str:
    s = v.text(value, max_len=1000)
    if s and not os.path.isabs(os.path.expanduser(s)):
        raise v.FieldError(Message("an absolute path, such as /home/shop/.smtp-password"))
    return os.path.expanduser(s) if s else ""


def _sendmail(value: object) -> str:
    path = _path(value) or MailSettings.sendmail
    if current_gate() is not None and path not in SYSTEM_SENDMAIL:
        raise v.FieldError(gated_sendmail())
    return path


def gated_sendmail() -> Message:
    return Message(
        "in this shop bizdesk runs as the shop's account: the sendmail program can only be {paths}",
        paths=" or ".join(SYSTEM_SENDMAIL),
    )


GATED_PASSWORD_FILE = "smtp-password"


def gated_password_file() -> Path | None:
    """Under the shop's gate, the one password file bizdesk reads: ``smtp-password`` beside
    the shop's store, written by the shop's administrator as the shop's account (bizdesk
    runs as that account for everyone: any other file of its, its keys or its store, would
    be read for whoever named it, and its first line sent to their server)."""
    gate = current_gate()
    if gate is None:
        return None
    store = sqlite_path(gate.url)
    return store.parent / GATED_PASSWORD_FILE if store is not None else None


def read_password_file(path: str) -> str:
    """The password in ``path`` (its first line), if the file is private to the person
    running bizdesk; refused, saying why, otherwise."""
    only = gated_password_file()
    if current_gate() is not None and (only is None or os.path.abspath(path) != str(only)):
        raise MailSetupError(
            Message(
                "in this shop bizdesk runs as the shop's account: the SMTP password is read "
                "from {only} alone, a file its administrator writes (chmod 600)",
                only=str(only) if only is not None else GATED_PASSWORD_FILE,
            )
        )
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError as exc:
        if os.path.islink(path):
            raise MailSetupError(
                Message("{path} is a symbolic link; name the password file itself", path=path)
            ) from None
        raise MailSetupError(
            Message(
                "{path}: cannot read the password file ({reason})",
                path=path,
                reason=exc.strerror or str(exc),
            )
        ) from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise MailSetupError(Message("{path} is not a file", path=path))
        if st.st_uid != os.geteuid():
            raise MailSetupError(
                Message(
                    "{path} belongs to another user; the password file must be yours",
                    path=path,
                )
            )
        if st.st_mode & 0o077:
            raise MailSetupError(
                Message(
                    "{path} can be read by others (mode {mode}); make it private: chmod 600 {path}",
                    path=path,
                    mode=f"{stat.S_IMODE(st.st_mode):04o}",
                )
            )
        data = os.read(fd, MAX_PASSWORD_FILE + 1)
    finally:
        os.close(fd)
    if len(data) > MAX_PASSWORD_FILE:
        raise MailSetupError(Message("{path} is too large for a password file", path=path))
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise MailSetupError(Message("{path} is not UTF-8 text", path=path)) from None
    password = text.splitlines()[0] if text else ""
    if not password:
        raise MailSetupError(Message("{path} is empty; write the password in it", path=path))
    return password


def password(settings: MailSettings) -> str | None:
    """The SMTP password for ``settings`` (None when the server needs no login)."""
    if not settings.user:
        return None
    if settings.password_file:
        return read_password_file(settings.password_file)
    value = os.environ.get(PASSWORD_ENV, "")
    if not value:
        raise MailSetupError(
            Message(
                "the SMTP server needs a password for {user}: name a private file "
                "(bizdesk mail settings --password-file PATH) or set {variable}",
                user=settings.user,
                variable=PASSWORD_ENV,
            )
        )
    return value


def ready(settings: MailSettings) -> None:
    """Refuse settings that cannot send anything, saying what is missing."""
    if not settings.from_address:
        raise MailSetupError(
            Message(
                "no sender address is set: set it with m on the users screen (ctrl+u), or "
                "bizdesk mail settings --from ADDRESS"
            )
        )
    if settings.transport == "smtp" and not settings.host:
        raise MailSetupError(
            Message(
                "no SMTP server is set: set it with m on the users screen (ctrl+u), or "
                "bizdesk mail settings --host HOST"
            )
        )
    if settings.transport == "sendmail" and current_gate() is not None:
        if settings.sendmail not in SYSTEM_SENDMAIL:
            raise MailSetupError(gated_sendmail())
    if settings.transport == "sendmail" and not Path(settings.sendmail).is_file():
        raise MailSetupError(
            Message(
                "{path}: no sendmail program there; bizdesk mail settings --sendmail PATH",
                path=settings.sendmail,
            )
        )
