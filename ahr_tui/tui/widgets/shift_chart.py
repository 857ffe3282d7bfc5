"""Due moments per hour against who is on shift: a bar chart drawn with the Line API.

One column group per UTC hour (as wide as the terminal allows), from the top:

    due  ┤ bars, one cell of height per step; an hour with an uncovered moment is drawn ``▒``
    on   ┤ how many operators are on shift that hour (``-`` none, ``+`` ten or more)
    !    ┤ ``!`` under every hour with an uncovered due moment
         └ the hour (UTC) every few columns; ``00`` becomes the weekday (``Wed``)

Every signal is a glyph as well as a colour, so it reads the same under ``NO_COLOR`` and in a
monochrome terminal; the uncovered hours are also bold red where colour exists. Written for this
app rather than taken from a plotting library: textual-plotext is not packaged where the project
installs from, and plotext's braille and colour-only series are unreadable without colour.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip
from textual.widget import Widget

from ahr_tui.rules.forecast import HourLoad

GUTTER = 5  # "  12┤"
BAR_ROWS = 6
_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
#: The widest label (a weekday) and the space after it.
_LABEL_CELLS = max(len(day) for day in _DAYS) + 1
_UNCOVERED = Style(color="red", bold=True)
_BAR = Style(color="cyan")


def chart_rows(loads: Sequence[HourLoad], width: int) -> list[list[tuple[str, Style | None]]]:
    """The chart as rows of (text, style) runs, ``width`` cells wide at most."""
    cols = max(1, (width - GUTTER) // max(1, len(loads)))
    shown = list(loads[: max(0, (width - GUTTER) // cols)])
    peak = max((h.due for h in shown), default=0)
    step = max(1, -(-peak // BAR_ROWS))  # each cell of height is ``step`` moments
    rows: list[list[tuple[str, Style | None]]] = []
    for level in range(BAR_ROWS, 0, -1):
        label = f"{level * step:>4}" if level in (BAR_ROWS, 1) else "    "
        row: list[tuple[str, Style | None]] = [(label + "┤", None)]
        for h in shown:
            filled = h.due >= level * step or (level == 1 and h.due > 0)
            glyph = ("▒" if h.uncovered else "█") if filled else " "
            style = _UNCOVERED if h.uncovered else _BAR
            row.append(((glyph * max(1, cols - 1)).ljust(cols), style))
        rows.append(row)
    on: list[tuple[str, Style | None]] = [("  on┤", None)]
    for h in shown:
        n = len(h.on_shift)
        on.append(((str(n) if 0 < n < 10 else "+" if n else "-").ljust(cols), None))
    rows.append(on)
    marks: list[tuple[str, Style | None]] = [("   !┤", None)]
    for h in shown:
        mark = "!" if h.uncovered else " "
        marks.append((mark.ljust(cols), _UNCOVERED if h.uncovered else None))
    rows.append(marks)
    rows.append([("UTC └", None), (_axis(shown, cols), None)])
    return rows


def _axis(loads: Sequence[HourLoad], cols: int) -> str:
    """Hour labels (``06``, or the weekday at midnight: ``Wed``) every few hours, as often as
    the widest label and a space fit between two (at 80 columns, 3 cells an hour: every
    second hour; two-letter weekdays there read as cut words, ``23 We 01``). A label that
    would run past the right edge is left out, never cut."""
    every = next((n for n in (1, 2, 3, 6, 12, 24) if n * cols >= _LABEL_CELLS), 24)
    cells = [" "] * (len(loads) * cols)
    for i, h in enumerate(loads):
        if h.start.hour % every:
            continue
        label = _DAYS[h.start.weekday()] if h.start.hour == 0 else f"{h.start.hour:02d}"
        at = i * cols
        if at + len(label) <= len(cells):
            cells[at : at + len(label)] = label
    return "".join(cells)


class ShiftChart(Widget):
    """Hours across, due moments up; ``loads`` is set by the screen (attributes down)."""

    DEFAULT_CSS = """
    ShiftChart { height: 10; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.loads: list[HourLoad] = []

    def show(self, loads: Sequence[HourLoad]) -> None:
        self.loads = list(loads)
        self.refresh()

    @property
    def plain(self) -> str:
        """The chart as text (for tests and for a glance in a log)."""
        width = self.size.width or 80
        return "\n".join(
            "".join(text for text, _ in row).rstrip() for row in chart_rows(self.loads, width)
        )

    def render_line(self, y: int) -> Strip:
        width = self.content_region.width
        rows = chart_rows(self.loads, width) if self.loads else []
        if not 0 <= y < len(rows):
            return Strip.blank(width, self.rich_style)
        segments = [Segment(text, style) for text, style in rows[y]]
        return Strip(segments).crop_extend(0, width, None).apply_style(self.rich_style)
