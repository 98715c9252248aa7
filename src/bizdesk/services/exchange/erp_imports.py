"""CSV imports for the ERP side: products and stock counts (journal entries:
``journal_import``).

Every row is checked first and every problem reported as ``line N: column: problem``;
then all rows are written, or none (the caller's unit of work rolls back on error).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from bizdesk.db.session import UnitOfWork
from bizdesk.errors import ValidationError
from bizdesk.i18n import N_, Message, written
from bizdesk.models.core import AuditEvent
from bizdesk.models.stock import Product
from bizdesk.money import AmountError
from bizdesk.services.base import permissions
from bizdesk.services.base import validate as v
from bizdesk.services.base.csvio import read_rows
from bizdesk.services.base.permissions import requires
from bizdesk.services.base.records import check_version, touch
from bizdesk.services.exchange.staging import (
    ImportResult,
    Problems,
    line_problem,
)
from bizdesk.services.inventory import levels, locations, moves, products

PRODUCT_COLUMNS = (
    "sku",
    "name",
    "unit",
    "sale_price",
    "cost",
    "vat_rate",
    "supplier",
    "reorder_point",
    "reorder_qty",
    "allow_negative",
    "stocked",
)
PRODUCT_REQUIRED = ("sku", "name")
STOCK_COUNT_COLUMNS = ("sku", "counted", "location", "reason", "unit_cost", "against")
STOCK_COUNT_REQUIRED = ("sku", "counted")


def _dry_run_guard(
    uow: UnitOfWork, dry_run: bool, work: Callable[[], ImportResult]
) -> ImportResult:
    """Run ``work`` inside a savepoint; a dry run rolls it back and only reports."""
    sp = uow.session.begin_nested()
    try:
        result = work()
    except BaseException:
        sp.rollback()
        raise
    if dry_run:
        sp.rollback()
        result.dry_run = True
    else:
        sp.commit()
    return result


# --- products and stock counts: checked first, outside the write lock ------------------------
#
# Called with a Store, they read and check the whole file in a read unit of work (other people
# keep writing meanwhile), then write every row, or none, in one short write unit. That write
# first asks whether anything was saved since the check began (every change is audited: an
# audit event newer than the check's mark); if so, the rows are checked again, inside the
# write, against what is there now. Called with a UnitOfWork (the older form), everything
# happens inside that unit, which the caller has opened.


@dataclass(slots=True)
class _Planned:
    line: int
    row: dict[str, str]
    action: str  # "create", "update", "skip" (products); "count" (stock counts)
    target: int | None = None  # the product
    version: int | None = None
    clean: dict | None = None  # the product's checked values


def _audit_mark(uow: UnitOfWork) -> int:
    return uow.session.scalar(select(func.max(AuditEvent.id))) or 0


def _saved_since(uow: UnitOfWork, mark: int) -> bool:
    return (
        uow.session.scalar(select(AuditEvent.id).where(AuditEvent.id > mark).limit(1)) is not None
    )


def _checked_then_written(  # noqa: ANN001
    target,
    permission: str,
    rows: Callable[[], Iterable[tuple[int, dict[str, str]]]],
    check: Callable[[UnitOfWork, Iterable[tuple[int, dict[str, str]]]], list[_Planned]],
    write: Callable[[UnitOfWork, list[_Planned]], ImportResult],
    counts: Callable[[list[_Planned]], ImportResult],
    dry_run: bool,
) -> ImportResult:
    if isinstance(target, UnitOfWork):  # inside the caller's unit: check, then write
        uow = target
        permissions.require(uow, permission)
        return _dry_run_guard(uow, dry_run, lambda: write(uow, check(uow, rows())))
    store = target
    with store.read() as uow:
        permissions.require(uow, permission)
        mark = _audit_mark(uow)
        plan = check(uow, rows())
    if dry_run:
        result = counts(plan)
        result.dry_run = True
        return result
    with store.write() as uow:
        if _saved_since(uow, mark):  # someone saved meanwhile: check again, now
            plan = check(uow, [(p.line, p.row) for p in plan])
        return write(uow, plan)


def import_products(target, data, *, dry_run: bool = False) -> ImportResult:  # noqa: ANN001
    """Create products, or update the ones whose SKU exists. ``target`` is a Store (the file
    is checked outside the write lock, see above) or a UnitOfWork."""
    return _checked_then_written(
        target,
        "products.edit",
        lambda: read_rows(data, PRODUCT_COLUMNS, PRODUCT_REQUIRED),
        _check_products,
        _write_products,
        lambda plan: ImportResult(
            created=sum(p.action == "create" for p in plan),
            updated=sum(p.action == "update" for p in plan),
            skipped=sum(p.action == "skip" for p in plan),
        ),
        dry_run,
    )


def _check_products(uow: UnitOfWork, rows: Iterable[tuple[int, dict[str, str]]]) -> list[_Planned]:
    """Every row through the product rules (``products._clean_product``, as a form's save);
    what each row would do; every problem reported."""
    problems = Problems()
    plan: list[_Planned] = []
    seen: dict[str, int] = {}
    for line, row in rows:
        if "__error__" in row:
            problems.add(line, line_problem(line, row["__error__"]))
            continue
        sku = row.get("sku", "").strip().upper()
        if v.text_problem(sku):  # checked before it is looked up
            problems.add(line, line_problem(line, v.text_problem(sku), "sku"))
            continue
        if sku in seen:
            problem = Message("{sku} is also on line {first}", sku=sku, first=seen[sku])
            problems.add(line, line_problem(line, problem, "sku"))
            continue
        seen[sku] = line
        existing = uow.session.scalars(select(Product).where(Product.sku == sku)).first()
        defaults = products.ProductInput()
        # a column the file does not have keeps what the product holds (a file of names and
        # prices set every unit to pieces and every cost to 0)
        kept = defaults if existing is None else products.stored_input(uow, existing)
        inp = products.ProductInput(
            **{
                k: (row[k] or getattr(defaults, k)) if k in row else getattr(kept, k)
                for k in PRODUCT_COLUMNS
            }
        )
        if existing is not None and not (row.get("stocked") or "").strip():
            inp.stocked = existing.stocked  # a file without the column keeps a service one
        try:
            clean = products._clean_product(  # noqa: SLF001
                uow, inp, self_id=existing.id if existing is not None else None
            )
        except ValidationError as exc:
            for col, msg in exc.fields.items():
                problems.add(line, line_problem(line, msg, col or "row"))
            continue
        if existing is None:
            plan.append(_Planned(line, row, "create", clean=clean))
        elif all(getattr(existing, k) == val for k, val in clean.items()):
            plan.append(_Planned(line, row, "skip", existing.id, existing.version))
        else:
            plan.append(_Planned(line, row, "update", existing.id, existing.version, clean))
    problems.raise_any()
    return plan


@requires("products.edit")
def _write_products(uow: UnitOfWork, plan: list[_Planned]) -> ImportResult:
    """The checked rows, as ``products.create_product`` and ``update_product`` save them."""
    result = ImportResult()
    created = []
    for p in plan:
        if p.action == "create":
            created.append(Product(**p.clean, updated_by=uow.user))
            result.created += 1
        elif p.action == "update":
            product = uow.session.get(Product, p.target)
            check_version(uow, product, p.version)
            before = products._snapshot(product)  # noqa: SLF001
            for k, val in p.clean.items():
                setattr(product, k, val)
            touch(uow, product)
            uow.audit(
                "product", product.id, "update", before=before, after=products._snapshot(product)
            )  # noqa: SLF001
            result.updated += 1
        else:
            result.skipped += 1
    uow.session.add_all(created)
    uow.session.flush()
    for product in created:
        uow.audit("product", product.id, "create", after=products._snapshot(product))  # noqa: SLF001
    return result


def import_stock_count(  # noqa: ANN001
    target, data, *, dry_run: bool = False, when: date | None = None
) -> ImportResult:
    """Counted quantities per SKU (and location); differences post as adjustments
    (``moves.count``). ``created`` counts the products adjusted, ``skipped`` the ones that
    matched the books. ``target`` is a Store (the file is checked outside the write lock,
    see above) or a UnitOfWork."""

    def write(uow: UnitOfWork, plan: list[_Planned]) -> ImportResult:
        return _write_counts(uow, plan, when)

    return _checked_then_written(
        target,
        "stock.move",
        lambda: read_rows(data, STOCK_COUNT_COLUMNS, STOCK_COUNT_REQUIRED),
        _check_counts,
        write,
        lambda plan: _count_differences(plan),
        dry_run,
    )


def _check_counts(uow: UnitOfWork, rows: Iterable[tuple[int, dict[str, str]]]) -> list[_Planned]:
    """Each row's product, quantity, reason and location, through the functions
    ``moves.count`` checks them with (it checks them again when it writes)."""
    problems = Problems()
    plan: list[_Planned] = []
    seen: dict[tuple[str, str], int] = {}
    for line, row in rows:
        if "__error__" in row:
            problems.add(line, line_problem(line, row["__error__"]))
            continue
        key = (row.get("sku", "").strip().upper(), row.get("location", "").strip().lower())
        if key in seen:  # said, and the row's other problems with it (an empty count)
            problem = Message("{sku} is also counted on line {first}", sku=key[0], first=seen[key])
            problems.add(line, line_problem(line, problem, "sku"))
        seen.setdefault(key, line)
        try:
            p = products.resolve_product(uow, row.get("sku", ""))
        except v.FieldError as exc:
            problems.add(line, line_problem(line, exc.message, "sku"))
            continue
        chk = v.Checker()
        problem = moves.not_stocked(uow, p)
        if problem is not None:  # a service, or a kit: the import itself would refuse it
            chk.add("product", problem)
        counted = None
        try:
            counted = products.product_qty(uow, p, row.get("counted", ""))
        except AmountError as exc:
            chk.add("counted", exc.args[0])
        chk("reason", v.text, row.get("reason") or "stock count", required=True, max_len=200)
        loc = chk("location", locations.resolve_location, uow, row.get("location", ""))
        cost = moves.unit_cost_typed(uow, chk, row.get("unit_cost"))  # stock in's worth
        if (row.get("against") or "").strip():  # (a role that may not choose: refused whole)
            chk("against", moves.posting_account, uow, row["against"])
        if chk.errors:
            for col, msg in chk.errors.items():
                problems.add(line, line_problem(line, msg, col or "row"))
            continue
        here = levels.on_hand_at(uow, p.id, loc.id)  # (as it stands now)
        if cost is not None and counted < here:
            problems.add(line, line_problem(line, moves.COST_IS_FOR_STOCK_IN, "unit_cost"))
            continue
        same = counted == here
        plan.append(_Planned(line, row, "skip" if same else "adjust", p.id))
    problems.raise_any()
    return plan


def _count_differences(plan: list[_Planned]) -> ImportResult:
    adjusted = sum(p.action == "adjust" for p in plan)
    return ImportResult(created=adjusted, skipped=len(plan) - adjusted)


@requires("stock.move")
def _write_counts(uow: UnitOfWork, plan: list[_Planned], when: date | None) -> ImportResult:
    result = ImportResult()
    problems = Problems()
    for p in plan:
        try:
            r = moves.count(
                uow,
                p.target,
                p.row.get("counted", ""),
                p.row.get("reason") or written(uow.setting("locale"), N_("stock count")),
                location=p.row.get("location", ""),
                when=when,
                unit_cost=p.row.get("unit_cost", ""),
                against=p.row.get("against", ""),
            )
        except ValidationError as exc:
            for col, msg in exc.fields.items():
                problems.add(p.line, line_problem(p.line, msg, col or "row"))
            continue
        if r.qty:
            result.created += 1
        else:
            result.skipped += 1
    problems.raise_any()
    return result
