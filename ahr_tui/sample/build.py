"""``ahr sample``: a new, realistic database, the same data for the same seed.

The schema, the stores and the first lead come from the real code (``ensure_schema``,
``make_first_lead``). Bulk rows go in through the sqlite3 module on the brand-new file with the
journal off (a failed build deletes the file instead of rolling back). The enrolment of every
account is what ``rules.evaluate`` and ``rules.next_enrollment`` say on the generated scores,
given the inputs a sweep gathers, so a sweep at the reference instant changes no enrolment.
"""

from __future__ import annotations

import contextlib
import random
import sqlite3
import threading
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from ahr_tui.errors import InvalidInput
from ahr_tui.rules import (
    BY_CODE,
    DEFAULT_ENABLED,
    DEFAULT_POLICY,
    AccountFacts,
    AccountStatus,
    Enrollment,
    PhoneStatus,
    Plan,
    Policy,
    ScoreWindow,
    evaluate,
    last_complete_day,
    next_enrollment,
    phone_status,
)
from ahr_tui.sample.accounts import AccountPlanner, PlannedAccount
from ahr_tui.sample.histories import Profile
from ahr_tui.sample.rows import (
    INSERT_EVENT,
    INSERT_NOTIFICATION,
    chain,
    db_instant,
    event_values,
    hashed,
    notice_values,
    write_scores,
)
from ahr_tui.sample.shifts import escalate_at_reference, write_shifts
from ahr_tui.sample.stories import CRON, OPERATORS, Stories
from ahr_tui.sample.timeline import REFERENCE, AccountDraft, EventDraft, Op, Timeline
from ahr_tui.service.admin import make_first_lead
from ahr_tui.service.detail import PhoneCache
from ahr_tui.store.actor import Actor
from ahr_tui.store.engine import make_engine, transaction
from ahr_tui.store.phone_checks import PHONE_RULES
from ahr_tui.store.schema import ensure_schema, set_meta
from ahr_tui.wording import count

#: How the bundled ``sample.db`` is made (``ahr sample``'s defaults); ``ahr demo`` makes the same.
BUNDLED: dict[str, Any] = {"accounts": 200, "days": 200, "seed": 7, "open_cases": None}

#: Days between the database's creation and the reference beyond the score history.
_LEAD_IN_DAYS = 30


def reference_text() -> str:
    return REFERENCE.strftime("%Y-%m-%dT%H:%M:%SZ")


def generate(path: Path, *, accounts: int, days: int, seed: int, open_cases: int | None,
             actor: Actor, detected_cases: int | None = None) -> str:
    """Create ``path`` and fill it; returns a one-line summary. ``open_cases`` and
    ``detected_cases`` default to about one in ten and one in thirty accounts."""
    if path.exists():
        raise InvalidInput(f"{path} exists; choose a new path (sample never overwrites).")
    if accounts < 1 or days < 1 or min(open_cases or 0, detected_cases or 0) < 0:
        raise InvalidInput("accounts and days must be at least 1, open and detected cases at "
                           "least 0.")
    try:
        _create(path, actor, days, seed)
        summary = _fill(path, accounts=accounts, days=days, seed=seed,
                        cases=(open_cases, detected_cases), actor=actor)
        escalated = escalate_at_reference(path)
        return summary.replace("; reference instant",
                               f" (+{escalated:,} to operators); reference instant")
    except BaseException:
        for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm"), Path(f"{path}-journal")):
            with contextlib.suppress(OSError):  # its folder missing or a file: nothing to remove
                leftover.unlink(missing_ok=True)
        raise


def _create(path: Path, actor: Actor, days: int, seed: int) -> None:
    start = REFERENCE - timedelta(days=days + _LEAD_IN_DAYS)
    engine = make_engine(str(path), create=True)
    try:
        ensure_schema(engine, now=start)
        with transaction(engine, write=True) as session:
            make_first_lead(session, actor=actor, now=start)
            set_meta(session, "reference_instant", reference_text())
            set_meta(session, "sample_seed", str(seed))
    finally:
        engine.dispose()


