"""The last resort after a terminating signal: the process ends within a bound, whatever holds it.

SIGTERM, SIGHUP (a dropped SSH session) and SIGINT end the app in order (``tui.app``) and the
demo's temporary copy is removed (``cli.data``). An orderly exit can still be held up for good:
interpreter shutdown waits for every non-daemon thread, and a worker that never finishes keeps
the process alive after its terminal is gone, ignoring further signals (its asyncio handlers
only queue them). Once a terminating signal has arrived, ``exit_within`` gives the orderly exit
``GRACE_S`` seconds, then runs the registered clean-ups and ends the process with ``os._exit``.
Standard library only: the CLI arms it before SQLAlchemy or Textual are loaded.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress

#: Seconds an orderly exit gets after a terminating signal before the process is ended.
GRACE_S = 5.0

_cleanups: list[Callable[[], None]] = []
_armed = threading.Event()


def exit_within(code: int, seconds: float = GRACE_S) -> None:
    """Unless the process has ended ``seconds`` from now, run the clean-ups registered with
    ``on_forced_exit`` and end it with exit status ``code``. Idempotent: the first call arms
    a daemon thread, later calls do nothing."""
    if _armed.is_set():
        return
    _armed.set()

    def last_resort() -> None:
        threading.Event().wait(seconds)
        for cleanup in list(_cleanups):
            with suppress(Exception):  # the process ends whatever a clean-up does
                cleanup()
        os._exit(code)

    threading.Thread(target=last_resort, name="ahr-exit-watchdog", daemon=True).start()


@contextmanager
def on_forced_exit(cleanup: Callable[[], None]) -> Iterator[None]:
    """Within the block, ``cleanup`` also runs if ``exit_within`` has to end the process."""
    _cleanups.append(cleanup)
    try:
        yield
    finally:
        _cleanups.remove(cleanup)
