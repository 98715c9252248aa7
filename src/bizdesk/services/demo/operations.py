"""The demo shop's operations side: a catalogue, purchase orders in every state with partial
receipts, stock counts and a few months of postings, so every ERP report has something real.

The small shop goes through the services (every rule, posting and audit event applies);
the large one (benchmark size: 10k products, 300k moves, 1M journal lines) is built with
bulk inserts of values worked out the way the services work them out, so `check` is green.
"""

from __future__ import annotations

import heapq
import json
import random
import unicodedata
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import ROUND_HALF_EVEN, Decimal

from babel.dates import format_date
from sqlalchemy import func, insert, select

from bizdesk.config import data_dir
from bizdesk.db.sequences import sync_id_sequences
from bizdesk.db.session import Store, UnitOfWork
from bizdesk.errors import ValidationError
from bizdesk.i18n import Message
from bizdesk.models.base import utcnow
from bizdesk.models.contacts import Contact
from bizdesk.models.core import AuditEvent
from bizdesk.models.ledger import Account, JournalEntry, JournalLine, Sequence
from bizdesk.models.purchasing import POState
from bizdesk.models.sales import SOState
from bizdesk.models.stock import Product, StockMove
from bizdesk.money import percent_to_basis_points, to_minor
from bizdesk.reading import quoted
from bizdesk.services.base import validate as v
from bizdesk.services.base.shop_details import vat_rates
from bizdesk.services.books import ledger as L
from bizdesk.services.books.entry_search import index_entries
from bizdesk.services.inventory import levels, locations, moves, products
from bizdesk.services.trade import purchasing as PU
from bizdesk.services.trade import sales as SA

SEED = 20261123
QUALITIES = (("", Decimal(1)), ("Pro", Decimal("1.4")))  # the name of "Pro": texts.pro_format


def ascii_fold(text: str) -> str:
    """Latin letters without their accents (a SKU, an e-mail address): "Đỏ" -> "Do"."""
    text = text.replace("đ", "d").replace("Đ", "D")
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


def _step(value: Decimal, step: Decimal) -> Decimal:
    """A price rounded to the shop's usual step (cents; whole thousands of đồng)."""
    if step < 1:
        return value.quantize(step)
    return (value / step).to_integral_value(ROUND_HALF_EVEN) * step


def amount(shop: dict, key: str, rng: random.Random | None = None) -> Decimal:
    """One of the shop's sums of money, in its currency (its ``money`` settings)."""
    return amount_of(shop["money"][key], rng)


def amount_of(spec: str | list, rng: random.Random | None = None) -> Decimal:
    """A fixed sum ("1800") or, drawn from ``rng``, a whole number of steps in a range
    ([180, 260, "1"]: 180 to 259 in steps of 1)."""
    if isinstance(spec, str):
        return Decimal(spec)
    low, high, step = spec
    return rng.randrange(low, high) * Decimal(step)


def minor(shop: dict, key: str, exp: int, rng: random.Random | None = None) -> int:
    return to_minor(amount(shop, key, rng), exp)


def _vat_bp(uow: UnitOfWork, shop: dict) -> int:
    """The standard VAT rate of the store's chart (its first), else the demo shop's own."""
    return percent_to_basis_points(next(iter(vat_rates(uow)), shop["vat_rate"]))


def catalogue(shop: dict) -> Iterator[dict]:
    """The product range: every family in every size, colour and quality. A colour is its
    name, or [name, code] when the first three letters would not tell two apart."""
    step = Decimal(shop["money"]["price_step"])
    pro = shop["texts"]["pro_format"]
    for name, prefix, price, cost, sizes, colours in shop["product_families"]:
        service = prefix == "SRV"
        for quality, factor in QUALITIES[:1] if service else QUALITIES:
            for size in sizes:
                for colour in colours:
                    colour, code = (colour, colour[:3]) if isinstance(colour, str) else colour
                    named = pro.format(name=name) if quality else name
                    parts = [p for p in (named, size, colour) if p]
                    sku = ascii_fold(
                        "-".join(x for x in (prefix, "P" if quality else "", size, code) if x)
                        .upper()
                        .replace(" ", "")
                        .replace('"', "")
                    )
                    yield {
                        "sku": sku,
                        "name": " ".join(parts),
                        "price": _step(Decimal(price) * factor, step),
                        "cost": _step(Decimal(cost) * factor, step),
                        "service": service,
                    }


