"""Reports as plain tables: one shape, so the CLI and the TUI print them all the same way."""

from __future__ import annotations

import inspect
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from bizdesk.db.session import Store, UnitOfWork
from bizdesk.errors import ValidationError
from bizdesk.faults import disk_fault, write_reason
from bizdesk.files import atomic_write
from bizdesk.formatting import money, number
from bizdesk.i18n import N_, Message
from bizdesk.money import from_minor
from bizdesk.reading import Month, as_month, date_text, quoted
from bizdesk.services.base import permissions
from bizdesk.services.base.csvio import write_rows
from bizdesk.services.base.validate import FieldError, must_be_one_of
from bizdesk.words import ACCOUNT_TYPE_NAMES, CONTACT_STAGE_NAMES, PRIORITY_NAMES, word_message

# a segment's column and the report's title per field (contacts.SEGMENT_FIELDS)
_SEGMENT_LABELS = {
    "city": (N_("City"), N_("Contacts by city")),
    "country": (N_("Country"), N_("Contacts by country")),
    "tag": (N_("Tag"), N_("Contacts by tag")),
    "stage": (N_("Stage"), N_("Contacts by stage")),
    "owner": (N_("Owner"), N_("Contacts by owner")),
    "age": (N_("Age group"), N_("Contacts by age group")),
}


@dataclass(frozen=True)
class Column:
    key: str  # snake_case, the JSON key
    label: str  # a Message: the door shows tr(label)
    numeric: bool = False
    # a table for people shows it once per run of equal values (a month over its steps);
    # CSV and JSON have it on every row, which stands on its own
    grouped: bool = False
    # a table printed on the command line shows it as a line over the rows that share it
    # rather than as a column (the general ledger's account: nine columns do not fit 80)
    heading: bool = False


@dataclass
class Report:
    """Title, column labels, notes and the totals' label are Messages, English as strings
    (JSON keeps its English keys and values), translated by the door (``tr``); ``cell_text``
    translates a label in a cell."""

    name: str
    title: str
    params: dict[str, Any]
    columns: list[Column]
    rows: list[dict[str, Any]]
    totals: dict[str, Any] | None = None
    notes: list[str] = field(default_factory=list)
    # row keys the JSON carries beside the columns (a VAT return's documents per row)
    json_extra: tuple[str, ...] = ()
    # a statement's other side (receivable, payable) when its contact has one: the last
    # note says so, and each door says how to see it (a command, a key)
    other_side: str = ""
    # a VAT return with VAT posted by entries of their own: a note says to see each entry,
    # and each door says where they are listed (a key, the JSON's documents)
    own_entries: bool = False

    def shown_rows(self) -> list[dict[str, Any]]:
        """The rows as a table for people shows them: a grouped column blank where it
        repeats the row above."""
        grouped = [c.key for c in self.columns if c.grouped]
        if not grouped:
            return self.rows
        out, before = [], {}
        for row in self.rows:
            shown = dict(row)
            for key in grouped:
                if key in before and str(before[key]) == str(row.get(key)):
                    shown[key] = ""
            out.append(shown)
            before = row
        return out


def _pipeline(uow: UnitOfWork, **_: Any) -> Report:
    from bizdesk.services.trade.deals import pipeline_report

    rows, total = pipeline_report(uow)
    cols = [
        Column("stage", Message("Stage")),
        Column("probability", Message("Prob. %"), True),
        Column("deals", Message("Deals"), True),
        Column("amount", Message("Amount"), True),
        Column("weighted", Message("Weighted"), True),
    ]

    def d(r):  # noqa: ANN001, ANN202
        return {
            "stage": r.stage,
            "probability": r.probability,
            "deals": r.deals,
            "amount": r.amount,
            "weighted": r.weighted,
        }

    tot = d(total)
    tot.pop("probability")
    return Report(
        "pipeline",
        Message("Weighted pipeline (open deals)"),
        {},
        cols,
        [d(r) for r in rows],
        tot,
    )


def _tickets_sla(
    uow: UnitOfWork, date_from: date | None = None, date_to: date | None = None, **_: Any
) -> Report:
    from bizdesk.services.crm.tickets import sla_report

    rows, total = sla_report(uow, date_from, date_to)
    keys = (
        "priority",
        "tickets",
        "open",
        "first_response_met",
        "first_response_breached",
        "resolved",
        "resolution_met",
        "resolution_breached",
    )
    labels = (
        Message("Priority"),
        Message("Tickets"),
        Message.pgettext("tickets", "Open"),  # not the key that opens
        Message("1st resp. met"),
        Message("1st resp. breached"),
        Message("Resolved"),
        Message("Resolved in time"),
        Message("Resolution breached"),
    )
    cols = [Column(k, lbl, i > 0) for i, (k, lbl) in enumerate(zip(keys, labels, strict=True))]
    out = [{k: getattr(r, k) for k in keys} for r in rows]
    for row in out:  # a stored word, read in the reader's language (JSON keeps it)
        row["priority"] = word_message(PRIORITY_NAMES, row["priority"])
    tot = {k: getattr(total, k) for k in keys}
    return Report(
        "tickets-sla",
        Message("Ticket SLA by priority"),
        {"from": date_from, "to": date_to},
        cols,
        out,
        tot,
    )


