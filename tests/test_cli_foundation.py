"""The command line contract of DESIGN.md section 5: commands, JSON shapes, errors, exit codes.

Every refused command is checked to print one sentence on stderr, exit with the documented code
and write nothing (a snapshot of every table, or a file's bytes, before and after).
"""

from __future__ import annotations

import gc
import json
import re
import sqlite3
from contextlib import closing
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from ahr_tui.service.admin import init_database
from ahr_tui.store.engine import make_engine
from ahr_tui.wording import NO_ACCOUNTS_YET
from tests.conftest import T0, Cli, full_window, seed_account, snapshot

AS_OF = (T0 - timedelta(days=1)).date()
Z_INSTANT = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")
CASE_KEYS = {"id", "seller_id", "store", "policy", "status", "contacted_at", "deadline",
             "responded_at", "assignee", "version"}
ELIGIBILITY_KEYS = {"seller_id", "store", "as_of", "eligible", "ahr_ok", "days_below",
                    "days_missing", "phone_valid", "plan", "enrollment", "reasons"}


def ok(result) -> str:  # type: ignore[no-untyped-def]
    assert result.exit_code == 0, (result.stdout, result.stderr)
    assert result.stderr == ""
    return str(result.stdout)


def refused(result, code: int, *words: str) -> str:  # type: ignore[no-untyped-def]
    """A refusal: the exit code, nothing on stdout, and one sentence naming the problem."""
    assert result.exit_code == code, (result.stdout, result.stderr)
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    if code == 2:  # usage errors: the sentence, then where the command's help is
        line, hint = result.stderr.splitlines()
        assert hint.startswith("Try 'ahr") and hint.endswith(" --help' for help."), hint
    else:
        [line] = result.stderr.splitlines()
    assert line.startswith("ahr: ")
    for word in words:
        assert word in line
    return line


def open_case(cli: Cli, *extra: str, seller: str = "S1") -> str:
    return ok(cli("case", "open", seller, "--store", "US", "--policy", "reviews", *extra)).strip()


def instants_end_with_z(obj: dict, keys: tuple[str, ...]) -> None:  # type: ignore[type-arg]
    for key in keys:
        value = obj[key]
        assert value is None or Z_INSTANT.match(value), (key, value)


# --- init -----------------------------------------------------------------------------------


def test_init_on_an_initialised_database_is_idempotent(cli, engine):
    seed_account(engine)
    before = snapshot(engine)
    assert ok(cli("init")).startswith("up to date")
    assert snapshot(engine) == before


def test_init_creates_a_new_database_and_then_reports_it_up_to_date(tmp_path, clock):
    path = tmp_path / "new.db"
    cli = Cli(db=str(path), clock=clock, runner=CliRunner())
    assert ok(cli("init")).startswith("created")
    assert path.read_bytes().startswith(b"SQLite format 3\x00")
    assert ok(cli("init")).startswith("up to date")
    assert json.loads(ok(cli("cases", "--json"))) == []


# --- sweep and eligibility -----------------------------------------------------------------


def test_sweep_reports_what_it_changed_and_a_second_run_changes_nothing(cli, engine):
    seed_account(engine, "S1", enrollment="not_enrolled", scores=full_window(AS_OF))
    seed_account(engine, "S2", scores=full_window(AS_OF))
    open_case(cli, "--at", "2026-02-27T11:00:00Z", seller="S2")
    text = ok(cli("sweep"))
    assert f"as of {AS_OF.isoformat()}: 1 case expired" in text
    assert "not_enrolled->enrolled: 1" in text
    before = snapshot(engine)
    again = json.loads(ok(cli("sweep", "--json")))
    assert again == {"as_of": AS_OF.isoformat(), "expired": [], "warned": [],
                     "enrollment_changes": {}, "notifications": 0, "enrolment_held": False,
                     "scores_end": AS_OF.isoformat()}
    assert snapshot(engine) == before


