"""What the command line says to people (DESIGN.md section 5): instants as
``2026-11-29T14:30:05Z``, counts without ``(s)``, help for every option, plain sentences for bad
numbers, an aligned timeline, the seller's name in ``eligibility``, and a conflict that says once
what changed (or that the version never existed).
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from typer.main import get_command
from typer.testing import CliRunner

from ahr_tui.cli.main import app
from ahr_tui.service.identity import os_user_name
from ahr_tui.wording import count, instant
from tests.conftest import T0, Cli, FakeClock, full_window, seed_account

AS_OF = (T0 - timedelta(days=1)).date()
#: Anything that looks like a date with a time of day, however it is written.
TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d[0-9:.,+]*(?: ?UTC|Z)?")
TEXT_INSTANT = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")


def ok(result) -> str:  # type: ignore[no-untyped-def]
    assert result.exit_code == 0, (result.stdout, result.stderr)
    return str(result.stdout)


def _commands(group, path=()):  # type: ignore[no-untyped-def]
    for name, command in group.commands.items():
        yield (*path, name), command
        if hasattr(command, "commands"):
            yield from _commands(command, (*path, name))


@pytest.fixture
def busy(cli: Cli, engine, clock: FakeClock) -> Cli:  # type: ignore[no-untyped-def]
    """A case opened at an instant with microseconds, assigned, noted, swept (notifications)."""
    seed_account(engine, scores=full_window(AS_OF))
    clock.set(T0 + timedelta(microseconds=654321))
    opened = cli("case", "open", "S1", "--store", "US", "--policy", "reviews",
                 "--at", "2026-03-02T09:15:30.123456Z", "--summary", "one")
    assert ok(opened).strip() == "1"
    ok(cli("case", "note", "1", "--text", "called"))
    ok(cli("case", "assign", "1"))
    ok(cli("sweep", "--now", "2026-03-05T09:15:31.5Z"))
    return cli


def test_every_option_and_argument_of_every_command_has_help() -> None:
    root = get_command(app)
    bare = [f"{' '.join(path)} {p.name}" for path, command in _commands(root)
            for p in command.params if not (getattr(p, "help", None) or "").strip()]
    assert bare == []


def test_no_help_shows_a_click_range_or_type_jargon() -> None:
    runner = CliRunner()
    for path, command in _commands(get_command(app)):
        if hasattr(command, "commands"):
            continue
        shown = runner.invoke(app, [*path, "--help"], terminal_width=200).stdout
        assert "<=x<=" not in shown and "x>=" not in shown, path
        assert "INTEGER RANGE" not in shown.upper() and "FLOAT RANGE" not in shown.upper(), path
        for jargon in ("<str>", "<integer>", "<float>", "<path>", "<text>"):
            assert jargon not in shown, (path, jargon)


@pytest.mark.parametrize(
    ("args", "sentence"),
    [
        (("case", "show", "abc"), "Invalid value for 'CASE_ID': 'abc' is not a whole number."),
        (("case", "show", "0"), "0 is too small; it must be a whole number, 1 or more."),
        (("case", "resolve", "1", "--note", "x", "--expect-version", "99999999999999999999"),
         "Invalid value for '--expect-version': 99999999999999999999 is too large: no id or "
         "version is that high."),
        (("audit", "log", "--case", "x1"),
         "Invalid value for '--case': 'x1' is not a whole number."),
        (("sample", "--out", "never.db", "--days", "4000"),
         "4000 is too large; it must be a whole number from 1 to 3660."),
    ],
)
def test_a_bad_number_is_a_plain_sentence(cli: Cli, args, sentence) -> None:  # type: ignore[no-untyped-def]
    result = cli(*args)
    assert result.exit_code == 2
    line, _help = result.stderr.splitlines()
    assert line == f"ahr: {sentence}" or line.endswith(sentence), line
    assert "valid int" not in line and "range" not in line


def _instants_are_whole_seconds_in_utc(text: str) -> int:
    found = TIMESTAMP.findall(text)
    assert all(TEXT_INSTANT.fullmatch(t) for t in found), [t for t in found
                                                           if not TEXT_INSTANT.fullmatch(t)]
    return len(found)


def test_text_output_writes_every_instant_as_utc_to_the_second(busy: Cli) -> None:
    shown = ok(busy("case", "show", "1"))
    assert "2026-03-02T09:15:30Z" in shown and "2026-03-05T09:15:30Z" in shown
    assert _instants_are_whole_seconds_in_utc(shown) >= 5
    assert _instants_are_whole_seconds_in_utc(ok(busy("audit", "log"))) >= 4
    assert _instants_are_whole_seconds_in_utc(ok(busy("notify", "list"))) >= 1
    handover = ok(busy("handover", "--now", "2026-03-05T10:00:00.5Z", "--since", "4d"))
    assert _instants_are_whole_seconds_in_utc(handover) >= 4


def test_counts_are_written_in_words_never_with_s_in_brackets(busy: Cli) -> None:
    swept = ok(busy("sweep", "--now", "2026-03-06T00:00:00Z"))
    verified = ok(busy("audit", "verify"))
    for text in (swept, verified):
        assert "(s)" not in text
    assert "0 cases expired" in swept and "0 enrolment changes" in swept
    assert re.search(r"audit log intact: \d+ events verified", verified)
    assert [count(1, "case"), count(2, "deadline warning"), count(1200, "event")] == [
        "1 case", "2 deadline warnings", "1,200 events"]


def test_the_case_timeline_is_a_table_with_aligned_columns(busy: Cli) -> None:
    shown = ok(busy("case", "show", "1"))
    lines = shown.split("timeline\n", 1)[1].splitlines()
    header, rows = lines[0], lines[1:]
    assert header.split() == ["AT", "ACTOR", "ACTION", "CHANGE", "NOTE"]
    assert [r.split()[2] for r in rows] == ["open", "note", "assign", "expire"]
    for column, cells in {
        # the sweep's expiry is the program's (the audit log keeps the OS user)
        "ACTOR": [os_user_name()] * 3 + ["system"],
        "ACTION": ["open", "note", "assign", "expire"],
        "CHANGE": ["-", None, "-", "open"],
        "NOTE": ["one", "called", None, "automatic:"],
    }.items():
        start = header.index(column)
        for row, cell in zip(rows, cells, strict=False):
            if cell is not None:
                assert row[start - 2 : start] == "  " and row[start:].split()[0] == cell, (
                    column, row)
    assert rows[-1].rstrip().endswith("automatic: deadline passed")


def test_eligibility_shows_the_sellers_name(cli: Cli, engine) -> None:  # type: ignore[no-untyped-def]
    seed_account(engine, name="Acme Goods", scores=full_window(AS_OF))
    shown = ok(cli("eligibility", "--as-of", AS_OF.isoformat()))
    header, row = shown.splitlines()[:2]
    assert "NAME" in header.split()
    assert row.split()[0] == "S1" and row.rstrip().endswith("Acme Goods")


def test_a_conflict_says_once_what_changed(busy: Cli, clock: FakeClock) -> None:
    result = busy("case", "resolve", "1", "--note", "done", "--expect-version", "1")
    assert result.exit_code == 3
    [line] = result.stderr.splitlines()
    assert line.count("version") == 1 and line.lower().count("it is now") == 1
    assert "(you saw version 1, it is now 3): 2 changes, the last " in line
    assert "'s expire at 2026-03-05T09:15:31Z (open -> expired); nothing was written." in line


def test_an_expected_version_that_never_existed_says_so(busy: Cli) -> None:
    result = busy("case", "resolve", "1", "--note", "done", "--expect-version", "99")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == (
        "ahr: case 1 has never been at version 99 (it is at version 3); nothing was written.\n")
    assigned = busy("case", "assign", "1", "--expect-version", "4")
    assert assigned.exit_code == 1 and "has never been at version 4" in assigned.stderr


def test_the_instant_formatter_drops_fractions_and_says_utc() -> None:
    assert instant(T0 + timedelta(microseconds=999_999)) == "2026-03-02T12:00:00Z"
    assert instant(None) == "-"


@pytest.mark.parametrize(
    ("args", "hint"),
    [
        (("audit", "log", "--since", "yesterday"), "'--since'"),
        (("notify", "send", "--smtp", "nohost"), "'--smtp'"),
        (("cases", "--json", "--csv"), "'--csv'"),
        (("eligibility", "--as-of", "2026-13-01"), "'--as-of'"),
    ],
)
def test_every_usage_error_is_a_sentence_naming_the_option_as_click_does(
    cli: Cli, args, hint  # type: ignore[no-untyped-def]
) -> None:
    result = cli(*args)
    assert result.exit_code == 2
    line, _help = result.stderr.splitlines()
    assert line.startswith(f"ahr: Invalid value for {hint}: ") and line.endswith("."), line


@pytest.mark.parametrize(
    ("args", "sentence"),
    [
        (("import", "report", "r.json"), "Missing option '--seller'."),
        (("case", "show"), "Missing argument 'CASE_ID'."),
        (("cases", "--bogus"), "No such option: --bogus."),
        (("--bogus", "cases"), "No such option: --bogus."),
        (("cases", "--status"), "Option '--status' requires an argument."),
        (("bogus",), "No such command 'bogus'."),
        (("case", "show", "abc"), "Invalid value for 'CASE_ID': 'abc' is not a whole number."),
    ],
)
def test_every_kind_of_usage_error_ends_its_sentence_once(
    cli: Cli, args, sentence  # type: ignore[no-untyped-def]
) -> None:
    """Click's missing option and argument end their own sentence; no ``. .`` after them."""
    result = cli(*args)
    assert result.exit_code == 2
    line, _help = result.stderr.splitlines()
    assert line == f"ahr: {sentence}"


