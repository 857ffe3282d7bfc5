"""``ahr audit verify`` and ``ahr audit log``."""

from __future__ import annotations

from typing import Annotated

import typer

from ahr_tui.cli.common import (
    SINCE_HELP,
    JsonOpt,
    emit_json,
    err,
    out,
    parse_since,
    state,
    table,
)
from ahr_tui.wording import count, instant

audit_app = typer.Typer(no_args_is_help=True, help="The tamper-evident audit log.")


def register(app: typer.Typer) -> None:
    app.add_typer(audit_app, name="audit")


@audit_app.command("verify")
def verify(ctx: typer.Context) -> None:
    """Check the audit hash chain; exit 1 names the first bad event.

    Exit 0 when the chain is intact.
    """
    from ahr_tui.service.audit_log import verify_audit
    from ahr_tui.service.database import read

    result = read(state(ctx).engine(), verify_audit)
    if result.ok:
        out(f"audit log intact: {count(result.checked, 'event')} verified")
        return
    err(f"ahr: audit log broken at event {result.bad_event}: {result.problem} "
        f"({count(result.checked, 'event')} before it verified)")
    raise typer.Exit(1)


SinceOpt = Annotated[
    str | None,
    typer.Option("--since", metavar="T|DAY|DURATION", help="Only events at or after this: "
                 + SINCE_HELP[0].lower() + SINCE_HELP[1:]),
]


@audit_app.command("log")
def log(
    ctx: typer.Context,
    case: Annotated[
        int | None, typer.Option("--case", min=1, max=2**63 - 1, help="Only this case's events.")
    ] = None,
    since: SinceOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Show audit events, oldest first. Anyone may read the log."""
    from ahr_tui.service.audit_log import audit_events
    from ahr_tui.service.database import read
    from ahr_tui.service.views import event_to_json

    st = state(ctx)
    start = parse_since(since, st.clock()) if since is not None else None
    events = read(st.engine(), audit_events, case_id=case, since=start)
    if as_json:
        emit_json([event_to_json(e) for e in events])
        return
    table(
        ("ID", "AT", "ACTOR", "WHERE", "CASE", "ACTION", "FROM", "TO", "NOTE"),
        [
            (e.id, instant(e.at), e.actor, " ".join(filter(None, (e.client, e.tty))) or "-",
             e.case_id or "-", e.action, e.from_state or "-", e.to_state or "-",
             (e.note or "")[:80])
            for e in events
        ],
    )
