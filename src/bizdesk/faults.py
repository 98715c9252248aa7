"""Faults below bizdesk (the disk, the file system, SQLite, the PostgreSQL server) told as
one sentence: which store, that nothing saved was lost (when that is true), what to do.

``translate`` turns a low-level exception into a ``StoreError`` (None when it is not such a
fault); ``describe`` turns *any* exception into the sentence a person sees, logging the
unexpected ones with their traceback to a private file in the user's state folder. The CLI
and the TUI both show what ``describe`` says, so no traceback or SQL ever reaches a user.
"""

from __future__ import annotations

import errno
import glob
import json
import os
import sqlite3
import stat
import traceback
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import platformdirs

from bizdesk import streams
from bizdesk.characters import name_part, shown_name
from bizdesk.config import backups_dir, read_kept, sqlite_path
from bizdesk.errors import BizdeskError, StoreDamaged, StoreError
from bizdesk.i18n import N_, Message
from bizdesk.identity import current_gate, os_username
from bizdesk.reading import date_text
from bizdesk.shopzone import shop_zone

SQLITE_MAGIC = b"SQLite format 3\x00"
LOG_NAME = "errors.log"


def where(url: str) -> str:
    """The store as a person names it: its file, or its URL without the password (a
    ``Message`` when there is no name to give)."""
    path = sqlite_path(url)
    if path is not None:
        return shown_name(path)  # (a line break in it would split the sentence)
    try:
        from sqlalchemy.engine import make_url

        return shown_name(make_url(url).render_as_string(hide_password=True))
    except Exception:
        return Message("the store")


# ---- the SQLite file itself -------------------------------------------------------------


def header_problem(path: Path) -> str | None:
    """A cheap look at an SQLite file (its first 100 bytes and its size): what is wrong with
    it (a ``Message``), or None. Finds a file that is not SQLite (overwritten, or not a
    store at all), an empty one, and one cut short (a copy or disk that ended early): the
    usual damage. Reading costs one block whatever the store's size; damage inside pages
    is found by ``PRAGMA integrity_check`` (before every backup, by ``check``, at each TUI
    start)."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(100)
            size = os.fstat(fh.fileno()).st_size
    except FileNotFoundError:
        return Message("missing")
    if size == 0:
        return Message("an empty file")
    if len(head) < 100 or head[:16] != SQLITE_MAGIC:
        return Message("not an SQLite database")
    page_size = int.from_bytes(head[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    if page_size < 512 or page_size & (page_size - 1):
        return Message("header damaged")
    pages = int.from_bytes(head[28:32], "big")
    counter, valid_for = head[24:28], head[92:96]
    short = counter == valid_for and pages and size < pages * page_size
    if short and not _log_holds_pages(path, page_size):
        return Message(
            "cut short: {size} of {expected} bytes", size=size, expected=pages * page_size
        )
    return None


WAL_MAGIC = (b"\x37\x7f\x06\x82", b"\x37\x7f\x06\x83")


def _log_holds_pages(path: Path, page_size: int) -> bool:
    """A write-ahead log of the file's page size is beside it, holding at least one page. A
    checkpoint copies the log's pages into the file in page order, page 1 (with the file's
    new size) first: killed half-way, the file is shorter than its header says and the log
    still holds the rest, which SQLite reads from it. Not damage: the file and its log are
    opened as usual, and what is truly missing is found there."""
    try:
        with open(path.with_name(path.name + "-wal"), "rb") as fh:
            head = fh.read(32)
            size = os.fstat(fh.fileno()).st_size
    except OSError:
        return False
    return (
        len(head) == 32
        and head[:4] in WAL_MAGIC
        and int.from_bytes(head[8:12], "big") == page_size
        and size >= 32 + 24 + page_size
    )


def file_problem(path: Path, *, full: bool = True) -> str | None:
    """The check of an SQLite file that nobody writes (a backup): header, every page
    (``PRAGMA integrity_check``, or with ``full=False`` the 4-5 times faster
    ``quick_check``, which does not compare each index with its table) and bizdesk's
    tables. None when sound."""
    problem = header_problem(path)
    if problem:
        return problem
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True)
        try:
            check = "integrity_check" if full else "quick_check"
            rows = [r[0] for r in conn.execute(f"PRAGMA {check}")]
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
        finally:
            conn.close()
    except sqlite3.Error as exc:
        return Message("cannot be read: {error}", error=str(exc))
    if rows != ["ok"]:
        return Message("damaged pages: {details}", details="; ".join(rows[:3]))
    if not {"alembic_version", "contact", "audit_event"} <= tables:
        return Message("not a bizdesk store")
    return None


def good_backups(url: str) -> list[Path]:
    """The store's backups, newest first (by the time they were written)."""
    path = sqlite_path(url)
    folder = backups_dir(url)
    if path is None or not folder.is_dir():
        return []
    found = [p for p in folder.glob(f"{glob.escape(name_part(path.stem))}-*.db") if p.is_file()]
    return sorted(found, key=lambda p: p.stat().st_mtime, reverse=True)


