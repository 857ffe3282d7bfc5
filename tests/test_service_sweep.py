"""The sweep on a real database: expiry, deadline warnings, enrolment moves, idempotence, audit."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine

from ahr_tui.errors import PermissionDenied
from ahr_tui.rules import CaseAction, CaseStatus, PolicyArea, last_complete_day
from ahr_tui.service import cases
from ahr_tui.service.sweep import SweepReport, evaluate_accounts, expire_due, sweep
from ahr_tui.store.actor import Actor
from ahr_tui.store.engine import transaction
from ahr_tui.store.models import Case
from tests.conftest import T0, full_window, seed_account, snapshot
from tests.test_service_cases import (
    OutboxDown,
    account,
    break_the_outbox,
    chain_ok,
    events,
    notifications,
)

AS_OF = last_complete_day(T0)  # 2026-03-01


def run(engine: Engine, me: Actor, now: datetime = T0) -> SweepReport:
    return sweep(engine, now=now, as_of=last_complete_day(now), actor=me)


def open_at(engine: Engine, me: Actor, at: datetime, seller: str = "S1") -> int:
    return cases.open_case(engine, seller_id=seller, store="US", policy=PolicyArea.OTHER, at=at,
                           summary="", actor=me, now=at).id


def case_status(engine: Engine, case_id: int) -> str:
    with transaction(engine) as s:
        return s.execute(select(Case.status).where(Case.id == case_id)).scalar_one()  # type: ignore[arg-type]


def with_days_below(n: int, as_of: date = AS_OF) -> dict[date, int]:
    scores = full_window(as_of)
    for i in range(n):
        scores[as_of - timedelta(days=i)] = 120
    return scores


def test_the_sweep_expires_only_cases_past_their_deadline(engine, me):
    seed_account(engine, scores=full_window(AS_OF))
    overdue = open_at(engine, me, T0 - timedelta(hours=72, seconds=1))
    exactly = open_at(engine, me, T0 - timedelta(hours=72))
    fresh = open_at(engine, me, T0 - timedelta(hours=1))
    report = run(engine, me)
    assert report.expired == [overdue]
    assert case_status(engine, overdue) == "expired"
    assert case_status(engine, exactly) == "open"  # a deadline of exactly now has not passed
    assert case_status(engine, fresh) == "open"
    last = events(engine, overdue)[-1]
    assert (last.action, last.from_state, last.to_state, last.at) == (
        "expire", "open", "expired", T0)
    expired_notes = [n for n in notifications(engine) if n.kind == "case_expired"]
    assert [n.case_id for n in expired_notes] == [overdue]


def test_cases_due_within_a_day_get_one_deadline_warning(engine, me):
    seed_account(engine, scores=full_window(AS_OF))
    soon = open_at(engine, me, T0 - timedelta(hours=50))  # 22 h left
    later = open_at(engine, me, T0 - timedelta(hours=10))  # 62 h left
    assert run(engine, me).warned == [soon]
    assert run(engine, me, T0 + timedelta(minutes=5)).warned == []
    warnings = [n.case_id for n in notifications(engine) if n.kind == "deadline_warning"]
    assert warnings == [soon]
    assert later not in warnings


@pytest.mark.parametrize(
    ("enrollment", "phone", "scores", "after", "kind"),
    [
        ("not_enrolled", "+1 415 555 2671", full_window(AS_OF), "enrolled", "enrolled"),
        ("lapsed", "+1 415 555 2671", full_window(AS_OF), "enrolled", "enrolled"),
        ("not_enrolled", None, full_window(AS_OF), "pending_contact", "contact_needed"),
        ("not_enrolled", "555 555 5555", full_window(AS_OF), "pending_contact", "contact_needed"),
        ("enrolled", "+1 415 555 2671", with_days_below(11), "lapsed", "lapsed"),
        ("pending_contact", "+1 415 555 2671", full_window(AS_OF), "enrolled", "enrolled"),
    ],
    ids=["enrols", "re-enrols", "no-phone", "bad-phone", "lapses", "contact-given"],
)
def test_the_sweep_moves_enrolment_and_queues_the_matching_notification(
    engine, me, enrollment, phone, scores, after, kind
):
    acc = seed_account(engine, enrollment=enrollment, phone=phone, scores=scores)
    report = run(engine, me)
    assert dict(report.enrollment_changes) == {f"{enrollment}->{after}": 1}
    row = account(engine, acc)
    assert row.enrollment == after and row.enrollment_changed_at == T0 and row.version == 2
    [note] = notifications(engine)
    assert (note.kind, note.account_id, note.case_id) == (kind, acc, None)
    [event] = [e for e in events(engine) if e.action == "enrollment"]
    assert (event.from_state, event.to_state, event.account_id) == (enrollment, after, acc)
    assert event.note is not None
    assert event.note.startswith(f"automatic: as of {AS_OF.isoformat()}: ")
    assert chain_ok(engine)


@pytest.mark.parametrize(
    ("enrollment", "status", "scores", "plan"),
    [
        ("not_enrolled", "active", with_days_below(11), "professional"),
        ("revoked", "deactivated", full_window(AS_OF), "professional"),
        ("revoked", "active", full_window(AS_OF), "professional"),
        ("not_enrolled", "deactivated", full_window(AS_OF), "professional"),
        ("not_enrolled", "active", full_window(AS_OF), "individual"),
        ("enrolled", "active", with_days_below(10), "professional"),
    ],
    ids=["too-many-below", "revoked", "revoked-active", "deactivated", "individual",
         "ten-below"],
)
def test_the_sweep_leaves_accounts_that_should_not_move(engine, me, enrollment, status,
                                                      scores, plan):
    seed_account(engine, enrollment=enrollment, status=status, scores=scores, plan=plan)
    before = snapshot(engine, checks=False)
    report = run(engine, me)
    assert not report.changed and report.notifications == 0
    assert snapshot(engine, checks=False) == before  # the phone checked once is all it wrote


def test_an_account_in_a_disabled_store_is_not_enrolled(engine, me):
    seed_account(engine, "M1", "MX", phone="+52 55 1234 5678", enrollment="not_enrolled",
                 scores=full_window(AS_OF))
    [item] = evaluate_accounts_now(engine)
    assert "store_not_enabled" in item.to_json()["reasons"]
    assert not run(engine, me).changed


def evaluate_accounts_now(engine: Engine):  # type: ignore[no-untyped-def]
    with transaction(engine) as s:
        return evaluate_accounts(s, AS_OF)


def test_a_case_opened_while_enrolled_keeps_its_protection_when_the_enrolment_lapses(engine, me):
    acc = seed_account(engine, scores=with_days_below(11))  # enrolled, but no longer qualifies
    case_id = open_at(engine, me, T0 - timedelta(hours=1))
    report = run(engine, me)
    assert dict(report.enrollment_changes) == {"enrolled->lapsed": 1}
    assert account(engine, acc).enrollment == "lapsed"
    assert case_status(engine, case_id) == "open"
    at = T0 + timedelta(hours=70)
    view = cases.act(engine, case_id, CaseAction.RESPOND, at=at, text=None, actor=me, now=at)
    assert view.status is CaseStatus.RESPONDED
    view = cases.act(engine, case_id, CaseAction.RESOLVE, at=at, text="fixed", actor=me, now=at)
    assert view.status is CaseStatus.RESOLVED


def test_a_second_sweep_at_the_same_instant_changes_nothing(engine, me):
    seed_account(engine, "S1", enrollment="not_enrolled", scores=full_window(AS_OF))
    seed_account(engine, "S2", phone=None, enrollment="not_enrolled", scores=full_window(AS_OF))
    seed_account(engine, "S3", scores=with_days_below(12))
    seed_account(engine, "S4", scores=full_window(AS_OF))
    open_at(engine, me, T0 - timedelta(hours=80), seller="S4")
    open_at(engine, me, T0 - timedelta(hours=60), seller="S4")
    first = run(engine, me)
    assert first.changed and first.expired and first.warned
    assert sum(first.enrollment_changes.values()) == 3
    after_first = snapshot(engine)
    second = run(engine, me)
    assert not second.changed and second.notifications == 0
    assert snapshot(engine) == after_first
    assert chain_ok(engine)


def test_the_sweep_evaluates_as_of_the_day_before_nows_utc_date(engine, me):
    # Exactly ten days below ending yesterday, and no score yet for today: eligible as of
    # yesterday; as of today the missing day would make it eleven.
    acc = seed_account(engine, enrollment="not_enrolled", scores=with_days_below(10))
    assert last_complete_day(T0) == AS_OF == T0.date() - timedelta(days=1)
    report = run(engine, me)
    assert report.as_of == AS_OF
    assert account(engine, acc).enrollment == "enrolled"
    with transaction(engine) as s:
        [today] = evaluate_accounts(s, T0.date())
    assert today.eligibility.days_below == 11 and not today.eligibility.eligible


def test_a_sweep_that_fails_part_way_writes_nothing(engine, me, monkeypatch):
    seed_account(engine, "S1", scores=full_window(AS_OF))
    seed_account(engine, "S2", enrollment="not_enrolled", scores=full_window(AS_OF))
    open_at(engine, me, T0 - timedelta(hours=80))  # would expire first
    before = snapshot(engine)
    break_the_outbox(monkeypatch)
    with pytest.raises(OutboxDown):
        run(engine, me)
    assert snapshot(engine) == before


def test_only_operators_may_sweep_and_a_refused_sweep_writes_nothing(engine):
    seed_account(engine, enrollment="not_enrolled", scores=full_window(AS_OF))
    before = snapshot(engine)
    with pytest.raises(PermissionDenied):
        sweep(engine, now=T0, as_of=AS_OF, actor=Actor("mallory"))
    assert snapshot(engine) == before


def test_expire_due_expires_only_overdue_cases(engine, me):
    seed_account(engine, scores=full_window(AS_OF))
    overdue = open_at(engine, me, T0 - timedelta(hours=73))
    open_at(engine, me, T0 - timedelta(hours=1))
    assert expire_due(engine, now=T0, actor=me) == [overdue]
    assert expire_due(engine, now=T0, actor=me) == []
    assert case_status(engine, overdue) == "expired"


def test_the_eligibility_report_changes_nothing(engine, me):
    seed_account(engine, enrollment="not_enrolled", scores=full_window(AS_OF))
    before = snapshot(engine)
    [item] = evaluate_accounts_now(engine)
    assert item.eligibility.eligible
    assert snapshot(engine) == before


def test_the_audit_chain_verifies_after_sweeps_and_actions(engine, me):
    acc = seed_account(engine, "S1", scores=full_window(AS_OF))
    seed_account(engine, "S2", enrollment="not_enrolled", scores=full_window(AS_OF))
    a = open_at(engine, me, T0 - timedelta(hours=73))
    run(engine, me)
    cases.act(engine, a, CaseAction.DEACTIVATE, at=T0, text="no contact", actor=me, now=T0)
    run(engine, me, T0 + timedelta(days=1))
    assert account(engine, acc).enrollment == "not_enrolled"
    assert chain_ok(engine)


def test_enrolment_is_held_while_no_account_has_a_score_for_the_day_evaluated(engine, me):
    """The day's import has not arrived (scores end the day before): a missing day counts as
    below 250, so evaluating it would lapse the enrolled seller for the feed's delay. The
    enrolment step is held and says so; expiries still run. Once the day is imported, or with
    ``allow_missing_scores``, the day is evaluated as the rules say."""
    late = full_window(AS_OF - timedelta(days=1))  # every day but AS_OF: 10 below already
    for i in range(1, 11):
        late[AS_OF - timedelta(days=i)] = 120
    acc = seed_account(engine, scores=late)
    case_id = open_at(engine, me, T0 - timedelta(hours=80))
    before = account(engine, acc)
    report = run(engine, me)
    assert report.enrolment_held and report.scores_end == AS_OF - timedelta(days=1)
    assert not report.enrollment_changes and report.expired == [case_id]
    assert account(engine, acc).enrollment == before.enrollment == "enrolled"
    forced = sweep(engine, now=T0, as_of=AS_OF, actor=me, allow_missing_scores=True)
    assert not forced.enrolment_held
    assert dict(forced.enrollment_changes) == {"enrolled->lapsed": 1}


def test_a_seller_missing_a_day_that_others_have_is_still_counted_against(engine, me):
    """The hold is for the whole day's import, not one seller's gap: with any account scored
    on the day, a seller without that day's score has it counted as below (DESIGN section 4)."""
    seed_account(engine, "S2", scores=full_window(AS_OF))
    gap = with_days_below(11)
    del gap[AS_OF]  # ten days below and the day itself missing: eleven
    acc = seed_account(engine, scores=gap)
    report = run(engine, me)
    assert not report.enrolment_held and report.scores_end == AS_OF
    assert dict(report.enrollment_changes) == {"enrolled->lapsed": 1}
    assert account(engine, acc).enrollment == "lapsed"


def test_with_no_score_at_all_the_enrolment_step_is_held(engine, me):
    seed_account(engine, scores=None)
    report = run(engine, me)
    assert report.enrolment_held and report.scores_end is None
    assert not report.enrollment_changes
