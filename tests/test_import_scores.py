"""``ahr import scores`` on a real database: counts, idempotence, updates, rejects, dry runs."""

from __future__ import annotations

import csv
from datetime import date

import pytest
from sqlalchemy import select

from ahr_tui.errors import PermissionDenied
from ahr_tui.rules import Role
from ahr_tui.service.imports import ImportOptions, import_scores
from ahr_tui.store.actor import Actor
from ahr_tui.store.engine import transaction
from ahr_tui.store.models import Account, Event, Score
from tests.conftest import T0, add_operator, snapshot
from tests.test_import_common import FIXTURES, fixture_copy, seed_accounts, write


def scores(engine) -> dict[tuple[str, str, date], int]:
    with transaction(engine) as session:
        rows = session.execute(
            select(Account.seller_id, Account.store, Score.day, Score.score).join(
                Account,
                Account.id == Score.account_id,  # type: ignore[arg-type]
            )
        )
        return {(s, st, d): v for s, st, d, v in rows}


def import_events(engine) -> list[Event]:
    with transaction(engine) as session:
        query = select(Event).where(Event.action.like("import_%")).order_by(Event.id)  # type: ignore[attr-defined]
        return list(session.execute(query).scalars())


def test_a_clean_file_is_imported_and_audited_once(cli, engine):
    seed_accounts(engine)
    path = FIXTURES / "scores_valid.csv"
    result = cli("import", "scores", str(path))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == f"{path}: 5 new, 0 updated, 0 unchanged, 0 rejected\n"
    assert result.stderr == ""
    assert scores(engine) == {
        ("S1", "US", date(2026, 2, 27)): 612,
        ("S1", "US", date(2026, 2, 28)): 640,
        ("S1", "US", date(2026, 3, 1)): 655,
        ("S2", "US", date(2026, 3, 1)): 180,
        ("S1", "CA", date(2026, 3, 1)): 1000,
    }
    [event] = import_events(engine)
    assert event.action == "import_scores"
    assert event.note == "scores_valid.csv: 5 new, 0 updated, 0 unchanged, 0 rejected"
    assert event.at == T0


def test_the_same_file_twice_changes_nothing_the_second_time_and_says_so(cli, engine):
    seed_accounts(engine)
    path = str(FIXTURES / "scores_valid.csv")
    assert cli("import", "scores", path).exit_code == 0
    before = snapshot(engine)
    again = cli("import", "scores", path)
    assert again.exit_code == 0
    assert again.stdout == f"{path}: 0 new, 0 updated, 5 unchanged, 0 rejected (nothing changed)\n"
    assert snapshot(engine) == before


def test_a_row_for_an_existing_day_replaces_its_score(cli, engine, tmp_path):
    seed_accounts(engine)
    assert cli("import", "scores", str(FIXTURES / "scores_valid.csv")).exit_code == 0
    path = write(
        tmp_path,
        "later.csv",
        "seller_id,store,date,score\nS1,US,2026-03-01,300\nS1,US,2026-02-28,640\nS1,US,2026-03-02,310\n",
    )
    result = cli("import", "scores", str(path))
    assert result.stdout == f"{path}: 1 new, 1 updated, 1 unchanged, 0 rejected\n"
    got = scores(engine)
    assert got[("S1", "US", date(2026, 3, 1))] == 300
    assert got[("S1", "US", date(2026, 3, 2))] == 310
    assert [e.note for e in import_events(engine)][
        -1
    ] == "later.csv: 1 new, 1 updated, 1 unchanged, 0 rejected"


def test_columns_in_any_order_with_bom_crlf_and_quotes(cli, engine):
    seed_accounts(engine)
    path = FIXTURES / "scores_reordered_bom_crlf.csv"
    result = cli("import", "scores", str(path))
    assert result.exit_code == 0, result.stderr
    assert scores(engine) == {
        ("S1", "US", date(2026, 2, 27)): 612,
        ("S1", "US", date(2026, 2, 28)): 640,
    }


