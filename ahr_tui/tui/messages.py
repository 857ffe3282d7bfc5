"""Messages the screens post up to the app (attributes go down, messages come up).

A screen never calls the app's methods: it says what happened or what the operator asked for,
and the app, which owns the data, the workers and the screen stack, acts on it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:
    from ahr_tui.service.snapshots import Changes, Snapshot


class MainReady(Message):
    """The main screen is mounted: the app starts its loads, ticks and polls."""


class DetailRequested(Message):
    """The operator asked for the detail of an account (and of one of its cases)."""

    def __init__(self, account_id: int, case_id: int | None) -> None:
        super().__init__()
        self.account_id = account_id
        self.case_id = case_id


class SelectionChanged(Message):
    """The case under the cursor (or the view shown) changed: the footer's keys may change."""


class CasesLoaded(Message):
    """A worker read every active case (the app shows them)."""

    def __init__(self, snapshot: Snapshot) -> None:
        super().__init__()
        self.snapshot = snapshot


class CasesChanged(Message):
    """A poll read the cases another process (or this one) changed since the last read."""

    def __init__(self, changes: Changes) -> None:
        super().__init__()
        self.changes = changes


class DataChanged(Message):
    """Posted by the app to a screen other than the main one when data changed: read again."""
