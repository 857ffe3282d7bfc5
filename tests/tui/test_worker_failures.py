"""One error policy for every worker (issue 11): the database fails under each kind of worker and
the test reads what is drawn on the screen.

The database fails for real: a listener on the engine raises the driver's own error before any
statement runs, as a locked or vanished file would, so nothing here depends on where a screen
imports its service functions from. Each failure must be drawn as the same kind of sentence (an
error toast with the cause; "could not DOING: cause" where the worker's result would have been),
with no "loading"/"reading"/"saving" left on screen and no traceback.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from sqlalchemy import event
from sqlalchemy.engine import Engine
from textual.widget import Widget
from textual.widgets._toast import Toast

from ahr_tui.errors import RuleRejected
from ahr_tui.tui.app import AhrApp
from ahr_tui.tui.dialogs.action import ActionDialog
from ahr_tui.tui.failures import failure_sentence
from tests.conftest import FakeClock
from tests.tui.conftest import AppFactory, Seeded, settle
from tests.tui.drawn import screen_text

#: What the service layer makes of the driver's "database is locked".
BUSY = "the database is busy (another process holds a lock); try again."
#: Words a worker shows while it runs; none may stay once it has failed.
PENDING = re.compile(r"loading|reading|saving", re.IGNORECASE)


def driver_locked(backend: str) -> BaseException:
    """The driver's own error for a lock another process holds, on ``backend``."""
    if backend == "postgresql":
        from psycopg import errors

        return errors.LockNotAvailable('could not obtain lock on relation "aha_case"')
    return sqlite3.OperationalError("database is locked")


@dataclass
class Breaker:
    """Makes every statement on the engine fail with ``error`` while it is set."""

    locked: BaseException
    error: BaseException | None = None

    def __call__(self, *_args: object) -> None:
        if self.error is not None:
            raise self.error

    def lock(self) -> None:
        self.error = self.locked

    def fail(self, failure: tuple[BaseException | None, str]) -> str:
        """Fail with ``failure``'s error (None: the driver's lock error); its sentence."""
        error, sentence = failure
        self.error = self.locked if error is None else error
        return sentence


@pytest.fixture
def breaker(engine: Engine, backend: str) -> Iterator[Breaker]:
    breaker = Breaker(driver_locked(backend))
    event.listen(engine, "before_cursor_execute", breaker)
    yield breaker
    event.remove(engine, "before_cursor_execute", breaker)


def drawn(app: AhrApp) -> str:
    return "\n".join(screen_text(app))


def drawn_in(app: AhrApp, widget: Widget) -> str:
    """The cells ``widget`` covers on screen, its lines joined by spaces (a wrapped sentence
    reads as one); the toast's side bar left out."""
    lines = screen_text(app)
    region = widget.region
    cells = [lines[y][region.x : region.right] for y in range(region.y, region.bottom)]
    return " ".join(" ".join(c.replace("▌", " ").split()) for c in cells).strip()


def toasts(app: AhrApp) -> list[str]:
    return [drawn_in(app, toast) for toast in app.screen.query(Toast)]


def assert_said(app: AhrApp, doing: str, sentence: str, place: str | None) -> None:
    """The toast names what failed and why; the place of the worker's result (``place``, a
    selector) says the same; nothing still says it is loading; no traceback anywhere."""
    screen = drawn(app)
    assert f"could not {doing} {sentence}" in toasts(app), (toasts(app), screen)
    if place is not None:
        shown = drawn_in(app, app.screen.query_one(place))
        assert shown.startswith(f"could not {doing}: {sentence}"), screen
    assert not PENDING.search(screen), screen
    assert "Traceback" not in screen and 'File "' not in screen
    assert app.is_running


async def test_a_first_read_that_fails_says_why_where_the_header_said_loading(
    make_app: AppFactory, seeded: Seeded, breaker: Breaker
) -> None:
    breaker.lock()
    app = make_app()
    async with app.run_test(size=(120, 30), notifications=True) as pilot:
        await settle(app, pilot)
        assert_said(app, "read the cases", BUSY, "StatusHeader")


async def test_a_failing_live_poll_is_said_once_and_the_list_stays(
    make_app: AppFactory, seeded: Seeded, breaker: Breaker, clock: FakeClock
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 30), notifications=True) as pilot:
        await settle(app, pilot)
        breaker.lock()
        for _ in range(3):
            clock.advance(seconds=1)
            app.poll()
            await settle(app, pilot)
        assert toasts(app) == [f"could not read the cases {BUSY}"]
        assert_said(app, "read the cases", BUSY, None)
        assert "Acme Goods" in drawn(app)  # the list as last read stays
        breaker.error = None  # the database works again: a later failure is said again
        app.poll()
        await settle(app, pilot)
        breaker.lock()
        app.poll()
        await settle(app, pilot)
        assert len(toasts(app)) == 2


#: The driver's error for a lock held elsewhere (``driver_locked``), and what is said of it.
LOCKED: tuple[BaseException | None, str] = (None, BUSY)
#: A bug below the worker, and what is said of it: its type and first line.
BUG = (RuntimeError("boom\nsecond line"), "unexpected error (RuntimeError): boom")


@pytest.mark.parametrize(
    ("key", "doing", "place", "failure"),
    [
        ("enter", "read the detail", "#detail-title", LOCKED),
        ("tab", "read the accounts", "#accounts-status", LOCKED),
        ("h", "read the handover", "#handover-title", LOCKED),
        ("m", "read the metrics", "#metrics-title", LOCKED),
        ("h", "read the handover", "#handover-title", BUG),
        ("a", "assign the case", None, LOCKED),  # no loading text: the toast alone
        ("V", "read the saved views", None, LOCKED),
    ],
)
async def test_a_worker_that_fails_says_why_in_place_of_loading(
    make_app: AppFactory, seeded: Seeded, breaker: Breaker, key: str, doing: str,
    place: str | None, failure: tuple[BaseException | None, str],
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 30), notifications=True) as pilot:
        await settle(app, pilot)
        sentence = breaker.fail(failure)
        await pilot.press(key)
        await settle(app, pilot)
        assert_said(app, doing, sentence, place)


async def test_a_case_action_that_fails_says_why_in_its_dialog_and_can_be_sent_again(
    make_app: AppFactory, seeded: Seeded, breaker: Breaker
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 30), notifications=True) as pilot:
        await settle(app, pilot)
        assert app.main.table.move_to_key(seeded.responded)
        await pilot.press("r", "d", "o", "n", "e")
        breaker.lock()
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, ActionDialog)  # the note typed is kept
        assert_said(app, "save the change", BUSY, "#dialog-message")
        breaker.error = None
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert app.screen is app.main
        assert seeded.responded not in [c.id for c in app.main.table.cases]


def test_the_sentence_is_the_errors_own_or_the_databases_words_or_names_the_unexpected() -> None:
    assert failure_sentence(RuleRejected("case 4 is resolved.", "final")) == "case 4 is resolved."
    assert failure_sentence(ValueError("bad\x1b[2J value\nmore")) == (
        "unexpected error (ValueError): bad\\x1b[2J value"
    )
    assert failure_sentence(KeyError()) == "unexpected error (KeyError): no details"