def newest_good_backup(url: str) -> Path | None:
    """The newest backup that passes the full check (older ones are looked at only if the
    newest fails), or None."""
    for p in good_backups(url):
        if file_problem(p) is None:
            return p
    return None


class Moment:
    """A moment in a sentence (when the newest good backup was written), said as the
    sentence is shown, not as it is made: a store's fault is found before the person's
    language is known (the store is not open yet), and shown after it is. Its date as the
    reader writes it then (reading.date_text), to the minute, in the shop's time zone when
    it is known (``known_zone``); else in this machine's, named ("19:45 UTC")."""

    def __init__(self, timestamp: float, zone: str | None) -> None:
        self.when = datetime.fromtimestamp(timestamp, UTC)
        self.zone = zone

    def __str__(self) -> str:
        if self.zone is not None:
            local = self.when.astimezone(ZoneInfo(self.zone))
            return f"{date_text(local.date())} {local:%H:%M}"
        local = self.when.astimezone()  # the machine's zone, as the process has it now
        zone = local.tzname() or f"{local:%z}"
        return f"{date_text(local.date())} {local:%H:%M} {zone}"

    def __format__(self, spec: str) -> str:
        return format(str(self), spec)

    def __repr__(self) -> str:
        return f"Moment({self.when.isoformat()}, {self.zone!r})"


def known_zone(url: str) -> str | None:
    """The time zone of the shop in the SQLite store at ``url``, without opening it as a
    store (it may be damaged, empty, not a store at all): its settings read through a
    read-only, immutable connection (nothing is written beside the file), else the zone
    kept with this person's Home figures for that store (services/overview/glance), else
    None (not known; so is UTC when the shop names no zone of its own: the machine's is
    then said, with its name)."""
    path = sqlite_path(url)
    if path is None:
        return None
    found: dict[str, str] = {}
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro&immutable=1", uri=True)
        try:
            found = dict(
                conn.execute(
                    "SELECT key, value FROM setting WHERE key IN "
                    "('shop_timezone', 'business_hours', 'shop_country')"
                ).fetchall()
            )
        finally:
            conn.close()
    except (sqlite3.Error, OSError, ValueError):
        found = {}
    try:
        if found:
            zone = shop_zone(lambda key, default: found.get(key) or default)
            ZoneInfo(zone)
            if zone != "UTC" or found.get("shop_timezone"):  # (UTC: none of its own, as
                return zone  # services.base.zones.live_in_shop_zone takes it)
    except (ValueError, KeyError, TypeError, AttributeError):
        pass
    return _kept_zone(path)


def _kept_zone(path: Path) -> str | None:
    """The shop's zone as this person's kept Home figures for the store at ``path`` have
    it (a file only they may read or write, for that very store), or None."""
    if current_gate() is not None:  # (never kept under the gate)
        return None
    try:
        entry = read_kept(path, os_username())
        zone = entry["mark"]["zone"]
        ZoneInfo(zone)
    except Exception:  # noqa: BLE001 - none kept, or not as bizdesk keeps it: not known
        return None
    return zone if zone != "UTC" else None  # (kept as UTC: none of its own, or said so)


