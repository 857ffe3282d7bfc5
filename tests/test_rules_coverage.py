"""Working hours, on shift, due moments and coverage (rules.coverage, rules.forecast)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ahr_tui.rules.coverage import (
    HoursError,
    Roster,
    Shift,
    ShiftRange,
    on_shift,
    parse_clock,
    parse_days,
    ranges_for,
    zone,
)
from ahr_tui.rules.forecast import (
    CaseClock,
    DueKind,
    NextAction,
    cover,
    due_between,
    may_act,
    moments_of,
)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def hours(name: str, role: str, tz: str, days: str, start: str, end: str) -> Shift:
    r = ranges_for(parse_days(days), parse_clock(start, "--from"), parse_clock(end, "--to"))
    return Shift(name, role, tz, r)


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("mon-fri", (0, 1, 2, 3, 4)),
        ("sat,sun", (5, 6)),
        ("fri-mon", (0, 4, 5, 6)),
        ("Monday", (0,)),
        ("mon-sun", (0, 1, 2, 3, 4, 5, 6)),
        ("tue, thu", (1, 3)),
    ],
)
def test_days_are_read_as_names_lists_and_wrapping_ranges(text: str, days: tuple[int, ...]) -> None:
    assert parse_days(text) == days


@pytest.mark.parametrize("text", ["mon-fry", "", "weekdays", "mo", "mon-"])
def test_an_unknown_day_name_is_one_sentence(text: str) -> None:
    with pytest.raises(HoursError, match="unknown day"):
        parse_days(text)


@pytest.mark.parametrize("text", ["9", "25:00", "09:60", "9am", "09:00:00", "-1:00", ""])
def test_a_malformed_time_is_one_sentence(text: str) -> None:
    with pytest.raises(HoursError, match="HH:MM"):
        parse_clock(text, "--from")


@pytest.mark.parametrize("name", ["Mars/Olympus", "", "../etc/passwd", "/etc/localtime", "Europe/"])
def test_an_unknown_time_zone_is_one_sentence(name: str) -> None:
    with pytest.raises(HoursError, match="unknown time zone"):
        zone(name)


def test_nine_stays_nine_local_across_the_spring_dst_change() -> None:
    # Berlin moves from UTC+1 to UTC+2 on Sunday 2026-03-29.
    berlin = hours("ana", "triage", "Europe/Berlin", "mon-fri", "09:00", "17:00")
    assert on_shift(berlin, utc(2026, 3, 27, 8, 0))  # Fri 09:00 CET
    assert not on_shift(berlin, utc(2026, 3, 27, 7, 59))
    assert on_shift(berlin, utc(2026, 3, 30, 7, 0))  # Mon 09:00 CEST
    assert not on_shift(berlin, utc(2026, 3, 30, 6, 59))
    assert on_shift(berlin, utc(2026, 3, 30, 14, 59))
    assert not on_shift(berlin, utc(2026, 3, 30, 15, 0))  # 17:00 CEST


def test_a_night_shift_crosses_midnight_and_the_autumn_dst_change() -> None:
    # New York falls back on Sunday 2026-11-01 at 02:00 EDT -> 01:00 EST.
    night = hours("bo", "lead", "America/New_York", "sat", "22:00", "06:00")
    assert night.ranges == (ShiftRange(5, 22 * 60, 6 * 60),)
    assert on_shift(night, utc(2026, 11, 1, 2, 0))  # Sat 22:00 EDT
    assert on_shift(night, utc(2026, 11, 1, 5, 30))  # Sun 01:30 EDT
    assert on_shift(night, utc(2026, 11, 1, 6, 30))  # Sun 01:30 EST (the repeated hour)
    assert on_shift(night, utc(2026, 11, 1, 10, 59))  # Sun 05:59 EST
    assert not on_shift(night, utc(2026, 11, 1, 11, 0))  # Sun 06:00 EST
    assert not on_shift(night, utc(2026, 11, 1, 1, 59))  # Sat 21:59 EDT


def test_equal_from_and_to_is_a_whole_day() -> None:
    allday = hours("cy", "triage", "UTC", "sun", "00:00", "00:00")
    assert on_shift(allday, utc(2026, 3, 1, 0, 0))
    assert on_shift(allday, utc(2026, 3, 1, 23, 59))
    assert not on_shift(allday, utc(2026, 3, 2, 0, 0))


def test_no_hours_means_never_on_shift() -> None:
    assert not on_shift(Shift("di", "lead", None, ()), utc(2026, 3, 2, 12))
    assert not on_shift(Shift("di", "lead", "UTC", ()), utc(2026, 3, 2, 12))


def test_an_open_case_has_three_crossings_and_its_deadline() -> None:
    deadline = utc(2026, 3, 7, 3, 0)  # a Saturday, 03:00 UTC
    moments = moments_of(CaseClock(1, "open", None, deadline))
    assert [(m.kind, m.at, m.action) for m in moments] == [
        (DueKind.WARN, deadline - timedelta(hours=24), NextAction.RESPONSE),
        (DueKind.URGENT, deadline - timedelta(hours=6), NextAction.RESPONSE),
        (DueKind.CRITICAL, deadline - timedelta(hours=1), NextAction.RESPONSE),
        (DueKind.DEADLINE, deadline, NextAction.DECISION),
    ]


def test_a_detected_case_is_due_for_contact_and_responded_cases_are_due_for_nothing() -> None:
    due = utc(2026, 3, 3, 12)
    kinds = [m.kind for m in moments_of(CaseClock(2, "detected", due, None))]
    assert kinds[-1] is DueKind.CONTACT_DUE
    assert {m.action for m in moments_of(CaseClock(2, "detected", due, None))} == {
        NextAction.CONTACT
    }
    assert moments_of(CaseClock(3, "responded", None, due)) == []
    assert moments_of(CaseClock(4, "expired", None, due)) == []


def test_a_weekend_deadline_with_only_weekday_staff_is_uncovered() -> None:
    # Friday 2026-03-06 12:00 UTC; a triage operator and a lead on weekdays in London.
    now = utc(2026, 3, 6, 12)
    staff = Roster(
        [
            hours("ana", "triage", "Europe/London", "mon-fri", "09:00", "17:00"),
            hours("lea", "lead", "Europe/London", "mon-fri", "09:00", "17:00"),
        ]
    )
    cases = [
        CaseClock(1, "open", None, utc(2026, 3, 8, 3)),  # Sunday 03:00
        CaseClock(2, "open", None, utc(2026, 3, 9, 10)),  # Monday 10:00
    ]
    found = {
        (c.moment.case_id, c.moment.kind): c
        for c in cover(due_between(cases, now, now + timedelta(hours=72)), staff)
    }
    assert not found[(1, DueKind.DEADLINE)].covered
    assert found[(1, DueKind.DEADLINE)].on_shift == ()
    assert not found[(1, DueKind.WARN)].covered  # Saturday 03:00
    assert found[(2, DueKind.DEADLINE)].covered
    assert found[(2, DueKind.DEADLINE)].on_shift == ("ana", "lea")
    assert (2, DueKind.URGENT) in found  # Monday 04:00: nobody
    assert not found[(2, DueKind.URGENT)].covered


def test_the_role_matters_a_deadline_needs_a_lead() -> None:
    at = utc(2026, 3, 4, 10)
    triage_only = Roster([hours("ana", "triage", "UTC", "mon-fri", "08:00", "18:00")])
    moments = due_between([CaseClock(1, "open", None, at)], at - timedelta(days=2), at)
    by_kind = {c.moment.kind: c for c in cover(moments, triage_only)}
    assert by_kind[DueKind.CRITICAL].covered
    assert by_kind[DueKind.DEADLINE].on_shift == ("ana",)
    assert not by_kind[DueKind.DEADLINE].covered


def test_an_unknown_stored_role_may_do_nothing() -> None:
    assert not may_act(Shift("x", "boss", "UTC", ()), NextAction.CONTACT)
    assert may_act(Shift("x", "lead", "UTC", ()), NextAction.DECISION)
    assert not may_act(Shift("x", "investigator", "UTC", ()), NextAction.DECISION)


ZONES = ["UTC", "Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata"]
ROLES = ["triage", "investigator", "lead", "unknown"]

shift_ranges = st.builds(
    ShiftRange,
    st.integers(0, 6),
    st.integers(0, 24 * 60 - 1),
    st.integers(0, 24 * 60 - 1),
)
shifts = st.builds(
    Shift,
    st.sampled_from(["a", "b", "c", "d", "e"]),
    st.sampled_from(ROLES),
    st.one_of(st.none(), st.sampled_from(ZONES)),
    st.lists(shift_ranges, max_size=4).map(tuple),
)
instants = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2060, 1, 1), timezones=st.just(UTC)
)


@settings(max_examples=300, deadline=None)
@given(
    staff=st.lists(shifts, max_size=5, unique_by=lambda s: s.name),
    clocks=st.lists(
        st.tuples(st.sampled_from(["detected", "open", "responded"]), instants), max_size=6
    ),
)
def test_a_due_moment_is_covered_exactly_when_someone_allowed_is_on_shift(
    staff: list[Shift], clocks: list[tuple[str, datetime]]
) -> None:
    cases = [
        CaseClock(i, status, due if status == "detected" else None, due)
        for i, (status, due) in enumerate(clocks)
    ]
    moments = [m for c in cases for m in moments_of(c)]
    for entry in cover(moments, Roster(staff)):
        at = entry.moment.at
        expected_on = sorted(s.name for s in staff if on_shift(s, at))
        assert list(entry.on_shift) == expected_on
        assert entry.covered == any(
            on_shift(s, at) and may_act(s, entry.moment.action) for s in staff
        )
