"""``ahr db copy``: a whole database across SQLite and PostgreSQL and back, nothing lost or altered.

These tests need PostgreSQL whatever ``--backend`` says (``pg_url``); without a server they fail.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import inspect, select, text
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from ahr_tui.cli.common import CliState
from ahr_tui.cli.main import app
from ahr_tui.errors import DatabaseProblem, InvalidInput
from ahr_tui.service.admin import init_database
from ahr_tui.service.identity import os_user_name
from ahr_tui.store import copy as copy_module
from ahr_tui.store.actor import Actor
from ahr_tui.store.copy import copy_database
from ahr_tui.store.engine import make_engine, transaction
from ahr_tui.store.models import Account
from ahr_tui.store.schema import app_tables
from tests.conftest import T0, Cli, FakeClock, full_window, seed_account

AS_OF = (T0 - timedelta(days=1)).date()


def contents(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every ahr table as Python values (dates, aware instants, bools), by key."""
    with engine.connect() as conn:
        return {
            t.name: [
                tuple(row)
                for row in conn.execute(select(t).order_by(*t.primary_key.columns))
            ]
            for t in app_tables()
        }


def copy_cli(source: str, target: str) -> Any:
    return CliRunner().invoke(
        app, ["db", "copy", "--from", source, "--to", target], obj=CliState(db="unused.db")
    )


def refused(result: Any, *words: str) -> str:
    assert result.exit_code == 1, (result.stdout, result.stderr)
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    [line] = result.stderr.splitlines()
    assert line.startswith("ahr: ")
    for word in words:
        assert word in line
    return line


