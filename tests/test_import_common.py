"""The import pieces every kind shares, without a database: field formats, the CSV reader's line
numbers and syntax errors, the problem list; plus the helpers the other import tests use.
"""

from __future__ import annotations

import io
import shutil
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from ahr_tui.importers import scores as score_file
from ahr_tui.importers import sellers as seller_file
from ahr_tui.importers import textfile
from ahr_tui.importers.csvfile import Rejects, open_csv, records, rejects_path
from ahr_tui.importers.fields import (
    FieldError,
    check_day,
    check_instant,
    check_plan,
    check_policy,
    check_score,
    check_store,
    text_problem,
)
from ahr_tui.importers.problems import LIMIT, Problems, shown
from ahr_tui.rules import PolicyArea
from tests.conftest import seed_account

FIXTURES = Path(__file__).parent / "fixtures" / "imports"


def seed_accounts(engine: Engine) -> dict[tuple[str, str], int]:
    """S1 in US and CA (enrolled), S2 in US (not enrolled), S4 in UK."""
    return {
        ("S1", "US"): seed_account(engine, "S1", "US"),
        ("S2", "US"): seed_account(engine, "S2", "US", name="Beta", enrollment="not_enrolled"),
        ("S1", "CA"): seed_account(engine, "S1", "CA", phone="+1 604 555 2100"),
        ("S4", "UK"): seed_account(engine, "S4", "UK", phone=None),
    }


def fixture_copy(name: str, folder: Path) -> Path:
    """A fixture copied where a rejects file may be written beside it."""
    target = folder / name
    shutil.copyfile(FIXTURES / name, target)
    return target


def write(folder: Path, name: str, content: str | bytes) -> Path:
    path = folder / name
    if isinstance(content, str):
        content = content.encode()
    path.write_bytes(content)
    return path


# --- field formats -----------------------------------------------------------------------


@pytest.mark.parametrize("value", ["2026-03-01", "2024-02-29"])
def test_a_day_is_exactly_yyyy_mm_dd(value):
    assert check_day(value) == date.fromisoformat(value)


@pytest.mark.parametrize(
    "value", ["20260301", "2026-3-1", "2026-02-30", "2026-W09-1", " 2026-03-01", ""]
)
def test_anything_else_is_not_a_day(value):
    with pytest.raises(FieldError, match="is not a date"):
        check_day(value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-03-01T10:00:00Z", datetime(2026, 3, 1, 10, tzinfo=UTC)),
        ("2026-03-01T11:30:00+01:00", datetime(2026, 3, 1, 10, 30, tzinfo=UTC)),
        ("2026-03-01 10:00:00.5-05:00", datetime(2026, 3, 1, 15, 0, 0, 500000, tzinfo=UTC)),
    ],
)
def test_an_instant_needs_an_offset_and_comes_back_in_utc(value, expected):
    assert check_instant(value) == expected
    assert check_instant(value).tzinfo is UTC


def test_an_instant_without_offset_or_time_is_refused():
    with pytest.raises(FieldError, match="has no UTC offset; add Z"):
        check_instant("2026-03-01T10:00:00")
    with pytest.raises(FieldError, match="is not an ISO-8601 instant"):
        check_instant("2026-03-01")
    with pytest.raises(FieldError, match="is not an ISO-8601 instant"):
        check_instant("yesterday")


@pytest.mark.parametrize(("value", "number"), [("0", 0), ("1000", 1000), ("0612", 612)])
def test_scores_are_integers_from_0_to_1000(value, number):
    assert check_score(value) == number


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("1001", "1001 is out of range (0-1000)"),
        ("-1", "-1 is out of range (0-1000)"),
        ("612.5", "'612.5' is not an integer"),
        ("1_000", "'1_000' is not an integer"),
        (" 612", "' 612' is not an integer"),
        ("٦١٢", "'٦١٢' is not an integer"),  # Arabic-Indic digits: int() would take them
        ("", "'' is not an integer"),
    ],
)
def test_a_bad_score_says_why(value, message):
    with pytest.raises(FieldError) as caught:
        check_score(value)
    assert str(caught.value) == message


def test_store_codes_are_the_marketplaces_own_with_a_hint_for_near_misses():
    assert check_store("UK") == "UK"
    with pytest.raises(FieldError, match=r"unknown store 'GB' \(the United Kingdom is UK\)"):
        check_store("GB")
    with pytest.raises(FieldError, match=r"store codes are upper case: US"):
        check_store("us")