def test_a_sweep_holds_enrolment_while_nobody_has_a_score_for_the_day_and_says_so(cli, engine):
    """The day's import has not arrived: the warning names the day, the last scored day and
    the way on; the sweep's other work is done and its exit is 0."""
    acc = seed_account(engine, "S1", scores=full_window(AS_OF - timedelta(days=1)))
    result = cli("sweep")
    assert result.exit_code == 0, result.stderr
    assert result.stderr == (
        f"ahr: enrolment changes held: no account has a score for {AS_OF.isoformat()} yet (the "
        f"last scored day is {(AS_OF - timedelta(days=1)).isoformat()}). A missing day counts "
        "as below 250, so evaluating it now would lapse enrolled sellers; import that day's "
        "scores and sweep again, or pass --allow-missing-scores.\n")
    assert result.stdout.startswith(f"as of {AS_OF.isoformat()}: 0 cases expired")
    held = json.loads(cli("sweep", "--json").stdout)
    assert (held["enrolment_held"], held["scores_end"]) == (True, "2026-02-28")
    with closing(engine.connect()) as conn:
        assert conn.execute(text("SELECT enrollment FROM account WHERE id = :i"),
                            {"i": acc}).scalar_one() == "enrolled"


def test_sweep_now_evaluates_as_of_the_day_before_its_utc_date(cli, engine):
    # 00:30 on March 3rd at UTC+05:00 is 19:30 on March 2nd in UTC: as of March 1st.
    report = json.loads(ok(cli("sweep", "--now", "2026-03-03T00:30:00+05:00", "--json")))
    assert report["as_of"] == "2026-03-01"


def test_sweep_with_a_malformed_now_is_a_usage_error_and_writes_nothing(cli, engine):
    seed_account(engine, enrollment="not_enrolled", scores=full_window(AS_OF))
    before = snapshot(engine)
    refused(cli("sweep", "--now", "tomorrow-ish"), 2, "--now")
    refused(cli("sweep", "--now", "2026-03-02T12:00:00"), 2, "offset")
    assert snapshot(engine) == before


def test_eligibility_json_has_the_documented_keys_and_changes_nothing(cli, engine):
    seed_account(engine, "S1", enrollment="not_enrolled", scores=full_window(AS_OF))
    seed_account(engine, "S2", phone=None, plan="individual", scores={AS_OF: 100})
    before = snapshot(engine)
    rows = json.loads(ok(cli("eligibility", "--json")))
    assert snapshot(engine) == before
    assert [r["seller_id"] for r in rows] == ["S1", "S2"]
    for row in rows:
        assert set(row) >= ELIGIBILITY_KEYS
        assert row["as_of"] == AS_OF.isoformat()
    good, bad = rows
    assert good["eligible"] and good["ahr_ok"] and good["phone_valid"] and good["reasons"] == []
    assert (good["days_below"], good["days_missing"], good["enrollment"]) == (
        0, 0, "not_enrolled")
    assert not bad["eligible"] and not bad["ahr_ok"] and not bad["phone_valid"]
    assert (bad["days_below"], bad["days_missing"], bad["plan"]) == (180, 179, "individual")
    assert set(bad["reasons"]) == {"too_many_days_below", "not_professional", "phone_missing"}


def test_eligibility_text_selects_sellers_store_and_day(cli, engine):
    seed_account(engine, "S1", scores=full_window(AS_OF))
    seed_account(engine, "S2", store="CA", phone="+1 416 555 2199", scores=full_window(AS_OF))
    text = ok(cli("eligibility", "S2", "--store", "ca"))
    assert "S2" in text and "S1" not in text.split("\n", 1)[1]
    assert len(json.loads(ok(cli("eligibility", "--json")))) == 2
    refused(cli("eligibility", "S1", "--store", "CA"), 1, "no seller S1 in store CA")
    assert f"as of {AS_OF.isoformat()}: 1 of 1 eligible" in text
    earlier = json.loads(ok(cli("eligibility", "S1", "--as-of", "2025-01-01", "--json")))
    assert earlier[0]["as_of"] == "2025-01-01" and earlier[0]["days_missing"] == 180


def test_eligibility_text_counts_days_under_250_and_days_with_no_score_apart(cli, engine):
    """``<250`` and ``MISSING`` never count one day twice; ``--json``'s ``days_below`` (the
    rule's count, DESIGN section 4) is their sum."""
    scores = full_window(AS_OF, days=170)  # the 10 oldest days have no score
    for back in range(3):
        scores[AS_OF - timedelta(days=back)] = 120
    seed_account(engine, "S1", scores=scores)
    header, row = ok(cli("eligibility", "S1")).splitlines()[:2]
    assert header.split()[3:5] == ["<250", "MISSING"], header
    assert row.split()[3:5] == ["3", "10"], row
    data = json.loads(ok(cli("eligibility", "S1", "--json")))[0]
    assert (data["days_below"], data["days_missing"]) == (13, 10)


