"""The two header lines: counts per urgency level and the next deadline; who, where, and modes.

The screen hands it a ``HeaderState``; it repaints only when the text it would show changes, so
a countdown tick that changes nothing in the header writes nothing to the terminal.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from rich.text import Text
from textual.geometry import Region
from textual.strip import Strip
from textual.widget import Widget

from ahr_tui.rules import CaseStatus
from ahr_tui.rules.urgency import Urgency
from ahr_tui.textsafe import clean_line
from ahr_tui.tui.widgets.case_table import CONTACT, LEVELS, Level
from ahr_tui.tui.widgets.list_filter import list_state

#: (level, short label) in the order shown. The mark and the word are the rows' own
#: (``LEVELS``: ``!! 2 critical`` above rows that read ``!!  CRITICAL``), so header and rows
#: never disagree; the short label is for where the whole words do not fit (narrower than 80
#: columns, or at 80 with very large counts).
#: Each case counts once: a detected case in ``to contact`` only (its rows read ``CONTACT``),
#: whatever its urgency against its contact_due; the count takes the mark of the most urgent.
_COUNT_LABELS = (
    (Urgency.OVERDUE, "overdue"),
    (Urgency.CRITICAL, "crit"),
    (Urgency.URGENT, "urg"),
    (Urgency.WARN, "warn"),
    (Urgency.OK, "ok"),
    (CaseStatus.DETECTED, "contact"),  # the rows' word (and ``ahr cases``')
    (CaseStatus.EXPIRED, "exp"),
    (CaseStatus.RESPONDED, "responded"),
)


def count_word(key: str) -> str:
    """The header's word for a level: the rows' name in lower case (``critical``); a detected
    case's count ``to contact``."""
    return "to contact" if key == CaseStatus.DETECTED else LEVELS[key].name.lower()


@dataclass(frozen=True, slots=True)
class HeaderState:
    counts: dict[str, int] = field(default_factory=dict)
    #: The most urgent level of a detected case (``LevelSummary.contact_level``).
    contact_level: str | None = None
    next_deadline: str = ""
    operator: str = ""
    role: str | None = None
    db_label: str = ""
    view: str = "Cases"
    #: The list's sort; empty until the screen says (nothing is claimed before it is known).
    sort: str = ""
    filter: str = ""
    paused: bool = False
    #: Nothing read yet: neither the cases nor the operator's role (``role`` None then means
    #: "not known yet", not "not an operator").
    loading: bool = True
    #: Shown instead of "loading cases…" when the first read failed (``failures.status_text``).
    problem: str = ""
    #: Due moments in the next 24 hours nobody who may act is on shift for; None: not known yet.
    uncovered: int | None = None
    marked: int = 0
    #: Only this many cases (the most urgent) are shown while the rest loads; None: all are.
    partial: int | None = None


