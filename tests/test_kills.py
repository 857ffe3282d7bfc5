"""``kill -9`` during a sweep, a case action and an import: all of the work or none of it survives.

Each kill stops a real process at a chosen point with a test-only hook installed in the child
(nothing in the product sleeps or waits for tests): at the N-th SQL statement, at the N-th batch
of an import, just before COMMIT, and just after it. The parent waits for the child to report
that it reached the point, then sends SIGKILL. A few more kills hit freshly exec'd ``ahr``
processes at whatever moment they are at once they have started writing (on SQLite it has
written pages, per /proc/PID/io; on PostgreSQL its backend holds a transaction id). After every
kill the database opens, passes ``PRAGMA integrity_check`` (SQLite) and ``ahr audit verify``, and
holds exactly the state from before the command, or (killed after COMMIT) exactly the state the
finished command leaves.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine

from ahr_tui.rules import PolicyArea
from ahr_tui.service import cases
from tests.conftest import T0, full_window, seed_account
from tests.processes import AHR, fork_ahr

#: Kills run, per operation, added up by the tests (reported in the closing note).
KILLS: dict[str, int] = {}

SWEEP_NOW = (T0 + timedelta(days=4)).strftime("%Y-%m-%dT%H:%M:%SZ")


# --- the hooks, installed in the forked child -----------------------------------------------


def _reached(report_w: int, count: int) -> None:
    """Tell the parent where we are, then freeze (SIGSTOP cannot be caught or ignored, and
    stops every thread) until the parent's SIGKILL."""
    os.write(report_w, f"{count}\n".encode())
    while True:
        os.kill(os.getpid(), signal.SIGSTOP)


def _stop_at_statement(
    report_w: int, nth: int | None, *, after_commit: bool = False
) -> Callable[[], None]:
    """Stop at the ``nth`` SQL statement, or before COMMIT (``nth`` None), or after COMMIT."""

    def install() -> None:
        from sqlalchemy import event
        from sqlalchemy.engine import Engine as EngineClass
        from sqlmodel import Session

        seen = [0]

        def on_statement(*_: Any) -> None:
            seen[0] += 1
            if seen[0] == nth:
                _reached(report_w, seen[0])

        def on_commit(conn: Any) -> None:
            if (
                nth is None
                and not after_commit
                and conn.get_execution_options().get("ahr_write", True)
            ):
                _reached(report_w, seen[0])

        def on_after_commit(session: Any) -> None:
            if after_commit and session.get_bind().get_execution_options().get("ahr_write", False):
                _reached(report_w, seen[0])

        event.listen(EngineClass, "before_cursor_execute", on_statement)
        event.listen(EngineClass, "commit", on_commit)
        event.listen(Session, "after_commit", on_after_commit)

    return install


def _stop_at_batch(report_w: int, nth: int) -> Callable[[], None]:
    """Import scores in batches of 500 rows, staged two at a time (the writer then moves them
    into ``score``), and stop once the ``nth`` batch is written."""

    def install() -> None:
        from ahr_tui.importers import scores
        from ahr_tui.store import bulk

        bulk.STAGE_ROWS = 1_000
        original_batches = scores.ScoreReader.batches
        scores.ScoreReader.batches = lambda self, size=500: original_batches(self, 500)  # type: ignore[method-assign]
        original_writer = bulk.score_writer

        def writer(session: Any) -> Any:
            inner = original_writer(session)
            written = [0]
            real_write = inner.write

            def write(rows: Any) -> None:
                real_write(rows)
                written[0] += 1
                if written[0] == nth:
                    _reached(report_w, written[0])

            inner.write = write  # type: ignore[method-assign]
            return inner

        bulk.score_writer = writer

    return install


# --- running and checking --------------------------------------------------------------------


def _kill_at(argv: list[str], workdir: Path, make_hook: Callable[[int], Callable[[], None]]) -> int:
    """Fork ``ahr ARGV`` with the hook, kill -9 it where the hook stops it; return the count."""
    report_r, report_w = os.pipe()
    try:
        child = fork_ahr(argv, workdir=workdir, before=make_hook(report_w))
        os.close(report_w)
        line = b""
        while not line.endswith(b"\n"):
            chunk = os.read(report_r, 64)
            if not chunk:  # the child finished without reaching the point
                done = child.wait()
                raise AssertionError(f"the hook point was never reached: {done}")
            line += chunk
        done = child.kill()
    finally:
        os.close(report_r)
        if not _closed(report_w):
            os.close(report_w)
    assert done.code == -signal.SIGKILL, done
    assert line.count(b"\n") == 1, line  # it stopped at the first point it reached
    return int(line)


def _closed(fd: int) -> bool:
    try:
        os.fstat(fd)
    except OSError:
        return True
    return False


