"""Messages the screens post up to the app (attributes go down, messages come up).

A screen never calls the app's methods: it says what happened or what the operator asked for,
and the app, which owns the data, the workers and the screen stack, acts on it.
"""

from __future__ import annotations

from textual.message import Message


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
