"""The account managers' TUI: one app factory (``AhrApp``) for ``ahr tui``, ``ahr demo`` and tests.

Engine, clock, operator and timings are injected; nothing reads argv, opens a database or reads
the clock in ``compose``. The app is built in layers, each a base class in its own module:
``list_commands`` (metrics, export, saved views, bulk actions), ``opening`` (the engine, opened
by a worker after the first frame), ``live`` (reads, polls and ticks of the case list) and
``case_keys`` (the case actions). This module keeps what ties them to the terminal: the screens,
the keys that are not case keys, the window's size and the signals that end the app. Every
worker's failure is said the same way (``failures.guarded``).
"""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, cast

from textual import events
from textual.app import SystemCommand
from textual.binding import Binding, BindingType
from textual.command import Provider
from textual.geometry import Size
from textual.screen import Screen

from ahr_tui.service.clock import Clock
from ahr_tui.service.identity import Actor
from ahr_tui.service.snapshots import FIRST_CASES, Snapshot
from ahr_tui.textsafe import clean_line
from ahr_tui.tui import few_colours, nocolor
from ahr_tui.tui.case_actions import SPECS
from ahr_tui.tui.case_keys import CaseKeys
from ahr_tui.tui.dialogs.help import HeldNote, HelpScreen
from ahr_tui.tui.keys import split_joined_escape
from ahr_tui.tui.messages import DetailRequested
from ahr_tui.tui.palette import AppCommands, system_commands
from ahr_tui.tui.screens.main import MainScreen
from ahr_tui.tui.screens.too_small import TooSmallScreen, too_small
from ahr_tui.tui.widgets.line_table import LineTable
from ahr_tui.watchdog import exit_within

if TYPE_CHECKING:
    from textual.actions import ActionParseResult
    from textual.dom import DOMNode
    from textual.notifications import SeverityLevel

    from ahr_tui.service.database import Database as Engine


