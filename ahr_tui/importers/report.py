"""The marketplace's Seller Performance Report (GET_V2_SELLER_PERFORMANCE_REPORT, JSON).

Parsed leniently, as domain.md section 3.3 advises: every metric is optional, unknown keys are
ignored, unknown status strings are kept verbatim, an unknown marketplace id is noted and skipped.
What is taken from each ``performanceMetrics`` entry whose marketplace maps to a store:
``accountHealthRating.ahrScore`` (not in the official schema; live reports carry it, so it is
optional) as the score for the day, the AHR status verbatim, and that store's ``accountStatuses``
entry. Problems are located by JSON pointer.

The same rules for every field, whichever tool wrote the file:

- the file is UTF-8 (BOM or not) or UTF-16 with a BOM (PowerShell 5's ``>``); anything else is
  one sentence naming what it is (``textfile.sniff``);
- a report may cover several stores (the North America and Europe reports do): the stores the
  seller is tracked in are imported, the others are noted and skipped; a seller tracked in none
  of them is a problem (the wrong ``--seller`` or the wrong file);
- the score is a whole number 0-1000, written as a JSON number (``428``, ``428.0``) or as a
  string holding one (``"428"``, ``"428.0"``, as some ERP exports write it); the summary says
  when it was read from a string;
- the AHR status is ``ahrStatus`` or the schema's own name ``accountHealthRatingStatus``; both
  with different values is a problem;
- values are echoed in messages as JSON (``true``, ``null``, ``"x"``), never as Python.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, NamedTuple

from ahr_tui.errors import InvalidInput
from ahr_tui.importers.fields import SCORE_MAX, SCORE_MIN
from ahr_tui.importers.kinds import csv_instead_of_report
from ahr_tui.importers.problems import Problem, Problems, shown
from ahr_tui.importers.textfile import HEAD_BYTES, NotText, Origin, sniff
from ahr_tui.rules import BY_MARKETPLACE_ID
from ahr_tui.rules.stores import StoreInfo
from ahr_tui.wording import os_problem

REJECT_COLUMNS = ["pointer", "marketplaceId"]


class ReportEntry(NamedTuple):
    pointer: str
    marketplace_id: str
    store: str
    account_id: int
    score: int | None
    day: date | None
    ahr_status: str | None
    account_status: str | None
    #: The score as the file wrote it when that was a string (``"428.0"``), for the summary.
    score_text: str | None = None


class Rejected(NamedTuple):
    pointer: str
    marketplace_id: str
    reason: str


class Report(NamedTuple):
    entries: list[ReportEntry]
    rejected: list[Rejected]
    #: Store codes the report covers where the seller is not tracked (noted, skipped).
    untracked: list[str]


def load_json(path: Path, problems: Problems, *, origin: Origin = Origin()) -> Any:
    """The parsed document, or None with a fatal problem (empty, not UTF-8, not JSON).
    ``origin``: how the file came, for the advice of a refusal (``textfile.sniff``)."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InvalidInput(os_problem("read", path, exc)) from None
    if not raw.strip():
        problems.add(
            1, "file", "the file is empty; expected a Seller Performance Report (JSON)", fatal=True
        )
        return None
    try:
        encoding = sniff(raw[:HEAD_BYTES], want="json", origin=origin)
        text = raw.decode(encoding.codec)
    except NotText as exc:
        problems.add(exc.line, "file", exc.message, fatal=True)
        return None
    except UnicodeDecodeError as exc:  # past the sniffed head
        line = raw.count(b"\n", 0, exc.start) + 1
        problems.add(
            line,
            "file",
            f"not {encoding.label}: byte 0x{raw[exc.start]:02x} on this line; "
            "save the report as UTF-8 JSON",
            fatal=True,
        )
        return None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        other = csv_instead_of_report(text)
        if other is not None:  # a CSV import file: say which command takes it
            problems.add(1, "file", other, fatal=True)
        else:
            problems.add(exc.lineno, "json", f"not JSON: {exc.msg} (column {exc.colno})",
                         fatal=True)
        return None
    except RecursionError:
        problems.add(1, "json", "not JSON this program can read: nested too deeply", fatal=True)
        return None


def read_report(
    document: Any,
    *,
    seller_id: str,
    day: date | None,
    accounts: Mapping[tuple[str, str], int],
    problems: Problems,
) -> Report:
    """The entries to record for ``seller_id``; problems and notes go to ``problems``."""
    report = Report([], [], [])
    metrics = _metrics(document, problems)
    if metrics is None:
        return report
    reader = _EntryReader(seller_id, day, accounts, problems)
    reader.statuses = _account_statuses(document.get("accountStatuses"), problems)
    for index, entry in enumerate(metrics):
        reader.read(entry, f"/performanceMetrics/{index}", report)
    report.untracked.extend(u.store for u in reader.untracked)
    if reader.untracked and not report.entries and not report.rejected:
        problems.add(
            "/performanceMetrics",
            "marketplaceId",
            f"seller {shown(seller_id)} is tracked in none of this report's stores "
            f"({', '.join(report.untracked)}); check --seller",
            fatal=True,
        )
        return report
    for untracked in reader.untracked:
        message = f"seller {shown(seller_id)} is not tracked in store {untracked.store}; skipped"
        problems.note(untracked.pointer, "marketplaceId", message)
    return report


