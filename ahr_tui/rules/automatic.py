"""The notes that mark automatic transitions in the audit log (DESIGN.md section 4).

The sweep's expiries and enrolment changes, and the expiry an open TUI applies when a deadline
passes, are recorded under the OS user whose process applied them, with a note that starts
``automatic: ``, so the log never reads as a manual action. The service writes these notes; the
sample generator writes the same ones for its cron history. A screen names the actor of such an
event ``system`` (``shown_actor``): the program did it, whoever's process ran it.
"""

from __future__ import annotations

from datetime import date

PREFIX = "automatic: "
#: The note of an expiry: the 72 hours passed without a response.
DEADLINE_PASSED = PREFIX + "deadline passed"


def enrollment_note(as_of: date, reasons: str) -> str:
    """``automatic: as of 2026-03-01: too_many_days_below`` (the day evaluated, and why)."""
    return f"{PREFIX}as of {as_of.isoformat()}: {reasons}"


def is_automatic(note: str | None) -> bool:
    """Whether an event's note marks it as applied by the program, not by a person."""
    return note is not None and note.startswith(PREFIX)


#: The actor a screen names for an automatic transition: the program, not the operator whose
#: process applied it (the audit log keeps that account: ``ahr audit log``).
SYSTEM = "system"


def shown_actor(actor: str, note: str | None) -> str:
    """Who an event is shown as done by: ``system`` for an automatic one, else its actor."""
    return SYSTEM if is_automatic(note) else actor
