"""Every score, audit event and notification names an account that exists, on both backends:
SQLite by its foreign keys, PostgreSQL by the statement triggers of ``store.account_keys`` (a
foreign key there checked, and locked, one account row per inserted row: half the server's time
in a daily import, and in a sweep's enrolments)."""

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


#: Each checked table's columns, and a row of it for account ``{a}`` on day ``{d}`` (the
#: ``{i}``-th row of its statement).
ROWS = {
    "score": ("score (account_id, day, score)", "({a}, {d}, 300)"),
    # ahr numbers events itself (the audit chain): no sequence to take an id from
    "event": ("event (id, at, recorded_at, actor, account_id, action, prev_hash, hash)",
              "((SELECT coalesce(max(id), 0) FROM event) + {i}, {d}, {d}, 'x', {a}, 'note', '', "
              "'')"),
    "notification": ("notification (account_id, kind, created_at, subject, body, state, "
                     "attempts)", "({a}, 'enrolled', {d}, '', '', 'sent', 0)"),
}


#: What both backends' refusal says: SQLite's foreign key, or ``store.account_keys``.
FOREIGN_KEY = "(?i)foreign key"


def _insert(table: str, *rows: tuple[str, str]) -> str:
    """An INSERT of ``table`` with one row per (account, day) pair of bind names."""
    columns, row = ROWS[table]
    return f"INSERT INTO {columns} VALUES " + ", ".join(
        row.format(a=a, d=d, i=i) for i, (a, d) in enumerate(rows, 1))


def _names(engine: Engine, table: str) -> list[int]:
    with engine.connect() as conn:
        return list(conn.execute(text(f"SELECT account_id FROM {table} WHERE account_id IS NOT "
                                      "NULL ORDER BY account_id")).scalars())


@pytest.mark.parametrize("table", list(ROWS))
def test_a_row_for_an_account_that_does_not_exist_is_refused(engine: Engine, table: str) -> None:
    known = seed_account(engine, "S1")
    day = date(2026, 3, 2)
    _run(engine, _insert(table, (":a", ":d")), a=known, d=day)
    before = _names(engine, table)
    # one bad row among good ones: the statement fails
    with pytest.raises(IntegrityError, match=FOREIGN_KEY):
        _run(engine, _insert(table, (":k", ":e"), (":a", ":d")),
             k=known, a=known + 999, d=DAY, e=date(2026, 3, 3))
    with pytest.raises(IntegrityError, match=FOREIGN_KEY):
        _run(engine, f"UPDATE {table} SET account_id = :a", a=known + 999)
    assert _names(engine, table) == before == [known]


def test_the_other_columns_of_a_checked_row_may_change(engine: Engine) -> None:
    known = seed_account(engine, "S1", scores={DAY: 500})
    _run(engine, "UPDATE score SET score = 700")
    assert _scores(engine) == [(known, 700)]


@pytest.mark.parametrize("table", list(ROWS))
def test_an_account_named_by_a_row_cannot_be_deleted_or_renumbered(
    engine: Engine, table: str
) -> None:
    named = seed_account(engine, "S1")
    other = seed_account(engine, "S2")
    _run(engine, _insert(table, (":a", ":d")), a=named, d=DAY)
    with pytest.raises(IntegrityError, match=FOREIGN_KEY):
        _run(engine, "DELETE FROM account WHERE id = :a", a=named)
    with pytest.raises(IntegrityError, match=FOREIGN_KEY):
        _run(engine, "UPDATE account SET id = :b WHERE id = :a", a=named, b=named + 999)
    _run(engine, "UPDATE account SET name = 'Renamed' WHERE id = :a", a=named)
    _run(engine, "DELETE FROM account WHERE id = :a", a=other)  # nothing names it
    assert _names(engine, table) == [named]


def _declared_keys(conn: Connection) -> list[str]:
    return list(conn.execute(text(
        "SELECT conrelid::regclass::text || ' ' || pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE contype = 'f' AND confrelid = 'account'::regclass "
        "AND conrelid::regclass::text IN ('score', 'event', 'notification') "
        "ORDER BY conrelid::regclass::text")).scalars())


def test_ahr_init_replaces_an_older_postgresql_databases_foreign_keys(
    pg_url: str, clock: FakeClock, me: Actor
) -> None:
    """A database made before the triggers has the declared keys and no trigger; ``ahr init``
    drops the ones and creates the others, and the checks hold afterwards."""
    engine = make_engine(pg_url, create=True)
    try:
        init_database(engine, actor=me, now=clock())
        with engine.begin() as conn:  # as an older ahr left it
            for table in ROWS:
                conn.execute(text(f"DROP TRIGGER ahr_{table}_account_insert ON {table}"))
                conn.execute(text(f"ALTER TABLE {table} ADD CONSTRAINT {table}_account_id_fkey "
                                  "FOREIGN KEY (account_id) REFERENCES account (id)"))
            assert _declared_keys(conn) == [
                f"{table} FOREIGN KEY (account_id) REFERENCES account(id)"
                for table in ("event", "notification", "score")]
        init_database(engine, actor=me, now=clock())
        with engine.connect() as conn:
            assert _declared_keys(conn) == []
        for table in ROWS:
            with pytest.raises(IntegrityError, match=f"{table} violates its foreign key: "
                                                     "no account 12345"):
                _run(engine, _insert(table, (":a", ":d")), a=12345, d=DAY)
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


