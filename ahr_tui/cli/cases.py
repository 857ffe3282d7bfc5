"""``ahr cases`` and ``ahr case ...``: list, open and act on 72-hour cases."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from ahr_tui.cli.case_options import (
    DB_INT_MAX,
    AssigneeOpt,
    AtOpt,
    CaseIdArg,
    CsvOpt,
    NowOpt,
    PolicyAreaOpt,
    PolicyOpt,
    SellerArg,
    StatusesOpt,
    StoreCodeOpt,
    StoreOpt,
    SummaryOpt,
    UnassignedOpt,
    VersionOpt,
    ViewOpt,
)
from ahr_tui.cli.common import (
    JsonOpt,
    emit_json,
    err,
    known_store,
    out,
    parse_instant,
    state,
    table,
    table_lines,
)
from ahr_tui.rules import CaseAction, PolicyArea
from ahr_tui.wording import NO_ACCOUNTS_YET, instant

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from datetime import datetime

    from ahr_tui.cli.common import CliState
    from ahr_tui.service.bulk import BulkResult
    from ahr_tui.service.case_view import CaseView
    from ahr_tui.service.views import EventRecord



case_app = typer.Typer(no_args_is_help=True, help="Open, act on and show one case.")


def register(app: typer.Typer) -> None:
    """``ahr cases`` and ``ahr case ...``, whose help lists the commands in the order they are
    added here (Typer keeps registration order): the way the work flows, from the policy issue
    found to the case closed, then what applies at any time."""
    from ahr_tui.cli.contact_cmd import attempt, detect  # it imports this module

    app.command("cases")(list_cases)
    flow: tuple[tuple[str, Callable[..., None]], ...] = (
        ("detect", detect), ("attempt", attempt), ("open", open_case), ("respond", respond),
        ("resolve", resolve), ("deactivate", deactivate), ("fraud", fraud),
        ("assign", assign), ("note", note), ("show", show),
    )
    for name, command in flow:
        case_app.command(name)(command)
    app.add_typer(case_app, name="case")


def list_cases(
    ctx: typer.Context, status: StatusesOpt = None, assignee: AssigneeOpt = None,
    unassigned: UnassignedOpt = False, store: StoreOpt = None, policy: PolicyOpt = None,
    view: ViewOpt = None, now: NowOpt = None, as_json: JsonOpt = False, as_csv: CsvOpt = False,
) -> None:
    """List cases, needs action first (the order the app shows).

    Overdue first, then least time left, then expired, then responded.
    """
    from ahr_tui.service.database import read
    from ahr_tui.service.views import CaseFilter, has_accounts, known_assignee
    from ahr_tui.service.views import list_cases as query

    if as_json and as_csv:
        raise typer.BadParameter("choose one of --json and --csv", param_hint="--csv")
    if assignee is not None and unassigned:
        raise typer.BadParameter("choose one of --assignee and --unassigned",
                                 param_hint="--unassigned")
    st = state(ctx)
    instant = parse_instant(now, "--now", st.clock)
    only = CaseFilter(assignee=assignee, unassigned=unassigned, store=known_store(store),
                      policy=policy.value if policy else None)
    if assignee is not None:
        read(st.engine(), known_assignee, assignee)
    cases = only.apply(read(st.engine(), query, frozenset(status) if status else None))
    if view is not None:
        cases = _through_view(st, view, cases)
    if as_json:
        emit_json([c.listed_json(instant) for c in cases])
        return
    if as_csv:
        import sys

        from ahr_tui.service.export import write_cases_csv

        write_cases_csv(cases, sys.stdout, instant)
        return
    _print_cases(cases, instant)
    if not cases and not read(st.engine(), has_accounts):
        out(NO_ACCOUNTS_YET)  # a new database: say how the data comes in


def _print_cases(cases: Sequence[CaseView], instant: datetime) -> None:
    """The text table of ``ahr cases``: time left and the urgency word by ``rules.time_left``
    (a detected case's ``contact`` and its level, ``contact overdue``, as its row in the app
    shows ``CONTACT`` after the level's mark, ``!!! CONTACT``)."""
    from ahr_tui.rules import time_left

    rows = []
    for c in cases:
        left = time_left(c.status, c.due, instant, responded_at=c.responded_at)
        rows.append(
            (c.id, left.text, left.word, c.seller_id, c.store, c.policy, c.status.value,
             c.assignee or "-", c.name)
        )
    table(
        ("ID", "LEFT", "URGENCY", "SELLER", "STORE", "POLICY", "STATUS", "ASSIGNEE", "NAME"), rows
    )
    if not rows:
        out("(no cases)")


def _through_view(st: CliState, name: str, cases: list[CaseView]) -> list[CaseView]:
    """``--view NAME``: the cases the app's Cases list shows under that saved view."""
    from ahr_tui.errors import InvalidInput
    from ahr_tui.service.case_list import SortKey, shown
    from ahr_tui.service.saved_views import ViewKind, get_view

    saved = get_view(st.engine(), name, operator=st.actor().name)
    if saved.kind is not ViewKind.CASES:
        raise InvalidInput(f"view {saved.name!r} is of the Accounts list; ahr cases needs a "
                           "view of the Cases list.")
    return shown(cases, saved.filter_text, SortKey.named(saved.sort))


def open_case(
    ctx: typer.Context,
    seller_id: SellerArg,
    store: StoreCodeOpt,
    policy: PolicyAreaOpt,
    at: AtOpt = None,
    summary: SummaryOpt = "",
    as_json: JsonOpt = False,
) -> None:
    """Open a 72-hour case; the clock starts at --at (the contact). Prints the new id."""
    from ahr_tui.service.cases import open_case as service_open

    new_case_command(ctx, service_open, seller_id, store, policy, at, summary, as_json)


def new_case_command(
    ctx: typer.Context, create: Callable[..., CaseView], seller_id: str, store: str,
    policy: PolicyArea, at: str | None, summary: str, as_json: bool,
) -> None:
    """``ahr case open`` and ``ahr case detect``: make the case with ``create`` (a service
    function), then print its id (``--json``: the case)."""
    st = state(ctx)
    view = create(
        st.engine(),
        seller_id=seller_id,
        store=store.upper(),
        policy=policy,
        at=parse_instant(at, "--at", st.clock),
        summary=summary,
        actor=st.actor(),
        now=st.clock(),
    )
    if as_json:
        emit_json(view.to_json())
    else:
        out(str(view.id))


def _act(
    ctx: typer.Context,
    case_id: int,
    action: CaseAction,
    at: str | None,
    text: str | None,
    expect_version: int | None,
    as_json: bool,
) -> None:
    from ahr_tui.service.cases import act

    st = state(ctx)
    view = act(
        st.engine(),
        case_id,
        action,
        at=parse_instant(at, "--at", st.clock),
        text=text,
        actor=st.actor(),
        now=st.clock(),
        expected_version=expect_version,
    )
    if as_json:
        emit_json(view.to_json())
    else:
        out(f"case {view.id}: {view.status.value}")


def respond(
    ctx: typer.Context,
    case_id: CaseIdArg,
    at: AtOpt = None,
    note: Annotated[
        str | None, typer.Option("--note", help="What the seller said or sent (optional).")
    ] = None,
    expect_version: VersionOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Record the seller's response (in time if by the deadline)."""
    _act(ctx, case_id, CaseAction.RESPOND, at, note, expect_version, as_json)


def resolve(
    ctx: typer.Context,
    case_id: CaseIdArg,
    at: AtOpt = None,
    note: Annotated[
        str | None, typer.Option("--note", help="Required: how it was resolved.")
    ] = None,
    expect_version: VersionOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Resolve the case; the account stays active. Needs --note."""
    _act(ctx, case_id, CaseAction.RESOLVE, at, note, expect_version, as_json)


def deactivate(
    ctx: typer.Context,
    case_id: CaseIdArg,
    at: AtOpt = None,
    note: Annotated[str | None, typer.Option("--note", help="Required: the decision.")] = None,
    expect_version: VersionOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Deactivate the account of an expired case. Needs --note."""
    _act(ctx, case_id, CaseAction.DEACTIVATE, at, note, expect_version, as_json)


def fraud(
    ctx: typer.Context,
    case_id: CaseIdArg,
    at: AtOpt = None,
    evidence: Annotated[
        str | None, typer.Option("--evidence", help="Required: the finding.")
    ] = None,
    expect_version: VersionOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Record fraud: deactivates the account, revokes its assurance.

    The enrolment is revoked for good; the account's other active cases are superseded.
    """
    _act(ctx, case_id, CaseAction.FRAUD, at, evidence, expect_version, as_json)


def show(
    ctx: typer.Context, case_id: CaseIdArg, now: NowOpt = None, as_json: JsonOpt = False
) -> None:
    """One case with its timeline."""
    from ahr_tui.service.contact_card import phone_text
    from ahr_tui.service.database import read
    from ahr_tui.service.views import case_record, event_to_json
    from ahr_tui.textsafe import clean

    st = state(ctx)
    at = parse_instant(now, "--now", st.clock)  # as ahr cases --now reads it (checked with --json)
    # one read: the case, its timeline and the seller's phone as of one moment
    record = read(st.engine(), case_record, case_id, with_card=not as_json)
    if as_json:
        data = record.case.to_json()
        data["events"] = [event_to_json(e) for e in record.events]
        data["attempts"] = [a.to_json() for a in record.attempts]
        emit_json(data)
        return
    assert record.card is not None
    fields = _case_fields(record.case, [a.at for a in record.attempts], at)
    fields.insert(2, ("phone", phone_text(record.card, at)))  # after the seller: to dial
    for key, value in fields:
        # a multi-line summary or outcome: its further lines under its first, as in the timeline
        out(f"{key:>11}  " + clean(value or "").replace("\n", "\n" + " " * 13))
    out("")
    out("timeline")
    for line in table_lines(("AT", "ACTOR", "ACTION", "CHANGE", "NOTE"), _timeline(record.events)):
        out("  " + line)


def _case_fields(view: CaseView, attempts: Sequence[datetime], now: datetime
                 ) -> list[tuple[str, str]]:
    """The ``key  value`` lines of ``ahr case show``, time left as ``rules.time_left`` says."""
    from ahr_tui.rules import time_left

    left = time_left(view.status, view.due, now, responded_at=view.responded_at)
    status = view.status.value
    if left.phrase != "-":  # a final case has no time to say
        # "13h 05m left, warn", "45m 53s overdue", "8h 00m past the deadline" (expired),
        # "1d 10h to spare" (responded): as the app's detail and the handover say it
        status += f" ({left.described})"
    target = view.contact_target
    return [
        ("case", str(view.id)),
        ("seller", f"{view.seller_id} ({view.store}) {view.name}"),
        ("policy", view.policy),
        ("status", status),
        ("detected", instant(view.detected_at)),
        # once contacted, whether the target was kept: a bare date read as if still due
        ("contact due", instant(view.contact_due) + (f" ({target})" if target else "")),
        ("contacted", instant(view.contacted_at)),
        ("deadline", instant(view.deadline)),
        ("reached", instant(view.reached_at)),
        ("attempts", view.attempts_text(attempts)),
        ("responded", instant(view.responded_at)),
        ("assignee", view.assignee or "-"),
        ("summary", view.summary or "-"),
        ("outcome", view.outcome_note or "-"),
    ]


def _timeline(events: Sequence[EventRecord]) -> list[tuple[str, ...]]:
    """The timeline's rows: one per event, a multi-line note's further lines under it; an
    automatic transition's actor is ``system``, as the app's timeline shows it (the audit log
    and ``--json`` keep the OS user who ran it)."""
    from ahr_tui.rules.automatic import shown_actor
    from ahr_tui.service.event_view import state_change

    rows: list[tuple[str, ...]] = []
    for e in events:
        first, *more = (e.note or "").splitlines() or [""]
        rows.append((instant(e.at), shown_actor(e.actor, e.note), e.action, state_change(e),
                     first))
        rows.extend(("", "", "", "", line) for line in more)
    return rows


CaseIdsArg = Annotated[
    list[int],
    typer.Argument(min=1, max=DB_INT_MAX, help="One or more case ids (each its own change)."),
]


def assign(
    ctx: typer.Context,
    case_ids: CaseIdsArg,
    to: Annotated[
        str | None, typer.Option("--to", metavar="USER", help="Operator (default: you).")
    ] = None,
    expect_version: VersionOpt = None,
) -> None:
    """Assign cases: a line per case; exit 1 when any failed."""
    from ahr_tui.service.bulk import assign_each

    if expect_version is not None and len(set(case_ids)) > 1:
        raise typer.BadParameter("--expect-version needs exactly one case id",
                                 param_hint="--expect-version")
    st = state(ctx)
    targets = [(case_id, expect_version) for case_id in case_ids]
    result = assign_each(st.engine(), targets, to=to, actor=st.actor(), now=st.clock())
    _report(result)


def note(
    ctx: typer.Context,
    case_ids: CaseIdsArg,
    text: Annotated[str, typer.Option("--text", help="The note, e.g. a contact attempt.")],
) -> None:
    """Add a note to cases: a line per case; exit 1 when any failed."""
    from ahr_tui.service.bulk import note_each

    st = state(ctx)
    result = note_each(st.engine(), case_ids, text=text, actor=st.actor(), now=st.clock())
    _report(result)


def _report(result: BulkResult) -> None:
    """A line per case: done ones on stdout, refused ones on stderr. One case keeps its own
    exit code (3 for a conflict); several exit 1 when any failed."""
    for outcome in result.outcomes:
        if outcome.said is not None:
            out(outcome.said)
        else:
            err(f"ahr: {outcome.sentence()}")
    if result.failed:
        one = len(result.outcomes) == 1
        raise typer.Exit(result.failed[0].exit_code if one else 1)
