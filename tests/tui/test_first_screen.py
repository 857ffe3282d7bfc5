"""The Cases view's first screen of a long list: the most urgent cases, read alone, then the rest.

At a million accounts (120,833 active cases) the whole list took 8 s to read and show before the
first frame. The app now reads the first ``FIRST_CASES`` of the list order (``load_first``;
``quick_snapshot(first=N)`` on a file), shows them with a header that says the rest is loading,
and reads the whole list in a worker. The first screen must be the whole list's top, in the same
order, for a mix of every level (overdue, critical, urgent, warn, ok; expired, responded;
detected cases at their own urgency; equal due moments; covered and uncovered moments), and
once the rest is in, the view must be the one a whole read shows.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine

from ahr_tui.rules import PolicyArea
from ahr_tui.rules.coverage import parse_clock, parse_days, ranges_for
from ahr_tui.service import snapshots
from ahr_tui.service.admin import init_database
from ahr_tui.service.case_view import CaseView
from ahr_tui.service.contact import detect_case
from ahr_tui.service.shifts import set_hours
from ahr_tui.service.snapshots import load_first, load_snapshot, quick_snapshot
from ahr_tui.service.views import first_cases, list_cases
from ahr_tui.store.actor import Actor
from ahr_tui.store.engine import make_engine, transaction
from ahr_tui.tui import live
from tests.conftest import T0, FakeClock, seed_account
from tests.tui.conftest import ALICE, AppFactory, Seeded, seed_cases, settle
from tests.tui.drawn import screen_text


def seed_mix(engine: Engine, clock: FakeClock, seeded: Seeded) -> None:
    """On top of ``seeded`` (open cases critical, urgent, warn and ok; one responded; one
    expired): detected cases at every urgency their first-contact target allows (one past it),
    one detected on the critical case's deadline and two at one instant (ties by id), an open
    case 6 minutes past its deadline (overdue, not yet expired), and hours for alice that cover
    some of the due moments of the next 24 hours and not others."""
    seed_account(engine, "S7", "US", name="Gale Ltd")
    detected = (("S1", 26), ("S2", 23.5), ("S3", 20), ("S4", 10), ("S5", 1), ("S7", 1))
    for seller, hours_ago in detected:
        store = "CA" if seller in ("S2", "S5") else "US"
        detect_case(engine, seller_id=seller, store=store, policy=PolicyArea.REVIEWS,
                    at=T0 - timedelta(hours=hours_ago), summary="", actor=ALICE, now=clock())
    from ahr_tui.service.cases import open_case

    open_case(engine, seller_id="S7", store="US", policy=PolicyArea.CONDITION,
              at=T0 - timedelta(hours=72, minutes=6), summary="late", actor=ALICE, now=clock())
    set_hours(engine, "alice", tz="UTC", add=False, actor=ALICE, now=T0,
              ranges=ranges_for(parse_days("mon"), parse_clock("12:00", "--from"),
                                parse_clock("16:00", "--to")))
    if engine.dialect.name == "sqlite":
        # As ``ahr init`` filled contact_due in on an older file: text without the fraction,
        # the same instant as the critical case's deadline (``....000000``).
        with engine.begin() as con:
            con.execute(text("UPDATE aha_case SET contact_due ="
                             " strftime('%Y-%m-%d %H:%M:%S', contact_due)"
                             " WHERE status = 'detected'"))


@pytest.fixture
def mix(engine: Engine, clock: FakeClock, seeded: Seeded) -> list[CaseView]:
    """The whole list of ``seed_mix``, in its order."""
    seed_mix(engine, clock, seeded)
    with transaction(engine) as session:
        return list_cases(session)


@pytest.fixture
def file_mix(tmp_path: Path, clock: FakeClock, me: Actor) -> Iterator[tuple[Engine, Path,
                                                                            list[CaseView]]]:
    """``seed_mix`` in an SQLite file whatever ``--backend`` says (the quick read exists only
    for files): its engine, its path and its whole list."""
    path = tmp_path / "mix.db"
    engine = make_engine(str(path), create=True)
    init_database(engine, actor=me, now=clock())
    seed_mix(engine, clock, seed_cases(engine, clock))
    with transaction(engine) as session:
        whole = list_cases(session)
    yield engine, path, whole
    engine.dispose()


def test_the_mix_has_every_level_and_ties(mix: list[CaseView]) -> None:
    """What the order tests below rest on: every status and a tie of due moments."""
    statuses = {c.status.value for c in mix}
    assert statuses == {"open", "detected", "expired", "responded"}
    dues = [c.due for c in mix]
    assert len(set(dues)) < len(dues)  # equal due moments: ordered by id
    assert mix[0].due < T0  # an overdue case first


def test_the_first_cases_are_the_whole_lists_top_for_every_count(
    engine: Engine, mix: list[CaseView]
) -> None:
    for count in range(1, len(mix) + 2):
        with transaction(engine) as session:
            assert first_cases(session, count) == mix[:count], count
        first = load_first(engine, ALICE.name, count)
        assert first.cases == mix[:count]
        assert first.complete == (count > len(mix))


def test_the_quick_first_read_of_a_file_is_the_whole_lists_top(
    file_mix: tuple[Engine, Path, list[CaseView]],
) -> None:
    _engine, path, mix = file_mix
    for count in (1, 2, 5, len(mix) - 1, len(mix), len(mix) + 1):
        snap = quick_snapshot(path, ALICE.name, count)
        assert snap is not None
        assert snap.cases == mix[:count]
        assert snap.complete == (count > len(mix))
    whole = quick_snapshot(path, ALICE.name)
    assert whole is not None and whole.cases == mix and whole.complete


@pytest.fixture
def held(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[threading.Event, threading.Event]]:
    """The app's read of the whole list waits for ``release``; ``reached`` is set when it is
    called (the first screen's snapshot has been posted by then)."""
    reached, release = threading.Event(), threading.Event()

    def whole(db: Engine, operator: str) -> snapshots.Snapshot:
        reached.set()
        assert release.wait(10)
        return load_snapshot(db, operator)

    monkeypatch.setattr(live, "load_snapshot", whole)
    yield reached, release
    release.set()


def drawn_ids(drawn: list[str]) -> list[int]:
    """The CASE column of the rows on screen, top to bottom."""
    heading = next(i for i, line in enumerate(drawn) if "URGENCY" in line)
    end = drawn[heading].index("CASE") + len("CASE")  # the column is right-justified
    cells = [line[end - 6:end].strip() for line in drawn[heading + 1:]]
    return [int(cell) for cell in cells if cell.isdigit()]


async def whole_view(make_app: AppFactory, size: tuple[int, int]) -> tuple[str, list[int]]:
    """The header's first line and the rows' case ids of an app that read the whole list."""
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await settle(app, pilot)
        drawn = screen_text(app)
        ids = [c.id for c in app.main.table.cases]
        assert drawn_ids(drawn) == ids[:len(drawn_ids(drawn))]
        return drawn[0], ids


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_the_first_screen_is_the_top_then_the_whole_list_as_a_whole_read_shows_it(
    make_app: AppFactory, mix: list[CaseView], held: tuple[threading.Event, threading.Event],
    size: tuple[int, int],
) -> None:
    reached, release = held
    release.set()  # the reference app reads the whole list at once
    header, ids = await whole_view(make_app, size)
    assert ids == [c.id for c in mix]
    assert "uncovered" in header and "loading" not in header
    reached.clear()
    release.clear()
    app = make_app(first_cases=5)
    async with app.run_test(size=size) as pilot:
        assert await asyncio.to_thread(reached.wait, 10)
        await pilot.pause()
        drawn = screen_text(app)
        assert drawn[0].strip() == "loading cases… the 5 most urgent shown"
        assert [c.id for c in app.main.table.cases] == ids[:5]
        assert drawn_ids(drawn) == ids[:5]
        await pilot.press("j", "j")  # the keys work while the rest loads
        assert app.main.table.cursor_key == ids[2]
        release.set()
        await settle(app, pilot)
        assert [c.id for c in app.main.table.cases] == ids
        assert screen_text(app)[0] == header
        assert app.main.table.cursor_key == ids[2]  # the cursor stays on its case


async def test_a_start_with_fewer_cases_than_the_first_screen_reads_once(
    make_app: AppFactory, mix: list[CaseView], held: tuple[threading.Event, threading.Event],
) -> None:
    """A list shorter than ``first_cases`` is whole at the first read: no second read."""
    reached, _release = held
    app = make_app(first_cases=len(mix) + 1)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        assert not reached.is_set()
        assert [c.id for c in app.main.table.cases] == [c.id for c in mix]
        assert "loading" not in screen_text(app)[0]


async def test_a_first_snapshot_from_the_file_is_followed_by_the_whole_list(
    file_mix: tuple[Engine, Path, list[CaseView]], clock: FakeClock
) -> None:
    """``ahr tui`` on a file: the quick read of the first cases is on screen at once; once the
    warm-up has opened the engine, the whole list replaces it."""
    from ahr_tui.tui.app import AhrApp

    engine, path, mix = file_mix
    first = quick_snapshot(path, ALICE.name, 4)
    assert first is not None and not first.complete
    app = AhrApp(engine=lambda: engine, clock=clock, actor=ALICE, db_label="t.db",
                 first=first, tick=3600, poll=3600)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        assert [c.id for c in app.main.table.cases] == [c.id for c in mix]
        assert "uncovered" in screen_text(app)[0]
