"""Start and react, measured as a user has it: the real `bizdesk` in a pseudo-terminal.

    python bench/bench_react.py [--db PATH] [--runs 10] [--lang es] [--tab reports]
        [start] [tabs] [idle]

Every figure is taken from outside the app, through a real pseudo-terminal at 80x24:
  - start: from exec (the clock starts just before the process is spawned) to the Home
    figures on the terminal ("Sales this month" in what the app sent), median of --runs:
    with Home kept from the last look (the store unchanged since, or a contact written by
    another process since) and with nothing kept (as after a write of what Home counts);
    a bare Textual app (one Static) measured the same way, same run;
  - tabs: the first visit of each tab in a fresh session: from the tab's key written to
    the last byte the app sends for it (the terminal then stays quiet for QUIET s), and to
    its rows on the terminal (ROW_MARKS: a list's status line; English stores);
  - idle: Home (then Reports, or each --tab) open while a colleague (another user of the
    store) adds a contact every 2 s: the app's CPU seconds (/proc, every thread) and the
    bytes it sends, per 10 s.

The store is never written by the measurement itself, but the app makes its daily backup
beside it and may upgrade it: pass a copy (e.g. /tmp/react/large.db), not bench/out/large.db.
"""

from __future__ import annotations

import argparse
import fcntl
import os
import re
import select
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import textwrap
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
BIZDESK = [sys.executable, "-m", "bizdesk"]
ANSI = re.compile(
    rb"\x1b(\[[0-9;?<>=]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|[()][0-9A-Za-z]|[=>])"
)
HOME_MARK = b"Sales this month"
BARE_MARK = b"bare textual app"
QUIET = 0.6  # s without a byte: the screen is drawn
TAB_KEYS = {  # the key sequences terminals send for F3..F9
    "contacts": b"\x1bOR",
    "deals": b"\x1bOS",
    "tickets": b"\x1b[15~",
    "stock": b"\x1b[17~",
    "purchases": b"\x1b[18~",
    "journal": b"\x1b[19~",
    "reports": b"\x1b[20~",
}
# What shows a tab's rows are on the terminal: a list's status line (drawn with its rows),
# the board's column titles ("9 · 54,176.30"), a report's title; English stores
LIST_STATUS = (b"more below", b"all shown", b"nothing to show", b"more above")
ROW_MARKS = {
    "contacts": LIST_STATUS,
    "tickets": LIST_STATUS,
    "stock": LIST_STATUS,
    "purchases": LIST_STATUS,
    "journal": LIST_STATUS,
    "deals": ("\N{MIDDLE DOT}".encode(),),
    "reports": (b" rows",),  # "Trial balance · 21 of 21 rows", over the rows
}
BARE_APP = textwrap.dedent(
    """
    from textual.app import App
    from textual.widgets import Static

    class Bare(App):
        def compose(self):
            yield Static("bare textual app")

    Bare().run()
    """
)


def uptime() -> str:
    return Path("/proc/loadavg").read_text().split(" ", 3)[:3].__str__()


class Term:
    """A process on the slave side of a pseudo-terminal of 80x24; we read the master."""

    def __init__(self, argv: list[str], **more_env: str) -> None:
        self.master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env.update(TERM="xterm-256color", COLUMNS="80", LINES="24", **more_env)
        self.t0 = time.perf_counter()
        self.proc = subprocess.Popen(
            argv,
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=env,
            start_new_session=True,
            cwd="/tmp",
        )
        os.close(slave)
        self.out = bytearray()
        self.text = bytearray()  # what was sent, without the escape sequences
        self.last_byte = self.t0

    def read(self, timeout: float) -> int:
        ready, _, _ = select.select([self.master], [], [], timeout)
        if not ready:
            return 0
        try:
            data = os.read(self.master, 65536)
        except OSError:
            return 0
        self.last_byte = time.perf_counter()
        self.out += data
        self.text = bytearray(ANSI.sub(b"", bytes(self.out)))
        return len(data)

    def wait_for(self, mark: bytes, deadline: float = 60) -> float:
        """Seconds from spawn until ``mark`` was in what the app sent."""
        end = time.perf_counter() + deadline
        while mark not in self.text:
            if time.perf_counter() > end:
                raise TimeoutError(f"{mark!r} not shown; got {bytes(self.text[-400:])!r}")
            self.read(0.05)
        return self.last_byte - self.t0

    def settle(self, quiet: float = QUIET, deadline: float = 60) -> float:
        """Read until nothing came for ``quiet`` s; the time of the last byte."""
        end = time.perf_counter() + deadline
        while time.perf_counter() < end:
            if not self.read(quiet):
                return self.last_byte
        raise TimeoutError("the app never went quiet")

    def send(self, data: bytes) -> float:
        t = time.perf_counter()
        os.write(self.master, data)
        return t

    def cpu_seconds(self) -> float:
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def quiet_cpu(self, window: float = 2.0, most: float = 0.1, deadline: float = 300) -> None:
        """Wait until the app used less than ``most`` CPU s in ``window`` s (reading all
        it sends meanwhile)."""
        end = time.perf_counter() + deadline
        while time.perf_counter() < end:
            cpu, stop = self.cpu_seconds(), time.perf_counter() + window
            while time.perf_counter() < stop:
                self.read(stop - time.perf_counter())
            if self.cpu_seconds() - cpu < most:
                return
        raise TimeoutError("the app never went idle")

    def kill(self) -> None:
        """End it at once (the start bench: nothing is being written then; the daily
        backup's check of the store, a read, need not be waited for)."""
        self.proc.kill()
        self.proc.wait()
        os.close(self.master)

    def close(self) -> None:
        try:
            os.write(self.master, b"\x11")  # ctrl+q
            self.proc.wait(timeout=20)
        except (OSError, subprocess.TimeoutExpired):
            self.proc.kill()
            self.proc.wait()
        finally:
            try:
                while self.read(0.05):
                    pass
            finally:
                os.close(self.master)


