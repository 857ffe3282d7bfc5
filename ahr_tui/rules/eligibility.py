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


class AhrShortfall(StrEnum):
    """Why the AHR criterion is not met, in truth (``Eligibility.shortfall``). The reason code
    ``too_many_days_below`` stays in ``reasons`` for scripts (DESIGN.md section 5: keys are
    added, never renamed); this says which days make the count.

    ``too_many_days_below``: the days *scored* under 250 alone are more than the rule allows.
    ``too_many_days_missing``: the days scored under 250 are within it; the days with no score
    take the count over (a new seller without enough history, or scores that never arrived).
    """

    DAYS_BELOW = "too_many_days_below"
    DAYS_MISSING = "too_many_days_missing"


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
    #: The rule's limit (``Policy.max_days_below``) the counts were judged against.
    max_days_below: int = DEFAULT_POLICY.max_days_below

    @property
    def eligible(self) -> bool:
        return not self.reasons

    @property
    def days_scored_below(self) -> int:
        """Days scored under the threshold: ``days_below`` without the days with no score (the
        rule counts both; a list shows the two apart so that no day is read twice)."""
        return self.days_below - self.days_missing

    @property
    def shortfall(self) -> AhrShortfall | None:
        """Which days fail the AHR criterion (None: it is met). Changes no answer: ``ahr_ok``
        and ``reasons`` stay as the rule decides them."""
        if self.ahr_ok:
            return None
        if self.days_scored_below > self.max_days_below:
            return AhrShortfall.DAYS_BELOW
        return AhrShortfall.DAYS_MISSING

    @property
    def reason_words(self) -> tuple[str, ...]:
        """The reasons as people read them: each reason code, with ``too_many_days_below``
        told as its ``shortfall`` (``too_many_days_missing`` for a new seller). For text
        output, the detail and audit notes; ``--json`` keeps ``reasons`` as they are."""
        shortfall = self.shortfall
        return tuple(
            shortfall.value if r is Reason.TOO_MANY_DAYS_BELOW and shortfall else r.value
            for r in self.reasons
        )

    def ahr_sentence(self, scored_since: date | None = None) -> str:
        """The AHR criterion in words, its cause first: ``12 days scored under 250 + 0 with no
        score = 12 of at most 10 allowed``; when the days with no score fail it, they come
        first: ``160 days with no score (not enough history, or scores missing) + 0 scored
        under 250 = 160 ...``. ``scored_since``: the first scored day, when every day with no
        score lies before it (a new seller): ``not enough history (scored since D): ...``."""
        counted = f"{self.days_below} of at most {self.max_days_below} allowed"
        if self.shortfall is AhrShortfall.DAYS_MISSING:
            missing = f"{_days(self.days_missing)} with no score"
            cause = (f"not enough history (scored since {scored_since.isoformat()}): {missing}"
                     if scored_since else f"{missing} (not enough history, or scores missing)")
            return f"{cause} + {self.days_scored_below} scored under 250 = {counted}"
        return (f"{_days(self.days_scored_below)} scored under 250 + {self.days_missing} with "
                f"no score = {counted}")

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
        max_days_below=policy.max_days_below,
    )


def _days(n: int) -> str:
    return f"{n} day" if n == 1 else f"{n} days"
