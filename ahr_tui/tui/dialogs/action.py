"""The dialog behind ``o r x f n``: a note or evidence, and for some a typed seller id.

The dialog runs the service call itself, in a thread worker, with the case version the operator
saw. A ``Conflict`` reloads the case and says what changed while keeping what was typed (a second
submit then acts on the version now shown); a rule or permission refusal shows its sentence.
``ctrl+s`` submits from any field, ``esc`` cancels, ``enter`` in a one-line field moves on.
For the destructive actions the seller id must be typed and the default button is Cancel.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static, TextArea

from ahr_tui.errors import AhrError, Conflict
from ahr_tui.service.case_view import CaseView
from ahr_tui.textsafe import clean_line


@dataclass(frozen=True, slots=True)
class DialogSpec:
    title: str
    field: str  # "Note" or "Evidence"
    required: bool
    confirm_seller: bool
    submit_label: str


#: Runs in a worker thread: (case as seen, typed text) -> the case after the change.
Submit = Callable[[CaseView, str], CaseView]
#: Runs in a worker thread: the case as it is now (None if it is gone).
Reload = Callable[[int], CaseView | None]


def case_line(case: CaseView) -> Text:
    """``case 12 · S1 US · Acme Goods · open (v3)``, shown literally."""
    return Text(
        f"case {case.id} · {clean_line(case.seller_id)} {case.store} · {clean_line(case.name)}"
        f" · {case.status.value} (version {case.version})"
    )


class ActionDialog(ModalScreen[CaseView | None]):
    """Collects the text an action needs, runs it, returns the updated case (None: cancelled)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "submit", "Submit", priority=True),
        Binding("escape", "cancel", "Cancel", priority=True),
    ]

    def __init__(self, spec: DialogSpec, case: CaseView, *, submit: Submit, reload: Reload) -> None:
        super().__init__(classes="-destructive" if spec.confirm_seller else None)
        self.spec = spec
        self.case = case
        self._submit = submit
        self._reload = reload
        self.busy = False

    def compose(self) -> ComposeResult:
        spec = self.spec
        with Vertical(id="dialog"):
            yield Label(Text(spec.title), id="dialog-title")
            yield Static(case_line(self.case), id="dialog-case")
            optional = "" if spec.required else " (optional)"
            yield Label(Text(f"{spec.field}{optional}"))
            yield TextArea(id="text", soft_wrap=True, show_line_numbers=False)
            if spec.confirm_seller:
                seller = clean_line(self.case.seller_id)
                yield Label(Text(f"Type the seller id ({seller}) to confirm"))
                yield Input(id="confirm", placeholder="seller id")
            yield Static(Text(""), id="dialog-message")
            with Horizontal(id="dialog-buttons"):
                submit = Button(Text(spec.submit_label), id="submit")
                cancel = Button(Text("Cancel"), id="cancel")
                if spec.confirm_seller:
                    cancel.variant = "primary"
                    submit.variant = "error"
                    yield cancel
                    yield submit
                else:
                    submit.variant = "primary"
                    yield submit
                    yield cancel
            yield Static(Text("ctrl+s submit · esc cancel"), id="dialog-keys")

    def on_mount(self) -> None:
        self.query_one("#text", TextArea).focus()

    @property
    def text(self) -> str:
        return self.query_one("#text", TextArea).text

    def show_message(self, message: str, *, error: bool = True) -> None:
        box = self.query_one("#dialog-message", Static)
        box.update(Text(clean_line(message)))
        box.set_class(error, "-error")

    def _problem(self) -> str | None:
        """What is missing before the action can be sent, in one sentence."""
        if self.spec.required and not self.text.strip():
            return f"{self.spec.field.lower()} is required."
        if self.spec.confirm_seller:
            typed = self.query_one("#confirm", Input).value.strip()
            if typed != self.case.seller_id:
                return f"type the seller id {clean_line(self.case.seller_id)} exactly to confirm."
        return None

    @on(Input.Submitted, "#confirm")
    def _next_field(self, event: Input.Submitted) -> None:
        event.stop()
        self.focus_next()

    @on(Button.Pressed, "#submit")
    def _submit_pressed(self) -> None:
        self.action_submit()

    @on(Button.Pressed, "#cancel")
    def _cancel_pressed(self) -> None:
        self.action_cancel()

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_submit(self) -> None:
        if self.busy:
            return
        problem = self._problem()
        if problem is not None:
            self.show_message(problem)
            return
        self.busy = True
        self.show_message("saving…", error=False)
        self._run(self.case, self.text.strip())

    @work(thread=True, exclusive=True, group="dialog-submit", exit_on_error=False)
    def _run(self, case: CaseView, text: str) -> None:
        try:
            updated = self._submit(case, text)
        except Conflict as exc:
            fresh = self._reload(case.id)
            self.app.call_from_thread(self._conflict, exc.message, fresh)
        except AhrError as exc:
            self.app.call_from_thread(self._refused, exc.message)
        else:
            self.app.call_from_thread(self.dismiss, updated)

    def _conflict(self, message: str, fresh: CaseView | None) -> None:
        self.busy = False
        if fresh is None:
            self.show_message(f"{message} The case no longer exists.")
            return
        # The message already says what changed and the version now (once); the case line
        # above shows the case as it is now.
        self.show_message(f"{message} Your text is kept: check it and submit again, or esc.")
        self.case = fresh
        self.query_one("#dialog-case", Static).update(case_line(fresh))

    def _refused(self, message: str) -> None:
        self.busy = False
        self.show_message(message)