def _healthy(cli, db_url: str, backend: str) -> None:
    """The database opens, is intact and its audit chain verifies."""
    if backend == "sqlite":
        conn = sqlite3.connect(db_url)
        try:
            assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        finally:
            conn.close()
    result = cli("audit", "verify")
    assert result.exit_code == 0, result.output


def _projection(engine: Engine, queries: dict[str, str]) -> dict[str, Any]:
    with engine.connect() as conn:
        return {name: conn.execute(text(q)).all() for name, q in queries.items()}


def _kill_series(
    label: str,
    cli,
    engine: Engine,
    db_url: str,
    backend: str,
    tmp_path: Path,
    argv: list[str],
    queries: dict[str, str],
    finish: Callable[[], None],
    hooks: Callable[[int], list[Callable[[int], Callable[[], None]]]] | None = None,
) -> None:
    """Kill before COMMIT (learning the statement count), at statements through the work, then
    after COMMIT; check nothing / everything survived each time."""
    full_argv = ["--db", db_url, *argv]
    before = _projection(engine, queries)
    statements = _kill_at(full_argv, tmp_path, lambda w: _stop_at_statement(w, None))
    kills = 1
    _healthy(cli, db_url, backend)
    assert _projection(engine, queries) == before
    points = sorted({2, statements // 4, statements // 2, (3 * statements) // 4, statements} - {0})
    extra = (
        hooks(statements) if hooks else [lambda w, n=n: _stop_at_statement(w, n) for n in points]
    )
    for make_hook in extra:
        _kill_at(full_argv, tmp_path, make_hook)
        kills += 1
        _healthy(cli, db_url, backend)
        assert _projection(engine, queries) == before, "a kill before COMMIT left part of the work"
    _kill_at(full_argv, tmp_path, lambda w: _stop_at_statement(w, None, after_commit=True))
    kills += 1
    _healthy(cli, db_url, backend)
    committed = _projection(engine, queries)
    assert committed != before, "the work committed before the kill is there"
    finish()  # run the command to completion: it must find nothing left to do
    assert _projection(engine, queries) == committed
    KILLS[label] = KILLS.get(label, 0) + kills


def test_kill_during_a_sweep_leaves_all_or_none(cli, engine, db_url, backend, me, tmp_path):
    as_of = (T0 + timedelta(days=3)).date()
    for i in range(12):
        seed_account(engine, f"K{i}")
        cases.open_case(
            engine,
            seller_id=f"K{i}",
            store="US",
            policy=PolicyArea.REVIEWS,
            at=T0,
            summary="due",
            actor=me,
            now=T0,
        )
    for i in range(6):
        seed_account(engine, f"E{i}", enrollment="not_enrolled", scores=full_window(as_of))
    queries = {
        "cases": "SELECT id, status, version FROM aha_case ORDER BY id",
        "accounts": "SELECT id, enrollment, version FROM account ORDER BY id",
        "events": "SELECT count(*) FROM event",
        "notifications": "SELECT count(*), kind FROM notification GROUP BY kind ORDER BY kind",
    }

    def finish() -> None:
        assert cli("sweep", "--now", SWEEP_NOW).exit_code == 0

    _kill_series(
        "sweep",
        cli,
        engine,
        db_url,
        backend,
        tmp_path,
        ["sweep", "--now", SWEEP_NOW],
        queries,
        finish,
    )
    with engine.connect() as conn:
        assert (
            conn.execute(text("SELECT count(*) FROM aha_case WHERE status = 'expired'")).scalar()
            == 12
        )


def test_kill_during_a_case_action_leaves_all_or_none(cli, engine, db_url, backend, me, tmp_path):
    seed_account(engine, "F1")
    ids = [
        cases.open_case(
            engine, seller_id="F1", store="US", policy=policy, at=T0, summary="x", actor=me, now=T0
        ).id
        for policy in (
            PolicyArea.REVIEWS,
            PolicyArea.OTHER,
            PolicyArea.CONDITION,
            PolicyArea.REGULATORY,
        )
    ]
    queries = {
        "cases": "SELECT id, status, version, outcome_note FROM aha_case ORDER BY id",
        "accounts": "SELECT id, status, enrollment, version FROM account ORDER BY id",
        "events": "SELECT count(*) FROM event",
        "notifications": "SELECT count(*) FROM notification",
    }
    at = (T0 + timedelta(hours=5)).strftime("%Y-%m-%dT%H:%M:%SZ")
    argv = [
        "case",
        "fraud",
        str(ids[0]),
        "--at",
        at,
        "--evidence",
        "counterfeit invoices",
        "--expect-version",
        "1",
    ]

    def finish() -> None:  # the fraud finding is in: doing it again is refused, nothing changes
        assert cli(*argv).exit_code in (1, 3)

    _kill_series("case action", cli, engine, db_url, backend, tmp_path, argv, queries, finish)
    with engine.connect() as conn:
        statuses = conn.execute(text("SELECT status FROM aha_case ORDER BY id")).scalars().all()
    assert statuses == ["fraud", "superseded", "superseded", "superseded"]


def _scores_csv(
    path: Path, sellers: int, days: int, score: int, first: date = date(2020, 1, 1)
) -> Path:
    with path.open("w") as fh:
        fh.write("seller_id,store,date,score\n")
        for s in range(sellers):
            for d in range(days):
                fh.write(f"I{s},US,{(first + timedelta(days=d)).isoformat()},{score}\n")
    return path


def test_kill_during_an_import_leaves_all_or_none(cli, engine, db_url, backend, tmp_path):
    for s in range(25):
        seed_account(engine, f"I{s}")
    assert (
        cli("import", "scores", str(_scores_csv(tmp_path / "old.csv", 25, 50, 100))).exit_code == 0
    )
    new_file = _scores_csv(tmp_path / "new.csv", 25, 200, 700)  # 5,000 rows: 10 batches of 500
    queries = {
        "scores": "SELECT count(*), sum(score) FROM score",
        "events": "SELECT count(*) FROM event",
    }
    before = _projection(engine, queries)
    assert before["scores"] == [(1250, 125000)]

    def finish() -> None:
        assert cli("import", "scores", str(new_file)).exit_code == 0

    def batch_hooks(_: int) -> list[Callable[[int], Callable[[], None]]]:
        return [lambda w, n=n: _stop_at_batch(w, n) for n in (1, 4, 7, 10)]

    _kill_series(
        "import",
        cli,
        engine,
        db_url,
        backend,
        tmp_path,
        ["import", "scores", str(new_file)],
        queries,
        finish,
        hooks=batch_hooks,
    )
    assert _projection(engine, queries)["scores"] == [(5000, 3_500_000)]


# --- freshly exec'd processes, killed once they have started writing -----------------------


def _writing(pid: int, probe: Engine | None, app_name: str) -> bool:
    """Has the child started writing? SQLite: it has written pages (``/proc/PID/io``; the -wal
    file's size says nothing once a previous run has grown it). PostgreSQL: it holds a txid."""
    if probe is None:
        try:
            io = Path(f"/proc/{pid}/io").read_text()
        except OSError:
            return False
        written = dict(line.split(": ") for line in io.splitlines())
        return int(written["wchar"]) > 64 * 1024
    with probe.connect() as conn:
        query = (
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = :a "
            "AND backend_xid IS NOT NULL"
        )
        return bool(conn.execute(text(query), {"a": app_name}).scalar())


def test_kill_an_exec_d_import_once_it_writes(cli, engine, db_url, backend, tmp_path):
    """A real ``ahr import scores`` of 60,000 rows, killed at three moments while it writes.

    Each round imports days no earlier round touched, so every round has the full write to do
    (a round that re-imported scores an earlier round had committed would write nothing, finish
    and never be killed). The write takes about 150 ms of a 0.8 s run on an idle machine, so the
    kills land 0, 2 and 5 polls (10 ms apart) after the first written pages."""
    for s in range(100):
        seed_account(engine, f"I{s}")
    queries = {"scores": "SELECT count(*) FROM score", "events": "SELECT count(*) FROM event"}
    app_name = f"ahrkill{os.getpid()}"
    target = db_url if backend == "sqlite" else f"{db_url}&application_name={app_name}"
    probe = None if backend == "sqlite" else create_engine(db_url.split("?")[0])
    outcomes = []
    for round_, delay_polls in enumerate((0, 2, 5)):
        first = date(2020, 1, 1) + timedelta(days=600 * round_)
        big = _scores_csv(tmp_path / f"big{round_}.csv", 100, 600, 500, first)
        before = _projection(engine, queries)
        proc = subprocess.Popen(
            [AHR, "--db", target, "import", "scores", "--quiet", str(big)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        polls = 0
        started = time.monotonic()
        deadline = time.monotonic() + 60
        while proc.poll() is None and time.monotonic() < deadline:
            if _writing(proc.pid, probe, app_name):
                polls += 1
                if polls > delay_polls:
                    break
            time.sleep(0.01)  # polling a child's progress, not waiting for a deadline
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        outcomes.append((proc.returncode, polls, round(time.monotonic() - started, 2)))
        _healthy(cli, db_url, backend)
        after = _projection(engine, queries)
        (imported,) = before["scores"][0]
        assert after == before or after["scores"] == [(imported + 60_000,)], (before, after)
    if probe is not None:
        probe.dispose()
    KILLS["import (exec'd, mid-write)"] = len(outcomes)
    assert [o[0] for o in outcomes].count(-signal.SIGKILL) >= 2, (
        outcomes
    )  # most kills land while it writes
    print(f"kills run: {KILLS}; exec'd kills (exit, polls, seconds): {outcomes}")
