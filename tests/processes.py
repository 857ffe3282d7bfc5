"""Real processes for the many-operators tests: OS users, ``ahr`` subprocesses, forked CLI runs.

Two ways to run ``ahr`` in another process:

* ``run_ahr`` execs the installed ``ahr`` script (optionally as another OS user through
  ``runuser``): the real thing, about a second of imports each.
* ``fork_ahr`` forks the test process, which has already imported the CLI, and runs the same
  entry point (``ahr_tui.cli.main.app``) in the child. The child is a separate OS process with its
  own database connection, so races and kills are real; it just starts in milliseconds, which is
  what lets the race and kill tests run dozens of times within their time budget. A child can
  wait on a barrier (a pipe) before it starts, and can carry a hook that stops it at a chosen
  point so that the parent can ``kill -9`` it there.
"""

from __future__ import annotations

import fcntl
import functools
import os
import pwd
import select
import signal
import subprocess
import sys
import tempfile
import time
import traceback
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

AHR = str(Path(sys.executable).with_name("ahr"))
REPO = str(Path(__file__).resolve().parents[1])
_BASE_ENV = {"PATH": "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin", "LANG": "C.UTF-8"}
#: A generous bound on any one child; a hung child fails the test instead of hanging CI.
CHILD_TIMEOUT = 60.0


def ensure_os_user(name: str) -> pwd.struct_passwd:
    """Create a login-less OS account for the test if it does not exist yet (idempotent).

    Test processes running side by side (pytest-xdist's workers) take turns: a file lock around
    the check and ``useradd``, so none of them meets another's ``useradd`` holding
    ``/etc/passwd``."""
    with open(Path(tempfile.gettempdir()) / "ahr-tests-useradd.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            return pwd.getpwnam(name)
        except KeyError:
            pass
        done = subprocess.run(
            ["useradd", "--no-create-home", "--shell", "/usr/sbin/nologin", name],
            capture_output=True, text=True, check=False,
        )
        try:
            return pwd.getpwnam(name)
        except KeyError:
            raise RuntimeError(f"useradd {name} failed: {done.stderr.strip()}") from None


@contextmanager
def shared_dir() -> Iterator[Path]:
    """A directory every test user can write (pytest's tmp_path is private to root)."""
    path = Path(tempfile.mkdtemp(prefix="ahr-shared-"))
    path.chmod(0o1777)
    try:
        yield path
    finally:
        subprocess.run(["rm", "-rf", str(path)], check=False)


@dataclass
class Done:
    code: int
    out: str
    err: str


@functools.cache
def ahr_for_other_users() -> tuple[list[str], dict[str, str]]:
    """How another OS account runs ``ahr``: the command prefix and the environment it needs.

    The test interpreter may live where other accounts cannot reach it (a pyenv under /root,
    mode 0700). Then the system Python of the same minor version runs ``python -m ahr_tui`` with
    this venv's packages and the project on ``PYTHONPATH``: the same code, as the other account.
    """
    probe_user = ensure_os_user("ahrtest_viewer").pw_name
    mine = [sys.executable, "-m", "ahr_tui"]
    if _runs_as(probe_user, [sys.executable, "-c", "pass"], {}):
        return mine, {}
    system = Path(f"/usr/bin/python{sys.version_info.major}.{sys.version_info.minor}")
    site = next(p for p in sys.path if p.endswith("site-packages") and p.startswith(sys.prefix))
    env = {"PYTHONPATH": f"{site}:{REPO}"}
    if system.exists() and _runs_as(probe_user, [str(system), "-c", "import sqlalchemy"], env):
        return [str(system), "-m", "ahr_tui"], env
    raise AssertionError(
        f"no Python {sys.version_info[:2]} that other OS accounts may run (tried {sys.executable}, "
        f"{system}); the multi-user tests need one"
    )


def _runs_as(user: str, command: list[str], env: dict[str, str]) -> bool:
    done = subprocess.run(
        ["runuser", "-u", user, "--", *command],
        env={**_BASE_ENV, **env},
        capture_output=True,
        check=False,
        timeout=60,
    )
    return done.returncode == 0


def run_ahr(
    *args: str,
    user: str | None = None,
    env: dict[str, str] | None = None,
    input: str | None = None,
    timeout: float = CHILD_TIMEOUT,
) -> Done:
    """Exec ``ahr`` (as ``user`` via ``runuser`` when given), with ``env`` added to a clean one.

    ``umask 0`` so that SQLite's -wal/-shm files made by one test user are writable by the next.
    """
    base = dict(_BASE_ENV)
    command = [AHR, *args]
    if user is not None:
        prefix, extra = ahr_for_other_users()
        command = ["runuser", "-u", user, "--", *prefix, *args]
        base.update(extra)
    base.update(env or {})
    proc = subprocess.run(
        command,
        env=base,
        input=input,
        capture_output=True,
        text=True,
        timeout=timeout,
        umask=0,
        check=False,
    )
    return Done(proc.returncode, proc.stdout, proc.stderr)


@dataclass
class Forked:
    pid: int
    out_path: Path
    err_path: Path

    def wait(self, timeout: float = CHILD_TIMEOUT) -> Done:
        """Reap the child; ``code`` is the exit status, or minus the signal that killed it."""
        deadline = time.monotonic() + timeout
        while True:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() > deadline:
                os.kill(self.pid, signal.SIGKILL)
                os.waitpid(self.pid, 0)
                raise AssertionError(f"child {self.pid} did not finish within {timeout} s")
            time.sleep(0.005)  # polling a child, not waiting for a deadline
        code = os.waitstatus_to_exitcode(status)
        out = self.out_path.read_text(errors="backslashreplace")
        err = self.err_path.read_text(errors="backslashreplace")
        self.out_path.unlink(missing_ok=True)
        self.err_path.unlink(missing_ok=True)
        return Done(code, out, err)

    def kill(self) -> Done:
        os.kill(self.pid, signal.SIGKILL)
        return self.wait()


def fork_ahr(
    argv: list[str],
    *,
    workdir: Path,
    before: Callable[[], None] | None = None,
) -> Forked:
    """Run ``ahr ARGV`` in a forked child; ``before`` runs in the child first (barriers, hooks)."""
    token = uuid.uuid4().hex[:12]
    out_path, err_path = workdir / f"{token}.out", workdir / f"{token}.err"
    out_path.touch()
    err_path.touch()
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid:
        return Forked(pid, out_path, err_path)
    code = 70
    try:  # the child: never returns into pytest
        _default_signals()
        os.dup2(os.open(out_path, os.O_WRONLY | os.O_TRUNC), 1)
        os.dup2(os.open(err_path, os.O_WRONLY | os.O_TRUNC), 2)
        sys.stdout = open(1, "w", encoding="utf-8", closefd=False)  # noqa: SIM115
        sys.stderr = open(2, "w", encoding="utf-8", closefd=False)  # noqa: SIM115
        if before is not None:
            before()
        from ahr_tui.cli.main import app

        try:
            app(args=argv, prog_name="ahr")
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException:
        traceback.print_exc()
        code = 70
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def _default_signals() -> None:
    """Drop signal handlers the test process may carry (asyncio, Textual, pytest) so the child
    behaves like a freshly started ``ahr``."""
    signal.set_wakeup_fd(-1)
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGCHLD, signal.SIGWINCH, signal.SIGHUP,
                signal.SIGTSTP, signal.SIGCONT, signal.SIGUSR1, signal.SIGUSR2, signal.SIGALRM):
        handler = signal.getsignal(sig)
        if callable(handler) and handler is not signal.default_int_handler:
            signal.signal(sig, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)


