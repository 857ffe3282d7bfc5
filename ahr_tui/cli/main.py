"""The ``ahr`` command line: one Typer sub-app per command group (DESIGN.md section 5).

Errors a user can cause become one sentence on stderr and the documented exit code:
1 invalid input or rule rejection, 2 usage, 3 conflict. No traceback.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from ahr_tui.cli.common import CliState, err


class AhrGroup(TyperGroup):
    """Maps the errors a user can cause to a sentence and an exit code."""

    def invoke(self, ctx: Any) -> Any:
        from ahr_tui.errors import AhrError

        try:
            return super().invoke(ctx)
        except AhrError as exc:
            err(f"ahr: {exc.message}")
            raise typer.Exit(exc.exit_code) from None
        except Exception as exc:
            problem = _database_problem(exc, ctx)
            if problem is None:
                raise
            err(f"ahr: {problem.message}")
            raise typer.Exit(problem.exit_code) from None


def _database_problem(exc: Exception, ctx: Any) -> Any:
    from ahr_tui.service.database import database_problem

    root = ctx.find_root().obj
    return database_problem(exc, root.db if isinstance(root, CliState) else None)


app = typer.Typer(
    cls=AhrGroup,
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    help="Account Health Assurance: accounts, 72-hour cases, sweeps, notifications, audit.",
    context_settings={"help_option_names": ["-h", "--help"]},
)


@app.callback()
def root(
    ctx: typer.Context,
    db: Annotated[
        str,
        typer.Option(
            "--db",
            envvar="AHR_DB",
            help="Database: a file path or a SQLAlchemy URL (sqlite:///..., postgresql+psycopg://...).",
        ),
    ] = "ahr.db",
) -> None:
    if isinstance(ctx.obj, CliState):
        ctx.obj.db = db
    else:
        ctx.obj = CliState(db=db)


def _register() -> None:
    from ahr_tui.cli import admin, audit_cmd, cases, data, db_cmd, imports, notify_cmd

    for group in (admin, cases, data, imports, notify_cmd, audit_cmd, db_cmd):
        group.register(app)


_register()


def main() -> None:
    app()
