"""The demo shop's lead nurturing: two sequences (a new lead; a customer after the first
purchase) in the shop's language, and the follow-up activities they made for some of the
demo's contacts over the last weeks (some done, some skipped, some overdue, some today,
some to come), so the follow-ups list, Home and the contact pages have something to show."""

from __future__ import annotations

import random
from datetime import date, timedelta

from sqlalchemy import insert, select

from bizdesk.db.session import Store
from bizdesk.models.base import utcnow
from bizdesk.models.contacts import Contact
from bizdesk.models.nurture import FollowUp
from bizdesk.services.crm import followups as F
from bizdesk.services.crm import nurture as N

SEED = 20261201

# per demo locale: (sequence name, stage, steps (day, activity, what to do)), and the notes
# written when a follow-up was done or skipped; stored as the shop writes them
TEXTS: dict[str, dict] = {
    "en_US": {
        "sequences": [
            (
                "New lead: welcome",
                "lead",
                [
                    (0, "call", "Welcome call: ask what kind of riding they do"),
                    (2, "email", "Send the catalogue and the workshop's price list"),
                    (7, "meeting", "Invite them for a test ride on Saturday"),
                    (14, "call", "Ask whether they have decided"),
                ],
            ),
            (
                "Customer: after the first purchase",
                "customer",
                [
                    (3, "call", "Ask how the new bike rides"),
                    (30, "email", "Offer the free first service"),
                    (90, "task", "Check the warranty card was registered"),
                ],
            ),
        ],
        "done": [
            "Rides to work every day; wants mudguards",
            "Sent; they liked the gravel bikes",
            "Coming on Saturday at 11",
            "Happy with it; will bring it for the service",
        ],
        "skipped": ["No answer twice; left a message", "Bought elsewhere"],
    },
    "es_ES": {
        "sequences": [
            (
                "Nuevo contacto: bienvenida",
                "lead",
                [
                    (0, "call", "Llamada de bienvenida: preguntar qué tipo de ciclismo hace"),
                    (2, "email", "Enviar el catálogo y la lista de precios del taller"),
                    (7, "meeting", "Invitarle a una prueba el sábado"),
                    (14, "call", "Preguntar si ya se ha decidido"),
                ],
            ),
            (
                "Cliente: tras la primera compra",
                "customer",
                [
                    (3, "call", "Preguntar qué tal va la bici nueva"),
                    (30, "email", "Ofrecer la primera revisión gratuita"),
                    (90, "task", "Comprobar que la garantía está registrada"),
                ],
            ),
        ],
        "done": [
            "Va al trabajo en bici cada día; quiere guardabarros",
            "Enviado; le gustaron las de gravel",
            "Viene el sábado a las 11",
            "Contento; la traerá a la revisión",
        ],
        "skipped": ["No contesta; dejé un mensaje", "Ya compró en otra tienda"],
    },
    "ro_RO": {
        "sequences": [
            (
                "Contact nou: bun venit",
                "lead",
                [
                    (0, "call", "Apel de bun venit: întrebați ce fel de ciclism practică"),
                    (2, "email", "Trimiteți catalogul și lista de prețuri a atelierului"),
                    (7, "meeting", "Invitați-l la un test sâmbătă"),
                    (14, "call", "Întrebați dacă s-a hotărât"),
                ],
            ),
            (
                "Client: după prima cumpărare",
                "customer",
                [
                    (3, "call", "Întrebați cum merge bicicleta nouă"),
                    (30, "email", "Oferiți prima revizie gratuită"),
                    (90, "task", "Verificați că garanția a fost înregistrată"),
                ],
            ),
        ],
        "done": [
            "Merge zilnic la serviciu cu bicicleta; vrea aripi",
            "Trimis; i-au plăcut bicicletele de gravel",
            "Vine sâmbătă la ora 11",
            "Mulțumit; o aduce la revizie",
        ],
        "skipped": ["Nu răspunde; am lăsat un mesaj", "A cumpărat din altă parte"],
    },
    "vi_VN": {
        "sequences": [
            (
                "Khách mới: chào mừng",
                "lead",
                [
                    (0, "call", "Gọi chào mừng: hỏi khách hay đạp xe kiểu gì"),
                    (2, "email", "Gửi catalogue và bảng giá sửa xe"),
                    (7, "meeting", "Mời khách đến chạy thử vào thứ Bảy"),
                    (14, "call", "Hỏi khách đã quyết định chưa"),
                ],
            ),
            (
                "Khách hàng: sau lần mua đầu",
                "customer",
                [
                    (3, "call", "Hỏi xe mới chạy thế nào"),
                    (30, "email", "Mời bảo dưỡng miễn phí lần đầu"),
                    (90, "task", "Kiểm tra phiếu bảo hành đã đăng ký"),
                ],
            ),
        ],
        "done": [
            "Đạp xe đi làm hằng ngày; muốn lắp chắn bùn",
            "Đã gửi; khách thích dòng xe gravel",
            "Thứ Bảy 11 giờ khách sẽ đến",
            "Khách hài lòng; sẽ mang xe đến bảo dưỡng",
        ],
        "skipped": ["Gọi hai lần không nghe máy; đã nhắn lại", "Khách đã mua ở chỗ khác"],
    },
}


