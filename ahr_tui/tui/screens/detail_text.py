"""The detail screen's sections as ``rich.text.Text``, from an ``AccountDetail``.

Pure formatting, kept apart from the screen so it can be read and tested on its own. Every
string from the database goes through ``clean``/``clean_line`` and into ``Text`` pieces (never a
markup string), so a seller named ``[@click=app.quit]`` or ``\\x1b[2J`` is shown as typed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, timedelta, tzinfo

from rich.cells import cell_len, set_cell_size
from rich.text import Text

from ahr_tui.rules import Band, PhoneStatus, Reason, band
from ahr_tui.rules.automatic import shown_actor
from ahr_tui.service.case_view import CaseView
from ahr_tui.service.detail import AccountDetail, EventView
from ahr_tui.service.event_view import state_change
from ahr_tui.textsafe import clean, clean_line
from ahr_tui.tui.contact_text import as_given_line, email_line, phone_line
from ahr_tui.tui.widgets.hanging import Hanging

BAND_STYLE = {Band.HEALTHY: "green", Band.AT_RISK: "yellow", Band.UNHEALTHY: "red"}
BAND_LABEL = {Band.HEALTHY: "healthy", Band.AT_RISK: "at risk", Band.UNHEALTHY: "unhealthy"}
MET = ("✓ yes", "green")
NOT_MET = ("✗ no ", "bold red")


def heading(label: str) -> Text:
    return Text(label, style="bold underline")


def utc(value: datetime) -> str:
    return f"{value.astimezone(UTC):%Y-%m-%d %H:%M} UTC"


def local(value: datetime, tz: tzinfo | None) -> str:
    moment = value.astimezone(tz)
    zone = moment.strftime("%Z") or moment.strftime("%z")
    return f"{moment:%Y-%m-%d %H:%M} local ({zone})"


def local_and_utc(value: datetime, tz: tzinfo | None) -> str:
    """The operator's local time and UTC; UTC alone where the two read the same (a box in
    UTC, or London in winter), rather than one time written twice."""
    if not value.astimezone(tz).utcoffset():
        return utc(value)
    return f"{local(value, tz)}  ·  {utc(value)}"


def _hanging(parts: Iterable[Text], hang: int) -> Hanging:
    """Lines whose wrapped continuations start ``hang`` cells in (under the value after a
    label), not at column 0."""
    return Hanging((part, hang) for part in parts)


def _lines(parts: Iterable[Text]) -> Text:
    return Text("\n").join(parts)


def title(detail: AccountDetail) -> Text:
    return Text.assemble(
        (clean_line(detail.name) or "(no name)", "bold"),
        "  ",
        clean_line(detail.seller_id),
        f" · {clean_line(detail.store)} · {clean_line(detail.plan)}"
        f" · account {clean_line(detail.status)} · enrolment {clean_line(detail.enrollment)}",
    )


def case_block(case: CaseView, tz: tzinfo | None, attempts: Sequence[datetime] = ()
               ) -> Hanging:
    """The case's fields; ``attempts``: the instants of its logged contact attempts."""
    assignee = clean_line(case.assignee) if case.assignee else "nobody"
    lines = [
        heading(f"Case {case.id}"),
        Text.assemble(
            ("Status    ", "bold"), case.status.value, "  ",
            ("Policy  ", "bold"), clean_line(case.policy), "  ",
            ("Assigned  ", "bold"), assignee,
        ),
        Text.assemble(("Summary   ", "bold"), clean(case.summary) or "(none)"),
        Text.assemble(("Detected  ", "bold"), utc(case.detected_at)),
    ]
    if case.contacted_at is None or case.deadline is None:
        lines.append(Text.assemble(
            ("Contact   ", "bold"), "due ", local_and_utc(case.contact_due, tz),
            " (not contacted yet)",
        ))
    else:
        # the first-contact target's outcome and the attempts as ``ahr case show`` says them
        lines.append(Text.assemble(
            ("Contacted ", "bold"), utc(case.contacted_at),
            (f"  (contact target {case.contact_target})", "italic"),
        ))
        lines.append(Text.assemble(("Attempts  ", "bold"), case.attempts_text(attempts)))
        lines.append(Text.assemble(
            ("Deadline  ", "bold"), local_and_utc(case.deadline, tz)
        ))
    if case.outcome_note:
        lines.append(Text.assemble(("Outcome   ", "bold"), clean(case.outcome_note)))
    return _hanging(lines, len("Deadline  "))


def timeline(events: list[EventView]) -> Hanging:
    """The heading, then an event a line: its time, actor, action, move and note; a line that
    wraps, and a note's further lines, continue under the text after the time (``Hanging``)."""
    lines: list[tuple[Text, int]] = [(heading("Timeline"), 0)]
    # the change as ``ahr case show``, the help and the README write it (``- -> open``)
    # an automatic transition (an expiry) is the system's, not the operator's whose process
    # applied it (its note says ``automatic: ...``)
    rows = [(clean_line(shown_actor(e.actor, e.note)), clean_line(e.action),
             state_change(e, clean_line)) for e in events]
    # columns: each as wide as its widest cell (an actor up to 16 cells), so that actions,
    # changes and notes line up whatever the actors' names
    widths = [max((cell_len(row[i]) for row in rows), default=0) for i in range(3)]
    widths[0] = min(widths[0], 16)
    for e, row in zip(events, rows, strict=True):
        when = f"{e.at.astimezone(UTC):%Y-%m-%d %H:%M}Z  "
        actor, action, move = (_fit(cell, width) for cell, width in zip(row, widths, strict=True))
        rest = f"  {action}  {move}"
        line = Text.assemble(when, (actor, "cyan"), rest if e.note else rest.rstrip())
        if e.note:
            line.append("  ")
            line.append("\n".join(clean_line(part) for part in e.note.splitlines()), "italic")
        lines.append((line, len(when)))
    if not events:
        lines.append((Text("no events", style="italic"), 0))
    return Hanging(lines)


