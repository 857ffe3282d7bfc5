"""``ahr sample`` and ``ahr demo``: deterministic, realistic, consistent with rules and audit.

One small sample (120 accounts x 200 days) is generated per module; tests that change a database
work on a copy.
"""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from ahr_tui.rules import CaseStatus, Enrollment, NotificationKind
from ahr_tui.sample import generate, make_live_copy
from ahr_tui.sample.people import HOSTILE_NAMES
from ahr_tui.sample.rows import db_instant, from_db_instant
from ahr_tui.sample.timeline import REFERENCE
from ahr_tui.service.sweep import evaluate_accounts
from ahr_tui.service.views import list_cases
from ahr_tui.store.actor import Actor
from ahr_tui.store.engine import make_engine, transaction
from ahr_tui.store.models import Account, Case, Event, Operator, Score
from tests.conftest import Cli, FakeClock

SMALL = {"accounts": 120, "days": 200}
REF_TEXT = "2026-03-02T12:00:00Z"


def _cli(path: Path, now: datetime = REFERENCE) -> Cli:
    return Cli(db=str(path), clock=FakeClock(now), runner=CliRunner())


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from ahr_tui.service.identity import os_user_name

    path = tmp_path_factory.mktemp("sample") / "sample.db"
    generate(path, seed=7, open_cases=None, actor=Actor(os_user_name()), **SMALL)
    return path


@pytest.fixture
def sample_copy(sample: Path, tmp_path: Path) -> Path:
    target = tmp_path / "copy.db"
    shutil.copy(sample, target)
    return target


