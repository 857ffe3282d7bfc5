"""The case list's order (DESIGN section 4) is one rule, the same in the app and ``ahr cases``.

The report it answers: at 80x24 a case with 15 minutes left was on row 10, under six responded
rows whose deadlines came earlier; ``ahr cases`` said "overdue first" and was not.
"""

from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy.engine import Engine

from ahr_tui.rules import CaseAction, PolicyArea, Role
from ahr_tui.service.cases import act, open_case
from ahr_tui.service.sweep import expire_due
from tests.conftest import T0, Cli, FakeClock, add_operator, seed_account
from tests.tui.conftest import ALICE, AppFactory, settle


def seed_the_reported_list(engine: Engine, clock: FakeClock) -> dict[str, int]:
    """Six responded cases with early deadlines, an expired one, one 15 minutes from its
    deadline, one overdue by 5 minutes (not yet expired) and two with days left."""
    add_operator(engine, "alice", Role.LEAD)
    ids: dict[str, int] = {}

    def opened(key: str, hours_ago: float) -> int:
        seed_account(engine, f"S{key}", "US", name=f"Seller {key}")
        view = open_case(
            engine, seller_id=f"S{key}", store="US", policy=PolicyArea.REVIEWS,
            at=T0 - timedelta(hours=hours_ago), summary="", actor=ALICE, now=clock(),
        )
        ids[key] = view.id
        return view.id

    opened("expired", 80)
    for n in range(6):
        case_id = opened(f"resp{n}", 70 - n)  # deadlines 2 to 7 hours from now
        act(engine, case_id, CaseAction.RESPOND, at=T0 - timedelta(hours=1), text=None,
            actor=ALICE, now=clock())
    opened("days1", 10)
    opened("days2", 20)
    opened("soon", 72 - 0.25)  # 15 minutes left
    expire_due(engine, now=clock(), actor=ALICE)  # the expired one
    # Overdue by 5 minutes but not expired yet (the app expires it on its next tick).
    clock.advance(minutes=20)
    return ids


def expected_order(ids: dict[str, int]) -> list[int]:
    return [
        ids["soon"],  # its deadline passed 5 minutes ago: overdue first
        ids["days2"], ids["days1"],  # then least time left
        ids["expired"],  # expired cases awaiting a decision
        *(ids[f"resp{n}"] for n in range(6)),  # responded, by deadline
    ]


async def test_the_app_shows_the_most_urgent_case_in_the_first_row_at_80x24(
    make_app: AppFactory, engine: Engine, clock: FakeClock
) -> None:
    clock.set(T0)
    ids = seed_the_reported_list(engine, clock)
    clock.set(T0)  # the 15-minute case still has 15 minutes
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        table = app.main.table
        assert table.row(0)[0].plain == "15m 00s"  # type: ignore[union-attr]
        assert [c.id for c in table.cases] == expected_order(ids)
        clock.advance(minutes=20)
        app.tick()  # it passes its deadline and the app expires it: still above responded
        await settle(app, pilot)
        assert [c.id for c in table.cases] == [
            ids["days2"], ids["days1"], ids["expired"], ids["soon"],
            *(ids[f"resp{n}"] for n in range(6)),
        ]
        # The cursor was on the top row: it stays there (the list is not scrolled to follow
        # the case that moved down), so the most urgent rows stay in sight.
        assert table.cursor_row == 0 and table.scroll_offset.y == 0


def test_ahr_cases_and_its_json_list_in_the_same_order(
    cli: Cli, engine: Engine, clock: FakeClock
) -> None:
    clock.set(T0)
    ids = seed_the_reported_list(engine, clock)
    text = cli("cases")
    assert text.exit_code == 0, text.stderr
    listed = [int(line.split()[0]) for line in text.stdout.splitlines()[1:]]
    assert listed == expected_order(ids)
    first = text.stdout.splitlines()[1].split()
    assert first[1:3] == ["-5m", "00s"] and first[3] == "overdue"
    as_json = cli("cases", "--json")
    assert [c["id"] for c in json.loads(as_json.stdout)] == expected_order(ids)


async def test_after_my_response_the_rows_above_the_cursor_stay_in_sight(
    make_app: AppFactory, engine: Engine, clock: FakeClock
) -> None:
    """A newcomer's trial at 80x24: ``o`` on the second row of a list longer than the screen
    moved the responded case to the bottom, the cursor came back to the second row, but the
    list stayed scrolled so that row was the top one: the most urgent case was out of sight.
    The rows keep the place they had on screen."""
    clock.set(T0)
    ids = seed_the_reported_list(engine, clock)
    for n in range(6):  # more open cases than the screen has rows
        seed_account(engine, f"SX{n}", "US", name=f"Extra {n}")
        open_case(
            engine, seller_id=f"SX{n}", store="US", policy=PolicyArea.REVIEWS,
            at=T0 - timedelta(hours=n + 1), summary="", actor=ALICE, now=clock(),
        )
    clock.set(T0)
    app = make_app()
    async with app.run_test(size=(60, 16)) as pilot:
        await settle(app, pilot)
        table = app.main.table
        height = table.scrollable_content_region.height - 1
        assert 2 < height < table.row_count, "the list must be longer than the screen"
        table.move_cursor(1)
        acted = table.cursor_key
        assert acted in (ids["days2"], ids["days1"], ids["soon"])  # open: o applies
        await pilot.press("o", "ctrl+s")
        await settle(app, pilot)
        assert table.row_index(acted) > height  # responded: below the screen now
        assert table.cursor_row == 1 and table.scroll_offset.y == 0
