"""The tables. One module so the whole schema can be read at once.

Instants are ``UTCDateTime`` (aware in Python, UTC in the database); score days are UTC calendar
days. Every row that operators change has a ``version`` checked on write (optimistic locking).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Column, Index, PrimaryKeyConstraint, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from ahr_tui.store.types import UTCDateTime


class Meta(SQLModel, table=True):
    __tablename__ = "meta"
    key: str = Field(primary_key=True)
    value: str


class Store(SQLModel, table=True):
    __tablename__ = "store"
    code: str = Field(primary_key=True, max_length=2)
    name: str
    marketplace_id: str = Field(unique=True)
    region: str
    aha_enabled: bool = False


class Account(SQLModel, table=True):
    __tablename__ = "account"
    __table_args__ = (UniqueConstraint("seller_id", "store"),)
    id: int | None = Field(default=None, primary_key=True)
    seller_id: str = Field(index=True)
    store: str = Field(foreign_key="store.code")
    name: str
    plan: str
    email: str | None = None
    emergency_phone: str | None = None
    #: ``rules.PhoneStatus`` of ``phone_checked`` (schema 5), None until checked; it stands for
    #: ``emergency_phone`` while the two are the same (``store.phone_checks``).
    phone_status: str | None = None
    phone_checked: str | None = None
    status: str = "active"
    enrollment: str = "not_enrolled"
    enrollment_changed_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    # what the marketplace's own report said last (opaque strings, domain.md 1.4 and 3)
    ahr_status: str | None = None
    marketplace_status: str | None = None
    version: int = 1


class Score(SQLModel, table=True):
    """One account's AHR on one day. Stored day first (key ``(day, account_id)``, schema 4): a
    day's scores lie together, so the daily import appends and the window slide reads a day as
    one range. A read of one account's scores names its days (``day IN (...)``,
    ``store.queries.window_days``), a key seek each; a range of days with an account would scan
    every account's scores of those days. Identity: ``session.get(Score, {"account_id": a,
    "day": d})``."""

    __tablename__ = "score"
    __table_args__ = (PrimaryKeyConstraint("day", "account_id"), {"sqlite_with_rowid": False})
    account_id: int = Field(foreign_key="account.id", primary_key=True)
    day: date = Field(primary_key=True)
    score: int


class Case(SQLModel, table=True):
    __tablename__ = "aha_case"
    __table_args__ = (Index("ix_case_status_deadline", "status", "deadline"),)
    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="account.id", index=True)
    policy: str
    summary: str = ""
    # A ``detected`` case has a first-contact target and no 72-hour clock yet: ``contacted_at``
    # (the first contact attempt) and ``deadline`` stay empty until that attempt.
    detected_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    contact_due: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    contacted_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    deadline: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    reached_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    responded_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    status: str = "open"
    assignee: str | None = None
    closed_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    outcome_note: str | None = None
    version: int = 1


class ContactAttempt(SQLModel, table=True):
    """One attempt to reach the seller about a case (append-only; each has its audit event)."""

    __tablename__ = "contact_attempt"
    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="aha_case.id", index=True)
    at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    channel: str
    outcome: str
    note: str | None = None
    actor: str


class Event(SQLModel, table=True):
    """The audit log: append-only, each row's hash covers its content and the previous hash.

    One index: a case's events (its timeline, conflicts, metrics), partial, so the events of no
    case (a sweep's enrolments: hundreds of thousands at once; imports) write no entry. No query
    reads events by account, so ``account_id`` has none (``store.upgrade.event_indexes``)."""

    __tablename__ = "event"
    __table_args__ = (
        Index("ix_event_case", "case_id", sqlite_where=text("case_id IS NOT NULL"),
              postgresql_where=text("case_id IS NOT NULL")),
    )
    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    recorded_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    actor: str
    client: str | None = None
    tty: str | None = None
    account_id: int | None = Field(default=None, foreign_key="account.id")
    case_id: int | None = Field(default=None, foreign_key="aha_case.id")
    action: str
    from_state: str | None = None
    to_state: str | None = None
    note: str | None = None
    prev_hash: str
    hash: str


class Notification(SQLModel, table=True):
    __tablename__ = "notification"
    __table_args__ = (Index("ix_notification_state", "state", "next_attempt_at"),)
    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="account.id", index=True)
    case_id: int | None = Field(default=None, foreign_key="aha_case.id")
    kind: str
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    to_addr: str | None = None
    subject: str = ""
    body: str = ""
    state: str = "pending"
    sent_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    attempts: int = 0
    last_error: str | None = None
    next_attempt_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    # who it is for: empty or "seller" (the account's seller), or "operator" (an escalation to
    # the operator named in ``operator``; DESIGN.md section 4)
    recipient: str | None = None
    operator: str | None = None


class Operator(SQLModel, table=True):
    __tablename__ = "operator"
    name: str = Field(primary_key=True)
    role: str
    added_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    added_by: str
    email: str | None = None
    time_zone: str | None = None  # IANA name; the zone of the operator's working hours


class OperatorHours(SQLModel, table=True):
    """One weekly range of an operator's working hours, in wall-clock minutes of their zone.

    ``end_minute <= start_minute`` is a night shift ending on the next day (``rules.coverage``).
    """

    __tablename__ = "operator_hours"
    id: int | None = Field(default=None, primary_key=True)
    operator: str = Field(foreign_key="operator.name", index=True)
    day: int  # Monday 0 .. Sunday 6: the day the range starts on
    start_minute: int
    end_minute: int


class SavedView(SQLModel, table=True):
    """An operator's named slice of a list: which view, the filter text and the sort.

    Kept in the database (not a dot file) so it follows the operator between machines on a
    shared PostgreSQL. ``settings`` is a JSON object for what a later version adds.
    """

    __tablename__ = "saved_view"
    __table_args__ = (UniqueConstraint("operator", "name"),)
    id: int | None = Field(default=None, primary_key=True)
    operator: str = Field(index=True)
    name: str
    view: str = "cases"
    filter_text: str = ""
    sort: str = ""
    settings: str = "{}"
    saved_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class WindowCount(SQLModel, table=True):
    """Per account, the score window's counts as of ``window_state.as_of`` (a cache: the
    sweep keeps it current, ``store.window`` says how; rebuilt from ``score`` at any time)."""

    __tablename__ = "window_count"
    account_id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    scored: int
    at_or_above: int


class WindowState(SQLModel, table=True):
    """The one row saying which window ``window_count`` holds (none: the cache is empty)."""

    __tablename__ = "window_state"
    id: int = Field(default=1, primary_key=True, sa_column_kwargs={"autoincrement": False})
    as_of: date
    window_days: int
    threshold: int


class WindowDirty(SQLModel, table=True):
    """Accounts whose scores inside the cached window changed since it was counted (filled by
    triggers on ``score``, so every writer is covered)."""

    __tablename__ = "window_dirty"
    account_id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
