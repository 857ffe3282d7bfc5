"""``ahr cases`` filters and ``--csv``, several ids for ``ahr case assign|note``, ``ahr view``.

DESIGN.md section 5: each of several cases is its own transaction and gets its own line; the
command exits 1 when any failed, and the others are still done.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

import pytest
from sqlalchemy.engine import Engine

from ahr_tui.rules import CaseAction, Role
from ahr_tui.service import cases as case_service
from ahr_tui.service.saved_views import View, ViewKind, save_view
from ahr_tui.store.actor import Actor
from tests.conftest import T0, Cli, add_operator, seed_account, snapshot


def ok(result) -> str:  # type: ignore[no-untyped-def]
    assert result.exit_code == 0, (result.stdout, result.stderr)
    assert result.stderr == ""
    return str(result.stdout)


def open_case(cli: Cli, seller: str, store: str = "US", policy: str = "reviews") -> int:
    return int(ok(cli("case", "open", seller, "--store", store, "--policy", policy)))


@pytest.fixture
def four(cli: Cli, engine: Engine) -> list[int]:
    """Four open cases: US reviews, US authenticity, CA reviews (assigned to bob), US other."""
    add_operator(engine, "bob", Role.TRIAGE)
    for seller, store in (("S1", "US"), ("S2", "US"), ("S3", "CA"), ("S4", "US")):
        seed_account(engine, seller, store)
    ids = [open_case(cli, "S1"), open_case(cli, "S2", policy="authenticity"),
           open_case(cli, "S3", "CA"), open_case(cli, "S4", policy="other")]
    ok(cli("case", "assign", str(ids[2]), "--to", "bob"))
    return ids


def listed(cli: Cli, *args: str) -> list[int]:
    return [c["id"] for c in json.loads(ok(cli("cases", "--json", *args)))]


def test_cases_filters_narrow_the_list_and_combine(cli: Cli, four: list[int]) -> None:
    assert listed(cli, "--assignee", "bob") == [four[2]]
    assert sorted(listed(cli, "--unassigned")) == sorted([four[0], four[1], four[3]])
    assert listed(cli, "--store", "ca") == [four[2]]
    assert listed(cli, "--policy", "authenticity") == [four[1]]
    assert sorted(listed(cli, "--store", "US", "--policy", "reviews")) == [four[0]]
    nobody = cli("cases", "--json", "--assignee", "nobody")  # a typo is not an empty list
    assert (nobody.exit_code, nobody.stdout) == (1, "")
    assert nobody.stderr.startswith("ahr: nobody is not an operator and has no cases")


def test_assignee_and_unassigned_together_is_a_usage_error(cli: Cli, four: list[int]) -> None:
    result = cli("cases", "--assignee", "bob", "--unassigned")
    assert result.exit_code == 2 and "--unassigned" in result.stderr


def test_csv_has_the_json_columns_and_the_same_rows_in_the_same_order(cli: Cli,
                                                                     four: list[int]) -> None:
    as_json = json.loads(ok(cli("cases", "--json")))
    rows = list(csv.reader(io.StringIO(ok(cli("cases", "--csv")))))
    assert rows[0] == list(as_json[0])
    assert [int(r[0]) for r in rows[1:]] == [c["id"] for c in as_json]
    assert rows[1][rows[0].index("deadline")] == as_json[0]["deadline"]


def test_csv_of_an_empty_list_is_the_header_alone(cli: Cli, engine: Engine) -> None:
    rows = list(csv.reader(io.StringIO(ok(cli("cases", "--csv")))))
    assert len(rows) == 1 and rows[0][:3] == ["id", "seller_id", "store"]


def test_csv_makes_hostile_names_inert_for_terminals_and_spreadsheets(cli: Cli, engine: Engine
                                                                      ) -> None:
    seed_account(engine, "S9", name='=HYPERLINK("http://x")\x1b[2J, "quoted"')
    open_case(cli, "S9")
    text = ok(cli("cases", "--csv"))
    assert "\x1b" not in text
    row = next(r for r in csv.DictReader(io.StringIO(text)) if r["seller_id"] == "S9")
    assert row["name"] == '\'=HYPERLINK("http://x")\\x1b[2J, "quoted"'


def test_json_and_csv_together_is_a_usage_error(cli: Cli, engine: Engine) -> None:
    assert cli("cases", "--json", "--csv").exit_code == 2


def test_assign_several_prints_a_line_per_case_and_exits_1_when_any_failed(
    cli: Cli, engine: Engine, four: list[int], me: Actor
) -> None:
    case_service.act(engine, four[1], CaseAction.RESOLVE, at=T0, text="done", actor=me, now=T0)
    result = cli("case", "assign", str(four[0]), str(four[1]), "999", str(four[3]))
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        f"case {four[0]}: assigned to {me.name}", f"case {four[3]}: assigned to {me.name}"]
    errors = result.stderr.splitlines()
    assert len(errors) == 2
    assert errors[0].startswith(f"ahr: case {four[1]}: cannot assign a case that is resolved")
    assert errors[1] == "ahr: no case 999."
    assert set(listed(cli, "--assignee", me.name)) == {four[0], four[3]}


def test_assign_one_case_keeps_its_own_exit_code_for_a_conflict(cli: Cli, four: list[int]
                                                                ) -> None:
    assert cli("case", "assign", str(four[0])).exit_code == 0  # now at version 2
    result = cli("case", "assign", str(four[0]), "--to", "bob", "--expect-version", "1")
    assert result.exit_code == 3 and "changed by someone else" in result.stderr


def test_expect_version_with_several_ids_is_a_usage_error_and_writes_nothing(
    cli: Cli, engine: Engine, four: list[int]
) -> None:
    before = snapshot(engine)
    result = cli("case", "assign", str(four[0]), str(four[1]), "--expect-version", "1")
    assert result.exit_code == 2
    assert snapshot(engine) == before


def test_note_several_adds_the_note_to_each(cli: Cli, four: list[int]) -> None:
    out = ok(cli("case", "note", str(four[0]), str(four[2]), "--text", "called twice"))
    assert out.splitlines() == [f"case {four[0]}: note added", f"case {four[2]}: note added"]
    for case_id in (four[0], four[2]):
        shown = json.loads(ok(cli("case", "show", str(case_id), "--json")))
        assert shown["events"][-1]["note"] == "called twice"


def test_view_list_and_delete_act_on_your_own_views(cli: Cli, engine: Engine, me: Actor) -> None:
    save_view(engine, View("mine US", ViewKind.CASES, "US", "seller"), operator=me.name, now=T0)
    save_view(engine, View("theirs"), operator="someone-else", now=T0)
    assert ok(cli("view", "list")).splitlines() == [
        "NAME     VIEW   SORT    FILTER", "mine US  cases  seller  US"]
    listed_json = json.loads(ok(cli("view", "list", "--json")))
    assert listed_json == [{"name": "mine US", "view": "cases", "filter": "US", "sort": "seller",
                            "settings": {}, "saved_at": "2026-03-02T12:00:00Z"}]
    assert ok(cli("view", "delete", "mine US")) == "deleted view mine US\n"
    assert ok(cli("view", "list")).startswith("(no saved views")
    result = cli("view", "delete", "theirs")
    assert result.exit_code == 1 and "no view named 'theirs'" in result.stderr


def test_saved_views_are_per_operator_and_refuse_a_taken_name_unless_replacing(
    engine: Engine, me: Actor, clock
) -> None:  # type: ignore[no-untyped-def]
    from ahr_tui.errors import InvalidInput
    from ahr_tui.service.saved_views import get_view, list_views

    save_view(engine, View("triage", filter_text="US"), operator=me.name, now=T0)
    save_view(engine, View("triage", filter_text="CA"), operator="bob", now=T0)
    with pytest.raises(InvalidInput, match="already have a view"):
        save_view(engine, View("triage", filter_text="MX"), operator=me.name, now=T0)
    later = T0 + timedelta(hours=1)
    save_view(engine, View("triage", ViewKind.ACCOUNTS, "MX", "store", {"k": 1}),
              operator=me.name, now=later, replace=True)
    mine = get_view(engine, "triage", operator=me.name)
    assert (mine.kind, mine.filter_text, mine.sort, mine.settings, mine.saved_at) == (
        ViewKind.ACCOUNTS, "MX", "store", {"k": 1}, later)
    assert get_view(engine, "triage", operator="bob").filter_text == "CA"
    assert [v.name for v in list_views(engine, operator=me.name)] == ["triage"]


@pytest.mark.parametrize("name", ["", "   ", "x" * 41, "bad\x1bname"])
def test_a_view_name_must_be_short_printable_text(engine: Engine, me: Actor, name: str) -> None:
    from ahr_tui.errors import InvalidInput

    before = snapshot(engine)
    with pytest.raises(InvalidInput):
        save_view(engine, View(name), operator=me.name, now=T0)
    assert snapshot(engine) == before


def test_the_csv_header_of_an_empty_list_is_a_case_objects_keys(cli: Cli, four: list[int]) -> None:
    from ahr_tui.service.case_view import CASE_LIST_KEYS

    assert tuple(json.loads(ok(cli("cases", "--json")))[0]) == CASE_LIST_KEYS


def test_view_applies_a_saved_views_filter_and_sort_as_the_app_does(
    cli: Cli, engine: Engine, four: list[int], me: Actor
) -> None:
    from ahr_tui.service.case_list import SortKey, shown
    from ahr_tui.service.views import list_cases
    from ahr_tui.store.engine import transaction

    save_view(engine, View("us", ViewKind.CASES, "us", "seller"), operator=me.name, now=T0)
    with transaction(engine) as session:
        expected = [c.id for c in shown(list_cases(session), "us", SortKey.SELLER)]
    assert listed(cli, "--view", "us") == expected
    assert set(expected) == {four[0], four[1], four[3]}  # the US cases
    assert listed(cli, "--view", "us", "--policy", "other") == [four[3]]


def test_an_unknown_or_accounts_view_is_refused_in_a_sentence(cli: Cli, engine: Engine,
                                                             me: Actor) -> None:
    save_view(engine, View("accts", ViewKind.ACCOUNTS), operator=me.name, now=T0)
    for name, words in (("nope", "no view named 'nope'"), ("accts", "Accounts list")):
        result = cli("cases", "--view", name)
        assert result.exit_code == 1 and words in result.stderr and result.stdout == ""
