"""``ahr metrics``: each figure of DESIGN.md section 5 on a known set of cases, on both backends.

The window is the 7 UTC days 2026-02-24 .. 2026-03-02 (T0 is 2026-03-02 12:00Z). The cases:

- S1 opened T0-100h, responded T0-90h, resolved by akumar T0-10h;
- S2 opened T0-80h, expired (deadline T0-8h; the sweep ran at T0);
- S3 opened and responded 20 days before T0 (outside the window), still active;
- S4 opened T0-5h, assigned to akumar, still open;
- S5 opened T0-2h, fraud T0-1h;
- S6 opened T0-100h, expired (deadline T0-28h), deactivated T0-19h;
- S7 detected T0-3h, not contacted yet.

S4 was detected at T0-30h, 25 hours before its first contact; S1's seller was reached an hour
after the first contact. Until the service records detections and attempts, the test writes
those instants on the rows directly.
"""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from sqlalchemy import update
from sqlalchemy.engine import Engine

from ahr_tui.errors import InvalidInput
from ahr_tui.rules import CaseAction, PolicyArea, Role
from ahr_tui.service import cases
from ahr_tui.service.metrics import compute
from ahr_tui.store.actor import Actor
from ahr_tui.store.engine import transaction
from ahr_tui.store.models import Case
from tests.conftest import T0, add_operator, seed_account

H = timedelta(hours=1)
AS_OF = date(2026, 3, 2)


def _open(engine: Engine, me: Actor, seller: str, hours_before: float) -> int:
    seed_account(engine, seller)
    at = T0 - hours_before * H
    return cases.open_case(engine, seller_id=seller, store="US", policy=PolicyArea.REVIEWS,
                           at=at, summary="", actor=me, now=at).id


def _act(engine: Engine, actor: Actor, case_id: int, action: CaseAction, hours_before: float,
         text: str | None = None) -> None:
    at = T0 - hours_before * H
    cases.act(engine, case_id, action, at=at, text=text, actor=actor, now=at)


@pytest.fixture
def seeded(engine: Engine, me: Actor) -> Engine:
    add_operator(engine, "akumar", Role.LEAD)
    akumar = Actor(name="akumar")
    s1 = _open(engine, me, "S1", 100)
    _act(engine, me, s1, CaseAction.RESPOND, 90)
    _act(engine, akumar, s1, CaseAction.RESOLVE, 10, "fixed")
    s2 = _open(engine, me, "S2", 80)
    _act(engine, me, s2, CaseAction.EXPIRE, 0)
    s3 = _open(engine, me, "S3", 20 * 24)
    _act(engine, me, s3, CaseAction.RESPOND, 19 * 24)
    s4 = _open(engine, me, "S4", 5)
    cases.assign(engine, s4, to="akumar", actor=me, now=T0 - 4 * H)
    s5 = _open(engine, me, "S5", 2)
    _act(engine, me, s5, CaseAction.FRAUD, 1, "fake invoices")
    s6 = _open(engine, me, "S6", 100)
    _act(engine, me, s6, CaseAction.EXPIRE, 20)
    _act(engine, me, s6, CaseAction.DEACTIVATE, 19, "no answer")
    s7 = _open(engine, me, "S7", 3)
    with transaction(engine, write=True) as session:
        session.execute(update(Case).where(Case.id == s4).values(detected_at=T0 - 30 * H))
        session.execute(update(Case).where(Case.id == s1).values(reached_at=T0 - 99 * H))
        session.execute(update(Case).where(Case.id == s7).values(
            status="detected", contacted_at=None, deadline=None, contact_due=T0 + 21 * H))
    return engine


