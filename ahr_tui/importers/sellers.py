"""Seller accounts from ``seller_id,store,name,plan,emergency_phone,email``.

Phones are stored as given (an invalid phone is a fact about the seller that eligibility reports,
not an import error); an e-mail address must be one (``rules.addresses``); an empty phone or
address is stored as missing. A plan is read in any case (``Professional``) and stored as
``professional``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import NamedTuple

from ahr_tui.importers.csvfile import CsvFile, Rejects, records
from ahr_tui.importers.fields import (
    FieldError,
    check_email,
    check_id,
    check_plan,
    check_store,
    check_text,
)
from ahr_tui.importers.kinds import SELLERS
from ahr_tui.importers.problems import Problems, shown

COLUMNS = SELLERS.required
BATCH_ROWS = 5_000


class SellerRecord(NamedTuple):
    line: int
    seller_id: str
    store: str
    name: str
    plan: str
    emergency_phone: str | None
    email: str | None


def read_sellers(
    csv_file: CsvFile, problems: Problems, rejects: Rejects, *, size: int = BATCH_ROWS
) -> Iterator[list[SellerRecord]]:
    """Valid records in batches; a (seller_id, store) seen before in the file is a problem."""
    cols = csv_file.columns
    seen: set[tuple[str, str]] = set()
    batch: list[SellerRecord] = []
    for line, row in records(csv_file, problems, rejects):
        values = {name: row[cols[name]] for name in COLUMNS}
        errors = _check(values)
        key = (values["seller_id"], values["store"])
        if not errors and key in seen:
            errors.append(
                (
                    "seller_id",
                    f"duplicate: seller {shown(key[0])} in {key[1]} appears earlier in this file",
                )
            )
        if errors:
            reasons = [problems.add(line, column, message).reason for column, message in errors]
            rejects.write(row, "; ".join(reasons))
            continue
        seen.add(key)
        batch.append(
            SellerRecord(
                line,
                key[0],
                key[1],
                values["name"],
                values["plan"],
                values["emergency_phone"] or None,
                values["email"] or None,
            )
        )
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _check(values: dict[str, str]) -> list[tuple[str, str]]:
    """The problems of a row, as (column, message); ``values`` are replaced by the checked values
    (the plan as stored, the address without surrounding spaces)."""
    errors: list[tuple[str, str]] = []
    checks = (
        ("seller_id", check_id),
        ("store", check_store),
        ("name", check_text),
        ("plan", check_plan),
        ("emergency_phone", check_text),
        ("email", check_email),
    )
    for column, check in checks:
        try:
            values[column] = check(values[column])
        except FieldError as exc:
            errors.append((column, str(exc)))
    if not values["name"].strip() and not any(c == "name" for c, _ in errors):
        errors.append(("name", "is empty"))
    return errors
