"""Case use cases on a real database: state, audit event and notifications in one transaction.

Every refusal (rule, version, permission, bad input) is checked to write nothing by comparing a
snapshot of every table before and after.
"""

from __future__ import annotations

import itertools
import uuid
from datetime import datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.engine import Engine

from ahr_tui.errors import Conflict, InvalidInput, NotFound, PermissionDenied, RuleRejected
from ahr_tui.rules import CaseAction, CaseStatus, PolicyArea, Role
from ahr_tui.service import cases
from ahr_tui.store import audit
from ahr_tui.store.actor import Actor
from ahr_tui.store.engine import transaction
from ahr_tui.store.models import Account, Case, Event, Notification
from tests.conftest import T0, add_operator, seed_account, snapshot


def events(engine: Engine, case_id: int | None = None) -> list[Event]:
    with transaction(engine) as s:
        q = select(Event).order_by(Event.id)  # type: ignore[arg-type]
        if case_id is not None:
            q = q.where(Event.case_id == case_id)  # type: ignore[arg-type]
        return list(s.execute(q).scalars())


def notifications(engine: Engine) -> list[Notification]:
    with transaction(engine) as s:
        return list(s.execute(select(Notification).order_by(Notification.id)).scalars())  # type: ignore[arg-type]


def account(engine: Engine, account_id: int) -> Account:
    with transaction(engine) as s:
        row = s.get(Account, account_id)
        assert row is not None
        return row


def chain_ok(engine: Engine) -> bool:
    with transaction(engine) as s:
        return audit.verify(s).ok


def open_one(engine: Engine, me: Actor, *, seller: str = "S1", at: datetime = T0,
             summary: str = "counterfeit complaint") -> int:
    view = cases.open_case(engine, seller_id=seller, store="US", policy=PolicyArea.AUTHENTICITY,
                           at=at, summary=summary, actor=me, now=T0)
    return view.id


def expired_case(engine: Engine, me: Actor, seller: str = "S1") -> int:
    case_id = open_one(engine, me, seller=seller, at=T0 - timedelta(hours=73))
    cases.act(engine, case_id, CaseAction.EXPIRE, at=T0, text=None, actor=me, now=T0)
    return case_id


def test_opening_a_case_writes_the_case_one_event_and_a_case_opened_notification(engine, me):
    acc = seed_account(engine)
    before = len(events(engine))
    view = cases.open_case(engine, seller_id="S1", store="US", policy=PolicyArea.REVIEWS,
                           at=T0 - timedelta(hours=2), summary="review abuse", actor=me,
                           now=T0)
    assert view.status is CaseStatus.OPEN
    assert view.contacted_at == T0 - timedelta(hours=2)
    assert view.deadline == T0 + timedelta(hours=70)
    assert view.version == 1 and view.policy == "reviews"
    new = events(engine)[before:]
    assert len(new) == 1
    e = new[0]
    assert (e.action, e.actor, e.from_state, e.to_state) == ("open", me.name, None, "open")
    assert (e.at, e.recorded_at, e.case_id, e.account_id) == (
        T0 - timedelta(hours=2), T0, view.id, acc)
    assert e.note == "review abuse"
    [note] = notifications(engine)
    assert (note.kind, note.case_id, note.state, note.to_addr) == (
        "case_opened", view.id, "pending", "seller@example.com")
    assert note.created_at == T0
    assert chain_ok(engine)


@pytest.mark.parametrize("enrollment", ["not_enrolled", "pending_contact", "lapsed", "revoked"])
def test_a_case_for_an_account_that_is_not_enrolled_is_rejected_and_writes_nothing(
    engine, me, enrollment
):
    seed_account(engine, enrollment=enrollment)
    before = snapshot(engine)
    with pytest.raises(RuleRejected) as caught:
        open_one(engine, me)
    assert caught.value.code == "not_enrolled"
    assert "standard enforcement applies" in caught.value.message
    assert snapshot(engine) == before