def test_plans_and_policy_areas_are_closed_lists():
    assert check_plan("individual") == "individual"
    assert check_policy("food_safety") is PolicyArea.FOOD_SAFETY
    assert check_plan(" Professional ") == "professional"  # as spreadsheet users type it
    assert check_policy("Food Safety") is PolicyArea.FOOD_SAFETY
    with pytest.raises(FieldError, match="unknown plan 'Pro'"):
        check_plan("Pro")
    with pytest.raises(
        FieldError, match="unknown policy area 'counterfeit' \\(one of ip_suspected"
    ):
        check_policy("counterfeit")


def test_undecodable_bytes_and_nul_are_located():
    assert text_problem("Müller") is None
    assert text_problem("M\udcfcller") == "not UTF-8: byte 0xfc at character 2"
    assert text_problem("ab\x00") == "contains a NUL character at character 3"


def test_values_in_messages_are_short_and_show_raw_bytes():
    assert shown("S1") == "'S1'"
    assert shown("M\udcfcller") == "'M\\xfcller'"
    assert len(shown("x" * 500)) == 42


# --- the problem list --------------------------------------------------------------------


def test_problems_keep_the_first_fifty_and_count_the_rest():
    problems = Problems()
    for line in range(2, 2 + LIMIT + 7):
        problems.add(line, "score", "bad")
    assert problems.count == LIMIT + 7
    assert len(problems.kept) == LIMIT
    assert problems.omitted == 7
    assert problems.kept[0].render("s.csv") == "s.csv:2: score: bad"
    assert not problems.fatal


# --- the CSV reader ------------------------------------------------------------------------


def test_a_record_spanning_lines_is_reported_at_its_first_line(tmp_path):
    path = write(
        tmp_path,
        "s.csv",
        'seller_id,store,date,score\nS1,US,2026-03-01,1\n"S\n2",US,2026-03-01,2\nS3,US,x,3\n',
    )
    problems = Problems()
    with open_csv(path, score_file.COLUMNS, problems) as csv_file:
        assert csv_file is not None
        rows = list(records(csv_file, problems, Rejects(None, csv_file.header)))
    assert [line for line, _ in rows] == [2, 3, 5]
    assert rows[1][1][0] == "S\n2"


def test_blank_lines_are_skipped_and_crlf_and_bom_are_read(tmp_path):
    path = write(
        tmp_path, "s.csv", b"\xef\xbb\xbfscore,seller_id,store,date\r\n\r\n612,S1,US,2026-03-01\r\n"
    )
    problems = Problems()
    with open_csv(path, score_file.COLUMNS, problems) as csv_file:
        assert csv_file is not None
        assert csv_file.columns == {"score": 0, "seller_id": 1, "store": 2, "date": 3}
        rows = list(records(csv_file, problems, Rejects(None, csv_file.header)))
    assert rows == [(3, ["612", "S1", "US", "2026-03-01"])]
    assert not problems


def test_a_stray_quote_is_a_problem_on_its_line_and_reading_goes_on(tmp_path):
    path = write(
        tmp_path, "s.csv", 'seller_id,store,date,score\n"S1"x,US,2026-03-01,1\nS2,US,2026-03-01,2\n'
    )
    problems = Problems()
    with open_csv(path, score_file.COLUMNS, problems) as csv_file:
        assert csv_file is not None
        rows = list(records(csv_file, problems, Rejects(None, csv_file.header)))
    assert [line for line, _ in rows] == [3]
    assert [p.render("s.csv") for p in problems.kept] == [
        "s.csv:2: row: a closing quote must be followed by a comma or the end of the line"
    ]


def test_a_header_naming_a_column_twice_is_refused(tmp_path):
    path = write(tmp_path, "s.csv", "seller_id,store,date,score,score\n")
    problems = Problems()
    with open_csv(path, score_file.COLUMNS, problems) as csv_file:
        assert csv_file is None
    assert problems.fatal
    assert [p.render("s.csv") for p in problems.kept] == ["s.csv:1: score: column appears twice"]


