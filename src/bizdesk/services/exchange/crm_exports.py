"""Exports: the current data of a kind, in the columns its import accepts."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import TextIO

from sqlalchemy import select
from sqlalchemy.orm import aliased

from bizdesk.db.session import UnitOfWork
from bizdesk.models.contacts import Contact, ContactTag
from bizdesk.services.base.csvio import write_rows
from bizdesk.services.base.permissions import can, requires
from bizdesk.services.exchange.crm_imports import CONTACT_COLUMNS
from bizdesk.services.marketing.consent import consents_of, written_time

CHUNK = 1000


@requires("export.data")
def contact_rows(uow: UnitOfWork) -> Iterator[dict[str, str]]:
    """Live contacts in id order, a chunk at a time (keyset), never the whole table."""
    org = aliased(Contact)
    last = 0
    see_consent = can(uow, "consent.see")  # else its columns stay empty: kept on import
    while True:
        chunk = uow.session.execute(
            select(Contact, org.name)
            .join(org, org.id == Contact.organization_id, isouter=True)
            .where(Contact.id > last, Contact.archived.is_(False))
            .order_by(Contact.id)
            .limit(CHUNK)
        ).all()
        if not chunk:
            return
        ids = [c.id for c, _ in chunk]
        tags: dict[int, list[str]] = {}
        for cid, tag in uow.session.execute(
            select(ContactTag.contact_id, ContactTag.tag)
            .where(ContactTag.contact_id.in_(ids))
            .order_by(ContactTag.tag)
        ):
            tags.setdefault(cid, []).append(tag)
        consents = consents_of(uow, ids) if see_consent else {}
        for c, org_name in chunk:
            said = consents.get(c.id)
            roles = [
                r for r, on in (("customer", c.is_customer), ("supplier", c.is_supplier)) if on
            ]
            yield {
                "id": str(c.id),  # the stable key: importing the file back updates, never copies
                "name": c.name,
                "kind": c.kind,
                "organization": org_name or "",
                "email": c.email or "",
                "phone": c.phone or "",
                "street": c.street,
                "city": c.city,
                "postcode": c.postcode,
                "country": c.country,
                "vat_id": c.vat_id,
                "tags": ";".join(tags.get(c.id, [])),
                "stage": c.stage,
                "roles": ";".join(roles),
                "owner": c.owner or "",
                "notes": c.notes,
                "payment_terms": c.payment_terms,
                "birth_date": c.birth_date.isoformat() if c.birth_date else "",
                "email_consent": said.state if said else "",
                "consent_at": written_time(said.at) if said else "",
                "consent_how": said.how if said else "",
            }
        last = ids[-1]
        uow.session.expunge_all()  # memory stays flat however many contacts there are


def write_dicts(stream: TextIO, columns: tuple[str, ...], rows: Iterable[dict], fmt: str) -> int:
    """Rows (dicts keyed by column) as CSV or a JSON array, streamed; returns the count."""
    if fmt == "json":
        n = 0
        stream.write("[")
        for row in rows:
            stream.write(("," if n else "") + "\n" + json.dumps(row, ensure_ascii=False))
            n += 1
        stream.write("\n]\n")
        return n
    return write_rows(stream, columns, ([r[c] for c in columns] for r in rows))


@requires("export.data")
def export_contacts(uow: UnitOfWork, stream: TextIO, fmt: str = "csv") -> int:
    return write_dicts(stream, CONTACT_COLUMNS, contact_rows(uow), fmt)
