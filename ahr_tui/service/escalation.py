"""Queue escalations to operators in the sweep's transaction (``rules.escalation`` decides).

The sweep calls ``queue_escalations`` once; each escalation is a row of the same outbox as the
sellers' notifications, with ``recipient = "operator"`` and the operator's name, delivered by
``ahr notify send``. An operator without an email address gets a row that is ``undeliverable``
at once, with the reason, so ``ahr notify list`` shows who was not told; nothing fails.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlmodel import Session, col

from ahr_tui.notify.render import render
from ahr_tui.notify.states import DeliveryState
from ahr_tui.rules import DEFAULT_POLICY, NotificationKind, Policy, Role
from ahr_tui.rules.escalation import ESCALATION_KINDS, escalation, recipients
from ahr_tui.rules.forecast import DETECTED, OPEN
from ahr_tui.store import bulk
from ahr_tui.store.models import Account, Case, Notification, Operator

OPERATOR = "operator"


#: The columns an escalation is decided and written from, read as plain rows (at a million
#: accounts a first sweep escalates tens of thousands of cases: no ORM object for each).
_CANDIDATE_COLUMNS = (
    Case.id, Case.status, Case.contact_due, Case.deadline, Case.assignee, Case.policy,
    Case.summary, Account.id, Account.seller_id, Account.name, Account.store,
)
_ROW_COLUMNS = ("account_id", "case_id", "kind", "created_at", "to_addr", "subject", "body",
                "state", "attempts", "last_error", "next_attempt_at", "recipient", "operator")


def queue_escalations(session: Session, *, now: datetime, policy: Policy = DEFAULT_POLICY) -> int:
    """Queue every escalation due at ``now`` that the outbox does not hold yet, in one batch
    (``store.bulk.insert_tuples``); returns how many notifications were added (one per
    recipient)."""
    horizon = now + policy.urgent_within
    due = col(Case.deadline)
    contact_due = col(Case.contact_due)
    candidates = session.execute(
        select(*(col(c) for c in _CANDIDATE_COLUMNS))
        .join(Account, col(Account.id) == col(Case.account_id))
        .where(
            ((col(Case.status) == OPEN) & (due >= now) & (due <= horizon))
            | ((col(Case.status) == DETECTED) & (contact_due <= horizon))
        )
        .order_by(col(Case.id))
    ).all()
    if not candidates:
        return 0
    done = _already_escalated(session, [row[0] for row in candidates])
    operators = {o.name: o for o in session.execute(select(Operator)).scalars()}
    leads = sorted(n for n, o in operators.items() if o.role == Role.LEAD.value)
    table = Notification.__table__  # type: ignore[attr-defined]
    stamp = bulk.bound(session, table.c.created_at, now)
    rows: list[tuple[Any, ...]] = []
    for row in candidates:
        case_id, status, contact_due_at, deadline, assignee = row[:5]
        when = contact_due_at if status == DETECTED else deadline
        esc = escalation(status, when, assignee, now, policy)
        if esc is None or (case_id, esc.kind.value) in done:
            continue
        rows.extend(_row(esc.kind, row, when, operators.get(name), name, stamp)
                    for name in recipients(esc, assignee, leads))
    session.flush()  # rows the ORM holds go first (ids in the order they were queued)
    bulk.insert_tuples(session, table, _ROW_COLUMNS, rows)
    return len(rows)


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


def _row(
    kind: NotificationKind, row: Any, due: datetime | None, operator: Operator | None,
    name: str, stamp: Any,
) -> tuple[Any, ...]:
    """One escalation's notification, in ``_ROW_COLUMNS``' order (``stamp``: now, bound)."""
    case_id, _, _, _, _, policy, summary, account_id, seller_id, seller_name, store = row
    rendered = render(
        kind, seller_id=seller_id, seller_name=seller_name, store=store,
        case_id=case_id, policy=policy, summary=summary, deadline=due,
    )
    email = operator.email if operator else None
    reason = None
    if operator is None:
        reason = f"{name} is not an operator"
    elif not email:
        reason = f"operator {name} has no email address"
    state = (DeliveryState.UNDELIVERABLE if reason else DeliveryState.PENDING).value
    return (account_id, case_id, kind.value, stamp, email, rendered.subject, rendered.body,
            state, 0, reason, None if reason else stamp, OPERATOR, name)
