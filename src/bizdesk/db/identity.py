"""Who is acting: the OS user of this process, from the effective uid, never from $USER."""

from __future__ import annotations

import os
import pwd


def os_username() -> str:
    try:
        return pwd.getpwuid(os.geteuid()).pw_name
    except KeyError:  # a uid with no passwd entry (containers)
        return f"uid{os.geteuid()}"
