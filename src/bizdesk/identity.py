"""Who is acting: the OS user of this process, from the effective uid, never from $USER.

Under the enforced shared set-up (``bizdesk gate serve``, run by sshd as a key's forced
command) every staff member runs as the shop's own account, and who they are comes from
the key they logged in with: the gate names them once, in this process, before any store
is opened. Nothing a user controls (an environment variable, an argument, a file) reaches
this: the forced command is written by the owner into a file only the shop account can
write."""

from __future__ import annotations

import os
import pwd
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Gate:
    """The confinement of a process entered through the shop's gate."""

    user: str  # the person, from their key's forced command
    url: str  # the only store this process may open
    keys_file: Path  # the shop account's authorized_keys, where staff keys are registered
    program: tuple[str, ...]  # how sshd starts bizdesk (for the forced commands it writes)


_gate: Gate | None = None


def enter_gate(gate: Gate) -> None:
    """Once per process, before anything is opened; never undone."""
    global _gate
    if _gate is not None:
        raise RuntimeError("the gate is entered once per process")
    _gate = gate


def current_gate() -> Gate | None:
    return _gate


def os_username() -> str:
    if _gate is not None:
        return _gate.user
    try:
        return pwd.getpwuid(os.geteuid()).pw_name
    except KeyError:  # a uid with no passwd entry (containers)
        return f"uid{os.geteuid()}"
