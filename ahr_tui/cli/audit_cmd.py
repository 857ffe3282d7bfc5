"""``ahr audit verify`` and ``ahr audit log``."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

import typer

from ahr_tui.cli.common import (
    SINCE_HELP,
    JsonOpt,
    emit_json_array,
    err,
    out,
    parse_since,
    state,
    stream_table,
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
    from ahr_tui.service.audit_log import check_case, event_pages
    from ahr_tui.service.database import read
    from ahr_tui.service.views import event_to_json

    st = state(ctx)
    start = parse_since(since, st.clock()) if since is not None else None
    db = st.engine()
    if case is not None:
        read(db, check_case, case)
    if as_json:
        emit_json_array(event_to_json(e) for page in event_pages(
            db, case_id=case, since=start) for e in page)
        return
    through: list[int | None] = [None]  # after the first walk, its last id: the second
    # (printing) walk reads exactly the events the first (measuring) one read

    def rows() -> Iterator[tuple[object, ...]]:
        last = 0
        for page in event_pages(db, case_id=case, since=start, through=through[0]):
            last = page[-1].id
            for e in page:
                yield (e.id, instant(e.at), e.actor,
                       " ".join(filter(None, (e.client, e.tty))) or "-", e.case_id or "-",
                       e.action, e.from_state or "-", e.to_state or "-", (e.note or "")[:80])
        through[0] = last

    stream_table(("ID", "AT", "ACTOR", "WHERE", "CASE", "ACTION", "FROM", "TO", "NOTE"), rows)
