"""How the program is running: the figures of ``ahr metrics`` and the app's metrics screen.

One read transaction; every figure is an aggregate computed by the database (``store.metrics``).
The definitions are DESIGN.md section 5's, and README.md "Metrics" spells each out:

- the window is the ``days`` UTC calendar days ending on ``as_of`` (inclusive); its end, for the
  backlog and its ages, is the end of ``as_of`` or now, whichever is earlier;
- a case's 72-hour outcome is its response (at ``responded_at``) or its expiry (at its deadline,
  for a case whose audit trail shows it expired); the three rates are fractions of the cases
  whose outcome fell in the window;
- a figure with nothing to measure is None (``null`` in JSON).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, literal, or_
from sqlalchemy.engine import Engine
from sqlmodel import Session, col

from ahr_tui.errors import InvalidInput
from ahr_tui.rules import format_left
from ahr_tui.store import metrics as q
from ahr_tui.store.engine import transaction
from ahr_tui.store.models import Case
from ahr_tui.store.types import UTCDateTime
from ahr_tui.wording import count

#: The daily series, in the order the JSON and the screen show them.
SERIES = ("opened", "responded", "expired", "resolved", "deactivated", "fraud")
#: The longest window ``ahr metrics --days`` accepts (ten years of days).
MAX_DAYS = 3660


@dataclass(frozen=True, slots=True)
class OperatorLoad:
    name: str
    actions: int
    assigned_active: int
    resolved: int


@dataclass(frozen=True, slots=True)
class DayCounts:
    day: date
    counts: dict[str, int]  # SERIES name -> cases


@dataclass(frozen=True, slots=True)
class Metrics:
    """The figures of one window. Durations in seconds, rates as fractions 0-1, None when
    there was nothing to measure."""

    first_day: date
    last_day: date
    detected: int
    opened: int
    time_to_first_contact_p50_s: float | None
    time_to_reach_p50_s: float | None
    #: How many cases each of those two medians was taken over.
    time_to_first_contact_cases: int
    time_to_reach_cases: int
    #: Cases whose 72-hour outcome (responded or expired) fell in the window: the three rates'
    #: denominator.
    outcomes: int
    reached_rate: float | None
    responded_in_time_rate: float | None
    expired_rate: float | None
    resolved: int
    deactivated: int
    fraud: int
    backlog: dict[str, int]
    backlog_age_p50_s: float | None
    backlog_age_max_s: float | None
    per_operator: list[OperatorLoad]
    daily: list[DayCounts]

    def to_json(self) -> dict[str, Any]:
        """The ``ahr metrics --json`` document (DESIGN.md section 5)."""
        return {
            "from": self.first_day.isoformat(),
            "to": self.last_day.isoformat(),
            "detected": self.detected,
            "opened": self.opened,
            "time_to_first_contact_p50_s": self.time_to_first_contact_p50_s,
            "time_to_reach_p50_s": self.time_to_reach_p50_s,
            "time_to_first_contact_cases": self.time_to_first_contact_cases,
            "time_to_reach_cases": self.time_to_reach_cases,
            "reached_rate": self.reached_rate,
            "responded_in_time_rate": self.responded_in_time_rate,
            "expired_rate": self.expired_rate,
            "resolved": self.resolved,
            "deactivated": self.deactivated,
            "fraud": self.fraud,
            "backlog": dict(self.backlog),
            "backlog_age_p50_s": self.backlog_age_p50_s,
            "backlog_age_max_s": self.backlog_age_max_s,
            "per_operator": [
                {"name": o.name, "actions": o.actions, "assigned_active": o.assigned_active,
                 "resolved": o.resolved}
                for o in self.per_operator
            ],
            "daily": [{"date": d.day.isoformat(), **d.counts} for d in self.daily],
        }


@dataclass(frozen=True, slots=True)
class Window:
    first_day: date
    last_day: date
    start: datetime  # first_day 00:00 UTC
    stop: datetime  # the day after last_day, 00:00 UTC (exclusive)
    end: datetime  # the backlog's instant: stop, or now when that is earlier

    def holds(self, column: Any) -> ColumnElement[bool]:
        return and_(column >= self.start, column < self.stop)


def window(days: int, as_of: date | None, now: datetime) -> Window:
    """The ``days`` UTC days ending on ``as_of`` (default: today's UTC date).

    Raises ``InvalidInput`` for fewer than 1 or more than ``MAX_DAYS`` days.
    """
    if not 1 <= days <= MAX_DAYS:
        raise InvalidInput(f"--days must be between 1 and {MAX_DAYS}, not {days}.")
    last = as_of or now.astimezone(UTC).date()
    first = last - timedelta(days=days - 1)
    start = datetime.combine(first, time(), UTC)
    stop = datetime.combine(last + timedelta(days=1), time(), UTC)
    return Window(first, last, start, stop, min(stop, now))


def compute(engine: Engine, *, days: int = 30, as_of: date | None = None, now: datetime
            ) -> Metrics:
    """The figures for the window of ``days`` days ending on ``as_of``, as of ``now`` (UTC)."""
    span = window(days, as_of, now)
    with transaction(engine) as session:
        return _compute(session, span)


def _compute(session: Session, span: Window) -> Metrics:
    detected_at, contacted_at = col(Case.detected_at), col(Case.contacted_at)
    reached_at, responded_at = col(Case.reached_at), col(Case.responded_at)
    expired = and_(q.was_expired(), responded_at.is_(None), span.holds(col(Case.deadline)))
    outcomes = q.tally(session, or_(span.holds(responded_at), expired),
                       responded=span.holds(responded_at), expired=expired,
                       reached=reached_at.is_not(None))
    end = literal(span.end, UTCDateTime())
    age = q.seconds_between(session, end, detected_at)
    active = q.active_at(detected_at, span.end)
    first_contact = q.seconds_between(session, contacted_at, detected_at)
    reach = q.seconds_between(session, reached_at, contacted_at)
    to_contact, contacted = q.counted_median(
        session, first_contact, span.holds(contacted_at), detected_at < contacted_at)
    to_reach, reached = q.counted_median(session, reach, span.holds(reached_at))
    return Metrics(
        first_day=span.first_day,
        last_day=span.last_day,
        detected=q.count(session, span.holds(detected_at)),
        opened=q.count(session, span.holds(contacted_at)),
        time_to_first_contact_p50_s=to_contact,
        time_to_reach_p50_s=to_reach,
        time_to_first_contact_cases=contacted,
        time_to_reach_cases=reached,
        outcomes=outcomes["all"],
        reached_rate=_rate(outcomes, "reached"),
        responded_in_time_rate=_rate(outcomes, "responded"),
        expired_rate=_rate(outcomes, "expired"),
        resolved=_closed(session, span, "resolved"),
        deactivated=_closed(session, span, "deactivated"),
        fraud=_closed(session, span, "fraud"),
        backlog=q.backlog(session, detected_at, span.end),
        backlog_age_p50_s=q.median(session, age, *active),
        backlog_age_max_s=q.maximum(session, age, *active),
        per_operator=_per_operator(session, span, detected_at),
        daily=_daily(session, span, expired),
    )


def duration_text(seconds: float | None) -> str:
    """A duration as the countdowns write it (``1d 01h``), or ``-`` when nothing was measured.
    Shared by ``ahr metrics`` and the metrics screen."""
    return "-" if seconds is None else format_left(timedelta(seconds=seconds))


def median_text(seconds: float | None, cases: int) -> str:
    """A median duration with how many cases it covers, ``0m 00s (2 cases)``: a median of two
    cases reached at once read as a bug; ``-`` when nothing was measured."""
    if seconds is None:
        return "-"
    return f"{duration_text(seconds)} ({count(cases, 'case')})"


def percent_text(rate: float | None) -> str:
    """A rate 0-1 as a whole percent (``79 %``: the samples are tens of cases, a tenth of a
    percent claims more than they hold), ``<1 %`` / ``>99 %`` rather than a rounded 0 or 100
    that is not so, or ``-`` when nothing was measured."""
    if rate is None:
        return "-"
    if 0 < rate < 0.005:
        return "<1 %"
    if 0.995 <= rate < 1:
        return ">99 %"
    return f"{round(rate * 100)} %"


def share_text(rate: float | None, total: int) -> str:
    """A rate of ``total`` cases as ``1 of 24 (4 %)``, or ``-`` when nothing was measured."""
    if rate is None:
        return "-"
    return f"{round(rate * total)} of {total} ({percent_text(rate)})"


#: ``reached_rate``'s label: it counts the cases with a logged contact attempt whose outcome was
#: ``reached`` (``reached_at``, DESIGN section 5), so a case opened or imported as contacted
#: counts only once one is logged; "seller reached" alone read as "we reach x % of sellers".
REACHED_LABEL = "reached on a logged attempt"


def outcome_lines(m: Metrics) -> list[tuple[str, str]]:
    """The 72-hour outcomes as an operator reads them, (label, value): how many cases' 72 hours
    ended in the window, then of those, how many had an attempt logged that reached the seller,
    how many responded in time and let the time expire. Used by ``ahr metrics``; the metrics
    screen writes the same labels and ``share_text``."""
    return [
        ("cases whose 72 hours ended", str(m.outcomes)),
        (f"  {REACHED_LABEL}", share_text(m.reached_rate, m.outcomes)),
        ("  responded in time", share_text(m.responded_in_time_rate, m.outcomes)),
        ("  expired", share_text(m.expired_rate, m.outcomes)),
    ]


def _rate(outcomes: dict[str, int], part: str) -> float | None:
    return outcomes[part] / outcomes["all"] if outcomes["all"] else None


def _closed(session: Session, span: Window, status: str) -> int:
    return q.count(session, col(Case.status) == status, span.holds(col(Case.closed_at)))


def _per_operator(session: Session, span: Window, detected_at: Any) -> list[OperatorLoad]:
    """Every operator, and anyone else who acted in the window, by name."""
    actions = q.actions_by_actor(session, span.start, span.stop)
    assigned = q.assigned_active(session, detected_at, span.end)
    names = sorted(set(q.operator_names(session)) | set(actions) | set(assigned))
    return [
        OperatorLoad(n, actions.get(n, (0, 0))[0], assigned.get(n, 0), actions.get(n, (0, 0))[1])
        for n in names
    ]


def _daily(session: Session, span: Window, expired: ColumnElement[bool]) -> list[DayCounts]:
    closed = col(Case.closed_at)
    series = [
        ("opened", col(Case.contacted_at), []),
        ("responded", col(Case.responded_at), []),
        ("expired", col(Case.deadline), [expired]),
        *((s, closed, [col(Case.status) == s]) for s in ("resolved", "deactivated", "fraud")),
    ]
    counts = q.daily(session, series, span.start, span.stop)
    days = (span.last_day - span.first_day).days + 1
    return [
        DayCounts(d, {s: counts.get((s, d), 0) for s in SERIES})
        for d in (span.first_day + timedelta(days=i) for i in range(days))
    ]
