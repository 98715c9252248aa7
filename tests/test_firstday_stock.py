"""A new shop's locations (no demo data): what a location box completes."""

from __future__ import annotations

from bizdesk.services.inventory import locations


def test_suggest_locations_by_the_start_of_a_name_in_any_case(store) -> None:  # noqa: ANN001
    with store.write() as uow:
        locations.add_location(uow, "Back room")
        locations.add_location(uow, "Basement")
        locations.add_location(uow, "Van")
    with store.read() as uow:
        assert locations.suggest_locations(uow, "ba") == ["Back room", "Basement"]
        assert locations.suggest_locations(uow, " BACK") == ["Back room"]
        assert locations.suggest_locations(uow, "m") == ["Main"]  # the one init made
        assert locations.suggest_locations(uow, "") == []
        assert locations.suggest_locations(uow, "x") == []
