"""The filters' test, one for the Cases and the Accounts views: the needle, trimmed and
case-folded (``str.casefold``), is a substring of a field's text, case-folded too.

``case_list`` (the Cases filter and its note, ``matched_by``) and ``account_list`` (the
Accounts filter's note, ``matched_fields``) each name their fields in a table of (name the app
gives the field, how to read it from a row) and ask here which of them a needle matched, so the
two notes fold and test alike. (The Accounts list itself is filtered by the database,
``store.account_list``, on far more rows than a note reads.)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import TypeVar

Row = TypeVar("Row")

#: A filter's fields: (the name the app gives the field, how to read its text from a row).
FilterFields = Sequence[tuple[str, Callable[[Row], str]]]


def fold_needle(needle: str) -> str:
    """``needle`` as the filters test it: trimmed, then case-folded ("" tests nothing)."""
    return needle.strip().casefold()


def contains(folded: str, text: str) -> bool:
    """Whether ``text`` holds ``folded`` (a ``fold_needle``), case-insensitive."""
    return folded in text.casefold()


def fields_matched(fields: FilterFields[Row], rows: Iterable[Row], needle: str) -> list[str]:
    """The names of ``fields`` (in that order) that ``needle`` matched in at least one of
    ``rows``; [] for a blank needle. Stops reading rows once every field has matched."""
    folded = fold_needle(needle)
    if not folded:
        return []
    found: set[str] = set()
    for row in rows:
        found.update(name for name, read in fields
                     if name not in found and contains(folded, read(row)))
        if len(found) == len(fields):
            break
    return [name for name, _read in fields if name in found]
