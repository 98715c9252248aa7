"""What a record's history names for each event (audit.shown_keys): what an update changed,
else every detail the event kept, never the bookkeeping every write changes."""

from __future__ import annotations

from bizdesk.services.admin.audit import changed_nothing, list_events, shown_keys
from bizdesk.services.crm import contacts as C


def test_an_update_names_what_it_changed_and_a_creation_what_it_kept(store):
    with store.write() as uow:
        C.create(uow, C.ContactInput(name="Ann Buyer", city="York"))
        C.update(uow, 1, C.ContactInput(name="Ann Buyer", city="Hull"), version=1)
    with store.read() as uow:
        made, changed = list_events(uow, entity="contact", entity_id=1)
    assert (made.action, changed.action) == ("create", "update")
    assert shown_keys(changed) == ["city"]
    kept = shown_keys(made)
    assert "name" in kept and "city" in kept
    assert not {"version", "updated_at", "search_text"} & set(kept)


def test_a_save_that_changed_nothing_names_nothing(store):
    """A save that changed no detail listed every one of them ("City: York → York")."""
    with store.write() as uow:
        C.create(uow, C.ContactInput(name="Ann Buyer", city="York"))
        C.update(uow, 1, C.ContactInput(name="Ann Buyer", city="York"), version=1)
    with store.read() as uow:
        made, saved = list_events(uow, entity="contact", entity_id=1)
    assert saved.action == "update"
    assert shown_keys(saved) == [] and changed_nothing(saved)
    assert not changed_nothing(made) and "city" in shown_keys(made)
