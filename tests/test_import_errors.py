"""Every file problem the issue lists: a clear located message, exit 1, and the database unchanged.

Each case is a fixture in tests/fixtures/imports; the expected lines are the exact stderr lines
(``FILE:LINE: column: message``, or a JSON pointer instead of LINE), all of them, followed by the
one-sentence refusal.
"""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from tests.conftest import T0, Cli, FakeClock, snapshot
from tests.test_import_common import FIXTURES, seed_accounts

CASES = [
    (
        "scores",
        "scores_empty.csv",
        ["1: file: the file is empty; expected a header row seller_id,store,date,score"],
    ),
    (
        "scores",
        "scores_missing_column.csv",
        ["1: score: missing column (expected seller_id, store, date, score, in any order)"],
    ),
    (
        "scores",
        "scores_extra_column.csv",
        ["1: note: unknown column 'note' (expected seller_id, store, date, score)"],
    ),
    ("scores", "scores_unknown_seller.csv", ["3: seller_id: no seller 'S9' in store US"]),
    (
        "scores",
        "scores_bad_date.csv",
        [
            "2: date: '2026-02-30' is not a date (YYYY-MM-DD)",
            "3: date: '2026-3-1' is not a date (YYYY-MM-DD)",
        ],
    ),
    (
        "scores",
        "scores_future_date.csv",  # the tests' clock: 2026-03-02T12:00Z
        [
            "3: date: 2026-03-03 is in the future (today is 2026-03-02 UTC)",
            "4: date: 2099-01-01 is in the future (today is 2026-03-02 UTC)",
        ],
    ),
    (
        "scores",
        "scores_out_of_range.csv",
        ["2: score: 1001 is out of range (0-1000)", "3: score: -1 is out of range (0-1000)"],
    ),
    (
        "scores",
        "scores_not_integer.csv",
        ["2: score: '612.5' is not an integer", "3: score: 'high' is not an integer"],
    ),
    (
        "scores",
        "scores_unknown_store.csv",
        ["3: store: unknown store 'GB' (the United Kingdom is UK)"],
    ),
    (
        "scores",
        "scores_open_quote.csv",
        ["3: row: a quoted field opened here is never closed (end of file)"],
    ),
    (
        "scores",
        "scores_duplicate.csv",
        [
            "4: date: duplicate: seller 'S1' in US already has a score for 2026-03-01 earlier "
            "in this file"
        ],
    ),
    (
        "scores",
        "scores_not_utf8.csv",
        [
            "3: file: not UTF-8: byte 0xff ('ÿ' in Windows-1252) shows a legacy 8-bit encoding; "
            "save it as CSV UTF-8 (Excel: File > Save As > CSV UTF-8) "
            "or convert it with iconv -f WINDOWS-1252 -t UTF-8"
        ],
    ),
    (
        "sellers",
        "sellers_unknown_plan.csv",
        ["3: plan: unknown plan 'enterprise' (professional or individual)"],
    ),
    (
        "sellers",
        "sellers_not_utf8.csv",
        [
            "3: file: not UTF-8: byte 0xfc ('ü' in Windows-1252) shows a legacy 8-bit encoding; "
            "save it as CSV UTF-8 (Excel: File > Save As > CSV UTF-8) "
            "or convert it with iconv -f WINDOWS-1252 -t UTF-8"
        ],
    ),
    (
        "sellers",
        "sellers_duplicate.csv",
        ["4: seller_id: duplicate: seller 'S1' in US appears earlier in this file"],
    ),
    (
        "sellers",
        "scores_valid.csv",
        [  # another kind's file: one sentence, not a problem per column (test_import_kinds)
            "1: file: this looks like a scores file (seller_id, store, date, score), not a "
            "sellers file; use `ahr import scores` for it"
        ],
    ),
    (
        "cases",
        "cases_no_offset.csv",
        ["2: contacted_at: '2026-03-01T10:00:00' has no UTC offset; add Z or +HH:MM"],
    ),
    (
        "cases",
        "cases_bad_instant.csv",
        ["2: contacted_at: 'yesterday' is not an ISO-8601 instant (e.g. 2026-03-02T14:30:00Z)"],
    ),
    (
        "cases",
        "cases_unknown_policy.csv",
        [
            "2: policy: unknown policy area 'counterfeit' (one of ip_suspected, ip_complaint, "
            "authenticity, "
            "condition, product_safety, food_safety, listing_policy, restricted_product, reviews, "
            "regulatory, other)"
        ],
    ),
    ("cases", "cases_unknown_seller.csv", ["2: seller_id: no seller 'S9' in store US"]),
    (
        "cases",
        "cases_not_enrolled.csv",
        [
            "3: seller_id: cannot open a case for S2 in US: not enrolled (not_enrolled): standard "
            "enforcement applies"
        ],
    ),
    (
        "report",
        "report_not_json.json",
        ["2: json: not JSON: Expecting property name enclosed in double quotes (column 37)"],
    ),
    (
        "report",
        "report_no_metrics.json",
        [
            "/performanceMetrics: missing: this is not a Seller "
            "Performance Report"
        ],
    ),
    (
        "report",
        "scores_empty.csv",
        ["1: file: the file is empty; expected a Seller Performance Report (JSON)"],
    ),
]


