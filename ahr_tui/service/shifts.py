"""Operators' email and working hours, and the forecast of due moments against them.

``ahr operator hours``, ``ahr operator list``, ``ahr forecast``, the handover
(``service.handover``), the sweep's escalations (``service.escalation``) and the TUI's header and
``h`` screen all come here; ``rules.coverage`` and ``rules.forecast`` decide, this module reads
and writes.
"""

from __future__ import annotations

import shlex
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, text
from sqlalchemy.engine import Engine
from sqlmodel import Session, col

from ahr_tui.errors import InvalidInput, NotFound
from ahr_tui.rules import DEFAULT_POLICY, Permission, Policy
from ahr_tui.rules.coverage import (
    DAY_NAMES,
    HoursError,
    Roster,
    Shift,
    ShiftRange,
    describe_ranges,
    format_clock,
    new_zone,
    on_shift,
)
from ahr_tui.service.access import require, role_of
from ahr_tui.service.case_view import CaseView, iso_z
from ahr_tui.service.forecast_view import ForecastEntry, forecast_of, shifts_from_rows
from ahr_tui.service.views import list_cases
from ahr_tui.store import audit
from ahr_tui.store.actor import Actor
from ahr_tui.store.engine import transaction
from ahr_tui.store.models import Operator, OperatorHours
from ahr_tui.store.shift_rows import HOURS_SQL, OPERATORS_SQL


def load_shifts(session: Session) -> list[Shift]:
    """Every operator with their role, zone and ranges (no hours: an empty tuple)."""
    operators = session.execute(text(OPERATORS_SQL)).all()
    return shifts_from_rows(operators, session.execute(text(HOURS_SQL)).all())


def operator_rows(engine: Engine) -> list[tuple[Operator, Shift]]:
    """Every operator, by name, with their working week."""
    with transaction(engine) as session:
        shifts = {s.name: s for s in load_shifts(session)}
        rows = session.execute(select(Operator).order_by(col(Operator.name))).scalars().all()
        return [(row, shifts[row.name]) for row in rows]


def operator_json(row: Operator, shift: Shift, now: datetime) -> dict[str, Any]:
    """``ahr operator list --json``: one operator, their hours and whether on shift ``now``."""
    return {
        "name": row.name,
        "role": row.role,
        "email": row.email,
        "time_zone": row.time_zone,
        "hours": [
            {"day": DAY_NAMES[r.day], "from": format_clock(r.start), "to": format_clock(r.end)}
            for r in shift.ranges
        ],
        "on_shift": on_shift(shift, now),
        "added_at": iso_z(row.added_at),
        "added_by": row.added_by,
    }


def describe_hours(shift: Shift) -> str:
    """``mon-fri 09:00-17:00, sat 10:00-12:00 (Europe/Berlin)``; ``-`` with no hours."""
    if not shift.ranges:
        return "-"
    return f"{describe_ranges(shift.ranges)} ({shift.tz})"


def set_hours(
    engine: Engine,
    name: str,
    *,
    tz: str | None,
    ranges: Sequence[ShiftRange],
    add: bool,
    actor: Actor,
    now: datetime,
) -> Shift:
    """Replace (or with ``add``, extend) an operator's hours; ``tz`` None keeps their zone.

    A lead may set anyone's hours, an operator their own. Raises ``NotFound`` for an unknown
    operator, ``InvalidInput`` for an unknown zone or none at all.
    """
    try:
        if tz is not None:
            tz = new_zone(tz)
    except HoursError as exc:
        raise InvalidInput(str(exc)) from None
    with transaction(engine, write=True) as session:
        row = _editable(session, name, actor)
        tz = tz or row.time_zone
        if tz is None:
            raise InvalidInput(f"{name} has no time zone yet; give one with --tz, e.g. --tz UTC.")
        if not add:
            session.execute(delete(OperatorHours).where(col(OperatorHours.operator) == name))
        for r in ranges:
            session.add(
                OperatorHours(operator=name, day=r.day, start_minute=r.start, end_minute=r.end)
            )
        before = row.time_zone
        row.time_zone = tz
        session.flush()
        shift = next(s for s in load_shifts(session) if s.name == name)
        audit.append(
            session, actor=actor, action="operator_hours", at=now, recorded_at=now,
            from_state=before, to_state=tz, note=f"{name}: {describe_hours(shift)}",
        )
        return shift


def clear_hours(engine: Engine, name: str, *, actor: Actor, now: datetime) -> None:
    """Remove every range of ``name``'s hours: they count as never on shift."""
    with transaction(engine, write=True) as session:
        row = _editable(session, name, actor)
        session.execute(delete(OperatorHours).where(col(OperatorHours.operator) == name))
        audit.append(
            session, actor=actor, action="operator_hours", at=now, recorded_at=now,
            from_state=row.time_zone, to_state=row.time_zone, note=f"{name}: no hours",
        )


def _editable(session: Session, name: str, actor: Actor) -> Operator:
    if actor.name != name or role_of(session, name) is None:
        require(session, actor, Permission.MANAGE_OPERATORS)
    row = session.get(Operator, name)
    if row is None:
        raise NotFound(
            f"{name} is not an operator; add them with "
            f"`ahr operator add {shlex.quote(name)} --role triage` (or investigator, or lead)."
        )
    return row


def forecast(
    engine: Engine, *, now: datetime, hours: float, policy: Policy = DEFAULT_POLICY
) -> list[ForecastEntry]:
    """``ahr forecast``: the active cases' due moments within ``hours`` of ``now`` (UTC)."""
    with transaction(engine) as session:
        roster = Roster(load_shifts(session))
        cases = list_cases(session)
    return forecast_of(cases, roster, now=now, hours=hours, policy=policy)


def load_roster(engine: Engine) -> Roster:
    """Who works when, read once (the TUI keeps it and counts against the cases it shows)."""
    with transaction(engine) as session:
        return Roster(load_shifts(session))


def uncovered_count(
    cases: Sequence[CaseView], roster: Roster, *, now: datetime, hours: float = 24
) -> int:
    """How many due moments of ``cases`` in the next ``hours`` nobody who may act is on shift
    for (the TUI's header)."""
    return sum(not e.covered.covered for e in forecast_of(cases, roster, now=now, hours=hours))