def test_an_instant_in_an_error_sentence_is_written_like_any_other(cli: Cli, engine) -> None:  # type: ignore[no-untyped-def]
    seed_account(engine, scores=full_window(AS_OF))
    result = cli("case", "open", "S1", "--store", "US", "--policy", "other",
                 "--at", "2026-03-06T10:00:00.250+02:00")
    assert result.exit_code == 1
    assert result.stderr == (
        "ahr: --at 2026-03-06T08:00:00Z is in the future (now is 2026-03-02T12:00:00Z).\n")


def test_import_lists_its_commands_with_whole_first_lines(cli: Cli) -> None:
    """``ahr import --help`` at 80 columns: each command's first line whole, not ``Seller
    accounts:...``; the columns are on the command's own help."""
    listing = cli.runner.invoke(app, ["import", "--help"], terminal_width=80).stdout
    commands = listing[listing.index("Commands:"):].splitlines()[1:]
    described = {line.split()[0]: line.split(None, 1)[1] for line in commands if line.strip()}
    assert set(described) == {"sellers", "scores", "cases", "report"}
    assert all(text.endswith(".") and not text.endswith("...") for text in described.values())
    own = cli.runner.invoke(app, ["import", "sellers", "--help"], terminal_width=80).stdout
    assert "seller_id,store,name,plan,emergency_phone,email" in own


