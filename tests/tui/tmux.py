"""The app in a real tmux, as an operator over SSH meets it (issue 12: faults that live in the
terminal). A private tmux server per test (``-L``), a window of a given size, keys sent with
``send-keys`` or, where tmux's own handling matters (its escape-time), typed into an attached
client on a pty. Waits poll the screen until text appears (bounded), never a fixed deadline."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from tests.processes import AHR


@dataclass
class Tmux:
    socket: str

    def run(self, *args: str) -> str:
        done = subprocess.run(
            ["tmux", "-L", self.socket, *args], capture_output=True, text=True, check=False
        )
        return done.stdout

    def screen(self, colours: bool = False) -> str:
        return self.run("capture-pane", "-p", *(["-e"] if colours else []), "-t", "app")

    def send(self, *keys: str) -> None:
        self.run("send-keys", "-t", "app", *keys)

    def wait_for(self, found: Callable[[str], bool], timeout: float = 30.0) -> str:
        end = time.monotonic() + timeout
        while True:
            shown = self.screen()
            if found(shown) or time.monotonic() > end:
                return shown
            time.sleep(0.1)

    def type_attached(self, *chunks: tuple[bytes, float]) -> None:
        """Attach a client on a pty and type ``(bytes, pause after)`` chunks into it, so tmux
        parses them as it would a terminal's (escape-time applies); then detach."""
        pid, fd = pty.fork()
        if pid == 0:
            os.environ["TERM"] = "xterm-256color"
            os.execvp("tmux", ["tmux", "-L", self.socket, "attach", "-t", "app"])
        try:
            _drain(fd, 1.0)
            for data, pause in chunks:
                os.write(fd, data)
                _drain(fd, pause)
            os.write(fd, b"\x02d")  # the default prefix, then detach
            _drain(fd, 0.5)
        finally:
            os.close(fd)
            os.waitpid(pid, 0)


def _drain(fd: int, seconds: float) -> None:
    end = time.monotonic() + seconds
    while (left := end - time.monotonic()) > 0:
        if select.select([fd], [], [], min(left, 0.05))[0]:
            try:
                if not os.read(fd, 65536):
                    return
            except OSError:
                return


@contextmanager
def app_in_tmux(
    db: str, *, size: tuple[int, int] = (110, 30), env: dict[str, str] | None = None
) -> Iterator[Tmux]:
    """``ahr --db DB tui`` in a fresh tmux server (default options, escape-time 500 ms)."""
    tmux = Tmux(f"ahr-test-{uuid.uuid4().hex[:8]}")
    settings = {"TERM": "xterm-256color", "LANG": "C.UTF-8", **(env or {})}
    prefix = " ".join(f"{k}={v}" for k, v in settings.items())
    command = f"env {prefix} {AHR} --db '{db}' tui; sleep 600"
    tmux.run("-f", "/dev/null", "new-session", "-d", "-s", "app", "-x", str(size[0]),
             "-y", str(size[1]), command)
    try:
        yield tmux
    finally:
        tmux.run("kill-server")
