"""What the marketplace's own account status, from its Seller Performance Report, means here.

The report's ``accountStatuses[].status`` is NORMAL, AT_RISK or DEACTIVATED in the schema, and
other words in practice (SUSPENDED in the schema's own example; domain.md section 3.3). It is kept
verbatim. Only DEACTIVATED changes anything: the marketplace has deactivated the account, so it is
deactivated here too and leaves the program (DESIGN.md section 4: a deactivated account is never
enrolled; ``revoked`` stays ``revoked``). The reverse is not automatic: an account deactivated here
(by an operator's decision, a fraud finding, or an earlier report) is not reactivated by a report
that says NORMAL; the import summary says so and an operator decides.
"""

from __future__ import annotations

from dataclasses import dataclass

from ahr_tui.rules.automatic import PREFIX
from ahr_tui.rules.eligibility import AccountStatus
from ahr_tui.rules.enrollment import Enrollment

DEACTIVATED = "DEACTIVATED"


@dataclass(frozen=True, slots=True)
class ReportedStatusChange:
    """The account's new status and enrolment (None: unchanged), and the audit note."""

    status: AccountStatus | None
    enrollment: Enrollment | None
    note: str


def on_reported_status(
    reported: str | None, status: AccountStatus, enrollment: Enrollment
) -> ReportedStatusChange | None:
    """The change a report's account status makes to an account, or None."""
    if reported != DEACTIVATED or status is AccountStatus.DEACTIVATED:
        return None
    leaves = enrollment not in (Enrollment.NOT_ENROLLED, Enrollment.REVOKED)
    return ReportedStatusChange(
        status=AccountStatus.DEACTIVATED,
        enrollment=Enrollment.NOT_ENROLLED if leaves else None,
        note=f"{PREFIX}the marketplace's report says {DEACTIVATED}",
    )


def still_deactivated(reported: str | None, status: AccountStatus) -> bool:
    """A report says the account is not deactivated, but it is here: said, not applied."""
    return reported is not None and reported != DEACTIVATED and status is AccountStatus.DEACTIVATED
