"""The forecast's shape and its assembly from rows, without a database driver.

``ahr forecast`` and ``ahr handover`` on an SQLite file read their rows with the standard
library (``store.quick``: no SQLAlchemy to load, about 0.4 s of a command's second), any other
database through ``service.shifts``; both build the same values here from the same SQL
(``store.case_rows``, ``store.shift_rows``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ahr_tui.rules import ACTIVE_STATUSES, DEFAULT_POLICY, Policy
from ahr_tui.rules.coverage import Roster, Shift, ShiftRange
from ahr_tui.rules.forecast import CaseClock, Covered, cover, due_between
from ahr_tui.service.case_view import CaseView, case_from_row, cases_sql, in_list_order, iso_z
from ahr_tui.store.shift_rows import HOURS_SQL, OPERATORS_SQL, HoursRow, OperatorRow

if TYPE_CHECKING:
    from ahr_tui.service.database import Database


@dataclass(frozen=True, slots=True)
class ForecastEntry:
    """A due moment of ``ahr forecast`` with its case's seller, store and assignee."""

    covered: Covered
    case: CaseView

    def to_json(self) -> dict[str, Any]:
        m = self.covered.moment
        return {
            "at": iso_z(m.at),
            "case_id": m.case_id,
            "seller_id": self.case.seller_id,
            "store": self.case.store,
            "kind": m.kind.value,
            "action": m.action.value,
            "assignee": self.case.assignee,
            "on_shift": list(self.covered.on_shift),
            "covered": self.covered.covered,
        }


def clocks(cases: Sequence[CaseView]) -> list[CaseClock]:
    return [
        CaseClock(c.id, c.status.value, c.contact_due, c.deadline) for c in cases
    ]


def forecast_of(
    cases: Sequence[CaseView],
    roster: Roster,
    *,
    now: datetime,
    hours: float,
    policy: Policy = DEFAULT_POLICY,
) -> list[ForecastEntry]:
    """The due moments of ``cases`` with ``now < at <= now + hours``, by time, with coverage."""
    by_id = {c.id: c for c in cases}
    moments = due_between(clocks(cases), now, now + timedelta(hours=hours), policy)
    return [ForecastEntry(c, by_id[c.moment.case_id]) for c in cover(moments, roster)]


def shifts_from_rows(
    operators: Iterable[Sequence[Any]], hours: Iterable[Sequence[Any]]
) -> list[Shift]:
    """Every operator (rows of ``OPERATORS_SQL``) with their ranges (rows of ``HOURS_SQL``), by
    name; an operator without hours gets an empty tuple."""
    ranges: dict[str, list[ShiftRange]] = defaultdict(list)
    for h in map(HoursRow._make, hours):
        ranges[h.operator].append(ShiftRange(h.day, h.start_minute, h.end_minute))
    return [
        Shift(o.name, o.role, o.time_zone, tuple(ranges[o.name]))
        for o in map(OperatorRow._make, operators)
    ]


def coverage_queries() -> list[tuple[str, dict[str, Any]]]:
    """The active cases, the operators and their hours: what a forecast reads."""
    return [
        cases_sql(ACTIVE_STATUSES), (OPERATORS_SQL, {}), (HOURS_SQL, {}),
    ]


def quick_coverage(
    path: Path, extra: Sequence[tuple[str, dict[str, Any]]] = ()
) -> tuple[list[CaseView], Roster, list[list[tuple[Any, ...]]]] | None:
    """The active cases (list order) and the roster from the SQLite file ``path`` without
    SQLAlchemy, with the rows of ``extra`` queries read in the same transaction; None when the
    driver failed (the engine's path then words the problem). Raises ``DatabaseProblem`` for a
    value ahr did not write."""
    from ahr_tui.store.quick import read_rows

    read = read_rows(path, [*coverage_queries(), *extra])
    if read is None:
        return None
    cases, operators, hours, *rest = read
    roster = Roster(shifts_from_rows(operators, hours))
    return in_list_order(case_from_row(row) for row in cases), roster, rest


def quick_forecast(
    path: Path, *, now: datetime, hours: float, policy: Policy = DEFAULT_POLICY
) -> list[ForecastEntry] | None:
    """``ahr forecast`` on the SQLite file ``path`` (see ``quick_coverage``); ``now`` is UTC and
    ``hours`` the horizon in hours. None when the driver failed."""
    read = quick_coverage(path)
    if read is None:
        return None
    cases, roster, _ = read
    return forecast_of(cases, roster, now=now, hours=hours, policy=policy)


def read_quickly(db: str) -> Path | None:
    """The SQLite file behind ``--db`` when the standard library can read it; None for another
    database or when the driver failed (the engine's path then reads, or words the problem).
    Raises ``DatabaseProblem`` for a file that is not a current ahr database."""
    from ahr_tui.service.snapshots import check_quick, sqlite_file

    path = sqlite_file(db)
    return path if path is not None and check_quick(path) else None


def forecast(
    db: str, open_db: Callable[[], Database], *, now: datetime, hours: float,
    policy: Policy = DEFAULT_POLICY,
) -> list[ForecastEntry]:
    """``ahr forecast``: the active cases' due moments within ``hours`` of ``now`` (UTC), with
    coverage. ``db`` is the ``--db`` text: an SQLite file is read with the standard library,
    anything else through ``open_db()``. Raises ``DatabaseProblem``."""
    path = read_quickly(db)
    found = None if path is None else quick_forecast(path, now=now, hours=hours, policy=policy)
    if found is not None:
        return found
    from ahr_tui.service.shifts import forecast as read_forecast

    return read_forecast(open_db(), now=now, hours=hours, policy=policy)
