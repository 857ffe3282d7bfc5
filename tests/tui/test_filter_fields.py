"""The Cases filter matches fields a narrow terminal does not show (POLICY at 80 columns; the
seller id in no column): the filter field's lower edge says how many cases match and by which
fields, and names a matching column hidden at this width, so no row appears for no visible
reason. What is drawn is checked, at 80x24 and 120x40."""

from __future__ import annotations

from ahr_tui.service.case_list import matched_by
from tests.tui.conftest import AppFactory, Seeded, settle
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
