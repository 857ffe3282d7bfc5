"""Every screen's footer names the way out: ``q`` is drawn on the screens that use Textual's
``Footer`` (the handover, the metrics) as it is on the lists and the detail (``KeyBar``), after
``? Help`` as there; the metrics offer ``h`` (the handover) as the lists do."""

from __future__ import annotations

import pytest
from textual.screen import Screen

from ahr_tui.tui.screens.handover import HandoverScreen
from ahr_tui.tui.screens.metrics import MetricsScreen
from tests.tui.conftest import AppFactory, Seeded, settle
from tests.tui.drawn import screen_text


@pytest.mark.parametrize(("key", "screen"), [("h", HandoverScreen), ("m", MetricsScreen)])
@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_the_footer_of_the_handover_and_the_metrics_shows_q_quit(
    make_app: AppFactory, seeded: Seeded, key: str, screen: type[Screen[None]],
    size: tuple[int, int],
) -> None:
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await settle(app, pilot)
        await pilot.press(key)
        await settle(app, pilot)
        assert isinstance(app.screen, screen)
        footer = screen_text(app)[-1]
        assert "q Quit" in footer and "esc Back" in footer, footer
        assert footer.index("esc Back") < footer.index("? Help  q Quit"), footer
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_the_metrics_footer_offers_h_which_opens_the_handover_and_esc_comes_back(
    make_app: AppFactory, seeded: Seeded, size: tuple[int, int]
) -> None:
    """The metrics' help listed ``h`` but its footer did not."""
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await settle(app, pilot)
        await pilot.press("m")
        await settle(app, pilot)
        metrics = app.screen
        assert isinstance(metrics, MetricsScreen)
        footer = screen_text(app)[-1]
        assert "esc Back  [ Fewer days  ] More days  h Handover  ? Help  q Quit" in footer, footer
        await pilot.press("h")
        await settle(app, pilot)
        assert isinstance(app.screen, HandoverScreen)
        await pilot.press("escape")
        await settle(app, pilot)
        assert app.screen is metrics
