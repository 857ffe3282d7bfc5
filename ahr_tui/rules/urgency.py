"""How urgent a case is, how its time left is written, and the case list's order.

Shared by the TUI (live countdowns, default sort) and the CLI (``ahr cases``, ``ahr case show``),
so both say the same thing in the same order.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from ahr_tui.rules.cases import CaseStatus
from ahr_tui.rules.policy import DEFAULT_POLICY, Policy


class Urgency(StrEnum):
    OK = "ok"
    WARN = "warn"
    URGENT = "urgent"
    CRITICAL = "critical"
    OVERDUE = "overdue"


def urgency(left: timedelta, policy: Policy = DEFAULT_POLICY) -> Urgency:
    """``ok`` > 24 h, ``warn`` <= 24 h, ``urgent`` <= 6 h, ``critical`` <= 1 h, ``overdue`` < 0."""
    if left < timedelta(0):
        return Urgency.OVERDUE
    if left <= policy.critical_within:
        return Urgency.CRITICAL
    if left <= policy.urgent_within:
        return Urgency.URGENT
    if left <= policy.warn_within:
        return Urgency.WARN
    return Urgency.OK


def format_left(left: timedelta) -> str:
    """Two units at most: ``2d 14h``, ``13h 05m``, ``47m 12s`` (seconds only in the last hour).

    Negative after the deadline: ``-3h 12m``. Whole seconds, truncated toward zero, so a
    countdown never shows more time than is left.
    """
    # The sign comes from ``left`` itself: a deadline passed by half a second is overdue and
    # must not read as ``0m 00s`` with time to spare.
    sign = "-" if left < timedelta(0) else ""
    total = abs(int(left.total_seconds()))
    days, rest = divmod(total, 86_400)
    hours, rest = divmod(rest, 3_600)
    minutes, seconds = divmod(rest, 60)
    if days:
        return f"{sign}{days}d {hours:02d}h"
    if hours:
        return f"{sign}{hours}h {minutes:02d}m"
    return f"{sign}{minutes}m {seconds:02d}s"



@dataclass(frozen=True, slots=True)
class TimeLeft:
    """A case's time as both front ends write it.

    ``text``: for a countdown column: time left to the next due moment (``13h 05m``, negative
    once past: ``-3h 12m``, the urgency word beside it says the rest); for a responded case the
    margin it met the deadline by (``+1d 10h``); ``-`` for a final case.
    ``level``: the urgency word (``ok`` ... ``overdue``) while the clock runs, else the status
    (``responded``, ``expired``, or a final status).
    ``phrase``: for a sentence, unsigned, the word saying which side of the due moment it is:
    ``13h 05m left``, ``45m 53s overdue``, ``5h 00m to first contact``, ``first contact 2h 15m
    overdue``, ``8h 00m past the deadline``, ``1d 10h to spare``; ``-`` for a final case.
    ``word``: what ``ahr cases``'s URGENCY column says (``list_word``): ``level``, except for a
    detected case, ``contact`` and its urgency against its first-contact target (``contact
    overdue`` once past it; ``contact`` alone while ok), since a bare ``overdue`` is the 72-hour
    deadline's word. The app's row shows the same two things as the level's mark and the word
    in capitals (``!!! CONTACT``).
    """

    text: str
    level: str
    phrase: str
    word: str

    @property
    def described(self) -> str:
        """The phrase and, while the clock runs and it is not past, the urgency word:
        ``13h 05m left, warn``; ``45m 53s overdue`` (the phrase says it once)."""
        if self.level in _RUNNING:
            return f"{self.phrase}, {self.level}"
        return self.phrase


#: The urgency words of a case whose due moment is still ahead.
_RUNNING = frozenset({Urgency.OK, Urgency.WARN, Urgency.URGENT, Urgency.CRITICAL})


def time_left(
    status: CaseStatus,
    due: datetime,
    now: datetime,
    *,
    responded_at: datetime | None = None,
    policy: Policy = DEFAULT_POLICY,
) -> TimeLeft:
    """The one formatter of time left and urgency (DESIGN section 4, "Urgency").

    ``due`` is the case's next due moment (its deadline; for a case not yet contacted, its
    first-contact target), ``now`` the instant to count from; both aware UTC.
    """
    left = due - now
    unsigned = format_left(abs(left))
    if status is CaseStatus.RESPONDED:
        if responded_at is None:
            return TimeLeft("-", status.value, "-", status.value)
        margin = format_left(due - responded_at)
        return TimeLeft("+" + margin, status.value, f"{margin} to spare", status.value)
    if status is CaseStatus.EXPIRED:
        return TimeLeft(format_left(left), status.value, f"{unsigned} past the deadline",
                        status.value)
    if not status.is_active:
        return TimeLeft("-", status.value, "-", status.value)
    level = urgency(left, policy)
    contact = status is CaseStatus.DETECTED
    if level is Urgency.OVERDUE:
        phrase = f"first contact {unsigned} overdue" if contact else f"{unsigned} overdue"
    else:
        phrase = f"{unsigned} to first contact" if contact else f"{unsigned} left"
    return TimeLeft(format_left(left), level.value, phrase, list_word(status, level.value))


#: The URGENCY word of a case nobody has tried to reach yet: what to do next.
CONTACT_WORD = "contact"


def list_word(status: CaseStatus, level: str) -> str:
    """``TimeLeft.word`` from a case's status and ``level`` (``time_level``'s): for a detected
    case ``contact`` and, unless ``ok``, its level against the first-contact target (``contact
    overdue``, ``contact critical``, ...), as the app marks its ``CONTACT`` row (``!!!``, ``!!``,
    ...); else the level."""
    if status is not CaseStatus.DETECTED:
        return level
    return CONTACT_WORD if level == Urgency.OK else f"{CONTACT_WORD} {level}"


def time_level(status: CaseStatus, due: datetime, now: datetime,
               policy: Policy = DEFAULT_POLICY) -> str:
    """``time_left(...).level`` without writing the time: the urgency word while the clock
    runs (an open or a detected case), else the status. For counts over every case (the
    header's, each second a level may change), where the text is not wanted."""
    if status in _CLOCK_RUNS:
        return urgency(due - now, policy).value
    return status.value


#: The statuses whose clock runs (``time_left`` gives them an urgency level).
_CLOCK_RUNS = frozenset({CaseStatus.OPEN, CaseStatus.DETECTED})


#: Groups of the case list, needs-action first; a status not named here whose clock runs
#: (an open case, a case awaiting its first contact) is in group 0.
_GROUP = {CaseStatus.EXPIRED: 1, CaseStatus.RESPONDED: 2}
#: Each status's group (a dict lookup: ``is_active`` per case cost a fifth of a sort).
_GROUP_OF = {s: 3 if not s.is_active else _GROUP.get(s, 0) for s in CaseStatus}


def list_group(status: CaseStatus) -> int:
    """The group of ``list_order``: 0 a running clock, 1 expired, 2 responded, 3 final."""
    return _GROUP_OF[status]


def list_order(status: CaseStatus, due: datetime, case_id: int) -> tuple[int, datetime, int]:
    """The sort key of the case list, the same in ``ahr cases`` and the app's default sort.

    (0) cases whose clock runs, by their next due moment ``due`` (a deadline; a first-contact
    target): past ones first, longest overdue first, then least time left; (1) expired cases,
    oldest deadline first; (2) responded cases by deadline; (3) final cases. Ties by case id.
    The key does not depend on the clock: a case crossing its due moment keeps its place.
    """
    return (list_group(status), due, case_id)
