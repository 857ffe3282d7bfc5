"""The Accounts view: every account with its current AHR, window counts, enrolment and phone.

Mounted by the main screen as its second view (``tab``). It must stay quick with 50,000
accounts, so it draws with ``LineTable`` (Line API: only visible lines are rendered) and builds
each row's cells only when the row is first drawn: until then every row shares one placeholder
tuple. The phone status (phonenumbers, ~0.1 ms a number) is worked out the same lazy way and
memoised per (phone, region). The data comes from one set-based query (``service.detail``) in a
thread worker, started the first time the view is shown; a ``reload()`` while hidden waits
until the view is shown again.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import Input, Static
from textual.worker import Worker

from ahr_tui.rules import Band, PhoneStatus, band, last_complete_day
from ahr_tui.service.clock import Clock
from ahr_tui.service.detail import AccountRow, PhoneCache, read_accounts
from ahr_tui.textsafe import clean_line
from ahr_tui.tui.failures import guarded
from ahr_tui.tui.widgets.line_table import Cell, Column, LineTable

if TYPE_CHECKING:
    from ahr_tui.service.database import Database

COLUMNS = (
    Column("seller", "SELLER", 14),
    Column("name", "NAME", 12, flex=True),
    Column("store", "ST", 2),
    Column("ahr", "AHR", 13),
    Column("below", "BELOW", 5, justify="right"),
    Column("missing", "MISS", 4, justify="right", drop=2),
    Column("enrollment", "ENROLMENT", 15),
    Column("status", "ACCOUNT", 11, drop=1),
    Column("phone", "PHONE", 7),
)

BAND_STYLE = {Band.HEALTHY: "green", Band.AT_RISK: "yellow", Band.UNHEALTHY: "bold red"}
BAND_WORD = {Band.HEALTHY: "healthy", Band.AT_RISK: "at risk", Band.UNHEALTHY: "unhealthy"}
PHONE_STYLE = {
    PhoneStatus.VALID: "", PhoneStatus.INVALID: "bold red", PhoneStatus.MISSING: "yellow"
}
_PLACEHOLDER = tuple(Text("") for _ in COLUMNS)
#: Rows read and shown before the rest (more than the tallest terminal shows).
FIRST_ROWS = 200


class SortKey(StrEnum):
    SELLER = "seller"
    AHR = "ahr"  # lowest current AHR first (no score counts as lowest)
    BELOW = "below"  # most days below 250 first
    NAME = "name"

    def next(self) -> SortKey:
        order = list(SortKey)
        return order[(order.index(self) + 1) % len(order)]


SORTS: dict[SortKey, Callable[[AccountRow], tuple[object, ...]]] = {
    SortKey.SELLER: lambda r: (r.seller_id, r.store),
    SortKey.AHR: lambda r: (-1 if r.latest_score is None else r.latest_score, r.seller_id),
    SortKey.BELOW: lambda r: (-r.days_below, r.seller_id, r.store),
    SortKey.NAME: lambda r: (r.name.casefold(), r.seller_id, r.store),
}


def haystack(row: AccountRow) -> str:
    """What the filter searches: seller id, name and store, case-folded."""
    return f"{row.seller_id}\x00{row.name}\x00{row.store}".casefold()


class CellTexts:
    """Builds a row's cells; repeated values (scores, counts, states) share one ``Text``."""

    def __init__(self) -> None:
        self.phones = PhoneCache()
        self._shared: dict[tuple[str, object], Text] = {}

    def _shared_text(self, kind: str, value: object, make: Callable[[], Text]) -> Text:
        key = (kind, value)
        found = self._shared.get(key)
        if found is None:
            found = self._shared[key] = make()
        return found

    def score(self, score: int | None) -> Text:
        def make() -> Text:
            if score is None:
                return Text("  — no score", style="dim")
            level = band(score)
            return Text(f"{score:>3} {BAND_WORD[level]}", style=BAND_STYLE[level])

        return self._shared_text("score", score, make)

    def plain(self, kind: str, value: str) -> Text:
        return self._shared_text(kind, value, lambda: Text(clean_line(value)))

    def count(self, value: int, alarm: bool) -> Text:
        return self._shared_text(
            "count", (value, alarm), lambda: Text(str(value), style="bold red" if alarm else "")
        )

    def phone(self, row: AccountRow) -> Text:
        status = self.phones.status(row.phone, row.region)
        return self._shared_text(
            "phone", status, lambda: Text(status.value, style=PHONE_STYLE[status])
        )

    def row(self, r: AccountRow) -> tuple[Text, ...]:
        return (
            Text(clean_line(r.seller_id)),
            Text(clean_line(r.name)),
            self.plain("store", r.store),
            self.score(r.latest_score),
            self.count(r.days_below, r.days_below > 10),
            self.count(r.days_missing, False),
            self.plain("enrollment", r.enrollment),
            self.plain("status", r.status),
            self.phone(r),
        )


