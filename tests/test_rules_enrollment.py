"""Enrolment moves a sweep makes, from every state, and the notification each change queues."""

from __future__ import annotations

from datetime import date

import pytest

from ahr_tui.rules import (
    AccountFacts,
    AccountStatus,
    Eligibility,
    Enrollment,
    NotificationKind,
    Plan,
    ScoreWindow,
    evaluate,
    next_enrollment,
)

AS_OF = date(2026, 3, 1)
E = Enrollment


def eligibility(*, phone: str | None = "+1 415 555 2671", days_below: int = 0,
                status: AccountStatus = AccountStatus.ACTIVE) -> Eligibility:
    facts = AccountFacts(plan=Plan.PROFESSIONAL, store_enabled=True, status=status,
                         phone=phone, region="US")
    return evaluate(facts, ScoreWindow(days_below=days_below, days_missing=0), AS_OF)


SITUATIONS = {
    "eligible": (eligibility(), AccountStatus.ACTIVE),
    "only-phone-missing": (eligibility(phone=None), AccountStatus.ACTIVE),
    "not-ahr-ok": (eligibility(days_below=11), AccountStatus.ACTIVE),
    "deactivated": (eligibility(status=AccountStatus.DEACTIVATED), AccountStatus.DEACTIVATED),
}

# (from, situation) -> the state after the sweep; written out from DESIGN.md section 4.
EXPECTED: dict[tuple[Enrollment, str], Enrollment] = {
    (E.NOT_ENROLLED, "eligible"): E.ENROLLED,
    (E.PENDING_CONTACT, "eligible"): E.ENROLLED,
    (E.ENROLLED, "eligible"): E.ENROLLED,
    (E.LAPSED, "eligible"): E.ENROLLED,
    (E.REVOKED, "eligible"): E.REVOKED,
    (E.NOT_ENROLLED, "only-phone-missing"): E.PENDING_CONTACT,
    (E.PENDING_CONTACT, "only-phone-missing"): E.PENDING_CONTACT,
    (E.ENROLLED, "only-phone-missing"): E.PENDING_CONTACT,
    (E.LAPSED, "only-phone-missing"): E.PENDING_CONTACT,
    (E.REVOKED, "only-phone-missing"): E.REVOKED,
    (E.NOT_ENROLLED, "not-ahr-ok"): E.NOT_ENROLLED,
    (E.PENDING_CONTACT, "not-ahr-ok"): E.NOT_ENROLLED,
    (E.ENROLLED, "not-ahr-ok"): E.LAPSED,
    (E.LAPSED, "not-ahr-ok"): E.LAPSED,
    (E.REVOKED, "not-ahr-ok"): E.REVOKED,
    (E.NOT_ENROLLED, "deactivated"): E.NOT_ENROLLED,
    (E.PENDING_CONTACT, "deactivated"): E.NOT_ENROLLED,
    (E.ENROLLED, "deactivated"): E.NOT_ENROLLED,
    (E.LAPSED, "deactivated"): E.NOT_ENROLLED,
    (E.REVOKED, "deactivated"): E.REVOKED,
}

NOTIFY_ON_ARRIVAL = {
    E.ENROLLED: NotificationKind.ENROLLED,
    E.PENDING_CONTACT: NotificationKind.CONTACT_NEEDED,
    E.LAPSED: NotificationKind.LAPSED,
}


@pytest.mark.parametrize(("current", "situation"), list(EXPECTED),
                         ids=lambda v: v.value if isinstance(v, Enrollment) else v)
def test_a_sweep_moves_each_enrolment_state_as_the_design_says(current, situation):
    result, status = SITUATIONS[situation]
    change = next_enrollment(current, result, status)
    target = EXPECTED[(current, situation)]
    if target is current:
        assert change is None
    else:
        assert change is not None
        assert (change.before, change.after) == (current, target)
        assert change.notify is NOTIFY_ON_ARRIVAL.get(target)


def test_every_state_and_situation_is_covered():
    assert set(EXPECTED) == {(e, s) for e in Enrollment for s in SITUATIONS}


@pytest.mark.parametrize("situation", list(SITUATIONS))
def test_revoked_is_permanent(situation):
    result, status = SITUATIONS[situation]
    assert next_enrollment(E.REVOKED, result, status) is None


@pytest.mark.parametrize("current", [E.NOT_ENROLLED, E.PENDING_CONTACT, E.LAPSED])
def test_becoming_enrolled_queues_the_enrolled_email(current):
    change = next_enrollment(current, *SITUATIONS["eligible"])
    assert change is not None and change.notify is NotificationKind.ENROLLED


def test_a_deactivated_account_is_never_enrolled_even_with_perfect_scores():
    for current in (E.NOT_ENROLLED, E.PENDING_CONTACT, E.ENROLLED, E.LAPSED):
        change = next_enrollment(current, eligibility(), AccountStatus.DEACTIVATED)
        after = current if change is None else change.after
        assert after is E.NOT_ENROLLED


def test_leaving_for_not_enrolled_queues_no_email():
    change = next_enrollment(E.ENROLLED, *SITUATIONS["deactivated"])
    assert change is not None and change.notify is None