@pytest.fixture(scope="module")
def busy_sqlite(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A SQLite database with something in every table: cases in several states, enrolments,
    notifications, notes, an extra operator and store, and 180 days of scores per account.

    Built once per module; the tests only read it."""
    path = str(tmp_path_factory.mktemp("busy") / "source.db")
    clock, me = FakeClock(), Actor(name=os_user_name())
    engine = make_engine(path, create=True)
    init_database(engine, actor=me, now=clock())
    seed_account(engine, "S1", scores=full_window(AS_OF))
    seed_account(engine, "S2", scores=full_window(AS_OF, 400))
    seed_account(engine, "S3", enrollment="not_enrolled", scores=full_window(AS_OF, 300))
    seed_account(engine, "S4", store="CA", phone="+1 416 555 2199", scores=full_window(AS_OF, 90))
    seed_account(engine, "S5", name="Zürich «Ünïcode» [b]x[/b]", phone=None, scores={AS_OF: 700})
    engine.dispose()
    cli = Cli(db=path, clock=clock, runner=CliRunner())

    def run(*args: str) -> str:
        result = cli(*args)
        assert result.exit_code == 0, (args, result.stdout, result.stderr)
        return str(result.stdout).strip()

    expired = run("case", "open", "S1", "--store", "US", "--policy", "reviews",
                  "--at", "2026-02-26T09:00:00Z", "--summary", "late")
    answered = run("case", "open", "S2", "--store", "US", "--policy", "authenticity",
                   "--at", "2026-03-01T09:00:00Z")
    run("case", "respond", answered, "--at", "2026-03-02T08:00:00+02:00")
    run("case", "note", answered, "--text", "called the seller; résumé sent")
    run("case", "assign", answered)
    resolved = run("case", "open", "S2", "--store", "US", "--policy", "other",
                   "--at", "2026-03-02T10:00:00Z")
    run("case", "resolve", resolved, "--note", "fixed")
    found = run("case", "detect", "S1", "--store", "US", "--policy", "condition",
                "--at", "2026-03-01T08:00:00Z")
    run("case", "attempt", found, "--channel", "phone", "--outcome", "voicemail",
        "--at", "2026-03-01T09:00:00Z", "--note", "left the case number")
    run("case", "detect", "S2", "--store", "US", "--policy", "reviews")  # not contacted yet
    run("operator", "add", "alice", "--role", "triage")
    run("store", "enable", "MX")
    run("sweep")
    assert expired and answered and resolved
    return path


def test_round_trip_sqlite_postgresql_sqlite_keeps_every_row_and_the_audit_chain(
    busy_sqlite: str, pg_url: str, tmp_path: Path
) -> None:
    back = str(tmp_path / "back.db")
    first = copy_database(busy_sqlite, pg_url, batch_rows=7)
    second = copy_database(pg_url, back, batch_rows=7)

    src, pg, sq = make_engine(busy_sqlite), make_engine(pg_url), make_engine(back)
    try:
        original = contents(src)
        assert original["score"] and original["event"] and original["notification"]
        assert original["contact_attempt"]
        assert {row[0] for row in original["meta"]} >= {"audit_head", "schema_version"}
        assert contents(pg) == original
        assert contents(sq) == original
        assert first.rows == second.rows == {name: len(rows) for name, rows in original.items()}
        assert first.audit is not None and first.audit.ok
        assert second.audit is not None and second.audit.ok
        assert first.audit.checked == len(original["event"])
        with sq.connect() as conn:
            assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
    finally:
        for engine in (src, pg, sq):
            engine.dispose()


def test_audit_verify_passes_on_both_copies_through_the_cli(
    busy_sqlite: str, pg_url: str, tmp_path: Path
) -> None:
    back = str(tmp_path / "back.db")
    to_pg = copy_cli(busy_sqlite, pg_url)
    assert to_pg.exit_code == 0, to_pg.stderr
    assert "audit chain verified on the copy" in to_pg.stdout
    assert "score: 721 rows" in to_pg.stdout
    assert copy_cli(pg_url, back).exit_code == 0
    for db in (pg_url, back):
        result = CliRunner().invoke(app, ["--db", db, "audit", "verify"], obj=CliState(db=db))
        assert result.exit_code == 0, result.stderr
        assert "intact" in result.stdout


def test_postgresql_sequences_continue_after_the_copied_ids(
    busy_sqlite: str, pg_url: str, clock: FakeClock
) -> None:
    copy_database(busy_sqlite, pg_url)
    pg = make_engine(pg_url)
    try:
        with pg.connect() as conn:
            top_account = conn.execute(text("SELECT max(id) FROM account")).scalar()
            top_case = conn.execute(text("SELECT max(id) FROM aha_case")).scalar()
        new_account = seed_account(pg, "S9", scores={AS_OF: 500})
        assert new_account == top_account + 1
    finally:
        pg.dispose()
    cli = Cli(db=pg_url, clock=clock, runner=CliRunner())
    opened = cli("case", "open", "S9", "--store", "US", "--policy", "reviews")
    assert opened.exit_code == 0, opened.stderr
    assert int(opened.stdout) == top_case + 1
    verify = cli("audit", "verify")
    assert verify.exit_code == 0, verify.stderr


def test_rows_stream_in_batches_not_all_at_once(busy_sqlite: str, tmp_path: Path) -> None:
    seen: dict[str, list[int]] = {}
    copy_database(
        busy_sqlite, str(tmp_path / "copy.db"), batch_rows=100,
        progress=lambda table, rows: seen.setdefault(table, []).append(rows),
    )
    assert seen["score"] == [*range(100, 701, 100), 721]


def test_an_initialised_target_is_refused_and_left_as_it_was(
    busy_sqlite: str, pg_url: str, clock: FakeClock, me: Actor
) -> None:
    target = make_engine(pg_url, create=True)
    init_database(target, actor=me, now=clock())
    before = contents(target)
    line = refused(copy_cli(busy_sqlite, pg_url), "not empty", "nothing was written")
    assert "postgresql" in line
    assert contents(target) == before
    target.dispose()


def test_a_sqlite_target_with_any_table_is_refused_byte_for_byte(
    busy_sqlite: str, tmp_path: Path
) -> None:
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE notes (x TEXT)")
        conn.execute("INSERT INTO notes VALUES ('keep me')")
    conn.close()
    before = path.read_bytes()
    refused(copy_cli(busy_sqlite, str(path)), "not empty")
    assert path.read_bytes() == before


def test_a_missing_source_is_refused_and_no_target_is_created(tmp_path: Path) -> None:
    target = tmp_path / "copy.db"
    said = refused(copy_cli(str(tmp_path / "nope.db"), str(target)), "no database to copy at",
                   "nope.db", "--from names the database to copy")
    assert "init" not in said  # not the advice to create the source
    assert not target.exists()


def test_a_source_that_is_not_an_ahr_database_is_refused(tmp_path: Path, pg_url: str) -> None:
    foreign = tmp_path / "foreign.db"
    with sqlite3.connect(foreign) as conn:
        conn.execute("CREATE TABLE t (x)")
    conn.close()
    refused(copy_cli(str(foreign), pg_url), "not an ahr database")
    empty_pg = make_engine(pg_url)
    try:
        assert inspect(empty_pg).get_table_names() == []
        with pytest.raises(DatabaseProblem, match="no ahr tables"):
            copy_database(pg_url, str(tmp_path / "x.db"))
    finally:
        empty_pg.dispose()
    assert not (tmp_path / "x.db").exists()


def test_copying_a_database_onto_itself_is_refused(busy_sqlite: str) -> None:
    with pytest.raises(InvalidInput, match="same database"):
        copy_database(busy_sqlite, busy_sqlite)


def test_a_copy_that_fails_halfway_leaves_no_table_behind(
    busy_sqlite: str, pg_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_write = copy_module._write

    def failing_write(conn: Any, table: Any, batches: Any, progress: Any) -> int:
        if table.name == "event":
            raise RuntimeError("disk on fire")
        return real_write(conn, table, batches, progress)

    monkeypatch.setattr(copy_module, "_write", failing_write)
    for target in (pg_url, str(tmp_path / "half.db")):
        with pytest.raises(RuntimeError, match="disk on fire"):
            copy_database(busy_sqlite, target)
    assert not (tmp_path / "half.db").exists()
    pg = make_engine(pg_url)
    try:
        assert inspect(pg).get_table_names() == []
    finally:
        pg.dispose()


def test_the_copy_is_a_working_database_for_every_reader(
    busy_sqlite: str, pg_url: str, clock: FakeClock
) -> None:
    copy_database(busy_sqlite, pg_url)
    original = Cli(db=busy_sqlite, clock=clock, runner=CliRunner())
    copied = Cli(db=pg_url, clock=clock, runner=CliRunner())
    for args in (("cases", "--json"), ("eligibility", "--json"), ("audit", "log", "--json")):
        a, b = original(*args), copied(*args)
        assert a.exit_code == b.exit_code == 0, (args, a.stderr, b.stderr)
        assert json.loads(a.stdout) == json.loads(b.stdout), args
    with transaction(make_engine(pg_url)) as session:
        names = {a.name for a in session.execute(select(Account)).scalars()}
    assert "Zürich «Ünïcode» [b]x[/b]" in names


def test_a_postgresql_schema_that_does_not_exist_is_one_sentence(busy_sqlite: str) -> None:
    from tests.conftest import PG_BASE

    url = f"{PG_BASE}?options=-csearch_path%3Dno_such_schema_for_ahr"
    refused(copy_cli(busy_sqlite, url), "schema that does not exist", "nothing was written")


def test_the_postgresql_window_trigger_is_off_while_scores_load_and_on_in_the_copy(
    busy_sqlite: str, pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    trigger = ("SELECT string_agg(tgenabled::text, '' ORDER BY tgname) FROM pg_trigger "
               "WHERE tgname IN ('ahr_window_insert', 'ahr_score_account_insert', "
               "'ahr_event_account_insert', 'ahr_notification_account_insert') "
               "AND tgrelid = ANY (ARRAY['score'::regclass, 'event'::regclass, "
               "'notification'::regclass])")
    seen: dict[str, str] = {}
    write = copy_module._write

    def spy(conn: Any, table: Any, batches: Any, progress: Any) -> int:
        seen[table.name] = conn.execute(text(trigger)).scalar()
        return write(conn, table, batches, progress)

    monkeypatch.setattr(copy_module, "_write", spy)
    copy_database(busy_sqlite, pg_url)
    # disabled: no trigger event queued per copied row, no check of each batch
    assert seen["score"] == seen["event"] == seen["notification"] == "DDDD"
    pg = make_engine(pg_url)
    try:
        with pg.begin() as conn:
            # on again, as ahr init leaves them
            assert conn.execute(text(trigger)).scalar() == "OOOO"
            assert conn.execute(text("SELECT count(*) FROM window_dirty")).scalar() == 0
            as_of = conn.execute(text("SELECT as_of FROM window_state")).scalar()
            s5 = conn.execute(text("SELECT id FROM account WHERE seller_id = 'S5'")).scalar()
            conn.execute(text("INSERT INTO score (account_id, day, score) VALUES (:a, :d, 100)"),
                         {"a": s5, "d": as_of - timedelta(days=3)})
            assert conn.execute(text("SELECT account_id FROM window_dirty")).scalars().all() == [s5]
    finally:
        pg.dispose()


#: A row naming account 99999, or case 99999, neither of which exists, for each table and key
#: the PostgreSQL copy checks at the end: (table, row) each.
ORPHANS = {
    "score": ("score", "INSERT INTO score (account_id, day, score) "
                       "VALUES (99999, '2026-01-01', 1)"),
    "event": ("event", "INSERT INTO event (at, recorded_at, actor, account_id, action, "
                       "prev_hash, hash) VALUES ('2026-01-01 00:00:00', '2026-01-01 00:00:00', "
                       "'x', 99999, 'note', '', '')"),
    "notification": ("notification", "INSERT INTO notification (account_id, kind, created_at, "
                                     "subject, body, state, attempts) VALUES (99999, 'enrolled', "
                                     "'2026-01-01 00:00:00', '', '', 'sent', 0)"),
    "event case": ("event", "INSERT INTO event (at, recorded_at, actor, case_id, action, "
                            "prev_hash, hash) VALUES ('2026-01-01 00:00:00', "
                            "'2026-01-01 00:00:00', 'x', 99999, 'note', '', '')"),
    "notification case": ("notification", "INSERT INTO notification (account_id, case_id, "
                                          "kind, created_at, subject, body, state, attempts) "
                                          "SELECT min(id), 99999, 'warning', "
                                          "'2026-01-01 00:00:00', '', '', 'sent', 0 "
                                          "FROM account"),
}


@pytest.mark.parametrize("orphan", list(ORPHANS))
def test_a_source_with_a_row_for_a_missing_account_or_case_is_refused_and_nothing_is_written(
    busy_sqlite: str, pg_url: str, tmp_path: Path, orphan: str
) -> None:
    """The PostgreSQL copy loads scores, events and notifications with the account and case
    checks off and checks every row in one join a table and key at the end
    (``store.account_keys.check_all``): a row SQLite let in with its foreign keys off is found
    there."""
    table, row = ORPHANS[orphan]
    broken = tmp_path / "orphan.db"
    broken.write_bytes(Path(busy_sqlite).read_bytes())
    with sqlite3.connect(broken) as db:
        db.execute("PRAGMA foreign_keys = OFF")
        db.execute(row)
    said = refused(copy_cli(str(broken), pg_url), "99999", table, "nothing was written")
    assert ("no case" in said) == orphan.endswith("case")
    pg = make_engine(pg_url)
    try:
        assert inspect(pg).get_table_names() == []
    finally:
        pg.dispose()


def _layout(url: str) -> tuple[list[str], list[str]]:
    """The indexes and the constraints of a PostgreSQL schema, as their definitions."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            indexes = conn.execute(text(
                "SELECT indexname || ': ' || regexp_replace(indexdef, ' ON \\S+ ', ' ON ') "
                "FROM pg_indexes WHERE schemaname = current_schema() ORDER BY 1")).scalars()
            constraints = conn.execute(text(
                "SELECT conrelid::regclass::text || ' ' || conname || ': ' "
                "|| pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE connamespace = current_schema()::regnamespace ORDER BY 1")).scalars()
            return list(indexes), list(constraints)
    finally:
        engine.dispose()


