"""Queries whose SQL matters for speed or differs between databases. The caller owns the session."""

from __future__ import annotations

import json
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.engine import Engine
from sqlmodel import Session, col

from ahr_tui.rules import DEFAULT_POLICY, Policy, window_bounds
from ahr_tui.store.models import Account, Score


def window_days(first: date, last: date) -> list[date]:
    """Every day from ``first`` to ``last``, both included (empty when ``last < first``).

    Scores are keyed day first (``models.Score``): a read restricted to some accounts names
    the days, ``day IN (...)``, so that each (day, account) is a key seek."""
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def day_literals(first: date, last: date) -> str:
    """``window_days`` as an SQL list, ``'2026-03-01', '2026-03-02'``, for hand-written SQL.

    Dates rendered by ``date.isoformat`` (never text from outside); both SQLite (ISO text)
    and PostgreSQL (a ``date`` column: the literal is read as a date) compare them as days.
    ``'0001-01-01'`` stands in for an empty range, which no score has."""
    days = window_days(first, last) or [date.min]
    return ", ".join(f"'{day.isoformat()}'" for day in days)


def id_filter(
    session: Session, ids: Sequence[int], column: str = "a.id"
) -> tuple[str, dict[str, Any]]:
    """``column`` among ``ids`` as one parameter (SQLite: a JSON array; PostgreSQL: an array)."""
    if session.get_bind().dialect.name == "sqlite":
        return (f"{column} IN (SELECT value FROM json_each(:ids))",
                {"ids": json.dumps(list(ids))})
    return f"{column} = ANY(:ids)", {"ids": list(ids)}


def _window_query(as_of: date, policy: Policy) -> Any:
    first, last = window_bounds(as_of, policy)
    return (
        select(
            col(Score.account_id),
            func.count(),
            func.sum(case((col(Score.score) >= policy.threshold, 1), else_=0)),
        )
        .where(col(Score.day).in_(window_days(first, last)))
        .group_by(Score.account_id)
    )


def window_counts(
    session: Session,
    as_of: date,
    policy: Policy = DEFAULT_POLICY,
    account_ids: Sequence[int] | None = None,
) -> dict[int, tuple[int, int]]:
    """Per account (every one, or those of ``account_ids``): (days scored, days scored at or
    above the threshold) in the window; an account without a score in it is absent."""
    query = _window_query(as_of, policy)
    if account_ids is not None:
        query = query.where(col(Score.account_id).in_(list(account_ids)))
    return {acc: (int(n), int(ok or 0)) for acc, n, ok in session.execute(query)}


class WindowCounts:
    """``window_counts`` for every account, computed in background threads while the caller
    works on (the sweep expires cases meanwhile); ``result()`` waits for it.

    The score scan is the sweep's one big cost. On SQLite it is split by account id into
    ``parts`` ranges, each on its own connection and core (each day's scores are ordered by
    account, so a range is a seek per day, and the driver releases the GIL while SQLite
    works). PostgreSQL scans one query with its own parallel workers. The
    counts come from committed scores, read in their own transactions: the sweep never writes
    scores.
    """

    def __init__(
        self, engine: Engine, as_of: date, policy: Policy = DEFAULT_POLICY, *, parts: int = 2
    ) -> None:
        if engine.dialect.name != "sqlite":
            parts = 1
        query = _window_query(as_of, policy)
        with engine.connect() as conn:
            low, high = conn.execute(select(func.min(Account.id), func.max(Account.id))).one()
        low, high = int(low or 0), int(high or 0)
        step = max(1, -(-(high - low + 1) // max(1, parts)))
        ranges: list[tuple[int | None, int | None]] = [
            (start, start + step) for start in range(low, high + 1, step)
        ] or [(0, 1)]
        ranges[0], ranges[-1] = (None, ranges[0][1]), (ranges[-1][0], None)
        self._pool = ThreadPoolExecutor(max_workers=len(ranges), thread_name_prefix="ahr-counts")
        self._futures = [
            self._pool.submit(_counts_in_range, engine, query, start, stop)
            for start, stop in ranges
        ]

    def result(self) -> dict[int, tuple[int, int]]:
        counts: dict[int, tuple[int, int]] = {}
        try:
            for future in self._futures:
                counts.update(future.result())
        finally:
            self._pool.shutdown(wait=True, cancel_futures=True)
        return counts

    def close(self) -> None:
        """Wait for the threads (a sweep that failed early must not leave them running)."""
        self._pool.shutdown(wait=True, cancel_futures=True)


def _counts_in_range(
    engine: Engine, query: Any, start: int | None, stop: int | None
) -> dict[int, tuple[int, int]]:
    if start is not None:
        query = query.where(col(Score.account_id) >= start)
    if stop is not None:
        query = query.where(col(Score.account_id) < stop)
    # A read: marked as such, and ended by closing (a rollback), never by a commit.
    with engine.connect() as conn:
        conn.execution_options(ahr_write=False)
        return {acc: (int(n), int(ok or 0)) for acc, n, ok in conn.execute(query)}


def has_accounts(session: Session) -> bool:
    """Whether the database holds any account (none: a new database, nothing imported yet)."""
    return session.execute(select(Account.id).limit(1)).first() is not None


def change_marker(session: Session) -> int:
    """A number that grows with every audited change (the newest event id).

    Every state change, import and note writes an event, so a reader polls this one cheap
    indexed value to learn that another process changed something.
    """
    from ahr_tui.store.models import Event

    return int(session.execute(select(func.max(Event.id))).scalar() or 0)


def last_score_day(session: Session) -> date | None:
    """The last day any account was scored (None: no score yet): a seek, the score key starts
    with the day (``models.Score``)."""
    found = session.execute(select(func.max(Score.day))).scalar()
    return date.fromisoformat(found) if isinstance(found, str) else found