@pytest.mark.parametrize(
    ("kind", "name", "expected"), CASES, ids=[c[1] + "-" + c[0] for c in CASES]
)
def test_each_problem_is_located_and_nothing_is_written(cli, engine, kind, name, expected):
    seed_accounts(engine)
    path = FIXTURES / name
    before = snapshot(engine)
    extra = ["--seller", "S1"] if kind == "report" else []
    result = cli("import", kind, str(path), *extra)
    assert result.exit_code == 1, result.stdout
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert lines[:-1] == [f"{path}:{line}" for line in expected]
    count = len(expected)
    assert lines[-1].startswith(
        f"ahr: {path}: {count} problem{'s' if count > 1 else ''}; nothing was imported"
    )
    assert snapshot(engine) == before


def test_a_missing_file_is_one_sentence(cli, engine, tmp_path):
    result = cli("import", "scores", str(tmp_path / "nope.csv"))
    assert result.exit_code == 1
    assert (
        result.stderr == f"ahr: cannot read {tmp_path / 'nope.csv'}: No such file or directory.\n"
    )


def test_control_characters_from_a_file_never_reach_the_terminal(cli, engine, tmp_path):
    seed_accounts(engine)
    path = tmp_path / "evil.csv"
    path.write_text("seller_id,store,date,score\n\x1b[31mS1,US,2026-03-01,1\n")
    result = cli("import", "scores", str(path))
    assert result.exit_code == 1
    assert "\x1b" not in result.stderr
    assert f"{path}:2: seller_id: no seller '\\x1b[31mS1' in store US" in result.stderr


IMPORTS = [("sellers", "s.csv", ()), ("scores", "s.csv", ()), ("cases", "c.csv", ()),
           ("report", "r.json", ("--seller", "S1"))]


@pytest.mark.parametrize(("kind", "name", "extra"), IMPORTS)
def test_a_missing_file_is_named_before_a_missing_database(tmp_path, kind, name, extra):
    """``ahr import sellers FILE`` with neither said the database first: FILE, typed in that
    command, is named first, by every import alike; the database is still checked after it."""
    missing_db = tmp_path / "none.db"
    cli = Cli(db=str(missing_db), clock=FakeClock(T0), runner=CliRunner())
    result = cli("import", kind, str(tmp_path / name), *extra)
    assert result.exit_code == 1
    assert result.stderr == f"ahr: cannot read {tmp_path / name}: No such file or directory.\n"
    folder = cli("import", kind, str(tmp_path), *extra)  # unreadable: a folder
    assert folder.exit_code == 1
    assert folder.stderr == f"ahr: cannot read {tmp_path}: Is a directory.\n"
    (tmp_path / name).write_text("")
    there = cli("import", kind, str(tmp_path / name), *extra)
    assert there.exit_code == 1 and there.stderr.startswith(f"ahr: no database at {missing_db}")
    assert not missing_db.exists()


def test_the_reports_bad_date_is_a_usage_error_before_the_file_and_the_database(tmp_path):
    cli = Cli(db=str(tmp_path / "none.db"), clock=FakeClock(T0), runner=CliRunner())
    result = cli("import", "report", str(tmp_path / "r.json"), "--seller", "S1", "--date", "x")
    assert result.exit_code == 2
    assert result.stderr.startswith("ahr: Invalid value for '--date': 'x' is not a date")