def _suppliers(store: Store) -> list[int]:
    with store.read() as uow:
        return list(
            uow.session.scalars(
                select(Contact.id).where(Contact.is_supplier.is_(True)).order_by(Contact.id)
            )
        )


def small(store: Store, shop: dict, today: date) -> dict[str, int]:
    rng = random.Random(SEED)
    start = today - timedelta(days=120)
    suppliers = _suppliers(store)
    texts = shop["texts"]
    made: list[tuple[int, str, Decimal, int]] = []  # id, sku, cost, supplier
    with store.write() as uow:
        exp = uow.exponent
        vat = str(_vat_bp(uow, shop) / Decimal(100))
        for i, item in enumerate(catalogue(shop)):
            sup = suppliers[i % len(suppliers)]
            point = 0 if item["service"] else rng.choice((0, 2, 5, 10))
            view = products.create_product(
                uow,
                products.ProductInput(
                    sku=item["sku"],
                    name=item["name"],
                    unit=texts["service_unit"] if item["service"] else texts["unit"],
                    sale_price=str(item["price"]),
                    cost=str(item["cost"]),
                    vat_rate=vat,
                    supplier=f"#{sup}",
                    reorder_point=str(point),
                    reorder_qty=str(point * 3),
                    stocked=not item["service"],
                ),
            )
            if not item["service"]:
                made.append((view.id, view.sku, item["cost"], sup))
        locations.add_location(uow, texts["location"])
        bank, cash = minor(shop, "capital_bank", exp), minor(shop, "capital_cash", exp)
        L.post_entry(
            uow,
            start,
            texts["capital"],
            [
                L.Posting(L.account_for(uow, "bank").id, debit_minor=bank),
                L.Posting(L.account_for(uow, "equity").id, credit_minor=bank),
                L.Posting(L.account_for(uow, "cash").id, debit_minor=cash),
                L.Posting(L.account_for(uow, "equity").id, credit_minor=cash),
            ],
        )
    by_supplier: dict[int, list[tuple[int, str, Decimal, int]]] = {}
    for p in made:
        by_supplier.setdefault(p[3], []).append(p)
    # (final state, how far along) for 30 orders, oldest first
    st = POState
    plan = [st.CLOSED] * 9 + [st.BILLED] * 4 + [st.RECEIVED] * 4 + [st.PARTIALLY_RECEIVED] * 4
    plan += [st.CONFIRMED] * 3 + [st.SENT] * 2 + [st.DRAFT] * 2 + [st.CANCELLED] * 2
    orders = 0
    for n, final in enumerate(plan):
        sup = suppliers[n % len(suppliers)]
        items = rng.sample(by_supplier[sup], min(len(by_supplier[sup]), rng.randrange(2, 6)))
        ordered = start + timedelta(days=3 + n * 3)
        with store.write() as uow:
            po = PU.create(
                uow,
                PU.POInput(
                    supplier=f"#{sup}",
                    order_date=ordered.isoformat(),
                    expected_date=(ordered + timedelta(days=10)).isoformat(),
                    lines=[
                        PU.POLineInput(f"#{pid}", str(_order_qty(shop, rng, cost)), str(cost))
                        for pid, _sku, cost, _s in items
                    ],
                ),
            )
            orders += 1
            _advance(uow, shop, rng, po, final, ordered, n)
    with store.write() as uow:
        sold = _sales(uow, shop, rng, start, today, [p[0] for p in made])
    with store.write() as uow:
        _running_costs(uow, shop, rng, start, today)
        for pid, _sku, _cost, _s in rng.sample(made, 12):
            on_hand = products.get_product(uow, pid).on_hand
            if on_hand > 0:
                moves.count(
                    uow,
                    pid,
                    str(on_hand - rng.randrange(0, 2)),
                    texts["count_reason"],
                    when=today - timedelta(days=7),
                )
    return {"products": len(made) + 1, "purchase orders": orders, "sales orders": sold}


