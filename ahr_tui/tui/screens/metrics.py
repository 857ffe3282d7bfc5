"""The metrics screen (``m``): ``ahr metrics`` for a lead at the keyboard.

The same figures as the command (``service.metrics``), the daily series as rows of bars, and each
operator's workload. Read in a thread worker; read again when another process changes data (the
app posts ``DataChanged``) or when ``[`` / ``]`` change the window. Everything fits 80x24 except
a long operator list, which scrolls; then a last line says which lines are shown, that more lie
below, and the keys that scroll (as ``?`` help does): at 80x24 a newcomer never found the
operators below the fold.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static

from ahr_tui.errors import DatabaseProblem
from ahr_tui.service.metrics import (
    REACHED_LABEL,
    SERIES,
    Metrics,
    compute,
    duration_text,
    median_text,
    share_text,
)
from ahr_tui.textsafe import clean_line
from ahr_tui.tui.dialogs.help import ScreenHelp
from ahr_tui.tui.failures import guarded
from ahr_tui.tui.keys import SHOWN_HELP_QUIT
from ahr_tui.tui.messages import DataChanged
from ahr_tui.tui.widgets.daily_bars import DailyBars, Series

if TYPE_CHECKING:
    from ahr_tui.service.database import Database as Engine

#: The windows ``[`` and ``]`` step through, in days.
WINDOWS = (7, 14, 30, 90, 180, 365)
DEFAULT_DAYS = 30


class MetricsScreen(Screen[None]):
    CASE_ACTIONS = False  # no case under a cursor here: the app's case keys do not apply

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,m", "back", "Back"),
        Binding("left_square_bracket", "window(-1)", "Fewer days"),
        Binding("right_square_bracket", "window(1)", "More days"),
        Binding("j,down", "scroll('down')", "Scroll", show=False),
        Binding("k,up", "scroll('up')", "Scroll", show=False),
        Binding("h", "app.handover", "Handover"),  # the lists' footer offers it too
        *SHOWN_HELP_QUIT,
    ]
    #: What ``?`` says here: every key of ``BINDINGS`` (tests/tui/test_help.py checks).
    KEYS_HELP: ClassVar[ScreenHelp] = ("Metrics", (
        ("esc / m", "back to the list"),
        ("[ / ]", "a shorter / longer window: " + ", ".join(map(str, WINDOWS)) + " UTC days"),
        ("j / k, ↓ / ↑", "scroll (the operators' list may run below the screen)"),
        ("h", "handover: due moments per hour against who is on shift"),
    ))
    #: The figures' short words (``?`` says them under the keys).
    WORDS_HELP: ClassVar[tuple[tuple[str, str], ...]] = (
        ("p50", "median of the (N cases) shown: half took less, half more"),
        ("72 hours ended", "cases whose 72 hours ended in the window (responded or expired): "
                           "the base of reached, in time and expired"),
        ("reached", f"{REACHED_LABEL}: counted once an attempt with outcome reached is "
                    "logged (c, ahr case attempt); a case opened or imported as contacted "
                    "counts only after such an attempt is logged"),
        ("backlog", "active cases at the window's end; age from detection"),
        ("· total peak", "daily bars: · none that day; the window's total; the busiest day"),
        ("actions", "audit events the operator recorded in the window"),
    )

    CSS_PATH = "metrics.tcss"

    def __init__(self, *, engine: Callable[[], Engine | None], clock: Callable[[], datetime],
                 days: int = DEFAULT_DAYS) -> None:
        super().__init__()
        self._engine = engine
        self.clock = clock
        self.days = days
        self.figures: Metrics | None = None

    def compose(self) -> ComposeResult:
        yield Static(Text("Metrics: reading..."), id="metrics-title")
        with VerticalScroll(id="metrics-body"):
            yield Static(Text(""), id="metrics-figures")
            yield DailyBars(id="metrics-daily")
            yield Static(Text(""), id="metrics-operators")
        yield Static(Text(""), id="metrics-more")
        yield Footer()

    def on_mount(self) -> None:
        self.watch(self.body, "scroll_y", self._say_where, init=False)
        self.load()

    @property
    def body(self) -> VerticalScroll:
        return self.query_one("#metrics-body", VerticalScroll)

    def on_resize(self) -> None:
        self.call_after_refresh(self._say_where)

    def _say_where(self) -> None:
        """Shown only while the figures are taller than the screen: ``lines 1-21 of 25, more
        below: j/k ↓/↑ scroll`` (``?`` help's words for the same)."""
        body, line = self.body, self.query_one("#metrics-more", Static)
        total = body.virtual_size.height
        shown = body.scrollable_content_region.height
        if line.display != (total > shown):  # the line takes a row from the body: count again
            line.display = total > shown
            self.call_after_refresh(self._say_where)
            return
        if total > shown:
            top = round(body.scroll_y)
            last = min(total, top + shown)
            more = ", more below" if last < total else ""
            line.update(Text(f"lines {top + 1}-{last} of {total}{more}: "
                             "j/k ↓/↑ scroll"))

    @work(thread=True, exclusive=True, group="metrics", exit_on_error=False)
    @guarded("read the metrics", status="#metrics-title", once=True)
    def load(self) -> None:
        engine = self._engine()
        if engine is None:
            raise DatabaseProblem("the database is not open yet; try again in a moment.")
        figures = compute(engine, days=self.days, now=self.clock())
        self.app.call_from_thread(self.show, figures)

    def on_data_changed(self, message: DataChanged) -> None:
        message.stop()
        self.load()

    def show(self, m: Metrics) -> None:
        self.figures = m
        title = Text(f"Metrics: {m.first_day} to {m.last_day} ({self.days} UTC days)")
        self.query_one("#metrics-title", Static).update(title)
        self.query_one("#metrics-figures", Static).update(figures_text(m))
        daily = [Series(s, [d.counts[s] for d in m.daily]) for s in SERIES]
        self.query_one(DailyBars).show(daily, m.first_day, m.last_day)
        self.query_one("#metrics-operators", Static).update(operators_text(m))
        self.call_after_refresh(self._say_where)

    def action_back(self) -> None:
        self.dismiss()

    def action_window(self, step: int) -> None:
        known = [d for d in WINDOWS if d <= self.days] or [WINDOWS[0]]
        index = WINDOWS.index(known[-1]) + step
        self.days = WINDOWS[max(0, min(len(WINDOWS) - 1, index))]
        self.load()

    def action_scroll(self, how: str) -> None:
        # immediate: keys in a burst (a held j over SSH) each move one more line; deferred to
        # the next refresh, each started from the same line and a burst of six moved one
        getattr(self.body, f"scroll_{how}")(animate=False, immediate=True)


def figures_text(m: Metrics) -> Text:
    """The figures in eight short lines (each fits 78 columns with four-digit counts)."""
    backlog = " · ".join(f"{status} {n}" for status, n in sorted(m.backlog.items())) or "none"
    lines = [
        f"detected {m.detected}   opened {m.opened}",
        # each median with how many cases it covers: "0m 00s" alone, over 2 cases, read as a bug
        "first contact p50 "
        f"{median_text(m.time_to_first_contact_p50_s, m.time_to_first_contact_cases)}   "
        f"reach p50 {median_text(m.time_to_reach_p50_s, m.time_to_reach_cases)}",
        # counts beside the percentages (as ``ahr metrics`` writes them): 1 of 25 (4 %)
        f"72 hours ended for {m.outcomes} {cases(m.outcomes)}:",
        f"  {REACHED_LABEL} {share_text(m.reached_rate, m.outcomes)}",
        f"  responded in time {share_text(m.responded_in_time_rate, m.outcomes)}   "
        f"expired {share_text(m.expired_rate, m.outcomes)}",
        f"closed: resolved {m.resolved}   deactivated {m.deactivated}   fraud {m.fraud}",
        f"backlog {sum(m.backlog.values())}: {backlog}",
        f"backlog age: median {duration_text(m.backlog_age_p50_s)}, oldest "
        f"{duration_text(m.backlog_age_max_s)}",
    ]
    return Text("\n".join(lines))


def cases(n: int) -> str:
    return "case" if n == 1 else "cases"


def operators_text(m: Metrics) -> Text:
    """Each operator's workload: a header and a line each (names shown literally)."""
    width = max([8, *(len(clean_line(o.name)) for o in m.per_operator)])
    width = min(width, 24)
    text = Text(f"{'operator':<{width}}  {'actions':>8}  {'assigned':>8}  {'resolved':>8}",
                style="bold")
    for o in m.per_operator:
        name = clean_line(o.name)
        name = name if len(name) <= width else name[: width - 1] + "…"
        text.append(f"\n{name:<{width}}  {o.actions:>8}  {o.assigned_active:>8}  "
                    f"{o.resolved:>8}")
    if not m.per_operator:
        text.append("\n(no operators)")
    return text
