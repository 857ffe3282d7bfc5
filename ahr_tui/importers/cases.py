"""72-hour cases from ``seller_id,store,policy,contacted_at,summary[,detected_at]``.

This module only checks the file: formats, known accounts, no key twice, no time in the future.
A row with a ``contacted_at`` is a case whose seller was contacted then (detected at
``detected_at`` when the optional column gives one, else at the contact); a row with an empty
``contacted_at`` and a ``detected_at`` is a case found and not yet contacted (``detected``).
Whether a case may open or be detected at all is the rules' decision, taken by the service for
each record (the account must be enrolled and active).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from datetime import datetime, timedelta
from typing import NamedTuple, TypeVar

from ahr_tui.importers.csvfile import CsvFile, Rejects, records
from ahr_tui.importers.fields import (
    FieldError,
    check_instant,
    check_policy,
    check_text,
    lookup_account,
)
from ahr_tui.importers.kinds import CASES
from ahr_tui.importers.problems import Problems, shown
from ahr_tui.rules import PolicyArea

COLUMNS = CASES.required
#: Columns a file may add; an absent one reads as empty on every row.
OPTIONAL = CASES.optional
#: A contact time may run this far ahead of the clock (hosts' clocks differ a little).
FUTURE_TOLERANCE = timedelta(minutes=5)

T = TypeVar("T")


class CaseRecord(NamedTuple):
    line: int
    row: list[str]
    account_id: int
    seller_id: str
    store: str
    policy: PolicyArea
    #: None: the seller has not been contacted yet (a detected case).
    contacted_at: datetime | None
    #: When the policy issue was found (the contact itself when the file gives no detection).
    detected_at: datetime
    summary: str


def read_cases(
    csv_file: CsvFile,
    accounts: Mapping[tuple[str, str], int],
    problems: Problems,
    rejects: Rejects,
    *,
    now: datetime,
) -> Iterator[CaseRecord]:
    """Valid records one at a time; every problem in a row is reported."""
    cols = csv_file.columns
    seen: set[tuple[int, PolicyArea, datetime]] = set()
    for line, row in records(csv_file, problems, rejects):
        values = {name: row[cols[name]] for name in COLUMNS}
        values.update({name: row[cols[name]] if name in cols else "" for name in OPTIONAL})
        errors: list[tuple[str, str]] = []
        account_id = lookup_account(values["seller_id"], values["store"], accounts, errors)
        policy = _field(check_policy, values, "policy", errors)
        contacted_at, detected_at = _times(values, errors, now)
        _field(check_text, values, "summary", errors)
        if not errors:
            assert account_id is not None and policy is not None and detected_at is not None
            key = (account_id, policy, detected_at)
            if key in seen:
                column = "detected_at" if values["detected_at"] else "contacted_at"
                errors.append((column, "duplicate: the same seller, store, policy and "
                                       "detection time appear earlier in this file"))
            seen.add(key)
        if errors:
            reasons = [problems.add(line, column, message).reason for column, message in errors]
            rejects.write(row, "; ".join(reasons))
            continue
        assert account_id is not None and policy is not None and detected_at is not None
        yield CaseRecord(line, row, account_id, values["seller_id"], values["store"], policy,
                         contacted_at, detected_at, values["summary"])


def _times(
    values: dict[str, str], errors: list[tuple[str, str]], now: datetime
) -> tuple[datetime | None, datetime | None]:
    """(contacted_at, detected_at) of a row; an empty ``contacted_at`` needs a ``detected_at``."""
    if not values["contacted_at"] and not values["detected_at"]:
        errors.append(("contacted_at", "is empty; give the contact time, or a detected_at for a "
                                       "case not contacted yet"))
        return None, None
    contacted = _instant(values, "contacted_at", errors)
    detected = _instant(values, "detected_at", errors) or contacted
    for column, value in (("contacted_at", contacted), ("detected_at", detected)):
        if value is not None and value > now + FUTURE_TOLERANCE and values[column]:
            errors.append((column, f"{shown(values[column])} is in the future"))
    if contacted is not None and detected is not None and detected > contacted:
        errors.append(("detected_at", f"{shown(values['detected_at'])} is after contacted_at "
                                      "(a case is found before its seller is contacted)"))
    return contacted, detected


def _instant(values: dict[str, str], column: str, errors: list[tuple[str, str]]) -> datetime | None:
    """The column's instant; None when it is empty (or wrong: the error is recorded)."""
    return _field(check_instant, values, column, errors) if values[column] else None


def _field(
    check: Callable[[str], T], values: dict[str, str], column: str, errors: list[tuple[str, str]]
) -> T | None:
    try:
        return check(values[column])
    except FieldError as exc:
        errors.append((column, str(exc)))
        return None