def test_case_lists_its_commands_in_the_order_the_work_flows() -> None:
    """``ahr case --help``: from the issue found to the case closed (``detect`` and ``attempt``
    were listed last), then what applies at any time."""
    listing = CliRunner().invoke(app, ["case", "--help"], terminal_width=80).stdout
    commands = listing[listing.index("Commands:"):].splitlines()[1:]
    assert [line.split()[0] for line in commands if line.strip()] == [
        "detect", "attempt", "open", "respond", "resolve", "deactivate", "fraud",
        "assign", "note", "show",
    ]


def test_every_commands_short_help_fits_an_80_column_terminal() -> None:
    """``ahr --help`` and ``ahr GROUP --help`` as an 80-column terminal shows them: no command's
    one-line help is cut off with ``...`` (Click cuts a first paragraph longer than the room
    left beside the longest command name in its group)."""
    import os
    import subprocess
    import sys

    groups = [()] + [path for path, command in _commands(get_command(app))
                     if hasattr(command, "commands")]
    env = {**os.environ, "COLUMNS": "80"}
    cut = []
    for path in groups:
        done = subprocess.run([sys.executable, "-m", "ahr_tui", *path, "--help"], env=env,
                              capture_output=True, text=True, timeout=60, check=False)
        assert done.returncode == 0, done.stderr
        listing = done.stdout.split("\nCommands:\n", 1)[1].splitlines()
        assert listing, done.stdout
        cut += [f"ahr {' '.join(path)}: {line.strip()}" for line in listing
                if line.rstrip().endswith("...") or len(line) > 80]
    assert len(groups) > 5 and cut == [], "\n".join(cut)


def test_every_commands_own_help_fits_an_80_column_terminal() -> None:
    """``ahr COMMAND --help`` at 80 columns: no line wider (an option offering its choices as
    one ``<a|b|...>`` token made a 150-column line that no terminal wraps sensibly)."""
    runner = CliRunner()
    wide = []
    leaves = [path for path, command in _commands(get_command(app))
              if not hasattr(command, "commands")]
    for path in leaves:
        shown = runner.invoke(app, [*path, "--help"], terminal_width=80)
        assert shown.exit_code == 0, shown.output
        wide += [f"ahr {' '.join(path)}: {line}" for line in shown.stdout.splitlines()
                 if len(line) > 80]
    assert len(leaves) > 30 and wide == [], "\n".join(wide)


