"""The urgency colours on a terminal with 16 colours (``TERM=xterm``, ``screen``, ``linux``).

The app styles urgency words, bands and phone states with the terminal's colour names (red,
yellow, green, cyan, magenta). Textual first turns each name into its theme's RGB value (red
into a pinkish red, yellow into orange); on a terminal with 256 colours or more that is what is
drawn. On one with 16, the driver then draws the nearest of the 16 to that RGB value: critical
and overdue came out magenta, urgent and warn both bright red, so the most alarming rows looked
milder than a warning. Where the terminal has 16 colours the app draws the names as the
terminal's own colours instead: red is red, yellow is yellow. Nothing changes with 256 colours,
truecolor or ``NO_COLOR`` (``nocolor``).
"""

from __future__ import annotations

from textual.app import App
from textual.filter import ANSIToTruecolor

#: Rich's names for a terminal of 16 (or 8) colours.
FEW = frozenset({"standard", "windows"})


def keep_named_colours(app: App[object]) -> None:
    """Turn off the conversion of colour names to RGB when the terminal has 16 colours.

    Textual keeps the conversion in ``App._filters`` (8.2.8) and makes it again when the theme
    changes, so the app calls this from ``__init__`` and from ``watch_theme``. Its public switch,
    ``App.ansi_color``, would also restyle every widget for a terminal's default colours.
    """
    if app.no_color or app.console.color_system not in FEW:
        return
    for line_filter in getattr(app, "_filters", ()):
        if isinstance(line_filter, ANSIToTruecolor):
            line_filter.enabled = False
