"""Documents to send (purchase orders, invoices, credit notes) as plain text files: their
words in the language of the person writing them, amounts and dates in the shop's locale."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from pathlib import Path

from bizdesk.db.session import UnitOfWork
from bizdesk.errors import ValidationError
from bizdesk.files import atomic_write
from bizdesk.formatting import money
from bizdesk.i18n import Message, _
from bizdesk.models.contacts import Contact


def document_date(value: date, locale: str) -> str:
    """A date on a document, as the shop's locale writes it ("5 mar 2026")."""
    from babel.dates import format_date

    return format_date(value, "medium", locale=locale)


def write_document(
    uow: UnitOfWork,
    path: Path,
    *,
    title: str,
    dates: Iterable[str],
    party: Contact,
    price_label: str,
    lines: Iterable[tuple[str, str, Decimal, Decimal, Decimal]],  # sku, text, qty, price, net
    totals: tuple[Decimal, Decimal, Decimal],  # net, VAT, total
    notes: str = "",
) -> Path:
    """Write the document to a new file (never over an existing one). ``title``, ``dates``
    (each "Date: …" apart), ``price_label`` and ``notes`` come translated."""
    loc = uow.setting("locale", "en_US")
    out = [uow.setting("company", ""), "", title, "    ".join(dates), "", _("To:")]
    out.append(f"  {party.name}")
    address = (
        party.street,
        " ".join(x for x in (party.postcode, party.city) if x),
        party.country,
        party.email or "",
    )
    out += [f"  {part}" for part in address if part]
    # the column heads (each _() outside the f-string, where pybabel finds it)
    head = (_("SKU"), _("Description"), _("Qty"), price_label, _("Net"))
    out += ["", "{:<14} {:<28} {:>9} {:>12} {:>12}".format(*head)]
    out.append("-" * 79)
    for sku, text, qty, price, net in lines:
        out.append(
            f"{sku[:14]:<14} {text[:28]:<28} {qty!s:>9} {money(price, loc):>12} "
            f"{money(net, loc):>12}"
        )
    out.append("-" * 79)
    net, vat, total = totals
    total_label = _("Total {currency}").format(currency=uow.currency)
    for label, amount in ((_("Net"), net), (_("VAT"), vat), (total_label, total)):
        out.append(f"{label:>64} {money(amount, loc):>14}")
    if notes:
        out += ["", notes]
    try:
        with atomic_write(Path(path), exclusive=True) as fh:  # whole, or not there at all
            fh.write("\n".join(out) + "\n")
    except FileExistsError:
        raise ValidationError(
            {"path": Message("{path} exists already; choose another name", path=str(path))}
        ) from None
    except OSError as exc:
        raise ValidationError(
            {"path": Message("cannot write {path}: {reason}", path=str(path), reason=exc.strerror)}
        ) from None
    return path
