"""The app's database: given open, or opened by a worker once the first frame is on screen.

A base class of ``AhrApp`` (as ``list_commands.ListCommands`` is), so that ``app.py`` keeps the
screens and keys. Start-up (DESIGN section 7): ``ahr tui`` on an SQLite file hands the app a
first snapshot read with the standard library and a function that opens the engine. The first
frame shows that snapshot; the warm-up worker then opens the engine and imports SQLAlchemy, the
service layer and the later screens (about 0.4 s), so nothing on the way to the first frame
waits for them.

Two threads importing SQLAlchemy at once can see a partly initialised module ("cannot import
name 'AdaptedConnection' from partially initialized module"), so every other thread waits for
the warm-up before it imports (``settled``); with an engine given, nothing warms up.
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from textual import work

from ahr_tui.tui.failures import guarded
from ahr_tui.tui.list_commands import ListCommands

if TYPE_CHECKING:
    from ahr_tui.service.database import Database as Engine

#: Loaded by a worker once the first frame is on screen, so the first keys do not wait for them.
LATER_MODULES = (
    "ahr_tui.service.cases",
    "ahr_tui.service.sweep",
    "ahr_tui.tui.screens.accounts",
    "ahr_tui.tui.screens.detail",
)


def read_failed(app: DatabaseOpening, sentence: str) -> None:
    """``failures.guarded``'s ``after`` for every read of the cases (the warm-up's included)."""
    app.read_failed(sentence)


class DatabaseOpening(ListCommands):
    """``engine`` for workers, ``engine_for_ui`` for the UI thread, ``warm_up`` to open it."""

    def init_database(self, engine: Engine | Callable[[], Engine]) -> None:
        """``engine``, or a function that opens it (then the warm-up calls it)."""
        self._engine: Engine | None = None
        self._open_engine: Callable[[], Engine] | None = None
        if callable(engine):
            self._open_engine = engine
        else:
            self._engine = engine
        self._engine_lock = threading.Lock()
        self._warmed = threading.Event()  # set once the warm-up has imported the database layer
        self._warm_claimed = False  # by the one warm-up that imports; later ones only reopen
        self._claim_lock = threading.Lock()
        self._warming: threading.Thread | None = None
        if self._open_engine is None:
            self._warmed.set()
        self._failed: str | None = None  # why the database could not be read, until it can

    @property
    def engine(self) -> Engine:
        """The engine, opened on first use; a caller on the UI thread may wait for the worker
        that is opening it (only in the first half second after start)."""
        if threading.current_thread() is not self._warming:
            self.settled()
        return self._opened()

    def open_engine(self) -> Engine:
        return self.engine

    def _opened(self) -> Engine:
        if self._engine is None:
            with self._engine_lock:
                if self._engine is None:
                    assert self._open_engine is not None
                    self._engine = self._open_engine()
        return self._engine

    def settled(self, timeout: float = 30.0) -> None:
        """Wait until the warm-up has imported the database layer (only in the first second
        after start; at once afterwards). Called by the UI thread before it runs an action and
        by workers through ``engine``, so only one thread ever imports SQLAlchemy."""
        if self._warmed.is_set():
            return
        if not self._warm_claimed:
            self.warm_up()  # a key before the scheduled warm-up began: begin it now
        self._warmed.wait(timeout)

    def engine_for_ui(self) -> Engine | None:
        """For the UI thread: the engine, after waiting for a worker that is opening it; never
        opened here (a locked file would freeze the screen for the busy timeout). If it could not
        be opened, say why, start another try in a worker and return None."""
        self.settled()
        if self._engine is None:
            if self._failed is not None:  # said as ``failures.guarded`` says it
                self.notify(self._failed, title="could not open the database",
                            severity="error", markup=False)
            else:
                self.notify("the database is still opening; try again in a moment.",
                            title="database", severity="warning", markup=False)
            self.warm_up()
        return self._engine

    def read_failed(self, sentence: str) -> None:
        """The database could not be opened or read; ``failures.guarded`` has said why."""
        self._failed = sentence

    @work(thread=True, exclusive=True, group="warm-up", exit_on_error=False)
    @guarded("open the database", once=True, after=read_failed)
    def warm_up(self) -> None:
        """Open the engine and load what the first keys need, once the first frame is shown."""
        with self._claim_lock:
            first, self._warm_claimed = not self._warm_claimed, True
        if not first:  # a retry after a failure, or a second start: the imports are done
            self._warmed.wait()
            self._open_said()
            return
        self._warming = threading.current_thread()
        try:
            self._open_said()
            for name in LATER_MODULES:
                importlib.import_module(name)
        finally:
            self._warming = None
            self._warmed.set()  # before call_from_thread below: the UI thread may be waiting
        if self._engine is not None:
            self.warmed_up(self._engine)

    @guarded("open the database", once=True, after=read_failed)
    def _open_said(self) -> None:
        self._opened()

    def warmed_up(self, engine: Engine) -> None:
        """In the warm-up worker, once the engine is open and the imports are done."""
