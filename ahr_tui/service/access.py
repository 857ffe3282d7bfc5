"""Role checks: anyone may look; acting needs an operator whose role grants the permission."""

from __future__ import annotations

from sqlmodel import Session

from ahr_tui.errors import PermissionDenied
from ahr_tui.rules import Permission, Role, allows, least_role
from ahr_tui.store.audit import Actor
from ahr_tui.store.models import Operator


def role_of(session: Session, name: str) -> Role | None:
    row = session.get(Operator, name)
    return Role(row.role) if row else None


def require(session: Session, actor: Actor, permission: Permission) -> Role:
    role = role_of(session, actor.name)
    if allows(role, permission):
        assert role is not None
        return role
    needed = least_role(permission)
    if role is None:
        raise PermissionDenied(
            f"{actor.name} is not an operator; to {permission.value} you need the "
            f"{needed.value} role (a lead can run `ahr operator add {actor.name} --role {needed.value}`)."
        )
    raise PermissionDenied(
        f"to {permission.value} you need the {needed.value} role; {actor.name} is {role.value}."
    )
