"""The case as both front ends show it (``CaseView``), built from a ``store.case_rows`` row.

Standard library and rules only, so that the TUI's first frame (read with ``sqlite3`` by
``store.quick``) does not wait for SQLAlchemy.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from ahr_tui.errors import DatabaseProblem
from ahr_tui.rules import ACTIVE_STATUSES, CaseFacts, CaseStatus, list_order
from ahr_tui.store import case_rows
from ahr_tui.store.case_rows import CASE_SQL, CHANGED_SQL, UNSCOPED_SQL, CaseRow
from ahr_tui.store.instant import instant

__all__ = [
    "CASE_SQL",
    "CHANGED_SQL",
    "UNSCOPED_SQL",
    "CaseView",
    "case_from_row",
    "cases_sql",
    "in_list_order",
    "iso_z",
]


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

    @property
    def due(self) -> datetime:
        """The case's next due moment (aware UTC): its deadline."""
        return self.deadline

    @property
    def facts(self) -> CaseFacts:
        """What ``rules.actions`` needs to decide an operation on this case."""
        return CaseFacts(self.id, self.status, self.contacted_at, self.deadline, self.assignee)

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


def in_list_order(cases: Iterable[CaseView]) -> list[CaseView]:
    """``cases`` in the case list's order (``rules.list_order``: needs action first)."""
    return sorted(cases, key=lambda c: list_order(c.status, c.due, c.id))


#: The keys of ``CaseView.to_json`` in order (the CSV header of an empty list).
CASE_JSON_KEYS = (
    "id", "seller_id", "store", "name", "policy", "summary", "status", "contacted_at",
    "deadline", "responded_at", "assignee", "closed_at", "outcome_note", "version",
)


def cases_sql(statuses: Iterable[CaseStatus] | None = None) -> tuple[str, dict[str, str]]:
    """SQL and named parameters for the cases in ``statuses`` (default: the active ones)."""
    wanted = ACTIVE_STATUSES if statuses is None else statuses
    return case_rows.cases_sql(s.value for s in wanted)


_STATUSES = {s.value: s for s in CaseStatus}  # a dict lookup: CaseStatus(value) costs more


def case_from_row(row: Sequence[Any]) -> CaseView:
    """A row of ``store.case_rows``'s SQL as a ``CaseView`` (once per active case per load).

    Raises ``DatabaseProblem`` for a status ahr does not know (not written by ahr).
    """
    r = CaseRow(*row)
    if r.status not in _STATUSES:
        raise DatabaseProblem(
            f"case {r.id} has status {r.status!r}, which ahr does not know; it was not written "
            "by ahr."
        )
    return CaseView(
        r.id, r.account_id, r.seller_id, r.store, r.name, r.policy, r.summary,
        _STATUSES[r.status], instant(r.contacted_at), instant(r.deadline),
        instant(r.responded_at), r.assignee, instant(r.closed_at), r.outcome_note, r.version,
        r.enrollment, r.account_status,
    )
