"""The demo shop's workshop: a city bike built from parts (a bill of materials with labour)
and a puncture repair kit sold as a kit, the parts bought in, assembly orders in every state
(done, partially done, confirmed, a draft the parts fall short for, cancelled) and kits
sold over the counter and on an order. Names in the shop's language; prices from its own
city bike's, in its currency."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select

from bizdesk.db.session import Store
from bizdesk.models.stock import Product
from bizdesk.services.demo.operations import _step, _suppliers, _vat_bp
from bizdesk.services.inventory import products
from bizdesk.services.making import assembly, boms
from bizdesk.services.trade import purchasing as PU
from bizdesk.services.trade import sales as SA

TEXTS = {
    "en_US": {
        "frame": 'Steel frame 28"',
        "wheel": 'Built wheel 28"',
        "levers": "Tyre levers, set of 3",
        "patches": "Patches, pack of 10",
        "bike": 'Workshop city bike 28"',
        "kit": "Puncture repair kit",
        "note": "Built in our workshop",
        "kit_note": "A tube, tyre levers and patches",
    },
    "es_ES": {
        "frame": 'Cuadro de acero 28"',
        "wheel": 'Rueda montada 28"',
        "levers": "Desmontables, juego de 3",
        "patches": "Parches, paquete de 10",
        "bike": 'Bicicleta urbana de taller 28"',
        "kit": "Kit de reparación de pinchazos",
        "note": "Montada en nuestro taller",
        "kit_note": "Una cámara, desmontables y parches",
    },
    "ro_RO": {
        "frame": 'Cadru din oțel 28"',
        "wheel": 'Roată montată 28"',
        "levers": "Leviere pentru anvelope, set de 3",
        "patches": "Petice, pachet de 10",
        "bike": 'Bicicletă de oraș din atelier 28"',
        "kit": "Kit de reparat pene",
        "note": "Montată în atelierul nostru",
        "kit_note": "O cameră, leviere și petice",
    },
    "vi_VN": {
        "frame": 'Khung thép 28"',
        "wheel": 'Bánh xe lắp sẵn 28"',
        "levers": "Cây nạy lốp, bộ 3 cái",
        "patches": "Miếng vá săm, gói 10 miếng",
        "bike": 'Xe đạp thành phố lắp tại xưởng 28"',
        "kit": "Bộ vá săm",
        "note": "Lắp tại xưởng của chúng tôi",
        "kit_note": "Một săm, cây nạy lốp và miếng vá",
    },
}


def _first(uow, prefix: str) -> str:  # noqa: ANN001
    """The SKU of the demo catalogue's first product whose SKU starts with ``prefix``."""
    return uow.session.scalar(
        select(Product.sku).where(Product.sku.like(f"{prefix}%")).order_by(Product.id).limit(1)
    )


def small(store: Store, shop: dict, today: date) -> dict[str, int]:
    texts = TEXTS.get(shop["locale"], TEXTS["en_US"])
    step = Decimal(shop["money"]["price_step"])
    family = next(f for f in shop["product_families"] if f[1] == "CB28")
    tube = next(f for f in shop["product_families"] if f[1] == "TUB")
    bike_price, bike_cost = Decimal(family[2]), Decimal(family[3])
    tube_price, tube_cost = Decimal(tube[2]), Decimal(tube[3])
    sup = _suppliers(store)[0]
    with store.write() as uow:
        vat = str(Decimal(_vat_bp(uow, shop)) / 100)

        def add(sku: str, name: str, price: Decimal, cost: Decimal) -> int:
            return products.create_product(
                uow,
                products.ProductInput(
                    sku=sku,
                    name=name,
                    unit=shop["texts"]["unit"],
                    sale_price=str(_step(price, step)),
                    cost=str(_step(cost, step)),
                    vat_rate=vat,
                    supplier=f"#{sup}",
                ),
            ).id

        add("FRM-28", texts["frame"], bike_cost * Decimal("0.5"), bike_cost * Decimal("0.3"))
        add("WHL-28", texts["wheel"], bike_cost * Decimal("0.15"), bike_cost * Decimal("0.08"))
        add("LEV-3", texts["levers"], tube_price * Decimal("0.8"), tube_cost * Decimal("0.6"))
        add("PAT-10", texts["patches"], tube_price * Decimal("0.6"), tube_cost * Decimal("0.4"))
        bike = add("WSB-28", texts["bike"], bike_price * Decimal("1.1"), Decimal(0))
        kit = add("KIT-PUN", texts["kit"], tube_price * Decimal("2.2"), Decimal(0))
        tyre, tube_sku = _first(uow, "TYR-28"), _first(uow, "TUB-28")
        chain, pedals = _first(uow, "CHN-"), _first(uow, "PDL-")
        parts = [("FRM-28", 1), ("WHL-28", 2), (tyre, 2), (tube_sku, 2), (chain, 1), (pedals, 1)]
        labour = _step(bike_cost * Decimal("0.05"), step)
        boms.set_bom(
            uow,
            bike,
            boms.BomInput([(s, str(q)) for s, q in parts], str(labour), texts["note"]),
        )
        boms.set_bom(
            uow,
            kit,
            boms.BomInput(
                [(tube_sku, "1"), ("LEV-3", "1"), ("PAT-10", "1")], "0", texts["kit_note"], "kit"
            ),
        )
        # the parts for six bikes and a dozen kits, bought in three weeks ago
        bought = today - timedelta(days=21)
        wanted = {"FRM-28": 6, "WHL-28": 12, tyre: 12, tube_sku: 24, chain: 6, pedals: 6}
        wanted.update({"LEV-3": 12, "PAT-10": 12})
        po = PU.create(
            uow,
            PU.POInput(
                supplier=f"#{sup}",
                order_date=bought.isoformat(),
                lines=[PU.POLineInput(s, str(q)) for s, q in wanted.items()],
            ),
        )
        PU.send(uow, po.id)
        po = PU.confirm(uow, po.id)
        PU.receive(
            uow,
            po.id,
            {ln.id: str(ln.qty) for ln in po.lines},
            when=bought + timedelta(days=4),
        )

        def order(qty: int, days: int) -> int:
            when = (today + timedelta(days=days)).isoformat()
            return assembly.create(uow, assembly.MOInput("WSB-28", str(qty), when)).id

        done = order(2, -14)
        assembly.confirm(uow, done)
        assembly.finish(uow, done, when=today - timedelta(days=13))
        gone = order(1, -7)
        assembly.cancel(uow, gone)
        half = order(3, -3)
        assembly.confirm(uow, half)
        assembly.finish(uow, half, "1", when=today - timedelta(days=2))
        assembly.confirm(uow, order(1, 4))
        order(4, 14)  # a draft: the frames on hand fall short of it (the plan says so)
        # repair kits: two over the counter, three on a customer's order (two delivered)
        SA.counter_sale(uow, [SA.SOLineInput("KIT-PUN", "2")], when=today)
        so = SA.create(
            uow,
            SA.SOInput(
                customer=f"#{SA.walk_in_customer(uow)}",
                order_date=(today - timedelta(days=1)).isoformat(),
                lines=[SA.SOLineInput("KIT-PUN", "3")],
            ),
        )
        so = SA.confirm(uow, so.id)
        SA.deliver(uow, so.id, {so.lines[0].id: "2"}, when=today)
    return {"assembly orders": 5}
