"""Read-side shapes shared by the CLI (``--json`` and tables) and the TUI."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import select, text
from sqlmodel import Session

from ahr_tui.errors import NotFound
from ahr_tui.rules import CaseStatus
from ahr_tui.service.case_view import (
    CASE_SQL,
    CHANGED_SQL,
    UNSCOPED_SQL,
    CaseView,
    case_from_row,
    cases_sql,
    in_list_order,
    iso_z,
)
from ahr_tui.store.models import Event

__all__ = [
    "CaseFilter", "CaseView", "EventRecord", "case_events", "changed_cases", "event_to_json",
    "find_case", "iso_z", "list_cases",
]


@dataclass(frozen=True, slots=True)
class CaseFilter:
    """``ahr cases --assignee NAME | --unassigned | --store S | --policy P``: each given
    field narrows the list; the list's order is kept."""

    assignee: str | None = None
    unassigned: bool = False
    store: str | None = None
    policy: str | None = None

    def admits(self, case: CaseView) -> bool:
        return (
            (self.assignee is None or case.assignee == self.assignee)
            and (not self.unassigned or case.assignee is None)
            and (self.store is None or case.store == self.store)
            and (self.policy is None or case.policy == self.policy)
        )

    def apply(self, cases: Iterable[CaseView]) -> list[CaseView]:
        return [c for c in cases if self.admits(c)]


def list_cases(session: Session, statuses: frozenset[CaseStatus] | None = None) -> list[CaseView]:
    """Cases in ``statuses`` (default: every active status), in the case list's order
    (``rules.list_order``: needs action first)."""
    sql, params = cases_sql(statuses)
    return in_list_order(case_from_row(row) for row in session.execute(text(sql), params))


def changed_cases(session: Session, since: int) -> list[CaseView] | None:
    """The cases that events after event ``since`` may have changed, in any status; None when
    one of those events names no account (an import, say), so that any case may have changed."""
    if session.execute(text(UNSCOPED_SQL), {"since": since}).first() is not None:
        return None
    return [case_from_row(row) for row in session.execute(text(CHANGED_SQL), {"since": since})]


def find_case(session: Session, case_id: int) -> CaseView | None:
    row = session.execute(text(CASE_SQL), {"case_id": case_id}).first()
    return case_from_row(row) if row else None


class EventRecord(Protocol):
    """What is read of an audit event: an ``Event`` or a row of its table's columns (a row costs
    a fraction of an ORM instance; a handover reads thousands)."""

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


def event_to_json(event: EventRecord) -> dict[str, Any]:
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


def case_with_events(session: Session, case_id: int) -> tuple[CaseView, list[Event]]:
    """Case ``case_id`` and its audit events, oldest first. Raises ``NotFound``."""
    view = find_case(session, case_id)
    if view is None:
        raise NotFound(f"no case {case_id}.")
    return view, case_events(session, case_id)


def case_record(session: Session, case_id: int) -> tuple[CaseView, list[Event], list[Any]]:
    """``ahr case show``: case ``case_id``, its audit events and its contact attempts
    (``service.contact.AttemptView``), oldest first. Raises ``NotFound``."""
    from ahr_tui.service.contact import case_attempts  # contact reads views: imported here

    view, events = case_with_events(session, case_id)
    return view, events, list(case_attempts(session, case_id))


def case_events(session: Session, case_id: int) -> list[Event]:
    query = select(Event).where(Event.case_id == case_id).order_by(Event.id)
    return list(session.execute(query).scalars())
