"""The demo shop's marketing: e-mail consent for part of its contacts, two saved segments,
a campaign already sent (with replies, an unsubscribe and an attributed sale and deal) and
a draft. In the shop's language (es_ES, ro_RO, vi_VN, or English).

The demo never sends mail: the sent campaign's messages are queued through the outbox like
any campaign's, then marked sent right here, never handed to a server.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, select, update

from bizdesk.db.session import Store
from bizdesk.i18n import language_of
from bizdesk.models.base import utcnow
from bizdesk.models.contacts import Contact
from bizdesk.models.mail import OutboxMessage
from bizdesk.models.marketing import CampaignRecipient
from bizdesk.models.stock import Product
from bizdesk.services.crm import contacts as C
from bizdesk.services.demo.operations import amount
from bizdesk.services.marketing import campaigns as K
from bizdesk.services.marketing import consent
from bizdesk.services.marketing import segments as S
from bizdesk.services.trade import deals as D
from bizdesk.services.trade import sales

SEED = 20261201
TEXTS = {
    "en": {
        "segment_city": "Riders in {city}",
        "segment_recent": "Bought in the last 90 days",
        "sent": "Bike check-up {year}",
        "sent_subject": "{first_name}, time for your bike's check-up",
        "sent_body": "Hello {first_name},\n\nbring your bike in for its check-up this "
        "month: we look at the brakes, gears and tyres while you wait.\n\n"
        "See you soon in {city}!",
        "draft": "Summer rides",
        "draft_subject": "Summer rides with us, {first_name}",
        "draft_body": "Hello {first_name},\n\nevery Saturday in July we ride together. Join us!",
        "deal": "Two city bikes after the check-up mailing",
    },
    "es": {
        "segment_city": "Ciclistas de {city}",
        "segment_recent": "Compraron en los últimos 90 días",
        "sent": "Revisión de la bici {year}",
        "sent_subject": "{first_name}, es hora de revisar su bici",
        "sent_body": "Hola, {first_name}:\n\ntraiga su bici este mes para la revisión: "
        "comprobamos frenos, cambios y neumáticos mientras espera.\n\n"
        "¡Le esperamos en {city}!",
        "draft": "Rutas de verano",
        "draft_subject": "Rutas de verano con nosotros, {first_name}",
        "draft_body": "Hola, {first_name}:\n\ntodos los sábados de julio salimos en "
        "grupo. ¡Apúntese!",
        "deal": "Dos bicis urbanas tras el envío de la revisión",
    },
    "ro": {
        "segment_city": "Bicicliștii din {city}",
        "segment_recent": "Au cumpărat în ultimele 90 de zile",
        "sent": "Revizia bicicletei {year}",
        "sent_subject": "{first_name}, e timpul pentru revizia bicicletei",
        "sent_body": "Bună ziua, {first_name},\n\naduceți bicicleta la revizie luna "
        "aceasta: verificăm frânele, schimbătoarele și anvelopele cât așteptați.\n\n"
        "Vă așteptăm în {city}!",
        "draft": "Ture de vară",
        "draft_subject": "Ture de vară împreună, {first_name}",
        "draft_body": "Bună ziua, {first_name},\n\nîn fiecare sâmbătă din iulie pedalăm "
        "împreună. Vă așteptăm!",
        "deal": "Două biciclete de oraș după campania de revizie",
    },
    "vi": {
        "segment_city": "Người đạp xe ở {city}",
        "segment_recent": "Đã mua trong 90 ngày qua",
        "sent": "Bảo dưỡng xe {year}",
        "sent_subject": "{first_name} ơi, đến lúc bảo dưỡng xe rồi",
        "sent_body": "Chào {first_name},\n\nhãy mang xe đến bảo dưỡng trong tháng này: "
        "chúng tôi kiểm tra phanh, bộ líp và lốp ngay khi bạn chờ.\n\n"
        "Hẹn gặp bạn ở {city}!",
        "draft": "Đạp xe mùa hè",
        "draft_subject": "Cùng đạp xe mùa hè nhé, {first_name}",
        "draft_body": "Chào {first_name},\n\nmỗi thứ Bảy của tháng Bảy chúng tôi cùng "
        "đạp xe. Hãy tham gia nhé!",
        "deal": "Hai xe đạp phố sau đợt thư bảo dưỡng",
    },
}
# the demo's unsubscribe page (a shop would give its own web site's)
DEMO_PAGE = "https://www.example.com/unsubscribe/{token}"


def small(store: Store, shop: dict, today: date) -> dict[str, int]:
    """Consent, segments and two campaigns on the small demo shop."""
    t = TEXTS.get(language_of(shop["locale"]) or "en", TEXTS["en"])
    rng = random.Random(SEED)
    base = datetime.combine(today, time(9), UTC)
    with store.write() as uow:
        with_email = uow.session.scalars(
            select(Contact.id).where(Contact.email.is_not(None)).order_by(Contact.id)
        ).all()
        opted = 0
        for cid in with_email:
            r = rng.random()
            when = base - timedelta(days=rng.randrange(20, 400))
            if r < 0.6:
                how = rng.choice(("form", "in person", "web", "import"))
                consent.set_consent(uow, cid, "in", how, at=when)
                opted += 1
            elif r < 0.66:
                consent.set_consent(uow, cid, "out", "by hand", at=when)
        city = uow.session.execute(
            select(Contact.city, func.count())
            .where(Contact.city != "", Contact.email.is_not(None))
            .group_by(Contact.city)
            .order_by(func.count().desc(), Contact.city)
        ).first()[0]
        near = S.create_segment(
            uow, S.SegmentInput(name=t["segment_city"].format(city=city), city=city)
        )
        recent = S.create_segment(
            uow,
            S.SegmentInput(
                name=t["segment_recent"],
                bought="*",
                bought_from=(today - timedelta(days=90)).isoformat(),
            ),
        )
        if not uow.setting(K.URL_SETTING):  # the shop has none yet
            K.set_unsubscribe_url(uow, DEMO_PAGE)
        sent = K.create_campaign(
            uow,
            K.CampaignInput(
                t["sent"].format(year=today.year),
                near.name,
                t["sent_subject"],
                t["sent_body"],
            ),
        )
        K.create_campaign(
            uow, K.CampaignInput(t["draft"], recent.name, t["draft_subject"], t["draft_body"])
        )
        queued = K.queue_campaign(uow, sent.id)
        # the demo sends nothing: its messages are marked sent here, never given to a server
        ids = select(CampaignRecipient.outbox_id).where(CampaignRecipient.campaign_id == sent.id)
        uow.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(ids))
            .values(state="sent", sent_at=utcnow(), attempts=1)
        )
        recipients = uow.session.scalars(
            select(CampaignRecipient)
            .where(CampaignRecipient.campaign_id == sent.id)
            .order_by(CampaignRecipient.id)
        ).all()
        for r in recipients[1:3]:
            K.mark_replied(uow, sent.id, f"#{r.contact_id}")
        if len(recipients) > 3:
            K.unsubscribe(uow, recipients[3].token)
        buyer = recipients[0].contact_id
        D.create(
            uow,
            D.DealInput(
                title=t["deal"],
                contact=f"#{buyer}",
                # the shop's money: 1,200 was 1.200 đồng beside bikes of millions
                amount=f"{amount(shop, 'campaign_deal'):.{uow.exponent}f}",
                owner=uow.user,
            ),
        )
        sku = uow.session.scalars(
            select(Product.sku).where(Product.active.is_(True)).order_by(Product.id)
        ).first()
        if sku:
            sales.create(
                uow,
                sales.SOInput(
                    customer=f"#{buyer}",
                    order_date=today.isoformat(),
                    lines=[sales.SOLineInput(product=sku, qty="1")],
                ),
            )
        C.log_interaction(uow, buyer, "visit", t["deal"])
    return {"consents": opted, "segments": 2, "campaigns": 2, "recipients": queued.queued}
