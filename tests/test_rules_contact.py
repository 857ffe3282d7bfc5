"""Detection and contact attempts against DESIGN.md section 4: the table, the guards, and the
invariants of the first-contact clock (hypothesis)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ahr_tui.rules import (
    AccountStatus,
    CaseAction,
    CaseDecision,
    CaseStatus,
    Enrollment,
    NotificationKind,
    RejectCode,
    Rejected,
    decide,
)
from ahr_tui.rules.contact import (
    CALL_BACK,
    AttemptDecision,
    Channel,
    DetectDecision,
    Outcome,
    attempt_note,
    decide_attempt,
    decide_detect,
)

FOUND = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
ACTIVE = (CaseStatus.DETECTED, CaseStatus.OPEN, CaseStatus.RESPONDED, CaseStatus.EXPIRED)
FINAL = (CaseStatus.RESOLVED, CaseStatus.DEACTIVATED, CaseStatus.FRAUD, CaseStatus.SUPERSEDED)


def attempt(status: CaseStatus, at: datetime, outcome: Outcome = Outcome.NO_ANSWER,
            **kw: object) -> AttemptDecision | Rejected:
    return decide_attempt(status, at=at, outcome=outcome, detected_at=FOUND,
                          reached_at=kw.pop("reached_at", None), **kw)  # type: ignore[arg-type]


def test_detection_on_an_enrolled_active_account_sets_the_first_contact_target() -> None:
    decision = decide_detect(Enrollment.ENROLLED, AccountStatus.ACTIVE, FOUND)
    assert decision == DetectDecision(CaseStatus.DETECTED, FOUND + timedelta(hours=24))


@pytest.mark.parametrize("enrollment", [e for e in Enrollment if e is not Enrollment.ENROLLED])
def test_detection_on_an_account_that_is_not_enrolled_is_refused(enrollment: Enrollment) -> None:
    refused = decide_detect(enrollment, AccountStatus.ACTIVE, FOUND)
    assert isinstance(refused, Rejected) and refused.code is RejectCode.NOT_ENROLLED
    assert "standard enforcement applies" in refused.message


def test_detection_on_a_deactivated_account_is_refused() -> None:
    refused = decide_detect(Enrollment.ENROLLED, AccountStatus.DEACTIVATED, FOUND)
    assert isinstance(refused, Rejected) and refused.code is RejectCode.ACCOUNT_DEACTIVATED


@pytest.mark.parametrize("outcome", list(Outcome))
def test_the_first_attempt_of_any_outcome_opens_the_case_and_starts_the_72_hours(
    outcome: Outcome,
) -> None:
    at = FOUND + timedelta(hours=3)
    decision = attempt(CaseStatus.DETECTED, at, outcome)
    assert isinstance(decision, AttemptDecision)
    assert (decision.before, decision.after) == (CaseStatus.DETECTED, CaseStatus.OPEN)
    assert (decision.contacted_at, decision.deadline) == (at, at + timedelta(hours=72))
    assert decision.reached_at == (at if outcome is Outcome.REACHED else None)
    kind = (NotificationKind.CONTACT_ATTEMPT if outcome in CALL_BACK
            else NotificationKind.CASE_OPENED)
    assert decision.notify == (kind,)


@pytest.mark.parametrize("status", [CaseStatus.OPEN, CaseStatus.RESPONDED, CaseStatus.EXPIRED])
def test_a_follow_up_changes_no_status_and_no_clock(status: CaseStatus) -> None:
    decision = attempt(status, FOUND + timedelta(hours=80), Outcome.VOICEMAIL)
    assert isinstance(decision, AttemptDecision)
    assert (decision.before, decision.after) == (status, status)
    assert decision.contacted_at is None and decision.deadline is None
    assert decision.notify == (NotificationKind.CONTACT_ATTEMPT,)


def test_only_the_first_reached_outcome_sets_reached_at() -> None:
    first = FOUND + timedelta(hours=5)
    reached = attempt(CaseStatus.OPEN, first, Outcome.REACHED)
    assert isinstance(reached, AttemptDecision) and reached.reached_at == first
    again = attempt(CaseStatus.OPEN, first + timedelta(hours=1), Outcome.REACHED, reached_at=first)
    assert isinstance(again, AttemptDecision) and again.reached_at is None


@pytest.mark.parametrize("status", FINAL)
def test_an_attempt_on_a_final_case_is_refused(status: CaseStatus) -> None:
    refused = attempt(status, FOUND + timedelta(hours=1))
    assert isinstance(refused, Rejected) and refused.code is RejectCode.WRONG_STATE
    assert status.value in refused.message


def test_an_attempt_before_the_detection_is_refused() -> None:
    refused = attempt(CaseStatus.DETECTED, FOUND - timedelta(seconds=1))
    assert isinstance(refused, Rejected) and refused.code is RejectCode.BEFORE_DETECTION
    assert isinstance(attempt(CaseStatus.DETECTED, FOUND), AttemptDecision)  # at it is fine


def test_a_follow_up_before_the_first_contact_is_refused() -> None:
    contacted = FOUND + timedelta(hours=4)
    refused = attempt(CaseStatus.OPEN, contacted - timedelta(minutes=1), contacted_at=contacted)
    assert isinstance(refused, Rejected) and refused.code is RejectCode.BEFORE_CONTACT


def test_the_seller_is_asked_to_call_back_at_most_once_per_case_per_utc_day() -> None:
    morning = datetime(2026, 3, 3, 0, 30, tzinfo=UTC)
    earlier = [(morning, Outcome.NO_ANSWER)]
    same_day = attempt(CaseStatus.OPEN, morning.replace(hour=23, minute=59), Outcome.VOICEMAIL,
                       earlier=earlier)
    next_day = attempt(CaseStatus.OPEN, morning + timedelta(days=1), Outcome.VOICEMAIL,
                       earlier=earlier)
    after_reach = attempt(CaseStatus.OPEN, morning + timedelta(hours=1), Outcome.LEFT_MESSAGE,
                          earlier=[(morning, Outcome.REACHED)])
    assert isinstance(same_day, AttemptDecision) and same_day.notify == ()
    assert isinstance(next_day, AttemptDecision)
    assert next_day.notify == (NotificationKind.CONTACT_ATTEMPT,)
    assert isinstance(after_reach, AttemptDecision)
    assert after_reach.notify == (NotificationKind.CONTACT_ATTEMPT,)


@pytest.mark.parametrize("outcome", [o for o in Outcome if o not in CALL_BACK])
def test_outcomes_that_ask_for_no_call_back_send_nothing_on_a_follow_up(outcome: Outcome) -> None:
    decision = attempt(CaseStatus.OPEN, FOUND + timedelta(hours=2), outcome)
    assert isinstance(decision, AttemptDecision) and decision.notify == ()


def test_the_audit_note_names_channel_outcome_and_text() -> None:
    written = attempt_note(Channel.PHONE, Outcome.NO_ANSWER, "rang out")
    assert written == "phone, no_answer: rang out"
    assert attempt_note(Channel.EMAIL, Outcome.BOUNCED, "  ") == "email, bounced"


# -- invariants ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """The fields the rules read, as the service keeps them."""

    status: CaseStatus = CaseStatus.DETECTED
    contacted_at: datetime | None = None
    deadline: datetime | None = None
    reached_at: datetime | None = None
    attempts: tuple[tuple[datetime, Outcome], ...] = ()


STEPS = st.lists(
    st.tuples(
        st.sampled_from(["attempt", *CaseAction]),
        st.integers(min_value=-3600, max_value=30 * 86_400),  # seconds after the detection
        st.sampled_from(list(Outcome)),
    ),
    max_size=12,
)


def apply(case: Case, step: tuple[str, int, Outcome]) -> Case:
    """One step through the rules (a rejected step leaves the case as it was)."""
    name, offset, outcome = step
    at = FOUND + timedelta(seconds=offset)
    if name == "attempt":
        decision = decide_attempt(case.status, at=at, outcome=outcome, detected_at=FOUND,
                                  contacted_at=case.contacted_at, reached_at=case.reached_at,
                                  earlier=case.attempts)
        if isinstance(decision, Rejected):
            return case
        return replace(
            case, status=decision.after,
            contacted_at=decision.contacted_at or case.contacted_at,
            deadline=decision.deadline or case.deadline,
            reached_at=decision.reached_at or case.reached_at,
            attempts=(*case.attempts, (at, outcome)),
        )
    result = decide(CaseAction(name), case.status, at=at, contacted_at=case.contacted_at,
                    deadline=case.deadline, text="a note")
    if isinstance(result, Rejected):
        return case
    assert isinstance(result, CaseDecision)
    return replace(case, status=result.after)


@settings(max_examples=400)
@given(steps=STEPS)
def test_a_detected_case_never_expires_and_is_never_deactivated(steps) -> None:  # type: ignore[no-untyped-def]
    case = Case()
    for step in steps:
        after = apply(case, step)
        if case.status is CaseStatus.DETECTED:
            assert after.status not in (CaseStatus.EXPIRED, CaseStatus.DEACTIVATED)
        case = after


@settings(max_examples=400)
@given(steps=STEPS)
def test_the_first_attempt_is_the_contact_and_the_deadline_is_72_hours_after_it(steps) -> None:  # type: ignore[no-untyped-def]
    case = Case()
    for step in steps:
        case = apply(case, step)
    if case.attempts:
        first = case.attempts[0][0]
        assert all(at >= first for at, _ in case.attempts)
        assert case.contacted_at == first
        assert case.deadline == first + timedelta(hours=72)
        assert case.status is not CaseStatus.DETECTED
    else:
        assert case.contacted_at is None and case.deadline is None
    reached = [at for at, outcome in case.attempts if outcome is Outcome.REACHED]
    assert case.reached_at == (reached[0] if reached else None)
