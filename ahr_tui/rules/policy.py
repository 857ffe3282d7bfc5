"""Every number the rules use, in one frozen value.

Tests and callers pass a ``Policy`` explicitly when they want other numbers; ``DEFAULT_POLICY``
holds the program's published defaults (DESIGN.md section 4).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta


@dataclass(frozen=True, slots=True)
class Policy:
    window_days: int = 180
    threshold: int = 250
    max_days_below: int = 10
    response_window: timedelta = timedelta(hours=72)
    #: The team's own target for the first attempt to reach the seller after a detection.
    first_contact_target: timedelta = timedelta(hours=24)
    warn_within: timedelta = timedelta(hours=24)
    urgent_within: timedelta = timedelta(hours=6)
    critical_within: timedelta = timedelta(hours=1)
    healthy_min: int = 200
    at_risk_min: int = 100
    score_min: int = 0
    score_max: int = 1000


DEFAULT_POLICY = Policy()