def damaged(url: str, detail: str) -> StoreDamaged:
    """The sentence for a damaged store, with the exact command that puts it right."""
    store = where(url)
    backup = newest_good_backup(url)
    if backup is not None:
        made = Moment(backup.stat().st_mtime, known_zone(url))
        return StoreDamaged(
            Message(
                "The store {store} is damaged ({detail}); bizdesk will not write to it. "
                "Put back the newest good backup (written {made}); the damaged file is "
                "kept beside it: bizdesk restore {backup} --db {store}",
                store=store,
                detail=detail,
                made=made,
                backup=shown_name(backup),
            )
        )
    path = sqlite_path(url)
    if path is not None and not good_backups(url):
        return StoreDamaged(
            Message(
                "The store {store} is damaged ({detail}); bizdesk will not write to it. "
                "There is no backup of it in {folder}: check that --db names your store; "
                "if it does, copy {store} somewhere safe before anything else "
                "(sqlite3 {store} .recover can often save most of it).",
                store=store,
                detail=detail,
                folder=shown_name(backups_dir(url)),
            )
        )
    return StoreDamaged(
        Message(
            "The store {store} is damaged ({detail}); bizdesk will not write to it. "
            "No backup in {folder} passes the check either: copy {store} somewhere safe "
            "before anything else (sqlite3 {store} .recover can often save most of it).",
            store=store,
            detail=detail,
            folder=shown_name(backups_dir(url)),
        )
    )


# ---- damage found once, remembered beside the file ----------------------------------------
# Damage inside the pages is found by reading them: ``check`` (PRAGMA integrity_check), the
# check before a backup, or any statement SQLite answers "database disk image is malformed".
# Checking every page at each opening is too slow (about 0.3 s for quick_check and 3 s for
# integrity_check on a 320 MB store, from a warm cache: a CLI report's whole budget is
# 0.3 s), so damage, once found, is written down beside the store ("shop.db-damaged", with
# which file it was found in): every process that opens the store, and every write, looks
# for that mark (one failed open when there is none) and then only reads. A restore (a new
# file at the name) ends it, and so does ``check`` finding every page sound again.

DAMAGE_MARK = "-damaged"
FOUND_BEFORE = N_("found damaged earlier")


def damage_mark(path: Path) -> Path:
    return path.with_name(path.name + DAMAGE_MARK)


def record_damage(path: Path, detail: object) -> None:
    """Write down that the store file at ``path`` was found damaged (``detail``: what was
    found). Best effort: where the mark cannot be written (a read-only folder), the damage
    is found again when next read. The mark gets no more access than the store has."""
    try:
        st = os.stat(path)
        body = json.dumps({"file": [st.st_dev, st.st_ino], "detail": str(detail)})
        flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW
        fd = os.open(damage_mark(path), flags, stat.S_IMODE(st.st_mode) & 0o660)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(body)
    except OSError:
        pass


def recorded_damage(path: Path) -> str | None:
    """What was found when the store file at ``path`` was found damaged (by this process or
    another), or None. A mark left by a file no longer at that name (a restore put another
    there) is removed."""
    mark = damage_mark(path)
    try:
        with open(mark, encoding="utf-8", errors="replace") as fh:
            body = fh.read(4096)
        st = os.stat(path)
    except OSError:  # no mark (the usual case), or no store
        return None
    try:
        data = json.loads(body)
        file, detail = [int(n) for n in data["file"]], str(data["detail"])
    except (ValueError, KeyError, TypeError):
        return Message(FOUND_BEFORE)  # a mark, even garbled, is never taken lightly
    if file != [st.st_dev, st.st_ino]:
        forget_damage(path)
        return None
    return detail


def forget_damage(path: Path) -> None:
    """The store file at ``path`` is sound again (checked in full, or put back whole)."""
    try:
        damage_mark(path).unlink(missing_ok=True)
    except OSError:
        pass


