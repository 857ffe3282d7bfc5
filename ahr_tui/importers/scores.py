"""Daily AHR scores from ``seller_id,store,date,score``: the import that must be fast.

A million-row file has to load in about twice the time sqlite3's own ``.import`` takes, so the
per-row path is three dictionary lookups and one byte test; a row only gets the full, explaining
validation when one of those fails. Three caches make that possible:

- ``accounts`` maps (seller_id, store) to the account id (loaded by the service up front);
- ``days`` maps each valid day string to a bytearray indexed by account id, which is both the
  date check and the duplicate-key check: memory is (distinct days x accounts) bytes, whatever
  the number of rows;
- ``scores`` maps each valid score string to its integer.

Rows come out in batches of ``(account_id, 'YYYY-MM-DD', score)`` for ``store.bulk``.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator, Mapping
from datetime import date
from itertools import islice

from ahr_tui.importers.csvfile import CsvFile, Rejects, csv_error, reject_width
from ahr_tui.importers.fields import FieldError, check_day, check_score, lookup_account
from ahr_tui.importers.kinds import SCORES
from ahr_tui.importers.problems import Problems, shown

COLUMNS = SCORES.required
BATCH_ROWS = 50_000
_SCORE_CACHE_LIMIT = 4096

ScoreRow = tuple[int, str, int]


class ScoreReader:
    """Validates a scores file against the known accounts; see the module docstring."""

    def __init__(
        self,
        csv_file: CsvFile,
        accounts: Mapping[tuple[str, str], int],
        problems: Problems,
        rejects: Rejects,
        *,
        latest: date | None = None,
    ) -> None:
        """``latest``: the last day a score can be for (today, UTC); a later one is refused."""
        self.csv = csv_file
        self.latest = latest
        self.accounts = accounts
        self.problems = problems
        self.rejects = rejects
        self.days: dict[str, bytearray] = {}
        self.scores: dict[str, int] = {}
        self.valid = 0
        self._slots = max(accounts.values(), default=0) + 1

    def batches(self, size: int | None = None) -> Iterator[list[ScoreRow]]:
        """Valid rows, at most ``size`` (default ``BATCH_ROWS``) at a time; problems and rejects
        are recorded as met."""
        size = size or BATCH_ROWS
        reader = self.csv.reader
        while True:
            start = reader.line_num
            batch: list[ScoreRow] = []
            keep_going = self._read(islice(reader, size), batch)
            self.valid += len(batch)
            if batch:
                yield batch
            if not keep_going or reader.line_num == start:
                break

    def _read(self, rows: Iterator[list[str]], batch: list[ScoreRow]) -> bool:
        """The hot loop: append valid rows to ``batch``; False when reading must stop."""
        reader = self.csv.reader
        i_seller, i_store, i_day, i_score = (self.csv.columns[c] for c in COLUMNS)
        width = len(self.csv.header)
        account, seen_on, value_of = self.accounts.get, self.days.get, self.scores.get
        append = batch.append
        last = reader.line_num
        try:
            for row in rows:
                if len(row) == width:
                    day = row[i_day]
                    aid = account((row[i_seller], row[i_store]))
                    seen = seen_on(day)
                    score = value_of(row[i_score])
                    if aid is not None and seen is not None and score is not None and not seen[aid]:
                        seen[aid] = 1
                        append((aid, day, score))
                        last = reader.line_num
                        continue
                if any(row):  # not a blank line or a spreadsheet's row of separators
                    checked = self._check(last + 1, row, width)
                    if checked is not None:
                        append(checked)
                last = reader.line_num
        except csv.Error as exc:
            return csv_error(exc, last + 1, self.problems, self.rejects)
        return True

    def _check(self, line: int, row: list[str], width: int) -> ScoreRow | None:
        """The full validation of a row the fast path did not accept: every problem reported."""
        if len(row) != width:
            reject_width(line, row, width, self.problems, self.rejects)
            return None
        cols = self.csv.columns
        seller, store, day = row[cols["seller_id"]], row[cols["store"]], row[cols["date"]]
        errors: list[tuple[str, str]] = []
        aid = lookup_account(seller, store, self.accounts, errors)
        try:
            if self.latest is not None and check_day(day) > self.latest:
                errors.append(("date", f"{day} is in the future (today is "
                                       f"{self.latest.isoformat()} UTC)"))
        except FieldError as exc:
            errors.append(("date", str(exc)))
        try:
            score = check_score(row[cols["score"]])
        except FieldError as exc:
            errors.append(("score", str(exc)))
        seen = self.days.get(day)
        if not errors and aid is not None and seen is not None and seen[aid]:
            errors.append(
                (
                    "date",
                    f"duplicate: seller {shown(seller)} in {store} already has a score "
                    f"for {day} earlier in this file",
                )
            )
        if errors or aid is None:
            reasons = [
                self.problems.add(line, column, message).reason for column, message in errors
            ]
            self.rejects.write(row, "; ".join(reasons))
            return None
        if seen is None:
            seen = self.days[day] = bytearray(self._slots)
        seen[aid] = 1
        if len(self.scores) < _SCORE_CACHE_LIMIT:
            self.scores[row[cols["score"]]] = score
        return (aid, day, score)