def test_skip_invalid_imports_the_valid_rows_and_writes_the_rest_with_a_reason(
    cli, engine, tmp_path
):
    seed_accounts(engine)
    path = write(
        tmp_path,
        "mixed.csv",
        "seller_id,store,date,score\nS1,US,2026-03-01,612\nS9,US,2026-03-01,5\n"
        "S2,US,2026-03-01,1001\nS2,US,2026-03-02,180\nS1,US,2026-03-01,613\n",
    )
    result = cli("import", "scores", str(path), "--skip-invalid")
    assert result.exit_code == 0, result.stderr
    rejects = tmp_path / "mixed.rejects.csv"
    assert result.stdout.splitlines() == [
        f"{path}: 2 new, 0 updated, 0 unchanged, 3 rejected",
        f"3 rejected; written to {rejects}",
    ]
    assert result.stderr.splitlines() == [
        f"{path}:3: seller_id: no seller 'S9' in store US",
        f"{path}:4: score: 1001 is out of range (0-1000)",
        f"{path}:6: date: duplicate: seller 'S1' in US already has a score for 2026-03-01 "
        "earlier in this file",
    ]
    assert scores(engine) == {
        ("S1", "US", date(2026, 3, 1)): 612,
        ("S2", "US", date(2026, 3, 2)): 180,
    }
    with rejects.open(newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows == [
        ["seller_id", "store", "date", "score", "reason"],
        ["S9", "US", "2026-03-01", "5", "seller_id: no seller 'S9' in store US"],
        ["S2", "US", "2026-03-01", "1001", "score: 1001 is out of range (0-1000)"],
        [
            "S1",
            "US",
            "2026-03-01",
            "613",
            "date: duplicate: seller 'S1' in US already has a score for 2026-03-01 earlier in "
            "this file",
        ],
    ]


def test_skip_invalid_with_every_row_rejected_is_an_error_not_a_quiet_success(
    cli, engine, tmp_path
):
    """A scheduled import of a wrong file must not exit 0: the rejects are written and
    counted as with any --skip-invalid import, and the command fails (exit 1)."""
    seed_accounts(engine)
    path = write(tmp_path, "wrong.csv",
                 "seller_id,store,date,score\nS9,US,2026-03-01,5\nS1,US,2026-03-01,1001\n")
    before = snapshot(engine)
    result = cli("import", "scores", str(path), "--skip-invalid")
    assert result.exit_code == 1
    rejects = tmp_path / "wrong.rejects.csv"
    assert result.stdout.splitlines() == [
        f"{path}: 0 new, 0 updated, 0 unchanged, 2 rejected (nothing changed)",
        f"2 rejected; written to {rejects}",
    ]
    assert result.stderr.splitlines()[-1] == (
        f"ahr: {path}: every record was rejected; nothing was imported.")
    assert rejects.exists() and snapshot(engine) == before


def test_without_skip_invalid_one_bad_row_means_nothing_is_written(cli, engine, tmp_path):
    seed_accounts(engine)
    path = fixture_copy("scores_unknown_seller.csv", tmp_path)
    before = snapshot(engine)
    result = cli("import", "scores", str(path))
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.splitlines()[-1] == (
        f"ahr: {path}: 1 problem; nothing was imported (--skip-invalid imports the valid records)."
    )
    assert snapshot(engine) == before
    assert not (tmp_path / "scores_unknown_seller.rejects.csv").exists()


def test_a_fatal_problem_writes_nothing_even_with_skip_invalid(cli, engine, tmp_path):
    seed_accounts(engine)
    path = fixture_copy("scores_missing_column.csv", tmp_path)
    before = snapshot(engine)
    result = cli("import", "scores", str(path), "--skip-invalid")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1] == f"ahr: {path}: 1 problem; nothing was imported."
    assert snapshot(engine) == before


def test_a_dry_run_counts_what_would_change_and_writes_nothing(cli, engine, tmp_path):
    seed_accounts(engine)
    assert cli("import", "scores", str(FIXTURES / "scores_valid.csv")).exit_code == 0
    path = write(
        tmp_path,
        "next.csv",
        "seller_id,store,date,score\nS1,US,2026-03-01,300\nS1,US,2026-02-28,640\nS1,US,2026-03-02,310\nS9,US,2026-03-02,1\n",
    )
    before = snapshot(engine)
    result = cli("import", "scores", str(path), "--dry-run", "--skip-invalid")
    assert result.exit_code == 0, result.stderr
    assert (
        result.stdout
        == f"{path}: 1 new, 1 updated, 1 unchanged, 1 rejected (dry run: nothing written)\n"
    )
    assert snapshot(engine) == before
    assert not (tmp_path / "next.rejects.csv").exists()