def test_a_case_for_a_deactivated_account_is_rejected(engine, me):
    seed_account(engine, status="deactivated")
    before = snapshot(engine)
    with pytest.raises(RuleRejected) as caught:
        open_one(engine, me)
    assert caught.value.code == "account_deactivated"
    assert snapshot(engine) == before


def test_opening_for_an_unknown_seller_is_not_found(engine, me):
    seed_account(engine)
    before = snapshot(engine)
    with pytest.raises(NotFound, match="no seller NOPE in store US"):
        open_one(engine, me, seller="NOPE")
    assert snapshot(engine) == before


def test_a_contact_time_in_the_future_is_refused(engine, me):
    seed_account(engine)
    before = snapshot(engine)
    with pytest.raises(InvalidInput, match="in the future"):
        open_one(engine, me, at=T0 + timedelta(hours=1))
    assert snapshot(engine) == before


def test_a_response_records_when_and_moves_the_case_to_responded(engine, me):
    seed_account(engine)
    case_id = open_one(engine, me)
    at = T0 + timedelta(hours=72)  # exactly at the deadline: in time
    view = cases.act(engine, case_id, CaseAction.RESPOND, at=at, text="called back",
                     actor=me, now=at)
    assert view.status is CaseStatus.RESPONDED
    assert view.responded_at == at and view.version == 2
    last = events(engine, case_id)[-1]
    assert (last.action, last.from_state, last.to_state, last.note) == (
        "respond", "open", "responded", "called back")
    assert (last.at, last.recorded_at) == (at, at)
    assert [n.kind for n in notifications(engine)] == ["case_opened"]


def test_a_late_response_is_rejected_and_writes_nothing(engine, me):
    seed_account(engine)
    case_id = open_one(engine, me)
    at = T0 + timedelta(hours=72, seconds=1)
    before = snapshot(engine)
    with pytest.raises(RuleRejected) as caught:
        cases.act(engine, case_id, CaseAction.RESPOND, at=at, text=None, actor=me, now=at)
    assert caught.value.code == "late"
    assert snapshot(engine) == before


def test_resolving_closes_the_case_with_its_note_and_leaves_the_account_active(engine, me):
    acc = seed_account(engine)
    case_id = open_one(engine, me)
    view = cases.act(engine, case_id, CaseAction.RESOLVE, at=T0, text="listing fixed",
                     actor=me, now=T0)
    assert view.status is CaseStatus.RESOLVED
    assert view.closed_at == T0 and view.outcome_note == "listing fixed"
    assert (account(engine, acc).status, account(engine, acc).enrollment) == ("active", "enrolled")
    last = events(engine, case_id)[-1]
    assert (last.action, last.from_state, last.to_state, last.note) == (
        "resolve", "open", "resolved", "listing fixed")
    assert chain_ok(engine)


@pytest.mark.parametrize("action", [CaseAction.RESOLVE, CaseAction.FRAUD], ids=str)
@pytest.mark.parametrize("note", [None, "  "], ids=["none", "blank"])
def test_resolve_or_fraud_without_a_note_writes_nothing(engine, me, action, note):
    seed_account(engine)
    case_id = open_one(engine, me)
    before = snapshot(engine)
    with pytest.raises(RuleRejected):
        cases.act(engine, case_id, action, at=T0, text=note, actor=me, now=T0)
    assert snapshot(engine) == before


def test_expiry_writes_the_state_an_event_and_a_case_expired_notification(engine, me):
    seed_account(engine)
    case_id = expired_case(engine, me)
    last = events(engine, case_id)[-1]
    assert (last.action, last.from_state, last.to_state) == ("expire", "open", "expired")
    assert [n.kind for n in notifications(engine)] == ["case_opened", "case_expired"]


