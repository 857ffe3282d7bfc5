"""The main screen: the status header, the Cases view (default) and the Accounts view, the footer.

The app hands it data (``show_cases``) and clock ticks (``tick``); the screen owns what the
operator controls here: the filter, the sort, which view is shown and the cursor. The cursor
stays on its case whatever reloads, re-sorts or filters do, unless that case is gone.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, ClassVar, cast

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import Screen
from textual.widgets import ContentSwitcher, Input

from ahr_tui.rules import CaseStatus
from ahr_tui.rules.urgency import Urgency
from ahr_tui.service.case_list import SortKey, matched_by, shown
from ahr_tui.service.case_view import CaseView
from ahr_tui.service.clock import Clock
from ahr_tui.tui.keys import Place
from ahr_tui.tui.messages import DetailRequested, MainReady, SelectionChanged
from ahr_tui.tui.widgets.case_table import (
    CONTACT,
    CaseTable,
    LevelSummary,
    coarse_left,
    format_left,
)
from ahr_tui.tui.widgets.key_bar import KeyBar
from ahr_tui.tui.widgets.line_table import LineTable
from ahr_tui.tui.widgets.list_filter import (
    FilteredList,
    ListChanged,
    ListFilter,
    ListKeys,
    empty_list_text,
)
from ahr_tui.tui.widgets.status_header import NEEDS_ACTION, StatusHeader, count_word
from ahr_tui.wording import NO_ACCOUNTS_YET, count

if TYPE_CHECKING:
    from ahr_tui.service.database import Database
    from ahr_tui.tui.screens.accounts import AccountsView

CASES, ACCOUNTS, ACCOUNTS_VIEW = "cases-view", "accounts-view", "accounts"
#: The column that shows each field the filter searches (``case_list.FILTER_FIELDS``); the
#: seller id has none (the detail shows it).
FIELD_COLUMNS = {"name": "seller", "case id": "id", "policy": "policy", "store": "store"}
#: What the Cases list says when it holds no case at all (not when a filter matches none).
NO_CASES = "no active cases"


def match_note(shown: int, fields: Sequence[str], hidden: Sequence[str]) -> str:
    """``5 matches by name, policy; POLICY hidden at this width`` (one line of 80 columns
    even when the needle is found in every field)."""
    note = count(shown, "match") + (f" by {', '.join(fields)}" if fields else "")
    return note + (f"; {', '.join(hidden)} hidden at this width" if hidden else "")


class MainScreen(ListKeys, Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "open_detail", "Detail", show=False),
        Binding("tab", "switch_view", "View", show=False),
        # priority: handled as the key arrives, so the keys typed right after it (a fast typist,
        # a paste over SSH) go to the filter field, never to the list's action keys.
        Binding("slash", "filter", "Filter", show=False, priority=True),
        Binding("s", "cycle_sort", "Sort", show=False),
        Binding("escape", "back", "Back", show=False),
        Binding("space", "mark", "Mark", show=False),
    ]

    def __init__(
        self, *, clock: Clock, database: Callable[[], Database | None] = lambda: None
    ) -> None:
        """``database`` gives the open database, or None (after saying why) while it cannot
        be had; the Accounts view reads through it."""
        super().__init__()
        #: Its widgets are mounted (keys typed while the app starts arrive before that).
        self.ready = False
        self.clock = clock
        self.database = database
        self.all_cases: list[CaseView] = []
        #: ``all_cases`` is the whole list (False: its first cases while the rest loads).
        self.complete = True
        #: Whether the database has any account (the app sets it from each read): an empty
        #: list in a new one says how the data comes in (``wording.NO_ACCOUNTS_YET``).
        self.has_accounts = True
        self._summary: LevelSummary | None = None
        self.sort = SortKey.URGENCY
        self.filter_text = ""
        self.now: datetime | None = None
        self.marked: set[int] = set()  # case ids marked with space (a and n act on them)
        self._listed = False  # the list shows a case (else enter and space are not offered)
        self._matched: tuple[int, list[str]] = (0, [])  # the filter's matches, fields matched

    def compose(self) -> ComposeResult:
        yield StatusHeader(id="status")
        with ContentSwitcher(initial=CASES, id="views"):
            with Vertical(id=CASES):
                yield ListFilter(
                    id="filter", placeholder="filter: seller id, name, case id, policy or store"
                )
                yield CaseTable(id="cases")
            yield Vertical(id=ACCOUNTS)  # the Accounts view is built when first shown
        yield KeyBar()

    def on_mount(self) -> None:
        self.ready = True
        self.table.focus()
        self.post_message(MainReady())

    @property
    def table(self) -> CaseTable:
        return self.query_one("#cases", CaseTable)

    @property
    def header(self) -> StatusHeader:
        return self.query_one("#status", StatusHeader)

    @property
    def view(self) -> str:
        if not self.ready:  # asked by a key typed while the app starts
            return CASES
        return self.query_one("#views", ContentSwitcher).current or CASES

    @property
    def accounts(self) -> AccountsView | None:
        """The Accounts view, once it has been shown."""
        found = self.query(f"#{ACCOUNTS_VIEW}")  # by id: no import of the view's module here
        return cast("AccountsView", found.first()) if found else None

    @property
    def place(self) -> Place:
        """Which keys apply (``keys.FOOTER_KEYS``): those of the view shown, or of its filter
        field while it has the focus (there a printable key is typed, not a command)."""
        typing = self.ready and isinstance(self.focused, ListFilter)
        if self.view == CASES:
            return Place.CASES_FILTER if typing else Place.CASES
        return Place.ACCOUNTS_FILTER if typing else Place.ACCOUNTS

    @property
    def current_case(self) -> CaseView | None:
        """The case under the cursor, when the Cases view is shown (none before it is mounted)."""
        return self.table.current_case if self.ready and self.view == CASES else None

    @property
    def case_status(self) -> CaseStatus | None:
        """The status of the case under the cursor (the footer ranks its keys by it)."""
        case = self.current_case
        return case.status if case is not None else None

    # ------------------------------------------------------------ data in

    @property
    def shown_cases(self) -> list[CaseView]:
        """The Cases list as shown: filtered and sorted (what ``e`` exports)."""
        return list(self.table.cases)

    def show_cases(
        self, cases: Sequence[CaseView], now: datetime, *, complete: bool = True
    ) -> None:
        """``cases`` in the list order (``rules.list_order``, as a ``Snapshot`` holds them).
        ``complete`` False: they are the first of the list (the most urgent) while the rest
        loads; the header says so instead of counts that would be the part's."""
        self.all_cases = list(cases)
        self.complete = complete
        self._rebuild(now)
        if self.marked:  # a case that closed (or left the list) is no longer marked
            self.unmark(self.marked - {c.id for c in self.all_cases})
        accounts = self.accounts
        if accounts is not None:  # read again now if shown, else when next shown
            accounts.reload()

    def _rebuild(self, now: datetime, *, keep_id: int | None = None) -> None:
        self.now = now
        rows = shown(self.all_cases, self.filter_text, self.sort, listed=True)
        self.table.empty_text = empty_list_text(
            self.filter_text, listed=bool(self.all_cases), noun="case",
            nothing=NO_CASES if self.has_accounts else NO_ACCOUNTS_YET,
        )
        if keep_id is None and not self.table.cursor_chosen and rows:
            # Until the operator moves it, the cursor sits on the top row (the most urgent case)
            # rather than follow a case that moved down (one the app just expired, say), which
            # would scroll the most urgent rows out of sight.
            keep_id = rows[0].id
        self.table.set_cases(rows, now, keep_id=keep_id)
        self._matched = (len(rows), matched_by(rows, self.filter_text))
        self._say_matches()
        if self._listed != bool(rows):  # enter, space and the case keys come or go
            self._listed = bool(rows)
            self.refresh_bindings()
        self.update_header(now, loading=False,
                           partial=None if self.complete else len(self.all_cases))

    def on_resize(self) -> None:
        self.call_after_refresh(self._say_matches)  # a column may have come or gone

    def _say_matches(self) -> None:
        """Under the filter field: how many cases match and by which fields, and which of
        those the columns shown leave out (at 80 columns POLICY: ``3 matches by policy;
        POLICY hidden at this width``), so no row matches for no visible reason."""
        box = self.filter_box
        if not self.filter_text.strip():
            box.border_subtitle = None
            return
        shown, fields = self._matched
        table = self.table
        visible = set(table.visible_columns()) if table.size.width else None
        hidden = [] if visible is None else [
            column.header for column in table.columns
            if column.key in {FIELD_COLUMNS.get(f) for f in fields} and column.key not in visible]
        box.border_subtitle = Content(match_note(shown, fields, hidden))

    def tick(self, now: datetime) -> int:
        """Countdowns and header to ``now``; returns how many table cells changed."""
        self.now = now
        changed = self.table.tick(now)
        self.update_header(now)
        return changed

    def summary(self, now: datetime) -> LevelSummary:
        """Counts per urgency level and the next deadline (cached until a level changes)."""
        if self._summary is None or self._summary.cases is not self.all_cases:
            self._summary = LevelSummary(self.all_cases)
        return self._summary.at(now)

    def update_header(self, now: datetime, **extra: object) -> None:
        summary = self.summary(now)
        upcoming = summary.upcoming
        nxt = f"{format_left(upcoming.due - now)} #{upcoming.id}" if upcoming else ""
        listed = self.filtered_list()
        self.header.update_state(
            counts=_header_counts(summary), contact_level=summary.contact_level,
            next_deadline=nxt, sort=listed.sort.value, filter=listed.filter_text,
            marked=len(self.marked), view="Cases" if self.view == CASES else "Accounts",
            **extra,
        )

    def title_text(self, now: datetime) -> str:
        """For the terminal title (a glance from another tmux window): the header's counts of
        what needs action, those it keeps longest (``status_header.NEEDS_ACTION``: overdue,
        critical, to contact with how many are past their first-contact target, expired), in
        its words, and the next due moment at minute precision, so that it does not change
        every second: ``AHR: 0 overdue, 1 critical, 6 to contact (1 late), 3 expired, next
        5m``."""
        summary = self.summary(now)
        counts, upcoming = _header_counts(summary), summary.upcoming
        late = summary.counts.get(CONTACT + Urgency.OVERDUE, 0)
        parts = []
        for key in NEEDS_ACTION:
            part = f"{counts.get(key, 0):,} {count_word(key)}"
            if key == CaseStatus.DETECTED and late:
                part += f" ({late:,} late)"
            parts.append(part)
        nxt = coarse_left(upcoming.due - now) if upcoming else "-"
        return f"AHR: {', '.join(parts)}, next {nxt}"

    # ------------------------------------------------------------ messages

    @on(LineTable.CursorMoved)
    def _cursor_moved(self) -> None:
        self.post_message(SelectionChanged())

    def on_list_changed(self, message: ListChanged) -> None:
        """The Accounts view's sort or filter changed: the header shows them."""
        message.stop()
        if self.now is not None:
            self.update_header(self.now)

    # ------------------------------------------------------------ the Cases list's filter, sort

    @property
    def filter_box(self) -> ListFilter:
        return self.query_one("#filter", ListFilter)

    def filtered_list(self) -> FilteredList:
        """The list ``/``, ``s`` and ``esc`` act on: the Accounts view's when shown, else the
        Cases list (this screen)."""
        accounts = self.accounts
        return accounts if self.view != CASES and accounts is not None else self

    def apply_filter(self, text: str) -> None:
        self.filter_text = text
        self._rebuild(self.now or self.clock())

    def cycle_sort(self) -> SortKey:
        self.sort = self.sort.next()
        self._rebuild(self.now or self.clock())
        return self.sort

    def focus_list(self, *, first: bool) -> None:
        self.set_focus(self.table)
        if first:
            self.table.move_cursor(0)

    # ------------------------------------------------------------ actions

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # In a text field (either view's filter), "/" is a character to type.
        if action == "filter":
            return not isinstance(self.focused, Input)
        # An empty list (no case, or a filter that matches none): nothing to open or mark.
        return not (action in ("open_detail", "mark") and self.current_case is None)

    def action_back(self) -> None:
        """esc: in the filter field (or with a filter on) clears the filter; else it unmarks
        every marked case."""
        if not self.clear_filter() and self.marked:
            self.unmark(self.marked)

    def set_filter(self, text: str) -> None:
        self.filter_box.show_text(text)
        self.filter_text = text
        self.set_focus(self.table)
        self._rebuild(self.now or self.clock())

    def action_mark(self) -> None:
        """space: mark (or unmark) the case under the cursor and move to the next row, so a run
        of cases is marked by holding space."""
        case = self.current_case
        if case is None:
            return
        self.marked ^= {case.id}
        last = self.table.cursor_row >= self.table.row_count - 1
        self._show_marks(moved=not last)
        self.table.action_cursor_down()

    def unmark(self, case_ids: Iterable[int]) -> None:
        self.marked -= set(case_ids)
        self._show_marks()

    def _show_marks(self, *, moved: bool = False) -> None:
        self.table.set_marked(frozenset(self.marked))
        self.header.update_state(marked=len(self.marked))
        if not moved:  # a cursor move says it anyway (one footer refresh per key, not two)
            self.post_message(SelectionChanged())  # a and n now act on the marked cases

    # ------------------------------------------------------------ saved views

    def view_state(self) -> tuple[str, str, str]:
        """(``cases`` or ``accounts``, filter text, sort) of the list on screen (``v``)."""
        accounts = self.accounts
        if self.view != CASES and accounts is not None:
            return "accounts", accounts.filter_text, accounts.sort.value
        return "cases", self.filter_text, self.sort.value

    async def apply_view(self, kind: str, filter_text: str, sort: str) -> None:
        """Show the list a saved view names (``V``); a sort this version does not know is
        left as it is."""
        if (kind == "accounts") != (self.view != CASES):
            await self.action_switch_view()
        accounts = self.accounts
        if kind == "accounts" and accounts is not None:
            accounts.show_view(filter_text, sort)
            return
        self.sort = SortKey.named(sort, self.sort)
        self.set_filter(filter_text)

    async def action_switch_view(self) -> None:
        switcher = self.query_one("#views", ContentSwitcher)
        if switcher.current == CASES and self.accounts is None:
            from ahr_tui.tui.screens.accounts import AccountsView

            engine = self.database()
            if engine is None:
                return
            view = AccountsView(engine=engine, clock=self.clock, id=ACCOUNTS_VIEW)
            await self.query_one(f"#{ACCOUNTS}").mount(view)
        switcher.current = ACCOUNTS if switcher.current == CASES else CASES
        # The list takes the focus, never the filter field above it (hidden or kept).
        shown = self if switcher.current == CASES else self.accounts
        if shown is not None:
            shown.focus_list(first=False)
        if self.now is not None:
            self.update_header(self.now)
        self.post_message(SelectionChanged())

    def on_accounts_view_selected(self, message: AccountsView.Selected) -> None:
        """``enter`` in the Accounts view: that account's detail (no case)."""
        self.post_message(DetailRequested(message.account_id, None))

    def action_open_detail(self) -> None:
        case = self.current_case
        if case is not None:
            self.post_message(DetailRequested(case.account_id, case.id))


def _header_counts(summary: LevelSummary) -> dict[str, int]:
    """The header's counts (and the title's): each case once, a detected one under
    ``detected`` only (``to contact``)."""
    counts = dict(summary.urgency)
    counts[CaseStatus.DETECTED] = summary.detected
    return counts
