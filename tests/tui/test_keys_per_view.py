"""Keys per view (issue 12 items 5 and 13): the footer offers what applies where the operator
is; an account's detail lists its cases and enter opens one; the palette puts the app first."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.engine import Engine
from textual.binding import Binding
from textual.command import CommandPalette
from textual.pilot import Pilot
from textual.widgets import OptionList

from ahr_tui.rules import PolicyArea
from ahr_tui.service.contact import detect_case
from ahr_tui.tui.app import AhrApp
from ahr_tui.tui.keys import FOOTER_KEYS, Place, footer_keys
from ahr_tui.tui.screens.detail import DetailScreen
from ahr_tui.tui.widgets.key_bar import KeyBar
from tests.conftest import FakeClock
from tests.tui.conftest import ALICE, AppFactory, Notes, Seeded, settle
from tests.tui.drawn import contrast, find, screen_text

CASE_KEYS = ("o Respond", "r Resolve", "x Deactivate", "f Fraud", "a Assign", "n Note")


def footer(app: AhrApp) -> str:
    return screen_text(app)[-1]


async def detail_footer(app: AhrApp, pilot: Pilot[None], case_id: int) -> str:
    """The footer of case ``case_id``'s detail, opened from the list."""
    await settle(app, pilot)
    assert app.main.table.move_to_key(case_id)
    await pilot.press("enter")
    await settle(app, pilot)
    return footer(app)


async def test_at_80_columns_the_footer_offers_the_keys_of_each_view(
    make_app: AppFactory, seeded: Seeded
) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        # an open case, for a lead: enter (the most used key: a newcomer missed it here), the
        # daily work, the filter, the other view, help and quit
        cases = footer(app)
        for key in ("enter Detail", "c Contact", "o Respond", "r Resolve", "/ Filter",
                    "tab Accounts", "? Help", "q Quit"):
            assert key in cases, cases
        for row in (seeded.expired, seeded.crit):  # whatever case is under the cursor
            assert app.main.table.move_to_key(row)
            await settle(app, pilot)
            assert all(k in footer(app) for k in ("enter Detail", "r Resolve", "/ Filter",
                                                   "tab Accounts", "? Help", "q Quit"))
        await pilot.press("tab")
        await settle(app, pilot)
        accounts = footer(app)
        for key in ("enter Detail", "/ Filter", "s Sort", "tab Cases", "m Metrics", "h Handover",
                    "? Help", "q Quit"):
            assert key in accounts, accounts
        assert not any(key in accounts for key in CASE_KEYS), accounts
        notes = Notes(app)
        await pilot.press("o", "r", "x", "f", "a", "n")
        assert notes.messages == []  # no "no case selected": those keys are not offered here


async def test_a_case_detail_offers_back_and_the_case_actions_not_the_list_keys(
    make_app: AppFactory, seeded: Seeded
) -> None:
    app = make_app()
    # Wide enough for every key: a narrower footer drops greyed keys first (x, on an open case)
    async with app.run_test(size=(160, 40)) as pilot:
        shown = await detail_footer(app, pilot, seeded.crit)
        for key in ("esc Back", *CASE_KEYS, "? Help", "q Quit"):
            assert key in shown, shown
        assert "/ Filter" not in shown and "tab" not in shown


async def test_a_case_detail_offers_enter_only_when_there_is_another_case_to_open(
    make_app: AppFactory, seeded: Seeded, engine: Engine, clock: FakeClock
) -> None:
    app = make_app()
    async with app.run_test(size=(160, 40)) as pilot:
        shown = await detail_footer(app, pilot, seeded.crit)  # S1 has no other case
        assert any("Other cases (0)" in line for line in screen_text(app))
        assert "enter" not in shown and "Open case" not in shown, shown
        alone = app.screen
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.screen is alone and alone.case_id == seeded.crit
    other = detect_case(
        engine, seller_id="S1", store="US", policy=PolicyArea.LISTING_POLICY,
        at=clock() - timedelta(hours=1), summary="second", actor=ALICE, now=clock(),
    ).id
    app = make_app()
    async with app.run_test(size=(160, 40)) as pilot:
        shown = await detail_footer(app, pilot, seeded.crit)
        assert "enter Open case" in shown, shown
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, DetailScreen) and app.screen.case_id == other


async def test_an_accounts_detail_lists_its_cases_and_enter_opens_one(
    make_app: AppFactory, seeded: Seeded
) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("tab")
        await settle(app, pilot)
        await pilot.press("enter")  # S1's account: its case is the critical one
        await settle(app, pilot)
        account = app.screen
        assert isinstance(account, DetailScreen) and account.case_id is None
        assert any(f"#{seeded.crit} " in line for line in screen_text(app))
        shown = footer(app)
        assert "enter Open case" in shown and "esc Back" in shown
        assert not any(key in shown for key in CASE_KEYS), shown
        await pilot.press("enter")
        await settle(app, pilot)
        case = app.screen
        assert isinstance(case, DetailScreen) and case.case_id == seeded.crit
        await pilot.press("escape")
        assert app.screen is account


