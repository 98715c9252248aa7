"""The shop's own details as its documents carry them: name, address, VAT id, bank account
(IBAN and BIC, or, where a country has no IBAN, as its banks write it: Vietnam), e-mail and
phone. Settings in the store, each checked as a contact's field is
(the VAT id for the shop's country, the IBAN and BIC with schwifty); changed by an owner."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace

from bizdesk.db.session import UnitOfWork
from bizdesk.errors import ValidationError
from bizdesk.i18n import Message
from bizdesk.money import AmountError, percent_from_bp, percent_to_basis_points
from bizdesk.reading import locale_pattern, quoted
from bizdesk.services.base import validate as v
from bizdesk.services.base import zones
from bizdesk.services.base.permissions import requires
from bizdesk.services.base.shop_details import (
    LABELS,  # noqa: F401 - the doors' labels, kept with the rule that names them
    SETTING,
    ShopDetails,
    read_shop,
    vat_rates,
)
from bizdesk.services.people import leave
from bizdesk.services.people.days import regions


def address_lines(street: str, postcode: str, city: str, country: str) -> list[str]:
    """An address as a document writes it: the street, "postcode city", the country."""
    town = " ".join(x for x in (postcode, city) if x)
    return [x for x in (street, town, country) if x]


# the keys `bizdesk shop set` takes (as typed: vat-id), in the order `shop show` lists them
KEYS = {f.name.replace("_", "-"): f.name for f in fields(ShopDetails)}


@requires("shop.view")
def get(uow: UnitOfWork) -> ShopDetails:
    """The details as the reader types them back (the VAT rate "5,5" in a Spanish form)."""
    d = read_shop(uow)
    if d.vat_rate and uow.input_locale:
        rate = percent_from_bp(percent_to_basis_points(d.vat_rate))
        decimals = max(0, -rate.as_tuple().exponent)
        d = replace(
            d, vat_rate=locale_pattern(uow.input_locale, decimals).apply(rate, uow.input_locale)
        )
    return d


def _clean(uow: UnitOfWork, d: ShopDetails) -> ShopDetails:
    chk = v.Checker()
    out: dict[str, str] = {}
    out["name"] = chk("name", v.text, d.name, required=True, max_len=200) or ""
    for name, limit in (("street", 200), ("postcode", 20), ("city", 100)):
        out[name] = chk(name, v.text, getattr(d, name), max_len=limit) or ""
    out["country"] = chk("country", v.country, d.country, local=uow.person_input) or ""
    out["region"] = chk("region", _region, d.region, out["country"]) or ""
    out["timezone"] = chk("timezone", zones.zone_name, d.timezone) or ""
    out["vat_id"] = chk("vat_id", v.vat_id, d.vat_id, out["country"]) or ""
    out["iban"] = chk("iban", v.iban, d.iban) or ""
    out["bic"] = chk("bic", v.bic, d.bic) or ""
    out["account"] = chk("account", v.text, d.account, max_len=100) or ""
    out["email"] = chk("email", v.email, d.email) or ""
    region = out["country"] or uow.setting("region") or None
    out["phone"] = chk("phone", v.phone, d.phone, region) or ""
    if d.vat_rate is not None:
        out["vat_rate"] = chk("vat_rate", _rate, d.vat_rate, uow.input_locale)
    chk.done()
    return ShopDetails(**out)


def _rate(value: object, locale: str | None) -> str:
    """A VAT rate in percent as typed (in ``locale``, else the machine form), kept as the
    machine writes it ("5.5"); empty: none."""
    if not str(value or "").strip():
        return ""
    try:
        return str(percent_from_bp(percent_to_basis_points(value, locale=locale)))
    except AmountError as exc:
        raise v.FieldError(exc.message) from None


def _region(value: object, country: str) -> str:
    """A region of the shop's country whose public holidays are known (MD for Madrid), as
    the holidays library spells it; the country first."""
    typed = v.text(value, max_len=40)
    if not typed:
        return ""
    if not country:
        raise v.FieldError(Message("set the shop's country first: a region is within one"))
    known = regions(country)
    found = next((r for r in known if r.casefold() == typed.casefold()), None)
    if found is not None:
        return found
    if not known:
        raise v.FieldError(
            Message("no regions of {country} have public holidays of their own", country=country)
        )
    raise v.FieldError(
        Message(
            "{region} is not a region of {country}; one of: {regions}",
            region=quoted(typed, 40),
            country=country,
            regions=", ".join(known),
        )
    )


@dataclass(frozen=True)
class Saved:
    details: ShopDetails
    recounted: int = 0  # leave requests counted again on a new country's or region's holidays

    def said(self) -> list[Message]:
        """What saving did beyond the details themselves (translated where shown)."""
        if not self.recounted:
            return []
        return [
            Message.plural(
                "{n} leave request was counted again on the new public holidays.",
                "{n} leave requests were counted again on the new public holidays.",
                self.recounted,
            )
        ]


@requires("shop.edit")
def update(uow: UnitOfWork, details: ShopDetails) -> Saved:
    """Check every field together (the VAT id for the country) and store them; a new country
    or region counts the leave requests' days again on its public holidays."""
    before = read_shop(uow)
    clean = _clean(uow, details)
    if clean.vat_rate is None:  # not given: as it is
        clean = replace(clean, vat_rate=before.vat_rate)
    changed = {}
    for name, key in SETTING.items():
        old, new = getattr(before, name), getattr(clean, name)
        if old != new:
            uow.set_setting(key, new)
            changed[name] = new
    if clean.vat_rate is not None and clean.vat_rate != before.vat_rate:
        # the standard rate first, the chart's other rates after it; none: no rates
        others = [r for r in vat_rates(uow)[1:] if r != clean.vat_rate]
        uow.set_setting("vat_rates", ",".join([clean.vat_rate, *others] if clean.vat_rate else []))
        changed["vat_rate"] = clean.vat_rate
    if not changed:
        return Saved(clean)
    recounted = 0
    if {"country", "region"} & changed.keys():
        recounted = leave.recount(uow, clean.country, clean.region)
    uow.audit("shop", None, "update", after=changed)
    return Saved(clean, recounted)


@requires("shop.edit")
def set_one(uow: UnitOfWork, key: str, value: str) -> Saved:
    """One detail by its key as typed (`bizdesk shop set vat-id RO18547290`)."""
    name = KEYS.get(key.strip().lower())
    if name is None:
        raise ValidationError(
            {
                "key": Message(
                    "{key} is not a shop detail; one of: {keys}", key=key, keys=", ".join(KEYS)
                )
            }
        )
    return update(uow, replace(read_shop(uow), **{name: value}))