def test_rejects_keep_the_original_columns_bytes_included(tmp_path, monkeypatch):
    monkeypatch.setattr(textfile, "HEAD_BYTES", 16)  # the bad byte lies beyond the sniffed head
    path = write(tmp_path, "s.csv", b"seller_id,store,date,score\nS\xff1,US,2026-03-01,1\n")
    problems = Problems()
    with open_csv(path, score_file.COLUMNS, problems) as csv_file:
        assert csv_file is not None
        rejects = Rejects(rejects_path(path), csv_file.header)
        batches = list(
            score_file.ScoreReader(csv_file, {("S1", "US"): 1}, problems, rejects).batches()
        )
        rejects.close()
    assert batches == []
    assert rejects_path(path).name == "s.rejects.csv"
    assert rejects_path(path).read_bytes() == (
        b"seller_id,store,date,score,reason\r\n"
        b"S\xff1,US,2026-03-01,1,seller_id: not UTF-8: byte 0xff at character 2\r\n"
    )


# --- the scores reader without a database ---------------------------------------------------


def test_scores_come_out_in_batches_of_valid_rows_with_every_problem_reported(tmp_path):
    lines = ["seller_id,store,date,score"] + [f"S1,US,2026-01-{d:02d},{d}" for d in range(1, 8)]
    lines += ["S1,US,2026-01-01,5", "S2,US,2026-01-01,5", "S1,US,2026-01-08,x"]
    path = write(tmp_path, "s.csv", "\n".join(lines) + "\n")
    problems = Problems()
    with open_csv(path, score_file.COLUMNS, problems) as csv_file:
        assert csv_file is not None
        reader = score_file.ScoreReader(
            csv_file, {("S1", "US"): 3}, problems, Rejects(None, csv_file.header)
        )
        batches = list(reader.batches(size=3))
    assert [len(b) for b in batches] == [3, 3, 1]
    assert batches[0][0] == (3, "2026-01-01", 1)
    assert reader.valid == 7
    assert [(p.where, p.column) for p in problems.kept] == [
        (9, "date"),
        (10, "seller_id"),
        (11, "score"),
    ]


def test_sellers_reader_stores_empty_phone_and_email_as_missing():
    problems = Problems()
    with open_csv(FIXTURES / "sellers_valid.csv", seller_file.COLUMNS, problems) as csv_file:
        assert csv_file is not None
        [batch] = list(seller_file.read_sellers(csv_file, problems, Rejects(None, csv_file.header)))
    assert not problems
    beta = batch[1]
    assert (beta.name, beta.plan, beta.emergency_phone, beta.email) == (
        "Beta, Inc.",
        "individual",
        "555",
        None,
    )
    assert batch[2].name == "Acme\nCanada"
    assert [r.line for r in batch] == [2, 3, 4, 6]


def test_an_unreadable_file_is_one_sentence(tmp_path):
    from ahr_tui.errors import InvalidInput

    with (
        pytest.raises(
            InvalidInput, match=r"cannot read .*missing.csv: No such file or directory\."
        ),
        open_csv(tmp_path / "missing.csv", score_file.COLUMNS, Problems()),
    ):
        pass
    with (
        pytest.raises(InvalidInput, match="Is a directory"),
        open_csv(tmp_path, score_file.COLUMNS, Problems()),
    ):
        pass


def test_stream_positions_grow_as_the_file_is_read(tmp_path):
    body = "".join(f"S1,US,2026-01-01,{i % 1000}\n" for i in range(20000))
    path = write(tmp_path, "s.csv", "seller_id,store,date,score\n" + body)
    with open_csv(path, score_file.COLUMNS, Problems()) as csv_file:
        assert csv_file is not None
        first = csv_file.position()
        for _ in range(10000):
            next(csv_file.reader)
        assert first < csv_file.position() <= csv_file.size
    assert csv_file.size > io.DEFAULT_BUFFER_SIZE


def test_a_problem_names_its_field_once():
    from ahr_tui.importers.problems import Problem

    assert Problem(3, "plan", "unknown").render("s.csv") == "s.csv:3: plan: unknown"
    assert Problem("/performanceMetrics/2/marketplaceId", "marketplaceId", "skipped").render(
        "r.json") == "r.json:/performanceMetrics/2/marketplaceId: skipped"
    assert Problem("/performanceMetrics", "seller", "x").render("r.json") == (
        "r.json:/performanceMetrics: seller: x")
    assert Problem("/a/marketplaceId", "marketplaceId", "x").reason == "marketplaceId: x"
