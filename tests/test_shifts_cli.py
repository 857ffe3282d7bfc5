"""Operators' hours, ``ahr forecast`` and ``ahr handover`` through the command line, with a
frozen clock across a weekend and New York's spring DST change (Sunday 2026-03-08)."""

from __future__ import annotations

import html
import json
import re
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ahr_tui.cli.main import app
from ahr_tui.textsafe import clean_line, markdown_line
from tests.conftest import Cli, FakeClock, seed_account, snapshot
from tests.test_cli_foundation import ok, open_case, refused
from tests.test_notify_smtp import Server
from tests.test_notify_smtp import serve as serve  # the aiosmtpd fixture, shared

FRIDAY = datetime(2026, 3, 6, 18, 0, tzinfo=UTC)  # 13:00 EST
SUNDAY_0330_EDT = "2026-03-08T07:30:00Z"  # 03:30 EDT, just after the clocks went forward
MONDAY_0930_EDT = "2026-03-09T13:30:00Z"  # 09:30 EDT (would be 08:30 EST: before office hours)


@pytest.fixture
def week(cli: Cli, engine, clock: FakeClock, me) -> Cli:  # type: ignore[no-untyped-def]
    """Two New York weekday operators (triage ana, lead lea) and two open cases, Friday 18:00Z."""
    seed_account(engine, "S1")
    seed_account(engine, "S2")
    clock.set(FRIDAY)
    ok(cli("operator", "add", "ana", "--role", "triage", "--email", "ana@ops.example.com"))
    ok(cli("operator", "add", "lea", "--role", "lead"))
    for name in ("ana", "lea"):
        ok(cli("operator", "hours", name, "--tz", "America/New_York", "--days", "mon-fri",
               "--from", "09:00", "--to", "17:00"))
    open_case(cli, "--at", "2026-03-05T07:30:00Z", seller="S1")  # deadline Sunday 03:30 EDT
    open_case(cli, "--at", "2026-03-06T13:30:00Z", seller="S2")  # deadline Monday 09:30 EDT
    ok(cli("operator", "hours", me.name, "--clear"))
    return cli


def moments(cli: Cli, *args: str) -> dict[tuple[int, str], dict]:  # type: ignore[type-arg]
    data = json.loads(ok(cli("forecast", "--json", *args)))
    return {(m["case_id"], m["kind"]): m for m in data}


def test_operator_list_json_gives_email_zone_hours_and_whether_on_shift(week: Cli) -> None:
    listed = {o["name"]: o for o in json.loads(ok(week("operator", "list", "--json")))}
    ana = listed["ana"]
    assert ana["email"] == "ana@ops.example.com"
    assert ana["time_zone"] == "America/New_York"
    assert [h["day"] for h in ana["hours"]] == ["mon", "tue", "wed", "thu", "fri"]
    assert ana["hours"][0] == {"day": "mon", "from": "09:00", "to": "17:00"}
    assert ana["on_shift"] is True  # Friday 13:00 EST
    assert listed["lea"]["email"] is None
    assert "ana@ops.example.com" in ok(week("operator", "list"))


def test_a_weekend_deadline_is_uncovered_and_a_monday_one_is_covered_after_dst(week: Cli) -> None:
    found = moments(week, "--hours", "72")
    sunday = found[(1, "deadline")]
    assert sunday["at"] == SUNDAY_0330_EDT
    assert (sunday["on_shift"], sunday["covered"]) == ([], False)
    monday = found[(2, "deadline")]
    assert monday["at"] == MONDAY_0930_EDT
    assert (monday["on_shift"], monday["covered"]) == (["ana", "lea"], True)
    assert set(sunday) >= {"at", "case_id", "seller_id", "store", "kind", "assignee", "on_shift",
                           "covered"}
    assert [m["at"] for m in found.values()] == sorted(m["at"] for m in found.values())


def test_a_night_shift_across_midnight_covers_the_sunday_deadline(week: Cli) -> None:
    ok(week("operator", "add", "nia", "--role", "lead"))
    out = ok(week("operator", "hours", "nia", "--tz", "America/New_York", "--days", "sat",
                  "--from", "22:00", "--to", "06:00"))
    assert out.strip() == "nia: sat 22:00-06:00 (America/New_York)"
    sunday = moments(week, "--hours", "72")[(1, "deadline")]
    assert (sunday["on_shift"], sunday["covered"]) == (["nia"], True)


