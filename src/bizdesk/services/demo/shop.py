"""The demo shop: a believable bike shop, the same every time it is generated.

One shop per locale (data/demo: shop.json, the English one, and es_ES, ro_RO, vi_VN): local
names, cities, phone numbers, products and prices in the local currency; the store it fills
is set up with that locale, currency and the chart of accounts the locale's country uses.

Everything comes from one seeded random generator and from dates counted from the day it
is generated, so overdue activities and SLA clocks look alive whenever it is made. The small
shop is created through the services (so every rule and audit event applies); the large
one (DESIGN section 10: benchmark size) uses bulk inserts of the same values.
"""

from __future__ import annotations

import json
import random
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, insert, select

from bizdesk.config import data_dir
from bizdesk.db.sequences import sync_id_sequences
from bizdesk.db.session import Store, UnitOfWork
from bizdesk.errors import ValidationError
from bizdesk.i18n import Message, written
from bizdesk.models.base import utcnow
from bizdesk.models.contacts import Contact, ContactTag, Interaction
from bizdesk.models.core import AuditEvent
from bizdesk.models.deals import Deal, PipelineStage
from bizdesk.models.tickets import Ticket
from bizdesk.money import currency_exponent
from bizdesk.reading import quoted
from bizdesk.services.admin import setup
from bizdesk.services.base import validate as v
from bizdesk.services.base.permissions import require_store
from bizdesk.services.crm import contacts as C
from bizdesk.services.crm import tickets as T
from bizdesk.services.demo import analysis as demo_analysis
from bizdesk.services.demo import campaigns as demo_campaigns
from bizdesk.services.demo import making as demo_making
from bizdesk.services.demo import nurture as demo_nurture
from bizdesk.services.demo import operations as demo_erp
from bizdesk.services.demo import people as demo_people
from bizdesk.services.demo import plans as demo_plans
from bizdesk.services.papers import shop as S
from bizdesk.services.trade import deals as D

SEED = 20261122
SIZES = {"small": (220, 48, 72), "large": (100_000, 20_000, 50_000)}


ENGLISH = "en_US"  # data/demo/shop.json; the others are data/demo/<locale>.json


def demo_locales() -> list[str]:
    """The locales a demo shop exists for."""
    others = (p.stem for p in (data_dir() / "demo").glob("??_??.json"))
    return sorted({ENGLISH, *others})


def _shop(locale: str = ENGLISH) -> dict:
    name = "shop" if locale == ENGLISH else locale
    return json.loads((data_dir() / "demo" / f"{name}.json").read_text(encoding="utf-8"))


def demo_locale(text: str) -> str:
    """A demo shop's locale from what was typed (vi_VN, vi-VN); refused if there is none."""
    wanted = text.strip().replace("-", "_").casefold()
    for locale in demo_locales():
        if locale.casefold() == wanted:
            return locale
    raise ValidationError(
        {
            "locale": Message(
                "there is no demo shop for {locale}; choose one of {locales}",
                locale=quoted(text, 20),
                locales=", ".join(demo_locales()),
            )
        }
    )


def prepare(store: Store, locale: str | None = None) -> None:
    """Set a new store up for the demo shop of ``locale``: its company, currency, locale
    and the chart of accounts of the locale (without a locale: the defaults, as always)."""
    if locale is None:
        setup.ensure_initialized(store)
        return
    shop = _shop(demo_locale(locale))
    with store.read() as uow:
        done = setup.is_initialized(uow)
    if done:
        setup.ensure_initialized(store)
        return
    with store.write() as uow:
        setup.initialize(
            uow, company=shop["company"], currency=shop["currency"], locale=shop["locale"]
        )


