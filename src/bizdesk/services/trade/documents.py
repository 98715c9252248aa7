"""Documents to send (purchase orders, invoices, credit notes) as plain text files."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path

from bizdesk.db.session import UnitOfWork
from bizdesk.errors import ValidationError
from bizdesk.files import atomic_write
from bizdesk.formatting import money
from bizdesk.models.contacts import Contact


def write_document(
    uow: UnitOfWork,
    path: Path,
    *,
    title: str,
    dates: str,
    party: Contact,
    price_label: str,
    lines: Iterable[tuple[str, str, Decimal, Decimal, Decimal]],  # sku, text, qty, price, net
    totals: tuple[Decimal, Decimal, Decimal],  # net, VAT, total
    notes: str = "",
) -> Path:
    """Write the document to a new file (never over an existing one)."""
    loc = uow.setting("locale", "en_US")
    out = [uow.setting("company", ""), "", title, dates, "", "To:", f"  {party.name}"]
    address = (
        party.street,
        " ".join(x for x in (party.postcode, party.city) if x),
        party.country,
        party.email or "",
    )
    out += [f"  {part}" for part in address if part]
    out += ["", f"{'SKU':<14} {'Description':<28} {'Qty':>9} {price_label:>12} {'Net':>12}"]
    out.append("-" * 79)
    for sku, text, qty, price, net in lines:
        out.append(
            f"{sku[:14]:<14} {text[:28]:<28} {qty!s:>9} {money(price, loc):>12} "
            f"{money(net, loc):>12}"
        )
    out.append("-" * 79)
    net, vat, total = totals
    for label, amount in (("Net", net), ("VAT", vat), (f"Total {uow.currency}", total)):
        out.append(f"{label:>64} {money(amount, loc):>14}")
    if notes:
        out += ["", notes]
    try:
        with atomic_write(Path(path), exclusive=True) as fh:  # whole, or not there at all
            fh.write("\n".join(out) + "\n")
    except FileExistsError:
        raise ValidationError({"path": f"{path} exists already; choose another name"}) from None
    except OSError as exc:
        raise ValidationError({"path": f"cannot write {path}: {exc.strerror}"}) from None
    return path
