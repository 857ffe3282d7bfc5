"""The Cases list: active cases with a live countdown in the first column.

Cells are built lazily: a row's cells are made when it is first drawn, and its countdown is
brought up to the clock instant of the last tick just before it is drawn. ``tick`` compares the
visible rows' time text as plain strings and repaints only the cells whose text changed (most
change once a minute or an hour). So a reload costs the cases, not their cells, and a tick costs
the visible rows, not all the cases. Urgency is shown by a word and a glyph as well as a colour,
so that ``NO_COLOR`` and monochrome terminals show it too.
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import ClassVar

from rich.text import Text
from textual.strip import Strip

from ahr_tui.rules import DEFAULT_POLICY, CaseStatus
from ahr_tui.rules.urgency import CONTACT_WORD, Urgency, format_left, time_left, time_level
from ahr_tui.service.case_list import SortKey, matches, sort_cases
from ahr_tui.service.case_view import CaseView
from ahr_tui.textsafe import clean_line
from ahr_tui.tui.widgets.line_table import Cell, Column, LineTable

__all__ = ["SortKey", "matches", "sort_cases"]  # the shared list filter and sorts, for screens


@dataclass(frozen=True, slots=True)
class Level:
    """How one row's time is shown: the level's mark and name (``!!`` ``CRITICAL``), its
    style in colour and under ``NO_COLOR`` (``mono``: a passed due moment, overdue or expired,
    in bold reverse; critical bold underlined; urgent bold), and the row's tint. The header's
    counts use the same mark and name (``!! 2 critical``), so the two never disagree."""

    mark: str
    name: str
    colour: str
    mono: str
    row_class: str | None

    @property
    def word(self) -> str:
        """What the URGENCY column shows: the mark in three cells, then the name."""
        return f"{self.mark:<3} {self.name}"

    def style_for(self, no_color: bool) -> str:
        return self.mono if no_color else self.colour


#: The prefix of a detected case's level key (``contact-overdue`` ...).
CONTACT = "contact-"

#: One mark per urgency level, read without colour: more ``!`` is more urgent (``!!!``
#: overdue, ``!!`` critical, ``!`` urgent), ``.`` warn, nothing for ok; ``xx`` expired.
MARKS: dict[str, str] = {
    Urgency.OVERDUE: "!!!", Urgency.CRITICAL: "!!", Urgency.URGENT: "!", Urgency.WARN: ".",
    Urgency.OK: "", CaseStatus.EXPIRED: "xx", CaseStatus.RESPONDED: "",
}

_CONTACT = CONTACT_WORD.upper()

LEVELS: dict[str, Level] = {
    # The name is the level of ``rules.time_left`` (what ``ahr cases`` prints), after its
    # mark; the alarming ones in capitals.
    Urgency.OVERDUE: Level(MARKS[Urgency.OVERDUE], "OVERDUE", "bold reverse red", "bold reverse",
                           "case-table--overdue"),
    Urgency.CRITICAL: Level(MARKS[Urgency.CRITICAL], "CRITICAL", "bold red", "bold underline",
                            "case-table--critical"),
    Urgency.URGENT: Level(MARKS[Urgency.URGENT], "URGENT", "bold yellow", "bold", None),
    Urgency.WARN: Level(MARKS[Urgency.WARN], "WARN", "yellow", "", None),
    Urgency.OK: Level(MARKS[Urgency.OK], "ok", "green", "", None),
    CaseStatus.RESPONDED: Level(MARKS[CaseStatus.RESPONDED], "responded", "cyan", "", None),
    CaseStatus.EXPIRED: Level(MARKS[CaseStatus.EXPIRED], "EXPIRED", "bold magenta",
                              "bold reverse", "case-table--expired"),
    # a detected case: nobody has tried to reach the seller yet; the name says what to do
    # (DESIGN section 6; ``ahr cases`` writes it ``contact``: ``rules.TimeLeft.word``), its
    # level's mark how urgent it is against contact_due (``!!! CONTACT`` once past it, as the
    # header's ``!!! 1 to contact`` when it is the most urgent of them)
    CONTACT + Urgency.OVERDUE: Level(MARKS[Urgency.OVERDUE], _CONTACT, "bold reverse red",
                                     "bold reverse", "case-table--overdue"),
    CONTACT + Urgency.CRITICAL: Level(MARKS[Urgency.CRITICAL], _CONTACT, "bold red",
                                      "bold underline", "case-table--critical"),
    CONTACT + Urgency.URGENT: Level(MARKS[Urgency.URGENT], _CONTACT, "bold yellow", "bold",
                                    None),
    CONTACT + Urgency.WARN: Level(MARKS[Urgency.WARN], _CONTACT, "yellow", "", None),
    CONTACT + Urgency.OK: Level(MARKS[Urgency.OK], _CONTACT, "cyan", "", None),
    # the header's count of detected cases, when none is past its contact target
    CaseStatus.DETECTED: Level("", _CONTACT, "bold cyan", "bold", None),
}

#: What the mark column shows for a marked case (``space``); ASCII, so any terminal shows it.
MARK = "*"

#: The URGENCY column's width: its widest word (``    responded``), not a cell more, so that
#: the seller's name has every spare cell.
URGENCY_WIDTH = max(len(level.word) for level in LEVELS.values())

COLUMNS = (
    Column("left", "LEFT", 9, justify="right", cut=False),  # -275d 23h: never cut
    Column("urgency", "URGENCY", URGENCY_WIDTH),  # "    responded", "!!  CRITICAL"
    Column("id", "CASE", 6, justify="right"),
    Column("mark", "", 1),  # a marked case (space): a and n act on every marked case
    # At 60 columns the seller's name gives up cells (to 10) so that STATUS stays whole; wider,
    # it has the spare cells before the summary, up to 32 (most names whole).
    Column("seller", "SELLER", 18, flex=True, least=10, most=32),
    Column("store", "ST", 2, drop=2),
    Column("policy", "POLICY", 18, drop=4),
    Column("status", "STATUS", 9),
    Column("assignee", "ASSIGNEE", 10, drop=3),
    Column("summary", "SUMMARY", 20, drop=5, flex=True),
)


#: The statuses whose row counts down: open cases to their deadline, detected ones to their
#: first-contact target.
_COUNTING = frozenset({CaseStatus.OPEN, CaseStatus.DETECTED})

_PLACEHOLDER: tuple[Cell, ...] = tuple(Text("") for _ in COLUMNS)


def level_of(case: CaseView, now: datetime) -> str:
    """The key into ``LEVELS``: ``rules.time_left``'s level (the urgency while the clock runs,
    else the status); a detected case's urgency (against its contact_due) prefixed ``contact-``."""
    level = time_level(case.status, case.due, now)
    return CONTACT + level if case.status is CaseStatus.DETECTED else level


