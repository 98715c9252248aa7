"""Staff keys under the enforced shared set-up: each line of the shop account's
``authorized_keys`` lets one key in as one person, and only into bizdesk.

A line is written by bizdesk only, as OpenSSH forced commands are used by gitolite and
gitlab-shell::

    restrict,pty,command="/…/python -I -m bizdesk gate serve --db /srv/shop/shop.db
    --user sam" ssh-ed25519 AAAA… bizdesk:sam      (one line)

``restrict`` turns off port, agent and X11 forwarding and ``pty`` gives back the terminal the
interface needs; whatever the person asks to run reaches the gate only as
``$SSH_ORIGINAL_COMMAND``. Who they are is in the line, written here from the owner's
``users add``: nothing the person sends can change it.
"""

from __future__ import annotations

import base64
import binascii
import os
import re
import shlex
import struct
from pathlib import Path

from bizdesk.errors import ValidationError
from bizdesk.files import atomic_path
from bizdesk.i18n import Message
from bizdesk.reading import quoted

KEY_TYPES = (
    "ssh-ed25519",
    "ssh-rsa",
    "ecdsa-sha2-nistp256",
    "ecdsa-sha2-nistp384",
    "ecdsa-sha2-nistp521",
    "sk-ssh-ed25519@openssh.com",
    "sk-ecdsa-sha2-nistp256@openssh.com",
)
TAG = "bizdesk:"
_LINE_USER = re.compile(r" " + re.escape(TAG) + r"(\S+)$")


def read_public_key(text: str) -> tuple[str, str]:
    """(type, base64 body) of one OpenSSH public key line (``TYPE BASE64 [comment]``, as in
    ``id_ed25519.pub``); anything else is refused, options included."""
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    if len(lines) != 1:
        raise ValidationError(
            {"key": Message("give exactly one public key (the one line of a .pub file)")}
        )
    parts = lines[0].split()
    if len(parts) < 2 or parts[0] not in KEY_TYPES:
        raise ValidationError(
            {
                "key": Message(
                    "not an SSH public key: expected a line such as 'ssh-ed25519 AAAA… name' "
                    "(the content of ~/.ssh/id_ed25519.pub, never the private key)"
                )
            }
        )
    kind, body = parts[0], parts[1]
    try:
        blob = base64.b64decode(body, validate=True)
        (n,) = struct.unpack(">I", blob[:4])
        named = blob[4 : 4 + n].decode("ascii")
    except (binascii.Error, struct.error, UnicodeDecodeError):
        named = None
    if named != kind:
        raise ValidationError(
            {"key": Message("the key's body is not a valid {kind} key", kind=kind)}
        )
    return kind, body


def forced_line(program: tuple[str, ...], url: str, user: str, kind: str, body: str) -> str:
    command = shlex.join([*program, "gate", "serve", "--db", url, "--user", user])
    if '"' in command or "\\" in command or "\n" in command:
        raise ValidationError(
            {
                "key": Message(
                    "the store's path cannot be written into a key line: {url}",
                    url=quoted(url, 200),
                )
            }
        )
    return f'restrict,pty,command="{command}" {kind} {body} {TAG}{user}'


def _lines(keys_file: Path) -> list[str]:
    try:
        return keys_file.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return []


def _write(keys_file: Path, lines: list[str]) -> None:
    """Whole or not at all, 0600 in a 0700 folder (sshd refuses looser ones)."""
    folder = keys_file.parent
    folder.mkdir(mode=0o700, exist_ok=True)
    os.chmod(folder, 0o700)
    with atomic_path(keys_file, mode=0o600, confined=False) as tmp:
        tmp.write_text("".join(f"{ln}\n" for ln in lines), encoding="utf-8")


def users_of(keys_file: Path) -> dict[str, int]:
    """How many keys each person has."""
    found: dict[str, int] = {}
    for ln in _lines(keys_file):
        m = _LINE_USER.search(ln)
        if m:
            found[m.group(1)] = found.get(m.group(1), 0) + 1
    return found


def register(keys_file: Path, program: tuple[str, ...], url: str, user: str, key_text: str) -> None:
    """Let ``key_text`` in as ``user`` (and only into bizdesk on the store ``url``). A key
    already letting someone in is refused: a key names one person."""
    kind, body = read_public_key(key_text)
    lines = _lines(keys_file)
    for ln in lines:
        if f" {kind} {body} " in f" {ln} " or f" {body} " in f" {ln} ":
            m = _LINE_USER.search(ln)
            if m:
                problem = Message(
                    "this key already lets in {user}; a key names one person", user=m.group(1)
                )
            else:
                problem = Message(
                    "this key already lets in an account that is not bizdesk's; a key names "
                    "one person"
                )
            raise ValidationError({"key": problem})
    lines.append(forced_line(program, url, user, kind, body))
    _write(keys_file, lines)


def forget(keys_file: Path, user: str) -> int:
    """Remove every key of ``user``; how many were removed."""
    lines = _lines(keys_file)
    kept = [ln for ln in lines if not ln.endswith(f" {TAG}{user}")]
    if len(kept) != len(lines):
        _write(keys_file, kept)
    return len(lines) - len(kept)
