"""The people who may use a store (their Unix login names) and their roles; owners manage them."""

from __future__ import annotations

import pwd
import re
from dataclasses import dataclass

from sqlalchemy import or_
from sqlmodel import select

from bizdesk.db.session import UnitOfWork
from bizdesk.errors import NotFound, PermissionDenied, ValidationError
from bizdesk.i18n import LANGUAGES, Message, language_of, locale_of
from bizdesk.identity import current_gate
from bizdesk.models.core import ROLES, User
from bizdesk.reading import quoted
from bizdesk.services.admin import ssh_keys
from bizdesk.services.base import validate as v
from bizdesk.services.base.paging import Page, PageRequest, like_pattern
from bizdesk.services.base.permissions import can, owners_hint, require_user, requires

# what a Unix login name may look like (useradd's rule, a little more lenient)
_LOGIN = re.compile(r"^[a-z_][a-z0-9_.-]{0,63}\$?$", re.IGNORECASE)


@dataclass(frozen=True)
class UserView:
    id: int
    username: str
    full_name: str
    role: str
    active: bool
    language: str = ""  # '' follows the session's environment


def _view(u: User) -> UserView:
    return UserView(u.id, u.username, u.full_name, u.role, u.active, u.language)


def _role(value: object) -> str:
    role = str(value or "").strip().lower()
    if role not in ROLES:
        raise ValidationError(
            {
                "role": Message(
                    "{value} is not a role; choose one of {roles}",
                    value=quoted(value or "", 20),
                    roles=", ".join(ROLES),
                )
            }
        )
    return role


def _get(uow: UnitOfWork, username: str) -> User:
    u = uow.session.exec(select(User).where(User.username == username)).first()
    if u is None:
        raise NotFound(Message("{name} is not a user of this store", name=quoted(username, 60)))
    return u


def _keep_an_owner(uow: UnitOfWork, u: User) -> None:
    """Refuse a change that would leave the store without an active owner."""
    if u.role != "owner" or not u.active:
        return
    others = uow.session.exec(
        select(User.id).where(User.role == "owner", User.active.is_(True), User.id != u.id)
    ).first()
    if others is None:
        raise ValidationError(
            {
                "role": Message(
                    "{name} is the only owner; make someone else an owner first "
                    "(a store always keeps one)",
                    name=u.username,
                )
            }
        )


def whoami(uow: UnitOfWork) -> str:
    """The acting user's role; refuses an OS user the store does not know (or disabled)."""
    return require_user(uow)


def access(uow: UnitOfWork) -> tuple[str | None, str]:
    """The acting user's role (None: refused) and the owners to ask, for the TUI's start."""
    return uow.role, owners_hint(uow)


@requires("users.view")
def list_users(uow: UnitOfWork) -> list[UserView]:
    return [_view(u) for u in uow.session.exec(select(User).order_by(User.username))]


@requires("users.view")
def list_page(uow: UnitOfWork, req: PageRequest) -> Page[UserView]:
    """All users on one page (a shop has a handful); the filter matches name or role."""
    if req.after or req.before:
        return Page([], [], False, False)
    stmt = select(User).order_by(User.username)
    if req.search.strip():
        pat = like_pattern(req.search.strip())
        stmt = stmt.where(
            or_(
                User.username.like(pat, escape="\\"),
                User.full_name.like(pat, escape="\\"),
                User.role.like(pat, escape="\\"),
            )
        )
    rows = [_view(u) for u in uow.session.exec(stmt)]
    return Page(rows, [(r.username, r.id) for r in rows], False, False)


def _register_key(name: str, key: str) -> None:
    """Under the shop's gate: let ``key`` in as ``name`` (services/admin/ssh_keys.py)."""
    gate = current_gate()
    if gate is None:
        raise ValidationError(
            {
                "key": Message(
                    "keys are registered through the shop's account (the enforced set-up "
                    "in the README); in a group-shared shop each person logs in as themselves"
                )
            }
        )
    ssh_keys.register(gate.keys_file, gate.program, gate.url, name, key)


@requires("users.manage")
def add(
    uow: UnitOfWork,
    username: object,
    role: object,
    full_name: object = "",
    key: str | None = None,
) -> UserView:
    """Let someone in with a role; under the shop's gate ``key`` (their SSH public key) is
    what lets them log in, as themselves and only into bizdesk."""
    name = str(username or "").strip()
    errors: dict[str, str] = {}
    if not _LOGIN.match(name):
        errors["username"] = Message(
            "{name} is not a login name (letters, digits, . _ -)", name=quoted(name, 60)
        )
    try:
        role = _role(role)
    except ValidationError as exc:
        errors.update(exc.fields)
    try:
        full = v.text(full_name, max_len=200)
    except v.FieldError as exc:
        errors["full_name"] = str(exc)
    if errors:
        raise ValidationError(errors)
    if uow.session.exec(select(User.id).where(User.username == name)).first() is not None:
        raise ValidationError(
            {
                "username": Message(
                    "{name} is a user already; use set-role to change their role", name=name
                )
            }
        )
    u = User(username=name, role=role, full_name=full)
    uow.session.add(u)
    uow.session.flush()
    uow.audit("user", u.id, "add", after={"username": name, "role": role, "full_name": full})
    if key is not None:
        _register_key(name, key)
    return _view(u)


