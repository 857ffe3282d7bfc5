"""Enrolment states and how a sweep moves an account between them.

``revoked`` is permanent (a fraud finding); a deactivated account is never enrolled; an account
that was enrolled and no longer meets the AHR criterion is ``lapsed`` and re-enrols by itself
when it meets it again.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from ahr_tui.rules.eligibility import AccountStatus, Eligibility


class Enrollment(StrEnum):
    NOT_ENROLLED = "not_enrolled"
    PENDING_CONTACT = "pending_contact"
    ENROLLED = "enrolled"
    LAPSED = "lapsed"
    REVOKED = "revoked"


class NotificationKind(StrEnum):
    ENROLLED = "enrolled"
    CONTACT_NEEDED = "contact_needed"
    LAPSED = "lapsed"
    CASE_OPENED = "case_opened"
    #: After an attempt that did not reach the seller (at most one per case per UTC day).
    CONTACT_ATTEMPT = "contact_attempt"
    DEADLINE_WARNING = "deadline_warning"
    CASE_EXPIRED = "case_expired"
    ACCOUNT_DEACTIVATED = "account_deactivated"
    ENROLLMENT_REVOKED = "enrollment_revoked"
    # to operators (rules.escalation), not sellers
    ESCALATION_URGENT = "escalation_urgent"
    ESCALATION_CRITICAL = "escalation_critical"
    ESCALATION_CONTACT_OVERDUE = "escalation_contact_overdue"


@dataclass(frozen=True, slots=True)
class EnrollmentChange:
    before: Enrollment
    after: Enrollment
    notify: NotificationKind | None


def next_enrollment(
    current: Enrollment, eligibility: Eligibility, status: AccountStatus
) -> EnrollmentChange | None:
    """The change a sweep makes, or None when the account stays where it is."""
    target = _target(current, eligibility, status)
    if target is current:
        return None
    return EnrollmentChange(before=current, after=target, notify=_NOTIFY.get(target))


def _target(current: Enrollment, eligibility: Eligibility, status: AccountStatus) -> Enrollment:
    if current is Enrollment.REVOKED:
        return current
    if status is not AccountStatus.ACTIVE:
        return Enrollment.NOT_ENROLLED
    if eligibility.eligible:
        return Enrollment.ENROLLED
    if eligibility.only_contact_missing:
        return Enrollment.PENDING_CONTACT
    if current in (Enrollment.ENROLLED, Enrollment.LAPSED):
        return Enrollment.LAPSED
    return Enrollment.NOT_ENROLLED


_NOTIFY: dict[Enrollment, NotificationKind] = {
    Enrollment.ENROLLED: NotificationKind.ENROLLED,
    Enrollment.PENDING_CONTACT: NotificationKind.CONTACT_NEEDED,
    Enrollment.LAPSED: NotificationKind.LAPSED,
}
