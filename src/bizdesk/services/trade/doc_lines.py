"""The lines of an order as people type them (product, quantity, unit price or cost, VAT):
checked the same way on purchase and sales orders, and totalled for the forms as they go."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from bizdesk.db.session import UnitOfWork
from bizdesk.i18n import Message
from bizdesk.models.stock import Product
from bizdesk.money import (
    AmountError,
    bounded,
    from_minor,
    line_amounts,
    parse_money,
    percent_to_basis_points,
)
from bizdesk.services.base import validate as v
from bizdesk.services.inventory.products import product_qty, resolve_product


@dataclass(frozen=True)
class CleanLine:
    product: Product | None
    description: str
    qty_scaled: int
    unit_minor: int  # the unit cost (purchases) or price (sales)
    vat_bp: int


def clean_line(
    uow: UnitOfWork,
    chk: v.Checker,
    i: int,
    *,
    product: object,
    qty: object,
    unit: object,
    vat_rate: object,
    description: object,
    unit_label: str,
    default_unit: Callable[[Product], int],
    product_required: bool,
) -> CleanLine | None:
    """Line ``i`` checked, problems added to ``chk`` as "line i <field>"; None for a row
    left empty. An empty unit amount or VAT rate takes the product's."""
    if not any(str(x or "").strip() for x in (product, unit, description)):
        return None
    p = None
    if str(product or "").strip() or product_required:
        p = chk(f"line {i} product", resolve_product, uow, product)
    desc = chk(f"line {i} description", v.text, description, max_len=200) or ""
    if not str(product or "").strip() and not desc and not product_required:
        chk.add(f"line {i} description", Message("a line without a product needs a description"))
    try:
        q = product_qty(uow, p, qty)
        if q == 0:
            raise AmountError(Message("must be more than zero"))
    except AmountError as exc:
        chk.add(f"line {i} qty", exc.args[0])
        q = 0
    amount = rate = 0
    try:
        if str(unit or "").strip():
            amount = parse_money(unit, uow.exponent, locale=uow.input_locale)
        elif p is not None:
            amount = default_unit(p)
    except AmountError as exc:
        chk.add(f"line {i} {unit_label}", exc.args[0])
    try:
        if str(vat_rate or "").strip():
            rate = percent_to_basis_points(vat_rate, locale=uow.input_locale)
        elif p is not None:
            rate = p.vat_bp
    except AmountError as exc:
        chk.add(f"line {i} VAT %", exc.args[0])
    try:  # each figure may be within bounds and their product not
        bounded(sum(line_amounts(q, amount, rate)), uow.exponent, uow.input_locale)
    except AmountError as exc:
        chk.add(f"line {i} qty", exc.args[0])
    return CleanLine(p, desc or (p.name if p else ""), q, amount, rate)


def preview(
    uow: UnitOfWork, lines: list, clean: Callable[[v.Checker, int, object], CleanLine | None]
) -> tuple[Decimal, Decimal, int]:
    """Net and VAT of the lines readable so far, and how many are not (the forms' totals;
    saving checks everything)."""
    net = vat = bad = 0
    for i, ln in enumerate(lines, start=1):
        chk = v.Checker()
        line = clean(chk, i, ln)
        if chk.errors:
            bad += 1
        elif line is not None:
            n, t = line_amounts(line.qty_scaled, line.unit_minor, line.vat_bp)
            net, vat = net + n, vat + t
    return from_minor(net, uow.exponent), from_minor(vat, uow.exponent), bad