def test_the_role_matters_a_triage_night_shift_leaves_the_deadline_uncovered(week: Cli) -> None:
    ok(week("operator", "add", "tom", "--role", "triage"))
    ok(week("operator", "hours", "tom", "--tz", "America/New_York", "--days", "sat",
            "--from", "22:00", "--to", "06:00"))
    found = moments(week, "--hours", "72")
    assert found[(1, "deadline")]["on_shift"] == ["tom"]
    assert found[(1, "deadline")]["covered"] is False
    assert found[(1, "critical")]["covered"] is True  # 02:30 EST Sunday: chasing is triage work


def test_hours_add_keeps_the_earlier_ranges_and_tz_alone_moves_them(week: Cli) -> None:
    ok(week("operator", "hours", "ana", "--days", "sat", "--from", "10:00", "--to", "12:00",
            "--add"))
    out = ok(week("operator", "hours", "ana", "--tz", "Europe/London"))
    assert out.strip() == "ana: mon-fri 09:00-17:00, sat 10:00-12:00 (Europe/London)"


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("--tz", "Mars/Olympus", "--days", "mon", "--from", "09:00", "--to", "17:00"),
         ("unknown time zone",)),
        (("--tz", "EST", "--days", "mon", "--from", "09:00", "--to", "17:00"),
         ("'EST' is not the name of a place", "such as America/New_York")),
        (("--tz", "CET", "--days", "mon", "--from", "09:00", "--to", "17:00"),
         ("'CET' is not the name of a place", "Europe/Berlin")),
        (("--tz", "america/new_york", "--days", "mon", "--from", "09:00", "--to", "17:00"),
         ("did you mean America/New_York?",)),
        (("--tz", "UTC", "--days", "mon-fry", "--from", "09:00", "--to", "17:00"),
         ("unknown day", "fry")),
        (("--tz", "UTC", "--days", "mon", "--from", "9h", "--to", "17:00"), ("--from", "HH:MM")),
        (("--tz", "UTC", "--days", "mon", "--from", "09:00", "--to", "24:30"), ("--to", "HH:MM")),
        (("--tz", "UTC", "--days", "mon", "--from", "09:00"), ("go together",)),
    ],
)
def test_bad_hours_are_one_sentence_and_write_nothing(
    week: Cli, engine, args: tuple[str, ...], words: tuple[str, ...]  # type: ignore[no-untyped-def]
) -> None:
    before = snapshot(engine)
    refused(week("operator", "hours", "ana", *args), 1, *words)
    assert snapshot(engine) == before


def test_an_iana_name_of_a_place_is_taken(week: Cli) -> None:
    out = ok(week("operator", "hours", "ana", "--tz", "America/New_York", "--days", "mon",
                  "--from", "09:00", "--to", "17:00"))
    assert out.strip() == "ana: mon 09:00-17:00 (America/New_York)"


def test_unknown_operator_and_bad_email_are_one_sentence(week: Cli, engine) -> None:  # type: ignore[no-untyped-def]
    before = snapshot(engine)
    refused(week("operator", "hours", "zed", "--tz", "UTC", "--days", "mon", "--from", "09:00",
                 "--to", "10:00"), 1, "zed")
    refused(week("operator", "add", "bob", "--role", "triage", "--email", "not an address"), 1,
            "--email")
    assert snapshot(engine) == before


def test_forecast_text_names_the_uncovered_count(week: Cli) -> None:
    text = ok(week("forecast", "--hours", "72"))
    assert "NO" in text
    assert text.strip().splitlines()[-1].endswith("uncovered")


def test_handover_json_markdown_and_text(week: Cli) -> None:
    ok(week("case", "assign", "2", "--to", "ana"))
    data = json.loads(ok(week("handover", "--json", "--hours", "72", "--since", "2d")))
    assert set(data) >= {"since", "until", "horizon_end", "events", "by_assignee", "unassigned",
                         "due", "uncovered", "expired_awaiting_decision"}
    assert data["by_assignee"] == {"ana": [2]}
    assert data["unassigned"] == [1]
    assert data["since"] == "2026-03-04T18:00:00Z"
    assert data["horizon_end"] == "2026-03-09T18:00:00Z"
    assert {(e["case_id"], e["kind"]) for e in data["uncovered"]} >= {(1, "deadline")}
    assert all(not e["covered"] for e in data["uncovered"])
    assert any(e["action"] == "assign" for e in data["events"])
    markdown = ok(week("handover", "--markdown", "--hours", "72"))
    assert markdown.startswith("# Handover 2026-03-06T18:00:00Z")
    assert "## Uncovered" in markdown
    text = ok(week("handover", "--hours", "72"))
    assert "UNCOVERED" in text
    assert "ana (1)" in text
    # a change with no before state (plain text pads the columns: spaces are not counted)
    assert "assign - -> ana" in " ".join(text.split()) and "-->" not in text


