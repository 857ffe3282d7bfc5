"""Run a terminal program under a pseudo-terminal and watch every byte it writes.

What sshd would carry is what we measure (textual-notes.md, "pty"): the child gets a pty of a
fixed size with ``TERM=xterm-256color`` and no ``COLORTERM``; a reader thread timestamps every
chunk it writes; a sampler thread records the child's peak RSS. Keys are written to the pty and
timed from the write. Used by ``bench_tui.py``.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import pty
import signal
import struct
import termios
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import psutil


def child_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"COLORTERM", "NO_COLOR",
                                                             "TEXTUAL_THEME", "COLUMNS", "LINES"}}
    env["TERM"] = "xterm-256color"
    env.update(extra or {})
    return env


@dataclass
class Chunk:
    at: float
    data: bytes


@dataclass
class PtyProgram:
    """One child process on a pty of ``cols`` x ``rows``; ``start()`` forks and execs it."""

    argv: Sequence[str]
    cols: int = 120
    rows: int = 40
    env: dict[str, str] = field(default_factory=child_env)
    chunks: list[Chunk] = field(default_factory=list)
    peak_rss: int = 0
    started: float = 0.0
    pid: int = 0
    fd: int = -1
    _done: threading.Event = field(default_factory=threading.Event)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _arrived: threading.Condition = field(init=False)

    def __post_init__(self) -> None:
        self._arrived = threading.Condition(self._lock)

    def start(self) -> PtyProgram:
        self.started = time.perf_counter()
        pid, fd = pty.fork()
        if pid == 0:  # the child: size the terminal, then become the program
            size = struct.pack("HHHH", self.rows, self.cols, 0, 0)
            fcntl.ioctl(pty.STDOUT_FILENO, termios.TIOCSWINSZ, size)
            os.execvpe(self.argv[0], list(self.argv), self.env)
        self.pid, self.fd = pid, fd
        threading.Thread(target=self._read, daemon=True).start()
        threading.Thread(target=self._sample, daemon=True).start()
        return self

    # ------------------------------------------------------------- watching

    def _read(self) -> None:
        while True:
            try:
                data = os.read(self.fd, 65536)
            except OSError:
                data = b""
            now = time.perf_counter()
            with self._arrived:
                if data:
                    self.chunks.append(Chunk(now, data))
                else:
                    self._done.set()
                self._arrived.notify_all()
            if not data:
                return

    def _sample(self) -> None:
        try:
            proc = psutil.Process(self.pid)
            while not self._done.is_set():
                self.peak_rss = max(self.peak_rss, proc.memory_info().rss)
                time.sleep(0.02)
        except psutil.Error:
            return

    def output(self, since: int = 0) -> bytes:
        with self._lock:
            return b"".join(c.data for c in self.chunks[since:])

    def wait_for(self, found: Callable[[bytes], bool], timeout: float) -> float | None:
        """Seconds from start until the output so far satisfies ``found``; None on timeout.

        The time is that of the chunk that made it true, not of when this thread noticed.
        """
        deadline = time.perf_counter() + timeout
        seen = b""
        index = 0
        while True:
            with self._arrived:
                while index >= len(self.chunks) and not self._done.is_set():
                    left = deadline - time.perf_counter()
                    if left <= 0:
                        return None
                    self._arrived.wait(left)
                fresh = self.chunks[index:]
            for chunk in fresh:
                seen += chunk.data
                index += 1
                if found(seen):
                    return chunk.at - self.started
            if self._done.is_set() and index >= len(self.chunks):
                return None

    def key_latency(self, key: bytes, timeout: float = 2.0) -> float | None:
        """Write ``key``; seconds until the first byte the program writes afterwards."""
        with self._arrived:
            index = len(self.chunks)
        sent = time.perf_counter()
        os.write(self.fd, key)
        with self._arrived:
            while len(self.chunks) <= index:
                if not self._arrived.wait(timeout) and len(self.chunks) <= index:
                    return None
            return self.chunks[index].at - sent

    def quiet_for(self, seconds: float, timeout: float) -> bool:
        """Wait until nothing has been written for ``seconds`` (the screen has settled)."""
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            with self._lock:
                last = self.chunks[-1].at if self.chunks else self.started
            if time.perf_counter() - last >= seconds:
                return True
            time.sleep(0.05)
        return False

    def cpu_seconds(self) -> float:
        times = psutil.Process(self.pid).cpu_times()
        return float(times.user + times.system)

    def bytes_between(self, start: float, end: float) -> int:
        with self._lock:
            return sum(len(c.data) for c in self.chunks if start <= c.at < end)

    def stop(self) -> None:
        """Terminate the child (SIGTERM, then SIGKILL) and reap it."""
        for sig in (signal.SIGTERM, signal.SIGKILL):
            try:
                os.kill(self.pid, sig)
            except ProcessLookupError:
                break
            for _ in range(40):
                try:
                    done, _status = os.waitpid(self.pid, os.WNOHANG)
                except ChildProcessError:
                    done = self.pid
                if done:
                    break
                time.sleep(0.05)
            else:
                continue
            break
        self._done.wait(2)
        with contextlib.suppress(OSError):
            os.close(self.fd)


def screen_text(data: bytes, cols: int, rows: int) -> list[str]:
    """What a terminal would show after ``data`` (pyte), one string per row."""
    import pyte

    screen = pyte.Screen(cols, rows)
    stream = pyte.ByteStream(screen)
    stream.feed(data)
    return list(screen.display)
