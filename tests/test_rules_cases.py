"""The 72-hour case rules against DESIGN.md section 4's table: every state x every action."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from ahr_tui.rules import (
    AccountStatus,
    CaseAction,
    CaseDecision,
    CaseStatus,
    Enrollment,
    NotificationKind,
    OpenDecision,
    RejectCode,
    Rejected,
    check,
    deadline_for,
    decide,
    decide_open,
    response_margin,
)

CONTACT = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
DEADLINE = CONTACT + timedelta(hours=72)

# The table, written out independently of the code under test.
LEGAL: dict[tuple[CaseStatus, CaseAction], CaseStatus] = {
    (CaseStatus.DETECTED, CaseAction.RESOLVE): CaseStatus.RESOLVED,
    (CaseStatus.DETECTED, CaseAction.FRAUD): CaseStatus.FRAUD,
    (CaseStatus.DETECTED, CaseAction.SUPERSEDE): CaseStatus.SUPERSEDED,
    (CaseStatus.OPEN, CaseAction.RESPOND): CaseStatus.RESPONDED,
    (CaseStatus.OPEN, CaseAction.EXPIRE): CaseStatus.EXPIRED,
    (CaseStatus.OPEN, CaseAction.RESOLVE): CaseStatus.RESOLVED,
    (CaseStatus.RESPONDED, CaseAction.RESOLVE): CaseStatus.RESOLVED,
    (CaseStatus.EXPIRED, CaseAction.RESOLVE): CaseStatus.RESOLVED,
    (CaseStatus.EXPIRED, CaseAction.DEACTIVATE): CaseStatus.DEACTIVATED,
    (CaseStatus.OPEN, CaseAction.FRAUD): CaseStatus.FRAUD,
    (CaseStatus.RESPONDED, CaseAction.FRAUD): CaseStatus.FRAUD,
    (CaseStatus.EXPIRED, CaseAction.FRAUD): CaseStatus.FRAUD,
    (CaseStatus.OPEN, CaseAction.SUPERSEDE): CaseStatus.SUPERSEDED,
    (CaseStatus.RESPONDED, CaseAction.SUPERSEDE): CaseStatus.SUPERSEDED,
    (CaseStatus.EXPIRED, CaseAction.SUPERSEDE): CaseStatus.SUPERSEDED,
}

FINAL = (CaseStatus.RESOLVED, CaseStatus.DEACTIVATED, CaseStatus.FRAUD, CaseStatus.SUPERSEDED)
ALL_PAIRS = [(s, a) for s in CaseStatus for a in CaseAction]


def a_good_time_for(action: CaseAction) -> datetime:
    """An instant at which only the state decides: within the window, or past it for expiry."""
    if action is CaseAction.EXPIRE:
        return DEADLINE + timedelta(seconds=1)
    return CONTACT + timedelta(hours=1)


def run(action: CaseAction, status: CaseStatus, *, at: datetime | None = None,
        text: str | None = "a note") -> CaseDecision | Rejected:
    return decide(action, status, at=at or a_good_time_for(action), contacted_at=CONTACT,
                  deadline=DEADLINE, text=text)


@pytest.mark.parametrize(("status", "action"), ALL_PAIRS, ids=lambda v: v.value)
def test_every_state_and_action_follows_the_transition_table(status, action):
    decision = run(action, status)
    expected = LEGAL.get((status, action))
    if expected is None:
        assert isinstance(decision, Rejected)
        assert decision.code is RejectCode.WRONG_STATE
        named = "response" if action is CaseAction.RESPOND else action.value  # "record a response"
        assert status.value in decision.message and named in decision.message
    else:
        assert isinstance(decision, CaseDecision)
        assert (decision.action, decision.before, decision.after) == (action, status, expected)


@pytest.mark.parametrize(("status", "action"), ALL_PAIRS, ids=lambda v: v.value)
def test_check_agrees_with_decide_before_any_note_is_typed(status, action):
    refused = check(action, status, at=a_good_time_for(action), contacted_at=CONTACT,
                    deadline=DEADLINE)
    if (status, action) in LEGAL:
        assert refused is None
    else:
        assert refused is not None and refused.code is RejectCode.WRONG_STATE


@pytest.mark.parametrize("status", FINAL, ids=lambda v: v.value)
def test_final_states_are_final_and_not_active(status):
    assert status.is_final and not status.is_active


@pytest.mark.parametrize("status", [CaseStatus.OPEN, CaseStatus.RESPONDED, CaseStatus.EXPIRED],
                         ids=lambda v: v.value)
def test_open_responded_and_expired_are_the_active_states(status):
    assert status.is_active and not status.is_final


@pytest.mark.parametrize(
    ("action", "code"),
    [
        (CaseAction.RESOLVE, RejectCode.NOTE_REQUIRED),
        (CaseAction.DEACTIVATE, RejectCode.NOTE_REQUIRED),
        (CaseAction.FRAUD, RejectCode.EVIDENCE_REQUIRED),
    ],
    ids=lambda v: v.value,
)
@pytest.mark.parametrize("text", [None, "", "   \n\t"], ids=["none", "empty", "blank"])
def test_resolve_deactivate_and_fraud_need_a_note_or_evidence(action, code, text):
    decision = run(action, CaseStatus.EXPIRED, text=text)
    assert isinstance(decision, Rejected) and decision.code is code


def test_a_response_needs_no_note():
    assert isinstance(run(CaseAction.RESPOND, CaseStatus.OPEN, text=None), CaseDecision)


def test_a_wrong_state_is_reported_before_a_missing_note():
    decision = run(CaseAction.RESOLVE, CaseStatus.RESOLVED, text=None)
    assert isinstance(decision, Rejected) and decision.code is RejectCode.WRONG_STATE


def test_resolving_leaves_the_account_alone():
    decision = run(CaseAction.RESOLVE, CaseStatus.RESPONDED)
    assert isinstance(decision, CaseDecision)
    assert decision.account_status is None and decision.enrollment is None
    assert decision.notify == () and not decision.supersede_others


def test_deactivating_deactivates_the_account_and_ends_its_enrolment():
    decision = run(CaseAction.DEACTIVATE, CaseStatus.EXPIRED)
    assert isinstance(decision, CaseDecision)
    assert decision.account_status is AccountStatus.DEACTIVATED
    assert decision.enrollment is Enrollment.NOT_ENROLLED
    assert decision.notify == (NotificationKind.ACCOUNT_DEACTIVATED,)
    assert not decision.supersede_others


@pytest.mark.parametrize("status", [CaseStatus.OPEN, CaseStatus.RESPONDED, CaseStatus.EXPIRED],
                         ids=lambda v: v.value)
def test_fraud_deactivates_revokes_and_supersedes_the_other_cases(status):
    decision = run(CaseAction.FRAUD, status)
    assert isinstance(decision, CaseDecision)
    assert decision.after is CaseStatus.FRAUD
    assert decision.account_status is AccountStatus.DEACTIVATED
    assert decision.enrollment is Enrollment.REVOKED
    assert decision.supersede_others
    assert set(decision.notify) == {
        NotificationKind.ACCOUNT_DEACTIVATED, NotificationKind.ENROLLMENT_REVOKED,
    }


def test_expiry_queues_a_case_expired_notification():
    decision = run(CaseAction.EXPIRE, CaseStatus.OPEN)
    assert isinstance(decision, CaseDecision)
    assert decision.notify == (NotificationKind.CASE_EXPIRED,)


def test_the_deadline_is_72_hours_after_contact():
    assert deadline_for(CONTACT) == datetime(2026, 3, 5, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("left_after_contact", "in_time"),
    [
        (timedelta(0), True),
        (timedelta(hours=71, minutes=59, seconds=59), True),
        (timedelta(hours=72), True),
        (timedelta(hours=72, seconds=1), False),
    ],
    ids=["at-contact", "71:59:59", "72:00:00", "72:00:01"],
)
def test_a_response_is_in_time_up_to_and_including_72_hours(left_after_contact, in_time):
    decision = run(CaseAction.RESPOND, CaseStatus.OPEN, at=CONTACT + left_after_contact)
    if in_time:
        assert isinstance(decision, CaseDecision) and decision.after is CaseStatus.RESPONDED
    else:
        assert isinstance(decision, Rejected) and decision.code is RejectCode.LATE


def test_a_response_cannot_precede_the_contact():
    decision = run(CaseAction.RESPOND, CaseStatus.OPEN, at=CONTACT - timedelta(seconds=1))
    assert isinstance(decision, Rejected) and decision.code is RejectCode.BEFORE_CONTACT


@pytest.mark.parametrize(
    ("after_contact", "due"),
    [
        (timedelta(hours=71, minutes=59, seconds=59), False),
        (timedelta(hours=72), False),
        (timedelta(hours=72, seconds=1), True),
    ],
    ids=["71:59:59", "72:00:00", "72:00:01"],
)
def test_a_case_expires_only_after_the_deadline(after_contact, due):
    decision = run(CaseAction.EXPIRE, CaseStatus.OPEN, at=CONTACT + after_contact)
    if due:
        assert isinstance(decision, CaseDecision) and decision.after is CaseStatus.EXPIRED
    else:
        assert isinstance(decision, Rejected) and decision.code is RejectCode.NOT_DUE


@pytest.mark.parametrize("action", [CaseAction.RESOLVE, CaseAction.FRAUD], ids=lambda v: v.value)
def test_resolve_and_fraud_are_allowed_after_the_deadline(action):
    decision = run(action, CaseStatus.OPEN, at=DEADLINE + timedelta(days=3))
    assert isinstance(decision, CaseDecision)


def test_the_response_margin_is_the_time_left_at_the_response():
    assert response_margin(DEADLINE - timedelta(hours=5), DEADLINE) == timedelta(hours=5)
    assert response_margin(DEADLINE, DEADLINE) == timedelta(0)


OPEN_CASES = [(e, s) for e in Enrollment for s in AccountStatus]


@pytest.mark.parametrize(("enrollment", "status"), OPEN_CASES, ids=lambda v: v.value)
def test_a_case_opens_only_for_an_active_enrolled_account(enrollment, status):
    decision = decide_open(enrollment, status, CONTACT)
    if enrollment is Enrollment.ENROLLED and status is AccountStatus.ACTIVE:
        assert isinstance(decision, OpenDecision)
        assert decision.status is CaseStatus.OPEN
        assert decision.deadline == DEADLINE
        assert decision.notify == (NotificationKind.CASE_OPENED,)
    elif status is AccountStatus.DEACTIVATED:
        assert isinstance(decision, Rejected)
        assert decision.code is RejectCode.ACCOUNT_DEACTIVATED
    else:
        assert isinstance(decision, Rejected)
        assert decision.code is RejectCode.NOT_ENROLLED
        assert "standard enforcement applies" in decision.message
        assert enrollment.value in decision.message
