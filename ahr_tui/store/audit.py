"""The append-only, hash-chained audit log.

Each event's hash covers its own content, its id and the previous event's hash; the newest hash is
kept in ``meta.audit_head``, read under a row lock, so concurrent writers (PostgreSQL) cannot fork
the chain and deleting the newest event is noticed too. ``verify`` walks the chain and names the
first event that was edited, inserted or deleted behind the program's back.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select, type_coerce
from sqlalchemy.types import NullType
from sqlmodel import Session

from ahr_tui.store import bulk
from ahr_tui.store.actor import Actor
from ahr_tui.store.models import Event, Meta
from ahr_tui.store.schema import GENESIS_HASH


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _digest(fields: Mapping[str, Any], prev_hash: str) -> str:
    payload = {
        "id": fields["id"],
        "at": _iso(fields["at"]),
        "recorded_at": _iso(fields["recorded_at"]),
        "actor": fields["actor"],
        "client": fields["client"],
        "tty": fields["tty"],
        "account_id": fields["account_id"],
        "case_id": fields["case_id"],
        "action": fields["action"],
        "from": fields["from_state"],
        "to": fields["to_state"],
        "note": fields["note"],
        "prev": prev_hash,
    }
    blob = json.dumps(payload, sort_keys=True, ensure_ascii=True, separators=(",", ":"))
    return hashlib.sha256(blob.encode()).hexdigest()


def _json(value: Any) -> str:
    """``value`` exactly as ``json.dumps(..., ensure_ascii=True)`` writes it."""
    if value is None:
        return "null"
    if isinstance(value, str):
        return _encode_str(value)
    if type(value) is int:
        return int.__repr__(value)
    return json.dumps(value, ensure_ascii=True)


_encode_str: Any = json.encoder.encode_basestring_ascii


def _batch_digest(common: Mapping[str, Any]) -> Any:
    """``_digest`` for events sharing ``common`` (at, recorded_at, actor, client, tty): the
    same JSON text (members in sorted order), built from pieces encoded once.

    The digest takes an ``EventRow``'s values, the event's id and the previous hash. A batch's
    events also share their action, states and note (a sweep's enrolments: a handful of
    distinct ones), so the text between the account, the id and the previous hash is built
    once per distinct combination.
    """
    actor, client, tty = (_json(common[k]) for k in ("actor", "client", "tty"))
    at, recorded_at = _json(_iso(common["at"])), _json(_iso(common["recorded_at"]))
    sha256 = hashlib.sha256
    pieces: dict[tuple[Any, ...], tuple[str, str, str]] = {}

    def between(case_id: int | None, action: str, from_state: str | None,
                to_state: str | None, note: str | None) -> tuple[str, str, str]:
        return (
            f',"action":{_json(action)},"actor":{actor},"at":{at},"case_id":{_json(case_id)},'
            f'"client":{client},"from":{_json(from_state)},"id":',
            f',"note":{_json(note)},"prev":',
            f',"recorded_at":{recorded_at},"to":{_json(to_state)},"tty":{tty}}}',
        )

    def digest(account_id: int | None, case_id: int | None, action: str, from_state: str | None,
               to_state: str | None, note: str | None, event_id: int, prev_hash: str) -> str:
        key = (case_id, action, from_state, to_state, note)
        found = pieces.get(key)
        if found is None:
            found = pieces[key] = between(*key)
        account = "null" if account_id is None else int.__repr__(account_id)
        blob = (f'{{"account_id":{account}{found[0]}{int.__repr__(event_id)}{found[1]}'
                f"{_encode_str(prev_hash)}{found[2]}")
        return sha256(blob.encode()).hexdigest()

    return digest


_FIELDS = ("id", "at", "recorded_at", "actor", "client", "tty", "account_id", "case_id",
           "action", "from_state", "to_state", "note", "prev_hash", "hash")


def event_hash(event: Event, prev_hash: str) -> str:
    return _digest({name: getattr(event, name) for name in _FIELDS}, prev_hash)


def lock_chain(session: Session) -> Meta:
    """Take the chain head's row lock for the rest of the caller's transaction."""
    return session.execute(
        select(Meta).where(Meta.key == "audit_head").with_for_update()
    ).scalar_one()


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
    head, last_id = _tail(session)
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
    session.add(event)  # inserted with the next flush: a sweep's events go in one batch
    session.info[_TAIL] = (session.get_transaction(), head, event.id)
    return event


_TAIL = "ahr_audit_tail"

#: One event of a batch: account id, case id, action, from state, to state, note.
EventRow = tuple[int | None, int | None, str, str | None, str | None, str | None]
_BATCH_COLUMNS = ("id", "account_id", "case_id", "action", "from_state", "to_state", "note",
                  "prev_hash", "hash")


class EventBatches:
    """Events appended in batches whose rows (ids, hashes) are built ahead of their insert:
    a cursor on the chain's tail (the locked head, the newest id, the last hash) carried from
    batch to batch in memory.

    The sweep's enrolments build one page's events while the page before is being inserted
    (``service.enrolment``). The tail is read once, when the cursor is made: events appended
    singly earlier in the transaction are flushed first, so ids stay in order. Then, in this
    order: ``build`` each batch (no database work; ids and hashes chain exactly as ``append``
    would chain them one by one), ``insert`` the batches in the order built, and ``close``
    once every batch is in (it moves ``meta.audit_head``, written with the transaction). Until
    ``close``, nothing else may append to the chain in the transaction; a failed insert leaves
    the transaction to be rolled back.
    """

    def __init__(self, session: Session, *, actor: Actor, at: datetime,
                 recorded_at: datetime) -> None:
        session.flush()
        self._head, self._last_id = _tail(session)
        self._prev: str = self._head.value
        self._digest = _batch_digest({"at": at, "recorded_at": recorded_at, "actor": actor.name,
                                      "client": actor.client, "tty": actor.tty})
        table = self._table = Event.__table__  # type: ignore[attr-defined]
        self._shared = (("at", bulk.bound(session, table.c.at, at)),
                        ("recorded_at", bulk.bound(session, table.c.recorded_at, recorded_at)),
                        ("actor", actor.name), ("client", actor.client), ("tty", actor.tty))

    def build(self, events: Sequence[EventRow]) -> list[tuple[Any, ...]]:
        """The rows of ``events``, the next ids and hashes of the chain: (id, *event,
        prev_hash, hash) each."""
        digest, prev, rows = self._digest, self._prev, []
        for event_id, event in enumerate(events, self._last_id + 1):
            hashed = digest(*event, event_id, prev)
            rows.append((event_id, *event, prev, hashed))
            prev = hashed
        self._prev = prev
        self._last_id += len(rows)
        return rows

    def insert(self, session: Session, rows: Sequence[tuple[Any, ...]]) -> None:
        """Insert rows ``build`` made, in one batch (any thread that may use the session)."""
        bulk.insert_tuples(session, self._table, _BATCH_COLUMNS, rows, shared=self._shared)

    def close(self, session: Session) -> None:
        """Move the chain's head past every batch built (each inserted by now)."""
        if self._prev == self._head.value:  # nothing built
            return
        self._head.value = self._prev
        session.info[_TAIL] = (session.get_transaction(), self._head, self._last_id)