def _segments(
    uow: UnitOfWork,
    by: str = "city",
    date_from: date | None = None,
    date_to: date | None = None,
    **_: Any,
) -> Report:
    from bizdesk.services.crm.contacts import NONE, SEGMENT_FIELDS, segments

    # age (and any group not known, refused there naming every one) is read per period
    if date_from or date_to or by not in SEGMENT_FIELDS:
        return _segments_in_period(uow, by, date_from, date_to)
    rows = segments(uow, by)
    label, title = _SEGMENT_LABELS.get(by, (by.capitalize(), by))
    cols = [
        Column(by, Message(label)),  # keyed by what it groups by: "city" in JSON and CSV
        Column("contacts", Message("Contacts"), True),
        Column("customers", Message("Customers"), True),
        Column("sales", Message("Sales (net)"), True),
    ]
    out = [
        {
            by: (
                word_message(CONTACT_STAGE_NAMES, r.value)
                if by == "stage"
                else Message(NONE)
                if r.value == NONE
                else r.value
            ),
            "contacts": r.contacts,
            "customers": r.customers,
            "sales": r.sales,
            "drill": {
                "kind": "contacts",
                "by": by,
                "key": "" if r.value == NONE else r.value,
                "date_from": None,
                "date_to": None,
            },
        }
        for r in rows
    ]
    tot = {
        by: Message("Total"),
        "contacts": sum(r.contacts for r in rows),
        "customers": sum(r.customers for r in rows),
        "sales": sum((r.sales for r in rows), from_minor(0, uow.exponent)),  # 0.00 if none
    }
    if by == "tag":
        tot = None  # a contact may carry several tags: a sum would count people twice
    # the same parameters as over a period (none given: all dates)
    params = {"by": by, "from": None, "to": None}
    return Report("segments", Message(title), params, cols, out, tot)


def _segments_in_period(
    uow: UnitOfWork, by: str, date_from: date | None, date_to: date | None
) -> Report:
    from bizdesk.services.overview.analysis import segments_in_period

    rows = segments_in_period(uow, by, date_from, date_to)
    label, title = _SEGMENT_LABELS.get(by, (by.capitalize(), by))
    cols = [
        Column(by, Message(label)),
        # keyed by their own names: "customers" is the all-time report's (in that stage)
        Column("new_contacts", Message("New contacts"), True),
        Column("customers_who_bought", Message("Customers who bought"), True),
        Column("sales", Message("Sales (net)"), True),
    ]
    period = {"date_from": date_from, "date_to": date_to}
    out = [
        {
            by: r.value,
            "new_contacts": r.contacts,
            "customers_who_bought": r.customers,
            "sales": r.sales,
            "drill": {"kind": "contacts", "by": by, "key": r.key, **period},
        }
        for r in rows
    ]
    tot = None
    if by != "tag":  # a contact may carry several tags: a sum would count people twice
        tot = {
            by: Message("Total"),
            "new_contacts": sum(r.contacts for r in rows),
            "customers_who_bought": sum(r.customers for r in rows),
            "sales": sum((r.sales for r in rows), from_minor(0, uow.exponent)),  # 0.00 if none
        }
    notes = [
        Message(
            "New contacts: created in the period; customers: bought in it (invoices less "
            "credit notes)."
        )
    ]
    if by == "age":
        notes.append(
            Message("Age on {day}, from the birth date.", day=date_text(date_to or date.today()))
        )
    return Report(
        "segments",
        Message(title),
        {"by": by, "from": date_from, "to": date_to},
        cols,
        out,
        tot,
        notes,
    )


_SALES_LABELS = {
    "product": N_("Product"),
    "customer": N_("Customer"),
    "owner": N_("Owner"),
    "city": N_("City"),
    "country": N_("Country"),
    "tag": N_("Tag"),
    "stage": N_("Stage"),
    "age": N_("Age group"),
    "segment": N_("Segment"),
}


def _sales_analysis(
    uow: UnitOfWork,
    by: str = "product",
    date_from: date | None = None,
    date_to: date | None = None,
    **_: Any,
) -> Report:
    from bizdesk.services.overview.analysis import sales_analysis

    res = sales_analysis(uow, by, date_from, date_to)
    figures = ("qty", "net", "cogs", "margin", "margin_percent")
    named = ("sku", "value") if by == "product" else ("value",)  # (the SKU tells names apart)
    keys = (*named, *figures)
    # each column keyed by its name, as JSON and CSV carry it ("product", "net_sales")
    said = {"value": by, "net": "net_sales", "cogs": "cost_of_sales"}
    labels = (
        *((N_("SKU"),) if by == "product" else ()),
        _SALES_LABELS.get(by, by),
        N_("Qty"),
        N_("Net sales"),
        N_("Cost of sales"),
        N_("Margin"),
        N_("Margin %"),
    )
    cols = [
        Column(said.get(k, k), Message(lbl), k in figures)
        for k, lbl in zip(keys, labels, strict=True)
    ]
    period = {"date_from": date_from, "date_to": date_to}
    out = [
        {
            **{said.get(k, k): getattr(r, k) for k in keys},
            "drill": {"kind": "sales", "by": by, "key": r.key, **period},
        }
        for r in res.rows
    ]
    tot = None if res.total is None else {said.get(k, k): getattr(res.total, k) for k in keys}
    loc = uow.setting("locale", "en_US")
    notes = [Message("Sales when invoiced, their cost when the goods left; by posting date.")]
    if res.total is not None and (
        res.total.net != res.ledger_sales or res.total.cogs != res.ledger_cogs
    ):
        notes.append(
            Message(
                "The ledger counts sales {sales} and cost of sales {cogs}: the rest was "
                "posted without an invoice or a delivery.",
                sales=money(res.ledger_sales, loc),
                cogs=money(res.ledger_cogs, loc),
            )
        )
    if by == "tag":
        notes.append(Message("A customer with several tags counts under each: no total."))
    if by == "segment":
        notes.append(
            Message(
                "A customer in several segments counts under each: no total. A segment's "
                "customers are those it holds today."
            )
        )
    return Report(
        "sales-analysis",
        Message("Sales and margin"),
        {"by": by, "from": date_from, "to": date_to},
        cols,
        out,
        tot,
        notes,
    )


