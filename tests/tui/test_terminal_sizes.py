"""Small windows (issue 12 item 6): what 80x24 must always show, and below 60x16 one sentence."""

from __future__ import annotations

import pytest

from tests.tui.conftest import AppFactory, Seeded, settle
from tests.tui.drawn import screen_text


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
