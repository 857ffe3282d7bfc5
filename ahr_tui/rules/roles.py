"""Who may do what: operator roles and the permissions each grants."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    TRIAGE = "triage"
    INVESTIGATOR = "investigator"
    LEAD = "lead"

    @classmethod
    def stored(cls, value: str | None) -> Role | None:
        """A role as stored; None for none, or for one this version does not know (e.g. edited
        by hand): such an operator may look, not act."""
        try:
            return None if value is None else cls(value)
        except ValueError:
            return None


class Permission(StrEnum):
    OPEN = "open a case"
    RESPOND = "record a response"
    RESOLVE = "resolve a case"
    ASSIGN = "assign a case"
    NOTE = "add a note"
    CONTACT = "log a contact attempt"
    FRAUD = "record a fraud finding"
    DEACTIVATE = "deactivate an account"
    MANAGE_STORES = "enable or disable stores"
    MANAGE_OPERATORS = "manage operators"
    IMPORT = "import data"
    SWEEP = "run a sweep"


_TRIAGE = frozenset(
    {
        Permission.OPEN,
        Permission.RESPOND,
        Permission.RESOLVE,
        Permission.ASSIGN,
        Permission.NOTE,
        Permission.CONTACT,
        Permission.SWEEP,
    }
)
_INVESTIGATOR = _TRIAGE | {Permission.FRAUD}
_LEAD = frozenset(Permission)

GRANTS: dict[Role, frozenset[Permission]] = {
    Role.TRIAGE: _TRIAGE,
    Role.INVESTIGATOR: _INVESTIGATOR,
    Role.LEAD: _LEAD,
}


def allows(role: Role | None, permission: Permission) -> bool:
    return role is not None and permission in GRANTS[role]


def least_role(permission: Permission) -> Role:
    """The smallest role that grants ``permission`` (named in refusals)."""
    for role in (Role.TRIAGE, Role.INVESTIGATOR, Role.LEAD):
        if permission in GRANTS[role]:
            return role
    raise AssertionError(permission)
