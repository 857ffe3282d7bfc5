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

import os
import pwd
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
#: A generous bound on any one child; a hung child fails the test instead of hanging CI.
CHILD_TIMEOUT = 60.0


def ensure_os_user(name: str) -> pwd.struct_passwd:
    """Create a login-less OS account for the test if it does not exist yet (idempotent)."""
    try:
        return pwd.getpwnam(name)
    except KeyError:
        pass
    subprocess.run(
        ["useradd", "--no-create-home", "--shell", "/usr/sbin/nologin", name],
        capture_output=True,
        check=False,
    )
    return pwd.getpwnam(name)  # raises if useradd failed for a reason other than a race


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
    base = {"PATH": "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin", "LANG": "C.UTF-8"}
    base.update(env or {})
    command = [AHR, *args]
    if user is not None:
        command = ["runuser", "-u", user, "--", *command]
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
