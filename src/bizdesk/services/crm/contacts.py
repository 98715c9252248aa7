"""Contacts: people and organisations, validated, deduplicated, never silently lost."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import bindparam, case, false, func, or_, text
from sqlalchemy import update as sql_update
from sqlmodel import select

from bizdesk.db.session import UnitOfWork
from bizdesk.errors import Conflict, NotFound, ValidationError
from bizdesk.folding import fold
from bizdesk.i18n import LANGUAGES, N_, Message
from bizdesk.models.base import utcnow
from bizdesk.models.contacts import (
    CONTACT_KINDS,
    STAGES,
    Contact,
    ContactTag,
    Interaction,
)
from bizdesk.models.deals import Deal
from bizdesk.models.dunning import Reminder
from bizdesk.models.ledger import JournalLine
from bizdesk.models.mail import OutboxMessage
from bizdesk.models.marketing import CampaignRecipient, EmailConsent
from bizdesk.models.nurture import FollowUp
from bizdesk.models.people import Employee
from bizdesk.models.purchasing import PurchaseOrder, SupplierBill
from bizdesk.models.recurring import RecurringTemplate
from bizdesk.models.sales import Invoice, SalesOrder
from bizdesk.models.stock import Product
from bizdesk.models.tickets import Ticket
from bizdesk.money import from_minor
from bizdesk.reading import date_text, is_digits, quoted
from bizdesk.services.base import validate as v
from bizdesk.services.base.paging import (
    Page,
    PageRequest,
    folded_contains,
    folded_word_start,
    keyset_page,
    like_pattern,
)
from bizdesk.services.base.permissions import requires
from bizdesk.services.base.records import check_version, touch
from bizdesk.services.base.usernames import unknown_user
from bizdesk.services.base.zones import read_moment, shop_zone
from bizdesk.services.crm import nurture, terms
from bizdesk.words import CONTACT_STAGE_NAMES, INTERACTION_NAMES


@dataclass
class ContactInput:
    """What a form, the CLI or a CSV row says about a contact: raw text, checked here."""

    name: str = ""
    kind: str = "person"
    organization: str = ""  # name or email of an organisation contact
    email: str = ""
    phone: str = ""
    street: str = ""
    city: str = ""
    postcode: str = ""
    country: str = ""
    vat_id: str = ""
    language: str = ""  # of the documents made out to the contact; '' = the shop's
    birth_date: str | date = ""  # people only; typed as the person's language writes dates
    tags: str | list[str] = ""
    stage: str = "lead"
    is_customer: bool = False
    is_supplier: bool = False
    owner: str = ""
    source: str = ""
    notes: str = ""
    payment_terms: str = ""  # "net 30 days", "end of month + 10 days"; '' the shop's default


@dataclass(frozen=True)
class ContactView:
    id: int
    kind: str
    name: str
    organization_id: int | None
    organization: str
    email: str
    phone: str
    street: str
    city: str
    postcode: str
    country: str
    vat_id: str
    language: str
    tags: tuple[str, ...]
    stage: str
    is_customer: bool
    is_supplier: bool
    owner: str
    source: str
    notes: str
    archived: bool
    created_at: datetime
    updated_at: datetime
    updated_by: str
    version: int
    payment_terms: str = ""  # as stored (English words); terms.shown() gives them translated
    birth_date: date | None = None

    def as_input(self) -> ContactInput:
        return ContactInput(
            name=self.name,
            kind=self.kind,
            organization=self.organization,
            email=self.email,
            phone=self.phone,
            street=self.street,
            city=self.city,
            postcode=self.postcode,
            country=self.country,
            vat_id=self.vat_id,
            language=self.language,
            tags=";".join(self.tags),
            stage=self.stage,
            is_customer=self.is_customer,
            is_supplier=self.is_supplier,
            owner=self.owner,
            source=self.source,
            notes=self.notes,
            payment_terms=terms.shown(self.payment_terms),
            birth_date=date_text(self.birth_date),
        )


@dataclass(frozen=True)
class ContactRow:
    """One line of the contacts list."""

    id: int
    name: str
    kind: str
    email: str
    phone: str
    city: str
    country: str
    stage: str
    owner: str
    archived: bool


@dataclass
class Saved:
    """The result of a create or update, with non-blocking warnings (possible duplicates)."""

    contact: ContactView
    warnings: list[str] = field(default_factory=list)


# --- reading -----------------------------------------------------------------------------


def _view(uow: UnitOfWork, c: Contact) -> ContactView:
    tags = uow.session.exec(
        select(ContactTag.tag).where(ContactTag.contact_id == c.id).order_by(ContactTag.tag)
    ).all()
    org = uow.session.get(Contact, c.organization_id) if c.organization_id else None
    return ContactView(
        id=c.id,
        kind=c.kind,
        name=c.name,
        organization_id=c.organization_id,
        organization=org.name if org else "",
        email=c.email or "",
        phone=c.phone or "",
        street=c.street,
        city=c.city,
        postcode=c.postcode,
        country=c.country,
        vat_id=c.vat_id,
        language=c.language,
        tags=tuple(tags),
        stage=c.stage,
        is_customer=c.is_customer,
        is_supplier=c.is_supplier,
        owner=c.owner or "",
        source=c.source,
        notes=c.notes,
        archived=c.archived,
        created_at=c.created_at,
        updated_at=c.updated_at,
        updated_by=c.updated_by,
        version=c.version,
        payment_terms=c.payment_terms,
        birth_date=c.birth_date,
    )


def _load(uow: UnitOfWork, contact_id: int) -> Contact:
    c = uow.session.get(Contact, contact_id)
    if c is None:
        raise NotFound(Message("There is no contact #{id}.", id=contact_id))
    return c


@requires("contacts.view")
def get(uow: UnitOfWork, contact_id: int) -> ContactView:
    return _view(uow, _load(uow, contact_id))


SORTS = {
    "name": Contact.sort_name,
    "city": Contact.city,
    "country": Contact.country,
    "stage": Contact.stage,
    "id": Contact.id,
}


@requires("contacts.view")
def list_page(uow: UnitOfWork, req: PageRequest) -> Page[ContactRow]:
    """The contacts list. Filters: archived (bool), stage, city, country, tag, owner, role."""
    sort_col = SORTS.get(req.sort or "name", Contact.sort_name)
    stmt = select(
        Contact.id,
        Contact.name,
        Contact.kind,
        Contact.email,
        Contact.phone,
        Contact.city,
        Contact.country,
        Contact.stage,
        Contact.owner,
        Contact.archived,
        sort_col,
        Contact.id,
    )
    f = req.filters
    if not f.get("archived"):
        stmt = stmt.where(Contact.archived.is_(False))
    for name in ("stage", "city", "country", "owner", "kind"):
        if f.get(name):
            stmt = stmt.where(getattr(Contact, name) == f[name])
    if f.get("role") == "customer":
        stmt = stmt.where(Contact.is_customer.is_(True))
    elif f.get("role") == "supplier":
        stmt = stmt.where(Contact.is_supplier.is_(True))
    if f.get("tag"):
        stmt = stmt.where(
            Contact.id.in_(select(ContactTag.contact_id).where(ContactTag.tag == f["tag"]))
        )
    search = req.search.strip()
    if search:
        stmt = stmt.where(_search_condition(uow, search))
    return keyset_page(
        uow.session,
        stmt,
        sort_col,
        Contact.id,
        req,
        lambda r: ContactRow(
            r[0], r[1], r[2], r[3] or "", r[4] or "", r[5], r[6], r[7], r[8] or "", r[9]
        ),
    )


# what three or more letters are looked for in (folded into Contact.search_text)
SEARCHED = (Contact.name, Contact.email, Contact.phone, Contact.city)


# a phone number as people type it: digits grouped by spaces, dashes, dots or brackets
_PHONE_TYPED = re.compile(r"\+?\(?[0-9][0-9 ().\-/]*[0-9]", re.ASCII)
_PHONE_SEPARATORS = re.compile(r"[ ().\-/]")
_NUMBERED = re.compile(r"#0*([0-9]{1,18})", re.ASCII)


def _search_condition(uow: UnitOfWork, search: str):  # noqa: ANN202
    """What a contact search matches. A phone number typed grouped ("+34 612 345 678",
    "612 345", as the form's example writes one) finds the number as it is stored, without
    the spaces (+34612345678), and the text as typed too. One typed as the shop's country
    writes it at home, with its trunk prefix ("0903 375 550", or only "0903", in Vietnam)
    finds it too: it is stored international (+84903375550). "#44", the number pages and
    questions give a contact ("Ann Lee (#44)"), finds that contact."""
    numbered = _NUMBERED.fullmatch(search)
    if numbered:  # (a name may hold it too: "Shop #2")
        return or_(Contact.id == int(numbered.group(1)), _text_condition(uow, search))
    if not _PHONE_TYPED.fullmatch(search):
        return _text_condition(uow, search)
    compact = _PHONE_SEPARATORS.sub("", search)
    found = [search]
    if compact != search and len(compact) >= 3:
        found.append(compact)
    international = _international(compact, phone_region(uow.setting))
    if international:
        found.append(international)
    if len(found) == 1:
        return _text_condition(uow, search)
    return or_(*(_text_condition(uow, typed) for typed in found))


def _international(digits: str, region: str | None) -> str | None:
    """``digits`` typed as ``region`` writes its numbers at home ("0903375", with the trunk
    prefix 0 of Vietnam) as the start of the number stored (+84903375); None when they do not
    start with that region's trunk prefix (Spain has none) or say too little."""
    if not region or not is_digits(digits):
        return None
    import phonenumbers  # slow to import (its metadata): on first use

    meta = phonenumbers.PhoneMetadata.metadata_for_region(region)
    prefix = meta.national_prefix if meta is not None else None
    if not prefix or not digits.startswith(prefix) or len(digits) - len(prefix) < 2:
        return None
    return f"+{meta.country_code}{digits[len(prefix) :]}"


def _text_condition(uow: UnitOfWork, search: str):  # noqa: ANN202
    """One or two letters: a word of the name, email, phone or city starting with them ("an"
    finds Trần Văn An, whose given name comes last). Three or more: anywhere in them. Case
    and accents are ignored ("bucuresti" finds "București"): both look in the folded
    search_text column (migration 0007); two letters and three or more through the FTS5
    trigram index on SQLite (bench/RESULTS.md, stop 39), three or more through the pg_trgm
    index on PostgreSQL."""
    folded = fold(search)
    if len(search) < 3:
        key = v.sort_prefix(search)
        by_name = (Contact.sort_name >= key) & (Contact.sort_name < key + "\U0010ffff")
        if uow.store.is_sqlite and len(folded) == 2:
            # a word after the first starts after a space or a newline: that and the two
            # letters are a trigram, found in the index instead of reading every row (the
            # first word of the text is the name's, which sort_name finds)
            return or_(by_name, Contact.id.in_(_trigram_hits(f" {folded}", f"\n{folded}")))
        return or_(by_name, folded_word_start(Contact.search_text, search))
    if uow.store.is_sqlite:
        if len(folded) < 3:  # combining marks fold away: below the trigram index's minimum
            return folded_contains(Contact.search_text, search)
        return Contact.id.in_(_trigram_hits(folded))
    return folded_contains(Contact.search_text, search)


def _trigram_hits(*texts: str):  # noqa: ANN202
    """The contacts whose folded search text holds any of ``texts`` (three characters or
    more each), through the FTS5 trigram index (SQLite only)."""
    query = " OR ".join('"' + t.replace('"', '""') + '"' for t in texts)
    return text("SELECT rowid FROM contact_search WHERE contact_search MATCH :q").bindparams(
        bindparam("q", query, unique=True)  # two searches in one statement keep theirs
    )


FEW = 500  # contacts found: up to this many are looked up one by one


def found_by_search(uow: UnitOfWork, search: str, contact_id):  # noqa: ANN001, ANN201
    """For a list of records joined to their contact (follow-ups, deals, tickets): those
    whose contact the search finds as the contacts list does. None at all when it finds
    none; by ``contact_id`` in their ids when they are few (read through the contacts'
    index); else the condition on each row's contact, so that a list in its own order
    meets theirs soon and stops at its page (one letter finds most contacts: gathering
    them all first took 110 ms on the large store)."""
    condition = _search_condition(uow, search)
    ids = uow.session.scalars(select(Contact.id).where(condition).limit(FEW + 1)).all()
    if not ids:
        return false()
    return contact_id.in_(ids) if len(ids) <= FEW else condition


# --- writing -----------------------------------------------------------------------------


def clean_name(chk: v.Checker, value: object) -> str | None:
    return chk("name", v.text, value, required=True, max_len=200)


def clean_fields(
    data: ContactInput, region: str | None, *, local: bool = False, today: date | None = None
) -> tuple[dict, v.Checker]:
    """Check every field that needs no database; problems collect in the Checker. ``local``:
    a person typed it (dates also as their language writes them; a file holds ISO dates)."""
    chk = v.Checker()
    out: dict = {}
    out["name"] = clean_name(chk, data.name)
    out["kind"] = chk("kind", v.choice, data.kind, CONTACT_KINDS, default="person")
    out["email"] = chk("email", v.email, data.email)
    out["country"] = chk("country", v.country, data.country, local=local)
    out["phone"] = chk("phone", v.phone, data.phone, out["country"] or region)
    out["vat_id"] = chk("vat_id", v.vat_id, data.vat_id, out["country"]) or ""
    out["language"] = chk("language", v.choice, data.language, LANGUAGES, default="")
    for name, limit in (("street", 200), ("city", 100), ("postcode", 20), ("source", 100)):
        out[name] = chk(name, v.text, getattr(data, name), max_len=limit)
    out["notes"] = chk("notes", v.text, data.notes, max_len=20_000, multiline=True)
    # as stored (a script, an export) or as the reader's lists and forms show it ("cliente")
    out["stage"] = chk("stage", v.word, data.stage, CONTACT_STAGE_NAMES, default="lead")
    out["tags"] = chk("tags", v.tags, data.tags)
    out["is_customer"] = bool(data.is_customer)
    out["is_supplier"] = bool(data.is_supplier)
    out["owner"] = chk("owner", v.text, data.owner, max_len=64) or None
    out["organization"] = chk("organization", v.text, data.organization, max_len=200)
    out["payment_terms"] = chk("payment_terms", terms.stored, data.payment_terms) or ""
    out["birth_date"] = chk("birth_date", birth_date, data.birth_date, local, today)
    if out["birth_date"] is not None and out["kind"] == "organization":
        chk.add("birth_date", Message("only a person has a birth date"))
    return out, chk


def birth_date(value: object, local: bool = False, today: date | None = None) -> date | None:
    """A birth date: a date bizdesk accepts (from 1900; a year typed short is refused, never
    guessed at), not after today."""
    day = v.iso_date(value, local=local)
    if day is not None and day > (today or date.today()):
        raise v.FieldError(Message("a birth date cannot be in the future"))
    return day


def phone_region(setting: Callable[[str, str], str]) -> str | None:
    """Whose numbers a phone typed without a country code is: the contact's country, else
    the shop's region setting, else the shop's own country (its details): 0909 123 456 in
    a Vietnamese shop was refused as not international."""
    return (setting("region", "") or setting("shop_country", "")).upper() or None


def shop_region(settings: Mapping[str, str]) -> str | None:
    """The shop's region (its ``region`` setting, else its own country (shop details), else
    its locale's territory: "RO"), from the store's settings (read once, kept: no query, so
    a form that shows it opens at once); None when none names one."""
    region = settings.get("region") or settings.get("shop_country") or None
    if region is None:
        from babel import Locale

        try:
            region = Locale.parse(settings.get("locale") or "").territory
        except (ValueError, TypeError):
            region = None
    return region.upper() if region else None


@dataclass(frozen=True)
class FormExamples:
    """What the contact and shop forms show in their empty boxes: the shop's region's own
    phone number, country code, VAT id and IBAN (a Romanian shop read "e.g. DE" for the
    country)."""

    phone: str
    country: str
    vat_id: str
    iban: str


def form_examples(settings: Mapping[str, str]) -> FormExamples:
    region = shop_region(settings)
    return FormExamples(
        v.example_phone(region),
        region or "DE",
        v.example_vat_id(region),
        v.example_iban(region),
    )


def _clean(uow: UnitOfWork, data: ContactInput, *, self_id: int | None = None) -> dict:
    """Check every field; raise one ValidationError naming each bad field."""
    # a number without a country is read as the shop's (0909 123 456 in Vietnam)
    out, chk = clean_fields(data, phone_region(uow.setting), local=uow.person_input)
    owner = out["owner"]
    refused = unknown_user(uow.session, owner) if owner else None
    if refused is not None:
        chk.add("owner", refused)

    org_text = out.pop("organization")
    out["organization_id"] = None
    if org_text:
        org = chk("organization", resolve, uow, org_text, kind="organization")
        if org is None:
            pass
        elif org.id == self_id:
            chk.add("organization", Message("a contact cannot belong to itself"))
        else:
            out["organization_id"] = org.id

    if out.get("email"):
        clash = uow.session.exec(
            select(Contact.id, Contact.name).where(Contact.email == out["email"])
        ).first()
        if clash is not None and clash[0] != self_id:
            chk.add("email", Message("already used by {name} (#{id})", name=clash[1], id=clash[0]))
    chk.done()
    return out


def find_by_name_or_email(uow: UnitOfWork, text: str, *, kind: str | None = None) -> Contact | None:
    """The live contact with this email, or else exactly this name (case-insensitive)."""
    stmt = select(Contact).where(Contact.archived.is_(False))
    if kind:
        stmt = stmt.where(Contact.kind == kind)
    if "@" in text:
        hit = uow.session.exec(stmt.where(Contact.email == text.strip().lower())).first()
        if hit is not None:
            return hit
    # as typed, else with its spaces made single: "Stefan  Pop" typed in a hurry is Stefan Pop
    exact = v.sort_key(text.strip())
    keys = {exact, v.sort_key(" ".join(text.split()))}
    return uow.session.exec(
        stmt.where(Contact.sort_name.in_(keys)).order_by(Contact.sort_name != exact, Contact.id)
    ).first()


def _only_one_named(uow: UnitOfWork, c: Contact, kind: str | None) -> None:
    """Refuse a name several live contacts share: which one was meant is never guessed
    (a merge, a consent or a deal would land on the first of them)."""
    _only_one(uow, Contact.sort_name == c.sort_name, c.name, kind)


def _only_one(uow: UnitOfWork, named, name: str, kind: str | None) -> Contact | None:  # noqa: ANN001
    """The one live contact ``named`` (a condition) picks; None if none; refused if several."""
    stmt = select(Contact).where(Contact.archived.is_(False), named)
    if kind:
        stmt = stmt.where(Contact.kind == kind)
    same = uow.session.exec(stmt.order_by(Contact.id).limit(6)).all()
    if len(same) > 1:
        shown = ", ".join(_which(c, name) for c in same[:5])
        raise v.FieldError(
            Message(
                "several contacts are named {name}: {which}; give the one meant by its "
                "#number or its e-mail",
                name=name,
                which=shown + (", …" if len(same) > 5 else ""),
            )
        )
    return same[0] if same else None


def _which(c: Contact, typed: str) -> str:
    """One of several contacts a name fits, for the refusal: its number, its name where it
    is not written as typed (Lê Thị Mai or Lê Thị Mãi for "le thi mai"), its city."""
    said = f"#{c.id}"
    if " ".join(c.name.split()).casefold() != " ".join(typed.split()).casefold():
        said += f" {c.name}"
    return f"{said} ({c.city})" if c.city else said


def _named_without_accents(uow: UnitOfWork, text: str, kind: str | None) -> Contact | None:
    """The one live contact whose name is ``text`` but for accents and case, as a keyboard
    without them types it ("nguyen van an" for "Nguyễn Văn An"); refused if several are."""
    letters = v.sort_prefix(" ".join(text.split()))
    if not letters:
        return None
    # a sort key is the letters alone, or the letters, SORT_ACCENTS and the accented name
    alike = or_(
        Contact.sort_name == letters,
        (Contact.sort_name > letters + v.SORT_ACCENTS)
        & (Contact.sort_name < letters + chr(ord(v.SORT_ACCENTS) + 1)),
    )
    return _only_one(uow, alike, text, kind)


NAMED_NUMBER = re.compile(r"(.*\S)\s+#(\d{1,18})")


def reference(name: str, contact_id: int | None) -> str:
    """How a form shows a contact it names, to be typed back: "Ben Evans #84" (the name a
    person knows, the number that tells two Ben Evans apart); "" for none."""
    return f"{name} #{contact_id}" if contact_id else ""


def named_alike(uow: UnitOfWork, contact_ids: list[int]) -> set[int]:
    """Those of ``contact_ids`` whose name another contact has too: a name alone does not say
    which (resolve refuses it), so a report shows them with their number (``reference``)."""
    found: set[int] = set()
    for start in range(0, len(contact_ids), 5000):  # (a bounded number of parameters)
        ids = contact_ids[start : start + 5000]
        names = select(Contact.sort_name).where(Contact.id.in_(ids))
        shared = (
            select(Contact.sort_name)
            .where(Contact.sort_name.in_(names))
            .group_by(Contact.sort_name)
            .having(func.count() > 1)
        )
        found.update(
            uow.session.scalars(
                select(Contact.id).where(Contact.id.in_(ids), Contact.sort_name.in_(shared))
            )
        )
    return found


def resolve(uow: UnitOfWork, text: str, *, kind: str | None = None) -> Contact:
    """A live contact from "#id", an email, an exact name, or a name with its number as a
    form shows it ("Ben Evans #84", the name checked); FieldError otherwise."""
    s = v.text(text, max_len=200)
    if not s:
        raise v.FieldError(Message("required"))
    if s.startswith("#") and is_digits(s[1:]):  # not "#²": int() fails
        number = int(s[1:])
        c = uow.session.get(Contact, number)
    else:
        c = find_by_name_or_email(uow, s, kind=kind)
        if c is not None and c.email != s.lower():  # found by its name: the only one?
            _only_one_named(uow, c, kind)
        named = NAMED_NUMBER.fullmatch(s) if c is None else None
        if c is None and not named and not s.startswith("#"):
            c = _named_without_accents(uow, s, kind)
        if named:
            number = int(named.group(2))
            c = uow.session.get(Contact, number)
            if c is None:
                raise v.FieldError(Message("there is no contact {number}", number=f"#{number}"))
            if fold(" ".join(named.group(1).split())) != fold(" ".join(c.name.split())):
                raise v.FieldError(
                    Message(
                        "#{number} is {name}, not {typed}",
                        number=number,
                        name=c.name,
                        typed=named.group(1),
                    )
                )
    if c is None:
        if s.startswith("#") and is_digits(s[1:]):
            raise v.FieldError(Message("there is no contact {number}", number=s[:20]))
        if kind == "organization":
            raise v.FieldError(Message("no organisation named {name}", name=quoted(s, 60)))
        raise v.FieldError(Message("no contact named {name}", name=quoted(s, 60)))
    if c.archived:
        raise v.FieldError(Message("{name} is archived", name=c.name))
    if kind == "organization" and c.kind != kind:
        raise v.FieldError(Message("{name} is not an organization", name=c.name))
    if kind == "person" and c.kind != kind:
        raise v.FieldError(Message("{name} is not a person", name=c.name))
    return c


def _row(c: Contact) -> ContactRow:
    return ContactRow(
        c.id,
        c.name,
        c.kind,
        c.email or "",
        c.phone or "",
        c.city,
        c.country,
        c.stage,
        c.owner or "",
        c.archived,
    )


@requires("contacts.view")
def possible_duplicates(
    uow: UnitOfWork, name: str, email: str | None, phone: str | None, *, exclude: int | None = None
) -> list[ContactRow]:
    """Contacts with the same email or phone, or a very similar name."""
    conds = [Contact.sort_name == v.sort_key(name)]
    if email:
        conds.append(Contact.email == email)
    if phone:
        conds.append(Contact.phone == phone)
    words = [w for w in name.split() if len(w) > 2]
    if len(words) >= 2:
        # the same words in another order ("Smith John" vs "John Smith")
        conds.append(Contact.sort_name == v.sort_key(" ".join(reversed(words))))
    # the same name but for accents, case and spaces ("Adrian  Muresan", "Adrian Mureșan"):
    # the first line of the folded search text, found through its index
    folded = fold(name).split()
    for same in {" ".join(folded), " ".join(reversed(folded))}:
        if len(same) >= 3:
            first_line = like_pattern(same)[1:-1] + "\n%"
            conds.append(
                _search_condition(uow, same) & Contact.search_text.like(first_line, escape="\\")
            )
    stmt = select(Contact).where(or_(*conds), Contact.archived.is_(False))
    if exclude is not None:
        stmt = stmt.where(Contact.id != exclude)
    return [_row(c) for c in uow.session.exec(stmt.limit(10))]


def _set_tags(uow: UnitOfWork, contact_id: int, tags: list[str]) -> None:
    current = set(
        uow.session.exec(select(ContactTag.tag).where(ContactTag.contact_id == contact_id))
    )
    for t in current - set(tags):
        uow.session.delete(uow.session.get(ContactTag, (contact_id, t)))
    for t in set(tags) - current:
        uow.session.add(ContactTag(contact_id=contact_id, tag=t))


def _snapshot(c: Contact, tags: list[str] | tuple[str, ...]) -> dict:
    d = c.model_dump(exclude={"sort_name", "created_at", "updated_at"})
    d["tags"] = sorted(tags)
    return d


@requires("contacts.edit")
def create(uow: UnitOfWork, data: ContactInput) -> Saved:
    clean = _clean(uow, data)
    tags = clean.pop("tags")
    dups = possible_duplicates(uow, clean["name"], clean["email"], clean["phone"])
    c = Contact(**clean, sort_name=v.sort_key(clean["name"]), updated_by=uow.user)
    uow.session.add(c)
    uow.session.flush()
    _set_tags(uow, c.id, tags)
    uow.audit("contact", c.id, "create", after=_snapshot(c, tags))
    nurture.stage_entered(uow, c, None)
    return Saved(_view(uow, c), _duplicate_warnings(dups))


@requires("contacts.edit")
def update(uow: UnitOfWork, contact_id: int, data: ContactInput, *, version: int) -> Saved:
    """Save an edit made on ``version``; refuses if someone saved in between."""
    c = _load(uow, contact_id)
    check_version(uow, c, version)
    clean = _clean(uow, data, self_id=c.id)
    tags = clean.pop("tags")
    before = _snapshot(c, get(uow, c.id).tags)
    for k, val in clean.items():
        setattr(c, k, val)
    c.sort_name = v.sort_key(c.name)
    touch(uow, c)
    _set_tags(uow, c.id, tags)
    uow.session.flush()
    uow.audit("contact", c.id, "update", before=before, after=_snapshot(c, tags))
    nurture.stage_entered(uow, c, before["stage"])
    dups = possible_duplicates(uow, c.name, c.email, c.phone, exclude=c.id)
    return Saved(_view(uow, c), _duplicate_warnings(dups))


def _duplicate_warnings(dups: list[ContactRow]) -> list[str]:
    return [Message("Possible duplicate of {name} (#{id})", name=d.name, id=d.id) for d in dups]


# --- archive, delete, merge --------------------------------------------------------------


_REFERENCES = {  # what points at a contact, counted, for a message
    "deals": lambda n: Message.plural("{n} deal", "{n} deals", n),
    "tickets": lambda n: Message.plural("{n} ticket", "{n} tickets", n),
    "interactions": lambda n: Message.plural("{n} interaction", "{n} interactions", n),
    "members": lambda n: Message.plural("{n} member", "{n} members", n),
    "purchase orders": lambda n: Message.plural("{n} purchase order", "{n} purchase orders", n),
    "products": lambda n: Message.plural("{n} product", "{n} products", n),
    "journal lines": lambda n: Message.plural("{n} journal line", "{n} journal lines", n),
    "e-mails": lambda n: Message.plural("{n} e-mail", "{n} e-mails", n),
}


def _references(uow: UnitOfWork, contact_id: int) -> v.Listing:
    """What points at a contact, as words for a message (empty: safe to delete)."""
    checks = (
        (
            "deals",
            select(func.count())
            .select_from(Deal)
            .where(or_(Deal.contact_id == contact_id, Deal.organization_id == contact_id)),
        ),
        (
            "tickets",
            select(func.count()).select_from(Ticket).where(Ticket.contact_id == contact_id),
        ),
        (
            "interactions",
            select(func.count())
            .select_from(Interaction)
            .where(Interaction.contact_id == contact_id),
        ),
        (
            "members",
            select(func.count()).select_from(Contact).where(Contact.organization_id == contact_id),
        ),
        (
            "purchase orders",
            select(func.count())
            .select_from(PurchaseOrder)
            .where(PurchaseOrder.supplier_id == contact_id),
        ),
        (
            "products",
            select(func.count()).select_from(Product).where(Product.supplier_id == contact_id),
        ),
        (
            "journal lines",
            select(func.count())
            .select_from(JournalLine)
            .where(JournalLine.contact_id == contact_id),
        ),
        (
            "e-mails",
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.contact_id == contact_id),
        ),
    )
    found = []
    for label, stmt in checks:
        n = uow.session.exec(stmt).one()
        if n:
            found.append(_REFERENCES[label](n))
    return v.Listing(found)


