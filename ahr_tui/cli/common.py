"""What every command shares: the database option, time parsing, safe output, error mapping.

Kept free of SQLAlchemy and Textual at import time so ``ahr --help`` stays fast; commands import
the service layer inside their bodies.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

import typer

from ahr_tui.textsafe import clean_line

if TYPE_CHECKING:
    from ahr_tui.service.database import Database
    from ahr_tui.service.identity import Actor


def _system_clock() -> datetime:
    return datetime.now(UTC)


@dataclass
class CliState:
    """Set by the root callback; tests may inject a clock via ``obj``."""

    db: str = "ahr.db"
    clock: Callable[[], datetime] = field(default=_system_clock)
    _engine: Database | None = None

    def engine(self, *, create: bool = False) -> Database:
        """Open the database (checked: ours, not newer); ``create`` for init/sample."""
        if self._engine is None:
            from ahr_tui.service.database import open_database

            self._engine = open_database(self.db, create=create)
        return self._engine

    def actor(self) -> Actor:
        from ahr_tui.service.identity import current_actor

        return current_actor()


def state(ctx: typer.Context) -> CliState:
    root = ctx.find_root()
    if not isinstance(root.obj, CliState):
        root.obj = CliState()
    return root.obj


def parse_instant(value: str | None, option: str, clock: Callable[[], datetime]) -> datetime:
    """ISO-8601 with an offset (``Z`` accepted); None means now. Bad input is a usage error."""
    if value is None:
        return clock()
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise typer.BadParameter(
            f"{value!r} is not an ISO-8601 instant (e.g. 2026-11-27T14:30:00Z)", param_hint=option
        ) from None
    if parsed.tzinfo is None:
        raise typer.BadParameter(f"{value!r} has no UTC offset; add Z or +HH:MM", param_hint=option)
    _check_year(parsed, value, option)
    return parsed.astimezone(UTC)


def parse_day(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        day = date.fromisoformat(value.strip())
    except ValueError:
        raise typer.BadParameter(
            f"{value!r} is not a date (YYYY-MM-DD)", param_hint=option
        ) from None
    _check_year(day, value, option)
    return day


#: Deadlines (+72 h) and score windows (-180 days) are computed from these; outside them the
#: arithmetic would overflow ``datetime`` instead of giving a usage error.
MIN_YEAR, MAX_YEAR = 1970, 9998


def _check_year(value: date, raw: str, option: str) -> None:
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        raise typer.BadParameter(
            f"{raw!r} is out of range (years {MIN_YEAR} to {MAX_YEAR})", param_hint=option
        )


def emit_json(data: Any) -> None:
    """One JSON document on stdout; ASCII-escaped so no control character reaches a terminal."""
    sys.stdout.write(json.dumps(data, ensure_ascii=True, indent=2) + "\n")


def err(message: str) -> None:
    sys.stderr.write(clean_line(message) + "\n")


def out(message: str) -> None:
    sys.stdout.write(message + "\n")


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    """A plain, aligned text table on stdout; every cell cleaned of control characters."""
    for line in table_lines(headers, rows):
        out(line)


def table_lines(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> list[str]:
    """The lines of ``table``: a header, then one per row, columns aligned by display width."""
    from rich.cells import cell_len

    cells = [[clean_line("" if v is None else str(v)) for v in row] for row in rows]
    widths = [cell_len(h) for h in headers]
    for row in cells:
        for i, value in enumerate(row):
            widths[i] = max(widths[i], cell_len(value))

    def line(values: Sequence[str]) -> str:
        padded = [v + " " * (widths[i] - cell_len(v)) for i, v in enumerate(values)]
        return "  ".join(padded).rstrip()

    return [line(list(headers)), *(line(row) for row in cells)]
