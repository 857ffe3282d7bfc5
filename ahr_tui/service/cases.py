"""Case use cases shared by the CLI and the TUI: open, act, assign, note.

The writes a decision implies (the case, its account, the cases a fraud finding supersedes, each
with its audit event) are ``service.case_writes``; ``versioned_update`` is re-exported here.

Each function is one unit of work: load, ask ``rules`` for a decision, write the new state with
its audit event and notifications, commit once. A write checks the version it read (or the one
the caller saw, ``expected_version``) and raises ``Conflict`` when someone else changed the row.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from ahr_tui.errors import InvalidInput, NotFound, RuleRejected, no_store
from ahr_tui.rules import (
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
from ahr_tui.service.case_writes import (
    supersede_others,
    versioned_update,
    write_account,
    write_case,
)
from ahr_tui.service.conflicts import case_conflict
from ahr_tui.service.views import CaseView, find_case
from ahr_tui.store import audit
from ahr_tui.store.actor import Actor
from ahr_tui.store.engine import transaction
from ahr_tui.store.models import Account, Case, Operator, Store
from ahr_tui.wording import instant

#: Business time may run this far ahead of the wall clock (clock skew between hosts).
FUTURE_TOLERANCE = timedelta(minutes=5)

def check_not_future(at: datetime, now: datetime) -> None:
    """Raises ``InvalidInput`` when business time ``at`` lies more than ``FUTURE_TOLERANCE``
    after the wall clock ``now`` (both aware)."""
    if at > now + FUTURE_TOLERANCE:
        raise InvalidInput(f"--at {instant(at)} is in the future (now is {instant(now)}).")


def get_case(session: Session, case_id: int) -> CaseView:
    """Case ``case_id`` as both front ends show it; raises ``NotFound``."""
    view = find_case(session, case_id)
    if view is None:
        raise NotFound(f"no case {case_id}.")
    return view


def case_at_version(session: Session, case_id: int, expected_version: int | None) -> Case:
    """The case row ``case_id``, loaded in the caller's transaction, still at
    ``expected_version`` (None: whatever version it is at).

    Raises ``NotFound`` (no such case) or ``Conflict`` (someone changed it since the caller
    read it).
    """
    case = session.get(Case, case_id)
    if case is None:
        raise NotFound(f"no case {case_id}.")
    if expected_version is not None and case.version != expected_version:
        raise case_conflict(session, case_id, expected_version, case.version)
    return case


def find_account(session: Session, seller_id: str, store: str) -> Account:
    """The account of ``seller_id`` in ``store`` (a code); raises ``NotFound`` naming the
    missing store or seller."""
    account = session.execute(
        select(Account).where(Account.seller_id == seller_id, Account.store == store)
    ).scalar_one_or_none()
    if account is None:
        if session.get(Store, store) is None:
            raise no_store(store)
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
    """Open a case contacted at ``at`` (aware UTC; the 72 hours start); returns it. The errors of
    ``new_case``."""
    return new_case(
        engine, open_in, seller_id=seller_id, store=store, policy=policy, at=at,
        summary=summary, actor=actor, now=now, rules=rules,
    )


#: ``open_in`` or ``service.contact.detect_in``: a new case in the caller's transaction.
CreateCase = Callable[..., Case]


def new_case(
    engine: Engine,
    create: CreateCase,
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
    """One unit of work that makes a case for ``seller_id`` in ``store`` with ``create``.

    Raises ``InvalidInput`` (``at`` in the future), ``PermissionDenied``, ``NotFound`` (no such
    seller or store), ``RuleRejected`` (the account is not enrolled and active).
    """
    check_not_future(at, now)
    with transaction(engine, write=True) as session:
        require(session, actor, Permission.OPEN)
        account = find_account(session, seller_id, store)
        case = create(
            session, account, policy=policy, at=at, summary=summary, actor=actor, now=now,
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
    detected_at: datetime | None = None,
) -> Case:
    """Open a case contacted at ``at`` (aware UTC) inside the caller's transaction (shared with
    the case importer); ``detected_at`` when the issue was found earlier. Returns the new row.

    Raises ``RuleRejected`` (the account is not enrolled and active).
    """
    decision = decide_open(Enrollment(account.enrollment), AccountStatus(account.status), at, rules)
    if isinstance(decision, Rejected):
        raise new_case_refused("open", account, decision)
    assert account.id is not None
    # opened directly, the contact is the detection (an import may say it came earlier)
    found = detected_at or at
    case = Case(
        account_id=account.id, policy=policy.value, summary=summary, detected_at=found,
        contact_due=found + rules.first_contact_target, contacted_at=at,
        deadline=decision.deadline, status=decision.status.value,
    )
    add_new_case(session, case, "open", at=at, actor=actor, now=now)
    for kind in decision.notify:
        outbox.queue(session, kind, account=account, case=case, now=now)
    return case


def new_case_refused(verb: str, account: Account, rejected: Rejected) -> RuleRejected:
    """The error for a case the rules will not ``verb`` (open, detect) on ``account``."""
    return RuleRejected(
        f"cannot {verb} a case for {account.seller_id} in {account.store}: {rejected.message}.",
        rejected.code.value,
    )


def add_new_case(
    session: Session, case: Case, action: str, *, at: datetime, actor: Actor, now: datetime
) -> None:
    """Insert a new case (its id assigned) with its first audit event, ``action`` (open,
    detect) at ``at``, its summary as the note; ``now`` is the wall clock (aware UTC)."""
    session.add(case)
    session.flush()
    audit.append(
        session, actor=actor, action=action, at=at, recorded_at=now, account_id=case.account_id,
        case_id=case.id, from_state=None, to_state=case.status, note=case.summary or None,
    )


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
    """Respond, resolve, deactivate, record fraud or expire case ``case_id`` at ``at`` (aware
    UTC; ``now`` is the wall clock), ``text`` its note or evidence. Returns the case as it is.

    Raises ``InvalidInput`` (``at`` in the future), ``PermissionDenied``, ``NotFound``,
    ``RuleRejected`` (the rules refuse, with their sentence) or ``Conflict``.
    """
    check_not_future(at, now)
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
    """Decide and write one action in the caller's transaction (the sweep shares it).

    Raises ``NotFound``, ``Conflict`` (not at ``expected_version``) or ``RuleRejected``.
    """
    case = case_at_version(session, case_id, expected_version)
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
    write_case(session, case, decision, at=at, text=text, actor=actor, now=now)
    if decision.account_status is not None or decision.enrollment is not None:
        write_account(session, account, decision, case=case, at=at, actor=actor, now=now)
    if decision.supersede_others:
        supersede_others(session, case, at=at, actor=actor, now=now)
    for kind in decision.notify:
        outbox.queue(session, kind, account=account, case=case, now=now)
    return decision


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
    """``assign_case`` (same arguments and errors), returning only the case as it now is."""
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
        # One read of the case (a bulk assignment runs this a thousand times): its view
        # carries the facts the rules decide on, its version and its current assignee. The
        # case is the object of the command: a missing case is said before a missing operator.
        view = get_case(session, case_id)
        if session.get(Operator, assignee) is None:
            raise NotFound(f"{assignee} is not an operator; cases are assigned to operators.")
        if expected_version is not None and view.version != expected_version:
            # the caller decided on a version someone else has changed: say so first
            raise case_conflict(session, case_id, expected_version, view.version)
        decision = decide_assign(view.facts, assignee)
        if isinstance(decision, Rejected):
            raise RuleRejected(case_sentence(case_id, decision), decision.code.value)
        if isinstance(decision, Unchanged):
            return Assignment(view, False, case_sentence(case_id, decision))
        return _write_assignment(session, view, assignee, actor=actor, now=now)


def _write_assignment(
    session: Session, view: CaseView, assignee: str, *, actor: Actor, now: datetime
) -> Assignment:
    """Give the case (still at ``view.version``, else ``Conflict``) to ``assignee``, with its
    audit event at ``now``."""
    versioned_update(session, Case, view.id, view.version, assignee=assignee)
    audit.append(
        session, actor=actor, action="assign", at=now, recorded_at=now,
        account_id=view.account_id, case_id=view.id, from_state=view.assignee, to_state=assignee,
    )
    changed = replace(view, assignee=assignee, version=view.version + 1)
    return Assignment(changed, True, f"case {view.id}: assigned to {assignee}")


def add_note(engine: Engine, case_id: int, *, text: str, actor: Actor, now: datetime) -> CaseView:
    """Add a note (a call summary, a decision's reasoning) to case ``case_id``'s timeline at
    ``now`` (aware UTC); any case takes one, final ones included. Returns the case.

    Raises ``InvalidInput`` (no text), ``PermissionDenied`` or ``NotFound``.
    """
    if not text.strip():
        raise InvalidInput("a note needs text.")
    with transaction(engine, write=True) as session:
        require(session, actor, Permission.NOTE)
        case = case_at_version(session, case_id, None)
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
