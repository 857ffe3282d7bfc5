"""The SQL behind ``ahr metrics`` and the metrics screen: counts, medians and daily series.

Every figure is computed by the database (aggregates, and a median as the middle one or two
values of an ordered query), never by loading cases or events into Python; the same queries run
on SQLite and PostgreSQL, with the two spellings of "seconds between two instants" and "UTC day
of an instant" chosen by dialect. ``service.metrics`` defines what each figure means and calls
these in one read transaction. The caller owns the session.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, case, exists, func, literal, or_, select, union_all
from sqlmodel import Session, col

from ahr_tui.store.instant import stored_day
from ahr_tui.store.models import Case, Event, Operator


def seconds_between(session: Session, later: Any, earlier: Any) -> ColumnElement[Any]:
    """SQL for ``later - earlier`` in seconds (a float) on this session's database."""
    if session.get_bind().dialect.name == "sqlite":
        return (func.julianday(later) - func.julianday(earlier)) * 86400.0
    return func.extract("epoch", later - earlier)


def utc_day(column: Any) -> ColumnElement[Any]:
    """SQL for the UTC calendar day of a stored instant (stored instants are naive UTC)."""
    return func.date(column)


def count(session: Session, *conditions: ColumnElement[bool]) -> int:
    """How many cases meet every condition."""
    return int(session.execute(select(func.count()).select_from(Case).where(*conditions)).scalar()
               or 0)


def tally(session: Session, where: ColumnElement[bool], **parts: ColumnElement[bool]
          ) -> dict[str, int]:
    """In one scan: how many cases meet ``where`` (key ``"all"``), and of those how many meet
    each of ``parts`` (by its keyword)."""
    sums = [func.sum(case((cond, 1), else_=0)) for cond in parts.values()]
    row = session.execute(select(func.count(), *sums).select_from(Case).where(where)).one()
    counts = {k: int(v or 0) for k, v in zip(parts, row[1:], strict=True)}
    return {"all": int(row[0] or 0), **counts}


#: Results are rounded to milliseconds: SQLite's julianday arithmetic carries float noise below.


def median(session: Session, value: ColumnElement[Any], *conditions: ColumnElement[bool]
           ) -> float | None:
    """The median of ``value`` over the cases that meet ``conditions``; None when there are none.

    The database orders the values and returns only the middle one (odd count) or two (even).
    """
    return counted_median(session, value, *conditions)[0]


def counted_median(session: Session, value: ColumnElement[Any],
                   *conditions: ColumnElement[bool]) -> tuple[float | None, int]:
    """``median`` and how many cases it was taken over (a median of 2 cases reads otherwise
    like one of 200)."""
    n = count(session, *conditions)
    if n == 0:
        return None, 0
    middle = (
        select(value.label("v")).select_from(Case).where(*conditions)
        .order_by(value).limit(2 - n % 2).offset((n - 1) // 2)
    )
    values = [float(v) for v in session.execute(middle).scalars()]
    return round(sum(values) / len(values), 3), n


def maximum(session: Session, value: ColumnElement[Any], *conditions: ColumnElement[bool]
            ) -> float | None:
    found = session.execute(select(func.max(value)).select_from(Case).where(*conditions)).scalar()
    return None if found is None else round(float(found), 3)


def was_expired() -> ColumnElement[bool]:
    """The case expired at some point (its audit trail has an ``expire`` event)."""
    return exists().where(col(Event.case_id) == col(Case.id), col(Event.action) == "expire")


def status_at(end: datetime) -> ColumnElement[Any]:
    """SQL for the status an active case had at ``end``, from its instants: detected until its
    first contact, then open; responded once ``responded_at`` had passed, expired once its
    deadline had."""
    contacted, responded = col(Case.contacted_at), col(Case.responded_at)
    return case(
        (or_(contacted.is_(None), contacted > end), "detected"),
        (and_(responded.is_not(None), responded <= end), "responded"),
        (col(Case.deadline) < end, "expired"),
        else_="open",
    )


def active_at(start_column: Any, end: datetime) -> list[ColumnElement[bool]]:
    """Conditions: the case had begun (``start_column``) by ``end`` and was not closed by then."""
    return [
        start_column <= end,
        or_(col(Case.closed_at).is_(None), col(Case.closed_at) > end),
    ]


def backlog(session: Session, start_column: Any, end: datetime) -> dict[str, int]:
    """Active cases at ``end`` by the status they had then."""
    status = status_at(end).label("status")
    query = (
        select(status, func.count()).select_from(Case)
        .where(*active_at(start_column, end)).group_by(status)
    )
    return {str(s): int(n) for s, n in session.execute(query)}


def daily(session: Session, series: Sequence[tuple[str, Any, Sequence[ColumnElement[bool]]]],
          start: datetime, end: datetime) -> dict[tuple[str, date], int]:
    """Per (series name, UTC day): how many cases' ``instant`` fell on that day in
    ``[start, end)``, for each ``(name, instant column, extra conditions)`` of ``series``."""
    parts = [
        select(literal(name).label("kind"), utc_day(instant).label("day")).select_from(Case)
        .where(instant >= start, instant < end, *conditions)
        for name, instant, conditions in series
    ]
    rows = union_all(*parts).subquery()
    query = select(rows.c.kind, rows.c.day, func.count()).group_by(rows.c.kind, rows.c.day)
    return {(str(kind), stored_day(day)): int(n) for kind, day, n in session.execute(query)}


def actions_by_actor(session: Session, start: datetime, end: datetime
                     ) -> dict[str, tuple[int, int]]:
    """Per actor: audit events written with a business time in ``[start, end)``, and how many
    of them resolved a case."""
    resolves = func.sum(case((col(Event.action) == "resolve", 1), else_=0))
    query = (
        select(col(Event.actor), func.count(), resolves)
        .where(col(Event.at) >= start, col(Event.at) < end).group_by(col(Event.actor))
    )
    return {str(actor): (int(n), int(r or 0)) for actor, n, r in session.execute(query)}


def assigned_active(session: Session, start_column: Any, end: datetime) -> dict[str, int]:
    """Active cases at ``end`` per assignee."""
    query = (
        select(col(Case.assignee), func.count()).select_from(Case)
        .where(col(Case.assignee).is_not(None), *active_at(start_column, end))
        .group_by(col(Case.assignee))
    )
    return {str(name): int(n) for name, n in session.execute(query)}


def operator_names(session: Session) -> list[str]:
    return list(session.execute(select(col(Operator.name)).order_by(col(Operator.name))).scalars())
