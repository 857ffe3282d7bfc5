"""Reading the audit log: ``ahr audit log`` and ``ahr audit verify`` (anyone may read it).

``ahr audit log`` reads the events a page at a time (``event_pages``), so its memory does not
grow with the log: a million-account program has millions of events."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlmodel import Session

from ahr_tui.errors import NotFound
from ahr_tui.service.event_view import EventRow
from ahr_tui.store.audit import VerifyResult, verify
from ahr_tui.store.models import Case, Event

if TYPE_CHECKING:
    from ahr_tui.service.database import Database

#: Events read per page by ``event_pages``.
PAGE = 2_000

_COLUMNS = ("id", "at", "recorded_at", "actor", "client", "tty", "account_id", "case_id",
            "action", "from_state", "to_state", "note", "hash")


def check_case(session: Session, case_id: int) -> None:
    """Raises ``NotFound`` when there is no case ``case_id``."""
    if session.get(Case, case_id) is None:
        raise NotFound(f"no case {case_id}.")


def event_pages(
    db: Database, *, case_id: int | None = None, since: datetime | None = None,
    through: int | None = None, size: int | None = None,
) -> Iterator[list[EventRow]]:
    """The audit events, oldest first, ``size`` (default ``PAGE``) at a time, each page a
    read of its own after the last id of the one before: only case ``case_id``'s when given,
    only those whose business time is at or after ``since`` (aware UTC) when given, only those
    up to id ``through`` when given.

    Events are only ever appended, and in id order (each takes the chain head's lock until it
    commits: ``store.audit``), so a second walk bounded by the last id of a first one reads
    exactly the events the first one read. ``check_case`` first for a case that may not exist.
    """
    from ahr_tui.store.engine import transaction

    table = Event.__table__  # type: ignore[attr-defined]
    query = select(*(table.c[name] for name in _COLUMNS)).order_by(table.c.id).limit(size or PAGE)
    if case_id is not None:
        query = query.where(table.c.case_id == case_id)
    if since is not None:
        query = query.where(table.c.at >= since)
    if through is not None:
        query = query.where(table.c.id <= through)
    after = 0
    while True:
        with transaction(db) as session:
            page = [EventRow(*row) for row in session.execute(query.where(table.c.id > after))]
        if not page:
            return
        yield page
        after = page[-1].id


def verify_audit(session: Session) -> VerifyResult:
    """Check the hash chain of every event: ``ok``, or the first bad event and the problem."""
    return verify(session)
