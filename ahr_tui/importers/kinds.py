"""What kind of file an import was given, from its first line: one sentence for a wrong command.

``ahr import scores`` given a sellers file used to report every column as unknown or missing (six
problems for one mistake), and ``ahr import report`` given a CSV said "not JSON". Each kind's
columns live here, once (``sellers``, ``scores`` and ``cases`` read theirs from here), so that
``csvfile`` can tell a header that is another kind's from a header with a typo, and say which
command takes the file. Lists that ahr itself exports (``ahr cases --csv``, the app's ``e``) are
recognised too: they are not import files. No database access, no I/O.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class FileKind:
    """A kind of CSV file: the ``ahr import`` subcommand that takes it (None: an export of ahr,
    not an import file), what it is called in a sentence, and its columns."""

    command: str | None
    called: str
    required: tuple[str, ...]
    optional: tuple[str, ...] = ()

    @property
    def columns(self) -> frozenset[str]:
        return frozenset(self.required + self.optional)

    @property
    def own(self) -> frozenset[str]:
        """The columns that say this kind (every kind has seller_id and store)."""
        return self.columns - SHARED

    def header_text(self) -> str:
        return ", ".join(self.required) + "".join(f" [, {name}]" for name in self.optional)


SHARED = frozenset({"seller_id", "store"})

SELLERS = FileKind(
    "sellers", "a sellers file", ("seller_id", "store", "name", "plan", "emergency_phone", "email")
)
SCORES = FileKind("scores", "a scores file", ("seller_id", "store", "date", "score"))
CASES = FileKind(
    "cases", "a cases file", ("seller_id", "store", "policy", "contacted_at", "summary"),
    ("detected_at",),
)
#: What ``ahr cases --csv`` and the app's ``e`` on the Cases view write
#: (``service.case_view.CASE_LIST_KEYS``; tests/test_import_kinds.py keeps them equal); lists
#: exported before ``urgency`` was added lack it.
CASES_EXPORT = FileKind(
    None, "a list of cases exported by ahr (`ahr cases --csv` or the app's e)",
    ("id", "seller_id", "store", "name", "policy", "summary", "status", "detected_at",
     "contact_due", "contacted_at", "deadline", "reached_at", "attempts", "responded_at",
     "assignee", "closed_at", "outcome_note", "version"),
    ("urgency",),
)
#: What the app's ``e`` on the Accounts view writes (``service.account_list.CSV_COLUMNS``).
ACCOUNTS_EXPORT = FileKind(
    None, "a list of accounts exported by the app (e on the Accounts view)",
    ("seller_id", "store", "name", "plan", "ahr", "ahr_day", "band", "days_below",
     "days_missing", "enrollment", "status", "phone"),
)
IMPORTS = (SELLERS, SCORES, CASES)
KINDS = (*IMPORTS, CASES_EXPORT, ACCOUNTS_EXPORT)


def kind_of(header: Sequence[str]) -> FileKind | None:
    """The kind whose columns a header names: every column one of that kind's (in any order,
    empty names ignored), at least one of its own and every one of its required columns but at
    most one; None when no kind fits (a typo in the right kind's header, an unrelated file)."""
    names = {name.strip() for name in header if name.strip()}
    for kind in sorted(KINDS, key=lambda k: -len(k.columns)):  # exports before what they hold
        if names <= kind.columns and names & kind.own and len(set(kind.required) - names) <= 1:
            return kind
    return None


def wrong_kind(header: Sequence[str], expected: tuple[str, ...]) -> str | None:
    """The sentence for a CSV header that is another kind's than the command's (``expected``:
    the command's required columns), e.g. ``this looks like a sellers file, not a scores
    file; use `ahr import sellers` for it``; None when it is the command's kind or none known."""
    wanted = next((k for k in IMPORTS if k.required == expected), None)
    found = kind_of(header)
    if wanted is None or found is None or found == wanted:
        return None
    if found.command is None:
        return (
            f"this looks like {found.called}, not a file to import; `ahr import "
            f"{wanted.command}` takes the columns {wanted.header_text()}"
        )
    return (
        f"this looks like {found.called} ({found.header_text()}), not {wanted.called}; "
        f"use `ahr import {found.command}` for it"
    )


#: Keys of a Seller Performance Report (the object ``ahr import report`` reads).
_REPORT_KEYS = ('"performanceMetrics"', '"accountStatuses"', '"accountHealthRating"')


def looks_like_report(head: str) -> bool:
    """Whether the start of a file is a JSON object with a Seller Performance Report's keys."""
    text = head.lstrip("\ufeff \t\r\n")
    return text.startswith("{") and any(key in text for key in _REPORT_KEYS)


REPORT_SENTENCE = (
    "this looks like a Seller Performance Report (JSON), not a CSV file; use "
    "`ahr import report FILE --seller ID` for it"
)


def csv_instead_of_report(text: str) -> str | None:
    """For ``ahr import report`` given a file that is not JSON: the sentence naming the CSV
    kind its first line is the header of (``use `ahr import scores` for it``), else None."""
    first = text.lstrip("\ufeff").split("\n", 1)[0].strip()
    if not first or first.startswith(("{", "[")):
        return None
    try:
        json.loads(first)
        return None  # a JSON value on its own line: the JSON error says more
    except ValueError:
        pass
    delimiter = max((",", ";", "\t", "|"), key=first.count)
    found = kind_of([name.strip().strip('"') for name in first.split(delimiter)])
    if found is None:
        return None
    if found.command is None:
        return f"this looks like {found.called}, not a Seller Performance Report (JSON)"
    return (
        f"this looks like {found.called} (CSV), not a Seller Performance Report (JSON); use "
        f"`ahr import {found.command}` for it"
    )