def not_a_file(url: str) -> StoreError | None:
    """What is wrong with an SQLite store's path that exists but is not a regular file (a
    folder, a device such as /dev/null, a named pipe, a socket), or None. Asked before
    anything opens it: reading a named pipe waits forever for a writer, and a device
    taken for a damaged store would be moved aside by ``restore`` and a file put in its
    place."""
    path = sqlite_path(url)
    if path is None:
        return None
    try:
        mode = os.stat(path).st_mode
    except OSError:  # not there, or not reachable: said when it is opened
        return None
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return StoreError(
            Message("{name} is a folder, not a file. Nothing was changed.", name=where(url))
        )
    return StoreError(
        Message(
            "{store} is not a regular file (it is a device, a named pipe or a socket), so it "
            "cannot be a store; bizdesk did not open it and nothing was changed. Check the "
            "--db path (or $BIZDESK_DB).",
            store=where(url),
        )
    )


def empty_store(url: str) -> StoreDamaged:
    """The sentence for a store file that is empty (0 bytes): it holds no shop. Nothing
    may connect to it (SQLite would write a new database's header into it, and the next
    opening would build an empty shop there); only ``init`` makes a shop in it."""
    store = where(url)
    backup = newest_good_backup(url)
    if backup is not None:
        return StoreDamaged(
            Message(
                "The store {store} is an empty file (0 bytes): it holds no shop, and bizdesk "
                "will not use it as one. Nothing was changed. If your shop was in it, put "
                "back the newest good backup (written {made}): bizdesk restore {backup} "
                "--db {store}; to start a new shop there instead: bizdesk init --db {store}",
                store=store,
                made=Moment(backup.stat().st_mtime, known_zone(url)),
                backup=shown_name(backup),
            )
        )
    return StoreDamaged(
        Message(
            "The store {store} is an empty file (0 bytes): it holds no shop, and bizdesk will "
            "not use it as one. Nothing was changed. There is no backup of it in {folder}: "
            "check that --db names your store, put back a backup of it if you have one "
            "(bizdesk restore BACKUP --db {store}), or start a new shop there: bizdesk init "
            "--db {store}",
            store=store,
            folder=shown_name(backups_dir(url)),
        )
    )


NO_TERMINAL = N_(
    "The full-screen interface of bizdesk needs a terminal, and there is none here (a "
    "script, cron, or ssh without -t), so it did not start and nothing was changed; commands "
    "such as bizdesk report trial-balance work without one, and bizdesk --help lists them."
)


def missing(url: str) -> StoreError:
    store = where(url)
    return StoreError(
        Message(
            "There is no store at {store}; nothing was changed. Check the --db path (or "
            "$BIZDESK_DB), or create a new store with: bizdesk init --db {store}",
            store=store,
        )
    )


# ---- translating exceptions --------------------------------------------------------------
# Each sentence below that says so repeats it whole: "Nothing was lost: everything saved
# before is still in the store." (one message each, never glued, for the translators).


def _sqlite_code(exc: BaseException) -> str:
    name = getattr(exc, "sqlite_errorname", "") or ""
    if name:
        return name
    text = str(exc).lower()
    for needle, code in (
        ("database or disk is full", "SQLITE_FULL"),
        ("readonly database", "SQLITE_READONLY"),
        ("malformed", "SQLITE_CORRUPT"),
        ("file is not a database", "SQLITE_NOTADB"),
        ("disk i/o error", "SQLITE_IOERR"),
        ("unable to open database file", "SQLITE_CANTOPEN"),
    ):
        if needle in text:
            return code
    return ""


def is_damage(exc: BaseException) -> bool:
    """SQLite saying the file is damaged or not a database."""
    orig = getattr(exc, "orig", None) or exc
    return isinstance(orig, sqlite3.DatabaseError) and _sqlite_code(orig).startswith(
        ("SQLITE_CORRUPT", "SQLITE_NOTADB")
    )


def _disk_full(path: Path | None) -> bool:
    """Less room on the store's disk than a few pages (or no inodes left)."""
    if path is None:
        return False
    try:
        st = os.statvfs(path.parent)
    except OSError:
        return False
    return st.f_bavail * st.f_frsize < 64 * 1024 or (st.f_files and st.f_favail == 0)


def _read_only_disk(path: Path) -> bool:
    try:
        return bool(os.statvfs(path.parent).f_flag & os.ST_RDONLY)
    except OSError:
        return False


