"""The order-document core: each kind's states are the strings the store holds, its steps are
declared once and every state change goes through them; document labels are read and
written by one numbering module."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from bizdesk.errors import InvariantViolation
from bizdesk.models.purchasing import POState
from bizdesk.models.sales import SOState
from bizdesk.services.base import numbering as N
from bizdesk.services.inventory import levels as stock
from bizdesk.services.trade import purchasing, sales


def test_states_are_the_stored_strings() -> None:
    assert [s.value for s in SOState] == [
        "draft",
        "confirmed",
        "partially delivered",
        "delivered",
        "invoiced",
        "closed",
        "cancelled",
    ]
    assert [s.value for s in POState] == [
        "draft",
        "sent",
        "confirmed",
        "partially received",
        "received",
        "billed",
        "closed",
        "cancelled",
    ]


@pytest.mark.parametrize("flow", [sales.FLOW, purchasing.FLOW], ids=["sales", "purchasing"])
def test_every_state_is_reached_and_only_closed_and_cancelled_are_final(flow) -> None:  # noqa: ANN001
    reached = {flow.draft}.union(*(ends for _starts, ends in flow.steps.values()))
    assert reached == set(flow.states)
    assert set(flow.final) == {"closed", "cancelled"}


def test_stock_holds_what_the_flows_say() -> None:
    """Reserved stock is what a delivery may still take; on order is what may still come."""
    assert set(stock.RESERVING_SO_STATES) == sales.FLOW.starts("deliver")
    assert set(stock.OPEN_PO_STATES) == purchasing.FLOW.starts("receive") | {POState.DRAFT}


def test_a_move_the_flow_does_not_declare_is_refused() -> None:
    order = SimpleNamespace(state="draft")
    with pytest.raises(InvariantViolation):
        sales.FLOW.move(order, "deliver", SOState.DELIVERED)  # not confirmed
    with pytest.raises(InvariantViolation):
        sales.FLOW.move(order, "confirm", SOState.CLOSED)  # not where confirming leads
    sales.FLOW.move(order, "confirm", SOState.CONFIRMED)
    assert order.state is SOState.CONFIRMED
    order.state = "partially delivered"
    sales.FLOW.move(order, "deliver", SOState.PARTIALLY_DELIVERED)  # a part: it stays
    assert order.state == "partially delivered"


def test_labels_are_written_and_read_back_by_one_module() -> None:
    labels = [s.label(7) for s in N.SERIES]
    assert labels == [
        "JE-7",
        "PO-00007",
        "SO-00007",
        "INV-00007",
        "CN-00007",
        "RM-00007",
        "MO-00007",
        "PR-00007",
    ]
    for s in N.SERIES:
        assert s.number_in(s.label(42)) == 42
        assert s.number_in(s.label(42).lower().replace("-", "")) == 42
        assert s.number_in("42") == 42
    assert N.SALES_ORDER.number_in("PO-42") is None
    assert N.INVOICE.number_in("CN-3") is None and N.CREDIT_NOTE.number_in("CN-3") == 3
    assert N.JOURNAL.number_in("JE-12 rent") is None
    assert N.LABEL.match("po-0015").groups() == ("po", "15")
    assert N.PURCHASE_ORDER.name == "purchase_order"