def test_handover_lists_each_assignees_cases_in_the_case_list_order(
    week: Cli, engine  # type: ignore[no-untyped-def]
) -> None:
    """An expired case (earlier deadline) comes after an open one, as in ``ahr cases``."""
    seed_account(engine, "S3")
    open_case(week, "--at", "2026-03-02T00:00:00Z", seller="S3")  # deadline Thursday: expires
    ok(week("sweep", "--now", "2026-03-06T18:00:00Z", "--allow-missing-scores"))  # no scores
    ok(week("case", "assign", "1", "3", "--to", "ana"))
    listed = [c["id"] for c in json.loads(ok(week("cases", "--json", "--assignee", "ana")))]
    data = json.loads(ok(week("handover", "--json")))
    assert listed == [1, 3]
    assert data["by_assignee"] == {"ana": listed}
    text = ok(week("handover"))
    assert text.index("case 1  S1") < text.index("case 3  S3")


def test_handover_writes_an_events_change_as_case_show_does(week: Cli) -> None:
    shown = ok(week("case", "show", "1"))
    [opened] = [x for x in shown.splitlines() if " open " in x and "->" in x]
    assert "- -> open" in opened
    for args in ((), ("--markdown",)):
        text = ok(week("handover", "--since", "2d", *args))
        [line] = [x for x in text.splitlines() if "case 1" in x and "->" in x]
        assert re.search(r"case 1  open +- -> open$", line), line


def test_handover_shows_open_cases_past_their_deadline_that_no_sweep_expired(week: Cli) -> None:
    after_sunday = "2026-03-08T12:00:00Z"  # case 1's deadline passed, no sweep since
    data = json.loads(ok(week("handover", "--json", "--now", after_sunday)))
    assert data["overdue"] == data["deadline_overdue"] == [1]
    assert (data["contact_overdue"], data["expired_awaiting_decision"]) == ([], [])
    assert json.loads(ok(week("handover", "--json")))["overdue"] == []
    text = ok(week("handover", "--now", after_sunday))
    section = text[text.index("Overdue (1): "):].splitlines()
    # the time past the deadline said once: not "-4h 30m overdue"
    assert section[1] == "  case 1  S1 US  open  4h 30m overdue", section
    markdown = ok(week("handover", "--markdown", "--now", after_sunday))
    assert "## Overdue (1): " in markdown
    assert "\n- case 1  S1 US  open  4h 30m overdue\n" in markdown
    ok(week("sweep", "--now", after_sunday, "--allow-missing-scores"))  # no scores
    swept = json.loads(ok(week("handover", "--json", "--now", after_sunday)))
    assert (swept["overdue"], swept["expired_awaiting_decision"]) == ([], [1])


def test_handover_lists_late_first_contacts_in_their_own_section_not_as_overdue(
    week: Cli, engine  # type: ignore[no-untyped-def]
) -> None:
    """A detected case past its first-contact target (``contact_due``), which no sweep
    expires: the app counts it once, in ``to contact`` (its row ``!!! CONTACT``), never as
    ``overdue``; a newcomer found the handover's Overdue section mixing it with open cases past
    their deadline. It has a section of its own, in text and Markdown (the app's ``h`` writes
    the same lines), and JSON ``contact_overdue``; ``overdue`` keeps both, as before, beside
    ``deadline_overdue``. It stays until someone contacts the seller."""
    seed_account(engine, "S3")
    detected = ok(week("case", "detect", "S3", "--store", "US", "--policy", "reviews",
                       "--at", "2026-03-05T15:45:00Z")).strip()  # contact due Friday 15:45Z
    late_open = "2026-03-08T12:00:00Z"  # case 1's deadline passed too, no sweep since
    data = json.loads(ok(week("handover", "--json", "--now", late_open)))
    assert (data["deadline_overdue"], data["contact_overdue"]) == ([1], [int(detected)])
    assert sorted(data["overdue"]) == [1, int(detected)]
    line = f"case {detected}  S3 US  detected  first contact 1d 20h overdue"
    text = ok(week("handover", "--now", late_open))
    overdue = text[text.index("Overdue (1): "):].split("\n\n")[0].splitlines()
    assert overdue == ["Overdue (1): open cases past their 72-hour deadline, not expired yet",
                       "  case 1  S1 US  open  4h 30m overdue"]
    late = text[text.index("First contact overdue (1): "):].split("\n\n")[0].splitlines()
    assert late == ["First contact overdue (1): detected cases past their first-contact target",
                    f"  {line}"]
    markdown = ok(week("handover", "--markdown", "--now", late_open))
    assert ("## First contact overdue (1): detected cases past their first-contact target\n"
            f"- {line}\n") in markdown
    assert "## Overdue (1): open cases past their 72-hour deadline, not expired yet\n- case 1 " in (
        markdown)
    later = "2026-03-06T18:00:00Z"  # 2h 15m past the contact target; cases 1 and 2 have time
    shown = ok(week("case", "show", detected, "--now", later)).splitlines()
    assert "     status  detected (first contact 2h 15m overdue)" in shown  # as ``case show``
    assert "Overdue (0): " in ok(week("handover", "--now", later))
    ok(week("case", "attempt", detected, "--channel", "phone", "--outcome", "no_answer"))
    data = json.loads(ok(week("handover", "--json", "--now", later)))
    assert (data["overdue"], data["contact_overdue"]) == ([], [])