_WIN_LOSS_LABELS = {
    "reason": N_("Close reason"),
    "stage": N_("Stage at close"),
    "owner": N_("Owner"),
}


def _win_loss(
    uow: UnitOfWork,
    by: str = "reason",
    date_from: date | None = None,
    date_to: date | None = None,
    **_: Any,
) -> Report:
    from bizdesk.services.overview.analysis import win_loss

    rows, total = win_loss(uow, by, date_from, date_to)
    keys = ("value", "won", "won_amount", "lost", "lost_amount", "win_rate")
    labels = (
        _WIN_LOSS_LABELS.get(by, by),
        N_("Won"),
        N_("Won value"),  # short: the report fits 80 columns; the note says they are estimates
        N_("Lost"),
        N_("Lost value"),
        N_("Win %"),
    )
    said = {"value": by}  # keyed by what it groups by: "reason" in JSON and CSV
    cols = [
        Column(said.get(k, k), Message(lbl), i > 0)
        for i, (k, lbl) in enumerate(zip(keys, labels, strict=True))
    ]
    period = {"date_from": date_from, "date_to": date_to}
    out = [
        {
            **{said.get(k, k): getattr(r, k) for k in keys},
            "drill": {"kind": "deals", "by": by, "key": r.key, **period},
        }
        for r in rows
    ]
    return Report(
        "win-loss",
        Message("Deals won and lost"),
        {"by": by, "from": date_from, "to": date_to},
        cols,
        out,
        {said.get(k, k): getattr(total, k) for k in keys},
        [
            Message(
                "Deals closed in the period. Amounts are the deals' estimates, not booked "
                "sales; the win rate counts deals."
            )
        ],
    )


_CYCLE_STEPS = {
    "sales": (
        N_("Order to delivery"),
        N_("Delivery to invoice"),
        N_("Invoice to payment"),
        N_("Order to payment"),
    ),
    "purchases": (
        N_("Order to receipt"),
        N_("Receipt to bill"),
        N_("Bill to payment"),
        N_("Order to payment"),
    ),
}


def _cycle_times(
    uow: UnitOfWork,
    by: str = "sales",
    date_from: date | None = None,
    date_to: date | None = None,
    **_: Any,
) -> Report:
    from bizdesk.services.overview.analysis import STEPS, cycle_times

    rows, total = cycle_times(uow, by, date_from, date_to)
    if by == "sales":
        title = Message("Sales order cycle times (days)")
    else:
        title = Message("Purchase order cycle times (days)")
    cols = [
        Column("month", Message("Ordered in"), grouped=True),
        Column("step", Message("Step")),
        Column("orders", Message("Orders"), True),
        Column("done", Message("Done"), True),
        Column("median", Message("Median"), True),
        Column("p90", Message("90%"), True),
        Column("waiting", Message("Waiting"), True),
    ]
    period = {"date_from": date_from, "date_to": date_to}
    out = []
    for r in [*rows, total] if rows else []:
        month = as_month(r.month) if r is not total else Message("All months")
        drill = {"kind": "orders", "of": by, "key": None if r is total else r.month, **period}
        times = [r.steps[st] for st in STEPS] + [r.total]
        for i, (t, word) in enumerate(zip(times, _CYCLE_STEPS[by], strict=True)):
            out.append(
                {
                    "month": month,
                    "label": month,  # what the drill-down's title names
                    "step": Message(word),
                    "orders": r.orders,
                    "done": t.done,
                    "median": t.median,
                    "p90": t.p90,
                    "waiting": None if i == 3 else t.waiting,
                    "drill": drill,
                    "month_key": None if r is total else r.month,
                    "step_key": (*STEPS, "total")[i],
                }
            )
    return Report(
        "cycle-times",
        title,
        {"of": by, "from": date_from, "to": date_to},
        cols,
        out,
        None,
        [
            Message(
                "Orders placed in the period, by month: days from one step to the next (the "
                "first delivery, the first invoice, the last payment once settled), median and "
                "90% by nearest rank; waiting: past the step before, not this one."
            )
        ],
        json_extra=("month_key", "step_key"),
    )


