"""The append-only, hash-chained audit log.

Each event's hash covers its own content, its id and the previous event's hash; the newest hash is
kept in ``meta.audit_head``, read under a row lock, so concurrent writers (PostgreSQL) cannot fork
the chain and deleting the newest event is noticed too. ``verify`` walks the chain.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlmodel import Session

from ahr_tui.store.models import Event, Meta
from ahr_tui.store.schema import GENESIS_HASH


@dataclass(frozen=True, slots=True)
class Actor:
    """Who did it: the OS account, and where from (SSH client address, tty) when known."""

    name: str
    client: str | None = None
    tty: str | None = None


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def event_hash(event: Event, prev_hash: str) -> str:
    payload = {
        "id": event.id,
        "at": _iso(event.at),
        "recorded_at": _iso(event.recorded_at),
        "actor": event.actor,
        "client": event.client,
        "tty": event.tty,
        "account_id": event.account_id,
        "case_id": event.case_id,
        "action": event.action,
        "from": event.from_state,
        "to": event.to_state,
        "note": event.note,
        "prev": prev_hash,
    }
    blob = json.dumps(payload, sort_keys=True, ensure_ascii=True, separators=(",", ":"))
    return hashlib.sha256(blob.encode()).hexdigest()


def append(
    session: Session,
    *,
    actor: Actor,
    action: str,
    at: datetime,
    recorded_at: datetime,
    account_id: int | None = None,
    case_id: int | None = None,
    from_state: str | None = None,
    to_state: str | None = None,
    note: str | None = None,
) -> Event:
    """Add one event to the chain in the caller's transaction."""
    head = session.execute(
        select(Meta).where(Meta.key == "audit_head").with_for_update()  # type: ignore[arg-type]
    ).scalar_one()
    last_id = session.execute(select(func.max(Event.id))).scalar() or 0
    event = Event(
        id=last_id + 1,
        at=at,
        recorded_at=recorded_at,
        actor=actor.name,
        client=actor.client,
        tty=actor.tty,
        account_id=account_id,
        case_id=case_id,
        action=action,
        from_state=from_state,
        to_state=to_state,
        note=note,
        prev_hash=head.value,
        hash="",
    )
    event.hash = event_hash(event, head.value)
    head.value = event.hash
    session.add(event)
    session.flush()
    return event


@dataclass(frozen=True, slots=True)
class VerifyResult:
    ok: bool
    checked: int
    bad_event: int | None = None
    problem: str | None = None


def verify_chain(events: Iterable[Event], head: str) -> VerifyResult:
    prev = GENESIS_HASH
    expected_id = 1
    checked = 0
    for event in events:
        if event.id != expected_id:
            problem = "events are missing before it" if (event.id or 0) > expected_id else "its id is out of order"
            return VerifyResult(False, checked, event.id, problem)
        if event.prev_hash != prev:
            return VerifyResult(False, checked, event.id, "it does not follow the previous event (inserted, or one was deleted)")
        if event_hash(event, prev) != event.hash:
            return VerifyResult(False, checked, event.id, "its content does not match its hash (edited)")
        prev = event.hash
        expected_id += 1
        checked += 1
    if prev != head:
        return VerifyResult(False, checked, expected_id, "the newest events are missing (deleted) or the head was changed")
    return VerifyResult(True, checked)


def verify(session: Session) -> VerifyResult:
    head = session.get(Meta, "audit_head")
    events = session.execute(select(Event).order_by(Event.id)).scalars()  # type: ignore[arg-type]
    return verify_chain(events, head.value if head else GENESIS_HASH)