def test_the_handover_writes_time_left_as_the_case_list_does(week: Cli) -> None:
    ok(week("case", "respond", "2"))
    text = ok(week("handover", "--hours", "72"))
    [line] = [x for x in text.splitlines() if x.strip().startswith("case 2 ")]
    assert line.endswith("responded  2d 19h to spare"), line  # the margin, said once


def test_handover_mail_sends_it_through_smtp(
    week: Cli, serve: Callable[..., Server]
) -> None:
    server = serve()
    out = ok(week("handover", "--mail", "next@ops.example.com", "--smtp",
                  f"127.0.0.1:{server.port}", "--from", "ahr@ops.example.com"))
    assert out == "handover mailed to next@ops.example.com\n"
    [received] = server.received
    assert received.message["Message-ID"].startswith("<ahr-handover-")
    assert "Uncovered" in received.message.get_content()


def test_handover_mail_needs_smtp_and_a_valid_address(week: Cli) -> None:
    refused(week("handover", "--mail", "x@example.com"), 2, "--smtp")


def test_init_upgrades_a_schema_1_database_to_operators_with_hours(cli: Cli, engine) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import text

    with engine.begin() as conn:
        conn.execute(text("DROP TABLE operator_hours"))
        for column in ("email", "time_zone"):
            conn.execute(text(f"ALTER TABLE operator DROP COLUMN {column}"))
        for column in ("recipient", "operator"):
            conn.execute(text(f"ALTER TABLE notification DROP COLUMN {column}"))
        conn.execute(text("UPDATE meta SET value = '1' WHERE key = 'schema_version'"))
    refused(cli("operator", "list"), 1, "schema 1", "init` to upgrade")
    upgraded = cli("init")
    assert upgraded.exit_code == 0 and "from schema 1 to " in upgraded.stderr, upgraded.stderr
    assert upgraded.stdout.startswith("upgraded: ")
    [me] = json.loads(ok(cli("operator", "list", "--json")))
    assert (me["email"], me["time_zone"], me["hours"]) == (None, None, [])
    ok(cli("operator", "hours", me["name"], "--tz", "UTC", "--days", "mon", "--from", "09:00",
           "--to", "10:00"))


def rendered(markdown: str) -> tuple[str, str]:
    """(the HTML a CommonMark renderer with GitHub's tables and strikethrough makes of
    ``markdown``, the text a reader sees in it)."""
    from markdown_it import MarkdownIt

    page = MarkdownIt("commonmark").enable(["table", "strikethrough"]).render(markdown)
    return page, html.unescape(re.sub(r"<[^>]+>", "", page))


def test_untrusted_text_in_the_handover_is_shown_literally(week: Cli) -> None:
    hostile = "[@click=app.quit]x[/] \x1b[2J\x1b]52;c;SGk=\x07 done"
    ok(week("case", "note", "1", "--text", hostile))
    for args in ((), ("--markdown",)):
        text = ok(week("handover", *args))
        assert "\x1b" not in text and "\x07" not in text
        shown = rendered(text)[1] if args else text  # Markdown: what its reader sees
        assert "[@click=app.quit]x[/] \\x1b[2J\\x1b]52;c;SGk=\\x07 done" in shown
    data = json.loads(ok(week("handover", "--json")))
    assert any(e["note"] == hostile for e in data["events"])


