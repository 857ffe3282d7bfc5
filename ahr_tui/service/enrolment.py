"""The sweep's enrolment step, set-based: every account read in pages, changes written in batches.

The accounts are read a page at a time by id (keyset pagination: memory does not grow with the
number of accounts). Each account's decision is ``rules.evaluate`` then ``rules.next_enrollment``;
both depend only on a handful of small facts (plan, store enabled, status, enrolment, phone
status, the two window counts), so a decision is worked out once per distinct combination and
looked up for every other account with the same facts. The changes of a page are written as
three batches in the sweep's transaction: the account rows (each still at the version read, or
``Conflict``), their audit events (chained in order, ``store.audit.EventBatches``) and their
notifications, each page's rows built before the page before it is written.
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


#: One page's decisions: its phone checks (status, number, account id) and its moves.
PageMoves = tuple[list[tuple[str, str | None, int]], list[tuple[PageRow, Move]]]


class PageWrites(NamedTuple):
    """One page's rows, built in the sweep's thread and written by ``write_page``."""

    #: phone checks to store: (status, number, account id) each
    checked: list[tuple[str, str | None, int]]
    #: enrolments to move: (enrollment, account id, version read) each
    moved: list[tuple[str, int, int]]
    #: audit event rows, ids and hashes chained (``audit.EventBatches.build``)
    events: list[tuple[Any, ...]]
    #: notification rows (``outbox.seller_rows``)
    notes: list[outbox.SellerRow]


def move_accounts(
    session: Session,
    decisions: Decisions,
    *,
    actor: Actor,
    now: datetime,
    changes: Counter[str],
) -> int:
    """Apply every enrolment change, counting each in ``changes`` by ``before->after``.
    Returns the number of notifications queued. Raises ``Conflict`` when an account changed
    after it was read (nothing of the sweep is then kept: the caller rolls back).

    An account's phone status is read as stored; one not checked yet (or since its number
    changed) is checked here and stored with the page (``store.phone_checks``).

    Each page is read, decided and built into rows (audit hashes and notification subjects
    included) in this thread, before the page before it is written: its rows (ids after that
    page's, their store and window counts) are none of the rows those writes change. On
    PostgreSQL the writes run in a thread meanwhile, so that the server's work (more than half
    of an enrolment change's time there: bench/README.md, issue 17) overlaps this process's
    decisions and row building instead of following them; the thread waits on the server's
    socket most of the time, which releases the GIL. SQLite writes in this thread, in the same
    order: its connection belongs to the thread that opened it. The audit chain's tail is read
    when the first move is found, with no write running, and carried in memory from page to
    page (``audit.EventBatches``).
    """
    events: audit.EventBatches | None = None

    def write(page: PageWrites) -> int:
        return write_page(session, page, events, now=now)

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
            checked, moves = _decide_page(page, decisions, changes)
            if moves and events is None:  # the chain's tail is read with no write running
                if running is not None:
                    queued += running.result()
                    running = None
                events = audit.EventBatches(session, actor=actor, at=now, recorded_at=now)
            pending = _build_page(checked, moves, events)
            if running is not None:
                queued += running.result()  # its Conflict, if any, is raised here
        if pending is not None:
            queued += write(pending)
    if events is not None:
        events.close(session)
    return queued


def _decide_page(
    page: Sequence[tuple[Any, ...]], decisions: Decisions, changes: Counter[str]
) -> PageMoves:
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


def _build_page(
    checked: list[tuple[str, str | None, int]],
    moves: Sequence[tuple[PageRow, Move]],
    events: audit.EventBatches | None,
) -> PageWrites:
    """The rows of one page's writes: the account rows to move, their audit events (the
    chain's next, from ``events``) and their notifications; no database work."""
    if not moves:
        return PageWrites(checked, [], [], [])
    assert events is not None
    return PageWrites(
        checked,
        [(move.after, row.id, row.version) for row, move in moves],
        events.build([(row.id, None, "enrollment", move.before, move.after, move.note)
                      for row, move in moves]),
        outbox.seller_rows([
            (move.change.notify, row.id, row.seller_id, row.name, row.store, row.email)
            for row, move in moves if move.change.notify is not None
        ]),
    )


def write_page(
    session: Session, page: PageWrites, events: audit.EventBatches | None, *, now: datetime
) -> int:
    """Write one page built by ``_build_page``: its phone checks, then its account rows, audit
    events and notifications, a batch each, at ``now`` (UTC). Returns the number of
    notifications. Raises ``Conflict`` when an account is no longer at the version read."""
    phone_checks.store_statuses(session, page.checked)
    if not page.moved:
        return 0
    assert events is not None
    changed = bulk.move_enrollments(session, page.moved, now)
    if changed != len(page.moved):
        raise Conflict("an account was changed by someone else during the sweep; "
                       "nothing was written.")
    events.insert(session, page.events)
    outbox.insert_seller_rows(session, page.notes, now)
    return len(page.notes)
