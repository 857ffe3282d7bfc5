"""A row of choices picked from the keyboard (the contact attempt's channel and outcome):
``left``/``right`` (or ``h``/``l``) move, a choice's number picks it (its first letter too, as a
shortcut the hint does not promise: ``l`` moves, so ``left message`` has no letter).
The chosen one is drawn reversed and in brackets (so it shows under ``NO_COLOR`` too).

Every choice is always shown whole: when the row is narrower than the choices, they wrap onto
further lines between choices, never inside one (the widget's height follows its width).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar, Generic, TypeVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.events import Key
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget

from ahr_tui.rules.contact import Channel, Outcome

C = TypeVar("C", Channel, Outcome)


class ChoiceRow(Widget, Generic[C], can_focus=True):
    """Choices in a row (wrapped between choices), the chosen one reversed and in brackets."""

    DEFAULT_CSS = """
    ChoiceRow { height: auto; width: 1fr; }
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

    def label(self, index: int) -> str:
        """``3 voicemail``: the number that picks the choice, and its words."""
        return f"{index + 1} {self.choices[index].value.replace('_', ' ')}"

    def _cells(self) -> list[str]:
        """Each choice as drawn (the same width chosen or not: choosing never re-wraps)."""
        return [f"[{self.label(i)}]" if i == self.chosen else f" {self.label(i)} "
                for i in range(len(self.choices))]

    def _lines(self, width: int) -> list[list[int]]:
        """The choices' indexes line by line: as many whole choices as fit in ``width``."""
        lines: list[list[int]] = [[]]
        used = 0
        for index, cell in enumerate(self._cells()):
            need = len(cell) + (1 if lines[-1] else 0)
            if lines[-1] and used + need > width:
                lines.append([])
                used, need = 0, len(cell)
            lines[-1].append(index)
            used += need
        return lines

    def get_content_width(self, container: Size, viewport: Size) -> int:
        return sum(len(cell) + 1 for cell in self._cells()) - 1

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self._lines(width))

    def render(self) -> Text:
        cells = self._cells()
        text = Text(no_wrap=True, overflow="crop")
        for number, line in enumerate(self._lines(self.content_size.width)):
            if number:
                text.append("\n")
            for place, index in enumerate(line):
                if place:
                    text.append(" ")
                style = "bold reverse" if index == self.chosen else ""
                text.append(cells[index], style=style)
        return text

    def watch_chosen(self) -> None:
        self.post_message(self.Changed())

    def action_move(self, step: int) -> None:
        start = -1 if self.chosen is None and step > 0 else (self.chosen or 0)
        self.chosen = (start + step) % len(self.choices)

    def on_key(self, event: Key) -> None:
        """A choice's number (or first letter) picks it."""
        char = event.character or ""
        for index, choice in enumerate(self.choices):
            if char == str(index + 1) or (char and choice.value.startswith(char.lower())
                                          and char not in "hl"):
                self.chosen = index
                event.stop()
                return