def _folder_writable(path: Path) -> bool:
    return os.access(path.parent, os.W_OK)


def translate(exc: BaseException, url: str | None) -> StoreError | None:
    """The ``StoreError`` for a fault of the disk, the file or the database server; None
    for anything else (a bug, a constraint a service should have checked)."""
    if isinstance(exc, StoreError):
        return exc
    orig = getattr(exc, "orig", None) or exc
    store = where(url) if url else Message("the store")
    if isinstance(orig, sqlite3.Error) and not isinstance(
        orig, sqlite3.IntegrityError | sqlite3.ProgrammingError | sqlite3.InterfaceError
    ):
        code = _sqlite_code(orig)
        path = sqlite_path(url or "")
        if code.startswith(("SQLITE_IOERR", "SQLITE_CANTOPEN")) and _disk_full(path):
            code = "SQLITE_FULL"  # e.g. no room for the -shm file SQLite maps
        if code.startswith("SQLITE_FULL"):
            return StoreError(
                Message(
                    "Not done: the disk holding the store {store} is full. Nothing was lost: "
                    "everything saved before is still in the store. Free some space on that "
                    "disk, then try again.",
                    store=store,
                )
            )
        if code.startswith(("SQLITE_READONLY", "SQLITE_PERM", "SQLITE_AUTH")):
            return StoreError(
                Message(
                    "Not done: the store {store} cannot be written (the file, its folder or "
                    "the disk it is on is read-only for you). Nothing was lost: everything "
                    "saved before is still in the store. Make it writable (for a shared shop, "
                    "ask its owner to add you to the shop's group), then try again.",
                    store=store,
                )
            )
        if code.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB")):
            return damaged(url, str(orig)) if url else StoreDamaged(str(orig))
        if code.startswith("SQLITE_CANTOPEN"):
            if path is not None and not path.exists():
                return missing(url)
            if path is not None and _read_only_disk(path):
                why = Message("it is on a disk mounted read-only")
            elif path is not None and not _folder_writable(path):
                why = Message(
                    "its folder cannot be written (SQLite keeps -wal and -shm files beside it)"
                )
            else:
                why = Message("the file or its folder cannot be opened")
            return StoreError(
                Message(
                    "Cannot open the store {store}: {why}. Nothing was changed. Make the "
                    "folder writable for you (for a shared shop, ask its owner to add you to "
                    "the shop's group), then try again.",
                    store=store,
                    why=why,
                )
            )
        if code.startswith("SQLITE_IOERR"):
            return StoreError(
                Message(
                    "Not done: the disk holding the store {store} reported an input/output "
                    "error. Nothing was lost: everything saved before is still in the store. "
                    "The disk may be failing: copy your backups to another disk, then run: "
                    "bizdesk check --db {store}",
                    store=store,
                )
            )
        return None
    if type(orig).__module__.startswith("psycopg"):
        sqlstate = getattr(orig, "sqlstate", None) or ""
        first = str(orig).strip().splitlines()[0] if str(orig).strip() else type(orig).__name__
        if sqlstate.startswith("53"):
            return StoreError(
                Message(
                    "Not done: the database server of {store} is out of disk space or "
                    "memory. Nothing was lost: everything saved before is still in the store. "
                    "Ask whoever runs the server to free some, then try again.",
                    store=store,
                )
            )
        if sqlstate == "25006":
            return StoreError(
                Message(
                    "Not done: the database {store} is read-only. Nothing was lost: "
                    "everything saved before is still in the store. Ask whoever runs the "
                    "server, then try again.",
                    store=store,
                )
            )
        if sqlstate.startswith(("08", "28", "3D", "57")) or type(orig).__name__ in (
            "OperationalError",
            "InterfaceError",
        ):
            return StoreError(
                Message(
                    "Cannot reach the store {store}: {error}. Nothing was changed. Check that "
                    "the PostgreSQL server is running and the URL (user, password, host, "
                    "database) is right, then try again.",
                    store=store,
                    error=first,
                )
            )
        return None
    if isinstance(orig, OSError):
        return os_error(orig, store)
    return None


