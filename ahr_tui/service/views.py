"""Read-side shapes shared by the CLI (``--json`` and tables) and the TUI."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Row, select
from sqlmodel import Session, col

from ahr_tui.rules import CaseStatus
from ahr_tui.store.models import Account, Case, Event


def iso_z(value: datetime | None) -> str | None:
    """ISO-8601 in UTC with ``Z`` (the JSON contract of DESIGN.md section 5)."""
    if value is None:
        return None
    text = value.astimezone(UTC).isoformat()
    return text.replace("+00:00", "Z")


@dataclass(frozen=True, slots=True)
class CaseView:
    id: int
    account_id: int
    seller_id: str
    store: str
    name: str
    policy: str
    summary: str
    status: CaseStatus
    contacted_at: datetime
    deadline: datetime
    responded_at: datetime | None
    assignee: str | None
    closed_at: datetime | None
    outcome_note: str | None
    version: int
    enrollment: str
    account_status: str

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "seller_id": self.seller_id,
            "store": self.store,
            "name": self.name,
            "policy": self.policy,
            "summary": self.summary,
            "status": self.status.value,
            "contacted_at": iso_z(self.contacted_at),
            "deadline": iso_z(self.deadline),
            "responded_at": iso_z(self.responded_at),
            "assignee": self.assignee,
            "closed_at": iso_z(self.closed_at),
            "outcome_note": self.outcome_note,
            "version": self.version,
        }


_CASE_COLUMNS = tuple(
    col(c)
    for c in (
        Case.id,
        Case.account_id,
        Account.seller_id,
        Account.store,
        Account.name,
        Case.policy,
        Case.summary,
        Case.status,
        Case.contacted_at,
        Case.deadline,
        Case.responded_at,
        Case.assignee,
        Case.closed_at,
        Case.outcome_note,
        Case.version,
        Account.enrollment,
        Account.status,
    )
)


def _view(row: Row[Any]) -> CaseView:
    values = list(row)
    values[7] = CaseStatus(values[7])
    return CaseView(*values)


def case_query():
    return select(*_CASE_COLUMNS).join(Account, Account.id == Case.account_id)


def list_cases(session: Session, statuses: frozenset[CaseStatus] | None = None) -> list[CaseView]:
    """Cases in ``statuses`` (default: every active status), soonest deadline first.

    Overdue cases have the earliest deadlines, so they come first without a special case.
    """
    wanted = (
        statuses
        if statuses is not None
        else frozenset({CaseStatus.OPEN, CaseStatus.RESPONDED, CaseStatus.EXPIRED})
    )
    query = case_query().where(Case.status.in_([s.value for s in wanted]))  # type: ignore[attr-defined]
    query = query.order_by(Case.deadline, Case.id)
    return [_view(row) for row in session.execute(query)]


def find_case(session: Session, case_id: int) -> CaseView | None:
    row = session.execute(case_query().where(Case.id == case_id)).first()
    return _view(row) if row else None


def event_to_json(event: Event) -> dict[str, Any]:
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


def case_events(session: Session, case_id: int) -> list[Event]:
    query = select(Event).where(Event.case_id == case_id).order_by(Event.id)
    return list(session.execute(query).scalars())
