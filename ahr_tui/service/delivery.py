"""``ahr notify send``: deliver the due notifications of the outbox, each at most once per run.

How a notification moves (the four states of DESIGN.md section 5, and no other):

- ``pending`` and due (``next_attempt_at`` empty or not after now) -> picked by a run.
- No usable address (none on the notification, none on the account, or a malformed one) ->
  ``undeliverable`` with the reason in ``last_error``; no SMTP involved.
- **Claim**, in its own short transaction: a compare-and-set on ``(state, attempts)`` that adds
  one to ``attempts`` and moves ``next_attempt_at`` to now + ``LEASE``. Only one run can win it
  (SQLite serialises writers with ``BEGIN IMMEDIATE``; on PostgreSQL the loser's UPDATE waits
  for the winner's row lock, then no longer matches), and while the lease runs the row is not
  due, so no other run picks it. The row stays ``pending`` throughout: there is no ``sending``
  state, so ``ahr notify list --json`` only ever shows the four documented states;
  ``last_error`` says "attempt N started at ..." while the attempt is in flight.
- Send, then **record** the outcome in another short transaction, again guarded by the attempt
  number: ``sent`` (+ ``sent_at``); a temporary failure (4xx, dropped or refused connection)
  stays ``pending`` with the error and ``next_attempt_at = now + retry_delay(attempts)``
  (5 min x 2^(attempts-1), at most 2 h); a permanent one (5xx) becomes ``failed``, never retried.

A crash between send and record leaves the row ``pending`` with its lease; when the lease has
passed, a later run sends it again. That resend is the same message, same ``Message-ID``
(``notify.smtp``), so the receiver can recognise it: we prefer a possible duplicate that can be
deduplicated to a deadline warning that silently never arrives. ``LEASE`` is far longer than one
SMTP exchange can take (each socket operation times out after 30 s), so a slow but live run is
never overtaken.

Used by the CLI (``ahr_tui.cli.notify_cmd``); the TUI only reads the outbox
(``service.notifications``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import Protocol

from sqlalchemy import or_, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col

from ahr_tui.notify.smtp import Outcome, SmtpConfigError, Verdict, address_problem, build_message
from ahr_tui.notify.states import DeliveryState
from ahr_tui.rules import Permission
from ahr_tui.service import outbox
from ahr_tui.service.access import require
from ahr_tui.service.clock import Clock
from ahr_tui.store.actor import Actor
from ahr_tui.store.engine import transaction
from ahr_tui.store.models import Account, Notification
from ahr_tui.wording import instant

LEASE = timedelta(minutes=10)
FIRST_RETRY = timedelta(minutes=5)
MAX_RETRY = timedelta(hours=2)


class Transport(Protocol):
    """What a run needs from SMTP (``notify.smtp.SmtpTransport``; tests may pass a fake)."""

    unreachable: str | None

    def deliver(self, message: EmailMessage, to_addr: str) -> Outcome: ...


@dataclass
class DeliveryReport:
    sent: list[int] = field(default_factory=list)
    deferred: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    undeliverable: list[int] = field(default_factory=list)
    #: Set when the SMTP server could not be reached at all during the run.
    unreachable: str | None = None

    def summary(self) -> str:
        return (
            f"sent {len(self.sent)}, deferred {len(self.deferred)}, failed {len(self.failed)}, "
            f"undeliverable {len(self.undeliverable)}"
        )


@dataclass(frozen=True, slots=True)
class _Due:
    id: int
    attempts: int
    next_attempt_at: datetime | None
    last_error: str | None
    address: str | None


@dataclass(frozen=True, slots=True)
class _Claim:
    due: _Due
    attempt: int
    message: EmailMessage


def retry_delay(attempts: int) -> timedelta:
    """How long after its ``attempts``-th failed attempt a notification is due again."""
    return min(FIRST_RETRY * 2 ** min(max(attempts - 1, 0), 16), MAX_RETRY)


def send(
    engine: Engine,
    *,
    transport: Transport,
    from_addr: str,
    clock: Clock,
    actor: Actor,
    limit: int | None = None,
) -> DeliveryReport:
    """Deliver up to ``limit`` due notifications (all when None); mark the unaddressable ones.

    Raises ``SmtpConfigError`` (after releasing the claim it held) when the server refuses the
    session itself: a wrong password must not use up every notification's attempts.
    """
    with transaction(engine) as session:
        require(session, actor, Permission.SWEEP)
    report = DeliveryReport()
    tried = 0
    for due in _due(engine, clock()):
        problem = address_problem(due.address)
        if problem is not None:
            if _mark_undeliverable(engine, due, problem, clock()):
                report.undeliverable.append(due.id)
            continue
        if limit is not None and tried >= limit:
            continue
        claim = _claim(engine, due, from_addr, clock())
        if claim is None:
            continue  # another run took it first
        tried += 1
        assert due.address is not None
        try:
            outcome = transport.deliver(claim.message, due.address)
        except SmtpConfigError:
            _release(engine, claim)
            raise
        _record(engine, claim, outcome, clock(), report)
    report.unreachable = transport.unreachable
    return report


def _is_due(now: datetime) -> ColumnElement[bool]:
    due_at = col(Notification.next_attempt_at)
    return or_(due_at.is_(None), due_at <= now)


def _due(engine: Engine, now: datetime) -> list[_Due]:
    query = (
        select(
            col(Notification.id), col(Notification.attempts), col(Notification.next_attempt_at),
            col(Notification.last_error), col(Notification.to_addr), col(Account.email),
        )
        .join(Account, col(Account.id) == col(Notification.account_id))
        .where(col(Notification.state) == DeliveryState.PENDING.value, _is_due(now))
        .order_by(col(Notification.id))
    )
    with transaction(engine) as session:
        rows = session.execute(query).all()
    return [
        _Due(id=i, attempts=n, next_attempt_at=at, last_error=error, address=to or email or None)
        for i, n, at, error, to, email in rows
    ]


def _guarded(note_id: int, attempts: int) -> list[ColumnElement[bool]]:
    """The row as we saw it: still pending, with the attempt count we read or set."""
    return [
        col(Notification.id) == note_id,
        col(Notification.state) == DeliveryState.PENDING.value,
        col(Notification.attempts) == attempts,
    ]


def _mark_undeliverable(engine: Engine, due: _Due, reason: str, now: datetime) -> bool:
    with transaction(engine, write=True) as session:
        result = session.execute(
            update(Notification)
            .where(*_guarded(due.id, due.attempts), _is_due(now))
            .values(
                state=DeliveryState.UNDELIVERABLE.value, last_error=reason, next_attempt_at=None
            )
            .execution_options(synchronize_session=False)
        )
        return bool(result.rowcount == 1)  # type: ignore[attr-defined]


def _claim(engine: Engine, due: _Due, from_addr: str, now: datetime) -> _Claim | None:
    attempt = due.attempts + 1
    with transaction(engine, write=True) as session:
        result = session.execute(
            update(Notification)
            .where(*_guarded(due.id, due.attempts), _is_due(now))
            .values(
                attempts=attempt,
                next_attempt_at=now + LEASE,
                to_addr=due.address,
                last_error=f"attempt {attempt} started at {instant(now)}; outcome not recorded yet",
            )
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            return None
        subject, body, kind, created_at, name, seller_id, store, operator = session.execute(
            select(
                Notification.subject, Notification.body, Notification.kind,
                Notification.created_at, Account.name, Account.seller_id, Account.store,
                Notification.operator,
            )
            .join(Account, col(Account.id) == col(Notification.account_id))
            .where(col(Notification.id) == due.id)
        ).one()
    assert due.address is not None
    body = outbox.delivered_body(body, kind, seller_id=seller_id, name=name, store=store)
    message = build_message(
        notification_id=due.id, from_addr=from_addr, to_addr=due.address, to_name=operator or name,
        subject=subject, body=body, created_at=created_at,
    )
    return _Claim(due=due, attempt=attempt, message=message)


def _release(engine: Engine, claim: _Claim) -> None:
    """Undo a claim whose attempt never reached the message (the session was refused)."""
    due = claim.due
    with transaction(engine, write=True) as session:
        session.execute(
            update(Notification)
            .where(*_guarded(due.id, claim.attempt))
            .values(
                attempts=due.attempts,
                next_attempt_at=due.next_attempt_at,
                last_error=due.last_error,
            )
            .execution_options(synchronize_session=False)
        )


def _record(
    engine: Engine, claim: _Claim, outcome: Outcome, now: datetime, report: DeliveryReport
) -> None:
    note_id = claim.due.id
    if outcome.verdict is Verdict.DELIVERED:
        values: dict[str, object] = {
            "state": DeliveryState.SENT.value, "sent_at": now, "last_error": None,
            "next_attempt_at": None,
        }
        bucket = report.sent
    elif outcome.verdict is Verdict.PERMANENT:
        values = {
            "state": DeliveryState.FAILED.value, "last_error": outcome.error,
            "next_attempt_at": None,
        }
        bucket = report.failed
    else:
        values = {"last_error": outcome.error, "next_attempt_at": now + retry_delay(claim.attempt)}
        bucket = report.deferred
    with transaction(engine, write=True) as session:
        result = session.execute(
            update(Notification)
            .where(*_guarded(note_id, claim.attempt))
            .values(**values)
            .execution_options(synchronize_session=False)
        )
    # Zero rows: our lease ran out and another run has claimed it since; its record wins.
    if result.rowcount == 1:  # type: ignore[attr-defined]
        bucket.append(note_id)
