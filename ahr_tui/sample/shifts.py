"""The sample's operators' email, time zone and working hours: a team across zones that leaves
gaps (weekend nights, a lead only on weekdays), so ``ahr forecast`` and the ``h`` screen have
uncovered moments to show."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from ahr_tui.rules.coverage import parse_clock, parse_days
from ahr_tui.sample.timeline import REFERENCE

#: name -> (email, zone, [(days, from, to), ...])
SHIFTS: dict[str, tuple[str, str, list[tuple[str, str, str]]]] = {
    "mlopez": ("mlopez@ops.example.com", "America/New_York", [("mon-fri", "08:00", "17:00")]),
    "jchen": ("jchen@ops.example.com", "America/Los_Angeles", [("mon-fri", "09:00", "18:00")]),
    "akumar": ("akumar@ops.example.com", "Asia/Kolkata", [("mon-fri", "09:00", "18:00")]),
    "sobrien": ("sobrien@ops.example.com", "Europe/Dublin", [("mon-fri", "08:00", "16:00")]),
    "tnguyen": ("", "America/Chicago", [("fri-sun", "20:00", "06:00")]),  # nights, no email
}


def write_shifts(conn: sqlite3.Connection) -> None:
    """Set the email, zone and hours of the sample operators that the database holds."""
    for name, (email, zone, ranges) in SHIFTS.items():
        conn.execute("UPDATE operator SET email = ?, time_zone = ? WHERE name = ?",
                     (email or None, zone, name))
        if conn.execute("SELECT 1 FROM operator WHERE name = ?", (name,)).fetchone() is None:
            continue
        for days, start, end in ranges:
            for day in parse_days(days):
                conn.execute(
                    "INSERT INTO operator_hours (operator, day, start_minute, end_minute) "
                    "VALUES (?, ?, ?, ?)",
                    (name, day, parse_clock(start, "from"), parse_clock(end, "to")),
                )


def escalate_at_reference(path: Path) -> int:
    """The escalations a sweep at the reference instant queues: the real code, so the
    sample's outbox holds operator notices too; returns how many."""
    from ahr_tui.service.escalation import queue_escalations
    from ahr_tui.store.engine import make_engine, transaction

    engine = make_engine(str(path))
    try:
        with transaction(engine, write=True) as session:
            return queue_escalations(session, now=REFERENCE)
    finally:
        engine.dispose()
