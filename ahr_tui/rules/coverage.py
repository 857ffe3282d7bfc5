"""Working hours and who is on shift: weekly ranges of local wall-clock time in an IANA zone.

An operator's hours are ranges such as "mon-fri 09:00-17:00 Europe/Berlin". They are kept as
wall-clock times in the operator's zone and compared with an instant converted to that zone
(``zoneinfo``), so 09:00 stays 09:00 local across a DST change. A range whose start is later
than its end is a night shift that crosses midnight (``22:00-06:00`` on Friday runs into
Saturday morning); a range whose start equals its end lasts 24 hours.

Used by ``rules.forecast`` (coverage of due moments), the service (hours as stored) and the CLI
(parsing ``--days``, ``--from``, ``--to``, ``--tz``). Pure: zoneinfo reads the system's time zone
database, nothing else.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_MINUTES_PER_DAY = 24 * 60
_CLOCK = re.compile(r"([01]?\d|2[0-3]):([0-5]\d)")


class HoursError(ValueError):
    """Bad ``--days``, ``--from``/``--to`` or ``--tz``; the message is one sentence."""


@cache
def zone(name: str) -> ZoneInfo:
    """The IANA zone ``name`` (``Europe/Berlin``); raises ``HoursError`` for an unknown one."""
    if not name or name != name.strip() or name.startswith(("/", ".")) or ".." in name:
        raise HoursError(f"unknown time zone {name!r}; use an IANA name such as Europe/Berlin.")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise HoursError(
            f"unknown time zone {name!r}; use an IANA name such as Europe/Berlin."
        ) from None


#: Abbreviations people type for a zone, and the IANA names to suggest instead.
_SUGGEST = {
    **dict.fromkeys(("EST", "EDT", "EST5EDT", "ET"), "America/New_York"),
    **dict.fromkeys(("CST", "CDT", "CST6CDT", "CT"), "America/Chicago (or Asia/Shanghai)"),
    **dict.fromkeys(("MST", "MDT", "MST7MDT", "MT"),
                    "America/Denver (or America/Phoenix, without daylight saving time)"),
    **dict.fromkeys(("PST", "PDT", "PST8PDT", "PT"), "America/Los_Angeles"),
    **dict.fromkeys(("AKST", "AKDT"), "America/Anchorage"),
    "HST": "Pacific/Honolulu",
    **dict.fromkeys(("GMT", "BST", "GB", "UCT", "ZULU", "UNIVERSAL", "GREENWICH"),
                    "UTC, or Europe/London for UK time"),
    **dict.fromkeys(("CET", "CEST", "MET", "MEST"), "Europe/Berlin (or Europe/Paris)"),
    **dict.fromkeys(("EET", "EEST"), "Europe/Athens"),
    **dict.fromkeys(("WET", "WEST"), "Europe/Lisbon"),
    "IST": "Asia/Kolkata (or Europe/Dublin)",
    **dict.fromkeys(("JST", "JAPAN"), "Asia/Tokyo"),
    **dict.fromkeys(("AEST", "AEDT"), "Australia/Sydney"),
}


def new_zone(name: str) -> str:
    """``--tz`` as typed by an operator: an IANA name of a place (``America/New_York``) or
    ``UTC``; returns it. Raises ``HoursError`` with a suggestion for an abbreviation (``EST``
    is ambiguous and, as the database's fixed ``EST``, ignores daylight saving time) or a name
    written in the wrong case. Stored zones are read with ``zone``, which does not refuse them.
    """
    bare = name.strip()
    if bare == "UTC" or ("/" in bare and bare == name and _loads(bare)):
        return bare
    wanted = _SUGGEST.get(bare.upper())
    if wanted is None and "/" not in bare and _loads(bare):
        wanted = "Europe/Berlin"
    if wanted is not None:
        raise HoursError(
            f"time zone {name!r} is not the name of a place (an abbreviation is ambiguous "
            f"or ignores daylight saving time); use an IANA name such as {wanted}."
        )
    same = _iana_names().get(bare.lower())
    if same is not None:
        raise HoursError(f"unknown time zone {name!r}; did you mean {same}?")
    raise HoursError(f"unknown time zone {name!r}; use an IANA name such as Europe/Berlin.")


def _loads(name: str) -> bool:
    try:
        zone(name)
    except HoursError:
        return False
    return True


def _iana_names() -> dict[str, str]:
    """Lower-case name -> the database's spelling (read only when a zone was refused)."""
    from zoneinfo import available_timezones

    return {n.lower(): n for n in available_timezones() if "/" in n}


def parse_days(text: str) -> tuple[int, ...]:
    """``mon-fri``, ``sat,sun``, ``fri-mon`` (wraps), ``mon-sun``: weekday numbers, Monday 0.

    Raises ``HoursError`` naming an unknown day.
    """
    days: list[int] = []
    for part in text.lower().replace(" ", "").split(","):
        first, dash, last = part.partition("-")
        start = _day(first)
        end = _day(last) if dash else start
        span = (end - start) % 7
        days.extend((start + i) % 7 for i in range(span + 1))
    return tuple(sorted(set(days)))


_FULL_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_DAYS = {name: i for names in (DAY_NAMES, _FULL_NAMES) for i, name in enumerate(names)}


def _day(name: str) -> int:
    try:
        return _DAYS[name]
    except KeyError:
        raise HoursError(
            f"unknown day {name!r}; days are mon tue wed thu fri sat sun (e.g. mon-fri)."
        ) from None


def parse_clock(text: str, option: str) -> int:
    """``HH:MM`` (24-hour) as minutes after midnight; raises ``HoursError`` otherwise."""
    match = _CLOCK.fullmatch(text.strip())
    if match is None:
        raise HoursError(f"{option} {text!r} is not a time of day; write it HH:MM, e.g. 09:00.")
    return int(match[1]) * 60 + int(match[2])


def format_clock(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


@dataclass(frozen=True, slots=True)
class ShiftRange:
    """One weekly range: starts on ``day`` (Monday 0) at ``start`` minutes after local midnight
    and ends at ``end`` minutes, on the next day when ``end <= start`` (a night shift)."""

    day: int
    start: int
    end: int

    @property
    def crosses_midnight(self) -> bool:
        return self.end <= self.start

    def contains(self, weekday: int, minute: int) -> bool:
        """Whether local (``weekday``, ``minute`` after midnight) is in the range, end excluded."""
        if not self.crosses_midnight:
            return weekday == self.day and self.start <= minute < self.end
        if weekday == self.day and minute >= self.start:
            return True
        return weekday == (self.day + 1) % 7 and minute < self.end


def describe_ranges(ranges: Iterable[ShiftRange]) -> str:
    """``mon-fri 09:00-17:00, sat 10:00-12:00``: runs of days with the same times joined."""
    by_times: dict[tuple[int, int], list[int]] = {}
    for r in sorted(ranges, key=lambda r: (r.day, r.start)):
        by_times.setdefault((r.start, r.end), []).append(r.day)
    parts = []
    for (start, end), days in by_times.items():
        runs: list[list[int]] = []
        for day in days:
            if runs and day == runs[-1][-1] + 1:
                runs[-1].append(day)
            else:
                runs.append([day])
        names = ",".join(
            DAY_NAMES[run[0]] if len(run) == 1 else f"{DAY_NAMES[run[0]]}-{DAY_NAMES[run[-1]]}"
            for run in runs
        )
        parts.append(f"{names} {format_clock(start)}-{format_clock(end)}")
    return ", ".join(parts)


def ranges_for(days: Iterable[int], start: int, end: int) -> tuple[ShiftRange, ...]:
    return tuple(ShiftRange(day, start, end) for day in days)


@dataclass(frozen=True, slots=True)
class Shift:
    """An operator's working week: who, with which role, in which zone, and when."""

    name: str
    role: str
    tz: str | None
    ranges: tuple[ShiftRange, ...]


def _minutes_of_week(ranges: Iterable[ShiftRange]) -> frozenset[int]:
    """The local minutes of the week (Monday 00:00 is 0) that ``ranges`` cover, as
    ``ShiftRange.contains`` defines them (a night shift runs into the next day)."""
    week = 7 * _MINUTES_PER_DAY
    covered: set[int] = set()
    for r in ranges:
        first = r.day * _MINUTES_PER_DAY + r.start
        length = (r.end - r.start) % _MINUTES_PER_DAY or _MINUTES_PER_DAY
        covered.update((first + i) % week for i in range(length))
    return frozenset(covered)


def local_minute(at: datetime, tz: str) -> tuple[int, int]:
    """``at`` (aware) in zone ``tz``: (weekday, minutes after local midnight)."""
    local = at.astimezone(zone(tz))
    return local.weekday(), local.hour * 60 + local.minute


def on_shift(shift: Shift, at: datetime) -> bool:
    """Whether ``at`` (an aware instant), in the operator's zone, falls in one of their ranges.

    An operator with no zone or no ranges is never on shift.
    """
    if shift.tz is None or not shift.ranges:
        return False
    weekday, minute = local_minute(at, shift.tz)
    return any(r.contains(weekday, minute) for r in shift.ranges)


class Roster:
    """Who is on shift at an instant, for many instants: answers are kept per UTC minute.

    Ranges are whole minutes and zone offsets are whole minutes (every zone since 1972), so
    everyone's status is the same through a UTC minute; a forecast of 20,000 due moments then
    converts each zone at most once per minute of its horizon.
    """

    def __init__(self, shifts: Iterable[Shift]) -> None:
        self.shifts = tuple(s for s in shifts if s.tz is not None and s.ranges)
        self._sorted = tuple(sorted(self.shifts, key=lambda s: s.name))
        self._zones = sorted({s.tz for s in self.shifts if s.tz})
        # Each shift as the set of local minutes of the week it covers (Monday 00:00 is 0).
        self._week = {s.name: _minutes_of_week(s.ranges) for s in self._sorted}
        self._by_minute: dict[int, tuple[Shift, ...]] = {}

    def on_shift(self, at: datetime) -> tuple[Shift, ...]:
        """The operators on shift at ``at`` (aware), ordered by name."""
        key = int(at.timestamp() // 60)
        found = self._by_minute.get(key)
        if found is not None:
            return found
        minute = datetime.fromtimestamp(key * 60, UTC)
        local: dict[str, int] = {}
        for tz in self._zones:
            here = minute.astimezone(zone(tz))
            offset = here.utcoffset()
            if offset is not None and offset.seconds % 60:
                # a historical offset with seconds: answer this instant exactly, uncached
                return tuple(s for s in self._sorted if on_shift(s, at))
            local[tz] = here.weekday() * _MINUTES_PER_DAY + here.hour * 60 + here.minute
        found = tuple(s for s in self._sorted if local[s.tz or ""] in self._week[s.name])
        self._by_minute[key] = found
        return found

    def any_on_shift(self, start: datetime, end: datetime, step: timedelta) -> tuple[Shift, ...]:
        """Operators on shift at some sampled instant of [start, end), every ``step``."""
        seen: dict[str, Shift] = {}
        at = start
        while at < end:
            for s in self.on_shift(at):
                seen.setdefault(s.name, s)
            at += step
        return tuple(sorted(seen.values(), key=lambda s: s.name))

