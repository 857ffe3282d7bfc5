"""``ahr demo``: right whatever happened to ``sample.db``, and nothing left behind when it ends.

The demo generates the bundled sample afresh and moves it to now (``sample.live.make_demo``), so
a ``sample.db`` that an app opened as a lead (expiring its cases as of today) or that a sweep ran
on cannot show in it. Its temporary folder goes when the app ends: after ``q``, on an error, and
on SIGTERM or SIGHUP (checked in real processes on a pseudo-terminal).
"""

from __future__ import annotations

import os
import pty
import shutil
import signal
import sqlite3
import struct
import termios
from collections.abc import Iterator
from datetime import UTC, datetime
from fcntl import ioctl
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ahr_tui.sample import generate, make_live_copy
from ahr_tui.sample.build import BUNDLED
from ahr_tui.sample.rows import from_db_instant
from ahr_tui.sample.timeline import REFERENCE
from ahr_tui.service.identity import os_user_name
from ahr_tui.service.sweep import expire_due
from ahr_tui.store.actor import Actor
from ahr_tui.store.engine import make_engine
from tests.conftest import Cli, FakeClock
from tests.processes import AHR, pty_exit_status, pty_read, pty_wait_for

NOW = datetime(2026, 11, 29, 14, 30, 5, tzinfo=UTC)
REPO_SAMPLE = Path(__file__).resolve().parents[1] / "sample.db"


def _cases(path: Path) -> dict[int, tuple[str, str | None]]:
    with sqlite3.connect(path) as conn:
        rows = conn.execute("SELECT id, status, deadline FROM aha_case ORDER BY id").fetchall()
    return {i: (status, deadline) for i, status, deadline in rows}


def _newest_event(path: Path) -> str:
    with sqlite3.connect(path) as conn:
        return str(conn.execute("SELECT max(at) FROM event").fetchone()[0])


