"""The Accounts view: every account with its current AHR, window counts, enrolment and phone.

Mounted by the main screen as its second view (``tab``). It must stay quick at 1,000,000
accounts, so it never reads every account (``service.account_list``):

- on ``tab`` the first screenful in the current order is read with a ``LIMIT`` (an index walk
  for the seller and name orders) and shown, then the ids of the whole list in that order
  (8 bytes an account) in the background: the table then knows its length and every row's key;
- the table (``AccountTable``) asks for the rows of the pages it draws, read by id in a worker;
- a filter keystroke starts a worker that finds the matching ids in the list's order (the
  trigram index when few match; else a walk that hands over the first screenful at once, then
  the whole list for the count) and hands them over with the rows of their first page; a
  newer keystroke or sort makes every older worker stop (``_generation``): the latest wins.

A ``reload()`` (another process changed something) reads the list again; while hidden it only
marks the data stale (read again when shown). What the filter field says under it (how many
match, by which fields, which column hides the match) is ``widgets.account_matches``'.
"""

from __future__ import annotations

import time
from array import array
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import work
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Input, Static
from textual.worker import get_current_worker

from ahr_tui.rules import last_complete_day
from ahr_tui.service.account_list import AccountSort
from ahr_tui.service.clock import Clock
from ahr_tui.service.detail import AccountRow
from ahr_tui.tui.failures import guarded
from ahr_tui.tui.widgets.account_matches import matches_note
from ahr_tui.tui.widgets.account_table import (
    KEPT_ROWS,
    PAGE,
    AccountSource,
    AccountTable,
    Bounded,
    CellTexts,
)
from ahr_tui.tui.widgets.list_filter import (
    FilteredList,
    ListChanged,
    ListFilter,
    ListKeys,
    empty_list_text,
)
from ahr_tui.wording import NO_ACCOUNTS_YET, count

if TYPE_CHECKING:
    from ahr_tui.service.database import Database

#: Rows read and shown before the rest (more than the tallest terminal shows).
FIRST_ROWS = 200
#: At most this many of a filter's first matches are handed over before the whole list (what
#: the table shows, ``_screenful``): a needle that few accounts match is walked until this
#: many are found (at 1M accounts, ``zz``: about 11,000 rows read for 100).
FIRST_MATCHES = PAGE
#: The orders whose first rows come from an index walk (the others need the whole order).
INDEXED = frozenset({AccountSort.SELLER, AccountSort.NAME})

SortKey = AccountSort  # the name the tests and saved views knew

