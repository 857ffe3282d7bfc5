"""The window counters the sweep keeps (``store.window``) always equal the GROUP BY over scores.

Random histories of score writes (inserts, changes, deletions, scores for days not yet counted,
plain SQL behind the program's back) interleaved with moves of the evaluation day (same day, a
few days on, far on, back); after every move the cache must hold exactly what the hand-written
GROUP BY (``store.queries.window_counts``) answers.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError

from ahr_tui.rules import DEFAULT_POLICY, Policy, last_complete_day
from ahr_tui.service.imports import import_scores
from ahr_tui.service.sweep import sweep
from ahr_tui.store import window
from ahr_tui.store.engine import transaction
from ahr_tui.store.queries import window_counts
from tests.conftest import T0, seed_account

START = last_complete_day(T0)


def cached(engine: Engine) -> dict[int, tuple[int, int]]:
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT account_id, scored, at_or_above FROM window_count"))
        return {int(a): (int(n), int(ok)) for a, n, ok in rows}


def bring(engine: Engine, as_of: date, policy: Policy = DEFAULT_POLICY) -> str:
    with transaction(engine, write=True) as session:
        return window.bring_to(session, as_of, policy)


def truth(engine: Engine, as_of: date, policy: Policy = DEFAULT_POLICY) -> dict[int, tuple]:
    with transaction(engine) as session:
        return {a: c for a, c in window_counts(session, as_of, policy).items() if c[0]}


def write_scores(engine: Engine, rnd: random.Random, accounts: list[int], around: date) -> None:
    """A few random writes: new days (some after ``around``), changed scores, deletions."""
    with engine.begin() as conn:
        for _ in range(rnd.randint(1, 12)):
            aid = rnd.choice(accounts)
            day = around + timedelta(days=rnd.randint(-200, 5))
            score = rnd.choice([0, 120, 249, 250, 251, 600, 1000])
            what = rnd.random()
            params = {"a": aid, "d": day, "s": score}
            if what < 0.2:
                conn.execute(text("DELETE FROM score WHERE account_id = :a AND day = :d"), params)
                continue
            exists = conn.execute(
                text("SELECT 1 FROM score WHERE account_id = :a AND day = :d"), params).first()
            if exists:
                conn.execute(
                    text("UPDATE score SET score = :s WHERE account_id = :a AND day = :d"), params)
            else:
                conn.execute(
                    text("INSERT INTO score (account_id, day, score) VALUES (:a, :d, :s)"), params)


@pytest.mark.parametrize("seed", range(6))
def test_the_cache_equals_the_group_by_through_random_histories(engine, seed):
    rnd = random.Random(seed)
    accounts = [seed_account(engine, f"S{i}", scores={
        START - timedelta(days=d): rnd.choice([100, 300, 700]) for d in range(rnd.randint(0, 190))
    }) for i in range(6)]
    as_of = START
    seen = set()
    for _ in range(14):
        step = rnd.choice([0, 0, 1, 1, 2, 5, 40, -3])
        as_of += timedelta(days=step)
        how = bring(engine, as_of)
        seen.add(how)
        assert cached(engine) == truth(engine, as_of), (how, as_of)
        write_scores(engine, rnd, accounts, as_of)
        with transaction(engine) as session:  # a reader between the writes and the next sweep
            read = {a: c for a, c in window.counts_at(session, as_of, DEFAULT_POLICY).items()
                    if c[0]}
        assert read == truth(engine, as_of)
    assert {"slid", "rebuilt"} <= seen


def test_each_way_of_moving_the_cache_is_taken_when_it_should_be(engine):
    acc = seed_account(engine, scores={START - timedelta(days=d): 300 for d in range(200)})
    assert bring(engine, START) == "rebuilt"
    assert bring(engine, START) == "current"
    with engine.begin() as conn:  # a change inside the counted window, behind the program's back
        conn.execute(text("UPDATE score SET score = 10 WHERE account_id = :a AND day = :d"),
                     {"a": acc, "d": START - timedelta(days=3)})
    assert bring(engine, START) == "recounted"
    assert cached(engine) == {acc: (180, 179)}
    assert bring(engine, START + timedelta(days=1)) == "slid"
    assert cached(engine) == truth(engine, START + timedelta(days=1))
    assert bring(engine, START - timedelta(days=1)) == "rebuilt"  # an earlier day
    other = Policy(window_days=DEFAULT_POLICY.window_days, threshold=400,
                   max_days_below=DEFAULT_POLICY.max_days_below)
    assert bring(engine, START - timedelta(days=1), other) == "rebuilt"


def test_without_the_triggers_the_cache_is_counted_afresh_every_time(engine):
    acc = seed_account(engine, scores={START - timedelta(days=d): 300 for d in range(10)})
    with engine.begin() as conn:
        if engine.dialect.name == "sqlite":
            for name in ("insert", "update", "delete"):
                conn.execute(text(f"DROP TRIGGER ahr_window_{name}"))
        else:
            for name in window.PG_TRIGGER_NAMES:
                conn.execute(text(f"DROP TRIGGER {name} ON score"))
    assert bring(engine, START) == "rebuilt"
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM score WHERE account_id = :a"), {"a": acc})
    assert bring(engine, START) == "rebuilt"
    assert cached(engine) == {}


def test_a_repeat_sweep_reads_the_counters_and_a_new_day_slides_them(engine, me):
    seed_account(engine, "S1", enrollment="not_enrolled",
                 scores={START - timedelta(days=d): 300 for d in range(181)})
    first = sweep(engine, now=T0, as_of=START, actor=me)
    assert (first.window, dict(first.enrollment_changes)) == (
        "rebuilt", {"not_enrolled->enrolled": 1})
    assert sweep(engine, now=T0, as_of=START, actor=me).window == "current"
    next_day = T0 + timedelta(days=1)
    later = sweep(engine, now=next_day, as_of=last_complete_day(next_day), actor=me)
    assert later.window == "slid"
    # the day that entered has no score yet: 179 days scored, still within ten below
    assert not later.enrollment_changes


def test_an_import_marks_what_the_triggers_would_and_leaves_them_and_the_keys_on(
    engine, me, tmp_path
):
    """The scores import writes with the row triggers off (``window.staged_scores``) and its
    foreign keys unchecked (SQLite); it marks the same accounts: a changed or new score on a
    counted day, not an unchanged one nor a day after the counted one."""
    days = {START - timedelta(days=d): 300 for d in range(5)}
    _same, changed, added, _later = (
        seed_account(engine, f"S{i}", scores=days) for i in range(4))
    assert bring(engine, START) == "rebuilt"
    rows = [("S0", START, 300), ("S1", START - timedelta(days=2), 900),
            ("S2", START - timedelta(days=9), 700), ("S3", START + timedelta(days=1), 100)]
    path = tmp_path / "scores.csv"
    path.write_text("seller_id,store,date,score\n" + "".join(
        f"{seller},US,{day.isoformat()},{score}\n" for seller, day, score in rows))
    result = import_scores(engine, path, actor=me, now=T0 + timedelta(days=2))
    assert (result.new, result.updated, result.unchanged) == (2, 1, 1)
    with engine.connect() as conn:
        dirty = {a for (a,) in conn.execute(text("SELECT account_id FROM window_dirty"))}
        if engine.dialect.name == "sqlite":
            triggers = conn.execute(text(
                "SELECT count(*) FROM sqlite_master WHERE name LIKE 'ahr_window_%'")).scalar()
            assert triggers == 3
            assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
    assert dirty == {changed, added}
    assert bring(engine, START) == "recounted"
    assert cached(engine) == truth(engine, START)
    if engine.dialect.name == "sqlite":
        assert engine.pool.checkedin() == 1  # type: ignore[attr-defined]  # the import's own
    with engine.connect() as conn, pytest.raises(DBAPIError, match=r"(?i)foreign key"):
        conn.execute(text("INSERT INTO score (account_id, day, score) "
                          "VALUES (999999, '2026-01-01', 1)"))


def test_the_counters_day_is_read_back_whatever_the_backend_stores(engine: Engine) -> None:
    """``window.state`` gives a ``date`` on both backends (SQLite stores ISO text)."""
    seed_account(engine, "S1", "US")
    bring(engine, START)
    with transaction(engine) as session:
        held = window.state(session)
    assert held == window.WindowState(START, DEFAULT_POLICY.window_days, DEFAULT_POLICY.threshold)
    assert held is not None and held.counts_for(DEFAULT_POLICY)
    assert not held.counts_for(Policy(window_days=DEFAULT_POLICY.window_days + 1))


def test_a_counters_day_not_written_by_ahr_is_one_sentence(tmp_path) -> None:
    """SQLite only by nature (PostgreSQL's ``date`` column refuses such text on write)."""
    from ahr_tui.errors import DatabaseProblem
    from ahr_tui.store.engine import make_engine

    eng = make_engine(str(tmp_path / "bad.db"), create=True)
    try:
        with transaction(eng, write=True) as session:
            session.execute(text("CREATE TABLE window_state (id INTEGER, as_of TEXT, "
                                 "window_days INTEGER, threshold INTEGER)"))
            session.execute(text("INSERT INTO window_state VALUES (1, 'yesterday', 180, 250)"))
        with transaction(eng) as session, pytest.raises(
                DatabaseProblem, match="'yesterday' where a day belongs"):
            window.state(session)
    finally:
        eng.dispose()


_OLD_ROW_TRIGGER = [  # what databases made before the statement triggers have on PostgreSQL
    """CREATE OR REPLACE FUNCTION ahr_window_dirty() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE last date;
    BEGIN
        SELECT as_of INTO last FROM window_state;
        IF last IS NULL THEN RETURN NULL; END IF;
        IF TG_OP <> 'DELETE' AND NEW.day <= last THEN
            INSERT INTO window_dirty (account_id) VALUES (NEW.account_id) ON CONFLICT DO NOTHING;
        END IF;
        IF TG_OP <> 'INSERT' AND OLD.day <= last THEN
            INSERT INTO window_dirty (account_id) VALUES (OLD.account_id) ON CONFLICT DO NOTHING;
        END IF;
        RETURN NULL;
    END $$""",
    "CREATE TRIGGER ahr_window AFTER INSERT OR UPDATE OR DELETE ON score "
    "FOR EACH ROW EXECUTE FUNCTION ahr_window_dirty()",
]


def test_postgresql_row_trigger_of_an_older_database_counts_until_init_replaces_it(
    pg_url: str, me
) -> None:
    """A database from before the statement triggers keeps its row trigger until ``ahr init``:
    the counters are kept by it meanwhile (no rebuild), and init leaves the three statement
    triggers, which mark inserts, changes and deletions alike."""
    from ahr_tui.service.admin import init_database
    from ahr_tui.store.engine import make_engine
    from ahr_tui.store.schema import create_tables

    engine = make_engine(pg_url)
    try:
        init_database(engine, actor=me, now=T0)
        with engine.begin() as conn:
            for name in window.PG_TRIGGER_NAMES:
                conn.execute(text(f"DROP TRIGGER {name} ON score"))
            for statement in _OLD_ROW_TRIGGER:
                conn.execute(text(statement))
        acc = seed_account(engine, scores={START - timedelta(days=d): 300 for d in range(5)})
        assert bring(engine, START) == "rebuilt"
        with engine.begin() as conn:
            conn.execute(text("UPDATE score SET score = 100 WHERE account_id = :a"), {"a": acc})
        assert bring(engine, START) == "recounted"  # the row trigger marked it
        assert cached(engine) == truth(engine, START)

        with engine.begin() as conn:
            create_tables(conn)  # what ahr init runs
            names = set(conn.execute(text(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = 'score'::regclass")).scalars())
        assert {n for n in names if n.startswith("ahr_window")} == set(window.PG_TRIGGER_NAMES)
        other = seed_account(engine, "S2", scores={START - timedelta(days=1): 700})
        for statement in (
            "INSERT INTO score (account_id, day, score) VALUES (:a, :d, 260)",
            "UPDATE score SET score = 240 WHERE account_id = :a AND day = :d",
            "DELETE FROM score WHERE account_id = :a AND day = :d",
        ):
            assert bring(engine, START) in ("current", "recounted")
            with engine.begin() as conn:
                conn.execute(text(statement), {"a": other, "d": START - timedelta(days=2)})
            with engine.connect() as conn:
                dirty = conn.execute(text("SELECT account_id FROM window_dirty")).scalars().all()
            assert dirty == [other], statement
            assert bring(engine, START) == "recounted"
            assert cached(engine) == truth(engine, START)
    finally:
        engine.dispose()