class StatusHeader(Widget):
    """Line 1: urgency counts and next deadline. Line 2: operator, role, database, modes."""

    DEFAULT_CSS = """
    StatusHeader { height: 2; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.state = HeaderState()
        self.no_color = False
        self._lines = header_lines(self.state)

    def on_mount(self) -> None:
        self.no_color = self.app.no_color
        self.update_state()

    def on_resize(self) -> None:
        self._lines = header_lines(self.state, self.content_region.width, self.no_color)
        self.refresh()

    def update_state(self, **changes: object) -> bool:
        """Apply changes; repaint only the lines whose text changed. True when one did."""
        self.state = replace(self.state, **changes)
        lines = header_lines(self.state, self.content_region.width or 10_000, self.no_color)
        changed = False
        for y, (old, new) in enumerate(zip(self._lines, lines, strict=True)):
            width = _dirty_width(old, new, self.size.width)
            if width:
                # Textual re-sends a dirty line from its left edge to the region's right edge:
                # a countdown at the start of the line costs only its own cells.
                self.refresh(Region(0, y, width, 1))
                changed = True
        self._lines = lines
        self.set_class(self.state.paused, "-paused")
        return changed

    @property
    def plain(self) -> str:
        return "\n".join(line.plain for line in self._lines)

    def render_line(self, y: int) -> Strip:
        width = self.content_region.width
        if not 0 <= y < len(self._lines):
            return Strip.blank(width, self.rich_style)
        line = self._lines[y].copy()
        line.truncate(width, overflow="ellipsis", pad=True)
        segments = list(line.render(self.app.console))
        return Strip(segments).crop_extend(0, width, None).apply_style(self.rich_style)


def _dirty_width(old: Text, new: Text, full: int) -> int:
    """How many cells from the left must be repainted to turn ``old`` into ``new`` (0: none)."""
    if old.plain == new.plain and old.spans == new.spans:
        return 0
    if len(old.plain) != len(new.plain) or old.spans != new.spans or not old.plain.isascii():
        return full
    last = max(i for i, (a, b) in enumerate(zip(old.plain, new.plain, strict=True)) if a != b)
    return last + 2  # one cell of padding before the text


def header_lines(
    state: HeaderState, width: int = 10_000, no_color: bool = False
) -> tuple[Text, Text]:
    """The two lines for ``width`` cells. The counts, each with its level's mark and word as
    the rows show them (``!!! 1 overdue  !! 2 critical  ! 3 urgent``); where that does not
    fit, the first of ``_VARIANTS`` that does: the levels that count 0 go, then ok and
    responded, then the marks (the words stay), then warn (at 80 columns: ``next 5m 26s #54
    4 uncovered  1 critical  2 urgent  6 to contact  3 expired``), then urgent (narrower
    than 80 columns short words, ``crit``, ``urg``, come before it); the most urgent counts
    (overdue, critical, to contact, expired) are the last to go."""
    if state.loading:
        return Text(state.problem or "loading cases…"), _second_line(state)
    if state.partial is not None:  # counts of a part would be wrong: none until the whole
        rest = f"loading cases… the {state.partial:,} most urgent shown"
        return Text(state.problem or rest), _second_line(state)
    for variant in _WIDE if width >= WORDS_FROM else _NARROW:
        first = _counts_line(state, variant, no_color=no_color)
        if first.cell_len <= width:
            break
    return first, _second_line(state)


@dataclass(frozen=True, slots=True)
class _Variant:
    marks: bool = True  # !! 2 critical instead of 2 critical
    short: bool = False  # crit, urg, uncov instead of critical, urgent, uncovered
    gap: str = "  "
    zeros: bool = True  # show the levels that count 0
    without: frozenset[str] = frozenset()  # the counts left out (``DROP_ORDER``)


#: The counts a narrow header leaves out, in this order: those that need action least first
#: (ok and responded: no action is due on them yet; then warn, then urgent), so that the
#: most urgent, those past or nearly past a due moment (expired, to contact, critical,
#: overdue), are the last to go.
DROP_ORDER: tuple[str, ...] = (
    Urgency.OK, CaseStatus.RESPONDED, Urgency.WARN, Urgency.URGENT, CaseStatus.EXPIRED,
    CaseStatus.DETECTED, Urgency.CRITICAL,
)


def _dropping(
    first: int, last: int, *, marks: bool = True, gap: str = "  ", short: bool = False
) -> list[_Variant]:
    """Variants without the levels that count 0 and without the first ``first``, then
    ``first + 1`` ... ``last`` counts of ``DROP_ORDER``."""
    return [_Variant(marks=marks, short=short, gap=gap, zeros=False,
                     without=frozenset(DROP_ORDER[:n])) for n in range(first, last + 1)]


_OK_RESPONDED, _WARN, _URGENT = 2, 3, 4  # how many of ``DROP_ORDER`` that far

#: The counts of what needs action, in the order shown: those a narrow header keeps after
#: urgent has gone (overdue, critical, to contact, expired), and the terminal title's
#: (``MainScreen.title_text``).
NEEDS_ACTION: tuple[str, ...] = tuple(
    key for key, _ in _COUNT_LABELS if key not in DROP_ORDER[:_URGENT])

#: Tried in this order until the line fits the width, none showing a count that a longer one
#: left out: the zeros, ok and responded; the marks (the words say the level without them);
#: warn; one space between counts. From 80 columns (``WORDS_FROM``) urgent goes next, so
#: that the words stay whole (a newcomer reads no abbreviation there); narrower, the words
#: are shortened first, so that urgent stays as long as it fits; then the rest of
#: ``DROP_ORDER``.
_COMMON = (
    _Variant(),
    *_dropping(0, _OK_RESPONDED),
    *_dropping(_OK_RESPONDED, _WARN, marks=False),
    *_dropping(_WARN, _WARN, marks=False, gap=" "),
)
_WIDE = (
    *_COMMON,
    *_dropping(_URGENT, _URGENT, marks=False),
    *_dropping(_URGENT, _URGENT, marks=False, gap=" "),
    *_dropping(_URGENT, len(DROP_ORDER), marks=False, gap=" ", short=True),
)
_NARROW = (*_COMMON, *_dropping(_WARN, len(DROP_ORDER), marks=False, gap=" ", short=True))
#: The header's width (its padding left out) in an 80-column terminal.
WORDS_FROM = 78


def _counts_line(state: HeaderState, variant: _Variant, *, no_color: bool) -> Text:
    gap = variant.gap
    text = Text()
    text.append("next " + (state.next_deadline or "-"), style="bold")
    if state.uncovered is not None:  # second: a narrow line must not lose it
        text.append(gap)
        word = "uncov" if variant.short else "uncovered"
        if state.uncovered:
            text.append(f"{state.uncovered:,} {word}", style="bold reverse")
        else:
            text.append(f"0 {word}", style="dim")
    for key, short_label in _COUNT_LABELS:
        count = state.counts.get(key, 0)
        if (not count and not variant.zeros) or key in variant.without:
            continue
        level = _level(state, key)
        word = short_label if variant.short else count_word(key)
        style = level.style_for(no_color) if count else "dim"
        mark = f"{level.mark} " if variant.marks and count and level.mark else ""
        text.append(gap)
        text.append(f"{mark}{count:,} {word}", style=style)
    return text


def _level(state: HeaderState, key: str) -> Level:
    """The mark and style of a count: its level's; the to-contact count's, those of its most
    urgent case (``!!! 1 to contact`` above ``!!! CONTACT``)."""
    if key == CaseStatus.DETECTED and state.contact_level is not None:
        return LEVELS[CONTACT + state.contact_level]
    return LEVELS[key]


def _second_line(state: HeaderState) -> Text:
    """Modes first (so a narrow terminal never cuts PAUSED or the filter), the database last."""
    text = Text()
    if state.paused:
        text.append(" PAUSED ", style="bold reverse")
        text.append("  ")
    if state.marked:
        text.append(f" {state.marked} marked ", style="bold reverse")
        text.append("  ")
    who = clean_line(state.operator)
    if not state.loading:  # the role came with the first read: until then it is not known
        who = f"{who} ({state.role or 'not an operator'})".strip()
    if who:
        text.append(who, style="bold")
        text.append("  ")
    text.append(f"[{state.view}]  ")
    listed = list_state(state.sort, state.filter)
    if listed.plain:
        text.append(listed)
        text.append("  ")
    text.append(f"db {clean_line(state.db_label)}")
    return text
