"""Reaching the seller: detection, contact attempts, and the first-contact clock.

A case is ``detected`` when a policy issue is found and the seller has not been contacted yet;
the team aims to make its first attempt within ``Policy.first_contact_target`` (24 h). The first
attempt, whatever its outcome, is the contact: the 72 hours start then. Later attempts are
follow-ups, logged; the first that reaches the seller sets ``reached_at``. The service and the
sample generator both ask these functions, so their histories agree (DESIGN.md section 4).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from ahr_tui.rules.actions import CaseFacts, Operation, state_refusal
from ahr_tui.rules.cases import CaseStatus, RejectCode, Rejected, deadline_for, decide_open
from ahr_tui.rules.eligibility import AccountStatus
from ahr_tui.rules.enrollment import Enrollment, NotificationKind
from ahr_tui.rules.policy import DEFAULT_POLICY, Policy


class Channel(StrEnum):
    """How an attempt was made, in the order the dialog offers them."""

    PHONE = "phone"
    EMAIL = "email"
    SMS = "sms"
    CHAT = "chat"


class Outcome(StrEnum):
    """What came of an attempt, in the order the dialog offers them."""

    REACHED = "reached"
    NO_ANSWER = "no_answer"
    VOICEMAIL = "voicemail"
    LEFT_MESSAGE = "left_message"
    WRONG_NUMBER = "wrong_number"
    BOUNCED = "bounced"


#: Outcomes after which the seller is asked by e-mail to call back (``contact_attempt``).
CALL_BACK: frozenset[Outcome] = frozenset(
    {Outcome.NO_ANSWER, Outcome.VOICEMAIL, Outcome.LEFT_MESSAGE}
)


@dataclass(frozen=True, slots=True)
class DetectDecision:
    status: CaseStatus
    contact_due: datetime


@dataclass(frozen=True, slots=True)
class AttemptDecision:
    before: CaseStatus
    after: CaseStatus
    #: Set by the first attempt only (None: unchanged).
    contacted_at: datetime | None = None
    deadline: datetime | None = None
    #: Set by the first attempt that reaches the seller (None: unchanged).
    reached_at: datetime | None = None
    notify: tuple[NotificationKind, ...] = ()


def contact_due_for(detected_at: datetime, policy: Policy = DEFAULT_POLICY) -> datetime:
    return detected_at + policy.first_contact_target


def decide_detect(
    enrollment: Enrollment,
    account_status: AccountStatus,
    detected_at: datetime,
    policy: Policy = DEFAULT_POLICY,
) -> DetectDecision | Rejected:
    """A policy issue on an enrolled, active account starts the first-contact clock; on any other
    account standard enforcement applies (the same refusals as opening a case)."""
    refused = decide_open(enrollment, account_status, detected_at, policy)
    if isinstance(refused, Rejected):
        return refused
    return DetectDecision(CaseStatus.DETECTED, contact_due_for(detected_at, policy))


def check_attempt(
    status: CaseStatus, *, at: datetime, detected_at: datetime, contacted_at: datetime | None = None
) -> Rejected | None:
    """Whether an attempt may be recorded on a case in ``status``; None when it may. A
    follow-up may not lie before the first contact (that one started the 72 hours)."""
    if status.is_final:  # the app's key and the CLI refuse it in the same words
        return state_refusal(Operation.ATTEMPT, CaseFacts(0, status, None, None), at=at)
    if at < detected_at:
        return Rejected(
            RejectCode.BEFORE_DETECTION, "an attempt cannot precede the detection of the case"
        )
    if contacted_at is not None and at < contacted_at:
        return Rejected(
            RejectCode.BEFORE_CONTACT,
            "a follow-up cannot precede the first contact, which started the 72 hours",
        )
    return None


def decide_attempt(
    status: CaseStatus,
    *,
    at: datetime,
    outcome: Outcome,
    detected_at: datetime,
    contacted_at: datetime | None = None,
    reached_at: datetime | None = None,
    earlier: Iterable[tuple[datetime, Outcome]] = (),
    policy: Policy = DEFAULT_POLICY,
) -> AttemptDecision | Rejected:
    """The effect of one attempt (``earlier``: the case's previous attempts as (at, outcome)).

    The first attempt on a detected case opens it: ``contacted_at = at``, ``deadline = at +
    72 h``, and the seller is told (``case_opened``, or ``contact_attempt`` when asked to call
    back). A follow-up changes no status. A call-back outcome e-mails the seller at most once per
    case per UTC day of the attempts' times.
    """
    refused = check_attempt(status, at=at, detected_at=detected_at, contacted_at=contacted_at)
    if refused is not None:
        return refused
    first_reach = at if outcome is Outcome.REACHED and reached_at is None else None
    call_back = _asks_to_call_back(outcome, at, earlier)
    if status is CaseStatus.DETECTED:
        kind = NotificationKind.CONTACT_ATTEMPT if call_back else NotificationKind.CASE_OPENED
        return AttemptDecision(
            before=status,
            after=CaseStatus.OPEN,
            contacted_at=at,
            deadline=deadline_for(at, policy),
            reached_at=first_reach,
            notify=(kind,),
        )
    return AttemptDecision(
        before=status,
        after=status,
        reached_at=first_reach,
        notify=(NotificationKind.CONTACT_ATTEMPT,) if call_back else (),
    )


def _asks_to_call_back(
    outcome: Outcome, at: datetime, earlier: Iterable[tuple[datetime, Outcome]]
) -> bool:
    """Whether this attempt e-mails the seller to call back: a call-back outcome, and the first
    of the case's call-back outcomes on the UTC day of ``at``."""
    return outcome in CALL_BACK and not any(
        earlier_outcome in CALL_BACK and earlier_at.date() == at.date()
        for earlier_at, earlier_outcome in earlier
    )


def attempt_note(channel: Channel, outcome: Outcome, note: str | None) -> str:
    """How the audit log records an attempt: ``phone, no_answer: text``."""
    head = f"{channel.value}, {outcome.value}"
    return f"{head}: {note}" if note and note.strip() else head
