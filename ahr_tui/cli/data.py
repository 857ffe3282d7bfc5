"""``ahr sample``, ``ahr demo`` and ``ahr tui``."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ahr_tui.cli.common import CliState, out, state

if TYPE_CHECKING:
    from ahr_tui.service.database import Database


def register(app: typer.Typer) -> None:
    app.command("sample")(sample)
    app.command("demo")(demo)
    app.command("tui")(tui)


def sample(
    ctx: typer.Context,
    out_path: Annotated[
        Path,
        typer.Option("--out", metavar="PATH", parser=lambda text: database_file(text),
                     help="Database file to create (must not exist)."),
    ],
    accounts: Annotated[int, typer.Option("--accounts", min=1, help="How many accounts.")] = 200,
    days: Annotated[
        int, typer.Option("--days", min=1, max=3660, help="Days of AHR history.")
    ] = 200,
    seed: Annotated[int, typer.Option("--seed", help="Random seed (same seed, same data).")] = 7,
    open_cases: Annotated[
        int | None,
        typer.Option(
            "--open-cases", min=0,
            help="Open cases, each on an enrolled, active account of its own, so at most as many "
            "as the sample enrols (default: about 1 in 10 accounts).",
        ),
    ] = None,
    detected_cases: Annotated[
        int | None,
        typer.Option(
            "--detected-cases", min=0,
            help="Detected cases, not contacted yet, each on an enrolled, active account of its "
            "own, so with the open cases at most as many as the sample enrols (default: about "
            "1 in 30 accounts).",
        ),
    ] = None,
) -> None:
    """Generate a realistic database, deterministic for a seed."""
    from ahr_tui.errors import InvalidInput
    from ahr_tui.sample import TooManyDetectedCases, TooManyOpenCases, generate
    from ahr_tui.wording import count

    st = state(ctx)
    if out_path.exists():
        raise InvalidInput(f"{out_path} exists; choose a new path (sample never overwrites).")
    made = f"--accounts {accounts:,} --days {days:,} --seed {seed} make"
    try:
        summary = generate(
            out_path, accounts=accounts, days=days, seed=seed, open_cases=open_cases,
            detected_cases=detected_cases, actor=st.actor(),
        )
    except TooManyOpenCases as exc:  # known once the rules have settled the accounts
        raise typer.BadParameter(
            f"{exc.asked:,} is more than the {exc.room:,} enrolled, active accounts that "
            f"{made} (an open case needs one of its own)", param_hint="--open-cases") from None
    except TooManyDetectedCases as exc:
        raise typer.BadParameter(
            f"{exc.asked:,} (with {count(exc.open, 'open case')}) is more than the "
            f"{exc.room:,} enrolled, active accounts that {made} (an open or detected case "
            f"needs one of its own: at most {max(0, exc.room - exc.open):,} detected here)",
            param_hint="--detected-cases") from None
    out(summary)


def database_file(given: str) -> Path:
    """``--out`` and ``--keep``: the new database file; a path ending with ``/`` names a folder
    and is refused (exit 1), as ``--db`` is, before ``Path`` drops the slash and a file takes
    the folder's name."""
    from ahr_tui.errors import InvalidInput
    from ahr_tui.wording import folder_not_file, names_folder

    if names_folder(given):
        raise InvalidInput(folder_not_file(given))
    return Path(given)


def demo(
    ctx: typer.Context,
    keep: Annotated[
        Path | None,
        typer.Option(
            "--keep", metavar="PATH", parser=lambda text: database_file(text),
            help="Write the live copy to this new file and keep it (default: a temporary file, "
            "removed when the app ends).",
        ),
    ] = None,
) -> None:
    """Open the TUI on a fresh copy of the sample, live from now.

    Its cases count down from now.
    The copy is generated each time (the bundled sample.db is never read, so nothing done to it
    shows here) and you are its first lead, so every action can be tried.
    """
    from ahr_tui.sample import make_demo, refuse_existing

    st = state(ctx)
    if keep is not None:  # said first: the copy never replaces a file
        refuse_existing(keep)
    # before the copy is made: refused, it would leave a --keep file behind for nothing
    _need_a_terminal(ctx.command_path)
    if keep is not None:
        make_demo(keep, now=st.clock(), actor=st.actor())
        st.db = str(keep)
        _run_tui(st, ctx.command_path)
        return
    with _temporary_folder("ahr-demo-") as folder:
        target = folder / "demo.db"
        make_demo(target, now=st.clock(), actor=st.actor())
        st.db = str(target)
        _run_tui(st, ctx.command_path)