def test_a_postgresql_copy_has_the_keys_and_indexes_of_ahr_init_and_all_visible_pages(
    busy_sqlite: str, pg_url: str, clock: FakeClock, me: Actor
) -> None:
    """The foreign keys and plain indexes are dropped for the load and made again afterwards
    (as pg_restore does): the copy ends with exactly those of a database ``ahr init`` made. Its
    rows are loaded frozen (``COPY ... FREEZE``), so every page is all-visible at once (index-
    only scans need no VACUUM), and ``account`` keeps half of each page free."""
    from tests.conftest import fresh_pg_schema

    copy_database(busy_sqlite, pg_url)
    with fresh_pg_schema() as fresh:
        made = make_engine(fresh, create=True)
        try:
            init_database(made, actor=me, now=clock())
        finally:
            made.dispose()
        assert _layout(pg_url) == _layout(fresh)
    indexes, constraints = _layout(pg_url)
    assert any("FOREIGN KEY (account_id) REFERENCES account(id)" in c for c in constraints)
    assert any(i.startswith("ix_account_seller_search: ") for i in indexes)
    pg = make_engine(pg_url)
    try:
        with pg.connect() as conn:
            pages = conn.execute(text(
                "SELECT relname, relpages, relallvisible, reloptions FROM pg_class "
                "WHERE relnamespace = current_schema()::regnamespace AND relkind = 'r' "
                "AND relname IN ('account', 'score', 'event', 'aha_case')")).all()
    finally:
        pg.dispose()
    assert len(pages) == 4
    assert all(relpages > 0 and allvisible == relpages for _, relpages, allvisible, _ in pages)
    assert {name: options for name, _, _, options in pages}["account"] == ["fillfactor=50"]
