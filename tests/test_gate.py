"""The enforced shared set-up, with real Unix users and a real sshd (README: "A shop whose
staff are not all equally trusted"). As root (as in CI) the test makes a shop account, an
owner, a sales user and an outsider, starts sshd on loopback and does what they would do:
the owner and the sales user work through the interface (on a pseudo-terminal) and the
command line, the sales user tries every way around the role, the outsider tries to get in.

Other users must be able to run Python: the test builds a world-readable copy of this
installation on the system's Python of the same version (the one running the tests may live
under /root). Without root, sshd or such a Python the test is skipped, saying why.
"""

from __future__ import annotations

import json
import os
import pwd
import re
import secrets
import shutil
import socket
import subprocess
import sys
import sysconfig
import tempfile
import time
from pathlib import Path

import pytest

from tests.test_ssh import Terminal, screen_text

ROOT = os.geteuid() == 0
SSHD = shutil.which("sshd") or "/usr/sbin/sshd"
SYSTEM_PYTHON = f"/usr/bin/python{sys.version_info.major}.{sys.version_info.minor}"
SRC = Path(__file__).resolve().parents[1] / "src" / "bizdesk"
DATA = Path(__file__).resolve().parents[1] / "data"


def _skip_reason() -> str | None:
    if not ROOT:
        return "making Unix users and starting sshd needs root (CI runs as root)"
    if not os.path.exists(SSHD):
        return "sshd is not installed (.ci/run installs openssh-server)"
    if not os.path.exists(SYSTEM_PYTHON):
        return f"{SYSTEM_PYTHON} (a Python other users may run) is not installed"
    for tool in ("useradd", "userdel", "ssh", "ssh-keygen", "runuser"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed"
    return None


pytestmark = [
    pytest.mark.usefixtures("sqlite_only"),
    pytest.mark.skipif(_skip_reason() is not None, reason=str(_skip_reason())),
]


def run(*args: str, check: bool = True, **kw) -> subprocess.CompletedProcess:  # noqa: ANN003
    r = subprocess.run(args, capture_output=True, text=True, timeout=120, **kw)
    if check and r.returncode != 0:
        raise AssertionError(f"{args}: {r.returncode}\n{r.stdout}\n{r.stderr}")
    return r


def _install(where: Path) -> str:
    """A venv on the system's Python holding a copy of what runs here; its python."""
    run(SYSTEM_PYTHON, "-m", "venv", "--without-pip", str(where))
    site = Path(sysconfig.get_paths()["purelib"])
    target = where / "lib" / f"python{sys.version_info.major}.{sys.version_info.minor}"
    target = target / "site-packages"
    for item in site.iterdir():
        if item.name == "bizdesk" or item.name.startswith(("__editable__", "_bizdesk")):
            continue
        if item.name.endswith(".pth") and "bizdesk" in item.name:
            continue
        dest = target / item.name
        if item.is_dir():
            shutil.copytree(item, dest, symlinks=True, dirs_exist_ok=True)
        else:
            shutil.copy2(item, dest)
    shutil.copytree(SRC, target / "bizdesk", ignore=shutil.ignore_patterns("__pycache__"))
    if DATA.is_dir() and not (target / "bizdesk" / "data").exists():
        shutil.copytree(DATA, target / "bizdesk" / "data")
    run("chmod", "-R", "a+rX", str(where))
    return str(where / "bin" / "python")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Shop:
    """Accounts, keys and sshd; removed again afterwards."""

    def __init__(self, base: Path) -> None:
        self.base = base
        tag = secrets.token_hex(3)
        self.account = f"bzshop{tag}"
        self.owner, self.sales, self.outsider = f"bzann{tag}", f"bzsam{tag}", f"bzola{tag}"
        self.users: list[str] = []
        self.sshd: subprocess.Popen | None = None
        self.made_run_sshd = False
        self.port = _free_port()

    # --- set-up -------------------------------------------------------------------------
    def add_user(self, name: str, home: Path, *, system: bool = False) -> None:
        args = ["useradd", "--create-home", "--home-dir", str(home), "--shell", "/bin/sh"]
        if system:
            args.append("--system")
        run(*args, name)
        self.users.append(name)
        run("usermod", "-p", "*", name)  # no password, but not locked (sshd refuses those)

    def keygen(self, name: str) -> Path:
        home = Path(pwd.getpwnam(name).pw_dir)
        key = home / "id_ed25519"
        run(
            "runuser",
            "-u",
            name,
            "--",
            "ssh-keygen",
            "-q",
            "-t",
            "ed25519",
            "-N",
            "",
            "-f",
            str(key),
        )
        return key

    def start_sshd(self) -> None:
        conf = self.base / "sshd"
        conf.mkdir(mode=0o700)
        run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(conf / "host_key"))
        (conf / "sshd_config").write_text(
            f"Port {self.port}\nListenAddress 127.0.0.1\nHostKey {conf / 'host_key'}\n"
            f"PidFile {conf / 'sshd.pid'}\nAuthorizedKeysFile .ssh/authorized_keys\n"
            "PasswordAuthentication no\nKbdInteractiveAuthentication no\nUsePAM no\n"
            "PermitRootLogin no\nStrictModes yes\nAcceptEnv LANG LC_*\n"
            "Subsystem sftp internal-sftp\nLogLevel VERBOSE\n"
        )
        if not Path("/run/sshd").exists():
            os.makedirs("/run/sshd", mode=0o755)
            self.made_run_sshd = True
        self.sshd = subprocess.Popen(
            [SSHD, "-D", "-e", "-f", str(conf / "sshd_config")],
            stdout=subprocess.DEVNULL,
            stderr=open(conf / "log", "wb"),  # noqa: SIM115
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            if self.sshd.poll() is not None:
                break
            time.sleep(0.05)  # polling for the port, not waiting on a fixed time
        raise AssertionError("sshd did not start: " + (conf / "log").read_text())

    def close(self) -> None:
        if self.sshd is not None:
            self.sshd.terminate()
            self.sshd.wait(timeout=30)
        for name in self.users:
            # a killed process takes a moment to go; userdel refuses a user still running one
            deadline = time.monotonic() + 10
            while True:
                subprocess.run(["pkill", "-KILL", "-u", name], capture_output=True)
                gone = subprocess.run(["userdel", "--remove", name], capture_output=True)
                if gone.returncode != 8 or time.monotonic() > deadline:  # 8: user logged in
                    break
                time.sleep(0.1)  # polling for the processes to end
        if self.made_run_sshd:
            shutil.rmtree("/run/sshd", ignore_errors=True)

    # --- use ----------------------------------------------------------------------------
    def ssh_args(self, who: str, key: Path | None = None) -> list[str]:
        key = key or Path(pwd.getpwnam(who).pw_dir) / "id_ed25519"
        return [
            "runuser", "-u", who, "--", "ssh", "-i", str(key), "-p", str(self.port),
            "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
            "-o", "BatchMode=yes", "-o", "LogLevel=ERROR", "-o", "IdentitiesOnly=yes",
        ]  # fmt: skip

    def ssh(self, who: str, command: str, stdin: str | None = None) -> subprocess.CompletedProcess:
        return subprocess.run(
            [*self.ssh_args(who), f"{self.account}@127.0.0.1", command],
            capture_output=True,
            text=True,
            input=stdin,
            timeout=120,
        )

    def as_user(self, who: str, *command: str) -> subprocess.CompletedProcess:
        return run("runuser", "-u", who, "--", *command, check=False)


@pytest.fixture(scope="module")
def shop():  # noqa: ANN201
    # pytest's own temporary folder is root's (0700): other users need a way to their homes
    base = Path(tempfile.mkdtemp(prefix="bizdesk-gate-"))
    os.chmod(base, 0o755)  # the homes below it are each their owner's
    s = Shop(base)
    try:
        python = _install(base / "venv")
        s.add_user(s.account, base / "shop", system=True)
        for name in (s.owner, s.sales, s.outsider):
            s.add_user(name, base / name)
            s.keygen(name)
        owner_pub = Path(pwd.getpwnam(s.owner).pw_dir) / "id_ed25519.pub"
        s.store = Path(pwd.getpwnam(s.account).pw_dir) / "shop.db"
        r = run(
            "runuser", "-u", s.account, "--", python, "-I", "-m", "bizdesk", "gate", "init",
            "--db", str(s.store), "--owner", s.owner, "--key", str(owner_pub),
            "--company", "Gated Bikes",
        )  # fmt: skip
        assert "Gated Bikes" in r.stdout
        s.start_sshd()
        yield s
    finally:
        s.close()
        shutil.rmtree(base, ignore_errors=True)


def _pub(shop: Shop, who: str) -> str:
    return (Path(pwd.getpwnam(who).pw_dir) / "id_ed25519.pub").read_text()


def test_the_owner_lets_sales_in_and_both_use_the_command_line(shop: Shop) -> None:
    r = shop.ssh(
        shop.owner, f"bizdesk users add {shop.sales} --role sales --key -", _pub(shop, shop.sales)
    )
    assert r.returncode == 0, r.stderr
    assert f"Added {shop.sales} as sales with their key" in r.stdout
    # the owner posts through the command line, as a script would
    journal = "entry,date,account,debit,credit,memo\nE1,2026-11-02,1010,250.00,,capital\n"
    journal += "E1,2026-11-02,3000,,250.00,capital\n"
    r = shop.ssh(shop.owner, "bizdesk import journal -", journal)
    assert r.returncode == 0, r.stderr
    r = shop.ssh(shop.owner, "bizdesk report trial-balance --format json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["rows"]
    # the audit trail names the person, not the shop's account
    r = shop.ssh(shop.owner, "bizdesk audit --format json")
    assert r.returncode == 0, r.stderr
    assert {e["user"] for e in json.loads(r.stdout)} == {shop.owner}
    # the sales user works within the role
    r = shop.ssh(shop.sales, "bizdesk import contacts -", "name,email\nAnn Rider,ann@example.com\n")
    assert r.returncode == 0, r.stderr
    r = shop.ssh(shop.sales, "bizdesk report pipeline --format json")
    assert r.returncode == 0 and "rows" in json.loads(r.stdout), r.stderr


def test_the_sales_user_cannot_go_around_the_role(shop: Shop) -> None:
    _sales_in(shop)
    store = str(shop.store)
    # the files: not the store, its -wal/-shm, its backups, nor any tool on them
    for path in (store, store + "-wal", store + "-shm", str(shop.store.parent / "backups")):
        r = shop.as_user(shop.sales, "cat", path)
        assert r.returncode != 0 and ("Permission denied" in r.stderr or "No such" in r.stderr)
    r = shop.as_user(
        shop.sales,
        SYSTEM_PYTHON,
        "-c",
        f"import sqlite3; sqlite3.connect({store!r}).execute('select 1')",
    )
    assert r.returncode != 0 and "unable to open" in r.stderr
    # through the account: roles, the journal, other people, other programs, other stores
    refusals = {
        f"bizdesk users set-role {shop.sales} owner": "not allowed for your role (sales)",
        "bizdesk import journal -": "not allowed for your role (sales)",
        "bizdesk export journal": "not allowed for your role (sales)",
        "bizdesk report general-ledger": "not allowed for your role (sales)",
        f"bizdesk gate serve --db {store} --user {shop.owner}": "not available",
        f"bizdesk --db {store} report trial-balance": "options go after the command",
        f"bizdesk report stock-valuation --db {store}x": "opens its own store only",
        f"bizdesk import contacts {store}": "does not read files on the server",
        f"bizdesk export contacts -o {shop.store.parent}/stolen.csv": "does not write files",
        f"bizdesk backup {shop.store.parent}/copy.db": "not allowed for your role",
        "bizdesk migrate-to postgresql+psycopg:///mine": "not available",
        f"sqlite3 {store} .dump": "No such command",
        f"cat {store}": "No such command",
        "sh -c id": "No such command",
        "bizdesk report trial-balance; cat /etc/shadow": "",
    }
    journal = (
        "entry,date,account,debit,credit\nE1,2026-11-03,1010,1.00,\nE1,2026-11-03,3000,,1.00\n"
    )
    for command, words in refusals.items():
        r = shop.ssh(shop.sales, command, journal if "import journal" in command else None)
        assert r.returncode != 0, (command, r.stdout)
        assert words in r.stderr, (command, r.stderr)
        assert "Traceback" not in r.stderr and "root:" not in r.stdout, (command, r.stderr)
    assert not (shop.store.parent / "stolen.csv").exists()
    # scp and sftp reach only the gate, which runs no such thing
    dest = Path(pwd.getpwnam(shop.sales).pw_dir) / "copy.db"
    scp = [a if a != "ssh" else "scp" for a in shop.ssh_args(shop.sales)]
    scp[scp.index("-p")] = "-P"
    r = subprocess.run(
        [*scp, f"{shop.account}@127.0.0.1:{store}", str(dest)], capture_output=True, timeout=60
    )
    assert r.returncode != 0 and not dest.exists()
    # no forwarding to anything on the server (restrict): a tunnel to sshd itself is refused
    r = subprocess.run(
        [*shop.ssh_args(shop.sales), "-W", f"127.0.0.1:{shop.port}", f"{shop.account}@127.0.0.1"],
        capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    assert r.returncode != 0
    # nothing of the refused changed the books: the sales user's attempts are not there
    assert _roles(shop) == {shop.owner: "owner", shop.sales: "sales"}


def test_an_outsider_gets_nothing(shop: Shop) -> None:
    r = shop.ssh(shop.outsider, "bizdesk report trial-balance")
    assert r.returncode == 255 and "Permission denied" in r.stderr
    r = shop.as_user(shop.outsider, "cat", str(shop.store))
    assert r.returncode != 0 and "Permission denied" in r.stderr
    r = shop.as_user(shop.outsider, "ls", str(shop.store.parent))
    assert r.returncode != 0


def _roles(shop: Shop) -> dict[str, str]:
    r = shop.ssh(shop.owner, "bizdesk users list")
    assert r.returncode == 0, r.stderr
    found = {}
    for line in r.stdout.splitlines():
        words = re.findall(r"[\w.-]+", line)
        if words and words[0] in (shop.owner, shop.sales):
            found[words[0]] = next(w for w in words if w in ("owner", "sales", "viewer"))
    return found


def _sales_in(shop: Shop) -> None:
    if shop.sales not in _roles(shop):
        r = shop.ssh(
            shop.owner,
            f"bizdesk users add {shop.sales} --role sales --key -",
            _pub(shop, shop.sales),
        )
        assert r.returncode == 0, r.stderr


def test_owner_and_sales_use_the_interface_through_ssh(shop: Shop) -> None:
    _sales_in(shop)
    journal_tab = "\x1b[19~"  # F8
    for who, journal in ((shop.owner, r"Entry\s+Date\s+Memo"), (shop.sales, "not allowed")):
        args = [*shop.ssh_args(who), "-tt", f"{shop.account}@127.0.0.1"]
        term = Terminal.running(args, {**os.environ, "TERM": "xterm-256color"})
        try:
            term.expect("Gated Bikes")
            term.settle()  # the whole first screen
            # the journal: its entries for the owner, a refusal for the sales user
            term.type(journal_tab, journal)
            if who == shop.owner:  # a report's CSV: no file on the server, said at once
                term.type("\x1b[20~", "Write CSV")  # F9
                term.settle()
                term.type("x", "does not write")
            os.write(term.master, b"\x11")  # ctrl+q
            assert term.finish() == 0, screen_text(term.output)[-2000:]
        finally:
            term.close()


def test_disable_shuts_the_user_out_at_once(shop: Shop) -> None:
    _sales_in(shop)
    r = shop.ssh(shop.owner, f"bizdesk users disable {shop.sales}")
    assert r.returncode == 0, r.stderr
    r = shop.ssh(shop.sales, "bizdesk report pipeline")
    assert r.returncode == 255 and "Permission denied" in r.stderr  # sshd: the key is gone
    r = shop.ssh(shop.owner, f"bizdesk users set-role {shop.sales} sales")
    assert r.returncode == 0, r.stderr
    r = shop.ssh(shop.owner, f"bizdesk users key {shop.sales} -", _pub(shop, shop.sales))
    assert r.returncode == 0, r.stderr
    assert shop.ssh(shop.sales, "bizdesk report pipeline").returncode == 0


def test_a_damaged_store_is_restored_by_an_owner_only(shop: Shop) -> None:
    """Last in this file: it damages the shop's store (and puts it right)."""
    _sales_in(shop)
    r = shop.ssh(shop.owner, "bizdesk backup")
    assert r.returncode == 0, r.stderr
    backup = r.stdout.strip().removeprefix("Backup written to ")
    data = shop.store.read_bytes()
    shop.store.write_bytes(data[: len(data) // 3])  # cut short, as by a failing disk
    r = shop.ssh(shop.sales, f"bizdesk restore {backup}")
    assert r.returncode == 1 and "for its owners" in r.stderr, r.stderr
    r = shop.ssh(shop.owner, f"bizdesk restore {backup}")
    assert r.returncode == 0 and "damaged file was moved to" in r.stdout, r.stderr
    assert shop.ssh(shop.owner, "bizdesk check").returncode == 0