def test_deactivating_an_expired_case_deactivates_the_account_and_ends_enrolment(engine, me):
    acc = seed_account(engine)
    case_id = expired_case(engine, me)
    view = cases.act(engine, case_id, CaseAction.DEACTIVATE, at=T0, text="no response",
                     actor=me, now=T0)
    assert view.status is CaseStatus.DEACTIVATED and view.outcome_note == "no response"
    row = account(engine, acc)
    assert (row.status, row.enrollment, row.version) == ("deactivated", "not_enrolled", 2)
    last_three = events(engine, case_id)[-3:]
    assert {(e.actor, e.at, e.recorded_at, e.account_id) for e in last_three} == {
        (me.name, T0, T0, acc)}
    assert last_three[0].note == "no response"
    moves = [(e.action, e.from_state, e.to_state) for e in last_three]
    assert moves == [
        ("deactivate", "expired", "deactivated"),
        ("account_status", "active", "deactivated"),
        ("enrollment", "enrolled", "not_enrolled"),
    ]
    assert [n.kind for n in notifications(engine)][-1] == "account_deactivated"
    assert chain_ok(engine)


def test_deactivating_an_open_case_is_rejected_and_writes_nothing(engine, me):
    seed_account(engine)
    case_id = open_one(engine, me)
    before = snapshot(engine)
    with pytest.raises(RuleRejected) as caught:
        cases.act(engine, case_id, CaseAction.DEACTIVATE, at=T0, text="x", actor=me, now=T0)
    assert caught.value.code == "wrong_state"
    assert snapshot(engine) == before


def test_fraud_revokes_deactivates_and_supersedes_the_accounts_other_active_cases(engine, me):
    acc = seed_account(engine)
    other_acc = seed_account(engine, "S2")
    first = open_one(engine, me)
    responded = open_one(engine, me)
    cases.act(engine, responded, CaseAction.RESPOND, at=T0, text=None, actor=me, now=T0)
    expired = expired_case(engine, me)
    resolved = open_one(engine, me)
    cases.act(engine, resolved, CaseAction.RESOLVE, at=T0, text="done", actor=me, now=T0)
    elsewhere = open_one(engine, me, seller="S2")
    kinds_before = len(notifications(engine))

    view = cases.act(engine, first, CaseAction.FRAUD, at=T0, text="forged invoices",
                     actor=me, now=T0)

    assert view.status is CaseStatus.FRAUD and view.outcome_note == "forged invoices"
    row = account(engine, acc)
    assert (row.status, row.enrollment) == ("deactivated", "revoked")
    with transaction(engine) as s:
        status = {c.id: c.status for c in s.execute(select(Case)).scalars()}
    assert status[responded] == status[expired] == "superseded"
    assert status[resolved] == "resolved"  # a closed case is left alone
    assert status[elsewhere] == "open"  # another account's case is left alone
    assert account(engine, other_acc).enrollment == "enrolled"
    for sup in (responded, expired):
        last = events(engine, sup)[-1]
        assert (last.action, last.to_state) == ("supersede", "superseded")
        assert f"case {first}" in (last.note or "")
    new_kinds = sorted(n.kind for n in notifications(engine)[kinds_before:])
    assert new_kinds == ["account_deactivated", "enrollment_revoked"]
    assert chain_ok(engine)


class OutboxDown(Exception):
    """Stands for any failure after the state was written but before the commit."""


