"""What the screens of every kind of order share (services/trade/orders.py is their core): the
lines editor of an order, the digit keys that filter a list by state, the forms for
quantities, payments and files, and an order's page with its common actions (edit, cancel,
postings, the contact it is made out to)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace
from typing import Any

from rich.cells import cell_len
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.widgets import Static

from bizdesk.errors import ValidationError
from bizdesk.formatting import day, money, number, visible_text
from bizdesk.i18n import N_, Message, _, ngettext, tr
from bizdesk.screens.common import tickets_text
from bizdesk.screens.records import AuditedScreen, SendsPapers
from bizdesk.services.base.states import STATE_WORDS, state_word
from bizdesk.services.inventory import products
from bizdesk.services.trade.orders import OPEN
from bizdesk.widgets.form import ConfirmScreen, Field, FormScreen
from bizdesk.widgets.lines_form import LineColumns
from bizdesk.widgets.pick import PickScreen

DATE_HINT = N_("{form}, empty: today")
# what a person reads for an order's state (the stored values stay English: models)


def state_name(state: object) -> str:
    """An order's state as the reader says it ("borrador" for ``draft`` in Spanish)."""
    return _(STATE_WORDS.get(str(state), str(state))) if state else ""


def order_lines(unit: str, label: str, make: Callable[..., Any], preview: Callable) -> LineColumns:
    """An order's lines: product, quantity, the unit amount (``unit``: its price or cost),
    VAT rate and description; ``preview(uow, lines)`` gives net, VAT and the lines not
    readable yet."""
    return LineColumns(
        [
            Field("product", N_("Product (SKU)"), width="3fr", suggest=products.suggest_products),
            Field("qty", N_("Qty"), "number", "1", width="8"),
            Field(unit, label, "number", width="11"),
            Field("vat_rate", N_("VAT %"), "number", width="7"),
            Field("description", N_("Description"), width="2fr"),
        ],
        make,
        lambda uow, lines: _totals(uow, *preview(uow, lines)),
    )


def _totals(uow: Any, net: Any, vat: Any, bad: int) -> Text:  # noqa: ANN401
    loc = uow.setting("locale", "en_US")
    t = Text(
        _("Net {net} · VAT {vat} · Total {total}").format(
            net=money(net, loc), vat=money(vat, loc), total=money(net + vat, loc)
        )
    )
    return not_complete(t, bad)


def not_complete(totals: Text, bad: int) -> Text:
    """A lines editor's totals, saying how many typed lines do not count yet."""
    if bad:
        totals.append("   ")
        totals.append(
            ngettext("({n} line not complete yet)", "({n} lines not complete yet)", bad).format(
                n=bad
            ),
            style="italic",
        )
    return totals


def saved_lines(cols: LineColumns, view: Any) -> list:  # noqa: ANN401
    """A saved order's lines as they would be typed (a product by its SKU)."""
    unit = cols.fields[2].name
    return [
        cols.make(ln.sku, str(ln.qty), str(getattr(ln, unit)), str(ln.vat_rate), ln.description)
        for ln in view.lines
    ]


def save_order(view: Any, make: Callable, create: Callable, update: Callable) -> Callable:  # noqa: ANN401
    """The form's save: a new order, or the draft ``view`` changed at its version."""

    def save(uow, values: dict[str, Any], lines: list):  # noqa: ANN001, ANN202
        data = make(**values, lines=lines)
        if view is None:
            return create(uow, data)
        return update(uow, view.id, data, version=view.version)

    return save


def state_keys(states: Iterable[str], words: dict[str, str]) -> dict[str, tuple[str, str]]:
    """Digit -> (state filter, words): 1 the open orders, then each state in its order, 0 all.
    The words are marked for the catalogs (``N_``) and translated where shown."""
    keys = {"1": (OPEN, N_("open orders"))}
    keys.update(
        (str(i), (str(s), words.get(s, STATE_WORDS.get(str(s), str(s)))))
        for i, s in enumerate(states, start=2)
    )
    keys["0"] = ("", N_("all orders"))
    return keys


