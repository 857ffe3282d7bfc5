"""The ``ahr`` command line: one Typer sub-app per command group (DESIGN.md section 5).

Errors a user can cause become one sentence on stderr and the documented exit code:
1 invalid input or rule rejection, 2 usage, 3 conflict. No traceback. A usage error adds one
line, where that command's help is (``BriefUsageError``).

``--db`` is accepted before or after the subcommand (``ahr --db x.db init`` and
``ahr init --db x.db``): the root option, and the same option added to every command by
``AhrGroup``. New commands get it without doing anything.
"""

from __future__ import annotations

import re
from typing import IO, Annotated, Any

import typer
from typer._click.exceptions import NoArgsIsHelpError, NoSuchOption, UsageError
from typer.core import TyperArgument, TyperGroup

from ahr_tui.cli.common import CliState, err, out, safe_streams, state

DB_HELP = "Database: a file path or a SQLAlchemy URL (sqlite:///..., postgresql+psycopg://...)."


class AhrGroup(TyperGroup):
    """Maps the errors a user can cause to a sentence and an exit code; gives every command
    ``--db``."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _add_db_option(self.commands.values())

    def make_context(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().make_context(*args, **kwargs)
        except UsageError as exc:  # the root's own options: ``ahr --bogus``
            raise _brief(exc) from None

    def invoke(self, ctx: Any) -> Any:
        from ahr_tui.errors import AhrError

        try:
            return super().invoke(ctx)
        except UsageError as exc:
            raise _brief(exc) from None
        except AhrError as exc:
            err(f"ahr: {exc.message}")
            raise typer.Exit(exc.exit_code) from None
        except Exception as exc:
            problem = _database_problem(exc, ctx)
            if problem is None:
                raise
            err(f"ahr: {problem.message}")
            raise typer.Exit(problem.exit_code) from None


class BriefUsageError(UsageError):
    """A usage error in two lines on stderr: what is wrong, and the command whose ``--help``
    says how. (Click's own block was four lines: the usage line, a pointer to ``-h``, a blank
    line, then ``Error:`` and the sentence, which a choice's list broke over several lines.)"""

    def __init__(self, cause: UsageError) -> None:
        message = cause.format_message()
        if isinstance(cause, NoSuchOption) and cause.possibilities:  # not "(Possible options:"
            message = f"{cause.message} Did you mean {' or '.join(sorted(cause.possibilities))}?"
        super().__init__(_one_line(message), cause.ctx)

    def show(self, file: IO[Any] | None = None) -> None:
        command = self.ctx.command_path if self.ctx is not None else "ahr"
        err(f"ahr: {self.message}")
        err(f"Try '{command} --help' for help.")


def _one_line(message: str) -> str:
    """``Missing option '--channel'. Choose from:\\n\\tphone,\\n\\temail`` -> ``... Choose
    from: phone, email.``: one line, one sentence end."""
    line = re.sub(r"\s*\n\s*", " ", message.strip())
    return line if line.endswith((".", "?", "!")) else line + "."


def _brief(exc: Any) -> Any:
    """The usage error said in two lines (``BriefUsageError``); a bare group's help (``ahr
    case``: Click's ``NoArgsIsHelpError``) stays the help."""
    if isinstance(exc, NoArgsIsHelpError):
        return exc
    _as_sentence(exc)
    return BriefUsageError(exc)


def _as_sentence(exc: Any) -> None:
    """Every usage error (a Click ``UsageError``) reads alike, whoever raised it: ``Invalid value
    for '--since': ... .`` (the option quoted as Click quotes its own, the sentence ended once).
    A missing option or argument has no message of its own: Click ends that sentence itself."""
    message = exc.message.rstrip()
    if message and not message.endswith((".", "?", "!")):
        exc.message = message + "."
    hint = getattr(exc, "param_hint", None)
    if isinstance(hint, str) and hint.startswith("-"):
        exc.param_hint = " / ".join(f"'{part}'" for part in hint.split("/"))


def _database_problem(exc: Exception, ctx: Any) -> Any:
    from ahr_tui.service.database import database_problem

    root = ctx.find_root().obj
    return database_problem(exc, root.db if isinstance(root, CliState) else None)


#: Commands that open no database of --db (they write a new file, or a temporary one): their
#: help does not offer ``--db``, and ``--db`` after them is refused as unknown.
WITHOUT_DATABASE = frozenset({"sample", "demo"})


def _add_db_option(commands: Any) -> None:
    """``--db`` after the subcommand too: it overrides the root's value (and ``AHR_DB``); and
    numbers refused in plain sentences, their range said in the help (``PlainNumber``)."""
    from typer._click.types import _NumberParamTypeBase
    from typer.core import TyperOption

    from ahr_tui.cli.common import PlainNumber

    for command in commands:
        if command.name not in WITHOUT_DATABASE and not any(
                "--db" in getattr(p, "opts", ()) for p in command.params):
            command.params.insert(
                0,
                TyperOption(
                    param_decls=["--db"], metavar="URL|PATH", expose_value=False,
                    callback=_set_db,
                    help=DB_HELP + " Also accepted before the command; default $AHR_DB or ahr.db.",
                ),
            )
        for param in command.params:
            if type(param) is TyperArgument:  # Typer builds it; only its usage text changes
                param.__class__ = UsageArgument
            if isinstance(param.type, _NumberParamTypeBase):
                param.type = PlainNumber(param.type)
                extra = param.type.describe()
                if extra and isinstance(param, TyperOption | TyperArgument):
                    param.help = f"{param.help or ''} {extra}".strip()
            if param.metavar is None:
                param.metavar = _metavar(param)
                _list_choices(param)
        if isinstance(command, TyperGroup):
            _add_db_option(command.commands.values())


#: Value names in help, as the README writes them: instants T, days DAY, then by type.
_METAVARS = {"--at": "T", "--now": "T", "--since": "T", "--as-of": "DAY", "--date": "DAY"}
#: The longest list of choices shown as the metavar itself (``phone|email|sms|chat``).
_SHORT_CHOICES = 20
_BY_TYPE = {"str": "TEXT", "integer": "N", "number": "NUMBER", "path": "PATH"}


def _metavar(param: Any) -> str | None:
    """``CASE_ID`` for an argument, ``T`` for ``--at``, ``TEXT`` for ``--note`` (not Typer's
    ``<str>``); None (Typer's own) for flags and choices, which show their values."""
    if isinstance(param, TyperArgument):
        name = (param.name or "").upper()
        if param.nargs != 1:  # one or more ids: CASE_ID..., as the README writes it
            return (name.removesuffix("_IDS") + "_ID" if name.endswith("_IDS") else name) + "..."
        return name
    if getattr(param, "is_flag", False):
        return None
    choices = getattr(param.type, "choices", None)
    if choices:  # phone|email|sms|chat; a longer list: OUTCOME, its values in the help
        values = "|".join(map(str, choices))
        return values if len(values) <= _SHORT_CHOICES else (param.name or "").upper()
    named = next((_METAVARS[o] for o in param.opts if o in _METAVARS), None)
    return named or _BY_TYPE.get(param.type.name)


def _list_choices(param: Any) -> None:
    """A choice too long for its metavar (``--outcome OUTCOME``) lists its values in its help."""
    choices = [str(c) for c in getattr(param.type, "choices", None) or ()]
    if choices and param.metavar != "|".join(choices) and not all(
            c in (param.help or "") for c in choices):
        param.help = f"{param.help or ''} One of {', '.join(choices)}.".strip()


class UsageArgument(TyperArgument):
    """An argument as usage lines write it: ``CASE_ID``, ``[SELLER_ID...]`` when optional.
    (Typer's own wraps a required one in braces: ``ahr case show [OPTIONS] {CASE_ID}``.)"""

    def make_metavar(self, ctx: Any, *, usage: bool = False) -> str:
        var = self.metavar or (self.name or "").upper()
        return f"[{var}]" if usage and not self.required and not var.startswith("[") else var

    @property
    def human_readable_name(self) -> str:
        """``Missing argument 'CASE_ID'.`` for one or more case ids, without the dots."""
        return (self.metavar or (self.name or "").upper()).removesuffix("...")


def _set_db(ctx: Any, _param: Any, value: str | None) -> None:
    if value is not None:
        state(ctx).db = value


def _show_version(value: bool) -> None:
    if value:
        from ahr_tui import __version__

        out(f"ahr {__version__}")
        raise typer.Exit()


app = typer.Typer(
    cls=AhrGroup,
    no_args_is_help=True,
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
            metavar="URL|PATH",
            help=DB_HELP + " Also accepted after the command.",
        ),
    ] = "ahr.db",
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_show_version, is_eager=True, help="Print ahr's version and exit."
        ),
    ] = False,
) -> None:
    if isinstance(ctx.obj, CliState):
        ctx.obj.db = db
    else:
        ctx.obj = CliState(db=db)


def _register() -> None:
    from ahr_tui.cli import (
        admin,
        audit_cmd,
        cases,
        data,
        db_cmd,
        imports,
        metrics_cmd,
        notify_cmd,
        shift_cmd,
        views_cmd,
    )

    for group in (
        admin, cases, data, imports, notify_cmd, audit_cmd, db_cmd, metrics_cmd,
        views_cmd,
    ):
        group.register(app)
    shift_cmd.register(app, admin.operator_app)


_register()


def main() -> None:
    safe_streams()
    app()
