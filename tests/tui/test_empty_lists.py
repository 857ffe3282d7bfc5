"""What a list says and offers when it holds few or no rows, as drawn: the Accounts status line
counts in English (``1 match``, ``5 matches``, ``1 account``), and an empty list (no data, or a
filter that matches nothing) offers no key that needs a row under the cursor (``enter Detail``,
``space Mark``, the case keys), in the Cases and the Accounts views."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.engine import Engine
from textual.widgets import Static

from ahr_tui.tui.app import AhrApp
from ahr_tui.tui.screens.accounts import AccountsView
from ahr_tui.tui.screens.detail import DetailScreen
from ahr_tui.tui.screens.main import MainScreen
from tests.conftest import T0, FakeClock, full_window, seed_account
from tests.tui.conftest import AppFactory, Seeded, open_accounts, settle
from tests.tui.drawn import screen_text

SIZES = [(80, 24), (120, 40)]
#: Keys that act on the row under the cursor: none may be offered over an empty list.
NEED_A_ROW = ("enter Detail", "space Mark", "c Contact", "o Respond", "r Resolve",
              "x Deactivate", "f Fraud", "a Assign", "n Note")


def footer(app: AhrApp) -> str:
    return screen_text(app)[-1]


def status_line(app: AhrApp) -> str:
    """The Accounts view's status line as drawn (the line that starts with the count)."""
    drawn = [line.strip() for line in screen_text(app)]
    return next(line for line in drawn if " · AHR window to " in line)


async def type_filter(app: AhrApp, pilot, text: str) -> None:  # type: ignore[no-untyped-def]
    await pilot.press("slash", *text)
    await settle(app, pilot)


@pytest.mark.parametrize("size", SIZES)
async def test_the_accounts_status_line_counts_matches_in_english(
    make_app: AppFactory, seeded: Seeded, size: tuple[int, int]
) -> None:
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await open_accounts(app, pilot)
        assert status_line(app) == "6 accounts · AHR window to 2026-03-01"
        await type_filter(app, pilot, "o")  # Goods, Books, Tools, Farms, Co
        assert status_line(app).endswith(" · 5 matches"), status_line(app)
        await pilot.press("o", "k")  # "ook": Cedar Books
        await settle(app, pilot)
        assert status_line(app).endswith(" · 1 match"), status_line(app)
        await pilot.press("z")
        await settle(app, pilot)
        assert status_line(app).endswith(" · 0 matches"), status_line(app)


async def test_one_account_is_one_account_not_one_accounts(engine: Engine, clock: FakeClock
                                                           ) -> None:
    seed_account(engine, "S1", name="Solo Shop",
                 scores=full_window((T0 - timedelta(days=1)).date()))
    view = AccountsView(engine=engine, clock=clock)

    from textual.app import App, ComposeResult

    class Host(App[None]):
        def compose(self) -> ComposeResult:
            yield view

    async with Host().run_test(size=(80, 24)) as pilot:
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        status = str(view.query_one("#accounts-status", Static).render())
        assert status == "1 account · AHR window to 2026-03-01"
        assert status in [line.strip() for line in screen_text(pilot.app)]


@pytest.mark.parametrize("size", SIZES)
async def test_a_cases_filter_that_matches_nothing_offers_no_key_that_needs_a_case(
    make_app: AppFactory, seeded: Seeded, size: tuple[int, int]
) -> None:
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await settle(app, pilot)
        await type_filter(app, pilot, "zzz")
        await pilot.press("enter")  # back to the (empty) list
        await settle(app, pilot)
        assert any('no case matches "zzz"' in line for line in screen_text(app))
        shown = footer(app)
        assert [key for key in NEED_A_ROW if key in shown] == [], shown
        assert "/ Filter" in shown and "tab Accounts" in shown and "q Quit" in shown
        await pilot.press("enter", "c")  # not offered, and nothing opens
        await settle(app, pilot)
        assert isinstance(app.screen, MainScreen)
        await pilot.press("escape")  # the filter cleared: the keys are back
        await settle(app, pilot)
        assert "c Contact" in footer(app) and "r Resolve" in footer(app), footer(app)
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, DetailScreen)


async def test_with_cases_marked_an_empty_filter_still_offers_assign_and_note_for_them(
    make_app: AppFactory, seeded: Seeded
) -> None:
    """``a`` and ``n`` act on the marked cases, listed or not; the rest need a row."""
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("space")
        await type_filter(app, pilot, "zzz")
        await pilot.press("enter")
        await settle(app, pilot)
        shown = footer(app)
        assert "a Assign" in shown and "n Note" in shown, shown
        assert "enter Detail" not in shown and "c Contact" not in shown, shown


@pytest.mark.parametrize("size", SIZES)
async def test_an_accounts_filter_that_matches_nothing_does_not_offer_enter(
    make_app: AppFactory, seeded: Seeded, size: tuple[int, int]
) -> None:
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await open_accounts(app, pilot)
        assert "enter Detail" in footer(app)
        await type_filter(app, pilot, "zzz")
        await pilot.press("enter")
        await settle(app, pilot)
        assert any('no account matches "zzz"' in line for line in screen_text(app))
        assert "enter Detail" not in footer(app) and "/ Filter" in footer(app), footer(app)
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, MainScreen)
        await pilot.press("escape")
        await settle(app, pilot)
        assert "enter Detail" in footer(app), footer(app)


async def test_a_database_with_no_accounts_offers_no_enter_in_either_view(
    make_app: AppFactory
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        shown = footer(app)
        assert [key for key in NEED_A_ROW if key in shown] == [], shown
        await pilot.press("tab")
        await settle(app, pilot)
        assert any("no accounts yet" in line for line in screen_text(app))
        assert "enter Detail" not in footer(app) and "tab Cases" in footer(app), footer(app)
