"""What happened to each sample account and case, told as the audit log would record it.

Every story follows the transition table of DESIGN.md section 4 and writes the events and
notifications the service would have written (``service.cases.apply_action``, ``service.sweep``):
the same actions, states, actors' permissions and notes, at plausible times before the reference.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from ahr_tui.rules import NotificationKind, PolicyArea
from ahr_tui.rules.automatic import DEADLINE_PASSED, enrollment_note
from ahr_tui.sample.people import base36
from ahr_tui.sample.timeline import (
    LAST_SWEEP,
    REFERENCE,
    AccountDraft,
    CaseDraft,
    EventDraft,
    Op,
    Timeline,
    midnight_sweep,
    tick_after,
    tick_at_or_after,
)

OPERATORS = (
    Op("mlopez", "lead", "10.20.1.11", "/dev/pts/3"),
    Op("jchen", "investigator", "10.20.1.24", "/dev/pts/1"),
    Op("akumar", "investigator", "10.20.2.7", "/dev/pts/5"),
    Op("sobrien", "triage", "10.20.1.42", "/dev/pts/2"),
    Op("tnguyen", "triage", "10.20.3.15", "/dev/pts/4"),
)
#: The service account cron runs ``ahr sweep`` as.
CRON = Op("svc-ahr", "triage")
_BY_ROLES = {
    (): OPERATORS,
    ("lead",): tuple(o for o in OPERATORS if o.role == "lead"),
    ("investigator", "lead"): tuple(o for o in OPERATORS if o.role in ("investigator", "lead")),
}
_POLICIES = tuple(PolicyArea)

_SUMMARIES = {
    PolicyArea.IP_SUSPECTED: "Suspected intellectual property violation on ASIN {asin}",
    PolicyArea.IP_COMPLAINT: "Rights owner trademark complaint on ASIN {asin}",
    PolicyArea.AUTHENTICITY: "Inauthentic item complaints: {n} customer reports on ASIN {asin}",
    PolicyArea.CONDITION: "Used sold as new: {n} condition complaints in 30 days",
    PolicyArea.PRODUCT_SAFETY: "Product safety: missing certification for ASIN {asin}",
    PolicyArea.FOOD_SAFETY: "Expired product complaints on grocery ASIN {asin}",
    PolicyArea.LISTING_POLICY: "Listing policy: prohibited keywords in {n} listings",
    PolicyArea.RESTRICTED_PRODUCT: "Restricted product listed without approval: ASIN {asin}",
    PolicyArea.REVIEWS: "Review manipulation signals on ASIN {asin}",
    PolicyArea.REGULATORY: "Regulatory compliance: missing documents for ASIN {asin}",
    PolicyArea.OTHER: "Account information verification requested",
}
_CONTACT_NOTES = ("Called the emergency line; left a voicemail.",
                  "Called the emergency line; no answer, e-mail sent.",
                  "Spoke to the seller's operations manager; call back promised.",
                  "Seller asked for the list of affected ASINs; sent by e-mail.")
_RESPONSES = ("Seller called back; plan of action in progress.",
              "Seller removed the listings and sent invoices.", None,
              "Seller replied by e-mail with supplier documents.")
_RESOLUTIONS = ("Invoices verified; listings reinstated.", "Plan of action accepted.",
                "Listings corrected; no further action.", "Complaint withdrawn by rights owner.")
_DEACTIVATIONS = ("No response within 72 hours and issue unresolved; account deactivated.",
                  "Seller unreachable; repeat violation confirmed.")
_EVIDENCE = ("Counterfeit units confirmed by test buy; forged invoices.",
             "Linked to a previously suspended account; falsified identity documents.",
             "Coordinated review manipulation across related accounts.")


class Stories:
    """Appends the drafts of one account's or one case's history to ``timeline``."""

    def __init__(self, rng: random.Random, timeline: Timeline, horizon_days: int) -> None:
        self.rng = rng
        self.t = timeline
        self.horizon = horizon_days

    # -- helpers ---------------------------------------------------------------------------
    def _op(self, *roles: str) -> Op:
        return self.rng.choice(_BY_ROLES[roles])

    def _minutes(self, low: float, high: float) -> timedelta:
        return timedelta(seconds=int(60 * (low + self.rng.random() * (high - low))))

    def _past(self, earliest: timedelta, latest: timedelta) -> datetime:
        """A whole-second instant between ``latest`` and ``earliest`` before the reference."""
        span = (earliest - latest).total_seconds()
        return REFERENCE - latest - timedelta(seconds=int(self.rng.random() * span))

    def _event(self, at: datetime, actor: Op, action: str, case: CaseDraft, *,
               recorded_at: datetime | None = None, from_state: str | None = None,
               to_state: str | None = None, note: str | None = None,
               because_of: CaseDraft | None = None) -> None:
        self.t.event(EventDraft(at=at, recorded_at=recorded_at or at, actor=actor, action=action,
                                account=case.account, case=case, from_state=from_state,
                                to_state=to_state, note=note, because_of=because_of))

    def _move(self, case: CaseDraft, at: datetime, actor: Op, action: str, to: str,
              note: str | None, recorded_at: datetime | None = None) -> None:
        self._event(at, actor, action, case, from_state=case.status, to_state=to, note=note,
                    recorded_at=recorded_at or at)
        case.status = to
        case.version += 1
        if to not in ("open", "responded", "expired"):
            case.closed_at = at
            case.outcome_note = note

    # -- the steps of a case ---------------------------------------------------------------
    def _open(self, account: AccountDraft, contacted: datetime, until: datetime) -> CaseDraft:
        policy = self.rng.choice(_POLICIES)
        asin = "B0" + base36(self.rng.getrandbits(42), 8)
        summary = _SUMMARIES[policy].format(asin=asin, n=2 + int(self.rng.random() * 9))
        opened = min(contacted + self._minutes(1, 15), until)
        case = CaseDraft(account=account, policy=policy.value, summary=summary,
                         contacted_at=contacted, opened_at=opened)
        self.t.cases.append(case)
        self._event(contacted, self._op(), "open", case, recorded_at=opened, to_state="open",
                    note=summary)
        self.t.notify(NotificationKind.CASE_OPENED, account, opened, case)
        if self.rng.random() < 0.6 and opened + timedelta(minutes=31) < until:
            at = opened + self._minutes(1, 30)
            assignee = self._op()
            self._event(at, assignee, "assign", case, from_state=None, to_state=assignee.name)
            case.assignee = assignee.name
            case.version += 1
        if self.rng.random() < 0.35 and opened + timedelta(hours=1) < until:
            spare = (until - opened).total_seconds()
            at = opened + timedelta(seconds=int(self.rng.random() * spare))
            self._event(at, self._op(), "note", case, note=self.rng.choice(_CONTACT_NOTES))
        return case

    def _warn(self, case: CaseDraft, open_until: datetime) -> None:
        """The hourly sweep's deadline warning, if one ran while the case was open."""
        tick = tick_at_or_after(case.deadline - timedelta(hours=24))
        if tick <= min(open_until, LAST_SWEEP) and tick <= case.deadline:
            self.t.notify(NotificationKind.DEADLINE_WARNING, case.account, tick, case)

    def _expire(self, case: CaseDraft) -> datetime:
        tick = tick_after(case.deadline)
        self._warn(case, tick)
        self._move(case, tick, CRON, "expire", "expired", DEADLINE_PASSED)
        self.t.notify(NotificationKind.CASE_EXPIRED, case.account, tick, case)
        return tick

    def _respond(self, case: CaseDraft, at: datetime) -> None:
        self._warn(case, at)
        recorded = min(at + self._minutes(0, 10), REFERENCE)
        self._move(case, at, self._op(), "respond", "responded", self.rng.choice(_RESPONSES),
                   recorded_at=recorded)
        case.responded_at = at

    def _close_account(self, case: CaseDraft, at: datetime, actor: Op, enrollment: str) -> None:
        account = case.account
        self._event(at, actor, "account_status", case, from_state="active", to_state="deactivated")
        self._event(at, actor, "enrollment", case, from_state=account.enrollment,
                    to_state=enrollment)
        account.status, account.enrollment = "deactivated", enrollment
        account.changed_at = at
        account.version += 1
        self.t.notify(NotificationKind.ACCOUNT_DEACTIVATED, account, at, case)

    # -- whole case stories ----------------------------------------------------------------
    def open_case(self, account: AccountDraft, left: timedelta) -> None:
        """An open case whose deadline is ``left`` after the reference (negative: overdue)."""
        contacted = REFERENCE + left - timedelta(hours=72)
        case = self._open(account, contacted, REFERENCE)
        self._warn(case, REFERENCE)

    def responded_case(self, account: AccountDraft, *, at_deadline: bool = False) -> None:
        if at_deadline:
            contacted = self._past(timedelta(days=4), timedelta(hours=73))
            answer = timedelta(hours=72)
        else:
            contacted = self._past(timedelta(days=min(self.horizon, 6)), timedelta(hours=2))
            window = min(timedelta(hours=72), REFERENCE - contacted - timedelta(minutes=30))
            spare = window.total_seconds() - 600
            answer = timedelta(seconds=int(600 + self.rng.random() * spare))
        case = self._open(account, contacted, contacted + answer)
        self._respond(case, contacted + answer)

    def expired_case(self, account: AccountDraft) -> None:
        deadline = self._past(timedelta(days=6), REFERENCE - LAST_SWEEP + timedelta(minutes=1))
        case = self._open(account, deadline - timedelta(hours=72), deadline)
        self._expire(case)

    def resolved_case(self, account: AccountDraft) -> None:
        # the longest path (respond after 70 h, resolve 30 h later) still ends before the reference
        contacted = self._past(timedelta(days=self.horizon), timedelta(days=5))
        path = self.rng.random()
        answer = contacted + self._minutes(20, 60 * 70)
        quick = contacted + self._minutes(60, 60 * 60)
        until = answer if path < 0.7 else quick if path < 0.9 else contacted + timedelta(hours=60)
        case = self._open(account, contacted, until)
        if path < 0.7:
            self._respond(case, answer)
            closed = answer + self._minutes(30, 60 * 30)
        elif path < 0.9:
            self._warn(case, quick)
            closed = quick
        else:
            closed = self._expire(case) + self._minutes(60, 60 * 20)
        self._move(case, closed, self._op(), "resolve", "resolved", self.rng.choice(_RESOLUTIONS))

    def deactivated_case(self, account: AccountDraft) -> None:
        contacted = self._past(timedelta(days=self.horizon), timedelta(days=5))
        case = self._open(account, contacted, contacted + timedelta(hours=71))
        closed = self._expire(case) + self._minutes(90, 60 * 40)
        lead = self._op("lead")
        self._move(case, closed, lead, "deactivate", "deactivated", self.rng.choice(_DEACTIVATIONS))
        self._close_account(case, closed, lead, "not_enrolled")

    def fraud_case(self, account: AccountDraft, *, supersedes: bool) -> None:
        contacted = self._past(timedelta(days=self.horizon), timedelta(days=4))
        found = contacted + self._minutes(60 * 20, 60 * 70)
        other = None
        if supersedes:
            other = self._open(account, found - self._minutes(60, 60 * 60), found)
        case = self._open(account, contacted, found)
        if self.rng.random() < 0.5:
            self._respond(case, contacted + self._minutes(10, 60 * 19))
        investigator = self._op("investigator", "lead")
        self._move(case, found, investigator, "fraud", "fraud", self.rng.choice(_EVIDENCE))
        self._close_account(case, found, investigator, "revoked")
        self.t.notify(NotificationKind.ENROLLMENT_REVOKED, account, found, case)
        if other is not None:
            self._event(found, investigator, "supersede", other, from_state=other.status,
                        to_state="superseded", because_of=case)
            other.status, other.closed_at = "superseded", found
            other.version += 1

    # -- enrolment -------------------------------------------------------------------------
    def enrolment(self, account: AccountDraft, days_before: int, to: str, reasons: str) -> None:
        """One enrolment change by the sweep that ran at midnight ``days_before`` days ago."""
        at = midnight_sweep(days_before)
        as_of = (at - timedelta(days=1)).date()
        self.t.event(EventDraft(at=at, recorded_at=at, actor=CRON, action="enrollment",
                                account=account, from_state=account.enrollment, to_state=to,
                                note=enrollment_note(as_of, reasons)))
        account.enrollment, account.changed_at = to, at
        account.version += 1
        kind = {"enrolled": NotificationKind.ENROLLED, "lapsed": NotificationKind.LAPSED,
                "pending_contact": NotificationKind.CONTACT_NEEDED}[to]
        self.t.notify(kind, account, at)
