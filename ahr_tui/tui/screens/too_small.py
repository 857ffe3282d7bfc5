"""Shown instead of everything else while the terminal is below the minimum size.

Below 60x16 the list would keep only a few columns and a dialog's buttons could not be reached
(DESIGN.md section 6): one sentence names the minimum until the window grows, and the screens
under it (a dialog with its typed text included) come back as they were.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.screen import Screen
from textual.widgets import Static

MINIMUM = Size(60, 16)


def too_small(size: Size) -> bool:
    return size.width < MINIMUM.width or size.height < MINIMUM.height


def sentence(size: Size) -> str:
    return (
        f"This window is {size.width}x{size.height}; the AHR app needs at least "
        f"{MINIMUM.width}x{MINIMUM.height}. Make it larger, or press q to quit."
    )


class TooSmallScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("q", "app.quit", "Quit", priority=True)]

    CSS_PATH = "too_small.tcss"

    def compose(self) -> ComposeResult:
        yield Static(Text(sentence(self.app.size)), id="too-small")

    def on_resize(self) -> None:
        self.query_one("#too-small", Static).update(Text(sentence(self.app.size)))