def _trial_balance(uow: UnitOfWork, as_of: date | None = None, **_: Any) -> Report:
    from bizdesk.services.books.ledger_reports import trial_balance

    rows, total = trial_balance(uow, as_of)
    cols = [
        Column("account", Message("Account")),
        Column("name", Message("Name")),
        Column("debit", Message("Debit"), True),
        Column("credit", Message("Credit"), True),
        Column("balance", Message("Balance"), True),
    ]
    out = [
        {
            "account": r.code,
            "name": r.name,
            "debit": r.debit,
            "credit": r.credit,
            "balance": r.balance,
            "account_id": r.account_id,
        }
        for r in rows
    ]
    tot = {
        "account": "",
        "name": Message("Total"),
        "debit": total.debit,
        "credit": total.credit,
        "balance": total.balance,
    }
    return Report("trial-balance", Message("Trial balance"), {"as_of": as_of}, cols, out, tot)


def _statement(name: str, title: str, lines, totals: dict, params: dict) -> Report:  # noqa: ANN001
    cols = [
        Column("section", Message("Section")),
        Column("account", Message("Account")),
        Column("name", Message("Name")),
        Column("amount", Message("Amount"), True),
    ]
    out = [
        {
            "section": word_message(ACCOUNT_TYPE_NAMES, ln.section),
            "account": ln.code,
            "name": ln.name,
            "amount": ln.amount,
            "account_id": ln.account_id,
        }
        for ln in lines
    ]
    return Report(name, title, params, cols, out, totals)


def _profit_loss(
    uow: UnitOfWork, date_from: date | None = None, date_to: date | None = None, **_: Any
) -> Report:
    from bizdesk.services.books.ledger_reports import profit_loss

    lines, profit = profit_loss(uow, date_from, date_to)
    totals = {"section": "", "account": "", "name": Message("Profit"), "amount": profit}
    return _statement(
        "profit-loss", Message("Profit and loss"), lines, totals, {"from": date_from, "to": date_to}
    )


def _balance_sheet(uow: UnitOfWork, as_of: date | None = None, **_: Any) -> Report:
    from bizdesk.services.books.ledger_reports import balance_sheet

    lines, t = balance_sheet(uow, as_of)
    rep = _statement(
        "balance-sheet",
        Message("Balance sheet"),
        lines,
        {"section": "", "account": "", "name": Message("Assets"), "amount": t["asset"]},
        {"as_of": as_of},
    )
    loc = uow.setting("locale", "en_US")  # a note is read by people: amounts as shown
    rep.notes.append(
        Message(
            "Assets {assets} = liabilities {liabilities} + equity {equity} ({both})",
            assets=money(t["asset"], loc),
            liabilities=money(t["liability"], loc),
            equity=money(t["equity"], loc),
            both=money(t["liabilities_and_equity"], loc),
        )
    )
    return rep


def _general_ledger(
    uow: UnitOfWork, date_from: date | None = None, date_to: date | None = None, **_: Any
) -> Report:
    from bizdesk.services.books.ledger_reports import general_ledger

    keys = ("account", "name", "date", "entry", "memo", "contact", "debit", "credit", "balance")
    labels = (
        N_("Account"),
        N_("Name"),
        N_("Date"),
        N_("Entry"),
        N_("Memo"),
        N_("Contact"),
        N_("Debit"),
        N_("Credit"),
        N_("Balance"),
    )
    cols = [
        Column(k, Message(lbl), i >= 6, heading=i < 2)
        for i, (k, lbl) in enumerate(zip(keys, labels, strict=True))
    ]
    out = [
        {
            "account": r.code,
            "name": r.account,
            "date": r.date,
            "entry": r.entry,
            "memo": r.memo,
            "contact": r.contact,
            "debit": r.debit,
            "credit": r.credit,
            "balance": r.balance,
            "entry_id": r.entry_id,
        }
        for r in general_ledger(uow, date_from, date_to)
    ]
    return Report(
        "general-ledger", Message("General ledger"), {"from": date_from, "to": date_to}, cols, out
    )


def _stock_valuation(uow: UnitOfWork, **_: Any) -> Report:
    from bizdesk.services.inventory.reports import valuation

    rows, total = valuation(uow)
    cols = [
        Column("sku", Message("SKU")),
        Column("name", Message("Name")),
        Column("on_hand", Message("On hand"), True),
        Column("average_cost", Message("Avg. cost"), True),
        Column("value", Message("Value"), True),
    ]
    out = [
        {
            "sku": r.sku,
            "name": r.name,
            "on_hand": r.on_hand,
            "average_cost": r.average_cost,
            "value": r.value,
            "product_id": r.product_id,
        }
        for r in rows
    ]
    tot = {"sku": "", "name": Message("Total"), "value": total}
    return Report(
        "stock-valuation", Message("Stock valuation (moving average)"), {}, cols, out, tot
    )


