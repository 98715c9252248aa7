"""CSV imports: every row is checked first; all rows are written, or none."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, insert, select

from bizdesk.db.sequences import sync_id_sequences
from bizdesk.db.session import UnitOfWork
from bizdesk.errors import ValidationError
from bizdesk.models.base import utcnow
from bizdesk.models.contacts import Contact, ContactTag
from bizdesk.models.core import AuditEvent, User
from bizdesk.services import contacts as contacts_service
from bizdesk.services import validate as v
from bizdesk.services.csvio import read_rows
from bizdesk.services.permissions import requires

CONTACT_COLUMNS = (
    "name",
    "kind",
    "organization",
    "email",
    "phone",
    "street",
    "city",
    "postcode",
    "country",
    "tags",
    "stage",
    "roles",
    "owner",
    "notes",
)
CONTACT_REQUIRED = ("name",)
ROLES = ("customer", "supplier")
COMPARED = (
    "name",
    "kind",
    "phone",
    "street",
    "city",
    "postcode",
    "country",
    "stage",
    "is_customer",
    "is_supplier",
    "owner",
    "notes",
    "organization_id",
)


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    skipped: int = 0
    errors: list[str] = field(default_factory=list)
    dry_run: bool = False


def _roles(text: str) -> tuple[bool, bool]:
    text = v.text(text, max_len=100)
    items = {r.strip().lower() for r in text.replace(",", ";").split(";") if r.strip()}
    bad = items - set(ROLES)
    if bad:
        raise v.FieldError(f"unknown roles {', '.join(sorted(bad))} (customer, supplier)")
    return "customer" in items, "supplier" in items


@requires("contacts.import")
def import_contacts(uow: UnitOfWork, data: bytes | str, *, dry_run: bool = False) -> ImportResult:
    """Upsert contacts by email from CSV (DESIGN section 8). Raises ValidationError listing
    every bad row as ``line N: column: problem``; writes nothing then."""
    region = uow.setting("region") or None
    users = set(uow.session.execute(select(User.username)).scalars())
    errors: list[str] = []
    parsed: list[tuple[int, dict, list[str]]] = []
    seen_emails: dict[str, int] = {}
    for line, row in read_rows(data, CONTACT_COLUMNS, CONTACT_REQUIRED):
        if "__error__" in row:
            errors.append(f"line {line}: {row['__error__']}")
            continue
        chk = v.Checker()
        is_customer, is_supplier = chk("roles", _roles, row.get("roles", "")) or (False, False)
        inp = contacts_service.ContactInput(
            **{k: row.get(k, "") for k in CONTACT_COLUMNS if k not in ("roles",)},
            is_customer=is_customer,
            is_supplier=is_supplier,
        )
        if not inp.kind:
            inp.kind = "person"
        if not inp.stage:
            inp.stage = "lead"
        out, fchk = contacts_service.clean_fields(inp, region)
        fchk.errors.update({k: m for k, m in chk.errors.items() if k not in fchk.errors})
        if out.get("owner") and out["owner"] not in users:
            fchk.add("owner", f"{out['owner']!r} is not a bizdesk user")
        if out.get("email"):
            if out["email"] in seen_emails:
                fchk.add("email", f"also on line {seen_emails[out['email']]}")
            seen_emails[out["email"]] = line
        for col, msg in fchk.errors.items():
            errors.append(f"line {line}: {col}: {msg}")
        parsed.append((line, out, out.pop("tags") or []))

    # organisations: existing ones, or rows of this file
    org_names = {
        o["name"].casefold()
        for _, o, _ in parsed
        if o.get("kind") == "organization" and o.get("name")
    }
    existing_orgs = dict(
        uow.session.execute(
            select(Contact.sort_name, Contact.id).where(
                Contact.kind == "organization", Contact.archived.is_(False)
            )
        ).all()
    )
    for line, out, _ in parsed:
        org = (out.get("organization") or "").casefold()
        if org and org not in existing_orgs and org not in org_names:
            errors.append(
                f"line {line}: organization: no organisation named {out['organization'][:60]!r}"
            )
    if errors:
        raise ValidationError({"file": "\n".join(errors)}, message="\n".join(errors))

    emails = [o["email"] for _, o, _ in parsed if o.get("email")]
    existing: dict[str, Contact] = {}
    for i in range(0, len(emails), 500):
        for c in uow.session.execute(
            select(Contact).where(Contact.email.in_(emails[i : i + 500]))
        ).scalars():
            existing[c.email] = c

    result = ImportResult(dry_run=dry_run)
    now = utcnow()
    # organisations first, so that people in the same file can point at them
    parsed.sort(key=lambda p: p[1]["kind"] != "organization")
    pending_new: list[tuple[dict, list[str]]] = []
    next_id = [(uow.session.execute(select(func.max(Contact.id))).scalar() or 0) + 1]

    def flush_new() -> None:
        if not pending_new or dry_run:
            pending_new.clear()
            return
        # ids handed out here: the write transaction holds the store's write lock
        start = next_id[0]
        ids = list(range(start, start + len(pending_new)))
        next_id[0] += len(pending_new)
        conn = uow.session.connection()
        conn.execute(
            insert(Contact.__table__),
            [{**row, "id": cid} for cid, (row, _) in zip(ids, pending_new, strict=True)],
        )
        sync_id_sequences(conn, "contact")
        tag_rows = [
            {"contact_id": cid, "tag": t}
            for cid, (_, tags) in zip(ids, pending_new, strict=True)
            for t in tags
        ]
        if tag_rows:
            conn.execute(insert(ContactTag.__table__), tag_rows)
        conn.execute(
            insert(AuditEvent.__table__),
            [
                {
                    "at": now,
                    "username": uow.user,
                    "entity": "contact",
                    "entity_id": cid,
                    "action": "import",
                    "after": None,
                }
                for cid in ids
            ],
        )
        for cid, (row, _) in zip(ids, pending_new, strict=True):
            if row["kind"] == "organization":
                existing_orgs.setdefault(row["sort_name"], cid)
        pending_new.clear()

    current_kind = None
    for _line, out, tags in parsed:
        if out["kind"] != current_kind:
            flush_new()  # organisations are written before the people who need their ids
            current_kind = out["kind"]
        org = out.pop("organization") or ""
        out["organization_id"] = existing_orgs.get(org.casefold()) if org else None
        old = existing.get(out["email"]) if out.get("email") else None
        if old is None:
            result.created += 1
            pending_new.append(
                (
                    {
                        **out,
                        "sort_name": v.sort_key(out["name"]),
                        "created_at": now,
                        "updated_at": now,
                        "updated_by": uow.user,
                        "version": 1,
                        "archived": False,
                        "source": out["source"],
                    },
                    tags,
                )
            )
            continue
        old_tags = set(
            uow.session.execute(
                select(ContactTag.tag).where(ContactTag.contact_id == old.id)
            ).scalars()
        )
        changed = any(getattr(old, k) != out[k] for k in COMPARED) or old_tags != set(tags)
        if not changed:
            result.skipped += 1
            continue
        result.updated += 1
        if not dry_run:
            inp = contacts_service.ContactInput(
                **{
                    k: out[k]
                    for k in (
                        "name",
                        "kind",
                        "email",
                        "phone",
                        "street",
                        "city",
                        "postcode",
                        "country",
                        "stage",
                        "is_customer",
                        "is_supplier",
                        "source",
                        "notes",
                    )
                },
                owner=out["owner"] or "",
                tags=tags,
                organization=f"{org}" if org else "",
            )
            contacts_service.update(uow, old.id, inp, version=old.version)
    flush_new()
    if not dry_run:
        uow.audit(
            "import", None, "contacts", after={"created": result.created, "updated": result.updated}
        )
    return result