def time_text(case: CaseView, now: datetime) -> str:
    """``rules.time_left``'s text: time left; responded: the margin it met the deadline by
    (``+1d 10h``); expired: time past it."""
    return time_left(case.status, case.due, now, responded_at=case.responded_at).text


def _live(shown: tuple[str, str], no_color: bool) -> tuple[Text, Text, str | None]:
    """The countdown cell, the urgency cell and the row's component class, from the time
    text and the level key."""
    text, key = shown
    level = LEVELS[key]
    style = level.style_for(no_color)
    return Text(text, style=style), Text(level.word, style=style), level.row_class


def static_cells(case: CaseView) -> tuple[Cell, ...]:
    return (
        str(case.id),
        clean_line(case.name) or clean_line(case.seller_id),
        case.store,
        case.policy,
        case.status.value,
        clean_line(case.assignee) or "-",
        clean_line(case.summary),
    )


class CaseTable(LineTable):
    """A ``LineTable`` of ``CaseView`` rows whose first two columns follow the clock."""

    COMPONENT_CLASSES: ClassVar[set[str]] = LineTable.COMPONENT_CLASSES | {
        "case-table--overdue",
        "case-table--critical",
        "case-table--expired",
    }

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        # Nothing is claimed before the first read (the header says it is loading, or why it
        # failed); the screen sets what an empty list says once it has read one.
        super().__init__(COLUMNS, empty_text="", id=id, classes=classes)
        self.marked: frozenset[int] = frozenset()  # set by the screen: the marked case ids
        self.cases: list[CaseView] = []
        self.now: datetime | None = None
        self._stamps: list[datetime | None] = []  # the instant each row was built for
        self._shown: list[tuple[str, str] | None] = []  # its time text and level key then

    @property
    def current_case(self) -> CaseView | None:
        return self.cases[self.cursor_row] if self.cases else None

    def set_cases(
        self, cases: Sequence[CaseView], now: datetime, *, keep_id: int | None = None
    ) -> None:
        """Show ``cases`` in this order; the cursor stays on case ``keep_id`` (default: current).

        A row's cells are built when it is first drawn (or read): thousands of cases cost one
        placeholder tuple each until then. A case that is unchanged keeps the cells it was drawn
        with, so only the lines of cases that changed (or moved) are repainted.
        """
        old_cases, old_stamps, old_shown = self.cases, self._stamps, self._shown
        self.cases = list(cases)
        count = len(self.cases)
        keys = [c.id for c in self.cases]
        positions = {key: i for i, key in enumerate(keys)}
        rows: list[tuple[Cell, ...]] = [_PLACEHOLDER] * count
        classes: list[str | None] = [None] * count
        self._stamps, self._shown = [None] * count, [None] * count
        # Only the rows built so far can be kept (a few screens' worth, whatever the count):
        # look those up in the new list rather than every new case in the old one.
        for old, stamp in enumerate(old_stamps):
            if stamp is None:
                continue
            new = positions.get(old_cases[old].id)
            if new is not None and self.cases[new] == old_cases[old]:
                # unchanged and already built: keep its cells (so its line is not repainted)
                rows[new], classes[new] = super().row(old), self.row_class(old)
                self._stamps[new], self._shown[new] = stamp, old_shown[old]
        self.now = now
        keep = keep_id if keep_id is not None else self.cursor_key
        self._install(rows, keys, classes, positions, keep, repaint_all=False)

    def row(self, index: int) -> tuple[Cell, ...]:
        self._bring_up_to_date(index)
        return super().row(index)

    def _mark(self, case_id: int) -> Text:
        return Text(MARK, style="bold") if case_id in self.marked else Text("")

    def set_marked(self, marked: frozenset[int]) -> None:
        """Show ``marked`` in the mark column; repaints only the lines whose mark changed."""
        changed = self.marked ^ marked
        self.marked = marked
        cells = {}
        for case_id in changed:
            index = self.row_index(case_id)
            if index is not None and self._stamps[index] is not None:
                cells[index] = self._mark(case_id)
        self.update_cells("mark", cells)

    def tick(self, now: datetime) -> int:
        """Move the countdowns to ``now``; repaint only visible cells whose text changed.

        A row's time and level are compared as plain strings first, so a row whose text stays
        the same this second (most rows: they change once a minute or an hour) costs no
        ``Text`` and no repaint. Rows not drawn yet are left to ``render_line``.
        """
        self.now = now
        top, bottom = self._visible_rows()
        lefts: dict[int, Cell] = {}
        words: dict[int, Cell] = {}
        for index in range(top, min(bottom, len(self.cases))):
            if self._stamps[index] is None:
                continue
            case = self.cases[index]
            shown = (time_text(case, now), level_of(case, now))
            self._stamps[index] = now
            if shown == self._shown[index]:
                continue
            self._shown[index] = shown
            left, word, row_class = _live(shown, self.app.no_color)
            lefts[index], words[index] = left, word
            self.set_row_class(index, row_class)
        return self.update_cells("left", lefts) + self.update_cells("urgency", words)

    def render_line(self, y: int) -> Strip:
        index = int(self.scroll_offset.y) + y - 1
        if y > 0 and 0 <= index < len(self.cases):
            self._bring_up_to_date(index)
        return super().render_line(y)

    def _bring_up_to_date(self, index: int) -> None:
        stamp, now = self._stamps[index], self.now
        if now is None or stamp == now:
            return
        case = self.cases[index]
        shown = (time_text(case, now), level_of(case, now))
        if stamp is None:  # first drawn: the case id, its mark, then the other static cells
            case_id, *others = static_cells(case)
            rest: tuple[Cell, ...] = (case_id, self._mark(case.id), *others)
        else:
            rest = super().row(index)[2:]
        left, word, row_class = _live(shown, self.app.no_color)
        self._replace_row(index, (left, word, *rest), row_class)
        self._stamps[index], self._shown[index] = now, shown


