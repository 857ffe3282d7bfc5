"""The shift handover (DESIGN.md section 5): what happened, what is held by whom, what falls due.

One read (``handover``) gives a ``Handover`` value; ``lines`` writes it as plain text or Markdown
for ``ahr handover``, its email and the TUI's ``h`` screen, and ``to_json`` for ``--json``.
Untrusted text (seller ids, operator names, notes) is cleaned here, once, for every output, and
escaped for Markdown (``textsafe.markdown_line``) in the Markdown one.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from ahr_tui.errors import AhrError, InvalidInput
from ahr_tui.rules import DEFAULT_POLICY, CaseStatus, Policy
from ahr_tui.rules.automatic import shown_actor
from ahr_tui.rules.coverage import Roster
from ahr_tui.rules.forecast import HourLoad, hourly
from ahr_tui.rules.urgency import Urgency, time_level
from ahr_tui.rules.urgency import time_left as rules_time_left
from ahr_tui.service.case_view import CaseView, in_list_order, iso_z
from ahr_tui.service.event_view import (
    EventRecord,
    event_from_row,
    event_to_json,
    state_change,
)
from ahr_tui.service.forecast_view import (
    ForecastEntry,
    forecast_of,
    quick_coverage,
    read_quickly,
)
from ahr_tui.store.shift_rows import EVENTS_SQL, sqlite_instant
from ahr_tui.textsafe import clean_line, markdown_line
from ahr_tui.wording import count, instant

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from ahr_tui.notify.smtp import SmtpSettings
    from ahr_tui.service.database import Database

#: Events listed one by one per operator in the text; the rest are counted.
EVENTS_SHOWN = 15


@dataclass(frozen=True, slots=True)
class Handover:
    since: datetime
    until: datetime
    horizon_end: datetime
    events: Sequence[EventRecord]
    by_assignee: dict[str, list[CaseView]]
    unassigned: list[CaseView]
    due: list[ForecastEntry]
    expired: list[CaseView]
    per_hour: list[HourLoad]
    #: Open cases past their 72-hour deadline that no sweep has expired yet, longest overdue
    #: first: what the app's header counts as ``overdue``.
    deadline_overdue: list[CaseView]
    #: Detected cases past their first-contact target (``contact_due``), which no sweep
    #: expires, longest overdue first: the app counts them once, in ``to contact`` (its rows
    #: ``!!! CONTACT``), never as ``overdue``, so they are a section of their own.
    contact_overdue: list[CaseView]

    @property
    def overdue(self) -> list[CaseView]:
        """Both, in the case list's order: JSON ``overdue``, as it was before they were told
        apart (scripts read it; ``deadline_overdue`` and ``contact_overdue`` split it)."""
        return in_list_order([*self.deadline_overdue, *self.contact_overdue])

    @property
    def uncovered(self) -> list[ForecastEntry]:
        return [e for e in self.due if not e.covered.covered]

    def to_json(self) -> dict[str, Any]:
        return {
            "since": iso_z(self.since),
            "until": iso_z(self.until),
            "horizon_end": iso_z(self.horizon_end),
            "events": [event_to_json(e) for e in self.events],
            "by_assignee": {n: [c.id for c in cases] for n, cases in self.by_assignee.items()},
            "unassigned": [c.id for c in self.unassigned],
            "due": [e.to_json() for e in self.due],
            "uncovered": [e.to_json() for e in self.uncovered],
            "expired_awaiting_decision": [c.id for c in self.expired],
            "overdue": [c.id for c in self.overdue],
            "deadline_overdue": [c.id for c in self.deadline_overdue],
            "contact_overdue": [c.id for c in self.contact_overdue],
            "per_hour": [
                {"hour": iso_z(h.start), "due": h.due, "uncovered": h.uncovered,
                 "on_shift": list(h.on_shift)}
                for h in self.per_hour
            ],
        }


def handover(
    engine: Engine,
    *,
    now: datetime,
    since: datetime,
    hours: float,
    policy: Policy = DEFAULT_POLICY,
) -> Handover:
    """Events recorded in (``since``, ``now``] (aware UTC), the active cases at ``now``, and the
    due moments within ``hours`` (hours, fractions allowed) after it, with who is on shift; read
    through ``engine`` on any database. Raises only the database's errors."""
    from sqlalchemy import bindparam, text

    from ahr_tui.service.shifts import load_shifts
    from ahr_tui.service.views import list_cases
    from ahr_tui.store.engine import transaction
    from ahr_tui.store.types import UTCDateTime

    events_sql = text(EVENTS_SQL).bindparams(
        bindparam("since", type_=UTCDateTime()), bindparam("until", type_=UTCDateTime())
    )
    with transaction(engine) as session:
        cases = list_cases(session)
        roster = Roster(load_shifts(session))
        rows = session.execute(events_sql, {"since": since, "until": now}).all()
    events = [event_from_row(r) for r in rows]
    return assemble(cases, roster, events, now=now, since=since, hours=hours, policy=policy)