class AhrApp(CaseKeys):
    CSS_PATH = Path(__file__).with_name("app.tcss")  # absolute: subclasses live elsewhere
    TITLE = "AHR"
    ENABLE_COMMAND_PALETTE = True
    COMMANDS: ClassVar[set[type[Provider] | Callable[[], type[Provider]]]] = {AppCommands}

    BINDINGS: ClassVar[list[BindingType]] = [
        # One parametrised action for the case keys; ``check_action`` asks the rules about each.
        *(Binding(spec.key, f"case('{spec.name}')", spec.label) for spec in SPECS.values()),
        Binding("p", "pause", "Pause", show=False),  # the footer keeps room for the actions
        Binding("h", "handover", "Handover", show=False),
        Binding("m", "metrics", "Metrics", show=False),
        Binding("e", "export", "Export", show=False),
        Binding("v", "save_view", "Save view", show=False),
        Binding("V", "switch_saved_view", "Views", show=False),
        Binding("question_mark", "help", "Help"),
        Binding("q", "quit", "Quit", show=False),
    ]

    def __init__(
        self, *, engine: Engine | Callable[[], Engine], clock: Clock, actor: Actor,
        db_label: str, first: Snapshot | None = None, tick: float = 1.0, poll: float = 1.0,
        first_cases: int = FIRST_CASES,
    ) -> None:
        """``engine`` may be a function that opens it, given the ``first`` snapshot read
        without it (``service.snapshots.quick_snapshot``): the first frame then shows that
        snapshot, and a worker opens the engine (and loads SQLAlchemy) once it is on screen.
        Without ``first``, the first read is of the ``first_cases`` most urgent cases, shown
        while the whole list is read (``load_first``)."""
        super().__init__()
        nocolor.install(self)
        few_colours.keep_named_colours(self)
        self.clock = clock
        self.actor = actor
        self.db_label = _label(db_label)
        self.sub_title = clean_line(self.db_label)
        self.signalled: int | None = None  # the signal that ended the app, if one did
        self.init_database(engine)
        self.init_live(first=first, tick=tick, poll=poll, first_cases=first_cases)
        self.init_case_keys()

    def watch_theme(self) -> None:
        """Textual makes its colour-name conversion again for a new theme (``few_colours``)."""
        few_colours.keep_named_colours(self)

    async def on_event(self, event: events.Event) -> None:
        """An ``alt+key`` that nothing binds is Esc then the key (tmux joined them): the Esc is
        acted on before the key is delivered, so the key reaches the screen the Esc led to."""
        if isinstance(event, events.Key) and not event.is_forwarded:
            split = split_joined_escape(event, self.screen.active_bindings)
            if split is not None:
                escape, key = split
                # Run Esc's binding now (priority ones first, as Textual does), not when the
                # forwarded event has bubbled up: by then the key would have gone to the old
                # screen. Textual 8.2.8 has no public way to run a key's binding at once.
                handled = await self._check_bindings("escape", priority=True)
                if not handled and not await self._check_bindings("escape"):
                    await super().on_event(escape)
                await super().on_event(key)
                return
        await super().on_event(event)

    def on_mount(self) -> None:
        # Textual runs thread workers in asyncio's default executor: min(32, CPUs + 4) threads,
        # 6 on a 2-core box. With the app's own workers busy on a large database (a poll, an
        # expiry), an Accounts search typed meanwhile queued behind them for seconds.
        asyncio.get_running_loop().set_default_executor(ThreadPoolExecutor(max_workers=32))
        if not self.is_headless:
            self._exit_on_signals()
        self.call_after_refresh(lambda: self._fit_size(self.size))

    def on_resize(self, event: events.Resize) -> None:
        self._fit_size(event.size)

    def _fit_size(self, size: Size) -> None:
        """Below the minimum size one sentence says so; it goes when the window grows."""
        shown = isinstance(self.screen, TooSmallScreen)
        if too_small(size) and not shown:
            self.push_screen(TooSmallScreen())
        elif shown and not too_small(size):
            self.pop_screen()

    def _exit_on_signals(self) -> None:
        """SIGTERM, SIGHUP (a dropped SSH connection) and SIGINT end the app as ``q`` does: the
        terminal is restored (main screen, cursor shown) and no write is cut short by Python's
        default handling (SIGTERM and SIGHUP kill at once; SIGINT raises anywhere)."""
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
            loop.add_signal_handler(signum, self._signalled, signum)

    def _signalled(self, signum: int) -> None:
        self.signalled = signum
        exit_within(128 + signum)  # the last resort if a worker holds the exit up
        self.exit(return_code=128 + signum)

    def get_default_screen(self) -> Screen[None]:
        return MainScreen(clock=self.clock, database=self.engine_for_ui)

    async def run_action(
        self,
        action: str | ActionParseResult,
        default_namespace: DOMNode | None = None,
        namespaces: Mapping[str, DOMNode] | None = None,
    ) -> bool:
        """Every key's action, once the database layer is imported (``settled``); a list's
        cursor moves at once (they import nothing, and the first screen of a long list is
        up before the warm-up is done: ``j`` then waited 0.7 s at a million accounts)."""
        name = action if isinstance(action, str) else action[1]
        if not (isinstance(default_namespace, LineTable) and name in LineTable.CURSOR_ACTIONS):
            self.settled()
        return await super().run_action(action, default_namespace, namespaces)

    def on_detail_requested(self, message: DetailRequested) -> None:
        message.stop()
        self.settled()
        self.open_detail(account_id=message.account_id, case_id=message.case_id)

    def action_help(self) -> None:
        """The keys of the screen ``?`` was pressed on: its own ``KEYS_HELP``, else the lists'."""
        self.add_class("-help-open")  # hides the toasts up (app.tcss)
        self.push_screen(HelpScreen(getattr(self.screen, "KEYS_HELP", None),
                                    getattr(self.screen, "WORDS_HELP", None)),
                         self._show_held)

    def notify(
        self, message: str, *, title: str = "", severity: SeverityLevel = "information",
        timeout: float | None = None, markup: bool = True,
    ) -> None:
        """A toast; while the help is open it would cover the keys being read, so the help
        holds it and it is shown, for its whole time, when the help closes."""
        try:
            asyncio.get_running_loop()
        except RuntimeError:  # a worker thread: hold or show it on the UI thread
            self.call_from_thread(self.notify, message, title=title, severity=severity,
                                  timeout=timeout, markup=markup)
            return
        screen = self.screen if self._screen_stack else None
        if isinstance(screen, HelpScreen):
            screen.hold(HeldNote(message, title, severity, timeout, markup))
        else:
            super().notify(message, title=title, severity=severity, timeout=timeout,
                           markup=markup)

    def _show_held(self, held: tuple[HeldNote, ...] | None) -> None:
        """The help closed: the toasts still up show again, then those it held."""
        self.remove_class("-help-open")
        for note in held or ():
            self.notify(note.message, title=note.title,
                        severity=cast("SeverityLevel", note.severity),
                        timeout=note.timeout, markup=note.markup)

    def action_handover(self) -> None:
        from ahr_tui.tui.screens.handover import HandoverScreen

        engine = self.engine_for_ui()
        if engine is not None:
            self.push_screen(HandoverScreen(engine=engine, clock=self.clock))

    def open_detail(self, *, account_id: int, case_id: int | None) -> None:
        from ahr_tui.tui.screens.detail import DetailScreen

        engine = self.engine_for_ui()
        if engine is None:
            return
        screen = DetailScreen(
            engine=engine, clock=self.clock, account_id=account_id, case_id=case_id
        )
        self.push_screen(screen)

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        """The palette (ctrl+p): the app's own commands first, then Textual's Theme and Quit
        (``palette.system_commands``)."""
        return system_commands(self, super().get_system_commands(screen))


def _label(db: str) -> str:
    """The database as shown in the header: a URL without its password."""
    if "://" not in db:
        return db
    from ahr_tui.service.database import url_label

    try:
        return url_label(db)
    except Exception:  # a label, not a connection: never fail on it
        return db.split("@")[-1]


def run(
    *, engine: Engine | Callable[[], Engine], clock: Clock, actor: Actor, db_label: str,
    first: Snapshot | None = None,
) -> None:
    """``ahr tui`` / ``ahr demo``: keyboard only (no mouse reporting over SSH)."""
    # Textual sizes the screen with shutil.get_terminal_size(), which believes COLUMNS and LINES
    # when they are exported (some shells and scripts do): the app would then never follow the
    # window's real size. The terminal's own size is the one to use.
    for name in ("COLUMNS", "LINES"):
        os.environ.pop(name, None)
    app = AhrApp(engine=engine, clock=clock, actor=actor, db_label=db_label, first=first)
    app.run(mouse=False)
    if app.signalled is not None:  # the exit status a shell expects of a signalled program
        raise SystemExit(128 + app.signalled)
