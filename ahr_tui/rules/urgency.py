"""How urgent an open case is, and how its time left is written.

Shared by the TUI (live countdowns) and the CLI (``ahr cases``), so both say the same thing.
"""

from __future__ import annotations

from datetime import timedelta
from enum import StrEnum

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

