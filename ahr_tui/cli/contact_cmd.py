"""``ahr case detect`` and ``ahr case attempt``: a policy issue found, and reaching the seller.

Thin like the other ``ahr case`` commands: parse, call ``service.contact``, print. An unknown
channel or outcome is a usage error (exit 2) that lists the choices, as Typer does for choices.
The choices are the rules' own enums (``rules.contact.Channel``, ``Outcome``), as ``cli.cases``
does for statuses and policy areas: one added there is offered here.
"""

from __future__ import annotations

from typing import Annotated

import typer

from ahr_tui.cli.case_options import (
    AtOpt,
    CaseIdArg,
    PolicyAreaOpt,
    SellerArg,
    StoreCodeOpt,
    SummaryOpt,
    VersionOpt,
)
from ahr_tui.cli.cases import JsonOpt, new_case_command
from ahr_tui.cli.common import emit_json, out, parse_instant, state
from ahr_tui.rules.contact import Channel, Outcome


def detect(
    ctx: typer.Context,
    seller_id: SellerArg,
    store: StoreCodeOpt,
    policy: PolicyAreaOpt,
    at: AtOpt = None,
    summary: SummaryOpt = "",
    as_json: JsonOpt = False,
) -> None:
    """Record a policy issue found at --at; contact due within 24 h.

    The first contact is due 24 hours after --at, and the 72 hours start with the first
    attempt (`ahr case attempt`). Prints the new id.
    """
    from ahr_tui.service.contact import detect_case

    new_case_command(ctx, detect_case, seller_id, store, policy, at, summary, as_json)


def attempt(
    ctx: typer.Context,
    case_id: CaseIdArg,
    channel: Annotated[Channel, typer.Option("--channel", help="How you tried.")],
    outcome: Annotated[Outcome, typer.Option("--outcome", help="What came of it.")],
    at: AtOpt = None,
    note: Annotated[str | None, typer.Option("--note", help="What was said or left.")] = None,
    expect_version: VersionOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Log an attempt to reach the seller. The first one is the contact: the 72 hours start."""
    from ahr_tui.service.contact import record_attempt
    from ahr_tui.wording import instant

    st = state(ctx)
    view = record_attempt(
        st.engine(),
        case_id,
        channel=channel,
        outcome=outcome,
        at=parse_instant(at, "--at", st.clock),
        note=note,
        actor=st.actor(),
        now=st.clock(),
        expected_version=expect_version,
    )
    if as_json:
        emit_json(view.to_json())
        return
    out(f"case {view.id}: {view.status.value}, attempt {view.attempts} "
        f"({channel.value}, {outcome.value}); deadline {instant(view.deadline)}")