#: Each table whose ``case_id`` names a case, and a row of it for case ``{c}`` of account
#: ``{a}`` on day ``{d}`` (the ``{i}``-th row of its statement).
CASE_ROWS = {
    "event": ("event (id, at, recorded_at, actor, account_id, case_id, action, prev_hash, hash)",
              "((SELECT coalesce(max(id), 0) FROM event) + {i}, {d}, {d}, 'x', {a}, {c}, "
              "'note', '', '')"),
    "notification": ("notification (account_id, case_id, kind, created_at, subject, body, "
                     "state, attempts)", "({a}, {c}, 'warning', {d}, '', '', 'sent', 0)"),
}


def _insert_for_case(table: str, *cases: str) -> str:
    """An INSERT of ``table`` with one row per case bind name, all of account ``:a``."""
    columns, row = CASE_ROWS[table]
    return f"INSERT INTO {columns} VALUES " + ", ".join(
        row.format(a=":a", c=c, d=":d", i=i) for i, c in enumerate(cases, 1))


def _open_case(engine: Engine, account: int) -> int:
    with engine.begin() as conn:
        return int(conn.execute(text(
            "INSERT INTO aha_case (account_id, policy, summary, status, version) "
            "VALUES (:a, 'fraud', '', 'open', 1) RETURNING id"), {"a": account}).scalar_one())


def _cases_named(engine: Engine, table: str) -> list[int]:
    with engine.connect() as conn:
        return list(conn.execute(text(f"SELECT case_id FROM {table} WHERE case_id IS NOT NULL "
                                      "ORDER BY case_id")).scalars())


@pytest.mark.parametrize("table", list(CASE_ROWS))
def test_a_row_for_a_case_that_does_not_exist_is_refused(engine: Engine, table: str) -> None:
    account = seed_account(engine, "S1")
    case = _open_case(engine, account)
    _run(engine, _insert_for_case(table, ":c"), a=account, c=case, d=DAY)
    # a row of no case names none
    _run(engine, _insert_for_case(table, "NULL"), a=account, d=DAY)
    # one bad row among good ones: the statement fails
    with pytest.raises(IntegrityError, match=FOREIGN_KEY):
        _run(engine, _insert_for_case(table, ":c", ":k"), a=account, c=case, k=case + 999,
             d=DAY)
    with pytest.raises(IntegrityError, match=FOREIGN_KEY):
        _run(engine, f"UPDATE {table} SET case_id = :k WHERE case_id = :c", c=case,
             k=case + 999)
    assert _cases_named(engine, table) == [case]


@pytest.mark.parametrize("table", list(CASE_ROWS))
def test_a_case_named_by_a_row_cannot_be_deleted_or_renumbered(
    engine: Engine, table: str
) -> None:
    account = seed_account(engine, "S1")
    named, other = _open_case(engine, account), _open_case(engine, account)
    _run(engine, _insert_for_case(table, ":c"), a=account, c=named, d=DAY)
    with pytest.raises(IntegrityError, match=FOREIGN_KEY):
        _run(engine, "DELETE FROM aha_case WHERE id = :c", c=named)
    with pytest.raises(IntegrityError, match=FOREIGN_KEY):
        _run(engine, "UPDATE aha_case SET id = :k WHERE id = :c", c=named, k=named + 999)
    _run(engine, "UPDATE aha_case SET summary = 'changed' WHERE id = :c", c=named)
    _run(engine, "DELETE FROM aha_case WHERE id = :c", c=other)  # nothing names it
    assert _cases_named(engine, table) == [named]


def test_ahr_init_replaces_an_older_postgresql_databases_case_keys(
    pg_url: str, clock: FakeClock, me: Actor
) -> None:
    """An older database's ``case_id`` foreign keys on events and notifications (a queued
    trigger call per row, for the NULL of every enrolment) go at ``ahr init``; the keys of the
    other tables naming cases stay."""
    engine = make_engine(pg_url, create=True)
    query = text(
        "SELECT conrelid::regclass::text FROM pg_constraint WHERE contype = 'f' "
        "AND confrelid = 'aha_case'::regclass ORDER BY 1")
    try:
        init_database(engine, actor=me, now=clock())
        with engine.begin() as conn:  # as an older ahr left it
            kept = list(conn.execute(query).scalars())
            assert "event" not in kept and "notification" not in kept
            for table in CASE_ROWS:
                conn.execute(text(f"DROP TRIGGER ahr_{table}_case_insert ON {table}"))
                conn.execute(text(f"ALTER TABLE {table} ADD CONSTRAINT {table}_case_id_fkey "
                                  "FOREIGN KEY (case_id) REFERENCES aha_case (id)"))
        init_database(engine, actor=me, now=clock())
        with engine.connect() as conn:
            assert list(conn.execute(query).scalars()) == kept
        account = seed_account(engine, "S1")
        for table in CASE_ROWS:
            with pytest.raises(IntegrityError, match=f"{table} violates its foreign key: "
                                                     "no case 12345"):
                _run(engine, _insert_for_case(table, ":c"), a=account, c=12345, d=DAY)
    finally:
        engine.dispose()
