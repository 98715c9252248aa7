"""First-run set-up of a store: company settings, the owner, the default pipeline."""

from __future__ import annotations

from babel import Locale, UnknownLocaleError
from sqlmodel import select

from bizdesk.db.session import UnitOfWork
from bizdesk.errors import ValidationError
from bizdesk.i18n import N_, Message, written
from bizdesk.models.core import AuditEvent, User
from bizdesk.models.deals import PipelineStage
from bizdesk.models.ledger import Account
from bizdesk.models.stock import Location
from bizdesk.money import AmountError, currency_exponent
from bizdesk.reading import quoted
from bizdesk.services.base import validate as v

DEFAULT_PIPELINE = (
    (Message.pgettext("pipeline stage", "New"), 10, "open"),  # not the key "New"
    (N_("Qualified"), 30, "open"),
    (N_("Proposal"), 60, "open"),
    (N_("Negotiation"), 80, "open"),
    (N_("Won"), 100, "won"),
    (N_("Lost"), 0, "lost"),
)


def is_initialized(uow: UnitOfWork) -> bool:
    return bool(uow.setting("currency"))


def born(uow: UnitOfWork) -> str:
    """Which store this is, beyond where it lies: when its first audit event was written
    (its set-up), '' before any. A store made anew at the path of another is another store
    (a backup of it put back is the same one). No data of anyone."""
    at = uow.session.exec(select(AuditEvent.at).order_by(AuditEvent.id).limit(1)).first()
    return at.isoformat() if at is not None else ""


def check_setup(
    *,
    company: str = "My Shop",
    currency: str = "EUR",
    locale: str = "en_US",
    chart: str | None = None,
) -> tuple[str, str]:
    """What ``initialize`` is asked to set up, checked before any store is touched (``init``
    asks first: a refusal leaves the file it names as it was): every field's problem at
    once (ValidationError); else the company's name as kept and the chart's template."""
    from bizdesk.services.books.ledger import chart_for_locale, chart_template

    errors: dict[str, str] = {}
    chart = chart_for_locale(locale) if chart is None else chart
    try:
        chart_template(chart)
    except ValidationError as exc:
        errors.update(exc.fields)
    try:
        currency_exponent(currency)
    except AmountError:
        errors["currency"] = Message(
            "{value} is not an ISO 4217 currency code", value=quoted(currency, 20)
        )
    try:
        Locale.parse(locale)
    except (UnknownLocaleError, ValueError):
        errors["locale"] = Message(
            "{value} is not a known locale (try en_US, de_DE, fr_FR)", value=quoted(locale, 20)
        )
    try:
        company = v.text(company, required=True, max_len=200)
    except v.FieldError as exc:
        errors["company"] = str(exc)
    if errors:
        raise ValidationError(errors)
    return company, chart


def initialize(
    uow: UnitOfWork,
    *,
    company: str = "My Shop",
    currency: str = "EUR",
    locale: str = "en_US",
    chart: str | None = None,
) -> None:
    """Set the store up once; the OS user doing it becomes the owner. ``chart`` names the
    chart-of-accounts template (default: the one of the locale's language, else generic)."""
    company, chart = check_setup(company=company, currency=currency, locale=locale, chart=chart)
    if is_initialized(uow):
        raise ValidationError({"": Message("this store is already set up")})
    uow.set_setting("company", company)
    uow.set_setting("currency", currency.upper())
    uow.set_setting("locale", locale)
    if uow.session.exec(select(User).where(User.username == uow.user)).first() is None:
        uow.session.add(User(username=uow.user, role="owner"))
    if uow.session.exec(select(PipelineStage)).first() is None:
        for pos, (name, prob, kind) in enumerate(DEFAULT_PIPELINE):
            name = written(locale, name)  # the shop's own words from then on
            uow.session.add(PipelineStage(name=name, position=pos, probability=prob, kind=kind))
    install_erp_defaults(uow, chart)
    uow.audit(
        "store", None, "init", after={"company": company, "currency": currency, "chart": chart}
    )


def needs_erp_defaults(uow: UnitOfWork) -> bool:
    return uow.session.exec(select(Account.id)).first() is None


def install_erp_defaults(uow: UnitOfWork, chart: str = "generic") -> None:
    """The chart of accounts template and the default stock location."""
    from bizdesk.services.books.ledger import install_chart

    if needs_erp_defaults(uow):
        install_chart(uow, chart)
    if uow.session.exec(select(Location.id)).first() is None:
        main = written(uow.setting("locale"), N_("Main"))
        uow.session.add(Location(name=main, is_default=True))


def ensure_initialized(store) -> None:  # noqa: ANN001
    """Set a fresh store up with defaults (used when bizdesk opens a brand new file)."""
    with store.read() as uow:
        if is_initialized(uow) and not needs_erp_defaults(uow):
            return
    with store.write() as uow:
        if not is_initialized(uow):
            initialize(uow)
        else:  # a store from before the ERP side: add its accounts and location
            install_erp_defaults(uow)