@requires("contacts.edit")
def archive(uow: UnitOfWork, contact_id: int, *, version: int) -> ContactView:
    """Archive the contact as the person saw it (``version``: from the page, or the list's
    question); a change made since is refused with a Conflict saying who made it. Every door
    passes the version it showed, never one read just now."""
    c = _load(uow, contact_id)
    check_version(uow, c, version)
    if c.archived:
        return _view(uow, c)
    c.archived = True
    touch(uow, c)
    uow.audit("contact", c.id, "archive")
    nurture.cancel_open(uow, c.id)  # nobody follows up an archived contact
    return _view(uow, c)


@requires("contacts.edit")
def unarchive(uow: UnitOfWork, contact_id: int, *, version: int) -> ContactView:
    c = _load(uow, contact_id)
    check_version(uow, c, version)
    if c.merged_into_id:
        raise ValidationError(
            {
                "": Message(
                    "{name} was merged into #{id}; open that one", name=c.name, id=c.merged_into_id
                )
            }
        )
    c.archived = False
    touch(uow, c)
    uow.audit("contact", c.id, "unarchive")
    return _view(uow, c)


@requires("contacts.edit")
def delete(uow: UnitOfWork, contact_id: int, *, version: int) -> None:
    """Delete a contact nothing refers to; otherwise refuse and say to archive it."""
    c = _load(uow, contact_id)
    check_version(uow, c, version)
    refs = _references(uow, contact_id)
    if refs:
        raise Conflict(
            Message(
                "{name} cannot be deleted: it has {references}. Archive it instead.",
                name=c.name,
                references=refs,
            )
        )
    before = _snapshot(c, get(uow, c.id).tags)
    _set_tags(uow, c.id, [])
    nurture.on_delete(uow, c.id)
    uow.session.delete(c)
    uow.audit("contact", contact_id, "delete", before=before)