def _shop_for(store: Store, locale: str | None) -> dict:
    """The demo shop asked for, or the one of the store's locale (else the English one);
    refused when its prices cannot be written in the store's currency."""
    settings = store.settings()
    currency = settings.get("currency", "EUR")
    if locale is not None:
        shop = _shop(demo_locale(locale))
        if shop["currency"] != currency:
            raise ValidationError(
                {
                    "locale": Message(
                        "the {locale} demo shop sells in {demo_currency} and this store keeps "
                        "its books in {currency}: make the demo in a new store (bizdesk demo "
                        "--locale {locale} --db NEW-FILE)",
                        locale=shop["locale"],
                        demo_currency=shop["currency"],
                        currency=currency,
                    )
                }
            )
        return shop
    own = settings.get("locale", ENGLISH).replace("-", "_")
    if own in demo_locales() and own != ENGLISH:
        shop = _shop(own)
        if shop["currency"] == currency:
            return shop
    shop = _shop()
    if currency_exponent(currency) != currency_exponent(shop["currency"]):
        fits = [loc for loc in demo_locales() if _shop(loc)["currency"] == currency]
        if fits:
            why = Message(
                "the English demo shop's prices have cents and {currency} has none: "
                "use --locale {locale}",
                currency=currency,
                locale=fits[0],
            )
        else:
            why = Message(
                "the English demo shop's prices have cents and {currency} has none: make "
                "the demo in a new store (bizdesk demo --db NEW-FILE)",
                currency=currency,
            )
        raise ValidationError({"locale": why})
    return shop


def _local_stages(uow, shop: dict) -> None:  # noqa: ANN001
    """The default pipeline's stages under the shop's own names (a user's own are kept)."""
    names = shop.get("stages")
    if not names:
        return
    seeded = [s[0] for s in setup.DEFAULT_PIPELINE]
    loc = uow.setting("locale")
    local = dict(zip(seeded, names, strict=True))  # set up in English, or in the shop's words
    local.update(zip((written(loc, s) for s in seeded), names, strict=True))
    for stage in D.list_stages(uow, include_inactive=True):
        if stage.name in local and stage.name != local[stage.name]:
            D.update_stage(uow, stage.id, name=local[stage.name])


def _phone(rng: random.Random, pattern: str) -> str:
    out = pattern
    for width in (7, 4, 3, 2):
        token = f"{{n{width}}}"
        while token in out:
            out = out.replace(token, str(rng.randrange(10 ** (width - 1), 10**width)), 1)
    return out


def _people(rng: random.Random, shop: dict, n: int):
    """Yield (name, kind, email, phone, city, country, tags, stage, customer, supplier)."""
    for i in range(n):
        place = shop["places"][i % len(shop["places"])]
        city = rng.choice(place["cities"])
        if i % 10 == 0:
            words = shop["company_words"]
            word, word2 = rng.choice(words), rng.choice(words)
            while shop["distinct_words"] and word2 == word:  # "Phú Phú": not a name
                word2 = rng.choice(words)
            suffix = rng.choice(shop["company_suffixes"])
            name = shop["company_format"].format(word=word, word2=word2, suffix=suffix)
            kind = "organization"
        else:
            first, last = rng.choice(shop["first_names"]), rng.choice(shop["last_names"])
            last2 = rng.choice(shop["last_names"]) if "{last2}" in shop["name_format"] else ""
            name = shop["name_format"].format(first=first, last=last, last2=last2)
            kind = "person"
        # (an address of ASCII letters: many mail servers take no other, RFC 6531)
        slug = "".join(ch for ch in demo_erp.ascii_fold(name).lower() if ch.isalnum())[:20]
        slug = slug or "contact"
        email = f"{slug}.{i}@example.com" if i % 7 else ""
        phone = _phone(rng, place["phone"]) if i % 3 else ""
        tags = sorted(set(rng.sample(shop["tags"], rng.randrange(0, 3))))
        stage = rng.choice(("lead", "prospect", "customer", "customer", "customer", "inactive"))
        supplier = kind == "organization" and i % 20 == 0
        yield (
            name,
            kind,
            email,
            phone,
            city,
            place["country"],
            tags,
            stage,
            stage == "customer",
            supplier,
        )


def _is_empty(store: Store) -> bool:
    with store.read() as uow:
        return uow.session.execute(select(func.count()).select_from(Contact)).scalar_one() == 0


