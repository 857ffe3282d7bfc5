"""The dialog behind ``o r x f n``: a note or evidence, and for some a typed seller id.

The dialog runs the service call itself, in a thread worker, with the case version the operator
saw. A ``Conflict`` reloads the case and says what changed while keeping what was typed (a second
submit then acts on the case now shown); a rule or permission refusal shows its sentence.

Keys (DESIGN.md section 6): ``ctrl+s`` submits from any field, ``esc`` cancels, ``enter`` in a
field moves to the next one and on a button presses it, ``ctrl+j`` starts a new line in the note.
They are priority bindings, handled as each key arrives: keys that arrive in a burst (a paste, a
slow SSH link) then reach the field they were typed for, because the focus has already moved
when the next key is delivered. For the destructive actions the dialog says what will happen,
the seller id must be typed, and the default button is Cancel.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static, TextArea
from textual.worker import Worker, WorkerState

from ahr_tui.errors import AhrError, Conflict, DatabaseProblem
from ahr_tui.service.case_view import CaseView
from ahr_tui.textsafe import clean_line
from ahr_tui.tui.failures import guarded


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
    """``case 12 · S1 US · Acme Goods · open``, shown literally."""
    return Text(
        f"case {case.id} · {clean_line(case.seller_id)} {case.store} · {clean_line(case.name)}"
        f" · {case.status.value}"
    )


KEYS_LINE = "ctrl+s submit · esc cancel · enter next field · ctrl+j new line"


@dataclass(frozen=True, slots=True)
class _Saved:
    """What a submit that wrote its change returns: the case as it is now."""

    case: CaseView


class ActionDialog(ModalScreen[CaseView | None]):
    """Collects the text an action needs, runs it, returns the updated case (None: cancelled).

    ``consequence`` says what the action will do beyond the case (shown above the fields).
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "submit", "Submit", priority=True),
        Binding("escape", "cancel", "Cancel", priority=True),
        Binding("enter", "enter", "Next", priority=True, show=False),
        Binding("tab", "app.focus_next", "Next", priority=True, show=False),
        Binding("shift+tab", "app.focus_previous", "Previous", priority=True, show=False),
        Binding("ctrl+j", "new_line", "New line", priority=True, show=False),
    ]

    def __init__(
        self, spec: DialogSpec, case: CaseView, *, submit: Submit, reload: Reload,
        consequence: Text | None = None,
    ) -> None:
        super().__init__(classes="-destructive" if spec.confirm_seller else None)
        self.spec = spec
        self.case = case
        self.consequence = consequence
        self._submit = submit
        self._reload = reload
        self.busy = False
        self._problem_shown = False

    def compose(self) -> ComposeResult:
        spec = self.spec
        with VerticalScroll(id="dialog"):
            yield Label(Text(spec.title), id="dialog-title")
            yield Static(case_line(self.case), id="dialog-case")
            if self.consequence is not None:
                yield Static(self.consequence, id="dialog-consequence")
            optional = "" if spec.required else " (optional)"
            yield Label(Text(f"{spec.field}{optional}"))
            yield TextArea(id="text", soft_wrap=True, show_line_numbers=False, tab_behavior="focus")
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
            yield Static(Text(KEYS_LINE), id="dialog-keys")

    def on_mount(self) -> None:
        self.query_one("#text", TextArea).focus()

    @property
    def text(self) -> str:
        return self.query_one("#text", TextArea).text

    def show_message(self, message: str, *, error: bool = True) -> None:
        box = self.query_one("#dialog-message", Static)
        box.update(Text(clean_line(message)))
        box.set_class(error, "-error")
        self._problem_shown = False

    def _problem(self) -> str | None:
        """What is missing before the action can be sent, in one sentence."""
        if self.spec.required and not self.text.strip():
            return f"{self.spec.field.lower()} is required."
        if self.spec.confirm_seller:
            typed = self.query_one("#confirm", Input).value.strip()
            if typed != self.case.seller_id:
                return f"type the seller id {clean_line(self.case.seller_id)} exactly to confirm."
        return None

    @on(Input.Changed)
    @on(TextArea.Changed)
    def _recheck(self) -> None:
        """A problem shown goes (or changes) as soon as what was typed no longer has it."""
        if not self._problem_shown:
            return
        problem = self._problem()
        self.show_message(problem or "", error=problem is not None)
        self._problem_shown = problem is not None

    def action_enter(self) -> None:
        """On a button: press it. In a field: move to the next one (a note's new line is
        ``ctrl+j``)."""
        focused = self.focused
        if isinstance(focused, Button):
            focused.press()
        else:
            self.focus_next()

    def action_new_line(self) -> None:
        area = self.query_one("#text", TextArea)
        if area.has_focus:
            # Queued behind the keys the field has not handled yet (a burst), not before them.
            area.call_later(area.insert, "\n")

    @on(Button.Pressed, "#submit")
    def _submit_pressed(self) -> None:
        self.action_submit()

    @on(Button.Pressed, "#cancel")
    def _cancel_pressed(self) -> None:
        self.action_cancel()

    def action_cancel(self) -> None:
        self.app.notify(
            f"{self.spec.title}: cancelled; nothing was changed.", title=f"case {self.case.id}",
            markup=False,
        )
        self.dismiss(None)

    def action_submit(self) -> None:
        """``ctrl+s`` (handled as it arrives): submit once the focused field has handled the
        keys typed before it, so a burst ending in ctrl+s sends all it typed."""
        target = self.focused
        if target is None:
            self._submit_now()
        else:
            target.call_later(self._submit_now)

    def _submit_now(self) -> None:
        if self.busy:
            return
        problem = self._problem()
        if problem is not None:
            self.show_message(problem)
            self._problem_shown = True
            return
        self.busy = True
        self.show_message("saving…", error=False)
        self._run(self.case, self.text.strip())

    @work(thread=True, exclusive=True, group="dialog-submit", exit_on_error=False)
    @guarded("save the change", status="#dialog-message",
             after=lambda dialog, _: dialog.save_failed())
    def _run(self, case: CaseView, text: str) -> _Saved | None:
        """The change written (``_Saved``), or None when it was refused or conflicted (said in
        the dialog). The dialog closes once this worker has finished (``on_worker_state_changed``):
        closing it from inside would cancel the worker that is still running."""
        try:
            updated = self._submit(case, text)
        except Conflict as exc:
            fresh = self._reload(case.id)
            self.app.call_from_thread(self._conflict, exc.message, fresh)
        except DatabaseProblem:
            raise  # a failure, not an answer: said by ``failures.guarded``
        except AhrError as exc:  # the rules' answer: the operator may change the text
            self.app.call_from_thread(self._refused, exc.message)
        else:
            return _Saved(updated)
        return None

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        saved = event.worker.result
        if event.state is WorkerState.SUCCESS and isinstance(saved, _Saved):
            self.dismiss(saved.case)

    def save_failed(self) -> None:
        """Nothing was written; the message line says why: the text stays, to submit again."""
        self.busy = False
        self.query_one("#dialog-message", Static).set_class(True, "-error")

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
