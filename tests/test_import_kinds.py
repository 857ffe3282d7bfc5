"""A file given to the wrong ``ahr import`` command: one sentence saying what the file looks like
and which command takes it, for every pairing of the four import kinds and ahr's own exports;
exit 1 and nothing written."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from ahr_tui.importers.kinds import ACCOUNTS_EXPORT, CASES_EXPORT, kind_of
from ahr_tui.service.account_list import CSV_COLUMNS
from ahr_tui.service.case_view import CASE_JSON_KEYS, CASE_LIST_KEYS
from tests.conftest import snapshot
from tests.test_import_common import FIXTURES, seed_accounts

#: One file of each kind, as written by a person, a script or ahr itself.
FILES = {
    "sellers": "sellers_valid.csv",
    "scores": "scores_valid.csv",
    "cases": "cases_valid.csv",
    "report": "report.json",
}
SAYS = {
    "sellers": "this looks like a sellers file (seller_id, store, name, plan, emergency_phone, "
               "email)",
    "scores": "this looks like a scores file (seller_id, store, date, score)",
    "cases": "this looks like a cases file (seller_id, store, policy, contacted_at, summary "
             "[, detected_at])",
}
CALLED = {"sellers": "a sellers file", "scores": "a scores file", "cases": "a cases file"}


def run(cli, kind: str, path: Path):  # type: ignore[no-untyped-def]
    extra = ["--seller", "S1"] if kind == "report" else []
    return cli("import", kind, str(path), *extra)


def expected_sentence(command: str, given: str) -> str:
    if given == "report":
        return ("this looks like a Seller Performance Report (JSON), not a CSV file; use "
                "`ahr import report FILE --seller ID` for it")
    if command == "report":
        return (f"this looks like {CALLED[given]} (CSV), not a Seller Performance Report "
                f"(JSON); use `ahr import {given}` for it")
    return f"{SAYS[given]}, not {CALLED[command]}; use `ahr import {given}` for it"


@pytest.mark.parametrize(
    ("command", "given"),
    [(c, g) for c, g in itertools.permutations(FILES, 2)],
    ids=lambda v: v,
)
def test_a_file_of_another_kind_is_one_sentence_naming_its_command(cli, engine, command, given):
    seed_accounts(engine)
    path = FIXTURES / FILES[given]
    before = snapshot(engine)
    result = run(cli, command, path)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"{path}:1: file: {expected_sentence(command, given)}",
        f"ahr: {path}: 1 problem; nothing was imported.",
    ], result.stderr
    assert snapshot(engine) == before


@pytest.mark.parametrize("command", ["sellers", "scores", "cases", "report"])
@pytest.mark.parametrize(("export", "header"), [
    ("cases", CASE_LIST_KEYS), ("cases", CASE_JSON_KEYS), ("accounts", CSV_COLUMNS),
], ids=["cases", "cases-before-urgency", "accounts"])
def test_a_list_ahr_exported_is_not_taken_for_an_import_file(
    cli, engine, tmp_path, command, export, header
):
    seed_accounts(engine)
    path = tmp_path / f"{export}.csv"
    path.write_text(",".join(header) + "\n")
    result = run(cli, command, path)
    assert result.exit_code == 1
    first = result.stderr.splitlines()[0]
    assert first.startswith(f"{path}:1: file: this looks like a list of {export} exported by")
    assert len(result.stderr.splitlines()) == 2, result.stderr


def test_a_typo_in_the_right_kind_of_header_still_names_the_column(cli, engine, tmp_path):
    seed_accounts(engine)
    path = tmp_path / "scores.csv"
    path.write_text("seller_id,store,date,scroe\nS1,US,2026-03-01,300\n")
    result = cli("import", "scores", str(path))
    assert result.exit_code == 1
    assert f"{path}:1: scroe: unknown column 'scroe'" in result.stderr
    assert "looks like" not in result.stderr


def test_a_header_in_capitals_is_refused_in_one_sentence_and_nothing_is_written(
    cli, engine, tmp_path
):
    seed_accounts(engine)
    before = snapshot(engine)
    path = tmp_path / "scores.csv"
    path.write_text("Seller_ID, Store, Date, Score\nS1,US,2026-03-01,300\n")
    result = cli("import", "scores", str(path))
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"{path}:1: header: the column names 'Seller_ID', ' Store', ' Date', ' Score' have "
        "spaces or capitals; write them exactly as seller_id, store, date, score",
        f"ahr: {path}: 1 problem; nothing was imported.",
    ]
    assert snapshot(engine) == before


def test_the_exports_columns_are_those_ahr_writes() -> None:
    assert CASES_EXPORT.required + CASES_EXPORT.optional == CASE_LIST_KEYS
    assert CASES_EXPORT.required == CASE_JSON_KEYS  # a list exported before urgency was added
    assert ACCOUNTS_EXPORT.required == CSV_COLUMNS
    assert kind_of(list(CASE_LIST_KEYS)) is kind_of(list(CASE_JSON_KEYS)) is CASES_EXPORT
    assert kind_of(["seller_id", "store"]) is None  # nothing says which kind