def test_counts_rates_and_closures_cover_only_the_window(seeded: Engine) -> None:
    m = compute(seeded, days=7, as_of=AS_OF, now=T0)
    assert (m.first_day, m.last_day) == (date(2026, 2, 24), AS_OF)
    assert m.opened == 5  # S3 was opened before the window, S7 is not contacted yet
    assert m.detected == 6  # S1, S2, S4, S5, S6, S7
    # outcomes in the window: S1 responded, S2 and S6 expired (at their deadlines)
    assert m.responded_in_time_rate == pytest.approx(1 / 3)
    assert m.expired_rate == pytest.approx(2 / 3)
    assert (m.resolved, m.deactivated, m.fraud) == (1, 1, 1)
    assert m.reached_rate == pytest.approx(1 / 3)  # S1 of S1, S2, S6


def test_time_to_first_contact_counts_detected_cases_and_time_to_reach_reached_ones(
    seeded: Engine,
) -> None:
    m = compute(seeded, days=7, as_of=AS_OF, now=T0)
    assert m.time_to_first_contact_p50_s == 25 * 3600  # S4 only: the others began contacted
    assert m.time_to_reach_p50_s == 3600
    # how many cases each median covers (added keys; the medians' own are unchanged)
    assert (m.time_to_first_contact_cases, m.time_to_reach_cases) == (1, 1)
    doc = m.to_json()
    assert (doc["time_to_first_contact_cases"], doc["time_to_reach_cases"]) == (1, 1)


def test_backlog_is_the_active_cases_at_the_end_with_their_ages_from_detection(seeded: Engine
                                                                                ) -> None:
    m = compute(seeded, days=7, as_of=AS_OF, now=T0)
    assert m.backlog == {"detected": 1, "expired": 1, "responded": 1, "open": 1}
    assert m.backlog_age_p50_s == 55 * 3600  # S7 3 h, S4 30 h, S2 80 h, S3 480 h
    assert m.backlog_age_max_s == 480 * 3600


def test_backlog_of_an_earlier_window_is_the_cases_as_they_stood_then(seeded: Engine) -> None:
    m = compute(seeded, days=7, as_of=date(2026, 2, 27), now=T0)  # end: 2026-02-28 00:00Z
    # S1 responded (T0-90h), S6 open (deadline T0-28h not yet passed), S2 open, S3 responded
    assert m.backlog == {"responded": 2, "open": 2}


def test_per_operator_counts_actions_assignments_and_resolutions(seeded: Engine, me: Actor
                                                                 ) -> None:
    m = compute(seeded, days=7, as_of=AS_OF, now=T0)
    by_name = {o.name: o for o in m.per_operator}
    akumar = by_name["akumar"]
    assert (akumar.actions, akumar.assigned_active, akumar.resolved) == (1, 1, 1)
    assert by_name[me.name].resolved == 0 and by_name[me.name].actions > 0


def test_daily_series_has_every_day_of_the_window_with_what_happened_on_it(seeded: Engine
                                                                           ) -> None:
    m = compute(seeded, days=7, as_of=AS_OF, now=T0)
    assert [d.day for d in m.daily] == [date(2026, 2, 24) + timedelta(days=i) for i in range(7)]
    days = {d.day.isoformat(): d.counts for d in m.daily}
    assert days["2026-02-26"] == {"opened": 2, "responded": 1, "expired": 0, "resolved": 0,
                                  "deactivated": 0, "fraud": 0}
    assert days["2026-03-01"]["expired"] == 1 and days["2026-03-01"]["deactivated"] == 1
    assert days["2026-03-02"] == {"opened": 2, "responded": 0, "expired": 1, "resolved": 1,
                                  "deactivated": 0, "fraud": 1}
    assert sum(d.counts["opened"] for d in m.daily) == m.opened


def test_a_window_with_nothing_to_measure_gives_nulls_not_zeros(engine: Engine) -> None:
    m = compute(engine, days=30, as_of=AS_OF, now=T0).to_json()
    for key in ("time_to_first_contact_p50_s", "time_to_reach_p50_s", "reached_rate",
                "responded_in_time_rate", "expired_rate", "backlog_age_p50_s",
                "backlog_age_max_s"):
        assert m[key] is None, key
    assert m["backlog"] == {} and m["opened"] == 0 and len(m["daily"]) == 30


