"""A ticket's priority and status typed in the reader's language read everywhere as `bizdesk
sla set alta 4 8` reads them (validate.word, on words.typed_word); a refusal lists the
choices as the reader reads them."""

from __future__ import annotations

import json

import pytest

from bizdesk.errors import ValidationError
from bizdesk.i18n import use
from bizdesk.services.crm import tickets as T
from tests.test_cli import bizdesk, db  # noqa: F401

SPANISH = {"LANGUAGE": "", "LC_ALL": "", "LC_MESSAGES": "", "LANG": "es_ES.UTF-8"}


def test_a_priority_and_a_status_in_the_readers_language(store) -> None:  # noqa: ANN001
    use("es")
    with store.write() as uow:
        t = T.create(uow, T.TicketInput(subject="Cadena", priority="Alta"))
        assert t.priority == "high"
        assert T.create(uow, T.TicketInput(subject="Otra", priority="URGENT")).priority == (
            "urgent"
        )
        t = T.set_status(uow, t.id, "Resuelta", version=t.version)
        assert t.status == "resolved"
    with pytest.raises(ValidationError) as exc, store.write() as uow:
        T.create(uow, T.TicketInput(subject="Cadena", priority="altísima"))
    assert str(exc.value.fields["priority"]) == "debe ser uno de: baja, normal, alta, urgente"
    use("en")
    with pytest.raises(ValidationError) as exc, store.write() as uow:
        T.create(uow, T.TicketInput(subject="Chain", priority="alta"))
    assert str(exc.value.fields["priority"]) == "must be one of: low, normal, high, urgent"


def test_new_ticket_takes_the_readers_priority(db) -> None:  # noqa: ANN001, F811
    said = bizdesk(
        "new", "ticket", "--subject", "Cadena", "--priority", "alta", "--format", "json",
        "--db", db, env=SPANISH,
    )  # fmt: skip
    assert said.returncode == 0, said.stderr
    assert json.loads(said.stdout)["priority"] == "high"
    doc = json.dumps({"subject": "Freno", "priority": "Urgente"})
    said = bizdesk("new", "ticket", "-", "--format", "json", "--db", db, stdin=doc, env=SPANISH)
    assert said.returncode == 0, said.stderr
    assert json.loads(said.stdout)["priority"] == "urgent"
    said = bizdesk(
        "new", "ticket", "--subject", "x", "--priority", "altísima", "--db", db, env=SPANISH
    )
    assert said.returncode == 1
    assert said.stderr.rstrip().endswith("debe ser uno de: baja, normal, alta, urgente"), (
        said.stderr
    )


def test_a_change_of_status_refused_names_both_in_the_readers_words(store) -> None:  # noqa: ANN001
    """It said "un ticket closed no puede pasar a waiting": the stored English words."""
    with store.write() as uow:
        t = T.create(uow, T.TicketInput(subject="Cadena"))
        t = T.set_status(uow, t.id, "closed", version=t.version)
    use("es")
    try:
        with pytest.raises(ValidationError) as exc, store.write() as uow:
            T.set_status(uow, t.id, "waiting", version=t.version)
        said = str(exc.value.fields["status"])
    finally:
        use("en")
    assert "closed" not in said and "waiting" not in said, said
    assert str(exc.value.fields["status"]) == "a closed ticket cannot become waiting"