def read_handover(
    db: str,
    open_db: Callable[[], Database],
    *,
    now: datetime,
    since: datetime,
    hours: float,
    policy: Policy = DEFAULT_POLICY,
) -> Handover:
    """``ahr handover``: as ``handover``; ``db`` is the ``--db`` text, an SQLite file is read with
    the standard library (no SQLAlchemy to load), anything else through ``open_db()``.
    Raises ``DatabaseProblem``."""
    path = read_quickly(db)
    window = {"since": sqlite_instant(since), "until": sqlite_instant(now)}
    read = None if path is None else quick_coverage(path, [(EVENTS_SQL, window)])
    if read is None:
        return handover(open_db(), now=now, since=since, hours=hours, policy=policy)
    cases, roster, (rows,) = read
    events = [event_from_row(r) for r in rows]
    return assemble(cases, roster, events, now=now, since=since, hours=hours, policy=policy)


def assemble(
    cases: Sequence[CaseView],
    roster: Roster,
    events: Sequence[EventRecord],
    *,
    now: datetime,
    since: datetime,
    hours: float,
    policy: Policy = DEFAULT_POLICY,
) -> Handover:
    """The handover of ``cases`` (the active ones), ``events`` (recorded since ``since``) and
    who works when, at ``now`` (UTC) looking ``hours`` ahead."""
    ordered = in_list_order(cases)  # as ``ahr cases`` lists them (DESIGN.md section 4)
    by_assignee: dict[str, list[CaseView]] = defaultdict(list)
    for c in ordered:
        if c.assignee:
            by_assignee[c.assignee].append(c)
    due = forecast_of(ordered, roster, now=now, hours=hours, policy=policy)
    return Handover(
        since=since,
        until=now,
        horizon_end=now + timedelta(hours=hours),
        events=events,
        by_assignee=dict(sorted(by_assignee.items())),
        unassigned=[c for c in ordered if not c.assignee],
        due=due,
        expired=[c for c in ordered if c.status is CaseStatus.EXPIRED],
        per_hour=hourly([e.covered for e in due], roster, now, math.ceil(hours)),
        deadline_overdue=_past_due(ordered, CaseStatus.OPEN, now),
        contact_overdue=_past_due(ordered, CaseStatus.DETECTED, now),
    )


def _past_due(ordered: Sequence[CaseView], status: CaseStatus, now: datetime) -> list[CaseView]:
    """The cases in ``status`` whose next due moment (a deadline; a detected case's
    first-contact target) has passed at ``now``, as ``rules.time_level`` says ``overdue``."""
    return [c for c in ordered
            if c.status is status and time_level(c.status, c.due, now) == Urgency.OVERDUE]


@dataclass(frozen=True, slots=True)
class _Style:
    """How ``lines`` writes: plain text for a terminal, or Markdown for a chat or an email."""

    head: str
    item: str
    sub: str
    #: Makes one untrusted value safe to show (``clean_line``; for Markdown also escaped).
    text: Callable[[str | None], str]


_PLAIN = _Style(head="", item="  ", sub="    ", text=clean_line)
_MARKDOWN = _Style(head="## ", item="- ", sub="  - ", text=markdown_line)


def _case_line(case: CaseView, now: datetime, style: _Style) -> str:
    """``case 27  S1 US  open  13h 05m left, warn``, ``case 4  S2 CA  open  45m 53s overdue``:
    the time as ``rules.time_left`` words it for a sentence (each thing said once)."""
    left = rules_time_left(case.status, case.due, now, responded_at=case.responded_at)
    return (
        f"case {case.id}  {style.text(case.seller_id)} {case.store}  {case.status.value}  "
        f"{left.described}"
    )


def _due_line(entry: ForecastEntry, style: _Style) -> str:
    m = entry.covered.moment
    who = ", ".join(style.text(n) for n in entry.covered.on_shift) or "nobody"
    mark = "" if entry.covered.covered else "  UNCOVERED"
    return (
        f"{instant(m.at)}  case {m.case_id}  {m.kind.value} ({m.action.value})  "
        f"on shift: {who}{mark}"
    )


def _event_cells(event: EventRecord, style: _Style) -> tuple[str, str, str]:
    """(target, action, change): ``case 7``, ``attempt``, ``detected -> open``."""
    change = state_change(event, style.text) or ""  # ``- -> open``, ``open -> responded``
    target = f"case {event.case_id}" if event.case_id else ""
    return target, style.text(event.action), change


def _event_line(event: EventRecord, style: _Style, widths: tuple[int, int, int]) -> str:
    """An event on one line; in plain text its cells padded to ``widths`` so that the
    actions, changes and notes of the section line up (a Markdown list item is not padded)."""
    target, action, change = _event_cells(event, style)
    if style is _PLAIN:
        target, action, change = (target.ljust(widths[0]), action.ljust(widths[1]),
                                  change.ljust(widths[2]))
    what = f"{action}  {change}" if change.strip() or event.note else action
    note = f"  {style.text(event.note)}" if event.note else ""
    line = f"{instant(event.recorded_at)}  {target}  {what}{note}".rstrip()
    return line if style is _PLAIN else line.replace("   ", "  ")