MERGE_FILL = (
    "email",
    "phone",
    "street",
    "city",
    "postcode",
    "country",
    "owner",
    "source",
    "organization_id",
    "payment_terms",
)


@requires("contacts.edit")
def merge(uow: UnitOfWork, keep_id: int, drop_id: int) -> ContactView:
    """Move everything linked to ``drop`` onto ``keep``, fill keep's gaps, archive drop."""
    if keep_id == drop_id:
        raise ValidationError({"": Message("choose two different contacts to merge")})
    keep, drop = _load(uow, keep_id), _load(uow, drop_id)
    if keep.archived or drop.archived:
        raise ValidationError({"": Message("archived contacts cannot be merged; unarchive first")})
    before = {
        "keep": _snapshot(keep, get(uow, keep.id).tags),
        "drop": _snapshot(drop, get(uow, drop.id).tags),
    }
    sess = uow.session
    _employees_merge(uow, keep, drop)
    nurture.before_merge(uow, keep.id, drop.id)
    left = keep.stage
    for model, col in (
        (Interaction, Interaction.contact_id),
        # their documents with them: their postings move below, and a customer's statement,
        # ageing and reminders read the documents (invoices keep the name they were issued to)
        (SalesOrder, SalesOrder.customer_id),
        (Invoice, Invoice.customer_id),
        (Reminder, Reminder.customer_id),
        (RecurringTemplate, RecurringTemplate.customer_id),
        (Employee, Employee.contact_id),  # (_employees_merge: not both employees)
        (Deal, Deal.contact_id),
        (Deal, Deal.organization_id),
        (Ticket, Ticket.contact_id),
        (Contact, Contact.organization_id),
        (PurchaseOrder, PurchaseOrder.supplier_id),
        (SupplierBill, SupplierBill.supplier_id),
        (Product, Product.supplier_id),
        # amounts never change; the lines now name the surviving contact (the audit says so)
        (JournalLine, JournalLine.contact_id),
        (OutboxMessage, OutboxMessage.contact_id),  # the e-mails sent to them (services/mail)
        (FollowUp, FollowUp.contact_id),  # its follow-up activities (services/crm/nurture)
    ):
        sess.execute(sql_update(model).where(col == drop.id).values({col.key: keep.id}))
    _consent_merge(uow, keep.id, drop.id)
    if keep.organization_id == keep.id:
        keep.organization_id = None
    tags = sorted(set(get(uow, keep.id).tags) | set(get(uow, drop.id).tags))
    _set_tags(uow, drop.id, [])
    _set_tags(uow, keep.id, tags)
    email = drop.email
    drop.email = None  # unique: free it before keep may take it
    sess.flush()
    for name in MERGE_FILL:
        value = email if name == "email" else getattr(drop, name)
        if not getattr(keep, name) and value and value != keep.id:
            setattr(keep, name, value)
    if drop.notes:
        keep.notes = (keep.notes + "\n\n" + drop.notes).strip()[:20_000]
    keep.is_customer |= drop.is_customer
    keep.is_supplier |= drop.is_supplier
    if drop.stage != "inactive" and STAGES.index(drop.stage) > STAGES.index(keep.stage):
        keep.stage = drop.stage  # the furthest along of the two (lead < prospect < customer)
    drop.archived = True
    drop.merged_into_id = keep.id
    touch(uow, keep)
    touch(uow, drop)
    sess.flush()
    uow.audit(
        "contact", keep.id, "merge", before=before, after={"kept": keep.id, "merged": drop.id}
    )
    uow.audit("contact", drop.id, "merged_into", after={"into": keep.id})
    nurture.after_merge(uow, keep, left)
    return _view(uow, keep)


