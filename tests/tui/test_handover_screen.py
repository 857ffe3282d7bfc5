"""The header's uncovered count and the ``h`` screen (handover + shift chart), with Pilot."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy.engine import Engine
from textual.widgets import Static

from ahr_tui.rules.coverage import parse_clock, parse_days, ranges_for
from ahr_tui.rules.forecast import HourLoad
from ahr_tui.service.shifts import set_hours
from ahr_tui.tui.screens.handover import HandoverScreen
from ahr_tui.tui.widgets.shift_chart import chart_rows
from tests.conftest import T0, FakeClock
from tests.tui.conftest import ALICE, AppFactory, Seeded, settle
from tests.tui.drawn import screen_text


def _hours(engine: Engine, name: str, days: str, start: str, end: str) -> None:
    set_hours(
        engine, name, tz="UTC", add=False, actor=ALICE, now=T0,
        ranges=ranges_for(parse_days(days), parse_clock(start, "--from"), parse_clock(end, "--to")),
    )


def _line(rows: list[list[tuple[str, object]]], i: int) -> str:
    return "".join(text for text, _ in rows[i])


async def test_the_header_counts_uncovered_due_moments_in_the_next_24_hours(
    seeded: Seeded, make_app: AppFactory, engine: Engine, clock: FakeClock
) -> None:
    # crit: deadline +30m; urgent: critical +1h, deadline +2h; warn: urgent +16h, critical +21h,
    # deadline +22h. Nobody has hours yet: all six are uncovered.
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        assert "6 uncovered " in app.main.header.plain.splitlines()[0]
        _hours(engine, "alice", "mon", "00:00", "00:00")  # a lead, all Monday (UTC)
        app.poll()
        await settle(app, pilot)
        assert "3 uncovered " in app.main.header.plain  # Tuesday 04:00, 09:00, 10:00 remain
        _hours(engine, "alice", "mon-sun", "00:00", "00:00")
        app.poll()
        await settle(app, pilot)
        assert "0 uncovered " in app.main.header.plain


async def test_h_opens_the_handover_with_a_chart_that_marks_uncovered_hours(
    seeded: Seeded, make_app: AppFactory, engine: Engine, clock: FakeClock
) -> None:
    _hours(engine, "alice", "mon", "09:00", "17:00")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("h")
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, HandoverScreen)
        assert screen.report is not None
        loads = screen.report.per_hour
        assert len(loads) == 24 and loads[0].start == T0
        assert [h.due for h in loads[:3]] == [1, 1, 1]  # 12:30 deadline, 13:00 crit, 14:00 deadline
        assert loads[0].on_shift == ("alice",) and loads[0].uncovered == 0
        assert loads[16].uncovered == 1 and loads[16].on_shift == ()  # Tuesday 04:00
        chart = screen.query_one("#handover-chart").plain  # type: ignore[attr-defined]
        lines = chart.splitlines()
        marks = next(line for line in lines if line.startswith("   !┤"))
        cols = 3  # (80 - 5) // 24
        assert marks[5 + 16 * cols] == "!" and marks[5] == " "
        assert lines[-1].startswith("UTC └12")
        title = screen.query_one("#handover-title", Static).render()
        assert "uncovered" in str(title)
        await pilot.press("t")
        await settle(app, pilot)
        assert screen.hours == 48 and len(screen.report.per_hour) == 48
        await pilot.press("escape")
        await settle(app, pilot)
        assert app.screen is app.main


@pytest.mark.parametrize("width", [80, 120])
def test_the_chart_reads_without_colour(width: int) -> None:
    start = T0
    loads = [
        HourLoad(start + timedelta(hours=i), due=i % 4, uncovered=int(i % 4 == 3),
                 on_shift=("a",) * (i % 3))
        for i in range(72)
    ]
    rows = chart_rows(loads, width)
    text = [_line(rows, i) for i in range(len(rows))]
    assert all(len(line) <= width for line in text)
    assert "▒" in text[-4] or "▒" in "".join(text[:6])  # uncovered bars have their own glyph
    assert text[-3].startswith("  on┤-1")  # nobody on shift is a dash, not a blank
    assert "!" in text[-2]
    assert "Mon" in text[-1] or "Tue" in text[-1]  # the weekday at midnight


async def test_h_lists_a_late_first_contact_in_its_own_section_as_the_header_counts_it(
    seeded: Seeded, make_app: AppFactory, engine: Engine, clock: FakeClock
) -> None:
    """The header counts a detected case past its first-contact target once, ``to contact``,
    never ``overdue``: the handover screen (``ahr handover``'s lines) lists it under ``First
    contact overdue``, and not under ``Overdue``, which holds open cases past their deadline."""
    from ahr_tui.rules import PolicyArea
    from ahr_tui.service.contact import detect_case

    late = detect_case(engine, seller_id="S1", store="US", policy=PolicyArea.REVIEWS,
                       at=T0 - timedelta(hours=26), summary="", actor=ALICE, now=clock()).id
    app = make_app()
    async with app.run_test(size=(120, 80)) as pilot:
        await settle(app, pilot)
        header = app.main.header.plain
        assert "1 to contact" in header and "overdue" not in header, header
        await pilot.press("h")
        await settle(app, pilot)
        drawn = [line.strip() for line in screen_text(app)]
    overdue = drawn.index("Overdue (0): open cases past their 72-hour deadline, not expired yet")
    assert drawn[overdue + 1].strip() == "none"
    contact = drawn.index("First contact overdue (1): detected cases past their first-contact "
                          "target")
    assert drawn[contact + 1].strip() == (
        f"case {late}  S1 US  detected  first contact 2h 00m overdue")


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_the_chart_s_hour_axis_has_whole_labels_under_their_hours_at_every_horizon(
    seeded: Seeded, make_app: AppFactory, size: tuple[int, int]
) -> None:
    """A newcomer at 80 columns read ``23 We 01``: a two-letter weekday squeezed between the
    hours, read as a cut word. Each label is whole (an hour ``06`` or a weekday ``Tue``),
    starts under its hour's column, and is left out where it would not fit."""
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await settle(app, pilot)
        await pilot.press("h")
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, HandoverScreen)
        for hours in (24, 48, 72):
            assert screen.hours == hours and screen.report is not None
            axis = next(line for line in screen_text(app) if line.startswith("UTC └"))
            cols = (size[0] - 5) // hours
            days = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
            labels = [(m.start(), m.group()) for m in re.finditer(r"\S+", axis[5:])]
            assert labels, axis
            for at, text in labels:
                assert at % cols == 0, (at, axis)  # under its hour's first column
                hour = screen.report.per_hour[at // cols].start
                expected = days[hour.weekday()] if hour.hour == 0 else f"{hour.hour:02d}"
                assert text == expected, (text, expected, axis)
                assert text in days or re.fullmatch(r"\d\d", text), axis
            assert any(text in days for _, text in labels), axis  # the day changes on it
            await pilot.press("t")
            await settle(app, pilot)
