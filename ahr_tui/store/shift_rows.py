"""The SQL that reads who works when, and a shift's audit events, with rows of named fields.

Standard library only, like ``store.case_rows``: ``ahr forecast`` and ``ahr handover`` on an
SQLite file run this SQL through the stdlib ``sqlite3`` module (``store.quick``) without loading
SQLAlchemy, and ``service.shifts`` runs the same text through a session on any database.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import NamedTuple

OPERATORS_SQL = "SELECT name, role, time_zone FROM operator ORDER BY name"
HOURS_SQL = (
    "SELECT operator, day, start_minute, end_minute FROM operator_hours"
    " ORDER BY operator, day, start_minute"
)
#: The audit events recorded in (``:since``, ``:until``], in the order they were written.
EVENTS_SQL = (
    "SELECT id, at, recorded_at, actor, client, tty, account_id, case_id, action, from_state,"
    " to_state, note, hash FROM event"
    " WHERE recorded_at > :since AND recorded_at <= :until ORDER BY id"
)


class OperatorRow(NamedTuple):
    name: str
    role: str
    time_zone: str | None


class HoursRow(NamedTuple):
    """One weekly range: its start day (Monday 0) and minutes in the operator's zone."""

    operator: str
    day: int
    start_minute: int
    end_minute: int


def sqlite_instant(at: datetime) -> str:
    """An aware instant as an SQLite file stores it (naive UTC text, microseconds included, as
    SQLAlchemy's ``DateTime`` writes it), for comparing with stored instants in plain SQL."""
    return at.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")