def state_bindings(keys: dict[str, tuple[str, str]], prefix: str) -> list[Binding]:
    return [
        Binding(k, f"state('{k}')", words, show=False, id=f"{prefix}.state{k}")
        for k, (_s, words) in keys.items()
    ]


class StateFilter:
    """A list of orders with a title line (class ``pane-title``) that the digits filter."""

    NOUN = N_("Orders")  # marked: translated in the title
    STATE_KEYS: dict[str, tuple[str, str]] = {}

    def _title(self, key: str) -> None:
        last = len(self.STATE_KEYS) - 1
        self.query_one(".pane-title", Static).update(
            Text(
                _("{orders}: {state}  (1-{last}, 0: by state)").format(
                    orders=_(self.NOUN), state=_(self.STATE_KEYS[key][1]), last=last
                )
            )
        )

    def action_state(self, key: str) -> None:
        self.table.set_filters(state=self.STATE_KEYS[key][0])
        self._title(key)


def quantities_form(
    title: str,
    lines: list,
    left: Callable[[Any], Any],
    label: Callable[[Any], str],
    extra: list[Field],
    act: Callable[[Any, dict[int, Any], dict[str, Any]], Any],
) -> FormScreen:
    """A quantity per line that still has some ``left`` (prefilled with that), plus a few
    more fields; ``act(uow, quantities by line id, values)``."""
    open_lines = [ln for ln in lines if left(ln) > 0]
    fields = [Field(f"line_{ln.id}", label(ln), "number", left(ln)) for ln in open_lines] + extra

    def save(uow, v):  # noqa: ANN001, ANN202
        return act(uow, {ln.id: v[f"line_{ln.id}"] for ln in open_lines}, v)

    return FormScreen(title, fields, save)


def line_text(screen: Any, t: Text, figures: str, description: str) -> None:  # noqa: ANN401
    """One line of an order's page: its ``figures`` (in fixed widths), then its description
    in what is left of the page's width, cut with "…" (cut at a fixed length, it still ran
    past 80 columns and wrapped mid-word onto a line of its own: 'Pannier bag 30L' over
    'blac')."""
    body = screen.query_one("#body")
    gutter = body.styles.scrollbar_size_vertical  # kept free: a long page has a scrollbar
    width = (body.size.width or screen.app.size.width) - gutter
    rest = Text(description, style="dim")
    rest.truncate(max(1, width - cell_len(figures)), overflow="ellipsis")
    t.append(figures)
    t.append_text(rest)
    t.append("\n")


def with_payment_account(
    screen: Any,  # noqa: ANN401
    role: str | Callable[[Any], str],
    then: Callable[[Field], None],
) -> None:
    """Read the payment accounts in ``screen``'s worker (a ServiceRunner: never on the
    interface's thread), then ``then(field)``: ``account_field`` of them for ``role`` (or
    for what ``role(uow)``, a service, says in the same read: a refund's account)."""

    def fetch(uow):  # noqa: ANN001, ANN202
        from bizdesk.services.books.ledger import payment_accounts

        chosen = role if isinstance(role, str) else role(uow)
        return [(a.code, a.name, a.role) for a in payment_accounts(uow)], chosen

    screen.run_service(fetch, write=False, done=lambda found: then(account_field(*found)))


def account_field(accounts: list[tuple[str, str, str]], role: str) -> Field:
    """The payment accounts (code, name, role; read in a worker) as a select's options
    ("1010 Bank"), first chosen the account with ``role`` ("bank", "cash") or that code;
    a field named "account" without a label yet."""
    codes = tuple(code for code, _name, _role in accounts) or (role,)
    chosen = next((code for code, _name, r in accounts if role in (r, code)), codes[0])
    shown = {code: f"{code} {name}" for code, name, _role in accounts}
    return Field("account", "", "select", chosen, options=codes, option_labels=shown)