def _low_stock(uow: UnitOfWork, **_: Any) -> Report:
    from bizdesk.services.inventory.reports import low_stock

    keys = (
        "sku",
        "name",
        "supplier",
        "on_hand",
        "reserved",
        "on_order",
        "reorder_point",
        "suggested",
    )
    labels = (
        N_("SKU"),
        N_("Name"),
        N_("Supplier"),
        N_("On hand"),
        N_("Reserved"),
        N_("On order"),
        N_("Reorder at"),
        N_("To order"),
    )
    cols = [
        Column(k, Message(lbl), i >= 3) for i, (k, lbl) in enumerate(zip(keys, labels, strict=True))
    ]
    out = []
    for r in low_stock(uow):
        row = {k: getattr(r, k) for k in keys}
        for k in keys[3:]:
            row[k] = row[k]
        row["product_id"] = r.product_id
        out.append(row)
    return Report("low-stock", Message("Low stock"), {}, cols, out)


def _aging(role: str, name: str, title: str):  # noqa: ANN202
    def build(uow: UnitOfWork, as_of: date | None = None, **_: Any) -> Report:
        from bizdesk.services.books.ledger_reports import aging
        from bizdesk.services.crm.contacts import named_alike, reference

        rows, totals = aging(uow, role, as_of)
        cols = [
            Column("contact", Message("Contact")),
            Column("days_0_30", Message("0-30 days"), True),
            Column("days_31_60", "31-60", True),  # (numbers: the same in every language)
            Column("days_61_90", "61-90", True),
            Column("over_90", Message("Over 90"), True),
            Column("total", Message("Total"), True),
        ]

        def d(contact: str, b: dict, total) -> dict:  # noqa: ANN001
            return {
                "contact": contact,
                "days_0_30": b["0_30"],
                "days_31_60": b["31_60"],
                "days_61_90": b["61_90"],
                "over_90": b["over_90"],
                "total": total,
            }

        # a contact whose name another has too is told apart as a form shows it, to be typed
        # back ("Võ Văn An #20": report statement --contact takes it)
        alike = named_alike(uow, [r.contact_id for r in rows])
        out = [
            {
                **d(
                    reference(r.contact, r.contact_id) if r.contact_id in alike else r.contact,
                    r.buckets,
                    r.total,
                ),
                "contact_id": r.contact_id,
            }
            for r in rows
        ]
        rep = Report(
            name,
            Message(title),
            {"as_of": as_of or date.today()},
            cols,
            out,
            d(Message("Total"), totals, totals["total"]),
        )
        n = totals["in_credit_contacts"]
        if n:  # the other side of the account: negative rows, told here
            loc = uow.setting("locale", "en_US")
            figures = {"n": n, "amount": money(totals["in_credit"], loc)}
            if role == "receivable":
                note = Message.plural(
                    "{n} customer in credit, owed {amount} back, is shown as negative amounts "
                    "aged from the payments and credit notes that made it; the total is the "
                    "account's balance",
                    "{n} customers in credit, owed {amount} back, are shown as negative amounts "
                    "aged from the payments and credit notes that made it; the total is the "
                    "account's balance",
                    n,
                    **figures,
                )
            else:
                note = Message.plural(
                    "{n} supplier who owes us {amount} (paid ahead or credited) is shown as "
                    "negative amounts; the total is the account's balance",
                    "{n} suppliers who owe us {amount} (paid ahead or credited) are shown as "
                    "negative amounts; the total is the account's balance",
                    n,
                    **figures,
                )
            rep.notes.append(note)
        return rep

    return build


STATEMENT_SIDES = ("receivable", "payable")
STATEMENT_SIDE_WORDS = {"receivable": N_("receivable"), "payable": N_("payable")}


def _statement_report(
    uow: UnitOfWork,
    contact: str = "",
    date_from: date | None = None,
    date_to: date | None = None,
    by: str = "",
    **_: Any,
) -> Report:
    """A customer's or supplier's account over a period (from its first line and up to
    its last when open), what was brought forward first: what they owe us (receivable: a
    customer's, by default), or what we owe them (payable: a supplier's that is no
    customer, by default); ``by`` names the side, and the other side's balance at the
    period's end is noted when it has lines. The printed statement reads the same
    (``ledger_reports.contact_statement``)."""
    from bizdesk.services.books.ledger_reports import contact_statement
    from bizdesk.services.crm.contacts import resolve

    try:
        c = resolve(uow, contact)
    except FieldError as exc:  # (a door names its own box: --contact, or the form's)
        raise ValidationError({"contact": exc.message}) from None
    if by and by not in STATEMENT_SIDES:
        raise ValidationError({"by": must_be_one_of(STATEMENT_SIDES)})
    role = by or ("payable" if c.is_supplier and not c.is_customer else "receivable")
    account = contact_statement(uow, c.id, role, date_from, date_to)
    other = "payable" if role == "receivable" else "receivable"
    others = contact_statement(uow, c.id, other, None, date_to)
    cols = [
        Column("date", Message("Date")),
        Column("entry", Message("Entry")),
        Column("memo", Message("Memo")),
        Column("debit", Message("Debit"), True),
        Column("credit", Message("Credit"), True),
        Column("balance", Message("Balance"), True),
    ]
    out = []
    if date_from:  # what the period starts from, as the printed statement shows it
        out.append(
            {
                "date": date_from,
                "entry": "",
                "memo": Message("Opening balance"),
                "debit": None,
                "credit": None,
                "balance": account.opening,
                "entry_id": None,
            }
        )
    out += [
        {
            "date": r.date,
            "entry": r.entry,
            "memo": r.memo,
            "debit": r.debit,
            "credit": r.credit,
            "balance": r.balance,
            "entry_id": r.entry_id,
        }
        for r in account.rows
    ]
    if role == "receivable":
        title = Message("Statement of {name} (receivable)", name=c.name)
    else:
        title = Message("Statement of {name} (payable)", name=c.name)
    rep = Report(
        "statement",
        title,
        {"contact": c.name, "contact_id": c.id, "account": role, "from": date_from, "to": date_to},
        cols,
        out,
    )
    loc = uow.setting("locale", "en_US")
    if out:
        last = account.closing
        balance = money(last, loc)
        owes_us = last > 0 if role == "receivable" else last < 0  # the words follow the sign
        if not last:
            rep.notes.append(Message("Balance: {balance} (settled)", balance=balance))
        elif owes_us:
            rep.notes.append(Message("Balance: {balance} (owes us)", balance=balance))
        else:
            rep.notes.append(Message("Balance: {balance} (we owe)", balance=balance))
    if others.rows:
        rep.notes.append(
            Message(
                "{name} has a {side} account too, balance {balance}.",
                name=c.name,
                side=Message(STATEMENT_SIDE_WORDS[other]),
                balance=money(others.closing, loc),
            )
        )
        rep.other_side = other
    return rep


