"""``ahr operator hours``, ``ahr forecast`` and ``ahr handover``: shifts against the clocks."""

from __future__ import annotations

import json
import sys
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ahr_tui.cli.common import SINCE_HELP, JsonOpt, out, parse_instant, parse_since, state, table
from ahr_tui.cli.notify_cmd import (
    DEFAULT_FROM,
    FromOpt,
    PasswordEnvOpt,
    StarttlsOpt,
    TimeoutOpt,
    UserOpt,
    smtp_settings,
)
from ahr_tui.wording import count, instant

if TYPE_CHECKING:
    from ahr_tui.rules.coverage import ShiftRange

NowOpt = Annotated[
    str | None, typer.Option("--now", metavar="T", help="The instant to look from (default: now).")
]
HoursAheadOpt = Annotated[
    float, typer.Option("--hours", min=0, max=24 * 365, help="How far ahead to look.")
]


def emit_rows(data: list[Any] | dict[str, Any]) -> None:
    """Like ``emit_json``, with each element of an array on one line: the same JSON document,
    written by the C encoder (an indented dump of 17,000 forecast entries takes over a second)."""
    sys.stdout.write(_rows(data, "") + "\n")


def _rows(data: list[Any] | dict[str, Any], indent: str) -> str:
    inner = indent + "  "
    if isinstance(data, dict) and data:
        parts = [
            f"{inner}{json.dumps(k)}: "
            + (_rows(v, inner) if isinstance(v, list | dict) else json.dumps(v, ensure_ascii=True))
            for k, v in data.items()
        ]
        return "{\n" + ",\n".join(parts) + f"\n{indent}}}"
    if isinstance(data, list) and data:
        items = (inner + json.dumps(v, ensure_ascii=True) for v in data)
        return "[\n" + ",\n".join(items) + f"\n{indent}]"
    return json.dumps(data)


def register(app: typer.Typer, operator_app: typer.Typer) -> None:
    operator_app.command("hours")(hours)
    app.command("forecast")(forecast)
    app.command("handover")(handover)


OperatorArg = Annotated[str, typer.Argument(help="The operator (OS account name).")]
ZoneOpt = Annotated[
    str | None,
    typer.Option("--tz", metavar="ZONE", help="IANA time zone of a place (America/New_York, "
                 "Europe/Berlin) or UTC; not an abbreviation such as EST."),
]
DaysOpt = Annotated[
    str | None, typer.Option("--days", metavar="DAYS", help="mon-fri, sat,sun, fri-mon ...")
]
StartOpt = Annotated[
    str | None, typer.Option("--from", metavar="HH:MM", help="Start, local time.")
]
EndOpt = Annotated[
    str | None,
    typer.Option("--to", metavar="HH:MM", help="End, local time; before --from: next day."),
]
AddOpt = Annotated[bool, typer.Option("--add", help="Keep the hours already set.")]
ClearOpt = Annotated[bool, typer.Option("--clear", help="Remove every range.")]


def hours(
    ctx: typer.Context,
    name: OperatorArg,
    tz: ZoneOpt = None,
    days: DaysOpt = None,
    start: StartOpt = None,
    end: EndOpt = None,
    add: AddOpt = False,
    clear: ClearOpt = False,
) -> None:
    """Set an operator's weekly working hours (leads: anyone's).

    An operator may set their own.
    A --from later than --to is a night shift ending the next morning; equal times are 24 hours.
    Without --add the new range replaces the old ones; --tz alone changes the zone only.
    """
    from ahr_tui.service.shifts import clear_hours, describe_hours, set_hours

    st = state(ctx)
    if clear:
        if any(v is not None for v in (tz, days, start, end)) or add:
            raise typer.BadParameter("--clear takes no other option", param_hint="--clear")
        clear_hours(st.engine(), name, actor=st.actor(), now=st.clock())
        out(f"{name}: no hours")
        return
    ranges = _weekly_ranges(tz, days, start, end)
    shift = set_hours(
        st.engine(), name, tz=tz, ranges=ranges, add=add or not ranges, actor=st.actor(),
        now=st.clock(),
    )
    out(f"{name}: {describe_hours(shift)}")


