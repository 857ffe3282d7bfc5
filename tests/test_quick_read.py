"""``store.quick`` (via ``service.snapshots.quick_snapshot``): the TUI's first snapshot of an
SQLite file, read with the standard library.

It must say exactly what the engine's path says: the same cases in the same order with the same
values, the same change marker and role, and the same sentences for a database it refuses.
These tests use an SQLite file whatever ``--backend`` says: the quick path exists only for files.
"""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import text

from ahr_tui.errors import DatabaseProblem
from ahr_tui.rules import PolicyArea
from ahr_tui.service.access import role_of
from ahr_tui.service.admin import init_database
from ahr_tui.service.cases import open_case
from ahr_tui.service.snapshots import quick_snapshot
from ahr_tui.service.views import list_cases
from ahr_tui.store import quick
from ahr_tui.store.actor import Actor
from ahr_tui.store.engine import make_engine, transaction
from ahr_tui.store.queries import change_marker
from ahr_tui.store.recognise import SCHEMA_VERSION
from ahr_tui.store.schema import check_schema
from tests.conftest import FakeClock, seed_account
from tests.tui.conftest import seed_cases

SAMPLE = Path(__file__).resolve().parent.parent / "sample.db"


@pytest.fixture
def seeded_file(tmp_path: Path, clock: FakeClock, me: Actor) -> Path:
    path = tmp_path / "seeded.db"
    engine = make_engine(str(path), create=True)
    init_database(engine, actor=me, now=clock())
    seed_cases(engine, clock)
    engine.dispose()
    return path


def engine_read(path: Path, operator: str) -> tuple[object, ...]:
    engine = make_engine(str(path))
    try:
        with transaction(engine) as session:
            return list_cases(session), change_marker(session), role_of(session, operator)
    finally:
        engine.dispose()


def quick_read(path: Path, operator: str) -> tuple[object, ...] | None:
    """The quick path's snapshot as the same triple (None when the driver failed)."""
    snap = quick_snapshot(path, operator)
    return None if snap is None else (snap.cases, snap.marker, snap.role)


@pytest.mark.parametrize("operator", ["alice", "tom", "nobody"])
def test_the_quick_read_equals_the_engines_read(seeded_file: Path, operator: str) -> None:
    read = quick_read(seeded_file, operator)
    assert read is not None
    assert read == engine_read(seeded_file, operator)
    cases = read[0]
    assert cases and all(c.deadline.tzinfo is not None for c in cases)


def test_the_quick_read_of_the_bundled_sample_equals_the_engines_read(tmp_path: Path) -> None:
    path = tmp_path / "sample.db"
    shutil.copy(SAMPLE, path)
    read = quick_read(path, "lead")
    assert read is not None and len(read[0]) > 20
    assert read == engine_read(path, "lead")


def test_the_quick_read_says_whether_there_is_any_account_as_the_engine_does(
    tmp_path: Path, seeded_file: Path, clock: FakeClock, me: Actor
) -> None:
    """A new database's lists say how to import (``wording.NO_ACCOUNTS_YET``): both paths
    tell the app whether it has any account."""
    from ahr_tui.service.snapshots import load_snapshot

    empty = tmp_path / "new.db"
    engine = make_engine(str(empty), create=True)
    init_database(engine, actor=me, now=clock())
    try:
        assert load_snapshot(engine, me.name).accounts is False
    finally:
        engine.dispose()
    snap = quick_snapshot(empty, me.name)
    assert snap is not None and snap.accounts is False and snap.cases == []
    snap = quick_snapshot(seeded_file, me.name)
    assert snap is not None and snap.accounts is True


def _newer(path: Path) -> None:
    with sqlite3.connect(path) as con:
        con.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'",
                    (str(SCHEMA_VERSION + 1),))


def _foreign(path: Path) -> None:
    path.unlink()
    with sqlite3.connect(path) as con:
        con.execute("CREATE TABLE users (id INTEGER PRIMARY KEY)")


def _no_version(path: Path) -> None:
    with sqlite3.connect(path) as con:
        con.execute("DELETE FROM meta WHERE key = 'schema_version'")


@pytest.mark.parametrize("spoil", [_newer, _foreign, _no_version])
def test_the_quick_check_refuses_with_the_engines_sentence(seeded_file: Path, spoil) -> None:
    spoil(seeded_file)
    with pytest.raises(DatabaseProblem) as by_engine:
        check_schema(make_engine(str(seeded_file)))
    with pytest.raises(DatabaseProblem) as by_quick:
        quick.check(seeded_file)
    assert by_quick.value.message == by_engine.value.message


def test_the_quick_check_never_creates_a_file(tmp_path: Path) -> None:
    missing = tmp_path / "missing.db"
    with pytest.raises(DatabaseProblem, match="no database at"):
        quick.check(missing)
    assert not missing.exists()
    assert quick_read(missing, "alice") is None  # the driver's refusal, not a new file
    assert not missing.exists()


def test_a_driver_error_leaves_the_wording_to_the_engines_path(seeded_file: Path) -> None:
    data = seeded_file.read_bytes()
    seeded_file.write_bytes(data[:100] + b"\xff" * (len(data) - 100))  # header kept, pages not
    assert quick.check(seeded_file) is False
    assert quick_read(seeded_file, "alice") is None


def test_a_current_database_passes_and_urls_take_the_engines_path(seeded_file: Path) -> None:
    assert quick.check(seeded_file) is True
    assert quick.sqlite_file("postgresql://db.example/ahr") is None
    assert quick.sqlite_file("sqlite:///x.db") is None
    assert quick.sqlite_file(str(seeded_file)) == seeded_file


@pytest.mark.parametrize("name", ["a b.db", "a?b.db", "a#b.db", "a%20b.db", "a%b.db"])
def test_the_quick_path_and_the_engine_open_the_same_file_whatever_its_name(
    tmp_path: Path, me: Actor, clock: FakeClock, name: str
) -> None:
    path = tmp_path / name
    engine = make_engine(str(path), create=True)
    init_database(engine, actor=me, now=clock())
    engine.dispose()
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix == ".db") == [name]
    assert quick.check(path) is True
    assert quick_read(path, me.name) == engine_read(path, me.name)
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix == ".db") == [name]


def test_a_time_not_written_by_ahr_is_one_sentence_on_both_paths(seeded_file: Path) -> None:
    with sqlite3.connect(seeded_file) as con:
        con.execute("UPDATE aha_case SET deadline = 'not a time' WHERE id = 1")
    with pytest.raises(DatabaseProblem, match="'not a time' where a time belongs"):
        quick_read(seeded_file, "alice")
    with pytest.raises(DatabaseProblem, match="'not a time' where a time belongs"):
        engine_read(seeded_file, "alice")


def test_a_status_not_written_by_ahr_is_one_sentence_not_a_traceback(
    cli, engine, clock, me: Actor
) -> None:
    """On either backend: ``ahr case show`` says what it found and exits 1."""
    seed_account(engine, "S1", "US")
    case = open_case(
        engine, seller_id="S1", store="US", policy=PolicyArea.OTHER, at=clock(), summary="x",
        actor=me, now=clock(),
    )
    with transaction(engine, write=True) as session:
        session.execute(text("UPDATE aha_case SET status = 'limbo' WHERE id = :i"), {"i": case.id})
    result = cli("case", "show", str(case.id))
    assert result.exit_code == 1
    assert f"case {case.id} has status 'limbo', which ahr does not know" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
