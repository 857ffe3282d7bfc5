"""Case use cases shared by the CLI and the TUI: open, act, assign, note.

Each function is one unit of work: load, ask ``rules`` for a decision, write the new state with
its audit event and notifications, commit once. A write checks the version it read (or the one
the caller saw, ``expected_version``) and raises ``Conflict`` when someone else changed the row.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, col

from ahr_tui.errors import Conflict, InvalidInput, NotFound, RuleRejected
from ahr_tui.rules import (
    ACTIVE_STATUSES,
    DEFAULT_POLICY,
    PERMISSION,
    AccountStatus,
    CaseAction,
    CaseDecision,
    CaseStatus,
    Enrollment,
    Permission,
    Policy,
    PolicyArea,
    Rejected,
    Unchanged,
    case_sentence,
    decide,
    decide_assign,
    decide_note,
    decide_open,
)
from ahr_tui.service import outbox
from ahr_tui.service.access import require
from ahr_tui.service.conflicts import case_conflict
from ahr_tui.service.views import CaseView, find_case
from ahr_tui.store import audit
from ahr_tui.store.actor import Actor
from ahr_tui.store.engine import transaction
from ahr_tui.store.models import Account, Case, Operator, Store
from ahr_tui.wording import instant

#: Business time may run this far ahead of the wall clock (clock skew between hosts).
FUTURE_TOLERANCE = timedelta(minutes=5)

def _check_not_future(at: datetime, now: datetime) -> None:
    if at > now + FUTURE_TOLERANCE:
        raise InvalidInput(f"--at {instant(at)} is in the future (now is {instant(now)}).")


def get_case(session: Session, case_id: int) -> CaseView:
    view = find_case(session, case_id)
    if view is None:
        raise NotFound(f"no case {case_id}.")
    return view


def find_account(session: Session, seller_id: str, store: str) -> Account:
    account = session.execute(
        select(Account).where(Account.seller_id == seller_id, Account.store == store)
    ).scalar_one_or_none()
    if account is None:
        if session.get(Store, store) is None:
            raise NotFound(f"no store {store}; `ahr store list` shows the codes.")
        raise NotFound(f"no seller {seller_id} in store {store}.")
    return account


def open_case(
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
    _check_not_future(at, now)
    with transaction(engine, write=True) as session:
        require(session, actor, Permission.OPEN)
        account = find_account(session, seller_id, store)
        case = open_in(
            session,
            account,
            policy=policy,
            at=at,
            summary=summary,
            actor=actor,
            now=now,
            rules=rules,
        )
        session.flush()
        assert case.id is not None
        return get_case(session, case.id)


def open_in(
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
    """Open a case inside the caller's transaction (shared with the case importer)."""
    decision = decide_open(Enrollment(account.enrollment), AccountStatus(account.status), at, rules)
    if isinstance(decision, Rejected):
        raise RuleRejected(
            f"cannot open a case for {account.seller_id} in {account.store}: {decision.message}.",
            decision.code.value,
        )
    assert account.id is not None
    case = Case(
        account_id=account.id,
        policy=policy.value,
        summary=summary,
        detected_at=at,  # opened directly: the contact is the detection
        contact_due=at + rules.first_contact_target,
        contacted_at=at,
        deadline=decision.deadline,
        status=decision.status.value,
    )
    session.add(case)
    session.flush()
    audit.append(
        session,
        actor=actor,
        action="open",
        at=at,
        recorded_at=now,
        account_id=account.id,
        case_id=case.id,
        from_state=None,
        to_state=decision.status.value,
        note=summary or None,
    )
    for kind in decision.notify:
        outbox.queue(session, kind, account=account, case=case, now=now)
    return case


def act(
    engine: Engine,
    case_id: int,
    action: CaseAction,
    *,
    at: datetime,
    text: str | None,
    actor: Actor,
    now: datetime,
    expected_version: int | None = None,
) -> CaseView:
    """Respond, resolve, deactivate, record fraud or expire one case."""
    _check_not_future(at, now)
    with transaction(engine, write=True) as session:
        require(session, actor, PERMISSION[action])
        apply_action(
            session,
            case_id,
            action,
            at=at,
            text=text,
            actor=actor,
            now=now,
            expected_version=expected_version,
        )
        return get_case(session, case_id)


def apply_action(
    session: Session,
    case_id: int,
    action: CaseAction,
    *,
    at: datetime,
    text: str | None,
    actor: Actor,
    now: datetime,
    expected_version: int | None = None,
) -> CaseDecision:
    """Decide and write one action in the caller's transaction (the sweep shares it)."""
    case = session.get(Case, case_id)
    if case is None:
        raise NotFound(f"no case {case_id}.")
    if expected_version is not None and case.version != expected_version:
        raise case_conflict(session, case_id, expected_version, case.version)
    decision = decide(
        action,
        CaseStatus(case.status),
        at=at,
        contacted_at=case.contacted_at,
        deadline=case.deadline,
        text=text,
    )
    if isinstance(decision, Rejected):
        raise RuleRejected(case_sentence(case_id, decision), decision.code.value)
    account = session.get(Account, case.account_id)
    assert account is not None
    _write_case(session, case, decision, at=at, text=text, actor=actor, now=now)
    if decision.account_status is not None or decision.enrollment is not None:
        _write_account(session, account, decision, case=case, at=at, actor=actor, now=now)
    if decision.supersede_others:
        _supersede_others(session, case, at=at, actor=actor, now=now)
    for kind in decision.notify:
        outbox.queue(session, kind, account=account, case=case, now=now)
    return decision


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
    # Only a row this session has loaded needs it; one it has not is read fresh when asked for.
    row = session.identity_map.get(session.identity_key(model, row_id))
    if row is None:
        return
    for key, value in {**values, "version": version + 1}.items():
        if isinstance(value, datetime):
            value = value.astimezone(UTC)
        set_committed_value(row, key, value)


