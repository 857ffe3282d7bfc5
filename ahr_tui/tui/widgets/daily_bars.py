"""Daily counts as rows of bars, one row per series, for the metrics screen.

Each series is one line: its name, a bar per day (``▁`` to ``█``, scaled to the series' own
busiest day; ``·`` for a day with none), its total and its busiest day. Heights carry the
meaning, not colours, so the chart reads the same under ``NO_COLOR`` and on a monochrome
terminal. When the window has more days than there are columns, consecutive days are summed
into one bar (the header says how many days a bar holds).

Why not a plotting library: textual-plotext installs here, but its bar charts need eight rows
or more each to tell 2 from 3 (measured at 70x7: heights 3, 5 and 2 drew alike) and draw a
frame and axes around every series; six series must fit an 80x24 screen beside the figures.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from rich.text import Text
from textual.widget import Widget

BARS = "▁▂▃▄▅▆▇█"
NONE = "·"
LABEL = 12  # "deactivated " fits
TAIL = 16  # "  total  peak" after the bars


@dataclass(frozen=True, slots=True)
class Series:
    name: str
    values: Sequence[int]  # one per day, oldest first


def per_bar(days: int, columns: int) -> int:
    """Days summed into one bar so that ``days`` fit ``columns``."""
    return max(1, -(-days // max(1, columns)))


def bars(values: Sequence[int], columns: int) -> str:
    """One character per bar: the sum of its days, scaled to the largest bar."""
    size = per_bar(len(values), columns)
    sums = [sum(values[i:i + size]) for i in range(0, len(values), size)]
    peak = max(sums, default=0)
    if peak == 0:
        return NONE * len(sums)
    return "".join(
        NONE if s == 0 else BARS[min(len(BARS) - 1, (s * len(BARS) - 1) // peak)] for s in sums
    )


def chart_lines(series: Sequence[Series], first: date, last: date, width: int) -> list[Text]:
    """The chart: a header naming the days, then one line per series."""
    columns = max(1, width - LABEL - TAIL)
    days = len(series[0].values) if series else 0
    size = per_bar(days, columns)
    span = f"{first:%b %d} to {last:%b %d}" + (f", {size} days a bar" if size > 1 else "")
    shown = -(-days // size) if days else 0
    header = Text(f"{'daily':<{LABEL}}{span:<{max(shown, len(span))}}", style="bold")
    header.append(f"{'total':>8}{'peak':>6}", style="bold")
    lines = [header]
    for s in series:
        line = Text(f"{s.name:<{LABEL}}")
        line.append(f"{bars(s.values, columns):<{max(shown, len(span))}}")
        peak = max((sum(s.values[i:i + size]) for i in range(0, days, size)), default=0)
        line.append(f"{sum(s.values):>8}{peak:>6}")
        lines.append(line)
    return lines


class DailyBars(Widget):
    """The daily series of a window; ``show`` replaces them."""

    DEFAULT_CSS = """
    DailyBars {
        height: auto;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._series: list[Series] = []
        self._span: tuple[date, date] | None = None

    def show(self, series: Sequence[Series], first: date, last: date) -> None:
        self._series, self._span = list(series), (first, last)
        self.refresh(layout=True)

    def get_content_height(self, container: object, viewport: object, width: int) -> int:
        return len(self._series) + 1 if self._span else 0

    def render(self) -> Text:
        if self._span is None:
            return Text("")
        first, last = self._span
        return Text("\n").join(chart_lines(self._series, first, last, self.size.width))