def payment_form(
    title: str,
    amount: Any,
    account_label: str,
    account: Field,
    pay: Callable,  # noqa: ANN401
) -> FormScreen:
    """An amount paid in or out of a payment account (``account``: account_field);
    ``pay(uow, amount=, account=, when=)``."""
    return FormScreen(
        title,
        [
            Field("amount", N_("Amount"), "number", amount, required=True),
            replace(account, label=account_label),
            Field("date", N_("Paid on"), placeholder=DATE_HINT),
        ],
        lambda uow, v: pay(uow, amount=v["amount"], account=v["account"], when=v["date"]),
    )


def settle_form(
    title: str,
    docs: list[Any],
    loc: str,
    account_label: str,
    account: Field,
    settle: Callable,  # noqa: ANN401
) -> FormScreen:
    """One payment of several open documents (services.trade.orders.OpenDocument): an
    amount per document (empty: not paid now; a document's open amount is its field's
    hint), the payment account (``account``: account_field) and the date;
    ``settle(uow, [(document id, amount)], account=, when=)``, one journal entry
    (sales.settle_invoices, purchasing.settle_bills)."""
    fields = [
        Field(
            f"doc_{d.id}",
            d.label,
            "number",
            "",
            placeholder=_("{amount} open, due {day}").format(
                amount=money(d.open, loc), day=day(d.due)
            ),
        )
        for d in docs
    ]
    fields += [
        replace(account, label=account_label),
        Field("date", N_("Paid on"), placeholder=DATE_HINT),
    ]

    def save(uow, v):  # noqa: ANN001, ANN202
        chosen = [d for d in docs if str(v[f"doc_{d.id}"] or "").strip()]
        if not chosen:
            raise ValidationError({"": Message("type the amount paid on one document at least")})
        # the service names a problem "amount" (one document) or "INV-00007 amount"
        field_of = {f"{d.named} amount": f"doc_{d.id}" for d in chosen}
        field_of["amount"] = f"doc_{chosen[0].id}"
        try:
            return settle(
                uow,
                [(d.id, v[f"doc_{d.id}"]) for d in chosen],
                account=v["account"],
                when=v["date"],
            )
        except ValidationError as exc:
            raise ValidationError({field_of.get(k, k): m for k, m in exc.fields.items()}) from None

    return FormScreen(title, fields, save)