def bench_start(db: str, runs: int) -> None:
    """Three starts of bizdesk: with Home as last seen kept (nothing written to the store
    since the last look: services/overview/glance.py); kept, and a colleague's new lead
    written since (a contact and its follow-ups for the colleague: none of Home's figures
    for this person); and with nothing kept (as
    after anyone's write of what Home counts: a cache folder of its own, empty, for each
    run); and the bare app."""
    kept, contact, fresh, bare = [], [], [], []
    add = ["users", "add", COLLEAGUE, "--role", "sales", "--db", db]  # (refused if there)
    subprocess.run(BIZDESK + add, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    # once: the daily backup, any upgrade, the page cache; and Home kept (the store opened
    # and read behind the figures first shown: the app idle), after the colleague's
    # account is made (a new user is a change of what Home is read for)
    t = Term(BIZDESK + ["--db", db])
    t.wait_for(HOME_MARK)
    t.quiet_cpu(window=1.0)
    t.close()
    with tempfile.TemporaryDirectory() as empty:
        for i in range(runs):  # alternate, so all see the same load
            t = Term([sys.executable, "-c", BARE_APP])
            bare.append(t.wait_for(BARE_MARK))
            t.close()
            t = Term(BIZDESK + ["--db", db])
            kept.append(t.wait_for(HOME_MARK))
            t.kill()
            colleague = [sys.executable, "-c", WRITER, db, "1", COLLEAGUE]
            subprocess.run(colleague, check=True, stdout=subprocess.DEVNULL)
            t = Term(BIZDESK + ["--db", db])
            contact.append(t.wait_for(HOME_MARK))
            t.kill()
            t = Term(BIZDESK + ["--db", db], XDG_CACHE_HOME=f"{empty}/{i}")
            fresh.append(t.wait_for(HOME_MARK))
            t.kill()
    b = statistics.median(bare)
    print(f"load {uptime()}")
    for what, times in (
        ("Home kept, nothing written since", kept),
        ("Home kept, a colleague's new lead since", contact),
        ("nothing kept", fresh),
    ):
        a = statistics.median(times)
        print(
            f"start from exec to the Home figures, {what}: median {a * 1000:.0f} ms "
            f"(min {min(times) * 1000:.0f}, max {max(times) * 1000:.0f}, n={runs}) "
            f"{'ok' if a <= 0.5 else 'MISSED'} (target 500 ms); ratio to the bare app "
            f"{a / b:.2f} {'ok' if a <= 2 * b else 'MISSED'} (target <= 2)"
        )
    print(
        f"bare Textual app, same harness: median {b * 1000:.0f} ms "
        f"(min {min(bare) * 1000:.0f}, max {max(bare) * 1000:.0f})"
    )


def bench_tabs(db: str, runs: int, only: list[str] | None = None) -> None:
    print(f"load {uptime()}")
    for tab, key in TAB_KEYS.items():
        if only and tab not in only:
            continue
        times, rows = [], []
        for _ in range(runs):
            t = Term(BIZDESK + ["--db", db])
            t.wait_for(HOME_MARK)
            t.settle()
            t.quiet_cpu()  # the tabs built ahead, the backup looked at: a settled session
            start = len(t.out)
            sent = t.send(key)
            marks = ROW_MARKS.get(tab, ())
            seen = None
            end = time.perf_counter() + 60
            while time.perf_counter() < end:
                if not t.read(QUIET):
                    break
                if seen is None and any(m in ANSI.sub(b"", bytes(t.out[start:])) for m in marks):
                    seen = t.last_byte - sent
            times.append(t.last_byte - sent)
            if seen is not None:
                rows.append(seen)
            t.kill()
        med = statistics.median(times) * 1000
        to_rows = (
            f"; key to rows: median {statistics.median(rows) * 1000:6.1f} ms "
            f"{'ok' if statistics.median(rows) <= 0.1 else 'MISSED'}"
            if len(rows) == runs
            else ""
        )
        print(
            f"first visit of {tab:<10} key to last byte: median {med:6.1f} ms "
            f"(max {max(times) * 1000:6.1f}, n={runs}){to_rows}"
        )


COLLEAGUE = "bench-colleague"  # a user of the store with the sales role (bench_start)
WRITER = textwrap.dedent(
    """
    import sys, time
    from bizdesk.db import open_store
    from bizdesk.services.crm import contacts as C
    # the store; how many contacts (default: one every 2 s, without end); as whom
    store = open_store(sys.argv[1], user=sys.argv[3] if len(sys.argv) > 3 else None, create=False)
    for i in range(1, int(sys.argv[2]) + 1 if len(sys.argv) > 2 else 1 << 62):
        if i > 1:
            time.sleep(2)
        with store.write() as uow:
            C.create(uow, C.ContactInput(name=f"Idle bench {time.time_ns()}"))
        print(i, flush=True)
    """
)


def bench_idle(db: str, windows: int = 3, only: list[str] | None = None) -> None:
    """Home, then each tab in ``only`` (default: reports) open while a colleague (the user
    COLLEAGUE, role sales) writes a contact every 2 s (contacts: the list shows a page the
    new contacts are not on). The colleague's, not this person's: a lead of one's own
    starts follow-ups due today for oneself, which Home shows, rightly, every 2 s."""
    print(f"load {uptime()}")
    add = ["users", "add", COLLEAGUE, "--role", "sales", "--db", db]  # (refused if there)
    subprocess.run(BIZDESK + add, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for tab, key in (("home", None), *((t, TAB_KEYS[t]) for t in only or ["reports"])):
        t = Term(BIZDESK + ["--db", db])
        t.wait_for(HOME_MARK)
        t.settle()
        if key:
            t.send(key)
            t.settle(2.5)
        t.quiet_cpu()  # the start's daily backup (or its check of the store) is over
        writer = [sys.executable, "-c", WRITER, db, str(1 << 62), COLLEAGUE]
        writer = subprocess.Popen(writer, stdout=subprocess.PIPE)
        writer.stdout.readline()  # its first contact is written
        t.settle(2.5)  # the first poll after it came and went
        for _ in range(windows):
            cpu, sent = t.cpu_seconds(), len(t.out)
            end = time.perf_counter() + 10
            while time.perf_counter() < end:
                t.read(end - time.perf_counter())
            cpu = t.cpu_seconds() - cpu
            print(
                f"idle with {tab:<8} open, a contact written every 2 s: "
                f"{cpu * 1000:5.0f} ms CPU, {len(t.out) - sent:6d} bytes per 10 s "
                f"{'ok' if round(cpu * 1000) <= 50 and len(t.out) == sent else 'MISSED'}"
            )
        writer.kill()
        writer.wait()
        t.close()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default="/tmp/react/large.db")
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--lang", help="the person's language (LANGUAGE), e.g. es or vi")
    parser.add_argument(
        "--tab", action="append", choices=TAB_KEYS, help="tabs, idle: only these tabs"
    )
    parser.add_argument("what", nargs="*", default=["start", "tabs", "idle"])
    args = parser.parse_args()
    if args.lang:  # the app in that language: Home's first figure is named in it
        global HOME_MARK
        from bizdesk import i18n

        i18n.use(args.lang)
        HOME_MARK = i18n._("Sales this month").encode()
        os.environ["LANGUAGE"] = args.lang
    if Path(args.db).resolve() == (HERE / "out" / "large.db").resolve():
        sys.exit("pass a copy of the large store: the app writes its daily backup beside it")
    for what in args.what:
        if what == "tabs":
            bench_tabs(args.db, args.runs, args.tab)
        elif what == "idle":
            bench_idle(args.db, only=args.tab)
        else:
            bench_start(args.db, args.runs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
