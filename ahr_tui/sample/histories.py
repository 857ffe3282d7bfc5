"""AHR histories that put accounts in every enrolment state, edges included.

A history is a list of segments ``(first day, last day, score)`` over day indexes 0..days-1
(the last index is the day before the reference instant); days no segment covers have no score.
AHR moves in steps (a violation costs points, a fix or a batch of orders gives some back), so
steady stretches are realistic and let SQL expand 500,000 segments into 10,000,000 rows.

Each profile controls how many days of the last 180 fall below 250 (missing days count too), so
the enrolment the real rules compute is the one the profile aims at: exactly 10 and exactly 11
are both generated on purpose.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from ahr_tui.rules import DEFAULT_POLICY

Segment = tuple[int, int, int]

THRESHOLD = DEFAULT_POLICY.threshold
WINDOW = DEFAULT_POLICY.window_days
MAX_BELOW = DEFAULT_POLICY.max_days_below


class Profile:
    """Names of the history shapes (plain strings: they only steer the generator)."""

    STEADY = "steady"  # 0..6 days below in the window
    EDGE_10 = "edge_10"  # exactly 10 days below: still qualifies
    EDGE_10_GAPS = "edge_10_gaps"  # 10 = some missing days + some below
    EDGE_11 = "edge_11"  # exactly 11: never enrolled
    EDGE_11_LAPSED = "edge_11_lapsed"  # exactly 11, was enrolled: lapsed
    LAPSED = "lapsed"  # a recent dip of 12..40 days after being enrolled
    GAPS = "gaps"  # a few missing days, qualifies
    STRUGGLING = "struggling"  # long stretches at risk / unhealthy
    NEW = "new"  # history starts inside the window
    REVOKED = "revoked"  # fraud finding: deactivated, revoked
    DEACTIVATED = "deactivated"  # an expired case ended in deactivation


#: Profiles for accounts after the fixed showcase ones, with weights.
RANDOM_PROFILES: tuple[tuple[str, int], ...] = (
    (Profile.STEADY, 56), (Profile.EDGE_10, 3), (Profile.EDGE_10_GAPS, 1), (Profile.EDGE_11, 2),
    (Profile.EDGE_11_LAPSED, 1), (Profile.LAPSED, 6), (Profile.GAPS, 7), (Profile.STRUGGLING, 12),
    (Profile.NEW, 8), (Profile.REVOKED, 1), (Profile.DEACTIVATED, 1),
)

#: Profiles whose accounts were enrolled at some point (they must be professional, in an
#: enabled store, with a valid phone, for their story to hold).
WAS_ENROLLED = frozenset({Profile.EDGE_11_LAPSED, Profile.LAPSED, Profile.REVOKED,
                          Profile.DEACTIVATED})


@dataclass(frozen=True, slots=True)
class History:
    segments: list[Segment]
    #: Day index on which the window first held 11 days below (lapsed profiles), else None.
    lapse_day: int | None = None


def _walk(rng: random.Random, lo: int, hi: int, low: int, high: int, start: int) -> list[Segment]:
    """Steps between ``low`` and ``high``: each level holds for 4..40 days."""
    out: list[Segment] = []
    random_ = rng.random
    value = start
    day = lo
    while day <= hi:
        end = day + 3 + int(random_() * 37)
        out.append((day, end if end < hi else hi, value))
        day = end + 1
        value += int(random_() * 121) - 55
        value = low if value < low else high if value > high else value
    return out


def _overlay(base: list[Segment], overrides: dict[int, int | None]) -> list[Segment]:
    """Replace single days of ``base`` (None removes the day's score); equal runs stay one step."""
    if not overrides:
        return base
    keys = sorted(overrides)
    out: list[Segment] = []

    def put(lo: int, hi: int, value: int) -> None:
        if out and out[-1][2] == value and out[-1][1] + 1 == lo:
            out[-1] = (out[-1][0], hi, value)
        else:
            out.append((lo, hi, value))

    k = 0
    for lo, hi, value in base:
        start = lo
        while k < len(keys) and keys[k] <= hi:
            day = keys[k]
            k += 1
            if day < lo:
                continue
            if day > start:
                put(start, day - 1, value)
            new = overrides[day]
            if new is not None:
                put(day, day, new)
            start = day + 1
        if start <= hi:
            put(start, hi, value)
    return out


def _below(rng: random.Random) -> int:
    """A bad day's score: mostly at risk, sometimes unhealthy, sometimes just under 250."""
    roll = rng.random()
    if roll < 0.3:
        return THRESHOLD - 1 - int(rng.random() * 20)
    if roll < 0.85:
        return 100 + int(rng.random() * 100)
    return 20 + int(rng.random() * 79)


def _window_days(rng: random.Random, days: int, count: int, avoid_last: int = 0) -> list[int]:
    first = max(0, days - WINDOW)
    pool = range(first, max(first, days - avoid_last))
    return rng.sample(pool, min(count, len(pool)))


def history(rng: random.Random, profile: str, days: int) -> History:
    if profile == Profile.STRUGGLING:
        return History(_struggling(rng, days))
    if profile == Profile.NEW:
        start = max(0, days - 20 - int(rng.random() * 140))
        return History([(start, min(days - 1, start + 13), 200),
                        *_walk(rng, start + 14, days - 1, 200, 800, 230)])
    healthy = 260 + int(rng.random() * 650)
    base = _walk(rng, 0, days - 1, THRESHOLD + 10, 1000, healthy)
    bad: dict[int, int | None] = {}
    if profile in (Profile.STEADY, Profile.REVOKED, Profile.DEACTIVATED):
        bad = {d: _below(rng) for d in _window_days(rng, days, int(rng.random() * 7))}
    elif profile in (Profile.EDGE_10, Profile.EDGE_11):
        count = MAX_BELOW if profile == Profile.EDGE_10 else MAX_BELOW + 1
        bad = {d: _below(rng) for d in _window_days(rng, days, count)}
    elif profile in (Profile.EDGE_10_GAPS, Profile.GAPS):
        missing = 1 + int(rng.random() * 4)
        below = MAX_BELOW - missing if profile == Profile.EDGE_10_GAPS else int(rng.random() * 4)
        chosen = _window_days(rng, days, missing + below)
        bad = {d: None for d in chosen[:missing]} | {d: _below(rng) for d in chosen[missing:]}
    elif profile in (Profile.LAPSED, Profile.EDGE_11_LAPSED):
        return _lapsed(rng, base, profile, days)
    return History(_overlay(base, bad))


def _lapsed(rng: random.Random, base: list[Segment], profile: str, days: int) -> History:
    """Enrolled until the 11th day below 250 entered the window; the lapse day is that day."""
    if profile == Profile.EDGE_11_LAPSED:
        chosen = sorted(_window_days(rng, days, MAX_BELOW + 1))
        lapse = chosen[-1] if len(chosen) > MAX_BELOW else None
        return History(_overlay(base, {d: _below(rng) for d in chosen}), lapse)
    length = 12 + int(rng.random() * 29)
    end = days - 1 - int(rng.random() * 20)
    start = max(max(0, days - WINDOW), end - length + 1)
    level = 110 + int(rng.random() * 130)
    dip = {d: level for d in range(start, end + 1)}
    lapse = start + MAX_BELOW if end - start + 1 > MAX_BELOW else None
    return History(_overlay(base, dip), lapse)


def _struggling(rng: random.Random, days: int) -> list[Segment]:
    """Mostly at risk, with a block of at least 15 days below 250 in the window."""
    segments = _walk(rng, 0, days - 1, 40, 700, 120 + int(rng.random() * 200))
    first = max(0, days - WINDOW)
    span = days - first
    length = min(span, 15 + int(rng.random() * 40))
    start = first + int(rng.random() * max(1, span - length))
    steps = _walk(rng, start, start + length - 1, 40, THRESHOLD - 1, _below(rng))
    return _overlay(segments, {d: v for lo, hi, v in steps for d in range(lo, hi + 1)})
