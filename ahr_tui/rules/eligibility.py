"""Whether an account qualifies for Account Health Assurance on a day, and why not.

Used by the sweep (for every account, with counts computed in SQL) and by the detail views (for
one account, with counts computed here from its scores). Pure: the day is an argument.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum

from ahr_tui.rules.phones import PhoneStatus, phone_status
from ahr_tui.rules.policy import DEFAULT_POLICY, Policy


class Plan(StrEnum):
    PROFESSIONAL = "professional"
    INDIVIDUAL = "individual"


class AccountStatus(StrEnum):
    ACTIVE = "active"
    DEACTIVATED = "deactivated"


class Reason(StrEnum):
    """Machine-readable reasons an account is not eligible (``ahr eligibility --json``)."""

    TOO_MANY_DAYS_BELOW = "too_many_days_below"
    NOT_PROFESSIONAL = "not_professional"
    STORE_NOT_ENABLED = "store_not_enabled"
    ACCOUNT_DEACTIVATED = "account_deactivated"
    PHONE_MISSING = "phone_missing"
    PHONE_INVALID = "phone_invalid"
    REVOKED = "revoked"


#: Reasons that only the seller's contact details cause: the AHR criterion itself is met.
CONTACT_REASONS = frozenset({Reason.PHONE_MISSING, Reason.PHONE_INVALID})


@dataclass(frozen=True, slots=True)
class ScoreWindow:
    """Counts over the window. ``days_below`` includes ``days_missing``."""

    days_below: int
    days_missing: int


@dataclass(frozen=True, slots=True)
class AccountFacts:
    plan: Plan
    store_enabled: bool
    status: AccountStatus
    phone: str | None
    region: str
    revoked: bool = False


@dataclass(frozen=True, slots=True)
class Eligibility:
    as_of: date
    ahr_ok: bool
    days_below: int
    days_missing: int
    phone: PhoneStatus
    reasons: tuple[Reason, ...]

    @property
    def eligible(self) -> bool:
        return not self.reasons

    @property
    def days_scored_below(self) -> int:
        """Days scored under the threshold: ``days_below`` without the days with no score (the
        rule counts both; a list shows the two apart so that no day is read twice)."""
        return self.days_below - self.days_missing

    @property
    def only_contact_missing(self) -> bool:
        """Every criterion but the emergency phone is met: the seller is asked for a contact."""
        return bool(self.reasons) and set(self.reasons) <= CONTACT_REASONS


def window_bounds(as_of: date, policy: Policy = DEFAULT_POLICY) -> tuple[date, date]:
    """First and last day (both inclusive) of the window ending on ``as_of``."""
    return as_of - timedelta(days=policy.window_days - 1), as_of


def last_complete_day(now: datetime) -> date:
    """Scores arrive once a day: the default evaluation day is the day before ``now``'s UTC date."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    return now.astimezone(UTC).date() - timedelta(days=1)


def count_window(
    scores: Mapping[date, int], as_of: date, policy: Policy = DEFAULT_POLICY
) -> ScoreWindow:
    """Count days below the threshold and days with no score in the window ending on ``as_of``."""
    first, last = window_bounds(as_of, policy)
    scored = [s for d, s in scores.items() if first <= d <= last]
    at_or_above = sum(1 for s in scored if s >= policy.threshold)
    return ScoreWindow(
        days_below=policy.window_days - at_or_above,
        days_missing=policy.window_days - len(scored),
    )


def evaluate(
    facts: AccountFacts,
    window: ScoreWindow,
    as_of: date,
    policy: Policy = DEFAULT_POLICY,
    *,
    phone: PhoneStatus | None = None,
) -> Eligibility:
    """Every criterion, every failure listed. ``phone`` may be passed when already computed."""
    phone = phone if phone is not None else phone_status(facts.phone, facts.region)
    ahr_ok = window.days_below <= policy.max_days_below
    reasons: list[Reason] = []
    if facts.revoked:
        reasons.append(Reason.REVOKED)
    if not ahr_ok:
        reasons.append(Reason.TOO_MANY_DAYS_BELOW)
    if facts.plan is not Plan.PROFESSIONAL:
        reasons.append(Reason.NOT_PROFESSIONAL)
    if not facts.store_enabled:
        reasons.append(Reason.STORE_NOT_ENABLED)
    if facts.status is not AccountStatus.ACTIVE:
        reasons.append(Reason.ACCOUNT_DEACTIVATED)
    if phone is PhoneStatus.MISSING:
        reasons.append(Reason.PHONE_MISSING)
    elif phone is PhoneStatus.INVALID:
        reasons.append(Reason.PHONE_INVALID)
    return Eligibility(
        as_of=as_of,
        ahr_ok=ahr_ok,
        days_below=window.days_below,
        days_missing=window.days_missing,
        phone=phone,
        reasons=tuple(reasons),
    )