def break_the_outbox(monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(*_args: object, **_kwargs: object) -> None:
        raise OutboxDown

    monkeypatch.setattr("ahr_tui.service.outbox.queue", fail)


def test_a_failure_while_queueing_notifications_rolls_back_the_state_and_its_events(
    engine, me, monkeypatch
):
    seed_account(engine)
    case_id = open_one(engine, me)
    open_one(engine, me)
    before = snapshot(engine)
    break_the_outbox(monkeypatch)
    with pytest.raises(OutboxDown):
        cases.act(engine, case_id, CaseAction.FRAUD, at=T0, text="forged", actor=me, now=T0)
    with pytest.raises(OutboxDown):
        open_one(engine, me)
    assert snapshot(engine) == before
    assert chain_ok(engine)


def test_a_stale_expected_version_raises_conflict_and_writes_nothing(engine, me):
    seed_account(engine)
    case_id = open_one(engine, me)
    cases.add_note(engine, case_id, text="left voicemail", actor=me, now=T0)  # no version bump
    cases.assign(engine, case_id, to=None, actor=me, now=T0)  # version 1 -> 2
    before = snapshot(engine)
    with pytest.raises(Conflict, match="you saw version 1, it is now 2") as caught:
        cases.act(engine, case_id, CaseAction.RESOLVE, at=T0, text="ok", actor=me, now=T0,
                  expected_version=1)
    assert caught.value.exit_code == 3
    assert snapshot(engine) == before
    view = cases.act(engine, case_id, CaseAction.RESOLVE, at=T0, text="ok", actor=me, now=T0,
                     expected_version=2)
    assert view.status is CaseStatus.RESOLVED and view.version == 3


def test_an_unknown_case_is_not_found(engine, me):
    before = snapshot(engine)
    with pytest.raises(NotFound, match="no case 99"):
        cases.act(engine, 99, CaseAction.RESOLVE, at=T0, text="x", actor=me, now=T0)
    assert snapshot(engine) == before


def test_a_triage_operator_may_not_record_fraud_and_nothing_is_written(engine, me):
    seed_account(engine)
    case_id = open_one(engine, me)
    add_operator(engine, "tina", Role.TRIAGE)
    before = snapshot(engine)
    with pytest.raises(PermissionDenied, match="investigator"):
        cases.act(engine, case_id, CaseAction.FRAUD, at=T0, text="x", actor=Actor("tina"),
                  now=T0)
    assert snapshot(engine) == before


def test_someone_who_is_not_an_operator_may_not_act(engine, me):
    seed_account(engine)
    case_id = open_one(engine, me)
    before = snapshot(engine)
    with pytest.raises(PermissionDenied, match="not an operator"):
        cases.act(engine, case_id, CaseAction.RESPOND, at=T0, text=None,
                  actor=Actor("mallory"), now=T0)
    assert snapshot(engine) == before


def test_assign_records_the_assignee_and_an_event(engine, me):
    seed_account(engine)
    case_id = open_one(engine, me)
    add_operator(engine, "ivan", Role.INVESTIGATOR)
    view = cases.assign(engine, case_id, to="ivan", actor=me, now=T0)
    assert view.assignee == "ivan" and view.version == 2
    last = events(engine, case_id)[-1]
    assert (last.action, last.from_state, last.to_state, last.actor) == (
        "assign", None, "ivan", me.name)
    mine = cases.assign(engine, case_id, to=None, actor=me, now=T0)
    assert mine.assignee == me.name


def test_assigning_to_someone_who_is_not_an_operator_writes_nothing(engine, me):
    seed_account(engine)
    case_id = open_one(engine, me)
    before = snapshot(engine)
    with pytest.raises(NotFound, match="not an operator"):
        cases.assign(engine, case_id, to="nobody", actor=me, now=T0)
    assert snapshot(engine) == before


def test_a_closed_case_cannot_be_assigned(engine, me):
    seed_account(engine)
    case_id = open_one(engine, me)
    cases.act(engine, case_id, CaseAction.RESOLVE, at=T0, text="done", actor=me, now=T0)
    with pytest.raises(RuleRejected):
        cases.assign(engine, case_id, to=None, actor=me, now=T0)


def test_a_note_is_an_event_on_the_timeline_and_an_empty_note_is_refused(engine, me):
    seed_account(engine)
    case_id = open_one(engine, me)
    cases.add_note(engine, case_id, text="phone busy", actor=me, now=T0)
    last = events(engine, case_id)[-1]
    assert (last.action, last.note, last.from_state, last.to_state) == (
        "note", "phone busy", None, None)
    before = snapshot(engine)
    with pytest.raises(InvalidInput):
        cases.add_note(engine, case_id, text="  ", actor=me, now=T0)
    with pytest.raises(NotFound):
        cases.add_note(engine, 404, text="hello", actor=me, now=T0)
    assert snapshot(engine) == before


def test_the_audit_chain_verifies_after_a_mixed_sequence_of_actions(engine, me):
    seed_account(engine)
    seed_account(engine, "S2")
    a = open_one(engine, me)
    b = open_one(engine, me, seller="S2")
    cases.add_note(engine, a, text="called", actor=me, now=T0)
    cases.act(engine, a, CaseAction.RESPOND, at=T0, text=None, actor=me, now=T0)
    cases.act(engine, a, CaseAction.RESOLVE, at=T0, text="fixed", actor=me, now=T0)
    cases.act(engine, b, CaseAction.FRAUD, at=T0, text="evidence", actor=me, now=T0)
    with transaction(engine) as s:
        result = audit.verify(s)
    assert result.ok and result.checked == len(events(engine))


STATE_ACTIONS = ("open", "respond", "expire", "resolve", "deactivate", "fraud", "supersede")
STEPS = st.lists(
    st.tuples(
        st.sampled_from(["open", "respond", "expire", "resolve", "deactivate", "fraud", "note",
                         "assign"]),
        st.integers(min_value=0, max_value=3),  # which case, modulo how many exist
        st.integers(min_value=0, max_value=80),  # hours to wait first
    ),
    min_size=1,
    max_size=12,
)


def event_count(engine: Engine) -> int:
    with transaction(engine) as s:
        return len(list(s.execute(select(Event.id)).scalars()))


def step(engine: Engine, me: Actor, name: str, case_id: int | None, seller: str,
         now: datetime) -> int | bool | None:
    """One operator action at ``now``; returns a new case id for ``open``, False for an
    assignment that changed nothing (the case was already mine)."""
    if name == "open":
        return cases.open_case(engine, seller_id=seller, store="US", policy=PolicyArea.OTHER,
                               at=now, summary="", actor=me, now=now).id
    assert case_id is not None
    if name == "note":
        cases.add_note(engine, case_id, text="called", actor=me, now=now)
    elif name == "assign":
        if not cases.assign_case(engine, case_id, to=None, actor=me, now=now).changed:
            return False
    else:
        cases.act(engine, case_id, CaseAction(name), at=now, text="because", actor=me, now=now)
    return None


@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=STEPS)
def test_any_sequence_of_actions_keeps_the_chain_and_each_case_in_one_state(engine, me, steps):
    seller = f"P{uuid.uuid4().hex[:8]}"
    seed_account(engine, seller)
    now = T0
    first = step(engine, me, "open", None, seller, now)
    assert first is not None
    opened = [first]
    for name, pick, wait in steps:
        now += timedelta(hours=wait)
        target = opened[pick % len(opened)]
        before = event_count(engine)
        try:
            new = step(engine, me, name, target, seller, now)
        except RuleRejected:
            assert event_count(engine) == before  # a refusal writes nothing
            continue
        if new is False:
            assert event_count(engine) == before  # nothing to change: nothing written
            continue
        assert event_count(engine) > before
        if new is not None:
            opened.append(new)
    with transaction(engine) as s:
        assert audit.verify(s).ok
        for case in s.execute(select(Case).where(Case.id.in_(opened))).scalars():  # type: ignore[union-attr]
            moves = [e for e in s.execute(select(Event).where(Event.case_id == case.id)
                                          .order_by(Event.id)).scalars()  # type: ignore[arg-type]
                     if e.action in STATE_ACTIONS]
            assert moves[0].action == "open"
            assert moves[-1].to_state == case.status
            for earlier, later in itertools.pairwise(moves):
                assert later.from_state == earlier.to_state
