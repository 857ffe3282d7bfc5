"""Due moments ahead, the role each one needs, and whether someone who has that role is on shift.

A *due moment* (DESIGN.md section 4, Coverage) is a detected case's ``contact_due``, an open
case's deadline, or the instant a case crosses into ``warn``, ``urgent`` or ``critical`` on its
way to either. Each moment needs a next action, and the action needs a role:

- a detected case (its crossings and its ``contact_due``): the first contact attempt, triage;
- an open case's ``warn``/``urgent``/``critical`` crossings: chasing the seller and recording the
  response, triage;
- an open case's deadline: at that instant the case expires and awaits the decision to deactivate
  the account, which only a lead may take.

A moment is *covered* when at least one operator whose role allows its action is on shift then.
``ahr forecast``, ``ahr handover``, the TUI's header and its ``h`` screen all read this module
through ``service.shifts``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import NamedTuple

from ahr_tui.rules.cases import CaseStatus
from ahr_tui.rules.coverage import Roster, Shift
from ahr_tui.rules.policy import DEFAULT_POLICY, Policy
from ahr_tui.rules.roles import Permission, Role, allows

#: The statuses whose clock still runs towards a due moment.
DETECTED = CaseStatus.DETECTED.value
OPEN = CaseStatus.OPEN.value


class DueKind(StrEnum):
    CONTACT_DUE = "contact_due"
    DEADLINE = "deadline"
    WARN = "warn"
    URGENT = "urgent"
    CRITICAL = "critical"


class NextAction(StrEnum):
    CONTACT = "first contact"
    RESPONSE = "seller response"
    DECISION = "decision on the expired case"


#: The permission each next action needs (``roles.allows`` says which roles grant it).
NEEDS: dict[NextAction, Permission] = {
    NextAction.CONTACT: Permission.CONTACT,
    NextAction.RESPONSE: Permission.RESPOND,
    NextAction.DECISION: Permission.DEACTIVATE,
}


@dataclass(frozen=True, slots=True)
class CaseClock:
    """What a forecast needs of a case: its status and the instants its clock runs to (UTC)."""

    case_id: int
    status: str
    contact_due: datetime | None
    deadline: datetime | None


class DueMoment(NamedTuple):
    """One due moment (a tuple: a 72-hour forecast of a large caseload makes 20,000 of them)."""

    at: datetime
    case_id: int
    kind: DueKind
    action: NextAction


class Covered(NamedTuple):
    """A due moment with who is on shift then (names) and whether one of them may act."""

    moment: DueMoment
    on_shift: tuple[str, ...]
    covered: bool


def _crossings(due: datetime, policy: Policy) -> tuple[tuple[DueKind, datetime], ...]:
    return (
        (DueKind.WARN, due - policy.warn_within),
        (DueKind.URGENT, due - policy.urgent_within),
        (DueKind.CRITICAL, due - policy.critical_within),
    )


def moments_of(case: CaseClock, policy: Policy = DEFAULT_POLICY) -> list[DueMoment]:
    """Every due moment of one case, past and future, in time order (none for other statuses)."""
    if case.status == DETECTED and case.contact_due is not None:
        due, final, action = case.contact_due, DueKind.CONTACT_DUE, NextAction.CONTACT
        crossing_action = NextAction.CONTACT
    elif case.status == OPEN and case.deadline is not None:
        due, final, action = case.deadline, DueKind.DEADLINE, NextAction.DECISION
        crossing_action = NextAction.RESPONSE
    else:
        return []
    found = [
        DueMoment(at, case.case_id, kind, crossing_action) for kind, at in _crossings(due, policy)
    ]
    found.append(DueMoment(due, case.case_id, final, action))
    return found


def due_between(
    cases: Iterable[CaseClock], start: datetime, end: datetime, policy: Policy = DEFAULT_POLICY
) -> list[DueMoment]:
    """The due moments with ``start < at <= end``, by time then case id."""
    # A case's moments lie within ``warn_within`` before its due instant: skip the others whole.
    last = end + policy.warn_within
    found = [
        m
        for case in cases
        if start < _due_of(case, start) <= last
        for m in moments_of(case, policy)
        if start < m.at <= end
    ]
    found.sort(key=lambda m: (m.at, m.case_id, _KIND_ORDER[m.kind]))
    return found


def _due_of(case: CaseClock, missing: datetime) -> datetime:
    due = case.contact_due if case.status == DETECTED else case.deadline
    return missing if due is None else due


_KIND_ORDER = {kind: i for i, kind in enumerate(DueKind)}


_ROLES = {role.value: role for role in Role}  # a dict lookup: Role(value) costs far more


def may_act(shift: Shift, action: NextAction) -> bool:
    """Whether ``shift``'s role allows ``action`` (an unknown stored role allows nothing)."""
    return allows(_ROLES.get(shift.role), NEEDS[action])


def cover(moments: Iterable[DueMoment], roster: Roster) -> list[Covered]:
    """Each moment with the operators on shift then and whether one of them may act."""
    result = []
    # By the identity of the roster's answer (one tuple per minute), kept alive here so that no
    # identity is reused; the verdict per action by the names (a few distinct crews a week).
    seen: dict[int, tuple[tuple[Shift, ...], tuple[str, ...]]] = {}
    verdicts: dict[tuple[tuple[str, ...], NextAction], bool] = {}
    for m in moments:
        here = roster.on_shift(m.at)
        entry = seen.get(id(here))
        if entry is None:
            entry = seen[id(here)] = (here, tuple(s.name for s in here))
        names = entry[1]
        verdict = verdicts.get((names, m.action))
        if verdict is None:
            verdict = verdicts[names, m.action] = any(may_act(s, m.action) for s in here)
        result.append(Covered(m, names, verdict))
    return result


def hour_starts(start: datetime, hours: int) -> list[datetime]:
    """The ``hours`` whole UTC hours from the one containing ``start``."""
    first = start.replace(minute=0, second=0, microsecond=0)
    return [first + timedelta(hours=i) for i in range(hours)]


@dataclass(frozen=True, slots=True)
class HourLoad:
    """One UTC hour of a forecast: due moments in it, how many nobody may act on, who works."""

    start: datetime
    due: int
    uncovered: int
    on_shift: tuple[str, ...]


#: How finely an hour is sampled for "on shift in this hour" (shifts start on any minute).
SAMPLE_STEP = timedelta(minutes=15)


def hourly(
    entries: Iterable[Covered], roster: Roster, start: datetime, hours: int
) -> list[HourLoad]:
    """The ``hours`` UTC hours from the one containing ``start``: due and uncovered moments per
    hour, and the operators on shift at any quarter hour of it (ordered by name)."""
    starts = hour_starts(start, hours)
    due = [0] * hours
    uncovered = [0] * hours
    first = starts[0] if starts else start
    for entry in entries:
        i = int((entry.moment.at - first).total_seconds() // 3600)  # 14:00:00 opens 14:00
        if 0 <= i < hours:
            due[i] += 1
            uncovered[i] += not entry.covered
    return [
        HourLoad(
            at, due[i], uncovered[i],
            tuple(s.name for s in roster.any_on_shift(at, at + timedelta(hours=1), SAMPLE_STEP)),
        )
        for i, at in enumerate(starts)
    ]