def _metrics(document: Any, problems: Problems) -> list[Any] | None:
    """The report's ``performanceMetrics`` entries; None, with a fatal problem, when the
    document is no Seller Performance Report."""
    if not isinstance(document, dict):
        found = _kind(document)
        problems.add(1, "json", f"expected an object with performanceMetrics, found {found}",
                     fatal=True)
        return None
    metrics = document.get("performanceMetrics")
    if isinstance(metrics, list) and metrics:
        return metrics
    found = "missing" if metrics is None else f"{_kind(metrics)}, not a list of entries"
    if isinstance(metrics, list):
        found = "an empty list"
    problems.add("/performanceMetrics", "performanceMetrics",
                 f"{found}: this is not a Seller Performance Report", fatal=True)
    return None


class _Untracked(NamedTuple):
    """A store the report covers where the seller is not tracked."""

    pointer: str  # of the entry's marketplaceId
    store: str


class _Rating(NamedTuple):
    """What ``accountHealthRating`` gives: the score, its day, the AHR status (each optional)."""

    score: int | None
    day: date | None
    ahr_status: str | None


class _EntryReader:
    """Reads one ``performanceMetrics`` entry at a time, keeping the errors of the current one."""

    def __init__(
        self,
        seller_id: str,
        day: date | None,
        accounts: Mapping[tuple[str, str], int],
        problems: Problems,
    ) -> None:
        self.seller_id = seller_id
        self.day = day
        self.accounts = accounts
        self.problems = problems
        self.statuses: dict[str, str] = {}
        self.first_seen: dict[str, str] = {}
        self.errors: list[Problem] = []
        self.untracked: list[_Untracked] = []
        self.score_text: str | None = None

    def fail(self, pointer: str, column: str, message: str) -> None:
        self.errors.append(self.problems.add(pointer, column, message))

    def read(self, entry: Any, pointer: str, report: Report) -> None:
        """Adds the entry at ``pointer`` to ``report``: to record, rejected, or neither
        (skipped, with a note)."""
        self.errors = []
        parsed = self.entry(entry, pointer)
        if self.errors:
            mid = entry.get("marketplaceId") if isinstance(entry, dict) else None
            reasons = "; ".join(p.reason for p in self.errors)
            report.rejected.append(Rejected(pointer, mid if isinstance(mid, str) else "", reasons))
        elif parsed is not None:
            report.entries.append(parsed)

    def entry(self, entry: Any, pointer: str) -> ReportEntry | None:
        if not isinstance(entry, dict):
            self.fail(
                pointer, pointer.rsplit("/", 1)[1], f"expected an object, found {_kind(entry)}"
            )
            return None
        store = self.store(entry.get("marketplaceId"), pointer)
        if store is None:
            return None
        account_id = self.accounts.get((self.seller_id, store.code))
        if account_id is None:
            self.untracked.append(_Untracked(f"{pointer}/marketplaceId", store.code))
            return None
        self.score_text = None
        rating = self.rating(entry.get("accountHealthRating"), f"{pointer}/accountHealthRating")
        if rating is None:
            return None
        return ReportEntry(
            pointer, store.marketplace_id, store.code, account_id, rating.score, rating.day,
            rating.ahr_status, self.statuses.get(store.marketplace_id),
            self.score_text if rating.score is not None else None,
        )

    def store(self, mid: Any, pointer: str) -> StoreInfo | None:
        """The store of the entry's ``marketplaceId``; None when it is malformed or repeated
        (an error) or unknown (a note: skipped)."""
        where = f"{pointer}/marketplaceId"
        if not isinstance(mid, str):
            found = "missing" if mid is None else f"expected a string, found {_kind(mid)}"
            self.fail(where, "marketplaceId", found)
            return None
        store = BY_MARKETPLACE_ID.get(mid)
        if store is None:
            self.problems.note(
                where, "marketplaceId", f"unknown marketplace id {shown(mid)}; skipped"
            )
            return None
        if mid in self.first_seen:
            also = self.first_seen[mid]
            self.fail(where, "marketplaceId", f"duplicate: {mid} ({store.code}) is also at {also}")
            return None
        self.first_seen[mid] = pointer
        return store

    def rating(self, rating: Any, pointer: str) -> _Rating | None:
        """The score, its day and ahrStatus from ``accountHealthRating``; None if it is
        malformed."""
        if rating is None:
            return _Rating(None, None, None)
        if not isinstance(rating, dict):
            self.fail(pointer, "accountHealthRating", f"expected an object, found {_kind(rating)}")
            return None
        before = len(self.errors)
        status = self.ahr_status(rating, pointer)
        score = self.score(rating.get("ahrScore"), f"{pointer}/ahrScore")
        day = self.day
        if score is not None and day is None:
            day = self.reporting_day(rating, f"{pointer}/reportingDateRange/reportingDateTo")
        if len(self.errors) > before:
            return None
        return _Rating(score, day if score is not None else None, status)

    def ahr_status(self, rating: dict[str, Any], pointer: str) -> str | None:
        """``ahrStatus``, or the schema's ``accountHealthRatingStatus``; both must agree."""
        found: dict[str, str] = {}
        for name in _STATUS_NAMES:
            value = rating.get(name)
            if value is None:
                continue
            if isinstance(value, str):
                found[name] = value
            else:
                self.fail(f"{pointer}/{name}", name, f"expected a string, found {_json(value)}")
        if len(set(found.values())) > 1:
            first, second = _STATUS_NAMES
            self.fail(
                f"{pointer}/{second}",
                second,
                f"{_json(found[second])} disagrees with {first} {_json(found[first])}",
            )
            return None
        return next(iter(found.values()), None)

    def score(self, value: Any, pointer: str) -> int | None:
        """The score, or None when absent or malformed (reported)."""
        if value is None:
            return None
        number = _number(value)
        if number is None or number != number.to_integral_value():
            self.fail(pointer, "ahrScore", f"{_json(value)} is not a whole number")
            return None
        if not SCORE_MIN <= number <= SCORE_MAX:
            self.fail(
                pointer, "ahrScore", f"{_json(value)} is out of range ({SCORE_MIN}-{SCORE_MAX})"
            )
            return None
        if isinstance(value, str):
            self.score_text = value
        return int(number)

    def reporting_day(self, rating: dict[str, Any], where: str) -> date | None:
        """The UTC date of ``reportingDateRange.reportingDateTo`` (the default for ``--date``)."""
        span = rating.get("reportingDateRange")
        value = span.get("reportingDateTo") if isinstance(span, dict) else None
        if not isinstance(value, str):
            self.fail(where, "reportingDateTo", "missing, so the score has no day; give --date")
            return None
        try:
            instant = datetime.fromisoformat(value)
        except ValueError:
            self.fail(
                where, "reportingDateTo", f"{shown(value)} is not an ISO-8601 instant; give --date"
            )
            return None
        if instant.tzinfo is None:  # the schema's instants are UTC ("2020-11-18T23:59Z")
            instant = instant.replace(tzinfo=UTC)
        return instant.astimezone(UTC).date()


