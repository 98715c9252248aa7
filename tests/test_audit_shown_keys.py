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


def test_a_detail_naming_a_record_by_its_id_shows_its_name(store):
    """A deal moved on was "Stage: 1 → 2" in its history, a product's supplier "181": the
    record named is shown by its name beside its id; one since deleted by its id alone."""
    from bizdesk.screens.history import read_history, value_text
    from bizdesk.services.trade import deals as D

    with store.write() as uow:
        C.create(uow, C.ContactInput(name="Ann Buyer"))
        gone = C.create(uow, C.ContactInput(name="Bob Gone")).contact
        deal = D.create(uow, D.DealInput(title="Bikes", contact="Ann Buyer", amount="10"))
        D.move(uow, deal.id, +1, version=deal.version)
        moved = D.get(uow, deal.id)
        data = D.DealInput(title="Bikes", contact="Bob Gone", amount="10", stage="Qualified")
        D.update(uow, deal.id, data, version=moved.version)
    with store.read() as uow:
        history = read_history(uow, "deal", deal.id)
    move = next(e for e in history.events if e.row.action == "move")
    assert value_text("stage_id", move.before, "en_US", None, move.names) == "New (#1)"
    assert value_text("stage_id", move.after, "en_US", None, move.names) == "Qualified (#2)"
    update = history.events[0]
    assert value_text("contact_id", update.before, "en_US", None, update.names) == (
        f"Ann Buyer (#{deal.contact_id})"
    )
    with store.write() as uow:  # back to Ann, and Bob, in no deal now, deleted
        data = D.DealInput(title="Bikes", contact="Ann Buyer", amount="10", stage="Qualified")
        D.update(uow, deal.id, data, version=D.get(uow, deal.id).version)
        C.delete(uow, gone.id, version=C.get(uow, gone.id).version)
    with store.read() as uow:
        history = read_history(uow, "deal", deal.id)
    to_bob = history.events[1]
    assert value_text("contact_id", to_bob.after, "en_US", None, to_bob.names) == f"#{gone.id}"


def test_a_receipt_and_a_delivery_show_their_lines_by_sku(store):
    """A receipt read "Lines: 117: 6; 118: 12" (the order lines' numbers): each line is
    shown by its product's SKU, two lines of one product each with its number."""
    from bizdesk.screens.history import read_history, value_text
    from bizdesk.services.admin.audit import detail_shape
    from bizdesk.services.trade import purchasing
    from tests.erp_helpers import order, product, supplier

    product(store, "BOLT", name="Bolt", cost="0.20")
    product(store, "NUT", name="Nut", cost="0.10")
    lines = (("BOLT", "10", "0.20"), ("NUT", "5", "0.10"), ("BOLT", "2", "0.20"))
    po = order(store, supplier(store), *lines)
    with store.write() as uow:
        purchasing.receive(uow, po.id, {line.id: "1" for line in po.lines})
    with store.read() as uow:
        history = read_history(uow, "purchase_order", po.id)
    receipt = next(e for e in history.events if e.row.action == "receive")
    shape = detail_shape("purchase_order", "receive", "lines")
    first, _nut, last = (line.id for line in po.lines)
    assert value_text("lines", receipt.after, "en_US", shape, receipt.names) == (
        f"BOLT #{first}: 1; NUT: 1; BOLT #{last}: 1"
    )


def test_an_entry_named_by_its_number_or_its_id_is_the_entry_posted(store):
    """An assembly order's and a payroll run's events keep the entry's number, a bank
    line's and a reversal's its id: each was read as an id, so where a draft had taken an
    id the history named another entry. A pay names its employees, not their ids."""
    from bizdesk.screens.history import read_history, value_text
    from bizdesk.services.books import ledger
    from bizdesk.services.inventory import moves
    from bizdesk.services.making import assembly, boms
    from bizdesk.services.people import payroll
    from tests.erp_helpers import product
    from tests.people_helpers import employee, lines

    capital = [ledger.LineInput("1010", "900", ""), ledger.LineInput("3000", "", "900")]
    with store.write() as uow:  # drafts first: ids and numbers part
        for _ in range(3):
            draft = ledger.create_draft(uow, ledger.EntryInput("2026-11-02", "m", capital))
        first = ledger.post(uow, draft.id, version=draft.version)
    assert (first.id, first.label) == (3, "JE-1")
    wheel = product(store, "WHEEL", name="Wheel", cost="10")
    cart = product(store, "CART", name="Cart")
    ana = employee(store, "Ana Pop", pay="2500")
    bo = employee(store, "Bo Ek", pay="2000")
    lines(store)
    with store.write() as uow:
        moves.adjust(uow, wheel, "12", "opening stock")  # JE-2
        boms.set_bom(uow, cart, boms.BomInput([("WHEEL", "4")], "2.50"))
        mo = assembly.create(uow, assembly.MOInput("CART", "1", "2026-11-03"))
        assembly.confirm(uow, mo.id)
        assembly.finish(uow, mo.id, "1", when="2026-11-03")  # JE-3
        run = payroll.create_run(uow, "2026-11")
        posted = payroll.post(uow, run.id)  # JE-4
        paid = payroll.pay(uow, run.id, "cash", when="2026-11-30")  # JE-5
        reversed_ = ledger.reverse(uow, first.id, when="2026-11-30", memo="undo")  # JE-6
    assert (posted.entry, paid.entry_label, reversed_.label) == ("JE-4", "JE-5", "JE-6")
    with store.read() as uow:
        made = read_history(uow, "assembly_order", mo.id).events[0]
        run_events = {e.row.action: e for e in read_history(uow, "payroll_run", run.id).events}
        undone = read_history(uow, "journal_entry", first.id).events[0]
    assert value_text("entry", made.after, "en_US", None, made.names) == "JE-3"
    post, pay = run_events["post"], run_events["pay"]
    assert value_text("entry", post.after, "en_US", None, post.names) == "JE-4"
    assert value_text("entry", pay.after, "en_US", None, pay.names) == "JE-5"
    assert value_text("employees", pay.after, "en_US", None, pay.names) == (
        f"Ana Pop (#{ana}); Bo Ek (#{bo})"
    )
    assert value_text("employees", run_events["create"].after, "en_US", None, {}) == "2"
    assert value_text("reversal", undone.after, "en_US", None, undone.names) == (
        f"JE-6 (#{reversed_.id})"
    )


def test_a_contacts_history_says_who_opted_them_in_and_out(store):
    """A contact's e-mail consent is kept in the trail as a kind of its own, under the
    contact's id: the contact's history showed none of it (who opted them out, and how)."""
    from bizdesk import i18n
    from bizdesk.screens.history import read_history, stored_words, value_text
    from bizdesk.services.marketing import consent

    with store.write() as uow:
        ann = C.create(uow, C.ContactInput(name="Ann Buyer", email="ann@example.com")).contact
        consent.set_consent(uow, ann.id, "in", "form")
        C.update(uow, ann.id, C.ContactInput(name="Ann Buyer", city="York"), version=ann.version)
        consent.set_consent(uow, ann.id, "out", "by hand")
    with store.read() as uow:
        history = read_history(uow, "contact", ann.id)
    assert [e.row.action for e in history.events] == ["opt_out", "update", "opt_in", "create"]
    out = history.events[0]
    i18n.use_setting("es")  # (English says the stored word: "out")
    said = [
        value_text(k, out.after, "es_ES", None, out.names, stored_words("email_consent", k))
        for k in ("state", "how")
    ]
    assert said == [i18n._("opted out"), i18n._("by hand")] and "out" not in said
