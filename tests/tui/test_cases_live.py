"""Live updates: another writer's change shows on the next poll without moving the cursor, and a
deadline passing while the TUI is open expires the case (the same transition as ``ahr sweep``)."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from textual.widgets._toast import Toast

from ahr_tui.errors import DatabaseProblem
from ahr_tui.rules import CaseAction, CaseStatus, PolicyArea
from ahr_tui.service.cases import act, assign, open_case
from ahr_tui.service.imports import import_sellers
from ahr_tui.service.snapshots import Snapshot, load_changes, load_snapshot
from ahr_tui.service.sweep import expire_due
from ahr_tui.service.views import CaseView, case_events
from ahr_tui.store.actor import Actor
from ahr_tui.store.engine import transaction
from ahr_tui.tui.app import AhrApp
from ahr_tui.tui.live import EXPIRY_TOAST_SECONDS
from tests.conftest import T0, FakeClock, seed_account
from tests.tui.conftest import ALICE, AppFactory, Notes, Refreshes, Seeded, settle
from tests.tui.drawn import screen_text
from tests.tui.test_worker_failures import drawn, toasts

TOM = Actor(name="tom")


async def test_another_writers_change_appears_and_the_cursor_stays(
    make_app: AppFactory, seeded: Seeded, engine: Engine, clock: FakeClock
) -> None:
    app = make_app()
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(app, pilot)
        table = app.main.table
        assert table.move_to_key(seeded.warn)
        before = table.cursor_row
        # Another process: assigns the case under the cursor and opens a case that sorts first.
        assign(engine, seeded.warn, to="tom", actor=TOM, now=clock())
        seed_account(engine, "S9", "US", name="Zulu Mart")
        new = open_case(
            engine, seller_id="S9", store="US", policy=PolicyArea.OTHER,
            at=T0 - timedelta(hours=71, minutes=50), summary="new", actor=TOM, now=clock(),
        )
        app.poll()
        await settle(app, pilot)
        assert table.cursor_key == seeded.warn
        assert table.cursor_row == before + 1  # the new case sorts above it
        assert table.row(table.cursor_row)[-2] == "tom"
        assert new.id in [c.id for c in table.cases]
        # A poll with nothing new reloads nothing.
        shown: list[int] = []
        original = app.main.show_cases

        def counting(cases: list[CaseView], now: datetime, *, complete: bool = True) -> None:
            shown.append(1)
            original(cases, now, complete=complete)

        app.main.show_cases = counting  # type: ignore[method-assign,assignment]
        app.poll()
        await settle(app, pilot)
        assert shown == []
        act(engine, seeded.ok, CaseAction.RESPOND, at=clock(), text=None, actor=TOM, now=clock())
        app.poll()
        await settle(app, pilot)
        assert shown == [1]


async def test_a_case_that_disappears_leaves_the_cursor_nearby(
    make_app: AppFactory, seeded: Seeded, engine: Engine, clock: FakeClock
) -> None:
    app = make_app()
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(app, pilot)
        table = app.main.table
        assert table.move_to_key(seeded.warn)
        row = table.cursor_row
        act(engine, seeded.warn, CaseAction.RESOLVE, at=clock(), text="done elsewhere",
            actor=TOM, now=clock())
        app.poll()
        await settle(app, pilot)
        assert seeded.warn not in [c.id for c in table.cases]
        assert table.cursor_row == row  # same place, next case


async def test_the_tui_expires_a_case_when_its_deadline_passes(
    make_app: AppFactory, seeded: Seeded, engine: Engine, clock: FakeClock
) -> None:
    app = make_app()
    async with app.run_test(size=(160, 40), notifications=True) as pilot:
        await settle(app, pilot)
        table = app.main.table
        assert table.move_to_key(seeded.crit)
        clock.advance(minutes=30, seconds=1)
        app.tick()
        await settle(app, pilot)
        current = table.current_case
        assert current is not None and current.id == seeded.crit
        assert current.status is CaseStatus.EXPIRED
        assert "xx 2 expired" in app.main.header.plain
        # the operator is told, on screen, that the program has just expired the case
        assert f"expired automatically case {seeded.crit}: no response within 72 hours" in (
            toasts(app)), toasts(app)
    with transaction(engine) as session:
        events = [e for e in case_events(session, seeded.crit) if e.action == "expire"]
    assert [(e.actor, e.to_state, e.note) for e in events] == [
        ("alice", "expired", "automatic: deadline passed")
    ]


async def test_an_expiry_at_80x24_is_the_system_s_in_a_short_toast_beside_the_scrollbar(
    make_app: AppFactory, seeded: Seeded, engine: Engine, clock: FakeClock
) -> None:
    """A newcomer's first toast in ``ahr demo``: an expiry "recorded as yours" (the program
    expired the case, not the operator), six rows of the list hidden for seconds, and one
    cell of the row under it showing beside it. The toast and the case's timeline now name
    the system; the toast is two rows for 3 s, and reaches the list's scrollbar column."""
    for n in range(20):  # more cases than rows: the list has a scrollbar
        seed_account(engine, f"L{n}", "US", name=f"Long List Seller {n}")
        open_case(engine, seller_id=f"L{n}", store="US", policy=PolicyArea.OTHER,
                  at=T0 - timedelta(hours=40 - n), summary="", actor=ALICE, now=clock())
    app = make_app()
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        notes = Notes(app)
        await settle(app, pilot)
        clock.advance(minutes=30, seconds=1)
        app.tick()
        await settle(app, pilot)
        toast = app.screen.query_one(Toast)
        assert toasts(app) == [
            f"expired automatically case {seeded.crit}: no response within 72 hours"]
        assert "yours" not in drawn(app)
        assert [kwargs.get("timeout") for _, kwargs in notes.calls] == [EXPIRY_TOAST_SECONDS]
        assert EXPIRY_TOAST_SECONDS <= 3
        assert toast.region.height <= 2 and toast.region.y >= 24 - 4, toast.region
        # beside it the list's scrollbar, no cell of the row under it
        table = app.main.table
        assert table.show_vertical_scrollbar
        assert toast.region.right == table.scrollable_content_region.right == 79
        assert table.move_to_key(seeded.crit)
        await pilot.press("enter")
        await settle(app, pilot)
        expiry = next(line for line in screen_text(app) if "open -> expired" in line)
        assert "Z  system  expire  open -> expired  automatic: deadline" in expiry, expiry
        assert "alice" not in expiry, expiry


