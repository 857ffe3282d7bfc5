"""Small windows (issue 12 item 6): what 80x24 must always show, and below 60x16 one sentence."""

from __future__ import annotations

import pytest

from ahr_tui.tui.widgets.case_table import LEVELS
from ahr_tui.tui.widgets.status_header import HeaderState, header_lines
from tests.tui.conftest import AppFactory, Seeded, settle
from tests.tui.drawn import screen_text
from tests.tui.tmux import app_in_tmux


async def test_at_80x24_the_header_shows_every_count_uncut(
    make_app: AppFactory, seeded: Seeded
) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        header = screen_text(app)[0]
        assert "…" not in header, header
        for count in ("1 crit", "1 urg", "1 warn", "1 ok", "1 exp", "1 resp"):
            assert count in header, (count, header)


@pytest.mark.parametrize("size", [(60, 16), (66, 20), (80, 24)])
async def test_countdown_urgency_case_seller_and_status_always_show(
    make_app: AppFactory, seeded: Seeded, size: tuple[int, int]
) -> None:
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await settle(app, pilot)
        assert {"left", "urgency", "id", "seller", "status"} <= set(
            app.main.table.visible_columns()
        )
        heading = next(line for line in screen_text(app) if "CASE" in line)
        for title in ("LEFT", "URGENCY", "CASE", "SELLER", "STATUS"):
            assert title in heading, heading


@pytest.mark.parametrize("size", [(40, 15), (59, 24), (80, 15)])
async def test_below_60x16_one_sentence_names_the_minimum_until_the_window_grows(
    make_app: AppFactory, seeded: Seeded, size: tuple[int, int]
) -> None:
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await settle(app, pilot)
        shown = " ".join(" ".join(screen_text(app)).split())
        assert f"This window is {size[0]}x{size[1]}; the AHR app needs at least 60x16." in shown
        assert "CASE" not in shown and "LEFT" not in shown
        await pilot.resize_terminal(80, 24)
        await settle(app, pilot)
        assert app.screen is app.main
        assert any("CASE" in line for line in screen_text(app))


async def test_a_dialog_survives_a_window_too_small_for_a_moment(
    make_app: AppFactory, seeded: Seeded
) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        assert app.main.table.move_to_key(seeded.crit)
        await pilot.press("n", "h", "i")
        dialog = app.screen
        await pilot.resize_terminal(40, 12)
        await settle(app, pilot)
        assert "needs at least 60x16" in " ".join(" ".join(screen_text(app)).split())
        await pilot.resize_terminal(80, 24)
        await settle(app, pilot)
        assert app.screen is dialog and dialog.text == "hi"  # type: ignore[attr-defined]


def test_the_header_fits_78_cells_with_two_digit_counts_everywhere() -> None:
    counts = dict.fromkeys(LEVELS, 12)
    state = HeaderState(counts=counts, next_deadline="13h 05m #1234", uncovered=10,
                        loading=False)
    first, _ = header_lines(state, 78)  # 80 columns less the header's padding
    assert first.cell_len <= 78, first.plain
    for part in ("#1234", "10 uncov", "!!12 ovd", "!12 crit", "12 urg", "12 warn", "12 ok",
                 "xx12 exp"):
        assert part in first.plain, (part, first.plain)


def test_in_tmux_a_shrunk_window_shows_only_the_sentence_then_the_list_again(
    seeded: Seeded, db_url: str
) -> None:
    """Also with COLUMNS and LINES exported (as some shells do): the window's real size wins."""
    with app_in_tmux(db_url, size=(80, 24), env={"COLUMNS": "80", "LINES": "24"}) as tmux:
        tmux.wait_for(lambda s: "CASE" in s and "EXPIRED" in s)
        tmux.run("resize-window", "-t", "app", "-x", "40", "-y", "15")
        shown = tmux.wait_for(lambda s: "quit." in s)
        lines = shown.split("\n")[:15]
        words = " ".join(" ".join(lines).split())
        assert words == ("This window is 40x15; the AHR app needs at least 60x16. "
                         "Make it larger, or press q to quit."), shown
        assert all(len(line) < 40 or line[39] == " " for line in lines), shown  # no stale cell
        tmux.run("resize-window", "-t", "app", "-x", "80", "-y", "24")
        shown = tmux.wait_for(lambda s: "CASE" in s)
        assert "needs at least" not in shown and "q Quit" in shown, shown