def copy_fault(exc: BaseException, dest: Path) -> StoreError | None:
    """SQLite's error while writing ``dest``, a copy of the store (a backup), told as that
    file's when it is the copy's side that failed: the disk holding it full, its folder on
    a read-only disk or not writable for this user. None otherwise (the store's own fault,
    told as the store's)."""
    orig = getattr(exc, "orig", None) or exc
    if not isinstance(orig, sqlite3.Error) or is_damage(orig):
        return None
    code = _sqlite_code(orig)
    cannot = code.startswith(("SQLITE_READONLY", "SQLITE_CANTOPEN", "SQLITE_PERM"))
    if code.startswith("SQLITE_FULL") or (
        code.startswith(("SQLITE_IOERR", "SQLITE_CANTOPEN")) and _disk_full(dest)
    ):
        number = errno.ENOSPC
    elif cannot and _read_only_disk(dest):
        number = errno.EROFS
    elif cannot and not _folder_writable(dest):
        number = errno.EACCES
    else:
        return None
    return os_error(OSError(number, os.strerror(number), str(dest)))


# why a file could not be written, as a reader says it (the system's strerror is English)
WRITE_REASONS = {
    errno.ENOENT: N_("no such folder"),
    errno.EACCES: N_("permission denied"),
    errno.EPERM: N_("permission denied"),
    errno.ENOTDIR: N_("a part of the path is not a folder"),
    errno.ENAMETOOLONG: N_("the name is too long"),
}


def write_reason(exc: OSError) -> str:
    """Why ``exc`` kept a file from being written, in the reader's language where it is a
    usual reason; else as the system says it."""
    known = WRITE_REASONS.get(exc.errno)
    return Message(known) if known else (exc.strerror or str(exc))


def disk_fault(exc: OSError) -> StoreError | None:
    """A file (a document, a report) that could not be written because of its disk (full,
    read-only, failing), as the sentence naming it, saying nothing saved was lost and what
    to do; None for other reasons (a missing folder, no permission), which the caller says."""
    if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EIO):
        return os_error(exc)
    return None


def os_error(exc: OSError, store: str | None = None) -> StoreError | None:
    name = shown_name(exc.filename) if exc.filename else store or Message("the store")
    if exc.errno == errno.ENOSPC or exc.errno == errno.EDQUOT:
        return StoreError(
            Message(
                "Not written: the disk holding {name} is full. Nothing was lost: what was "
                "saved before is untouched and no half-written file was left. Free some "
                "space on that disk, then try again.",
                name=name,
            )
        )
    if exc.errno == errno.EROFS:
        return StoreError(
            Message(
                "Not written: {name} is on a read-only disk. Nothing was lost: what was "
                "saved before is untouched. Choose a place you can write to, or ask whoever "
                "manages this machine.",
                name=name,
            )
        )
    if exc.errno in (errno.EACCES, errno.EPERM):
        return StoreError(
            Message(
                "{name}: permission denied. Nothing was changed. If this is a shared shop, "
                "ask its owner to add you to the shop's Unix group (then log in again).",
                name=name,
            )
        )
    if exc.errno == errno.ENOENT:
        return StoreError(
            Message("{name}: no such file or folder. Nothing was changed.", name=name)
        )
    if exc.errno == errno.ENAMETOOLONG:
        return StoreError(
            Message(
                "{name}: the name is too long for the disk (at most 255 bytes a name, 4096 "
                "the whole path). Nothing was changed. Choose a shorter name.",
                name=_shortened(name),
            )
        )
    if exc.errno == errno.EISDIR:
        return StoreError(
            Message("{name} is a folder, not a file. Nothing was changed.", name=name)
        )
    if exc.errno in (errno.ENOTDIR, errno.ELOOP):
        return StoreError(
            Message("{name}: a part of this path is not a folder. Nothing was changed.", name=name)
        )
    if exc.errno == errno.EIO:
        return StoreError(
            Message(
                "{name}: the disk reported an input/output error. What was saved before is "
                "untouched by bizdesk, but the disk may be failing: copy your backups to "
                "another disk.",
                name=name,
            )
        )
    return None


