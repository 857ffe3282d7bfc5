"""The Cases filter matches fields a narrow terminal does not show (POLICY at 80 columns; the
seller id in no column): the filter field's lower edge says how many cases match and by which
fields, and names a matching column hidden at this width, so no row appears for no visible
reason. What is drawn is checked, at 80x24 and 120x40. The Accounts filter says the same of the
rows on screen (a name cut before the match at 80 columns)."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import Engine

from ahr_tui.service.case_list import matched_by
from ahr_tui.tui.screens.accounts import AccountsView
from tests.conftest import seed_account
from tests.tui.conftest import AppFactory, Seeded, open_accounts, settle
from tests.tui.drawn import screen_text


def edge(app) -> str:  # type: ignore[no-untyped-def]
    """The filter field's lower edge as drawn (the line under the typed text), stripped of
    the border's own glyphs."""
    drawn = screen_text(app)
    box = app.main.filter_box.region
    return drawn[box.bottom - 1].strip(" ▁▎▊")


async def test_at_80_columns_a_match_by_policy_says_so_and_that_the_column_is_hidden(
    make_app: AppFactory, seeded: Seeded
) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("slash", *"safety")  # product_safety: Bright Lamps' case
        await settle(app, pilot)
        heading = next(line for line in screen_text(app) if "URGENCY" in line)
        assert "POLICY" not in heading  # the column is not drawn
        assert [c.id for c in app.main.shown_cases] == [seeded.urgent]
        assert edge(app) == "1 match by policy; POLICY hidden at this width"
        await pilot.press("enter")  # the filter kept, the list focused: the note stays
        await settle(app, pilot)
        assert edge(app) == "1 match by policy; POLICY hidden at this width"
        await pilot.press("escape")
        await settle(app, pilot)
        assert not any("match" in line for line in screen_text(app))


async def test_wide_enough_the_column_shows_and_the_note_only_counts_and_names_fields(
    make_app: AppFactory, seeded: Seeded
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("slash", *"safety")
        await settle(app, pilot)
        assert edge(app) == "1 match by policy"
        assert any("product_safety" in line for line in screen_text(app))
        await pilot.press(*["backspace"] * 6, *"acme")
        await settle(app, pilot)
        assert edge(app) == "1 match by name"
        await pilot.press(*["backspace"] * 4, *"zzz")
        await settle(app, pilot)
        assert edge(app) == "0 matches"


async def test_a_narrower_window_brings_the_hidden_column_note(
    make_app: AppFactory, seeded: Seeded
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("slash", *"safety", "enter")
        await settle(app, pilot)
        assert edge(app) == "1 match by policy"
        await pilot.resize_terminal(80, 24)
        await settle(app, pilot)
        assert edge(app) == "1 match by policy; POLICY hidden at this width"


async def test_matched_by_names_each_field_that_matched_once_in_the_filters_order(
    make_app: AppFactory, seeded: Seeded
) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        cases = app.main.all_cases
        assert matched_by(cases, "S1") == ["seller id"]
        assert matched_by(cases, " ca ") == ["store"]  # CA (a needle is trimmed)
        assert matched_by(cases, "a") == ["name", "policy", "store"]
        assert matched_by(cases, "o") == ["name", "policy"]  # Books...; condition, ip_complaint
        assert matched_by(cases, str(seeded.crit)) == ["seller id", "case id"]  # S2, case 2
        assert matched_by(cases, "") == [] and matched_by(cases, "zzz") == []


# ------------------------------------------------------------------ the Accounts view

def accounts_edge(app) -> str:  # type: ignore[no-untyped-def]
    """The Accounts filter field's lower edge as drawn."""
    drawn = screen_text(app)
    box = app.query_one(AccountsView).filter_box.region
    return drawn[box.bottom - 1].strip(" ▁▎▊")


async def filter_accounts(app, pilot, needle: str) -> None:  # type: ignore[no-untyped-def]
    await open_accounts(app, pilot)
    await pilot.press("slash", *needle)
    await settle(app, pilot)


async def test_accounts_at_80_columns_a_name_cut_before_the_match_says_so(
    make_app: AppFactory, seeded: Seeded, engine: Engine
) -> None:
    """A newcomer typed ``kit`` and saw ``Global Home …``: nothing on the row said why it
    matched. The field's edge says by which field the rows shown match, and that the NAME
    column cuts the match off at this width; wide enough, only how many and by what."""
    seed_account(engine, "K1", name="Global Home Kitchen Supplies")
    seed_account(engine, "K2", name="Kite & Co")
    seed_account(engine, "GLOBAL1", name="Acme Trading Partners Global")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await filter_accounts(app, pilot, "kit")
        drawn = screen_text(app)
        assert any(line.startswith("K1 ") and "Global Home…" in line for line in drawn), drawn
        assert accounts_edge(app) == "2 matches by name; NAME cut at this width"
        await pilot.press(*["backspace"] * 3, *"k1")  # the seller id column shows it
        await settle(app, pilot)
        assert accounts_edge(app) == "1 match by seller id"
        # GLOBAL1's name is cut before "global", but its seller id shows it: no word needed
        await pilot.press(*["backspace"] * 2, *"global")
        await settle(app, pilot)
        assert accounts_edge(app) == "2 matches by seller id, name"
        await pilot.press("escape")
        await settle(app, pilot)
        assert not any("match" in line for line in screen_text(app)[:6])
    async with make_app().run_test(size=(160, 40)) as pilot:
        app = pilot.app
        await filter_accounts(app, pilot, "kit")
        assert any("Global Home Kitchen Supplies" in line for line in screen_text(app))
        assert accounts_edge(app) == "2 matches by name"


async def test_accounts_the_note_tests_only_the_rows_on_screen_and_says_so(
    make_app: AppFactory, seeded: Seeded, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """At a million accounts the matches are counted by the database, never all read: the
    fields are those of the rows on screen (``those shown by name``), tested again as the
    list scrolls, and a row off screen is never tested."""
    from ahr_tui.tui.widgets import account_matches

    tested: set[str] = set()
    real = account_matches.matched_fields

    def spy(row, needle):  # type: ignore[no-untyped-def]
        tested.add(row.seller_id)
        return real(row, needle)

    monkeypatch.setattr(account_matches, "matched_fields", spy)
    seed_account(engine, "K1", name="Global Home Kitchen Supplies")
    for n in range(60):
        seed_account(engine, f"M{n:02d}", name=f"Kitchen {n:02d}")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await filter_accounts(app, pilot, "kitchen")
        assert accounts_edge(app) == "61 matches; those shown by name; NAME cut at this width"
        on_screen = {line.split()[0] for line in screen_text(app) if line[:1] in "KM"}
        assert tested and tested <= on_screen and "M59" not in tested, (tested, on_screen)
        await pilot.press("enter", "end")  # to the list, then its last row
        await settle(app, pilot)
        assert "M59" in tested  # the rows now shown were tested
        assert accounts_edge(app) == "61 matches; those shown by name"  # K1 scrolled away
