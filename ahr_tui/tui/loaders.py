"""Blocking database reads for the TUI, run in thread workers, each with its own session.

The functions here are plain and synchronous so that tests can call them directly; the app wraps
them in ``@work(thread=True)`` workers and posts the results back as messages. SQLAlchemy and the
service layer are imported inside them: the first frame is painted from ``quick_snapshot``
(the standard library's sqlite3) while a worker loads those.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ahr_tui.rules import Role
from ahr_tui.rules.coverage import Shift
from ahr_tui.service.case_view import CaseView

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine


@dataclass(frozen=True, slots=True)
class Snapshot:
    """Everything the Cases view shows, read in one transaction."""

    cases: list[CaseView]
    marker: int
    role: Role | None
    #: Who works when (for the header's uncovered count); None when read without SQLAlchemy.
    shifts: tuple[Shift, ...] | None = None


def load_snapshot(engine: Engine, operator: str) -> Snapshot:
    from ahr_tui.service.access import role_of
    from ahr_tui.service.shifts import load_shifts
    from ahr_tui.service.views import list_cases
    from ahr_tui.store.engine import transaction
    from ahr_tui.store.queries import change_marker

    with transaction(engine) as session:
        marker = change_marker(session)
        return Snapshot(
            cases=list_cases(session), marker=marker, role=role_of(session, operator),
            shifts=tuple(load_shifts(session)),
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


def load_changes(engine: Engine, since: int, operator: str) -> Changes | Snapshot:
    """What changed after event ``since``; the whole snapshot when anything may have."""
    from ahr_tui.service.access import role_of
    from ahr_tui.service.shifts import load_shifts
    from ahr_tui.service.views import changed_cases, list_cases
    from ahr_tui.store.engine import transaction
    from ahr_tui.store.queries import change_marker

    with transaction(engine) as session:
        marker = change_marker(session)
        role = role_of(session, operator)
        shifts = tuple(load_shifts(session))
        changed = changed_cases(session, since)
        if changed is None:
            return Snapshot(cases=list_cases(session), marker=marker, role=role, shifts=shifts)
        return Changes(cases=changed, since=since, marker=marker, role=role, shifts=shifts)


def quick_snapshot(path: Path, operator: str) -> Snapshot | None:
    """The same snapshot read without SQLAlchemy; None when the driver failed."""
    from ahr_tui.store.quick import read_cases

    read = read_cases(path, operator)
    return None if read is None else Snapshot(*read)


def load_marker(engine: Engine) -> int:
    from ahr_tui.store.engine import transaction
    from ahr_tui.store.queries import change_marker

    with transaction(engine) as session:
        return change_marker(session)


def load_case(engine: Engine, case_id: int) -> CaseView | None:
    from ahr_tui.service.views import find_case
    from ahr_tui.store.engine import transaction

    with transaction(engine) as session:
        return find_case(session, case_id)
