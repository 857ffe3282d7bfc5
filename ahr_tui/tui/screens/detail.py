"""The detail screen: one account (and the case the operator opened it from), in depth.

Pushed by the main screen on ``enter`` from either view. The App's action keys act on
``case_id``; ``reload()`` re-reads everything after an action or another operator's change. All
reading happens in a thread worker through ``service.detail``; the only live part is the time
left on an open case, re-rendered each tick only when its text changes.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, tzinfo
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Static

import ahr_tui.tui.screens.detail_text as fmt
from ahr_tui.errors import NotFound
from ahr_tui.rules import CaseStatus, Urgency, last_complete_day, time_left
from ahr_tui.service.case_view import CaseView
from ahr_tui.service.clock import Clock
from ahr_tui.service.database import read
from ahr_tui.service.detail import AccountDetail, load_account_detail
from ahr_tui.textsafe import clean_line
from ahr_tui.tui.failures import guarded
from ahr_tui.tui.keys import Place
from ahr_tui.tui.messages import DataChanged, DetailRequested
from ahr_tui.tui.widgets.case_table import LEVELS, level_of
from ahr_tui.tui.widgets.key_bar import KeyBar
from ahr_tui.tui.widgets.line_table import Column, LineTable
from ahr_tui.tui.widgets.sparkline import Sparkline

if TYPE_CHECKING:
    from ahr_tui.service.database import Database


class CaseChoice(LineTable):
    """The account's cases on its detail: ``j``/``k`` choose one; past the first or the last,
    and with the page keys, the detail scrolls instead (the list is as tall as its rows, so it
    never scrolls itself; at 80x24 the chart and the eligibility are below it)."""

    def __init__(self, scroll: Callable[[str], None], **kwargs: Any) -> None:
        super().__init__([Column("case", "", 20, flex=True)], empty_text="", **kwargs)
        self._scroll = scroll

    def action_cursor_down(self) -> None:
        if self.cursor_row >= self.row_count - 1:
            self._scroll("down")
        else:
            super().action_cursor_down()

    def action_cursor_up(self) -> None:
        if self.cursor_row <= 0:
            self._scroll("up")
        else:
            super().action_cursor_up()

    def action_page_down(self) -> None:
        self._scroll("page_down")

    def action_page_up(self) -> None:
        self._scroll("page_up")


class DetailScreen(Screen[None]):
    """Case, timeline, AHR chart, eligibility, contact, notifications and other cases."""

    CSS_PATH = "detail.tcss"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back"),
        Binding("enter", "open_case", "Open case"),
        Binding("j,down", "scroll('down')", "Scroll", show=False),
        Binding("k,up", "scroll('up')", "Scroll", show=False),
        Binding("pagedown,space", "scroll('page_down')", "Page", show=False),
        Binding("pageup", "scroll('page_up')", "Page", show=False),
    ]

    def __init__(
        self,
        *,
        engine: Database,
        clock: Clock,
        account_id: int,
        case_id: int | None = None,
        tick: float = 1.0,
        tz: tzinfo | None = None,
    ) -> None:
        super().__init__()
        self.engine = engine
        self.clock = clock
        self.account_id = account_id
        self.case_id = case_id
        self.tick = tick
        self.tz = tz  # None: the operator's local time zone
        self.detail: AccountDetail | None = None
        self._left_text = ""
        self._contact_text = ""
        self._timer: Timer | None = None

    @property
    def shown_case(self) -> CaseView | None:
        """The case shown (any status), as last read; None before the first read."""
        return self.detail.case if self.detail is not None else None

    @property
    def case_status(self) -> CaseStatus | None:
        """The status of the case shown (the footer ranks its keys by it)."""
        case = self.shown_case
        return case.status if case is not None and self.case_id is not None else None

    @property
    def place(self) -> Place:
        """Which keys apply (``keys.FOOTER_KEYS``): case actions only with a case."""
        return Place.CASE_DETAIL if self.case_id is not None else Place.ACCOUNT_DETAIL

    @property
    def case_list(self) -> LineTable:
        return self.query_one("#detail-case-list", LineTable)

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="detail-body"):
            yield Static(Text("loading…"), id="detail-title")
            yield Static(id="detail-case", classes="section")
            yield Static(id="detail-left")
            # How to reach the seller, before the timeline and the chart: the operator calling
            # them reads the number here (and in the c dialog), with the time where it rings.
            yield Static(id="detail-contact", classes="section")
            yield Static(id="detail-timeline", classes="section")
            # The account's (other) cases: first on an account's own detail, enter opens one.
            yield Static(id="detail-cases")
            yield CaseChoice(self.action_scroll, id="detail-case-list")
            yield Static(id="detail-ahr", classes="section")
            yield Sparkline(id="detail-sparkline")
            yield Static(id="detail-eligibility", classes="section")
            yield Static(id="detail-notifications", classes="section")
        yield KeyBar()

    def on_mount(self) -> None:
        if self.case_id is None:
            self.case_list.focus()  # an account's detail: j/k choose a case, enter opens it
        else:
            self.query_one("#detail-body").focus()
        self.reload()
        self._timer = self.set_interval(self.tick, self.refresh_left)

    # ---------------------------------------------------------------- loading

    def on_data_changed(self, message: DataChanged) -> None:
        """The App saw another process (or an action here) write: read everything again."""
        message.stop()
        self.reload()

    def reload(self) -> None:
        """Re-read the account and case (after an action here or a change elsewhere)."""
        self._load(self.clock())

    @work(thread=True, exclusive=True, exit_on_error=False, group="detail")
    @guarded("read the detail", status="#detail-title", once=True)
    def _load(self, now: datetime) -> None:
        try:
            detail = read(
                self.engine, load_account_detail, self.account_id, last_complete_day(now),
                case_id=self.case_id,
            )
        except NotFound as exc:  # an answer, not a failure: the title says it
            self.app.call_from_thread(self._show_problem, clean_line(exc.message))
            return
        self.app.call_from_thread(self._show, detail)

    def _show_problem(self, message: str) -> None:
        self.query_one("#detail-title", Static).update(Text(message))

    def _show(self, detail: AccountDetail) -> None:
        self.detail = detail
        self.query_one("#detail-title", Static).update(fmt.title(detail))
        has_case = detail.case is not None
        for name in ("case", "left", "timeline"):
            self.query_one(f"#detail-{name}").display = has_case
        if detail.case is not None:
            self.query_one("#detail-case", Static).update(fmt.case_block(
                detail.case, self.tz, [e.at for e in detail.events if e.action == "attempt"]))
            self.query_one("#detail-timeline", Static).update(fmt.timeline(detail.events))
        self.query_one("#detail-ahr", Static).update(fmt.ahr_heading(detail))
        self.query_one(Sparkline).set_series(detail.series, detail.window_start)
        self.query_one("#detail-eligibility", Static).update(fmt.eligibility(detail))
        self.query_one("#detail-notifications", Static).update(fmt.notifications(detail))
        self.query_one("#detail-cases", Static).update(fmt.cases_heading(detail, self.case_id))
        rows = fmt.case_rows(detail, self.case_id)
        self.case_list.set_rows([(line,) for _, line in rows], keys=[i for i, _ in rows])
        self.case_list.styles.height = len(rows) + 1 if rows else 0
        self.app.refresh_bindings()
        self._left_text = self._contact_text = ""
        self.refresh_left()

    # ------------------------------------------------------------ live parts

    def refresh_left(self) -> None:
        """The live parts, each Static updated only when its text changes: the time left, and
        the time where the seller's phone rings (a new minute)."""
        now = self.clock()
        text = self.left_text(now)
        if text.plain != self._left_text:
            self._left_text = text.plain
            self.query_one("#detail-left", Static).update(text)
        if self.detail is not None:
            contact = fmt.contact(self.detail, now)
            if contact.plain != self._contact_text:
                self._contact_text = contact.plain
                self.query_one("#detail-contact", Static).update(contact)

    def left_text(self, now: datetime) -> Text:
        """While active: the time as a sentence words it (``rules.time_left``'s phrase:
        ``2d 22h left``, ``31m 20s overdue``, ``8h 00m past the deadline``, ``1d 10h to
        spare``) and the urgency (word and glyph, as in the Cases view; once overdue the phrase
        says so and only the mark is added: ``!!! 31m 20s overdue``); else the outcome."""
        case = self.detail.case if self.detail is not None else None
        if case is None:
            return Text("")
        level = LEVELS.get(level_of(case, now))
        if level is not None:
            left = time_left(case.status, case.due, now, responded_at=case.responded_at)
            # Past the due moment the phrase says "overdue" itself: the glyph marks it without
            # colour, and the level's word would only say it again.
            shown = (f"{level.mark} {left.phrase}" if left.level == Urgency.OVERDUE
                     else f"{left.phrase}  " + f"{level.mark} {level.name}".strip())
            style = level.style_for(self.app.no_color)
            return Text.assemble(("Time  ", "bold"), (shown, style))
        closed = case.closed_at.astimezone(UTC) if case.closed_at else None
        when = f" at {closed:%Y-%m-%d %H:%M} UTC" if closed else ""
        return Text.assemble(("Closed  ", "bold"), f"{case.status.value}{when}")

    # -------------------------------------------------------------- actions

    def action_back(self) -> None:
        self.dismiss()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "open_case":  # hidden, not dimmed, with no other case to open
            return self.is_mounted and self.case_list.row_count > 0
        return True

    def action_open_case(self) -> None:
        """``enter``: the detail of the case under the list's cursor (esc comes back here)."""
        case_id = self.case_list.cursor_key
        if isinstance(case_id, int):
            self.post_message(DetailRequested(self.account_id, case_id))

    def action_scroll(self, how: str) -> None:
        body = self.query_one("#detail-body", VerticalScroll)
        getattr(body, f"scroll_{how}")(animate=False)
