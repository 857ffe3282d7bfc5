"""``ahr import`` from a pipe (a FIFO, ``<(...)``) and from standard input (``-``).

Each such input can be read once only: ``importers.source.read_once`` copies it to a temporary
file and the normal path reads the copy. What these tests hold it to: the same results as the
file on disk, the same located problems naming what the user gave (``<stdin>:3: score: ...``,
the FIFO's path), exit 1 and nothing written on bad input, encodings sniffed as for a file, and no
copy left behind.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import resource
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import pytest

from ahr_tui.cli import imports as imports_cli
from ahr_tui.errors import InvalidInput
from ahr_tui.importers.source import STDIN, Source, read_once
from ahr_tui.importers.textfile import HEAD_BYTES
from tests.conftest import snapshot
from tests.processes import AHR
from tests.test_import_common import FIXTURES, seed_accounts
from tests.test_import_scores import import_events, scores

REALWORLD = Path(__file__).parent / "fixtures" / "realworld"

SCORES_GOOD = b"seller_id,store,date,score\nS1,US,2026-02-28,640\nS1,CA,2026-03-01,1000\n"
SCORES_BAD = b"seller_id,store,date,score\nS1,US,2026-02-28,640\nS1,US,2026-03-01,high\n"
SELLERS_HEADER = "seller_id,store,name,plan,emergency_phone,email\n"
SELLERS_GOOD = (FIXTURES / "sellers_valid.csv").read_bytes()
SELLERS_BAD = (FIXTURES / "sellers_unknown_plan.csv").read_bytes()

#: kind, good input, its summary after the name, bad input, its problem after the name
KINDS = [
    ("scores", SCORES_GOOD, "2 new, 0 updated, 0 unchanged, 0 rejected", SCORES_BAD,
     "3: score: 'high' is not an integer"),
    ("sellers", SELLERS_GOOD, "0 new, 4 updated, 0 unchanged, 0 rejected", SELLERS_BAD,
     "3: plan: unknown plan 'enterprise' (professional or individual)"),
]


@contextmanager
def fifo_fed(folder: Path, data: bytes, name: str = "export.csv") -> Iterator[Path]:
    """A named pipe at ``folder/name`` that a thread fills with ``data`` once a reader opens it.

    On the way out the writer must have finished (everything was read); a writer still waiting
    for a reader (the import never opened the pipe) is let go first, so that the test fails
    instead of hanging."""
    path = folder / name
    os.mkfifo(path)
    done: list[bool] = []

    def write() -> None:
        try:
            with open(path, "wb") as pipe:
                pipe.write(data)
            done.append(True)
        except BrokenPipeError:
            pass

    writer = threading.Thread(target=write, daemon=True)
    writer.start()
    try:
        yield path
    finally:
        writer.join(timeout=5)
        if writer.is_alive():
            fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
            writer.join(timeout=5)
            os.close(fd)
    assert done, "the import never read the pipe to its end"


@pytest.fixture
def spool_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Where the copies go during the test (``tempfile.tempdir``), to see that none is left."""
    folder = tmp_path / "spool"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


@pytest.mark.parametrize(("kind", "good", "summary", "bad", "problem"), KINDS,
                         ids=[k[0] for k in KINDS])
def test_a_fifo_imports_like_the_file_and_names_itself(
    cli, engine, tmp_path, spool_dir, kind, good, summary, bad, problem
):
    seed_accounts(engine)
    with fifo_fed(tmp_path, good) as fifo:
        result = cli("import", kind, str(fifo))
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith(f"{fifo}: {summary}\n")
    assert list(spool_dir.iterdir()) == []


@pytest.mark.parametrize(("kind", "good", "summary", "bad", "problem"), KINDS,
                         ids=[k[0] for k in KINDS])
def test_a_bad_fifo_names_its_path_line_and_field_and_writes_nothing(
    cli, engine, tmp_path, spool_dir, kind, good, summary, bad, problem
):
    seed_accounts(engine)
    before = snapshot(engine)
    with fifo_fed(tmp_path, bad) as fifo:
        result = cli("import", kind, str(fifo))
    assert result.exit_code == 1
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert lines[0] == f"{fifo}:{problem}"
    assert lines[-1].startswith(f"ahr: {fifo}: 1 problem; nothing was imported")
    assert snapshot(engine) == before
    assert list(spool_dir.iterdir()) == []