def generate(
    store: Store,
    size: str = "small",
    *,
    force: bool = False,
    today: date | None = None,
    locale: str | None = None,
) -> dict[str, int]:
    """Fill the store with the demo shop of ``locale`` (default: the one of the store's
    locale when there is one in its currency, else the English one)."""
    require_store(store, "demo.load")
    if size not in SIZES:
        raise ValidationError({"size": Message("small or large")})
    if not force and not _is_empty(store):
        raise ValidationError(
            {
                "": Message(
                    "this store already has data; use --force to add the demo shop to it anyway"
                )
            }
        )

    shop = _shop_for(store, locale)
    today = today or date.today()
    try:
        return _fill(store, shop, size, today)
    except ValidationError as exc:
        if not force:
            raise
        # --force on a store that holds the demo shop already: its people are there
        first = next(iter(exc.fields.values()), None)
        raise ValidationError(
            {
                "": Message(
                    "the demo shop cannot be added to what this store holds ({reason}); "
                    "nothing was added. Make it in a store of its own: bizdesk demo --db "
                    "NEW.db",
                    reason=first if first is not None else str(exc),
                )
            }
        ) from None


def _fill(store: Store, shop: dict, size: str, today: date) -> dict[str, int]:
    # one transaction: a demo killed half-way (or refused by a full disk) leaves nothing,
    # so running it again simply works
    with store.one_transaction():
        with store.write() as uow:
            _local_stages(uow, shop)
        if size == "small":
            counts = _small(store, shop, today)
            counts.update(demo_erp.small(store, shop, today))
            counts.update(demo_analysis.birth_dates(store, today))
            counts.update(demo_making.small(store, shop, today))
            counts.update(demo_campaigns.small(store, shop, today))
        else:
            counts = _large(store, shop, today)
            counts.update(demo_erp.large(store, shop, today))
        counts.update(demo_people.generate(store, shop, today))
        counts.update(demo_plans.generate(store, shop, today))
        counts.update(getattr(demo_nurture, size)(store, shop, today))
        demo_analysis.joined(store, today)  # last: every record it did is dated by now
    return counts


def _details(uow: UnitOfWork, shop: dict) -> None:
    """The shop's name, address, VAT id and bank on every document it prints, checked as
    the Shop details form checks them; its country's public holidays are not leave."""
    place = shop["places"][0]
    S.update(
        uow,
        S.ShopDetails(
            name=shop["company"],
            city=place["cities"][0],
            country=place["country"],
            **shop["details"],
        ),
    )
    if not uow.setting("vat_rates"):  # a chart that names no rates (the generic one): the
        uow.set_setting("vat_rates", shop["vat_rate"])  # shop's, as its products are sold at