def _employees_merge(uow: UnitOfWork, keep: Contact, drop: Contact) -> None:
    """An employee is one contact: two employees are two people, never merged."""
    both = uow.session.scalars(
        select(Employee.id).where(Employee.contact_id.in_((keep.id, drop.id)))
    ).all()
    if len(both) == 2:
        raise ValidationError(
            {
                "": Message(
                    "{keep} and {drop} are both employees (#{one} and #{two}): two people, "
                    "not one; they are not merged",
                    keep=keep.name,
                    drop=drop.name,
                    one=min(both),
                    two=max(both),
                )
            }
        )


def _consent_merge(uow: UnitOfWork, keep_id: int, drop_id: int) -> None:
    """Their e-mail consent and campaign mail: the merged contact's consent is kept's when
    kept has none, and an opt-out of either stands (never lost to the other's opt-in);
    their campaign mail moves, but for a campaign that mailed both (it stays as sent)."""
    sess = uow.session
    mine, theirs = sess.get(EmailConsent, keep_id), sess.get(EmailConsent, drop_id)
    if theirs is not None:
        if mine is None or (theirs.state == "out" and mine.state != "out"):
            if mine is not None:
                sess.delete(mine)
                sess.flush()
            sess.add(
                EmailConsent(
                    contact_id=keep_id,
                    state=theirs.state,
                    at=theirs.at,
                    how=theirs.how,
                    by=theirs.by,
                )
            )
        sess.delete(theirs)
        sess.flush()
    both = select(CampaignRecipient.campaign_id).where(CampaignRecipient.contact_id == keep_id)
    sess.execute(
        sql_update(CampaignRecipient)
        .where(CampaignRecipient.contact_id == drop_id, CampaignRecipient.campaign_id.not_in(both))
        .values(contact_id=keep_id)
        .execution_options(synchronize_session=False)
    )


