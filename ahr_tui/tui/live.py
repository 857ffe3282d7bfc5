"""The live case list: the app's reads of the cases, its polls and its ticks.

A base class of ``AhrApp``, so that ``app.py`` keeps the screens and keys. A poll of the change
marker every ``poll`` seconds reads what another process (or this one) wrote since the last
read; a tick every ``tick`` seconds moves the countdowns, the header's coverage count and the
terminal's title; an open case that passes its deadline is expired here (the same transition as
``ahr sweep``). Every read and write runs in a thread worker under ``failures.guarded``.

At 100,000 active cases a load takes seconds and the coverage count seconds of CPU: one read of
the cases runs at a time (a poll meanwhile is skipped), and the count runs in a worker (one at a
time, the latest wins), so neither holds the UI thread's keys (the Accounts filter's included).
"""

from __future__ import annotations

import contextlib
import gc
from datetime import datetime
from typing import TYPE_CHECKING

from textual import work
from textual.worker import Worker

from ahr_tui import wording
from ahr_tui.errors import Conflict
from ahr_tui.rules import Role
from ahr_tui.rules.coverage import Roster
from ahr_tui.service.case_view import CaseView, in_list_order
from ahr_tui.service.snapshots import (
    FIRST_CASES,
    Changes,
    Snapshot,
    load_changes,
    load_first,
    load_marker,
    load_snapshot,
)
from ahr_tui.tui.failures import guarded, status_text
from ahr_tui.tui.messages import CasesChanged, CasesLoaded, DataChanged, MainReady
from ahr_tui.tui.opening import DatabaseOpening, read_failed
from ahr_tui.tui.screens.main import MainScreen

if TYPE_CHECKING:
    from ahr_tui.service.database import Database as Engine

#: What the live list's reads do, for "could not ..." (``failures.guarded``).
READ_CASES = "read the cases"
#: New objects between two young collections (Python's default: 700). A worker reading a
#: million ids or a snapshot allocates millions: at 700, every ~70,000 a full collection
#: followed, each 50-350 ms with every thread stopped (pty bench at 1M accounts).
YOUNG_OBJECTS = 50_000
#: Loads and changes shown between two full collections of what ``_freeze`` froze.
COLLECT_EVERY = 50
#: How long the toast that says cases expired stays up: it covers rows of the list (at 80x24
#: the default 5 s of Textual's toasts hid them for long), and the rows say it as well.
EXPIRY_TOAST_SECONDS = 3.0


