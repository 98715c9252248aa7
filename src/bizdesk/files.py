"""Writing files whole or not at all: under a temporary name in the same folder, synced to
disk, given their access, then renamed into place. A kill, a full disk or a dropped link
mid-write leaves the old file (or none) and a hidden temporary one, never a half-made file
under the real name."""

from __future__ import annotations

import os
import re
import secrets
import stat
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import IO

from bizdesk.characters import shown_name
from bizdesk.config import backups_dir, sqlite_path
from bizdesk.errors import PermissionDenied, ValidationError
from bizdesk.i18n import N_, Message
from bizdesk.identity import current_gate

PARTIAL = ".partial"


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def _confined_roots() -> tuple[Path, Path] | None:
    """Under the shop's gate: (the store file, its backups folder), the only places bizdesk
    writes its own files (and reads backups to restore) as the shop's account; else None."""
    gate = current_gate()
    if gate is None:
        return None
    store = sqlite_path(gate.url)
    backups = backups_dir(gate.url).resolve()
    return (store.resolve() if store is not None else backups / "-", backups)


_NO_WRITING = N_(
    "{path}: in this shop bizdesk does not write files on the server for you (it runs as "
    "the shop's account). Nothing was changed. Send it through the SSH link instead: ssh "
    "SHOP@SERVER bizdesk export KIND > FILE (or report NAME --format csv > FILE, or print "
    "KIND NUMBER -o - > FILE for a PDF)."
)
_NO_READING = N_(
    "{path}: in this shop bizdesk does not read files on the server for you (it runs as "
    "the shop's account). Nothing was changed. Send it through the SSH link instead: name "
    "the file - and pipe it in (ssh SHOP@SERVER bizdesk import KIND - < FILE)."
)


def may_write(path: Path) -> None:
    """A file a person asked for (``-o``, an export, a PDF): under the shop's gate none,
    anywhere: the shop's account can write where its users must not (its store's folder,
    its backups: a file named like a daily backup pushed the real ones out)."""
    if current_gate() is not None:
        raise PermissionDenied(Message(_NO_WRITING, path=shown_name(path)))


def may_read(path: Path) -> None:
    """A file a person named for bizdesk to read (an import, a message's body, a key):
    under the shop's gate none: the shop's account can read what its users must not (its
    store, its backups, its keys, its mail password); they pipe files in as ``-``."""
    if current_gate() is not None:
        raise PermissionDenied(Message(_NO_READING, path=shown_name(path)))


def _confine(path: Path, writing: bool) -> None:
    """Refuse, under the shop's gate, one of bizdesk's own files (a backup, its heads, the
    store put back) anywhere but the store and its backups folder; reading: a backup to
    restore, from that folder only (who may restore is the caller's to check)."""
    roots = _confined_roots()
    if roots is None:
        return
    store, backups = roots
    where = Path(os.path.abspath(path))
    real = where.parent.resolve() / where.name if writing else where.resolve()
    if _inside(real, backups) or (writing and real == store):
        return
    raise PermissionDenied(Message(_NO_WRITING if writing else _NO_READING, path=shown_name(path)))


def may_keep(path: Path) -> None:
    """bizdesk's own file at ``path`` (a backup, its heads, a store put back)."""
    _confine(path, writing=True)


def may_restore_from(path: Path) -> None:
    """A backup to restore: under the shop's gate, from its backups folder only."""
    _confine(path, writing=False)


def file_mode(folder: Path) -> int:
    """0660 in a shop's shared folder (set-group-id: new files take the shop's group), else
    0600: bizdesk never makes a file other users can read."""
    try:
        shared = bool(os.stat(folder).st_mode & stat.S_ISGID)
    except OSError:
        shared = False
    return 0o660 if shared else 0o600


def partial_name(final: Path) -> Path:
    """A hidden temporary name next to ``final``, naming the process that writes it."""
    return final.with_name(f".{final.name}.{os.getpid()}.{secrets.token_hex(4)}{PARTIAL}")


# bizdesk's own temporary names (partial_name), and what SQLite keeps beside one: the writer's
# process id is in the name, so a file left by a writer that died can be told from one being
# written now
_PARTIAL = re.compile(
    r"\..+\.(?P<pid>[0-9]+)\.[0-9a-f]{8}" + re.escape(PARTIAL) + r"(?P<companion>-[a-z]+)?"
)


def _writer_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process (a shared shop folder)
        return True
    return True


# what SQLite (and db/turns.py, and faults.record_damage) keep beside a database file
COMPANIONS = ("-wal", "-shm", "-journal", "-turns", "-damaged")


def is_sqlite_file(path: Path) -> bool:
    """Whether ``path`` is an SQLite file (a store, a backup)."""
    try:
        with path.open("rb") as fh:
            return fh.read(16) == b"SQLite format 3\x00"
    except OSError:  # not there, a folder, not readable
        return False


def store_beside(path: Path) -> Path | None:
    """The store whose companion ``path`` names (shop.db-wal: shop.db), when it is one: a
    file written there would stand in for the store's write-ahead log or its locks."""
    for suffix in COMPANIONS:
        if path.name.endswith(suffix) and len(path.name) > len(suffix):
            base = path.with_name(path.name[: -len(suffix)])
            if is_sqlite_file(base):
                return base
    return None


def _remove_with_companions(partial: Path) -> None:
    for suffix in ("", *COMPANIONS):
        with suppress(OSError):
            partial.with_name(partial.name + suffix).unlink(missing_ok=True)


