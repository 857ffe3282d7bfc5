"""The case action keys (``o r x f a n``), shared by the list and the detail screen.

They act on "the current case": the case of a screen that has a ``case_id`` (the detail screen),
else the case under the cursor of the Cases view. Availability comes from the rules (with the
injected clock) and the operator's role; an unavailable action is greyed in the footer and its
key, when pressed, says why in a notification.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from rich.text import Text

from ahr_tui.rules import CaseAction, Operation, Permission, Role
from ahr_tui.rules import refusal as rules_refusal
from ahr_tui.rules.contact import Channel, Outcome
from ahr_tui.service.case_view import CaseView
from ahr_tui.service.clock import Clock
from ahr_tui.service.identity import Actor
from ahr_tui.textsafe import clean_line
from ahr_tui.tui.dialogs.action import DialogSpec, Submit
from ahr_tui.tui.dialogs.attempt import SPEC as ATTEMPT_SPEC
from ahr_tui.tui.dialogs.attempt import RecordAttempt
from ahr_tui.wording import count

if TYPE_CHECKING:
    from ahr_tui.service.database import Database


@dataclass(frozen=True, slots=True)
class ActionSpec:
    name: str  # the action_* suffix
    key: str
    label: str  # in the footer
    title: str
    help: str
    permission: Permission
    rule: CaseAction | None
    dialog: DialogSpec | None


SPECS: dict[str, ActionSpec] = {
    spec.name: spec
    for spec in (
        ActionSpec(
            "attempt", "c", "Contact", "Log contact attempt",
            "log an attempt to reach the seller; the first starts the 72 hours",
            Permission.CONTACT, None, ATTEMPT_SPEC,
        ),
        ActionSpec(
            "respond", "o", "Respond", "Record seller response",
            "the seller responded within 72 hours",
            Permission.RESPOND, CaseAction.RESPOND,
            DialogSpec("Record the seller's response", "Note", False, False, "Record response"),
        ),
        ActionSpec(
            "resolve", "r", "Resolve", "Resolve case", "close the case; the account stays active",
            Permission.RESOLVE, CaseAction.RESOLVE,
            DialogSpec("Resolve the case", "Note", True, False, "Resolve"),
        ),
        ActionSpec(
            "deactivate", "x", "Deactivate", "Deactivate account",
            "expired cases: deactivate the account",
            Permission.DEACTIVATE, CaseAction.DEACTIVATE,
            DialogSpec("Deactivate the account", "Note", True, True, "Deactivate"),
        ),
        ActionSpec(
            "fraud", "f", "Fraud", "Record fraud finding", "deactivate and revoke AHA for good",
            Permission.FRAUD, CaseAction.FRAUD,
            DialogSpec("Record a fraud finding", "Evidence", True, True, "Record fraud"),
        ),
        ActionSpec(
            "assign", "a", "Assign", "Assign to me", "take the case", Permission.ASSIGN, None, None
        ),
        ActionSpec(
            "note", "n", "Note", "Add note", "add a note to the case's timeline",
            Permission.NOTE, None,
            DialogSpec("Add a note", "Note", True, False, "Add note"),
        ),
    )
}


def refusal(
    spec: ActionSpec, case: CaseView | None, *, operator: str, role: Role | None, now: datetime
) -> str | None:
    """Why ``spec`` cannot run on ``case`` now, in one sentence (``rules.refusal``, the same
    sentence the CLI prints); None when it can."""
    if case is None:
        return "no case selected."
    return rules_refusal(
        Operation(spec.name), case.facts, operator=operator, role=role, at=now
    )


def service_call(
    spec: ActionSpec, engine: Callable[[], Database], actor: Actor, clock: Clock
) -> Submit:
    """The blocking service call behind a dialog: (case as seen, text) -> updated case.

    ``engine`` is called in the dialog's worker thread (it may still be opening).
    """

    def run(case: CaseView, text: str) -> CaseView:
        from ahr_tui.service import cases as case_service

        now = clock()
        if spec.name == "note":
            return case_service.add_note(engine(), case.id, text=text, actor=actor, now=now)
        assert spec.rule is not None
        return case_service.act(
            engine(), case.id, spec.rule, at=now, text=text or None, actor=actor, now=now,
            expected_version=case.version,
        )

    return run


def attempt_call(engine: Callable[[], Database], actor: Actor, clock: Clock) -> RecordAttempt:
    """The blocking service call behind the ``c`` dialog (run in its worker thread)."""

    def run(case: CaseView, channel: Channel, outcome: Outcome, note: str) -> CaseView:
        from ahr_tui.service.contact import record_attempt

        now = clock()
        return record_attempt(
            engine(), case.id, channel=channel, outcome=outcome, at=now, note=note or None,
            actor=actor, now=now, expected_version=case.version,
        )

    return run


def consequence(spec: ActionSpec, case: CaseView, others: int) -> Text | None:
    """What a destructive action does beyond the case, in words (None for the others).

    ``others``: the account's other active cases (a fraud finding supersedes them).
    """
    where = f"{clean_line(case.seller_id)} in {case.store}"
    if spec.name == "deactivate":
        said = (
            f"This deactivates the account of {where}: it can no longer sell there, and its "
            "enrolment ends. The seller is notified."
        )
    elif spec.name == "fraud":
        cases = "case" if others == 1 else "cases"
        rest = f"supersedes its {others} other active {cases}" if others else (
            "supersedes no other case (it has none active)"
        )
        said = (
            f"This deactivates the account of {where}, revokes its assurance for good (it can "
            f"never enrol again), and {rest}. The seller is notified."
        )
    else:
        return None
    return Text(said, style="bold")


def outcome(
    spec: ActionSpec, case: CaseView, logged: tuple[Channel, Outcome] | None = None
) -> str:
    """What the action did, in one sentence for a notification. ``logged``: an attempt's channel
    and outcome (``case 51: phone, no answer logged (1 attempt so far); it is open.``)."""
    if spec.name == "attempt":
        what = "an attempt" if logged is None else ", ".join(
            part.value.replace("_", " ") for part in logged)
        return (f"case {case.id}: {what} logged ({count(case.attempts, 'attempt')} so far); "
                f"it is {case.status.value}.")
    if spec.name == "note":
        return f"note added to case {case.id}."
    return f"case {case.id} is now {case.status.value}."