def _sales(
    uow, shop: dict, rng: random.Random, start: date, today: date, product_ids: list[int]
) -> int:  # noqa: ANN001
    """Counter sales every week and orders on account in every state, from what is in stock."""
    main = locations.default_location(uow).id

    def in_stock(n: int) -> list[str]:
        skus = []
        for pid in rng.sample(product_ids, len(product_ids)):
            free = min(SA.available(uow, pid), levels.on_hand_at(uow, pid, main))
            if free >= 2000:
                skus.append(f"#{pid}")
            if len(skus) == n:
                break
        return skus

    sold = [0]

    def counter_sales() -> Iterator[date]:
        day = start + timedelta(days=20)
        while day <= today:
            yield day
            for sku in in_stock(2):
                SA.counter_sale(
                    uow,
                    [SA.SOLineInput(sku, "1")],
                    when=day.isoformat(),
                    account=rng.choice(("cash", "bank")),
                )
                sold[0] += 1
            day += timedelta(days=7)

    def on_account(i: int, cid: int, final: str) -> Iterator[date]:
        when = today - timedelta(days=60 - i * 4)
        yield when
        skus = in_stock(2)
        if not skus:
            return
        so = SA.create(
            uow,
            SA.SOInput(
                customer=f"#{cid}",
                order_date=when.isoformat(),
                lines=[SA.SOLineInput(s, "2") for s in skus],
            ),
        )
        sold[0] += 1
        SA.confirm(uow, so.id)
        if final == SOState.CONFIRMED:
            return
        yield when + timedelta(days=2)
        if final == SOState.PARTIALLY_DELIVERED:
            SA.deliver(uow, so.id, {so.lines[0].id: "1"}, when=when + timedelta(days=2))
            return
        SA.deliver(uow, so.id, when=when + timedelta(days=2))
        if final == SOState.DELIVERED:
            return
        inv = SA.invoice(uow, so.id, when=when + timedelta(days=2), due=when + timedelta(days=16))
        if final == SOState.CLOSED:
            yield when + timedelta(days=12)
            SA.pay(uow, inv.id, when=when + timedelta(days=12))
        elif final == "returned":
            yield when + timedelta(days=5)
            SA.return_goods(
                uow,
                so.id,
                {so.lines[0].id: "1"},
                reason=shop["texts"]["return_reason"],
                when=when + timedelta(days=5),
            )

    customers = list(
        uow.session.scalars(
            select(Contact.id)
            .where(Contact.is_customer.is_(True), Contact.kind == "organization")
            .order_by(Contact.id)
            .limit(12)
        )
    )
    st = SOState
    plan = [st.CLOSED] * 3 + [st.INVOICED] * 3 + [st.DELIVERED] * 2 + [st.CONFIRMED] * 2
    plan += [st.PARTIALLY_DELIVERED, "returned"]
    orders = [on_account(i, c, f) for i, (c, f) in enumerate(zip(customers, plan, strict=False))]
    # each step when its day comes, as a shop would: invoices are numbered in date order
    _in_date_order([counter_sales(), *orders])
    return sold[0]


def _in_date_order(runs: list[Iterator[date]]) -> None:
    """Run steps of several stories in the order of their days: each story yields the day
    of its next step, and takes it when resumed."""
    waiting = []
    for n, run in enumerate(runs):
        first = next(run, None)
        if first is not None:
            heapq.heappush(waiting, (first, n, run))
    while waiting:
        _day, n, run = heapq.heappop(waiting)
        following = next(run, None)
        if following is not None:
            heapq.heappush(waiting, (following, n, run))


