"""``rules.actions`` and the case list's order: the decisions both front ends ask for."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from ahr_tui.rules import (
    ACTIVE_STATUSES,
    PERMISSION,
    CaseAction,
    CaseFacts,
    CaseStatus,
    Operation,
    Permission,
    RejectCode,
    Rejected,
    Role,
    Unchanged,
    case_sentence,
    decide_assign,
    decide_note,
    list_order,
    refusal,
    time_left,
)

CONTACT = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
DEADLINE = CONTACT + timedelta(hours=72)
SOON = CONTACT + timedelta(hours=1)


def facts(status: CaseStatus, assignee: str | None = None, case_id: int = 7) -> CaseFacts:
    return CaseFacts(case_id, status, CONTACT, DEADLINE, assignee)


@pytest.mark.parametrize("status", list(CaseStatus), ids=lambda s: s.value)
def test_a_note_goes_on_any_case_final_ones_included(status: CaseStatus) -> None:
    assert decide_note(facts(status), "called the seller") is None
    assert refusal(Operation.NOTE, facts(status), operator="ann", role=Role.TRIAGE, at=SOON) is None


def test_a_note_needs_text() -> None:
    refused = decide_note(facts(CaseStatus.OPEN), "  \n")
    assert isinstance(refused, Rejected) and refused.code is RejectCode.NOTE_REQUIRED


@pytest.mark.parametrize("status", list(CaseStatus), ids=lambda s: s.value)
def test_assignment_is_for_active_cases_only(status: CaseStatus) -> None:
    decision = decide_assign(facts(status), "ann")
    if status in ACTIVE_STATUSES:
        assert decision is None
    else:
        assert isinstance(decision, Rejected) and decision.code is RejectCode.WRONG_STATE
        active = ", ".join(sorted(s.value for s in ACTIVE_STATUSES))
        assert case_sentence(7, decision) == (
            f"case 7: cannot assign a case that is {status.value} (only when {active})."
        )


def test_assigning_to_the_current_assignee_changes_nothing_and_says_so() -> None:
    decision = decide_assign(facts(CaseStatus.OPEN, assignee="mlopez"), "mlopez")
    assert decision == Unchanged("already assigned to mlopez")
    assert case_sentence(25, decision) == "case 25: already assigned to mlopez."
    assert decide_assign(facts(CaseStatus.OPEN, assignee="mlopez"), "ann") is None


def test_every_operation_and_case_action_has_one_permission() -> None:
    assert set(PERMISSION) == set(Operation) | set(CaseAction)
    assert PERMISSION[Operation.NOTE] is Permission.NOTE
    assert PERMISSION[CaseAction.EXPIRE] is Permission.SWEEP


def test_the_role_is_refused_before_the_state_with_what_to_do() -> None:
    case = facts(CaseStatus.RESOLVED)
    assert refusal(Operation.FRAUD, case, operator="tom", role=Role.TRIAGE, at=SOON) == (
        "to record a fraud finding you need the investigator role; tom is triage."
    )
    assert refusal(Operation.RESOLVE, case, operator="bob", role=None, at=SOON) == (
        "bob is not an operator; to resolve a case you need the triage role "
        "(a lead can run `ahr operator add bob --role triage`)."
    )
    active = ", ".join(sorted(s.value for s in ACTIVE_STATUSES))
    assert refusal(Operation.RESOLVE, case, operator="ann", role=Role.LEAD, at=SOON) == (
        f"case 7: cannot resolve a case that is resolved (only when {active})."
    )


@pytest.mark.parametrize("operation", list(Operation), ids=lambda o: o.value)
def test_every_refusal_by_state_says_the_action_as_a_verb(operation: Operation) -> None:
    """``cannot record a response to a case that is expired``, never ``cannot respond a case``:
    the same sentence in the CLI and the TUI, for every operation that a state can refuse."""
    doing = {
        Operation.RESPOND: "record a response to",
        Operation.ATTEMPT: "record a contact attempt on",
        Operation.FRAUD: "record a fraud finding on",
        Operation.RESOLVE: "resolve",
        Operation.DEACTIVATE: "deactivate",
        Operation.ASSIGN: "assign",
    }
    refused = [
        (status, sentence) for status in CaseStatus
        if (sentence := refusal(operation, facts(status), operator="ann", role=Role.LEAD,
                                at=SOON))
    ]
    if operation is Operation.NOTE:
        assert refused == []  # a note goes on any case
        return
    assert refused
    for status, sentence in refused:
        assert sentence.startswith(
            f"case 7: cannot {doing[operation]} a case that is {status.value} (only when "
        ), sentence


def test_a_late_response_is_refused_by_the_clock_given() -> None:
    late = DEADLINE + timedelta(seconds=1)
    assert refusal(Operation.RESPOND, facts(CaseStatus.OPEN), operator="ann", role=Role.LEAD,
                   at=DEADLINE) is None
    assert refusal(Operation.RESPOND, facts(CaseStatus.OPEN), operator="ann", role=Role.LEAD,
                   at=late) == "case 7: the 72-hour window has passed."


@pytest.mark.parametrize(
    ("status", "now", "responded_at", "expected"),
    [
        (CaseStatus.OPEN, DEADLINE - timedelta(minutes=15), None,
         ("15m 00s", "critical", "15m 00s left, critical")),
        (CaseStatus.OPEN, DEADLINE - timedelta(hours=5), None,
         ("5h 00m", "urgent", "5h 00m left, urgent")),
        (CaseStatus.OPEN, DEADLINE - timedelta(hours=20), None,
         ("20h 00m", "warn", "20h 00m left, warn")),
        (CaseStatus.OPEN, CONTACT, None, ("3d 00h", "ok", "3d 00h left, ok")),
        (CaseStatus.OPEN, DEADLINE + timedelta(hours=3), None,
         ("-3h 00m", "overdue", "3h 00m overdue")),
        (CaseStatus.DETECTED, DEADLINE - timedelta(hours=5), None,
         ("5h 00m", "urgent", "5h 00m to first contact, urgent")),
        (CaseStatus.DETECTED, DEADLINE + timedelta(minutes=45, seconds=53), None,
         ("-45m 53s", "overdue", "first contact 45m 53s overdue")),
        (CaseStatus.RESPONDED, DEADLINE + timedelta(days=9), CONTACT + timedelta(hours=38),
         ("+1d 10h", "responded", "1d 10h to spare")),
        (CaseStatus.EXPIRED, DEADLINE + timedelta(hours=8), None,
         ("-8h 00m", "expired", "8h 00m past the deadline")),
        (CaseStatus.RESOLVED, DEADLINE, None, ("-", "resolved", "-")),
    ],
    ids=["critical", "urgent", "warn", "ok", "overdue", "detected", "detected-overdue",
         "responded", "expired", "final"],
)
def test_one_formatter_writes_time_left_and_urgency(status, now, responded_at, expected) -> None:
    """``text`` for a countdown column (signed: the urgency word beside it says the rest);
    ``described`` for a sentence: unsigned, each thing said once (never "-3h 00m overdue")."""
    shown = time_left(status, DEADLINE, now, responded_at=responded_at)
    assert (shown.text, shown.level, shown.described) == expected
    assert re.search(r"[-+]\d", shown.described) is None, shown.described


@pytest.mark.parametrize("status", list(CaseStatus))
@pytest.mark.parametrize("hours", [-3, 0.5, 5, 20, 30])
def test_the_list_word_is_the_level_and_contact_before_it_for_a_detected_case(
    status, hours
) -> None:
    """A bare ``overdue`` is the 72-hour deadline's word: a detected case is ``contact`` in a
    list, and its level against the first-contact target follows unless ok (``contact
    overdue`` once past it), as the app marks its ``CONTACT`` row (``!!! CONTACT``)."""
    shown = time_left(status, DEADLINE, DEADLINE - timedelta(hours=hours),
                      responded_at=CONTACT)
    expected = shown.level
    if status is CaseStatus.DETECTED:
        expected = "contact" if shown.level == "ok" else f"contact {shown.level}"
    assert shown.word == expected
    if status is CaseStatus.DETECTED and hours < 0:
        assert shown.word == "contact overdue"


def test_the_list_puts_least_time_left_first_then_expired_then_responded() -> None:
    at = datetime(2026, 3, 5, 12, 0, tzinfo=UTC)
    cases = [
        (1, CaseStatus.RESPONDED, at - timedelta(hours=30)),
        (2, CaseStatus.RESPONDED, at + timedelta(hours=1)),
        (3, CaseStatus.OPEN, at + timedelta(minutes=15)),
        (4, CaseStatus.EXPIRED, at - timedelta(hours=2)),
        (5, CaseStatus.OPEN, at - timedelta(minutes=5)),  # overdue, not yet expired
        (6, CaseStatus.OPEN, at - timedelta(hours=1)),  # overdue longer
        (7, CaseStatus.EXPIRED, at - timedelta(hours=9)),
        (8, CaseStatus.OPEN, at + timedelta(minutes=15)),  # a tie: by id
        (9, CaseStatus.RESOLVED, at - timedelta(days=3)),
    ]
    ordered = sorted(cases, key=lambda c: list_order(c[1], c[2], c[0]))
    assert [c[0] for c in ordered] == [6, 5, 3, 8, 7, 4, 1, 2, 9]
