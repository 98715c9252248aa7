"""Newcomer defects of the TUI (issue 10), each driven as a user meets it at 80x24."""

from __future__ import annotations

from textual.widgets import OptionList

from bizdesk.app import BizdeskApp
from bizdesk.screens.deals import DealsPane
from bizdesk.services import contacts as C
from bizdesk.services import deals as D
from tests.tui_helpers import SIZE, settle


def _board(store) -> list[D.BoardColumn]:  # noqa: ANN001
    with store.read() as uow:
        return D.board_columns(uow, limit_per_stage=50)


async def test_deals_board_survives_f4_bursts_and_loads_arriving_mid_build(store) -> None:  # noqa: ANN001
    with store.write() as uow:
        C.create(uow, C.ContactInput(name="Ann Buyer"))
        D.create(uow, D.DealInput(title="Helmets", contact="#1", amount="100"))
    app = BizdeskApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*["f4"] * 16)  # pressed again and again as the app starts
        pane = app.query_one(DealsPane)
        await settle(pilot, app)
        # Two loads arriving back to back while a colleague reworks the pipeline (adds a
        # stage, then replaces it by another): the second arrives while the columns of the
        # first are still being built, and the first's cards must not be put into them.
        with store.write() as uow:
            added = D.add_stage(uow, "Demo", "30")
        with_demo = _board(store)
        with store.write() as uow:
            D.deactivate_stage(uow, added.id)
            D.add_stage(uow, "Trial", "40")
        new = _board(store)
        pane.post_message(DealsPane.Board(with_demo, None))
        pane.post_message(DealsPane.Board(new, None))
        await settle(pilot, app)
        lists = list(pane.query(OptionList))
        assert [ol.id for ol in lists] == [f"stage-{c.stage.id}" for c in new]
        titles = [str(t.render()).split("\n")[0] for t in pane.query(".column-title")]
        assert titles == [f"{c.stage.name} {c.stage.probability}%" for c in new]
        assert lists[0].option_count == 1 and app.active_pane() is pane
