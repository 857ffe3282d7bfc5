"""Read-side shapes shared by the CLI (``--json`` and tables) and the TUI."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import select, text
from sqlmodel import Session, col

from ahr_tui.errors import NotFound
from ahr_tui.rules import CaseStatus
from ahr_tui.service.case_view import (
    CASE_SQL,
    CHANGED_SQL,
    UNSCOPED_SQL,
    CaseView,
    case_from_row,
    cases_sql,
    first_cases_sql,
    in_list_order,
    iso_z,
)
from ahr_tui.service.event_view import EventRecord, event_to_json
from ahr_tui.store.models import Case, Event, Operator
from ahr_tui.store.queries import has_accounts

if TYPE_CHECKING:
    from ahr_tui.service.contact import AttemptView
    from ahr_tui.service.contact_card import ContactCard

__all__ = [
    "CaseFilter", "CaseView", "EventRecord", "case_events", "changed_cases", "event_to_json",
    "find_case", "first_cases", "has_accounts", "iso_z", "list_cases",
]


@dataclass(frozen=True, slots=True)
class CaseFilter:
    """``ahr cases --assignee NAME | --unassigned | --store S | --policy P``: each given
    field narrows the list; the list's order is kept."""

    assignee: str | None = None
    unassigned: bool = False
    store: str | None = None
    policy: str | None = None

    def admits(self, case: CaseView) -> bool:
        return (
            (self.assignee is None or case.assignee == self.assignee)
            and (not self.unassigned or case.assignee is None)
            and (self.store is None or case.store == self.store)
            and (self.policy is None or case.policy == self.policy)
        )

    def apply(self, cases: Iterable[CaseView]) -> list[CaseView]:
        return [c for c in cases if self.admits(c)]


def known_assignee(session: Session, name: str) -> None:
    """Raises ``NotFound`` when ``name`` is neither an operator nor the assignee of any case
    (a typo in ``ahr cases --assignee`` must not read as an empty list)."""
    if session.get(Operator, name) is not None:
        return
    if session.execute(select(Case.id).where(col(Case.assignee) == name).limit(1)).first():
        return
    raise NotFound(f"{name} is not an operator and has no cases; `ahr operator list` shows "
                   "the operators.")


def list_cases(session: Session, statuses: frozenset[CaseStatus] | None = None) -> list[CaseView]:
    """Cases in ``statuses`` (default: every active status), in the case list's order
    (``rules.list_order``: needs action first)."""
    sql, params = cases_sql(statuses)
    return in_list_order(case_from_row(row) for row in session.execute(text(sql), params))


def first_cases(session: Session, limit: int) -> list[CaseView]:
    """The first ``limit`` active cases of ``list_cases`` (the same cases in the same order),
    read without the others: the app's first screen of a long list."""
    sqlite = session.get_bind().dialect.name == "sqlite"
    sql, params = first_cases_sql(limit, sqlite=sqlite)
    return in_list_order(case_from_row(row) for row in session.execute(text(sql), params))


def changed_cases(session: Session, since: int) -> list[CaseView] | None:
    """The cases that events after event ``since`` may have changed, in any status; None when
    one of those events names no account (an import, say), so that any case may have changed."""
    if session.execute(text(UNSCOPED_SQL), {"since": since}).first() is not None:
        return None
    return [case_from_row(row) for row in session.execute(text(CHANGED_SQL), {"since": since})]


def find_case(session: Session, case_id: int) -> CaseView | None:
    """Case ``case_id`` as both front ends show it; None when there is no such case."""
    row = session.execute(text(CASE_SQL), {"case_id": case_id}).first()
    return case_from_row(row) if row else None


def case_with_events(session: Session, case_id: int) -> tuple[CaseView, list[Event]]:
    """Case ``case_id`` and its audit events, oldest first. Raises ``NotFound``."""
    view = find_case(session, case_id)
    if view is None:
        raise NotFound(f"no case {case_id}.")
    return view, case_events(session, case_id)


@dataclass(frozen=True, slots=True)
class CaseRecord:
    """``ahr case show``: one case, its audit events and its contact attempts, oldest first;
    with ``card``, the seller's contact card, read in the same transaction (so the phone shown
    belongs to the account as the case was read, not as a second read found it)."""

    case: CaseView
    events: list[Event]
    attempts: list[AttemptView]
    card: ContactCard | None = None


def case_record(session: Session, case_id: int, *, with_card: bool = False) -> CaseRecord:
    """Case ``case_id`` with its audit events and contact attempts (and, ``with_card``, its
    seller's contact card), in the caller's one transaction. Raises ``NotFound``."""
    from ahr_tui.service.contact import case_attempts  # contact reads views: imported here
    from ahr_tui.service.contact_card import load_contact_card

    view, events = case_with_events(session, case_id)
    card = load_contact_card(session, view.account_id) if with_card else None
    return CaseRecord(view, events, list(case_attempts(session, case_id)), card)


def case_events(session: Session, case_id: int) -> list[Event]:
    """Case ``case_id``'s audit events, oldest first (none for an unknown case)."""
    query = select(Event).where(Event.case_id == case_id).order_by(Event.id)
    return list(session.execute(query).scalars())