async def test_the_palette_lists_the_apps_commands_first_without_keys_or_screenshot(
    make_app: AppFactory, seeded: Seeded
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert "Keys" not in titles and "Screenshot" not in titles
        await pilot.press("ctrl+p")
        await settle(app, pilot)
        palette = app.screen
        assert isinstance(palette, CommandPalette)
        options = palette.query_one(OptionList)
        first = str(options.get_option_at_index(0).prompt)
        assert "Log contact attempt" in first, first
        await pilot.press("escape")
        assert app.screen is app.main


async def test_with_a_dialog_open_the_footer_offers_no_list_keys_and_they_return_after(
    make_app: AppFactory, seeded: Seeded
) -> None:
    """The dialog says its own keys (ctrl+s, esc, ...); enter, /, tab, s do not apply in it."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        assert app.main.table.move_to_key(seeded.crit)
        await pilot.press("r")
        await settle(app, pilot)
        assert app.screen is not app.main
        bar = app.main.query_one(KeyBar)
        assert bar.render().plain == ""
        await pilot.press("escape")
        await settle(app, pilot)
        assert "c Contact" in footer(app) and "tab Accounts" in footer(app)


async def test_a_key_that_cannot_act_is_drawn_dimmer_than_one_that_can(
    make_app: AppFactory, seeded: Seeded
) -> None:
    """An expired case cannot get a response: ``o Respond`` is drawn with less contrast than
    ``r Resolve`` (it was drawn brighter: a translucent colour not blended with the bar)."""
    app = make_app()
    # Wide enough for every key (a narrower footer drops the greyed ones first)
    async with app.run_test(size=(240, 40)) as pilot:
        await settle(app, pilot)
        assert app.main.table.move_to_key(seeded.expired)
        await settle(app, pilot)
        footer_row = len(screen_text(app)) - 1
        respond = find(app, "Respond", row_with="Resolve")
        resolve = find(app, "Resolve", row_with="Respond")
        assert respond.row == resolve.row == footer_row
        assert contrast(respond.style) < contrast(resolve.style)


async def test_the_case_keys_are_one_parametrised_action_that_the_rules_decide(
    make_app: AppFactory, seeded: Seeded
) -> None:
    """``Binding("o", "case('respond')")``: ``check_action`` asks the rules for each key, so an
    expired case greys ``o`` (with its reason) and an open one offers it."""
    app = make_app()
    case_bindings = {b.key: b.action for b in app.BINDINGS if isinstance(b, Binding)}
    assert case_bindings["o"] == "case('respond')" and case_bindings["f"] == "case('fraud')"
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        assert app.main.table.move_to_key(seeded.expired)
        assert app.check_action("case", ("respond",)) is None  # shown, disabled
        assert app.check_action("case", ("resolve",)) is True
        assert app.main.table.move_to_key(seeded.crit)
        assert app.check_action("case", ("respond",)) is True
        assert app.check_action("case", ("deactivate",)) is None


async def test_at_80_columns_a_narrow_footer_drops_keys_that_cannot_act_before_those_that_can(
    make_app: AppFactory, seeded: Seeded
) -> None:
    """An expired case's detail: ``x Deactivate`` is what it needs; greyed keys (``c``, ``o``)
    give way first, and ``?`` and ``q`` always stay."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        shown = await detail_footer(app, pilot, seeded.expired)
        for key in ("esc Back", "r Resolve", "x Deactivate", "a Assign", "n Note", "? Help",
                    "q Quit"):
            assert key in shown, shown
        assert "o Respond" not in shown, shown  # greyed: it cannot act on an expired case
        bar = app.screen.query_one(KeyBar)
        drawn = footer_keys(app.screen.place, bar.active(), 80)
        offered = [key for key in FOOTER_KEYS if key.action in bar.active()
                   and app.screen.place in key.where]
        dropped = [key for key in offered if key not in [k for k, _ in drawn]]
        assert dropped, "the footer must have dropped some keys at 80 columns for this check"
        if any(not enabled for _, enabled in drawn):  # a greyed key stays only when no
            assert all(not bar.active()[key.action] for key in dropped)  # enabled one dropped


async def test_at_80_columns_an_expired_case_offers_deactivate_with_resolve_in_the_list(
    make_app: AppFactory, seeded: Seeded, engine: Engine, clock: FakeClock
) -> None:
    """A newcomer on an expired case saw ``a Assign`` but not ``x Deactivate``, one of the two
    decisions the case waits for; another missed ``enter``, the most used key. At 80 columns,
    the Cases view's footer for the case under the cursor: ``enter``, the case's main actions
    (a detected case, which ``o`` cannot act on, has room for ``a``), ``/``, ``tab``, ``?`` and
    ``q``."""
    detected = detect_case(
        engine, seller_id="S2", store="CA", policy=PolicyArea.LISTING_POLICY,
        at=clock() - timedelta(hours=1), summary="found", actor=ALICE, now=clock(),
    ).id
    ways = ["/ Filter", "tab Accounts", "? Help", "q Quit"]
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        shown = {}
        for name, case_id in (("expired", seeded.expired), ("open", seeded.crit),
                              ("detected", detected)):
            assert app.main.table.move_to_key(case_id)
            await settle(app, pilot)
            shown[name] = footer(app)
        assert shown["expired"].split() == [
            "enter", "Detail", "r", "Resolve", "x", "Deactivate", *" ".join(ways).split()]
        assert shown["open"].split() == [
            "enter", "Detail", "c", "Contact", "o", "Respond", "r", "Resolve",
            *" ".join(ways).split()]
        assert shown["detected"].split() == [
            "enter", "Detail", "c", "Contact", "r", "Resolve", "a", "Assign",
            *" ".join(ways).split()]


def test_the_footer_never_drops_help_or_quit_however_narrow() -> None:
    active = {key.action: False for key in FOOTER_KEYS}
    kept = [key.key for key, _ in footer_keys(Place.CASE_DETAIL, active, 10)]
    assert kept == ["?", "q"]
