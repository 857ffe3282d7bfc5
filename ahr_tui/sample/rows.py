"""Writing drafts as rows with the sqlite3 module, in exactly the form SQLAlchemy writes them.

``UTCDateTime`` stores naive UTC as ``YYYY-MM-DD HH:MM:SS.ffffff`` and ``Date`` as
``YYYY-MM-DD`` on SQLite (tests read them back through the models). The audit chain is computed
by ``store.audit.event_hash`` itself, so ``ahr audit verify`` checks the very same function.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, cast

from ahr_tui.notify.render import render
from ahr_tui.notify.states import DeliveryState
from ahr_tui.sample.timeline import LAST_SWEEP, REFERENCE, EventDraft, NoticeDraft
from ahr_tui.store.audit import event_hash
from ahr_tui.store.models import Event

Segment = tuple[int, int, int]


def db_instant(value: datetime | None) -> str | None:
    """An aware instant as ``UTCDateTime`` writes it on SQLite."""
    if value is None:
        return None
    if value.tzinfo is not UTC:
        value = value.astimezone(UTC)
    return value.replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")


def from_db_instant(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value).replace(tzinfo=UTC)


def write_scores(conn: sqlite3.Connection, first_day: date, days: int,
                 segments: Iterable[tuple[int, Segment]]) -> int:
    """Expand ``(account id, (first, last, score))`` steps into daily rows inside SQLite.

    Python hands over about 10 steps per account; SQLite joins them with a table of the days,
    account by account (each day's rows then go in at the end of that day's range of the
    day-first key), so 10,000,000 rows cost one INSERT ... SELECT, not 10,000,000 bindings.
    """
    conn.execute("CREATE TEMP TABLE sample_day (i INTEGER PRIMARY KEY, day TEXT NOT NULL)")
    conn.executemany("INSERT INTO sample_day VALUES (?, ?)",
                     ((i, (first_day + timedelta(days=i)).isoformat()) for i in range(days)))
    conn.execute("CREATE TEMP TABLE sample_step (account_id INTEGER, lo INTEGER, hi INTEGER, "
                 "score INTEGER)")
    conn.executemany("INSERT INTO sample_step VALUES (?, ?, ?, ?)",
                     ((acc, lo, hi, value) for acc, (lo, hi, value) in segments))
    cur = conn.execute(
        "INSERT INTO score (account_id, day, score) "
        "SELECT s.account_id, d.day, s.score FROM sample_step AS s CROSS JOIN sample_day AS d "
        "WHERE d.i BETWEEN s.lo AND s.hi ORDER BY s.rowid, d.i"
    )
    count = cur.rowcount
    conn.execute("DROP TABLE sample_step")
    conn.execute("DROP TABLE sample_day")
    return count


@dataclass(slots=True)
class HashedEvent:
    """The attributes ``event_hash`` reads, without building 100,000 SQLModel objects."""

    id: int
    at: datetime
    recorded_at: datetime
    actor: str
    client: str | None
    tty: str | None
    account_id: int | None
    case_id: int | None
    action: str
    from_state: str | None
    to_state: str | None
    note: str | None
    prev_hash: str = ""
    hash: str = ""

    @classmethod
    def from_row(cls, row: Sequence[Any]) -> HashedEvent:
        """From ``SELECT id, at, recorded_at, actor, ..., note`` (the columns in field order)."""
        at, recorded = (datetime.fromisoformat(v).replace(tzinfo=UTC) for v in row[1:3])
        return cls(row[0], at, recorded, *row[3:12])


def chain(events: Iterable[HashedEvent], prev: str) -> Iterator[tuple[HashedEvent, str, str]]:
    """Each event with its previous hash and its own, exactly as ``store.audit.append`` does."""
    for event in events:
        digest = event_hash(cast(Event, event), prev)
        yield event, prev, digest
        prev = digest


def hashed(drafts: Iterable[EventDraft], first_id: int) -> Iterator[HashedEvent]:
    for number, e in enumerate(drafts, start=first_id):
        yield HashedEvent(
            id=number, at=e.at, recorded_at=e.recorded_at, actor=e.actor.name,
            client=e.actor.client, tty=e.actor.tty,
            account_id=e.account.id if e.account else None, case_id=e.case.id if e.case else None,
            action=e.action, from_state=e.from_state, to_state=e.to_state, note=e.note,
        )


INSERT_EVENT = (
    "INSERT INTO event (id, at, recorded_at, actor, client, tty, account_id, case_id, action, "
    "from_state, to_state, note, prev_hash, hash) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
)


def event_values(rows: Iterable[tuple[HashedEvent, str, str]]) -> list[tuple[object, ...]]:
    """Rows for ``INSERT_EVENT`` from chained events (the last one's hash is the new head)."""
    return [(e.id, db_instant(e.at), db_instant(e.recorded_at), e.actor, e.client, e.tty,
             e.account_id, e.case_id, e.action, e.from_state, e.to_state, e.note, prev, digest)
            for e, prev, digest in rows]


_TEMPORARY = "451 4.7.1 Service temporarily unavailable, try again later"
_PERMANENT = "550 5.1.1 Recipient address rejected: mailbox unavailable"


def delivery(notice: NoticeDraft, to_addr: str | None, roll: float) -> tuple[object, ...]:
    """(state, sent_at, attempts, last_error, next_attempt_at) for a notification's age.

    The cron job that sends them stopped with the sweep (``LAST_SWEEP``): newer ones wait for
    their first attempt; the mail relay was failing for some hours before that.
    """
    age = REFERENCE - notice.created_at
    if to_addr is None:
        return DeliveryState.UNDELIVERABLE.value, None, 0, "no e-mail address on file", None
    if notice.created_at > LAST_SWEEP:
        return DeliveryState.PENDING.value, None, 0, None, db_instant(notice.created_at)
    if age < timedelta(hours=10):
        attempts = min(5, 1 + int(age / timedelta(hours=1)))
        retry = REFERENCE + timedelta(minutes=5 + int(roll * 25))
        return DeliveryState.FAILED.value, None, attempts, _TEMPORARY, db_instant(retry)
    if roll < 0.03:
        return DeliveryState.UNDELIVERABLE.value, None, 1, _PERMANENT, None
    sent = notice.created_at + timedelta(seconds=30 + int(roll * 600))
    return DeliveryState.SENT.value, db_instant(sent), 1, None, None


INSERT_NOTIFICATION = (
    "INSERT INTO notification (account_id, case_id, kind, created_at, to_addr, subject, body, "
    "state, sent_at, attempts, last_error, next_attempt_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)"
)


def notice_values(notices: list[NoticeDraft], rolls: list[float]) -> list[tuple[object, ...]]:
    """Rows for ``INSERT_NOTIFICATION``, rendered by the real templates."""
    out = []
    for notice, roll in zip(notices, rolls, strict=True):
        account, case = notice.account, notice.case
        to_addr = account.email or None
        text = render(
            notice.kind, seller_id=account.seller_id, seller_name=account.name,
            store=account.store, case_id=case.id if case else None,
            policy=case.policy if case else None, summary=case.summary if case else None,
            deadline=case.deadline if case else None,
        )
        out.append((account.id, case.id if case else None, notice.kind.value,
                    db_instant(notice.created_at), to_addr, text.subject, text.body,
                    *delivery(notice, to_addr, roll)))
    return out