def has_login(username: str) -> bool:
    """Whether ``username`` can log in to open the store: under the shop's gate their key
    is their login; otherwise it is a Unix user of this machine."""
    if current_gate() is not None:
        return True
    try:
        pwd.getpwnam(username)
    except KeyError:
        return False
    return True


@requires("users.manage")
def add_key(uow: UnitOfWork, username: str, key: str) -> UserView:
    """Register one more SSH key for an active user (a new laptop), under the shop's gate."""
    u = _get(uow, username)
    if not u.active:
        raise ValidationError(
            {"username": Message("{name} is disabled; set a role first", name=u.username)}
        )
    _register_key(u.username, key)
    uow.audit("user", u.id, "add-key", after={"username": u.username})
    return _view(u)


@requires("users.manage")
def set_role(uow: UnitOfWork, username: str, role: object) -> UserView:
    """Change a user's role; a disabled user set to a role is enabled again."""
    role = _role(role)
    u = _get(uow, username)
    before = {"role": u.role, "active": u.active}
    if role != "owner":
        _keep_an_owner(uow, u)
    u.role, u.active = role, True
    uow.session.add(u)
    uow.audit("user", u.id, "set-role", before=before, after={"role": role, "active": True})
    uow.forget_account()
    return _view(u)


@requires("users.manage")
def disable(uow: UnitOfWork, username: str) -> UserView:
    """The user can no longer open the store; their history stays."""
    u = _get(uow, username)
    if not u.active:
        return _view(u)
    _keep_an_owner(uow, u)
    if u.username == uow.user:  # another owner may: one who may still open the store
        raise ValidationError(
            {
                "user": Message(
                    "you cannot disable yourself; another owner can (disabled, you could not "
                    "open the store to undo it)"
                )
            }
        )
    u.active = False
    uow.session.add(u)
    uow.audit("user", u.id, "disable", before={"active": True}, after={"active": False})
    uow.forget_account()
    _forget_keys(u.username)
    return _view(u)


def _forget_keys(name: str) -> None:
    """Under the shop's gate a disabled person's keys go too: their next login is refused by
    sshd itself (a session already open is shut out by the store at its next refresh)."""
    gate = current_gate()
    if gate is not None:
        ssh_keys.forget(gate.keys_file, name)


# what `set-language` accepts besides a language: follow the session's environment again
FOLLOW_ENVIRONMENT = ("auto", "")
LANGUAGE_CHARS = 8  # models.core.User.language: "en_GB", "es_419"


def _language(value: object) -> str:
    """A language setting: one bizdesk speaks (``es``), or a locale of one (``en_GB``: its
    dates as that country writes them), or '' (auto: the session's). Never guessed at."""
    text = str(value if value is not None else "").strip()
    if text.lower() in FOLLOW_ENVIRONMENT:
        return ""
    tag = locale_of(text) if re.fullmatch(r"[A-Za-z_-]+|[A-Za-z]+[_-][0-9]{3}", text) else None
    if tag is not None and "_" in tag and language_of(tag):
        from babel import Locale, UnknownLocaleError

        try:
            Locale.parse(tag)
        except (UnknownLocaleError, ValueError):
            tag = None
    if tag is None or not language_of(tag) or len(tag) > LANGUAGE_CHARS:
        raise ValidationError(
            {
                "language": Message(
                    "{value} is not a language bizdesk speaks; choose one of {languages}, "
                    "a locale of one such as en_GB (dates as that country writes them), "
                    "or auto to follow the session's LANG",
                    value=quoted(value, 20),
                    languages=", ".join(LANGUAGES),
                )
            }
        )
    return tag


@requires("users.language")
def set_language(uow: UnitOfWork, username: str, language: object) -> UserView:
    """The language bizdesk speaks to one person. Everyone may choose their own; only an
    owner chooses someone else's."""
    lang = _language(language)
    u = _get(uow, username)
    if u.username != uow.user and not can(uow, "users.manage"):
        raise PermissionDenied(
            Message(
                "Only an owner sets another person's language; {name} may set their own "
                "(bizdesk users set-language {name} LANG)",
                name=uow.user,
            )
        )
    before = {"language": u.language}
    u.language = lang
    uow.session.add(u)
    uow.audit("user", u.id, "set-language", before=before, after={"language": lang})
    return _view(u)


def my_language(uow: UnitOfWork) -> str:
    """The acting person's language setting ('' when they follow the environment or are not
    a user of this store): read at the door's start, before anything is shown."""
    found = uow.session.exec(select(User.language).where(User.username == uow.user)).first()
    return found or ""