def _forecast(uow: UnitOfWork, **_: Any) -> Report:
    from bizdesk.services.trade.deals import forecast

    rows, total = forecast(uow)
    cols = [
        Column("month", Message("Expected close")),
        Column("deals", Message("Deals"), True),
        Column("amount", Message("Amount"), True),
        Column("weighted", Message("Weighted"), True),
    ]

    def d(r) -> dict:  # noqa: ANN001
        return {
            "month": as_month(r.month),
            "deals": r.deals,
            "amount": r.amount,
            "weighted": r.weighted,
        }

    return Report(
        "forecast",
        Message("Pipeline forecast by expected close month"),
        {},
        cols,
        [d(r) for r in rows],
        d(total),
    )


def _vat_return(
    uow: UnitOfWork, date_from: date | None = None, date_to: date | None = None, **_: Any
) -> Report:
    from bizdesk.services.books.vat_return import MIXED, OTHER, OUTPUT, UNTAXED, vat_return

    ret = vat_return(uow, date_from, date_to)
    cols = [
        Column("section", Message("Section")),
        Column("rate", Message("Rate %")),
        Column("base", Message("Taxable base"), True),
        Column("vat", Message("VAT"), True),
        Column("count", Message("Documents"), True),
    ]
    rates = {
        OTHER: Message("other entries"),
        MIXED: Message("several rates"),
        UNTAXED: Message("no VAT charged"),
    }
    out = []
    for r in ret.rows:
        out.append(
            {
                "section": Message("Output VAT") if r.side == OUTPUT else Message("Input VAT"),
                "rate": rates.get(r.rate, r.rate),
                "base": None if r.rate == OTHER else r.base,  # an entry has no base
                "vat": r.vat,
                "count": len(r.documents),
                "side": r.side,
                "documents": [
                    {
                        "kind": d.kind,
                        "number": d.number,
                        "date": d.date,
                        "contact": d.contact,
                        "base": None if d.kind == "entry" else d.base,
                        "vat": d.vat,
                        "record": d.record,
                        "record_id": d.record_id,
                    }
                    for d in r.documents
                ],
            }
        )
    to_pay = ret.balance >= 0
    totals = {
        "section": Message("Balance to pay") if to_pay else Message("Balance to reclaim"),
        "vat": ret.balance,
        "output_vat": ret.output_vat,
        "input_vat": ret.input_vat,
        "balance": ret.balance,
    }
    loc = uow.setting("locale", "en_US")
    note = (
        Message(
            "Output VAT {output} - input VAT {input} = {balance} to pay",
            output=money(ret.output_vat, loc),
            input=money(ret.input_vat, loc),
            balance=money(ret.balance, loc),
        )
        if to_pay
        else Message(
            "Output VAT {output} - input VAT {input}: {balance} to reclaim",
            output=money(ret.output_vat, loc),
            input=money(ret.input_vat, loc),
            balance=money(-ret.balance, loc),
        )
    )
    notes = [note]
    if any(r.rate == OTHER for r in ret.rows):
        notes.append(
            Message(
                "Other entries: VAT posted by journal entries of their own (not from an "
                "invoice or a bill), whose base bizdesk cannot know: see each entry for what "
                "to declare as its base."
            )
        )
    return Report(
        "vat-return",
        Message("VAT return"),
        {"from": ret.date_from, "to": ret.date_to},
        cols,
        out,
        totals,
        notes,
        json_extra=("side", "documents"),
        own_entries=any(r.rate == OTHER for r in ret.rows),
    )


