"""Signals (issue 12 item 8): SIGTERM, SIGHUP and SIGINT leave the terminal as it was (main
screen, cursor shown) and the database intact. The real ``ahr tui`` on a pty, as over SSH; the
bytes it writes are read, so the test sees what a terminal would be left with."""

from __future__ import annotations

import os
import pty
import signal
import sqlite3
import struct
from fcntl import ioctl
from pathlib import Path
from termios import TIOCSWINSZ

import pytest

from tests.processes import AHR, pty_exit_status, pty_read, pty_wait_for, run_ahr
from tests.tui.conftest import Seeded

ALT_SCREEN_ON, ALT_SCREEN_OFF = b"\x1b[?1049h", b"\x1b[?1049l"
CURSOR_HIDDEN, CURSOR_SHOWN = b"\x1b[?25l", b"\x1b[?25h"


def _last(data: bytes, *sequences: bytes) -> bytes | None:
    """Which of ``sequences`` was written last (None: none of them)."""
    found = [(data.rfind(s), s) for s in sequences if s in data]
    return max(found)[1] if found else None


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP, signal.SIGINT])
def test_a_signal_restores_the_terminal_and_leaves_the_database_intact(
    seeded: Seeded, db_url: str, tmp_path: Path, signum: int
) -> None:
    pid, fd = pty.fork()
    if pid == 0:
        env = {"PATH": "/usr/bin:/bin", "TERM": "xterm-256color", "LANG": "C.UTF-8",
               "HOME": str(tmp_path)}
        os.execve(AHR, [AHR, "--db", db_url, "tui"], env)
    ioctl(fd, TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))
    out = bytearray()
    try:
        assert pty_wait_for(fd, out, b"EXPIRED", 60), bytes(out[-500:])
        pty_read(fd, 1.0, out)
        assert _last(bytes(out), ALT_SCREEN_ON, ALT_SCREEN_OFF) == ALT_SCREEN_ON
        assert _last(bytes(out), CURSOR_HIDDEN, CURSOR_SHOWN) == CURSOR_HIDDEN
        os.kill(pid, signum)
        code = pty_exit_status(pid, fd, out, 20)
        assert code == 128 + signum, code
        data = bytes(out)
        assert _last(data, ALT_SCREEN_ON, ALT_SCREEN_OFF) == ALT_SCREEN_OFF
        assert _last(data, CURSOR_HIDDEN, CURSOR_SHOWN) == CURSOR_SHOWN
    finally:
        try:
            if os.waitpid(pid, os.WNOHANG) == (0, 0):  # still running: the test failed
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
        except ChildProcessError:
            pass  # already reaped by pty_exit_status
        os.close(fd)
    if db_url.startswith("sqlite"):
        with sqlite3.connect(db_url.removeprefix("sqlite:///")) as db:
            assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    verified = run_ahr("--db", db_url, "audit", "verify")
    assert verified.code == 0, verified.out + verified.err
    listed = run_ahr("--db", db_url, "cases")
    assert listed.code == 0 and "S1" in listed.out, listed.out + listed.err
