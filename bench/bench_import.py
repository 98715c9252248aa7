"""Validated CSV import speed (DESIGN section 10 target: >= 30,000 rows/s).

    python bench/bench_import.py [ROWS]

Imports ROWS (default 100,000) generated contacts, each with an email, a phone, tags and
roles, into a fresh store through the same service the CLI uses, and prints rows/s.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from bizdesk.db import open_store
from bizdesk.services import setup
from bizdesk.services.imports import import_contacts


def main() -> int:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    rows = ["name,email,phone,city,country,tags,stage,roles"] + [
        f"Person {i},p{i}@example.com,+44 20 7946 0{i % 1000:03d},Leeds,GB,a;b,customer,customer"
        for i in range(n)
    ]
    data = "\n".join(rows).encode()
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(str(Path(tmp) / "import.db"))
        setup.ensure_initialized(store)
        t = time.perf_counter()
        with store.write() as uow:
            result = import_contacts(uow, data)
        dt = time.perf_counter() - t
    rate = n / dt
    print(
        f"{result.created} contacts imported in {dt:.1f} s: {rate:,.0f} rows/s "
        f"({'ok' if rate >= 30_000 else 'MISSED'}; target 30,000 rows/s)"
    )
    return 0 if rate >= 30_000 else 1


if __name__ == "__main__":
    sys.exit(main())
