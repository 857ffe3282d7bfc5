"""A row of choices picked from the keyboard (the contact attempt's channel and outcome):
``left``/``right`` (or ``h``/``l``) move, a choice's number picks it, and so does its letter:
the first letter of the first of its words whose letter is free (not ``h``/``l``, which move,
and not an earlier choice's), so ``left message`` is ``m`` (``LETTERS``).
The chosen one is drawn reversed and in brackets (so it shows under ``NO_COLOR`` too).

Every key is a priority binding, handled as it arrives, like the dialog's ``enter``, ``tab`` and
``ctrl+s`` (``ActionDialog``): in a burst (a paste, a slow SSH link) each key acts on the row
focused when it was typed, in the order typed. A plain binding is looked up only after the key
has gone through this widget's queue and bubbled to the app, against the widget focused *then*:
a ``right`` followed by ``enter`` and ``3`` moved the next row, after the ``3``.

Every choice is always shown whole: when the row is narrower than the choices, they wrap onto
further lines between choices, never inside one (the widget's height follows its width).
"""

from __future__ import annotations

from collections.abc import Sequence
from string import ascii_lowercase
from typing import ClassVar, Generic, TypeVar

from rich.text import Text
from textual.actions import SkipAction
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget

from ahr_tui.rules.contact import Channel, Outcome

C = TypeVar("C", Channel, Outcome)

#: The keys that move (never a choice's letter).
MOVES = {"left": -1, "h": -1, "right": 1, "l": 1}
#: The letters a choice may take.
FREE_LETTERS = [letter for letter in ascii_lowercase if letter not in MOVES]


def letters(words: Sequence[str]) -> list[str | None]:
    """Each choice's letter: the first letter of the first of its words whose letter is free
    (not a move, not an earlier choice's); None if it has none (then only its number picks it)."""
    taken: set[str] = set()
    chosen: list[str | None] = []
    for choice in words:
        letter = next((word[0] for word in choice.split() if word[0] in FREE_LETTERS
                       and word[0] not in taken), None)
        if letter is not None:
            taken.add(letter)
        chosen.append(letter)
    return chosen


class ChoiceRow(Widget, Generic[C], can_focus=True):
    """Choices in a row (wrapped between choices), the chosen one reversed and in brackets."""

    DEFAULT_CSS = """
    ChoiceRow { height: auto; width: 1fr; }
    ChoiceRow:focus { background: $boost; }
    """
    # Priority: handled as each key arrives, in the order typed (see the module's docstring).
    # A key that picks nothing here (a digit past the last choice, a letter no choice has)
    # skips the binding and reaches the widget as usual.
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("left,h", "move(-1)", "Previous", show=False, priority=True),
        Binding("right,l", "move(1)", "Next", show=False, priority=True),
        *(Binding(str(number), f"pick_number({number})", show=False, priority=True)
          for number in range(1, 10)),
        *(Binding(f"{letter},{letter.upper()}", f"pick_letter('{letter}')", show=False,
                  priority=True) for letter in FREE_LETTERS),
    ]

    chosen: reactive[int | None] = reactive(None)

    class Changed(Message):
        """A choice was made (the dialog re-checks what is missing)."""

    def __init__(self, choices: Sequence[C], *, chosen: C | None = None, id: str) -> None:
        super().__init__(id=id)
        self.choices: tuple[C, ...] = tuple(choices)
        #: Each choice's letter (None: only its number picks it).
        self.letters: tuple[str | None, ...] = tuple(letters([self.words(c) for c in choices]))
        self.set_reactive(ChoiceRow.chosen, None if chosen is None else self.choices.index(chosen))

    @property
    def value(self) -> C | None:
        return None if self.chosen is None else self.choices[self.chosen]

    @staticmethod
    def words(choice: C) -> str:
        """``left message``: a choice as the operator reads it."""
        return choice.value.replace("_", " ")

    def label(self, index: int) -> str:
        """``3 voicemail``: the number that picks the choice, and its words."""
        return f"{index + 1} {self.words(self.choices[index])}"

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

    def action_pick_number(self, number: int) -> None:
        if not 1 <= number <= len(self.choices):
            raise SkipAction()
        self.chosen = number - 1

    def action_pick_letter(self, letter: str) -> None:
        if letter not in self.letters:
            raise SkipAction()
        self.chosen = self.letters.index(letter)