#: A seller whose id, name and case summary are Markdown, with a control character (ESC).
MARKDOWN_SELLER = "*Deals* | [x](y) _em_ `code` <b>#1</b> ~~gone~~ &amp; a\\b \x1b[31m"


def test_the_markdown_handover_shows_a_seller_named_in_markdown_as_written(
    week: Cli, engine  # type: ignore[no-untyped-def]
) -> None:
    seed_account(engine, MARKDOWN_SELLER, name=MARKDOWN_SELLER)
    case_id = ok(week("case", "open", MARKDOWN_SELLER, "--store", "US", "--policy", "reviews",
                      "--summary", MARKDOWN_SELLER)).strip()
    ok(week("case", "assign", case_id, "--to", "ana"))
    markdown = ok(week("handover", "--markdown"))
    assert "\x1b" not in markdown
    page, text = rendered(markdown)
    for syntax in ("<em>", "<strong>", "<a ", "<code>", "<table>", "<s>", "<del>", "<b>", "<h3"):
        assert syntax not in page
    seen = clean_line(MARKDOWN_SELLER)  # the ESC as the visible escape \x1b, as in plain text
    assert seen.endswith("a\\b \\x1b[31m")
    assert f"case {case_id}  {seen} US  open  " in text  # under ana, the seller id
    assert f"open  - -> open  {seen}\n" in text  # the summary, the note of the open event
    plain = ok(week("handover"))
    assert f"case {case_id}  {seen} US  open  " in plain  # plain text keeps it as written


@pytest.mark.parametrize(
    ("value", "escaped"),
    [
        ("*Deals* | [x](y)", "\\*Deals\\* \\| \\[x\\]\\(y\\)"),
        ("left_message", "left_message"),  # between letters, _ is literal: left as it is
        ("_em_ a_", "\\_em\\_ a\\_"),
        ("# not a heading", "\\# not a heading"),
        ("- not a list", "\\- not a list"),
        ("+ not a list", "\\+ not a list"),
        ("1. not a list", "1\\. not a list"),
        ("a &amp; b & c", "a \\&amp; b & c"),
        ("back\\slash `tick`", "back\\\\slash \\`tick\\`"),
        ("Yiwu Co., Ltd.: ok!", "Yiwu Co., Ltd.: ok!"),
        ("bell\x07", "bell\\\\x07"),
    ],
)
def test_markdown_line_escapes_what_markdown_would_read_as_syntax(value: str, escaped: str) -> None:
    assert markdown_line(value) == escaped
    assert rendered(f"- {markdown_line(value)}")[1].strip() == clean_line(value)


def test_a_detected_case_is_due_for_first_contact_which_triage_covers(week: Cli) -> None:
    detected = ok(week("case", "detect", "S1", "--store", "US", "--policy", "reviews",
                       "--at", "2026-03-06T14:00:00Z")).strip()  # Friday 09:00 EST
    found = moments(week, "--hours", "24")
    due = found[(int(detected), "contact_due")]
    assert due["at"] == "2026-03-07T14:00:00Z"  # Saturday 09:00 EST: nobody works
    assert (due["action"], due["covered"]) == ("first contact", False)
    ok(week("operator", "hours", "ana", "--days", "sat", "--from", "08:00", "--to", "12:00",
            "--add"))
    due = moments(week, "--hours", "24")[(int(detected), "contact_due")]
    assert (due["on_shift"], due["covered"]) == (["ana"], True)  # triage may make the contact
    data = json.loads(ok(week("handover", "--json", "--hours", "24")))
    assert int(detected) in data["unassigned"]


SAMPLE = Path(__file__).resolve().parent.parent / "sample.db"


@pytest.mark.parametrize(
    "args",
    [
        ("forecast", "--hours", "72"),
        ("forecast", "--hours", "72", "--json"),
        ("handover", "--since", "2d", "--hours", "24"),
        ("handover", "--since", "2d", "--hours", "24", "--json"),
        ("handover", "--since", "2d", "--hours", "24", "--markdown"),
    ],
)
def test_an_sqlite_file_read_without_sqlalchemy_says_what_the_engine_says(
    tmp_path: Path, args: tuple[str, ...]
) -> None:
    """``ahr forecast`` and ``ahr handover`` read an SQLite file with the standard library
    (``store.quick``); through a ``sqlite:///`` URL they take SQLAlchemy's path. Same output."""
    db = tmp_path / "sample.db"
    shutil.copy(SAMPLE, db)
    with closing(sqlite3.connect(db)) as con:
        (now,) = con.execute("SELECT value FROM meta WHERE key = 'reference_instant'").fetchone()
    runner = CliRunner()
    quick = runner.invoke(app, ["--db", str(db), *args, "--now", now])
    engine = runner.invoke(app, ["--db", f"sqlite:///{db}", *args, "--now", now])
    assert quick.exit_code == 0, quick.output
    assert quick.output == engine.output
    if "--json" in args and args[0] == "handover":
        report = json.loads(quick.output)
        assert report["events"] and report["due"] and report["by_assignee"]
    else:
        assert len(quick.output.splitlines()) > 20