class AccountTable(LineTable):
    """A ``LineTable`` of ``AccountRow``s whose cells are built when a row is first drawn."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(COLUMNS, empty_text="loading…", id=id)
        self.accounts: list[AccountRow] = []
        self.cells = CellTexts()
        self._built: list[bool] = []

    def set_accounts(self, accounts: Sequence[AccountRow]) -> None:
        """Show ``accounts`` in this order; the cursor stays on its account if still listed."""
        self.accounts = list(accounts)
        self._built = [False] * len(self.accounts)
        self.set_rows([_PLACEHOLDER] * len(self.accounts), keys=[a.account_id for a in accounts])

    @property
    def current_account(self) -> AccountRow | None:
        return self.accounts[self.cursor_row] if self.accounts else None

    def cells_of(self, index: int) -> tuple[Cell, ...]:
        """The row's cells as drawn (built now if it has not been drawn yet)."""
        self._build(index)
        return self.row(index)

    def render_line(self, y: int) -> Strip:
        index = int(self.scroll_offset.y) + y - 1
        if y > 0 and 0 <= index < len(self.accounts):
            self._build(index)
        return super().render_line(y)

    def _build(self, index: int) -> None:
        if not self._built[index]:
            self._replace_row(index, self.cells.row(self.accounts[index]), None)
            self._built[index] = True


