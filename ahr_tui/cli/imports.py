"""``ahr import sellers|scores|cases|report``: load a file in one transaction, all or nothing.

Problems go to stderr as ``FILE:LINE: column: message`` (a JSON pointer instead of LINE for the
report), every one of them up to 50, then a count; the summary line goes to stdout. A Rich
progress bar with rows per second is shown only when stdout is a terminal and not ``--quiet``.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, BinaryIO

import typer

from ahr_tui.cli.common import err, out, parse_day, state
from ahr_tui.textsafe import clean_line
from ahr_tui.wording import instant

if TYPE_CHECKING:
    from ahr_tui.service.import_unit import Source
    from ahr_tui.service.imports import ImportOptions, ImportResult

import_app = typer.Typer(
    no_args_is_help=True,
    help="Load sellers, scores, cases or a Seller Performance Report.",
)

def _file(given: str) -> Path:
    """FILE as typed: ``-`` is standard input; any other spelling is a file, ``./-`` (a file
    named ``-``) included, which ``Path`` would shorten to ``-``: it is made absolute."""
    from ahr_tui.importers.source import named_file

    return named_file(given)


FileArg = Annotated[
    Path,
    typer.Argument(
        metavar="FILE",
        parser=_file,
        help="The file to import; - reads standard input (a file named - is ./-). A pipe works "
        "too (a FIFO, a shell's process substitution).",
        show_default=False,
    ),
]
DryRunOpt = Annotated[
    bool, typer.Option("--dry-run", help="Validate and say what would change; write nothing.")
]
SkipOpt = Annotated[
    bool,
    typer.Option(
        "--skip-invalid",
        help="Import the valid records; write the rejected ones, with a reason column, beside "
        "FILE as NAME.rejects.csv (scores.csv -> scores.rejects.csv), or where --rejects says.",
    ),
]
RejectsOpt = Annotated[
    str | None,
    typer.Option(
        "--rejects",
        metavar="PATH",
        help="With --skip-invalid: the file to write the rejected records to, or a folder to "
        "write NAME.rejects.csv in (an existing one, or any PATH ending with /: created, parents "
        "too); default: beside FILE; needed when FILE is - or a pipe.",
        show_default=False,
    ),
]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")]


def register(app: typer.Typer) -> None:
    app.add_typer(import_app, name="import")


@import_app.command("sellers")
def sellers(
    ctx: typer.Context,
    file: FileArg,
    dry_run: DryRunOpt = False,
    skip_invalid: SkipOpt = False,
    rejects: RejectsOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Seller accounts, new or updated.

    Columns: seller_id,store,name,plan,emergency_phone,email.
    """
    options = _options(file, "sellers", dry_run, skip_invalid, rejects)
    _run_csv(ctx, "sellers", file, options, quiet)


