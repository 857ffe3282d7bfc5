"""``ahr import scores`` as a real process: killed mid-import, and on a real terminal.

Both use their own SQLite file whatever ``--backend`` says: the kill test is about SQLite's
rollback on a dead writer, the terminal test about what reaches the screen.
"""

from __future__ import annotations

import os
import pty
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import closing, suppress
from datetime import date, timedelta
from pathlib import Path

from ahr_tui.service.admin import init_database
from ahr_tui.service.imports import import_scores, import_sellers
from ahr_tui.store.actor import Actor
from ahr_tui.store.engine import make_engine
from tests.conftest import T0
from tests.test_import_common import write

AHR = [sys.executable, "-m", "ahr_tui"]
DEADLINE_S = 120.0


def database_with_sellers(folder: Path, me: Actor, sellers: int) -> Path:
    db = folder / "ahr.db"
    engine = make_engine(str(db), create=True)
    init_database(engine, actor=me, now=T0)
    body = "".join(
        f"K{i:05d},US,Seller {i},professional,+1 415 555 2671,\n" for i in range(sellers)
    )
    path = write(folder, "sellers.csv", "seller_id,store,name,plan,emergency_phone,email\n" + body)
    assert import_sellers(engine, path, actor=me, now=T0).new == sellers
    earlier = write(
        folder,
        "earlier.csv",
        "seller_id,store,date,score\nK00000,US,2020-01-01,250\nK00001,US,2020-01-01,251\n",
    )
    assert import_scores(engine, earlier, actor=me, now=T0).new == 2
    engine.dispose()
    return db


def score_rows(db: Path) -> list[tuple[int, str, int]]:
    with closing(sqlite3.connect(db)) as conn:
        return conn.execute("SELECT account_id, day, score FROM score ORDER BY 1, 2").fetchall()


def wal_size(db: Path) -> int:
    wal = db.with_name(db.name + "-wal")
    return wal.stat().st_size if wal.exists() else 0


def test_a_killed_import_leaves_the_database_exactly_as_it_was(tmp_path, me):
    db = database_with_sellers(tmp_path, me, sellers=200)
    body = "".join(
        f"K{s:05d},US,{_day(d)},{(s + d) % 1001}\n" for s in range(200) for d in range(2000)
    )
    big = write(tmp_path, "big.csv", "seller_id,store,date,score\n" + body)
    before = score_rows(db)
    assert wal_size(db) == 0
    proc = subprocess.Popen(
        [*AHR, "--db", str(db), "import", "scores", str(big), "--quiet"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    started = time.monotonic()
    # the rows are staged in a temporary table, then written to the database in key order
    # (400,000 rows: about 10 MB of pages, more than SQLite's page cache, so they reach the
    # write-ahead log while the statement runs): kill once they are going in, before the commit
    while wal_size(db) == 0:
        assert proc.poll() is None, "the import finished before it could be killed"
        assert time.monotonic() - started < DEADLINE_S
        with suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=0.005)  # a bounded poll interval, not a sleep the test relies on
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL
    assert wal_size(db) > 0, "the import was killed before it wrote anything"
    with closing(sqlite3.connect(db)) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        # only the import that set up the test is in the audit log
        assert conn.execute(
            "SELECT count(*) FROM event WHERE action = 'import_scores'"
        ).fetchone() == (1,)
    assert score_rows(db) == before
    engine = make_engine(str(db))  # and the next writer gets on with it
    assert import_scores(engine, tmp_path / "earlier.csv", actor=me, now=T0).unchanged == 2
    engine.dispose()


def _day(index: int) -> str:
    return (date(2021, 1, 1) + timedelta(days=index)).isoformat()


def run_in_terminal(cmd: list[str]) -> str:
    """Run ``cmd`` with a pseudo-terminal as stdin/stdout/stderr; everything it wrote."""
    main, child = pty.openpty()
    env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": "120", "LINES": "40"}
    proc = subprocess.Popen(cmd, stdin=child, stdout=child, stderr=child, env=env, close_fds=True)
    os.close(child)
    chunks: list[bytes] = []
    while True:
        try:
            data = os.read(main, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    os.close(main)
    assert proc.wait(timeout=DEADLINE_S) == 0
    return b"".join(chunks).decode(errors="replace")


def test_a_terminal_shows_a_progress_bar_with_rows_per_second_unless_quiet(tmp_path, me):
    db = database_with_sellers(tmp_path, me, sellers=20)
    body = "".join(f"K{s:05d},US,{_day(d)},{d % 1001}\n" for s in range(20) for d in range(100))
    path = write(tmp_path, "scores.csv", "seller_id,store,date,score\n" + body)
    shown = run_in_terminal([*AHR, "--db", str(db), "import", "scores", str(path)])
    assert "rows/s" in shown
    assert f"{path}: 2000 new, 0 updated, 0 unchanged, 0 rejected" in shown
    quiet = run_in_terminal([*AHR, "--db", str(db), "import", "scores", str(path), "--quiet"])
    assert "rows/s" not in quiet
    assert (
        quiet.strip() == f"{path}: 0 new, 0 updated, 2000 unchanged, 0 rejected (nothing changed)"
    )
