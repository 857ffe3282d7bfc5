"""What happened to each sample account and case, told as the audit log would record it.

Every story follows the transition table of DESIGN.md section 4 and writes the events and
notifications the service would have written (``service.cases.apply_action``, ``service.sweep``):
the same actions, states, actors' permissions and notes, at plausible times before the reference.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from ahr_tui.rules import CaseStatus, NotificationKind, PolicyArea, Rejected
from ahr_tui.rules.automatic import DEADLINE_PASSED, enrollment_note
from ahr_tui.rules.contact import Channel, Outcome, attempt_note, decide_attempt
from ahr_tui.sample.people import base36
from ahr_tui.sample.timeline import (
    LAST_SWEEP,
    REFERENCE,
    AccountDraft,
    AttemptDraft,
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
#: Outcomes as chance draws them: most calls end in voicemail or no answer.
_LIKELY_OUTCOMES = (Outcome.REACHED, Outcome.REACHED, Outcome.NO_ANSWER, Outcome.NO_ANSWER,
                    Outcome.VOICEMAIL, Outcome.VOICEMAIL, Outcome.LEFT_MESSAGE,
                    Outcome.WRONG_NUMBER, Outcome.BOUNCED)
_CHANNEL = {Outcome.REACHED: Channel.PHONE, Outcome.NO_ANSWER: Channel.PHONE,
            Outcome.VOICEMAIL: Channel.PHONE, Outcome.LEFT_MESSAGE: Channel.SMS,
            Outcome.WRONG_NUMBER: Channel.PHONE, Outcome.BOUNCED: Channel.EMAIL}
_ATTEMPT_NOTES: dict[Outcome, tuple[str | None, ...]] = {
    Outcome.REACHED: ("Spoke to the seller; they will send documents.",
                      "Seller's operations manager answered; explained the 72 hours.", None),
    Outcome.NO_ANSWER: ("Emergency line rang out.", None),
    Outcome.VOICEMAIL: ("Left a voicemail with the case number.", None),
    Outcome.LEFT_MESSAGE: ("Text sent with the case number and our callback line.",),
    Outcome.WRONG_NUMBER: ("Number belongs to someone else; will try e-mail.",),
    Outcome.BOUNCED: ("E-mail to the address on file bounced.",),
}
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
        #: The first contacts take every outcome once before chance decides.
        self._outcomes = list(Outcome)

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
    def _new_case(self, account: AccountDraft, contacted: datetime | None,
                  recorded: datetime) -> CaseDraft:
        policy = self.rng.choice(_POLICIES)
        asin = "B0" + base36(self.rng.getrandbits(42), 8)
        summary = _SUMMARIES[policy].format(asin=asin, n=2 + int(self.rng.random() * 9))
        case = CaseDraft(account=account, policy=policy.value, summary=summary,
                         contacted_at=contacted, opened_at=recorded)
        self.t.cases.append(case)
        return case

    def _open(self, account: AccountDraft, contacted: datetime, until: datetime) -> CaseDraft:
        """A case whose first contact is at ``contacted``: half of them were detected first (up
        to 20 hours before), the others opened directly; stories end it by ``until``."""
        if self.rng.random() < 0.5:
            detected = contacted - self._minutes(5, 60 * 20)
            case = self._detect(account, detected, contacted)
            self._attempt(case, contacted, first=True)
        else:
            opened = min(contacted + self._minutes(1, 15), until)
            case = self._new_case(account, contacted, opened)
            self._event(contacted, self._op(), "open", case, recorded_at=opened,
                        to_state="open", note=case.summary)
            self.t.notify(NotificationKind.CASE_OPENED, account, opened, case)
        opened = case.opened_at
        if self.rng.random() < 0.6 and opened + timedelta(minutes=31) < until:
            self._assign(case, opened + self._minutes(1, 30))
        since = max(opened, contacted)  # a follow-up comes after the first contact
        if self.rng.random() < 0.35 and since + timedelta(hours=1) < until:
            spare = (until - since).total_seconds()
            at = since + timedelta(seconds=int(self.rng.random() * spare))
            if self.rng.random() < 0.5:
                self._event(at, self._op(), "note", case, note=self.rng.choice(_CONTACT_NOTES))
            else:
                self._attempt(case, at)
        return case

    def _detect(self, account: AccountDraft, detected: datetime, until: datetime) -> CaseDraft:
        recorded = min(detected + self._minutes(1, 15), until)
        case = self._new_case(account, None, recorded)
        case.detected, case.status = detected, "detected"
        self._event(detected, self._op(), "detect", case, recorded_at=recorded,
                    to_state="detected", note=case.summary)
        return case

    def _assign(self, case: CaseDraft, at: datetime) -> None:
        assignee = self._op()
        self._event(at, assignee, "assign", case, from_state=None, to_state=assignee.name)
        case.assignee = assignee.name
        case.version += 1

    def _attempt(self, case: CaseDraft, at: datetime, *, first: bool = False) -> None:
        """One attempt to reach the seller, with what the rules say it changes and sends."""
        outcome = self._outcomes.pop(0) if self._outcomes and first else self.rng.choice(
            _LIKELY_OUTCOMES)
        channel = _CHANNEL[outcome]
        note = self.rng.choice(_ATTEMPT_NOTES[outcome])
        decision = decide_attempt(
            CaseStatus(case.status), at=at, outcome=outcome, detected_at=case.detected_at,
            contacted_at=case.contacted_at, reached_at=case.reached_at,
            earlier=[(a.at, a.outcome) for a in case.attempts],
        )
        assert not isinstance(decision, Rejected), decision
        actor = self._op()
        recorded = min(at + self._minutes(0, 5), REFERENCE)
        case.attempts.append(AttemptDraft(case, at, channel, outcome, note, actor))
        self.t.attempts.append(case.attempts[-1])
        self._event(at, actor, "attempt", case, recorded_at=recorded,
                    from_state=decision.before.value, to_state=decision.after.value,
                    note=attempt_note(channel, outcome, note))
        if decision.contacted_at is not None:
            case.contacted_at = decision.contacted_at
        case.reached_at = decision.reached_at or case.reached_at
        if decision.after.value != case.status or decision.reached_at is not None:
            case.version += 1
        case.status = decision.after.value
        for kind in decision.notify:
            self.t.notify(kind, case.account, recorded, case)

    def _warn(self, case: CaseDraft, open_until: datetime) -> None:
        """The hourly sweep's deadline warning, if one ran while the case was open."""
        assert case.deadline is not None
        tick = tick_at_or_after(case.deadline - timedelta(hours=24))
        if tick <= min(open_until, LAST_SWEEP) and tick <= case.deadline:
            self.t.notify(NotificationKind.DEADLINE_WARNING, case.account, tick, case)

    def _expire(self, case: CaseDraft) -> datetime:
        assert case.deadline is not None
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

    def detected_case(self, account: AccountDraft, left: timedelta) -> None:
        """A case found and not contacted yet, its first contact due ``left`` after the
        reference (negative: the 24-hour target was missed)."""
        case = self._detect(account, REFERENCE + left - timedelta(hours=24), REFERENCE)
        # the ones close to their target are the ones nobody took (what escalations are for)
        if (left > timedelta(hours=6) and self.rng.random() < 0.5
                and case.opened_at + timedelta(minutes=31) < REFERENCE):
            self._assign(case, case.opened_at + self._minutes(1, 30))

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
