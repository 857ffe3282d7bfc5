"""The read side of the Accounts view and the detail screen, on a real database."""

from __future__ import annotations

from datetime import timedelta

import pytest

from ahr_tui.errors import NotFound
from ahr_tui.rules import CaseAction, PhoneStatus, PolicyArea, Reason
from ahr_tui.service.cases import act, open_case
from ahr_tui.service.detail import PhoneCache, account_rows, load_account_detail
from ahr_tui.service.sweep import evaluate_accounts
from ahr_tui.store.engine import transaction
from tests.conftest import T0, full_window, seed_account

AS_OF = (T0 - timedelta(days=1)).date()


def test_account_rows_count_the_window_and_take_the_newest_score(engine):
    scores = full_window(AS_OF, score=600)
    for i in range(3):  # three days below 250
        scores[AS_OF - timedelta(days=10 + i)] = 120
    for i in range(4):  # four days with no score at all
        del scores[AS_OF - timedelta(days=50 + i)]
    scores[AS_OF] = 410
    scores[AS_OF - timedelta(days=400)] = 5  # long before the window: ignored
    seed_account(engine, "B2", scores=scores)
    seed_account(engine, "A1", name="No Scores Ltd", phone=None)
    with transaction(engine) as session:
        rows = account_rows(session, AS_OF)
    assert [r.seller_id for r in rows] == ["A1", "B2"]
    empty, full = rows
    assert (empty.latest_score, empty.latest_day, empty.days_below, empty.days_missing) == (
        None, None, 180, 180
    )
    assert (full.latest_score, full.latest_day) == (410, AS_OF)
    assert (full.days_below, full.days_missing) == (7, 4)


def test_a_score_dated_after_the_window_is_neither_counted_nor_shown(engine):
    scores = full_window(AS_OF, score=600)
    scores[AS_OF + timedelta(days=1)] = 90  # today's, before the day is complete
    account_id = seed_account(engine, "S1", scores=scores)
    with transaction(engine) as session:
        (row,) = account_rows(session, AS_OF)
        detail = load_account_detail(session, account_id, AS_OF)
    assert (row.latest_score, row.latest_day) == (600, AS_OF)
    assert (row.days_below, row.days_missing) == (0, 0)
    assert (detail.latest_score, detail.latest_day) == (600, AS_OF)


def test_account_rows_agree_with_the_sweep_counts(engine):
    for n, score in enumerate((600, 240, 260)):
        window = full_window(AS_OF, score=score, days=170 + n * 3)
        seed_account(engine, f"S{n}", scores=window)
    with transaction(engine) as session:
        rows = {r.seller_id: r for r in account_rows(session, AS_OF)}
        swept = {e.seller_id: e.eligibility for e in evaluate_accounts(session, AS_OF)}
    for seller_id, row in rows.items():
        assert (row.days_below, row.days_missing) == (
            swept[seller_id].days_below, swept[seller_id].days_missing
        )


def test_phone_cache_parses_each_number_once():
    cache = PhoneCache()
    assert cache.known("+1 415 555 2671", "US") is None
    assert cache.status("+1 415 555 2671", "US") is PhoneStatus.VALID
    assert cache.known("+1 415 555 2671", "US") is PhoneStatus.VALID
    assert cache.status("12", "US") is PhoneStatus.INVALID
    assert cache.status(None, "US") is PhoneStatus.MISSING


def test_detail_series_marks_missing_days_and_latest_score(engine):
    scores = full_window(AS_OF, score=300)
    del scores[AS_OF - timedelta(days=2)]
    scores[AS_OF] = 180
    account_id = seed_account(engine, "S1", scores=scores)
    with transaction(engine) as session:
        detail = load_account_detail(session, account_id, AS_OF)
    assert len(detail.series) == 180
    assert detail.window_start == AS_OF - timedelta(days=179)
    assert detail.series[-1] == 180 and detail.series[-3] is None and detail.series[0] == 300
    assert (detail.latest_score, detail.latest_day) == (180, AS_OF)
    assert (detail.eligibility.days_below, detail.eligibility.days_missing) == (2, 1)
    assert detail.eligibility.eligible and detail.case is None and detail.events == []


def test_detail_eligibility_matches_the_sweep_and_lists_every_reason(engine):
    scores = full_window(AS_OF, score=600, days=160)  # 20 days missing
    account_id = seed_account(
        engine, "S9", store="DE", plan="individual", phone="0000", scores=scores
    )
    with transaction(engine) as session:
        detail = load_account_detail(session, account_id, AS_OF)
        (swept,) = evaluate_accounts(session, AS_OF, seller_ids=["S9"], store="DE")
    assert detail.eligibility == swept.eligibility
    assert set(detail.eligibility.reasons) == {
        Reason.TOO_MANY_DAYS_BELOW, Reason.NOT_PROFESSIONAL, Reason.STORE_NOT_ENABLED,
        Reason.PHONE_INVALID,
    }
    assert detail.store_enabled is False and detail.eligibility.phone is PhoneStatus.INVALID


def test_detail_with_a_case_has_its_timeline_cases_and_notifications(engine, clock, me):
    account_id = seed_account(engine, "S1", name="Acme", scores=full_window(AS_OF))
    first = open_case(
        engine, seller_id="S1", store="US", policy=PolicyArea.REVIEWS, at=T0 - timedelta(hours=5),
        summary="fake reviews", actor=me, now=clock(),
    )
    act(engine, first.id, CaseAction.RESPOND, at=T0 - timedelta(hours=1), text=None, actor=me,
        now=clock())
    second = open_case(
        engine, seller_id="S1", store="US", policy=PolicyArea.CONDITION, at=T0,
        summary="used sold as new", actor=me, now=clock(),
    )
    with transaction(engine) as session:
        detail = load_account_detail(session, account_id, AS_OF, case_id=first.id)
    assert detail.case is not None and detail.case.id == first.id
    assert [e.action for e in detail.events] == ["open", "respond"]
    assert [c.id for c in detail.cases] == [second.id, first.id]
    assert {n.kind for n in detail.notifications} >= {"case_opened"}
    assert all(n.account_id == account_id for n in detail.notifications)


def test_detail_ignores_a_case_of_another_account(engine, clock, me):
    seed_account(engine, "S1", scores=full_window(AS_OF))
    other = seed_account(engine, "S2", scores=full_window(AS_OF))
    case = open_case(
        engine, seller_id="S1", store="US", policy=PolicyArea.REVIEWS, at=T0, summary="",
        actor=me, now=clock(),
    )
    with transaction(engine) as session:
        detail = load_account_detail(session, other, AS_OF, case_id=case.id)
    assert detail.case is None and detail.events == [] and detail.cases == []


def test_detail_of_an_unknown_account_is_not_found(engine):
    with transaction(engine) as session, pytest.raises(NotFound):
        load_account_detail(session, 999, AS_OF)
