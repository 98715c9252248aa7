"""Small builders for ERP tests: a supplier, products and orders through the services."""

from __future__ import annotations

from bizdesk.db import Store
from bizdesk.services.admin.checks import run_checks
from bizdesk.services.crm import contacts
from bizdesk.services.crm.contacts import ContactInput
from bizdesk.services.inventory import products
from bizdesk.services.trade import purchasing


def supplier(store: Store, name: str = "Acme Supply") -> int:
    with store.write() as uow:
        return contacts.create(
            uow, ContactInput(name=name, kind="organization", is_supplier=True)
        ).contact.id


def product(store: Store, sku: str = "BOLT-M8", **kw) -> int:  # noqa: ANN003
    data = products.ProductInput(sku=sku, name=kw.pop("name", f"Product {sku}"), **kw)
    with store.write() as uow:
        return products.create_product(uow, data).id


def order(store: Store, supplier_id: int, *lines: tuple[str, str, str], state: str = "sent"):  # noqa: ANN201
    """An order with lines (sku, qty, unit cost), moved on to ``state`` (draft/sent)."""
    data = purchasing.POInput(
        supplier=f"#{supplier_id}",
        order_date="2026-11-01",
        lines=[purchasing.POLineInput(product=s, qty=q, unit_cost=c) for s, q, c in lines],
    )
    with store.write() as uow:
        po = purchasing.create(uow, data)
        if state == "sent":
            po = purchasing.send(uow, po.id)
    return po


def errors(store: Store) -> list[str]:
    """Every failed invariant, as text (warnings left out)."""
    return [f"{v.check}: {v.message}" for v in run_checks(store) if v.severity == "error"]