def _write_case(
    session: Session,
    case: Case,
    decision: CaseDecision,
    *,
    at: datetime,
    text: str | None,
    actor: Actor,
    now: datetime,
) -> None:
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


def _write_account(
    session: Session,
    account: Account,
    decision: CaseDecision,
    *,
    case: Case,
    at: datetime,
    actor: Actor,
    now: datetime,
) -> None:
    assert account.id is not None
    values: dict[str, object] = {}
    if decision.account_status is not None and decision.account_status.value != account.status:
        values["status"] = decision.account_status.value
        audit.append(
            session,
            actor=actor,
            action="account_status",
            at=at,
            recorded_at=now,
            account_id=account.id,
            case_id=case.id,
            from_state=account.status,
            to_state=decision.account_status.value,
        )
    if decision.enrollment is not None and decision.enrollment.value != account.enrollment:
        values["enrollment"] = decision.enrollment.value
        values["enrollment_changed_at"] = at
        audit.append(
            session,
            actor=actor,
            action="enrollment",
            at=at,
            recorded_at=now,
            account_id=account.id,
            case_id=case.id,
            from_state=account.enrollment,
            to_state=decision.enrollment.value,
        )
    if values:
        versioned_update(session, Account, account.id, account.version, **values)


def _supersede_others(
    session: Session, case: Case, *, at: datetime, actor: Actor, now: datetime
) -> None:
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
        _write_case(
            session,
            other,
            decision,
            at=at,
            text=f"superseded by fraud finding on case {case.id}",
            actor=actor,
            now=now,
        )


@dataclass(frozen=True, slots=True)
class Assignment:
    """What ``assign_case`` did: the case as it now is, whether anything was written, and the
    sentence to show (``case 7: assigned to NAME`` or ``case 7: already assigned to NAME.``)."""

    case: CaseView
    changed: bool
    sentence: str


def assign(
    engine: Engine,
    case_id: int,
    *,
    to: str | None,
    actor: Actor,
    now: datetime,
    expected_version: int | None = None,
) -> CaseView:
    """``assign_case``, returning only the case as it now is."""
    return assign_case(
        engine, case_id, to=to, actor=actor, now=now, expected_version=expected_version
    ).case


def assign_case(
    engine: Engine,
    case_id: int,
    *,
    to: str | None,
    actor: Actor,
    now: datetime,
    expected_version: int | None = None,
) -> Assignment:
    """Record who works case ``case_id``: ``to`` (an operator's name; default the actor), at
    ``now`` (aware UTC). To its current assignee nothing is written (``changed`` False).

    Raises ``PermissionDenied``, ``NotFound`` (no such case or operator), ``RuleRejected`` (a
    final case) or ``Conflict`` (the case is no longer at ``expected_version``).
    """
    assignee = to or actor.name
    with transaction(engine, write=True) as session:
        require(session, actor, Permission.ASSIGN)
        if session.get(Operator, assignee) is None:
            raise NotFound(f"{assignee} is not an operator; cases are assigned to operators.")
        # One read of the case (a bulk assignment runs this a thousand times): its view
        # carries the facts the rules decide on, its version and its current assignee.
        view = get_case(session, case_id)
        if expected_version is not None and view.version != expected_version:
            # the caller decided on a version someone else has changed: say so first
            raise case_conflict(session, case_id, expected_version, view.version)
        decision = decide_assign(view.facts, assignee)
        if isinstance(decision, Rejected):
            raise RuleRejected(case_sentence(case_id, decision), decision.code.value)
        if isinstance(decision, Unchanged):
            return Assignment(view, False, case_sentence(case_id, decision))
        version = view.version if expected_version is None else expected_version
        versioned_update(session, Case, case_id, version, assignee=assignee)
        audit.append(
            session,
            actor=actor,
            action="assign",
            at=now,
            recorded_at=now,
            account_id=view.account_id,
            case_id=case_id,
            from_state=view.assignee,
            to_state=assignee,
        )
        sentence = f"case {case_id}: assigned to {assignee}"
        return Assignment(replace(view, assignee=assignee, version=version + 1), True, sentence)


def add_note(engine: Engine, case_id: int, *, text: str, actor: Actor, now: datetime) -> CaseView:
    """Add a note (a call summary, a decision's reasoning) to case ``case_id``'s timeline at
    ``now`` (aware UTC); any case takes one, final ones included. Returns the case.

    Raises ``InvalidInput`` (no text), ``PermissionDenied`` or ``NotFound``.
    """
    if not text.strip():
        raise InvalidInput("a note needs text.")
    with transaction(engine, write=True) as session:
        require(session, actor, Permission.NOTE)
        case = session.get(Case, case_id)
        if case is None:
            raise NotFound(f"no case {case_id}.")
        refused = decide_note(get_case(session, case_id).facts, text)
        if refused is not None:
            raise RuleRejected(case_sentence(case_id, refused), refused.code.value)
        audit.append(
            session,
            actor=actor,
            action="note",
            at=now,
            recorded_at=now,
            account_id=case.account_id,
            case_id=case.id,
            note=text,
        )
        return get_case(session, case_id)
