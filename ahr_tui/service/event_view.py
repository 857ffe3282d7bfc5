"""Audit events as the read side shows them, without a database driver (standard library only).

An event is read either as an ORM ``Event`` or, where thousands are read at once (a handover),
as an ``EventRow`` built from a row of ``store.shift_rows.EVENTS_SQL``: by SQLAlchemy on any
database, or by the standard library's ``sqlite3`` on an SQLite file (``store.quick``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, NamedTuple, Protocol

from ahr_tui.errors import DatabaseProblem
from ahr_tui.service.case_view import iso_z
from ahr_tui.store.instant import instant


class EventRecord(Protocol):
    """What is read of an audit event: an ``Event`` or an ``EventRow``."""

    @property
    def id(self) -> int | None: ...
    @property
    def at(self) -> datetime: ...
    @property
    def recorded_at(self) -> datetime: ...
    @property
    def actor(self) -> str: ...
    @property
    def client(self) -> str | None: ...
    @property
    def tty(self) -> str | None: ...
    @property
    def account_id(self) -> int | None: ...
    @property
    def case_id(self) -> int | None: ...
    @property
    def action(self) -> str: ...
    @property
    def from_state(self) -> str | None: ...
    @property
    def to_state(self) -> str | None: ...
    @property
    def note(self) -> str | None: ...
    @property
    def hash(self) -> str: ...


class EventRow(NamedTuple):
    """One audit event, its instants aware UTC (a tuple: a fraction of an ORM instance's cost)."""

    id: int
    at: datetime
    recorded_at: datetime
    actor: str
    client: str | None
    tty: str | None
    account_id: int | None
    case_id: int | None
    action: str
    from_state: str | None
    to_state: str | None
    note: str | None
    hash: str


def event_from_row(row: Sequence[Any]) -> EventRow:
    """A row of ``EVENTS_SQL`` (instants as SQLite's text or PostgreSQL's naive UTC) as an
    ``EventRow``. Raises ``DatabaseProblem`` for an event without its instants."""
    at, recorded_at = instant(row[1]), instant(row[2])
    if at is None or recorded_at is None:
        raise DatabaseProblem(f"event {row[0]} has no time; it was not written by ahr.")
    return EventRow(row[0], at, recorded_at, *row[3:])


def event_to_json(event: EventRecord) -> dict[str, Any]:
    """An audit event as ``ahr audit log --json``, ``ahr case show --json`` and ``ahr handover
    --json`` write it (instants ISO-8601 UTC with ``Z``)."""
    return {
        "id": event.id,
        "at": iso_z(event.at),
        "recorded_at": iso_z(event.recorded_at),
        "actor": event.actor,
        "client": event.client,
        "tty": event.tty,
        "account_id": event.account_id,
        "case_id": event.case_id,
        "action": event.action,
        "from": event.from_state,
        "to": event.to_state,
        "note": event.note,
        "hash": event.hash,
    }


class Change(Protocol):
    """What ``state_change`` reads of an event (an ``EventRecord``, the detail's ``EventView``)."""

    @property
    def from_state(self) -> str | None: ...
    @property
    def to_state(self) -> str | None: ...


def state_change(
    event: Change, show: Callable[[str | None], str] = lambda s: s or ""
) -> str:
    """An event's change of state as ``ahr case show``, the handover and the app's timeline
    write it (one text, ASCII, whatever the terminal): ``open ->
    responded``, ``- -> open`` (a case opened directly: no state before), ``- -> ana`` (an
    assignment); ``""`` for an event that changes no state (a note). ``show`` makes a stored
    state safe to print (``clean_line``, ``markdown_line``)."""
    if not (event.from_state or event.to_state):
        return ""
    before = show(event.from_state) if event.from_state else "-"
    after = show(event.to_state) if event.to_state else "-"
    return f"{before} -> {after}"