_STATUS_NAMES = ("ahrStatus", "accountHealthRatingStatus")
_NUMBER = re.compile(r"-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?")


def _number(value: Any) -> Decimal | None:
    """A JSON number, or a string spelling one (``"428.0"``), exactly; None for anything else."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        return Decimal(value) if _NUMBER.fullmatch(value) else None
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float) and math.isfinite(value):
        return Decimal(repr(value))
    return None


def _json(value: Any) -> str:
    """A file's value as the file wrote it (``true``, ``null``, ``"428.5"``), shortened."""
    return shown(json.dumps(value, ensure_ascii=False))[1:-1]


def _account_statuses(value: Any, problems: Problems) -> dict[str, str]:
    """marketplaceId -> status string (verbatim: SUSPENDED and other unknowns are kept)."""
    statuses: dict[str, str] = {}
    if value is None:
        return statuses
    if not isinstance(value, list):
        problems.add(
            "/accountStatuses", "accountStatuses", f"expected a list, found {_kind(value)}"
        )
        return statuses
    for index, item in enumerate(value):
        pointer = f"/accountStatuses/{index}"
        mid = item.get("marketplaceId") if isinstance(item, dict) else None
        status = item.get("status") if isinstance(item, dict) else None
        if not isinstance(mid, str) or not isinstance(status, str):
            problems.add(
                pointer,
                "accountStatuses",
                "expected an object with string marketplaceId and status",
            )
        elif mid not in BY_MARKETPLACE_ID:
            problems.note(
                f"{pointer}/marketplaceId",
                "marketplaceId",
                f"unknown marketplace id {shown(mid)}; skipped",
            )
        else:
            statuses[mid] = status
    return statuses


def _kind(value: Any) -> str:
    if value is None or isinstance(value, bool):
        return json.dumps(value)  # null, true, false: as the file wrote them
    names = {dict: "an object", list: "a list", str: "a string"}
    return names.get(type(value), "a number")