@pytest.mark.parametrize(("kind", "good", "summary", "bad", "problem"), KINDS,
                         ids=[k[0] for k in KINDS])
def test_standard_input_imports_like_the_file_as_stdin(
    cli, engine, spool_dir, kind, good, summary, bad, problem
):
    seed_accounts(engine)
    result = cli("import", kind, "-", input=good)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith(f"<stdin>: {summary}\n")
    [event] = import_events(engine)
    assert event.note == f"<stdin>: {summary}"
    assert list(spool_dir.iterdir()) == []


@pytest.mark.parametrize(("kind", "good", "summary", "bad", "problem"), KINDS,
                         ids=[k[0] for k in KINDS])
def test_bad_standard_input_names_stdin_line_and_field_and_writes_nothing(
    cli, engine, spool_dir, kind, good, summary, bad, problem
):
    seed_accounts(engine)
    before = snapshot(engine)
    result = cli("import", kind, "-", input=bad)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        f"<stdin>:{problem}",
        "ahr: <stdin>: 1 problem; nothing was imported (--skip-invalid imports the valid "
        "records).",
    ]
    assert snapshot(engine) == before
    assert list(spool_dir.iterdir()) == []


def test_scores_from_stdin_are_the_files_scores(cli, engine):
    seed_accounts(engine)
    assert cli("import", "scores", "-", input=SCORES_GOOD).exit_code == 0
    assert scores(engine) == {
        ("S1", "US", date(2026, 2, 28)): 640,
        ("S1", "CA", date(2026, 3, 1)): 1000,
    }


def test_cases_and_a_report_read_standard_input_too(cli, engine):
    seed_accounts(engine)
    cases = cli("import", "cases", "-", input=(FIXTURES / "cases_valid.csv").read_bytes())
    assert cases.exit_code == 0, cases.stderr
    assert cases.stdout.startswith("<stdin>: 2 new, 0 updated, 0 unchanged, 0 rejected\n")
    report = cli("import", "report", "-", "--seller", "S1",
                 input=(FIXTURES / "report.json").read_bytes())
    assert report.exit_code == 0, report.stderr
    assert report.stdout.startswith("<stdin>: ")


def test_a_file_named_dash_is_read_as_dot_slash_dash_not_standard_input(
    cli, engine, tmp_path, monkeypatch
):
    """``-`` is standard input; a file literally named ``-`` is ``./-``, which ``Path``
    shortens to ``-``: it read standard input instead. It is read as the file (named by its
    full path in messages) while standard input holds something else."""
    seed_accounts(engine)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "-").write_bytes(SCORES_GOOD)
    result = cli("import", "scores", "./-", input=SCORES_BAD)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == f"{tmp_path / '-'}: 2 new, 0 updated, 0 unchanged, 0 rejected\n"
    assert scores(engine)[("S1", "CA", date(2026, 3, 1))] == 1000


# --- encodings, sniffed from the copy as from a file -------------------------------------------


def test_a_bom_and_crlf_through_stdin_read_as_from_the_file(cli, engine):
    seed_accounts(engine)
    data = (FIXTURES / "scores_reordered_bom_crlf.csv").read_bytes()
    result = cli("import", "scores", "-", input=data)
    assert result.exit_code == 0, result.stderr
    assert scores(engine)[("S1", "US", date(2026, 2, 28))] == 640


def test_utf16_excel_unicode_text_through_a_fifo_is_read(cli, engine, tmp_path):
    data = (REALWORLD / "sellers-excel-unicode-text-utf16.txt").read_bytes()
    assert data.startswith(b"\xff\xfe")
    with fifo_fed(tmp_path, data, "unicode.txt") as fifo:
        result = cli("import", "sellers", str(fifo))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == f"{fifo}: 1 new, 0 updated, 0 unchanged, 0 rejected\n"