def _rows(path: Path) -> dict[str, list[tuple[object, ...]]]:
    conn = sqlite3.connect(path)
    try:
        tables = [r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        return {t: sorted(conn.execute(f'SELECT * FROM "{t}"').fetchall(), key=repr)
                for t in tables}
    finally:
        conn.close()


def _query(path: Path, sql: str) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def test_same_seed_gives_the_same_data_and_another_seed_other_data(
    sample: Path, tmp_path: Path, me: Actor
) -> None:
    again, other = tmp_path / "again.db", tmp_path / "other.db"
    generate(again, seed=7, open_cases=None, actor=me, **SMALL)
    generate(other, seed=8, open_cases=None, actor=me, **SMALL)
    first = _rows(sample)
    assert _rows(again) == first
    different = _rows(other)
    assert different["score"] != first["score"]
    assert different["account"] != first["account"]
    assert len(first["score"]) > 100 * 150


def test_summary_names_the_counts(tmp_path: Path, me: Actor) -> None:
    summary = generate(tmp_path / "s.db", accounts=30, days=200, seed=1, open_cases=4,
                       detected_cases=3, actor=me)
    assert "\n" not in summary
    assert "30 accounts" in summary and "(4 open, 3 detected)" in summary and REF_TEXT in summary
    assert " contact attempts, " in summary


def test_ahr_sample_writes_its_counts_with_thousands_separators(tmp_path: Path) -> None:
    """A newcomer read ``17242541 daily scores`` where ``ahr db copy`` says ``17,242,541``."""
    out_path = tmp_path / "s.db"
    result = _cli(tmp_path / "unused.db")("sample", "--out", str(out_path), "--accounts", "30",
                                          "--days", "200", "--seed", "1")
    assert result.exit_code == 0, result.output
    summary = result.stdout
    assert "30 accounts (" in summary
    # 30 accounts x 200 days, less the days the sample leaves without a score
    assert re.search(r" \d,\d{3} daily scores over 200 days, ", summary), summary
    assert re.search(r" \d+ notifications \(\+\d+ to operators\); reference instant ", summary)


def test_every_enrolment_state_and_every_case_state_is_present(sample: Path) -> None:
    enrolments = {r[0] for r in _query(sample, "SELECT DISTINCT enrollment FROM account")}
    assert enrolments == {e.value for e in Enrollment}
    statuses = {r[0] for r in _query(sample, "SELECT DISTINCT status FROM aha_case")}
    assert statuses == {s.value for s in CaseStatus}
    plans = {r[0] for r in _query(sample, "SELECT DISTINCT plan FROM account")}
    assert plans == {"professional", "individual"}
    stores = {r[0] for r in _query(sample, "SELECT DISTINCT store FROM account")}
    assert {"US", "CA", "MX", "UK", "DE"} <= stores


def test_revoked_and_deactivated_accounts_come_from_their_cases(sample: Path) -> None:
    rows = _query(sample, "SELECT a.enrollment, a.status, c.status FROM account AS a "
                          "JOIN aha_case AS c ON c.account_id = a.id "
                          "WHERE c.status IN ('fraud', 'deactivated')")
    assert rows
    for enrollment, status, case_status in rows:
        assert status == "deactivated"
        assert enrollment == ("revoked" if case_status == "fraud" else "not_enrolled")
    orphans = _query(sample, "SELECT id FROM account WHERE enrollment = 'revoked' AND id NOT IN "
                             "(SELECT account_id FROM aha_case WHERE status = 'fraud')")
    assert orphans == []


def test_the_ten_and_eleven_days_edges_and_missing_days_are_present(sample: Path) -> None:
    engine = make_engine(str(sample))
    with transaction(engine) as session:
        items = evaluate_accounts(session, REFERENCE.date() - timedelta(days=1))
    engine.dispose()
    by_below = Counter((i.eligibility.days_below, i.enrollment.value) for i in items)
    assert by_below[(10, "enrolled")] >= 1
    assert by_below[(10, "pending_contact")] >= 1
    assert by_below[(11, "not_enrolled")] >= 1
    assert by_below[(11, "lapsed")] >= 1
    assert any(i.eligibility.days_missing > 0 and i.enrollment is Enrollment.ENROLLED
               for i in items)
    phones = {i.eligibility.phone.value for i in items}
    assert phones == {"valid", "invalid", "missing"}


def test_hostile_names_are_stored_literally(sample: Path) -> None:
    engine = make_engine(str(sample))
    with transaction(engine) as session:
        names = set(session.execute(select(Account.name)).scalars())
    engine.dispose()
    assert set(HOSTILE_NAMES) <= names
    assert any("\x1b[2J" in n for n in names)
    assert any(len(n) >= 200 for n in names)
    assert any("[@click=app.quit]" in n for n in names)


def test_instants_and_days_read_back_through_the_models(sample: Path) -> None:
    engine = make_engine(str(sample))
    with transaction(engine) as session:
        cases = list(session.execute(select(Case)).scalars())
        newest = session.execute(select(Score.day).order_by(Score.day.desc())).scalars().first()  # type: ignore[attr-defined]
        events = list(session.execute(select(Event).order_by(Event.id)).scalars())  # type: ignore[arg-type]
    engine.dispose()
    assert newest == REFERENCE.date() - timedelta(days=1)
    contacted = [c for c in cases if c.status != "detected"]
    detected = [c for c in cases if c.status == "detected"]
    assert contacted and detected
    assert all(c.deadline - c.contacted_at == timedelta(hours=72) for c in contacted)  # type: ignore[operator]
    assert all(c.contacted_at.tzinfo is not None for c in contacted)  # type: ignore[union-attr]
    assert all(c.contacted_at is None and c.deadline is None for c in detected)
    assert all(c.contact_due - c.detected_at == timedelta(hours=24) for c in cases)  # type: ignore[operator]
    assert all(c.detected_at <= c.contacted_at for c in contacted)  # type: ignore[operator]
    assert all(e.recorded_at <= REFERENCE and e.at <= e.recorded_at for e in events)
    assert all(c.closed_at is None or c.closed_at <= REFERENCE for c in cases)
    assert [e.recorded_at for e in events] == sorted(e.recorded_at for e in events)


def test_instants_are_written_exactly_as_the_model_type_writes_them(sample_copy: Path) -> None:
    instant = datetime(2026, 2, 3, 4, 5, 6, 789, tzinfo=UTC)
    engine = make_engine(str(sample_copy))
    with transaction(engine, write=True) as session:
        session.add(Operator(name="probe", role="triage", added_at=instant, added_by="test"))
    engine.dispose()
    written = _query(sample_copy, "SELECT added_at FROM operator WHERE name = 'probe'")[0][0]
    assert written == db_instant(instant)
    generated = _query(sample_copy, "SELECT contacted_at FROM aha_case LIMIT 1")[0][0]
    assert len(str(generated)) == len(str(written))
    assert from_db_instant(str(generated)) is not None


def test_open_cases_spread_over_the_whole_window_with_overdue_ones(sample: Path) -> None:
    engine = make_engine(str(sample))
    with transaction(engine) as session:
        open_ = [c for c in list_cases(session) if c.status is CaseStatus.OPEN]
        responded = [c for c in list_cases(session) if c.status is CaseStatus.RESPONDED]
    engine.dispose()
    left = sorted(c.deadline - REFERENCE for c in open_)
    assert len(open_) == 12
    assert left[0] < timedelta(0)
    running = [x for x in left if x > timedelta(0)]
    assert running[0] <= timedelta(hours=1)
    assert any(timedelta(hours=1) < x <= timedelta(hours=6) for x in running)
    assert any(timedelta(hours=6) < x <= timedelta(hours=24) for x in running)
    assert running[-1] > timedelta(hours=60)
    margins = [c.deadline - c.responded_at for c in responded if c.responded_at]
    assert min(margins) == timedelta(0) and all(m >= timedelta(0) for m in margins)


def test_open_cases_option_sets_the_number_of_open_cases(tmp_path: Path, me: Actor) -> None:
    path = tmp_path / "s.db"
    generate(path, accounts=60, days=200, seed=3, open_cases=20, actor=me)  # 22 enrolled
    assert _query(path, "SELECT count(*) FROM aha_case WHERE status = 'open'") == [(20,)]


def test_each_open_case_has_an_account_of_its_own_up_to_every_enrolled_one(
    tmp_path: Path
) -> None:
    """10 accounts, seed 7: 4 are enrolled (and active), so 4 open cases is the most."""
    path = tmp_path / "s.db"
    result = _cli(tmp_path / "unused.db")("sample", "--out", str(path), "--accounts", "10",
                                          "--open-cases", "4")
    assert result.exit_code == 0, result.output
    assert _query(path, "SELECT count(*), count(DISTINCT account_id) FROM aha_case "
                        "WHERE status = 'open'") == [(4, 4)]
    assert _query(path, "SELECT count(*) FROM account WHERE enrollment = 'enrolled' "
                        "AND status = 'active'") == [(4,)]


@pytest.mark.parametrize(("options", "sentence"), [
    (("--accounts", "10", "--open-cases", "5000"),
     "5,000 is more than the 4 enrolled, active accounts that --accounts 10 --days 200 "
     "--seed 7 make"),
    (("--accounts", "10", "--open-cases", "5"),
     "5 is more than the 4 enrolled, active accounts that --accounts 10 --days 200 --seed 7 "
     "make"),
    # fewer days than the 180-day window: every account misses days, none is enrolled
    (("--accounts", "10", "--days", "30", "--open-cases", "1"),
     "1 is more than the 0 enrolled, active accounts that --accounts 10 --days 30 --seed 7 "
     "make"),
])
def test_more_open_cases_than_enrolled_accounts_is_a_usage_error_and_writes_nothing(
    tmp_path: Path, options: tuple[str, ...], sentence: str
) -> None:
    """``--accounts 10 --open-cases 5000`` made 1,250 open cases on each of 4 accounts."""
    assert _refused_sample(tmp_path, options) == (
        f"ahr: Invalid value for '--open-cases': {sentence} (an open case needs one of its "
        "own).\nTry 'ahr sample --help' for help.\n")


def _refused_sample(tmp_path: Path, options: tuple[str, ...]) -> str:
    """``ahr sample`` with ``options``, a usage error: exit 2, nothing on stdout, no file
    written (no database, no -wal, no -journal); returns what it wrote to stderr."""
    path = tmp_path / "out" / "s.db"
    path.parent.mkdir()
    result = _cli(tmp_path / "unused.db")("sample", "--out", str(path), *options)
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    assert list(path.parent.iterdir()) == []
    assert not (tmp_path / "unused.db").exists()
    return result.stderr


@pytest.mark.parametrize(("options", "sentence"), [
    (("--accounts", "10", "--detected-cases", "5000"),
     "5,000 (with 1 open case) is more than the 4 enrolled, active accounts that --accounts 10 "
     "--days 200 --seed 7 make (an open or detected case needs one of its own: at most 3 "
     "detected here)"),
    (("--accounts", "10", "--open-cases", "2", "--detected-cases", "3"),
     "3 (with 2 open cases) is more than the 4 enrolled, active accounts that --accounts 10 "
     "--days 200 --seed 7 make (an open or detected case needs one of its own: at most 2 "
     "detected here)"),
    (("--accounts", "10", "--days", "30", "--detected-cases", "1"),
     "1 (with 0 open cases) is more than the 0 enrolled, active accounts that --accounts 10 "
     "--days 30 --seed 7 make (an open or detected case needs one of its own: at most 0 "
     "detected here)"),
])
def test_more_detected_and_open_cases_than_enrolled_accounts_is_a_usage_error(
    tmp_path: Path, options: tuple[str, ...], sentence: str
) -> None:
    """``--accounts 10 --detected-cases 5000`` made 1,250 detected cases on each of 4 accounts."""
    assert _refused_sample(tmp_path, options) == (
        f"ahr: Invalid value for '--detected-cases': {sentence}.\n"
        "Try 'ahr sample --help' for help.\n")


def test_open_and_detected_cases_fill_every_enrolled_account_one_each(tmp_path: Path) -> None:
    """10 accounts, seed 7: 4 enrolled; 2 open and 2 detected cases, each on its own account,
    although the responded and expired cases between them run past the end of the accounts."""
    path = tmp_path / "s.db"
    result = _cli(tmp_path / "unused.db")("sample", "--out", str(path), "--accounts", "10",
                                          "--open-cases", "2", "--detected-cases", "2")
    assert result.exit_code == 0, result.output
    assert _query(path, "SELECT count(*), count(DISTINCT account_id) FROM aha_case "
                        "WHERE status IN ('open', 'detected')") == [(4, 4)]


def test_notifications_in_every_delivery_state(sample: Path) -> None:
    from ahr_tui.notify.states import DeliveryState

    states = {r[0] for r in _query(sample, "SELECT DISTINCT state FROM notification")}
    # the values stored are the enum's, as before it existed (no schema change)
    assert states == {"pending", "sent", "failed", "undeliverable"} == set(DeliveryState)
    listed = json.loads(_cli(sample)("notify", "list", "--json").stdout)
    assert {n["state"] for n in listed} == states  # what ahr notify list --json says
    pending = json.loads(_cli(sample)("notify", "list", "--pending", "--json").stdout)
    assert pending and {n["state"] for n in pending} == {"pending"}
    kinds = {r[0] for r in _query(sample, "SELECT DISTINCT kind FROM notification")}
    assert kinds == {k.value for k in NotificationKind}


def test_a_sweep_at_the_reference_changes_no_enrolment(sample_copy: Path) -> None:
    result = _cli(sample_copy)("sweep", "--now", REF_TEXT, "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["enrollment_changes"] == {}
    assert report["expired"], "the sample has overdue open cases for the sweep to expire"


def test_audit_verify_passes_on_a_generated_database(sample: Path) -> None:
    result = _cli(sample)("audit", "verify")
    assert result.exit_code == 0, result.output
    assert "intact" in result.stdout
    head = _query(sample, "SELECT value FROM meta WHERE key = 'audit_head'")[0][0]
    assert _query(sample, "SELECT hash FROM event ORDER BY id DESC LIMIT 1") == [(head,)]


def test_sample_refuses_an_existing_path(tmp_path: Path) -> None:
    path = tmp_path / "taken.db"
    path.write_bytes(b"precious")
    result = _cli(path)("sample", "--out", str(path), "--accounts", "5")
    assert result.exit_code == 1
    assert "exists" in result.stderr
    assert path.read_bytes() == b"precious"


NOW = datetime(2026, 11, 27, 9, 41, 7, 123456, tzinfo=UTC)


@pytest.fixture
def live(sample: Path, tmp_path: Path) -> Path:
    target = tmp_path / "demo.db"
    make_live_copy(sample, target, now=NOW, actor=Actor("demo-user"))
    return target


def _deadlines(path: Path) -> dict[int, datetime]:
    """Each active case's next due moment: its deadline, or a detected case's contact_due."""
    engine = make_engine(str(path))
    with transaction(engine) as session:
        out = {c.id: c.deadline or c.contact_due for c in list_cases(session)}
    engine.dispose()
    return out


def test_live_copy_cases_count_down_from_now_as_the_sample_did_from_its_reference(
    sample: Path, live: Path
) -> None:
    before, after = _deadlines(sample), _deadlines(live)
    assert before.keys() == after.keys() and before
    assert all(after[i] - NOW == before[i] - REFERENCE for i in before)
    newest = _query(live, "SELECT max(day) FROM score")[0][0]
    assert newest == (NOW.date() - timedelta(days=1)).isoformat()
    assert len(_query(live, "SELECT 1 FROM score")) == len(_query(sample, "SELECT 1 FROM score"))
    reference = _query(live, "SELECT value FROM meta WHERE key = 'reference_instant'")[0][0]
    assert datetime.fromisoformat(reference) == NOW


def test_live_copy_leaves_nothing_beside_the_sample(sample: Path, tmp_path: Path) -> None:
    # A pristine source in a folder of its own: other tests open the shared sample, and a
    # connection they leave to the garbage collector may hold its -wal/-shm files for a while.
    source = tmp_path / "pristine" / "sample.db"
    source.parent.mkdir()
    shutil.copy(sample, source)
    live = tmp_path / "demo.db"
    make_live_copy(source, live, now=NOW, actor=Actor("demo-user"))
    assert live.is_file()
    assert sorted(p.name for p in source.parent.iterdir()) == ["sample.db"]


def test_live_copy_verifies_and_makes_the_user_a_lead(live: Path) -> None:
    result = _cli(live, NOW)("audit", "verify")
    assert result.exit_code == 0, result.output
    engine = make_engine(str(live))
    with transaction(engine) as session:
        operator = session.get(Operator, "demo-user")
        last = session.execute(select(Event).order_by(Event.id.desc())).scalars().first()  # type: ignore[union-attr]
    engine.dispose()
    assert operator is not None and operator.role == "lead"
    assert last is not None and last.action == "operator_add" and last.actor == "demo-user"
    assert last.at == NOW


def test_live_copy_is_as_settled_as_the_sample(live: Path) -> None:
    result = _cli(live, NOW)("sweep", "--now", NOW.isoformat(), "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["enrollment_changes"] == {}


def test_live_copy_refuses_an_existing_target(sample: Path, tmp_path: Path) -> None:
    from ahr_tui.errors import InvalidInput

    target = tmp_path / "demo.db"
    target.write_bytes(b"keep")
    with pytest.raises(InvalidInput):
        make_live_copy(sample, target, now=NOW, actor=Actor("x"))
    assert target.read_bytes() == b"keep"


def test_sample_into_a_missing_folder_or_under_a_file_says_which_in_one_sentence(
    tmp_path: Path,
) -> None:
    missing = tmp_path / "no-such" / "s.db"
    result = _cli(missing)("sample", "--out", str(missing), "--accounts", "5")
    assert result.exit_code == 1
    assert result.stderr == (
        f"ahr: cannot create {missing}: the folder {missing.parent} does not exist.\n")
    (tmp_path / "a-file").write_text("x")
    under = tmp_path / "a-file" / "s.db"  # its cleanup raised NotADirectoryError: a traceback
    result = _cli(under)("sample", "--out", str(under), "--accounts", "5")
    assert result.exit_code == 1
    assert result.stderr == f"ahr: cannot create {under}: {under.parent} is a file, not a folder.\n"
