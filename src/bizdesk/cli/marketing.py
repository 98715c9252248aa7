"""E-mail consent (`bizdesk consent show|set`), saved segments (`bizdesk segments
list|add|show|members|delete`), campaigns (`bizdesk campaigns list|add|show|send|results|
replied|link`) and `bizdesk unsubscribe TOKEN`. services/marketing does the work."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text
from typer.core import TyperCommand

from bizdesk.cli.core import (
    DbOpt,
    date_form,
    fail,
    open_store,
    print_json,
    read_named,
    say,
    show,
    typed_date,
)
from bizdesk.errors import ValidationError
from bizdesk.i18n import _, ngettext, tr
from bizdesk.reading import is_digits, quoted
from bizdesk.words import CONTACT_STAGE_NAMES, named

app = typer.Typer()
consent_app = typer.Typer(help=_("E-mail consent: who agreed to receive campaigns."))
segments_app = typer.Typer(help=_("Saved segments: named filters over the contacts."))
campaigns_app = typer.Typer(help=_("E-mail campaigns to a segment's consenting contacts."))
app.add_typer(consent_app, name="consent")
app.add_typer(segments_app, name="segments")
app.add_typer(campaigns_app, name="campaigns")


class Printed(StrEnum):
    TEXT = "text"
    JSON = "json"


FormatOpt = Annotated[Printed, typer.Option("--format", help=_("text or json"))]
ContactArg = Annotated[
    str, typer.Argument(help=_("The contact: #id, e-mail or exact name."), show_default=False)
]
SegmentArg = Annotated[str, typer.Argument(help=_("The segment's name, or #id."))]
CampaignArg = Annotated[str, typer.Argument(help=_("The campaign's name, or #id."))]
MAX_BODY = 20_000


def _contact_id(uow, text: str) -> int:  # noqa: ANN001
    from bizdesk.services.base.validate import FieldError
    from bizdesk.services.crm.contacts import resolve

    try:
        return resolve(uow, text).id
    except FieldError as exc:
        raise ValidationError({"contact": exc.message}) from None


# --- consent -----------------------------------------------------------------------------


@consent_app.command("show", help=_("A contact's e-mail consent."))
def consent_show(ctx: typer.Context, contact: ContactArg, db: DbOpt = None) -> None:
    from bizdesk.services.marketing.consent import get_consent, in_words

    store = open_store(ctx, db)
    with store.read() as uow:
        view = get_consent(uow, _contact_id(uow, contact))
    say(tr(in_words(view)))


@consent_app.command(
    "set",
    help=_(
        "Record a contact's e-mail consent: in or out, and how it was given (form, import, "
        "web, in person, phone, unsubscribe link, by hand)."
    ),
)
def consent_set(
    ctx: typer.Context,
    contact: ContactArg,
    state: Annotated[str, typer.Argument(help=_("in or out"))],
    how: Annotated[str, typer.Option("--how", help=_("How it was given."))] = "by hand",
    db: DbOpt = None,
) -> None:
    from bizdesk.services.marketing.consent import in_words, set_consent

    store = open_store(ctx, db)
    with store.write() as uow:
        view = set_consent(uow, _contact_id(uow, contact), state, how)
    say(tr(in_words(view)))


class TokenCommand(TyperCommand):
    """`unsubscribe TOKEN`: a token that starts with "-" is the token, not an option. Tokens
    made before campaigns.new_token may (1 in 64), and the links mailed with them must keep
    working; anything else that starts with "-" is still read as an option (`--help`, a
    mistyped `--dbb` refused as no such option)."""

    def parse_args(self, ctx, args):  # noqa: ANN001, ANN201
        cut = args.index("--") if "--" in args else len(args)  # after "--": arguments already
        named = {n for p in self.params for n in getattr(p, "opts", ()) if n.startswith("-")}
        valued = {n for p in self.params if not getattr(p, "is_flag", True) for n in p.opts}
        tokens, i = [], 0
        while i < cut:
            arg = args[i]
            if arg in valued:  # its value may start with "-": never a token
                i += 2
                continue
            if arg.startswith("-") and arg not in named and _is_token(arg):
                tokens.append(i)
            i += 1
        if tokens:
            kept = [a for i, a in enumerate(args[:cut]) if i not in tokens]
            args = [*kept, "--", *(args[i] for i in tokens), *args[cut + 1 :]]
        return super().parse_args(ctx, args)


def _is_token(text: str) -> bool:
    from bizdesk.services.marketing.campaigns import is_token

    return is_token(text)


@app.command(
    "unsubscribe",
    cls=TokenCommand,
    help=_(
        "Record the opt-out of whoever received the campaign message holding TOKEN (its "
        "unsubscribe link, or the subject of the unsubscribe e-mail)."
    ),
)
def unsubscribe(
    ctx: typer.Context,
    token: Annotated[str, typer.Argument(help=_("The token of the unsubscribe link."))],
    db: DbOpt = None,
) -> None:
    from bizdesk.services.marketing.campaigns import unsubscribe as do_unsubscribe

    store = open_store(ctx, db)
    with store.write() as uow:
        done = do_unsubscribe(uow, token)
    if done.already:
        say(
            _("{name} ({email}) had already unsubscribed.").format(name=done.name, email=done.email)
        )
    else:
        say(
            _("{name} ({email}) will receive no more campaigns.").format(
                name=done.name, email=done.email
            )
        )


# --- segments ----------------------------------------------------------------------------


def _definition_text(uow, view) -> str:  # noqa: ANN001
    from bizdesk.services.marketing.segments import definition_words, product_sku

    bought = view.definition.get("bought") or {}
    sku = product_sku(uow, bought["product_id"]) if bought.get("product_id") else ""
    words = definition_words(view.definition, sku)
    return "; ".join(f"{k}: {value}" for k, value in words) or _("every contact")


@segments_app.command("list", help=_("The saved segments and how many contacts each holds."))
def segments_list(ctx: typer.Context, fmt: FormatOpt = Printed.TEXT, db: DbOpt = None) -> None:
    from bizdesk.services.marketing import segments

    store = open_store(ctx, db)
    out = []
    with store.read() as uow:
        for r in segments.list_segments(uow):
            view = segments.get_segment(uow, r.id)
            out.append((view, _definition_text(uow, view), segments.count_members(uow, r.id)))
    if fmt == Printed.JSON:
        print_json([{**segments.as_json(v), "members": n} for v, _text, n in out])
        return
    if not out:
        say(_("There are no segments yet: bizdesk segments add NAME --city ..."))
        return
    table = Table(_("Name"), _("Filter"), _("Members"))
    for view, text, n in out:
        table.add_row(Text(view.name), Text(text), str(n))
    show(table)


@segments_app.command(
    "add",
    help=_(
        "Save a segment: the contacts matching every filter given (--bought SKU, or * for "
        "any product, with --from/--to: bought on an invoice in that range)."
    ),
)
def segments_add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help=_("The segment's name."))],
    city: Annotated[str, typer.Option("--city", help=_("City."))] = "",
    country: Annotated[str, typer.Option("--country", help=_("Country (ES, RO, ...)."))] = "",
    tag: Annotated[str, typer.Option("--tag", help=_("Tag."))] = "",
    stage: Annotated[
        str, typer.Option("--stage", help=_("lead, prospect, customer or inactive"))
    ] = "",
    owner: Annotated[str, typer.Option("--owner", help=_("Owner (a user's name)."))] = "",
    age_group: Annotated[
        str, typer.Option("--age-group", help=_("under 25, 25-34, 35-44, 45-54, 55-64 or 65+"))
    ] = "",
    bought: Annotated[str, typer.Option("--bought", help=_("A product's SKU, or * for any."))] = "",
    bought_from: Annotated[
        str, typer.Option("--from", metavar=date_form(), help=_("Bought on or after."))
    ] = "",
    bought_to: Annotated[
        str, typer.Option("--to", metavar=date_form(), help=_("Bought on or before."))
    ] = "",
    db: DbOpt = None,
) -> None:
    from bizdesk.services.marketing.segments import SegmentInput, count_members, create_segment

    store = open_store(ctx, db)
    bought_from, bought_to = typed_date(bought_from, "--from"), typed_date(bought_to, "--to")
    data = SegmentInput(
        name, city, country, tag, stage, owner, age_group, bought, bought_from, bought_to
    )
    with store.write() as uow:
        view = create_segment(uow, data)
        n = count_members(uow, view.id)
    say(
        ngettext(
            "The segment {name} was saved; it holds {n} contact now.",
            "The segment {name} was saved; it holds {n} contacts now.",
            n,
        ).format(name=view.name, n=n)
    )


@segments_app.command("show", help=_("A segment's filter and how many contacts it holds."))
def segments_show(
    ctx: typer.Context, segment: SegmentArg, fmt: FormatOpt = Printed.TEXT, db: DbOpt = None
) -> None:
    from bizdesk.services.marketing import segments

    store = open_store(ctx, db)
    with store.read() as uow:
        view = segments.find_segment(uow, segment)
        text = _definition_text(uow, view)
        n = segments.count_members(uow, view.id)
    if fmt == Printed.JSON:
        print_json({**segments.as_json(view), "members": n})
        return
    say(view.name)
    say(_("Filter: {filter}").format(filter=text))
    say(_("Members: {n}").format(n=n))


@segments_app.command("members", help=_("The contacts a segment holds today, by name."))
def segments_members(
    ctx: typer.Context,
    segment: SegmentArg,
    limit: Annotated[
        str, typer.Option("--limit", help=_("At most this many (default: all)."))
    ] = "",
    fmt: FormatOpt = Printed.TEXT,
    db: DbOpt = None,
) -> None:
    from bizdesk.services.base.paging import PageRequest
    from bizdesk.services.marketing import segments

    if limit and (not is_digits(limit) or not int(limit)):  # -1 is whole, but no count
        fail(_("--limit: {value} is not a count of 1 or more").format(value=quoted(limit, 20)), 2)
    most = int(limit) if limit else None
    store = open_store(ctx, db)
    rows = []
    with store.read() as uow:
        seg = segments.find_segment(uow, segment)
        req = PageRequest(limit=500)
        while most is None or len(rows) < most:
            page = segments.members_page(uow, seg.id, req)
            rows += page.rows
            if not page.more_after:
                break
            req = PageRequest(limit=500, after=page.keys[-1])
    rows = rows[:most] if most is not None else rows
    if fmt == Printed.JSON:
        print_json(
            [
                {"id": r.id, "name": r.name, "email": r.email, "city": r.city,
                 "country": r.country, "stage": r.stage, "owner": r.owner}
                for r in rows
            ]
        )  # fmt: skip
        return
    table = Table(_("Id"), _("Name"), _("E-mail"), _("City"), _("Country"), _("Stage"))
    for r in rows:
        table.add_row(
            str(r.id),
            Text(r.name),
            Text(r.email),
            Text(r.city),
            r.country,
            named(CONTACT_STAGE_NAMES, r.stage),  # JSON keeps the stored word
        )
    show(table)


@segments_app.command("delete", help=_("Delete a segment no campaign uses."))
def segments_delete(ctx: typer.Context, segment: SegmentArg, db: DbOpt = None) -> None:
    from bizdesk.services.marketing import segments

    store = open_store(ctx, db)
    with store.write() as uow:
        seg = segments.find_segment(uow, segment)
        segments.delete_segment(uow, seg.id)
    say(_("The segment {name} was deleted.").format(name=seg.name))


# --- campaigns ---------------------------------------------------------------------------


def _body(text: str | None, path: str | None) -> str:
    if path is None:
        return text or ""
    if text is not None:
        fail(_("Give the message with --body or with --body-file, not both."), 2)
    data = read_named(path, MAX_BODY)
    if len(data) > MAX_BODY:
        fail(_("The message is longer than {n} bytes.").format(n=MAX_BODY))
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        fail(_("{path} is not UTF-8 text.").format(path=path))


@campaigns_app.command("list", help=_("The campaigns, by name."))
def campaigns_list(ctx: typer.Context, fmt: FormatOpt = Printed.TEXT, db: DbOpt = None) -> None:
    from bizdesk.formatting import moment
    from bizdesk.services.base.paging import PageRequest
    from bizdesk.services.base.zones import shop_zone
    from bizdesk.services.marketing import campaigns

    store = open_store(ctx, db)
    rows = []
    with store.read() as uow:
        req = PageRequest(limit=500)
        while True:
            page = campaigns.list_page(uow, req)
            rows += page.rows
            if not page.more_after:
                break
            req = PageRequest(limit=500, after=page.keys[-1])
    if fmt == Printed.JSON:
        print_json(
            [
                {"id": r.id, "name": r.name, "segment": r.segment, "state": r.state,
                 "queued_at": r.queued_at.isoformat() if r.queued_at else None,
                 "recipients": r.recipients}
                for r in rows
            ]
        )  # fmt: skip
        return
    if not rows:
        say(_("There are no campaigns yet: bizdesk campaigns add NAME --segment ..."))
        return
    table = Table(_("Name"), _("Segment"), _("State"), _("Queued"), _("Recipients"))
    for r in rows:
        table.add_row(
            Text(r.name),
            Text(r.segment),
            _(campaigns.STATE_WORDS[r.state]),
            moment(r.queued_at, shop_zone(store.settings().get)),
            str(r.recipients),
        )
    show(table)


@campaigns_app.command(
    "add",
    help=_(
        "Save a draft campaign to a segment. Merge fields in the subject and the message: "
        "{name}, {first_name}, {last_name}, {organization}, {city}, {country}, {email}, "
        "{unsubscribe_url}."
    ),
)
def campaigns_add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help=_("The campaign's name."))],
    segment: Annotated[str, typer.Option("--segment", help=_("The segment it goes to."))] = "",
    subject: Annotated[str, typer.Option("--subject", help=_("The subject."))] = "",
    body: Annotated[str | None, typer.Option("--body", help=_("The message."))] = None,
    body_file: Annotated[
        str | None, typer.Option("--body-file", help=_("The message from a file (- stdin)."))
    ] = None,
    days: Annotated[
        str, typer.Option("--days", help=_("Days after sending that sales count for it."))
    ] = "30",
    db: DbOpt = None,
) -> None:
    from bizdesk.services.marketing.campaigns import CampaignInput, create_campaign

    text = _body(body, body_file)
    store = open_store(ctx, db)
    with store.write() as uow:
        view = create_campaign(uow, CampaignInput(name, segment, subject, text, days))
    say(_("The campaign {name} was saved as a draft.").format(name=view.name))


def _campaign(uow, text: str):  # noqa: ANN001, ANN202
    from bizdesk.services.marketing.campaigns import find_campaign

    return find_campaign(uow, text)


@campaigns_app.command(
    "show", help=_("A campaign: its segment, its message, and who is left out and why.")
)
def campaigns_show(
    ctx: typer.Context, campaign: CampaignArg, fmt: FormatOpt = Printed.TEXT, db: DbOpt = None
) -> None:
    from bizdesk.services.marketing import campaigns

    store = open_store(ctx, db)
    with store.read() as uow:
        view = _campaign(uow, campaign)
        left = campaigns.left_out(uow, view.id, limit=1000)
    if fmt == Printed.JSON:
        print_json(
            {
                "id": view.id, "name": view.name, "segment": view.segment,
                "state": view.state, "subject": view.subject, "body": view.body,
                "attribution_days": view.attribution_days,
                "queued_at": view.queued_at.isoformat() if view.queued_at else None,
                "left_out": left.counts,
                "left_out_contacts": [
                    {"id": i, "name": n, "reason": r} for i, n, r in left.rows
                ],
            }
        )  # fmt: skip
        return
    say(
        _("{name} to {segment} ({state})").format(
            name=view.name, segment=view.segment, state=_(campaigns.STATE_WORDS[view.state])
        )
    )
    say(_("Subject: {subject}").format(subject=view.subject))
    say("")
    say(view.body)
    say("")
    total = sum(left.counts.values())
    say(_("Left out: {n}").format(n=total))
    for i, n, r in left.rows:
        say(f"  #{i} {n}: {_(campaigns.REASON_WORDS[r])}")
    if total > len(left.rows):
        say(_("  ... and {n} more").format(n=total - len(left.rows)))


@campaigns_app.command(
    "send",
    help=_(
        "Queue the campaign for every consenting contact of its segment not queued yet, and "
        "send what is queued; safe to run again: nobody receives it twice."
    ),
)
def campaigns_send(ctx: typer.Context, campaign: CampaignArg, db: DbOpt = None) -> None:
    from bizdesk.services.marketing import campaigns

    store = open_store(ctx, db)
    with store.read() as uow:
        view = _campaign(uow, campaign)
    done = campaigns.send_campaign(store, view.id)
    q = done.queued
    say(
        ngettext(
            "{n} recipient was queued now ({already} before).",
            "{n} recipients were queued now ({already} before).",
            q.queued,
        ).format(n=q.queued, already=q.already)
    )
    for reason, n in sorted(q.left_out.items()):
        say(_("Left out, {reason}: {n}").format(reason=_(campaigns.REASON_WORDS[reason]), n=n))
    for line in done.delivery.said():
        say(str(line))
    if done.delivery.left_undone:  # still queued or unsure: exit 1 (a script can tell)
        raise typer.Exit(1)


@campaigns_app.command(
    "results",
    help=_(
        "What came of a campaign: each recipient's result, and the deals, orders and invoices "
        "of its recipients in the days after it (attributed)."
    ),
)
def campaigns_results(
    ctx: typer.Context, campaign: CampaignArg, fmt: FormatOpt = Printed.TEXT, db: DbOpt = None
) -> None:
    from bizdesk.formatting import money
    from bizdesk.services.base.paging import PageRequest
    from bizdesk.services.marketing import campaigns

    store = open_store(ctx, db)
    rows = []
    with store.read() as uow:
        view = _campaign(uow, campaign)
        res = campaigns.results(uow, view.id)
        currency = uow.currency  # of the amounts, as the reports' JSON carries it
        req = PageRequest(limit=500)
        while True:
            page = campaigns.recipients_page(uow, view.id, req)
            rows += page.rows
            if not page.more_after:
                break
            req = PageRequest(limit=500, after=page.keys[-1])
    if fmt == Printed.JSON:
        print_json(
            {
                "campaign": view.name,
                "recipients": res.recipients,
                "results": res.by_result,
                "attribution_days": res.attribution_days,
                "currency": currency,
                "deals": res.deals, "deals_amount": str(res.deals_amount),
                "orders": res.orders, "orders_amount": str(res.orders_amount),
                "invoices": res.invoices, "invoices_amount": str(res.invoices_amount),
                "rows": [
                    {"contact_id": r.contact_id, "name": r.name, "email": r.email,
                     "result": r.result}
                    for r in rows
                ],
            }
        )  # fmt: skip
        return
    loc = store.settings().get("locale", "en_US")
    say(
        ngettext("{name}: {n} recipient", "{name}: {n} recipients", res.recipients).format(
            name=view.name, n=res.recipients
        )
    )
    for key, n in sorted(res.by_result.items()):
        say(f"  {_(campaigns.RESULT_WORDS[key])}: {n}")
    days = res.attribution_days
    say(
        ngettext("Within {days} day after it:", "Within {days} days after it:", days).format(
            days=days
        )
    )
    say(_("  deals: {n} ({amount})").format(n=res.deals, amount=money(res.deals_amount, loc)))
    say(
        _("  sales orders: {n} ({amount})").format(
            n=res.orders, amount=money(res.orders_amount, loc)
        )
    )
    say(
        _("  invoices: {n} ({amount})").format(
            n=res.invoices, amount=money(res.invoices_amount, loc)
        )
    )
    if rows:
        table = Table(_("Name"), _("E-mail"), _("Result"))
        for r in rows:
            table.add_row(Text(r.name), Text(r.email), _(campaigns.RESULT_WORDS[r.result]))
        show(table)


@campaigns_app.command("replied", help=_("Record that a recipient answered the campaign."))
def campaigns_replied(
    ctx: typer.Context, campaign: CampaignArg, contact: ContactArg, db: DbOpt = None
) -> None:
    from bizdesk.services.marketing.campaigns import mark_replied

    store = open_store(ctx, db)
    with store.write() as uow:
        view = _campaign(uow, campaign)
        row = mark_replied(uow, view.id, contact)
    say(_("{name} replied to {campaign}.").format(name=row.name, campaign=view.name))


@campaigns_app.command(
    "link",
    help=_(
        "Show or set the shop's unsubscribe page: an https address holding {token} (empty: "
        "a mailto: link to the shop's sender address)."
    ),
)
def campaigns_link(
    ctx: typer.Context,
    url: Annotated[str | None, typer.Argument(help=_("The address, or '' for none."))] = None,
    db: DbOpt = None,
) -> None:
    from bizdesk.services.marketing.campaigns import URL_SETTING, set_unsubscribe_url

    store = open_store(ctx, db)
    if url is None:
        with store.read() as uow:
            now = uow.setting(URL_SETTING)
    else:
        with store.write() as uow:
            now = set_unsubscribe_url(uow, url)
    say(now or _("none: the unsubscribe link is a mailto: link to the shop's sender address"))
