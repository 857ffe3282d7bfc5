"""AHR eligibility (DESIGN.md section 4): the window count, each criterion, and phones."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import phonenumbers
import pytest

from ahr_tui.rules import (
    AccountFacts,
    AccountStatus,
    PhoneStatus,
    Plan,
    Reason,
    ScoreWindow,
    count_window,
    evaluate,
    last_complete_day,
    phone_status,
    window_bounds,
)

AS_OF = date(2026, 3, 1)
GOOD = AccountFacts(plan=Plan.PROFESSIONAL, store_enabled=True, status=AccountStatus.ACTIVE,
                    phone="+1 415 555 2671", region="US")
CLEAN = ScoreWindow(days_below=0, days_missing=0)


def window_with(below: int = 0, *, low: int = 249, high: int = 250) -> dict[date, int]:
    """180 daily scores ending on AS_OF, the first ``below`` of them at ``low``."""
    days = [AS_OF - timedelta(days=i) for i in range(180)]
    return {d: (low if i < below else high) for i, d in enumerate(days)}


def facts(**changes: object) -> AccountFacts:
    values = {"plan": GOOD.plan, "store_enabled": GOOD.store_enabled, "status": GOOD.status,
              "phone": GOOD.phone, "region": GOOD.region, "revoked": GOOD.revoked}
    values.update(changes)
    return AccountFacts(**values)  # type: ignore[arg-type]


def test_the_window_is_the_180_days_ending_on_the_day_inclusive():
    first, last = window_bounds(AS_OF)
    assert last == AS_OF
    assert (last - first).days + 1 == 180


@pytest.mark.parametrize(("below", "ok"), [(0, True), (10, True), (11, False)])
def test_no_more_than_10_days_below_250_meets_the_ahr_criterion(below, ok):
    window = count_window(window_with(below), AS_OF)
    assert window == ScoreWindow(days_below=below, days_missing=0)
    result = evaluate(GOOD, window, AS_OF)
    assert result.ahr_ok is ok
    assert result.eligible is ok
    assert (Reason.TOO_MANY_DAYS_BELOW in result.reasons) is not ok


@pytest.mark.parametrize(("score", "below"), [(249, 1), (250, 0), (0, 1), (1000, 0)])
def test_249_is_below_the_threshold_and_250_is_not(score, below):
    scores = window_with(0)
    scores[AS_OF] = score
    assert count_window(scores, AS_OF).days_below == below


def test_a_missing_day_counts_as_below_and_as_missing():
    scores = window_with(0)
    del scores[AS_OF - timedelta(days=17)]
    assert count_window(scores, AS_OF) == ScoreWindow(days_below=1, days_missing=1)


def test_an_account_with_no_scores_at_all_is_all_below_and_all_missing():
    window = count_window({}, AS_OF)
    assert window == ScoreWindow(days_below=180, days_missing=180)
    assert not evaluate(GOOD, window, AS_OF).ahr_ok


def test_scores_outside_the_window_are_ignored():
    scores = window_with(0)
    scores[AS_OF + timedelta(days=1)] = 10
    scores[AS_OF - timedelta(days=180)] = 10
    assert count_window(scores, AS_OF) == ScoreWindow(days_below=0, days_missing=0)


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"plan": Plan.INDIVIDUAL}, Reason.NOT_PROFESSIONAL),
        ({"store_enabled": False}, Reason.STORE_NOT_ENABLED),
        ({"status": AccountStatus.DEACTIVATED}, Reason.ACCOUNT_DEACTIVATED),
        ({"revoked": True}, Reason.REVOKED),
        ({"phone": None}, Reason.PHONE_MISSING),
        ({"phone": "555 555 5555"}, Reason.PHONE_INVALID),
    ],
    ids=lambda v: v.value if isinstance(v, Reason) else "",
)
def test_each_failed_criterion_is_the_one_reason_given(change, reason):
    result = evaluate(facts(**change), CLEAN, AS_OF)
    assert not result.eligible
    assert result.reasons == (reason,)
    assert result.ahr_ok  # the AHR criterion is about scores only


def test_every_failed_criterion_is_listed():
    bad = facts(plan=Plan.INDIVIDUAL, store_enabled=False, status=AccountStatus.DEACTIVATED,
                revoked=True, phone="")
    result = evaluate(bad, ScoreWindow(days_below=40, days_missing=3), AS_OF)
    assert set(result.reasons) == {
        Reason.TOO_MANY_DAYS_BELOW, Reason.NOT_PROFESSIONAL, Reason.STORE_NOT_ENABLED,
        Reason.ACCOUNT_DEACTIVATED, Reason.REVOKED, Reason.PHONE_MISSING,
    }
    assert (result.days_below, result.days_missing) == (40, 3)


def test_an_account_meeting_every_criterion_is_eligible_with_no_reasons():
    result = evaluate(GOOD, CLEAN, AS_OF)
    assert result.eligible and result.reasons == () and result.phone is PhoneStatus.VALID
    assert result.as_of == AS_OF and not result.only_contact_missing


@pytest.mark.parametrize("phone", [None, "", "not a phone"])
def test_only_a_missing_or_bad_phone_means_only_the_contact_is_missing(phone):
    assert evaluate(facts(phone=phone), CLEAN, AS_OF).only_contact_missing


def test_a_bad_phone_with_too_many_days_below_is_not_only_the_contact():
    result = evaluate(facts(phone=None), ScoreWindow(days_below=11, days_missing=0), AS_OF)
    assert not result.only_contact_missing


def test_a_precomputed_phone_status_is_used_as_given():
    result = evaluate(GOOD, CLEAN, AS_OF, phone=PhoneStatus.INVALID)
    assert result.reasons == (Reason.PHONE_INVALID,)


PHONES = [
    ("+1 415 555 2671", "US", PhoneStatus.VALID),
    ("415 555 2671", "US", PhoneStatus.VALID),
    ("(415) 555-2671", "US", PhoneStatus.VALID),
    ("+1 416 555 2199", "CA", PhoneStatus.VALID),
    ("416 555 2199", "CA", PhoneStatus.VALID),
    ("+1 604 555 2123", "CA", PhoneStatus.VALID),
    ("555 555 5555", "US", PhoneStatus.INVALID),
    ("+1 123 456 7890", "US", PhoneStatus.INVALID),
    ("123 456 7890", "CA", PhoneStatus.INVALID),
    ("+1 416 555 019", "CA", PhoneStatus.INVALID),
    ("415 555 267", "US", PhoneStatus.INVALID),
    ("call me maybe", "US", PhoneStatus.INVALID),
    ("", "US", PhoneStatus.MISSING),
    ("   ", "CA", PhoneStatus.MISSING),
    (None, "US", PhoneStatus.MISSING),
]


@pytest.mark.parametrize(("phone", "region", "expected"), PHONES)
def test_phones_are_judged_by_phonenumbers_with_the_store_region(phone, region, expected):
    assert phone_status(phone, region) is expected


@pytest.mark.parametrize(("phone", "region", "expected"),
                         [p for p in PHONES if p[2] is not PhoneStatus.MISSING])
def test_the_phone_examples_really_are_what_phonenumbers_says(phone, region, expected):
    try:
        valid = phonenumbers.is_valid_number(phonenumbers.parse(phone, region))
    except phonenumbers.NumberParseException:
        valid = False
    assert valid is (expected is PhoneStatus.VALID)


# The rules phonenumbers lacks (rules.phones): 00 is international in every store, and North
# America's 555-0100 to 555-0199 are fiction. Each row is (phone, store region, expected).
PHONE_RULES = [
    ("0086 138 0013 8000", "US", PhoneStatus.VALID),
    ("0086 138 0013 8000", "DE", PhoneStatus.VALID),
    ("0086 138 0013 8000", "CA", PhoneStatus.VALID),
    ("001 212 736 5000", "US", PhoneStatus.VALID),
    ("001-416-979-2000", "CA", PhoneStatus.VALID),
    (" 0049 30 2023 0000", "MX", PhoneStatus.VALID),
    ("0044 20 7946 0958", "US", PhoneStatus.VALID),
    ("011 49 30 2023 0000", "US", PhoneStatus.VALID),  # North America's own prefix, as before
    ("0011 44 20 7946 0958", "AU", PhoneStatus.VALID),  # Australia's own prefix is not 00
    ("001 212 736", "US", PhoneStatus.INVALID),
    ("00", "US", PhoneStatus.INVALID),
    ("(212) 555-0123", "US", PhoneStatus.INVALID),
    ("+1 212 555 0100", "US", PhoneStatus.INVALID),
    ("212-555-0199", "US", PhoneStatus.INVALID),
    ("+1 416 555 0150", "CA", PhoneStatus.INVALID),
    ("001 416 555 0150", "DE", PhoneStatus.INVALID),
    ("+1 212 555 0200", "US", PhoneStatus.VALID),
    ("+1 212 555 0099", "US", PhoneStatus.VALID),
    ("+1 800 555 0199", "US", PhoneStatus.INVALID),
    ("+1 800 555 0123", "US", PhoneStatus.VALID),  # toll-free: only 555-0199 is fiction
    ("+44 20 7946 0958", "UK", PhoneStatus.VALID),
]


@pytest.mark.parametrize(("phone", "region", "expected"), PHONE_RULES)
def test_a_phone_is_valid_when_a_person_could_dial_it(phone, region, expected):
    assert phone_status(phone, "GB" if region == "UK" else region) is expected


def test_last_complete_day_is_the_day_before_the_utc_date():
    assert last_complete_day(datetime(2026, 3, 2, 0, 0, 1, tzinfo=UTC)) == date(2026, 3, 1)
    assert last_complete_day(datetime(2026, 3, 2, 23, 59, 59, tzinfo=UTC)) == date(2026, 3, 1)


def test_last_complete_day_uses_utc_not_the_local_offset():
    # 00:30 on March 2nd in UTC+5 is still March 1st in UTC.
    local = datetime(2026, 3, 2, 0, 30, tzinfo=timezone(timedelta(hours=5)))
    assert last_complete_day(local) == date(2026, 2, 28)


def test_last_complete_day_refuses_a_naive_time():
    with pytest.raises(ValueError):
        last_complete_day(datetime(2026, 3, 2, 12, 0))
