"""``ahr import cases``: each row opens a case through the rules; late arrivals are listed."""

from __future__ import annotations

import csv
from datetime import UTC, datetime

from sqlalchemy import select

from ahr_tui.store.engine import transaction
from ahr_tui.store.models import Case, Event, Notification
from tests.conftest import snapshot
from tests.test_import_common import FIXTURES, fixture_copy, seed_accounts


def cases(engine) -> list[Case]:
    with transaction(engine) as session:
        return list(session.execute(select(Case).order_by(Case.id)).scalars())  # type: ignore[arg-type]


def test_cases_open_through_the_rules_and_late_ones_are_listed(cli, engine):
    ids = seed_accounts(engine)
    path = FIXTURES / "cases_valid.csv"
    result = cli("import", "cases", str(path))
    assert result.exit_code == 0, result.stderr
    first, second = cases(engine)
    assert result.stdout.splitlines() == [
        f"{path}: 2 new, 0 updated, 0 unchanged, 0 rejected",
        f"  already past its deadline: line 3: S1 CA product_safety, deadline "
        f"2026-02-23T08:00:00Z (case {second.id})",
    ]
    assert (first.account_id, first.policy, first.status) == (
        ids[("S1", "US")],
        "ip_complaint",
        "open",
    )
    assert first.contacted_at == datetime(2026, 3, 1, 10, tzinfo=UTC)
    assert first.deadline == datetime(2026, 3, 4, 10, tzinfo=UTC)
    assert second.summary == "Recall notice, two listings"
    with transaction(engine) as session:
        actions = [e.action for e in session.execute(select(Event).order_by(Event.id)).scalars()]  # type: ignore[arg-type]
        kinds = {n.kind for n in session.execute(select(Notification)).scalars()}
    assert actions[-3:] == ["open", "open", "import_cases"]
    assert kinds == {"case_opened"}


def test_a_dry_run_lists_late_cases_and_opens_nothing(cli, engine):
    seed_accounts(engine)
    path = FIXTURES / "cases_valid.csv"
    before = snapshot(engine)
    result = cli("import", "cases", str(path), "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == [
        f"{path}: 2 new, 0 updated, 0 unchanged, 0 rejected (dry run: nothing written)",
        "  already past its deadline: line 3: S1 CA product_safety, deadline "
        "2026-02-23T08:00:00Z (would open)",
    ]
    assert snapshot(engine) == before


def test_the_same_cases_twice_open_nothing_new(cli, engine):
    seed_accounts(engine)
    path = str(FIXTURES / "cases_valid.csv")
    assert cli("import", "cases", path).exit_code == 0
    before = snapshot(engine)
    result = cli("import", "cases", path)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == f"{path}: 0 new, 0 updated, 2 unchanged, 0 rejected (nothing changed)\n"
    assert snapshot(engine) == before


def test_a_changed_summary_updates_the_case_it_names(cli, engine, tmp_path):
    seed_accounts(engine)
    assert cli("import", "cases", str(FIXTURES / "cases_valid.csv")).exit_code == 0
    path = tmp_path / "again.csv"
    path.write_text(
        "seller_id,store,policy,contacted_at,summary\n"
        "S1,US,ip_complaint,2026-03-01T11:00:00+01:00,Two complaints now\n"
    )
    result = cli("import", "cases", str(path))
    assert result.stdout == f"{path}: 0 new, 1 updated, 0 unchanged, 0 rejected\n"
    first = cases(engine)[0]
    assert (first.summary, first.version) == ("Two complaints now", 2)


def test_rejected_by_the_rules_with_skip_invalid_opens_the_others(cli, engine, tmp_path):
    seed_accounts(engine)
    path = fixture_copy("cases_not_enrolled.csv", tmp_path)
    result = cli("import", "cases", str(path), "--skip-invalid")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[0] == f"{path}: 1 new, 0 updated, 0 unchanged, 1 rejected"
    reason = (
        "seller_id: cannot open a case for S2 in US: not enrolled (not_enrolled): "
        "standard enforcement applies"
    )
    assert result.stderr == f"{path}:3: {reason}\n"
    with (tmp_path / "cases_not_enrolled.rejects.csv").open(newline="") as fh:
        assert list(csv.reader(fh))[1] == [
            "S2",
            "US",
            "reviews",
            "2026-03-01T10:00:00Z",
            "S2 is not enrolled",
            reason,
        ]
    assert len(cases(engine)) == 1


def test_a_contact_in_the_future_is_refused(cli, engine, tmp_path):
    seed_accounts(engine)
    path = tmp_path / "future.csv"
    path.write_text(
        "seller_id,store,policy,contacted_at,summary\nS1,US,reviews,2026-03-02T12:06:00Z,x\n"
    )
    before = snapshot(engine)
    result = cli("import", "cases", str(path))
    assert result.exit_code == 1
    assert (
        result.stderr.splitlines()[0]
        == f"{path}:2: contacted_at: '2026-03-02T12:06:00Z' is in the future"
    )
    assert snapshot(engine) == before
