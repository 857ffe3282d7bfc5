"""Role checks: anyone may look; acting needs an operator whose role grants the permission.

The name checked is the OS account from ``service.identity`` (the real user id), the same name
the audit log records. A refusal names the smallest role that would allow the action.
"""

from __future__ import annotations

from sqlmodel import Session

from ahr_tui.errors import PermissionDenied
from ahr_tui.rules import Permission, Role, role_refusal
from ahr_tui.store.actor import Actor
from ahr_tui.store.models import Operator
from ahr_tui.textsafe import clean_line


def role_of(session: Session, name: str) -> Role | None:
    """The operator's role; None for someone who is not an operator (or whose stored role this
    version does not know, e.g. edited by hand: they may look, not act)."""
    row = session.get(Operator, name)
    return Role.stored(row.role if row else None)


def require(session: Session, actor: Actor, permission: Permission) -> Role:
    """``actor``'s role when it grants ``permission``; else ``PermissionDenied`` with the
    sentence of ``rules.role_refusal`` (the app shows the same one)."""
    role = role_of(session, actor.name)
    refused = role_refusal(permission, clean_line(actor.name), role)
    if refused is not None:
        raise PermissionDenied(refused)
    assert role is not None
    return role
