"""72-hour cases from ``seller_id,store,policy,contacted_at,summary``.

This module only checks the file: formats, known accounts, no key twice, no contact in the
future. Whether a case may open at all is the rules' decision, taken by the service for each
record (the account must be enrolled and active).
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
from ahr_tui.importers.problems import Problems, shown
from ahr_tui.rules import PolicyArea

COLUMNS = ("seller_id", "store", "policy", "contacted_at", "summary")
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
    contacted_at: datetime
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
        errors: list[tuple[str, str]] = []
        account_id = lookup_account(values["seller_id"], values["store"], accounts, errors)
        policy = _field(check_policy, values, "policy", errors)
        contacted_at = _field(check_instant, values, "contacted_at", errors)
        _field(check_text, values, "summary", errors)
        if contacted_at is not None and contacted_at > now + FUTURE_TOLERANCE:
            errors.append(("contacted_at", f"{shown(values['contacted_at'])} is in the future"))
        if not errors:
            assert account_id is not None and policy is not None and contacted_at is not None
            key = (account_id, policy, contacted_at)
            if key in seen:
                errors.append(
                    (
                        "contacted_at",
                        "duplicate: the same seller, store, policy and "
                        "contact time appear earlier in this file",
                    )
                )
            seen.add(key)
        if errors:
            reasons = [problems.add(line, column, message).reason for column, message in errors]
            rejects.write(row, "; ".join(reasons))
            continue
        assert account_id is not None and policy is not None and contacted_at is not None
        yield CaseRecord(
            line,
            row,
            account_id,
            values["seller_id"],
            values["store"],
            policy,
            contacted_at,
            values["summary"],
        )


def _field(
    check: Callable[[str], T], values: dict[str, str], column: str, errors: list[tuple[str, str]]
) -> T | None:
    try:
        return check(values[column])
    except FieldError as exc:
        errors.append((column, str(exc)))
        return None