class Barrier:
    """Hold N forked children at the starting line and release them together."""

    def __init__(self, parties: int) -> None:
        self.parties = parties
        self._ready_r, self._ready_w = os.pipe()
        self._go_r, self._go_w = os.pipe()

    def wait_in_child(self) -> None:
        os.write(self._ready_w, b"r")
        os.read(self._go_r, 1)

    def release(self) -> None:
        got = b""
        while len(got) < self.parties:
            got += os.read(self._ready_r, self.parties - len(got))
        os.write(self._go_w, b"g" * self.parties)

    def close(self) -> None:
        for fd in (self._ready_r, self._ready_w, self._go_r, self._go_w):
            os.close(fd)


def run_in_pty(command: list[str], env: dict[str, str], timeout: float = 30.0) -> tuple[int, bytes]:
    """Exec ``command`` on a new pseudo-terminal with exactly ``env``: (exit code, what it wrote).

    For a program that leaves on its own (a refusal); one that waits for keys fails the test
    after ``timeout`` seconds of silence instead of hanging it.
    """
    import pty
    import select

    pid, fd = pty.fork()
    if pid == 0:
        os.execve(command[0], command, env)
    output = b""
    while select.select([fd], [], [], timeout)[0]:
        try:
            chunk = os.read(fd, 4096)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        output += chunk
    deadline = time.monotonic() + timeout
    while not (reaped := os.waitpid(pid, os.WNOHANG))[0]:
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            raise AssertionError(f"{command} was still running after its terminal went quiet")
        time.sleep(0.01)  # polling a child that is leaving, not waiting for a deadline
    status = reaped[1]
    os.close(fd)
    return os.waitstatus_to_exitcode(status), output


# ------------------------------------------------ a program on a pseudo-terminal


def pty_read(fd: int, seconds: float, sink: bytearray) -> None:
    """Collect what the app writes for ``seconds`` (a bounded read loop, not a wait for a
    deadline: the app's output is what is being measured)."""
    end = time.monotonic() + seconds
    while (left := end - time.monotonic()) > 0:
        ready, _, _ = select.select([fd], [], [], min(left, 0.1))
        if ready:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                return
            if not chunk:
                return
            sink.extend(chunk)


def pty_wait_for(fd: int, sink: bytearray, needle: bytes, seconds: float) -> bool:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if needle in sink:
            return True
        pty_read(fd, 0.2, sink)
    return needle in sink


def pty_exit_status(pid: int, fd: int, sink: bytearray, seconds: float) -> int | None:
    """Drain the pty (so the app never blocks writing) until it exits; its exit code."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status)
        pty_read(fd, 0.2, sink)
    return None
