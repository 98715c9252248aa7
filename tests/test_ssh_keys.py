"""Staff keys of the enforced shared set-up (services/admin/ssh_keys.py) and what the gate lets a
process touch (bizdesk.files.may_write / may_read), without root: the whole set-up with
real users and sshd is tests/test_gate.py."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bizdesk.errors import ValidationError
from bizdesk.services.admin import ssh_keys

ED = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMx8n2l0bYb5n1W8dV3fX9m9m2l0bYb5n1W8dV3fX9m9 ann@laptop"
PROGRAM = ("/opt/bizdesk/bin/python", "-I", "-m", "bizdesk")


@pytest.mark.parametrize(
    "text, words",
    [
        ("", "exactly one"),
        (ED + "\n" + ED, "exactly one"),
        ("-----BEGIN OPENSSH PRIVATE KEY-----\nb3Blbn\n-----END OPENSSH PRIVATE KEY-----", "one"),
        ('command="sh" ' + ED, "not an SSH public key"),
        ("ssh-ed25519 not-base64!", "not a valid ssh-ed25519 key"),
        ("ssh-rsa " + ED.split()[1], "not a valid ssh-rsa key"),  # an ed25519 body as rsa
    ],
)
def test_only_one_public_key_line_is_taken(text: str, words: str) -> None:
    with pytest.raises(ValidationError) as exc:
        ssh_keys.read_public_key(text)
    assert words in exc.value.fields["key"]


def test_a_key_line_forces_the_gate_and_names_one_person(tmp_path: Path) -> None:
    keys = tmp_path / ".ssh" / "authorized_keys"
    ssh_keys.register(keys, PROGRAM, "sqlite:////srv/shop/shop.db", "ann", ED)
    line = keys.read_text().strip()
    assert line.startswith('restrict,pty,command="/opt/bizdesk/bin/python -I -m bizdesk gate ')
    assert "--db sqlite:////srv/shop/shop.db --user ann" in line and line.endswith(" bizdesk:ann")
    assert oct(keys.stat().st_mode & 0o777) == "0o600"
    assert oct(keys.parent.stat().st_mode & 0o777) == "0o700"
    with pytest.raises(ValidationError, match="already lets in ann"):
        ssh_keys.register(keys, PROGRAM, "sqlite:////srv/shop/shop.db", "ben", ED)
    assert ssh_keys.users_of(keys) == {"ann": 1}
    assert ssh_keys.forget(keys, "ben") == 0 and ssh_keys.forget(keys, "ann") == 1
    assert keys.read_text() == ""


def test_a_path_with_a_quote_is_never_written_into_a_key_line(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="cannot be written into a key line"):
        ssh_keys.register(tmp_path / "k", PROGRAM, 'sqlite:////srv/a"b/shop.db', "ann", ED)


CONFINED = """
import sys
from pathlib import Path
from bizdesk.identity import Gate, enter_gate, os_username
from bizdesk.errors import PermissionDenied
from bizdesk.files import atomic_write, may_read, may_restore_from
base = Path(sys.argv[1])
enter_gate(Gate("ann", "sqlite:///" + str(base / "shop.db"), base / "keys", ()))
assert os_username() == "ann"
for path in (base / "x.csv", base / "sub" / ".." / "y.csv", Path("/tmp/z.csv")):
    try:
        with atomic_write(path) as fh:
            fh.write("x")
        print("WROTE", path)
    except PermissionDenied as exc:
        assert "does not write files on the server" in str(exc), exc
for path in (base / "shop.db", Path("/etc/passwd"), base / "backups" / ".." / "shop.db"):
    try:
        may_read(path)
        print("READ", path)
    except PermissionDenied:
        pass
(base / "backups").mkdir()
for path in (base / "backups" / "b.heads", base / "backups" / "x-20990101-daily.db"):
    try:  # what a person asks for: not even among the backups
        with atomic_write(path) as fh:
            fh.write("x")
        print("WROTE", path)
    except PermissionDenied:
        pass
    try:
        may_read(path)
        print("READ", path)
    except PermissionDenied:
        pass
with atomic_write(base / "backups" / "b.heads", own=True) as fh:  # bizdesk's own
    fh.write("ok")
may_restore_from(base / "backups" / "b.db")
try:
    enter_gate(Gate("ben", "sqlite:///x", base, ()))
except RuntimeError:
    print("ONCE")
"""


def test_under_the_gate_files_stay_in_the_store_and_its_backups(tmp_path: Path) -> None:
    r = subprocess.run(
        [sys.executable, "-c", CONFINED, str(tmp_path)], capture_output=True, text=True
    )
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == ["ONCE"]  # nothing written or read where it must not be
    assert (tmp_path / "backups" / "b.heads").read_text() == "ok"
