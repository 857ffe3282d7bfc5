"""Queue notifications in the caller's transaction (delivery is ``notify.smtp``)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from ahr_tui.notify.render import render
from ahr_tui.rules import NotificationKind
from ahr_tui.store.models import Account, Case, Notification


def queue(
    session: Session,
    kind: NotificationKind,
    *,
    account: Account,
    now: datetime,
    case: Case | None = None,
) -> Notification:
    assert account.id is not None
    rendered = render(
        kind,
        seller_id=account.seller_id,
        seller_name=account.name,
        store=account.store,
        case_id=case.id if case else None,
        policy=case.policy if case else None,
        summary=case.summary if case else None,
        deadline=case.deadline if case else None,
    )
    note = Notification(
        account_id=account.id,
        case_id=case.id if case else None,
        kind=kind.value,
        created_at=now,
        to_addr=account.email or None,
        subject=rendered.subject,
        body=rendered.body,
        state="pending",
        next_attempt_at=now,
    )
    session.add(note)
    return note