def test_a_dry_run_of_an_invalid_file_fails_like_the_real_thing(cli, engine):
    seed_accounts(engine)
    before = snapshot(engine)
    result = cli("import", "scores", str(FIXTURES / "scores_out_of_range.csv"), "--dry-run")
    assert result.exit_code == 1
    assert snapshot(engine) == before


def test_more_than_fifty_problems_are_counted_after_the_fiftieth(cli, engine, tmp_path):
    seed_accounts(engine)
    body = "".join(f"S1,US,2026-01-{1 + i % 28:02d},{2000 + i}\n" for i in range(60))
    path = write(tmp_path, "bad.csv", "seller_id,store,date,score\n" + body)
    result = cli("import", "scores", str(path))
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert len(lines) == 52
    assert lines[0] == f"{path}:2: score: 2000 is out of range (0-1000)"
    assert lines[49] == f"{path}:51: score: 2049 is out of range (0-1000)"
    assert lines[50] == f"{path}: ... and 10 more problems"
    assert lines[51] == (
        f"ahr: {path}: 60 problems; nothing was imported "
        "(--skip-invalid imports the valid records)."
    )


def test_a_file_larger_than_one_batch_counts_every_row(engine, me, tmp_path):
    ids = seed_accounts(engine)
    days = [date(2024, 1, 1).toordinal() + i for i in range(400)]
    body = "".join(
        f"{seller},{store},{date.fromordinal(d).isoformat()},{(d * 7) % 1001}\n"
        for seller, store in ids
        for d in days
    )
    path = write(tmp_path, "big.csv", "seller_id,store,date,score\n" + body)
    result = import_scores(engine, path, actor=me, now=T0)
    assert (result.new, result.updated, result.unchanged, result.rejected) == (1600, 0, 0, 0)
    again = import_scores(engine, path, actor=me, now=T0)
    assert (again.new, again.updated, again.unchanged) == (0, 0, 1600)
    assert len(scores(engine)) == 1600


@pytest.mark.parametrize("role", [None, Role.TRIAGE, Role.INVESTIGATOR])
def test_only_a_lead_may_import(engine, role):
    seed_accounts(engine)
    if role is not None:
        add_operator(engine, "casey", role)
    before = snapshot(engine)
    with pytest.raises(PermissionDenied, match="to import data you need the lead role"):
        import_scores(
            engine,
            FIXTURES / "scores_valid.csv",
            actor=Actor("casey"),
            now=T0,
            options=ImportOptions(dry_run=True),
        )
    assert snapshot(engine) == before


def test_batches_written_as_the_next_is_read_count_and_roll_back_as_one(
    engine, me, tmp_path, monkeypatch
):
    """In batches of 300 (PostgreSQL: each upserted while the next is read, in a thread): new,
    updated and unchanged rows are counted across batches, progress only grows, and a bad row in
    the last batch leaves nothing of the earlier batches written."""
    from ahr_tui.importers import scores as score_file

    monkeypatch.setattr(score_file, "BATCH_ROWS", 300)
    ids = seed_accounts(engine)
    days = [date(2024, 1, 1).toordinal() + i for i in range(400)]

    def body(score_of) -> str:  # type: ignore[no-untyped-def]
        return "seller_id,store,date,score\n" + "".join(
            f"{seller},{store},{date.fromordinal(d).isoformat()},{score_of(d)}\n"
            for seller, store in ids for d in days)

    first = write(tmp_path, "first.csv", body(lambda d: (d * 7) % 1001))
    seen: list[tuple[int, int]] = []
    result = import_scores(engine, first, actor=me, now=T0,
                           progress=lambda records, at: seen.append((records, at)))
    assert (result.new, result.updated, result.unchanged) == (1600, 0, 0)
    assert len(seen) >= 5 and seen == sorted(seen) and seen[-1][0] == 1600
    changed = write(tmp_path, "changed.csv", body(lambda d: (d * 7) % 1001 if d % 2 else 5))
    again = import_scores(engine, changed, actor=me, now=T0)
    assert (again.new, again.updated, again.unchanged) == (0, 800, 800)
    before = scores(engine)
    bad = write(tmp_path, "bad.csv", body(lambda d: 6)[:-5] + "oops\n")
    failed = import_scores(engine, bad, actor=me, now=T0)
    assert failed.failed and scores(engine) == before
