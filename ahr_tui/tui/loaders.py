"""Blocking database reads for the TUI, run in thread workers, each with its own session.

The functions here are plain and synchronous so that tests can call them directly; the app wraps
them in ``@work(thread=True)`` workers and posts the results back as messages.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.engine import Engine

from ahr_tui.rules import Role
from ahr_tui.service.access import role_of
from ahr_tui.service.views import CaseView, find_case, list_cases
from ahr_tui.store.engine import transaction
from ahr_tui.store.queries import change_marker


@dataclass(frozen=True, slots=True)
class Snapshot:
    """Everything the Cases view shows, read in one transaction."""

    cases: list[CaseView]
    marker: int
    role: Role | None


def load_snapshot(engine: Engine, operator: str) -> Snapshot:
    with transaction(engine) as session:
        marker = change_marker(session)
        return Snapshot(
            cases=list_cases(session), marker=marker, role=role_of(session, operator)
        )


def load_marker(engine: Engine) -> int:
    with transaction(engine) as session:
        return change_marker(session)


def load_case(engine: Engine, case_id: int) -> CaseView | None:
    with transaction(engine) as session:
        return find_case(session, case_id)
