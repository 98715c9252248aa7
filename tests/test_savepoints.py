"""Every public service call is all or nothing, even inside a larger unit of work: a caller
that catches a refusal and carries on (a screen, an import, a script) commits nothing of the
refused call, and everything of the calls that succeeded around it."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from bizdesk.errors import ValidationError
from bizdesk.models.contacts import Contact
from bizdesk.models.core import AuditEvent
from bizdesk.services.base.permissions import requires
from bizdesk.services.crm import contacts
from bizdesk.services.crm.contacts import ContactInput


@requires("contacts.edit")
def _create_then_refuse(uow, name: str) -> None:  # noqa: ANN001
    """A service that writes (through another service) and then refuses."""
    contacts.create(uow, ContactInput(name=name))
    uow.session.flush()
    raise ValidationError({"name": f"{name} is refused after it was written"})


def _names(store) -> list[str]:  # noqa: ANN001
    with store.read() as uow:
        return sorted(uow.session.scalars(select(Contact.name)))


def test_a_refused_call_inside_a_unit_of_work_leaves_nothing(store) -> None:  # noqa: ANN001
    with store.write() as uow:
        contacts.create(uow, ContactInput(name="Before"))
        with pytest.raises(ValidationError, match="refused after it was written"):
            _create_then_refuse(uow, "Refused")
        # the unit of work goes on and commits; the refused call's writes are gone
        contacts.create(uow, ContactInput(name="After"))
    assert _names(store) == ["After", "Before"]
    with store.read() as uow:
        audited = uow.session.execute(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.entity == "contact")
        ).scalar_one()
    assert audited == 2  # Before and After; nothing of the refused call


def test_a_refused_call_as_the_only_call_commits_nothing(store) -> None:  # noqa: ANN001
    with store.write() as uow:
        with pytest.raises(ValidationError):
            _create_then_refuse(uow, "Alone")
    assert _names(store) == []


def test_nested_calls_belong_to_the_outermost_call(store) -> None:  # noqa: ANN001
    """Inside a public call, inner calls share its savepoint: all of it goes or stays."""

    @requires("contacts.edit")
    def outer(uow) -> None:  # noqa: ANN001
        contacts.create(uow, ContactInput(name="Inner one"))
        contacts.create(uow, ContactInput(name="Inner two"))
        raise ValidationError({"": "the outer call is refused"})

    with store.write() as uow:
        with pytest.raises(ValidationError):
            outer(uow)
        assert uow.service_depth == 0
    assert _names(store) == []
