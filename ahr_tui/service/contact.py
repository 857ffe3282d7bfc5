"""Reaching the seller, shared by the CLI and the TUI: detect a case, log a contact attempt.

Each public function is one unit of work (load, ask ``rules.contact``, write the case, the
attempt, its audit event and notifications, commit once), like ``service.cases``. The first
attempt on a detected case starts its 72 hours; later ones are follow-ups.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlmodel import Session, col

from ahr_tui.errors import RuleRejected
from ahr_tui.rules import (
    DEFAULT_POLICY,
    AccountStatus,
    CaseStatus,
    Enrollment,
    Permission,
    Policy,
    PolicyArea,
    Rejected,
)
from ahr_tui.rules.contact import (
    AttemptDecision,
    Channel,
    Outcome,
    attempt_note,
    decide_attempt,
    decide_detect,
)
from ahr_tui.service import outbox
from ahr_tui.service.access import require
from ahr_tui.service.case_view import iso_z
from ahr_tui.service.case_writes import versioned_update
from ahr_tui.service.cases import (
    add_new_case,
    case_at_version,
    check_not_future,
    get_case,
    new_case,
    new_case_refused,
)
from ahr_tui.service.views import CaseView
from ahr_tui.store import audit
from ahr_tui.store.actor import Actor
from ahr_tui.store.engine import transaction
from ahr_tui.store.models import Account, Case, ContactAttempt


@dataclass(frozen=True, slots=True)
class AttemptView:
    """One contact attempt as both front ends show it (a plain value, safe across threads)."""

    id: int
    at: datetime
    channel: Channel
    outcome: Outcome
    note: str | None
    actor: str

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "at": iso_z(self.at),
            "channel": self.channel.value,
            "outcome": self.outcome.value,
            "note": self.note,
            "actor": self.actor,
        }


def detect_case(
    engine: Engine,
    *,
    seller_id: str,
    store: str,
    policy: PolicyArea,
    at: datetime,
    summary: str,
    actor: Actor,
    now: datetime,
    rules: Policy = DEFAULT_POLICY,
) -> CaseView:
    """Record a policy issue found at ``at`` (aware UTC) on an enrolled, active account
    (``detected``; first contact due 24 hours later). Returns the case; the errors of
    ``service.cases.new_case``."""
    return new_case(
        engine, detect_in, seller_id=seller_id, store=store, policy=policy, at=at,
        summary=summary, actor=actor, now=now, rules=rules,
    )


def detect_in(
    session: Session,
    account: Account,
    *,
    policy: PolicyArea,
    at: datetime,
    summary: str,
    actor: Actor,
    now: datetime,
    rules: Policy = DEFAULT_POLICY,
) -> Case:
    """Detect a case found at ``at`` (aware UTC) inside the caller's transaction (shared with
    the case importer). Returns the new row; raises ``RuleRejected`` (the account is not
    enrolled and active)."""
    decision = decide_detect(
        Enrollment(account.enrollment), AccountStatus(account.status), at, rules
    )
    if isinstance(decision, Rejected):
        raise new_case_refused("detect", account, decision)
    assert account.id is not None
    case = Case(
        account_id=account.id,
        policy=policy.value,
        summary=summary,
        detected_at=at,
        contact_due=decision.contact_due,
        status=decision.status.value,
    )
    add_new_case(session, case, "detect", at=at, actor=actor, now=now)
    return case


@dataclass(frozen=True, slots=True)
class Attempt:
    """One attempt to reach the seller, as the operator logs it: at ``at`` (aware UTC)."""

    channel: Channel
    outcome: Outcome
    at: datetime
    note: str | None


def record_attempt(
    engine: Engine,
    case_id: int,
    *,
    channel: Channel,
    outcome: Outcome,
    at: datetime,
    note: str | None,
    actor: Actor,
    now: datetime,
    expected_version: int | None = None,
    rules: Policy = DEFAULT_POLICY,
) -> CaseView:
    """Log one attempt to reach the seller at ``at`` (aware UTC; ``now`` is the wall clock); the
    first on a detected case opens it (72 hours from ``at``). Returns the case as it now is.

    Raises ``InvalidInput`` (``at`` in the future), ``PermissionDenied``, ``NotFound``,
    ``RuleRejected`` (a final case, ``at`` before the detection) or ``Conflict`` (someone
    changed the case first, or it is no longer at ``expected_version``).
    """
    check_not_future(at, now)
    attempt = Attempt(channel, outcome, at, note)
    with transaction(engine, write=True) as session:
        require(session, actor, Permission.CONTACT)
        case = case_at_version(session, case_id, expected_version)
        decision = _decide(session, case, attempt, rules)
        _write_attempt(session, case, attempt, decision, actor=actor, now=now)
        return get_case(session, case_id)


def _decide(session: Session, case: Case, attempt: Attempt, rules: Policy) -> AttemptDecision:
    """What ``rules.contact`` makes of the attempt, given the case's earlier ones; raises
    ``RuleRejected`` with its sentence when it refuses."""
    earlier = session.execute(
        select(col(ContactAttempt.at), col(ContactAttempt.outcome)).where(
            col(ContactAttempt.case_id) == case.id
        )
    ).all()
    assert case.detected_at is not None
    decision = decide_attempt(
        CaseStatus(case.status), at=attempt.at, outcome=attempt.outcome,
        detected_at=case.detected_at, contacted_at=case.contacted_at, reached_at=case.reached_at,
        earlier=[(t, Outcome(o)) for t, o in earlier], policy=rules,
    )
    if isinstance(decision, Rejected):
        raise RuleRejected(f"case {case.id}: {decision.message}.", decision.code.value)
    return decision


def _write_attempt(
    session: Session, case: Case, attempt: Attempt, decision: AttemptDecision, *,
    actor: Actor, now: datetime,
) -> None:
    """The case's new state (checked against the version read), the attempt, its audit event
    and the seller's notifications, in the caller's transaction."""
    changes: dict[str, object] = {"status": decision.after.value}
    for name in ("contacted_at", "deadline", "reached_at"):
        if getattr(decision, name) is not None:
            changes[name] = getattr(decision, name)
    assert case.id is not None
    versioned_update(session, Case, case.id, case.version, **changes)
    session.add(ContactAttempt(
        case_id=case.id, at=attempt.at, channel=attempt.channel.value,
        outcome=attempt.outcome.value, note=attempt.note or None, actor=actor.name,
    ))
    audit.append(
        session, actor=actor, action="attempt", at=attempt.at, recorded_at=now,
        account_id=case.account_id, case_id=case.id, from_state=decision.before.value,
        to_state=decision.after.value,
        note=attempt_note(attempt.channel, attempt.outcome, attempt.note),
    )
    account = session.get(Account, case.account_id)
    assert account is not None
    for kind in decision.notify:
        outbox.queue(session, kind, account=account, case=case, now=now)


def case_attempts(session: Session, case_id: int) -> list[AttemptView]:
    """Case ``case_id``'s contact attempts, oldest first (none for an unknown case)."""
    rows = session.execute(
        select(ContactAttempt)
        .where(col(ContactAttempt.case_id) == case_id)
        .order_by(col(ContactAttempt.at), col(ContactAttempt.id))
    ).scalars()
    return [
        AttemptView(a.id or 0, a.at, Channel(a.channel), Outcome(a.outcome), a.note, a.actor)
        for a in rows
    ]
