"""``ahr metrics``: how the program is running over a window of UTC days (DESIGN.md section 5)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from ahr_tui.cli.common import emit_json, out, parse_day, state, table_lines

if TYPE_CHECKING:
    from ahr_tui.service.metrics import Metrics


def register(app: typer.Typer) -> None:
    app.command("metrics")(metrics)


def metrics(
    ctx: typer.Context,
    days: Annotated[
        int, typer.Option("--days", min=1, max=3660, help="Window length in UTC days.")
    ] = 30,
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help="Last day of the window, YYYY-MM-DD (default: today, UTC)."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON document on stdout.")] = False,
) -> None:
    """How the program runs: cases, contact times, outcomes, load.

    Cases detected, opened, answered and closed in the window; the backlog; each operator's load.
    Each median says how many cases it covers.

    Reached on a logged attempt: a case counts once an attempt with outcome reached is logged on
    it (c in the app, or ahr case attempt); a case opened or imported as already contacted
    counts only after such an attempt is logged.
    """
    from ahr_tui.service.metrics import compute

    st = state(ctx)
    figures = compute(st.engine(), days=days, as_of=parse_day(as_of, "--as-of"), now=st.clock())
    if as_json:
        emit_json(figures.to_json())
        return
    for line in metrics_text(figures):
        out(line)


def metrics_text(m: Metrics) -> list[str]:
    """The plain-text report: figures, backlog, operators, then one line per day."""
    from ahr_tui.service.metrics import duration_text as duration
    from ahr_tui.service.metrics import median_text, outcome_lines

    backlog = ", ".join(f"{status} {n}" for status, n in sorted(m.backlog.items())) or "none"
    figures = [
        ("detected", str(m.detected)),
        ("opened (first contact)", str(m.opened)),
        ("time to first contact, median",
         median_text(m.time_to_first_contact_p50_s, m.time_to_first_contact_cases)),
        ("time to reach, median", median_text(m.time_to_reach_p50_s, m.time_to_reach_cases)),
        *outcome_lines(m),  # "  reached on a logged attempt  1 of 24 (4 %)"
        ("resolved", str(m.resolved)),
        ("deactivated", str(m.deactivated)),
        ("fraud", str(m.fraud)),
        ("backlog at the end", f"{sum(m.backlog.values())} ({backlog})"),
        ("backlog age, median / max",
         f"{duration(m.backlog_age_p50_s)} / {duration(m.backlog_age_max_s)}"),
    ]
    width = max(len(name) for name, _ in figures)
    lines = [f"{m.first_day.isoformat()} to {m.last_day.isoformat()} (UTC days)", ""]
    lines += [f"{name:<{width}}  {value}" for name, value in figures]
    return [*lines, "", *_table_lines(m)]


def _table_lines(m: Metrics) -> list[str]:
    from ahr_tui.service.metrics import SERIES

    operators = table_lines(
        ("OPERATOR", "ACTIONS", "ASSIGNED ACTIVE", "RESOLVED"),
        [(o.name, o.actions, o.assigned_active, o.resolved) for o in m.per_operator],
    )
    days = table_lines(
        ("DATE", *(s.upper() for s in SERIES)),
        [(d.day.isoformat(), *(d.counts[s] for s in SERIES)) for d in m.daily],
    )
    return [*operators, "", *days]