def test_the_timeline_lines_up_when_the_actors_names_differ_in_length(
    busy: Cli, engine
) -> None:  # type: ignore[no-untyped-def]
    """A newcomer's trial: actors of different lengths; every column starts where its
    heading does, on every row."""
    from ahr_tui.rules import Role
    from ahr_tui.service.cases import add_note
    from ahr_tui.store.actor import Actor
    from tests.conftest import add_operator

    add_operator(engine, "christopher.long", Role.TRIAGE)
    add_note(engine, 1, text="left a voicemail", actor=Actor(name="christopher.long"),
             now=T0 + timedelta(days=3, hours=2))
    lines = ok(busy("case", "show", "1")).split("timeline\n", 1)[1].splitlines()
    header, rows = lines[0], lines[1:]
    starts = [header.index(h) for h in ("AT", "ACTOR", "ACTION", "CHANGE", "NOTE")]
    cells = []
    for row in rows:
        for start in starts[1:]:  # a cell never runs into the next column
            assert len(row) <= start or row[start - 1] == " ", (row, lines)
        cells.append([row[a:b].strip() for a, b in zip(starts, [*starts[1:], None], strict=True)])
    assert [c[1:3] for c in cells] == [
        [os_user_name(), "open"], [os_user_name(), "note"], [os_user_name(), "assign"],
        ["system", "expire"], ["christopher.long", "note"]]
    assert cells[-1][4] == "left a voicemail"


def test_a_case_that_came_contacted_does_not_say_attempts_0(busy: Cli) -> None:
    """``ahr case open`` (and an import with ``contacted_at``) records the first contact with
    the case: ``case show`` says so instead of a bare ``attempts 0`` beside a contact time."""
    shown = ok(busy("case", "show", "1"))
    fields = dict(line.strip().split("  ", 1) for line in shown.split("\n\n")[0].splitlines())
    assert fields["contacted"].strip() == "2026-03-02T09:15:30Z"
    assert fields["attempts"].strip() == (
        "0 logged; the first contact came with the case (opened or imported as contacted)")
    # contacted when it was opened: the first-contact target was met, not still due
    assert fields["contact due"].strip() == "2026-03-03T09:15:30Z (met)"
    ok(busy("case", "attempt", "1", "--channel", "phone", "--outcome", "reached",
            "--at", "2026-03-02T10:00:00Z"))
    shown = ok(busy("case", "show", "1"))
    # a follow-up: logged, and the first contact still came with the case
    assert ("  attempts  1 logged; the first contact came with the case (opened or imported as "
            "contacted)\n") in shown


def test_case_show_says_attempts_one_way_and_whether_the_contact_target_was_kept(
    cli: Cli, engine, clock: FakeClock  # type: ignore[no-untyped-def]
) -> None:
    """A newcomer read ``contact due`` a day after ``contacted`` as still due, and saw the
    attempts as ``none logged; ...``, ``0`` or ``1``. Detected, nobody tried yet: the target
    bare, ``0 logged``; first contacted by an attempt 25 hours after detection: missed by an
    hour, ``1 logged`` (that attempt was the first contact: no note)."""
    seed_account(engine, scores=full_window(AS_OF))
    clock.set(T0)
    detected = cli("case", "detect", "S1", "--store", "US", "--policy", "reviews",
                   "--at", "2026-03-01T09:00:00Z")
    case_id = ok(detected).strip()

    def fields() -> dict[str, str]:
        shown = ok(cli("case", "show", case_id))
        return {k: v.strip() for k, v in (
            line.strip().split("  ", 1) for line in shown.split("\n\n")[0].splitlines())}

    assert (fields()["contact due"], fields()["attempts"]) == ("2026-03-02T09:00:00Z",
                                                               "0 logged")
    ok(cli("case", "attempt", case_id, "--channel", "phone", "--outcome", "no_answer",
           "--at", "2026-03-02T10:00:00Z"))
    assert (fields()["contact due"], fields()["attempts"]) == (
        "2026-03-02T09:00:00Z (missed by 1h 00m)", "1 logged")


