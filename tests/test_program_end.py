"""How the `bizdesk` program ends (bizdesk.start.end): as Python would after sys.exit, less
the freeing of every object (which deleted a store's log and index, see
tests/test_ssh.py::test_quitting_leaves_the_store_readable_on_a_full_disk)."""

from __future__ import annotations

import os
import subprocess
import sys

# the output buffered, as a program writing into a pipe has it (not line by line)
BUFFERED = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}


def _end(code: str, before: str = "") -> subprocess.CompletedProcess:
    program = (
        "import atexit, sys, threading, time\n"
        "from bizdesk.start import end\n"
        f"{before}\n"
        "print('all of the output', end='')\n"  # still buffered: a pipe
        f"end({code})\n"
        "print('never')\n"
    )
    return subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, timeout=60, env=BUFFERED
    )


def test_the_exit_status_and_the_output_are_as_python_gives_them():
    for code, status in (("None", 0), ("0", 0), ("3", 3)):
        r = _end(code)
        assert (r.returncode, r.stdout, r.stderr) == (status, "all of the output", "")
    r = _end("'Not done: a sentence.'")
    assert (r.returncode, r.stderr) == (1, "Not done: a sentence.\n")


def test_threads_still_working_finish_and_exit_handlers_run():
    r = _end(
        "0",
        "atexit.register(lambda: print(' handler', end=''))\n"
        "def late():\n"
        "    time.sleep(0.3)\n"
        "    print(' thread', end='', flush=True)\n"
        "threading.Thread(target=late).start()",
    )
    assert r.returncode == 0
    assert r.stdout == "all of the output thread handler"


def test_a_reader_gone_away_leaves_the_exit_status_as_it_was():
    """The output still buffered as the program ends, and whoever read it gone (| true):
    the status is the program's own (bizdesk.streams says why), never a message."""
    program = "import time; from bizdesk.start import end; print('x'); time.sleep(0.5); end(0)"
    r = subprocess.run(
        [
            "/bin/bash",
            "-c",
            f'"{sys.executable}" -c "{program}" | true; echo "status ${{PIPESTATUS[0]}}" >&2',
        ],
        capture_output=True,
        text=True,
        timeout=60,
        env=BUFFERED,
    )
    assert r.stderr == "status 0\n", r.stderr


def test_a_profiled_run_ends_as_python_does_so_the_profile_is_written(tmp_path):
    out = tmp_path / "prof.out"
    r = subprocess.run(
        [sys.executable, "-m", "cProfile", "-o", str(out), "-m", "bizdesk", "--help"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 0, r.stderr
    assert out.stat().st_size > 0
