"""What a record's history names for each event (audit.shown_keys): what an update changed,
else every detail the event kept, never the bookkeeping every write changes."""

from __future__ import annotations

from bizdesk.services.admin.audit import list_events, shown_keys
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
