"""What every command shares: the database option, time parsing, safe output, error mapping.

Kept free of SQLAlchemy and Textual at import time so ``ahr --help`` stays fast; commands import
the service layer inside their bodies.

Conventions for a new command (tests/test_cli_text.py checks them on every command):

* every option and argument has ``help=``; ``--json`` is ``JsonOpt`` (one document on stdout);
  ``--db`` and plain-sentence number errors are added to every command by ``cli.main``;
* instants in text output go through ``wording.instant`` (``2026-11-29T14:30:05Z``), counts of
  things through ``wording.count`` (``1 case``, ``3 cases``; never ``case(s)``);
* tables through ``table`` (aligned, untrusted text cleaned); errors a user can cause are an
  ``AhrError`` (one sentence, its exit code) or ``typer.BadParameter`` (usage, exit 2).
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer._click.types import IntParamType, ParamType

from ahr_tui.textsafe import clean_line, encodable

if TYPE_CHECKING:
    from ahr_tui.service.database import Database
    from ahr_tui.service.identity import Actor


JsonOpt = Annotated[bool, typer.Option("--json", help="One JSON document on stdout.")]


class PlainNumber(ParamType):
    """A number option or argument whose refusals are plain sentences (``'abc' is not a whole
    number``, ``0 is too small: give 1 or more``) instead of Click's ``not a valid int range`` and
    ``[1<=x<=9223372036854775807]``. ``cli.main`` puts it in place of every INT and FLOAT type."""

    def __init__(self, inner: ParamType) -> None:
        self.inner = inner
        self.whole = isinstance(inner, IntParamType)
        self.name = "integer" if self.whole else "number"
        self.low = getattr(inner, "min", None)
        high = getattr(inner, "max", None)
        self.high = None if high is not None and high >= 2**31 else high  # an id's 64-bit bound
        self.limit = high

    def describe(self) -> str:
        """``A whole number from 1 to 3660.``, or empty when any number will do."""
        kind = "A whole number" if self.whole else "A number"
        if self.low is not None and self.high is not None:
            return f"{kind} from {self.low:g} to {self.high:g}."
        if self.low is not None:
            return f"{kind}, {self.low:g} or more."
        return ""

    def convert(self, value: Any, param: Any, ctx: Any) -> Any:
        if isinstance(value, int | float) and not isinstance(value, bool):
            number = value
        else:
            try:
                number = int(str(value).strip()) if self.whole else float(str(value).strip())
            except ValueError:
                kind = "a whole number" if self.whole else "a number"
                self.fail(f"{value!r} is not {kind}.", param, ctx)
        if self.low is not None and number < self.low:
            self.fail(f"{number:g} is too small; it must be {self._range()}", param, ctx)
        if self.limit is not None and number > self.limit:
            if self.high is None:
                self.fail(f"{number} is too large: no id or version is that high.", param, ctx)
            self.fail(f"{number:g} is too large; it must be {self._range()}", param, ctx)
        return number

    def _range(self) -> str:
        text = self.describe()
        return text[0].lower() + text[1:]


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
        if len(value.strip()) == 10:  # a day alone: an instant needs its time as well
            raise typer.BadParameter(
                f"{value!r} is a day, not an instant; give its time and offset too "
                f"(e.g. {value.strip()}T00:00:00Z)", param_hint=option)
        raise typer.BadParameter(
            f"{value!r} has no UTC offset; add Z or +HH:MM (e.g. {value.strip()}Z)",
            param_hint=option)
    _check_year(parsed, value, option)
    return parsed.astimezone(UTC)


#: ``--since`` as ``ahr audit log`` and ``ahr handover`` take it (``parse_since``).
SINCE_HELP = (
    "An instant with its offset (2026-11-29T14:30:00Z), a UTC day (2026-11-29: from 00:00 "
    "UTC), or a span back from now (90m, 8h, 2d)."
)
_SPAN = re.compile(r"(\d+)([mhd])")
_SPAN_SECONDS = {"m": 60, "h": 3600, "d": 86400}


def parse_since(value: str, now: datetime) -> datetime:
    """``--since`` (``SINCE_HELP``): a span back from ``now`` (``90m``, ``8h``, ``2d``), a UTC
    day (its 00:00 UTC) or an ISO-8601 instant with an offset. Bad input is a usage error."""
    text = value.strip()
    span = _SPAN.fullmatch(text)
    if span:
        return now - timedelta(seconds=int(span[1]) * _SPAN_SECONDS[span[2]])
    if len(text) == 10 and text[4:5] == "-":
        day = parse_day(text, "--since")
        assert day is not None
        return datetime.combine(day, time(0), tzinfo=UTC)
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        parsed = None
    if parsed is None or parsed.tzinfo is None:
        said = "has no UTC offset (add Z or +HH:MM)" if parsed else "is not an instant"
        raise typer.BadParameter(
            f"{value!r} {said}; give an instant (2026-11-29T14:30:00Z), a UTC day (2026-11-29) "
            "or a span back from now (8h, 2d)", param_hint="--since",
        )
    return parse_instant(text, "--since", lambda: now)


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


def emit_json_array(items: Iterable[Any]) -> None:
    """``emit_json(list(items))``, the same text, written an item at a time (a list too long
    to hold: millions of audit events)."""
    write, opened = sys.stdout.write, False
    for item in items:
        text = json.dumps(item, ensure_ascii=True, indent=2).replace("\n", "\n  ")
        write(("[\n  " if not opened else ",\n  ") + text)
        opened = True
    write("\n]\n" if opened else "[]\n")


def err(message: str) -> None:
    sys.stderr.write(encodable(clean_line(message), sys.stderr.encoding) + "\n")


def out(message: str) -> None:
    """A line on stdout; what its encoding cannot hold is escaped (``\\u4e1c``), never an error."""
    sys.stdout.write(encodable(message, sys.stdout.encoding) + "\n")


def safe_streams() -> None:
    """Whatever else writes to stdout/stderr (Typer's usage errors, Rich's progress bar) escapes
    what the locale's encoding cannot hold instead of raising UnicodeEncodeError."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="backslashreplace")


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    """A plain, aligned text table on stdout; every cell cleaned of control characters."""
    lines = table_lines(headers, rows)  # already escaped for the output's encoding
    sys.stdout.write("\n".join(lines) + "\n")


