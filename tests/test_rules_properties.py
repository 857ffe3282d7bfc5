"""Invariants of the rules, checked with hypothesis over many generated windows and cases."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from ahr_tui.rules import (
    AccountFacts,
    AccountStatus,
    CaseAction,
    CaseDecision,
    CaseStatus,
    Enrollment,
    PhoneStatus,
    Plan,
    Policy,
    Rejected,
    ScoreWindow,
    count_window,
    decide,
    evaluate,
    next_enrollment,
)

# A short window keeps the boundary (max_days_below) reachable by generated data.
SMALL = Policy(window_days=14, max_days_below=3)
AS_OF = date(2026, 3, 1)
DAYS = [AS_OF - timedelta(days=i) for i in range(SMALL.window_days)]
FACTS = AccountFacts(plan=Plan.PROFESSIONAL, store_enabled=True, status=AccountStatus.ACTIVE,
                     phone="+1 415 555 2671", region="US")

scores_strategy = st.dictionaries(
    st.sampled_from(DAYS), st.integers(min_value=0, max_value=1000), max_size=len(DAYS)
)


def judge(scores: dict[date, int]):  # type: ignore[no-untyped-def]
    window = count_window(scores, AS_OF, SMALL)
    # The phone is valid and fixed; passing its status skips re-parsing it in every example.
    return window, evaluate(FACTS, window, AS_OF, SMALL, phone=PhoneStatus.VALID)


@settings(max_examples=300)
@given(scores=scores_strategy, data=st.data())
def test_lowering_any_score_never_makes_an_account_more_eligible(scores, data):
    if not scores:
        return
    day = data.draw(st.sampled_from(sorted(scores)))
    lowered = dict(scores)
    lowered[day] = data.draw(st.integers(min_value=0, max_value=scores[day]))
    before_window, before = judge(scores)
    after_window, after = judge(lowered)
    assert after_window.days_below >= before_window.days_below
    assert not (after.eligible and not before.eligible)
    assert not (after.ahr_ok and not before.ahr_ok)


@settings(max_examples=300)
@given(scores=scores_strategy, data=st.data())
def test_filling_a_missing_day_at_250_or_more_never_makes_it_less_eligible(scores, data):
    missing = [d for d in DAYS if d not in scores]
    if not missing:
        return
    day = data.draw(st.sampled_from(missing))
    filled = dict(scores)
    filled[day] = data.draw(st.integers(min_value=SMALL.threshold, max_value=1000))
    before_window, before = judge(scores)
    after_window, after = judge(filled)
    assert after_window.days_below == before_window.days_below - 1
    assert after_window.days_missing == before_window.days_missing - 1
    assert not (before.eligible and not after.eligible)
    assert not (before.ahr_ok and not after.ahr_ok)


@given(scores=scores_strategy)
def test_days_below_always_include_the_missing_days(scores):
    window, result = judge(scores)
    assert SMALL.window_days >= window.days_below >= window.days_missing >= 0
    assert result.ahr_ok is (window.days_below <= SMALL.max_days_below)


CONTACT = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
DEADLINE = CONTACT + timedelta(hours=72)


@given(
    status=st.sampled_from(CaseStatus),
    action=st.sampled_from(CaseAction),
    offset=st.integers(min_value=-3600, max_value=200 * 3600),
    text=st.one_of(st.none(), st.text(max_size=5)),
)
def test_a_decision_always_lands_in_a_case_status_and_final_states_refuse_everything(
    status, action, offset, text
):
    decision = decide(action, status, at=CONTACT + timedelta(seconds=offset),
                      contacted_at=CONTACT, deadline=DEADLINE, text=text)
    assert isinstance(decision, CaseDecision | Rejected)
    if isinstance(decision, CaseDecision):
        assert isinstance(decision.after, CaseStatus)
        assert decision.before is status
        assert decision.after is not status
    if status.is_final:
        assert isinstance(decision, Rejected)


facts_strategy = st.builds(
    AccountFacts,
    plan=st.sampled_from(Plan),
    store_enabled=st.booleans(),
    status=st.sampled_from(AccountStatus),
    phone=st.sampled_from([None, "", "+1 415 555 2671", "555 555 5555"]),
    region=st.just("US"),
    revoked=st.booleans(),
)


@given(facts=facts_strategy, below=st.integers(min_value=0, max_value=180),
       current=st.sampled_from(Enrollment))
def test_a_sweep_enrols_exactly_the_eligible_and_never_a_deactivated_or_revoked_account(
    facts, below, current
):
    window = ScoreWindow(days_below=below, days_missing=min(below, 3))
    result = evaluate(facts, window, AS_OF)
    change = next_enrollment(current, result, facts.status)
    after = current if change is None else change.after
    if current is Enrollment.REVOKED:
        assert after is Enrollment.REVOKED
    elif facts.status is AccountStatus.DEACTIVATED:
        assert after is Enrollment.NOT_ENROLLED
    assert (after is Enrollment.ENROLLED) is (result.eligible and current is not Enrollment.REVOKED)
    if change is not None:
        assert change.before is current and change.after is not current