class AccountsView(Widget):
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

    def __init__(
        self, *, engine: Database, clock: Clock, id: str | None = None
    ) -> None:
        super().__init__(id=id)
        self.engine = engine
        self.clock = clock
        self.sort = SortKey.SELLER
        self.filter_text = ""
        self.all_rows: list[AccountRow] = []
        self._haystacks: list[str] = []
        # per sort: the rows in that order and their haystacks (sorted once per read)
        self._orders: dict[SortKey, tuple[list[AccountRow], list[str]]] = {}
        self.loaded_at: datetime | None = None
        self._stale = True
        self._loading = False
        self._again = False

    def compose(self) -> ComposeResult:
        yield Static(Text("loading…"), id="accounts-status")
        yield AccountTable(id="accounts-table")
        yield Input(id="accounts-filter", classes="-hidden",
                    placeholder="filter: seller id, name or store")

    @property
    def table(self) -> AccountTable:
        return self.query_one("#accounts-table", AccountTable)

    # ---------------------------------------------------------------- loading

    def on_show(self) -> None:
        if self._stale:
            self.reload()

    def reload(self) -> None:
        """Re-read every account; the cursor stays on its account.

        While hidden it only marks the data stale (read again when shown); while a read is
        running it asks for one more afterwards, so a burst of changes costs two reads, not one
        per change (a read of 50,000 accounts x 180 days takes seconds).
        """
        self._stale = True
        if not (self.display and self.is_mounted):
            return
        if self._loading:
            self._again = True
            return
        self._stale = self._again = False
        self._loading = True
        self._load(self.clock())

    @work(thread=True, exclusive=True, exit_on_error=False, group="accounts")
    @guarded("read the accounts", status="#accounts-status",
             after=lambda view, _: view.read_failed())
    def _load(self, now: datetime) -> None:
        first = self.loaded_at is None and self.sort is SortKey.SELLER and not self.filter_text
        rows = read_accounts(
            self.engine, last_complete_day(now), first_rows=FIRST_ROWS if first else None,
            on_first=lambda page, total: self.app.call_from_thread(
                self.show_first_rows, page, total
            ),
        )
        haystacks = [haystack(r) for r in rows]  # here, not on the UI thread: 50,000 strings
        self.app.call_from_thread(self.show_accounts, rows, now, haystacks)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A read ended (well or not): start the one asked for meanwhile, if any."""
        if event.worker.group != "accounts" or not event.worker.is_finished:
            return
        self._loading = False
        if self._again:
            self.reload()

    def read_failed(self) -> None:
        """The status line says why (``failures.guarded``); the table no longer says loading."""
        if self.loaded_at is None:
            self.table.empty_text = ""
            self.table.refresh()

    def show_first_rows(self, rows: Sequence[AccountRow], total: int) -> None:
        """The first rows by seller id, shown while every account is being read; sorting and
        filtering wait for the whole list."""
        if self.loaded_at is not None:  # the whole list already arrived
            return
        self.table.set_accounts(rows)
        text = Text(f"{total:,} accounts · reading them all… (sort and filter once read)")
        self.query_one("#accounts-status", Static).update(text)

    def show_accounts(
        self, rows: Sequence[AccountRow], now: datetime, haystacks: list[str] | None = None
    ) -> None:
        self.all_rows = list(rows)
        self._haystacks = haystacks if haystacks is not None else [haystack(r) for r in rows]
        self._orders = {}
        self.loaded_at = now
        self.table.empty_text = "no accounts"
        self._rebuild()

    def _ordered(self) -> tuple[list[AccountRow], list[str]]:
        """The rows in the current sort with their haystacks: sorted once per read, so that a
        filter keystroke only scans (the sort of 1,000,000 rows costs seconds)."""
        found = self._orders.get(self.sort)
        if found is None:
            key = SORTS[self.sort]
            order = sorted(range(len(self.all_rows)), key=lambda i: key(self.all_rows[i]))
            found = self._orders[self.sort] = (
                [self.all_rows[i] for i in order], [self._haystacks[i] for i in order])
        return found

    def _rebuild(self) -> None:
        needle = self.filter_text.casefold().strip()
        rows, haystacks = self._ordered()
        shown = [r for r, hay in zip(rows, haystacks, strict=True)
                 if needle in hay] if needle else rows
        self.table.empty_text = "no account matches the filter" if needle else "no accounts"
        self.table.set_accounts(shown)
        self._update_status(len(shown))

    def _update_status(self, shown: int) -> None:
        if self.loaded_at is None:
            return
        as_of = last_complete_day(self.loaded_at).isoformat()
        text = Text(f"{len(self.all_rows):,} accounts · AHR window to {as_of} · sort: {self.sort}")
        if self.filter_text:
            text.append(" · filter: ")
            text.append(clean_line(self.filter_text), "bold")
            text.append(f" ({shown:,} match)")
        self.query_one("#accounts-status", Static).update(text)

    # ------------------------------------------------------ operator control

    def apply_filter(self, text: str) -> None:
        """Narrow the list to accounts whose seller id, name or store contains ``text``."""
        self.filter_text = text
        self._rebuild()

    def cycle_sort(self) -> SortKey:
        self.sort = self.sort.next()
        self._rebuild()
        return self.sort

    def action_cycle_sort(self) -> None:
        self.cycle_sort()

    def action_select(self) -> None:
        account = self.table.current_account
        if account is not None:
            self.post_message(self.Selected(account.account_id))

    def action_filter(self) -> None:
        box = self.query_one("#accounts-filter", Input)
        box.remove_class("-hidden")
        self.screen.set_focus(box)  # at once, so keys typed right after / reach the field

    def action_clear_filter(self) -> None:
        box = self.query_one("#accounts-filter", Input)
        if not (box.has_focus or self.filter_text):
            raise SkipAction()
        box.value = ""
        box.add_class("-hidden")
        self.table.focus()
        self.apply_filter("")

    @on(Input.Changed, "#accounts-filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.apply_filter(event.value)

    @on(Input.Submitted, "#accounts-filter")
    def _filter_kept(self, event: Input.Submitted) -> None:
        event.stop()
        self.table.focus()
        self.table.move_cursor(0)
        if not self.filter_text:
            event.input.add_class("-hidden")