def stream_table(headers: Sequence[str], rows: Callable[[], Iterable[Sequence[object]]]) -> None:
    """``table`` for rows too many to hold: ``rows()`` gives the same rows each time it is
    called; the first walk measures the columns, the second prints (memory flat in the rows;
    the same text as ``table``)."""
    shown = _Shown(sys.stdout.encoding, remember=10_000)
    widths = [shown.width(h) for h in headers]
    for row in rows():
        for i, value in enumerate(row):
            width = shown(value)[1]
            if width > widths[i]:
                widths[i] = width
    write = sys.stdout.write
    write(_aligned([(h, shown.width(h)) for h in headers], widths) + "\n")
    for row in rows():
        write(_aligned([shown(v) for v in row], widths) + "\n")


def _aligned(values: Sequence[tuple[str, int]], widths: Sequence[int]) -> str:
    return "  ".join(v + " " * (widths[i] - w) for i, (v, w) in enumerate(values)).rstrip()


def table_lines(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> list[str]:
    """The lines of ``table``: a header, then one per row, columns aligned by display width.

    Each distinct value is cleaned, escaped and measured once (a 72-hour forecast prints 20,000
    rows whose stores, kinds and assignees repeat).
    """
    shown = _Shown(sys.stdout.encoding)  # escape first, so the columns align on what is printed
    cells = [[shown(v) for v in row] for row in rows]
    widths = [shown.width(h) for h in headers]
    for row in cells:
        for i, (_, width) in enumerate(row):
            if width > widths[i]:
                widths[i] = width

    return [_aligned([(h, shown.width(h)) for h in headers], widths),
            *(_aligned(row, widths) for row in cells)]


class _Shown:
    """A cell's text as printed (control characters escaped, then what the output encoding cannot
    hold) and its width in terminal columns, remembered per distinct value (at most ``remember``
    of them: then forgotten, and remembered anew)."""

    def __init__(self, encoding: str | None, remember: int | None = None) -> None:
        self.encoding = encoding
        self.remember = remember
        self.seen: dict[str, tuple[str, int]] = {}

    def __call__(self, value: object) -> tuple[str, int]:
        raw = "" if value is None else str(value)
        found = self.seen.get(raw)
        if found is None:
            if self.remember is not None and len(self.seen) >= self.remember:
                self.seen.clear()
            text = encodable(clean_line(raw), self.encoding)
            found = self.seen[raw] = (text, self.width(text))
        return found

    @staticmethod
    def width(text: str) -> int:
        if text.isascii():  # clean_line escaped every control character
            return len(text)
        from rich.cells import cell_len

        return cell_len(text)


def known_store(store: str | None) -> str | None:
    """``--store`` as a code (any case in, upper case out); raises ``NotFound`` for no store
    (a typo such as GB for UK must not read as an empty list)."""
    from ahr_tui.errors import no_store
    from ahr_tui.rules import BY_CODE

    if store and store.upper() not in BY_CODE:
        raise no_store(store)
    return store.upper() if store else None
