"""The sample's past, as drafts: accounts, cases, audit events and notifications before ids.

Stories (``stories.py``) append drafts here in any order; ``finish`` then numbers cases by the
time they were opened and events by the time they were recorded, as a live database would have
numbered them. Times follow the operations a real team runs: an hourly sweep at five past the
hour (expiries, deadline warnings, enrolment changes as of the previous day) that stopped a few
hours before the reference instant, so a sweep at the reference still has overdue cases to expire.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from ahr_tui.rules import NotificationKind, deadline_for
from ahr_tui.rules.contact import Channel, Outcome, contact_due_for

#: The fixed instant all sample data is relative to (never the clock: same seed, same data).
REFERENCE = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
#: The hourly sweep runs at this many minutes past the hour.
SWEEP_MINUTE = 5
#: The newest sweep before the reference: the cron job has not run since.
LAST_SWEEP = REFERENCE.replace(minute=SWEEP_MINUTE) - timedelta(hours=4)
HOUR = timedelta(hours=1)
#: The outbox keeps this much history (older notifications were sent and archived).
OUTBOX_DAYS = timedelta(days=90)


def tick_at_or_after(instant: datetime) -> datetime:
    """The first hourly sweep at or after ``instant``."""
    tick = instant.replace(minute=SWEEP_MINUTE, second=0, microsecond=0)
    return tick if tick >= instant else tick + HOUR


def tick_after(instant: datetime) -> datetime:
    """The first hourly sweep strictly after ``instant`` (a case expires when now > deadline)."""
    tick = tick_at_or_after(instant)
    return tick if tick > instant else tick + HOUR


def midnight_sweep(days_before: int) -> datetime:
    """The first sweep of the UTC day ``days_before`` days before the reference's date."""
    day = REFERENCE.replace(hour=0, minute=SWEEP_MINUTE, second=0, microsecond=0)
    return day - timedelta(days=days_before)


@dataclass(frozen=True, slots=True)
class Op:
    """An operator as the audit log records them (OS name, SSH client, tty)."""

    name: str
    role: str
    client: str | None = None
    tty: str | None = None


@dataclass(slots=True)
class AccountDraft:
    id: int
    seller_id: str
    store: str
    name: str
    plan: str
    email: str | None
    phone: str | None
    profile: str
    lapse_day: int | None
    status: str = "active"
    enrollment: str = "not_enrolled"
    changed_at: datetime | None = None
    version: int = 1


@dataclass(slots=True, eq=False)
class CaseDraft:
    account: AccountDraft
    policy: str
    summary: str
    #: The first contact (None while the case is detected and nobody has tried to reach the seller).
    contacted_at: datetime | None
    #: When the operator recorded the case (the case row's insertion time).
    opened_at: datetime
    status: str = "open"
    responded_at: datetime | None = None
    assignee: str | None = None
    closed_at: datetime | None = None
    outcome_note: str | None = None
    version: int = 1
    id: int = 0
    #: When the policy issue was found (a case opened directly: at its contact).
    detected: datetime | None = None
    reached_at: datetime | None = None

    attempts: list[AttemptDraft] = field(default_factory=list)

    @property
    def detected_at(self) -> datetime:
        if self.detected is not None:
            return self.detected
        assert self.contacted_at is not None
        return self.contacted_at

    @property
    def contact_due(self) -> datetime:
        return contact_due_for(self.detected_at)

    @property
    def deadline(self) -> datetime | None:
        return None if self.contacted_at is None else deadline_for(self.contacted_at)


@dataclass(slots=True)
class AttemptDraft:
    case: CaseDraft
    at: datetime
    channel: Channel
    outcome: Outcome
    note: str | None
    actor: Op


@dataclass(slots=True)
class EventDraft:
    at: datetime
    recorded_at: datetime
    actor: Op
    action: str
    account: AccountDraft | None = None
    case: CaseDraft | None = None
    from_state: str | None = None
    to_state: str | None = None
    note: str | None = None
    #: For a superseded case: the fraud case whose id the note names (known only at the end).
    because_of: CaseDraft | None = None
    seq: int = 0


@dataclass(slots=True)
class NoticeDraft:
    kind: NotificationKind
    account: AccountDraft
    created_at: datetime
    case: CaseDraft | None = None


@dataclass
class Timeline:
    events: list[EventDraft] = field(default_factory=list)
    cases: list[CaseDraft] = field(default_factory=list)
    notices: list[NoticeDraft] = field(default_factory=list)
    attempts: list[AttemptDraft] = field(default_factory=list)

    def event(self, draft: EventDraft) -> EventDraft:
        draft.seq = len(self.events)
        self.events.append(draft)
        return draft

    def notify(self, kind: NotificationKind, account: AccountDraft, at: datetime,
               case: CaseDraft | None = None) -> None:
        self.notices.append(NoticeDraft(kind, account, at, case))

    def finish(self) -> None:
        """Number cases by opening time and order events by recording time."""
        self.cases.sort(key=lambda c: (c.opened_at, c.account.id))
        for number, case in enumerate(self.cases, start=1):
            case.id = number
        self.events.sort(key=lambda e: (e.recorded_at, e.seq))
        self.attempts.sort(key=lambda a: (a.at, a.case.id))
        if any(e.at > REFERENCE or e.recorded_at > REFERENCE for e in self.events):
            raise AssertionError("a sample event lies after the reference instant")
        for event in self.events:
            if event.because_of is not None:
                event.note = f"superseded by fraud finding on case {event.because_of.id}"
                if event.case is not None:
                    event.case.outcome_note = event.note
        kept = REFERENCE - OUTBOX_DAYS
        self.notices = sorted((n for n in self.notices if n.created_at >= kept),
                              key=lambda n: (n.created_at, n.account.id))
