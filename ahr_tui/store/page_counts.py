"""Window counts for a page of accounts (the Accounts view's visible rows), from the sweep's
window counters even before the day's sweep.

``store.window`` keeps ``window_count`` for the day of the last sweep. After a day's import and
before that day's sweep the counters hold the day before: a page's counts are then the counters
plus the days that entered the window minus the days that left it, read for the page's accounts
alone (per account, one key seek per day moved in and one per day moved out: 80 for a screenful
of 40 accounts a day on, where counting the window costs 7,200). An account marked dirty (a score
on or before the counters' day written since) is counted over the whole window. Scores are
stored day first (``models.Score``), so each (day, account) read is a key seek.

The answers are ``queries.window_counts``'s (``tests/test_page_counts.py`` checks them).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from sqlalchemy import text
from sqlmodel import Session

from ahr_tui.rules import Policy
from ahr_tui.store import window
from ahr_tui.store.queries import day_literals, id_filter, window_counts

Counts = dict[int, tuple[int, int]]


def held_day(session: Session, as_of: date, policy: Policy) -> date | None:
    """The day ``window_count`` holds, when a page's counts on ``as_of`` can start from it: the
    same policy, and ``as_of`` itself or at most ``window.MAX_SLIDE`` days before it; else None
    (no counters yet, another policy, or a day too far from ``as_of``)."""
    held = window.state(session)
    if held is None or not held.counts_for(policy):
        return None
    within = held.as_of <= as_of <= held.as_of + timedelta(days=window.MAX_SLIDE)
    return held.as_of if within else None


def page_counts(session: Session, ids: Sequence[int], as_of: date, policy: Policy) -> Counts:
    """(days scored, days at or above the threshold) per account of ``ids`` in the window ending
    on ``as_of``; an account without a score in it is absent. From the counters when
    ``held_day`` allows (``counts_from``), else counted for these accounts."""
    held = held_day(session, as_of, policy)
    if held is None:
        return window_counts(session, as_of, policy, ids)
    return counts_from(session, ids, held, as_of, policy)


def counts_from(
    session: Session, ids: Sequence[int], held: date, as_of: date, policy: Policy
) -> Counts:
    """``page_counts`` from counters that hold the day ``held`` (``held_day``'s answer): the
    stored counts, moved to ``as_of`` by the days between, the dirty accounts recounted."""
    where, params = id_filter(session, ids, column="account_id")
    counts: Counts = {int(a): (int(n), int(ok)) for a, n, ok in session.execute(
        text(f"SELECT account_id, scored, at_or_above FROM window_count WHERE {where}"), params)}
    if held < as_of:
        for account, moved, moved_ok in session.execute(
                text(_moved_sql(held, as_of, policy, where)), {**params, "t": policy.threshold}):
            scored, ok = counts.get(int(account), (0, 0))
            counts[int(account)] = (scored + int(moved), ok + int(moved_ok))
        counts = {a: pair for a, pair in counts.items() if pair[0]}
    dirty = [int(a) for (a,) in session.execute(
        text(f"SELECT account_id FROM window_dirty WHERE {where}"), params)]
    if dirty:
        for account in dirty:
            counts.pop(account, None)
        counts.update(window_counts(session, as_of, policy, dirty))
    return counts


def _moved_sql(held: date, as_of: date, policy: Policy, where: str) -> str:
    """Per account of ``where``: the days (held, as_of] counted, minus the days that left the
    window between the two (as ``window._slide`` moves every account)."""
    in_low, in_high, out_low, out_high = window.moved_days(held, as_of, policy)
    return (
        "SELECT account_id, sum(n), sum(ok) FROM ("
        + window.moved_counts_sql(f"day IN ({day_literals(in_low, in_high)}) AND {where}",
                                  f"day IN ({day_literals(out_low, out_high)}) AND {where}")
        + ") AS moved GROUP BY account_id"
    )
