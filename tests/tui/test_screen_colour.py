"""Colour as drawn (issue 12 items 1, 2 and 10): read from the compositor's segments, which are
what reaches the terminal, with and without ``NO_COLOR``."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from rich.color import ColorSystem
from sqlalchemy.engine import Engine
from textual.app import App, ComposeResult
from textual.color import Color

from ahr_tui.rules import PolicyArea, Role
from ahr_tui.service.cases import open_case
from ahr_tui.service.sweep import expire_due
from ahr_tui.tui.screens.accounts import AccountsView
from ahr_tui.tui.widgets.sparkline import Sparkline
from tests.conftest import T0, FakeClock, add_operator, full_window, seed_account
from tests.tui.conftest import ALICE, AppFactory, Seeded, settle
from tests.tui.drawn import contrast, find, illegible, screen_text

#: (the word in the URGENCY column, the seller on that row) for every level the seed shows.
ROWS = (
    ("!!  CRITICAL", "Acme Goods"),
    ("!   URGENT", "Bright Lamps"),
    (".   WARN", "Cedar Books"),
    ("ok", "Delta Tools"),
    ("responded", "Echo Farms"),
    ("xx  EXPIRED", "Fable & Co"),
)


async def test_urgency_words_and_countdowns_are_drawn_in_their_colours(
    make_app: AppFactory, seeded: Seeded
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        colours = {}
        for word, seller in ROWS:
            drawn = find(app, word, row_with=seller)
            name = find(app, seller)
            assert drawn.style.color != name.style.color, (word, drawn.style, name.style)
            left = find(app, drawn.line.split()[0], row_with=seller)  # the countdown
            assert left.style.color == drawn.style.color, (word, left.style)
            colours[word] = drawn.style.color
        assert colours["!!  CRITICAL"] != colours[".   WARN"] != colours["ok"]


async def test_a_16_colour_terminal_draws_red_for_critical_and_yellow_for_warn(
    make_app: AppFactory, seeded: Seeded, monkeypatch: pytest.MonkeyPatch
) -> None:
    """TERM=xterm (or screen, linux): the driver draws the nearest of 16 colours to what the
    compositor gives it; given the theme's RGB red and orange, critical came out magenta and
    warn bright red (the newcomer trial). The colour names now reach it as names."""
    monkeypatch.setenv("TERM", "xterm")
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        sixteen = {}
        for word, seller in ROWS:
            colour = find(app, word, row_with=seller).style.color
            assert colour is not None, word
            sixteen[word] = colour.downgrade(ColorSystem.STANDARD).number
        app.theme = "nord"  # Textual makes its conversion again for a new theme
        await settle(app, pilot)
        after = find(app, "!!  CRITICAL", row_with="Acme Goods").style.color
    assert after is not None and after.downgrade(ColorSystem.STANDARD).number == 1
    red, green, yellow, magenta, cyan = 1, 2, 3, 5, 6
    assert sixteen == {"!!  CRITICAL": red, "!   URGENT": yellow, ".   WARN": yellow, "ok": green,
                       "responded": cyan, "xx  EXPIRED": magenta}


async def test_with_256_colours_the_urgency_colours_are_the_themes(
    make_app: AppFactory, seeded: Seeded
) -> None:
    app = make_app()  # TERM=xterm-256color (tests/conftest.py)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        critical = find(app, "!!  CRITICAL", row_with="Acme Goods").style.color
    assert critical is not None and critical.triplet is not None  # RGB, as before


async def test_accounts_bands_counts_and_phones_are_drawn_in_their_colours(
    engine: Engine, clock: FakeClock
) -> None:
    as_of = (T0 - timedelta(days=1)).date()
    seed_account(engine, "S10", name="Acme Goods", scores=full_window(as_of, 150), phone="12")
    seed_account(engine, "S20", name="Beta Books", scores=full_window(as_of, 80), phone=None)
    seed_account(engine, "S30", name="Cobalt Traders", scores=full_window(as_of, 640))
    view = AccountsView(engine=engine, clock=clock)

    class Host(App[None]):
        def compose(self) -> ComposeResult:
            yield view

    async with Host().run_test(size=(120, 30)) as pilot:
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        app = pilot.app
        for value, seller in (("150 at risk", "Acme"), ("80 unhealthy", "Beta"),
                              ("640 healthy", "Cobalt"), ("invalid", "Acme"),
                              ("missing", "Beta"), ("180", "Acme")):
            name = find(app, seller)
            drawn = find(app, value, row_with=seller)
            assert drawn.style.color != name.style.color, (value, drawn.style, name.style)


@pytest.fixture
def no_color(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")  # read by textual.App.__init__


async def test_no_color_keeps_every_text_legible_and_the_alarms_bold_or_reverse(
    make_app: AppFactory, seeded: Seeded, no_color: None
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        assert app.no_color
        assert illegible(app) == []
        for alarm, row in (("xx 1 expired", "next"), ("xx  EXPIRED", "Fable")):
            drawn = find(app, alarm, row_with=row)
            assert drawn.style.bold and drawn.style.reverse, (alarm, drawn.style)
        for alarm, row in (("!! 1 critical", "next"), ("!!  CRITICAL", "Acme")):
            drawn = find(app, alarm, row_with=row)  # bold underlined: not yet past, unlike those
            assert drawn.style.bold and drawn.style.underline, (alarm, drawn.style)
        calm = find(app, ".   WARN", row_with="Cedar")
        assert not calm.style.reverse
        assert app.main.table.move_to_key(seeded.crit)
        await pilot.press("f")  # a destructive dialog: its Cancel button must be readable
        await pilot.pause()
        assert find(app, "Cancel").text.strip()
        assert illegible(app) == []


async def test_no_color_sparkline_swatches_differ(no_color: None) -> None:
    start = date(2026, 1, 1)
    series = [640] * 60 + [150] * 60 + [80] * 60

    class Host(App[None]):
        def compose(self) -> ComposeResult:
            yield Sparkline(series, start)

    async with Host().run_test(size=(100, 12)) as pilot:
        await pilot.pause()
        app = pilot.app
        swatches = [find(app, glyphs, row_with=label).style
                    for glyphs, label in (("▆▇", "healthy 200"), ("▃▄▅", "at risk"))]
        line = screen_text(app)
        legend = next(y for y, text in enumerate(line) if "below the 250 line:" in text)
        segments = [s for s in app.screen._compositor.render_strips()[legend]
                    if set(s.text) & set("▁▂▃▄▅▆▇█")]
        styles = [s.style for s in segments]
        assert len(styles) == 3 and swatches[0] == styles[0]
        greys = sorted(Color.from_rich_color(s.color).brightness for s in styles if s and s.color)
        assert len(greys) == 3, styles
        assert greys[1] - greys[0] >= 0.2 and greys[2] - greys[1] >= 0.2, greys
        assert all(s is not None and contrast(s) >= 0.25 for s in styles)


async def test_no_color_sparkline_legend_tells_the_bands_apart_by_their_glyphs(
    no_color: None,
) -> None:
    """A newcomer read ``█ healthy  █ at risk  █ unhealthy``: three swatches told apart by
    colour alone. Each band now has its own bar heights below the 250 line, and the legend
    shows them: read as text, without any colour, every bar of the low row is keyed."""
    start = date(2026, 1, 1)
    series = [640] * 30 + [230] * 30 + [199] * 30 + [100] * 30 + [99] * 30 + [10] * 30

    class Host(App[None]):
        def compose(self) -> ComposeResult:
            yield Sparkline(series, start)

    async with Host().run_test(size=(100, 12)) as pilot:
        await pilot.pause()
        lines = screen_text(pilot.app)
    legend = next(line for line in lines if "below the 250 line:" in line)
    keys: dict[str, str] = {}
    for label in ("unhealthy", "at risk", "healthy"):
        glyphs = legend[:legend.index(label)].rstrip().rsplit(" ", 1)[-1]
        assert glyphs and set(glyphs) <= set("▁▂▃▄▅▆▇█"), legend
        keys.update(dict.fromkeys(glyphs, label))
        legend = legend[:legend.index(glyphs)] + legend[legend.index(label) + len(label):]
    low = next(line for line in lines if line.startswith("   0┤"))[5:].rstrip()
    width = len(low) // 6
    for part, band in enumerate([None, "healthy", "at risk", "at risk", "unhealthy",
                                 "unhealthy"]):
        for glyph in low[part * width + 1:(part + 1) * width - 1]:  # away from the edges
            if band is None:  # 640: the bar passes through the line, whole
                assert glyph == "█", (glyph, low)
            else:
                assert keys.get(glyph) == band, (glyph, band, low, keys)


async def test_the_sparkline_legend_keys_the_bars_below_the_line_and_bars_above_are_whole() -> None:
    """A newcomer read the tops of tall bars above the 250 line (``▅▆``) as the legend's
    bands (``▆▇█ healthy``), and the legend did not say it keys the heights below the line
    only. It says so now, and above the line a bar rises by whole cells (a row per 250
    points, each row labelled): no glyph there is one of the bands'."""
    start = date(2026, 1, 1)
    series = [990] * 30 + [880] * 30 + [700] * 30 + [560] * 30 + [420] * 30 + [260] * 30

    class Host(App[None]):
        def compose(self) -> ComposeResult:
            yield Sparkline(series, start)

    for size in ((80, 12), (120, 12)):
        async with Host().run_test(size=size) as pilot:
            await pilot.pause()
            lines = screen_text(pilot.app)
        line = next(i for i, text in enumerate(lines) if text.startswith(" 250┼"))
        legend = next(text for text in lines if "healthy" in text)
        assert legend.startswith("below the 250 line: "), legend
        band_glyphs = set(legend) & set("▁▂▃▄▅▆▇")
        assert len(band_glyphs) == 7, legend
        above = lines[:line]
        assert [row[:5] for row in above] == ["1000┤", " 750┤", " 500┤"], above
        for row in above:
            assert set(row[5:]) <= {"█", " "}, above
        # each row stands for 250 points: 990 and 880 reach 1000, 700 750, 560 and 420 500
        per = len(lines[line + 2][5:].rstrip()) // 6  # columns a sixth of the days take
        heights = [sum(row[5 + part * per + 1] == "█" for row in above) for part in range(6)]
        assert heights == [3, 3, 2, 1, 1, 0], "\n".join(above)


@pytest.mark.parametrize("days_past", [275, 1000])
async def test_a_long_overdue_countdown_is_never_cut(
    make_app: AppFactory, engine: Engine, clock: FakeClock, days_past: int
) -> None:
    add_operator(engine, "alice", Role.LEAD)
    seed_account(engine, "S9", name="Old Case Ltd")
    past = timedelta(days=days_past, hours=23, minutes=10)
    open_case(
        engine, seller_id="S9", store="US", policy=PolicyArea.REVIEWS,
        at=T0 - past - timedelta(hours=72), summary="old", actor=ALICE, now=clock(),
    )
    expire_due(engine, now=clock(), actor=ALICE)
    for size in ((80, 24), (120, 40)):
        app = make_app()
        async with app.run_test(size=size) as pilot:
            await settle(app, pilot)
            row = find(app, "Old Case Ltd").line
            assert f"-{days_past}d 23h" in row, row