async def test_expiry_already_done_by_another_process_is_harmless(
    make_app: AppFactory, seeded: Seeded, engine: Engine, clock: FakeClock
) -> None:
    app = make_app()
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(app, pilot)
        clock.advance(minutes=31)
        expire_due(engine, now=clock(), actor=TOM)  # another TUI (or the cron sweep) was first
        app.tick()
        await settle(app, pilot)
        current = app.main.table.cases[app.main.table.row_index(seeded.crit) or 0]
        assert current.status is CaseStatus.EXPIRED
        assert app.is_running
    with transaction(engine) as session:
        events = [e for e in case_events(session, seeded.crit) if e.action == "expire"]
    assert [e.actor for e in events] == ["tom"]


def test_the_header_never_shows_a_database_password() -> None:
    from ahr_tui.tui.app import _label

    shown = _label("postgresql+psycopg://ops:s3cret@db.internal:5432/ahr")
    assert "s3cret" not in shown and "db.internal:5432/ahr" in shown
    assert _label("/srv/ahr/ahr.db") == "/srv/ahr/ahr.db"


async def test_a_failing_expiry_is_reported_once_and_not_retried_every_second(
    make_app: AppFactory, seeded: Seeded, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[datetime] = []

    def read_only(engine: Engine, *, now: datetime, actor: Actor) -> list[int]:
        calls.append(now)
        raise DatabaseProblem("the database is read-only; nothing was written.")

    monkeypatch.setattr("ahr_tui.service.sweep.expire_due", read_only)
    app = make_app()
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(app, pilot)
        notes = Notes(app)
        clock.advance(minutes=31)
        for _ in range(3):
            app.tick()
            await settle(app, pilot)
            clock.advance(seconds=1)
        assert len(calls) == 1
        assert notes.messages == ["the database is read-only; nothing was written."]
        assert app.is_running


@dataclass
class Opening:
    """An app given the first snapshot and an engine that opens only once ``release`` is set;
    ``opened`` records each opening."""

    app: AhrApp
    first: Snapshot
    release: threading.Event
    opened: list[int]


def opening_app(engine: Engine, clock: FakeClock) -> Opening:
    first = load_snapshot(engine, ALICE.name)
    release = threading.Event()
    opened: list[int] = []

    def open_engine() -> Engine:
        assert release.wait(10)
        opened.append(1)
        return engine

    app = AhrApp(
        engine=open_engine, clock=clock, actor=ALICE, db_label="t.db", first=first,
        tick=3600, poll=3600,
    )
    return Opening(app, first, release, opened)


async def test_the_first_frame_shows_the_first_snapshot_while_the_engine_is_still_opening(
    seeded: Seeded, engine: Engine, clock: FakeClock
) -> None:
    """``ahr tui`` on a file: the cases read without SQLAlchemy are on screen at once; the engine
    opens in a worker afterwards, exactly once, and the actions then go through it."""
    o = opening_app(engine, clock)
    app, first, release, opened = o.app, o.first, o.release, o.opened
    async with app.run_test(size=(160, 40)) as pilot:
        await pilot.pause()
        table = app.main.table
        assert sorted(c.id for c in table.cases) == sorted(c.id for c in first.cases)
        assert table.row(0)[2] == str(table.cases[0].id)
        assert opened == []  # still opening: nothing waited for it
        release.set()
        await settle(app, pilot)
        assert opened == [1]
        assign(engine, seeded.ok, to="tom", actor=TOM, now=clock())
        app.poll()
        await settle(app, pilot)
        assert table.row(table.row_index(seeded.ok) or 0)[-2] == "tom"
        assert opened == [1]


async def test_a_key_in_the_first_second_waits_for_the_warm_up_so_one_thread_imports(
    seeded: Seeded, engine: Engine, clock: FakeClock
) -> None:
    """An enter in the first second once crashed the app ("cannot import name
    'AdaptedConnection' from partially initialized module"): the UI thread imported SQLAlchemy
    while the warm-up worker did. A key now waits until the warm-up has opened the engine and
    imported the database layer, and only then acts; a cursor move (``j``), which imports
    nothing, moves at once (the first screen of a long list is up before the warm-up)."""
    o = opening_app(engine, clock)
    app, release, opened = o.app, o.release, o.opened
    async with app.run_test(size=(160, 40)) as pilot:
        await pilot.pause()
        assert opened == []
        await pilot.press("j")  # a cursor move imports nothing: it does not wait
        assert opened == []
        assert app.main.table.cursor_row == 1
        threading.Timer(0.5, release.set).start()
        await pilot.press("enter")  # any other key: its action may import
        assert opened == [1]  # it waited for the warm-up
        await settle(app, pilot)
        assert app.screen is not app.main  # then acted
        assert opened == [1]


async def test_a_database_that_cannot_be_opened_after_the_first_frame_is_said_not_crashed(
    seeded: Seeded, engine: Engine, clock: FakeClock
) -> None:
    """Say the file went away between the first read and the worker opening the engine."""
    first = load_snapshot(engine, ALICE.name)
    threads: list[threading.Thread] = []

    def open_engine() -> Engine:
        threads.append(threading.current_thread())
        raise DatabaseProblem("no database at t.db; create one with `ahr init --db t.db`.")

    app = AhrApp(
        engine=open_engine, clock=clock, actor=ALICE, db_label="t.db", first=first,
        tick=3600, poll=3600,
    )
    async with app.run_test(size=(160, 40)) as pilot:
        notes = Notes(app)
        await settle(app, pilot)
        await pilot.press("tab")  # the Accounts view needs the engine
        await pilot.press("enter")  # so does the detail screen
        await settle(app, pilot)
        assert app.is_running and app.screen is app.main
        assert notes.messages and all("no database at t.db" in m for m in notes.messages)
        assert notes.all_plain()
        # tried again in workers, never on the UI thread (a locked file would freeze it)
        assert threads and threading.main_thread() not in threads


async def test_a_new_terminal_title_does_not_repaint_the_screen(
    make_app: AppFactory, seeded: Seeded, clock: FakeClock
) -> None:
    """The title changes every minute; a full repaint each time writes the whole screen to the
    terminal (about 20 KB at 120x40), over the idle budget of 1 KB/s by itself."""
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        before = app.terminal_title
        refreshes = Refreshes(app.main)
        clock.advance(minutes=1)
        app.tick()
        await pilot.pause()
        assert app.terminal_title != before
        assert refreshes.calls == []


async def test_a_poll_merges_only_the_changed_cases_or_rereads_all_after_an_import(
    make_app: AppFactory, seeded: Seeded, engine: Engine, clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
) -> None:
    """Another process resolves one case: the poll reads that account's cases and merges them
    (the resolved one leaves the list). An import names no account: the poll reads everything."""
    import ahr_tui.service.views as views

    app = make_app()
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(app, pilot)
        full_reads: list[int] = []
        original = views.list_cases

        def counting(*args: object, **kwargs: object) -> object:
            full_reads.append(1)
            return original(*args, **kwargs)  # type: ignore[arg-type]

        monkeypatch.setattr(views, "list_cases", counting)
        table = app.main.table
        shown_before = len(table.cases)
        act(engine, seeded.expired, CaseAction.RESOLVE, at=clock(), text="sorted out",
            actor=TOM, now=clock())
        app.poll()
        await settle(app, pilot)
        assert seeded.expired not in [c.id for c in table.cases]
        assert len(table.cases) == shown_before - 1
        assert full_reads == []
        csv = tmp_path / "sellers.csv"
        csv.write_text(
            "seller_id,store,name,plan,emergency_phone,email\n"
            "S2,CA,Bright Lamps Renamed,professional,+1 416 555 2100,s2@example.com\n",
            encoding="utf-8",
        )
        result = import_sellers(engine, csv, actor=ALICE, now=clock())
        assert not result.failed
        app.poll()
        await settle(app, pilot)
        assert full_reads == [1]
        names = {c.seller_id: c.name for c in table.cases}
        assert names["S2"] == "Bright Lamps Renamed"


async def test_a_database_restored_to_an_older_state_is_read_again_whole(
    make_app: AppFactory, seeded: Seeded, engine: Engine, clock: FakeClock
) -> None:
    """A backup restored under a running TUI: the newest event id goes down. Reading only the
    changes after the old marker would never catch up; the poll reads everything instead."""
    app = make_app()
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(app, pilot)
        before = app.marker
        assert before is not None
        assign(engine, seeded.ok, to="tom", actor=TOM, now=clock())
        app.poll()
        await settle(app, pilot)
        assert app.cases_by_id[seeded.ok].assignee == "tom"
        with transaction(engine, write=True) as session:  # what the restore brings back
            session.execute(text("DELETE FROM event WHERE id > :m"), {"m": before})
            session.execute(
                text("UPDATE aha_case SET assignee = NULL WHERE id = :i"), {"i": seeded.ok}
            )
        app.poll()
        await settle(app, pilot)
        assert app.marker == before
        assert app.cases_by_id[seeded.ok].assignee is None


async def test_a_load_or_tick_that_arrives_while_the_app_closes_is_dropped(
    make_app: AppFactory, seeded: Seeded, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Shutting down pops the main screen while a worker's load may still be on its way: the
    load, a change, a failure and a tick then have nothing to show (this raised StopIteration
    and failed the app once in the suite)."""
    from ahr_tui.tui.messages import CasesChanged, CasesLoaded

    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        snap = load_snapshot(engine, ALICE.name)
        shown = app.main.shown_cases
        monkeypatch.setattr(type(app), "screen_stack", property(lambda self: []))
        assert not app.live
        app.on_cases_loaded(CasesLoaded(snap))
        app.on_cases_changed(CasesChanged(load_changes(engine, 0, ALICE.name)))
        app.read_failed("the database is locked")
        app.tick()
        monkeypatch.undo()
        assert app.live
        assert app.main.shown_cases == shown


async def test_keys_typed_before_the_list_is_mounted_do_nothing_and_raise_nothing(
    make_app: AppFactory, seeded: Seeded
) -> None:
    """A key typed while the app starts was checked against a list not yet mounted:
    ``NoMatches: '#cases'`` and a traceback (seen on a loaded box). Until the main screen's
    widgets are mounted, only quit, help and the palette act."""
    from ahr_tui.tui.case_keys import CASE_KEYS
    from ahr_tui.tui.keys import Place
    from ahr_tui.tui.list_commands import LIST_COMMANDS

    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        app.main.ready = False  # as between the screen's push and its widgets' mount
        for name in CASE_KEYS.values():
            assert app.check_action("case", (name,)) is False
            app.explain(name)  # says nothing, raises nothing
        for action in LIST_COMMANDS:
            assert app.check_action(action, ()) is False
        assert app.check_action("quit", ()) and app.check_action("help", ())
        assert app.main.current_case is None
        assert app.main.place is Place.CASES
        app.main.ready = True
        assert app.main.current_case is not None
        assert app.check_action("help", ()) is True
