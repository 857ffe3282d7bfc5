"""The SQL that reads cases as both front ends show them, and its row with named fields.

Standard library only: the TUI reads its first screen of cases with the stdlib ``sqlite3``
module (``store.quick``) before SQLAlchemy has loaded, and ``service.views`` runs the same SQL
text through a session afterwards. ``service.case_view`` turns a ``CaseRow`` into a ``CaseView``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, NamedTuple

from ahr_tui.rules.cases import CaseStatus
from ahr_tui.rules.urgency import list_group

_SELECT = (
    "SELECT c.id, c.account_id, a.seller_id, a.store, a.name, c.policy, c.summary, c.status,"
    " c.detected_at, c.contact_due, c.contacted_at, c.deadline, c.reached_at,"
    " (SELECT count(*) FROM contact_attempt AS t WHERE t.case_id = c.id),"
    " c.responded_at, c.assignee, c.closed_at, c.outcome_note,"
    " c.version, a.enrollment, a.status"
    " FROM aha_case AS c JOIN account AS a ON a.id = c.account_id"
)


class CaseRow(NamedTuple):
    """One row of the SQL here, as the driver returns it (instants as text from SQLite, as
    naive UTC datetimes from PostgreSQL: ``store.instant`` makes both aware UTC)."""

    id: int
    account_id: int
    seller_id: str
    store: str
    name: str
    policy: str
    summary: str
    status: str
    detected_at: Any
    contact_due: Any
    contacted_at: Any
    deadline: Any
    reached_at: Any
    attempts: int
    responded_at: Any
    assignee: str | None
    closed_at: Any
    outcome_note: str | None
    version: int
    enrollment: str
    account_status: str


def cases_sql(statuses: Iterable[str]) -> tuple[str, dict[str, str]]:
    """SQL and named parameters for the cases whose status is in ``statuses``, by their next
    due moment (the caller puts them in the list order of ``rules.list_order``).

    Named ``:name`` parameters, understood by both ``sqlite3`` and SQLAlchemy's ``text()``.
    """
    params = {f"s{i}": value for i, value in enumerate(sorted(statuses))}
    marks = ", ".join(f":{name}" for name in params) or "NULL"
    order = "ORDER BY coalesce(c.deadline, c.contact_due), c.id"
    return f"{_SELECT} WHERE c.status IN ({marks}) {order}", params


def first_cases_sql(
    statuses: Iterable[str], limit: int, *, sqlite: bool
) -> tuple[str, dict[str, object]]:
    """SQL and named parameters for the first ``limit`` cases whose status is in ``statuses``
    in the case list's order (``rules.list_order``: group, next due moment, id), for the first
    screen of a list too long to read before it (a caller sorts the rows with ``list_order``).

    The order is chosen among the cases alone (``aha_case``) and only the rows chosen are joined
    and counted. On SQLite an instant is text: ``YYYY-MM-DD HH:MM:SS.ffffff`` as SQLAlchemy
    writes it, or without the fraction where ``ahr init`` filled ``contact_due`` in
    (``store.upgrade``); padded to the one width, text order is time order and equal instants
    are equal text, so the ties fall to the id as in ``list_order``.
    """
    wanted = sorted(set(statuses))
    params: dict[str, object] = {f"s{i}": value for i, value in enumerate(wanted)}
    marks = ", ".join(f":{name}" for name in params) or "NULL"
    groups = " ".join(
        f"WHEN '{CaseStatus(value).value}' THEN {list_group(CaseStatus(value))}"
        for value in wanted)
    group = f"CASE status {groups} ELSE 3 END" if wanted else "3"
    due = "coalesce(deadline, contact_due)"
    if sqlite:
        due = f"substr({due} || '.000000', 1, 26)"
    params["limit"] = limit
    chosen = (f"SELECT id FROM aha_case WHERE status IN ({marks})"
              f" ORDER BY {group}, {due}, id LIMIT :limit")
    return f"{_SELECT} WHERE c.id IN ({chosen})", params


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
