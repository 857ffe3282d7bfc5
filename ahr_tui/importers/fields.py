"""The field formats every import shares: days, instants, scores, stores, plans, policy areas.

Each parser returns the value or raises ``FieldError`` whose message is the sentence a user sees
after ``FILE:LINE: column:``. They are strict on purpose: files come from scripts, and a value that
is almost right (``2024-1-5``, ``GB``, a time without an offset) is more often a bug upstream than
a convenience.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime

from ahr_tui.importers.problems import shown
from ahr_tui.rules import BY_CODE, PolicyArea
from ahr_tui.rules.addresses import is_address

PLANS = ("professional", "individual")
SCORE_MIN, SCORE_MAX = 0, 1000

_STORE_HINTS = {"GB": "the United Kingdom is UK"}


class FieldError(ValueError):
    """A field's value is not acceptable; the message says why."""


def text_problem(value: str) -> str | None:
    """Why ``value`` cannot be stored as text: undecodable bytes (with where) or a NUL."""
    if "\x00" in value:
        return f"contains a NUL character at character {value.index(chr(0)) + 1}"
    if value.isascii():
        return None
    for index, ch in enumerate(value):
        if "\udc80" <= ch <= "\udcff":
            return f"not UTF-8: byte 0x{ord(ch) - 0xDC00:02x} at character {index + 1}"
    return None


def check_text(value: str) -> str:
    problem = text_problem(value)
    if problem:
        raise FieldError(problem)
    return value


def check_id(value: str) -> str:
    """A seller id: not empty, no surrounding spaces, decodable."""
    check_text(value)
    if not value:
        raise FieldError("is empty")
    if value != value.strip():
        raise FieldError(f"{shown(value)} has leading or trailing spaces")
    return value


def check_store(value: str) -> str:
    check_text(value)
    if value in BY_CODE:
        return value
    hint = _STORE_HINTS.get(value.upper())
    if hint is None and value.upper() in BY_CODE:
        hint = f"store codes are upper case: {value.upper()}"
    raise FieldError(f"unknown store {shown(value)}" + (f" ({hint})" if hint else ""))


def check_day(value: str) -> date:
    """``YYYY-MM-DD`` exactly (``date.fromisoformat`` alone also takes ``20240105``)."""
    if len(value) == 10 and value[4] == "-" and value[7] == "-" and value.isascii():
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    check_text(value)
    raise FieldError(f"{shown(value)} is not a date (YYYY-MM-DD)")


def check_instant(value: str) -> datetime:
    """ISO-8601 date and time with an offset (``Z`` accepted), returned in UTC."""
    check_text(value)
    text = value.strip()
    parsed: datetime | None = None
    if len(text) > 10 and text[10] in "Tt ":
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError:
            parsed = None
    if parsed is None:
        raise FieldError(f"{shown(value)} is not an ISO-8601 instant (e.g. 2026-03-02T14:30:00Z)")
    if parsed.tzinfo is None:
        raise FieldError(f"{shown(value)} has no UTC offset; add Z or +HH:MM")
    return parsed.astimezone(UTC)


def check_score(value: str) -> int:
    """An integer 0-1000, written with ASCII digits (an optional minus sign reads as range)."""
    digits = value[1:] if value[:1] == "-" else value
    if not (digits and digits.isascii() and digits.isdigit()):
        check_text(value)
        raise FieldError(f"{shown(value)} is not an integer")
    number = int(value)
    if not SCORE_MIN <= number <= SCORE_MAX:
        raise FieldError(f"{number} is out of range ({SCORE_MIN}-{SCORE_MAX})")
    return number


def _enum_key(value: str) -> str:
    """How an enum column's value is looked up: ``Professional `` as typed in a spreadsheet is
    ``professional``; ``Listing Quality`` is ``listing_quality``."""
    return value.strip().casefold().replace(" ", "_")


def check_plan(value: str) -> str:
    """A plan, any case, surrounding spaces ignored; returned as stored (``professional``)."""
    key = _enum_key(value)
    if key in PLANS:
        return key
    check_text(value)
    raise FieldError(f"unknown plan {shown(value)} (professional or individual)")


def check_policy(value: str) -> PolicyArea:
    """A policy area, any case, surrounding spaces ignored."""
    try:
        return PolicyArea(_enum_key(value))
    except ValueError:
        check_text(value)
        known = ", ".join(p.value for p in PolicyArea)
        raise FieldError(f"unknown policy area {shown(value)} (one of {known})") from None


def check_email(value: str) -> str:
    """An e-mail address (``rules.addresses``), surrounding spaces ignored, or ``""`` for none."""
    check_text(value)
    address = value.strip()
    if address and not is_address(address):
        raise FieldError(f"{shown(value)} is not an email address (like name@example.com)")
    return address


def lookup_account(
    seller: str, store: str, accounts: Mapping[tuple[str, str], int], errors: list[tuple[str, str]]
) -> int | None:
    """The account id for (seller, store), or None with the reason appended to ``errors``."""
    for column, check in (("store", check_store), ("seller_id", check_id)):
        try:
            check(store if column == "store" else seller)
        except FieldError as exc:
            errors.append((column, str(exc)))
            return None
    account_id = accounts.get((seller, store))
    if account_id is None:
        errors.append(("seller_id", f"no seller {shown(seller)} in store {store}"))
    return account_id