def test_forecast_and_handover_on_an_sqlite_file_do_not_load_sqlalchemy(tmp_path: Path) -> None:
    db = tmp_path / "sample.db"
    shutil.copy(SAMPLE, db)
    for command in ("forecast", "handover"):
        script = (
            "import sys\n"
            f"sys.argv = ['ahr', '--db', {str(db)!r}, {command!r}]\n"
            "from ahr_tui.cli.entry import main\n"
            "try:\n    main()\nexcept SystemExit as exc:\n    assert exc.code in (0, None)\n"
            "print('LOADED', sorted(m for m in sys.modules if m.startswith(('sqlalchemy', "
            "'sqlmodel'))))\n"
        )
        done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                              timeout=60, check=False)
        assert done.returncode == 0, done.stderr
        assert done.stdout.rstrip().endswith("LOADED []"), done.stdout[-300:]


def test_the_handovers_events_line_up_in_plain_text(week: Cli) -> None:
    """The same fault as the case timeline's (newcomer trial): actions of different lengths
    moved the changes and notes; in plain text each column starts in one place."""
    ok(week("case", "assign", "1", "--to", "ana"))
    text = ok(week("handover", "--since", "2d"))
    events = [x for x in text.split("What happened", 1)[1].split("\n\n", 1)[0].splitlines()
              if re.match(r" +\d{4}-\S+  case \d", x)]  # a case's events (not operator_add)
    assert len({len(x.split()[3]) for x in events}) > 1, events  # actions of different lengths
    # cells are two or more blanks apart: time, case, action, change (then the note)
    starts = [[m.start() for m in re.finditer(r"\S+(?: \S+)*", x)][:4] for x in events]
    assert all(len(s) == 4 for s in starts) and len({tuple(s) for s in starts}) == 1, events


def test_the_handover_counts_its_events_in_words(cli: Cli) -> None:
    """A new database's handover read ``What happened (1 events)``: its one event (the first
    lead's), then two."""
    def heading() -> str:
        text = ok(cli("handover"))
        return next(x for x in text.splitlines() if x.startswith("What happened"))

    assert len(json.loads(ok(cli("handover", "--json")))["events"]) == 1
    assert heading() == "What happened (1 event)"
    ok(cli("operator", "add", "ana", "--role", "triage"))
    assert heading() == "What happened (2 events)"


def test_an_automatic_expiry_is_shown_as_the_system_s_and_recorded_as_the_user_s(
    week: Cli, me  # type: ignore[no-untyped-def]
) -> None:
    """A sweep's expiry read ``root: 1 expire`` in the handover and ``root  expire`` in ``ahr
    case show``, as if the operator who ran the sweep had expired the case. Both name the
    program (``system``), as the app's timeline does; the JSON and the audit log keep the OS
    user whose process applied it."""
    after_sunday = "2026-03-08T12:00:00Z"  # case 1's deadline has passed
    ok(week("sweep", "--now", after_sunday, "--allow-missing-scores"))
    text = ok(week("handover", "--now", after_sunday, "--since", "7d"))
    happened = text[text.index("What happened"):].split("\n\n", 1)[0].splitlines()
    [system] = [line for line in happened if line.startswith("  system: ")]
    assert "1 expire" in system.split(": ", 1)[1].split(", "), system
    assert not any(line.startswith(f"  {me.name}: ") and "expire" in line
                   for line in happened), happened
    shown = ok(week("case", "show", "1", "--now", after_sunday))
    [expiry] = [line for line in shown.splitlines() if " expire " in line]
    assert expiry.split()[1:3] == ["system", "expire"], expiry
    recorded = json.loads(ok(week("case", "show", "1", "--json", "--now", after_sunday)))
    assert [e["actor"] for e in recorded["events"] if e["action"] == "expire"] == [me.name]
