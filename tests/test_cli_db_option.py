"""``--db`` on either side of the subcommand, ``--version``, shell completion, and the commands
that error messages suggest, run exactly as written (DESIGN.md section 5).

The placement of ``--db`` and the suggested commands are checked in real ``ahr`` processes: what a
user types in a shell is what is tested.
"""

from __future__ import annotations

import re
import shlex
import subprocess
from pathlib import Path

import pytest
from typer.main import get_command
from typer.testing import CliRunner

from ahr_tui import __version__
from ahr_tui.cli.main import app
from tests.processes import AHR, run_ahr


def _commands(group, path=()):  # type: ignore[no-untyped-def]
    """Every command of the tree, groups included, with its path of names."""
    for name, command in group.commands.items():
        yield (*path, name), command
        if hasattr(command, "commands"):
            yield from _commands(command, (*path, name))


def test_db_after_the_subcommand_opens_that_database(tmp_path: Path) -> None:
    db = tmp_path / "after.db"
    made = run_ahr("init", "--db", str(db))
    assert made.code == 0, made.err
    assert db.is_file()
    listed = run_ahr("cases", "--db", str(db), "--json")
    assert (listed.code, listed.out.strip(), listed.err) == (0, "[]", "")
    nested = run_ahr("operator", "list", f"--db={db}", "--json")
    assert nested.code == 0 and nested.err == ""
    assert not (tmp_path / "ahr.db").exists()


def test_db_after_the_subcommand_wins_over_the_one_before_and_over_the_environment(
    tmp_path: Path,
) -> None:
    good, missing = tmp_path / "good.db", tmp_path / "missing.db"
    assert run_ahr("--db", str(good), "init").code == 0
    done = run_ahr("--db", str(missing), "cases", "--db", str(good), "--json",
                   env={"AHR_DB": str(missing)})
    assert (done.code, done.err) == (0, "")
    refused = run_ahr("cases", "--db", str(missing), env={"AHR_DB": str(good)})
    assert refused.code == 1 and "no database at" in refused.err
    assert not missing.exists()


def test_every_command_and_group_takes_db_and_says_so_in_its_help() -> None:
    root = get_command(app)
    missing = [" ".join(path) for path, command in _commands(root)
               if not any("--db" in getattr(p, "opts", ()) for p in command.params)]
    assert sorted(missing) == ["demo", "sample"]  # they open no database of --db (below)
    runner = CliRunner()
    for args in (["case", "show", "--help"], ["import", "scores", "--help"], ["init", "--help"]):
        result = runner.invoke(app, args)
        assert result.exit_code == 0 and "--db URL|PATH" in result.stdout, args


@pytest.mark.parametrize("command", ["sample", "demo"])
def test_commands_that_open_no_database_do_not_offer_db(command: str) -> None:
    """``ahr sample`` writes --out and ``ahr demo`` a temporary copy: a newcomer reading their
    help was offered --db, which neither reads."""
    runner = CliRunner()
    shown = runner.invoke(app, [command, "--help"])
    assert shown.exit_code == 0 and "--db" not in shown.stdout
    refused = runner.invoke(app, [command, "--db", "x.db"])
    assert refused.exit_code == 2 and "No such option: --db" in refused.stderr


def test_version_prints_the_package_version_and_exits_zero() -> None:
    done = run_ahr("--version")
    assert (done.code, done.out, done.err) == (0, f"ahr {__version__}\n", "")


def test_shell_completion_is_offered_and_its_script_completes_ahr() -> None:
    helped = run_ahr("--help")
    assert "--install-completion" in helped.out and "--show-completion" in helped.out
    # As a user types it in bash: the script is for the shell it is run from.
    script = subprocess.run(["bash", "-c", f"{AHR} --show-completion; exit $?"],
                            capture_output=True, text=True, timeout=60, check=False)
    assert script.returncode == 0, script.stderr
    assert "_AHR_COMPLETE=complete_bash" in script.stdout and "complete " in script.stdout
    words = run_ahr(env={"_AHR_COMPLETE": "complete_bash", "COMP_WORDS": "ahr ca",
                         "COMP_CWORD": "1"})
    assert words.code == 0 and {"case", "cases"} <= set(words.out.split())


SUGGESTED = re.compile(r"`(ahr [^`]*)`")


def _suggested(err: str) -> str:
    [command] = SUGGESTED.findall(err)
    return command


