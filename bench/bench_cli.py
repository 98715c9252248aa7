"""A command-line report as a whole process (DESIGN section 10: <= 0.3 s on the demo store).

    python bench/bench_cli.py [--db PATH_OR_URL] [--runs N]

Times `bizdesk report trial-balance --format json` from exec to exit, N times (the demo store
is made first when --db names no file), beside what that time is made of, each a process of
its own: the interpreter alone, the command line alone (`import bizdesk.cli`, before any
command), and the database stack with the report's services (`import` of them, no store).
Medians of wall and CPU seconds (the process's own, from ``os.wait4``), and the load average,
since a shared machine makes wall time a poor witness.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SERVICES = "import bizdesk.services.overview.reports, bizdesk.services.books.ledger_reports"


def timed(cmd: list[str], runs: int) -> tuple[float, float, float]:
    """Median wall, 95th-percentile wall and median CPU seconds of ``runs`` runs."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    walls, cpus = [], []
    for _ in range(runs):
        t = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
        err = proc.stderr.read() if proc.stderr else b""
        _, status, usage = os.wait4(proc.pid, 0)
        walls.append(time.perf_counter() - t)
        cpus.append(usage.ru_utime + usage.ru_stime)
        if os.waitstatus_to_exitcode(status):
            sys.exit(f"{' '.join(cmd)} failed:\n{err.decode(errors='replace')}")
    walls.sort()
    return statistics.median(walls), walls[int(0.95 * (len(walls) - 1))], statistics.median(cpus)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", help="a store (default: a new demo store in a temporary folder)")
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    py = sys.executable
    script = Path(py).with_name("bizdesk")
    bizdesk = [str(script)] if script.exists() else [py, "-m", "bizdesk"]
    db = args.db or str(Path(tempfile.mkdtemp(prefix="bench-cli-")) / "demo.db")
    if "://" not in db and not Path(db).exists():
        subprocess.run([*bizdesk, "demo", "--db", db], check=True, stdout=subprocess.DEVNULL)
    report = [*bizdesk, "report", "trial-balance", "--format", "json", "--db", db]
    timed(report, 2)  # compiled and cached, as an installed bizdesk runs
    print(f"load average before: {os.getloadavg()[0]:.2f}; {args.runs} runs each")
    for label, cmd in (
        ("interpreter (python -c pass)", [py, "-c", "pass"]),
        ("command line (import bizdesk.cli)", [py, "-c", "import bizdesk.cli"]),
        ("database stack and report services", [py, "-c", SERVICES]),
    ):
        wall, p95, cpu = timed(cmd, args.runs)
        print(f"{label:<46} wall {wall:.3f} s (p95 {p95:.3f})  CPU {cpu:.3f} s")
    wall, p95, cpu = timed(report, args.runs)
    ok = wall <= 0.3
    print(
        f"{'bizdesk report trial-balance --format json':<46} wall {wall:.3f} s (p95 {p95:.3f})  "
        f"CPU {cpu:.3f} s  (target <= 0.3 s: {'met' if ok else 'MISSED'})"
    )
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
