"""The metrics screen at 80x24 with more operators than fit: its last line says which lines are
shown and that more lie below, and the keys scroll to the last operator (a newcomer never found
the operators' section below the fold). With everything on screen no such line is drawn."""

from __future__ import annotations

from sqlalchemy.engine import Engine

from ahr_tui.rules import Role
from ahr_tui.tui.screens.metrics import MetricsScreen
from tests.conftest import add_operator
from tests.tui.conftest import AppFactory, Seeded, settle
from tests.tui.drawn import screen_text

MORE = [f"op{n:02d}" for n in range(1, 9)]  # eight more operators: a list taller than 24 rows


async def open_metrics(app, pilot) -> list[str]:  # type: ignore[no-untyped-def]
    await settle(app, pilot)
    await pilot.press("m")
    await settle(app, pilot)
    assert isinstance(app.screen, MetricsScreen)
    return screen_text(app)


async def test_at_80x24_the_last_line_says_more_lies_below_and_j_reaches_it(
    make_app: AppFactory, seeded: Seeded, engine: Engine
) -> None:
    for name in MORE:
        add_operator(engine, name, Role.TRIAGE)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        drawn = await open_metrics(app, pilot)
        hint, footer = drawn[-2].strip(), drawn[-1]
        assert "esc Back" in footer
        assert hint.startswith("lines 1-21 of ") and ", more below: j/k" in hint, drawn
        assert not any("op08" in line for line in drawn)
        for _ in range(12):
            await pilot.press("j")
        await settle(app, pilot)
        drawn = screen_text(app)
        assert drawn[-3].split()[0] == "tom", drawn  # the last operator (by name), above the line
        hint = drawn[-2].strip()
        assert "more below" not in hint and hint.startswith("lines "), hint
        first, last_total = hint.split()[1].split("-")[0], hint.split(":")[0].split()[1:]
        assert int(first) > 1 and last_total[0].split("-")[1] == last_total[2], hint
        for _ in range(12):
            await pilot.press("k")
        await settle(app, pilot)
        assert screen_text(app)[-2].strip().startswith("lines 1-21 of ")
        for _ in range(3):  # three keys in one burst (a held key over SSH), before a refresh
            app.screen.action_scroll("down")
        await settle(app, pilot)
        assert screen_text(app)[-2].strip().startswith("lines 4-24 of "), screen_text(app)[-2]


async def test_when_everything_fits_there_is_no_scroll_line(
    make_app: AppFactory, seeded: Seeded
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        drawn = await open_metrics(app, pilot)
        assert not any(line.strip().startswith("lines ") for line in drawn), drawn