class LiveCases(DatabaseOpening):
    """The cases as last read (``cases_by_id``), kept live on the main screen."""

    db_label: str

    def init_live(
        self, *, first: Snapshot | None, tick: float, poll: float, first_cases: int = FIRST_CASES
    ) -> None:
        """``first``: a snapshot to show in the first frame (read without the engine); when it
        is not ``complete``, the whole list is read once the engine is open. ``first_cases``:
        how many of the most urgent cases a start without ``first`` reads before the rest."""
        self._first = first
        self.first_cases = first_cases
        self.tick_seconds = tick
        self.poll_seconds = poll
        self.role: Role | None = None
        self.marker: int | None = None
        self.paused = False
        self.cases_by_id: dict[int, CaseView] = {}
        self.roster: Roster | None = None  # who works when; None until the database layer loads
        self._coverage_key: tuple[object, ...] | None = None
        self._polling: Worker[None] | None = None  # the last poll's read, the last load
        self._loading: Worker[None] | None = None
        self._counting: Worker[None] | None = None  # the count of uncovered moments running
        self._expiring = False
        self._expiry_failed_at: int | None = None  # the marker when expiry last failed
        self.terminal_title = ""
        self._gc_thresholds: tuple[int, ...] | None = None  # the collector's, before ours
        self._shows = 0  # snapshots shown (``_freeze``)

    @property
    def main(self) -> MainScreen:
        return next(s for s in self.screen_stack if isinstance(s, MainScreen))

    @property
    def live(self) -> bool:
        """The main screen is up with its widgets: not yet while the app starts (a key typed
        then is checked against a list not yet mounted), no longer while it closes (a worker's
        result may arrive after the screens are gone)."""
        return any(isinstance(s, MainScreen) and s.ready for s in self.screen_stack)

    def on_main_ready(self, message: MainReady) -> None:
        message.stop()
        self.start_live()

    def start_live(self) -> None:
        """Once the main screen is mounted: first load, then ticks and polls."""
        self.main.header.update_state(operator=self.actor.name, db_label=self.db_label)
        if self._first is not None:
            self.show(self._first)  # in the first frame; the worker opens the engine after it
            self._first = None
            self.call_after_refresh(self.warm_up)
        else:
            self.reload(first=True)
        self._gc_thresholds = gc.get_threshold()
        gc.set_threshold(YOUNG_OBJECTS, *self._gc_thresholds[1:])
        self.set_interval(self.tick_seconds, self.tick, name="tick")
        self.set_interval(self.poll_seconds, self.poll, name="poll")
        self._write_terminal("\x1b[22;2t")  # save the terminal's title, restored on exit

    def on_unmount(self) -> None:
        self._write_terminal("\x1b[23;2t")
        gc.unfreeze()  # what ``show`` froze can be collected again once the app is gone
        if self._gc_thresholds is not None:
            gc.set_threshold(*self._gc_thresholds)

    # ------------------------------------------------------------- loading

    def reload(self, *, first: bool = False) -> None:
        """Read every active case again (a worker; a reload running is superseded). ``first``:
        the ``first_cases`` most urgent are read and shown before the whole list."""
        self._loading = self._load(first)

    @work(thread=True, exclusive=True, group="load", exit_on_error=False)
    @guarded(READ_CASES, once=True, after=read_failed)
    def _load(self, first: bool) -> None:
        if first:
            snap = load_first(self.engine, self.actor.name, self.first_cases)
            self.post_message(CasesLoaded(snap))
            if snap.complete:
                return
        self.post_message(CasesLoaded(load_snapshot(self.engine, self.actor.name)))

    def warmed_up(self, engine: Engine) -> None:
        """The hours of work, for the header's coverage count, once the engine is open; the
        whole list, when only its first screen is shown."""
        if self.marker is None:  # only the first screen is shown (``quick_snapshot``'s
            # ``first``): the poll reads the whole list now, not at its next interval
            self.call_from_thread(self.poll)
        if self.roster is not None:
            return
        from ahr_tui.service.database import failures
        from ahr_tui.service.shifts import load_roster

        try:
            roster = load_roster(engine)
        except failures():
            return  # the next load brings it (and says what failed)
        self.call_from_thread(self._set_roster, roster)

    def _set_roster(self, roster: Roster) -> None:
        if self.roster is None and self.live:
            self.roster = roster
            self._update_coverage(self.clock())

    def poll(self) -> None:
        """Read what another process (or this one) changed since the last load: the cases of
        the accounts its events name (a few rows), or everything after an import.

        At most one read of the cases runs at a time: a poll while a load or an earlier poll is
        still reading is skipped, not started beside it (a load of 100,000 cases takes
        seconds; polls piled up behind it each read and showed every case again)."""
        if self.paused or self.bulk_running:  # a bulk action reloads once, when it is done
            return
        if any(w is not None and not w.is_finished for w in (self._polling, self._loading)):
            return
        self._polling = self._poll_read()

    @work(thread=True, group="poll", exit_on_error=False)
    def _poll_read(self) -> None:
        self._read_changes()

    @guarded(READ_CASES, once=True, after=read_failed)
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
            CasesChanged(result) if isinstance(result, Changes) else CasesLoaded(result)
        )

    def on_cases_loaded(self, message: CasesLoaded) -> None:
        if not self.live or (self.paused and self.marker is not None):
            return
        self.show(message.snapshot)

    def on_cases_changed(self, message: CasesChanged) -> None:
        changes = message.changes
        if not self.live or self.paused or self.marker is None or self.marker >= changes.marker:
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
                cases=in_list_order(by_id.values()), marker=changes.marker, role=changes.role,
                shifts=changes.shifts,
            )
        )

    def show(self, snap: Snapshot) -> None:
        """Show ``snap``. One that is not ``complete`` (the first screen of a long list) leaves
        the marker None, so that the next read is the whole list and no change is merged into
        a part; the header says the rest is loading, and the uncovered count and the terminal's
        title wait for the whole list. Once a whole list is shown, a part is not shown again."""
        if not snap.complete and self.marker is not None:
            return
        self._failed = None
        self.marker = snap.marker if snap.complete else None
        self.role = snap.role
        self.cases_by_id = {c.id: c for c in snap.cases}
        now = self.clock()
        self.main.header.update_state(role=snap.role.value if snap.role else None)
        self.main.has_accounts = snap.accounts
        self.main.show_cases(snap.cases, now, complete=snap.complete)
        self.cases_shown()
        if snap.shifts is not None:
            self.roster = Roster(snap.shifts)
        if snap.complete:
            self._update_coverage(now)
            self._set_title(now)
        self.refresh_bindings()
        if self.screen is not self.main:
            self.screen.post_message(DataChanged())
        self._freeze()

    def _freeze(self) -> None:
        """The cases and their rows stay until the next load: out of the cyclic collector's
        generations, whose full collections scanned them (0.2-0.35 s with 108,000 active
        cases, every thread stopped, keys included). Reference counting still frees them;
        what was in a reference cycle when frozen (a dialog open then, closed later) is freed
        by the full collection every ``COLLECT_EVERY`` loads, at a load (which pauses anyway)."""
        self._shows += 1
        if self._shows % COLLECT_EVERY == 0:
            gc.unfreeze()
            gc.collect()
        gc.freeze()

    def read_failed(self, sentence: str) -> None:
        """Reading the cases (or opening the database) failed; ``failures.guarded`` has said
        why. While no case has been read, the header says it instead of "loading cases…"."""
        super().read_failed(sentence)
        if self.marker is None and self.live:
            self.main.header.update_state(problem=status_text(READ_CASES, sentence).plain)

    # ---------------------------------------------------------------- time

    def tick(self) -> None:
        if self.paused or not self.live:
            return
        now = self.clock()
        self.main.tick(now)
        if self.marker is not None:  # the whole list is shown (``show``)
            self._update_coverage(now)
            self._set_title(now)
        self.refresh_availability()
        blocked = self._expiry_failed_at is not None and self._expiry_failed_at == self.marker
        if not self._expiring and not blocked and self.main.summary(now).expirable:
            self._expiring = True
            self.expire(now)

    def refresh_availability(self) -> None:
        """Refresh the footer when an action became possible or impossible (``CaseKeys``)."""

    def cases_shown(self) -> None:
        """The main screen shows a new list (``CaseKeys`` places the cursor after an action)."""

    @work(thread=True, exclusive=True, group="expire", exit_on_error=False)
    @guarded("expire overdue cases", once=True, after=lambda app, _: app.expiry_failed())
    def expire(self, now: datetime) -> None:
        """Apply expiry to open cases past their deadline; another TUI may have done it first."""
        from ahr_tui.service.sweep import expire_due

        expired: list[int] = []
        with contextlib.suppress(Conflict):  # another process expired them first: reload shows it
            expired = expire_due(self.engine, now=now, actor=self.actor)
        self.call_from_thread(self._expired, expired)

    def expiry_failed(self) -> None:
        """E.g. a read-only database: tried again once the data changes, not every second."""
        self._expiry_failed_at = self.marker
        self._expired()

    def _expired(self, expired: list[int] | None = None) -> None:
        """The expiry ended; the operator is told which cases it expired (the list changes
        under the cursor). The program expired them, not the operator: the toast says so, as
        the case's timeline does (``rules.automatic.shown_actor``), in one short line for a
        moment (``EXPIRY_TOAST_SECONDS``): the rows and the header say it too."""
        self._expiring = False
        if expired:
            which = f"case {expired[0]}" if len(expired) == 1 else wording.count(
                len(expired), "case")
            self.notify(f"{which}: no response within 72 hours", title="expired automatically",
                        timeout=EXPIRY_TOAST_SECONDS, markup=False)
        self.poll()

    def _update_coverage(self, now: datetime) -> None:
        """The header's count of uncovered due moments in the next 24 hours: counted again when
        the cases or the hours change, and once a minute as moments come into the window."""
        if self.roster is None or self.marker is None:  # no whole list shown yet
            return
        key = (self.marker, id(self.roster), now.replace(second=0, microsecond=0))
        if key == self._coverage_key:
            return
        self._coverage_key = key
        if self._counting is None:  # else the running count, when done, starts this one
            self._counting = self._count_uncovered(
                key, list(self.cases_by_id.values()), self.roster, now)

    @work(thread=True, group="coverage", exit_on_error=False,
          description="count the uncovered due moments")  # no repr of 100,000 cases
    def _count_uncovered(
        self, key: tuple[object, ...], cases: list[CaseView], roster: Roster, now: datetime
    ) -> None:
        """In a worker: at 100,000 active cases the count takes seconds of the CPU, which on
        the UI thread held every key (the Accounts filter's included) until it was done."""
        from ahr_tui.service.shifts import uncovered_count

        count: int | None = None
        try:
            count = uncovered_count(cases, roster, now=now)
        finally:
            self.call_from_thread(self._counted, key, count)

    def _counted(self, key: tuple[object, ...], count: int | None) -> None:
        """A count is done (None: it failed): shown if it is of the current cases, hours and
        minute; else the current ones are counted now (one count at a time, the latest wins)."""
        self._counting = None
        if not self.live or count is None:
            return
        if key == self._coverage_key:
            self.main.header.update_state(uncovered=count)
        else:
            self._coverage_key = None
            self._update_coverage(self.clock())

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

    def action_pause(self) -> None:
        self.paused = not self.paused
        self.main.header.update_state(paused=self.paused)
        if not self.paused:
            self.tick()
            self.reload()
