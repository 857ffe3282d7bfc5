"""Stored instants back to aware UTC datetimes (standard library only)."""

from __future__ import annotations

from datetime import UTC, datetime

from ahr_tui.errors import DatabaseProblem


def instant(value: object) -> datetime | None:
    """A stored instant (naive UTC, or SQLite's text of it) as an aware UTC datetime.

    Anything else was written by hand or by another program: ``DatabaseProblem`` (one
    sentence, exit 1), never a traceback.
    """
    if value is None:
        return None
    if isinstance(value, str):  # raw SQLite text
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            raise DatabaseProblem(
                f"the database holds {value!r} where a time belongs; it was not written by ahr."
            ) from None
    if not isinstance(value, datetime):
        raise DatabaseProblem(
            f"the database holds {value!r} where a time belongs; it was not written by ahr."
        )
    return value.replace(tzinfo=UTC)
