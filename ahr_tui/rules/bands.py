"""AHR bands: the colour a score shows as (domain.md section 1.1)."""

from __future__ import annotations

from enum import StrEnum

from ahr_tui.rules.policy import DEFAULT_POLICY, Policy


class Band(StrEnum):
    HEALTHY = "healthy"
    AT_RISK = "at_risk"
    UNHEALTHY = "unhealthy"


def band(score: int, policy: Policy = DEFAULT_POLICY) -> Band:
    """Healthy at 200 and above, at risk from 100 to 199, unhealthy at 99 and below."""
    if score >= policy.healthy_min:
        return Band.HEALTHY
    if score >= policy.at_risk_min:
        return Band.AT_RISK
    return Band.UNHEALTHY