def test_case_show_reads_the_case_and_its_contact_card_in_one_transaction(
    busy: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two reads could show a phone from after the case was read (another operator's import
    between them): one read gives one moment."""
    import ahr_tui.service.database as database

    reads = []
    real = database.read

    def counted(db, query, *args, **kwargs):  # type: ignore[no-untyped-def]
        reads.append(getattr(query, "__name__", query))
        return real(db, query, *args, **kwargs)

    monkeypatch.setattr(database, "read", counted)
    shown = ok(busy("case", "show", "1"))
    assert reads == ["case_record"]
    assert "      phone  +1 415-555-2671" in shown


@pytest.mark.parametrize(
    ("args", "sentence", "command"),
    [
        (("case", "show"), "Missing argument 'CASE_ID'.", "ahr case show"),
        (("case", "show", "abc"), "Invalid value for 'CASE_ID': 'abc' is not a whole number.",
         "ahr case show"),
        (("case", "show", "1", "--bogus"), "No such option: --bogus.", "ahr case show"),
        (("--bogus", "cases"), "No such option: --bogus.", "ahr"),
        (("case", "assign"), "Missing argument 'CASE_ID'.", "ahr case assign"),
        (("case", "attempt", "1"),
         "Missing option '--channel'. Choose from: phone, email, sms, chat.", "ahr case attempt"),
        (("case", "note", "1", "--tex", "x"), "No such option: --tex. Did you mean --text?",
         "ahr case note"),
        (("case", "shw", "1"), "No such command 'shw'. Did you mean 'show'?", "ahr case"),
    ],
)
def test_a_usage_error_is_two_lines_what_is_wrong_and_where_the_help_is(
    cli: Cli, args, sentence, command  # type: ignore[no-untyped-def]
) -> None:
    """Not Click's four-line block (usage line, ``-h`` pointer, blank line, ``Error:``)."""
    result = cli(*args)
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == f"ahr: {sentence}\nTry '{command} --help' for help.\n"


def test_a_group_without_its_command_still_shows_its_help(cli: Cli) -> None:
    result = cli("case")
    assert result.exit_code == 2
    shown = result.stdout + result.stderr
    assert "Usage: ahr case [OPTIONS] COMMAND [ARGS]..." in shown and "Commands:" in shown
    assert "ahr: " not in shown


#: An ordinary usage line: the command, [OPTIONS], then arguments as NAME, NAME... or [NAME...].
USAGE = re.compile(r"Usage: ahr( [a-z]+)+ \[OPTIONS\]( [A-Z_]+(\.\.\.)?| \[[A-Z_]+(\.\.\.)?\])*")


def test_every_usage_line_writes_its_arguments_as_plain_names() -> None:
    runner = CliRunner()
    lines = {}
    for path, command in _commands(get_command(app)):
        if hasattr(command, "commands"):
            continue
        shown = runner.invoke(app, [*path, "--help"], terminal_width=100, prog_name="ahr").stdout
        lines[" ".join(path)] = first = shown.splitlines()[0]
        assert USAGE.fullmatch(first), first
        assert "{" not in shown and "<" not in shown, (path, shown)
        assert "Options:" in shown and "-h, --help" in shown, path
    assert lines["case show"] == "Usage: ahr case show [OPTIONS] CASE_ID"
    assert lines["case assign"] == "Usage: ahr case assign [OPTIONS] CASE_ID..."
    assert lines["eligibility"] == "Usage: ahr eligibility [OPTIONS] [SELLER_ID...]"
    assert lines["import sellers"] == "Usage: ahr import sellers [OPTIONS] FILE"


def test_a_choice_shows_its_values_as_the_usage_does_or_names_them_in_its_help() -> None:
    shown = CliRunner().invoke(app, ["case", "attempt", "--help"], terminal_width=100).stdout
    assert "--channel phone|email|sms|chat " in shown
    assert "--outcome OUTCOME " in shown
    assert ("What came of it. One of reached, no_answer, voicemail, left_message, "
            "wrong_number, bounced.") in " ".join(shown.split())
    role = CliRunner().invoke(app, ["operator", "add", "--help"], terminal_width=100).stdout
    assert "--role ROLE " in role and "triage, investigator or lead" in role


def test_the_installed_ahr_says_a_usage_error_in_two_lines(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """What a shell shows, from the ``ahr`` script itself: its name, not a test runner's."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    ahr = Path(sys.executable).with_name("ahr")
    env = {**os.environ, "AHR_DB": str(tmp_path / "none.db"), "COLUMNS": "80"}
    done = subprocess.run([str(ahr), "case", "show"], env=env, capture_output=True, text=True,
                          timeout=60, check=False)
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == "ahr: Missing argument 'CASE_ID'.\nTry 'ahr case show --help' for help.\n"
    helped = subprocess.run([str(ahr), "case", "show", "--help"], env=env, capture_output=True,
                            text=True, timeout=60, check=False)
    assert helped.returncode == 0 and helped.stdout.startswith(
        "Usage: ahr case show [OPTIONS] CASE_ID\n\n  One case with its timeline.\n")
    assert not (tmp_path / "none.db").exists()
