"""Drafts kept per person, store and form (services/admin/drafts.py): a draft left for
later is never written over by the next one, and each goes only when its author saves or
discards it."""

from __future__ import annotations

import json
import stat

import pytest

from bizdesk.services.admin import drafts

URL = "sqlite:////shop/shop.db"
FORM = "New contact"


@pytest.fixture(autouse=True)
def _state(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))


def _name(draft):
    return draft["state"]["values"]["name"]


def test_a_draft_left_for_later_stays_under_the_next_one():
    first = drafts.save_draft(URL, FORM, {"values": {"name": "First"}})
    second = drafts.save_draft(URL, FORM, {"values": {"name": "Second"}}, why="quit")
    assert first != second
    newest = drafts.load_draft(URL, FORM)
    assert _name(newest) == "Second" and newest["why"] == "quit"
    drafts.discard_draft(URL, FORM, second)
    assert _name(drafts.load_draft(URL, FORM)) == "First"
    drafts.discard_draft(URL, FORM, first)
    assert drafts.load_draft(URL, FORM) is None
    assert not list(drafts.drafts_dir().glob("*.json"))  # nothing left behind


def test_a_restored_draft_kept_again_is_replaced_not_doubled():
    older = drafts.save_draft(URL, FORM, {"values": {"name": "Older"}})
    restored = drafts.save_draft(URL, FORM, {"values": {"name": "Half"}})
    again = drafts.save_draft(URL, FORM, {"values": {"name": "Half typed"}}, replaces=restored)
    assert _name(drafts.load_draft(URL, FORM)) == "Half typed"
    drafts.discard_draft(URL, FORM, again)
    assert drafts.load_draft(URL, FORM)["id"] == older
    drafts.discard_draft(URL, FORM, "no such draft")  # nothing else goes
    assert drafts.load_draft(URL, FORM)["id"] == older


def test_drafts_are_per_form_per_store_and_private():
    drafts.save_draft(URL, FORM, {"values": {"name": "Mine"}}, born="2026-01-01")
    assert drafts.load_draft(URL, "Edit contact #1") is None
    assert drafts.load_draft("sqlite:////other.db", FORM) is None
    assert drafts.load_draft(URL, FORM, born="2026-06-01") is None  # a new store there
    assert _name(drafts.load_draft(URL, FORM, born="2026-01-01")) == "Mine"
    (path,) = drafts.drafts_dir().glob("*.json")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(drafts.drafts_dir().stat().st_mode) == 0o700


def test_a_draft_kept_by_an_older_bizdesk_is_read_and_discarded():
    """Before, the file held the one draft itself (no list, no id)."""
    drafts.save_draft(URL, FORM, {"values": {"name": "x"}})
    (path,) = drafts.drafts_dir().glob("*.json")
    old = {
        "store": URL,
        "form": FORM,
        "saved_at": "2026-11-30T10:00:00+00:00",
        "why": "hang-up",
        "born": "",
        "state": {"values": {"name": "Old Format"}},
    }
    path.write_text(json.dumps(old), encoding="utf-8")
    kept = drafts.load_draft(URL, FORM)
    assert _name(kept) == "Old Format"
    newer = drafts.save_draft(URL, FORM, {"values": {"name": "Newer"}})
    drafts.discard_draft(URL, FORM, newer)
    drafts.discard_draft(URL, FORM, kept["id"])
    assert drafts.load_draft(URL, FORM) is None


def test_an_unreadable_draft_file_is_no_draft_and_is_written_over():
    drafts.save_draft(URL, FORM, {"values": {"name": "x"}})
    (path,) = drafts.drafts_dir().glob("*.json")
    path.write_text("{not json", encoding="utf-8")
    assert drafts.load_draft(URL, FORM) is None
    drafts.save_draft(URL, FORM, {"values": {"name": "After"}})
    assert _name(drafts.load_draft(URL, FORM)) == "After"
