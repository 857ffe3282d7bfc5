"""One error policy for every thread worker of the app, its screens and its dialogs (issue 11).

A worker reads or writes the database off the UI thread. Whatever it raises must reach the
operator as one plain sentence: never a traceback, never silence, and never a "loading…" left on
screen for good. ``guarded`` wraps a worker's body (under ``@work``); an exception the body does
not handle itself becomes:

- one sentence (``failure_sentence``): an ``AhrError``'s own message, a database driver's error
  as the service layer words it ("… is busy (another process holds a lock); try again."),
  anything else "unexpected error (TypeName): its first line";
- an error notification with that sentence, titled "could not DOING" (markup off). A worker that
  runs by itself again and again (``once=True``: the live poll, the expiry, a screen's re-read on
  a change) says a sentence once, until it succeeds again;
- where the worker shows its result (``status``: the selector of a ``Static`` on the node), the
  text there, "loading…" or "saving…", replaced by "could not DOING: SENTENCE";
- then ``after(node, sentence)`` on the UI thread, for the worker's own bookkeeping (a dialog no
  longer busy, an expiry not retried until the data changes).

The report reaches the UI thread as a posted callback, never by waiting for it: a worker may fail
while the UI thread waits for that worker (the app's warm-up). Answers that are not failures (a
rule refusing an action, a conflict, a file that exists) stay with the worker that expects them.
"""

from __future__ import annotations

import contextlib
import functools
import sys
import traceback
from collections.abc import Callable
from typing import Any, Concatenate, ParamSpec, TypeVar
from weakref import WeakKeyDictionary

from rich.text import Text
from textual import events
from textual.app import App
from textual.css.query import NoMatches
from textual.dom import DOMNode
from textual.widgets import Static

from ahr_tui.errors import AhrError
from ahr_tui.textsafe import clean_line

N = TypeVar("N", bound=DOMNode)
P = ParamSpec("P")
R = TypeVar("R")

#: Per app: what each ``once`` worker (by its ``doing``) last said and has not taken back.
_SAID: WeakKeyDictionary[App[Any], dict[str, str]] = WeakKeyDictionary()


def failure_sentence(exc: BaseException) -> str:
    """``exc`` as one plain line for the operator (control characters escaped)."""
    if isinstance(exc, AhrError):
        return clean_line(exc.message)
    if "sqlalchemy" in sys.modules:
        from ahr_tui.service.database import database_problem, failures

        problem = database_problem(exc, None)
        if problem is not None:
            return clean_line(problem.message)
        if isinstance(exc, failures()):  # SQLAlchemy's own, not the driver's
            return f"database error: {_first_line(exc)}"
    return f"unexpected error ({type(exc).__name__}): {_first_line(exc)}"


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return clean_line(text.splitlines()[0]) if text else "no details"


def status_text(doing: str, sentence: str) -> Text:
    """What replaces a loading text: "could not DOING: SENTENCE", never parsed as markup."""
    return Text(f"could not {doing}: {sentence}")


def guarded(
    doing: str,
    *,
    status: str | None = None,
    once: bool = False,
    after: Callable[[Any, str], object] | None = None,
) -> Callable[[Callable[Concatenate[N, P], R]], Callable[Concatenate[N, P], R | None]]:
    """Wrap a worker's body ``fn(node, ...)`` (``node``: the app, a screen or a widget) so that
    any ``Exception`` it raises is reported as the module says and the body returns None.
    ``doing`` completes "could not ..." ("read the accounts")."""

    def decorate(fn: Callable[Concatenate[N, P], R]) -> Callable[Concatenate[N, P], R | None]:
        @functools.wraps(fn)
        def run(node: N, *args: P.args, **kwargs: P.kwargs) -> R | None:
            app = node if isinstance(node, App) else node.app
            try:
                result = fn(node, *args, **kwargs)
            except Exception as exc:
                sentence = failure_sentence(exc)
                app.log.error(f"could not {doing}", "".join(traceback.format_exception(exc)))
                report = functools.partial(_report, node, doing, sentence, status, once, after)
                app.post_message(events.Callback(callback=report))
                return None
            if once and doing in _SAID.get(app, {}):
                app.post_message(events.Callback(callback=functools.partial(_forget, app, doing)))
            return result

        return run

    return decorate


def _report(
    node: DOMNode, doing: str, sentence: str, status: str | None, once: bool,
    after: Callable[[Any, str], object] | None,
) -> None:
    """On the UI thread: say it (once, for a ``once`` worker), show it in place, then ``after``."""
    app = node if isinstance(node, App) else node.app
    said = _SAID.setdefault(app, {})
    if not once or said.get(doing) != sentence:
        app.notify(sentence, title=f"could not {doing}", severity="error", markup=False)
    if once:
        said[doing] = sentence
    if status is not None and node.is_attached:
        # NoMatches: the screen was closed meanwhile; the notification is enough.
        with contextlib.suppress(NoMatches):
            node.query_one(status, Static).update(status_text(doing, sentence))
    if after is not None:
        after(node, sentence)


def _forget(app: App[Any], doing: str) -> None:
    _SAID.get(app, {}).pop(doing, None)
