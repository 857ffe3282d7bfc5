"""``ahr db copy``: move a whole database between SQLite and PostgreSQL (either direction)."""

from __future__ import annotations

import sys
import time
from typing import Annotated

import typer

from ahr_tui.cli.common import err, out
from ahr_tui.wording import count

db_app = typer.Typer(no_args_is_help=True, help="Whole-database operations.")


def register(app: typer.Typer) -> None:
    app.add_typer(db_app, name="db")


@db_app.command("copy")
def copy(
    source: Annotated[
        str, typer.Option(
            "--from", metavar="URL|PATH", help="The ahr database to copy: a file path or URL."
        )
    ],
    target: Annotated[
        str,
        typer.Option(
            "--to", metavar="URL|PATH",
            help="An empty database or PostgreSQL schema: a file path or URL.",
        ),
    ],
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress on stderr.")] = False,
) -> None:
    """Copy every table, ids and audit chain included, into an empty database (tables created).

    Refuses a target that already has tables. PostgreSQL: postgresql+psycopg://user@host/db;
    a schema other than public via ?options=-csearch_path%3Dname.
    """
    from ahr_tui.service.database import command_on, copy_database

    started = time.monotonic()
    show = not quiet and sys.stderr.isatty()

    def progress(table: str, rows: int) -> None:
        if show:
            sys.stderr.write(f"\r  {table}: {count(rows, 'row')}")
            sys.stderr.flush()

    report = copy_database(source, target, progress=progress)
    if show:
        sys.stderr.write("\r\x1b[K")
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
    out(
        f"copied {count(sum(report.rows.values()), 'row')} from {report.source} to "
        f"{report.target} in {time.monotonic() - started:.1f} s"
    )
