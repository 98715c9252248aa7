"""Making goods: the form of a product's bill of materials (what one unit is made of, and
the labour per unit), opened from the product's page."""

from __future__ import annotations

from typing import Any

from rich.text import Text

from bizdesk.formatting import money
from bizdesk.i18n import N_, _
from bizdesk.screens.orders import not_complete
from bizdesk.services.inventory import products
from bizdesk.services.making import boms
from bizdesk.widgets.form import Field
from bizdesk.widgets.lines_form import LineColumns, LinesFormScreen


def _totals(uow: Any, lines: list[boms.BomLineInput]) -> Text:  # noqa: ANN401
    cost, bad = boms.preview_cost(uow, lines)
    loc = uow.setting("locale", "en_US")
    return not_complete(
        Text(_("Components per unit at today's cost: {cost}").format(cost=money(cost, loc))), bad
    )


BOM_LINES = LineColumns(
    [
        Field("product", N_("Component (SKU)"), width="3fr"),
        Field("qty", N_("Qty per unit"), "number", "1", width="12"),
    ],
    boms.BomLineInput,
    _totals,
    suggesters={"product": products.suggest_products},
)


def bom_form(product: products.ProductView, view: boms.BomView | None) -> LinesFormScreen:
    """A new version of ``product``'s bill of materials, starting from the active one."""
    d = boms.bom_input(view)
    lines = [boms.BomLineInput(p, q) for p, q in d.components]
    fields = [
        Field("labour", N_("Labour per unit"), "number", d.labour),
        Field("note", N_("Note"), value=d.note),
    ]
    pid = product.id

    def save(uow: Any, values: dict[str, Any], rows: list[boms.BomLineInput]) -> Any:  # noqa: ANN401
        data = boms.BomInput(
            [(r.product, r.qty) for r in rows], values.get("labour", ""), values.get("note", "")
        )
        return boms.set_bom(uow, pid, data)

    title = (
        _("What {sku} is made of").format(sku=product.sku)
        if view is None
        else _("What {sku} is made of (now version {version})").format(
            sku=product.sku, version=view.version
        )
    )
    return BOM_LINES.form(title, fields, lines, save)