def _fit(cell: str, width: int) -> str:
    """``cell`` padded to ``width`` cells, or cut to it with ``…``."""
    if cell_len(cell) > width:
        return set_cell_size(cell, width - 1) + "…"
    return set_cell_size(cell, width)


def score_text(score: int | None) -> Text:
    """A score with its band as a word as well as a colour (readable with NO_COLOR)."""
    if score is None:
        return Text("—  no score")
    level = band(score)
    return Text(f"{score}  {BAND_LABEL[level]}", style=BAND_STYLE[level])


def ahr_heading(detail: AccountDetail) -> Text:
    line = Text.assemble(heading(f"AHR, last {len(detail.series)} days"), "   current ")
    line.append_text(score_text(detail.latest_score))
    if detail.latest_day is not None:
        line.append(f"  (on {detail.latest_day.isoformat()})")
    if detail.scores_end is not None and detail.scores_end < detail.as_of:
        # why the window's last days have no score (a sample's scores end on a fixed day)
        line.append(f"  · scores end {detail.scores_end.isoformat()}", style="italic")
    return line


def _criterion(met: bool, label: str) -> Text:
    glyph, style = MET if met else NOT_MET
    return Text.assemble(" ", (glyph, style), "  ", label)


def scored_since(detail: AccountDetail) -> date | None:
    """The first scored day of the window when every day with no score lies before it (a new
    seller: not enough history, rather than scores that went missing); else None."""
    series = detail.series
    first = next((i for i, score in enumerate(series) if score is not None), None)
    if not first or any(score is None for score in series[first:]):
        return None
    return detail.as_of - timedelta(days=len(series) - 1 - first)


def eligibility(detail: AccountDetail) -> Hanging:
    e = detail.eligibility
    verdict = ("ELIGIBLE", "bold green") if e.eligible else ("NOT ELIGIBLE", "bold red")
    reasons = ", ".join(e.reason_words)
    lines = [
        Text.assemble(
            heading(f"Eligibility as of {e.as_of.isoformat()}"), "  ", verdict,
            f"  ({reasons})" if reasons else "",
        ),
        _criterion(e.ahr_ok, f"AHR: {e.ahr_sentence(scored_since(detail))}"),
        _criterion(detail.plan == "professional", f"plan: {clean_line(detail.plan)}"),
        _criterion(
            detail.store_enabled,
            f"store {clean_line(detail.store)}: AHA "
            + ("enabled" if detail.store_enabled else "not enabled"),
        ),
        _criterion(detail.status == "active", f"account: {clean_line(detail.status)}"),
        _criterion(e.phone is PhoneStatus.VALID, f"emergency phone: {e.phone.value}"),
    ]
    if Reason.REVOKED in e.reasons:
        lines.append(_criterion(False, "revoked by a fraud finding (permanent)"))
    return _hanging(lines, len(" ✓ yes  "))


def contact(detail: AccountDetail, now: datetime) -> Text:
    """How to reach the seller (``contact_text``): the number to dial and the time where it
    rings at ``now``, the phone as given with its status, the email."""
    card = detail.contact
    return _lines([
        heading("Reach the seller"), phone_line(card, now), as_given_line(card),
        email_line(card),
    ])


def notifications(detail: AccountDetail) -> Hanging:
    lines = [heading(f"Notifications ({len(detail.notifications)})")]
    for n in detail.notifications:
        sent = f"sent {utc(n.sent_at)}" if n.sent_at else f"queued {utc(n.created_at)}"
        line = Text.assemble(
            f"#{n.id} {clean_line(n.kind)}  ", (clean_line(n.state), "bold"),
            f"  {n.attempts} attempt{'s' if n.attempts != 1 else ''}  {sent}  to ",
            clean_line(n.to) or "(no address)",
        )
        if n.last_error:
            line.append(f"  last error: {clean_line(n.last_error)}", "red")
        lines.append(line)
    if not detail.notifications:
        lines.append(Text("none", style="italic"))
    return _hanging(lines, 2)


def cases_heading(detail: AccountDetail, current: int | None) -> Text:
    """``Other cases (2) · enter opens one`` (``Cases (3)`` on an account's own detail)."""
    others = [c for c in detail.cases if c.id != current]
    title = "Other cases" if current is not None else "Cases"
    text = heading(f"{title} ({len(others)})")
    text.append(" · enter opens one" if others else " · none", style="italic")
    return text


def case_rows(detail: AccountDetail, current: int | None) -> list[tuple[int, Text]]:
    """(case id, its line) for every case of the account but ``current``."""
    return [
        (c.id, Text(
            f"#{c.id} {clean_line(c.policy)}  {c.status.value}  "
            + (f"contact due {utc(c.contact_due)}" if c.deadline is None
               else f"deadline {utc(c.deadline)}")
        ))
        for c in detail.cases if c.id != current
    ]