@import_app.command("scores")
def scores(
    ctx: typer.Context,
    file: FileArg,
    dry_run: DryRunOpt = False,
    skip_invalid: SkipOpt = False,
    rejects: RejectsOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Daily AHR scores; a later import replaces a day's score.

    Columns: seller_id,store,date,score.
    """
    options = _options(file, "scores", dry_run, skip_invalid, rejects)
    _run_csv(ctx, "scores", file, options, quiet)


@import_app.command("cases")
def cases(
    ctx: typer.Context,
    file: FileArg,
    dry_run: DryRunOpt = False,
    skip_invalid: SkipOpt = False,
    rejects: RejectsOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """72-hour cases, opened through the rules.

    Columns: seller_id,store,policy,contacted_at,summary[,detected_at]. An empty contacted_at with
    a detected_at records a case not contacted yet.
    """
    options = _options(file, "cases", dry_run, skip_invalid, rejects)
    _run_csv(ctx, "cases", file, options, quiet)


@import_app.command("report")
def report(
    ctx: typer.Context,
    file: FileArg,
    seller: Annotated[str, typer.Option("--seller", help="Whose report it is (seller id).")],
    day: Annotated[
        str | None,
        typer.Option(
            "--date", help="Day the scores are for (default: the report's reportingDateTo)."
        ),
    ] = None,
    dry_run: DryRunOpt = False,
    skip_invalid: SkipOpt = False,
    rejects: RejectsOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """A marketplace Seller Performance Report (JSON).

    Records, per store, the AHR score, ahrStatus and account status.
    """
    from ahr_tui.service.import_unit import read_once
    from ahr_tui.service.report_import import import_report

    # what was typed here first, as ``_run_csv`` does: the options' usage, then the FILE
    options = _options(file, "report", dry_run, skip_invalid, rejects)
    for_day = parse_day(day, "--date")
    _check_file(file, "report")
    st = state(ctx)
    engine = st.engine()
    with _signals_end_in_order(), read_once(file, stdin=_stdin()) as source:
        result = import_report(
            engine,
            source,
            seller_id=seller,
            day=for_day,
            actor=st.actor(),
            now=st.clock(),
            options=options,
        )
    _print(result, source.name)


def _options(
    file: Path, kind: str, dry_run: bool, skip_invalid: bool, rejects: str | None
) -> ImportOptions:
    """The import's options; ``--rejects`` without ``--skip-invalid``, or naming the input
    itself, is a usage error, and so is ``--skip-invalid`` reading standard input or a pipe
    without ``--rejects`` (there is no folder beside it for the rejects). A ``--rejects`` that
    cannot be written (its folder missing, a file where a folder should be) is refused here,
    before anything is read: ``ImportOptions.rejects_problem``."""
    from ahr_tui.errors import InvalidInput
    from ahr_tui.service.imports import ImportOptions
    from ahr_tui.wording import names_folder

    options = ImportOptions(
        dry_run=dry_run, skip_invalid=skip_invalid,
        rejects=None if rejects is None else Path(rejects),
        rejects_folder=rejects is not None and names_folder(rejects),
    )
    if options.needs_rejects_path(file) and not dry_run:
        raise typer.BadParameter(
            "FILE is standard input or a pipe, with no folder beside it for the rejected "
            f"records; say where they go with --rejects PATH (a file, or a folder to write "
            f"{kind}.rejects.csv in)",
            param_hint="--skip-invalid",
        )
    if rejects is None:
        return options
    if not skip_invalid:
        raise typer.BadParameter("it goes with --skip-invalid", param_hint="--rejects")
    if options.rejects_file(file, kind).resolve() == file.resolve():
        raise typer.BadParameter("it names the file being imported", param_hint="--rejects")
    problem = options.rejects_problem(file, kind)
    if problem is not None:
        raise InvalidInput(problem)
    return options


def _check_file(file: Path, kind: str) -> None:
    """FILE can be read (``check_readable``); ``-`` must not be a terminal: an import waiting
    for someone to type a CSV file is a mistake, not a feature."""
    from ahr_tui.service.import_unit import check_readable

    if str(file) == "-" and sys.stdin.isatty():
        raise typer.BadParameter(
            "- reads standard input, which is a terminal here; pipe the file in "
            f"(... | ahr import {kind} -) or name it",
            param_hint="FILE",
        )
    check_readable(file)


@contextmanager
def _signals_end_in_order() -> Iterator[None]:
    """Within the block, SIGTERM and SIGHUP (a closed SSH session) end the import in order, as
    SystemExit: the transaction rolls back as it would anyway, and the copy of a pipe
    (``read_once``) is removed instead of left in the temporary folder; ``watchdog`` ends the
    process if that is held up."""
    import signal

    from ahr_tui.watchdog import exit_within

    def leave(signum: int, _frame: object) -> None:
        exit_within(128 + signum)
        raise SystemExit(128 + signum)

    before = {sig: signal.signal(sig, leave) for sig in (signal.SIGTERM, signal.SIGHUP)}
    try:
        yield
    finally:
        for sig, handler in before.items():
            signal.signal(sig, handler)


def _stdin() -> BinaryIO:
    """Standard input's bytes (the encoding is the file's: ``textfile.sniff`` decides)."""
    return sys.stdin.buffer


def _run_csv(
    ctx: typer.Context, kind: str, file: Path, options: ImportOptions, quiet: bool
) -> None:
    """Import ``file`` as ``kind``. Its usage (``_options``), then whether it can be read, are
    checked before the database is opened: what was typed in the command is named first."""
    from ahr_tui.service import imports as service
    from ahr_tui.service.import_unit import read_once

    run: Callable[..., ImportResult] = {
        "sellers": service.import_sellers,
        "scores": service.import_scores,
        "cases": service.import_cases,
    }[kind]
    _check_file(file, kind)
    st = state(ctx)
    engine = st.engine()
    # standard input or a pipe is copied once, before the import's transaction (read_once)
    with (
        _signals_end_in_order(),
        read_once(file, stdin=_stdin()) as source,
        _progress_bar(source, enabled=not quiet and sys.stdout.isatty()) as progress,
    ):
        result = run(
            engine, source, actor=st.actor(), now=st.clock(), options=options, progress=progress
        )
    _print(result, source.name)


def _print(result: ImportResult, name: str) -> None:
    """Problems and notes to stderr; the summary to stdout; exit 1 if nothing could be written."""
    from ahr_tui.errors import InvalidInput

    problems = result.problems
    for problem in problems.kept:
        err(problem.render(name))
    if problems.omitted:
        err(f"{name}: ... and {problems.omitted} more problems")
    for note in problems.notes:
        err(note.render(name))
    shown = clean_line(name)
    if result.failed:
        advice = "" if problems.fatal else " (--skip-invalid imports the valid records)"
        plural = "problem" if problems.count == 1 else "problems"
        raise InvalidInput(f"{name}: {problems.count} {plural}; nothing was imported{advice}.")
    suffix = ""
    if result.options.dry_run:
        suffix = " (dry run: nothing written)"
    elif not result.changed:
        suffix = " (nothing changed)"
    out(f"{shown}: {result.counts()}{suffix}")
    for detail in result.details:
        out(clean_line(f"  {detail}"))
    for late in result.past_deadline:
        deadline = instant(late.deadline)
        case = f"case {late.case_id}" if result.committed else "would open"
        out(
            clean_line(
                f"  already past its deadline: line {late.line}: {late.seller_id} {late.store} "
                f"{late.policy}, deadline {deadline} ({case})"
            )
        )
    if result.rejected and result.rejects_file is not None:
        out(clean_line(f"{result.rejected} rejected; written to {result.rejects_file}"))
    if result.rejected and not (result.new or result.updated or result.unchanged):
        # a file with no valid record is a wrong file, not a quiet success (a scheduled import)
        raise InvalidInput(f"{name}: every record was rejected; nothing was imported.")


@contextmanager
def _progress_bar(
    source: Source, *, enabled: bool
) -> Iterator[Callable[[int, int], None] | None]:
    """A transient Rich bar over the file's bytes (a pipe's copy: ``read_once``), with rows per
    second; None when disabled."""
    try:
        size = source.path.stat().st_size if enabled else 0
    except OSError:
        size = 0
    if not size:
        yield None
        return
    from rich.progress import (
        BarColumn,
        Progress,
        TaskProgressColumn,
        TextColumn,
        TimeRemainingColumn,
    )

    columns = (
        TextColumn("{task.description}", markup=False),
        BarColumn(),
        TaskProgressColumn(),
        _rate_column(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, transient=True) as bar:
        task = bar.add_task(clean_line(source.label), total=size, rows=0)

        def update(rows: int, position: int) -> None:
            bar.update(task, completed=position, rows=rows)

        yield update


def _rate_column() -> Any:
    from rich.progress import ProgressColumn, Task
    from rich.text import Text

    class RowRate(ProgressColumn):
        def render(self, task: Task) -> Text:
            elapsed = task.elapsed or 0.0
            rate = int(task.fields.get("rows", 0)) / elapsed if elapsed > 0 else 0.0
            return Text(f"{rate:,.0f} rows/s", style="progress.data.speed")

    return RowRate()
