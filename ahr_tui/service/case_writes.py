"""The writes a case decision implies, each with its audit event, in the caller's transaction.

``service.cases`` (actions, assignment), the sweep and contact attempts share them. Every row is
written with ``versioned_update``: only if it is still at the version read, else ``Conflict``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import partial

from sqlalchemy import select, update
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, col

from ahr_tui.errors import Conflict
from ahr_tui.rules import ACTIVE_STATUSES, CaseAction, CaseDecision, CaseStatus, decide
from ahr_tui.service.conflicts import case_conflict
from ahr_tui.store import audit
from ahr_tui.store.actor import Actor
from ahr_tui.store.models import Account, Case


def versioned_update(
    session: Session, model: type[Case] | type[Account], row_id: int, version: int, **values: object
) -> None:
    """UPDATE one row only if it is still at ``version`` (bumping it); else ``Conflict``.

    Shared by every use case that changes a case or an account (actions, assign, the sweep).
    """
    result = session.execute(
        update(model)
        .where(model.id == row_id, model.version == version)
        .values(**values, version=version + 1)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        current = session.execute(select(col(model.version)).where(model.id == row_id)).scalar()
        if model is Case:
            raise case_conflict(session, row_id, version, current)
        account = session.get(Account, row_id)
        who = f"{account.seller_id} ({account.store})" if account else str(row_id)
        raise Conflict(f"account {who} was changed by someone else; nothing was written.")
    # The row now holds these values: record them on the loaded object without re-reading it.
    # Only a row this session has loaded needs it; one it has not is read fresh when asked for
    # (a bulk assignment never loads the ORM row: it must not be read just to be updated).
    row = session.identity_map.get(session.identity_key(model, row_id))
    if row is None:
        return
    for key, value in {**values, "version": version + 1}.items():
        if isinstance(value, datetime):
            value = value.astimezone(UTC)
        set_committed_value(row, key, value)


def write_case(
    session: Session,
    case: Case,
    decision: CaseDecision,
    *,
    at: datetime,
    text: str | None,
    actor: Actor,
    now: datetime,
) -> None:
    """The case's new status (with ``responded_at``, or ``closed_at`` and ``text`` as its
    outcome for a final one) and its audit event at ``at``, ``now`` the wall clock (aware UTC);
    raises ``Conflict`` when the case is no longer at the version read."""
    assert case.id is not None
    values: dict[str, object] = {"status": decision.after.value}
    if decision.action is CaseAction.RESPOND:
        values["responded_at"] = at
    if decision.after.is_final:
        values["closed_at"] = at
        values["outcome_note"] = text
    versioned_update(session, Case, case.id, case.version, **values)
    audit.append(
        session,
        actor=actor,
        action=decision.action.value,
        at=at,
        recorded_at=now,
        account_id=case.account_id,
        case_id=case.id,
        from_state=decision.before.value,
        to_state=decision.after.value,
        note=text,
    )


def write_account(
    session: Session,
    account: Account,
    decision: CaseDecision,
    *,
    case: Case,
    at: datetime,
    actor: Actor,
    now: datetime,
) -> None:
    """The account's new status and enrolment that ``decision`` on ``case`` implies (only what
    changes), each with its audit event at ``at``; raises ``Conflict`` when the account is no
    longer at the version read."""
    assert account.id is not None
    values: dict[str, object] = {}
    record = partial(_account_event, session, account, case, at=at, actor=actor, now=now)
    if decision.account_status is not None and decision.account_status.value != account.status:
        values["status"] = decision.account_status.value
        record("account_status", account.status, decision.account_status.value)
    if decision.enrollment is not None and decision.enrollment.value != account.enrollment:
        values["enrollment"] = decision.enrollment.value
        values["enrollment_changed_at"] = at
        record("enrollment", account.enrollment, decision.enrollment.value)
    if values:
        versioned_update(session, Account, account.id, account.version, **values)


def _account_event(
    session: Session, account: Account, case: Case, action: str, before: str, after: str, *,
    at: datetime, actor: Actor, now: datetime,
) -> None:
    audit.append(
        session, actor=actor, action=action, at=at, recorded_at=now, account_id=account.id,
        case_id=case.id, from_state=before, to_state=after,
    )


def supersede_others(
    session: Session, case: Case, *, at: datetime, actor: Actor, now: datetime
) -> None:
    """Every other active case of ``case``'s account becomes ``superseded`` at ``at`` (a fraud
    finding on ``case``), each with its audit event; raises ``Conflict`` like ``write_case``."""
    others = session.execute(
        select(Case).where(
            Case.account_id == case.account_id,
            Case.id != case.id,
            col(Case.status).in_([status.value for status in ACTIVE_STATUSES]),
        )
    ).scalars()
    for other in list(others):
        decision = decide(
            CaseAction.SUPERSEDE,
            CaseStatus(other.status),
            at=at,
            contacted_at=other.contacted_at,
            deadline=other.deadline,
        )
        assert isinstance(decision, CaseDecision)
        write_case(
            session,
            other,
            decision,
            at=at,
            text=f"superseded by fraud finding on case {case.id}",
            actor=actor,
            now=now,
        )