def _texts(shop: dict) -> dict:
    return TEXTS.get(shop.get("locale", "en_US"), TEXTS["en_US"])


def _sequences(store: Store, texts: dict) -> None:
    with store.write() as uow:
        for name, stage, steps in texts["sequences"]:
            N.create_sequence(
                uow,
                N.SequenceInput(
                    name, stage, True, [N.StepInput(str(d), k, t) for d, k, t in steps]
                ),
            )


def small(store: Store, shop: dict, today: date) -> dict[str, int]:
    """The two sequences; a dozen leads and customers entered their stage over the last
    three weeks: what fell due is mostly done (logged on the contact) or skipped."""
    rng = random.Random(SEED)
    texts = _texts(shop)
    _sequences(store, texts)
    with store.write() as uow:
        picked = []
        for stage, n in (("lead", 10), ("customer", 8)):
            picked += uow.session.scalars(
                select(Contact.id)
                .where(Contact.stage == stage, Contact.archived.is_(False))
                .order_by(Contact.id)
                .limit(n)
            ).all()
        for i, cid in enumerate(picked):
            N.start_sequences(uow, cid, entered=today - timedelta(days=(i * 5) % 22))
        rows = uow.session.execute(
            select(FollowUp.id, FollowUp.due)
            .where(FollowUp.contact_id.in_(picked))
            .order_by(FollowUp.id)
        ).all()
        made = len(rows)
        for fid, due in rows:
            if due >= today or rng.random() < 0.2:
                continue  # still to do (a few overdue ones stay for Home to show)
            if rng.random() < 0.8:
                F.complete(uow, fid, rng.choice(texts["done"]))
            else:
                F.skip(uow, fid, rng.choice(texts["skipped"]))
    return {"follow_ups": made}


def large(store: Store, shop: dict, today: date) -> dict[str, int]:
    """The benchmark's store: every lead and every fourth customer entered their stage on
    one of the last three weeks' days; the follow-ups in bulk, due as the service makes
    them (on the shop's working days)."""
    texts = _texts(shop)
    _sequences(store, texts)
    now = utcnow()
    made = 0
    with store.write() as uow:
        hours = N.shop_hours(uow)
        user = uow.user
        seq_ids = {
            v.stage: v.id
            for v in (N.find_sequence(uow, name) for name, _stage, _steps in texts["sequences"])
        }
        steps = {stage: st for _n, stage, st in texts["sequences"]}
        contacts = uow.session.execute(
            select(Contact.id, Contact.stage, Contact.owner).where(
                Contact.stage.in_(("lead", "customer")), Contact.archived.is_(False)
            )
        ).all()
        batch: list[dict] = []
        for cid, stage, owner in contacts:
            if stage == "customer" and cid % 4:
                continue
            entered = today - timedelta(days=cid % 21)
            for day, kind, text in steps[stage]:
                due = N.due_date(entered, day, hours)
                batch.append(
                    {
                        "contact_id": cid,
                        "sequence_id": seq_ids[stage],
                        "stage": stage,
                        "kind": kind,
                        "text": text,
                        "due": due,
                        "assignee": owner or user,
                        # what fell due was mostly dealt with (skipped: a bulk row logs
                        # no interaction, which a follow-up done always has)
                        "state": "skipped" if due < today and cid % 3 else "open",
                        "note": "",
                        "created_at": now,
                        "updated_at": now,
                        "updated_by": user,
                        "version": 1,
                    }
                )
            if len(batch) >= 20_000:
                uow.session.execute(insert(FollowUp.__table__), batch)
                made += len(batch)
                batch = []
        if batch:
            uow.session.execute(insert(FollowUp.__table__), batch)
            made += len(batch)
    return {"follow_ups": made}
