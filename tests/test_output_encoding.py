"""A locale that is not UTF-8 (realworld/tui-latin1-locale.sh): no traceback, whatever the output.

The commands run as real processes with ``PYTHONIOENCODING`` set, which gives Python the same
stdout and stderr a server's ``LANG=en_US.ISO-8859-1`` (or ``LANG=C`` without coercion) gives it,
without needing that locale installed.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys

import pytest

from ahr_tui.cli.common import table_lines
from ahr_tui.cli.data import _not_utf8
from ahr_tui.textsafe import encodable
from tests.conftest import full_window, seed_account
from tests.processes import AHR, run_in_pty


def run(db_url: str, *argv: str, encoding: str) -> tuple[int, str, str]:
    """``ahr`` in a process whose stdout and stderr use ``encoding``: (exit code, out, err)."""
    env = {"PATH": os.environ.get("PATH", ""), "PYTHONIOENCODING": encoding}
    done = subprocess.run([AHR, "--db", db_url, *argv], env=env, capture_output=True,
                          timeout=60, check=False)
    # click writes its usage errors as UTF-8 when the stream says ASCII: decode leniently
    out, err = (b.decode(encoding, "backslashreplace") for b in (done.stdout, done.stderr))
    return done.returncode, out, err

CHINESE = "杭州市华为科技有限公司"
GERMAN = "Müller Häuser GmbH"


@pytest.fixture
def names(cli, engine) -> str:  # type: ignore[no-untyped-def]
    """Two accounts with names Latin-1 can hold in part, and a case on each; the case id."""
    seed_account(engine, "CN1", "US", name=CHINESE, scores=full_window(cli.clock().date()))
    seed_account(engine, "DE1", "US", name=GERMAN)
    case_id = ""
    for seller in ("CN1", "DE1"):
        result = cli("case", "open", seller, "--store", "US", "--policy", "other",
                     "--summary", f"{CHINESE} ✓ — note")
        assert result.exit_code == 0, result.output
        case_id = case_id or result.stdout.strip()
    return case_id


@pytest.mark.parametrize("encoding", ["iso-8859-1", "ascii"])
def test_no_command_prints_a_traceback_in_a_locale_that_is_not_utf8(db_url, names, encoding):
    everything = encoding == "iso-8859-1"  # each process costs a second: the rest only once
    printed: dict[tuple[str, ...], str] = {}
    for argv in (["cases"], ["case", "show", names], ["eligibility"], ["audit", "log"],
                 ["cases", "--csv"], ["case", "show", "999"], ["case", "show", "東京"]):
        if not everything and argv[0] != "case":
            continue
        code, out, err = run(db_url, *argv, encoding=encoding)
        assert "Traceback" not in err, (argv, err)
        assert code == {"999": 1, "東京": 2}.get(argv[-1], 0), (argv, err)
        printed[tuple(argv)] = out
    listing = printed.get(("cases",)) or run(db_url, "cases", encoding=encoding)[1]
    assert "\\u676d\\u5dde\\u5e02" in listing  # escaped like other unsafe text
    shown = printed[("case", "show", names)]  # what the loop ran printed: no second process
    assert "\\u676d\\u5dde" in shown and "\\u2713" in shown


def test_latin1_keeps_what_it_can_hold():
    assert encodable(f"{GERMAN} {CHINESE[:2]}", "iso-8859-1") == f"{GERMAN} \\u676d\\u5dde"
    assert encodable(f"{GERMAN} {CHINESE}", "utf-8") == f"{GERMAN} {CHINESE}"
    assert encodable("😀", "ascii") == "\\U0001f600"


def test_a_table_aligns_on_what_the_locale_prints(monkeypatch):
    latin1 = io.TextIOWrapper(io.BytesIO(), encoding="iso-8859-1")
    monkeypatch.setattr(sys, "stdout", latin1)
    lines = table_lines(["NAME", "STORE"], [[CHINESE[:3], "US"], ["Müller", "DE"]])
    escaped = "\\u676d\\u5dde\\u5e02"  # 18 characters, as printed
    assert lines == [f"{'NAME':<18}  STORE", f"{escaped}  US", f"{'Müller':<18}  DE"]


class _Stream:
    def __init__(self, encoding: str | None) -> None:
        self.encoding = encoding


@pytest.mark.parametrize(
    "encoding", ["iso8859-1", "ISO-8859-1", "ascii", "cp1252", "ANSI_X3.4-1968"]
)
def test_the_app_refuses_a_locale_that_is_not_utf8_in_one_sentence(encoding):
    sentence = _not_utf8(_Stream(encoding))
    assert sentence is not None
    assert "LANG=C.UTF-8" in sentence and sentence.endswith(".") and "\n" not in sentence


@pytest.mark.parametrize("encoding", ["utf-8", "UTF-8", "utf8", None])
def test_the_app_starts_in_a_utf8_locale(encoding):
    assert _not_utf8(_Stream(encoding)) is None


def test_ahr_tui_in_a_latin1_terminal_says_lang_c_utf8_and_leaves(db_url, names):
    """The real process in a pseudo-terminal: one sentence on the terminal, exit 1."""
    env = {"PATH": os.environ.get("PATH", ""), "PYTHONIOENCODING": "iso-8859-1",
           "TERM": "xterm-256color"}
    code, output = run_in_pty([AHR, "--db", db_url, "tui"], env)
    text = output.decode("latin-1")
    assert code == 1, text
    assert "the app needs UTF-8: start it with LANG=C.UTF-8" in text
    assert "`LANG=C.UTF-8 ahr tui`" in text
    assert "Traceback" not in text


def test_ahr_demo_in_a_latin1_terminal_names_ahr_demo_not_ahr_tui(tmp_path):
    """The sentence names the command that was run: ``ahr demo`` is refused with
    ``LANG=C.UTF-8 ahr demo``, ``ahr tui`` with ``LANG=C.UTF-8 ahr tui``."""
    env = {"PATH": os.environ.get("PATH", ""), "PYTHONIOENCODING": "iso-8859-1",
           "TERM": "xterm-256color"}
    code, output = run_in_pty([AHR, "demo", "--keep", str(tmp_path / "demo.db")], env)
    text = output.decode("latin-1")
    assert code == 1, text
    assert "`LANG=C.UTF-8 ahr demo`" in text and "ahr tui" not in text, text
    assert "Traceback" not in text
