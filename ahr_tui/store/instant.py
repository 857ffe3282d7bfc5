"""Stored instants back to aware UTC datetimes (standard library only)."""

from __future__ import annotations

from datetime import UTC, datetime


def instant(value: object) -> datetime | None:
    """A stored instant (naive UTC, or SQLite's text of it) as an aware UTC datetime."""
    if value is None:
        return None
    if isinstance(value, str):  # raw SQLite text
        value = datetime.fromisoformat(value)
    if not isinstance(value, datetime):
        raise TypeError(f"expected a stored instant, got {value!r}")
    return value.replace(tzinfo=UTC)
