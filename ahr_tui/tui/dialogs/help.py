"""``?``: every key of the TUI on one screen (DESIGN.md section 6 is the contract)."""

from __future__ import annotations

from typing import ClassVar

from rich.table import Table
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


#: Said under the keys.
GREYED = "Greyed keys are not possible now: press one to see why."


def help_table() -> Table:
    """The keys right-aligned in one column, what they do in the next: a description too long
    for the width wraps within its own column, under its first line (never to the left edge)."""
    table = Table.grid(padding=(0, 0, 0, 2))
    table.add_column(justify="right", no_wrap=True, style="bold")
    table.add_column(ratio=1, overflow="fold")
    for key, what in KEYS:
        table.add_row(Text(key), Text(what))
    return table


class HelpScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark", "close", "Close", priority=True),
    ]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help"):
            yield Label(Text("Keys"), id="help-title")
            yield Static(help_table(), id="help-keys")
            yield Static(Text(f"\n{GREYED}"), id="help-greyed")
            yield Static(Text("esc closes"), id="help-close")

    def action_close(self) -> None:
        self.dismiss(None)