# ---- standard output ---------------------------------------------------------------------
# Whether this process has changed a store (committed a write, put a backup back): a command
# whose output could not be written says whether what it did is saved.
_changed = False


def note_change() -> None:
    global _changed
    _changed = True


def output_problem() -> str | None:
    """The sentence for standard output having failed (bizdesk.streams), once: None when it
    did not, or when that was said already."""
    error = streams.failed()
    return None if error is None else str(output_fault(error, changed=_changed))


def output_fault(exc: OSError, *, changed: bool) -> str:
    """Standard output could not be written (bizdesk.streams): closed when bizdesk started,
    its disk full, or another reason; whether the command's change to the store (``changed``)
    is saved or nothing in the store changed; and what to do. Never told as the store's."""
    if exc.errno == errno.EBADF:
        if changed:
            return Message(
                "Standard output is closed, so this command's output could not be written. "
                "What the command changed in the store is saved; only its output is missing. "
                "Send the output somewhere (> FILE, or > /dev/null to drop it) next time."
            )
        return Message(
            "Standard output is closed, so this command's output could not be written. "
            "Nothing in the store was changed. Send the output somewhere (> FILE, or > "
            "/dev/null to drop it), then run the command again."
        )
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        if changed:
            return Message(
                "The disk that standard output goes to is full, so this command's output was "
                "not written whole. What the command changed in the store is saved; only its "
                "output is missing. Free some space on that disk before you send output there "
                "again."
            )
        return Message(
            "The disk that standard output goes to is full, so this command's output was "
            "not written whole. Nothing in the store was changed. Free some space on that "
            "disk, or send the output elsewhere, then run the command again."
        )
    if changed:
        return Message(
            "Standard output could not be written ({error}), so this command's output was "
            "not written whole. What the command changed in the store is saved; only its "
            "output is missing.",
            error=exc.strerror or type(exc).__name__,
        )
    return Message(
        "Standard output could not be written ({error}), so this command's output was not "
        "written whole. Nothing in the store was changed. Check where the output goes, then "
        "run the command again.",
        error=exc.strerror or type(exc).__name__,
    )


# ---- anything else: one sentence, the details in a private log ---------------------------


def log_path() -> Path:
    return platformdirs.user_state_path("bizdesk") / LOG_NAME


def log_unexpected(exc: BaseException) -> Path | None:
    """Append the traceback to the private error log (folder 0700, file 0600)."""
    path = log_path()
    try:
        path.parent.mkdir(parents=True, mode=0o700, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        with os.fdopen(fd, "a", encoding="utf-8") as fh:
            stamp = datetime.now(UTC).isoformat(timespec="seconds")
            fh.write(f"--- {stamp} pid {os.getpid()}\n")
            fh.write("".join(traceback.format_exception(exc)))
        os.chmod(path, 0o600)
    except OSError:
        return None
    return path


def _shortened(name: object) -> str:
    """A name too long to be read whole in a sentence: its start and end."""
    text = str(name)
    return text if len(text) <= 60 else f"{text[:28]}…{text[-28:]}"


def describe(exc: BaseException, url: str | None = None) -> str:
    """The one sentence a person sees for ``exc``, whatever it is."""
    if isinstance(exc, BizdeskError):
        return str(exc)
    known = translate(exc, url)
    if known is not None:
        return str(known)
    if isinstance(exc, OverflowError):  # a number past what a query or a date can hold
        return str(
            Message(
                "Not done: a number given is too large to be used here. Nothing was "
                "changed; check the numbers and try again."
            )
        )
    logged = log_unexpected(exc)
    if logged:
        return str(
            Message(
                "bizdesk stopped on an unexpected error ({error}). What was saved before is "
                "safe; the step under way was not finished (a change is saved whole or not "
                "at all). The details are in {log}; please send that file to whoever looks "
                "after bizdesk.",
                error=type(exc).__name__,
                log=logged,
            )
        )
    return str(
        Message(
            "bizdesk stopped on an unexpected error ({error}). What was saved before is safe; "
            "the step under way was not finished (a change is saved whole or not at all). "
            "Its details could not be written to a log.",
            error=type(exc).__name__,
        )
    )
