"""What the screen's compositor draws, segment by segment (after Textual's line filters).

Colour lives in the segments that reach the terminal, not in the ``Text`` objects a widget holds:
a ``Text`` with a style and no spans was silently drawn without it. These helpers read the
strips the compositor renders for the whole screen, which are what the driver writes (with
``NO_COLOR``'s filter applied), so a test of colour tests what the operator sees.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.segment import Segment
from rich.style import Style
from textual.app import App
from textual.color import Color


@dataclass(frozen=True)
class Drawn:
    text: str
    style: Style
    row: int
    line: str


def lines(app: App[object]) -> list[list[Segment]]:
    strips = app.screen._compositor.render_strips()
    return [list(strip) for strip in strips]


def screen_text(app: App[object]) -> list[str]:
    return ["".join(seg.text for seg in line) for line in lines(app)]


def find(app: App[object], needle: str, *, row_with: str = "") -> Drawn:
    """The segment where ``needle`` starts, on the first line holding it (and ``row_with``)."""
    for y, line in enumerate(lines(app)):
        plain = "".join(seg.text for seg in line)
        at = plain.find(needle)
        if at < 0 or row_with not in plain:
            continue
        x = 0
        for seg in line:
            if x <= at < x + len(seg.text):
                return Drawn(seg.text, seg.style or Style(), y, plain)
            x += len(seg.text)
    raise AssertionError(f"{needle!r} is not on the screen:\n" + "\n".join(screen_text(app)))


def contrast(style: Style) -> float:
    """Difference in perceived brightness (0..1) between a segment's text and its background."""
    assert style.color is not None and style.bgcolor is not None, style
    fore = Color.from_rich_color(style.color)
    back = Color.from_rich_color(style.bgcolor)
    return abs(fore.brightness - back.brightness)


def illegible(app: App[object], minimum: float = 0.25) -> list[tuple[int, str, float]]:
    """Every drawn piece of text (not blanks or block glyphs) too close to its background."""
    found = []
    for y, line in enumerate(lines(app)):
        for seg in line:
            style = seg.style
            if not seg.text.strip() or style is None or style.color is None or style.dim:
                continue
            if style.bgcolor is None or set(seg.text.strip()) <= set("▁▂▃▄▅▆▇█▏▕ "):
                continue
            if contrast(style) < minimum:
                found.append((y, seg.text, round(contrast(style), 2)))
    return found
