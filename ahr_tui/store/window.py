"""Per-account window counters, kept so that a sweep does not rescan every score row.

``window_count`` holds, per account with a score in the window, the days scored and the days at
or above the threshold, for the window ending on ``window_state.as_of``. Triggers on ``score``
(every writer: imports, the report import, hand-written SQL) add an account to ``window_dirty``
when a score on or before that day is inserted, changed or deleted. ``bring_to`` moves the cache
to the sweep's day inside the sweep's write transaction:

- same day: only the dirty accounts are recounted (a key seek per day of the window each);
- a later day, at most ``MAX_SLIDE`` days on: the days that entered the window are added and the
  days that left it subtracted (scores are stored day first, so each is one range of the
  score table, read once), then the dirty ones are recounted; scores dated after the cached
  day are read by the slide, never marked dirty;
- otherwise (first use, an earlier day, another policy, or no triggers): one GROUP BY over the
  window, as before.

The answers are the GROUP BY's answers (``tests/test_window_counts.py`` checks them against it).
On PostgreSQL the sweep first takes ``SHARE`` on ``score``: no score can change between the
recount and the commit (an import waits for the sweep).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from typing import Any, NamedTuple

from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session

from ahr_tui.rules import Policy, window_bounds
from ahr_tui.store.instant import stored_day
from ahr_tui.store.queries import day_literals, window_counts

MAX_SLIDE = 31
#: The cache's tables: ``ahr db copy`` copies them after every other table.
CACHE_TABLES = frozenset({"window_count", "window_state", "window_dirty"})

_SQLITE_TRIGGERS = [
    f"""CREATE TRIGGER IF NOT EXISTS ahr_window_{name} AFTER {event} ON score
    WHEN {when}
    BEGIN
        {body}
    END"""
    for name, event, when, body in [
        ("insert", "INSERT", "NEW.day <= (SELECT as_of FROM window_state)",
         "INSERT INTO window_dirty (account_id) VALUES (NEW.account_id) ON CONFLICT DO NOTHING;"),
        ("delete", "DELETE", "OLD.day <= (SELECT as_of FROM window_state)",
         "INSERT INTO window_dirty (account_id) VALUES (OLD.account_id) ON CONFLICT DO NOTHING;"),
        ("update", "UPDATE",
         "NEW.day <= (SELECT as_of FROM window_state) "
         "OR OLD.day <= (SELECT as_of FROM window_state)",
         "INSERT INTO window_dirty (account_id) VALUES (NEW.account_id) ON CONFLICT DO NOTHING; "
         "INSERT INTO window_dirty (account_id) VALUES (OLD.account_id) ON CONFLICT DO NOTHING;"),
    ]
]
#: PostgreSQL: one call per statement, reading the statement's rows from its transition
#: tables, instead of a PL/pgSQL call per row: a daily import of 1,000,000 scores (none on or
#: before ``as_of``) took 12.1 s with a row trigger, 9.7 s with these (bench/README.md, issue 17).
#: PostgreSQL allows transition tables on a trigger of one event only: three triggers.
PG_TRIGGER_NAMES = ("ahr_window_insert", "ahr_window_update", "ahr_window_delete")
#: The one row trigger that databases made before them have, until ``ahr init``.
_PG_ROW_TRIGGER = "ahr_window"
_PG_TRIGGERS = [
    """CREATE OR REPLACE FUNCTION ahr_window_dirty_rows() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP <> 'DELETE' THEN
            INSERT INTO window_dirty (account_id)
            SELECT DISTINCT n.account_id FROM ahr_new_scores n
            WHERE n.day <= (SELECT as_of FROM window_state) ON CONFLICT DO NOTHING;
        END IF;
        IF TG_OP <> 'INSERT' THEN
            INSERT INTO window_dirty (account_id)
            SELECT DISTINCT o.account_id FROM ahr_old_scores o
            WHERE o.day <= (SELECT as_of FROM window_state) ON CONFLICT DO NOTHING;
        END IF;
        RETURN NULL;
    END $$""",
    """CREATE OR REPLACE TRIGGER ahr_window_insert AFTER INSERT ON score
    REFERENCING NEW TABLE AS ahr_new_scores
    FOR EACH STATEMENT EXECUTE FUNCTION ahr_window_dirty_rows()""",
    """CREATE OR REPLACE TRIGGER ahr_window_update AFTER UPDATE ON score
    REFERENCING OLD TABLE AS ahr_old_scores NEW TABLE AS ahr_new_scores
    FOR EACH STATEMENT EXECUTE FUNCTION ahr_window_dirty_rows()""",
    """CREATE OR REPLACE TRIGGER ahr_window_delete AFTER DELETE ON score
    REFERENCING OLD TABLE AS ahr_old_scores
    FOR EACH STATEMENT EXECUTE FUNCTION ahr_window_dirty_rows()""",
    # Databases made before them had one row trigger and its function.
    f"DROP TRIGGER IF EXISTS {_PG_ROW_TRIGGER} ON score",
    "DROP FUNCTION IF EXISTS ahr_window_dirty()",
]


@contextmanager
def staged_scores(db: Any, stage: str) -> Iterator[None]:
    """SQLite, for a bulk write of the scores held in table ``stage`` (``account_id``, ``day``,
    ``score``) on the driver connection ``db``, inside its write transaction: marks dirty, in
    one statement, every account the row triggers would mark for those rows (a staged score on
    or before ``as_of`` that is not already stored with that value), then drops the insert and
    update triggers for the block and creates them again after it. Both are DDL of the same
    transaction: a rollback, or a killed process, leaves the triggers as they were."""
    db.execute(_MARK_STAGED.format(stage=stage))
    for name in ("insert", "update"):
        db.execute(f"DROP TRIGGER IF EXISTS ahr_window_{name}")
    try:
        yield
    finally:
        for statement in _SQLITE_TRIGGERS:
            db.execute(statement)


_MARK_STAGED = (
    "INSERT INTO window_dirty (account_id) SELECT DISTINCT n.account_id FROM {stage} AS n "
    "WHERE n.day <= (SELECT as_of FROM window_state) AND NOT EXISTS (SELECT 1 FROM score AS o "
    "WHERE o.day = n.day AND o.account_id = n.account_id AND o.score = n.score) "
    "ON CONFLICT DO NOTHING"
)


def install_triggers(bind: Engine | Connection) -> None:
    """Create the triggers on ``score`` (idempotent; ``ahr init`` adds them to older files)."""
    statements = _SQLITE_TRIGGERS if bind.dialect.name == "sqlite" else _PG_TRIGGERS
    if isinstance(bind, Engine):
        with bind.begin() as conn:
            for statement in statements:
                conn.execute(text(statement))
        return
    for statement in statements:
        bind.execute(text(statement))


def _has_triggers(session: Session) -> bool:
    if session.get_bind().dialect.name == "sqlite":
        query = ("SELECT count(*) FROM sqlite_master "
                 "WHERE type = 'trigger' AND name LIKE 'ahr_window_%'")
        return bool(session.execute(text(query)).scalar() == len(_SQLITE_TRIGGERS))
    # The three statement triggers, or (a database not yet given them by ``ahr init``) the one
    # row trigger before them: either marks every change.
    names = set(session.execute(
        text("SELECT tgname FROM pg_trigger WHERE tgrelid = 'score'::regclass "
             "AND tgname = ANY(:names)"),
        {"names": [*PG_TRIGGER_NAMES, _PG_ROW_TRIGGER]}).scalars())
    return names >= set(PG_TRIGGER_NAMES) or _PG_ROW_TRIGGER in names


def lock_scores(session: Session, *, writing: bool = False) -> None:
    """PostgreSQL (SQLite's write transaction already excludes every other writer): the sweep
    (``writing=False``) takes SHARE on ``score``, so no score changes until it commits; an
    import (``writing=True``) takes ROW EXCLUSIVE, so it waits for a running sweep, or the sweep
    for it. Each takes it first, before any row lock: neither can then hold a lock the other
    waits for (a report import updates its account before its score; the sweep, the reverse)."""
    if session.get_bind().dialect.name == "postgresql":
        mode = "ROW EXCLUSIVE" if writing else "SHARE"
        session.execute(text(f"LOCK TABLE score IN {mode} MODE"))


class WindowState(NamedTuple):
    """What ``window_count`` holds: the window ending on ``as_of`` (a UTC day), counted with
    ``window_days`` and ``threshold``."""

    as_of: date
    window_days: int
    threshold: int

    def counts_for(self, policy: Policy) -> bool:
        """True when the counters were counted with ``policy``'s window and threshold."""
        return (self.window_days, self.threshold) == (policy.window_days, policy.threshold)


def state(session: Session) -> WindowState | None:
    """The day and policy the counters hold; None before the first sweep or ``ahr init``."""
    row = session.execute(
        text("SELECT as_of, window_days, threshold FROM window_state")).first()
    if row is None:
        return None
    return WindowState(stored_day(row[0]), int(row[1]), int(row[2]))


def bring_to(session: Session, as_of: date, policy: Policy) -> str:
    """Make ``window_count`` hold the window ending on ``as_of`` (in the caller's write
    transaction); returns how: ``"current"``, ``"recounted"``, ``"slid"`` or ``"rebuilt"``."""
    held = state(session)
    if held is None or not held.counts_for(policy) or not _has_triggers(session):
        how = _rebuild(session, as_of, policy)
    elif held.as_of == as_of:
        how = "recounted" if _recount_dirty(session, as_of, policy) else "current"
    elif held.as_of < as_of <= held.as_of + timedelta(days=MAX_SLIDE):
        _slide(session, held.as_of, as_of, policy)
        _recount_dirty(session, as_of, policy)
        how = "slid"
    else:
        how = _rebuild(session, as_of, policy)
    if how != "current":
        _set_state(session, as_of, policy, keep=_has_triggers(session))
    return how


def counts_at(session: Session, as_of: date, policy: Policy) -> dict[int, tuple[int, int]]:
    """``queries.window_counts``'s answer, read from the cache when it holds ``as_of`` (the
    accounts marked dirty recounted here; nothing written), else from the GROUP BY."""
    held = state(session)
    if (held is None or held.as_of != as_of or not held.counts_for(policy)
            or not _has_triggers(session)):
        return window_counts(session, as_of, policy)
    rows = session.execute(text("SELECT account_id, scored, at_or_above FROM window_count"))
    counts = {int(a): (int(n), int(ok)) for a, n, ok in rows}
    dirty = [int(a) for a in session.execute(text("SELECT account_id FROM window_dirty")).scalars()]
    for start in range(0, len(dirty), 10_000):
        chunk = dirty[start:start + 10_000]
        for aid in chunk:
            counts.pop(aid, None)
        counts.update(window_counts(session, as_of, policy, chunk))
    return counts


def _rebuild(session: Session, as_of: date, policy: Policy) -> str:
    first, last = window_bounds(as_of, policy)
    session.execute(text("DELETE FROM window_count"))
    session.execute(text("DELETE FROM window_dirty"))
    session.execute(
        text(
            "INSERT INTO window_count (account_id, scored, at_or_above) "
            "SELECT account_id, count(*), sum(CASE WHEN score >= :t THEN 1 ELSE 0 END) "
            "FROM score WHERE day >= :first AND day <= :last GROUP BY account_id"
        ),
        {"t": policy.threshold, "first": _day(session, first), "last": _day(session, last)},
    )
    return "rebuilt"


def _recount_dirty(session: Session, as_of: date, policy: Policy) -> bool:
    """Recount the accounts marked dirty; False when there were none."""
    if session.execute(text("SELECT 1 FROM window_dirty LIMIT 1")).first() is None:
        return False
    first, last = window_bounds(as_of, policy)
    session.execute(text(
        "DELETE FROM window_count WHERE account_id IN (SELECT account_id FROM window_dirty)"))
    session.execute(
        text(
            "INSERT INTO window_count (account_id, scored, at_or_above) "
            "SELECT s.account_id, count(*), sum(CASE WHEN s.score >= :t THEN 1 ELSE 0 END) "
            "FROM window_dirty d JOIN score s ON s.account_id = d.account_id "
            f"AND s.day IN ({day_literals(first, last)}) GROUP BY s.account_id"
        ),
        {"t": policy.threshold},
    )
    session.execute(text("DELETE FROM window_dirty"))
    return True


def moved_days(held: date, as_of: date, policy: Policy) -> tuple[date, date, date, date]:
    """Moving the window's end from ``held`` to a later ``as_of``: the first and last day that
    enter it, then the first and last day that leave it (UTC days, each range inclusive)."""
    old_first, _ = window_bounds(held, policy)
    new_first, _ = window_bounds(as_of, policy)
    return held + timedelta(days=1), as_of, old_first, new_first - timedelta(days=1)


def moved_counts_sql(entering: str, leaving: str) -> str:
    """Per account, the days counted (``n``) and those at or above ``:t`` (``ok``) of the rows
    matching ``entering``, minus those of the rows matching ``leaving``: a sub-select with
    columns (account_id, n, ok), one row per score (``GROUP BY account_id`` sums them)."""
    return (
        "SELECT account_id, 1 AS n, CASE WHEN score >= :t THEN 1 ELSE 0 END AS ok FROM score "
        f"WHERE {entering} "
        "UNION ALL "
        "SELECT account_id, -1, CASE WHEN score >= :t THEN -1 ELSE 0 END FROM score "
        f"WHERE {leaving}"
    )


def _slide(session: Session, cached: date, as_of: date, policy: Policy) -> None:
    """Add the days (cached, as_of], subtract the days that left the window: one statement,
    two ranges of the day-first score table, written only for the accounts whose counts move."""
    days = moved_days(cached, as_of, policy)
    session.execute(text(_SLIDE), {"t": policy.threshold, **dict(
        zip(("in_low", "in_high", "out_low", "out_high"),
            (_day(session, d) for d in days), strict=True))})
    session.execute(text("DELETE FROM window_count WHERE scored = 0"))


#: Per account, the entering days' counts minus the leaving days', merged into
#: ``window_count`` (``WHERE true``: SQLite's documented way to keep the upsert's ``ON`` from
#: reading as a join's).
_SLIDE = (
    "INSERT INTO window_count (account_id, scored, at_or_above) "
    "SELECT account_id, sum(n), sum(ok) FROM ("
    + moved_counts_sql("day >= :in_low AND day <= :in_high",
                       "day >= :out_low AND day <= :out_high")
    + ") AS moved WHERE true GROUP BY account_id HAVING sum(n) <> 0 OR sum(ok) <> 0 "
    "ON CONFLICT (account_id) DO UPDATE SET "
    "scored = window_count.scored + excluded.scored, "
    "at_or_above = window_count.at_or_above + excluded.at_or_above"
)


def _set_state(session: Session, as_of: date, policy: Policy, *, keep: bool) -> None:
    """Record the day counted; without triggers nothing would mark changes: record none."""
    session.execute(text("DELETE FROM window_state"))
    if keep:
        session.execute(
            text("INSERT INTO window_state (id, as_of, window_days, threshold) "
                 "VALUES (1, :as_of, :days, :t)"),
            {"as_of": _day(session, as_of), "days": policy.window_days, "t": policy.threshold},
        )


def _day(session: Session, value: date) -> date | str:
    """A day as each database stores it (SQLite: the ORM's ISO text)."""
    return value.isoformat() if session.get_bind().dialect.name == "sqlite" else value
