"""Reading an import CSV the same way for every kind, and writing its rejects.

RFC 4180 via the ``csv`` module in strict mode. What a file is comes first (``textfile.sniff``, then
``kinds``: a report or another kind's CSV is one sentence naming the command that takes it):
UTF-8 with or without a BOM, UTF-16 with a BOM (Excel's "Unicode Text", PowerShell's ``>``), or one
sentence naming what else it is. The separator is the header row's (``DELIMITERS``: Excel writes
``;`` under a decimal-comma locale and TAB as "Unicode Text"). Spreadsheet leftovers are ignored:
columns whose header and values are all empty, rows whose fields are all empty; a CRLF line
break inside a quoted field reads as LF. A header-only file has no rows and is no problem.

Bytes that are not UTF-8 past the sniffed head are decoded with ``surrogateescape`` instead of
stopping the read, so each one is reported at its line and column (and written back unchanged to
the rejects file); the hot path never pays for that check because only a value that fails its
lookup is examined.

The file is streamed: a record's line is the line after the previous record's last line, which
costs one attribute read per row and is right for records that span lines.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from ahr_tui.errors import InvalidInput
from ahr_tui.importers.fields import text_problem
from ahr_tui.importers.kinds import REPORT_SENTENCE, looks_like_report, wrong_kind
from ahr_tui.importers.problems import Problems, shown
from ahr_tui.importers.textfile import Encoding, NotText, Origin, read_head, sniff
from ahr_tui.wording import os_problem

FIELD_LIMIT = csv.field_size_limit()


@dataclass
class CsvFile:
    """An open import file whose header named exactly the expected columns.

    ``header`` and every row from ``reader`` leave out the columns whose header is empty (a
    spreadsheet's leftovers); ``encoding`` and ``delimiter`` are what the file was read with.
    """

    path: Path
    handle: TextIO
    reader: Any  # _csv.reader (or _Projected over it): iterate it directly on hot paths
    header: list[str]
    columns: dict[str, int]
    size: int
    encoding: str = "UTF-8"
    delimiter: str = ","

    def position(self) -> int:
        """Bytes read so far (to within a read-ahead buffer), for progress and for tests."""
        return int(self.handle.buffer.tell())


def rejects_path(path: Path) -> Path:
    """``scores.csv`` -> ``scores.rejects.csv`` beside it."""
    return path.with_name(path.stem + ".rejects.csv")


#: Separators a header row may use, first one preferred on a tie: Excel writes ``;`` where the
#: decimal mark is a comma (German, French, ... settings) and TAB for "Unicode Text".
DELIMITERS = (",", ";", "\t", "|")


@contextmanager
def open_csv(
    path: Path, expected: tuple[str, ...], problems: Problems, optional: tuple[str, ...] = (),
    *, origin: Origin = Origin(),
) -> Iterator[CsvFile | None]:
    """Open ``path`` and check its header (every ``expected`` column, any of ``optional``);
    yields None (with fatal problems) if it is unusable. ``origin``: how the file came, for
    the advice of a refusal (``textfile.sniff``).

    The encoding comes from ``textfile.sniff`` (UTF-8 with or without BOM, UTF-16 with a BOM),
    the separator from the header row (``DELIMITERS``); a file that is not text is one fatal
    problem naming what it is.
    """
    try:
        raw = open(path, "rb")  # noqa: SIM115 - closed below, after the caller's loop
        size = os.fstat(raw.fileno()).st_size
        head = read_head(raw)
    except OSError as exc:
        raise InvalidInput(os_problem("read", path, exc)) from None
    encoding = _csv_encoding(head, problems, origin)
    if encoding is None:
        raw.close()
        yield None
        return
    handle = io.TextIOWrapper(raw, encoding=encoding.codec, errors="surrogateescape", newline="")
    try:
        delimiter = _delimiter(head, encoding.codec)
        reader = csv.reader(handle, strict=True, delimiter=delimiter)
        header = _read_header(reader, expected, problems)
        checked = _check_header(header, expected, problems, optional)
        if checked is None or header is None:
            yield None
        else:
            columns, keep = checked
            rows = reader if len(keep) == len(header) else _Projected(reader, keep, len(header))
            named = [header[i] for i in keep]
            yield CsvFile(path, handle, rows, named, columns, size, encoding.label, delimiter)
    finally:
        handle.close()


def _csv_encoding(head: bytes, problems: Problems, origin: Origin) -> Encoding | None:
    """The encoding of a file that starts with ``head``, or None with one fatal problem: it is
    not text, or it is a Seller Performance Report (JSON) rather than a CSV."""
    try:
        encoding = sniff(head, want="csv", origin=origin)
    except NotText as exc:
        problems.add(exc.line, "file", exc.message, fatal=True)
        return None
    if looks_like_report(head[:65536].decode(encoding.codec, errors="replace")):
        problems.add(1, "file", REPORT_SENTENCE, fatal=True)
        return None
    return encoding


def _delimiter(head: bytes, codec: str) -> str:
    """The separator of the header row: the candidate it holds most of (a comma on a tie)."""
    text = head[:65536].decode(codec, errors="replace")
    first = text.splitlines()[0] if text else ""
    counts = [(first.count(d), -i, d) for i, d in enumerate(DELIMITERS)]
    return max(counts)[2] if max(counts)[0] else ","


class _Unheaded(list[str]):
    """A row with a value under a column whose header is empty: rejected, with that reason."""

    column = 0  # 0-based index of the first such value


class _Projected:
    """Rows without the columns whose header is empty, while their values are empty too.

    A row that stops before the empty columns at the end (a tool that does not pad) is read as
    if it had them; one with exactly the named columns' count is read as having no empty ones. A
    row with a value under an empty header comes out whole, as ``_Unheaded``, rejected by
    ``reject_width`` with that reason; a row of any other width is rejected for its width.
    """

    def __init__(self, reader: Any, keep: list[int], width: int) -> None:
        self._reader = reader
        self._keep = keep
        self._drop = [i for i in range(width) if i not in set(keep)]
        self._width = width
        self._prefix = keep == list(range(len(keep)))
        self._needed = max(keep) + 1  # a shorter row is missing a named column

    @property
    def line_num(self) -> int:
        return int(self._reader.line_num)

    def __iter__(self) -> _Projected:
        return self

    def __next__(self) -> list[str]:
        row: list[str] = next(self._reader)
        if len(row) != self._width:
            if not self._needed <= len(row) < self._width:
                return row
            row = row + [""] * (self._width - len(row))
        for index in self._drop:
            if row[index]:
                unheaded = _Unheaded(row)
                unheaded.column = index
                return unheaded
        if self._prefix:
            return row[: len(self._keep)]
        return [row[i] for i in self._keep]


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
    if not any(header):
        problems.add(1, "header", f"line 1 is empty; expected a header row {wanted}", fatal=True)
        return None
    return header


def _check_header(
    header: list[str] | None,
    expected: tuple[str, ...],
    problems: Problems,
    optional: tuple[str, ...] = (),
) -> tuple[dict[str, int], list[int]] | None:
    """(column name -> index among the kept columns, the kept columns' indices in the file)."""
    wanted = ", ".join(expected) + "".join(f" [, {name}]" for name in optional)
    if header is None or _not_this_kind(header, expected, optional, wanted, problems):
        return None
    columns: dict[str, int] = {}
    keep: list[int] = []
    for index, name in enumerate(header):
        bad = text_problem(name)
        if bad is not None:
            problems.add(1, "header", f"column {index + 1}: {bad}", fatal=True)
        elif not name.strip():
            continue  # a spreadsheet's empty column: ignored while its values are empty too
        elif name in columns:
            problems.add(1, name, "column appears twice", fatal=True)
        elif name not in expected and name not in optional:
            problems.add(1, name, f"unknown column {shown(name)} (expected {wanted})", fatal=True)
        else:
            columns[name] = len(keep)
        keep.append(index)
    for name in expected:
        if name not in columns:
            problems.add(1, name, f"missing column (expected {wanted}, in any order)", fatal=True)
    return None if problems.fatal else (columns, keep)


def _not_this_kind(
    header: list[str],
    expected: tuple[str, ...],
    optional: tuple[str, ...],
    wanted: str,
    problems: Problems,
) -> bool:
    """True, with one fatal problem, when ``header`` is another kind of file's (one sentence
    naming it, not a problem per column), writes column names with spaces or capitals, or
    names none of the ``expected`` columns."""
    other = wrong_kind(header, expected)
    if other is not None:
        problems.add(1, "file", other, fatal=True)
        return True
    # ``seller_id, store`` (a space after each comma), ``Seller_ID``, ``Seller ID``: one
    # sentence, not an unknown and a missing column for each
    known = expected + optional
    near = [name for name in header if name not in known and _plain(name) in known]
    if near:
        names = ", ".join(shown(name) for name in near)
        which = f"the column names {names} have" if near[1:] else f"the column name {names} has"
        problems.add(
            1, "header", f"{which} spaces or capitals; write them exactly as {wanted}", fatal=True
        )
        return True
    if not set(header) & set(expected):
        found = ", ".join(shown(name) for name in header[:6] if name)
        problems.add(
            1,
            "header",
            f"line 1 names none of the columns {wanted} (found {found}); "
            "the first line must be the header row",
            fatal=True,
        )
        return True
    return False


def _plain(name: str) -> str:
    """A header name as the file format writes it: lower case, ``_`` between words."""
    return "_".join(name.lower().split())


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
    """(line, fields) for every record with the header's width that is not all empty; records
    of another width are reported. A CRLF line break inside a quoted field reads as LF.

    Used by the small imports (sellers, cases); scores run their own loop for speed.
    """
    reader = csv_file.reader
    width = len(csv_file.header)
    last = reader.line_num
    while True:
        try:
            for row in reader:
                line, last = last + 1, reader.line_num
                if not any(row):
                    continue  # a blank line, or a spreadsheet's row of separators
                if len(row) == width and not isinstance(row, _Unheaded):
                    yield line, [_lf(value) for value in row] if last > line else row
                else:
                    reject_width(line, row, width, problems, rejects)
            break
        except csv.Error as exc:
            keep_going = csv_error(exc, last + 1, problems, rejects)
            last = reader.line_num
            if not keep_going:
                break


def _lf(value: str) -> str:
    """CRLF -> LF; a lone CR is kept (and shown escaped): it is not a line break anywhere now."""
    return value.replace("\r\n", "\n") if "\r" in value else value


def reject_width(
    line: int, row: list[str], width: int, problems: Problems, rejects: Rejects
) -> None:
    if isinstance(row, _Unheaded):
        message = (
            f"column {row.column + 1} has no header but holds {shown(row[row.column])}; "
            "name the column or empty it"
        )
    else:
        message = f"expected {width} fields, found {len(row)}"
    problem = problems.add(line, "row", message)
    rejects.write(row, problem.reason)


class Rejects:
    """Counts rejected records and, given a path, writes them to ``FILE.rejects.csv``.

    The file holds each rejected record's fields (header order) plus ``reason``; it is created on
    the first rejected record only, and undecodable bytes are written back as they came.
    """

    def __init__(self, path: Path | None, header: list[str], *, make_folder: bool = False) -> None:
        self.path = path
        #: Create the file's folder, parents too, if missing (``--rejects out/``).
        self.make_folder = make_folder
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
        if self.make_folder:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise InvalidInput(os_problem("create", self.path.parent, exc)) from None
        try:
            self._handle = open(  # noqa: SIM115 - closed in close()
                self.path, "w", encoding="utf-8", errors="surrogateescape", newline=""
            )
        except OSError as exc:
            raise InvalidInput(os_problem("write", self.path, exc)) from None
        self._writer = csv.writer(self._handle)
        self._writer.writerow([*self.header, "reason"])

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None
