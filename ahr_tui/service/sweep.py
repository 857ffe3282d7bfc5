"""The sweep and the eligibility report: every account against the rules, set-based.

Score counts for the whole window come from one GROUP BY query (``store.queries``); Python only
walks the accounts, never the score rows. The sweep expires overdue cases, warns sellers whose
case has less than a day left, and moves enrolments; running it twice at the same instant changes
nothing the second time.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import Row, select
from sqlalchemy.engine import Engine
from sqlmodel import Session, col

from ahr_tui.rules import (
    DEFAULT_POLICY,
    AccountFacts,
    AccountStatus,
    CaseAction,
    Eligibility,
    Enrollment,
    NotificationKind,
    Permission,
    PhoneStatus,
    Plan,
    Policy,
    ScoreWindow,
    allows,
    evaluate,
    phone_status,
)
from ahr_tui.rules.automatic import DEADLINE_PASSED
from ahr_tui.service import enrolment, outbox
from ahr_tui.service.access import require, role_of
from ahr_tui.service.cases import apply_action
from ahr_tui.service.escalation import queue_escalations
from ahr_tui.store import account_list, audit, phone_checks, queries, window
from ahr_tui.store.actor import Actor
from ahr_tui.store.engine import transaction
from ahr_tui.store.models import Account, Case, Notification, Store
from ahr_tui.store.queries import WindowCounts


@dataclass(frozen=True, slots=True)
class AccountEligibility:
    account_id: int
    seller_id: str
    store: str
    name: str
    plan: str
    enrollment: Enrollment
    eligibility: Eligibility
    status: AccountStatus
    version: int

    def to_json(self) -> dict[str, Any]:
        e = self.eligibility
        return {
            "seller_id": self.seller_id,
            "store": self.store,
            "as_of": e.as_of.isoformat(),
            "eligible": e.eligible,
            "ahr_ok": e.ahr_ok,
            "days_below": e.days_below,
            "days_missing": e.days_missing,
            "phone_valid": e.phone is PhoneStatus.VALID,
            "phone": e.phone.value,
            "plan": self.plan,
            "enrollment": self.enrollment.value,
            "reasons": [r.value for r in e.reasons],
            # which days fail the AHR criterion (added: "reasons" keeps too_many_days_below)
            "ahr_reason": e.shortfall.value if e.shortfall else None,
        }


@dataclass
class SweepReport:
    as_of: date
    expired: list[int] = field(default_factory=list)
    warned: list[int] = field(default_factory=list)
    enrollment_changes: Counter[str] = field(default_factory=Counter)
    notifications: int = 0
    #: How the window counts were brought to ``as_of`` (``store.window.bring_to``).
    window: str = ""
    #: The last day any account was scored (None: no score at all), read by the enrolment step.
    scores_end: date | None = None
    #: True when the enrolment step was held: there are accounts and none has a score for
    #: ``as_of`` (``sweep``).
    enrolment_held: bool = False

    @property
    def changed(self) -> bool:
        return bool(self.expired or self.warned or self.enrollment_changes)


# Enum lookups by value, once: calling ``Enum(value)`` 150,000 times costs a large sweep a second.
_PLANS = {p.value: p for p in Plan}
_STATUSES = {s.value: s for s in AccountStatus}
_ENROLLMENTS = {e.value: e for e in Enrollment}
_REVOKED = Enrollment.REVOKED.value


_EVALUATED = (
    Account.id,
    Account.seller_id,
    Account.store,
    Account.name,
    Account.plan,
    Account.status,
    Account.enrollment,
    Account.emergency_phone,
    Account.phone_status,
    Account.phone_checked,
    Store.aha_enabled,
    Store.region,
    Account.version,
)


def evaluate_accounts(
    session: Session,
    as_of: date,
    *,
    seller_ids: list[str] | None = None,
    store: str | None = None,
    policy: Policy = DEFAULT_POLICY,
    counts: dict[int, tuple[int, int]] | WindowCounts | None = None,
) -> list[AccountEligibility]:
    """Eligibility of every (or the selected) account on ``as_of``, without changing anything.

    ``counts`` (from ``window_counts``) may be passed when already computed, or still being
    computed (``WindowCounts``: the accounts and phones are read meanwhile).
    """
    rows = _evaluated_rows(session, seller_ids, store)
    phones = _phone_statuses(rows, phone_checks.rules_current(session))
    if counts is None:
        counts = window.counts_at(session, as_of, policy)
    elif isinstance(counts, WindowCounts):
        counts = counts.result()
    return [
        _eligibility(row, counts.get(row.id, (0, 0)), phones, as_of, policy) for row in rows
    ]


def _evaluated_rows(
    session: Session, seller_ids: list[str] | None, store: str | None
) -> Sequence[Row[Any]]:
    """The account rows ``evaluate_accounts`` reads, named as ``_EVALUATED``, by store and id."""
    query = (
        select(*(col(c) for c in _EVALUATED))
        .join(Store, Store.code == Account.store)
        .order_by(Account.store, Account.seller_id)
    )
    if seller_ids:
        query = query.where(Account.seller_id.in_(seller_ids))  # type: ignore[attr-defined]
    if store:
        query = query.where(Account.store == store)
    return session.execute(query).all()


def _phone_statuses(
    rows: Sequence[Row[Any]], trusted: bool
) -> dict[tuple[str | None, str], PhoneStatus]:
    """Each distinct (phone, region)'s status: as the account stores it when ``trusted`` (the
    stored ones were decided by this ahr's rules: ``store.phone_checks``), else worked out once
    (phonenumbers is slow)."""
    phones: dict[tuple[str | None, str], PhoneStatus] = {}
    for row in rows:
        key = (row.emergency_phone, row.region)
        if key in phones:
            continue
        known = phone_checks.stored(
            row.phone_status, row.phone_checked, row.emergency_phone) if trusted else None
        phones[key] = known if known is not None else phone_status(*key)
    return phones


def _eligibility(
    row: Row[Any],
    counts: tuple[int, int],
    phones: dict[tuple[str | None, str], PhoneStatus],
    as_of: date,
    policy: Policy,
) -> AccountEligibility:
    """One account's eligibility from its ``_EVALUATED`` row and its (scored, at or above)."""
    scored, at_or_above = counts
    counted = ScoreWindow(
        days_below=policy.window_days - at_or_above,
        days_missing=policy.window_days - scored,
    )
    facts = AccountFacts(
        plan=_PLANS[row.plan],
        store_enabled=bool(row.aha_enabled),
        status=_STATUSES[row.status],
        phone=row.emergency_phone,
        region=row.region,
        revoked=row.enrollment == _REVOKED,
    )
    phone = phones[(row.emergency_phone, row.region)]
    return AccountEligibility(
        account_id=row.id,
        seller_id=row.seller_id,
        store=row.store,
        name=row.name,
        plan=row.plan,
        enrollment=_ENROLLMENTS[row.enrollment],
        eligibility=evaluate(facts, counted, as_of, policy, phone=phone),
        status=facts.status,
        version=row.version,
    )


