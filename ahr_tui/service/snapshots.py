"""The reads behind the app's live Cases view, each one read transaction.

Plain and synchronous: the app runs them in thread workers (each with its own session) and
posts the results back as messages; tests call them directly. SQLAlchemy and the rest of the
service layer are imported inside them: the first frame is painted from ``quick_snapshot``
(the standard library's sqlite3) while a worker loads those.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ahr_tui.rules import Role
from ahr_tui.rules.coverage import Shift
from ahr_tui.service.case_view import (
    CaseView,
    case_from_row,
    cases_sql,
    first_cases_sql,
    in_list_order,
)

if TYPE_CHECKING:
    from ahr_tui.service.database import Database


@dataclass(frozen=True, slots=True)
class Snapshot:
    """Everything the Cases view shows, read in one transaction: the active cases (list
    order), the change marker (the last event's id) and the operator's role (None: not one)."""

    cases: list[CaseView]
    marker: int
    role: Role | None
    #: Who works when (for the header's uncovered count); None when read without SQLAlchemy.
    shifts: tuple[Shift, ...] | None = None
    #: Whether the database holds any account (False: a new one, and the list says how to
    #: import; changes merged into a list always come from accounts, so they keep True).
    accounts: bool = True
    #: False: ``cases`` are only the first of the list order (the most urgent), read for the
    #: first screen (``load_first``, ``quick_snapshot(first=N)``); the whole list follows.
    complete: bool = True


#: How many of the most urgent cases the app reads for its first screen before the whole list
#: (more rows than a terminal shows: 120,000 active cases take seconds to read and show).
FIRST_CASES = 500


def load_snapshot(db: Database, operator: str) -> Snapshot:
    """The active cases, marker and ``operator``'s role. Raises ``AhrError`` (e.g.
    ``DatabaseProblem``) or a SQLAlchemy error when the database cannot be read."""
    from ahr_tui.service.access import role_of
    from ahr_tui.service.shifts import load_shifts
    from ahr_tui.service.views import list_cases
    from ahr_tui.store.engine import transaction
    from ahr_tui.store.queries import change_marker, has_accounts

    with transaction(db) as session:
        marker = change_marker(session)
        return Snapshot(
            cases=list_cases(session), marker=marker, role=role_of(session, operator),
            shifts=tuple(load_shifts(session)), accounts=has_accounts(session),
        )


def load_first(db: Database, operator: str, first: int = FIRST_CASES) -> Snapshot:
    """As ``load_snapshot``, but only the first ``first`` cases of the list order (the same
    cases in the same order as the whole list's top): ``complete`` when there are fewer."""
    from ahr_tui.service.access import role_of
    from ahr_tui.service.shifts import load_shifts
    from ahr_tui.service.views import first_cases
    from ahr_tui.store.engine import transaction
    from ahr_tui.store.queries import change_marker, has_accounts

    with transaction(db) as session:
        marker = change_marker(session)
        cases = first_cases(session, first)
        return Snapshot(
            cases=cases, marker=marker, role=role_of(session, operator),
            shifts=tuple(load_shifts(session)), accounts=has_accounts(session),
            complete=len(cases) < first,
        )


@dataclass(frozen=True, slots=True)
class Changes:
    """The cases events after ``since`` may have changed (in any status), read in one
    transaction with the new marker: merged into the list shown, not read whole again."""

    cases: list[CaseView]
    since: int
    marker: int
    role: Role | None
    shifts: tuple[Shift, ...] | None = None


def load_changes(db: Database, since: int, operator: str) -> Changes | Snapshot:
    """What changed after event id ``since``; the whole snapshot when anything may have
    (an event that names no account). Raises as ``load_snapshot``."""
    from ahr_tui.service.access import role_of
    from ahr_tui.service.shifts import load_shifts
    from ahr_tui.service.views import changed_cases, list_cases
    from ahr_tui.store.engine import transaction
    from ahr_tui.store.queries import change_marker, has_accounts

    with transaction(db) as session:
        marker = change_marker(session)
        role = role_of(session, operator)
        shifts = tuple(load_shifts(session))
        changed = changed_cases(session, since)
        if changed is None:  # an import of sellers among them: whether there are accounts too
            return Snapshot(cases=list_cases(session), marker=marker, role=role, shifts=shifts,
                            accounts=has_accounts(session))
        return Changes(cases=changed, since=since, marker=marker, role=role, shifts=shifts)


def quick_snapshot(path: Path, operator: str, first: int | None = None) -> Snapshot | None:
    """The same snapshot as ``load_snapshot`` (with ``first``, as ``load_first``), read from
    the SQLite file ``path`` without SQLAlchemy; None when the driver failed (the engine's path
    then words the problem). Raises ``DatabaseProblem`` for a value ahr did not write."""
    from ahr_tui.store.quick import read_cases

    query: tuple[str, dict[str, Any]] = (
        cases_sql() if first is None else first_cases_sql(first, sqlite=True))
    read = read_cases(path, operator, query)
    if read is None:
        return None
    rows, marker, role, accounts = read
    return Snapshot(
        in_list_order(case_from_row(row) for row in rows), marker, role, accounts=accounts,
        complete=first is None or len(rows) < first)


def check_quick(path: Path) -> bool:
    """Refuse (``DatabaseProblem``) a file that is not a current ahr database, with the
    standard library; False when the driver failed and the engine's path should look."""
    from ahr_tui.store.quick import check

    return check(path)


def sqlite_file(db: str) -> Path | None:
    """The file behind ``--db`` when it is a plain path (URLs take the engine's path)."""
    from ahr_tui.store.quick import sqlite_file as file_of

    return file_of(db)


def load_marker(db: Database) -> int:
    """The change marker: the id of the last audit event (0 for none)."""
    from ahr_tui.store.engine import transaction
    from ahr_tui.store.queries import change_marker

    with transaction(db) as session:
        return change_marker(session)


def load_case(db: Database, case_id: int) -> CaseView | None:
    """Case ``case_id`` in any status; None when there is none."""
    from ahr_tui.service.views import find_case
    from ahr_tui.store.engine import transaction

    with transaction(db) as session:
        return find_case(session, case_id)
