"""PostgreSQL's layout for a million accounts (issue 17): what keeps the sweep's writes and the
Accounts view's reads cheap there, checked on the server itself.

These run on PostgreSQL whatever ``--backend`` says (``pg_url``, a fresh schema per test).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import text

from ahr_tui.service.admin import init_database
from ahr_tui.store import account_list, bulk
from ahr_tui.store.actor import Actor
from ahr_tui.store.engine import make_engine, transaction
from tests.conftest import FakeClock

ACCOUNTS = 300  # about 25 to a page at half full: a dozen pages


def _fill(url: str, clock: FakeClock, me: Actor) -> None:
    engine = make_engine(url, create=True)
    try:
        init_database(engine, actor=me, now=clock())
        with engine.begin() as conn:
            conn.execute(text(
                "INSERT INTO account (seller_id, store, name, plan, email, status, enrollment, "
                "version) SELECT 'A' || lpad(n::text, 9, '0'), 'US', 'Seller number ' || n, "
                "'professional', 'seller' || n || '@example.com', 'active', 'not_enrolled', 1 "
                "FROM generate_series(1, :n) AS n"), {"n": ACCOUNTS})
    finally:
        engine.dispose()


def test_enrolment_changes_are_hot_updates_that_write_no_index_entry(
    pg_url: str, clock: FakeClock, me: Actor
) -> None:
    """``account`` is half full (fillfactor 50), and no index covers the columns a change
    writes: every change of a batch stays on its page, without an entry in any of the
    table's indexes (on a full page, an entry in each, the trigram GIN ones included)."""
    _fill(pg_url, clock, me)
    engine = make_engine(pg_url)
    try:
        with transaction(engine, write=True) as session:
            rows = session.execute(text("SELECT 'enrolled', id, version FROM account")).all()
            at = datetime(2026, 3, 2, 12, tzinfo=clock().tzinfo)
            assert bulk.move_enrollments(session, [tuple(r) for r in rows], at) == ACCOUNTS
            updated, hot = session.execute(text(
                "SELECT pg_stat_get_xact_tuples_updated('account'::regclass), "
                "pg_stat_get_xact_tuples_hot_updated('account'::regclass)")).one()
            assert (updated, hot) == (ACCOUNTS, ACCOUNTS)
            # a stale version is still refused
            assert bulk.move_enrollments(session, [("lapsed", rows[0][1], rows[0][2])], at) == 0
    finally:
        engine.dispose()


def test_the_filter_uses_the_trigram_indexes_for_three_characters_or_more(
    pg_url: str, clock: FakeClock, me: Actor
) -> None:
    """``ahr init`` gives every schema its trigram indexes, even when ``pg_trgm`` already lives
    in another schema, and their operator class is named with that schema."""
    _fill(pg_url, clock, me)
    engine = make_engine(pg_url)
    try:
        with transaction(engine) as session:
            defs = session.execute(text(
                "SELECT indexdef FROM pg_indexes WHERE schemaname = current_schema() "
                "AND indexname LIKE 'ix_account_%_trgm'")).scalars().all()
            where = session.execute(text("SELECT extnamespace::regnamespace::text "
                                         "FROM pg_extension WHERE extname = 'pg_trgm'")).scalar()
            assert len(defs) == 1 and all(f"{where}.gin_trgm_ops" in d for d in defs)
            assert account_list.indexable(session, "ber 12")
            assert not account_list.indexable(session, "12")
            assert sorted(account_list.indexed_matches(session, "ber 12", 100) or []) == [
                12, *range(120, 130)]
            assert account_list.indexed_matches(session, "number", 100) is None  # too many
            assert account_list.indexed_ids(session, "R 29") == {29, *range(290, 300)}
    finally:
        engine.dispose()


def _vacuums(engine) -> int:  # type: ignore[no-untyped-def]
    with engine.connect() as conn:
        conn.execute(text("SELECT pg_stat_clear_snapshot()"))
        return int(conn.execute(text(
            "SELECT vacuum_count FROM pg_stat_user_tables WHERE relid = 'account'::regclass"))
            .scalar() or 0)


def test_a_sweep_that_moves_enrolments_vacuums_the_accounts(
    pg_url: str, clock: FakeClock, me: Actor
) -> None:
    """Index-only scans of ``account`` (the Accounts view's order and filter walks) read the
    table for every row on a page changed since the last vacuum, and autovacuum waits for a
    fifth of the rows to change: a sweep that moved enrolments vacuums ``account`` itself;
    one that moved none does not."""
    from ahr_tui.rules import last_complete_day
    from ahr_tui.service.sweep import sweep

    _fill(pg_url, clock, me)
    engine = make_engine(pg_url)
    try:
        with engine.begin() as conn:  # enrolled without a score: the rules lapse them
            conn.execute(text("UPDATE account SET enrollment = 'enrolled'"))
        before = _vacuums(engine)
        now = clock()
        report = sweep(engine, now=now, as_of=last_complete_day(now), actor=me,
                       allow_missing_scores=True)
        assert sum(report.enrollment_changes.values()) == ACCOUNTS
        assert _vacuums(engine) == before + 1
        again = sweep(engine, now=now, as_of=last_complete_day(now), actor=me)
        assert not again.enrollment_changes and _vacuums(engine) == before + 1
    finally:
        engine.dispose()


def test_a_vacuum_that_fails_leaves_the_committed_work_alone() -> None:
    """The vacuum after a sweep or an upgrade is an optimisation: a database error in it (a
    server's statement timeout) is not the command's failure."""
    from sqlalchemy.exc import OperationalError

    from ahr_tui.store import account_pg

    statements: list[str] = []

    class TimedOut:
        def connect(self) -> TimedOut:
            return self

        def __enter__(self) -> TimedOut:
            return self

        def __exit__(self, *exc: object) -> None:
            return None

        def execution_options(self, **options: object) -> TimedOut:
            return self

        def execute(self, statement: object) -> None:
            statements.append(str(statement))
            raise OperationalError(str(statement), {}, Exception("canceling statement due to "
                                                                 "statement timeout"))

    account_pg.vacuum_account(TimedOut())  # type: ignore[arg-type]
    assert statements == ["VACUUM (SKIP_LOCKED, ANALYZE) account"]