def _budget(
    uow: UnitOfWork, date_from: date | None = None, date_to: date | None = None, **_: Any
) -> Report:
    from bizdesk.services.books.budgets import budget_report

    rep = budget_report(uow, date_from, date_to)
    keys = ("account", "name", "budget", "actual", "variance", "variance_percent")
    labels = (
        N_("Account"),
        N_("Name"),
        N_("Budget"),
        N_("Actual"),
        N_("Variance"),
        N_("Variance %"),
    )
    cols = [
        Column(k, Message(lbl), i >= 2) for i, (k, lbl) in enumerate(zip(keys, labels, strict=True))
    ]
    out = [
        {
            "account": r.code,
            "name": r.name,
            "budget": r.budget,
            "actual": r.actual,
            "variance": r.variance,
            "variance_percent": r.variance_percent,
            "account_id": r.account_id,
        }
        for r in rep.rows
    ]
    totals = {
        "account": "",
        "name": Message("Profit"),
        "budget": rep.budget_profit,
        "actual": rep.actual_profit,
        "variance": rep.actual_profit - rep.budget_profit,
    }
    return Report(
        "budget",
        Message("Budget against actual"),
        {"from": rep.date_from, "to": rep.date_to},
        cols,
        out,
        totals,
        [Message("Variance: actual - budget; a month cut by the period counts by its days.")],
    )


def _sales_targets(
    uow: UnitOfWork, date_from: date | None = None, date_to: date | None = None, **_: Any
) -> Report:
    from bizdesk.services.books.budgets import default_period, targets_report

    date_from, date_to = default_period(date_from, date_to, date.today())
    rows = targets_report(uow, date_from, date_to)
    keys = ("owner", "month", "target", "won", "deals", "variance", "percent")
    labels = (
        N_("Owner"),
        N_("Month"),
        N_("Target"),
        N_("Won"),
        N_("Deals"),
        N_("Variance"),
        N_("Reached %"),
    )
    cols = [
        Column(k, Message(lbl), i >= 2) for i, (k, lbl) in enumerate(zip(keys, labels, strict=True))
    ]
    out = [{**{k: getattr(r, k) for k in keys}, "month": as_month(r.month)} for r in rows]
    return Report(
        "sales-targets",
        Message("Sales targets against won deals"),
        {"from": date_from, "to": date_to},
        cols,
        out,
    )


REPORTS = {
    "trial-balance": _trial_balance,
    "profit-loss": _profit_loss,
    "balance-sheet": _balance_sheet,
    "general-ledger": _general_ledger,
    "stock-valuation": _stock_valuation,
    "low-stock": _low_stock,
    "ar-aging": _aging("receivable", "ar-aging", N_("Aged receivables (what customers owe)")),
    "ap-aging": _aging("payable", "ap-aging", N_("Aged payables (what we owe suppliers)")),
    "statement": _statement_report,
    "pipeline": _pipeline,
    "forecast": _forecast,
    "tickets-sla": _tickets_sla,
    "segments": _segments,
    "vat-return": _vat_return,
    "budget": _budget,
    "sales-targets": _sales_targets,
    "sales-analysis": _sales_analysis,
    "win-loss": _win_loss,
    "cycle-times": _cycle_times,
}
# the reports without amounts (counts, quantities, days): every other one's parameters end
# with the currency of its amounts, as its JSON says it (``build``)
NO_MONEY = frozenset({"low-stock", "tickets-sla", "cycle-times"})
# the permission each report needs (services/base/permissions.py)
REPORT_ACTIONS = {
    "trial-balance": "reports.finance",
    "profit-loss": "reports.finance",
    "balance-sheet": "reports.finance",
    "general-ledger": "reports.finance",
    "ar-aging": "reports.finance",
    "ap-aging": "reports.finance",
    "statement": "reports.finance",
    "stock-valuation": "reports.stock",
    "low-stock": "reports.stock",
    "pipeline": "reports.crm",
    "forecast": "reports.crm",
    "tickets-sla": "reports.crm",
    "segments": "reports.crm",
    "vat-return": "reports.finance",
    "budget": "reports.finance",
    "sales-targets": "reports.crm",
    "sales-analysis": "reports.finance",
    "win-loss": "reports.crm",
    "cycle-times": "reports.finance",
}


ALL_DATES = Message("all dates")


def period(rep: Report) -> Message | None:
    """The days a report covers, to show beside its title (None: it has no period)."""
    p = rep.params
    if "as_of" in p:
        return Message("as of {day}", day=date_text(p["as_of"])) if p["as_of"] else ALL_DATES
    if "from" not in p:
        return None
    first, last = p["from"], p.get("to")
    if first and last:
        return Message("{first} to {last}", first=date_text(first), last=date_text(last))
    if first:
        return Message("from {first}", first=date_text(first))
    if last:
        return Message("up to {last}", last=date_text(last))
    return ALL_DATES


def heading(rep: Report) -> Message:
    """The report's title with the days it covers ("Budget against actual · 2026-01-01 to
    2026-12-03"): no reader is left to guess a default period."""
    days = period(rep)
    return (
        rep.title if days is None else Message("{title} · {period}", title=rep.title, period=days)
    )


# the parameters by the command line's options (the Reports tab greys out the boxes a
# report does not read, so only the command line can give one)
OPTIONS = {
    "date_from": "--from",
    "date_to": "--to",
    "as_of": "--as-of",
    "contact": "--contact",
    "by": "--by",
}


