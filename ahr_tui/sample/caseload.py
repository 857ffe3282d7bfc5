"""How many cases of each kind the sample has, on which accounts, with how much time left.

Open cases are spread over the whole 72 hours before their deadline (at least one in its last
hour, one under 6 hours, one under 24 hours, one just opened), plus a few already overdue that
only a sweep at the reference instant will expire. Detected cases (not contacted yet) count down
to their 24-hour first-contact target, one of them past it. Active cases go to enrolled, active
accounts (showcase ones first, so the display-stressing names show up in the case list); fraud
and deactivation cases belong to the accounts whose profile says they ended that way.
"""

from __future__ import annotations

import random
from datetime import timedelta

from ahr_tui.errors import InvalidInput
from ahr_tui.sample.histories import Profile
from ahr_tui.sample.stories import Stories
from ahr_tui.sample.timeline import LAST_SWEEP, REFERENCE, AccountDraft

WINDOW = timedelta(hours=72)
CONTACT_TARGET = timedelta(hours=24).total_seconds()


def time_left(rng: random.Random, count: int) -> list[timedelta]:
    """Time left at the reference for ``count`` open cases (negative: overdue), whole seconds."""
    overdue = max(1, count // 25) if count >= 3 else 0
    running = count - overdue
    # last hour, under 6 h, under 24 h, one opened in the hours before the cron job stopped (its
    # e-mail still failing) and one opened since it last ran (its e-mail pending)
    buckets = [(0.0, 1.0), (1.0, 6.0), (6.0, 24.0), (64.0, 67.5), (70.0, 72.0)]
    buckets = buckets if running >= 5 else []
    hours = [lo + rng.random() * (hi - lo) for lo, hi in buckets]
    rest = running - len(buckets)
    hours += [(i + rng.random()) * 72.0 / rest for i in range(rest)]
    lefts = [timedelta(seconds=max(1, int(h * 3600))) for h in hours]
    stale = (REFERENCE - LAST_SWEEP).total_seconds() - 60
    lefts += [-timedelta(seconds=1 + int(rng.random() * stale)) for _ in range(overdue)]
    return lefts


def contact_left(rng: random.Random, count: int) -> list[timedelta]:
    """Time left to ``contact_due`` at the reference for ``count`` detected cases: one in its
    last hour, one under 6 hours and one past its 24-hour target when there are three or more,
    the rest spread over the 24 hours."""
    lefts = []
    if count >= 3:  # in its last hour, under 6 hours, and past its target
        lefts.append(timedelta(seconds=1 + int(rng.random() * 3599)))
        lefts.append(timedelta(seconds=3600 + int(rng.random() * 5 * 3600)))
        lefts.append(-timedelta(seconds=60 + int(rng.random() * 6 * 3600)))
    rest = count - len(lefts)
    lefts += [timedelta(seconds=max(1, int((i + rng.random()) * CONTACT_TARGET / rest)))
              for i in range(rest)]
    return lefts


class TooManyOpenCases(InvalidInput):
    """More open cases were asked for than the sample has enrolled, active accounts: each
    open case goes to one of them, its own (``assign_cases``). ``asked`` and ``room`` are the
    two numbers; which accounts are enrolled depends on the accounts, days and seed."""

    def __init__(self, asked: int, room: int) -> None:
        super().__init__(
            f"{asked:,} open cases need {asked:,} enrolled, active accounts (one each) and "
            f"this sample enrols {room:,}; ask for at most {room:,}.")
        self.asked, self.room = asked, room


class TooManyDetectedCases(InvalidInput):
    """More detected cases were asked for than the enrolled, active accounts left over by the
    ``open`` cases: a detected case goes to one of them too, its own (``assign_cases``).
    ``asked``, ``open`` and ``room`` (every enrolled, active account) are the numbers."""

    def __init__(self, asked: int, open_cases: int, room: int) -> None:
        left = max(0, room - open_cases)
        super().__init__(
            f"{asked:,} detected cases and {open_cases:,} open ones need "
            f"{asked + open_cases:,} enrolled, active accounts (one each) and this sample enrols "
            f"{room:,}; ask for at most {left:,} detected cases.")
        self.asked, self.open, self.room = asked, open_cases, room


def assign_cases(rng: random.Random, stories: Stories, accounts: list[AccountDraft],
                 open_cases: int | None, detected_cases: int | None = None) -> None:
    """The sample's cases on ``accounts`` (as the rules settled them): fraud and deactivation
    cases on the accounts whose profile ends that way; ``open_cases`` (default: about one in ten
    accounts), each on an enrolled, active account of its own, then the responded, expired and
    ``detected_cases`` (default: about one in thirty) on the next ones in the same order,
    starting that order again when it runs out (the detected ones again after the open ones,
    so that neither shares an account with the other); resolved ones on any of them.

    Raises ``TooManyOpenCases`` when ``open_cases`` is more than the enrolled, active accounts
    (5,000 on 4 would be 1,250 open cases a seller; with fewer days than the 180-day window,
    no account is enrolled and none could be opened), and ``TooManyDetectedCases`` when
    ``detected_cases`` is more than those the open cases leave."""
    base = max(1, len(accounts) // 10)
    for account in accounts:
        if account.profile == Profile.REVOKED:
            stories.fraud_case(account, supersedes=account.id == _first(accounts, Profile.REVOKED)
                               or rng.random() < 0.4)
        elif account.profile == Profile.DEACTIVATED:
            stories.deactivated_case(account)
    pool = [a for a in accounts if a.enrollment == "enrolled" and a.status == "active"]
    if open_cases is not None and open_cases > len(pool):
        raise TooManyOpenCases(open_cases, len(pool))
    opened = min(base, len(pool)) if open_cases is None else open_cases
    if detected_cases is not None and opened + detected_cases > len(pool):
        raise TooManyDetectedCases(detected_cases, opened, len(pool))
    if not pool:
        return
    showcase, rest = pool[:8], pool[8:]
    rng.shuffle(rest)
    order = showcase + rest
    lefts = time_left(rng, base if open_cases is None else open_cases)
    responded = max(1, base // 2)
    expired = max(1, base // 8)
    for n, left in enumerate(lefts):
        stories.open_case(order[n % len(order)], left)
    offset = len(lefts)
    for n in range(responded):
        stories.responded_case(order[(offset + n) % len(order)], at_deadline=n == 0)
    offset += responded
    for n in range(expired):
        stories.expired_case(order[(offset + n) % len(order)])
    offset += expired
    detected = contact_left(rng, max(1, base // 3) if detected_cases is None else detected_cases)
    spare = order[len(lefts):]  # the accounts without an open case
    for n, left in enumerate(detected):
        at = offset + n  # past the end of the order, again among the spare accounts
        account = spare[(at - len(lefts)) % len(spare)] if spare else order[at % len(order)]
        stories.detected_case(account, left)
    for _ in range(base):
        stories.resolved_case(rng.choice(pool))


def _first(accounts: list[AccountDraft], profile: str) -> int:
    return next(a.id for a in accounts if a.profile == profile)