def _small(store: Store, shop: dict, today: date) -> dict[str, int]:
    rng = random.Random(SEED)
    texts = shop["texts"]
    n_contacts, n_deals, n_tickets = SIZES["small"]
    base = datetime.combine(today, datetime.min.time(), UTC) + timedelta(hours=9)
    ids: list[int] = []
    orgs: list[str] = []
    with store.write() as uow:
        _details(uow, shop)
        for name, kind, email, phone, city, country, tags, stage, cust, supp in _people(
            rng, shop, n_contacts
        ):
            org = rng.choice(orgs) if orgs and kind == "person" and rng.random() < 0.3 else ""
            saved = C.create(
                uow,
                C.ContactInput(
                    name=name,
                    kind=kind,
                    email=email,
                    phone=phone,
                    city=city,
                    country=country,
                    tags=tags,
                    stage=stage,
                    is_customer=cust,
                    is_supplier=supp,
                    organization=org,
                    owner=uow.user if rng.random() < 0.5 else "",
                    source=rng.choice(texts["sources"]),
                ),
            )
            ids.append(saved.contact.id)
            if kind == "organization":
                orgs.append(f"#{saved.contact.id}")
            for k in range(rng.randrange(0, 3)):
                C.log_interaction(
                    uow,
                    saved.contact.id,
                    rng.choice(("call", "email", "meeting", "visit", "note")),
                    rng.choice(shop["notes"] + shop["replies"]),
                    at=base - timedelta(days=rng.randrange(1, 200), hours=k),
                )

    with store.write() as uow:
        stages = D.list_stages(uow)
        for i in range(n_deals):
            stage = stages[i % len(stages)]
            contact = ids[rng.randrange(len(ids))]
            title = rng.choice(shop["deal_titles"]).format(
                n=rng.randrange(2, 20), org=texts["deal_org"]
            )
            due = today + timedelta(days=rng.randrange(-10, 20))
            d = D.create(
                uow,
                D.DealInput(
                    title=title,
                    contact=f"#{contact}",
                    amount=f"{demo_erp.amount(shop, 'deal_amount', rng):.{uow.exponent}f}",
                    expected_close=(today + timedelta(days=rng.randrange(5, 120))).isoformat(),
                    next_activity=rng.choice(texts["next_activities"]),
                    next_activity_due=due.isoformat(),
                    owner=uow.user,
                ),
            )
            if i % 5 == 0:
                d = D.set_lines(
                    uow,
                    d.id,
                    [
                        D.LineInput(what, str(rng.randrange(1, 6)), price)
                        for what, price in texts["deal_lines"]
                    ],
                    version=d.version,
                )
            if stage.kind == "won":
                D.win(uow, d.id, rng.choice(shop["won_reasons"]), version=d.version)
            elif stage.kind == "lost":
                D.lose(uow, d.id, rng.choice(shop["lost_reasons"]), version=d.version)
            else:
                for _ in range(stage.position):
                    d = D.move(uow, d.id, +1, version=d.version)

    statuses = ("new", "open", "waiting", "resolved", "closed")
    priorities = ("low", "normal", "high", "urgent")
    with store.write() as uow:
        for i in range(n_tickets):
            created = base - timedelta(hours=rng.randrange(1, 24 * 20))
            t = T.create(
                uow,
                T.TicketInput(
                    subject=rng.choice(shop["ticket_subjects"]),
                    description=texts["ticket_description"],
                    contact=f"#{ids[rng.randrange(len(ids))]}",
                    priority=priorities[i % 4],
                    assignee=uow.user if i % 3 else "",
                ),
                now=created,
            )
            target = statuses[i % len(statuses)]
            step = created
            if target != "new":
                step += timedelta(hours=rng.randrange(1, 12))
                t = T.add_comment(uow, t.id, rng.choice(shop["replies"]), now=step)
                if rng.random() < 0.5:
                    t = T.add_comment(
                        uow,
                        t.id,
                        rng.choice(shop["notes"]),
                        internal=True,
                        now=step + timedelta(minutes=5),
                    )
            if target in ("waiting", "resolved", "closed"):
                step += timedelta(hours=rng.randrange(1, 30))
                t = T.set_status(
                    uow,
                    t.id,
                    "waiting" if target == "waiting" else "resolved",
                    version=t.version,
                    now=step,
                )
            if target == "closed":
                t = T.set_status(
                    uow, t.id, "closed", version=t.version, now=step + timedelta(hours=1)
                )
        T.refresh_breaches(uow)
    return {"contacts": n_contacts, "deals": n_deals, "tickets": n_tickets}


