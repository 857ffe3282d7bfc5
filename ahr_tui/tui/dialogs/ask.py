"""Small dialogs for the list-wide commands: ask for a file name, a view name or a note, confirm,
and show what a bulk action did.

``AskDialog`` returns what was typed (None: cancelled); with no field it is a yes/no question
whose default button is Cancel when ``danger`` says so (replacing a file). ``SummaryDialog``
lists the cases a bulk action could not act on, each with its reason. They keep the app's
dialog keys: ``ctrl+s`` submits from any field, ``esc`` cancels, ``enter`` in a one-line field
submits (there is only one), on a button presses it. Text from the database goes in as
``Text``, never as markup.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static, TextArea

from ahr_tui.textsafe import clean_line


class AskDialog(ModalScreen[str | None]):
    """A question, an optional field (``field``: its label, ``value`` its text; ``multiline`` for
    a note) and two buttons; ``problem``: why the last answer did not work, shown from the
    start (a file that could not be written). Dismissed with the field's text (stripped;
    ``""`` when there is no field)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "submit", "Submit", priority=True),
        Binding("escape", "cancel", "Cancel", priority=True),
    ]

    def __init__(self, title: str, context: str = "", *, field: str | None = None,
                 value: str = "", submit: str = "OK", multiline: bool = False,
                 required: bool = True, danger: bool = False, problem: str = "") -> None:
        super().__init__(classes="-destructive" if danger else None)
        self.title_text, self.context, self.problem = title, context, problem
        self.field, self.value, self.multiline = field, value, multiline
        self.submit_label, self.required, self.danger = submit, required, danger

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label(Text(self.title_text), id="dialog-title")
            if self.context:
                yield Static(Text(clean_line(self.context)), id="dialog-case")
            if self.field is not None:
                yield Label(Text(self.field))
                if self.multiline:
                    yield TextArea(self.value, id="text", soft_wrap=True, show_line_numbers=False)
                else:
                    yield Input(self.value, id="answer", select_on_focus=False)
            yield Static(Text(""), id="dialog-message")
            with Horizontal(id="dialog-buttons"):
                submit = Button(Text(self.submit_label), id="submit")
                cancel = Button(Text("Cancel"), id="cancel")
                submit.variant = "error" if self.danger else "primary"
                yield from (cancel, submit) if self.danger else (submit, cancel)
            yield Static(Text("ctrl+s submit · esc cancel"), id="dialog-keys")

    def on_mount(self) -> None:
        if self.problem:
            self.show_message(self.problem)
        if self.field is None:
            self.query_one("#cancel" if self.danger else "#submit", Button).focus()
        elif self.multiline:
            self.query_one("#text", TextArea).focus()
        else:
            box = self.query_one("#answer", Input)
            box.focus()
            box.cursor_position = len(box.value)

    @property
    def answer(self) -> str:
        if self.field is None:
            return ""
        if self.multiline:
            return self.query_one("#text", TextArea).text.strip()
        return self.query_one("#answer", Input).value.strip()

    def show_message(self, message: str) -> None:
        box = self.query_one("#dialog-message", Static)
        box.update(Text(clean_line(message)))
        box.set_class(True, "-error")

    @on(Input.Submitted, "#answer")
    def _entered(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_submit()

    @on(Button.Pressed, "#submit")
    def _submit_pressed(self) -> None:
        self.action_submit()

    @on(Button.Pressed, "#cancel")
    def _cancel_pressed(self) -> None:
        self.action_cancel()

    def action_submit(self) -> None:
        if self.field is not None and self.required and not self.answer:
            self.show_message(f"{self.field.lower()} is required.")
            return
        self.dismiss(self.answer)

    def action_cancel(self) -> None:
        self.dismiss(None)


class SummaryDialog(ModalScreen[None]):
    """What a bulk action did: a headline, then each case that failed and why."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,enter", "close", "Close", priority=True),
    ]

    def __init__(self, headline: str, failures: Sequence[str]) -> None:
        super().__init__()
        self.headline, self.failures = headline, list(failures)

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label(Text(clean_line(self.headline)), id="dialog-title")
            with VerticalScroll(id="summary-failures"):
                yield Static(Text("\n".join(clean_line(f) for f in self.failures)))
            with Horizontal(id="dialog-buttons"):
                yield Button(Text("OK"), id="close", variant="primary")
            yield Static(Text("enter or esc closes"), id="dialog-keys")

    def on_mount(self) -> None:
        self.query_one("#close", Button).focus()

    @on(Button.Pressed, "#close")
    def action_close(self) -> None:
        self.dismiss(None)
