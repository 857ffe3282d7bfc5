"""The sweep's enrolment step, set-based: every account read in pages, changes written in batches.

The accounts are read a page at a time by id (keyset pagination: memory does not grow with the
number of accounts). Each account's decision is ``rules.evaluate`` then ``rules.next_enrollment``;
both depend only on a handful of small facts (plan, store enabled, status, enrolment, phone
status, the two window counts), so a decision is worked out once per distinct combination and
looked up for every other account with the same facts. The changes of a page are written as
three batches in the sweep's transaction: the account rows (each still at the version read, or
``Conflict``), their audit events (chained in order, ``store.audit.append_many``) and their
notifications.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlmodel import Session, col

from ahr_tui.errors import Conflict
from ahr_tui.rules import (
    AccountFacts,
    AccountStatus,
    Enrollment,
    EnrollmentChange,
    PhoneStatus,
    Plan,
    Policy,
    ScoreWindow,
    evaluate,
    next_enrollment,
)
from ahr_tui.rules.automatic import enrollment_note
from ahr_tui.service import outbox
from ahr_tui.service.detail import PhoneCache
from ahr_tui.store import audit, bulk
from ahr_tui.store.actor import Actor
from ahr_tui.store.models import Account, Store, WindowCount

PAGE = 10_000

_COLUMNS = (
    Account.id, Account.seller_id, Account.store, Account.name, Account.email, Account.plan,
    Account.status, Account.enrollment, Account.emergency_phone, Account.version,
    Store.aha_enabled, Store.region, WindowCount.scored, WindowCount.at_or_above,
)


@dataclass(frozen=True, slots=True)
class Move:
    """What the sweep does to one account: the change, the note its audit event carries, and
    the change's states as stored (``before``, ``after``) and as counted (``label``: ``a->b``),
    worked out once per distinct decision rather than once per account."""

    change: EnrollmentChange
    note: str
    before: str
    after: str
    label: str


class Decisions:
    """``evaluate`` + ``next_enrollment`` for one evaluation day, memoised on the facts they read.

    The phone status (phonenumbers, ~30 µs a number) is memoised per (phone, region) as well.
    """

    def __init__(self, as_of: date, policy: Policy) -> None:
        self.as_of = as_of
        self.policy = policy
        self._moves: dict[tuple[Any, ...], Move | None] = {}
        self.phone = PhoneCache().status

    def move(
        self, plan: str, enabled: bool, status: str, enrollment: str, phone: PhoneStatus,
        scored: int, at_or_above: int,
    ) -> Move | None:
        key = (plan, enabled, status, enrollment, phone, scored, at_or_above)
        try:
            return self._moves[key]
        except KeyError:
            found = self._moves[key] = self._decide(*key)
            return found

    def _decide(
        self, plan: str, enabled: bool, status: str, enrollment: str, phone: PhoneStatus,
        scored: int, at_or_above: int,
    ) -> Move | None:
        window_days = self.policy.window_days
        window = ScoreWindow(days_below=window_days - at_or_above,
                             days_missing=window_days - scored)
        current = Enrollment(enrollment)
        facts = AccountFacts(plan=Plan(plan), store_enabled=bool(enabled),
                             status=AccountStatus(status), phone=None, region="",
                             revoked=current is Enrollment.REVOKED)
        eligibility = evaluate(facts, window, self.as_of, self.policy, phone=phone)
        change = next_enrollment(current, eligibility, facts.status)
        if change is None:
            return None
        reasons = ", ".join(r.value for r in eligibility.reasons) or "all criteria met"
        before, after = change.before.value, change.after.value
        return Move(change, enrollment_note(self.as_of, reasons), before, after,
                    f"{before}->{after}")


def account_pages(session: Session, size: int = PAGE) -> Iterator[Sequence[Any]]:
    """Every account with its store's flag and region and its window counts (``window_count``,
    which the caller has brought to the day: ``store.window.bring_to``), ``size`` at a time."""
    last = 0
    while True:
        page = session.execute(
            select(*(col(c) for c in _COLUMNS))
            .join(Store, Store.code == Account.store)
            .outerjoin(WindowCount, col(WindowCount.account_id) == Account.id)
            .where(col(Account.id) > last)
            .order_by(col(Account.id))
            .limit(size)
        ).all()
        if not page:
            return
        yield page
        last = page[-1][0]


def move_accounts(
    session: Session,
    decisions: Decisions,
    *,
    actor: Actor,
    now: datetime,
    changes: Counter[str],
) -> int:
    """Apply every enrolment change, counting each in ``changes`` by ``before->after``.
    Returns the number of notifications queued."""
    queued = 0
    move, phone = decisions.move, decisions.phone
    for page in account_pages(session):
        moves: list[tuple[Any, Move]] = []
        for row in page:
            (_, _, _, _, _, plan, status, enrollment, emergency_phone, _, enabled, region,
             scored, at_or_above) = row  # _COLUMNS
            found = move(plan, enabled, status, enrollment, phone(emergency_phone, region),
                         scored or 0, at_or_above or 0)
            if found is not None:
                moves.append((row, found))
        queued += write_moves(session, moves, actor=actor, now=now)
        for _, found in moves:
            changes[found.label] += 1
    return queued


def write_moves(
    session: Session, moves: Sequence[tuple[Any, Move]], *, actor: Actor, now: datetime
) -> int:
    """The account rows, audit events and notifications of ``moves`` (each an ``account_pages``
    row and its move), three batches."""
    if not moves:
        return 0
    changed = bulk.move_enrollments(
        session, [(move.after, row.id, row.version) for row, move in moves], now)
    if changed != len(moves):
        raise Conflict("an account was changed by someone else during the sweep; "
                       "nothing was written.")
    audit.append_many(session, [
        (row.id, None, "enrollment", move.before, move.after, move.note)
        for row, move in moves
    ], actor=actor, at=now, recorded_at=now)
    notes: list[outbox.SellerNote] = [
        (move.change.notify, row.id, row.seller_id, row.name, row.store, row.email)
        for row, move in moves if move.change.notify is not None
    ]
    outbox.queue_many(session, notes, now)
    return len(notes)
