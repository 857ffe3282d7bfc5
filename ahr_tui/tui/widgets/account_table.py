"""The Accounts view's table: a ``LineTable`` whose rows come a page at a time from a source.

The list is an ``array`` of account ids in the view's order (8 bytes an account: 8 MB at a
million), so the table knows its length, every row's key and where an account is without
holding the rows. ``AccountSource`` keeps the rows of the pages drawn lately (a bounded cache
by account id, shared by the lists that follow each other as the filter is typed); a row not yet
read is drawn as a placeholder and its page asked for (``want``), once, from the view's worker.
"""

from __future__ import annotations

from array import array
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping, Sequence
from typing import TypeVar

from rich.text import Text

from ahr_tui.rules import Band, PhoneStatus, band
from ahr_tui.service.detail import AccountRow, PhoneCache
from ahr_tui.textsafe import clean_line
from ahr_tui.tui.widgets.line_table import _KEEP, Cell, Column, LineTable

COLUMNS = (
    Column("seller", "SELLER", 14),
    Column("name", "NAME", 12, flex=True, drop=2),
    Column("store", "ST", 2),
    # four digits for the score (1000 is a score), so the band words line up below each other
    Column("ahr", "AHR", 14),
    # Days of the window scored under 250, and days with no score: apart, so that no day is
    # counted twice (the eligibility rule allows at most 10 of the two together). MISS stays
    # at 80 columns (ACCOUNT goes first): without it "<250" would understate the rule's count.
    # Narrower, ACCOUNT, PHONE (pending_contact says a phone is missing or invalid), then NAME
    # (the seller id stays) go, so that at 60 columns MISS and ENROLMENT are whole: without
    # MISS a new seller with no scores read "<250 0" beside "not_enrolled".
    Column("below", "<250", 4, justify="right"),
    Column("missing", "MISS", 4, justify="right", drop=1),
    Column("enrollment", "ENROLMENT", 15),
    Column("status", "ACCOUNT", 11, drop=4),
    Column("phone", "PHONE", 7, drop=3),
)

BAND_STYLE = {Band.HEALTHY: "green", Band.AT_RISK: "yellow", Band.UNHEALTHY: "bold red"}
BAND_WORD = {Band.HEALTHY: "healthy", Band.AT_RISK: "at risk", Band.UNHEALTHY: "unhealthy"}
PHONE_STYLE = {
    PhoneStatus.VALID: "", PhoneStatus.INVALID: "bold red", PhoneStatus.MISSING: "yellow"
}
#: A row whose page is being read.
PLACEHOLDER: tuple[Text, ...] = (Text("…", style="dim"), *(Text("") for _ in COLUMNS[1:]))
#: Rows per page read from the database.
PAGE = 100
#: Rows kept in memory (by account id), whatever the size of the list.
KEPT_ROWS = 6_000

T = TypeVar("T")


class CellTexts:
    """Builds a row's cells; repeated values (scores, counts, states) share one ``Text``."""

    def __init__(self) -> None:
        self.phones = PhoneCache()
        self._shared: dict[tuple[str, object], Text] = {}
        self._rows: Bounded[tuple[AccountRow, tuple[Text, ...]]] = Bounded(KEPT_ROWS)

    def cached_row(self, r: AccountRow) -> tuple[Text, ...]:
        """``row``, the same tuple again while the account reads the same: the lists that
        follow each other as a filter is typed then share their rows' cells, and the table
        repaints only the lines that differ (``LineTable.set_rows(repaint_all=False)``)."""
        kept = self._rows.get(r.account_id)
        if kept is None or kept[0] != r:
            kept = (r, self.row(r))
            self._rows.put(r.account_id, kept)
        return kept[1]

    def _shared_text(self, kind: str, value: object, make: Callable[[], Text]) -> Text:
        key = (kind, value)
        found = self._shared.get(key)
        if found is None:
            found = self._shared[key] = make()
        return found

    def score(self, score: int | None) -> Text:
        def make() -> Text:
            if score is None:
                return Text("   — no score", style="dim")
            level = band(score)
            return Text(f"{score:>4} {BAND_WORD[level]}", style=BAND_STYLE[level])

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
            # both in alarm when together they break the rule (more than 10 days)
            self.count(r.days_scored_below, r.days_below > 10 and r.days_scored_below > 0),
            self.count(r.days_missing, r.days_below > 10 and r.days_missing > 0),
            self.plain("enrollment", r.enrollment),
            self.plain("status", r.status),
            self.phone(r),
        )


