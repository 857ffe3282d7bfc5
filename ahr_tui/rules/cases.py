"""The 72-hour case: its states, the events that move it, and what each move implies.

This is the transition table of DESIGN.md section 4, as code. ``decide`` answers every
(status, action) pair with either a ``CaseDecision`` or a typed ``Rejected``; it never raises for
a rule the operator broke. The service applies a decision; the TUI asks ``check`` to show which
actions are available and why the others are not.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from ahr_tui.rules.eligibility import AccountStatus
from ahr_tui.rules.enrollment import Enrollment, NotificationKind
from ahr_tui.rules.policy import DEFAULT_POLICY, Policy


class CaseStatus(StrEnum):
    DETECTED = "detected"
    OPEN = "open"
    RESPONDED = "responded"
    EXPIRED = "expired"
    RESOLVED = "resolved"
    DEACTIVATED = "deactivated"
    FRAUD = "fraud"
    SUPERSEDED = "superseded"

    @property
    def is_active(self) -> bool:
        return self in ACTIVE_STATUSES

    @property
    def is_final(self) -> bool:
        return not self.is_active


ACTIVE_STATUSES = frozenset(
    {CaseStatus.DETECTED, CaseStatus.OPEN, CaseStatus.RESPONDED, CaseStatus.EXPIRED}
)


class PolicyArea(StrEnum):
    IP_SUSPECTED = "ip_suspected"
    IP_COMPLAINT = "ip_complaint"
    AUTHENTICITY = "authenticity"
    CONDITION = "condition"
    PRODUCT_SAFETY = "product_safety"
    FOOD_SAFETY = "food_safety"
    LISTING_POLICY = "listing_policy"
    RESTRICTED_PRODUCT = "restricted_product"
    REVIEWS = "reviews"
    REGULATORY = "regulatory"
    OTHER = "other"


class CaseAction(StrEnum):
    RESPOND = "respond"
    EXPIRE = "expire"
    RESOLVE = "resolve"
    DEACTIVATE = "deactivate"
    FRAUD = "fraud"
    SUPERSEDE = "supersede"


class RejectCode(StrEnum):
    NOT_ENROLLED = "not_enrolled"
    ACCOUNT_DEACTIVATED = "account_deactivated"
    WRONG_STATE = "wrong_state"
    LATE = "late"
    BEFORE_CONTACT = "before_contact"
    BEFORE_DETECTION = "before_detection"
    NOT_DUE = "not_due"
    NOTE_REQUIRED = "note_required"
    EVIDENCE_REQUIRED = "evidence_required"


@dataclass(frozen=True, slots=True)
class Rejected:
    code: RejectCode
    message: str


@dataclass(frozen=True, slots=True)
class OpenDecision:
    status: CaseStatus
    deadline: datetime
    notify: tuple[NotificationKind, ...]


@dataclass(frozen=True, slots=True)
class CaseDecision:
    action: CaseAction
    before: CaseStatus
    after: CaseStatus
    notify: tuple[NotificationKind, ...] = ()
    #: The account's new status, or None when it does not change.
    account_status: AccountStatus | None = None
    #: The account's new enrolment, or None when it does not change.
    enrollment: Enrollment | None = None
    #: The account's other active cases become ``superseded``.
    supersede_others: bool = False


#: Which statuses each action may start from.
ALLOWED_FROM: dict[CaseAction, frozenset[CaseStatus]] = {
    CaseAction.RESPOND: frozenset({CaseStatus.OPEN}),
    CaseAction.EXPIRE: frozenset({CaseStatus.OPEN}),
    CaseAction.RESOLVE: ACTIVE_STATUSES,
    CaseAction.DEACTIVATE: frozenset({CaseStatus.EXPIRED}),
    CaseAction.FRAUD: ACTIVE_STATUSES,
    CaseAction.SUPERSEDE: ACTIVE_STATUSES,
}

_TARGET: dict[CaseAction, CaseStatus] = {
    CaseAction.RESPOND: CaseStatus.RESPONDED,
    CaseAction.EXPIRE: CaseStatus.EXPIRED,
    CaseAction.RESOLVE: CaseStatus.RESOLVED,
    CaseAction.DEACTIVATE: CaseStatus.DEACTIVATED,
    CaseAction.FRAUD: CaseStatus.FRAUD,
    CaseAction.SUPERSEDE: CaseStatus.SUPERSEDED,
}


def deadline_for(contacted_at: datetime, policy: Policy = DEFAULT_POLICY) -> datetime:
    return contacted_at + policy.response_window


def decide_open(
    enrollment: Enrollment,
    account_status: AccountStatus,
    contacted_at: datetime,
    policy: Policy = DEFAULT_POLICY,
) -> OpenDecision | Rejected:
    """A case opens only for an active, enrolled account; otherwise standard enforcement applies."""
    if account_status is not AccountStatus.ACTIVE:
        return Rejected(RejectCode.ACCOUNT_DEACTIVATED, "account is deactivated")
    if enrollment is not Enrollment.ENROLLED:
        return Rejected(
            RejectCode.NOT_ENROLLED,
            f"not enrolled ({enrollment.value}): standard enforcement applies",
        )
    return OpenDecision(
        status=CaseStatus.OPEN,
        deadline=deadline_for(contacted_at, policy),
        notify=(NotificationKind.CASE_OPENED,),
    )


def check(
    action: CaseAction,
    status: CaseStatus,
    *,
    at: datetime,
    contacted_at: datetime | None,
    deadline: datetime | None,
) -> Rejected | None:
    """Whether ``action`` is possible now, before any note is typed; None when it is."""
    if status not in ALLOWED_FROM[action]:
        refused = wrong_state(action.value, status, ALLOWED_FROM[action])
        return Rejected(RejectCode.WRONG_STATE, refused)
    if action is CaseAction.RESPOND:
        # only an open case gets here, and an open case was contacted: its clock runs
        assert contacted_at is not None and deadline is not None
        if at > deadline:
            return Rejected(RejectCode.LATE, "the 72-hour window has passed")
        if at < contacted_at:
            return Rejected(RejectCode.BEFORE_CONTACT, "a response cannot precede the contact")
    if action is CaseAction.EXPIRE and (deadline is None or at <= deadline):
        return Rejected(RejectCode.NOT_DUE, "the deadline has not passed")
    return None


def decide(
    action: CaseAction,
    status: CaseStatus,
    *,
    at: datetime,
    contacted_at: datetime | None,
    deadline: datetime | None,
    text: str | None = None,
) -> CaseDecision | Rejected:
    """The decision for one action on one case, or the reason it is refused."""
    refused = check(action, status, at=at, contacted_at=contacted_at, deadline=deadline)
    if refused is None:
        refused = _missing_text(action, text)
    if refused is not None:
        return refused
    return _decision(action, status)


def _missing_text(action: CaseAction, text: str | None) -> Rejected | None:
    """A resolution and a deactivation need a note, a fraud finding its evidence."""
    if text and text.strip():
        return None
    if action in (CaseAction.RESOLVE, CaseAction.DEACTIVATE):
        return Rejected(RejectCode.NOTE_REQUIRED, f"{action.value} needs a note")
    if action is CaseAction.FRAUD:
        return Rejected(RejectCode.EVIDENCE_REQUIRED, "a fraud finding needs evidence")
    return None


def _decision(action: CaseAction, status: CaseStatus) -> CaseDecision:
    """What an allowed action does: the case's new status, and for some actions the
    notifications, the account's new status and enrolment, and the other cases superseded."""
    after = _TARGET[action]
    if action is CaseAction.EXPIRE:
        return CaseDecision(action, status, after, notify=(NotificationKind.CASE_EXPIRED,))
    if action is CaseAction.DEACTIVATE:
        return CaseDecision(
            action,
            status,
            after,
            notify=(NotificationKind.ACCOUNT_DEACTIVATED,),
            account_status=AccountStatus.DEACTIVATED,
            enrollment=Enrollment.NOT_ENROLLED,
        )
    if action is CaseAction.FRAUD:
        return CaseDecision(
            action,
            status,
            after,
            notify=(NotificationKind.ACCOUNT_DEACTIVATED, NotificationKind.ENROLLMENT_REVOKED),
            account_status=AccountStatus.DEACTIVATED,
            enrollment=Enrollment.REVOKED,
            supersede_others=True,
        )
    return CaseDecision(action, status, after)


#: How a refusal says an action whose name is not a verb to put before "a case" (``respond``).
_DOING = {
    "respond": "record a response to",
    "attempt": "record a contact attempt on",
    "fraud": "record a fraud finding on",
    "note": "add a note to",
}


def wrong_state(action: str, status: CaseStatus, allowed: Iterable[CaseStatus]) -> str:
    """The refusal of ``action`` (a ``CaseAction`` or an operator's ``Operation`` value) on a case
    in ``status``: ``cannot record a response to a case that is expired (only when open)``; the
    same words in the CLI and the TUI."""
    doing = _DOING.get(action, action)
    only = ", ".join(sorted(s.value for s in allowed))
    return f"cannot {doing} a case that is {status.value} (only when {only})"


def response_margin(responded_at: datetime, deadline: datetime) -> timedelta:
    """How much time was left when the seller responded (never negative for a legal response)."""
    return deadline - responded_at