def _large(store: Store, shop: dict, today: date) -> dict[str, int]:
    """Benchmark-sized store through bulk inserts of service-shaped values."""
    rng = random.Random(SEED)
    texts = shop["texts"]
    n_contacts, n_deals, n_tickets = SIZES["large"]
    now = utcnow()
    with store.write() as uow:
        _details(uow, shop)
        s = uow.session
        first = (s.execute(select(func.max(Contact.id))).scalar() or 0) + 1
        batch, tags, audit = [], [], []
        for i, (name, kind, email, phone, city, country, tg, stage, cust, supp) in enumerate(
            _people(rng, shop, n_contacts)
        ):
            cid = first + i
            batch.append(
                {
                    "id": cid,
                    "kind": kind,
                    "name": name,
                    "sort_name": v.sort_key(name),
                    "email": email.replace("@", f".{first}@") or None,
                    "phone": phone.replace(" ", "") or None,
                    "city": city,
                    "country": country,
                    "stage": stage,
                    "is_customer": cust,
                    "is_supplier": supp,
                    "street": "",
                    "postcode": "",
                    "source": "demo",
                    "notes": "",
                    "archived": False,
                    "created_at": now,
                    "updated_at": now,
                    "updated_by": uow.user,
                    "version": 1,
                }
            )
            tags.extend({"contact_id": cid, "tag": t} for t in tg)
            audit.append(
                {
                    "at": now,
                    "username": uow.user,
                    "entity": "contact",
                    "entity_id": cid,
                    "action": "create",
                }
            )
        # Core executemany with the ids given: nothing has to come back per row
        conn = s.connection()
        conn.execute(insert(Contact.__table__), batch)
        sync_id_sequences(conn, "contact")
        conn.execute(insert(ContactTag.__table__), tags)
        conn.execute(
            insert(Interaction.__table__),
            [
                {
                    "contact_id": first + i,
                    "kind": "call",
                    "at": now,
                    "username": uow.user,
                    "summary": rng.choice(shop["notes"]),
                }
                for i in range(0, n_contacts, 5)
            ],
        )
        stages = list(
            s.execute(select(PipelineStage.id, PipelineStage.kind, PipelineStage.probability))
        )
        deals = []
        first_deal = (s.execute(select(func.max(Deal.id))).scalar() or 0) + 1
        for i in range(n_deals):
            sid, kind, prob = stages[i % len(stages)]
            title = rng.choice(shop["deal_titles"]).format(
                n=rng.randrange(2, 20), org=texts["large_deal_org"]
            )
            deals.append(
                {
                    "id": first_deal + i,
                    "title": title,
                    "sort_title": v.sort_key(title),
                    "contact_id": first + rng.randrange(n_contacts),
                    "stage_id": sid,
                    "amount_minor": demo_erp.minor(shop, "deal_amount", uow.exponent, rng),
                    "probability": prob,
                    "next_activity": texts["large_next_activity"],
                    "next_activity_due": today + timedelta(days=rng.randrange(-10, 30)),
                    "close_reason": "" if kind == "open" else "demo",
                    "closed_at": None if kind == "open" else now,
                    "archived": False,
                    "created_at": now,
                    "updated_at": now,
                    "updated_by": uow.user,
                    "version": 1,
                    "owner": uow.user,
                }
            )
        conn.execute(insert(Deal.__table__), deals)
        sync_id_sequences(conn, "deal")
        deal_ids = [d["id"] for d in deals]
        statuses = ("new", "open", "waiting", "resolved", "closed")
        tickets = []
        first_ticket = (s.execute(select(func.max(Ticket.id))).scalar() or 0) + 1
        for i in range(n_tickets):
            st = statuses[i % 5]
            created = now - timedelta(hours=rng.randrange(1, 24 * 60))
            closed = st in ("resolved", "closed")
            tickets.append(
                {
                    "id": first_ticket + i,
                    "subject": rng.choice(shop["ticket_subjects"]),
                    "description": "",
                    "contact_id": first + rng.randrange(n_contacts),
                    "priority": ("low", "normal", "high", "urgent")[i % 4],
                    "status": st,
                    "assignee": uow.user if i % 3 else None,
                    "created_at": created,
                    "first_response_at": None if st == "new" else created + timedelta(hours=1),
                    "resolved_at": created + timedelta(hours=20) if closed else None,
                    "first_response_due": created + timedelta(hours=8),
                    "resolution_due": None
                    if closed or st == "waiting"
                    else created + timedelta(hours=40),
                    "resolution_remaining_s": 3600 if closed or st == "waiting" else None,
                    "first_response_breached": False,
                    "resolution_breached": False,
                    "updated_at": now,
                    "updated_by": uow.user,
                    "version": 1,
                }
            )
        conn.execute(insert(Ticket.__table__), tickets)
        sync_id_sequences(conn, "ticket")
        ticket_ids = [t["id"] for t in tickets]
        conn.execute(
            insert(AuditEvent.__table__),
            audit
            + [
                {
                    "at": now,
                    "username": uow.user,
                    "entity": "deal",
                    "entity_id": d,
                    "action": "create",
                }
                for d in deal_ids
            ]
            + [
                {
                    "at": now,
                    "username": uow.user,
                    "entity": "ticket",
                    "entity_id": t,
                    "action": "create",
                }
                for t in ticket_ids
            ],
        )
        T.refresh_breaches(uow)
    return {"contacts": n_contacts, "deals": n_deals, "tickets": n_tickets}
