"""Cases as CSV: ``ahr cases --csv`` (stdout) and the TUI's ``e`` (a file named in a dialog).

The columns are those of ``ahr cases --json``, in the same order. Untrusted text is written so
that neither a terminal nor a spreadsheet acts on it: control characters become visible escapes
(``\\x1b``), and a cell a spreadsheet would read as a formula (``=``, ``+``, ``-``, ``@``
first) gets a leading apostrophe (OWASP's advice for CSV injection); numbers and instants are
written as they are.
"""

from __future__ import annotations

import csv
import itertools
import os
import tempfile
from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from ahr_tui.errors import InvalidInput
from ahr_tui.service.case_view import CASE_LIST_KEYS, CaseView
from ahr_tui.textsafe import clean
from ahr_tui.wording import folder_problem, os_problem

_FORMULA_START = ("=", "+", "-", "@")


def csv_cell(value: Any) -> str:
    """One value as CSV text: ``None`` empty, text made inert (see the module docstring)."""
    if value is None:
        return ""
    if isinstance(value, bool | int | float):
        return str(value)
    text = clean(str(value))
    if text.startswith(_FORMULA_START) and not _is_number(text):
        return "'" + text
    return text


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def columns() -> list[str]:
    """The CSV header: the keys of a case's JSON object in a list (``CaseView.listed_json``)."""
    return list(CASE_LIST_KEYS)


def write_cases_csv(cases: Sequence[CaseView], stream: IO[str], now: datetime) -> int:
    """Write a header and one line per case, in the given order, its urgency as of ``now``;
    returns the number of cases."""
    writer = csv.writer(stream, lineterminator="\n")
    header = columns()
    writer.writerow(header)
    for case in cases:
        data = case.listed_json(now)
        writer.writerow([csv_cell(data.get(key)) for key in header])
    return len(cases)


def export_cases(
    cases: Sequence[CaseView], path: Path, now: datetime, *, overwrite: bool = False
) -> int:
    """Write ``cases`` as CSV to ``path``, their urgency as of ``now``; returns the number
    written.

    Raises ``FileExistsError`` when ``path`` exists and ``overwrite`` is false (the TUI then
    asks), and ``InvalidInput`` (one sentence) when the file cannot be written. The file is
    written beside its target and renamed over it, so a failed export leaves no half file.
    """
    header = columns()
    lines = ([csv_cell(case.listed_json(now).get(key)) for key in header] for case in cases)
    return write_atomically(path, itertools.chain([header], lines), overwrite=overwrite) - 1


def write_atomically(path: Path, lines: Iterable[Sequence[str]], *, overwrite: bool) -> int:
    """Write CSV ``lines`` (already made inert with ``csv_cell``) to ``path``; returns how many
    lines were written, the header included. Raises as ``export_cases`` says."""
    path = path.expanduser()
    if path.is_dir():
        raise InvalidInput(f"{path} is a folder; name a file to export to.")
    if path.exists() and not overwrite:
        raise FileExistsError(path)
    if (problem := folder_problem(path)) is not None:
        raise InvalidInput(problem)
    try:
        fd, temp = tempfile.mkstemp(prefix=".ahr-export-", suffix=".csv", dir=path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as stream:
                writer = csv.writer(stream, lineterminator="\n")
                count = 0
                for line in lines:
                    writer.writerow(line)
                    count += 1
            os.replace(temp, path)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise InvalidInput(os_problem("write", path, exc)) from None
    return count