def sweep(
    engine: Engine,
    *,
    now: datetime,
    as_of: date,
    actor: Actor,
    policy: Policy = DEFAULT_POLICY,
    allow_missing_scores: bool = False,
) -> SweepReport:
    """One transaction: expire overdue cases, queue deadline warnings, move enrolments. Then,
    if enrolments moved, ``account`` is vacuumed on PostgreSQL (``store.account_list.settle``:
    0.7 s after half a million moves at a million accounts).

    The enrolment step is held (``report.enrolment_held``; the rest runs) while no account at
    all has a score for ``as_of``: that day's import has not arrived, and since a missing day
    counts as below the threshold (DESIGN section 4), evaluating the day now would lapse
    enrolled sellers for a feed's delay, not their scores (a stalled import of 11 days would
    lapse every one, each told by email). A seller missing a day that others have is still
    counted against, as the rules say. ``allow_missing_scores`` evaluates the day anyway."""
    report = SweepReport(as_of=as_of)
    with transaction(engine, write=True) as session:
        window.lock_scores(session)  # first: no score changes until the counts are used
        require(session, actor, Permission.SWEEP)
        # Serialise concurrent sweeps: SQLite's BEGIN IMMEDIATE already does; on PostgreSQL the
        # audit head's row lock makes a second sweep wait and then see the first one's warnings.
        audit.lock_chain(session)
        _expire(session, now, actor, report)
        _warn(session, now, policy, report)
        report.notifications += queue_escalations(session, now=now, policy=policy)
        report.window = window.bring_to(session, as_of, policy)
        report.scores_end = queries.last_score_day(session)
        report.enrolment_held = (
            not allow_missing_scores
            and (report.scores_end is None or report.scores_end < as_of)
            and session.execute(select(Account.id).limit(1)).first() is not None
        )
        if not report.enrolment_held:
            _enrol(session, now, as_of, actor, policy, report)
    if report.enrollment_changes:
        account_list.settle(engine)
    return report


