"""Saved views: an operator's named filter and sort of the Cases or Accounts list.

The TUI saves them (``v``) and switches between them (``V``); ``ahr cases --view NAME`` applies
one; ``ahr view list | delete`` manage them. Each belongs to one operator (the OS user name),
and lives in the database, so it follows the operator from machine to machine on PostgreSQL.
A view is a preference, not a case's state: saving or deleting one writes no audit event.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.engine import Engine
from sqlmodel import col

from ahr_tui.errors import InvalidInput, NotFound
from ahr_tui.service.case_view import iso_z
from ahr_tui.store.engine import transaction
from ahr_tui.store.models import SavedView
from ahr_tui.textsafe import clean_line

#: Longest view name accepted (it is shown in a header and a picker).
MAX_NAME = 40


class ViewExists(InvalidInput):
    """The operator already has a view of that name (the TUI asks before replacing it)."""


class ViewKind(StrEnum):
    CASES = "cases"
    ACCOUNTS = "accounts"


@dataclass(frozen=True, slots=True)
class View:
    """One saved view. ``sort`` is the list's sort key as the TUI names it (``deadline``,
    ``seller``...); ``settings`` holds anything else the list had (JSON-safe values)."""

    name: str
    kind: ViewKind = ViewKind.CASES
    filter_text: str = ""
    sort: str = ""
    settings: dict[str, Any] = field(default_factory=dict)
    saved_at: datetime | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name, "view": self.kind.value, "filter": self.filter_text,
            "sort": self.sort, "settings": self.settings, "saved_at": iso_z(self.saved_at),
        }


def check_name(name: str) -> str:
    """The name stripped; ``InvalidInput`` when empty, too long or holding control characters."""
    name = name.strip()
    if not name:
        raise InvalidInput("a saved view needs a name.")
    if len(name) > MAX_NAME:
        raise InvalidInput(f"a view name has at most {MAX_NAME} characters.")
    if clean_line(name) != name:
        raise InvalidInput("a view name cannot hold control characters.")
    return name


def save_view(engine: Engine, view: View, *, operator: str, now: datetime,
              replace: bool = False) -> View:
    """Save ``view`` under its name for ``operator``; ``InvalidInput`` when the name is taken
    and ``replace`` is false (the TUI asks first, then saves again with ``replace``)."""
    name = check_name(view.name)
    settings = json.dumps(view.settings, sort_keys=True)
    with transaction(engine, write=True) as session:
        row = _find(session, operator, name)
        if row is not None and not replace:
            raise ViewExists(f"you already have a view named {name!r}.")
        if row is None:
            row = SavedView(operator=operator, name=name, saved_at=now)
            session.add(row)
        row.view, row.filter_text, row.sort = view.kind.value, view.filter_text, view.sort
        row.settings, row.saved_at = settings, now
        session.flush()
        return _from_row(row)


def list_views(engine: Engine, *, operator: str) -> list[View]:
    """``operator``'s views, by name."""
    with transaction(engine) as session:
        query = (select(SavedView).where(col(SavedView.operator) == operator)
                 .order_by(col(SavedView.name)))
        return [_from_row(row) for row in session.execute(query).scalars()]


def get_view(engine: Engine, name: str, *, operator: str) -> View:
    """``NotFound`` when ``operator`` has no view of that name."""
    with transaction(engine) as session:
        row = _find(session, operator, name.strip())
        if row is None:
            raise _not_found(name)
        return _from_row(row)


def delete_view(engine: Engine, name: str, *, operator: str) -> None:
    """``NotFound`` when ``operator`` has no view of that name."""
    with transaction(engine, write=True) as session:
        gone = session.execute(
            delete(SavedView).where(col(SavedView.operator) == operator,
                                    col(SavedView.name) == name.strip())
        )
        if gone.rowcount != 1:  # type: ignore[attr-defined]
            raise _not_found(name)


def _not_found(name: str) -> NotFound:
    return NotFound(f"you have no view named {clean_line(name.strip())!r}; "
                    "`ahr view list` shows yours.")


def _find(session: Any, operator: str, name: str) -> SavedView | None:
    query = select(SavedView).where(col(SavedView.operator) == operator,
                                    col(SavedView.name) == name)
    row: SavedView | None = session.execute(query).scalar_one_or_none()
    return row


def _from_row(row: SavedView) -> View:
    try:
        settings = json.loads(row.settings or "{}")
    except ValueError:
        settings = {}
    kind = ViewKind(row.view) if row.view in {k.value for k in ViewKind} else ViewKind.CASES
    return View(row.name, kind, row.filter_text, row.sort,
                settings if isinstance(settings, dict) else {}, row.saved_at)