def test_eligibility_for_an_unknown_seller_or_store_or_day_is_refused(cli, engine):
    seed_account(engine)
    refused(cli("eligibility", "NOPE"), 1, "no seller NOPE")
    refused(cli("eligibility", "--store", "XX"), 1, "no store XX")
    refused(cli("eligibility", "--as-of", "2026-02-30"), 2, "--as-of")


# --- cases ---------------------------------------------------------------------------------


def test_case_open_prints_the_new_id_alone_and_json_gives_the_case(cli, engine):
    seed_account(engine)
    assert open_case(cli, "--at", "2026-03-02T10:00:00Z") == "1"
    data = json.loads(ok(cli("case", "open", "S1", "--store", "us", "--policy", "other",
                             "--summary", "second", "--json")))
    assert set(data) >= CASE_KEYS
    assert (data["id"], data["status"], data["policy"], data["store"]) == (
        2, "open", "other", "US")
    assert data["contacted_at"] == "2026-03-02T12:00:00Z"  # default --at is now
    assert data["deadline"] == "2026-03-05T12:00:00Z"
    instants_end_with_z(data, ("contacted_at", "deadline", "responded_at"))


def test_cases_lists_active_cases_in_text_and_json_and_filters_by_status(cli, engine):
    seed_account(engine)
    first = open_case(cli, "--at", "2026-03-01T12:00:00Z")
    second = open_case(cli)
    ok(cli("case", "respond", second))
    third = open_case(cli)
    ok(cli("case", "resolve", third, "--note", "fixed"))
    text = ok(cli("cases"))
    assert text.splitlines()[0].split()[:3] == ["ID", "LEFT", "URGENCY"]
    lines = text.splitlines()[1:]
    assert [ln.split()[0] for ln in lines] == [first, second]
    assert "2d 00h" in lines[0] and "ok" in lines[0]
    assert "+3d 00h  responded" in lines[1]  # the margin it met the deadline by
    listed = json.loads(ok(cli("cases", "--json")))
    assert [c["id"] for c in listed] == [int(first), int(second)]
    for case in listed:
        assert set(case) >= CASE_KEYS
        instants_end_with_z(case, ("contacted_at", "deadline", "responded_at"))
    assert listed[1]["responded_at"] == "2026-03-02T12:00:00Z"
    only = json.loads(ok(cli("cases", "--status", "resolved", "--json")))
    assert [(c["id"], c["status"]) for c in only] == [(int(third), "resolved")]
    both = json.loads(ok(cli("cases", "--status", "resolved", "--status", "responded", "--json")))
    assert {c["status"] for c in both} == {"resolved", "responded"}
    refused(cli("cases", "--status", "bogus"), 2, "--status")


def test_no_cases_says_so(cli):
    assert "(no cases)" in ok(cli("cases"))


def test_a_new_database_says_there_is_nothing_yet_and_which_commands_bring_the_data_in(
    cli, engine, tmp_path, clock
):
    """``ahr init`` on a new file, ``ahr cases`` and ``ahr eligibility`` on a database with no
    account: one line naming the imports (real commands); none once an account is there, and
    none in ``--json``."""
    new = Cli(db=str(tmp_path / "new.db"), clock=clock, runner=CliRunner())
    created = ok(new("init")).splitlines()
    assert created[0].startswith("created: ") and created[1:] == [NO_ACCOUNTS_YET]
    assert ok(new("init")).splitlines()[1:] == [NO_ACCOUNTS_YET]  # still nothing imported
    for kind in ("sellers", "scores"):
        assert f"ahr import {kind} FILE.csv" in NO_ACCOUNTS_YET
        assert "Columns:" in ok(cli("import", kind, "--help"))
    assert ok(cli("cases")).splitlines()[-2:] == ["(no cases)", NO_ACCOUNTS_YET]
    assert ok(cli("eligibility")).splitlines()[-1] == NO_ACCOUNTS_YET
    assert json.loads(ok(cli("cases", "--json"))) == []
    assert json.loads(ok(cli("eligibility", "--json"))) == []
    seed_account(engine)
    for args in (("cases",), ("eligibility", "--store", "CA"), ("init",)):
        said = ok(cli(*args))
        assert "no accounts yet" not in said, (args, said)
    assert ok(cli("cases")).splitlines()[-1] == "(no cases)"


