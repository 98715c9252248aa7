"""The demo shop's lead nurturing: two sequences in the shop's language, and follow-ups
for its contacts (done ones logged, some open), in every demo locale; the large store's
follow-ups in bulk, due on working days as the service makes them."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from bizdesk.db import open_store
from bizdesk.models.contacts import Interaction
from bizdesk.models.nurture import FollowUp
from bizdesk.services.crm import contacts, followups, nurture
from bizdesk.services.demo import nurture as demo_nurture
from bizdesk.services.demo import shop as demo

TODAY = date(2026, 11, 25)  # a Wednesday


def _store(tmp_path, locale: str):  # noqa: ANN001, ANN202
    store = open_store(str(tmp_path / f"{locale}.db"))
    demo.prepare(store, locale)
    with store.write() as uow:
        for i in range(12):
            contacts.create(uow, contacts.ContactInput(name=f"Lead {i}", stage="lead"))
            contacts.create(uow, contacts.ContactInput(name=f"Buyer {i}", stage="customer"))
    return store


def test_every_locale_has_the_same_two_sequences() -> None:
    shape = {
        loc: [(stage, [(d, k) for d, k, _t in steps]) for _n, stage, steps in t["sequences"]]
        for loc, t in demo_nurture.TEXTS.items()
    }
    assert set(shape) == set(demo.demo_locales())
    assert len({repr(s) for s in shape.values()}) == 1
    english = demo_nurture.TEXTS["en_US"]
    for loc, t in demo_nurture.TEXTS.items():
        if loc != "en_US":  # written in the shop's language, not left in English
            assert not {n for n, _s, _st in t["sequences"]} & {
                n for n, _s, _st in english["sequences"]
            }
            assert not set(t["done"]) & set(english["done"])


@pytest.mark.parametrize("locale", ["en_US", "es_ES", "ro_RO", "vi_VN"])
def test_the_demo_follow_ups(tmp_path, locale: str) -> None:  # noqa: ANN001
    store = _store(tmp_path, locale)
    try:
        made = demo_nurture.small(store, demo._shop_for(store, locale), TODAY)["follow_ups"]
        texts = demo_nurture.TEXTS[locale]
        with store.read() as uow:
            names = {nurture.find_sequence(uow, n).stage for n, _s, _st in texts["sequences"]}
            states = dict(
                uow.session.execute(
                    select(FollowUp.state, func.count()).group_by(FollowUp.state)
                ).all()
            )
            logged = uow.session.scalars(
                select(Interaction.summary).where(
                    Interaction.id.in_(select(FollowUp.interaction_id))
                )
            ).all()
            overdue = followups.counts(uow, today=TODAY)["overdue"]
            dues = uow.session.scalars(select(FollowUp.due)).all()
        assert names == {"lead", "customer"}
        assert made == sum(states.values()) and made > 30
        assert states.get("done", 0) > 5 and states.get("open", 0) > 10
        assert states.get("skipped", 0) >= 1 and overdue >= 1
        steps = {t for _n, _s, st in texts["sequences"] for _d, _k, t in st}
        assert logged and all(s.split("\n")[0] in steps for s in logged)
        assert all(d.weekday() < 5 for d in dues)  # the shop's working days
    finally:
        store.dispose()


def test_the_large_store_follow_ups_in_bulk(tmp_path) -> None:  # noqa: ANN001
    store = _store(tmp_path, "vi_VN")
    try:
        made = demo_nurture.large(store, demo._shop_for(store, "vi_VN"), TODAY)["follow_ups"]
        with store.read() as uow:
            rows = uow.session.execute(select(FollowUp.contact_id, FollowUp.due)).all()
        # 12 leads x 4 steps, and the customers whose id is a multiple of 4 x 3 steps
        assert (
            made
            == len(rows)
            == 12 * 4 + 3 * sum(1 for i in range(1, 25) if i % 2 == 0 and i % 4 == 0)
        )
        assert all(d.weekday() < 5 for _c, d in rows)
    finally:
        store.dispose()
