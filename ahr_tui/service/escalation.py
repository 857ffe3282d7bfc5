"""Queue escalations to operators in the sweep's transaction (``rules.escalation`` decides).

The sweep calls ``queue_escalations`` once; each escalation is a row of the same outbox as the
sellers' notifications, with ``recipient = "operator"`` and the operator's name, delivered by
``ahr notify send``. An operator without an email address gets a row that is ``undeliverable``
at once, with the reason, so ``ahr notify list`` shows who was not told; nothing fails.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlmodel import Session, col

from ahr_tui.notify.render import render
from ahr_tui.notify.states import DeliveryState
from ahr_tui.rules import DEFAULT_POLICY, NotificationKind, Policy, Role
from ahr_tui.rules.escalation import ESCALATION_KINDS, escalation, recipients
from ahr_tui.rules.forecast import DETECTED, OPEN
from ahr_tui.store.models import Account, Case, Notification, Operator

OPERATOR = "operator"


def queue_escalations(session: Session, *, now: datetime, policy: Policy = DEFAULT_POLICY) -> int:
    """Queue every escalation due at ``now`` that the outbox does not hold yet; returns how many
    notifications were added (one per recipient)."""
    horizon = now + policy.urgent_within
    due = col(Case.deadline)
    contact_due = col(Case.contact_due)
    candidates = session.execute(
        select(Case, Account)
        .join(Account, col(Account.id) == col(Case.account_id))
        .where(
            ((col(Case.status) == OPEN) & (due >= now) & (due <= horizon))
            | ((col(Case.status) == DETECTED) & (contact_due <= horizon))
        )
        .order_by(col(Case.id))
    ).all()
    if not candidates:
        return 0
    done = _already_escalated(session, [case.id for case, _ in candidates])
    operators = {o.name: o for o in session.execute(select(Operator)).scalars()}
    leads = sorted(n for n, o in operators.items() if o.role == Role.LEAD.value)
    added = 0
    for case, account in candidates:
        when = case.contact_due if case.status == DETECTED else case.deadline
        esc = escalation(case.status, when, case.assignee, now, policy)
        if esc is None or (case.id, esc.kind.value) in done:
            continue
        for name in recipients(esc, case.assignee, leads):
            session.add(_notification(esc.kind, case, account, operators.get(name), name, when,
                                      now))
            added += 1
    return added


def _already_escalated(session: Session, case_ids: list[int]) -> set[tuple[int, str]]:
    found: set[tuple[int, str]] = set()
    kinds = sorted(k.value for k in ESCALATION_KINDS)
    for start in range(0, len(case_ids), 10_000):
        chunk = case_ids[start : start + 10_000]
        rows = session.execute(
            select(col(Notification.case_id), col(Notification.kind)).where(
                col(Notification.case_id).in_(chunk), col(Notification.kind).in_(kinds)
            )
        )
        found.update((case_id, kind) for case_id, kind in rows)
    return found


def _notification(
    kind: NotificationKind, case: Case, account: Account, operator: Operator | None, name: str,
    due: datetime | None, now: datetime,
) -> Notification:
    rendered = render(
        kind, seller_id=account.seller_id, seller_name=account.name, store=account.store,
        case_id=case.id, policy=case.policy, summary=case.summary, deadline=due,
    )
    email = operator.email if operator else None
    reason = None
    if operator is None:
        reason = f"{name} is not an operator"
    elif not email:
        reason = f"operator {name} has no email address"
    assert account.id is not None
    return Notification(
        account_id=account.id, case_id=case.id, kind=kind.value, created_at=now, to_addr=email,
        subject=rendered.subject, body=rendered.body,
        state=(DeliveryState.UNDELIVERABLE if reason else DeliveryState.PENDING).value,
        last_error=reason,
        next_attempt_at=None if reason else now, recipient=OPERATOR, operator=name,
    )
