"""Role checks: anyone may look; acting needs an operator whose role grants the permission.

The name checked is the OS account from ``service.identity`` (the real user id), the same name
the audit log records. A refusal names the smallest role that would allow the action.
"""

from __future__ import annotations

from sqlmodel import Session

from ahr_tui.errors import PermissionDenied
from ahr_tui.rules import Permission, Role, allows, least_role
from ahr_tui.store.actor import Actor
from ahr_tui.store.models import Operator
from ahr_tui.textsafe import clean_line


def role_of(session: Session, name: str) -> Role | None:
    """The operator's role; None for someone who is not an operator (or whose stored role this
    version does not know, e.g. edited by hand: they may look, not act)."""
    row = session.get(Operator, name)
    return Role.stored(row.role if row else None)


def require(session: Session, actor: Actor, permission: Permission) -> Role:
    role = role_of(session, actor.name)
    if allows(role, permission):
        assert role is not None
        return role
    needed = least_role(permission)
    name = clean_line(actor.name)
    if role is None:
        raise PermissionDenied(
            f"{name} is not an operator; to {permission.value} you need the "
            f"{needed.value} role (a lead can run `ahr operator add {name} --role {needed.value}`)."
        )
    raise PermissionDenied(
        f"to {permission.value} you need the {needed.value} role; {name} is {role.value}."
    )
