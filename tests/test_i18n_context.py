"""One English word, two meanings: a context (pgettext) lets each language translate them
apart (the key "New" and the pipeline stage "New"), and the old API is unchanged."""

from __future__ import annotations

import pickle

from bizdesk import i18n
from bizdesk.i18n import Message, _, npgettext, pgettext, written


def test_a_context_is_translated_apart_from_the_bare_word():
    try:
        i18n.use("es")
        assert _("New") == "Nuevo"  # the key
        assert pgettext("pipeline stage", "New") == "Nueva"
        assert _(Message.pgettext("deal key", "Won")) == "Ganar"
        assert _("Won") == "Ganada"  # the stage
        assert pgettext("e-mail", "To") == "Para" and _("To") == "Hasta"
        i18n.use("ro")
        assert str(Message.pgettext("account role", "equity")) == "capitaluri proprii"
        assert _("equity") == "capital"  # the account type
        assert pgettext("no such context", "New") == "New"  # not in the catalog: English
        assert npgettext("no such context", "{n} day", "{n} days", 2) == "{n} days"
    finally:
        i18n.use("en")
    assert pgettext("pipeline stage", "New") == "New"


def test_a_message_with_a_context_is_english_until_shown_and_crosses_processes():
    msg = Message.pgettext("deal key", "Won")
    assert msg == "Won" and msg.context == "deal key"
    again = pickle.loads(pickle.dumps(msg))
    assert again == "Won" and again.context == "deal key"
    plain = pickle.loads(pickle.dumps(Message("{n} is not a number", n="x")))
    assert plain.context is None and plain == "x is not a number"
    counted = Message.npgettext("ctx", "{n} line", "{n} lines", 3)
    assert counted == "3 lines" and pickle.loads(pickle.dumps(counted)).context == "ctx"


def test_a_stored_default_is_written_with_its_context():
    stage = Message.pgettext("pipeline stage", "New")
    assert written("es_ES", stage) == "Nueva"
    assert written("ro_RO", stage) == "Nouă"
    assert written("en_US", stage) == "New"
    assert written("es_ES", i18n.N_("New")) == "Nuevo"  # no context: as before