def _fill(path: Path, *, accounts: int, days: int, seed: int,
          cases: tuple[int | None, int | None], actor: Actor) -> str:
    rng = random.Random(seed)
    planned = AccountPlanner(rng, days).plan(accounts)
    as_of = last_complete_day(REFERENCE)
    # The writer thread owns the connection until ``result()``; SQLite runs the big
    # INSERT ... SELECT without the GIL while this thread writes the stories.
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    try:
        for pragma in ("journal_mode=OFF", "synchronous=OFF", "cache_size=-200000",
                       "temp_store=MEMORY", "foreign_keys=OFF"):
            conn.execute(f"PRAGMA {pragma}")
        head = get_head(conn)
        first_id = conn.execute("SELECT coalesce(max(id), 0) + 1 FROM event").fetchone()[0]
        writer = _ScoreWriter(conn, planned, as_of, days)
        writer.start()
        try:
            final, reasons = _settle(planned, as_of, days)
            timeline = _tell(rng, planned, final, reasons, days, cases)
            history = _history(planned, timeline, actor, days, rng, head, first_id)
        except BaseException:  # ``generate`` removes the file: its scores are not waited for
            writer.stop()
            raise
        scores = writer.result()
        conn.execute("BEGIN")
        history.write(conn)
        conn.execute("COMMIT")
        conn.execute("PRAGMA journal_mode=WAL")
    finally:
        conn.close()
    events = first_id - 1 + len(history.events)
    states = Counter(p.draft.enrollment for p in planned)
    now = Counter(c.status for c in timeline.cases)
    # Numbers with thousands separators, as the rest of the CLI writes them (``ahr db copy``).
    counts = ", ".join(f"{states[e.value]:,} {e.value}" for e in Enrollment)
    return (f"{path}: {count(accounts, 'account')} ({counts}), "
            f"{count(scores, 'daily score')} over {count(days, 'day')}, "
            f"{count(len(timeline.cases), 'case')} ({now['open']:,} open, "
            f"{now['detected']:,} detected), {count(len(timeline.attempts), 'contact attempt')}, "
            f"{count(events, 'audit event')}, {count(len(timeline.notices), 'notification')}; "
            f"reference instant {reference_text()}")


def _insert_accounts(conn: sqlite3.Connection, planned: list[PlannedAccount]) -> None:
    """The accounts, each with its phone checked as the sellers import stores it
    (``store.phone_checks``): the first sweep then rewrites no account for it."""
    checked = PhoneCache().status
    conn.executemany(
        "INSERT INTO account (id, seller_id, store, name, plan, email, emergency_phone, "
        "phone_status, phone_checked, status, enrollment, version) "
        "VALUES (?,?,?,?,?,?,?,?,?,?,?,1)",
        ((p.draft.id, p.draft.seller_id, p.draft.store, p.draft.name, p.draft.plan,
          p.draft.email, p.draft.phone,
          checked(p.draft.phone, BY_CODE[p.draft.store].region).value, p.draft.phone,
          p.status, p.intent) for p in planned),
    )
    conn.execute("INSERT INTO meta (key, value) VALUES ('phone_rules', ?)", (PHONE_RULES,))


def _settle(planned: list[PlannedAccount], as_of: date, days: int,
            policy: Policy = DEFAULT_POLICY) -> tuple[dict[int, str], dict[int, str]]:
    """The enrolment the rules give each account (and the reasons it is not eligible).

    The same inputs ``service.sweep.evaluate_accounts`` gathers (window counts, store enabled,
    phone status), counted from the steps instead of 10,000,000 rows; the decision is the rules'.
    """
    first = days - policy.window_days
    phones: dict[tuple[str | None, str], PhoneStatus] = {}
    final: dict[int, str] = {}
    why: dict[int, str] = {}
    for p in planned:
        scored = at_or_above = 0
        for lo, hi, value in p.history.segments:
            n = min(hi, days - 1) - max(lo, first) + 1
            if n > 0:
                scored += n
                at_or_above += n if value >= policy.threshold else 0
        a = p.draft
        region = BY_CODE[a.store].region
        phone = phones.get((a.phone, region))
        if phone is None:
            phone = phones[(a.phone, region)] = phone_status(a.phone, region)
        facts = AccountFacts(plan=Plan(a.plan), store_enabled=a.store in DEFAULT_ENABLED,
                             status=AccountStatus(p.status), phone=a.phone, region=region,
                             revoked=p.intent == Enrollment.REVOKED.value)
        window = ScoreWindow(days_below=policy.window_days - at_or_above,
                             days_missing=policy.window_days - scored)
        eligibility = evaluate(facts, window, as_of, policy, phone=phone)
        change = next_enrollment(Enrollment(p.intent), eligibility, AccountStatus(p.status))
        final[a.id] = change.after.value if change else p.intent
        why[a.id] = ", ".join(eligibility.reason_words)
    return final, why


