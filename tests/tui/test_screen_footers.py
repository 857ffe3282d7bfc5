"""Every screen's footer names the way out: ``q`` is drawn on the screens that use Textual's
``Footer`` (the handover, the metrics) as it is on the lists and the detail (``KeyBar``)."""

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
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0
