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

from ahr_tui.errors import NotFound, RuleRejected
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
from ahr_tui.rules.contact import Channel, Outcome, attempt_note, decide_attempt, decide_detect
from ahr_tui.service import outbox
from ahr_tui.service.access import require
from ahr_tui.service.case_view import iso_z
from ahr_tui.service.case_writes import versioned_update
from ahr_tui.service.cases import check_not_future, get_case, new_case
from ahr_tui.service.conflicts import case_conflict
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
    """Record a policy issue found at ``at`` on an enrolled, active account (``detected``);
    the errors of ``service.cases.new_case``."""
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
    """Detect a case inside the caller's transaction (shared with the case importer)."""
    decision = decide_detect(
        Enrollment(account.enrollment), AccountStatus(account.status), at, rules
    )
    if isinstance(decision, Rejected):
        raise RuleRejected(
            f"cannot detect a case for {account.seller_id} in {account.store}: "
            f"{decision.message}.",
            decision.code.value,
        )
    assert account.id is not None
    case = Case(
        account_id=account.id,
        policy=policy.value,
        summary=summary,
        detected_at=at,
        contact_due=decision.contact_due,
        status=decision.status.value,
    )
    session.add(case)
    session.flush()
    audit.append(
        session, actor=actor, action="detect", at=at, recorded_at=now, account_id=account.id,
        case_id=case.id, from_state=None, to_state=decision.status.value, note=summary or None,
    )
    return case


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
    """Log one attempt to reach the seller; the first on a detected case opens it (72 hours
    from ``at``). Raises ``NotFound``, ``RuleRejected`` (a final case, ``at`` before the
    detection), ``Conflict`` (someone changed the case first), ``InvalidInput``."""
    check_not_future(at, now)
    with transaction(engine, write=True) as session:
        require(session, actor, Permission.CONTACT)
        case = session.get(Case, case_id)
        if case is None:
            raise NotFound(f"no case {case_id}.")
        if expected_version is not None and case.version != expected_version:
            raise case_conflict(session, case_id, expected_version, case.version)
        earlier = session.execute(
            select(col(ContactAttempt.at), col(ContactAttempt.outcome)).where(
                col(ContactAttempt.case_id) == case_id
            )
        ).all()
        assert case.detected_at is not None
        decision = decide_attempt(
            CaseStatus(case.status), at=at, outcome=outcome, detected_at=case.detected_at,
            contacted_at=case.contacted_at, reached_at=case.reached_at,
            earlier=[(t, Outcome(o)) for t, o in earlier],
            policy=rules,
        )
        if isinstance(decision, Rejected):
            raise RuleRejected(
                f"case {case_id}: {decision.message}.", decision.code.value
            )
        changes: dict[str, object] = {"status": decision.after.value}
        for name in ("contacted_at", "deadline", "reached_at"):
            if getattr(decision, name) is not None:
                changes[name] = getattr(decision, name)
        assert case.id is not None
        versioned_update(session, Case, case.id, case.version, **changes)
        session.add(ContactAttempt(
            case_id=case.id, at=at, channel=channel.value, outcome=outcome.value,
            note=note or None, actor=actor.name,
        ))
        audit.append(
            session, actor=actor, action="attempt", at=at, recorded_at=now,
            account_id=case.account_id, case_id=case.id, from_state=decision.before.value,
            to_state=decision.after.value, note=attempt_note(channel, outcome, note),
        )
        account = session.get(Account, case.account_id)
        assert account is not None
        for kind in decision.notify:
            outbox.queue(session, kind, account=account, case=case, now=now)
        return get_case(session, case_id)


def case_attempts(session: Session, case_id: int) -> list[AttemptView]:
    """The case's contact attempts, oldest first."""
    rows = session.execute(
        select(ContactAttempt)
        .where(col(ContactAttempt.case_id) == case_id)
        .order_by(col(ContactAttempt.at), col(ContactAttempt.id))
    ).scalars()
    return [
        AttemptView(a.id or 0, a.at, Channel(a.channel), Outcome(a.outcome), a.note, a.actor)
        for a in rows
    ]
