"""Reading an import CSV the same way for every kind, and writing its rejects.

RFC 4180 via the ``csv`` module in strict mode, UTF-8 with or without a BOM, LF or CRLF. Bytes
that are not UTF-8 are decoded with ``surrogateescape`` instead of stopping the read, so each one
is reported at its line and column (and written back unchanged to the rejects file); the hot path
never pays for that check because only a value that fails its lookup is examined.

The file is streamed: a record's line is the line after the previous record's last line, which
costs one attribute read per row and is right for records that span lines.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from ahr_tui.errors import InvalidInput
from ahr_tui.importers.fields import text_problem
from ahr_tui.importers.problems import Problems, shown

FIELD_LIMIT = csv.field_size_limit()


@dataclass
class CsvFile:
    """An open import file whose header named exactly the expected columns."""

    path: Path
    handle: TextIO
    reader: Any  # _csv.reader: iterate it directly on hot paths
    header: list[str]
    columns: dict[str, int]
    size: int

    def position(self) -> int:
        """Bytes read so far (to within a read-ahead buffer), for progress and for tests."""
        return int(self.handle.buffer.tell())


def rejects_path(path: Path) -> Path:
    """``scores.csv`` -> ``scores.rejects.csv`` beside it."""
    return path.with_name(path.stem + ".rejects.csv")


@contextmanager
def open_csv(path: Path, expected: tuple[str, ...], problems: Problems) -> Iterator[CsvFile | None]:
    """Open ``path`` and check its header; yields None (with fatal problems) if it is unusable."""
    try:
        handle = open(  # noqa: SIM115 - closed below, after the caller's loop
            path, encoding="utf-8-sig", errors="surrogateescape", newline=""
        )
        size = os.fstat(handle.fileno()).st_size
    except OSError as exc:
        raise InvalidInput(f"cannot read {path}: {exc.strerror or exc}.") from None
    try:
        reader = csv.reader(handle, strict=True)
        header = _read_header(reader, expected, problems)
        columns = _check_header(header, expected, problems)
        if columns is None or header is None:
            yield None
        else:
            yield CsvFile(path, handle, reader, header, columns, size)
    finally:
        handle.close()


def _read_header(reader: Any, expected: tuple[str, ...], problems: Problems) -> list[str] | None:
    wanted = ",".join(expected)
    try:
        header: list[str] = next(reader)
    except StopIteration:
        problems.add(1, "file", f"the file is empty; expected a header row {wanted}", fatal=True)
        return None
    except csv.Error as exc:
        problems.add(1, "header", f"unreadable header row ({exc})", fatal=True)
        return None
    if not header:
        problems.add(1, "header", f"line 1 is empty; expected a header row {wanted}", fatal=True)
        return None
    return header


def _check_header(
    header: list[str] | None, expected: tuple[str, ...], problems: Problems
) -> dict[str, int] | None:
    if header is None:
        return None
    columns: dict[str, int] = {}
    wanted = ", ".join(expected)
    for index, name in enumerate(header):
        bad = text_problem(name)
        if bad is not None:
            hint = " (is the file UTF-16?)" if "\x00" in name else ""
            problems.add(1, "header", f"column {index + 1}: {bad}{hint}", fatal=True)
        elif name in columns:
            problems.add(1, name, "column appears twice", fatal=True)
        elif name not in expected:
            problems.add(1, name, f"unknown column {shown(name)} (expected {wanted})", fatal=True)
        else:
            columns[name] = index
    for name in expected:
        if name not in columns:
            problems.add(1, name, f"missing column (expected {wanted}, in any order)", fatal=True)
    return None if problems.fatal else columns


def csv_error(exc: csv.Error, start: int, problems: Problems, rejects: Rejects) -> bool:
    """Report a syntax error in the record starting on ``start``; False if reading must stop."""
    text = str(exc)
    keep_going = True
    if "unexpected end of data" in text:
        problem = problems.add(
            start, "row", "a quoted field opened here is never closed (end of file)"
        )
        keep_going = False
    elif "field limit" in text:
        problem = problems.add(
            start,
            "row",
            f"a field starting here is longer than {FIELD_LIMIT} characters "
            "(a quote left open?); stopped reading",
            fatal=True,
        )
        keep_going = False
    elif "expected after" in text:
        problem = problems.add(
            start, "row", "a closing quote must be followed by a comma or the end of the line"
        )
    else:
        problem = problems.add(start, "row", f"not valid CSV ({text})")
    rejects.write([], problem.reason)
    return keep_going


def records(
    csv_file: CsvFile, problems: Problems, rejects: Rejects
) -> Iterator[tuple[int, list[str]]]:
    """(line, fields) for every non-blank record with the header's width; the others are reported.

    Used by the small imports (sellers, cases); scores run their own loop for speed.
    """
    reader = csv_file.reader
    width = len(csv_file.header)
    last = reader.line_num
    seen = 0
    while True:
        try:
            for row in reader:
                line, last = last + 1, reader.line_num
                if len(row) == width:
                    seen += 1
                    yield line, row
                elif row:
                    seen += 1
                    reject_width(line, row, width, problems, rejects)
            break
        except csv.Error as exc:
            seen += 1
            keep_going = csv_error(exc, last + 1, problems, rejects)
            last = reader.line_num
            if not keep_going:
                break
    if not seen:
        header_only(problems)


def header_only(problems: Problems) -> None:
    problems.add(2, "file", "no data rows after the header", fatal=True)


def reject_width(
    line: int, row: list[str], width: int, problems: Problems, rejects: Rejects
) -> None:
    problem = problems.add(line, "row", f"expected {width} fields, found {len(row)}")
    rejects.write(row, problem.reason)


class Rejects:
    """Counts rejected records and, given a path, writes them to ``FILE.rejects.csv``.

    The file holds each rejected record's fields (header order) plus ``reason``; it is created on
    the first rejected record only, and undecodable bytes are written back as they came.
    """

    def __init__(self, path: Path | None, header: list[str]) -> None:
        self.path = path
        self.header = header
        self.count = 0
        self._handle: TextIO | None = None
        self._writer: Any = None

    def write(self, fields: list[str], reason: str) -> None:
        self.count += 1
        if self.path is None:
            return
        if self._writer is None:
            self._open()
        width = len(self.header)
        row = (list(fields[:width]) + [""] * width)[:width]
        self._writer.writerow([*row, reason])

    def _open(self) -> None:
        assert self.path is not None
        try:
            self._handle = open(  # noqa: SIM115 - closed in close()
                self.path, "w", encoding="utf-8", errors="surrogateescape", newline=""
            )
        except OSError as exc:
            raise InvalidInput(f"cannot write {self.path}: {exc.strerror or exc}.") from None
        self._writer = csv.writer(self._handle)
        self._writer.writerow([*self.header, "reason"])

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None
