"""``NO_COLOR`` that stays legible (DESIGN.md section 6: alarms bold or reverse, never grey).

Textual honours ``NO_COLOR`` with a ``Monochrome`` line filter that turns every colour into the
grey of the same brightness. Red text on a dark panel then becomes grey 237 on grey 235, and a
blue button's label vanishes into its button. ``LegibleMonochrome`` does the same conversion
and then, where a text's grey is too close to its background's, draws the text in the grey
that contrasts with it (light on dark, dark on light). The app installs it in place of
Textual's filter; what marks an alarm without colour (bold, reverse, a word) is chosen by the
widgets themselves (``case_table.Level.mono``).
"""

from __future__ import annotations

from functools import lru_cache

from rich.segment import Segment
from rich.style import Style
from textual.app import App
from textual.color import Color
from textual.filter import LineFilter, Monochrome, monochrome_style

#: Below this difference in perceived brightness (0..1) a text is redrawn in a contrasting grey.
MIN_CONTRAST = 0.3
LIGHT = Color(230, 230, 230)
DARK = Color(20, 20, 20)


@lru_cache(4096)
def legible_style(style: Style, background: Color) -> Style:
    """``style`` in greys, its text moved to a contrasting grey when it would be hard to read."""
    mono = monochrome_style(style)
    if mono.color is None:
        return mono
    text = Color.from_rich_color(mono.color)
    under = Color.from_rich_color(mono.bgcolor) if mono.bgcolor else background.monochrome
    if abs(text.brightness - under.brightness) >= MIN_CONTRAST:
        return mono
    readable = LIGHT if under.brightness < 0.5 else DARK
    return mono + Style(color=readable.rich_color)


class LegibleMonochrome(LineFilter):
    """Textual's ``Monochrome``, with every text kept readable against its background."""

    def apply(self, segments: list[Segment], background: Color) -> list[Segment]:
        return [
            Segment(text, legible_style(style, background) if style else style, None)
            for text, style, _ in segments
        ]


def install(app: App[object]) -> None:
    """Replace Textual's ``Monochrome`` filter (present only under ``NO_COLOR``) with ours.

    Textual keeps its filters in ``App._filters`` (8.2.8); nothing public replaces one.
    """
    filters = getattr(app, "_filters", None)
    if filters is None:
        return
    app._filters = [
        LegibleMonochrome() if isinstance(f, Monochrome) else f for f in filters
    ]
