"""``?``: every key of the TUI on one screen (DESIGN.md section 6 is the contract)."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Label, Static

KEYS: tuple[tuple[str, str], ...] = (
    ("j / k, ↓ / ↑", "move the cursor (pgup/pgdn, home/end jump)"),
    ("enter", "open the detail; in an account's detail, the case chosen"),
    ("esc", "back (closes detail, a dialog, clears the filter, then the marks)"),
    ("tab", "switch between the Cases and Accounts views"),
    ("/", "filter as you type (seller id, name, case id, policy, store)"),
    ("", "enter keeps the filter, esc in the field clears it"),
    ("s", "cycle the sort: urgency (needs action first), seller, store, status"),
    ("c", "log a contact attempt: channel, outcome, note (the first starts the 72 hours)"),
    ("o", "record the seller's response (within 72 hours)"),
    ("r", "resolve the case (needs a note)"),
    ("x", "deactivate the account of an expired case (note + seller id)"),
    ("f", "record a fraud finding (evidence + seller id)"),
    ("a", "assign the case to me (with cases marked: every marked case)"),
    ("n", "add a note to the case (with cases marked: to every marked case)"),
    ("space", "mark the case and move down; x and f always act on one case"),
    ("e", "export the list as shown (filter and sort) to a CSV file"),
    ("v / V", "save this view (list, filter, sort) by name / switch to a saved view"),
    ("m", "metrics: the program's figures, daily bars, each operator's load"),
    ("h", "handover: due moments per hour against who is on shift, what is uncovered"),
    ("p", "pause or resume live updates"),
    ("?", "this help"),
    ("ctrl+p", "command palette: every action by name"),
    ("q", "quit"),
    ("in dialogs", "ctrl+s submits, esc cancels, enter moves to the next field"),
    ("", "ctrl+j starts a new line in a note"),
    ("tmux", "esc then a key may arrive joined; set -sg escape-time 10 for a quick esc"),
)


def help_text() -> Text:
    width = max(len(key) for key, _ in KEYS)
    text = Text()
    for key, what in KEYS:
        text.append(f"{key:>{width}}  ", style="bold")
        text.append(f"{what}\n")
    text.append("\nGreyed keys are not possible now: press one to see why.")
    return text


class HelpScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark", "close", "Close", priority=True),
    ]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help"):
            yield Label(Text("Keys"), id="help-title")
            yield Static(help_text(), id="help-keys")
            yield Static(Text("esc closes"), id="help-close")

    def action_close(self) -> None:
        self.dismiss(None)