@pytest.fixture(scope="module")
def pristine_live(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """What the demo must show at NOW: an untouched bundled sample, moved to NOW."""
    folder = tmp_path_factory.mktemp("pristine")
    generate(folder / "sample.db", **BUNDLED, actor=Actor(os_user_name()))
    make_live_copy(folder / "sample.db", folder / "live.db", now=NOW, actor=Actor(os_user_name()))
    return folder / "live.db"


def _spoiled_sample(tmp_path: Path) -> Path:
    """A copy of the bundled sample.db that an app opened as a lead today, then a far sweep."""
    spoiled = tmp_path / "spoiled" / "sample.db"
    spoiled.parent.mkdir()
    shutil.copy(REPO_SAMPLE, spoiled)
    engine = make_engine(str(spoiled))
    expire_due(engine, now=NOW, actor=Actor(os_user_name()))
    engine.dispose()
    cli = Cli(db=str(spoiled), clock=FakeClock(NOW), runner=CliRunner())
    swept = cli("sweep", "--now", "2031-01-01T00:00:00Z")
    assert swept.exit_code == 0, swept.stderr
    return spoiled


def test_the_demo_is_right_whatever_happened_to_sample_db(
    tmp_path: Path, pristine_live: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import ahr_tui.cli.data as data

    spoiled = _spoiled_sample(tmp_path)
    assert "open" not in {s for s, _ in _cases(spoiled).values()}  # every one expired
    # Were the demo to read a sample file, it would be this one.
    monkeypatch.setattr(data, "_sample_db", lambda: spoiled, raising=False)
    opened: list[str] = []
    commands: list[str] = []
    monkeypatch.setattr(data, "_run_tui", lambda st, command: (
        opened.append(st.db), commands.append(command)))
    monkeypatch.setattr(data, "_need_a_terminal", lambda command: None)  # as on a terminal
    kept = tmp_path / "kept.db"
    cli = Cli(db=str(tmp_path / "unused.db"), clock=FakeClock(NOW), runner=CliRunner())
    result = cli("demo", "--keep", str(kept))
    assert result.exit_code == 0, result.stderr
    assert opened == [str(kept)]
    assert len(commands) == 1 and commands[0].endswith(" demo")  # named in the refusals
    assert _cases(kept) == _cases(pristine_live)
    assert "open" in {s for s, _ in _cases(kept).values()}
    newest = from_db_instant(_newest_event(kept))
    assert newest is not None and newest <= NOW
    assert Cli(db=str(kept), clock=FakeClock(NOW), runner=CliRunner())(
        "audit", "verify").exit_code == 0


def test_the_demo_counts_down_from_now_as_the_sample_did_from_its_reference(
    pristine_live: Path,
) -> None:
    with sqlite3.connect(REPO_SAMPLE) as conn:
        bundled = dict(conn.execute("SELECT id, deadline FROM aha_case WHERE status = 'open'"))
    live = {i: d for i, (s, d) in _cases(pristine_live).items() if s == "open"}
    assert bundled.keys() == live.keys() and live

    def left(text: str | None, now: datetime) -> object:
        instant = from_db_instant(text)
        assert instant is not None
        return instant - now

    assert all(left(live[i], NOW) == left(bundled[i], REFERENCE) for i in live)


def test_the_demo_never_overwrites_a_kept_file(tmp_path: Path) -> None:
    kept = tmp_path / "kept.db"
    kept.write_bytes(b"precious")
    result = Cli(db=str(tmp_path / "unused.db"), clock=FakeClock(NOW), runner=CliRunner())(
        "demo", "--keep", str(kept))
    assert result.exit_code == 1 and "exists" in result.stderr
    assert kept.read_bytes() == b"precious"


def test_a_demo_that_cannot_start_leaves_no_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    result = Cli(db=str(tmp_path / "unused.db"), clock=FakeClock(NOW), runner=CliRunner())("demo")
    assert result.exit_code == 1 and "needs a terminal" in result.stderr  # CliRunner has no tty
    assert list(tmp_path.iterdir()) == []


def test_a_kept_demo_without_a_terminal_is_refused_before_its_file_is_made(
    tmp_path: Path,
) -> None:
    """``ahr demo --keep PATH`` from a script wrote PATH, then said the TUI needs a terminal,
    leaving a database nobody asked for."""
    kept = tmp_path / "kept.db"
    result = Cli(db=str(tmp_path / "unused.db"), clock=FakeClock(NOW), runner=CliRunner())(
        "demo", "--keep", str(kept))
    assert result.exit_code == 1 and "needs a terminal" in result.stderr  # CliRunner has no tty
    assert list(tmp_path.iterdir()) == []


# --- the real thing on a pseudo-terminal --------------------------------------------------------


@pytest.fixture
def demo_on_a_terminal(tmp_path: Path) -> Iterator[tuple[int, int, Path, bytearray]]:
    """``ahr demo`` on a 100x30 pty with its TMPDIR in the test's folder, once its cases show."""
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    pid, fd = pty.fork()
    if pid == 0:
        env = {"PATH": "/usr/bin:/bin", "TERM": "xterm-256color", "LANG": "C.UTF-8",
               "HOME": str(tmp_path), "TMPDIR": str(tmp)}
        os.execve(AHR, [AHR, "demo"], env)
    ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))
    out = bytearray()
    try:
        assert pty_wait_for(fd, out, b"EXPIRED", 60), bytes(out[-2000:])
        [folder] = tmp.iterdir()
        assert (folder / "demo.db").is_file()
        yield pid, fd, tmp, out
    finally:
        try:
            if os.waitpid(pid, os.WNOHANG) == (0, 0):
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
        except ChildProcessError:
            pass
        os.close(fd)


def test_quitting_the_demo_removes_its_temporary_file(demo_on_a_terminal) -> None:  # type: ignore[no-untyped-def]
    pid, fd, tmp, out = demo_on_a_terminal
    os.write(fd, b"q")
    assert pty_exit_status(pid, fd, out, 30) == 0
    assert list(tmp.iterdir()) == []


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP], ids=["SIGTERM", "SIGHUP"])
def test_a_demo_ended_by_a_signal_removes_its_temporary_file(demo_on_a_terminal, sig) -> None:  # type: ignore[no-untyped-def]
    pid, fd, tmp, out = demo_on_a_terminal
    pty_read(fd, 0.5, out)
    os.kill(pid, sig)
    assert pty_exit_status(pid, fd, out, 30) == 128 + sig
    assert list(tmp.iterdir()) == []