class Bounded(OrderedDict[int, T]):
    """An ``OrderedDict`` that forgets its oldest entries beyond ``limit``."""

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit

    def put(self, key: int, value: T) -> None:
        self[key] = value
        self.move_to_end(key)
        while len(self) > self.limit:
            self.popitem(last=False)


class AccountSource:
    """The rows of one list (ids in order) for ``LineTable``; rows read a page at a time."""

    def __init__(
        self, ids: array[int], known: Bounded[AccountRow], cells: CellTexts,
        want: Callable[[int, list[int]], None],
    ) -> None:
        self.ids = ids
        self.known = known
        self.cells_of = cells
        self.want = want
        self._asked: set[int] = set()

    def __len__(self) -> int:
        return len(self.ids)

    def account(self, index: int) -> AccountRow | None:
        """The row at ``index`` if read (else its page is asked for)."""
        found = self.known.get(self.ids[index])
        if found is None:
            self._ask(index // PAGE)
        return found

    def cells(self, index: int) -> tuple[Cell, ...]:
        row = self.account(index)
        return PLACEHOLDER if row is None else self.cells_of.cached_row(row)

    def peek(self, index: int) -> tuple[Cell, ...]:
        """``cells`` without asking for the page of a row not read (what a line shows now)."""
        row = self.known.get(self.ids[index])
        return PLACEHOLDER if row is None else self.cells_of.cached_row(row)

    def _ask(self, page: int) -> None:
        if page not in self._asked:
            self._asked.add(page)
            wanted = [i for i in self.ids[page * PAGE:(page + 1) * PAGE] if i not in self.known]
            if wanted:
                self.want(page, wanted)

    def arrived(self, page: int, rows: Iterable[AccountRow]) -> None:
        """A page's rows were read."""
        for row in rows:
            self.known.put(row.account_id, row)
        self._asked.discard(page)

    def index_of(self, key: Hashable) -> int | None:
        try:
            return self.ids.index(key)
        except (ValueError, TypeError):
            return None


class _Rows(Sequence[tuple[Cell, ...]]):
    """A source as the rows ``LineTable`` draws (read as drawn, never written)."""

    def __init__(self, source: AccountSource) -> None:
        self.source = source

    def __len__(self) -> int:
        return len(self.source)

    def __getitem__(self, index):
        return self.source.cells(index)


class _Index(Mapping[Hashable, int]):
    def __init__(self, source: AccountSource) -> None:
        self.source = source

    def __getitem__(self, key: Hashable) -> int:
        found = self.source.index_of(key)
        if found is None:
            raise KeyError(key)
        return found

    def __iter__(self) -> Iterator[Hashable]:
        return iter(self.source.ids)

    def __len__(self) -> int:
        return len(self.source)


class _NoClass(Sequence[None]):
    def __init__(self, source: AccountSource) -> None:
        self.source = source

    def __len__(self) -> int:
        return len(self.source)

    def __getitem__(self, index):
        return None


class AccountTable(LineTable):
    """A ``LineTable`` drawing an ``AccountSource``."""

    JOIN_RUNS = True

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(COLUMNS, empty_text="loading…", id=id)
        self.source: AccountSource | None = None

    def set_source(self, source: AccountSource, *, keep_key: Hashable | object = _KEEP) -> None:
        """Show ``source``; the cursor stays on its account if it is still listed."""
        self.source = source
        # only the lines that differ are repainted: the next list of a filter often starts
        # with the same rows (the whole list after its first screenful always does)
        self._install(_Rows(source), source.ids, _NoClass(source), _Index(source), keep_key,
                      False)
        if len(source):  # the cursor's row is read at once, drawn or not (enter acts on it)
            source.account(self.cursor_row)

    @property
    def accounts(self) -> list[AccountRow | None]:
        """The rows of the list, each if read (for tests and small lists)."""
        source = self.source
        return [] if source is None else [source.account(i) for i in range(len(source))]

    @property
    def current_account(self) -> AccountRow | None:
        source = self.source
        if source is None or not len(source):
            return None
        return source.account(self.cursor_row)

    def _line_state(self, index: int) -> tuple[object, ...] | None:
        """What line ``index`` shows, read without asking for pages (a list being replaced
        must not read the rows of its lines)."""
        rows = self._rows
        if not isinstance(rows, _Rows):
            return super()._line_state(index)
        if index >= len(rows):
            return None
        return rows.source.ids[index], rows.source.peek(index), None, index == self.cursor_row

    def cells_of(self, index: int) -> tuple[Cell, ...]:
        """The row's cells as drawn (a placeholder until its page is read)."""
        return self.row(index)