# --- interactions ------------------------------------------------------------------------


@dataclass(frozen=True)
class InteractionView:
    id: int
    contact_id: int
    kind: str
    at: datetime
    username: str
    summary: str


@requires("contacts.edit")
def log_interaction(
    uow: UnitOfWork,
    contact_id: int,
    kind: str,
    summary: str,
    at: datetime | str | None = None,
    *,
    now: datetime | None = None,
) -> InteractionView:
    """Log what happened with a contact. ``kind``: the stored word (``call``) or as the
    reader's language says it ("llamada"), as a ticket's priority is read. ``at``: when it
    happened, a datetime, or typed (a date as the person writes dates, then optionally HH:MM
    in the shop's time zone: zones.read_moment; never in the future); None or empty: now."""
    c = _load(uow, contact_id)
    chk = v.Checker()
    kind = chk("kind", v.word, kind, INTERACTION_NAMES)
    summary = chk("summary", v.text, summary, required=True, max_len=5000, multiline=True)
    when = chk("at", read_moment, at, shop_zone(uow.setting), local=uow.person_input, now=now)
    chk.done()
    row = Interaction(
        contact_id=c.id,
        kind=kind,
        summary=summary,
        username=uow.user,
        at=when or now or utcnow(),
    )
    uow.session.add(row)
    uow.session.flush()
    uow.audit(
        "interaction",
        row.id,
        "create",
        after={"contact_id": c.id, "kind": kind, "summary": summary, "at": row.at.isoformat()},
    )
    return InteractionView(row.id, row.contact_id, row.kind, row.at, row.username, row.summary)