@pytest.mark.parametrize("days", [0, -1, 100_000])
def test_a_window_outside_one_day_to_ten_years_is_refused(engine: Engine, days: int) -> None:
    with pytest.raises(InvalidInput, match="--days"):
        compute(engine, days=days, now=T0)


def test_cli_json_has_the_documented_keys(seeded: Engine, cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("metrics", "--days", "7", "--as-of", "2026-03-02", "--json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert set(doc) >= {
        "from", "to", "detected", "opened", "time_to_first_contact_p50_s", "time_to_reach_p50_s",
        "reached_rate", "responded_in_time_rate", "expired_rate", "resolved", "deactivated",
        "fraud", "backlog", "backlog_age_p50_s", "backlog_age_max_s", "per_operator", "daily",
    }
    assert (doc["from"], doc["to"]) == ("2026-02-24", "2026-03-02")
    assert set(doc["per_operator"][0]) == {"name", "actions", "assigned_active", "resolved"}
    assert set(doc["daily"][0]) == {"date", "opened", "responded", "expired", "resolved",
                                    "deactivated", "fraud"}


def test_cli_text_names_each_figure_and_writes_durations_like_countdowns(seeded: Engine, cli
                                                                        ) -> None:  # type: ignore[no-untyped-def]
    result = cli("metrics", "--days", "7", "--as-of", "2026-03-02")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "2026-02-24 to 2026-03-02 (UTC days)"
    figures = {line[:30].strip(): line[30:].strip() for line in lines[2:15]}
    assert figures["backlog age, median / max"] == "2d 07h / 20d 00h"
    # the rates as counts of the cases whose 72 hours ended, not a bare "reached 33.3 %"
    assert figures["cases whose 72 hours ended"] == "3"
    # reached_rate counts the attempts logged as reached (DESIGN 5), and its label says so
    assert figures["reached on a logged attempt"] == "1 of 3 (33 %)"
    assert figures["responded in time"] == "1 of 3 (33 %)"
    # each median with how many cases it covers: "0m 00s" over 2 cases alone read as a bug
    assert figures["time to first contact, median"] == "1d 01h (1 case)"
    assert figures["time to reach, median"] == "1h 00m (1 case)"
    assert any(line.split() == ["akumar", "1", "1", "1"] for line in lines)
    assert any(line.startswith("2026-03-02") and line.split()[1:] == ["2", "0", "1", "1", "0", "1"]
               for line in lines)


def test_a_median_says_how_many_cases_it_covers_and_nothing_when_none() -> None:
    from ahr_tui.service.metrics import median_text

    assert median_text(0.0, 2) == "0m 00s (2 cases)"
    assert median_text(90_000.0, 1) == "1d 01h (1 case)"
    assert median_text(None, 0) == "-"


def test_cli_help_says_what_reached_on_a_logged_attempt_counts(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("metrics", "--help")
    assert result.exit_code == 0
    text = " ".join(result.stdout.split())
    assert ("Reached on a logged attempt: a case counts once an attempt with outcome reached is "
            "logged on it (c in the app, or ahr case attempt); a case opened or imported as "
            "already contacted counts only after such an attempt is logged.") in text, text
    assert "Each median says how many cases it covers." in text


def test_cli_bad_days_is_a_usage_error(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("metrics", "--days", "0")
    assert result.exit_code == 2


def test_rates_read_as_whole_percents_beside_their_counts() -> None:
    """A newcomer found "4.0 %" of 25 cases odd: a count and a whole percent, and never a
    rounded 0 % or 100 % that is not so."""
    from ahr_tui.service.metrics import percent_text, share_text

    assert share_text(1 / 25, 25) == "1 of 25 (4 %)"
    assert share_text(12 / 40, 40) == "12 of 40 (30 %)"
    assert share_text(2 / 3, 3) == "2 of 3 (67 %)"
    assert share_text(None, 0) == "-"
    assert (percent_text(1 / 1000), percent_text(999 / 1000)) == ("<1 %", ">99 %")
    assert (percent_text(0.0), percent_text(1.0)) == ("0 %", "100 %")
