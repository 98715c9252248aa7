"""Drafts: what was typed in a form and not saved because the session ended with it open
(the link dropped, the person quit, or their account was disabled).

Kept per OS user (in that user's own state folder), per store and per form ("New contact",
"Edit contact #42"), as a private file (folder 0700, file 0600), newest first: a draft
offered and left for later stays when the form is left unsaved again. Not a table in the store:
the store is shared with the whole shop group and unsaved typing belongs to its author
alone; writing one must not wait for the store's write lock while the process is ending;
and a half-typed form is not business data for the audit trail or for backups.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
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


@contextmanager
def _kept(store_url: str, form: str) -> Iterator[list[dict[str, Any]]]:
    """The drafts kept for this form of this store, newest first, to change in place:
    written back atomically as the block ends (a dropped link mid-write leaves the old file
    or none), the file removed when none is left. One session at a time (two terminals of
    the same person may end at once)."""
    folder = drafts_dir()
    folder.mkdir(parents=True, mode=0o700, exist_ok=True)
    os.chmod(folder, 0o700)
    path = _path(store_url, form)
    lock = os.open(folder / ".lock", os.O_CREAT | os.O_RDWR, 0o600)
    try:
        fcntl.flock(lock, fcntl.LOCK_EX)
        kept = _read(path, store_url, form)
        before = list(kept)
        yield kept
        if kept == before:
            return
        if not kept:
            path.unlink(missing_ok=True)
            return
        doc = {"store": store_url, "form": form, "drafts": kept}
        tmp = path.with_name(f".{path.name}.{os.getpid()}")
        fd = os.open(tmp, os.O_CREAT | os.O_TRUNC | os.O_WRONLY, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(doc, fh, ensure_ascii=False)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    finally:
        os.close(lock)


def _read(path: Path, store_url: str, form: str) -> list[dict[str, Any]]:
    """What the file holds (an unreadable file, or one of another form or store, holds
    nothing); a file of one draft (as bizdesk kept them before) is a list of one."""
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    if not isinstance(doc, dict) or doc.get("store") != store_url or doc.get("form") != form:
        return []
    kept = doc["drafts"] if "drafts" in doc else [{"id": "0", **doc}]
    return [d for d in kept if isinstance(d, dict) and isinstance(d.get("state"), dict)]


def save_draft(
    store_url: str,
    form: str,
    state: dict[str, Any],
    why: str = "hang-up",
    born: str = "",
    replaces: str | None = None,
) -> str:
    """Keep a draft, newest of this form's, and return its id. ``born``: which store it is
    (``setup.born``), so that a new store made at the same path is not offered the old
    one's drafts. ``replaces``: the id of the draft restored into the form, whose typing
    this one holds; the others stay (one left for later is never written over)."""
    if why not in WHY:
        raise ValueError(f"why: one of {WHY}")
    draft = {
        "id": uuid.uuid4().hex,
        "saved_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "why": why,
        "born": born,
        "state": state,
    }
    with _kept(store_url, form) as kept:
        kept[:] = [draft] + [d for d in kept if replaces is None or d.get("id") != replaces]
    return draft["id"]


def load_draft(store_url: str, form: str, born: str = "") -> dict[str, Any] | None:
    """The newest draft kept for this form of this store, or None (one kept for another
    store that lay at the same path is none)."""
    path = _path(store_url, form)
    for draft in _read(path, store_url, form):
        if not (born and draft.get("born") and draft["born"] != born):
            return draft
    return None


def discard_draft(store_url: str, form: str, draft_id: str | None = None) -> None:
    """Drop the draft ``draft_id`` of this form (saved, or discarded by its author), or
    all of this form's drafts."""
    with _kept(store_url, form) as kept:
        kept[:] = [d for d in kept if draft_id is not None and d.get("id") != draft_id]