class LevelSummary:
    """Counts per level and the next deadline, brought up to date case by case as levels change.

    The header and the terminal title read it every second. Levels change only at known
    instants (24 h, 6 h and 1 h before a case's due moment, and just after it), so after one
    full pass the summary keeps each running case's next such instant in a heap, and a later
    ``at`` re-levels only the cases whose instant has come: with 100,000 running clocks (a
    marketplace's day), some level changes nearly every second, and a full pass each time
    cost 0.15-0.2 s of the idle app's CPU a second. An earlier instant than the last one asked
    (a clock set back) makes a full pass again.
    """

    _AFTER = timedelta(microseconds=1)

    def __init__(self, cases: Sequence[CaseView]) -> None:
        self.cases = cases
        self._valid: tuple[datetime, datetime] | None = None  # [computed at, valid until)
        #: Cases per ``LEVELS`` key (a detected case under its ``contact-`` key).
        self.counts: dict[str, int] = {}
        #: Cases per urgency level and status, detected cases left out (``detected`` counts
        #: them: each case once, and ``overdue`` is the 72-hour deadline's word): what the
        #: header and the title show.
        self.urgency: dict[str, int] = {}
        #: The most urgent level of a detected case (against its contact_due), None without
        #: one: the header marks its to-contact count with it, as the rows mark ``CONTACT``.
        self.contact_level: str | None = None
        self.upcoming: CaseView | None = None
        #: Open cases past their deadline (a detected case past its contact_due never expires).
        self.expirable = 0
        #: Detected cases (not contacted yet).
        self.detected = 0
        policy = DEFAULT_POLICY
        #: The offsets from a due moment at which its level changes, ascending.
        self._edges = (-policy.warn_within, -policy.urgent_within, -policy.critical_within,
                       self._AFTER)
        #: Each running case's key in ``counts``, by its index (None: its clock does not run).
        self._levels: list[str | None] = []
        #: (the next instant its level changes, index) of each running case with one ahead.
        self._changes: list[tuple[datetime, int]] = []
        #: (due, id, index) of the running cases not past due, once ``upcoming`` has passed its
        #: due moment (``_next_due``); None before.
        self._coming: list[tuple[datetime, int, int]] | None = None

    def at(self, now: datetime) -> LevelSummary:
        if self._valid is None or now < self._valid[0]:
            self._compute(now)
        elif now >= self._valid[1]:
            self._advance(now)
        return self

    def _next_change(self, due: datetime, now: datetime) -> datetime | None:
        """The first instant after ``now`` at which a case due at ``due`` changes level."""
        for edge in self._edges:
            if due + edge > now:
                return due + edge
        return None

    def _compute(self, now: datetime) -> None:
        """One pass over the cases (about 1 s of CPU a million cases: each due moment read
        once, no generator per case)."""
        edges = self._edges
        counts = dict.fromkeys(LEVELS, 0)
        cases = self.cases
        levels: list[str | None] = [None] * len(cases)
        changes: list[tuple[datetime, int]] = []
        upcoming: CaseView | None = None
        upcoming_key: tuple[datetime, int] | None = None
        expirable = detected = 0
        zero = timedelta(0)
        for index, case in enumerate(cases):
            status = case.status
            due = case.contact_due if case.deadline is None else case.deadline  # ``due``
            level = time_level(status, due, now)  # ``level_of``, with ``due`` read once
            if status is CaseStatus.DETECTED:
                key = CONTACT + level
                detected += 1
            else:
                key = level
            counts[key] += 1
            if status not in _COUNTING:
                continue
            levels[index] = key
            left = due - now
            if left < zero:
                expirable += status is not CaseStatus.DETECTED
            elif upcoming_key is None or (due, case.id) < upcoming_key:
                upcoming, upcoming_key = case, (due, case.id)
            for edge in edges:  # the first edge still ahead: due + edge > now
                if edge > -left:
                    changes.append((due + edge, index))
                    break
        heapq.heapify(changes)
        self.expirable, self.detected, self.counts = expirable, detected, counts
        self._levels, self._changes, self._coming = levels, changes, None
        self._settle(now, upcoming)

    def _advance(self, now: datetime) -> None:
        """Re-level the cases whose next change has come by ``now`` (no earlier than the
        instant of the last pass)."""
        changes, levels, counts, cases = self._changes, self._levels, self.counts, self.cases
        overdue = Urgency.OVERDUE.value
        while changes and changes[0][0] <= now:
            _, index = heapq.heappop(changes)
            case = cases[index]
            status = case.status
            due = case.contact_due if case.deadline is None else case.deadline
            level = time_level(status, due, now)
            key = CONTACT + level if status is CaseStatus.DETECTED else level
            was = levels[index]
            assert was is not None
            counts[was] -= 1
            counts[key] += 1
            if status is not CaseStatus.DETECTED:  # an open case is past due when overdue
                self.expirable += (key == overdue) - (was == overdue)
            levels[index] = key
            after = self._next_change(due, now)
            if after is not None:
                heapq.heappush(changes, (after, index))
        upcoming = self.upcoming
        if upcoming is not None and upcoming.due < now:
            upcoming = self._next_due(now)
        self._settle(now, upcoming)

    def _next_due(self, now: datetime) -> CaseView | None:
        """The running case due next, not past due at ``now``: from a heap of every running
        case's (due, id), made the first time the upcoming case passes its due moment."""
        coming = self._coming
        if coming is None:
            coming = self._coming = [
                (case.due, case.id, index) for index, case in enumerate(self.cases)
                if case.status in _COUNTING and case.due >= now
            ]
            heapq.heapify(coming)
        while coming and coming[0][0] < now:
            heapq.heappop(coming)
        return self.cases[coming[0][2]] if coming else None

    def _settle(self, now: datetime, upcoming: CaseView | None) -> None:
        """The fields read from ``counts`` and the heap, valid from ``now`` until the next
        change."""
        counts = self.counts
        self.upcoming = upcoming
        until = self._changes[0][0] if self._changes else datetime.max.replace(tzinfo=now.tzinfo)
        self._valid = (now, until)
        self.urgency = {key: n for key, n in counts.items() if not key.startswith(CONTACT)}
        self.contact_level = next(
            (level for level in _MOST_URGENT_FIRST if counts[CONTACT + level]), None)


#: The urgency levels, most urgent first.
_MOST_URGENT_FIRST = (Urgency.OVERDUE, Urgency.CRITICAL, Urgency.URGENT, Urgency.WARN, Urgency.OK)


def coarse_left(left: timedelta) -> str:
    """Minute precision (for the terminal title, which should not change every second)."""
    text = format_left(left)
    return text.split(" ")[0] if left < timedelta(hours=1) else text
