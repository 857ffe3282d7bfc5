"""Wrapped lines hang under their text: in the detail's timeline (under the text after the time)
and in the handover (under the field after the instant), never back at column 0; read from what
the screen draws, at 80x24 and 120x40."""

from __future__ import annotations

from datetime import timedelta

import pytest
from rich.console import Console
from rich.text import Text
from sqlalchemy.engine import Engine

from ahr_tui.rules import PolicyArea
from ahr_tui.service.contact import detect_case
from ahr_tui.tui.screens.handover import HandoverScreen
from ahr_tui.tui.widgets.hanging import hang_of, wrap_hanging
from tests.conftest import T0, FakeClock
from tests.tui.conftest import ALICE, AppFactory, Seeded, settle
from tests.tui.drawn import screen_text
from tests.tui.test_cases_actions import open_on

SUMMARY = ("Suspected intellectual property violation on ASIN B09EIPN33K reported by the rights "
           "owner, with two listings named in the complaint and a test buy attached")


def long_case(engine: Engine, clock: FakeClock) -> int:
    return detect_case(
        engine, seller_id="S1", store="US", policy=PolicyArea.IP_SUSPECTED,
        at=T0 - timedelta(hours=2), summary=SUMMARY, actor=ALICE, now=clock(),
    ).id


def continuation(drawn: list[str], start: str) -> tuple[str, str]:
    """The line holding ``start`` (blanks between its words as many as the columns' padding
    leaves) and the line under it."""
    words = " ".join(start.split())
    row = next(i for i, line in enumerate(drawn) if words in " ".join(line.split()))
    return drawn[row], drawn[row + 1]


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_a_wrapped_timeline_entry_continues_under_the_text_after_its_time(
    make_app: AppFactory, seeded: Seeded, engine: Engine, clock: FakeClock,
    size: tuple[int, int],
) -> None:
    case_id = long_case(engine, clock)
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await open_on(app, pilot, case_id)
        await pilot.press("enter")
        await settle(app, pilot)
        first, second = continuation(screen_text(app), "Z  alice  detect")
    text_column = first.index("alice")
    assert second[:text_column].strip() == "", (first, second)
    assert second[text_column] != " ", (first, second)  # the words go on right there


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_a_wrapped_handover_line_continues_under_the_field_after_its_instant(
    make_app: AppFactory, seeded: Seeded, engine: Engine, clock: FakeClock,
    size: tuple[int, int],
) -> None:
    long_case(engine, clock)
    app = make_app()
    async with app.run_test(size=(size[0], 60)) as pilot:  # tall: the events are on screen
        await settle(app, pilot)
        await pilot.press("h")
        await settle(app, pilot)
        assert isinstance(app.screen, HandoverScreen)
        first, second = continuation(screen_text(app), "  detect  - -> detected")
    under = first.index("case ")
    assert second[:under].strip() == "" and second[under] != " ", (first, second)


def test_hang_of_is_under_the_second_field_or_two_in() -> None:
    assert hang_of("    2026-11-29T21:38:46Z  case 62  detect") == 26
    assert hang_of("  akumar: 1 attempt, 1 detect") == 4
    assert hang_of("Handover 2026-11-30T04:02:43Z (since ...)") == 2


def test_a_narrow_width_keeps_half_of_it_for_the_words() -> None:
    rows = wrap_hanging(Text("x" * 10 + "  " + "word " * 10), 40, 20, Console(width=20))
    assert all(len(r.plain) <= 20 for r in rows)
    assert all(r.plain.startswith(" " * 10) and r.plain[10] != " " for r in rows[1:])


async def test_a_long_summary_in_the_case_block_continues_under_its_value(
    make_app: AppFactory, seeded: Seeded, engine: Engine, clock: FakeClock
) -> None:
    case_id = long_case(engine, clock)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_on(app, pilot, case_id)
        await pilot.press("enter")
        await settle(app, pilot)
        first, second = continuation(screen_text(app), "Summary   Suspected")
    value = first.index("Suspected")
    assert second[:value].strip() == "" and second[value] != " ", (first, second)
