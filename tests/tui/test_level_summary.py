"""The cached per-level summary always equals a full recount, at every instant."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from ahr_tui.rules import CaseStatus
from ahr_tui.service.views import CaseView
from ahr_tui.tui.widgets import case_table
from ahr_tui.tui.widgets.case_table import LEVELS, LevelSummary, level_of
from tests.conftest import T0


def level_counts(cases: list[CaseView], now: datetime) -> dict[str, int]:
    """The plain definition the cache must agree with: every case's level, counted."""
    counts = dict.fromkeys(LEVELS, 0)
    for case in cases:
        counts[level_of(case, now)] += 1
    return counts


def next_deadline(cases: list[CaseView], now: datetime) -> CaseView | None:
    """The open case whose deadline comes next (not yet passed)."""
    upcoming = [c for c in cases if c.status is CaseStatus.OPEN and c.deadline >= now]
    return min(upcoming, key=lambda c: (c.deadline, c.id), default=None)


def _case(case_id: int, deadline_in: timedelta, status: CaseStatus = CaseStatus.OPEN) -> CaseView:
    deadline = T0 + deadline_in
    contacted = deadline - timedelta(hours=72)
    return CaseView(
        id=case_id, account_id=case_id, seller_id=f"S{case_id}", store="US", name="n",
        policy="reviews", summary="", status=status, detected_at=contacted,
        contact_due=contacted + timedelta(hours=24), contacted_at=contacted, deadline=deadline,
        reached_at=None, attempts=0, responded_at=None, assignee=None, closed_at=None,
        outcome_note=None, version=1, enrollment="enrolled", account_status="active",
    )


def test_summary_matches_a_full_recount_across_every_level_edge():
    edges = [timedelta(hours=h) for h in (24, 6, 1, 0)]
    cases = [_case(i, timedelta(hours=2 + 7 * i, minutes=i)) for i in range(1, 12)]
    cases.append(_case(50, timedelta(hours=30), CaseStatus.RESPONDED))
    cases.append(replace(_case(51, timedelta(hours=-5)), status=CaseStatus.EXPIRED))
    instants = {T0 + timedelta(minutes=m) for m in range(0, 80 * 60, 37)}
    for case in cases:  # exactly on each edge, and a microsecond either side
        for edge in edges:
            for nudge in (timedelta(0), timedelta(microseconds=1), -timedelta(microseconds=1)):
                instants.add(case.deadline - edge + nudge)
    summary = LevelSummary(cases)
    recomputed = 0
    for now in sorted(instants):
        valid_before = summary._valid
        got = summary.at(now)
        recomputed += summary._valid is not valid_before
        assert got.counts == level_counts(cases, now), now
        assert got.upcoming == next_deadline(cases, now), now
    assert recomputed < len(instants) / 2  # the point: most ticks reuse the cached summary


def test_the_header_counts_count_each_case_once_a_detected_one_by_its_most_urgent_level():
    """A detected case past its contact_due was counted both ``overdue`` and ``to contact``:
    the urgency counts leave detected cases to ``detected``, so they add up to the cases."""
    late = replace(_case(60, timedelta(hours=50)), status=CaseStatus.DETECTED, deadline=None,
                   contacted_at=None, contact_due=T0 - timedelta(hours=2))
    soon = replace(late, id=61, contact_due=T0 + timedelta(hours=3))
    cases = [_case(1, timedelta(hours=-1)), _case(2, timedelta(hours=30)), late, soon]
    summary = LevelSummary(cases).at(T0)
    assert summary.urgency["overdue"] == 1 and summary.detected == 2
    assert sum(summary.urgency.values()) + summary.detected == len(cases)
    assert summary.contact_level == "overdue"
    assert LevelSummary([soon]).at(T0).contact_level == "urgent"
    assert LevelSummary(cases[:2]).at(T0).contact_level is None


def _fields(summary: LevelSummary) -> tuple[object, ...]:
    return (summary.counts, summary.urgency, summary.contact_level, summary.upcoming,
            summary.expirable, summary.detected)


_STATUSES = (CaseStatus.OPEN, CaseStatus.DETECTED, CaseStatus.RESPONDED, CaseStatus.EXPIRED)


@settings(max_examples=200, deadline=None)
@given(
    cases=st.lists(st.tuples(st.sampled_from(_STATUSES),
                             st.integers(min_value=-4 * 3600, max_value=80 * 3600)),
                   max_size=30),
    steps=st.lists(st.integers(min_value=-2 * 3600, max_value=20 * 3600), max_size=40),
)
def test_the_summary_brought_forward_case_by_case_equals_a_fresh_one_at_every_instant(
    cases, steps
):
    """Asked at instants going forward (and now and then back: a clock set back), the summary
    re-levels only the cases whose instant has come; each answer must equal a summary computed
    from scratch at that instant, to the microsecond around every edge."""
    views = []
    for number, (status, due_in) in enumerate(cases, 1):
        view = _case(number, timedelta(seconds=due_in), status)
        if status is CaseStatus.DETECTED:
            view = replace(view, deadline=None, contacted_at=None,
                           contact_due=T0 + timedelta(seconds=due_in))
        views.append(view)
    summary = LevelSummary(views)
    now = T0
    edges = [timedelta(hours=h) for h in (24, 6, 1, 0)]
    for step in steps:
        now += timedelta(seconds=step)
        for instant in (now, *(v.due - e for v in views[:3] for e in edges)):
            for nudge in (timedelta(0), timedelta(microseconds=1)):
                assert _fields(summary.at(instant + nudge)) == _fields(
                    LevelSummary(views).at(instant + nudge)), instant + nudge


def test_a_tick_re_levels_only_the_cases_whose_level_changes(monkeypatch):
    """With many running clocks the header asks every second: after the first pass, an
    instant at which one case changes level looks at that case alone."""
    cases = [_case(i, timedelta(hours=30 + i)) for i in range(1, 200)]
    summary = LevelSummary(cases).at(T0)
    calls = []
    real = case_table.time_level

    def counted(status, due, now, *args):  # type: ignore[no-untyped-def]
        calls.append(due)
        return real(status, due, now, *args)

    monkeypatch.setattr(case_table, "time_level", counted)
    first_warn = cases[0].deadline - timedelta(hours=24)
    assert summary.at(first_warn - timedelta(seconds=1)).counts["ok"] == 199 and calls == []
    assert summary.at(first_warn).counts["warn"] == 1
    assert calls == [cases[0].deadline]
    assert _fields(summary) == _fields(LevelSummary(cases).at(first_warn))