def test_a_filter_naming_no_store_or_no_one_is_refused_not_an_empty_list(cli, engine, me):
    """``ahr cases --store GB`` (the code is UK) or a misspelt ``--assignee`` must not read as
    "no cases": one sentence, exit 1. Someone who still has cases, operator or not, is a filter."""
    seed_account(engine)
    first = open_case(cli)
    assert "(no cases)" in ok(cli("cases", "--store", "uk"))
    refused(cli("cases", "--store", "GB"), 1, "no store GB", "ahr store list")
    refused(cli("cases", "--assignee", "tnguyn"), 1, "tnguyn is not an operator",
            "ahr operator list")
    assert "(no cases)" in ok(cli("cases", "--assignee", me.name))  # an operator, no cases
    with engine.begin() as conn:  # a former operator still named on a case
        conn.execute(text("UPDATE aha_case SET assignee = 'gone' WHERE id = :i"), {"i": first})
    assert ok(cli("cases", "--assignee", "gone")).splitlines()[1].split()[0] == first


def test_respond_resolve_and_show_record_the_timeline(cli, engine, clock):
    seed_account(engine)
    case_id = open_case(cli, "--summary", "fake reviews")
    clock.advance(hours=1)
    assert ok(cli("case", "respond", case_id, "--note", "seller called")) == (
        f"case {case_id}: responded\n")
    data = json.loads(ok(cli("case", "resolve", case_id, "--note", "reviews removed", "--json")))
    assert (data["status"], data["outcome_note"]) == ("resolved", "reviews removed")
    shown = json.loads(ok(cli("case", "show", case_id, "--json")))
    assert [(e["action"], e["from"], e["to"]) for e in shown["events"]] == [
        ("open", None, "open"), ("respond", "open", "responded"),
        ("resolve", "responded", "resolved"),
    ]
    for event in shown["events"]:
        instants_end_with_z(event, ("at", "recorded_at"))
    assert shown["responded_at"] == "2026-03-02T13:00:00Z"
    text = ok(cli("case", "show", case_id))
    assert "resolved" in text and "reviews removed" in text and "timeline" in text


def test_case_show_says_the_time_of_an_expired_and_a_responded_case(cli, engine, clock):
    """A newcomer read ``status  expired`` where the app's detail and the handover said
    ``45m 59s past the deadline``, and ``status  responded`` where they said ``16h 58m to
    spare``: every front end writes a case's time the same way (``rules.time_left``)."""
    seed_account(engine)
    seed_account(engine, "S2")
    late = open_case(cli)  # at T0: deadline T0 + 72 h
    kept = open_case(cli, seller="S2")
    clock.advance(hours=48)
    ok(cli("case", "respond", kept))  # at T0 + 48 h: 24 h to spare
    after = "2026-03-05T12:45:00Z"  # T0 + 72 h 45 m
    ok(cli("sweep", "--now", after, "--allow-missing-scores"))
    shown = ok(cli("case", "show", late, "--now", after))
    assert "     status  expired (45m 00s past the deadline)" in shown.splitlines(), shown
    shown = ok(cli("case", "show", kept, "--now", after))
    assert "     status  responded (1d 00h to spare)" in shown.splitlines(), shown


def test_case_show_takes_now_as_ahr_cases_does(cli, engine):
    """``--now``: the instant the time left is computed from, parsed like the siblings' (an
    instant without an offset is a usage error); the status line matches ``ahr cases``'s."""
    seed_account(engine)
    case_id = open_case(cli)  # at T0: 72 h to go
    later = "2026-03-04T23:30:00Z"  # 59 h on: 12h 30m left
    shown = ok(cli("case", "show", case_id, "--now", later))
    assert "     status  open (12h 30m left, warn)" in shown.splitlines(), shown
    listed = ok(cli("cases", "--now", later)).splitlines()[1].split()
    assert listed[1:4] == ["12h", "30m", "warn"], listed
    assert "(3d 00h left, ok)" in ok(cli("case", "show", case_id))  # default: now (T0)
    for bad in ("2026-03-04T23:30:00", "soon"):
        for args in (("case", "show", case_id), ("cases",)):
            said = cli(*args, "--now", bad)
            assert said.exit_code == 2 and "'--now'" in said.stderr, (args, said.stderr)
    assert json.loads(ok(cli("case", "show", case_id, "--now", later, "--json")))["id"] == int(
        case_id)


