"""Drafts: what was typed in a form and not saved because the session ended with it open
(the link dropped, the person quit, or their account was disabled).

Kept per OS user (in that user's own state folder), per store and per form ("New contact",
"Edit contact #42"), as a private file (folder 0700, file 0600). Not a table in the store:
the store is shared with the whole shop group and unsaved typing belongs to its author
alone; writing one must not wait for the store's write lock while the process is ending;
and a half-typed form is not business data for the audit trail or for backups.
"""

from __future__ import annotations

import hashlib
import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import platformdirs

from bizdesk.config import APP


def drafts_dir() -> Path:
    return platformdirs.user_state_path(APP) / "drafts"


def _path(store_url: str, form: str) -> Path:
    digest = hashlib.sha256(f"{store_url}\0{form}".encode()).hexdigest()[:32]
    return drafts_dir() / f"{digest}.json"


# why a session ended with a form open (the draft question says it)
WHY = ("hang-up", "quit", "disabled")


def save_draft(
    store_url: str, form: str, state: dict[str, Any], why: str = "hang-up", born: str = ""
) -> Path:
    """Write the draft atomically (a dropped link mid-write leaves the old one or none).
    ``born``: which store it is (``setup.born``), so that a new store made at the same path
    is not offered the old one's drafts."""
    if why not in WHY:
        raise ValueError(f"why: one of {WHY}")
    folder = drafts_dir()
    folder.mkdir(parents=True, mode=0o700, exist_ok=True)
    os.chmod(folder, 0o700)
    path = _path(store_url, form)
    doc = {
        "store": store_url,
        "form": form,
        "saved_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "why": why,
        "born": born,
        "state": state,
    }
    tmp = path.with_name(f".{path.name}.{os.getpid()}")
    fd = os.open(tmp, os.O_CREAT | os.O_TRUNC | os.O_WRONLY, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(doc, fh, ensure_ascii=False)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    return path


def load_draft(store_url: str, form: str, born: str = "") -> dict[str, Any] | None:
    """The draft kept for this form of this store, or None (an unreadable one counts as none,
    and so does one kept for another store that lay at the same path)."""
    path = _path(store_url, form)
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if doc.get("store") != store_url or doc.get("form") != form:
        return None
    if born and doc.get("born") and doc["born"] != born:
        return None
    return doc


def discard_draft(store_url: str, form: str) -> None:
    _path(store_url, form).unlink(missing_ok=True)