def remove_stale_partials(folder: Path) -> None:
    """Remove the temporary files (with their companions) that writers which died (kill -9,
    a power cut) left in ``folder``, whatever they were writing: a backup's are named anew
    each time, so waiting for the same name again would keep them for ever. Only files
    with bizdesk's temporary names are looked at, and only those whose writer, named in
    them, is no longer running: another process writing one now (a concurrent backup)
    keeps it. (A process id taken again by a new process keeps the file until that one
    ends too: kept too long, never removed too soon.)"""
    with suppress(OSError):
        for p in folder.iterdir():
            m = _PARTIAL.fullmatch(p.name)
            if m is None or (m["companion"] or "") not in ("", *COMPANIONS):
                continue
            if not _writer_alive(int(m["pid"])):
                with suppress(OSError):
                    p.unlink(missing_ok=True)


def fsync_folder(folder: Path) -> None:
    with suppress(OSError):
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextmanager
def atomic_path(
    final: Path,
    *,
    exclusive: bool = False,
    mode: int | None = None,
    confined: bool = True,
    own: bool = False,
) -> Iterator[Path]:
    """Yield a temporary path next to ``final`` for the caller to fill (an empty file there
    already, with ``mode``: default ``file_mode`` of the folder); on success it is synced
    and renamed to ``final``.
    ``exclusive``: never replace an existing ``final`` (FileExistsError instead). On any
    error (or a kill) nothing appears at ``final``; the temporary file is removed.
    ``confined``: under the shop's gate, a file a person asked for is refused (``may_write``)
    and bizdesk's ``own`` files are kept to the store and its backups (``may_keep``);
    bizdesk's files at fixed places, such as the shop's SSH keys, pass False."""
    final = Path(final)
    if confined:
        (may_keep if own else may_write)(final)
    if (store := store_beside(final)) is not None:  # -o shop.db-wal: the store's own log
        raise ValidationError(
            {
                "path": Message(
                    "{path} belongs to the store {store}; choose another name (nothing was "
                    "written)",
                    path=str(final),
                    store=str(store),
                )
            }
        )
    remove_stale_partials(final.parent)
    tmp = partial_name(final)
    mode = file_mode(final.parent) if mode is None else mode
    try:
        # made here, empty, with the final file's access: whatever the caller writes into
        # it (SQLite, a copy, a PDF) is never readable by more people than the finished file,
        # not even while it is written or when a kill leaves it behind (SQLite gives its
        # journal the same access)
        fd = os.open(tmp, os.O_CREAT | os.O_EXCL | os.O_WRONLY | os.O_NOFOLLOW, mode)
        try:
            os.fchmod(fd, mode)  # whatever the umask
        finally:
            os.close(fd)
        yield tmp
        os.chmod(tmp, mode)
        fsync_file(tmp)
        if exclusive:
            os.link(tmp, final)  # fails if final exists: no check-then-write race
            tmp.unlink()
        else:
            os.replace(tmp, final)
        fsync_folder(final.parent)
    except OSError as exc:
        if exc.filename in (None, str(tmp)):  # a write into it (a full disk): named as the
            exc.filename = str(final)  # file asked for, not the store nor its temporary name
        raise
    finally:  # (a copy that failed half-way leaves SQLite's journal beside it too)
        _remove_with_companions(tmp)


@contextmanager
def atomic_write(
    final: Path,
    *,
    exclusive: bool = False,
    encoding: str = "utf-8",
    newline: str | None = None,
    own: bool = False,
) -> Iterator[IO[str]]:
    """A text file opened for writing, that appears at ``final`` only once written whole
    (``own``: as ``atomic_path``)."""
    with atomic_path(final, exclusive=exclusive, own=own) as tmp:
        fd = os.open(tmp, os.O_WRONLY | os.O_TRUNC | os.O_NOFOLLOW)
        with os.fdopen(fd, "w", encoding=encoding, newline=newline) as fh:
            yield fh
            fh.flush()


def _terminal_or_null(rdev: int) -> bool:
    """A character device that takes text as it comes: /dev/null, a console or serial
    terminal (majors 4 and 5: /dev/tty, /dev/console) or a pseudo-terminal (136-143)."""
    major = os.major(rdev)
    return rdev == os.makedev(1, 3) or major in (4, 5) or 136 <= major <= 143


def writes_straight(path: Path) -> bool:
    """Whether a file asked for at ``path`` is written straight into what is there (a named
    pipe, a terminal, /dev/null: what ``-o /dev/stdout`` names in a pipe or on a terminal),
    which cannot be replaced by a finished file. A regular file, a folder or nothing there:
    False. Anything else (a disk, another device, a socket) is refused: bizdesk does not
    write into it."""
    try:
        st = os.stat(path)
    except OSError:
        return False
    if stat.S_ISREG(st.st_mode) or stat.S_ISDIR(st.st_mode):
        return False
    if stat.S_ISFIFO(st.st_mode) or (stat.S_ISCHR(st.st_mode) and _terminal_or_null(st.st_rdev)):
        return True
    raise ValidationError(
        {
            "path": Message(
                "{path} is not a regular file, a pipe or a terminal; nothing was written. Name "
                "a file, or write to standard output with -o -",
                path=str(path),
            )
        }
    )


@contextmanager
def output_file(
    final: Path, *, encoding: str = "utf-8", newline: str | None = None
) -> Iterator[IO[str]]:
    """A text file a person asked for at ``final``: written whole or not at all
    (``atomic_write``), or, into a named pipe or a terminal, straight as it comes."""
    if not writes_straight(final):
        with atomic_write(final, encoding=encoding, newline=newline) as fh:
            yield fh
        return
    may_write(final)
    fd = os.open(final, os.O_WRONLY | os.O_NOCTTY)  # never made, never replaced
    with os.fdopen(fd, "w", encoding=encoding, newline=newline) as fh:
        yield fh
