"""A block-character chart of an account's AHR over the eligibility window, for the detail screen.

Days are bucketed so the chart fits the width (three days per column at 80 columns); a bucket
shows its lowest score, because one bad day is what the rules count. The 250 threshold is a row
of its own: a bar at or above 250 passes through it, a lower bar leaves the line visible. Days
with no score are marked ``×`` on the axis (they count against the seller). Bands are coloured
AND each has its own bar heights below the line, which the legend shows and names as applying
there; under ``NO_COLOR`` the bands are also three greys far apart (the worst the brightest).
Above the line a bar rises by whole cells, one a row of 250 points (the rows are labelled), so
that no bar top there reads as one of the bands' heights below it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import ClassVar

from rich.style import StyleType
from rich.text import Text
from textual.widget import Widget

from ahr_tui.rules import DEFAULT_POLICY, Band, Policy, band

BLOCKS = " ▁▂▃▄▅▆▇█"
UPPER_ROWS = 3  # rows for threshold..score_max; one row below the line for 0..threshold
GUTTER = 5  # "1000┤"


@dataclass(frozen=True, slots=True)
class Bucket:
    """Some consecutive days: the lowest score among them (None if none was scored)."""

    low: int | None
    missing: int
    days: int


def days_per_column(days: int, columns: int) -> int:
    return max(1, -(-days // max(1, columns)))


def bucket(series: Sequence[int | None], columns: int) -> list[Bucket]:
    """Split ``series`` (oldest first) into at most ``columns`` buckets of equal day counts.

    The last bucket ends on the newest day; the first may be shorter.
    """
    if not series:
        return []
    size = days_per_column(len(series), columns)
    start = len(series) % size
    bounds = ([(0, start)] if start else []) + [
        (i, i + size) for i in range(start, len(series), size)
    ]
    out: list[Bucket] = []
    for lo, hi in bounds:
        chunk = series[lo:hi]
        scored = [s for s in chunk if s is not None]
        out.append(Bucket(low=min(scored) if scored else None, missing=len(chunk) - len(scored),
                          days=len(chunk)))
    return out


def _heights(score: int, policy: Policy) -> tuple[int, int]:
    """How many eighths of a cell the bar fills below the line (of 8), and how many whole
    cells it rises above it (of ``UPPER_ROWS``, each ``_ROW_POINTS``: the nearest).

    Below the line the heights are the band's own (``_LOW_EIGHTHS``: unhealthy 1-2, at risk
    3-5, healthy 6-7, about in proportion), so a bar's glyph says its band without colour and
    the legend shows each band's glyphs (``band_glyphs``). Above it a bar is whole cells
    only: a partial top there (``▅``) read as a band's height."""
    line = policy.threshold
    if score < line:
        lowest, highest = _LOW_EIGHTHS[band(score, policy)]
        start, end = _band_scores(score, policy)
        return lowest + (score - start) * (highest - lowest + 1) // (end - start), 0
    row = _row_points(policy)
    return 8, min(UPPER_ROWS, (score - line + row // 2) // row)


def _row_points(policy: Policy) -> int:
    """The points one row above the line stands for (250: the rows are 500, 750, 1000)."""
    return (policy.score_max - policy.threshold) // UPPER_ROWS


#: The eighths a bar below the 250 line may fill in each band (8: from the line up).
_LOW_EIGHTHS = {Band.UNHEALTHY: (1, 2), Band.AT_RISK: (3, 5), Band.HEALTHY: (6, 7)}


def _band_scores(score: int, policy: Policy) -> tuple[int, int]:
    """[start, end) of the scores below the line in ``score``'s band."""
    if score >= policy.healthy_min:
        return policy.healthy_min, policy.threshold
    if score >= policy.at_risk_min:
        return policy.at_risk_min, policy.healthy_min
    return 0, policy.at_risk_min


def band_glyphs() -> dict[Band, str]:
    """The glyphs a band's bars end in on the low row, below the 250 line (``▁▂`` unhealthy
    ... ``▆▇`` healthy): the legend's swatches, read without colour."""
    return {b: "".join(_cell(e) for e in range(low, high + 1))
            for b, (low, high) in _LOW_EIGHTHS.items()}


def _cell(eighths: int) -> str:
    return BLOCKS[max(0, min(8, eighths))]


def chart(
    series: Sequence[int | None],
    width: int,
    start: date,
    styles: dict[str, StyleType] | None = None,
    policy: Policy = DEFAULT_POLICY,
) -> list[Text]:
    """The chart's lines for ``width`` cells: bars, the threshold row, the axis, the dates.

    ``styles`` maps ``healthy``/``at_risk``/``unhealthy``/``line``/``missing``/``axis`` to Rich
    style strings (the widget takes them from its CSS component classes).
    """
    styles = styles or {}
    buckets = bucket(series, max(1, width - GUTTER))
    grid: list[Text] = [Text(_gutter(row, policy), style=styles.get("axis", ""))
                        for row in range(UPPER_ROWS + 2)]
    for b in buckets:
        below, above = _heights(b.low, policy) if b.low is not None else (0, 0)
        colour = styles.get(band(b.low, policy).value, "") if b.low is not None else ""
        for row in range(UPPER_ROWS):  # top row first
            grid[row].append("█" if above >= UPPER_ROWS - row else " ", colour)
        if b.low is not None and b.low >= policy.threshold:
            grid[UPPER_ROWS].append("█", colour)
        else:
            grid[UPPER_ROWS].append("─", styles.get("line", ""))
        grid[UPPER_ROWS + 1].append(_cell(below), colour)
    axis = Text("    └", style=styles.get("axis", ""))
    for b in buckets:
        axis.append("×" if b.missing else "─", styles.get("missing" if b.missing else "axis", ""))
    end = start + timedelta(days=len(series) - 1)
    dates = Text(" " * GUTTER + start.isoformat(), style=styles.get("axis", ""))
    dates.append(end.isoformat().rjust(max(1, len(buckets) - len(start.isoformat()))))
    return [*grid, axis, dates]


def _gutter(row: int, policy: Policy) -> str:
    """Each row above the line labelled with the score its cells stand for (``1000┤``,
    `` 750┤``, `` 500┤``), the line's row ``250┼``, the row below it ``0┤``."""
    if row < UPPER_ROWS:
        return f"{policy.score_max - row * _row_points(policy):>4}┤"
    return f"{policy.threshold:>4}┼" if row == UPPER_ROWS else "   0┤"


def legend(
    series: Sequence[int | None], width: int, styles: dict[str, StyleType] | None = None
) -> list[Text]:
    """Two lines naming what colour alone would say (bands) and what a column holds."""
    styles = styles or {}
    size = days_per_column(len(series), max(1, width - GUTTER))
    per = "1 day" if size == 1 else f"{size} days"
    first = Text(f"each column: {per}, its lowest score · ")
    first.append("─", styles.get("line", ""))
    first.append(" the 250 line · ")
    first.append("×", styles.get("missing", ""))
    first.append(" no score")
    # each band's own bar heights, not only its colour (NO_COLOR, monochrome terminals), and
    # where they are: below the line (above it bars rise by whole cells, ``chart``)
    glyphs = band_glyphs()
    for where in ("below the 250 line: ", "below 250: "):  # the short one where it is cut
        second = Text(where)
        for key, label in ((Band.HEALTHY, "healthy 200–249"), (Band.AT_RISK, "at risk 100–199"),
                           (Band.UNHEALTHY, "unhealthy ≤99")):
            second.append(glyphs[key] + " ", styles.get(key.value, ""))
            second.append(label + "  ")
        second.rstrip()
        if second.cell_len <= width:
            break
    return [first, second]


class Sparkline(Widget):
    """The chart for ``series`` (one score or None per day, oldest first, starting ``start``)."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "sparkline--healthy",
        "sparkline--at-risk",
        "sparkline--unhealthy",
        "sparkline--line",
        "sparkline--missing",
        "sparkline--axis",
    }

    DEFAULT_CSS = """
    Sparkline { height: 9; }
    Sparkline > .sparkline--healthy { color: $success; }
    Sparkline > .sparkline--at-risk { color: $warning; }
    Sparkline > .sparkline--unhealthy { color: $error; }
    Sparkline > .sparkline--line { color: $text-muted; }
    Sparkline > .sparkline--missing { color: $error; text-style: bold; }
    Sparkline > .sparkline--axis { color: $text-muted; }
    /* NO_COLOR: three greys far apart, the worst band the brightest (and bold) */
    Sparkline:nocolor > .sparkline--healthy { color: #6c6c6c; }
    Sparkline:nocolor > .sparkline--at-risk { color: #a8a8a8; }
    Sparkline:nocolor > .sparkline--unhealthy { color: #ffffff; text-style: bold; }
    """

    def __init__(
        self,
        series: Sequence[int | None] = (),
        start: date | None = None,
        *,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id, classes=classes)
        self.series: tuple[int | None, ...] = tuple(series)
        self.start = start or date(1970, 1, 1)

    def set_series(self, series: Sequence[int | None], start: date) -> None:
        self.series = tuple(series)
        self.start = start
        self.refresh(layout=True)

    def _styles(self) -> dict[str, StyleType]:
        names = {
            Band.HEALTHY.value: "healthy", Band.AT_RISK.value: "at-risk",
            Band.UNHEALTHY.value: "unhealthy", "line": "line", "missing": "missing",
            "axis": "axis",
        }
        return {
            key: self.get_component_rich_style(f"sparkline--{name}", partial=True)
            for key, name in names.items()
        }

    def render(self) -> Text:
        if not self.series:
            return Text("no scores", style="italic")
        width = self.size.width or 80
        styles = self._styles()
        lines = chart(self.series, width, self.start, styles)
        lines.extend(legend(self.series, width, styles))
        joined = Text("\n").join(lines)
        joined.no_wrap = True
        joined.overflow = "crop"
        return joined