def test_deactivate_an_expired_case_through_the_cli(cli, engine):
    seed_account(engine, scores=full_window(AS_OF))
    case_id = open_case(cli, "--at", "2026-02-27T11:00:00Z")
    ok(cli("sweep"))
    assert ok(cli("case", "deactivate", case_id, "--note", "no response")) == (
        f"case {case_id}: deactivated\n")
    row = json.loads(ok(cli("eligibility", "S1", "--json")))[0]
    assert row["enrollment"] == "not_enrolled" and "account_deactivated" in row["reasons"]


def test_fraud_through_the_cli_revokes_and_supersedes(cli, engine):
    seed_account(engine, scores=full_window(AS_OF))
    first = open_case(cli)
    second = open_case(cli)
    assert ok(cli("case", "fraud", first, "--evidence", "forged invoices")) == (
        f"case {first}: fraud\n")
    other = json.loads(ok(cli("case", "show", second, "--json")))
    assert other["status"] == "superseded"
    row = json.loads(ok(cli("eligibility", "S1", "--json")))[0]
    assert row["enrollment"] == "revoked" and "revoked" in row["reasons"]


def test_assign_and_note(cli, engine, me):
    seed_account(engine)
    case_id = open_case(cli)
    assert ok(cli("case", "assign", case_id)) == f"case {case_id}: assigned to {me.name}\n"
    assert ok(cli("case", "note", case_id, "--text", "left voicemail")) == (
        f"case {case_id}: note added\n")
    shown = json.loads(ok(cli("case", "show", case_id, "--json")))
    assert shown["assignee"] == me.name and shown["version"] == 2
    assert [e["action"] for e in shown["events"]][-2:] == ["assign", "note"]
    assert shown["events"][-1]["note"] == "left voicemail"


def test_assigning_a_missing_case_to_a_missing_operator_names_the_case_first(cli, engine):
    """The case is the object of the command: ``case 999`` is reported as missing, not the
    operator; the case that exists is refused for the operator."""
    seed_account(engine)
    case_id = open_case(cli)
    before = snapshot(engine)
    result = cli("case", "assign", case_id, "999", "--to", "nobody")
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines == [
        f"ahr: case {case_id}: nobody is not an operator; cases are assigned to operators.",
        "ahr: no case 999.",
    ], lines
    assert snapshot(engine) == before


def test_assigning_to_the_current_assignee_writes_nothing_and_says_so(cli, engine, me):
    seed_account(engine)
    case_id = open_case(cli)
    ok(cli("case", "assign", case_id))
    before = json.loads(ok(cli("case", "show", case_id, "--json")))
    assert ok(cli("case", "assign", case_id, "--to", me.name)) == (
        f"case {case_id}: already assigned to {me.name}.\n")
    after = json.loads(ok(cli("case", "show", case_id, "--json")))
    assert after["version"] == before["version"] and after["events"] == before["events"]


def test_a_note_goes_on_a_resolved_case_but_assignment_does_not(cli, engine):
    seed_account(engine)
    case_id = open_case(cli)
    ok(cli("case", "resolve", case_id, "--note", "fixed"))
    assert ok(cli("case", "note", case_id, "--text", "seller thanked us")) == (
        f"case {case_id}: note added\n")
    shown = json.loads(ok(cli("case", "show", case_id, "--json")))
    assert shown["events"][-1]["note"] == "seller thanked us"
    refused(cli("case", "assign", case_id), 1,
            f"case {case_id}: cannot assign a case that is resolved")
    again = json.loads(ok(cli("case", "show", case_id, "--json")))
    assert again["events"] == shown["events"]


def test_case_show_prints_untrusted_text_literally(cli, engine):
    seed_account(engine, name="Evil\x1b[31m Corp")
    case_id = open_case(cli, "--summary", "[bold]x[/bold]\x07")
    text = ok(cli("case", "show", case_id))
    assert "\x1b" not in text and "\x07" not in text
    assert "[bold]x[/bold]" in text


# --- refusals: one sentence, the documented exit code, nothing written ----------------------

