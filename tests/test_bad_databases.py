"""Bad databases: one clear sentence, exit 1, and the file left exactly as it was.

SQLite: a missing file, a directory, a zero-byte file, random bytes, a truncated copy, another
application's database, a newer schema, and a read-only file for commands that write (run as a
non-root OS account, since root ignores file permissions). Every command family that reads or
writes is tried on each, and the file's bytes and mtime are compared before and after.
PostgreSQL (``--backend postgresql``): the counterparts that exist there: an empty schema,
another application's tables, a newer schema, a read-only session and an unreachable server.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from typer.testing import CliRunner

from ahr_tui.cli.common import CliState
from ahr_tui.cli.main import app
from ahr_tui.service.admin import init_database
from ahr_tui.store.actor import Actor
from ahr_tui.store.engine import make_engine
from ahr_tui.store.recognise import SCHEMA_VERSION
from tests.conftest import T0, FakeClock, seed_account
from tests.processes import Done, ensure_os_user, run_ahr, shared_dir

LOOK = [["cases", "--json"], ["case", "show", "1"], ["audit", "verify"], ["eligibility"]]
ACT = [["case", "open", "S1", "--store", "US", "--policy", "other"], ["sweep"],
       ["case", "note", "1", "--text", "x"]]


def _ahr(db: str, *args: str) -> Done:
    result = CliRunner().invoke(app, ["--db", db, *args], obj=CliState(db=db, clock=FakeClock()))
    return Done(result.exit_code, result.stdout, result.stderr)


def _fingerprint(path: Path) -> tuple[object, ...]:
    """What must not change: the bytes and mtime of the file, and what else is beside it."""
    siblings = sorted(p.name for p in path.parent.iterdir())
    if path.is_dir():
        return ("dir", sorted(p.name for p in path.iterdir()), path.stat().st_mtime_ns, siblings)
    if not path.exists():
        return ("missing", siblings)
    data = path.read_bytes()
    return (hashlib.sha256(data).hexdigest(), len(data), path.stat().st_mtime_ns, siblings)


def _refused(db: str, commands: list[list[str]], words: str) -> int:
    """Each command: exit 1, nothing on stdout, one sentence on stderr containing ``words``."""
    for argv in commands:
        result = _ahr(db, *argv)
        assert result.code == 1, (argv, result)
        assert result.out == "", (argv, result.out)
        message = result.err.strip()
        assert message.startswith("ahr: ") and "\n" not in message, (argv, result.err)
        assert "Traceback" not in result.err
        assert words in message, (argv, message)
    return len(commands)


def _real_db(path: Path, accounts: int = 300, lead: str = "root") -> None:
    engine = make_engine(str(path), create=True)
    init_database(engine, actor=Actor(lead), now=T0)
    for i in range(accounts):
        seed_account(engine, f"S{i}", name="x" * 200)
    engine.dispose()
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.execute("PRAGMA journal_mode=DELETE")  # everything in the one file, no -wal beside it
    conn.close()


# --- SQLite files ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "words"),
    [("missing", "no database at"), ("directory", "is a directory"), ("empty", "is empty"),
     ("random", "is not an SQLite database"), ("truncated", "corrupt"),
     ("other_app", "is not an ahr database"), ("newer", "newer ahr")],
)
def test_a_bad_sqlite_file_is_refused_untouched(backend, db_url, tmp_path, kind, words):
    if backend != "sqlite":
        _postgres_counterpart(db_url, kind)
        return
    path = tmp_path / "bad.db"
    if kind == "directory":
        path.mkdir()
        (path / "inside").write_text("x")
    elif kind == "empty":
        path.touch()
    elif kind == "random":
        path.write_bytes(os.urandom(64 * 1024))
    elif kind == "truncated":
        _real_db(path)
        data = path.read_bytes()
        path.write_bytes(data[: len(data) // 3])
    elif kind == "other_app":
        conn = sqlite3.connect(path)
        conn.execute("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT)")
        conn.execute("INSERT INTO users (name) VALUES ('alice')")
        conn.commit()
        conn.close()
    elif kind == "newer":
        _real_db(path, accounts=1)
        conn = sqlite3.connect(path)
        conn.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'",
                     (str(SCHEMA_VERSION + 1),))
        conn.commit()
        conn.close()
    before = _fingerprint(path)
    tried = _refused(str(path), LOOK + ACT, words)
    if kind not in ("missing", "empty"):  # init creates those two: that is what it is for
        tried += _refused(str(path), [["init"]], words)
    if kind != "truncated":  # the TUI refuses before it starts, with the same sentence
        tried += _refused(str(path), [["tui"]], words)
    assert _fingerprint(path) == before
    assert tried >= len(LOOK + ACT)


def test_init_makes_a_missing_or_empty_file_a_database(backend, db_url, tmp_path):
    target = tmp_path / "new.db" if backend == "sqlite" else None
    db = str(target) if target else db_url
    if target is not None:
        target.touch()
    assert _ahr(db, "init").code == 0
    assert _ahr(db, "cases").code == 0


# --- read-only: a command that writes, as an account that may not write -------------------------


def test_a_read_only_database_refuses_writes_untouched(backend, db_url):
    """Root ignores file modes, so the writer is a non-root OS account (``runuser``). A
    ``chattr +i`` immutable file would also stop root, but tmpfs and overlayfs (where test
    directories live in containers) do not support it, so it is not relied on."""
    if backend == "postgresql":
        _postgres_read_only(db_url)
        return
    ensure_os_user("ahrtest_viewer")
    with shared_dir() as folder:
        path = folder / "readonly.db"
        _real_db(path, accounts=2, lead="ahrtest_viewer")  # a lead: only the file says no
        path.chmod(0o644)  # root's file: others may read, not write
        folder.chmod(0o755)  # ...nor create -wal/-shm beside it
        before = _fingerprint(path)
        for argv in (["case", "open", "S1", "--store", "US", "--policy", "other"], ["sweep"],
                     ["init"]):
            result = run_ahr("--db", str(path), *argv, user="ahrtest_viewer")
            assert result.code == 1, (argv, result)
            message = result.err.strip()
            assert "\n" not in message and "Traceback" not in message, message
            assert "is read-only for you; nothing was written" in message, message
        assert _fingerprint(path) == before


# --- PostgreSQL counterparts --------------------------------------------------------------------


def _postgres_counterpart(db_url: str, kind: str) -> None:
    """The PostgreSQL version of a bad file, where there is one; its tables must not change."""
    engine = create_engine(db_url)
    try:
        with engine.begin() as conn:
            if kind in ("other_app", "random", "directory"):
                conn.execute(text("CREATE TABLE users (id serial PRIMARY KEY, name text)"))
                conn.execute(text("INSERT INTO users (name) VALUES ('alice')"))
            elif kind in ("newer", "truncated"):
                pass
        if kind in ("newer", "truncated"):
            real = make_engine(db_url, create=True)
            init_database(real, actor=Actor("root"), now=T0)
            real.dispose()
            with engine.begin() as conn:
                version = SCHEMA_VERSION + 1 if kind == "newer" else SCHEMA_VERSION
                conn.execute(text("UPDATE meta SET value = :v WHERE key = 'schema_version'"),
                             {"v": str(version)})
                if kind == "truncated":  # the nearest thing: a table gone missing
                    conn.execute(text("DROP TABLE aha_case CASCADE"))
        before = _pg_state(engine)
        words = {"missing": "no ahr tables", "empty": "no ahr tables", "other_app": "not an ahr",
                 "random": "not an ahr", "directory": "not an ahr", "newer": "newer ahr",
                 "truncated": ""}[kind]
        commands = LOOK + ACT if kind != "truncated" else [["cases"], *ACT[:1], ACT[2]]
        _refused(db_url, commands, words)
        if kind not in ("missing", "empty", "truncated"):
            _refused(db_url, [["init"]], words)
        assert _pg_state(engine) == before
    finally:
        engine.dispose()


def _pg_state(engine) -> list[tuple[object, ...]]:  # type: ignore[no-untyped-def]
    with engine.connect() as conn:
        tables = conn.execute(text(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"
            " ORDER BY table_name")).scalars().all()
        state: list[tuple[object, ...]] = [tuple(tables)]
        for table in tables:
            rows = conn.execute(text(f'SELECT * FROM "{table}"')).all()
            state.append((table, sorted(repr(tuple(r)) for r in rows)))
        return state


def _postgres_read_only(db_url: str) -> None:
    real = make_engine(db_url, create=True)
    init_database(real, actor=Actor("root"), now=T0)
    seed_account(real, "S1")
    before = _pg_state(real)
    read_only = db_url.replace("options=", "options=-cdefault_transaction_read_only%3Don%20")
    for argv in (["case", "open", "S1", "--store", "US", "--policy", "other"], ["sweep"]):
        result = _ahr(read_only, *argv)
        assert result.code == 1, (argv, result)
        assert result.err.strip().endswith("is read-only for you; nothing was written."), result.err
    assert _ahr(read_only, "cases").code == 0  # looking still works
    assert _pg_state(real) == before
    real.dispose()


def test_an_unreachable_server_is_one_sentence(backend):
    url = "postgresql+psycopg://postgres@127.0.0.1:1/nowhere?connect_timeout=2"
    for argv in (["cases"], ["sweep"]):
        result = _ahr(url, *argv)
        assert result.code == 1, result
        message = result.err.strip()
        assert message.startswith("ahr: cannot connect to") and "\n" not in message, message


@pytest.mark.parametrize(
    "error",
    [
        sqlite3.OperationalError("database is locked"),
        pytest.param("55P03", id="pg-lock-not-available"),
        pytest.param("40P01", id="pg-deadlock"),
        pytest.param("40001", id="pg-serialization-failure"),
    ],
)
def test_a_lock_held_elsewhere_is_said_as_busy_on_either_database(error):
    """SQLite says "database is locked"; PostgreSQL gives a lock timeout, a deadlock or a
    serialization failure by SQLSTATE, in words that never say "locked". All read as busy."""
    from psycopg import errors
    from sqlalchemy.exc import OperationalError

    from ahr_tui.store.engine import translate

    orig = error if isinstance(error, BaseException) else errors.lookup(error)("conflict")
    said = translate(OperationalError("SELECT 1", {}, orig), "the database")
    assert said.message == "the database is busy (another process holds a lock); try again."


def test_the_command_an_advice_names_runs_on_the_database_or_asks_for_it_again() -> None:
    """``command_on`` (in backquotes, in a sentence) and ``shell_command_on`` (the end of a
    pipe) quote a path for the shell; a URL whose password is hidden cannot be written out, so
    the command goes without ``--db`` and the sentence asks for the same one."""
    from ahr_tui.store.recognise import command_on, shell_command_on

    assert command_on("/tmp/a b.db", "init") == "`ahr --db '/tmp/a b.db' init`"
    assert shell_command_on("/tmp/a b.db", "import scores -") == (
        "ahr --db '/tmp/a b.db' import scores -")
    hidden = "postgresql+psycopg://ops:***@db.example.com/ahr"
    assert command_on(hidden, "init") == "`ahr init` with the same --db"
    assert shell_command_on(hidden, "import scores -") == "ahr import scores -"
