"""Stored states inside sentences: a service that tells a person "SO-00007 is partially
delivered" gives the state as ``state_word(so.state)``, a Message translated where the
sentence is shown (its English value is the stored word, which stays untouched)."""

from __future__ import annotations

from bizdesk.i18n import N_, Message

# the stored words (English) of orders, deals and the outbox, as people read them
STATE_WORDS = {
    w: w
    for w in (
        N_("draft"),
        N_("sent"),
        N_("confirmed"),
        N_("partially delivered"),
        N_("delivered"),
        N_("partially received"),
        N_("received"),
        N_("invoiced"),
        N_("billed"),
        N_("closed"),
        N_("cancelled"),
        N_("won"),
        N_("lost"),
        N_("queued"),
        N_("sending"),
        N_("unsure"),
    )
}


def state_word(state: object) -> str:
    """A stored state for a sentence's placeholder: a known word as a Message (translated
    with the sentence), any other value (a shop's own stage name) as it is."""
    text = str(getattr(state, "value", state))
    return Message(text) if text in STATE_WORDS else text
