"""The dialog behind ``c``: log a contact attempt (channel, outcome, a note).

The channel and the outcome are rows of choices picked from the keyboard: ``left``/``right``
(or ``h``/``l``) move, a choice's first letter or its number picks it. The channel starts on
``phone`` (the emergency phone the program requires); the outcome starts unchosen, since
guessing it would put a wrong fact in the record. Everything else (``ctrl+s``, ``esc``,
``enter`` moving on, conflicts and refusals) is ``ActionDialog``'s.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import ClassVar, Generic, TypeVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.events import Key, Mount
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget
from textual.widgets import Button, Label, Static, TextArea

from ahr_tui.rules.contact import Channel, Outcome
from ahr_tui.service.case_view import CaseView
from ahr_tui.tui.dialogs.action import KEYS_LINE, ActionDialog, DialogSpec, Reload, case_line

C = TypeVar("C", Channel, Outcome)

#: Runs in a worker thread: (case as seen, channel, outcome, note) -> the case after it.
RecordAttempt = Callable[[CaseView, Channel, Outcome, str], CaseView]

SPEC = DialogSpec("Log a contact attempt", "Note", False, False, "Log attempt")


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


class AttemptDialog(ActionDialog):
    """Channel, outcome and note; returns the case after the attempt (None: cancelled)."""

    def __init__(self, case: CaseView, *, record: RecordAttempt, reload: Reload) -> None:
        super().__init__(SPEC, case, submit=self._record, reload=reload)
        self._record_attempt = record
        self._chosen: tuple[Channel, Outcome] | None = None

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="dialog"):
            yield Label(Text(SPEC.title), id="dialog-title")
            yield Static(case_line(self.case), id="dialog-case")
            yield Label(Text("Channel"))
            yield ChoiceRow(list(Channel), chosen=Channel.PHONE, id="channel")
            yield Label(Text("Outcome"))
            yield ChoiceRow(list(Outcome), id="outcome")
            yield Label(Text("Note (optional)"))
            yield TextArea(id="text", soft_wrap=True, show_line_numbers=False, tab_behavior="focus")
            yield Static(Text(""), id="dialog-message")
            with Horizontal(id="dialog-buttons"):
                yield Button(Text(SPEC.submit_label), id="submit", variant="primary")
                yield Button(Text("Cancel"), id="cancel")
            yield Static(Text("←/→ or a letter choose · " + KEYS_LINE), id="dialog-keys")

    def on_mount(self, event: Mount) -> None:  # type: ignore[override]
        event.prevent_default()  # ActionDialog would focus the note: the first field is here
        self.query_one("#channel", ChoiceRow).focus()

    def _problem(self) -> str | None:
        if self.query_one("#outcome", ChoiceRow).value is None:
            return "choose the outcome (←/→ or its first letter)."
        return None

    def on_choice_row_changed(self, event: ChoiceRow.Changed) -> None:
        self._recheck()

    def _record(self, case: CaseView, text: str) -> CaseView:
        """Runs in the worker: the choices were read when the operator submitted."""
        assert self._chosen is not None
        channel, outcome = self._chosen
        return self._record_attempt(case, channel, outcome, text)

    def action_submit(self) -> None:
        channel = self.query_one("#channel", ChoiceRow).value
        outcome = self.query_one("#outcome", ChoiceRow).value
        if channel is not None and outcome is not None:
            self._chosen = (channel, outcome)
        super().action_submit()