class OrderScreen(SendsPapers, AuditedScreen):
    """One order's page. A kind names its service module (with ``ORDERS``, ``get`` and
    ``cancel``), its form, and what cancelling means; ``show`` ends with ``finish``."""

    SERVICE: Any = None  # services.trade.sales, .purchasing
    FORM: Callable[[Any], FormScreen]  # the order form, given the order (staticmethod)
    # the question before cancelling, marked with N_ ("Cancel {label}? What it means.")
    CANCEL_QUESTION = N_("Cancel {label}?")
    # the question before closing the rest of an order partly done ({qty}: how much of it)
    CLOSE_QUESTION = N_("Close the rest of {label}? {qty} not done will be released.")
    CLOSED = N_("The rest of {label} was closed")

    # a key's action and the step of the order's flow it takes (services.trade.orders.Flow)
    STEPS = {
        "confirm": "confirm",
        "send": "send",
        "deliver": "deliver",
        "receive": "receive",
        "invoice": "invoice",
        "bill": "bill",
        "cancel_order": "cancel",
        "close_rest": "close_rest",
    }

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The footer offers a step only in a state it is taken from, and e only on a draft
        (a confirmed order offered e and c, each refused when pressed)."""
        if action == "history":
            return self.may_see_history()
        if self.view is None:
            return True
        flow = self.SERVICE.FLOW
        if action == "edit":
            return self.view.state == flow.draft
        step = self.STEPS.get(action)
        return True if step is None else flow.may(step, self.view.state)

    def on_key(self, event: events.Key) -> None:
        """A key of this page that cannot act in the order's state (the footer does not
        offer it) says why and what to do instead, never nothing."""
        v = self.view
        actions = [b.action for b in self._bindings.key_to_bindings.get(event.key, ())]
        if v is None or not actions or any(self.check_action(a, ()) for a in actions):
            return
        event.stop()
        if actions[0] == "edit":
            self.action_edit()
            return
        step = self.STEPS.get(actions[0])
        if step is not None:
            reason = self.SERVICE.why_not(step, v.state)
            self.notify(
                tr(
                    Message(
                        "{label} is {state}; {reason}",
                        label=v.label,
                        state=state_word(v.state),
                        reason=reason,
                    )
                ),
                markup=False,
            )

    @property
    def audit_entity(self) -> str:
        return self.SERVICE.ORDERS.entity

    def fetch_order(self, uow: Any) -> Any:  # noqa: ANN401
        return self.SERVICE.get(uow, self.record_id)

    def fetch(self, uow):  # noqa: ANN001, ANN201
        from bizdesk.services.crm.tickets import linked_to

        self.tickets = linked_to(uow, self.SERVICE.ORDERS.entity, self.record_id)
        return self.fetch_order(uow)

    def finish(self, t: Text, view: Any) -> None:  # noqa: ANN401
        """The tickets about the order and what it posted, under ``t``; then draw it all."""
        t.append(tickets_text(self.tickets))
        if view.entries:
            posted = ", ".join(label for _i, label, _m in view.entries)
            t.append("\n" + _("Posted: {entries}").format(entries=posted), style="dim")
        self.query_one("#main", Static).update(visible_text(t))
        self.sub_title = view.label

    def _act(self, fn, success: str) -> None:  # noqa: ANN001
        if self.view is not None:
            self.run_service(fn, done=lambda _: self.load(), success=success)

    def action_edit(self) -> None:
        v = self.view
        if v is None:
            return
        if v.state != self.SERVICE.ORDERS.flow.draft:
            self.notify(
                _("{label} is {state}: only a draft can be changed").format(
                    label=v.label, state=state_name(v.state)
                )
            )
            return
        self.app.push_screen(self.FORM(v), lambda r: r and self.load())

    def action_cancel_order(self) -> None:
        v = self.view
        if v is None:
            return
        self.app.push_screen(
            ConfirmScreen(_(self.CANCEL_QUESTION).format(label=v.label)),
            lambda yes: (
                yes
                and self._act(
                    lambda uow: self.SERVICE.cancel(uow, v.id, version=v.version),
                    _("{label} cancelled").format(label=v.label),
                )
            ),
        )

    def action_close_rest(self) -> None:
        v = self.view
        if v is None:
            return
        left = number(v.left_over, self.app.locale)
        self.app.push_screen(
            ConfirmScreen(_(self.CLOSE_QUESTION).format(label=v.label, qty=left)),
            lambda yes: (
                yes
                and self._act(
                    lambda uow: self.SERVICE.close_rest(uow, v.id, version=v.version),
                    _(self.CLOSED).format(label=v.label),
                )
            ),
        )

    def action_entries(self) -> None:
        v = self.view
        if v is None or not v.entries:
            self.notify(_("Nothing posted for this order yet"))
            return
        from bizdesk.screens.journal import EntryScreen

        self.app.push_screen(
            PickScreen(
                _("Journal entries of {label}").format(label=v.label),
                [(f"{label}  {memo}", eid) for eid, label, memo in v.entries],
            ),
            lambda eid: eid and self.app.push_screen(EntryScreen(eid)),
        )

    def action_party(self) -> None:
        """Open the contact the order is made out to."""
        if self.view is not None:
            party = getattr(self.view, self.SERVICE.ORDERS.party)
            self.app.action_open_record("contact", party)
