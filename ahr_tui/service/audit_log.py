"""Reading the audit log: ``ahr audit log`` and ``ahr audit verify`` (anyone may read it)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlmodel import Session

from ahr_tui.errors import NotFound
from ahr_tui.store.audit import VerifyResult, verify
from ahr_tui.store.models import Case, Event


def audit_events(
    session: Session, *, case_id: int | None = None, since: datetime | None = None
) -> list[Event]:
    """The audit events, oldest first: only case ``case_id``'s when given, only those whose
    business time is at or after ``since`` (aware UTC) when given. Raises ``NotFound`` for a
    case that does not exist."""
    query = select(Event).order_by(Event.id)
    if case_id is not None:
        if session.get(Case, case_id) is None:
            raise NotFound(f"no case {case_id}.")
        query = query.where(Event.case_id == case_id)
    if since is not None:
        query = query.where(Event.at >= since)
    return list(session.execute(query).scalars())


def verify_audit(session: Session) -> VerifyResult:
    """Check the hash chain of every event: ``ok``, or the first bad event and the problem."""
    return verify(session)
