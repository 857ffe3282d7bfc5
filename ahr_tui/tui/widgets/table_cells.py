"""The columns and cells of a ``LineTable``: how columns share a width, how a cell is drawn.

Pure helpers of ``line_table.py`` (no widget state): ``fit_columns`` decides which columns fit a
width and where each goes; ``cell_segments`` draws one cell, cut or padded, never parsing it as
markup.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

from rich.console import Console
from rich.segment import Segment
from rich.text import Span, Text

from ahr_tui.textsafe import clean_line

Justify = Literal["left", "right"]
#: A cell: a ``Text`` (styled) or a plain ``str``; both are shown literally, never parsed as markup.
Cell = Text | str


@dataclass(frozen=True, slots=True)
class Column:
    """One column. ``drop`` > 0 may be dropped on a narrow terminal, highest first; 0 never is.

    ``flex`` columns share the width left over once every kept column has its ``width``; a
    flex column with a ``most`` width has it first, up to ``most`` (a seller's name before a
    summary: the name says whose case it is), the others share the rest (all do when none
    is left without one, so no cell stays blank). When nothing is left to drop and the kept
    columns still do not fit, a flex column with a ``least`` width gives up cells down to it
    (a name is cut with "…" sooner than the status after it goes off the edge). A
    ``cut=False`` column (a countdown) is never cut: it grows to the widest cell drawn in it.
    """

    key: str
    header: str
    width: int
    drop: int = 0
    flex: bool = False
    justify: Justify = "left"
    cut: bool = True
    least: int | None = None
    most: int | None = None


def fit_columns(
    columns: Sequence[Column], width_of: Callable[[int], int], width: int
) -> list[tuple[int, int, int]]:
    """(column index, x, width) of each column kept in ``width`` cells: droppable columns go,
    highest ``drop`` first, until the rest fit with one blank between columns; ``flex`` columns
    share what is left. ``width_of(i)`` is column ``i``'s width now."""
    kept = list(range(len(columns)))
    droppable = sorted((c.drop, i) for i, c in enumerate(columns) if c.drop > 0)

    def needed() -> int:
        return sum(width_of(i) for i in kept) + max(0, len(kept) - 1)

    while needed() > width and droppable:
        kept.remove(droppable.pop()[1])
    spare = width - needed()
    flex = [i for i in kept if columns[i].flex]
    widths = {i: width_of(i) for i in kept}
    if spare >= 0:
        for i in flex:  # first the columns with a ``most``, up to it
            if (most := columns[i].most) is not None:
                give = min(spare, max(0, most - widths[i]))
                widths[i] += give
                spare -= give
        shared = [i for i in flex if columns[i].most is None] or flex
        for n, i in enumerate(shared):
            widths[i] += spare // len(shared) + (1 if n < spare % len(shared) else 0)
    else:
        for i in flex:
            if (least := columns[i].least) is not None:  # too wide: shrink it, to its least
                give = min(-spare, max(0, widths[i] - least))
                widths[i] -= give
                spare += give
    layout: list[tuple[int, int, int]] = []
    x = 0
    for i in kept:
        layout.append((i, x, widths[i]))
        x += widths[i] + 1
    return layout


def same_cell(a: Cell, b: Cell) -> bool:
    if isinstance(a, str) or isinstance(b, str):
        return type(a) is type(b) and a == b
    return a.plain == b.plain and a.spans == b.spans and a.style == b.style


#: Cells drawn lately, by what they draw (``cell_segments``); forgotten past ``_DRAWN_MAX``.
_drawn: dict[tuple[object, ...], list[Segment]] = {}
_DRAWN_MAX = 20_000


def cell_segments(text: Cell, width: int, justify: Justify) -> list[Segment]:
    """The cell's text cut or padded to ``width`` cells, as segments (no console measuring).

    The text's own style becomes a span over the text (not the padding): ``Text.render`` drops
    the style of a ``Text`` that has no spans, which left every cell uncoloured. The segments
    of a cell drawn before are given again (a line's scores, counts and states repeat: drawing
    them is most of a table's repaint, about 1 ms a line); the caller must not change them.
    """
    if isinstance(text, str):
        key: tuple[object, ...] = (text, width, justify)
    else:
        key = (text.plain, text.style, tuple(text.spans), width, justify)
    drawn = _drawn.get(key)
    if drawn is None:
        if len(_drawn) >= _DRAWN_MAX:
            _drawn.clear()
        drawn = _drawn[key] = _draw_cell(text, width, justify)
    return drawn


def _draw_cell(text: Cell, width: int, justify: Justify) -> list[Segment]:
    # A str is cleaned here too (only visible cells are drawn, so this is cheap): defence in depth.
    cell = Text(clean_line(text)) if isinstance(text, str) else text.copy()
    cell.truncate(width, overflow="ellipsis", pad=False)
    if cell.style:
        cell.spans.insert(0, Span(0, len(cell.plain), cell.style))
        cell.style = ""
    pad = width - cell.cell_len
    if pad > 0:
        if justify == "right":
            cell.pad_left(pad)
        else:
            cell.pad_right(pad)
    return list(cell.render(_CONSOLE))


#: Only used to resolve style names in cells; never writes anything.
_CONSOLE = Console(width=10_000, color_system=None, legacy_windows=False, force_terminal=False)
