"""Reading the outbox (``ahr notify list``, the TUI's account detail)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlmodel import Session, col

from ahr_tui.notify.states import DeliveryState
from ahr_tui.service.views import iso_z
from ahr_tui.store.models import Account, Notification


@dataclass(frozen=True, slots=True)
class NotificationView:
    id: int
    account_id: int
    seller_id: str
    store: str
    case_id: int | None
    kind: str
    to: str | None
    subject: str
    created_at: datetime
    sent_at: datetime | None
    state: str
    attempts: int
    last_error: str | None
    next_attempt_at: datetime | None
    recipient: str | None = None
    operator: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "seller_id": self.seller_id,
            "store": self.store,
            "case_id": self.case_id,
            "kind": self.kind,
            "to": self.to,
            "subject": self.subject,
            "created_at": iso_z(self.created_at),
            "sent_at": iso_z(self.sent_at),
            "state": self.state,
            "attempts": self.attempts,
            "last_error": self.last_error,
            "next_attempt_at": iso_z(self.next_attempt_at),
            "recipient": self.recipient or "seller",
            "operator": self.operator,
        }


def list_notifications(
    session: Session, *, pending_only: bool = False, account_id: int | None = None
) -> list[NotificationView]:
    query = (
        select(
            *(
                col(c)
                for c in (
                    Notification.id,
                    Notification.account_id,
                    Account.seller_id,
                    Account.store,
                    Notification.case_id,
                    Notification.kind,
                    Notification.to_addr,
                    Notification.subject,
                    Notification.created_at,
                    Notification.sent_at,
                    Notification.state,
                    Notification.attempts,
                    Notification.last_error,
                    Notification.next_attempt_at,
                    Notification.recipient,
                    Notification.operator,
                )
            )
        )
        .join(Account, Account.id == Notification.account_id)
        .order_by(Notification.id)
    )
    if pending_only:
        query = query.where(Notification.state == DeliveryState.PENDING.value)
    if account_id is not None:
        query = query.where(Notification.account_id == account_id)
    return [NotificationView(*row) for row in session.execute(query)]