def _horizon(days: int) -> int:
    """How many days back closed cases go (enrolments are older still)."""
    return max(5, min(60, (days + _LEAD_IN_DAYS) // 3))


def _tell(rng: random.Random, planned: list[PlannedAccount], final: dict[int, str],
          reasons: dict[int, str], days: int, cases: tuple[int | None, int | None]) -> Timeline:
    from ahr_tui.sample.caseload import assign_cases

    timeline = Timeline()
    horizon = _horizon(days)
    stories = Stories(rng, timeline, horizon)
    span = days + _LEAD_IN_DAYS
    for p in planned:
        account, target = p.draft, final[p.draft.id]
        if p.draft.profile in (Profile.REVOKED, Profile.DEACTIVATED) or target == "enrolled":
            stories.enrolment(account, rng.randint(horizon + 6, span - 1), "enrolled",
                              "all criteria met")
        elif target == "pending_contact":
            stories.enrolment(account, rng.randint(1, min(60, span - 1)), target,
                              reasons[account.id])
        elif target == "lapsed":
            lapse = days - 1 - account.lapse_day if account.lapse_day is not None else 0
            stories.enrolment(account, rng.randint(lapse + 1, span - 1), "enrolled",
                              "all criteria met")
            stories.enrolment(account, lapse, "lapsed", reasons[account.id])
    assign_cases(rng, stories, [p.draft for p in planned], *cases)
    for p in planned:
        if p.draft.enrollment != final[p.draft.id] or p.draft.status != p.status:
            raise AssertionError(f"sample account {p.draft.id}: story and rules disagree")
    timeline.finish()
    return timeline


class _ScoreWriter(threading.Thread):
    """Accounts (as planned, before the rules settle them) and their daily scores."""

    def __init__(self, conn: sqlite3.Connection, planned: list[PlannedAccount], as_of: date,
                 days: int) -> None:
        super().__init__(name="ahr-sample-scores", daemon=True)
        self.conn, self.planned, self.as_of, self.days = conn, planned, as_of, days
        self.rows = 0
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            self.conn.execute("BEGIN")
            _insert_accounts(self.conn, self.planned)
            self.rows = write_scores(
                self.conn, self.as_of - timedelta(days=self.days - 1), self.days,
                ((p.draft.id, s) for p in self.planned for s in p.history.segments),
            )
            self.conn.execute("COMMIT")
        except BaseException as exc:
            self.error = exc

    def stop(self) -> None:
        """End the writing early, its rows unwanted (the file is being removed), and wait for
        the thread: the statement under way is interrupted; an interrupt while none runs (the
        thread is in Python between two) does nothing, so it is sent again until the thread
        ends. Costs nothing to a sample that succeeds."""
        while self.is_alive():
            self.conn.interrupt()
            self.join(0.05)

    def result(self) -> int:
        self.join()
        if self.error is not None:
            raise self.error
        return self.rows


@dataclass
class _History:
    """Every other row, computed while the scores are written, inserted afterwards."""

    operators: list[tuple[object, ...]]
    cases: list[tuple[object, ...]]
    accounts: list[tuple[object, ...]]
    events: list[tuple[object, ...]]
    notices: list[tuple[object, ...]]
    attempts: list[tuple[object, ...]]

    def write(self, conn: sqlite3.Connection) -> None:
        conn.executemany("INSERT INTO operator (name, role, added_at, added_by) VALUES (?,?,?,?)",
                         self.operators)
        write_shifts(conn)
        conn.executemany(
            "INSERT INTO aha_case (id, account_id, policy, summary, detected_at, contact_due, "
            "contacted_at, deadline, reached_at, responded_at, status, assignee, closed_at, "
            "outcome_note, version) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", self.cases)
        conn.executemany(
            "UPDATE account SET status = ?, enrollment = ?, enrollment_changed_at = ?, "
            "version = ? WHERE id = ?", self.accounts)
        conn.executemany(INSERT_EVENT, self.events)
        if self.events:
            conn.execute("UPDATE meta SET value = ? WHERE key = 'audit_head'",
                         (self.events[-1][-1],))
        conn.executemany(INSERT_NOTIFICATION, self.notices)
        conn.executemany("INSERT INTO contact_attempt (case_id, at, channel, outcome, note, actor) "
                         "VALUES (?,?,?,?,?,?)", self.attempts)


def _history(planned: list[PlannedAccount], timeline: Timeline, actor: Actor, days: int,
             rng: random.Random, head: str, first_id: int) -> _History:
    """Operators, cases, enrolment outcomes, the chained audit log and the outbox, as rows."""
    start = REFERENCE - timedelta(days=days + _LEAD_IN_DAYS)
    lead = Op(actor.name, "lead", actor.client, actor.tty)
    staff = [*OPERATORS, CRON]
    moments = [start + timedelta(minutes=i + 1) for i in range(len(staff))]
    adds = [EventDraft(at=at, recorded_at=at, actor=lead, action="operator_add",
                       to_state=op.role, note=op.name)
            for at, op in zip(moments, staff, strict=True)]
    return _History(
        operators=[(e.note, e.to_state, db_instant(e.at), actor.name) for e in adds],
        cases=[(c.id, c.account.id, c.policy, c.summary, db_instant(c.detected_at),
                db_instant(c.contact_due), db_instant(c.contacted_at), db_instant(c.deadline),
                db_instant(c.reached_at), db_instant(c.responded_at), c.status, c.assignee,
                db_instant(c.closed_at), c.outcome_note, c.version) for c in timeline.cases],
        accounts=[_account_update(p.draft) for p in planned if p.draft.version > 1],
        events=event_values(chain(hashed([*adds, *timeline.events], first_id), head)),
        notices=notice_values(timeline.notices, [rng.random() for _ in timeline.notices]),
        attempts=[(a.case.id, db_instant(a.at), a.channel.value, a.outcome.value, a.note,
                   a.actor.name) for a in timeline.attempts],
    )


def _account_update(a: AccountDraft) -> tuple[object, ...]:
    return a.status, a.enrollment, db_instant(a.changed_at), a.version, a.id


def get_head(conn: sqlite3.Connection) -> str:
    row = conn.execute("SELECT value FROM meta WHERE key = 'audit_head'").fetchone()
    return str(row[0])

