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
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, NamedTuple

from sqlalchemy import and_, bindparam, select
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
from ahr_tui.store import audit, bulk, phone_checks
from ahr_tui.store.actor import Actor
from ahr_tui.store.models import Account, Store, WindowCount

PAGE = 10_000

_COLUMNS = (
    Account.id, Account.seller_id, Account.store, Account.name, Account.email, Account.plan,
    Account.status, Account.enrollment, Account.emergency_phone, Account.phone_status,
    Account.phone_checked, Account.version, Store.aha_enabled, Store.region, WindowCount.scored,
    WindowCount.at_or_above,
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
        reasons = ", ".join(eligibility.reason_words) or "all criteria met"
        before, after = change.before.value, change.after.value
        return Move(change, enrollment_note(self.as_of, reasons), before, after,
                    f"{before}->{after}")


class PageRow(NamedTuple):
    """One row of ``account_pages`` by name (the pages hold plain tuples in this order)."""

    id: int
    seller_id: str
    store: str
    name: str
    email: str | None
    plan: str
    status: str
    enrollment: str
    emergency_phone: str | None
    phone_status: str | None
    phone_checked: str | None
    version: int
    aha_enabled: bool
    region: str
    scored: int | None
    at_or_above: int | None


def account_pages(session: Session, size: int = PAGE) -> Iterator[Sequence[tuple[Any, ...]]]:
    """Every account with its store's flag and region and its window counts (``window_count``,
    which the caller has brought to the day: ``store.window.bring_to``), ``size`` at a time, as
    tuples in ``PageRow``'s order.

    On SQLite the query, compiled once, goes straight to the driver: building a million
    SQLAlchemy rows costs a sweep about two seconds more than the driver's tuples.
    """
    connection = session.connection()
    query = (
        select(*(col(c) for c in _COLUMNS))
        .join(Store, Store.code == Account.store)
        # the second condition repeats the WHERE for the counts: without it PostgreSQL's merge
        # join reads window_count from its first row for every page (7.6 s instead of 1.8 s
        # for a million accounts)
        .outerjoin(WindowCount, and_(col(WindowCount.account_id) == Account.id,
                                     col(WindowCount.account_id) > bindparam("after")))
        .where(col(Account.id) > bindparam("after"))
        .order_by(col(Account.id))
        .limit(size)
    )
    if connection.dialect.name == "sqlite":
        compiled = query.compile(connection)
        sql, names = str(compiled), compiled.positiontup or ()
        driver: Any = connection.connection.driver_connection

        def read(after: int) -> Sequence[tuple[Any, ...]]:
            params = compiled.construct_params({"after": after})
            return driver.execute(sql, [params[n] for n in names]).fetchall()
    else:
        def read(after: int) -> Sequence[tuple[Any, ...]]:
            return [tuple(row) for row in session.execute(query, {"after": after})]
    last = 0
    while page := read(last):
        yield page
        last = page[-1][0]


#: One page's writes: its phone checks (status, number, account id) and its moves.
PageWrites = tuple[list[tuple[str, str | None, int]], list[tuple[PageRow, Move]]]


def move_accounts(
    session: Session,
    decisions: Decisions,
    *,
    actor: Actor,
    now: datetime,
    changes: Counter[str],
) -> int:
    """Apply every enrolment change, counting each in ``changes`` by ``before->after``.
    Returns the number of notifications queued.

    An account's phone status is read as stored; one not checked yet (or since its number
    changed) is checked here and stored with the page (``store.phone_checks``).

    Each page is read before the page before it is written: its rows (ids after that page's,
    their store and window counts) are none of the rows those writes change. On PostgreSQL the
    writes then run in a thread while this one decides the next page, so that the server's
    work (more than half of an enrolment change's time there: bench/README.md, issue 17)
    overlaps this process's decisions instead of following them; the thread waits on the
    server's socket most of the time, which releases the GIL. SQLite writes in this thread, in
    the same order: its connection belongs to the thread that opened it.
    """

    def write(batch: PageWrites) -> int:
        checked, moves = batch
        phone_checks.store_statuses(session, checked)
        return write_moves(session, moves, actor=actor, now=now)

    overlap = session.connection().dialect.name != "sqlite"
    phone_checks.ensure_current(session)
    queued = 0
    pending: PageWrites | None = None
    # leaving the block (an error, ^C) waits for a running write: nobody else uses the session
    # while it does
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="ahr-sweep-write") as pool:
        for page in account_pages(session):  # read while no write is running
            running = None
            if pending is not None:
                if overlap:
                    running = pool.submit(write, pending)
                else:
                    queued += write(pending)
            pending = _decide_page(page, decisions, changes)
            if running is not None:
                queued += running.result()  # its Conflict, if any, is raised here
        if pending is not None:
            queued += write(pending)
    return queued


def _decide_page(
    page: Sequence[tuple[Any, ...]], decisions: Decisions, changes: Counter[str]
) -> PageWrites:
    """The phone checks and moves of one page of ``account_pages``, each move counted in
    ``changes``; no database work."""
    move, phone = decisions.move, decisions.phone
    moves: list[tuple[PageRow, Move]] = []
    checked: list[tuple[str, str | None, int]] = []
    for row in page:
        (account_id, _, _, _, _, plan, status, enrollment, emergency_phone, stored,
         stored_for, _, enabled, region, scored, at_or_above) = row  # _COLUMNS
        found_phone = phone_checks.stored(stored, stored_for, emergency_phone)
        if found_phone is None:
            found_phone = phone(emergency_phone, region)
            checked.append((found_phone.value, emergency_phone, account_id))
        found = move(plan, enabled, status, enrollment, found_phone,
                     scored or 0, at_or_above or 0)
        if found is not None:
            moves.append((PageRow._make(row), found))
            changes[found.label] += 1
    return checked, moves


def write_moves(
    session: Session, moves: Sequence[tuple[PageRow, Move]], *, actor: Actor, now: datetime
) -> int:
    """The account rows, audit events and notifications of ``moves`` (each an account and its
    move), three batches."""
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
