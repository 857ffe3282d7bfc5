"""``V``: pick one of your saved views to switch to (names shown literally)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList, Static
from textual.widgets.option_list import Option

from ahr_tui.service.saved_views import View
from ahr_tui.textsafe import clean_line


def view_line(view: View) -> Text:
    """``triage US  · cases · sort seller · filter "US"``"""
    parts = [view.kind.value, f"sort {view.sort or '-'}"]
    if view.filter_text:
        parts.append(f"filter {clean_line(view.filter_text)!r}")
    line = Text(clean_line(view.name), style="bold")
    line.append("  · " + " · ".join(parts))
    return line


class ViewPicker(ModalScreen[View | None]):
    """The operator's saved views; ``enter`` switches to one, ``esc`` cancels."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", priority=True),
    ]

    def __init__(self, views: Sequence[View]) -> None:
        super().__init__()
        self.views = list(views)

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label(Text("Switch to a saved view"), id="dialog-title")
            if self.views:
                yield OptionList(*(Option(view_line(v), id=str(i))
                                   for i, v in enumerate(self.views)), id="views-list")
            else:
                yield Static(Text("You have no saved views yet: v saves the one on screen."))
            yield Static(Text("enter switch · esc cancel · `ahr view delete NAME` removes one"),
                         id="dialog-keys")

    def on_mount(self) -> None:
        if self.views:
            self.query_one("#views-list", OptionList).focus()

    @on(OptionList.OptionSelected, "#views-list")
    def _picked(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(self.views[int(event.option.id or 0)])

    def action_cancel(self) -> None:
        self.dismiss(None)
