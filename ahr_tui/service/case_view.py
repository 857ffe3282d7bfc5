"""The case as both front ends show it (``CaseView``) and the one query that reads it.

Standard library and rules only: the TUI reads its first screen of cases with the stdlib
``sqlite3`` module (``store.quick``) before SQLAlchemy has loaded, and ``service.views`` runs the
same SQL text through a session afterwards. Instants come back as text from SQLite and as naive
UTC datetimes from PostgreSQL; ``store.instant`` makes both aware UTC.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from ahr_tui.errors import DatabaseProblem
from ahr_tui.rules import ACTIVE_STATUSES, CaseStatus
from ahr_tui.store.instant import instant


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
    detected_at: datetime
    contact_due: datetime
    #: The first contact attempt, and 72 hours after it: None while the case is detected.
    contacted_at: datetime | None
    deadline: datetime | None
    reached_at: datetime | None
    #: How many contact attempts the case has.
    attempts: int
    responded_at: datetime | None
    assignee: str | None
    closed_at: datetime | None
    outcome_note: str | None
    version: int
    enrollment: str
    account_status: str

    @property
    def due(self) -> datetime:
        """The next due moment: the deadline once contacted, the first-contact target before."""
        return self.contact_due if self.deadline is None else self.deadline

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "seller_id": self.seller_id,
            "store": self.store,
            "name": self.name,
            "policy": self.policy,
            "summary": self.summary,
            "status": self.status.value,
            "detected_at": iso_z(self.detected_at),
            "contact_due": iso_z(self.contact_due),
            "contacted_at": iso_z(self.contacted_at),
            "deadline": iso_z(self.deadline),
            "reached_at": iso_z(self.reached_at),
            "attempts": self.attempts,
            "responded_at": iso_z(self.responded_at),
            "assignee": self.assignee,
            "closed_at": iso_z(self.closed_at),
            "outcome_note": self.outcome_note,
            "version": self.version,
        }


#: The keys of ``CaseView.to_json`` in order (the CSV header of an empty list).
CASE_JSON_KEYS = (
    "id", "seller_id", "store", "name", "policy", "summary", "status", "detected_at",
    "contact_due", "contacted_at", "deadline", "reached_at", "attempts", "responded_at",
    "assignee", "closed_at", "outcome_note", "version",
)


_SELECT = (
    "SELECT c.id, c.account_id, a.seller_id, a.store, a.name, c.policy, c.summary, c.status,"
    " c.detected_at, c.contact_due, c.contacted_at, c.deadline, c.reached_at,"
    " (SELECT count(*) FROM contact_attempt AS t WHERE t.case_id = c.id),"
    " c.responded_at, c.assignee, c.closed_at, c.outcome_note,"
    " c.version, a.enrollment, a.status"
    " FROM aha_case AS c JOIN account AS a ON a.id = c.account_id"
)


def cases_sql(statuses: Iterable[CaseStatus] | None = None) -> tuple[str, dict[str, str]]:
    """SQL and named parameters for the cases in ``statuses`` (default: the active ones),
    soonest deadline first; overdue cases have the earliest deadlines, so they come first.

    Named ``:name`` parameters, understood by both ``sqlite3`` and SQLAlchemy's ``text()``.
    """
    wanted = sorted(s.value for s in (ACTIVE_STATUSES if statuses is None else statuses))
    params = {f"s{i}": value for i, value in enumerate(wanted)}
    marks = ", ".join(f":{name}" for name in params) or "NULL"
    order = "ORDER BY coalesce(c.deadline, c.contact_due), c.id"
    return f"{_SELECT} WHERE c.status IN ({marks}) {order}", params


#: SQL for one case, by the named parameter ``:case_id``.
CASE_SQL = f"{_SELECT} WHERE c.id = :case_id"

#: Every case (in any status) of the accounts that events after ``:since`` name: a case's events
#: name its account, so this covers the cases they name and their accounts' other cases.
CHANGED_SQL = (
    f"{_SELECT} WHERE c.account_id IN"
    " (SELECT account_id FROM event WHERE id > :since AND account_id IS NOT NULL)"
)

#: An event after ``:since`` that names no account (an import, an operator or a store change):
#: anything may have changed.
UNSCOPED_SQL = "SELECT 1 FROM event WHERE id > :since AND account_id IS NULL LIMIT 1"


_STATUSES = {s.value: s for s in CaseStatus}  # a dict lookup: CaseStatus(value) costs more


def case_from_row(row: Sequence[Any]) -> CaseView:
    """A row of the SQL above as a ``CaseView`` (called once per active case on every load)."""
    (case_id, account_id, seller_id, store, name, policy, summary, status, detected_at,
     contact_due, contacted_at, deadline, reached_at, attempts, responded_at, assignee,
     closed_at, outcome_note, version, enrollment, account_status) = row
    if status not in _STATUSES:
        raise DatabaseProblem(
            f"case {case_id} has status {status!r}, which ahr does not know; it was not written "
            "by ahr."
        )
    return CaseView(
        case_id, account_id, seller_id, store, name, policy, summary, _STATUSES[status],
        _required(case_id, "detected_at", detected_at),
        _required(case_id, "contact_due", contact_due),
        instant(contacted_at), instant(deadline), instant(reached_at), int(attempts),
        instant(responded_at), assignee, instant(closed_at), outcome_note, version, enrollment,
        account_status,
    )


def _required(case_id: int, column: str, value: object) -> datetime:
    """An instant every case has (``ahr init`` fills it in for cases an older ahr wrote)."""
    stored = instant(value)
    if stored is None:
        raise DatabaseProblem(
            f"case {case_id} has no {column}; run `ahr init` to upgrade the database."
        )
    return stored
