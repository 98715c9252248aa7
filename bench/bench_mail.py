"""Benchmark sending a campaign through a real SMTP server on loopback (issue 15):

    python bench/bench_mail.py [--recipients 1000] [--db PATH]

Builds a fresh store (default /tmp/bench-mail/mail.db; replaced) with that many consenting
contacts in one segment and one campaign, starts aiosmtpd on 127.0.0.1, and times
``bizdesk campaigns send`` as a whole process, the way the shop owner waits for it: wall
seconds, messages per second, and how many SMTP connections the server saw. Needs the test
extras (aiosmtpd). Figures: bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import time
from pathlib import Path

from aiosmtpd.controller import Controller

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests.mail_server import Inbox, free_port  # noqa: E402


def bizdesk(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [sys.executable, "-m", "bizdesk", *args], input=stdin, capture_output=True, text=True
    )
    if done.returncode != 0:
        raise SystemExit(f"bizdesk {' '.join(args)} failed: {done.stderr}")
    return done


def prepare(db: str, n: int) -> None:
    rows = "\n".join(f"Person {i:05d},p{i:05d}@example.com,Madrid" for i in range(n))
    bizdesk("init", "--company", "Bench Mail", "--db", db)
    bizdesk("import", "contacts", "-", "--db", db, stdin="name,email,city\n" + rows + "\n")
    subprocess.run([sys.executable, "-c", CONSENT, db, str(n)], check=True)
    bizdesk("segments", "add", "Madrid", "--city", "Madrid", "--db", db)
    bizdesk("campaigns", "add", "Spring", "--segment", "Madrid", "--subject", "Spring, {name}",
            "--body", "Hello {first_name}, see you in {city}.", "--db", db)  # fmt: skip


CONSENT = """
import sys
from bizdesk.db import open_store
from bizdesk.services.marketing import consent
store = open_store(sys.argv[1])
with store.write() as uow:  # each imported contact (ids 1..n) opted in
    for cid in range(1, int(sys.argv[2]) + 1):
        consent.set_consent(uow, cid, "in", "import")
"""


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--recipients", type=int, default=1000)
    ap.add_argument("--db", default="/tmp/bench-mail/mail.db")
    a = ap.parse_args()
    db = Path(a.db)
    shutil.rmtree(db.parent, ignore_errors=True)
    db.parent.mkdir(parents=True)
    prepare(str(db), a.recipients)
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        bizdesk("mail", "settings", "--host", "127.0.0.1", "--port", str(port), "--security",
                "none", "--from", "shop@example.com", "--db", str(db))  # fmt: skip
        t0 = time.perf_counter()
        done = bizdesk("campaigns", "send", "Spring", "--db", str(db))
        wall = time.perf_counter() - t0
    finally:
        controller.stop()
    got = len(inbox.messages)
    connections = len({id(s) for s in inbox.connections})
    print(done.stdout.strip())
    print(
        f"{got} messages in {wall:.2f} s from exec: {got / wall:.0f} messages/s, "
        f"{connections} SMTP connection(s)"
    )
    return 0 if got == a.recipients else 1


if __name__ == "__main__":
    raise SystemExit(main())