def test_windows_1252_through_stdin_is_refused_at_its_line(cli, engine):
    seed_accounts(engine)
    before = snapshot(engine)
    result = cli("import", "sellers", "-", input=(FIXTURES / "sellers_not_utf8.csv").read_bytes())
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        "<stdin>:3: file: not UTF-8: byte 0xfc ('ü' in Windows-1252) shows a legacy 8-bit "
        "encoding; save it as CSV UTF-8 (Excel: File > Save As > CSV UTF-8) or convert it with "
        "iconv -f WINDOWS-1252 -t UTF-8"
    )
    assert snapshot(engine) == before


class _Endless(io.RawIOBase):
    """A stream of ``byte`` that never ends before ``limit`` bytes (a bound, so that a copy that
    does not stop fails the test instead of filling the disk); ``given`` counts what was read."""

    def __init__(self, byte: bytes, limit: int) -> None:
        self.byte, self.limit, self.given = byte, limit, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[no-untyped-def,override]
        size = min(len(buffer), self.limit - self.given)
        buffer[:size] = self.byte * size
        self.given += size
        return size


def test_an_endless_binary_stdin_is_refused_after_its_first_mib_not_copied_whole(
    cli, engine, spool_dir, monkeypatch
):
    """A newcomer's trial: ``ahr import scores /dev/zero`` copied the whole input to TMPDIR
    before checking anything. The head the importers sniff is copied first; NUL bytes that no
    UTF-16 byte order mark or pattern explains stop the copy there, and the import refuses it
    as it refuses such a file: one sentence naming the input, exit 1, nothing written, no copy
    left behind."""
    seed_accounts(engine)
    before = snapshot(engine)
    zeros = _Endless(b"\0", limit=64 * HEAD_BYTES)
    monkeypatch.setattr(imports_cli, "_stdin", lambda: io.BufferedReader(zeros))
    result = cli("import", "scores", "-")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "<stdin>:1: file: this is a binary file, not text (it contains NUL bytes)",
        "ahr: <stdin>: 1 problem; nothing was imported.",
    ]
    assert zeros.given <= 2 * HEAD_BYTES, zeros.given
    assert snapshot(engine) == before
    assert list(spool_dir.iterdir()) == []


def _small_files_only() -> None:  # in the child: a copy past 32 MiB fails instead of growing
    resource.setrlimit(resource.RLIMIT_FSIZE, (32 << 20, 32 << 20))
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)


def test_ahr_import_scores_dev_zero_ends_at_once_naming_dev_zero(db_url, engine, tmp_path):
    """The trial's own command, in a real process (its files kept under 32 MiB, so that a copy
    that does not stop ends in a "File too large" instead of filling the disk)."""
    seed_accounts(engine)
    before = snapshot(engine)
    spool = tmp_path / "spool"
    spool.mkdir()
    done = subprocess.run(
        [AHR, "--db", db_url, "import", "scores", "/dev/zero"], capture_output=True, text=True,
        env={**os.environ, "TMPDIR": str(spool)}, preexec_fn=_small_files_only, timeout=60,
        check=False,
    )
    assert (done.returncode, done.stdout) == (1, ""), done.stderr
    assert done.stderr.splitlines() == [
        "/dev/zero:1: file: this is a binary file, not text (it contains NUL bytes)",
        "ahr: /dev/zero: 1 problem; nothing was imported.",
    ]
    assert snapshot(engine) == before
    assert list(spool.iterdir()) == []


def test_utf16_text_longer_than_the_sniffed_head_is_copied_whole_from_stdin(cli, engine):
    """The first MiB of UTF-16 text (Excel's "Unicode Text": NUL bytes explained by its byte
    order mark) lets the copy go on: every row past it is read too."""
    rows = 25_000
    text = SELLERS_HEADER + "".join(f"X{i},US,Seller {i},individual,,\n" for i in range(rows))
    data = text.encode("utf-16")
    assert len(data) > HEAD_BYTES
    result = cli("import", "sellers", "-", "--dry-run", input=data)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith(f"<stdin>: {rows} new, 0 updated, 0 unchanged, 0 rejected")