def _tail(session: Session) -> tuple[Meta, int]:
    """The locked chain head and the newest event id, read once per transaction.

    The head's row lock is held until the transaction ends, so within one transaction nobody
    else can append: the second and later events of a sweep skip both queries. (A savepoint
    rolled back after an append would make the cache stale; the project uses none.)
    """
    cached = session.info.get(_TAIL)
    if cached is not None and cached[0] is session.get_transaction():
        return cached[1], cached[2]
    head = lock_chain(session)
    last_id = session.execute(select(func.max(Event.id))).scalar() or 0
    return head, last_id


@dataclass(frozen=True, slots=True)
class VerifyResult:
    ok: bool
    checked: int
    bad_event: int | None = None
    problem: str | None = None


def verify_chain(events: Iterable[Mapping[str, Any]], head: str) -> VerifyResult:
    """Walk events (mappings of the event columns, oldest first) against the stored head.

    Deleted: a gap in the ids (the first missing id is named), or the head names an event that is
    no longer there. Inserted: an event whose ``prev_hash`` is not its predecessor's hash, one
    that skips ids yet chains on, or events after the one the head names. Edited: content that
    no longer matches its hash.
    """
    prev = GENESIS_HASH
    expected_id = 1
    checked = 0
    head_at: int | None = None  # the event whose hash the head names (memory: O(1), not O(n))
    for row in events:
        event_id = row["id"]
        if event_id != expected_id:
            return _gap(row, expected_id, prev, checked)
        if row["prev_hash"] != prev:
            return VerifyResult(False, checked, event_id, _not_following(event_id))
        if _safe_digest(row, prev) != row["hash"]:
            return VerifyResult(False, checked, event_id, _MISMATCH)
        prev = row["hash"]
        if prev == head:
            head_at = event_id
        expected_id += 1
        checked += 1
    if prev == head:
        return VerifyResult(True, checked)
    if head_at is not None:
        return VerifyResult(
            False, checked, head_at + 1,
            f"it was added outside ahr (the log's recorded head is event {head_at})",
        )
    return VerifyResult(
        False, checked, expected_id,
        f"it is missing (deleted): the log ends at event {expected_id - 1} but its recorded "
        "head names a later one",
    )


