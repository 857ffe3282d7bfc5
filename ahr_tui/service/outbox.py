"""Queue notifications in the caller's transaction (delivery is ``notify.smtp``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlmodel import Session

from ahr_tui.notify.render import render, seller_subject
from ahr_tui.notify.states import DeliveryState
from ahr_tui.rules import NotificationKind
from ahr_tui.store import bulk
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
    note = Notification(
        **values(
            kind, account_id=account.id, seller_id=account.seller_id, name=account.name,
            store=account.store, email=account.email, now=now, case=case,
        )
    )
    session.add(note)
    return note


def values(
    kind: NotificationKind,
    *,
    account_id: int,
    seller_id: str,
    name: str,
    store: str,
    email: str | None,
    now: datetime,
    case: Case | None = None,
) -> dict[str, Any]:
    """The columns of one pending notification (rendered now, first attempt at ``now``)."""
    rendered = render(
        kind,
        seller_id=seller_id,
        seller_name=name,
        store=store,
        case_id=case.id if case else None,
        policy=case.policy if case else None,
        summary=case.summary if case else None,
        deadline=case.deadline if case else None,
    )
    return {
        "account_id": account_id,
        "case_id": case.id if case else None,
        "kind": kind.value,
        "created_at": now,
        "to_addr": email or None,
        "subject": rendered.subject,
        "body": rendered.body,
        "state": DeliveryState.PENDING.value,
        "next_attempt_at": now,
    }


#: One seller notification of a batch: kind, account id, seller id, name, store, address.
SellerNote = tuple[NotificationKind, int, str, str, str, str | None]
_SELLER_COLUMNS = ("account_id", "kind", "to_addr", "subject")
_KIND_VALUES = {kind: kind.value for kind in NotificationKind}  # Enum.value is a slow property
#: The body of a batch notification: rendered when it is delivered (``delivered_body``). A
#: rendered body is never empty (it ends with a line break), so the two cannot be confused.
DEFERRED = ""


#: One row of ``seller_rows``: account id, kind, address, subject.
SellerRow = tuple[int, str, str | None, str]


def seller_rows(notes: Sequence[SellerNote]) -> list[SellerRow]:
    """The rows of ``notes`` (about the seller alone: no case; the sweep's enrolments),
    rendered: the rows ``queue`` would write, except that the body (about 500 bytes, a sweep
    queues hundreds of thousands) is rendered at delivery. No database work: a sweep builds one
    page's while the page before is inserted (``insert_seller_rows``)."""
    return [
        (account_id, _KIND_VALUES[kind], email or None,
         seller_subject(kind, seller_id=seller_id, seller_name=name, store=store))
        for kind, account_id, seller_id, name, store, email in notes
    ]


def insert_seller_rows(session: Session, rows: Sequence[SellerRow], now: datetime) -> None:
    """Insert rows ``seller_rows`` made, in one batch, created and first attempted at ``now``."""
    table = Notification.__table__  # type: ignore[attr-defined]
    created = bulk.bound(session, table.c.created_at, now)
    shared = (("created_at", created), ("body", DEFERRED), ("state", DeliveryState.PENDING.value),
              ("attempts", 0), ("next_attempt_at", created))
    bulk.insert_tuples(session, table, _SELLER_COLUMNS, rows, shared=shared)


def delivered_body(body: str, kind: str, *, seller_id: str, name: str, store: str) -> str:
    """The body to send: the stored one, or for a ``DEFERRED`` one its kind's template rendered
    for the seller (as ``queue`` renders it)."""
    if body != DEFERRED:
        return body
    return render(NotificationKind(kind), seller_id=seller_id, seller_name=name, store=store).body
