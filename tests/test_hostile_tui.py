"""The hostile corpus in the TUI: shown literally, never executed, never sent to the terminal.

Two views of the same data. A Pilot test (Textual's harness) checks what the case table and the
detail screen render, and that no markup action ran. A pseudo-terminal test runs the real
``ahr tui`` at 120x40 under ``pty.fork``, drives it with keys, reads every byte it writes, and
checks that nothing from the data reached the terminal as a control sequence (no OSC 52
clipboard write, no OSC 8 link, no screen clear, no BEL, no device or title queries, no C1
controls), that the screen as a terminal emulator (pyte) draws it shows the text literally,
and that the process is still alive and quits cleanly on ``q``.
"""

from __future__ import annotations

import os
import pty
import re
import signal
import struct
import termios
from datetime import timedelta
from fcntl import ioctl
from pathlib import Path

import pyte
import pytest
from sqlalchemy.engine import Engine

from ahr_tui.rules import PolicyArea, Role
from ahr_tui.service.cases import add_note, open_case
from ahr_tui.store.actor import Actor
from ahr_tui.textsafe import clean_line
from ahr_tui.tui.app import AhrApp
from tests.conftest import T0, FakeClock, add_operator, seed_account
from tests.hostile import storable
from tests.processes import AHR, pty_exit_status, pty_read, pty_wait_for

ALICE = Actor(name="alice")

#: Byte sequences that must never reach the terminal from data. Textual itself writes none of
#: them (textual-notes.md section 5, and checked here: the count is 0 for the whole session).
FORBIDDEN = {
    "OSC 52 clipboard write": b"\x1b]52",
    "OSC 8 hyperlink": b"\x1b]8;",
    "OSC 0/2 window title": b"\x1b]0;",
    "OSC 2 window title": b"\x1b]2;",
    "screen clear": b"\x1b[2J",
    "BEL": b"\x07",
    "DCS": b"\x1bP",
    "cursor position query": b"\x1b[6n",
    "window title report": b"\x1b[21t",
    "mouse tracking on": b"\x1b[?1003h",
    "C1 CSI (UTF-8)": "\x9b".encode(),
    "C1 OSC (UTF-8)": "\x9d".encode(),
}


def _seed(engine: Engine, clock: FakeClock) -> list[tuple[int, str, str]]:
    """One case per storable hostile string: it is the seller's name and the case summary."""
    add_operator(engine, "alice", Role.LEAD)
    cases = []
    for n, (label, text) in enumerate(storable()):
        seller = f"H{n:02d}"
        seed_account(engine, seller, "US", name=text)
        view = open_case(
            engine,
            seller_id=seller,
            store="US",
            policy=PolicyArea.OTHER,
            at=T0 - timedelta(minutes=n + 1),
            summary=text,
            actor=ALICE,
            now=clock(),
        )
        add_note(engine, view.id, text=text, actor=ALICE, now=clock())
        cases.append((view.id, label, text))
    return cases


class Recording(AhrApp):
    """Records quit and bell instead of doing them: hostile ``[@click=...]`` must not get here."""

    ran: list[str]

    async def action_quit(self) -> None:
        self.ran.append("quit")

    def action_bell(self) -> None:
        self.ran.append("bell")


async def test_pilot_shows_every_hostile_string_literally(engine: Engine, clock: FakeClock) -> None:
    cases = _seed(engine, clock)
    app = Recording(engine=engine, clock=clock, actor=ALICE, db_label="t.db", tick=3600, poll=3600)
    app.ran = []
    async with app.run_test(size=(200, 60)) as pilot:
        for _ in range(3):
            await app.workers.wait_for_complete()
            await pilot.pause()
        table = app.main.table
        rows = []
        for y in range(table.size.height):
            strip = table.render_line(y)
            for segment in strip:
                assert "\x1b" not in segment.text and "\x07" not in segment.text
                assert all(not (0x80 <= ord(ch) <= 0x9F) for ch in segment.text), segment
                assert not (segment.style and segment.style.meta), segment  # no @click
            rows.append(strip.text)
        shown = "\n".join(rows)
        for _case_id, label, text in cases:
            head = clean_line(text)[:6]
            assert head in shown, (label, head)
        for x in range(0, 190, 17):  # clicking over the markup runs nothing
            for y in (1, 5, 9):
                await pilot.click(type(table), offset=(x, y))
        await pilot.press("enter")  # the detail screen of a hostile case
        for _ in range(2):
            await app.workers.wait_for_complete()
            await pilot.pause()
        await pilot.press("escape")
        assert app.is_running and app.ran == []