class AccountsView(ListKeys, Widget):
    """Every account; ``enter`` posts ``AccountsView.Selected`` for the screen to open detail."""

    DEFAULT_CSS = Path(__file__).with_suffix(".tcss").read_text(encoding="utf-8")

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "select", "Detail", show=False),
        Binding("s", "cycle_sort", "Sort"),
        Binding("slash", "filter", "Filter"),
        Binding("escape", "clear_filter", "Clear filter", show=False),
    ]

    class Selected(Message):
        """The operator chose an account (``enter``)."""

        def __init__(self, account_id: int) -> None:
            super().__init__()
            self.account_id = account_id

    def __init__(self, *, engine: Database, clock: Clock, id: str | None = None) -> None:
        super().__init__(id=id)
        self.engine = engine
        self.clock = clock
        self.sort = AccountSort.SELLER
        self.filter_text = ""
        self.total: int | None = None  # accounts in the database, as last read
        self.as_of: date | None = None
        #: The last day any account was scored, once read (``service.account_list.scores_end``).
        self.scores_end: date | None = None
        self.loaded_at: datetime | None = None
        self.complete = False  # the list shown is whole (not only its first rows)
        self._orders: dict[AccountSort, array[int]] = {}  # the whole list per order, this read
        self._known: Bounded[AccountRow] = Bounded(KEPT_ROWS)
        self._cells = CellTexts()
        self._generation = 0  # of the search for the list shown: a newer one stops older ones
        self._order_generation = 0  # of the read of an order: a new order or read stops it
        self._order_for: AccountSort | None = None  # the order being read, if one is
        self._signature: tuple[int, int] | None = None  # the accounts when it was read
        self._stale = True
        self._to_first = False  # enter was pressed before the filter's list arrived
        self._listed = False  # the list shows an account (else enter is not offered)

    def compose(self) -> ComposeResult:
        # The filter field at the top, under the header, as in the Cases view (and k9s).
        yield ListFilter(id="accounts-filter", placeholder="filter: seller id, name or store")
        yield Static(Text("loading…"), id="accounts-status")
        yield AccountTable(id="accounts-table")

    @property
    def table(self) -> AccountTable:
        return self.query_one("#accounts-table", AccountTable)

    @property
    def filter_box(self) -> ListFilter:
        return self.query_one("#accounts-filter", ListFilter)

    def filtered_list(self) -> FilteredList:
        return self

    # ---------------------------------------------------------------- loading

    def on_mount(self) -> None:
        # the rows on screen change as the list scrolls: the filter's note says their fields
        self.watch(self.table, "scroll_y", lambda: self._say_matches(), init=False)

    def on_resize(self) -> None:
        self.call_after_refresh(self._say_matches)  # a column may have come, gone or narrowed

    def on_show(self) -> None:
        if self._stale:
            self.reload()

    def reload(self) -> None:
        """Read the list again (the cursor stays on its account); while hidden, when shown."""
        self._stale = True
        if not (self.display and self.is_mounted):
            return
        self._stale = False
        self._known.clear()  # the rows are read again as they are drawn
        self._orders = {k: v for k, v in self._orders.items() if k in INDEXED}
        if self.sort in self._orders and self.table.source is not None:
            self._set_ids(self.table.source.ids)
            self._check_accounts(self._signature)
            return
        self._order_for = None
        self._start()

    @work(thread=True, exclusive=True, exit_on_error=False, group="account-check")
    @guarded("read the accounts", status="#accounts-status")
    def _check_accounts(self, signature: tuple[int, int] | None) -> None:
        """After a reload: the seller and name orders read before still hold unless an account
        was added or removed (then every order is read again)."""
        from ahr_tui.service.account_list import signature as read_signature

        if read_signature(self.engine) != signature:
            self.app.call_from_thread(self._accounts_changed)

    def _accounts_changed(self) -> None:
        self._orders = {}
        self._order_for = None
        self._start()

    def _start(self) -> None:
        """Find the list for the current order and filter; older searches stop. The order
        itself (every id, read once per order and read) is read by its own worker, which a
        keystroke does not stop."""
        self._generation += 1
        as_of = last_complete_day(self.clock())
        if as_of != self.as_of:  # a new window: the rows read before count another one
            self._known.clear()
        self.as_of = as_of
        self.complete = False
        self._update_status()
        if self.sort not in self._orders and self._order_for is not self.sort:
            self._order_generation += 1
            self._order_for = self.sort
            self._read_order(self._order_generation, self.as_of, self.sort, self._screenful())
        self._find(self._generation, self.as_of, self.sort, self.filter_text.strip(),
                   self._screenful())

    def _screenful(self) -> int:
        """Rows the table shows (and a line more; ``FIRST_MATCHES`` before it has a size): a
        search hands over this many matches first, with their rows: what a keystroke waits
        for is what the screen shows, not a page (fewer matches to find, rows to read)."""
        height = self.table.size.height
        return min(FIRST_MATCHES, height) if height > 0 else FIRST_MATCHES

    def _current(self, generation: int) -> bool:
        return generation == self._generation

    @work(thread=True, exclusive=True, exit_on_error=False, group="account-order")
    @guarded("read the accounts", status="#accounts-status",
             after=lambda view, _: view.read_failed())
    def _read_order(self, generation: int, as_of: date, sort: AccountSort, shown: int) -> None:
        """The first rows at once (seller and name orders: an index walk; the rows of the
        ``shown`` the screen shows read with them, the others as it scrolls), then every id."""
        from ahr_tui.service import account_list

        if sort in INDEXED:
            first, rows, total = account_list.first_page(
                self.engine, as_of, sort, FIRST_ROWS, rows_for=shown)
            self._parse_phones(rows)
            self.app.call_from_thread(self._first_rows, generation, first, rows, total)
        # after the first rows (a seek: the score key starts with the day)
        self.app.call_from_thread(self._show_scores_end, account_list.scores_end(self.engine))
        signature = account_list.signature(self.engine)
        ids = account_list.ordered(
            self.engine, as_of, sort, stop=lambda: generation != self._order_generation)
        if ids is not None:
            self.app.call_from_thread(self._keep_order, generation, sort, ids, signature)

    @work(thread=True, exclusive=True, exit_on_error=False, group="accounts")
    @guarded("read the accounts", status="#accounts-status",
             after=lambda view, _: view.read_failed())
    def _find(self, generation: int, as_of: date, sort: AccountSort, needle: str,
              first: int) -> None:
        from ahr_tui.service import account_list

        worker = get_current_worker()

        def stop() -> bool:
            """A newer search replaced this one, or the view is going (the app quits: the
            order this search may be waiting for will never arrive)."""
            return worker.is_cancelled or not self._current(generation)

        def order() -> array[int] | None:
            """The order once read; None if stopped, or if no read of it is running (it
            failed, or another order replaced it)."""
            while not stop():
                ids = self._orders.get(sort)
                if ids is not None:
                    return ids
                if self._order_for is not sort:
                    return self._orders.get(sort)  # kept just now, or None
                time.sleep(0.02)
            return None

        shown: list[bool] = []  # the first rows were handed over (with their first page)

        def show(ids: array[int], whole: bool) -> None:
            """Hand ``ids`` over with the rows of their first screenful, read here: the table
            then draws rows at once, not placeholders and then a page read by another worker.
            Rows read since the last reload are not read again (a longer needle's first rows
            are often among the shorter one's): their window counts cost 180 key seeks each."""
            wanted = [] if shown or stop() else [i for i in ids[:first] if i not in self._known]
            rows = account_list.page(self.engine, as_of, wanted) if wanted else []
            self._parse_phones(rows)
            shown.append(True)
            self.app.call_from_thread(self._show, generation, sort, ids, whole, rows)

        found = account_list.filtered(
            self.engine, as_of, sort, order, needle, first=first, stop=stop,
            on_first=lambda part: show(part, False))
        if found is not None:
            show(found, True)

    def _parse_phones(self, rows: list[AccountRow]) -> None:
        """In a worker: the rows' phone numbers parsed into the cache the cells read, so that
        the UI thread does not parse them while it draws (0.1 ms a number)."""
        for row in rows:
            self._cells.phones.status(row.phone, row.region)

    @work(thread=True, exit_on_error=False, group="account-pages")
    @guarded("read the accounts", status="#accounts-status", once=True,
             after=lambda view, _: view.read_failed())
    def _read_page(self, generation: int, source: AccountSource, page: int,
                   ids: list[int]) -> None:
        from ahr_tui.service.account_list import page as read_page

        if not self._current(generation) or self.as_of is None:
            return
        rows = read_page(self.engine, self.as_of, ids)
        self.app.call_from_thread(self._page_read, source, page, rows)

    def _page_read(self, source: AccountSource, page: int, rows: list[AccountRow]) -> None:
        source.arrived(page, rows)
        if self.table.source is source:
            self.table.refresh()
            self._say_matches()

    def read_failed(self) -> None:
        """The status line says why (``failures.guarded``); the table no longer says loading,
        and the next search reads the order again."""
        self._order_for = None
        if self.table.source is None:
            self.table.empty_text = ""
            self.table.refresh()

    def _first_rows(self, generation: int, ids: array[int], rows: list[AccountRow],
                    total: int) -> None:
        """The first ids of the whole list (with the rows the screen shows), listed while the
        rest of the order is read (unless a filter is on, or a list was shown meanwhile)."""
        if generation != self._order_generation or self.complete or self.filter_text.strip():
            return
        self.total = total
        for row in rows:
            self._known.put(row.account_id, row)
        self._set_ids(ids)

    def _keep_order(self, generation: int, sort: AccountSort, ids: array[int],
                    signature: tuple[int, int]) -> None:
        if generation == self._order_generation:
            self._orders[sort] = ids
            self._signature = signature
            self._order_for = None
            self.total = len(ids)

    def _show(self, generation: int, sort: AccountSort, ids: array[int], whole: bool,
              rows: list[AccountRow]) -> None:
        if not self._current(generation) or sort is not self.sort:
            return
        for row in rows:
            self._known.put(row.account_id, row)
        self.complete = whole
        if whole:
            self.loaded_at = self.clock()
        self._set_ids(ids)

    def _set_ids(self, ids: array[int]) -> None:
        generation = self._generation
        source = AccountSource(
            ids, self._known, self._cells,
            want=lambda page, wanted: self._read_page(generation, source, page, wanted))
        table = self.table
        table.empty_text = empty_list_text(
            self.filter_text, listed=self.total != 0, nothing=NO_ACCOUNTS_YET, noun="account")
        # The cursor stays on its account if it is listed; else (and after enter) the list is
        # shown from its first row, not from where the longer list was scrolled to.
        current = table.cursor_key
        if self._to_first or current is None or source.index_of(current) is None:
            table.set_source(source, keep_key=ids[0] if len(ids) else None)
            table.scroll_to(y=0, animate=False, immediate=True)
        else:
            table.set_source(source, keep_key=current)
        self._to_first = self._to_first and not self.complete
        if self._listed != bool(ids):  # enter comes or goes (check_action)
            self._listed = bool(ids)
            self.refresh_bindings()
        self._update_status()
        self._say_matches()

    def _say_matches(self) -> None:
        """Under the filter field: how many accounts match and by which fields the rows on
        screen match, and which column hides or cuts the match (``account_matches``)."""
        needle = self.filter_text.strip()
        note = matches_note(self.table, needle, complete=self.complete) if needle else ""
        self.filter_box.border_subtitle = Content(note) if note else None

    def _show_scores_end(self, day: date | None) -> None:
        self.scores_end = day
        self._update_status()

    def _update_status(self) -> None:
        if self.as_of is None:
            return
        total = "… accounts" if self.total is None else count(self.total, "account")
        text = Text(f"{total} · AHR window to {self.as_of.isoformat()}")
        if self.scores_end is not None and self.scores_end < self.as_of:
            # why the window's last days have no score (a sample's scores end on a fixed day)
            text.append(f" · scores end {self.scores_end.isoformat()}")
        shown = len(self.table.source or ())
        if self.filter_text.strip():
            text.append(f" · {count(shown, 'match')}" if self.complete else " · matching…")
        elif not self.complete:
            text.append(" · sorting…" if self.sort not in INDEXED else " · reading…")
        # one line whatever it says: no layout of the screen (a keystroke's 25-90 ms at 1M)
        self.query_one("#accounts-status", Static).update(text, layout=False)

    # ------------------------------------------------------ operator control

    def apply_filter(self, text: str) -> None:
        """Narrow the list to accounts whose seller id, name or store contains ``text``."""
        if text.strip() == self.filter_text.strip():
            self.filter_text = text
            return
        self.filter_text = text
        self._start()
        self.post_message(ListChanged())

    def cycle_sort(self) -> AccountSort:
        """The next order, shown from its first row (lowest AHR first means the lowest ones
        first, not the account the cursor was on, half-way down)."""
        self.sort = self.sort.next()
        self._to_first = True
        self._start()
        self.post_message(ListChanged())
        return self.sort

    def show_view(self, filter_text: str, sort: str) -> None:
        """A saved view's filter and sort (a sort this version does not know: left as is)."""
        self.sort = AccountSort.named(sort, self.sort)
        self.filter_box.show_text(filter_text)
        self.filter_text = filter_text
        self._start()
        self.post_message(ListChanged())

    def focus_list(self, *, first: bool) -> None:
        self.table.focus()
        if first:
            self.table.move_cursor(0)
            self._to_first = not self.complete  # the list still coming: its first row then

    @property
    def shown_ids(self) -> array[int]:
        """The ids of the list as shown (filtered and sorted; what ``e`` exports)."""
        source = self.table.source
        return source.ids if source is not None else array("q")

    def action_select(self) -> None:
        account = self.table.current_account
        if account is not None:
            self.post_message(self.Selected(account.account_id))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # In the filter field "/" is a character to type: the footer does not offer it there
        # (the same as the Cases view's, MainScreen.check_action).
        if action == "filter":
            return not isinstance(self.screen.focused, Input)
        # No account listed (none yet, or a filter that matches none): nothing to open.
        return not (action == "select" and not self.table.source)

    def action_clear_filter(self) -> None:
        if not self.clear_filter():
            raise SkipAction()
