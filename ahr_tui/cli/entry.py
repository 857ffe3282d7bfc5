"""The ``ahr`` executable's entry point: the process is tuned before anything heavy is imported.

A command is a short process that builds tens of thousands of objects and frees nearly all of
them at exit (a 72-hour forecast of the large sample: 20,000 due moments). At the interpreter's
default threshold (700 allocations) the cyclic garbage collector ran 457 times in one
``ahr forecast``, about a fifth of its CPU time; collecting every 50,000 allocations, 5 times.
The TUI is a long-lived process and gets the interpreter's own thresholds back (``long_lived``).
"""

from __future__ import annotations

import gc

#: The interpreter's thresholds as the process started (restored for the TUI).
INTERPRETER_GC = gc.get_threshold()
#: A command's thresholds: generation 0 collected every 50,000 net allocations.
COMMAND_GC = (50_000, 50, 1000)


def main() -> None:
    """``ahr``: the Typer app of ``ahr_tui.cli.main``, in a process tuned for a short command."""
    gc.set_threshold(*COMMAND_GC)
    from ahr_tui.cli.main import main as run

    run()


def long_lived() -> None:
    """The interpreter's own collector thresholds, for a process that stays (``ahr tui``)."""
    gc.set_threshold(*INTERPRETER_GC)