@pytest.mark.parametrize(("data", "sentence"), [
    (SCORES_GOOD.decode().encode("utf-16-le") * 40_000,
     "this is UTF-16 text without a byte order mark"),
    (gzip.compress(SCORES_GOOD, mtime=0) + bytes(2 * HEAD_BYTES), "this is a gzip-compressed"),
], ids=["utf16-no-bom", "gzip"])
def test_other_input_refused_from_its_head_says_what_it_is_from_stdin_too(
    cli, engine, spool_dir, data, sentence
):
    seed_accounts(engine)
    result = cli("import", "scores", "-", input=data)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"<stdin>:1: file: {sentence}")
    assert list(spool_dir.iterdir()) == []


def test_gzip_is_told_to_decompress_in_the_pipe_on_stdin_and_as_read_from_a_file(
    cli, engine, tmp_path, db_url
):
    """``gunzip -k FILE`` was the advice for gzip on standard input, where there is no FILE.
    The pipe's end names the database the refused command used (``--db``): pasted without it,
    the advice imported into ``./ahr.db`` or ``$AHR_DB``."""
    import shlex

    from ahr_tui.service.database import database_name

    ahr = f"ahr --db {shlex.quote(database_name(db_url))}"
    seed_accounts(engine)
    data = gzip.compress(SCORES_GOOD, mtime=0)
    piped = cli("import", "scores", "-", input=data)
    assert piped.exit_code == 1
    assert piped.stderr.splitlines()[0] == (
        "<stdin>:1: file: this is a gzip-compressed file, not CSV text; decompress it in the "
        f"pipe: ... | gunzip -c | {ahr} import scores -")
    path = tmp_path / "scores.csv"  # a browser's download, still gzip-encoded
    path.write_bytes(data)
    named = cli("import", "scores", str(path))
    assert named.stderr.splitlines()[0] == (
        f"{path}:1: file: this is a gzip-compressed file, not CSV text; decompress it as it is "
        f"read: gunzip -c {path} | {ahr} import scores -")
    report = cli("import", "report", "-", "--seller", "S1", input=data)
    assert report.stderr.splitlines()[0].endswith(
        f"not JSON text; decompress it in the pipe: ... | gunzip -c | {ahr} import report - "
        "--seller S1")


# --- rejects, and the copy's own failures -----------------------------------------------------


def test_skip_invalid_on_stdin_asks_where_the_rejects_go(cli, engine):
    seed_accounts(engine)
    before = snapshot(engine)
    result = cli("import", "scores", "-", "--skip-invalid", input=SCORES_BAD)
    assert result.exit_code == 2
    assert "say where they go with --rejects PATH" in result.stderr
    assert snapshot(engine) == before


def test_skip_invalid_on_stdin_writes_the_kinds_rejects_in_the_folder_given(
    cli, engine, tmp_path
):
    seed_accounts(engine)
    result = cli("import", "scores", "-", "--skip-invalid", "--rejects", str(tmp_path),
                 input=SCORES_BAD)
    assert result.exit_code == 0, result.stderr
    rejects = tmp_path / "scores.rejects.csv"
    assert f"1 rejected; written to {rejects}" in result.stdout
    assert rejects.read_text().splitlines()[1] == (
        "S1,US,2026-03-01,high,score: 'high' is not an integer"
    )


def test_rejects_of_stdin_to_a_folder_not_there_yet_go_in_it_for_a_csv_and_a_report(
    cli, engine, tmp_path
):
    """``curl ... | ahr import scores - --skip-invalid --rejects /var/tmp/rejects/`` before that
    folder exists: it is made (parents too) and the kind's rejects file written in it, where a
    file named ``rejects`` was written before; a report's rejects the same way."""
    seed_accounts(engine)
    folder = tmp_path / "new" / "rejects"
    scored = cli("import", "scores", "-", "--skip-invalid", "--rejects", f"{folder}/",
                 input=SCORES_BAD)
    assert scored.exit_code == 0, scored.stderr
    assert f"1 rejected; written to {folder / 'scores.rejects.csv'}" in scored.stdout
    document = json.loads((FIXTURES / "report.json").read_bytes())
    document["performanceMetrics"].append(dict(document["performanceMetrics"][0]))  # a duplicate
    reported = cli("import", "report", "-", "--seller", "S1", "--skip-invalid", "--rejects",
                   f"{tmp_path / 'reports'}/", input=json.dumps(document).encode())
    assert reported.exit_code == 0, reported.stderr
    assert (tmp_path / "reports" / "report.rejects.csv").read_text().startswith("pointer,")
    assert sorted(p.name for p in folder.iterdir()) == ["scores.rejects.csv"]


