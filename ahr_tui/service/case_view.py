"""The case as both front ends show it (``CaseView``), built from a ``store.case_rows`` row.

Standard library and rules only, so that the TUI's first frame (read with ``sqlite3`` by
``store.quick``) does not wait for SQLAlchemy. Instants come back as text from SQLite and as
naive UTC datetimes from PostgreSQL; ``store.instant`` makes both aware UTC.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from ahr_tui.errors import DatabaseProblem
from ahr_tui.rules import ACTIVE_STATUSES, CaseFacts, CaseStatus, format_left, list_order
from ahr_tui.rules.urgency import time_level
from ahr_tui.store import case_rows
from ahr_tui.store.case_rows import CASE_SQL, CHANGED_SQL, UNSCOPED_SQL, CaseRow
from ahr_tui.store.instant import instant

__all__ = [
    "CASE_JSON_KEYS", "CASE_LIST_KEYS", "CASE_SQL", "CHANGED_SQL", "UNSCOPED_SQL", "CaseView",
    "case_from_row", "cases_sql", "first_cases_sql", "in_list_order", "iso_z",
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

    @property
    def contact_target(self) -> str | None:
        """Whether the first contact kept its target (``contact_due``): ``met``, ``missed by
        2h 15m``; None while nobody has contacted the seller (the target is still ahead, or
        overdue). ``ahr case show`` and the app's detail write it the same way."""
        if self.contacted_at is None:
            return None
        if self.contacted_at <= self.contact_due:
            return "met"
        return f"missed by {format_left(self.contacted_at - self.contact_due)}"

    def attempts_text(self, attempts: Sequence[datetime]) -> str:
        """The contact attempts logged (given their instants): ``0 logged``, ``2 logged``; where
        the first contact was not a logged attempt (a case opened or imported as contacted:
        none was logged at its ``contacted_at``), that it came with the case. ``ahr case show``
        and the app's detail write it the same way."""
        text = f"{len(attempts)} logged"
        if self.contacted_at is not None and not any(a <= self.contacted_at for a in attempts):
            text += "; the first contact came with the case (opened or imported as contacted)"
        return text

    @property
    def facts(self) -> CaseFacts:
        """What ``rules.actions`` needs to decide an operation on this case."""
        return CaseFacts(self.id, self.status, self.contacted_at, self.deadline, self.assignee)

    def listed_json(self, now: datetime) -> dict[str, Any]:
        """``to_json`` and, as of ``now``, ``urgency``: the level of ``rules.time_level``
        (``ok`` ... ``overdue`` while the clock runs, a detected case's against its
        ``contact_due``; else the status), so that with ``status`` a script tells a late first
        contact (``detected``, ``overdue``: the text's ``contact overdue``) from an open case
        past its deadline (``open``, ``overdue``)."""
        return {**self.to_json(), "urgency": time_level(self.status, self.due, now)}

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


#: The keys of ``CaseView.to_json`` in order.
CASE_JSON_KEYS = (
    "id", "seller_id", "store", "name", "policy", "summary", "status", "detected_at",
    "contact_due", "contacted_at", "deadline", "reached_at", "attempts", "responded_at",
    "assignee", "closed_at", "outcome_note", "version",
)
#: The keys of ``CaseView.listed_json`` in order: a case in a list (``ahr cases --json`` and
#: ``--csv``, the app's export; the CSV header of an empty list).
CASE_LIST_KEYS = (*CASE_JSON_KEYS, "urgency")


def in_list_order(cases: Iterable[CaseView]) -> list[CaseView]:
    """``cases`` in the case list's order (``rules.list_order``: needs action first)."""
    return sorted(cases, key=lambda c: list_order(c.status, c.due, c.id))


def cases_sql(statuses: Iterable[CaseStatus] | None = None) -> tuple[str, dict[str, str]]:
    """SQL and named parameters for the cases in ``statuses`` (default: the active ones)."""
    wanted = ACTIVE_STATUSES if statuses is None else statuses
    return case_rows.cases_sql(s.value for s in wanted)


def first_cases_sql(limit: int, *, sqlite: bool) -> tuple[str, dict[str, object]]:
    """SQL and named parameters for the first ``limit`` active cases in the list's order
    (``store.case_rows.first_cases_sql``; the rows still need ``in_list_order``)."""
    return case_rows.first_cases_sql((s.value for s in ACTIVE_STATUSES), limit, sqlite=sqlite)


_STATUSES = {s.value: s for s in CaseStatus}  # a dict lookup: CaseStatus(value) costs more


def case_from_row(row: Sequence[Any]) -> CaseView:
    """A row of ``store.case_rows``'s SQL as a ``CaseView`` (once per active case per load).

    Raises ``DatabaseProblem`` for a status ahr does not know, or a case without the instants
    every case has (an older ahr's database not yet upgraded).
    """
    r = CaseRow(*row)
    if r.status not in _STATUSES:
        raise DatabaseProblem(
            f"case {r.id} has status {r.status!r}, which ahr does not know; it was not written "
            "by ahr."
        )
    return CaseView(
        r.id, r.account_id, r.seller_id, r.store, r.name, r.policy, r.summary,
        _STATUSES[r.status], _required(r.id, "detected_at", r.detected_at),
        _required(r.id, "contact_due", r.contact_due), instant(r.contacted_at),
        instant(r.deadline), instant(r.reached_at), int(r.attempts), instant(r.responded_at),
        r.assignee, instant(r.closed_at), r.outcome_note, r.version, r.enrollment,
        r.account_status,
    )


def _required(case_id: int, column: str, value: object) -> datetime:
    """An instant every case has (``ahr init`` fills it in for cases an older ahr wrote)."""
    stored = instant(value)
    if stored is None:
        raise DatabaseProblem(
            f"case {case_id} has no {column}; run `ahr init` to upgrade the database."
        )
    return stored
