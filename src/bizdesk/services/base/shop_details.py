"""The shop's own details, as settings: the name, address, VAT id and bank account its
documents carry. Read here, below every domain, so that a document can keep them as it was
issued (services/trade/sales: an invoice); checked and changed in services/papers/shop."""

from __future__ import annotations

import json
from dataclasses import dataclass, fields

from bizdesk.db.session import UnitOfWork
from bizdesk.errors import ValidationError
from bizdesk.i18n import N_, Listed, Message


@dataclass(frozen=True)
class ShopDetails:
    name: str = ""
    street: str = ""
    postcode: str = ""
    city: str = ""
    country: str = ""  # ISO 3166 alpha-2
    region: str = ""  # for its public holidays: one of services.people.days.regions(country)
    timezone: str = ""  # its times are shown in (IANA: Europe/Madrid); empty: zones.shop_zone
    vat_id: str = ""
    iban: str = ""
    bic: str = ""
    # the account where the country has no IBAN (Vietnam): the number and the bank, as typed
    account: str = ""
    email: str = ""
    phone: str = ""
    # the standard VAT rate, in percent as the machine writes it ("20", "5.5"): a new
    # product's and a line's without a product; "" none (0). None: unchanged, when saved
    vat_rate: str | None = None


# what each is, for the form, `shop show` and a refusal (translated where shown)
LABELS = {
    "name": N_("Name"),
    "street": N_("Street"),
    "postcode": N_("Postcode"),
    "city": N_("City"),
    "country": N_("Country"),
    "region": N_("Region"),
    "timezone": N_("Time zone"),
    "vat_id": N_("VAT id"),
    "iban": N_("IBAN"),
    "bic": N_("BIC"),
    "account": N_("Bank account"),
    "email": N_("Email"),
    "phone": N_("Phone"),
    "vat_rate": N_("Standard VAT %"),
}

# field -> the setting that holds it (the name is the store's "company", as `init` sets it);
# the standard VAT rate is the first of the setting "vat_rates" (the chart's, or the shop's)
SETTING = {
    f.name: ("company" if f.name == "name" else f"shop_{f.name}")
    for f in fields(ShopDetails)
    if f.name != "vat_rate"
}
# what an invoice keeps of its issuer as issued (all a document prints of the shop)
ISSUER_DETAILS = tuple(f for f in SETTING if f not in ("region", "timezone"))


# what an invoice is not issued without: its seller's name and where it is (a street and a
# city; the postcode and the country are printed when set, as some countries have no
# postcodes and a domestic invoice needs no country). An invoice keeps its issuer as issued,
# so one issued without would carry no address for good (DESIGN 5, documents).
ISSUER_REQUIRED = ("name", "street", "city")


def issuer_missing(uow: UnitOfWork) -> list[str]:
    """The details (ISSUER_REQUIRED) an invoice needs that the shop has not set."""
    return [f for f in ISSUER_REQUIRED if not uow.setting(SETTING[f], "").strip()]


def require_issuer(uow: UnitOfWork) -> None:
    """Refuse to issue an invoice (from a delivery, a counter sale, a recurring template)
    while the shop's name or address is not set: a tax invoice names its seller and the
    seller's address (the EU's VAT directive, art. 226; Vietnam's decree 123/2020), and an
    invoice issued so would keep none for good. A credit note is not refused: it corrects
    an invoice already issued (services.trade.sales.return_goods)."""
    missing = issuer_missing(uow)
    if not missing:
        return
    commands = "; ".join(f'bizdesk shop set {f} "…"' for f in missing)
    raise ValidationError(
        {
            "": Message.plural(
                "an invoice carries the shop's name and address, and this is not set: "
                "{missing}. An owner sets it in Shop details (ctrl+p) or with: {commands}",
                "an invoice carries the shop's name and address, and these are not set: "
                "{missing}. An owner sets them in Shop details (ctrl+p) or with: {commands}",
                len(missing),
                missing=Listed([LABELS[f] for f in missing]),
                commands=commands,
            )
        }
    )


def without_address(kept: str) -> bool:
    """Whether details kept as JSON (ISSUER_DETAILS) have no address at all: a document
    issued so carries none of the shop's (a new shop's first invoice, before its details
    were set). None kept (an invoice from before they were kept): it shows the shop's now."""
    if not kept:
        return False
    d = json.loads(kept)
    return not any(d.get(k) for k in ("street", "postcode", "city", "country"))


def read_shop(uow: UnitOfWork) -> ShopDetails:
    """The details as stored (for the documents: no permission of its own)."""
    return ShopDetails(
        **{name: uow.setting(key, "") for name, key in SETTING.items()},
        vat_rate=next(iter(vat_rates(uow)), ""),
    )


def vat_rates(uow: UnitOfWork) -> list[str]:
    """The shop's VAT rates in percent, the standard one first (as its chart of accounts
    named them when it was installed, or as the shop set its standard rate since)."""
    return [r.strip() for r in uow.setting("vat_rates", "").split(",") if r.strip()]


def issuer_details(uow: UnitOfWork) -> str:
    """The shop's details a document keeps (ISSUER_DETAILS), as JSON."""
    s = read_shop(uow)
    return json.dumps({k: getattr(s, k) for k in ISSUER_DETAILS}, ensure_ascii=False)