@requires("contacts.view")
def list_interactions(uow: UnitOfWork, contact_id: int, limit: int = 100) -> list[InteractionView]:
    rows = uow.session.exec(
        select(Interaction)
        .where(Interaction.contact_id == contact_id)
        .order_by(Interaction.at.desc(), Interaction.id.desc())
        .limit(limit)
    )
    return [InteractionView(r.id, r.contact_id, r.kind, r.at, r.username, r.summary) for r in rows]


# --- segments ----------------------------------------------------------------------------


SEGMENT_FIELDS = ("city", "country", "tag", "stage", "owner")
NONE = N_("(none)")  # the group of contacts with no value (no city, no tag ...)


@dataclass(frozen=True)
class SegmentRow:
    value: str
    contacts: int
    customers: int
    sales: Decimal = Decimal(0)  # invoiced net less credit notes, all time


@requires("reports.crm")
def segments(uow: UnitOfWork, by: str) -> list[SegmentRow]:
    """Counts of live contacts (and customers among them) grouped by one field, with what
    they bought (net of credit notes), all in SQL."""
    if by not in SEGMENT_FIELDS:
        raise ValidationError({"by": v.must_be_one_of(SEGMENT_FIELDS)})
    bought = (
        select(
            Invoice.customer_id.label("cid"),
            func.sum(
                case((Invoice.kind == "invoice", Invoice.net_minor), else_=-Invoice.net_minor)
            ).label("net"),
        )
        .group_by(Invoice.customer_id)
        .subquery()
    )
    cust = func.sum(case((Contact.is_customer.is_(True), 1), else_=0))
    sales = func.coalesce(func.sum(bought.c.net), 0)
    if by == "tag":
        key = ContactTag.tag
        stmt = (
            select(key, func.count(), cust, sales)
            .select_from(ContactTag)
            .join(Contact, Contact.id == ContactTag.contact_id)
        )
    else:
        key = func.coalesce(getattr(Contact, by), "")
        stmt = select(key, func.count(), cust, sales).select_from(Contact)
    stmt = stmt.outerjoin(bought, bought.c.cid == Contact.id)
    stmt = stmt.where(Contact.archived.is_(False)).group_by(key).order_by(func.count().desc(), key)
    exp = uow.exponent
    return [
        SegmentRow(r[0] or NONE, r[1], int(r[2] or 0), from_minor(int(r[3]), exp))
        for r in uow.session.exec(stmt)
    ]


@requires("contacts.view")
def counts(uow: UnitOfWork) -> dict[str, int]:
    """Live contacts, customers and suppliers, for the home screen."""
    row = uow.session.exec(
        select(
            func.count(),
            func.sum(case((Contact.is_customer.is_(True), 1), else_=0)),
            func.sum(case((Contact.is_supplier.is_(True), 1), else_=0)),
        ).where(Contact.archived.is_(False))
    ).one()
    return {"contacts": row[0], "customers": int(row[1] or 0), "suppliers": int(row[2] or 0)}


def suggest(
    uow: UnitOfWork, prefix: str, *, kind: str | None = None, limit: int = 10
) -> list[ContactRow]:
    """Live contacts whose name starts with ``prefix`` (type-ahead; uses the name index)."""
    key = v.sort_prefix(prefix.strip())
    if not key:
        return []
    stmt = select(Contact).where(
        Contact.archived.is_(False),
        Contact.sort_name >= key,
        Contact.sort_name < key + "\U0010ffff",
    )
    if kind:
        stmt = stmt.where(Contact.kind == kind)
    rows = uow.session.exec(stmt.order_by(Contact.sort_name, Contact.id).limit(limit))
    return [_row(c) for c in rows]
