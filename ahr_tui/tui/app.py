"""The account managers' TUI: one app factory (``AhrApp``) for ``ahr tui``, ``ahr demo`` and tests.

Engine, clock, operator and timings are injected; nothing reads argv, opens a database or reads
the clock in ``compose``. Database work runs in thread workers, each with its own session:
a poll of the change marker every ``poll`` seconds reloads the cases when another process wrote
something, a tick every ``tick`` seconds moves the countdowns, and an open case that passes its
deadline is expired here (the same transition as ``ahr sweep``).

Start-up (DESIGN section 7): ``ahr tui`` on an SQLite file hands the app a first snapshot read
with the standard library and a function that opens the engine. The first frame shows that
snapshot; a worker then opens the engine and imports SQLAlchemy, the service layer and the later
screens (about 0.4 s), so nothing on the way to the first frame waits for them.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import os
import signal
import threading
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual import events, work
from textual.app import SystemCommand
from textual.binding import Binding, BindingType
from textual.command import Provider
from textual.geometry import Size
from textual.message import Message
from textual.screen import ModalScreen, Screen

from ahr_tui.errors import Conflict
from ahr_tui.rules import Role
from ahr_tui.rules.coverage import Roster
from ahr_tui.service.case_view import CaseView
from ahr_tui.service.clock import Clock
from ahr_tui.service.identity import Actor
from ahr_tui.service.snapshots import (
    Changes,
    Snapshot,
    load_case,
    load_changes,
    load_marker,
    load_snapshot,
)
from ahr_tui.textsafe import clean_line
from ahr_tui.tui import nocolor
from ahr_tui.tui.case_actions import (
    SPECS,
    attempt_call,
    consequence,
    outcome,
    refusal,
    service_call,
)
from ahr_tui.tui.dialogs.action import ActionDialog
from ahr_tui.tui.dialogs.attempt import AttemptDialog
from ahr_tui.tui.dialogs.help import HelpScreen
from ahr_tui.tui.failures import guarded, status_text
from ahr_tui.tui.keys import Place, applies, split_joined_escape
from ahr_tui.tui.list_commands import LIST_COMMANDS, ListCommands, bulk_applies
from ahr_tui.tui.messages import DetailRequested, MainReady, SelectionChanged
from ahr_tui.tui.palette import AppCommands
from ahr_tui.tui.screens.main import MainScreen
from ahr_tui.tui.screens.too_small import TooSmallScreen, too_small

if TYPE_CHECKING:
    from textual.actions import ActionParseResult
    from textual.dom import DOMNode

    from ahr_tui.service.database import Database as Engine

#: Loaded by a worker once the first frame is on screen, so the first keys do not wait for them.
LATER_MODULES = (
    "ahr_tui.service.cases",
    "ahr_tui.service.sweep",
    "ahr_tui.tui.screens.accounts",
    "ahr_tui.tui.screens.detail",
)


#: What the live list's reads do, for "could not ..." (``failures.guarded``).
READ_CASES = "read the cases"

#: The case keys and their actions (``c`` -> ``attempt``), for explaining a disabled one.
CASE_KEYS = {spec.key: spec.name for spec in SPECS.values()}

#: Textual's own palette commands that behave here; the others are left out of the palette.
TEXTUAL_COMMANDS_KEPT = frozenset({"Theme", "Quit"})


class AhrApp(ListCommands):
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

    class Loaded(Message):
        def __init__(self, snapshot: Snapshot) -> None:
            super().__init__()
            self.snapshot = snapshot

    class Changed(Message):
        def __init__(self, changes: Changes) -> None:
            super().__init__()
            self.changes = changes

    class DataChanged(Message):
        """Posted to a screen other than the main one when another process changed data."""

    def __init__(
        self, *, engine: Engine | Callable[[], Engine], clock: Clock, actor: Actor,
        db_label: str, first: Snapshot | None = None, tick: float = 1.0, poll: float = 1.0,
    ) -> None:
        """``engine`` may be a function that opens it, given the ``first`` snapshot read
        without it (``service.snapshots.quick_snapshot``): the first frame then shows that
        snapshot, and a worker opens the engine (and loads SQLAlchemy) once it is on screen."""
        super().__init__()
        nocolor.install(self)
        self._engine: Engine | None = None
        self._open_engine: Callable[[], Engine] | None = None
        if callable(engine):
            self._open_engine = engine
        else:
            self._engine = engine
        self._engine_lock = threading.Lock()
        # Set once the warm-up has imported the database layer. Two threads importing
        # SQLAlchemy at once can see a partly initialised module ("cannot import name
        # 'AdaptedConnection' from partially initialized module"), so every other thread waits
        # for it before it imports (``settled``); with an engine given, nothing warms up.
        self._warmed = threading.Event()
        self._warm_claimed = False  # by the one warm-up that imports; later ones only reopen
        self._claim_lock = threading.Lock()
        self._warming: threading.Thread | None = None
        if self._open_engine is None:
            self._warmed.set()
        self._first = first
        self.clock = clock
        self.actor = actor
        self.db_label = _label(db_label)
        self.tick_seconds = tick
        self.poll_seconds = poll
        self.role: Role | None = None
        self.marker: int | None = None
        self.paused = False
        self.cases_by_id: dict[int, CaseView] = {}
        self.roster: Roster | None = None  # who works when; None until the database layer loads
        self._coverage_key: tuple[object, ...] | None = None
        self._expiring = False
        self._expiry_failed_at: int | None = None  # the marker when expiry last failed
        self._failed: str | None = None
        self.terminal_title = ""
        self.sub_title = clean_line(self.db_label)
        self._availability: tuple[object, ...] = ()
        self.signalled: int | None = None  # the signal that ended the app, if one did

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
        self.exit(return_code=128 + signum)

    def get_default_screen(self) -> Screen[None]:
        return MainScreen(clock=self.clock, database=self.engine_for_ui)

    @property
    def engine(self) -> Engine:
        """The engine, opened on first use; a caller on the UI thread may wait for the worker
        that is opening it (only in the first half second after start)."""
        if threading.current_thread() is not self._warming:
            self.settled()
        return self._opened()

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
            self.notify(
                self._failed or "the database is still opening; try again in a moment.",
                title="database", severity="warning", markup=False,
            )
            self.warm_up()
        return self._engine

    @property
    def main(self) -> MainScreen:
        return next(s for s in self.screen_stack if isinstance(s, MainScreen))

    def on_main_ready(self, message: MainReady) -> None:
        message.stop()
        self.start_live()

    def on_selection_changed(self, message: SelectionChanged) -> None:
        message.stop()
        self.refresh_availability()  # a run of keys (space held down) refreshes the footer once

    async def run_action(
        self,
        action: str | ActionParseResult,
        default_namespace: DOMNode | None = None,
        namespaces: Mapping[str, DOMNode] | None = None,
    ) -> bool:
        """Every key's action, once the database layer is imported (``settled``)."""
        self.settled()
        return await super().run_action(action, default_namespace, namespaces)

    def on_detail_requested(self, message: DetailRequested) -> None:
        message.stop()
        self.settled()
        self.open_detail(account_id=message.account_id, case_id=message.case_id)

    def start_live(self) -> None:
        """Once the main screen is mounted: first load, then ticks and polls."""
        self.main.header.update_state(operator=self.actor.name, db_label=self.db_label)
        if self._first is not None:
            self.show(self._first)  # in the first frame; the worker opens the engine after it
            self._first = None
            self.call_after_refresh(self.warm_up)
        else:
            self.reload()
        self.set_interval(self.tick_seconds, self.tick, name="tick")
        self.set_interval(self.poll_seconds, self.poll, name="poll")
        self._write_terminal("\x1b[22;2t")  # save the terminal's title, restored on exit

    def on_unmount(self) -> None:
        self._write_terminal("\x1b[23;2t")

    # ------------------------------------------------------------- loading

    @work(thread=True, exclusive=True, group="load", exit_on_error=False)
    @guarded(READ_CASES, once=True, after=lambda app, sentence: app.read_failed(sentence))
    def reload(self) -> None:
        self.post_message(self.Loaded(load_snapshot(self.engine, self.actor.name)))

    @work(thread=True, exclusive=True, group="warm-up", exit_on_error=False)
    @guarded("open the database", once=True, after=lambda app, sentence: app.read_failed(sentence))
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
        if self.roster is None and self._engine is not None:
            from ahr_tui.service.database import failures
            from ahr_tui.service.shifts import load_roster

            try:
                roster = load_roster(self._engine)
            except failures():
                return  # the next load brings it (and says what failed)
            self.call_from_thread(self._set_roster, roster)

    @guarded("open the database", once=True, after=lambda app, sentence: app.read_failed(sentence))
    def _open_said(self) -> None:
        self._opened()

    def _set_roster(self, roster: Roster) -> None:
        if self.roster is None:
            self.roster = roster
            self._update_coverage(self.clock())

    @work(thread=True, exclusive=True, group="poll", exit_on_error=False)
    def poll(self) -> None:
        """Read what another process (or this one) changed since the last load: the cases of
        the accounts its events name (a few rows), or everything after an import."""
        if self.paused or self.bulk_running:  # a bulk action reloads once, when it is done
            return
        self._read_changes()

    @guarded(READ_CASES, once=True, after=lambda app, sentence: app.read_failed(sentence))
    def _read_changes(self) -> None:
        since = self.marker
        marker = load_marker(self.engine)
        if marker == since:
            return
        if since is None or marker < since:  # a first load, or a database restored
            result: Changes | Snapshot = load_snapshot(self.engine, self.actor.name)
        else:
            result = load_changes(self.engine, since, self.actor.name)
        self.post_message(
            self.Changed(result) if isinstance(result, Changes) else self.Loaded(result)
        )

    def on_ahr_app_loaded(self, message: Loaded) -> None:
        if self.paused and self.marker is not None:
            return
        self.show(message.snapshot)

    def on_ahr_app_changed(self, message: Changed) -> None:
        changes = message.changes
        if self.paused or self.marker is None or self.marker >= changes.marker:
            return  # paused, or a newer load already shows these changes
        if self.marker != changes.since:
            self.reload()  # a load landed in between: read it all rather than guess
            return
        by_id = dict(self.cases_by_id)
        for case in changes.cases:
            if case.status.is_active:
                by_id[case.id] = case
            else:
                by_id.pop(case.id, None)
        self.show(
            Snapshot(
                cases=list(by_id.values()), marker=changes.marker, role=changes.role,
                shifts=changes.shifts,
            )
        )

    def show(self, snap: Snapshot) -> None:
        self._failed = None
        self.marker = snap.marker
        self.role = snap.role
        self.cases_by_id = {c.id: c for c in snap.cases}
        now = self.clock()
        self.main.header.update_state(role=snap.role.value if snap.role else None)
        self.main.show_cases(snap.cases, now)
        if snap.shifts is not None:
            self.roster = Roster(snap.shifts)
        self._update_coverage(now)
        self._set_title(now)
        self.refresh_bindings()
        if self.screen is not self.main:
            self.screen.post_message(self.DataChanged())

    def read_failed(self, sentence: str) -> None:
        """Reading the cases (or opening the database) failed; ``failures.guarded`` has said
        why. While no case has been read, the header says it instead of "loading cases…"."""
        self._failed = sentence
        if self.marker is None:
            self.main.header.update_state(problem=status_text(READ_CASES, sentence).plain)

    # ---------------------------------------------------------------- time

    def tick(self) -> None:
        if self.paused:
            return
        now = self.clock()
        self.main.tick(now)
        self._update_coverage(now)
        self._set_title(now)
        self.refresh_availability()
        blocked = self._expiry_failed_at is not None and self._expiry_failed_at == self.marker
        if not self._expiring and not blocked and self.main.summary(now).expirable:
            self._expiring = True
            self.expire(now)

    @work(thread=True, exclusive=True, group="expire", exit_on_error=False)
    @guarded("expire overdue cases", once=True, after=lambda app, _: app.expiry_failed())
    def expire(self, now: datetime) -> None:
        """Apply expiry to open cases past their deadline; another TUI may have done it first."""
        from ahr_tui.service.sweep import expire_due

        with contextlib.suppress(Conflict):  # another process expired them first: reload shows it
            expire_due(self.engine, now=now, actor=self.actor)
        self.call_from_thread(self._expired)

    def expiry_failed(self) -> None:
        """E.g. a read-only database: tried again once the data changes, not every second."""
        self._expiry_failed_at = self.marker
        self._expired()

    def _expired(self) -> None:
        self._expiring = False
        self.poll()

    def _update_coverage(self, now: datetime) -> None:
        """The header's count of uncovered due moments in the next 24 hours: counted again when
        the cases or the hours change, and once a minute as moments come into the window."""
        if self.roster is None:
            return
        key = (self.marker, id(self.roster), now.replace(second=0, microsecond=0))
        if key == self._coverage_key:
            return
        self._coverage_key = key
        from ahr_tui.service.shifts import uncovered_count

        count = uncovered_count(list(self.cases_by_id.values()), self.roster, now=now)
        self.main.header.update_state(uncovered=count)

    def _set_title(self, now: datetime) -> None:
        """The terminal's title, written when its text changes (at most once a minute, or when
        a count changes). Not ``App.title``: setting that repaints the whole screen."""
        title = self.main.title_text(now)
        if title != self.terminal_title:
            self.terminal_title = title
            self._write_terminal(f"\x1b]2;{title}\x07")

    def _write_terminal(self, sequence: str) -> None:
        """Our own fixed text only (no database strings) goes to the terminal this way."""
        driver = self._driver
        if driver is not None and not self.is_headless:
            driver.write(sequence)

    # ------------------------------------------------------------- actions

    def current_case(self) -> CaseView | None:
        """The detail screen's case when one is on top, else the case under the cursor."""
        case_id = getattr(self.screen, "case_id", None)
        if isinstance(self.screen, MainScreen) or case_id is None:
            return self.main.current_case
        # A final case is not in the live list; the detail screen holds it as last read.
        return self.cases_by_id.get(case_id) or getattr(self.screen, "shown_case", None)

    def open_engine(self) -> Engine:
        return self.engine

    def why_not(self, name: str) -> str | None:
        if bulk_applies(name, len(self.main.marked)) and self.screen is self.main:
            return None  # each marked case is decided on its own, and failures listed
        return refusal(
            SPECS[name], self.current_case(), operator=self.actor.name, role=self.role,
            now=self.clock(),
        )

    def refresh_availability(self) -> None:
        """Refresh the footer only when an action became possible or impossible."""
        state = (type(self.screen), *(self.why_not(name) for name in SPECS))
        if state != self._availability:
            self._availability = state
            self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "case" and parameters:
            action = str(parameters[0])  # case('respond') is decided as respond
        if action in LIST_COMMANDS:
            return self.list_command_allowed(action)
        if not applies(action, self.place):
            return False  # not offered here at all (keys.FOOTER_KEYS)
        if action in SPECS:
            if not self._acts_on_cases():
                return False
            return True if self.why_not(action) is None else None
        return True

    @property
    def place(self) -> Place | None:
        """Where the operator is (a view or a detail screen); None on a dialog or other screen."""
        return getattr(self.screen, "place", None)

    def _acts_on_cases(self) -> bool:
        """Case keys apply on this screen: not in a dialog, nor on one that shows no case (the
        handover: ``CASE_ACTIONS = False``)."""
        screen = self.screen
        return not isinstance(screen, ModalScreen) and getattr(screen, "CASE_ACTIONS", True)

    def explain(self, name: str) -> None:
        """A disabled action's key was pressed: say why (never as markup). Nothing is said
        where the action does not apply at all (a case action in the Accounts view)."""
        if not self._acts_on_cases() or not applies(name, self.place):
            return
        reason = self.why_not(name)
        if reason is not None:
            self.notify(reason, title=SPECS[name].title, severity="warning", markup=False)

    def on_key(self, event: events.Key) -> None:
        """A case key whose action cannot run here says why (one that can has run already)."""
        name = CASE_KEYS.get(event.key)
        if name is not None and not self.check_action("case", (name,)):
            self.explain(name)

    def run_case_action(self, name: str) -> None:
        """Open the action's dialog (or assign at once), or say why it cannot run."""
        reason = self.why_not(name)
        case = self.current_case()
        if reason is not None or case is None:
            self.explain(name)
            return
        spec = SPECS[name]
        if bulk_applies(name, len(self.main.marked)) and self.screen is self.main:
            self.run_bulk(name)
            return
        if spec.dialog is None:
            self.assign_to_me(case)
            return
        if name == "attempt":
            attempt = AttemptDialog(
                case, record=attempt_call(lambda: self.engine, self.actor, self.clock),
                reload=lambda case_id: load_case(self.engine, case_id),
            )
            self.push_screen(attempt, lambda updated: self._done(name, updated))
            return
        others = sum(
            1 for c in self.cases_by_id.values()
            if c.account_id == case.account_id and c.id != case.id
        )
        dialog = ActionDialog(
            spec.dialog, case,
            submit=service_call(spec, lambda: self.engine, self.actor, self.clock),
            reload=lambda case_id: load_case(self.engine, case_id),
            consequence=consequence(spec, case, others),
        )
        self.push_screen(dialog, lambda updated: self._done(name, updated))

    def _done(self, name: str, updated: CaseView | None) -> None:
        if updated is not None:
            self.notify(outcome(SPECS[name], updated), markup=False)
            self.reload()

    @work(thread=True, exclusive=True, group="assign", exit_on_error=False)
    @guarded("assign the case")
    def assign_to_me(self, case: CaseView) -> None:
        from ahr_tui.service import cases as case_service

        done = case_service.assign_case(
            self.engine, case.id, to=None, actor=self.actor, now=self.clock(),
            expected_version=case.version,
        )
        self.call_from_thread(self.notify, done.sentence, markup=False)
        if done.changed:
            self.call_from_thread(self.reload)

    def action_case(self, name: str) -> None:
        """``c o r x f a n``: the case action ``name`` (a key of ``case_actions.SPECS``)."""
        self.run_case_action(name)

    def action_pause(self) -> None:
        self.paused = not self.paused
        self.main.header.update_state(paused=self.paused)
        if not self.paused:
            self.tick()
            self.reload()

    def action_help(self) -> None:
        self.push_screen(HelpScreen())

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
        """The palette (ctrl+p): the app's own commands first, then Textual's Theme and Quit.

        Textual's Keys panel (it narrows the table and esc does not close it), Maximize and
        Screenshot (an SVG written into the working directory) are left out.
        """
        for spec in SPECS.values():
            yield SystemCommand(
                f"{spec.title} ({spec.key})", spec.help,
                lambda name=spec.name: self.run_case_action(name),
            )
        main = self.main
        for title, help_text, callback in (
            ("Filter cases (/)", "narrow the list as you type", main.action_filter),
            ("Cycle sort (s)", "urgency, seller, store, status", main.action_cycle_sort),
            ("Switch view (tab)", "Cases or Accounts", main.action_switch_view),
            ("Pause or resume live updates (p)", "freeze the list", self.action_pause),
            ("Handover and forecast (h)", "due moments per hour against who is on shift",
             self.action_handover),
            ("Help (?)", "every key", self.action_help),
        ):
            yield SystemCommand(title, help_text, callback)
        for command in super().get_system_commands(screen):
            if command.title in TEXTUAL_COMMANDS_KEPT:
                yield command


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
