"""A row of choices on one line, picked from the keyboard (the contact attempt's channel and
outcome): ``left``/``right`` (or ``h``/``l``) move, a choice's number or first letter picks it.
The chosen one is drawn reversed and in brackets (so it shows under ``NO_COLOR`` too).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar, Generic, TypeVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.events import Key
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget

from ahr_tui.rules.contact import Channel, Outcome

C = TypeVar("C", Channel, Outcome)


class ChoiceRow(Widget, Generic[C], can_focus=True):
    """One line of choices, the chosen one drawn reversed (and in brackets, for NO_COLOR)."""

    DEFAULT_CSS = """
    ChoiceRow { height: 1; width: 1fr; }
    ChoiceRow:focus { background: $boost; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("left,h", "move(-1)", "Previous", show=False),
        Binding("right,l", "move(1)", "Next", show=False),
    ]

    chosen: reactive[int | None] = reactive(None)

    class Changed(Message):
        """A choice was made (the dialog re-checks what is missing)."""

    def __init__(self, choices: Sequence[C], *, chosen: C | None = None, id: str) -> None:
        super().__init__(id=id)
        self.choices: tuple[C, ...] = tuple(choices)
        self.set_reactive(ChoiceRow.chosen, None if chosen is None else self.choices.index(chosen))

    @property
    def value(self) -> C | None:
        return None if self.chosen is None else self.choices[self.chosen]

    def render(self) -> Text:
        text = Text()
        for index, choice in enumerate(self.choices):
            label = f"{index + 1} {choice.value.replace('_', ' ')}"
            if index == self.chosen:
                text.append(f"[{label}]", style="bold reverse")
            else:
                text.append(f" {label} ")
            text.append(" ")
        return text

    def watch_chosen(self) -> None:
        self.post_message(self.Changed())

    def action_move(self, step: int) -> None:
        start = -1 if self.chosen is None and step > 0 else (self.chosen or 0)
        self.chosen = (start + step) % len(self.choices)

    def on_key(self, event: Key) -> None:
        """A choice's number or first letter picks it."""
        char = event.character or ""
        for index, choice in enumerate(self.choices):
            if char == str(index + 1) or (char and choice.value.startswith(char.lower())
                                          and char not in "hl"):
                self.chosen = index
                event.stop()
                return