def _order_qty(shop: dict, rng: random.Random, cost: Decimal) -> int:
    """A shop orders a few bikes and boxes of small parts."""
    dear, middling = (Decimal(x) for x in shop["money"]["order_qty_over"])
    if cost > dear:
        return rng.randrange(1, 4)
    if cost > middling:
        return rng.randrange(2, 8)
    return rng.randrange(5, 25)


def _advance(
    uow, shop: dict, rng: random.Random, po: PU.POView, final: str, ordered: date, n: int
) -> None:  # noqa: ANN001
    """Take a new draft order to its planned state the way the shop would."""
    if final == POState.DRAFT:
        return
    if final == POState.CANCELLED:
        PU.cancel(uow, po.id)
        return
    PU.send(uow, po.id)
    if final == POState.SENT:
        return
    po = PU.confirm(uow, po.id)
    if final == POState.CONFIRMED:
        return
    arrived = ordered + timedelta(days=8)
    if final == POState.PARTIALLY_RECEIVED:
        PU.receive(
            uow, po.id, {po.lines[0].id: str(max(1, int(po.lines[0].qty) // 2))}, when=arrived
        )
        return
    PU.receive(
        uow,
        po.id,
        {ln.id: str(ln.qty) for ln in po.lines},
        location=shop["texts"]["location"] if n % 5 == 0 else "",
        when=arrived,
    )
    if final == POState.RECEIVED:
        return
    net, vat = PU.bill_defaults(uow, po.id)
    if n % 4 == 0:
        net += amount(shop, "price_difference")  # the supplier charged a little more
    bill = PU.bill(
        uow,
        po.id,
        reference=shop["texts"]["bill_reference"].format(n=4000 + n),
        net=str(net),
        vat=str(vat),
        bill_date=arrived + timedelta(days=2),
    )
    if final == POState.CLOSED:
        PU.pay(uow, bill.id, when=arrived + timedelta(days=20))
    elif n % 2:
        PU.pay(
            uow,
            bill.id,
            amount=str((bill.total / 2).quantize(Decimal(1).scaleb(-uow.exponent))),
            when=arrived + timedelta(days=25),
        )


def _expense_accounts(uow: UnitOfWork) -> dict[str, int]:
    """The store's chart's accounts for the demo's running costs (rent, utilities):
    data/demo/charts.json names them by code in each chart bizdesk ships."""
    chart = uow.setting("chart", "generic")
    spec = json.loads((data_dir() / "demo" / "charts.json").read_text(encoding="utf-8"))
    codes = {kind: by_chart.get(chart) for kind, by_chart in spec["expenses"].items()}
    found = dict(
        uow.session.execute(
            select(Account.code, Account.id).where(Account.code.in_(set(codes.values())))
        ).all()
    )
    missing = sorted(f"{kind} ({code})" for kind, code in codes.items() if code not in found)
    if missing:
        raise ValidationError(
            {
                "": Message(
                    "the demo shop needs accounts the chart {chart} ships: {accounts}",
                    chart=quoted(chart, 40),
                    accounts=", ".join(missing),
                )
            }
        )
    return {kind: found[code] for kind, code in codes.items()}


def _running_costs(uow, shop: dict, rng: random.Random, start: date, today: date) -> None:  # noqa: ANN001
    """Monthly rent and utilities, weekly till takings, and a few customer invoices on account.
    (Wages are the payroll runs' own entries: demo/people.py.)"""
    acct = {
        r: L.account_for(uow, r).id for r in ("bank", "cash", "receivable", "sales", "vat_payable")
    }
    expense = _expense_accounts(uow)
    texts, exp, rate = shop["texts"], uow.exponent, _vat_bp(uow, shop)
    customers = list(
        uow.session.scalars(
            select(Contact.id).where(Contact.is_customer.is_(True)).order_by(Contact.id).limit(8)
        )
    )
    month = date(start.year, start.month, 1)
    while month <= today:
        for cost in shop["running_costs"]:
            sum_minor = to_minor(amount_of(cost["amount"], rng), exp)
            when = max(month, start)
            if when <= today:
                label = format_date(month, texts["month_format"], locale=shop["locale"])
                L.post_entry(
                    uow,
                    when,
                    texts["cost_memo"].format(what=cost["memo"], month=label),
                    [
                        L.Posting(expense[cost["kind"]], debit_minor=sum_minor),
                        L.Posting(acct["bank"], credit_minor=sum_minor),
                    ],
                )
        month = (month + timedelta(days=32)).replace(day=1)
    week = start + timedelta(days=6)
    while week <= today:
        net = minor(shop, "takings", exp, rng)
        vat = net * rate // 10_000
        L.post_entry(
            uow,
            week,
            texts["takings"],
            [
                L.Posting(acct["cash"], debit_minor=(net + vat) // 4),
                L.Posting(acct["bank"], debit_minor=net + vat - (net + vat) // 4),
                L.Posting(acct["sales"], credit_minor=net),
                L.Posting(acct["vat_payable"], credit_minor=vat),
            ],
        )
        week += timedelta(days=7)
    for i, cid in enumerate(customers):
        when = today - timedelta(days=10 + i * 14)
        net = minor(shop, "invoices", exp, rng)
        vat = net * rate // 10_000
        L.post_entry(
            uow,
            when,
            texts["invoice"].format(n=i + 1),
            [
                L.Posting(acct["receivable"], debit_minor=net + vat, contact_id=cid),
                L.Posting(acct["sales"], credit_minor=net),
                L.Posting(acct["vat_payable"], credit_minor=vat),
            ],
        )
        if i % 3 == 0:
            L.post_entry(
                uow,
                when + timedelta(days=9),
                texts["payment"].format(n=i + 1),
                [
                    L.Posting(acct["bank"], debit_minor=net + vat),
                    L.Posting(acct["receivable"], credit_minor=net + vat, contact_id=cid),
                ],
            )


# --- the large store --------------------------------------------------------------------

LARGE = {"products": 10_000, "moves": 300_000, "lines": 1_000_000}


def large(store: Store, shop: dict, today: date) -> dict[str, int]:
    """10k products, 300k stock moves (each valued and posted), sales entries up to 1M lines."""
    rng = random.Random(SEED)
    base = list(catalogue(shop))
    texts = shop["texts"]
    now = utcnow()
    start = today - timedelta(days=365)
    with store.write() as uow:
        s = uow.session
        user = uow.user
        exp, rate = uow.exponent, _vat_bp(uow, shop)
        acct = {
            r: L.account_for(uow, r).id
            for r in ("inventory", "stock_adjustment", "cogs", "bank", "sales", "vat_payable")
        }
        loc = locations.default_location(uow).id
        suppliers = _suppliers(store) or [None]
        first_product = (s.scalar(select(func.max(Product.id))) or 0) + 1
        product_rows = []
        for i in range(LARGE["products"]):
            item = base[i % len(base)]
            name = f"{item['name']} #{i // len(base) + 1}"
            product_rows.append(
                {
                    "id": first_product + i,
                    "sku": f"L{i:05d}-{item['sku']}"[:40],
                    "name": name,
                    "sort_name": v.sort_key(name),
                    "unit": texts["unit"],
                    "sale_price_minor": to_minor(item["price"], exp),
                    "cost_minor": to_minor(item["cost"], exp),
                    "vat_bp": rate,
                    "supplier_id": suppliers[i % len(suppliers)],
                    "reorder_point_scaled": 0 if item["service"] else 5000,
                    "reorder_qty_scaled": 0 if item["service"] else 20000,
                    "allow_negative": False,
                    "stocked": not item["service"],
                    "active": True,
                    "created_at": now,
                    "updated_at": now,
                    "updated_by": user,
                    "version": 1,
                }
            )
        s.execute(insert(Product), product_rows)
        sync_id_sequences(s, "product")
        first_number = s.get(Sequence, "journal").last if s.get(Sequence, "journal") else 0
        entries, lines, move_rows = [], [], []
        state = {p["id"]: [0, 0] for p in product_rows}  # qty, value
        number = first_number
        days = 365

        def entry(day: date, memo: str, postings: list[tuple[int, int, int]]) -> None:
            nonlocal number
            number += 1
            entries.append(
                {
                    "number": number,
                    "date": day,
                    "memo": memo,
                    "state": "posted",
                    "posted_at": now,
                    "posted_by": user,
                    "created_at": now,
                    "updated_at": now,
                    "updated_by": user,
                    "version": 1,
                }
            )
            for account, d, c in postings:
                lines.append((number, account, d, c, day))

        for k in range(LARGE["moves"]):
            p = product_rows[rng.randrange(len(product_rows))]
            q, val = state[p["id"]]
            day = start + timedelta(days=k * days // LARGE["moves"])
            if q >= 3000 and rng.random() < 0.55:  # a sale: out at average cost
                out = rng.randrange(1, q // 1000 + 1) * 1000
                value = -val if out == q else -round(Decimal(out * val) / q)
                kind, memo = "delivery", texts["sold"].format(sku=p["sku"])
                post = [(acct["cogs"], -value, 0), (acct["inventory"], 0, -value)]
                qty = -out
            else:  # stock in at the usual cost
                qty = rng.randrange(2, 20) * 1000
                value = qty * p["cost_minor"] // 1000
                kind, memo = "adjustment", texts["stock_in"].format(sku=p["sku"])
                post = [(acct["inventory"], value, 0), (acct["stock_adjustment"], 0, value)]
            state[p["id"]] = [q + qty, val + value]
            move_rows.append(
                {
                    "product_id": p["id"],
                    "location_id": loc,
                    "kind": kind,
                    "qty_scaled": qty,
                    "unit_cost_minor": p["cost_minor"],
                    "value_minor": value,
                    "reason": "demo",
                    "username": user,
                    "at": now,
                    "entry_id": number + 1 if value else None,
                }
            )
            if value:
                entry(day, memo, post)
        while len(lines) < LARGE["lines"] - 2:
            day = start + timedelta(days=rng.randrange(days))
            net = minor(shop, "large_takings", exp, rng)
            vat = net * rate // 10_000
            entry(
                day,
                texts["large_takings"],
                [
                    (acct["bank"], net + vat, 0),
                    (acct["sales"], 0, net),
                    (acct["vat_payable"], 0, vat),
                ],
            )
        ids = s.scalars(
            insert(JournalEntry).returning(JournalEntry.id, sort_by_parameter_order=True), entries
        ).all()
        by_number = dict(zip((e["number"] for e in entries), ids, strict=True))
        index_entries(uow, min(ids), max(ids))
        conn = s.connection()
        for chunk in range(0, len(lines), 100_000):
            conn.execute(
                insert(JournalLine.__table__),
                [
                    {
                        "entry_id": by_number[n],
                        "account_id": a,
                        "debit_minor": d,
                        "credit_minor": c,
                        "contact_id": None,
                        "memo": "",
                        "date": day,
                        "posted": True,
                    }
                    for n, a, d, c, day in lines[chunk : chunk + 100_000]
                ],
            )
        for m in move_rows:
            if m["entry_id"] is not None:
                m["entry_id"] = by_number[m["entry_id"]]
        conn.execute(insert(StockMove.__table__), move_rows)
        seq = s.get(Sequence, "journal")
        if seq is None:
            s.add(Sequence(name="journal", last=number))
        else:
            seq.last = number
        conn.execute(
            insert(AuditEvent.__table__),
            [
                {
                    "at": now,
                    "username": user,
                    "entity": "product",
                    "entity_id": p["id"],
                    "action": "create",
                }
                for p in product_rows
            ],
        )
    return {
        "products": len(product_rows),
        "stock moves": len(move_rows),
        "journal lines": len(lines),
    }