def _weekly_ranges(
    tz: str | None, days: str | None, start: str | None, end: str | None
) -> tuple[ShiftRange, ...]:
    """The ranges ``--days``, ``--from`` and ``--to`` give (none when none is given, with
    ``--tz``); raises ``InvalidInput`` for one given without the others or a bad value."""
    from ahr_tui.errors import InvalidInput
    from ahr_tui.rules.coverage import HoursError, parse_clock, parse_days, ranges_for

    if days is not None and start is not None and end is not None:
        try:
            return ranges_for(parse_days(days), parse_clock(start, "--from"),
                              parse_clock(end, "--to"))
        except HoursError as exc:
            raise InvalidInput(str(exc)) from None
    if any(v is not None for v in (days, start, end)):
        raise InvalidInput("--days, --from and --to go together (e.g. --days mon-fri "
                           "--from 09:00 --to 17:00).")
    if tz is None:
        raise InvalidInput("give --days, --from and --to (and --tz), or --clear.")
    return ()


def forecast(
    ctx: typer.Context,
    hours: HoursAheadOpt = 24,
    now: NowOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Due moments ahead, who is on shift then, what is uncovered.

    Due moments: first contacts due, deadlines, warn/urgent/critical. Uncovered: nobody on shift
    then whose role allows the next action.
    """
    from ahr_tui.service.forecast_view import forecast as run

    st = state(ctx)
    at = parse_instant(now, "--now", st.clock)
    entries = run(st.db, st.engine, now=at, hours=hours)
    if as_json:
        emit_rows([e.to_json() for e in entries])
        return
    table(
        ("AT", "CASE", "SELLER", "STORE", "DUE", "NEEDS", "ASSIGNEE", "ON SHIFT", "COVERED"),
        [
            (
                instant(e.covered.moment.at), e.covered.moment.case_id, e.case.seller_id,
                e.case.store,
                e.covered.moment.kind.value, e.covered.moment.action.value,
                e.case.assignee or "-", ",".join(e.covered.on_shift) or "-",
                "yes" if e.covered.covered else "NO",
            )
            for e in entries
        ],
    )
    uncovered = sum(not e.covered.covered for e in entries)
    out(f"{count(len(entries), 'due moment')} in the next {hours:g} h; {uncovered} uncovered")


SinceOpt = Annotated[
    str, typer.Option("--since", metavar="T|DAY|DURATION", help=SINCE_HELP)
]
MarkdownOpt = Annotated[
    bool, typer.Option("--markdown", help="A Markdown document, to paste into a chat or mail.")
]
MailOpt = Annotated[
    list[str] | None,
    typer.Option("--mail", metavar="ADDR", help="Email it (repeatable); needs --smtp."),
]
MailSmtpOpt = Annotated[
    str | None, typer.Option("--smtp", metavar="HOST:PORT", help="SMTP server for --mail.")
]


def handover(
    ctx: typer.Context,
    since: SinceOpt = "12h",
    hours: HoursAheadOpt = 12,
    now: NowOpt = None,
    as_json: JsonOpt = False,
    markdown: MarkdownOpt = False,
    mail: MailOpt = None,
    smtp: MailSmtpOpt = None,
    from_addr: FromOpt = DEFAULT_FROM,
    starttls: StarttlsOpt = False,
    user: UserOpt = None,
    password_env: PasswordEnvOpt = None,
    timeout: TimeoutOpt = 30.0,
) -> None:
    """The handover: what happened, who holds what, what falls due.

    What happened since --since, overdue cases (past the deadline) and late first contacts (past
    the contact target), cases by assignee, unassigned cases, what falls due
    (and what is uncovered), expired cases awaiting a decision. --mail sends it by email.
    """
    from ahr_tui.service.handover import lines, mail_handover, read_handover

    st = state(ctx)
    at = parse_instant(now, "--now", st.clock)
    start = parse_since(since, at)
    _check_handover_options(start, at, as_json=as_json, markdown=markdown, mail=mail, smtp=smtp)
    settings = (
        smtp_settings(smtp, from_addr, starttls, user, password_env, timeout) if mail else None
    )
    report = read_handover(st.db, st.engine, now=at, since=start, hours=hours)
    if settings is not None and mail:
        mail_handover(settings, mail, report, markdown=markdown)
        out(f"handover mailed to {', '.join(mail)}")
    elif as_json:
        emit_rows(report.to_json())
    else:
        out("\n".join(lines(report, markdown=markdown)))


def _check_handover_options(
    start: datetime, at: datetime, *, as_json: bool, markdown: bool, mail: list[str] | None,
    smtp: str | None,
) -> None:
    """Usage errors (exit 2): a --since after --now, --json with --markdown, --mail alone."""
    if start > at:
        raise typer.BadParameter("--since lies after --now", param_hint="--since")
    if as_json and markdown:
        raise typer.BadParameter("choose --json or --markdown", param_hint="--json/--markdown")
    if mail and smtp is None:
        raise typer.BadParameter("--mail needs --smtp HOST:PORT", param_hint="--smtp")
