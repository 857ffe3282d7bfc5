"""What an operator may do to one case, and the one sentence that refuses it.

Both front ends ask here: the CLI (through the service, which also checks the role stored in the
database) and the app (to grey a key in the footer and to say why when it is pressed). So
``ahr case note 7`` and the app's ``n`` allow and refuse the same things in the same words.

An ``Operation`` is what the operator asks for (a key, an ``ahr case`` subcommand); the status
changing ones map to a ``CaseAction`` of ``rules.cases``, whose transition table decides them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from ahr_tui.rules.cases import (
    ACTIVE_STATUSES,
    CaseAction,
    CaseStatus,
    RejectCode,
    Rejected,
    check,
    wrong_state,
)
from ahr_tui.rules.roles import Permission, Role, allows, least_role


class Operation(StrEnum):
    """An operator's action on one case (the app's keys, ``ahr case SUBCOMMAND``)."""

    RESPOND = "respond"
    RESOLVE = "resolve"
    DEACTIVATE = "deactivate"
    FRAUD = "fraud"
    ASSIGN = "assign"
    NOTE = "note"
    #: log a contact attempt (``c``, ``ahr case attempt``); ``rules.contact`` decides its effect
    ATTEMPT = "attempt"

    @property
    def transition(self) -> CaseAction | None:
        """The status change it asks for; None for assign and note."""
        return _TRANSITION.get(self)


_TRANSITION: dict[Operation, CaseAction] = {
    Operation.RESPOND: CaseAction.RESPOND,
    Operation.RESOLVE: CaseAction.RESOLVE,
    Operation.DEACTIVATE: CaseAction.DEACTIVATE,
    Operation.FRAUD: CaseAction.FRAUD,
}

#: The one action -> permission table: what the operator's role must grant.
PERMISSION: dict[Operation | CaseAction, Permission] = {
    Operation.RESPOND: Permission.RESPOND,
    Operation.RESOLVE: Permission.RESOLVE,
    Operation.DEACTIVATE: Permission.DEACTIVATE,
    Operation.FRAUD: Permission.FRAUD,
    Operation.ASSIGN: Permission.ASSIGN,
    Operation.NOTE: Permission.NOTE,
    Operation.ATTEMPT: Permission.CONTACT,
    CaseAction.RESPOND: Permission.RESPOND,
    CaseAction.RESOLVE: Permission.RESOLVE,
    CaseAction.DEACTIVATE: Permission.DEACTIVATE,
    CaseAction.FRAUD: Permission.FRAUD,
    # The sweep's expiry, and the supersession a fraud finding implies.
    CaseAction.EXPIRE: Permission.SWEEP,
    CaseAction.SUPERSEDE: Permission.FRAUD,
}

#: Where assign and note may start from: assignment for active cases only; a note on any case,
#: final ones included (the timeline is the record).
ALLOWED_FROM: dict[Operation, frozenset[CaseStatus]] = {
    Operation.ASSIGN: ACTIVE_STATUSES,
    Operation.NOTE: frozenset(CaseStatus),
    # attempts on a final case are rejected (DESIGN section 4)
    Operation.ATTEMPT: ACTIVE_STATUSES,
}


@dataclass(frozen=True, slots=True)
class CaseFacts:
    """What the rules need to know about one case (times are aware UTC instants; the contact
    and the deadline are None while the case is ``detected``)."""

    id: int
    status: CaseStatus
    contacted_at: datetime | None
    deadline: datetime | None
    assignee: str | None = None


@dataclass(frozen=True, slots=True)
class Unchanged:
    """The operation is allowed but has nothing to write (exit 0, one sentence)."""

    message: str


#: Assign and note do not depend on the time: any instant will do for ``state_refusal``.
_ANY_TIME = datetime(2000, 1, 1, tzinfo=UTC)


def role_refusal(permission: Permission, operator: str, role: Role | None) -> str | None:
    """The sentence that refuses ``operator`` (of ``role``, None: not an operator) an action
    needing ``permission``; None when the role grants it."""
    if allows(role, permission):
        return None
    needed = least_role(permission).value
    if role is None:
        return (
            f"{operator} is not an operator; to {permission.value} you need the {needed} role "
            f"(a lead can run `ahr operator add {operator} --role {needed}`)."
        )
    return f"to {permission.value} you need the {needed} role; {operator} is {role.value}."


def case_sentence(case_id: int, outcome: Rejected | Unchanged) -> str:
    """The one sentence for a refused (or unchanged) operation on case ``case_id``."""
    return f"case {case_id}: {outcome.message}."


def state_refusal(operation: Operation, case: CaseFacts, *, at: datetime) -> Rejected | None:
    """Whether the case's status (and, for a response, the instant ``at``) allows
    ``operation``, before any note is typed; None when it does."""
    transition = operation.transition
    if transition is not None:
        return check(
            transition, case.status, at=at, contacted_at=case.contacted_at, deadline=case.deadline
        )
    if case.status not in ALLOWED_FROM[operation]:
        return Rejected(
            RejectCode.WRONG_STATE,
            wrong_state(operation.value, case.status, ALLOWED_FROM[operation]),
        )
    return None


def refusal(
    operation: Operation,
    case: CaseFacts,
    *,
    operator: str,
    role: Role | None,
    at: datetime,
) -> str | None:
    """Why ``operator`` cannot start ``operation`` on ``case`` at ``at``, in one sentence;
    None when they can. The role is checked first, then the case's status."""
    refused = role_refusal(PERMISSION[operation], operator, role)
    if refused is not None:
        return refused
    rejected = state_refusal(operation, case, at=at)
    return None if rejected is None else case_sentence(case.id, rejected)


def decide_assign(case: CaseFacts, to: str) -> Rejected | Unchanged | None:
    """Assigning ``case`` to ``to``: refused for a final case, ``Unchanged`` when ``to`` already
    has it (nothing is written), None when it is a change to write."""
    rejected = state_refusal(Operation.ASSIGN, case, at=_ANY_TIME)
    if rejected is not None:
        return rejected
    if case.assignee == to:
        return Unchanged(f"already assigned to {to}")
    return None


def decide_note(case: CaseFacts, text: str) -> Rejected | None:
    """A note goes on any case, final ones included; it needs text."""
    if not text.strip():
        return Rejected(RejectCode.NOTE_REQUIRED, "a note needs text")
    return state_refusal(Operation.NOTE, case, at=_ANY_TIME)
