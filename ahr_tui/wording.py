"""How numbers of things and instants are written in text for people (DESIGN.md section 5).

One place, so every command says ``1 case`` / ``3 cases`` (never ``case(s)``) and shows an instant
as ``2026-11-29T14:30:05Z`` (UTC, to the second). JSON output keeps its own full-precision form
(``service.case_view.iso_z``). Standard library only: the CLI, the store's messages and the TUI
may all use it.
"""

from __future__ import annotations

from datetime import UTC, datetime

#: Nouns whose plural is not the noun plus ``s``.
_IRREGULAR = {"entry": "entries", "policy": "policies", "reply": "replies", "match": "matches"}


def count(number: int, noun: str) -> str:
    """``count(1, "case")`` is ``1 case``; ``count(2, "deadline warning")`` is
    ``2 deadline warnings`` (the last word takes the plural)."""
    if number == 1:
        return f"1 {noun}"
    head, _, last = noun.rpartition(" ")
    plural = _IRREGULAR.get(last, last + "s")
    return f"{number:,} {head + ' ' if head else ''}{plural}"


def instant(value: datetime | None, missing: str = "-") -> str:
    """An instant in text output: ``2026-11-29T14:30:05Z`` (UTC, fractions of a second dropped);
    ``missing`` when there is none. A naive datetime is taken as UTC."""
    if value is None:
        return missing
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    elif value.tzinfo is not UTC:
        value = value.astimezone(UTC)
    # isoformat is several times cheaper than strftime (a forecast writes 20,000 instants)
    return value.replace(tzinfo=None).isoformat(timespec="seconds") + "Z"