COMMAND_NAMES = ("case", "cases", "store", "sweep", "eligibility", "audit")


@pytest.mark.parametrize(
    ("args", "code", "words"),
    [
        (("case", "show", "99"), 1, ("no case 99",)),
        (("case", "respond", "99"), 1, ("no case 99",)),
        (("case", "resolve", "1"), 1, ("needs a note",)),
        (("case", "resolve", "1", "--note", "   "), 1, ("needs a note",)),
        (("case", "fraud", "1"), 1, ("needs evidence",)),
        (("case", "deactivate", "1", "--note", "x"), 1, ("cannot deactivate", "open")),
        (("case", "respond", "1", "--at", "2026-03-06T10:00:00Z"), 1, ("in the future",)),
        (("case", "respond", "1", "--at", "2026-03-01T09:00:00Z"), 1, ("precede",)),
        (("case", "respond", "1", "--at", "yesterday"), 2, ("--at",)),
        (("case", "respond", "1", "--at", "2026-03-02T10:00:00"), 2, ("offset",)),
        (("case", "show", "abc"), 2, ("CASE_ID", "not a whole number")),
        (("case", "show", "99999999999999999999"), 2, ("CASE_ID", "too large")),
        (("case", "respond", "0"), 2, ("CASE_ID", "too small")),
        (("case", "resolve", "1", "--note", "x", "--expect-version", "99999999999999999999"), 2,
         ("--expect-version",)),
        (("case", "respond", "1", "--at", "0001-01-01T00:00:00+05:00"), 2, ("out of range",)),
        (("case", "open", "S1", "--store", "US", "--policy", "other", "--at",
          "9999-12-31T23:00:00-05:00"), 2, ("out of range",)),
        (("sweep", "--now", "9999-12-31T23:59:59Z"), 2, ("out of range",)),
        (("cases", "--now", "0001-01-01T00:00:00Z"), 2, ("out of range",)),
        (("eligibility", "--as-of", "0001-01-01"), 2, ("out of range",)),
        (("audit", "log", "--case", "99999999999999999999"), 2, ("--case",)),
        (("case", "open", "S1", "--store", "XX", "--policy", "other"), 1, ("no store XX",)),
        (("case", "open", "NOPE", "--store", "US", "--policy", "other"), 1,
         ("no seller NOPE in store US",)),
        (("case", "open", "S1", "--store", "US", "--policy", "nope"), 2, ("--policy",)),
        (("case", "open", "S2", "--store", "US", "--policy", "other"), 1,
         ("not enrolled", "standard enforcement applies")),
        (("case", "assign", "1", "--to", "nobody"), 1, ("not an operator",)),
        (("case", "note", "1", "--text", " "), 1, ("needs text",)),
        (("case", "resolve", "1", "--note", "x", "--expect-version", "7"), 1,
         ("has never been at version 7", "nothing was written")),
        (("store", "enable", "XX"), 1, ("no store XX",)),
        (("store", "disable", "XX"), 1, ("no store XX",)),
    ],
    ids=lambda v: " ".join(v) if isinstance(v, tuple) and len(v) > 1 and v[0] in COMMAND_NAMES
    else None,
)
def test_bad_input_is_one_sentence_with_its_exit_code_and_writes_nothing(
    cli, engine, args, code, words
):
    seed_account(engine)
    seed_account(engine, "S2", enrollment="not_enrolled")
    assert open_case(cli, "--at", "2026-03-02T10:00:00Z") == "1"
    before = snapshot(engine)
    refused(cli(*args), code, *words)
    assert snapshot(engine) == before


def test_a_late_response_is_refused_and_a_second_action_on_a_closed_case_too(cli, engine, clock):
    seed_account(engine)
    case_id = open_case(cli, "--at", "2026-03-02T10:00:00Z")
    clock.advance(days=4)
    before = snapshot(engine)
    refused(cli("case", "respond", case_id), 1, "72-hour window has passed")
    assert snapshot(engine) == before
    ok(cli("case", "resolve", case_id, "--note", "handled"))
    before = snapshot(engine)
    refused(cli("case", "resolve", case_id, "--note", "again"), 1, "cannot resolve", "resolved")
    assert snapshot(engine) == before


