"""``h``: the handover and the shift chart (due moments per hour against who is on shift).

The same handover as ``ahr handover`` (``service.handover``), read in a thread worker; ``t``
cycles the chart's horizon through 24, 48 and 72 hours; ``esc`` goes back. Text from the
database reaches the screen cleaned (``service.handover.lines``) and as ``Text``, never markup.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static

from ahr_tui.service.clock import Clock
from ahr_tui.tui.dialogs.help import ScreenHelp
from ahr_tui.tui.failures import guarded
from ahr_tui.tui.keys import SHOWN_HELP_QUIT
from ahr_tui.tui.widgets.hanging import Hanging, hang_of
from ahr_tui.tui.widgets.shift_chart import ShiftChart

if TYPE_CHECKING:
    from ahr_tui.service.database import Database as Engine
    from ahr_tui.service.handover import Handover

HORIZONS = (24, 48, 72)
#: What happened "since": the length of a shift.
LOOK_BACK = timedelta(hours=12)


class HandoverScreen(Screen[None]):
    CSS_PATH = "handover.tcss"
    CASE_ACTIONS = False  # no case under a cursor here: the app's case keys do not apply
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,h", "close", "Back"),
        Binding("t", "horizon", "24/48/72 h"),
        Binding("r", "reload", "Reload", show=False),
        *SHOWN_HELP_QUIT,
    ]
    #: What ``?`` says here: every key of ``BINDINGS`` (tests/tui/test_help.py checks).
    KEYS_HELP: ClassVar[ScreenHelp] = ("Handover", (
        ("esc / h", "back to where h was pressed"),
        ("t", "the chart's horizon: next 24, 48 or 72 hours (each press the next)"),
        ("r", "read the handover again"),
    ))
    #: The chart's and the report's short words (``?`` says them under the keys).
    WORDS_HELP: ClassVar[tuple[tuple[str, str], ...]] = (
        ("█", "due moments in that hour (deadlines, first contacts, warn/urgent/critical)"),
        ("▒, !", "uncovered: nobody whose role may act is on shift in that hour"),
        ("on", "operators on shift in that hour (- : none)"),
        ("UTC 08 Tue", "hours in UTC; a day's first hour shows its weekday (Tue: Tuesday)"),
        ("Z", "times ending in Z are UTC"),
        ("- -> open", "the state before and after (- : none, a case opened directly)"),
    )

    def __init__(self, *, engine: Engine, clock: Clock) -> None:
        super().__init__()
        self.engine = engine
        self.clock = clock
        self.hours = HORIZONS[0]
        self.report: Handover | None = None

    def compose(self) -> ComposeResult:
        yield Static(Text("Handover: loading…"), id="handover-title")
        yield ShiftChart(id="handover-chart")
        yield Static(Text(""), id="handover-legend")
        with VerticalScroll(id="handover-body"):
            yield Static(Text(""), id="handover-text")
        yield Footer()

    def on_mount(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, group="handover", exit_on_error=False)
    @guarded("read the handover", status="#handover-title")
    def load(self) -> None:
        from ahr_tui.service.handover import handover

        now = self.clock()
        report = handover(self.engine, now=now, since=now - LOOK_BACK, hours=self.hours)
        self.app.call_from_thread(self.show, report)

    def show(self, report: Handover) -> None:
        from ahr_tui.service.handover import lines

        self.report = report
        uncovered = len(report.uncovered)
        title = Text(f"Handover, next {self.hours} h: {len(report.due)} due, ")
        title.append(f"{uncovered} uncovered", style="bold reverse" if uncovered else "")
        self.query_one("#handover-title", Static).update(title)
        self.query_one(ShiftChart).show(report.per_hour)
        self.query_one("#handover-legend", Static).update(
            Text("█ due per hour  ▒/! nobody who may act is on shift  on: operators on shift")
        )
        # a long line continues under its text, not at column 0 (``Hanging``)
        body = Hanging((Text(line), hang_of(line)) for line in lines(report))
        self.query_one("#handover-text", Static).update(body)

    def action_close(self) -> None:
        self.dismiss(None)

    def action_horizon(self) -> None:
        self.hours = HORIZONS[(HORIZONS.index(self.hours) + 1) % len(HORIZONS)]
        self.load()

    def action_reload(self) -> None:
        self.load()