def test_skip_invalid_on_a_named_fifo_writes_beside_it(cli, engine, tmp_path):
    seed_accounts(engine)
    with fifo_fed(tmp_path, SCORES_BAD, "scores.csv") as fifo:
        result = cli("import", "scores", str(fifo), "--skip-invalid")
    assert result.exit_code == 0, result.stderr
    assert (tmp_path / "scores.rejects.csv").exists()


def test_no_room_for_the_copy_is_one_sentence_and_nothing_is_written(
    cli, engine, tmp_path, monkeypatch
):
    seed_accounts(engine)
    before = snapshot(engine)
    missing = tmp_path / "gone"
    monkeypatch.setattr(tempfile, "tempdir", str(missing))
    result = cli("import", "scores", "-", input=SCORES_GOOD)
    assert result.exit_code == 1
    assert result.stderr == (
        f"ahr: cannot copy <stdin> to a temporary file in {missing}: No such file or directory; "
        "set TMPDIR to a folder with room.\n"
    )
    assert snapshot(engine) == before


def test_a_regular_file_is_read_where_it_is(tmp_path):
    path = tmp_path / "s.csv"
    path.write_bytes(SCORES_GOOD)
    with read_once(path, stdin=sys.stdin.buffer) as source:
        assert source == Source.of(path)
    assert path.exists()


def test_an_unreadable_pipe_is_named(tmp_path):
    with pytest.raises(InvalidInput, match=r"cannot read <stdin>: Bad file descriptor\."):
        r, w = os.pipe()
        os.close(r)
        with open(w, "rb", closefd=True) as wrong_end, read_once(STDIN, stdin=wrong_end):
            pass


def test_dash_on_a_terminal_is_a_usage_error_not_a_wait(tmp_path):
    """``ahr import scores -`` typed with nothing piped in would wait for a CSV on the keyboard."""
    import pty

    primary, terminal = pty.openpty()
    try:
        done = subprocess.run(
            [sys.executable, "-m", "ahr_tui", "--db", str(tmp_path / "none.db"),
             "import", "scores", "-"],
            stdin=terminal, capture_output=True, text=True, timeout=60, check=False,
        )
    finally:
        os.close(primary)
        os.close(terminal)
    assert done.returncode == 2
    assert "standard input, which is a terminal here" in done.stderr
    assert "... | ahr import scores -" in done.stderr


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP], ids=["SIGTERM", "SIGHUP"])
def test_a_terminating_signal_while_stdin_is_copied_leaves_no_copy_and_writes_nothing(
    db_url, engine, tmp_path, sig
):
    """A killed job or a dropped SSH session while ``curl ... |`` is still sending."""
    seed_accounts(engine)
    before = snapshot(engine)
    spool = tmp_path / "spool"
    spool.mkdir()
    proc = subprocess.Popen(
        [AHR, "--db", db_url, "import", "scores", "-"], stdin=subprocess.PIPE,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env={**os.environ, "TMPDIR": str(spool)},
    )
    assert proc.stdin is not None
    try:
        proc.stdin.write(SCORES_GOOD[:30])  # the rest never comes
        proc.stdin.flush()
        for _ in range(1200):  # until the copy is there (a poll, not a deadline)
            if any(spool.iterdir()) or proc.poll() is not None:
                break
            time.sleep(0.05)
        assert any(spool.iterdir()), proc.poll()
        proc.send_signal(sig)
        code = proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stdin.close()
    assert code == 128 + sig
    assert list(spool.iterdir()) == []
    assert snapshot(engine) == before