def reads(name: str) -> tuple[str, ...]:
    """The parameters report ``name`` reads (keys of OPTIONS), from its builder."""
    return tuple(
        p.name for p in inspect.signature(REPORTS[name]).parameters.values() if p.name in OPTIONS
    )


def build(uow: UnitOfWork, name: str, **params: Any) -> Report:
    """A report by name; the role needs that report's permission (REPORT_ACTIONS). A
    parameter given that the report does not read is refused, never ignored."""
    fn = REPORTS.get(name)
    if fn is None:
        raise ValidationError(
            {
                "report": Message(
                    "unknown report {name}; available: {reports}",
                    name=quoted(name, 40),
                    reports=", ".join(REPORTS),
                )
            }
        )
    takes = reads(name)
    unread = [k for k, v in params.items() if v not in (None, "") and k not in takes]
    if unread:
        said = (
            Message(
                "{report} does not take {option}; it takes {options}",
                options=", ".join(OPTIONS[k] for k in takes),
                report=name,
                option=OPTIONS[unread[0]],
            )
            if takes
            else Message("{report} does not take {option}", report=name, option=OPTIONS[unread[0]])
        )
        raise ValidationError({"report": said})
    start, end = params.get("date_from"), params.get("date_to")
    if isinstance(start, date) and isinstance(end, date) and start > end:  # every report's
        raise ValidationError({"to": Message("the end of the period is before its start")})
    if not uow.service_depth:
        permissions.require(uow, REPORT_ACTIONS[name])
    with permissions.covered(uow):
        rep = fn(uow, **params)
    if name not in NO_MONEY:
        rep.params["currency"] = uow.currency
    return rep


build.action = "by report"  # type: ignore[attr-defined]


def run(store: Store, name: str, **params: Any) -> Report:
    """A report by name, in the unit of work every door runs one in: a report only reads
    (an SLA clock that ran out unobserved counts as breached without being stamped)."""
    with store.read() as uow:
        return build(uow, name, **params)


def as_json(rep: Report) -> dict[str, Any]:
    """The report as JSON (DESIGN section 7): ``report``, its parameters, ``rows`` keyed by
    the columns' keys (links such as ``account_id`` stay out), ``totals`` where it has
    them, ``notes`` where it has them; amounts and dates as strings."""
    keys = [c.key for c in rep.columns]
    doc: dict[str, Any] = {
        "report": rep.name,
        **{k: plain(v) for k, v in rep.params.items()},
        "rows": [
            {**{k: plain(r[k]) for k in keys}, **{k: _deep(r[k]) for k in rep.json_extra}}
            for r in rep.rows
        ],
    }
    if rep.totals is not None:
        doc["totals"] = {k: plain(v) for k, v in rep.totals.items()}
    if rep.notes:  # what the figures leave out or rest on, in English as the keys are
        doc["notes"] = [str(note) for note in rep.notes]
    if rep.other_side:
        doc["other_side"] = rep.other_side
    return doc


def _deep(value: Any) -> Any:
    """``plain`` through lists and objects (a row's documents)."""
    if isinstance(value, list):
        return [_deep(v) for v in value]
    if isinstance(value, dict):
        return {k: _deep(v) for k, v in value.items()}
    return plain(value)


def plain(value: Any) -> Any:
    """A JSON-safe value: Decimals and dates as strings, never floats."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def cell_text(value: Any, numeric: bool, locale: str = "en_US") -> str:
    """A report cell for people (tables on a terminal): a number in a numeric column grouped
    in the shop's locale with its decimals kept (``1,234.50``); dates as the reader writes
    them (bizdesk.reading.date_text); None empty.
    JSON and CSV keep ``plain`` values (``1234.50``)."""
    if value is None:
        return ""
    if numeric and isinstance(value, Decimal):
        return money(value, locale)
    if numeric and isinstance(value, int) and not isinstance(value, bool):
        return number(value, locale)
    if isinstance(value, date) and not isinstance(value, datetime):
        return date_text(value)
    if isinstance(value, Month):  # 12/2026, as the reader writes months
        return value.shown()
    return str(plain(value))


def report_csv(rep: Report, stream) -> int:  # noqa: ANN001
    """The report's rows as CSV (the columns' keys as the header); returns the row count."""
    keys = tuple(c.key for c in rep.columns)
    return write_rows(stream, keys, ([plain(r[k]) for k in keys] for r in rep.rows))


def write_csv(rep: Report, path) -> int:  # noqa: ANN001
    """Write the report to a new CSV file (never over an existing one; 0600, or 0660 in a
    shop's group folder)."""
    try:
        with atomic_write(Path(path), exclusive=True, newline="") as fh:  # whole or not at all
            return report_csv(rep, fh)
    except FileExistsError:
        raise ValidationError(
            {"path": Message("{path} exists already; choose another name", path=str(path))}
        ) from None
    except OSError as exc:
        if (known := disk_fault(exc)) is not None:  # a full disk: what to do about it
            raise known from None
        raise ValidationError(
            {
                "path": Message(
                    "cannot write {path}: {reason}", path=str(path), reason=write_reason(exc)
                )
            }
        ) from None
