"""Saved segments: named filters over contacts, kept as data (JSON) and evaluated in SQL
whenever they are read, so a segment is always who matches today.

A definition holds any of: city, country, tag, stage, owner, age group (from the birth date;
a contact without one is in no age group), and a purchase: a product (or any product) bought
on a posted invoice (counter sales are invoiced too) within a date range. All given filters
must hold (AND). Archived contacts are never members.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import date

from sqlalchemy import and_, func, or_, select

from bizdesk.db.session import UnitOfWork
from bizdesk.errors import Conflict, NotFound
from bizdesk.folding import fold
from bizdesk.i18n import N_, Message, _
from bizdesk.models.base import utcnow
from bizdesk.models.contacts import STAGES, Contact, ContactTag
from bizdesk.models.marketing import Campaign, Segment
from bizdesk.models.sales import Invoice, InvoiceLine, SalesLine
from bizdesk.models.stock import Product
from bizdesk.reading import date_text, is_digits, quoted
from bizdesk.services.base import validate as v
from bizdesk.services.base.paging import Page, PageRequest, keyset_page, like_pattern
from bizdesk.services.base.permissions import requires
from bizdesk.services.base.records import check_version, touch
from bizdesk.services.base.usernames import unknown_user
from bizdesk.services.crm.contacts import NONE
from bizdesk.services.inventory.products import resolve_product
from bizdesk.words import CONTACT_STAGE_NAMES, typed_word, word_message

ANY_PRODUCT = "*"  # what a definition's product says for "any product"


@dataclass
class SegmentInput:
    """What a form or the CLI says (raw text, checked here)."""

    name: str = ""
    city: str = ""
    country: str = ""
    tag: str = ""
    stage: str = ""
    owner: str = ""
    age_group: str = ""
    bought: str = ""  # a product's SKU, "*" for any product, "" for no purchase filter
    bought_from: str = ""  # dates, in the person's form or ISO
    bought_to: str = ""


@dataclass(frozen=True)
class SegmentView:
    id: int
    name: str
    definition: dict  # as stored: {"city": "Madrid", "bought": {"product_id": 3, ...}}
    version: int
    updated_at: object
    updated_by: str

    def as_input(self, sku: str = "") -> SegmentInput:
        d = {k: str(Message(NONE)) if v is None else v for k, v in self.definition.items()}
        bought = d.get("bought") or {}
        return SegmentInput(
            name=self.name,
            city=d.get("city", ""),
            country=d.get("country", ""),
            tag=d.get("tag", ""),
            stage=d.get("stage", ""),
            owner=d.get("owner", ""),
            age_group=d.get("age_group", ""),
            bought=(sku or ANY_PRODUCT) if bought else "",
            bought_from=bought.get("from", "") if bought else "",
            bought_to=bought.get("to", "") if bought else "",
        )


@dataclass(frozen=True)
class SegmentRow:
    id: int
    name: str
    definition: dict


@dataclass(frozen=True)
class MemberRow:
    id: int
    name: str
    email: str
    city: str
    country: str
    stage: str
    owner: str


def _view(row: Segment) -> SegmentView:
    return SegmentView(
        row.id, row.name, json.loads(row.definition), row.version, row.updated_at, row.updated_by
    )


def _load(uow: UnitOfWork, segment_id: int) -> Segment:
    row = uow.session.get(Segment, segment_id)
    if row is None:
        raise NotFound(Message("There is no segment #{id}.", id=segment_id))
    return row


def _by_name(uow: UnitOfWork, name: str) -> Segment:
    """The segment named ``name``; in any case if only one is so named ("vip" for "VIP")."""
    name = name.strip()
    row = uow.session.scalars(select(Segment).where(Segment.name == name)).first()
    if row is not None:
        return row
    alike = [
        r for r in uow.session.scalars(select(Segment)) if r.name.casefold() == name.casefold()
    ]
    if len(alike) == 1:
        return alike[0]
    if alike:
        raise NotFound(
            Message(
                "There is no segment named {name}; there are {names}: type one as it is written.",
                name=quoted(name, 60),
                names=", ".join(quoted(r.name, 60) for r in alike),
            )
        )
    raise NotFound(Message("There is no segment named {name}.", name=quoted(name, 60)))


# --- checking a definition ---------------------------------------------------------------


# the fields a segment may ask to be empty ("(none)"): a contact may have no city, country,
# tag or owner (a stage it always has)
NONE_ALLOWED = ("city", "country", "tag", "owner")


def _is_none(typed: str) -> bool:
    said = " ".join((typed or "").split()).casefold()
    return bool(said) and said in (NONE.casefold(), _(NONE).casefold())


def _clean(uow: UnitOfWork, data: SegmentInput, self_id: int | None = None) -> tuple[str, dict]:
    chk = v.Checker()
    name = chk("name", v.text, data.name, required=True, max_len=80)
    d: dict = {}
    # "(none)", as the reports name the group with no value: the contacts without one
    for key in NONE_ALLOWED:
        if _is_none(getattr(data, key)):
            d[key] = None
            data = replace(data, **{key: ""})
    city = chk("city", v.text, data.city, max_len=100)
    if city:
        d["city"] = city
    country = chk("country", v.country, data.country, local=uow.person_input)
    if country:
        d["country"] = country
    tag = chk("tag", v.text, data.tag, max_len=60)
    if tag and any(sep in tag for sep in ",;"):  # a contact's tags are split there
        chk.add("tag", Message("one tag: a segment holds the contacts that have it"))
    elif tag:
        d["tag"] = tag.lower()
    stage = chk("stage", v.text, data.stage, max_len=20)
    if stage:
        word = typed_word(CONTACT_STAGE_NAMES, stage)
        if word is None:
            chk.add(
                "stage",
                v.must_be_one_of(
                    tuple(str(Message(CONTACT_STAGE_NAMES[s])) for s in STAGES)
                    if uow.person_input
                    else STAGES
                ),
            )
        else:
            d["stage"] = word
    owner = chk("owner", v.text, data.owner, max_len=64)
    if owner:
        refused = unknown_user(uow.session, owner)
        if refused is not None:
            chk.add("owner", refused)
        else:
            d["owner"] = owner
    group = chk("age_group", v.text, data.age_group, max_len=40)
    if group:
        key = age_group_typed(group)
        if key is None:
            # as the reader types them ("menos de 25"; "under 25" was listed in Vietnamese)
            chk.add("age_group", v.must_be_one_of(tuple(_(k) for k in AGE_GROUPS)))
        else:
            d["age_group"] = key
    bought = chk("bought", v.text, data.bought, max_len=250)
    start = chk("bought_from", v.iso_date, data.bought_from, local=uow.person_input)
    end = chk("bought_to", v.iso_date, data.bought_to, local=uow.person_input)
    if bought:
        b: dict = {}
        if bought != ANY_PRODUCT:
            try:
                b["product_id"] = resolve_product(uow, bought).id
            except v.FieldError as exc:
                chk.add("bought", exc.message)
        if start:
            b["from"] = start.isoformat()
        if end:
            b["to"] = end.isoformat()
        if start and end and end < start:
            chk.add("bought_to", Message("before the start of the range"))
        d["bought"] = b
    elif start or end:
        chk.add("bought", Message("name a product's SKU, or * for any product, for the dates"))
    if name and "name" not in chk.errors:
        q = select(Segment.id).where(Segment.name == name)
        if self_id is not None:
            q = q.where(Segment.id != self_id)
        if uow.session.scalars(q).first() is not None:
            chk.add("name", Message("a segment named {name} exists", name=quoted(name, 60)))
    chk.done()
    return name, d


# --- the condition in SQL ----------------------------------------------------------------

# age groups: (youngest age, oldest age or None)
AGE_GROUPS: dict[str, tuple[int, int | None]] = {
    "under 25": (0, 24),
    "25-34": (25, 34),
    "35-44": (35, 44),
    "45-54": (45, 54),
    "55-64": (55, 64),
    "65+": (65, None),
}


def age_group_typed(text: str) -> str | None:
    """The age group ``text`` names: its key ("25-34"), or as the reports show it ("25–34"
    with an en dash; "under 25" in the reader's language, "menos de 25"); None if none."""
    typed = " ".join(text.replace("\u2013", "-").split()).casefold()
    for key in AGE_GROUPS:
        if typed in (key, _(key).casefold()):
            return key
    return None


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a year that has none
        return day.replace(year=day.year - years, day=28)


def age_condition(group: str, today: date, *, walk: bool = False):  # noqa: ANN201
    """Contacts whose age today is in the group (from their birth date, in SQL)."""
    youngest, oldest = AGE_GROUPS[group]
    born = Contact.birth_date
    first, last = _years_before(today, youngest), None
    if oldest is not None:
        last = _years_before(today, oldest + 1)
    if walk:  # an expression: no index is used for it
        born = func.coalesce(Contact.birth_date, Contact.birth_date)
    # aged >= youngest: born on or before today minus youngest years
    cond = [Contact.birth_date.is_not(None), born <= first]
    if last is not None:
        # aged <= oldest: born after today minus (oldest + 1) years
        cond.append(born > last)
    return and_(*cond)


def in_city(city: str):  # noqa: ANN201
    """Contacts in ``city`` with case, accents and spaces ignored ("cluj-napoca", "Brasov"
    are Cluj-Napoca's and Brașov's people): the last line of the folded search text."""
    folded = " ".join(fold(city).split())
    return Contact.search_text.like("%\n" + like_pattern(folded)[1:-1], escape="\\")


def condition(definition: dict, today: date | None = None, *, walk: bool = False):  # noqa: ANN201
    """The SQL condition on Contact for a stored definition. ``walk``: written so that
    SQLite walks the contacts in name order (the members' pages) rather than reading every
    member through another index and sorting them all first: each term hides its column
    from the planner (``city || ''``, ``id + 0``)."""
    today = today or utcnow().date()
    cond = [Contact.archived.is_(False), Contact.merged_into_id.is_(None)]
    key = (Contact.id + 0) if walk else Contact.id
    for name in ("city", "country", "owner"):  # "(none)": the contacts without one
        if name in definition and definition[name] is None:
            col = getattr(Contact, name)
            cond.append(or_(col.is_(None), col == ""))
    if "tag" in definition and definition["tag"] is None:
        cond.append(~key.in_(select(ContactTag.contact_id)))
    if definition.get("city"):
        cond.append(in_city(definition["city"]))
    for name in ("country", "stage", "owner"):
        if definition.get(name):
            col = getattr(Contact, name)
            cond.append((col.concat("") if walk else col) == definition[name])
    if definition.get("tag"):
        cond.append(
            key.in_(select(ContactTag.contact_id).where(ContactTag.tag == definition["tag"]))
        )
    if definition.get("age_group") in AGE_GROUPS:
        cond.append(age_condition(definition["age_group"], today, walk=walk))
    bought = definition.get("bought")
    if bought is not None:
        # the buyers, found once (not a subquery per contact): contact ids probed by key
        q = select(Invoice.customer_id).where(Invoice.kind == "invoice")
        if bought.get("from"):
            q = q.where(Invoice.issued_on >= date.fromisoformat(bought["from"]))
        if bought.get("to"):
            q = q.where(Invoice.issued_on <= date.fromisoformat(bought["to"]))
        if bought.get("product_id"):
            q = (
                q.join(InvoiceLine, InvoiceLine.invoice_id == Invoice.id)
                .join(SalesLine, SalesLine.id == InvoiceLine.sales_line_id)
                .where(SalesLine.product_id == bought["product_id"])
            )
        cond.append(key.in_(q))
    return and_(*cond)


# --- entry points ------------------------------------------------------------------------


@requires("segments.view")
def list_segments(uow: UnitOfWork) -> list[SegmentRow]:
    """Every saved segment, by name (a shop keeps a few, not thousands)."""
    rows = sorted(uow.session.scalars(select(Segment)), key=lambda r: (v.sort_key(r.name), r.id))
    return [SegmentRow(r.id, r.name, json.loads(r.definition)) for r in rows]


@requires("segments.view")
def get_segment(uow: UnitOfWork, segment_id: int) -> SegmentView:
    return _view(_load(uow, segment_id))


@requires("segments.view")
def find_segment(uow: UnitOfWork, name_or_id: str) -> SegmentView:
    """A segment by its name, or #id."""
    s = name_or_id.strip()
    if s.startswith("#") and is_digits(s[1:]):
        return _view(_load(uow, int(s[1:])))
    return _view(_by_name(uow, s))


@requires("segments.view")
def product_sku(uow: UnitOfWork, product_id: int) -> str:
    p = uow.session.get(Product, product_id)
    return p.sku if p else f"#{product_id}"


@requires("segments.edit")
def create_segment(uow: UnitOfWork, data: SegmentInput) -> SegmentView:
    name, d = _clean(uow, data)
    row = Segment(name=name, definition=json.dumps(d, sort_keys=True), updated_by=uow.user)
    uow.session.add(row)
    uow.session.flush()
    uow.audit("segment", row.id, "create", after={"name": name, "definition": d})
    return _view(row)


@requires("segments.edit")
def update_segment(
    uow: UnitOfWork, segment_id: int, data: SegmentInput, *, version: int
) -> SegmentView:
    row = _load(uow, segment_id)
    check_version(uow, row, version)
    name, d = _clean(uow, data, self_id=row.id)
    before = {"name": row.name, "definition": json.loads(row.definition)}
    row.name, row.definition = name, json.dumps(d, sort_keys=True)
    touch(uow, row)
    uow.session.flush()
    uow.audit("segment", row.id, "update", before=before, after={"name": name, "definition": d})
    return _view(row)


@requires("segments.edit")
def delete_segment(uow: UnitOfWork, segment_id: int) -> None:
    row = _load(uow, segment_id)
    used = uow.session.scalars(select(Campaign.name).where(Campaign.segment_id == row.id)).first()
    if used is not None:
        raise Conflict(
            Message(
                "The segment {name} is used by the campaign {campaign}; it cannot be deleted.",
                name=row.name,
                campaign=used,
            )
        )
    uow.audit("segment", row.id, "delete", before={"name": row.name})
    uow.session.delete(row)


MEMBER_SORTS = {"name": Contact.sort_name, "city": Contact.city, "id": Contact.id}


@requires("segments.view")
def members_page(uow: UnitOfWork, segment_id: int, req: PageRequest) -> Page[MemberRow]:
    """The segment's members, one page at a time (keyset, in SQL)."""
    d = json.loads(_load(uow, segment_id).definition)
    sort_col = MEMBER_SORTS.get(req.sort or "name", Contact.sort_name)
    stmt = select(
        Contact.id,
        Contact.name,
        Contact.email,
        Contact.city,
        Contact.country,
        Contact.stage,
        Contact.owner,
        sort_col,
        Contact.id,
    ).where(condition(d, walk=sort_col is Contact.sort_name and _walk(uow, d)))
    return keyset_page(
        uow.session,
        stmt,
        sort_col,
        Contact.id,
        req,
        lambda r: MemberRow(r[0], r[1], r[2] or "", r[3], r[4], r[5], r[6] or ""),
    )


# a segment with at most this many candidates (by its most selective filter) is read through
# that filter's index and sorted; a larger one is walked in name order (a page costs a few
# hundred rows read, whatever its size)
FEW = 3000


def _walk(uow: UnitOfWork, d: dict) -> bool:
    """SQLite: walk the contacts in name order for this segment's pages? Not when one of its
    filters picks few contacts (counted on that filter's index alone, which is cheap): a
    walk would then read most of the contacts to fill a page."""
    if uow.session.get_bind().dialect.name != "sqlite":
        return False
    counts = []
    if d.get("city"):
        counts.append(select(func.count()).select_from(Contact).where(in_city(d["city"])))
    for name in ("country", "stage", "owner"):
        if d.get(name):
            col = getattr(Contact, name)
            counts.append(select(func.count()).where(col == d[name]))
    if d.get("tag"):
        counts.append(select(func.count()).where(ContactTag.tag == d["tag"]))
    # an age group (a sixth of the people or so) is never few: not counted
    bought = d.get("bought")
    if bought is not None:
        q = select(func.count()).where(Invoice.kind == "invoice")
        if bought.get("from"):
            q = q.where(Invoice.issued_on >= date.fromisoformat(bought["from"]))
        if bought.get("to"):
            q = q.where(Invoice.issued_on <= date.fromisoformat(bought["to"]))
        if bought.get("product_id"):
            q = select(func.count()).where(SalesLine.product_id == bought["product_id"])
        counts.append(q)
    return all((uow.session.scalar(c.limit(1)) or 0) > FEW for c in counts)


@requires("segments.view")
def count_members(uow: UnitOfWork, segment_id: int) -> int:
    d = json.loads(_load(uow, segment_id).definition)
    return uow.session.scalar(select(func.count(Contact.id)).where(condition(d))) or 0


# a definition's fields as its form names them
FIELD_WORDS = {
    "city": N_("City"),
    "country": N_("Country"),
    "tag": N_("Tag"),
    "stage": N_("Stage"),
    "owner": N_("Owner"),
    "age_group": N_("Age group"),
    "bought": N_("Bought"),
    "bought_from": N_("Bought from"),
    "bought_to": N_("Bought until"),
}


def definition_words(d: dict, sku: str = "") -> list[tuple[str, str]]:
    """A definition as (field, value) pairs as people read them: the field as its form
    names it, the value as they would type it back (a stage and an age group in their
    language, dates in their form)."""
    out = []
    for k in ("city", "country", "tag", "stage", "owner", "age_group"):
        if k in d and d[k] is None:  # the contacts without one
            out.append((k, str(Message(NONE))))
        elif d.get(k):
            value = str(d[k])
            if k == "stage":
                value = str(word_message(CONTACT_STAGE_NAMES, value))
            elif k == "age_group":
                value = str(Message(value)) if value == "under 25" else value.replace("-", "\u2013")
            out.append((k, value))
    b = d.get("bought")
    if b is not None:
        out.append(("bought", sku or ANY_PRODUCT))
        for key, field in (("from", "bought_from"), ("to", "bought_to")):
            if b.get(key):
                out.append((field, date_text(date.fromisoformat(b[key]))))
    return [(str(Message(FIELD_WORDS[k])), value) for k, value in out]


def as_json(view: SegmentView) -> dict:
    return {"id": view.id, "name": view.name, "definition": view.definition}