def _need_a_terminal(command: str) -> None:
    """Raise ``InvalidInput`` unless stdin and stdout are a terminal that takes UTF-8: the TUI
    draws nowhere else."""
    import sys

    from ahr_tui.errors import InvalidInput

    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise InvalidInput(
            "the TUI needs a terminal (stdin and stdout); for scripts use `ahr cases --json` "
            "and the other commands (`ahr --help` lists them)."
        )
    refusal = _not_utf8(sys.__stderr__, command)  # the stream Textual draws on
    if refusal is not None:
        raise InvalidInput(refusal)


@contextmanager
def _temporary_folder(prefix: str) -> Iterator[Path]:
    """A new folder, removed with everything in it when the block ends: normally, on an error,
    and on SIGTERM or SIGHUP (a closed SSH session), which become an orderly exit meanwhile."""
    import shutil
    import signal
    import tempfile

    from ahr_tui.watchdog import exit_within, on_forced_exit

    def leave(signum: int, _frame: object) -> None:
        exit_within(128 + signum)  # if something holds the orderly exit up
        raise SystemExit(128 + signum)

    folder = Path(tempfile.mkdtemp(prefix=prefix))
    before = {sig: signal.signal(sig, leave) for sig in (signal.SIGTERM, signal.SIGHUP)}
    try:
        with on_forced_exit(lambda: shutil.rmtree(folder, ignore_errors=True)):
            yield folder
    finally:
        for sig in before:  # a second signal must not cut the clean-up short
            signal.signal(sig, signal.SIG_IGN)
        shutil.rmtree(folder, ignore_errors=True)
        for sig, handler in before.items():
            signal.signal(sig, handler)


def tui(ctx: typer.Context) -> None:
    """The account managers' TUI on --db."""
    _run_tui(state(ctx), ctx.command_path)


def _not_utf8(stream: object, command: str = "ahr tui") -> str | None:
    """The sentence refusing a terminal whose locale is not UTF-8, or None. ``command``: the
    command the user ran (``ahr demo``), shown with ``LANG=C.UTF-8`` before it.

    The app draws boxes, bars and sparklines, and shows names in any script; under another
    encoding they arrive as ``\\u2524`` escapes and the layout breaks, so it refuses instead.
    """
    import codecs

    encoding = getattr(stream, "encoding", None) or "utf-8"
    try:
        name = codecs.lookup(encoding).name
    except LookupError:
        name = encoding
    if name == "utf-8":
        return None
    return (
        f"the terminal's locale encoding is {encoding}, and the app needs UTF-8: "
        f"start it with LANG=C.UTF-8 (for example `LANG=C.UTF-8 {command}`)."
    )


def _run_tui(st: CliState, command: str) -> None:
    """A bad database is named before anything else. An SQLite file is checked and its first
    snapshot read with the standard library, so the first frame does not wait for SQLAlchemy.
    ``command``: what the user ran (``ahr demo``), for the sentences that refuse a terminal."""
    from ahr_tui.service.snapshots import check_quick, sqlite_file

    path = sqlite_file(st.db)
    # opened by a worker after the first frame
    engine: Database | Callable[[], Database] = st.engine
    if path is None or not check_quick(path):
        path, engine = None, st.engine()
    _need_a_terminal(command)
    from concurrent.futures import ThreadPoolExecutor

    from ahr_tui.cli.entry import long_lived
    from ahr_tui.service.snapshots import FIRST_CASES, quick_snapshot

    actor = st.actor()
    with ThreadPoolExecutor(max_workers=1) as pool:
        # SQLite works without the GIL, so the read overlaps loading Textual (~50 ms on 8,000 cases)
        # The most urgent cases only: a worker reads the rest once the first frame is shown.
        reading = (pool.submit(quick_snapshot, path, actor.name, FIRST_CASES)
                   if path is not None else None)
        from ahr_tui.tui.app import run

        first = reading.result() if reading is not None else None
    if first is None and callable(engine):
        engine = engine()
    long_lived()
    run(engine=engine, clock=st.clock, actor=actor, db_label=st.db, first=first)
