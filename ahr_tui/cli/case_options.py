"""The options and arguments of ``ahr cases`` and ``ahr case ...`` (and ``ahr case contact``)."""

from __future__ import annotations

from typing import Annotated

import typer

from ahr_tui.rules import ACTIVE_STATUSES, CaseStatus, PolicyArea

# The option choices are the rules' own enums (``ahr_tui.rules`` loads neither SQLAlchemy nor
# Textual, so ``ahr --help`` stays fast): a status or policy area added there is offered here.
StatusChoice = CaseStatus
PolicyChoice = PolicyArea

AtOpt = Annotated[
    str | None, typer.Option("--at", help="Business time, ISO-8601 with offset (default: now).")
]
#: Ids and versions are 64-bit in the database; a bigger number is a usage error, not a crash.
DB_INT_MAX = 2**63 - 1
CaseIdArg = Annotated[int, typer.Argument(min=1, max=DB_INT_MAX, help="The case id.")]
VersionOpt = Annotated[
    int | None,
    typer.Option(
        "--expect-version",
        min=1,
        max=DB_INT_MAX,
        help="Refuse (exit 3) unless the case is still at this version.",
    ),
]


_ACTIVE = ", ".join(sorted(s.value for s in ACTIVE_STATUSES))
# The choices go in the help text, which wraps; as a metavar they made one 150-column line.
_STATUSES, _POLICIES = (", ".join(m.value for m in e) for e in (CaseStatus, PolicyArea))
StatusesOpt = Annotated[list[StatusChoice] | None, typer.Option(
    "--status", metavar="STATUS",
    help=f"One of {_STATUSES}; repeat to list several (default: {_ACTIVE}).")]
AssigneeOpt = Annotated[
    str | None, typer.Option("--assignee", help="Only cases assigned to this operator.")
]
UnassignedOpt = Annotated[
    bool, typer.Option("--unassigned", help="Only cases nobody is assigned to.")
]
StoreOpt = Annotated[str | None, typer.Option("--store", help="Only this store, e.g. US.")]
PolicyOpt = Annotated[PolicyChoice | None, typer.Option(
    "--policy", metavar="POLICY", help=f"Only this policy area: {_POLICIES}.")]
NowOpt = Annotated[
    str | None, typer.Option("--now", help="Instant the time left is computed from.")
]
CsvOpt = Annotated[bool, typer.Option("--csv", help="CSV on stdout, the columns of --json.")]
ViewOpt = Annotated[
    str | None, typer.Option("--view", help="Apply one of your saved views (its filter and sort).")
]
# The options of a new case (``ahr case open`` and ``ahr case detect``).
SellerArg = Annotated[str, typer.Argument(help="The seller's id.")]
StoreCodeOpt = Annotated[str, typer.Option("--store", help="Store code, e.g. US.")]
PolicyAreaOpt = Annotated[PolicyChoice, typer.Option(
    "--policy", metavar="POLICY", help=f"Policy area: {_POLICIES}.")]
SummaryOpt = Annotated[str, typer.Option("--summary", help="What the issue is.")]
