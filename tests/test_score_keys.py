"""Every score names an account that exists, on both backends: SQLite by its foreign key,
PostgreSQL by the statement triggers of ``store.score_keys`` (a foreign key there checked, and
locked, one account row per inserted score: half the server's time in a daily import)."""

from __future__ import annotations

import threading
import time
from datetime import date
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError

from ahr_tui.service.admin import init_database
from ahr_tui.store.actor import Actor
from ahr_tui.store.engine import make_engine
from tests.conftest import FakeClock, seed_account

DAY = date(2026, 3, 1)


def _run(engine: Engine, sql: str, **params: Any) -> None:
    with engine.begin() as conn:
        conn.execute(text(sql), params)


def _scores(engine: Engine) -> list[tuple[int, int]]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(  # type: ignore[misc]
            text("SELECT account_id, score FROM score ORDER BY account_id, day"))]


def test_a_score_for_an_account_that_does_not_exist_is_refused(engine: Engine) -> None:
    known = seed_account(engine, "S1", scores={DAY: 500})
    insert = "INSERT INTO score (account_id, day, score) VALUES (:a, :d, 300)"
    with pytest.raises(IntegrityError):  # one bad row among good ones: the statement fails
        _run(engine, insert.replace("VALUES (:a, :d, 300)", "VALUES (:k, :d, 300), (:a, :d, 1)"),
             k=known, a=known + 999, d=date(2026, 3, 2))
    with pytest.raises(IntegrityError):
        _run(engine, "UPDATE score SET account_id = :a", a=known + 999)
    _run(engine, "UPDATE score SET score = 700")  # the score itself may change
    assert _scores(engine) == [(known, 700)]


def test_an_account_with_scores_cannot_be_deleted_or_renumbered(engine: Engine) -> None:
    scored = seed_account(engine, "S1", scores={DAY: 500})
    unscored = seed_account(engine, "S2")
    with pytest.raises(IntegrityError):
        _run(engine, "DELETE FROM account WHERE id = :a", a=scored)
    with pytest.raises(IntegrityError):
        _run(engine, "UPDATE account SET id = :b WHERE id = :a", a=scored, b=scored + 999)
    _run(engine, "UPDATE account SET name = 'Renamed' WHERE id = :a", a=scored)
    _run(engine, "DELETE FROM account WHERE id = :a", a=unscored)  # nothing names it
    assert _scores(engine) == [(scored, 500)]


def _declared_keys(conn: Connection) -> list[str]:
    return list(conn.execute(text(
        "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE contype = 'f' "
        "AND conrelid = 'score'::regclass")).scalars())


def test_ahr_init_replaces_an_older_postgresql_databases_foreign_key(
    pg_url: str, clock: FakeClock, me: Actor
) -> None:
    """A database made before the triggers has the declared key and no trigger; ``ahr init``
    drops the one and creates the other, and the check holds afterwards."""
    engine = make_engine(pg_url, create=True)
    try:
        init_database(engine, actor=me, now=clock())
        with engine.begin() as conn:  # as an older ahr left it
            conn.execute(text("DROP TRIGGER ahr_score_account_insert ON score"))
            conn.execute(text("ALTER TABLE score ADD CONSTRAINT score_account_id_fkey "
                              "FOREIGN KEY (account_id) REFERENCES account (id)"))
            assert _declared_keys(conn) == ["FOREIGN KEY (account_id) REFERENCES account(id)"]
        init_database(engine, actor=me, now=clock())
        with engine.connect() as conn:
            assert _declared_keys(conn) == []
        with pytest.raises(IntegrityError, match="foreign key: no account 12345"):
            _run(engine, "INSERT INTO score (account_id, day, score) VALUES (12345, :d, 1)", d=DAY)
    finally:
        engine.dispose()


def _until_waiting_on_a_lock(engine: Engine, holder: Connection) -> None:
    """Poll until a session waits for a lock that ``holder``'s session holds (at most 30 s);
    each poll its own transaction (a transaction sees one snapshot of the activity)."""
    holder_pid = holder.execute(text("SELECT pg_backend_pid()")).scalar()
    query = text("SELECT count(*) FROM pg_stat_activity WHERE :p = ANY(pg_blocking_pids(pid))")
    deadline = time.monotonic() + 30
    with engine.connect() as poll:
        poll = poll.execution_options(isolation_level="AUTOCOMMIT")
        while not poll.execute(query, {"p": holder_pid}).scalar():
            assert time.monotonic() < deadline, "nothing waited for the writer"
            time.sleep(0.01)


def test_a_postgresql_delete_waits_for_a_running_score_writer_and_then_sees_its_scores(
    pg_url: str, clock: FakeClock, me: Actor
) -> None:
    """The race a foreign key's row lock closes: an import has written a score for the account
    and not committed yet when someone deletes that account. The delete's check waits for the
    import's transaction and then refuses."""
    engine = make_engine(pg_url, create=True)
    try:
        init_database(engine, actor=me, now=clock())
        account = seed_account(engine, "S1")
        outcome: list[BaseException | None] = []
        with engine.connect() as writer:
            writer.begin()
            writer.execute(text("INSERT INTO score (account_id, day, score) VALUES (:a, :d, 1)"),
                           {"a": account, "d": DAY})

            def delete() -> None:
                try:
                    _run(engine, "DELETE FROM account WHERE id = :a", a=account)
                    outcome.append(None)
                except IntegrityError as exc:
                    outcome.append(exc)

            deleting = threading.Thread(target=delete)
            deleting.start()
            _until_waiting_on_a_lock(engine, writer)
            assert deleting.is_alive() and not outcome  # it waits for the writer
            writer.commit()
            deleting.join(timeout=30)
        assert len(outcome) == 1 and isinstance(outcome[0], IntegrityError)
        assert f"deleting or renumbering account {account} " in str(outcome[0])
        assert _scores(engine) == [(account, 1)]
    finally:
        engine.dispose()
