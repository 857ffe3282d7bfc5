"""Stored instants and days back to Python values (standard library only)."""

from __future__ import annotations

from datetime import UTC, date, datetime

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


def stored_day(value: object) -> date:
    """A stored day (a ``date``, or SQLite's ISO text of it, possibly with a time after it) as
    a ``date``; anything else: ``DatabaseProblem``, as ``instant``."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        raise DatabaseProblem(
            f"the database holds {value!r} where a day belongs; it was not written by ahr."
        ) from None
