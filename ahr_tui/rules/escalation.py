"""Escalation to operators (DESIGN.md section 4): which case is escalated, to whom, at which level.

- a case that is ``urgent`` (6 h or less to its next due moment) with no assignee -> every lead;
- a case that is ``critical`` (1 h or less) -> its assignee and every lead;
- a detected case past its ``contact_due`` (nobody tried to reach the seller in 24 h) -> every lead.

Each case is escalated at most once per level; the sweep (``service.escalation``) keeps that
promise by looking at what the outbox already holds. Only the level a case is at when the sweep
sees it is queued: a case first seen critical is not also escalated as urgent.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ahr_tui.rules.enrollment import NotificationKind
from ahr_tui.rules.forecast import DETECTED, OPEN
from ahr_tui.rules.policy import DEFAULT_POLICY, Policy
from ahr_tui.rules.urgency import Urgency, urgency

ESCALATION_KINDS = frozenset(
    {
        NotificationKind.ESCALATION_URGENT,
        NotificationKind.ESCALATION_CRITICAL,
        NotificationKind.ESCALATION_CONTACT_OVERDUE,
    }
)


@dataclass(frozen=True, slots=True)
class Escalation:
    kind: NotificationKind
    to_assignee: bool  # the leads always


def escalation(
    status: str,
    due: datetime | None,
    assignee: str | None,
    now: datetime,
    policy: Policy = DEFAULT_POLICY,
) -> Escalation | None:
    """The escalation a case with ``status`` and next due moment ``due`` needs at ``now``.

    ``due`` is ``contact_due`` for a detected case, the deadline for an open one; other
    statuses are never escalated.
    """
    if due is None or status not in (DETECTED, OPEN):
        return None
    level = urgency(due - now, policy)
    if level is Urgency.OVERDUE:
        if status == DETECTED:
            return Escalation(NotificationKind.ESCALATION_CONTACT_OVERDUE, to_assignee=False)
        return None  # an open case past its deadline expires: it awaits a decision instead
    if level is Urgency.CRITICAL:
        return Escalation(NotificationKind.ESCALATION_CRITICAL, to_assignee=True)
    if level is Urgency.URGENT and not assignee:
        return Escalation(NotificationKind.ESCALATION_URGENT, to_assignee=False)
    return None


def recipients(
    esc: Escalation, assignee: str | None, leads: list[str]
) -> list[str]:
    """Who gets ``esc``: every lead, and the assignee when the level says so; no one twice."""
    names = list(leads)
    if esc.to_assignee and assignee and assignee not in names:
        names.insert(0, assignee)
    return names