# --- the real program on a pseudo-terminal ----------------------------------------------------


def _without_textual_own(data: bytes) -> bytes:
    """Drop the BEL-terminated sequences the program itself sends, after checking that they
    carry none of the data: OSC 22 (Textual's mouse pointer shape, ``ESC ] 22 ; default BEL``)
    and OSC 2 (the app's window title, built only from counts: ``AHR: 1 overdue, ...``).
    Anything in ``FORBIDDEN`` that is left came from the data."""
    titles = re.findall(rb"\x1b\]2;([^\x07\x1b]*)\x07", data)
    for title in titles:
        assert re.fullmatch(rb"AHR: [\d,]+ overdue, [\d,]+ critical, [\d,]+ to contact"
                            rb"( \([\d,]+ late\))?, [\d,]+ expired, next [-0-9a-z ]+", title), title
    data = re.sub(rb"\x1b\]2;AHR: [^\x07\x1b]*\x07", b"", data)
    return re.sub(rb"\x1b\]22;[a-z-]*\x07", b"", data)


def _drawn(data: bytes) -> str:
    """The screen a terminal would show after ``data`` (pyte, a VT100 emulator)."""
    screen = pyte.Screen(120, 40)
    pyte.ByteStream(screen).feed(data)
    return "\n".join(screen.display)


@pytest.fixture
def hostile_db(backend: str, db_url: str, engine: Engine, clock: FakeClock) -> str:
    _seed(engine, clock)
    return db_url


def test_pty_nothing_from_the_data_reaches_the_terminal(hostile_db: str, tmp_path: Path) -> None:
    pid, fd = pty.fork()
    if pid == 0:  # the child: the real `ahr tui`, as alice would run it over SSH
        env = {
            "PATH": "/usr/bin:/bin",
            "TERM": "xterm-256color",
            "LANG": "C.UTF-8",
            "COLUMNS": "120",
            "LINES": "40",
            "HOME": str(tmp_path),
        }
        os.execve(AHR, [AHR, "--db", hostile_db, "tui"], env)
    ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    out = bytearray()
    try:
        assert pty_wait_for(fd, out, b"other ", 60), bytes(out[-2000:])  # the rows are in
        pty_read(fd, 1.5, out)
        first = _drawn(bytes(out))
        for literal in (
            "Robert'); DROP",
            "{0} %s %n",
            "=HYPERLINK(",
            "[b][b][b]",
            "\\x1b[2J\\x1b[2J",
        ):
            assert literal in first, (literal, first)
        for key in (b"j", b"j", b"j", b"\r"):  # down the list, into a hostile case's detail
            os.write(fd, key)
            pty_read(fd, 0.5, out)
        pty_read(fd, 1.5, out)
        os.write(fd, b"\x1b")  # back to the list, scroll to the long strings
        pty_read(fd, 0.5, out)
        for _ in range(30):
            os.write(fd, b"j")
        pty_read(fd, 2.0, out)
        alive = os.waitpid(pid, os.WNOHANG) == (0, 0)
        assert alive, "the TUI died while showing hostile data"
        ours = _without_textual_own(bytes(out))
        for what, sequence in FORBIDDEN.items():
            assert ours.count(sequence) == 0, f"{what} reached the terminal"
        assert "\\x" in _drawn(bytes(out))  # escape sequences are drawn as visible text
        os.write(fd, b"q")
        assert pty_exit_status(pid, fd, out, 20) == 0, "q did not quit cleanly"
    finally:
        try:
            if os.waitpid(pid, os.WNOHANG) == (0, 0):  # still running: the test failed
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
        except ChildProcessError:
            pass  # already reaped by pty_exit_status
        finally:
            os.close(fd)
