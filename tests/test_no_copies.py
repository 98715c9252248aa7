"""Sales and purchasing share their code instead of copying it: no run of six or more lines
stands in both the sales and the purchasing module of a pair (services and screens), white
space aside. What they have in common lives once (services/trade/orders.py, the order
screens' shared module), so a rule changed there is changed for both."""

from __future__ import annotations

from pathlib import Path

import pytest

import bizdesk

ROOT = Path(bizdesk.__file__).parent
RUN = 6
PAIRS = [
    ("services/trade/sales.py", "services/trade/purchasing.py"),
    ("screens/sales.py", "screens/purchases.py"),
    ("services/trade/sales.py", "screens/purchases.py"),
    ("screens/sales.py", "services/trade/purchasing.py"),
]


def _lines(text: str) -> list[tuple[int, str]]:
    """(line number, the line with its white space folded), leaving out what says nothing of
    its own: blank lines, comments, imports and lone brackets."""
    out = []
    in_import = False
    for n, line in enumerate(text.splitlines(), start=1):
        folded = " ".join(line.split())
        if in_import:
            in_import = not folded.startswith(")")
            continue
        if folded.startswith(("import ", "from ")) and " import " in f" {folded}":
            in_import = folded.endswith("(")
            continue
        if folded and not folded.startswith("#") and folded.strip("()[]{},:;"):
            out.append((n, folded))
    return out


def shared_runs(a: str, b: str, run: int = RUN) -> list[tuple[int, int]]:
    """Where a run of ``run`` lines of ``a`` stands again in ``b``: (line in a, line in b)."""
    la, lb = _lines(a), _lines(b)
    seen: dict[tuple[str, ...], int] = {}
    for i in range(len(lb) - run + 1):
        seen.setdefault(tuple(t for _n, t in lb[i : i + run]), lb[i][0])
    found = []
    for i in range(len(la) - run + 1):
        window = tuple(t for _n, t in la[i : i + run])
        if window in seen:
            found.append((la[i][0], seen[window]))
    return found


def test_the_check_finds_a_copied_run() -> None:
    body = "\n".join(f"x{i} = f(a, b, {i})" for i in range(7))
    assert shared_runs("def one():\n" + body, "def two():\n\n" + body.replace(" = ", "  =  "))
    assert not shared_runs(body, body.replace("x3", "y3"))


@pytest.mark.parametrize(("left", "right"), PAIRS, ids=lambda p: p)
def test_sales_and_purchasing_share_no_run(left: str, right: str) -> None:
    found = shared_runs((ROOT / left).read_text(), (ROOT / right).read_text())
    where = ", ".join(f"{left}:{a} ~ {right}:{b}" for a, b in found[:10])
    assert not found, f"{len(found)} runs of {RUN} lines stand in both: {where}"