def _gap(row: Mapping[str, Any], expected_id: int, prev: str, checked: int) -> VerifyResult:
    event_id = row["id"]
    if isinstance(event_id, int) and event_id > expected_id:
        if row["prev_hash"] == prev:  # chains on from its predecessor, yet skips ids: forged
            return VerifyResult(
                False, checked, event_id,
                f"it was inserted (its id skips from {expected_id - 1} to {event_id})",
            )
        after = f"event {event_id} follows event {expected_id - 1}" if expected_id > 1 else (
            f"the log starts at event {event_id}"
        )
        return VerifyResult(False, checked, expected_id, f"it is missing (deleted): {after}")
    return VerifyResult(False, checked, event_id, "its id is out of order (edited)")


_MISMATCH = "its content does not match its hash (edited, or inserted by hand)"


def _not_following(event_id: int) -> str:
    if event_id == 1:
        return "it does not start the chain (inserted, or the chain was rewritten)"
    return f"it does not follow event {event_id - 1} (inserted, or the chain was rewritten)"


def _safe_digest(row: Mapping[str, Any], prev: str) -> str | None:
    """The hash the row should have; None when its stored values cannot even be read (edited)."""
    try:
        fields = dict(row)
        fields["at"] = _instant(row["at"])
        fields["recorded_at"] = _instant(row["recorded_at"])
        return _digest(fields, prev)
    except (TypeError, ValueError, OverflowError):
        return None


def _instant(value: object) -> datetime:
    """A stored instant as aware UTC: PostgreSQL gives naive datetimes, SQLite gives text."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if not isinstance(value, datetime):
        raise TypeError(f"not an instant: {value!r}")
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def verify(session: Session) -> VerifyResult:
    """Check the whole chain. Reads raw column values so that a hand-edited row that no longer
    parses (a garbage timestamp) is reported as edited instead of crashing the check. Memory is
    flat in the number of events (rows streamed, nothing kept per event)."""
    head = session.get(Meta, "audit_head")
    table = Event.__table__  # type: ignore[attr-defined]
    columns = [
        type_coerce(table.c[name], NullType()).label(name) if name in ("at", "recorded_at")
        else table.c[name]
        for name in _FIELDS
    ]
    # streamed (a server-side cursor on PostgreSQL): a million events never sit in memory
    query = select(*columns).order_by(table.c.id).execution_options(yield_per=10_000)
    rows = session.execute(query).mappings()
    return verify_chain(rows, head.value if head else GENESIS_HASH)
