"""``ahr db copy``: move a whole database between SQLite and PostgreSQL (either direction)."""

from __future__ import annotations

import sys
import time
from typing import TYPE_CHECKING, Annotated

import typer

from ahr_tui.cli.common import err, out
from ahr_tui.wording import count

if TYPE_CHECKING:
    from ahr_tui.service.database import CopyReport

db_app = typer.Typer(no_args_is_help=True, help="Whole-database operations.")


def register(app: typer.Typer) -> None:
    app.add_typer(db_app, name="db")


SourceOpt = Annotated[
    str,
    typer.Option(
        "--from", metavar="URL|PATH", help="The ahr database to copy: a file path or URL."
    ),
]
TargetOpt = Annotated[
    str,
    typer.Option(
        "--to", metavar="URL|PATH",
        help="An empty database or PostgreSQL schema: a file path or URL.",
    ),
]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="No progress on stderr.")]


@db_app.command("copy")
def copy(source: SourceOpt, target: TargetOpt, quiet: QuietOpt = False) -> None:
    """Copy every table, ids and audit chain too, into an empty database.

    The copy creates the tables.
    Refuses a target that already has tables. PostgreSQL: postgresql+psycopg://user@host/db;
    a schema other than public via ?options=-csearch_path%3Dname.
    """
    from ahr_tui.service.database import copy_database

    started = time.monotonic()
    progress = _Progress(shown=not quiet and sys.stderr.isatty())
    report = copy_database(source, target, progress=progress)
    progress.clear()
    _print_copied(report)
    out(
        f"copied {count(sum(report.rows.values()), 'row')} from {report.source} to "
        f"{report.target} in {time.monotonic() - started:.1f} s"
    )


class _Progress:
    """The table being copied and its rows so far, on one line of a terminal's stderr."""

    def __init__(self, *, shown: bool) -> None:
        self.shown = shown

    def __call__(self, table: str, rows: int) -> None:
        if self.shown:
            sys.stderr.write(f"\r  {table}: {count(rows, 'row')}")
            sys.stderr.flush()

    def clear(self) -> None:
        if self.shown:
            sys.stderr.write("\r\x1b[K")


def _print_copied(report: CopyReport) -> None:
    """Rows per table, then whether the copy's audit chain verifies (a warning when not)."""
    from ahr_tui.service.database import command_on

    for name, rows in report.rows.items():
        out(f"  {name}: {count(rows, 'row')}")
    audit = report.audit
    if audit is not None and audit.ok:
        out(f"audit chain verified on the copy: {count(audit.checked, 'event')}")
    elif audit is not None:
        err(
            f"ahr: warning: the copied audit chain does not verify at event {audit.bad_event}: "
            f"{audit.problem} (the source has the same defect; "
            f"{command_on(report.source, 'audit verify')} shows it)"
        )