def test_store_list_enable_and_disable(cli, engine):
    listed = json.loads(ok(cli("store", "list", "--json")))
    enabled = {s["code"] for s in listed if s["aha_enabled"]}
    assert enabled == {"US", "CA"}
    assert "ATVPDKIKX0DER" in ok(cli("store", "list"))
    assert ok(cli("store", "enable", "mx")) == "MX: enabled\n"
    before = snapshot(engine)
    assert ok(cli("store", "enable", "MX")) == "MX: enabled\n"  # already on: nothing written
    assert snapshot(engine) == before
    assert ok(cli("store", "disable", "US")) == "US: disabled\n"
    listed = json.loads(ok(cli("store", "list", "--json")))
    assert {s["code"] for s in listed if s["aha_enabled"]} == {"CA", "MX"}
    log = json.loads(ok(cli("audit", "log", "--json")))
    assert [(e["action"], e["note"]) for e in log][-2:] == [
        ("store_enable", "store MX"), ("store_disable", "store US"),
    ]


# --- databases that are not ours: refused, untouched ----------------------------------------

COMMANDS = [("cases",), ("sweep",), ("case", "show", "1"), ("store", "enable", "MX")]


@pytest.mark.parametrize("args", COMMANDS, ids=" ".join)
def test_a_file_that_is_not_a_database_is_refused_and_left_alone(tmp_path, clock, args):
    path = tmp_path / "notes.txt"
    path.write_bytes(b"these are my notes, not a database\n" * 10)
    cli = Cli(db=str(path), clock=clock, runner=CliRunner())
    refused(cli(*args), 1, "not an SQLite database")
    refused(cli("init"), 1, "not an SQLite database")
    assert path.read_bytes() == b"these are my notes, not a database\n" * 10


@pytest.mark.parametrize("args", COMMANDS, ids=" ".join)
def test_a_corrupt_database_is_refused_and_left_alone(tmp_path, clock, args):
    path = tmp_path / "corrupt.db"
    garbage = b"SQLite format 3\x00" + bytes((i * 131 + 7) % 256 for i in range(8000))
    path.write_bytes(garbage)
    cli = Cli(db=str(path), clock=clock, runner=CliRunner())
    refused(cli(*args), 1, "corrupt")
    refused(cli("init"), 1, "corrupt")
    assert durable_bytes(tmp_path) == {"corrupt.db": garbage}


@pytest.mark.parametrize("args", COMMANDS, ids=" ".join)
def test_a_directory_is_refused(tmp_path, clock, args):
    cli = Cli(db=str(tmp_path), clock=clock, runner=CliRunner())
    refused(cli(*args), 1, "is a directory")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("args", COMMANDS, ids=" ".join)
def test_a_missing_file_is_refused_and_not_created(tmp_path, clock, args):
    path = tmp_path / "missing.db"
    cli = Cli(db=str(path), clock=clock, runner=CliRunner())
    refused(cli(*args), 1, "no database at", f"`ahr --db {path} init`")
    assert not path.exists()
    assert list(tmp_path.iterdir()) == []


def test_a_missing_file_in_a_missing_folder_says_to_make_the_folder_first(tmp_path, clock):
    """The hint ``create one with ahr --db DIR/x.db init`` failed in turn (the folder does not
    exist): the refusal names the folder and the command that makes it, then init."""
    path = tmp_path / "not yet" / "x.db"
    cli = Cli(db=str(path), clock=clock, runner=CliRunner())
    line = refused(cli("cases"), 1, "no database at", f"no folder {path.parent}")
    assert f"mkdir -p '{path.parent}'" in line and line.endswith(
        f"then `ahr --db '{path}' init`."), line
    assert list(tmp_path.iterdir()) == []
    (tmp_path / "not yet").mkdir()
    assert cli("init").exit_code == 0 and path.is_file()  # the advice, followed, works


@pytest.mark.parametrize(("given", "advice"), [
    ("2026-03-02", "is a day, not an instant; give its time and offset too "
                   "(e.g. 2026-03-02T00:00:00Z)"),
    ("2026-03-02T10:00", "has no UTC offset; add Z or +HH:MM (e.g. 2026-03-02T10:00Z)"),
])
def test_an_instant_without_its_offset_is_told_a_form_that_works(cli, engine, given, advice):
    """``--now 2026-03-02`` was told to add Z, and ``2026-03-02Z`` is no instant either: each
    refusal's example is taken as given."""
    seed_account(engine)
    line = refused(cli("cases", "--now", given), 2, advice)
    example = line.rsplit("(e.g. ", 1)[1].split(")", 1)[0]
    assert cli("cases", "--now", example).exit_code == 0