def expire_due(engine: Engine, *, now: datetime, actor: Actor) -> list[int]:
    """Only the expiry part of the sweep (the TUI runs it when a deadline passes).

    An operator's TUI applies it; a viewer's TUI (not an operator) leaves it to someone who may
    act, and simply shows the case as overdue.
    """
    report = SweepReport(as_of=now.date())
    with transaction(engine, write=True) as session:
        if not allows(role_of(session, actor.name), Permission.SWEEP):
            return []
        _expire(session, now, actor, report)
    return report.expired


def _expire(session: Session, now: datetime, actor: Actor, report: SweepReport) -> None:
    due = list(
        session.execute(
            select(Case)
            .where(Case.status == "open", col(Case.deadline) < now)
            .order_by(col(Case.deadline))
        ).scalars()
    )
    _load_accounts(session, {case.account_id for case in due})
    # The cases and their accounts are in the session now, so apply_action reads none again,
    # and without autoflush its events and notifications are inserted in batches at the end.
    with session.no_autoflush:
        for case in due:
            assert case.id is not None
            apply_action(
                session, case.id, CaseAction.EXPIRE, at=now, text=DEADLINE_PASSED, actor=actor,
                now=now,
            )
            report.expired.append(case.id)
            report.notifications += 1


def _load_accounts(session: Session, ids: set[int]) -> dict[int, Account]:
    """The accounts by id, a bounded IN list at a time (psycopg takes at most 65,535 parameters)."""
    wanted, accounts = sorted(ids), {}
    for start in range(0, len(wanted), 10_000):
        chunk = wanted[start : start + 10_000]
        found = session.execute(select(Account).where(col(Account.id).in_(chunk))).scalars()
        accounts.update({a.id: a for a in found if a.id is not None})
    return accounts


def _warn(session: Session, now: datetime, policy: Policy, report: SweepReport) -> None:
    already = select(col(Notification.case_id)).where(
        Notification.kind == NotificationKind.DEADLINE_WARNING.value
    )
    due = session.execute(
        select(Case).where(
            Case.status == "open",
            col(Case.deadline) >= now,
            col(Case.deadline) <= now + policy.warn_within,
            Case.id.not_in(already),  # type: ignore[union-attr]
        )
    ).scalars()
    cases = list(due)
    accounts = _load_accounts(session, {case.account_id for case in cases})
    for case in cases:
        assert case.id is not None
        outbox.queue(
            session, NotificationKind.DEADLINE_WARNING, account=accounts[case.account_id],
            case=case, now=now,
        )
        report.warned.append(case.id)
        report.notifications += 1


def _enrol(
    session: Session,
    now: datetime,
    as_of: date,
    actor: Actor,
    policy: Policy,
    report: SweepReport,
) -> None:
    """Move every account whose enrolment the rules change (``service.enrolment``)."""
    report.notifications += enrolment.move_accounts(
        session, enrolment.Decisions(as_of, policy), actor=actor, now=now,
        changes=report.enrollment_changes,
    )
