"""The footer: the keys that apply in the current view or screen (``keys.FOOTER_KEYS``).

Textual's ``Footer`` shows every binding marked ``show``, wherever the operator is, and cuts the
line at the right edge (at 80 columns it cut ``?`` off). This bar asks the screen where it is
(its ``place``) and which actions are active (``Screen.active_bindings``: a disabled action is
drawn dim, its key still explains why when pressed), and drops the least needed keys first when
the line is too narrow, never ``?`` or ``q`` (``keys.FOOTER_KEYS`` ranks them; with one cell
between keys instead of two when that keeps more of them).
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.screen import Screen
from textual.widget import Widget

from ahr_tui.rules import CaseStatus
from ahr_tui.tui.keys import Place, action_name, footer_layout


class KeyBar(Widget):
    COMPONENT_CLASSES: ClassVar[set[str]] = {"key-bar--key", "key-bar--disabled"}

    DEFAULT_CSS = """
    KeyBar { dock: bottom; height: 1; background: $panel; color: $text; }
    KeyBar > .key-bar--key { text-style: bold; color: $text-accent; }
    KeyBar > .key-bar--disabled { color: $text-disabled; }
    """

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen: Screen[object]) -> None:
        self.refresh()

    def active(self) -> dict[str, bool]:
        """Action name -> enabled, for every binding active on this screen now."""
        found: dict[str, bool] = {}
        for active in self.screen.active_bindings.values():
            name = action_name(active.binding.action)
            found[name] = found.get(name, False) or active.enabled
        return found

    def render(self) -> Text:
        line = Text(no_wrap=True, overflow="crop")
        if self.app.screen is not self.screen:
            return line  # a dialog over this screen: its keys are its own (it says them)
        place: Place | None = getattr(self.screen, "place", None)
        status: CaseStatus | None = getattr(self.screen, "case_status", None)
        key_style = self.get_component_rich_style("key-bar--key", partial=True)
        # Not partial: ``$text-disabled`` is translucent, and only the full style blends it
        # with the bar's background (partial, it was drawn brighter than the enabled labels).
        disabled = self.get_component_rich_style("key-bar--disabled")
        shown, gap = footer_layout(place, self.active(), self.size.width, status)
        after = " " * (gap - 1)  # the other cell between keys is each key's leading space
        for key, enabled in shown:
            line.append(f" {key.key}", key_style if enabled else disabled)
            line.append(f" {key.label}{after}", None if enabled else disabled)
        return line
