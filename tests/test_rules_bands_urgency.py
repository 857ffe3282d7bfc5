"""Bands, urgency levels and countdown text at their boundaries; roles and the store table."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from ahr_tui.rules import (
    BY_CODE,
    BY_MARKETPLACE_ID,
    DEFAULT_ENABLED,
    DEFAULT_POLICY,
    STORES,
    Band,
    Permission,
    Policy,
    Role,
    Urgency,
    allows,
    band,
    format_left,
    least_role,
    urgency,
)
from ahr_tui.rules.cases import CaseStatus
from ahr_tui.rules.urgency import list_group, list_order, time_left, time_level


@pytest.mark.parametrize(
    ("score", "expected"),
    [
        (0, Band.UNHEALTHY),
        (99, Band.UNHEALTHY),
        (100, Band.AT_RISK),
        (199, Band.AT_RISK),
        (200, Band.HEALTHY),
        (249, Band.HEALTHY),
        (250, Band.HEALTHY),
        (1000, Band.HEALTHY),
    ],
)
def test_bands_are_unhealthy_below_100_at_risk_below_200_else_healthy(score, expected):
    assert band(score) is expected


S = timedelta(seconds=1)
H = timedelta(hours=1)


@pytest.mark.parametrize(
    ("left", "expected"),
    [
        (72 * H, Urgency.OK),
        (24 * H + S, Urgency.OK),
        (24 * H, Urgency.WARN),
        (6 * H + S, Urgency.WARN),
        (6 * H, Urgency.URGENT),
        (H + S, Urgency.URGENT),
        (H, Urgency.CRITICAL),
        (S, Urgency.CRITICAL),
        (timedelta(0), Urgency.CRITICAL),
        (-S, Urgency.OVERDUE),
        (-30 * H, Urgency.OVERDUE),
    ],
    ids=str,
)
def test_urgency_steps_at_24h_6h_1h_and_the_deadline(left, expected):
    assert urgency(left) is expected


def test_urgency_follows_the_policy_numbers():
    tight = Policy(warn_within=2 * H, urgent_within=H, critical_within=timedelta(minutes=10))
    assert urgency(3 * H, tight) is Urgency.OK
    assert urgency(2 * H, tight) is Urgency.WARN
    assert urgency(timedelta(minutes=10), tight) is Urgency.CRITICAL


@pytest.mark.parametrize(
    ("left", "text"),
    [
        (timedelta(days=2, hours=14, minutes=30), "2d 14h"),
        (timedelta(hours=13, minutes=5, seconds=40), "13h 05m"),
        (timedelta(minutes=47, seconds=12), "47m 12s"),
        (-timedelta(hours=3, minutes=12, seconds=5), "-3h 12m"),
        (timedelta(days=3), "3d 00h"),
        (timedelta(hours=1), "1h 00m"),
        (timedelta(minutes=59, seconds=59, milliseconds=999), "59m 59s"),
        (timedelta(seconds=5), "0m 05s"),
        (-timedelta(days=1, hours=2), "-1d 02h"),
    ],
    ids=str,
)
def test_format_left_writes_two_units_with_seconds_only_in_the_last_hour(left, text):
    assert format_left(left) == text


def test_format_left_never_shows_more_time_than_is_left():
    assert format_left(timedelta(hours=1) - timedelta(milliseconds=1)) == "59m 59s"


def test_a_deadline_passed_by_less_than_a_second_already_reads_negative():
    assert urgency(-timedelta(milliseconds=400)) is Urgency.OVERDUE
    assert format_left(-timedelta(milliseconds=400)) == "-0m 00s"
    assert format_left(timedelta(0)) == "0m 00s"


def test_the_default_policy_has_the_published_numbers():
    p = DEFAULT_POLICY
    assert (p.window_days, p.threshold, p.max_days_below) == (180, 250, 10)
    assert p.response_window == 72 * H
    assert (p.warn_within, p.urgent_within, p.critical_within) == (24 * H, 6 * H, H)


@pytest.mark.parametrize(
    ("role", "permission", "allowed"),
    [
        (Role.TRIAGE, Permission.RESPOND, True),
        (Role.TRIAGE, Permission.RESOLVE, True),
        (Role.TRIAGE, Permission.FRAUD, False),
        (Role.TRIAGE, Permission.DEACTIVATE, False),
        (Role.INVESTIGATOR, Permission.FRAUD, True),
        (Role.INVESTIGATOR, Permission.DEACTIVATE, False),
        (Role.INVESTIGATOR, Permission.MANAGE_STORES, False),
        (Role.LEAD, Permission.DEACTIVATE, True),
        (Role.LEAD, Permission.MANAGE_OPERATORS, True),
        (None, Permission.NOTE, False),
    ],
    ids=str,
)
def test_roles_grant_what_they_should(role, permission, allowed):
    assert allows(role, permission) is allowed


def test_a_lead_may_do_everything_and_refusals_name_the_least_role():
    assert all(allows(Role.LEAD, p) for p in Permission)
    assert least_role(Permission.RESPOND) is Role.TRIAGE
    assert least_role(Permission.FRAUD) is Role.INVESTIGATOR
    assert least_role(Permission.DEACTIVATE) is Role.LEAD


def test_stores_use_the_marketplace_codes_and_ids():
    assert BY_CODE["US"].marketplace_id == "ATVPDKIKX0DER"
    assert BY_CODE["CA"].marketplace_id == "A2EUQ1WTGCTBG2"
    assert BY_CODE["UK"].region == "GB"
    assert BY_MARKETPLACE_ID["A1PA6795UKMFR9"].code == "DE"
    assert len(BY_CODE) == len(BY_MARKETPLACE_ID) == len(STORES) == 23
    assert sorted(DEFAULT_ENABLED) == ["CA", "US"]


_OFFSETS = (-timedelta(days=3), -timedelta(microseconds=1), timedelta(0), timedelta(minutes=30),
            timedelta(hours=1), timedelta(hours=1, microseconds=1), timedelta(hours=6),
            timedelta(hours=24), timedelta(hours=24, microseconds=1), timedelta(days=5))


@pytest.mark.parametrize("status", list(CaseStatus))
def test_time_level_is_the_level_time_left_gives_at_every_boundary(status: CaseStatus) -> None:
    """``time_level`` (the header's counts, every case) says what ``time_left`` says."""
    now = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
    for offset in _OFFSETS:
        for responded_at in (None, now - timedelta(hours=2)):
            level = time_left(status, now + offset, now, responded_at=responded_at).level
            assert time_level(status, now + offset, now) == level, (offset, responded_at)


def test_list_group_is_the_group_of_list_order() -> None:
    now = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
    groups = {s: list_order(s, now, 1)[0] for s in CaseStatus}
    assert groups == {s: list_group(s) for s in CaseStatus}
    assert groups[CaseStatus.OPEN] == groups[CaseStatus.DETECTED] == 0
    assert groups[CaseStatus.EXPIRED] == 1 and groups[CaseStatus.RESPONDED] == 2
    assert groups[CaseStatus.RESOLVED] == 3
