"""Who a name typed for an owner, an assignee or a person's work is: a bizdesk user, or a
refusal that names the users there are (a shop has a few), so the person sees what to type
instead ("'María' is not a bizdesk user" alone left them guessing at "maria")."""

from __future__ import annotations

from collections.abc import Iterable

from sqlmodel import Session, select

from bizdesk.i18n import Message
from bizdesk.models.core import User
from bizdesk.reading import quoted

SHOWN = 8  # users named in a refusal; more are "…"


def not_a_user(name: str, users: Iterable[str]) -> Message:
    """The refusal of ``name``, which no user has, naming ``users`` (the active ones)."""
    known = sorted(set(users))
    if not known:
        return Message("{name} is not a bizdesk user", name=quoted(name, 60))
    listed = ", ".join(known[:SHOWN]) + (", …" if len(known) > SHOWN else "")
    return Message(
        "{name} is not a bizdesk user (the users: {users})", name=quoted(name, 60), users=listed
    )


def active_users(session: Session) -> list[str]:
    """The user names of the people who may work in the store now."""
    return list(session.scalars(select(User.username).where(User.active.is_(True))))


def unknown_user(session: Session, name: str, *, active: bool = False) -> Message | None:
    """None when a user has this name (one who may still work here, with ``active``), else
    the refusal naming the active users."""
    found = select(User.id).where(User.username == name)
    if active:
        found = found.where(User.active.is_(True))
    if session.scalars(found).first() is not None:
        return None
    return not_a_user(name, active_users(session))