def _happened(events: Sequence[EventRecord], style: _Style) -> list[str]:
    """Per operator: a count of each action, then their last ``EVENTS_SHOWN`` events; the
    program's automatic transitions (expiries, enrolment changes) under ``system``, not the OS
    user whose process applied them (``rules.automatic.shown_actor``)."""
    by_actor: dict[str, list[EventRecord]] = defaultdict(list)
    for e in events:
        by_actor[shown_actor(e.actor, e.note)].append(e)
    shown = [e for mine in by_actor.values() for e in mine[-EVENTS_SHOWN:]]
    cells = [_event_cells(e, style) for e in shown]
    target, action, change = (max((len(c[i]) for c in cells), default=0) for i in range(3))
    widths = (target, action, change)
    body = []
    for actor, mine in sorted(by_actor.items()):
        counts = Counter(e.action for e in mine)
        summary = ", ".join(f"{n} {style.text(action)}" for action, n in sorted(counts.items()))
        body.append(f"{style.item}{style.text(actor)}: {summary}")
        if len(mine) > EVENTS_SHOWN:
            body.append(f"{style.sub}... {len(mine) - EVENTS_SHOWN} earlier")
        body.extend(f"{style.sub}{_event_line(e, style, widths)}"
                    for e in mine[-EVENTS_SHOWN:])
    return body


def _held(h: Handover, style: _Style) -> list[str]:
    """Each assignee, then their active cases."""
    body = []
    for name, cases in h.by_assignee.items():
        body.append(f"{style.item}{style.text(name)} ({len(cases)})")
        body.extend(f"{style.sub}{_case_line(c, h.until, style)}" for c in cases)
    return body


def lines(h: Handover, *, markdown: bool = False) -> list[str]:
    """The handover as text lines; ``markdown``: headings and bullet lists, untrusted text
    escaped (``textsafe.markdown_line``). Every instant is written in UTC."""
    style = _MARKDOWN if markdown else _PLAIN
    title = (
        f"Handover {instant(h.until)} (since {instant(h.since)}, due until "
        f"{instant(h.horizon_end)})"
    )
    out = [f"# {title}" if markdown else title, ""]

    def section(name: str, body: list[str], empty: str) -> None:
        out.extend([f"{style.head}{name}", *(body or [f"{style.item}{empty}"]), ""])

    def cases(items: list[CaseView]) -> list[str]:
        return [f"{style.item}{_case_line(c, h.until, style)}" for c in items]

    def due(items: list[ForecastEntry]) -> list[str]:
        return [f"{style.item}{_due_line(e, style)}" for e in items]

    section(f"What happened ({count(len(h.events), 'event')})", _happened(h.events, style),
            "nothing recorded")
    section(f"Overdue ({len(h.deadline_overdue)}): open cases past their 72-hour deadline, "
            "not expired yet", cases(h.deadline_overdue), "none")
    section(f"First contact overdue ({len(h.contact_overdue)}): detected cases past their "
            "first-contact target", cases(h.contact_overdue), "none")
    section("Active cases by assignee", _held(h, style), "none assigned")
    section(f"Unassigned ({len(h.unassigned)})", cases(h.unassigned), "none")
    section(f"Falls due by {instant(h.horizon_end)} ({len(h.due)})", due(h.due), "nothing")
    section(f"Uncovered ({len(h.uncovered)})", due(h.uncovered),
            "none: someone who may act is on shift for every due moment")
    section(f"Expired, awaiting a decision ({len(h.expired)})", cases(h.expired), "none")
    return out[:-1]


def mail_handover(
    settings: SmtpSettings, to: list[str], report: Handover, *, markdown: bool = False
) -> None:
    """Send the handover as plain text (or Markdown) to each address in ``to``, now.

    The message is the same for the same handover (``Message-ID`` from its instant), so a cron
    job that runs again is recognisable as a resend. Raises ``InvalidInput`` for a bad address,
    ``AhrError`` when the server does not take a message (nothing is queued: the job fails).
    """
    from ahr_tui.notify.smtp import SmtpTransport, Verdict, address_problem, build_message

    problems = [p for p in (address_problem(a) for a in to) if p]
    if problems:
        raise InvalidInput(f"--mail: {problems[0]}.")
    body = "\n".join(lines(report, markdown=markdown)) + "\n"
    with SmtpTransport(settings) as transport:
        for addr in to:
            message = build_message(
                notification_id=0, from_addr=settings.from_addr, to_addr=addr, to_name=addr,
                subject=f"ahr handover {instant(report.until)}: {len(report.uncovered)} uncovered, "
                f"{len(report.expired)} expired awaiting a decision",
                body=body, created_at=report.until,
            )
            domain = settings.from_addr.rpartition("@")[2]
            del message["Message-ID"]
            message["Message-ID"] = f"<ahr-handover-{int(report.until.timestamp())}@{domain}>"
            outcome = transport.deliver(message, addr)
            if outcome.verdict is not Verdict.DELIVERED:
                raise AhrError(f"the handover was not delivered to {addr}: {outcome.error}.")
