"""An iterator's next item produced while the caller works on the current one.

An import parses its file in Python and writes each batch to the database; on PostgreSQL the
write is mostly a wait for the server, and a wait for a socket releases the GIL. Reading the
next batch in a thread meanwhile lets the two overlap (``service.imports``).
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from typing import TypeVar

T = TypeVar("T")

#: How long a blocked hand-over waits before it looks whether the consumer has gone (seconds).
_POLL = 0.1


def read_ahead(items: Iterator[T]) -> Iterator[T]:
    """``items`` in order, each produced in a thread of its own while the caller handles the
    one before (at most one waits). An exception raised while producing is raised here, at the
    item it replaced. When the caller stops early (an exception of its own, or ``close``), the
    thread stops after the item it is producing and is joined before this returns."""
    handoff: queue.Queue[tuple[bool, T | None, BaseException | None]] = queue.Queue(maxsize=1)
    gone = threading.Event()

    def hand(done: bool, item: T | None, error: BaseException | None) -> bool:
        while not gone.is_set():
            try:
                handoff.put((done, item, error), timeout=_POLL)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for item in items:
                if not hand(False, item, None):
                    return
        except BaseException as exc:  # handed to the caller, raised there
            hand(True, None, exc)
            return
        hand(True, None, None)

    worker = threading.Thread(target=produce, name="ahr-read-ahead", daemon=True)
    worker.start()
    try:
        while True:
            done, item, error = handoff.get()
            if error is not None:
                raise error
            if done:
                return
            yield item  # type: ignore[misc]
    finally:
        gone.set()
        worker.join()