def test_an_sqlite_database_of_another_program_is_refused_and_left_alone(tmp_path, clock):
    path = tmp_path / "other.db"
    with closing(sqlite3.connect(path)) as conn, conn:
        conn.execute("CREATE TABLE recipes (name TEXT)")
    files = durable_bytes(tmp_path)
    cli = Cli(db=str(path), clock=clock, runner=CliRunner())
    refused(cli("cases"), 1, "not an ahr database")
    refused(cli("init"), 1, "not an ahr database")
    assert durable_bytes(tmp_path) == files


def test_a_database_from_a_newer_ahr_is_refused_and_left_alone(tmp_path, clock, me):
    path = tmp_path / "newer.db"
    engine = make_engine(str(path), create=True)
    init_database(engine, actor=me, now=clock())
    engine.dispose()
    with closing(sqlite3.connect(path)) as conn, conn:
        conn.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    files = durable_bytes(tmp_path)
    cli = Cli(db=str(path), clock=clock, runner=CliRunner())
    refused(cli("cases"), 1, "newer ahr")
    refused(cli("init"), 1, "newer ahr")
    refused(cli("sweep"), 1, "newer ahr")
    assert durable_bytes(tmp_path) == files


def test_an_unparseable_database_url_is_one_sentence(clock):
    cli = Cli(db="postgresql+psycopg://user@[bad", clock=clock, runner=CliRunner())
    result = cli("cases")
    assert result.exit_code == 1 and "Traceback" not in result.stderr
    assert result.stderr.startswith("ahr: ") and len(result.stderr.splitlines()) == 1


def durable_bytes(folder: Path) -> dict[str, bytes]:
    """The database and any WAL frames, once every connection is closed.

    Closing the last connection checkpoints the WAL into the file, so a write that a refused
    command made would show in the database's bytes. The ``-shm`` index and an empty WAL are
    scratch files any reader creates.
    """
    gc.collect()  # engines of earlier in-process commands close their connections
    return {p.name: p.read_bytes() for p in folder.iterdir()
            if not p.name.endswith("-shm") and p.stat().st_size}


def test_tui_without_a_terminal_says_so_and_writes_nothing(cli, engine):
    from tests.conftest import seed_account

    seed_account(engine)
    before = cli("audit", "log", "--json").stdout
    result = cli("tui")
    assert result.exit_code == 1
    assert "the TUI needs a terminal" in result.stderr
    assert "\x1b" not in result.stdout
    assert cli("audit", "log", "--json").stdout == before


def test_a_new_seller_is_told_too_many_days_missing_and_json_keeps_its_reason_code(cli, engine):
    """A brand-new seller (20 days scored, all healthy) and one with 11 days scored under 250:
    both not eligible (the answer is the rule's); the text says which days make the count,
    ``--json`` keeps ``too_many_days_below`` in ``reasons`` (scripts rely on it) and adds
    ``ahr_reason``."""
    seed_account(engine, "NEW", scores={AS_OF - timedelta(days=i): 640 for i in range(20)})
    low = full_window(AS_OF)
    for back in range(11):
        low[AS_OF - timedelta(days=back)] = 120
    seed_account(engine, "LOW", scores=low)
    lines = ok(cli("eligibility")).splitlines()
    header = lines[0].split()
    rows = {line.split()[0]: line.split() for line in lines[1:3]}
    reasons = header.index("REASONS")
    assert rows["NEW"][2:5] == ["no", "0", "160"] and rows["NEW"][reasons] == (
        "too_many_days_missing")
    assert rows["LOW"][2:5] == ["no", "11", "0"] and rows["LOW"][reasons] == (
        "too_many_days_below")
    data = {r["seller_id"]: r for r in json.loads(ok(cli("eligibility", "--json")))}
    assert data["NEW"]["reasons"] == ["too_many_days_below"]
    assert data["NEW"]["ahr_reason"] == "too_many_days_missing"
    assert (data["LOW"]["reasons"], data["LOW"]["ahr_reason"]) == (
        ["too_many_days_below"], "too_many_days_below")
    assert not data["NEW"]["eligible"] and not data["NEW"]["ahr_ok"]
