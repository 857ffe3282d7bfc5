"""Queries whose SQL matters for speed or differs between databases. The caller owns the session."""

from __future__ import annotations

from datetime import date

from sqlalchemy import case, func, select
from sqlmodel import Session, col

from ahr_tui.rules import DEFAULT_POLICY, Policy, window_bounds
from ahr_tui.store.models import Score


def window_counts(
    session: Session, as_of: date, policy: Policy = DEFAULT_POLICY
) -> dict[int, tuple[int, int]]:
    """Per account: (days scored, days scored at or above the threshold) in the window."""
    first, last = window_bounds(as_of, policy)
    query = (
        select(
            col(Score.account_id),
            func.count(),
            func.sum(case((col(Score.score) >= policy.threshold, 1), else_=0)),
        )
        .where(Score.day >= first, Score.day <= last)
        .group_by(Score.account_id)
    )
    return {acc: (int(n), int(ok or 0)) for acc, n, ok in session.execute(query)}


def change_marker(session: Session) -> int:
    """A number that grows with every audited change (the newest event id).

    Every state change, import and note writes an event, so a reader polls this one cheap
    indexed value to learn that another process changed something.
    """
    from ahr_tui.store.models import Event

    return int(session.execute(select(func.max(Event.id))).scalar() or 0)