@pytest.mark.parametrize("where", ["x.db", "with space/it's.db"])
def test_the_missing_database_message_suggests_a_command_that_creates_it(
    tmp_path: Path, where: str
) -> None:
    db = tmp_path / where
    db.parent.mkdir(exist_ok=True)
    first = run_ahr("--db", str(db), "cases")
    assert first.code == 1 and "no database at" in first.err
    [ahr, *args] = shlex.split(_suggested(first.err))
    assert ahr == "ahr"
    assert run_ahr(*args).code == 0
    assert run_ahr("--db", str(db), "cases").code == 0


def test_the_empty_file_message_suggests_a_command_that_sets_it_up(tmp_path: Path) -> None:
    db = tmp_path / "empty.db"
    db.touch()
    first = run_ahr("sweep", "--db", str(db))
    assert first.code == 1 and "is empty" in first.err
    [_, *args] = shlex.split(_suggested(first.err))
    assert run_ahr(*args).code == 0
    assert run_ahr("sweep", "--db", str(db)).code == 0


def test_the_no_terminal_message_suggests_commands_that_run_as_written(tmp_path: Path) -> None:
    db = tmp_path / "t.db"
    assert run_ahr("init", "--db", str(db)).code == 0
    refused = run_ahr("tui", "--db", str(db))
    assert refused.code == 1 and "needs a terminal" in refused.err
    suggested = SUGGESTED.findall(refused.err)
    assert len(suggested) >= 2
    for command in suggested:
        [_, *args] = shlex.split(command)
        assert run_ahr(*args, env={"AHR_DB": str(db)}).code == 0, command


def test_the_not_an_operator_message_suggests_a_command_that_adds_them(tmp_path: Path) -> None:
    db = tmp_path / "o.db"
    assert run_ahr("init", "--db", str(db)).code == 0
    hours = ("operator", "hours", "newcomer", "--tz", "UTC", "--days", "mon-fri",
             "--from", "09:00", "--to", "17:00", "--db", str(db))
    first = run_ahr(*hours)
    assert first.code == 1 and "newcomer is not an operator" in first.err
    [_, *args] = shlex.split(_suggested(first.err))
    assert run_ahr(*args, env={"AHR_DB": str(db)}).code == 0
    assert run_ahr(*hours).code == 0


def test_the_copy_warning_suggests_a_verify_that_runs_on_the_source(tmp_path: Path) -> None:
    import sqlite3

    source, target = tmp_path / "src.db", tmp_path / "dst.db"
    assert run_ahr("init", "--db", str(source)).code == 0
    with sqlite3.connect(source) as conn:
        conn.execute("UPDATE event SET note = 'edited' WHERE id = 1")
    copied = run_ahr("db", "copy", "--from", str(source), "--to", str(target))
    assert "does not verify" in copied.err
    [_, *args] = shlex.split(_suggested(copied.err))
    verified = run_ahr(*args)
    assert verified.code == 1 and "audit log broken at event 1" in verified.err


@pytest.mark.parametrize("command", [
    ("init", "--db", "{new}/"),
    ("--db", "{new}/", "cases"),
    ("sample", "--out", "{new}/", "--accounts", "5"),
    ("demo", "--keep", "{new}/"),
    ("db", "copy", "--from", "{db}", "--to", "{new}/"),
], ids=["init --db", "cases --db", "sample --out", "demo --keep", "db copy --to"])
def test_a_database_path_ending_with_a_slash_is_refused_and_nothing_is_made(
    tmp_path: Path, command: tuple[str, ...]
) -> None:
    """A newcomer's trial: ``ahr --db DIR/ init`` (and ``sample --out DIR/``, ``db copy --to
    DIR/``) made a database file named DIR: ``Path`` drops the slash. A database is a file, so
    a path naming a folder is refused in one sentence naming it, exit 1, and nothing is made."""
    db = tmp_path / "source.db"
    assert run_ahr("--db", str(db), "init").code == 0
    new = tmp_path / "new"
    done = run_ahr(*(part.format(new=new, db=db) for part in command))
    assert (done.code, done.out) == (1, ""), done.err
    assert done.err == (f"ahr: {new}/ ends with /, so it names a folder, not a file; give the "
                        f"file's name, e.g. {new}/ahr.db.\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["source.db"]


def test_a_database_file_written_with_a_slash_is_not_opened_as_that_file(tmp_path: Path) -> None:
    """``--db ahr.db/`` opened ahr.db: the slash says a folder, so it is refused, saying so."""
    db = tmp_path / "ahr.db"
    assert run_ahr("--db", str(db), "init").code == 0
    done = run_ahr("--db", f"{db}/", "cases")
    assert done.code == 1
    assert done.err == (f"ahr: {db}/ ends with /, so it names a folder, but {db} is a file; "
                        "write it without the /.\n")
