"""Stock locations: the places stock is kept (one of them the default)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from bizdesk.db.session import UnitOfWork
from bizdesk.errors import ValidationError
from bizdesk.i18n import Message
from bizdesk.models.stock import Location
from bizdesk.reading import quoted
from bizdesk.services.base import validate as v
from bizdesk.services.base.paging import same_name
from bizdesk.services.base.permissions import requires


@dataclass(frozen=True)
class LocationView:
    id: int
    name: str
    is_default: bool


@requires("stock.view")
def list_locations(uow: UnitOfWork) -> list[LocationView]:
    stmt = select(Location).where(Location.archived.is_(False))
    rows = sorted(uow.session.scalars(stmt), key=lambda loc: (v.sort_key(loc.name), loc.id))
    return [LocationView(loc.id, loc.name, loc.is_default) for loc in rows]


@requires("products.edit")
def add_location(uow: UnitOfWork, name: object) -> LocationView:
    chk = v.Checker()
    name = chk("name", v.text, name, required=True, max_len=60)
    if (
        name
        and uow.session.scalars(select(Location.id).where(same_name(Location.name, name))).first()
    ):
        chk.add("name", Message("a location called {name} exists already", name=quoted(name, 60)))
    chk.done()
    loc = Location(name=name)
    uow.session.add(loc)
    uow.session.flush()
    uow.audit("location", loc.id, "create", after={"name": name})
    return LocationView(loc.id, loc.name, loc.is_default)


def suggest_locations(uow: UnitOfWork, prefix: str, limit: int = 8) -> list[str]:
    """Type-ahead for location boxes: the live locations whose name starts with what was
    typed, in any case ("ba" -> "Back room", which the box then reads back exactly)."""
    typed = prefix.strip().casefold()
    if not typed:
        return []
    stmt = select(Location.name).where(Location.archived.is_(False))
    names = sorted(uow.session.scalars(stmt), key=v.sort_key)
    return [n for n in names if n.casefold().startswith(typed)][:limit]


def default_location(uow: UnitOfWork) -> Location:
    loc = uow.session.scalars(select(Location).where(Location.is_default.is_(True))).first()
    if loc is None:
        raise ValidationError(
            {
                "location": Message(
                    "no default stock location; run {command}", command="bizdesk init"
                )
            }
        )
    return loc


def resolve_location(uow: UnitOfWork, text: object) -> Location:
    s = v.text(text, max_len=60)
    if not s:
        return default_location(uow)
    loc = uow.session.scalars(
        select(Location).where(same_name(Location.name, s), Location.archived.is_(False))
    ).first()
    if loc is None:
        names = ", ".join(x.name for x in list_locations(uow))
        raise v.FieldError(
            Message("no location {name} (there are: {names})", name=quoted(s, 40), names=names)
        )
    return loc
