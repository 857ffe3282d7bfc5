"""The dialog behind ``c``: log a contact attempt (channel, outcome, a note).

The channel and the outcome are rows of numbered choices picked from the keyboard:
``left``/``right`` (or ``h``/``l``) move, a choice's number or letter picks it (the hint names
the numbers, since the labels show them), each key as it arrives (``ChoiceRow``); every
choice shows whole, the row wrapping when the dialog is narrow.
Under the case, the number to dial and the time where it rings (``contact_text.phone_line``,
read in a worker), so the operator has it where they record the call. The channel starts on
``phone`` (the emergency phone the program requires); the outcome starts
unchosen, since guessing it would put a wrong fact in the record. Everything else (``ctrl+s``,
``esc``, ``enter`` moving on, conflicts and refusals) is ``ActionDialog``'s.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.events import Mount
from textual.widgets import Button, Label, Static, TextArea

from ahr_tui.rules.contact import Channel, Outcome
from ahr_tui.service.case_view import CaseView
from ahr_tui.service.contact_card import ContactCard
from ahr_tui.tui.contact_text import LABEL, phone_line
from ahr_tui.tui.dialogs.action import KEYS_LINE, ActionDialog, DialogSpec, Reload, case_line
from ahr_tui.tui.failures import guarded
from ahr_tui.tui.widgets.choice_row import ChoiceRow

__all__ = ["SPEC", "AttemptDialog", "ChoiceRow", "LoadContact", "RecordAttempt"]

#: Runs in a worker thread: (case as seen, channel, outcome, note) -> the case after it.
RecordAttempt = Callable[[CaseView, Channel, Outcome, str], CaseView]
#: Runs in a worker thread: account id -> how to reach that seller.
LoadContact = Callable[[int], ContactCard]

#: How a choice is made, in the words of the labels (``1 reached``).
CHOOSE = "←/→ or its number"

SPEC = DialogSpec("Log a contact attempt", "Note", False, False, "Log attempt")


class AttemptDialog(ActionDialog):
    """Channel, outcome and note; returns the case after the attempt (None: cancelled)."""

    def __init__(
        self, case: CaseView, *, record: RecordAttempt, reload: Reload,
        contact: LoadContact | None = None, clock: Callable[[], datetime] | None = None,
    ) -> None:
        """``contact`` reads the seller's phone (shown under the case, to dial while logging
        the call); ``clock`` gives the instant for the time where it rings."""
        super().__init__(SPEC, case, submit=self._record, reload=reload)
        self._record_attempt = record
        self._load_contact = contact
        self._clock = clock or (lambda: datetime.now(UTC))
        #: The channel and outcome submitted (read when the operator submitted; None before).
        self.chosen: tuple[Channel, Outcome] | None = None
        #: How to reach the seller, once read (None before).
        self.card: ContactCard | None = None

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="dialog"):
            yield Label(Text(SPEC.title), id="dialog-title")
            yield Static(case_line(self.case), id="dialog-case")
            yield Static(Text.assemble(LABEL, "reading…"), id="dialog-dial")
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
            yield Static(Text(f"choose: {CHOOSE} · {KEYS_LINE}"), id="dialog-keys")

    def on_mount(self, event: Mount) -> None:  # type: ignore[override]
        event.prevent_default()  # ActionDialog would focus the note: the first field is here
        self.query_one("#channel", ChoiceRow).focus()
        if self._load_contact is not None:
            self._read_contact(self._load_contact)
        else:
            self.query_one("#dialog-dial").display = False

    @work(thread=True, exclusive=True, group="dialog-dial", exit_on_error=False)
    @guarded("read the seller's phone", status="#dialog-dial")
    def _read_contact(self, load: LoadContact) -> None:
        card = load(self.case.account_id)
        self.app.call_from_thread(self._show_contact, card)

    def _show_contact(self, card: ContactCard) -> None:
        self.card = card
        self.query_one("#dialog-dial", Static).update(phone_line(card, self._clock()))

    def _problem(self) -> str | None:
        if self.query_one("#outcome", ChoiceRow).value is None:
            return f"choose the outcome ({CHOOSE})."
        return None

    def on_choice_row_changed(self, event: ChoiceRow.Changed) -> None:
        self._recheck()

    def _record(self, case: CaseView, text: str) -> CaseView:
        """Runs in the worker: the choices were read when the operator submitted."""
        assert self.chosen is not None
        channel, outcome = self.chosen
        return self._record_attempt(case, channel, outcome, text)

    def _submit_now(self) -> None:
        """The choices are read here, where ``ActionDialog`` checks and sends (after the keys
        typed before ``ctrl+s``), not when ``ctrl+s`` arrived: a choice key still on its way
        was then missed, and the worker found nothing chosen."""
        channel = self.query_one("#channel", ChoiceRow).value
        outcome = self.query_one("#outcome", ChoiceRow).value
        if not self.busy and channel is not None and outcome is not None:
            self.chosen = (channel, outcome)
        super()._submit_now()
