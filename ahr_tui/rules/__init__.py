"""Pure decisions: bands, eligibility, enrolment and case transitions, deadlines, urgency, roles.

Standard library and phonenumbers only; no I/O and no clock (time is always an argument). Both
front ends reach these through ``ahr_tui.service``; nothing else re-checks a rule.
"""

from ahr_tui.rules.bands import Band, band
from ahr_tui.rules.cases import (
    ACTIVE_STATUSES,
    CaseAction,
    CaseDecision,
    CaseStatus,
    OpenDecision,
    PolicyArea,
    RejectCode,
    Rejected,
    check,
    deadline_for,
    decide,
    decide_open,
    response_margin,
)
from ahr_tui.rules.eligibility import (
    AccountFacts,
    AccountStatus,
    Eligibility,
    PhoneStatus,
    Plan,
    Reason,
    ScoreWindow,
    count_window,
    evaluate,
    last_complete_day,
    phone_status,
    window_bounds,
)
from ahr_tui.rules.enrollment import Enrollment, EnrollmentChange, NotificationKind, next_enrollment
from ahr_tui.rules.policy import DEFAULT_POLICY, Policy
from ahr_tui.rules.roles import Permission, Role, allows, least_role
from ahr_tui.rules.stores import BY_CODE, BY_MARKETPLACE_ID, DEFAULT_ENABLED, STORES, StoreInfo
from ahr_tui.rules.urgency import Urgency, format_left, urgency

__all__ = [
    "ACTIVE_STATUSES",
    "BY_CODE",
    "BY_MARKETPLACE_ID",
    "DEFAULT_ENABLED",
    "DEFAULT_POLICY",
    "STORES",
    "AccountFacts",
    "AccountStatus",
    "Band",
    "CaseAction",
    "CaseDecision",
    "CaseStatus",
    "Eligibility",
    "Enrollment",
    "EnrollmentChange",
    "NotificationKind",
    "OpenDecision",
    "Permission",
    "PhoneStatus",
    "Plan",
    "Policy",
    "PolicyArea",
    "Reason",
    "RejectCode",
    "Rejected",
    "Role",
    "ScoreWindow",
    "StoreInfo",
    "Urgency",
    "allows",
    "band",
    "check",
    "count_window",
    "deadline_for",
    "decide",
    "decide_open",
    "evaluate",
    "format_left",
    "last_complete_day",
    "least_role",
    "next_enrollment",
    "phone_status",
    "response_margin",
    "urgency",
    "window_bounds",
]
