"""The rules stay headless and ``ahr --help`` stays light: checked in fresh interpreters.

Each check runs in a subprocess so modules imported by other tests in this process cannot hide
an import.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

SAMPLE = Path(__file__).resolve().parent.parent / "sample.db"
HEAVY = ("textual", "sqlalchemy", "sqlmodel", "typer")


def loaded_after(code: str) -> tuple[set[str], str]:
    """Run ``code`` in a new interpreter; return the top-level packages loaded and its stdout."""
    script = textwrap.dedent(code) + textwrap.dedent(
        """
        import json as _json, sys as _sys
        _top = sorted({m.split(".")[0] for m in _sys.modules})
        _sys.stderr.write("\\nMODULES=" + _json.dumps(_top))
        """
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    marker = done.stderr.rsplit("MODULES=", 1)[1]
    return set(json.loads(marker)), done.stdout


def test_importing_the_rules_loads_no_ui_database_or_cli_library():
    modules, _ = loaded_after("import ahr_tui.rules")
    assert "ahr_tui" in modules
    assert not modules & set(HEAVY)


def test_the_rules_import_nothing_else_from_the_project():
    _, stdout = loaded_after(
        """
        import sys
        import ahr_tui.rules
        print("\\n".join(m for m in sys.modules if m.startswith("ahr_tui")))
        """
    )
    ours = set(stdout.split())
    assert "ahr_tui.rules.cases" in ours
    assert {m for m in ours if not m.startswith("ahr_tui.rules")} == {"ahr_tui"}


def test_ahr_help_does_not_import_textual_or_the_database_layer():
    modules, stdout = loaded_after(
        """
        import sys
        sys.argv = ["ahr", "--help"]
        from ahr_tui.cli.main import main
        try:
            main()
        except SystemExit as exc:
            assert exc.code in (0, None), exc.code
        """
    )
    assert "Usage" in stdout and "case" in stdout
    assert "typer" in modules
    assert not modules & {"textual", "sqlalchemy", "sqlmodel"}


def test_python_dash_m_ahr_tui_help_works_and_exits_zero():
    done = subprocess.run([sys.executable, "-m", "ahr_tui", "--help"], capture_output=True,
                          text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    assert "Usage" in done.stdout and "sweep" in done.stdout
    assert done.stderr == ""


def test_ahr_tui_reads_its_first_frame_without_the_database_layer(tmp_path):
    """On an SQLite file the TUI starts with its cases read by the standard library: SQLAlchemy,
    SQLModel, pydantic and phonenumbers load after the first frame (DESIGN section 7)."""
    db = tmp_path / "sample.db"
    shutil.copy(SAMPLE, db)
    with sqlite3.connect(db) as con:
        (active,) = con.execute(
            "SELECT count(*) FROM aha_case"
            " WHERE status IN ('detected', 'open', 'responded', 'expired')"
        ).fetchone()
    modules, stdout = loaded_after(
        f"""
        import io, sys

        class Terminal(io.StringIO):
            def isatty(self):
                return True

        import ahr_tui.tui.app

        def run(*, engine, first, **kwargs):  # stands in for the app: what it was given
            print("cases", len(first.cases), "engine opened later", callable(engine))

        ahr_tui.tui.app.run = run
        sys.stdin, real_stdout, sys.stdout = Terminal(), sys.stdout, Terminal()
        sys.argv = ["ahr", "--db", {str(db)!r}, "tui"]
        from ahr_tui.cli.main import main
        try:
            main()
        except SystemExit as exc:
            assert exc.code in (0, None), exc.code
        real_stdout.write(sys.stdout.getvalue())
        """
    )
    assert stdout.split() == ["cases", str(active), "engine", "opened", "later", "True"]
    assert {"textual", "typer"} <= modules
    assert not modules & {"sqlalchemy", "sqlmodel", "pydantic", "phonenumbers"}


def test_the_ahr_command_collects_garbage_rarely_and_the_tui_gets_the_defaults_back(tmp_path):
    """A command (``ahr forecast``: 20,000 due moments) spent a fifth of its CPU in 457 runs of
    the cyclic collector at the default threshold; the entry point raises it before anything is
    imported, and the long-lived TUI runs with the interpreter's own thresholds."""
    db = tmp_path / "sample.db"
    shutil.copy(SAMPLE, db)
    _, stdout = loaded_after(
        f"""
        import gc, io, sys

        class Terminal(io.StringIO):
            def isatty(self):
                return True

        default = gc.get_threshold()
        import ahr_tui.tui.app

        def run(**kwargs):  # stands in for the app: the thresholds it runs with
            print("tui", gc.get_threshold() == default)

        ahr_tui.tui.app.run = run
        sys.argv = ["ahr", "--version"]
        from ahr_tui.cli.entry import main
        try:
            main()
        except SystemExit as exc:
            assert exc.code in (0, None), exc.code
        print("command", gc.get_threshold()[0])
        sys.stdin, real_stdout, sys.stdout = Terminal(), sys.stdout, Terminal()
        sys.argv = ["ahr", "--db", {str(db)!r}, "tui"]
        try:
            main()
        except SystemExit as exc:
            assert exc.code in (0, None), exc.code
        real_stdout.write(sys.stdout.getvalue())
        """
    )
    assert stdout.split()[-4:] == ["command", "50000", "tui", "True"]
