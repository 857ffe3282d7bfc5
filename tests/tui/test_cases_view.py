"""The Cases view: order, columns, countdowns, repaint economy, filter, sort, pause, help."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy.engine import Engine
from textual import events
from textual.geometry import Region
from textual.widgets import Input

from ahr_tui.rules import PolicyArea
from ahr_tui.service.contact import detect_case
from ahr_tui.tui.app import AhrApp
from ahr_tui.tui.dialogs.help import HelpScreen
from ahr_tui.tui.widgets.case_table import CaseTable
from tests.conftest import T0, FakeClock
from tests.tui.conftest import ALICE, AppFactory, Refreshes, Seeded, settle
from tests.tui.drawn import screen_text


def row_text(table: CaseTable, index: int) -> list[str]:
    return [cell if isinstance(cell, str) else cell.plain for cell in table.row(index)]


def ids(table: CaseTable) -> list[int]:
    return [case.id for case in table.cases]


async def test_least_time_left_first_then_expired_then_responded_with_words_for_urgency(
    make_app: AppFactory, seeded: Seeded
) -> None:
    app = make_app()
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(app, pilot)
        table = app.main.table
        assert ids(table) == [
            seeded.crit, seeded.urgent, seeded.warn, seeded.ok, seeded.expired, seeded.responded,
        ]
        assert row_text(table, 0)[:3] == ["30m 00s", "!!  CRITICAL", str(seeded.crit)]
        assert row_text(table, 1)[:2] == ["2h 00m", "!   URGENT"]
        assert row_text(table, 2)[:2] == ["22h 00m", ".   WARN"]
        assert row_text(table, 3)[:2] == ["2d 14h", "    ok"]
        assert row_text(table, 4)[:3] == ["-8h 00m", "xx  EXPIRED", str(seeded.expired)]
        # the margin it met its deadline by (the deadline is in 52h), as ``ahr cases`` says it
        assert row_text(table, 5)[:2] == ["+2d 19h", "    responded"]
        # then the mark column (empty: nothing is marked) and the rest
        assert row_text(table, 0)[3:] == [
            "", "Acme Goods", "US", "reviews", "open", "-", "case for S1",
        ]


async def test_narrow_terminal_keeps_countdown_case_seller_and_status(
    make_app: AppFactory, seeded: Seeded
) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        narrow = app.main.table.visible_columns()
        assert {"left", "id", "mark", "seller", "status"} <= set(narrow)
        assert "policy" not in narrow
        assert narrow[0] == "left"
    app = make_app()
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(app, pilot)
        assert app.main.table.visible_columns() == [
            "left", "urgency", "id", "mark", "seller", "store", "policy", "status", "assignee",
            "summary",
        ]


async def test_countdown_follows_the_clock_on_tick(
    make_app: AppFactory, seeded: Seeded, clock: FakeClock
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        table = app.main.table
        clock.advance(minutes=5, seconds=12)
        app.tick()
        await pilot.pause()
        crit = table.row_index(seeded.crit)
        assert crit is not None
        assert row_text(table, crit)[0] == "24m 48s"
        assert row_text(table, table.row_index(seeded.warn) or 0)[0] == "21h 54m"
        clock.advance(minutes=25)
        app.tick()  # the countdown is redrawn at once; the expiry runs in a worker
        assert row_text(table, crit)[:2] == ["-0m 12s", "!!! OVERDUE"]
        await settle(app, pilot)
        index = table.row_index(seeded.crit)
        assert index is not None and row_text(table, index)[:2] == ["-0m 12s", "xx  EXPIRED"]


async def test_a_tick_repaints_only_the_cells_whose_text_changed(
    make_app: AppFactory, seeded: Seeded, clock: FakeClock
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        table = app.main.table
        refreshes = Refreshes(table)
        app.tick()  # same instant: nothing changed
        assert refreshes.regions == []
        clock.advance(seconds=30)  # off the whole-hour instants of the fixture
        app.tick()
        refreshes.clear()
        clock.advance(seconds=1)  # only the 30-minute case shows seconds
        app.tick()
        crit = table.row_index(seeded.crit)
        assert refreshes.regions == [Region(0, (crit or 0) + 1, table.columns[0].width, 1)]
        refreshes.clear()
        clock.advance(seconds=30)  # a new minute: hour-and-minute countdowns change too
        app.tick()
        assert {r.y for r in refreshes.regions} == {table.row_index(i) + 1 for i in (  # type: ignore[operator]
            seeded.expired, seeded.crit, seeded.urgent, seeded.warn)}
        assert all(r.x == 0 and r.width == table.columns[0].width and r.height == 1
                   for r in refreshes.regions)


async def test_filter_narrows_as_you_type_enter_keeps_esc_clears(
    make_app: AppFactory, seeded: Seeded
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        table = app.main.table
        await pilot.press("end", "slash", "c", "a")
        assert set(ids(table)) == {seeded.urgent, seeded.responded}  # the CA store
        await pilot.press("backspace", "e", "d")
        assert ids(table) == [seeded.warn]  # "Cedar Books"
        await pilot.press("enter")
        assert table.has_focus and table.cursor_row == 0
        assert "filter ced" in app.main.header.plain
        await pilot.press("slash", "escape")
        assert len(ids(table)) == 6
        assert table.has_focus
        await pilot.press("slash", *"s4", "enter")  # seller id
        assert ids(table) == [seeded.ok]
        await pilot.press("escape")
        await pilot.press("slash", *str(seeded.expired), "enter")  # case id
        assert seeded.expired in ids(table)


async def test_sort_cycles_and_keeps_the_cursor_on_its_case(
    make_app: AppFactory, seeded: Seeded
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        table = app.main.table
        await pilot.press("j", "j")
        assert table.cursor_key == seeded.warn
        await pilot.press("s")
        assert [c.name for c in table.cases][:2] == ["Acme Goods", "Bright Lamps"]
        assert table.cursor_key == seeded.warn
        assert "sort seller" in app.main.header.plain
        await pilot.press("s")
        assert [c.store for c in table.cases] == ["CA", "CA", "US", "US", "US", "US"]
        await pilot.press("s")
        assert [c.status.value for c in table.cases] == [
            "expired", "open", "open", "open", "open", "responded",
        ]
        assert "sort status" in app.main.header.plain
        await pilot.press("s")
        assert ids(table)[0] == seeded.crit and "sort urgency" in app.main.header.plain


async def test_pause_freezes_countdowns_and_shows_paused(
    make_app: AppFactory, seeded: Seeded, clock: FakeClock
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        table = app.main.table
        crit = table.row_index(seeded.crit) or 0
        await pilot.press("p")
        assert "PAUSED" in app.main.header.plain
        clock.advance(minutes=1)
        app.tick()
        assert row_text(table, crit)[0] == "30m 00s"
        await pilot.press("p")
        await settle(app, pilot)
        assert "PAUSED" not in app.main.header.plain
        assert row_text(table, crit)[0] == "29m 00s"


async def test_the_header_counts_each_level_with_the_mark_and_word_its_rows_show(
    make_app: AppFactory, seeded: Seeded, engine: Engine, clock: FakeClock
) -> None:
    """A newcomer read ``!! 1 overdue  ! 2 crit  3 urg`` above rows reading ``!! CRITICAL``
    and ``!  URGENT``. Each level now has one mark, more ``!`` for more urgent, and the header
    writes it and the rows' word: under every row's URGENCY cell, as drawn, the header holds
    ``MARK N word``; at 80 columns the counts that need action are still words."""
    late = detect_case(engine, seller_id="S1", store="US", policy=PolicyArea.REVIEWS,
                       at=T0 - timedelta(hours=26), summary="", actor=ALICE, now=clock()).id
    app = make_app()
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(app, pilot)
        drawn = screen_text(app)
        header = drawn[0]
        heading = next(line for line in drawn if "URGENCY" in line)
        at = heading.index("URGENCY")
        cells = {line[at:at + 15].strip() for line in drawn[drawn.index(heading) + 1:-1]}
        assert {"!!! CONTACT", "!!  CRITICAL", "!   URGENT", ".   WARN", "ok", "xx  EXPIRED",
                "responded"} <= cells, cells
        for cell in cells - {""}:
            mark, _, word = cell.rpartition(" ")
            word = {"CONTACT": "to contact"}.get(word, word.lower())  # the late contact
            shown = f"{mark.strip()} 1 {word}".strip()
            assert re.search(rf"(^|  ){re.escape(shown)}(  |$)", header), (cell, header)
        # each case counted once: the late contact under to contact, not also under overdue
        assert "  0 overdue  !! 1 critical  ! 1 urgent  . 1 warn  1 ok  !!! 1 to contact  " \
               "xx 1 expired  1 responded" in header, header
        assert any("!!! CONTACT" in line and f" {late} " in line for line in drawn), drawn
        await pilot.resize_terminal(80, 24)
        await settle(app, pilot)
        header = screen_text(app)[0]
        assert "…" not in header and re.search(r"\b(ovd|crit|urg|exp|uncov|cont)\b", header) \
            is None, header
        for words in ("1 critical", "1 urgent", "1 expired"):
            assert f"  {words}" in header, (words, header)


async def test_header_counts_next_deadline_operator_role_and_database(
    make_app: AppFactory, seeded: Seeded
) -> None:
    app = make_app()
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(app, pilot)
        first, second = app.main.header.plain.split("\n")
        # each count with its level's mark and word as the rows show them (!!  CRITICAL)
        assert "  0 overdue  !! 1 critical  ! 1 urgent  . 1 warn  1 ok  0 to contact  " \
               "xx 1 expired  1 responded" in first, first
        assert f"next 30m 00s #{seeded.crit}" in first
        assert "alice (lead)" in second and "db test.db" in second
        assert app.terminal_title == (
            "AHR: 0 overdue, 1 critical, 0 to contact, 1 expired, next 30m")


def help_lines(app: AhrApp, part: str = "#help") -> list[str]:
    """The drawn lines of the help (or of one ``part``), cropped to its content."""
    region = app.screen.query_one(part).content_region
    lines = screen_text(app)[region.y:region.bottom]
    return [line[region.x:region.right] for line in lines]


async def test_help_lists_every_key(make_app: AppFactory, seeded: Seeded) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        shown = [line.strip() for line in help_lines(app)]
        for key in ("j / k", "enter", "esc", "tab", "/", "s", "o", "r", "x", "f", "a", "n",
                    "p", "?", "ctrl+p", "q"):
            assert any(line.startswith(key) and line[len(key)] in " ," for line in shown), key
        assert any(line.startswith("Greyed keys are not possible now") for line in shown)
        await pilot.press("escape")


async def test_help_describes_the_sort_and_filter_keys_for_each_view_they_act_in(
    make_app: AppFactory, seeded: Seeded
) -> None:
    """``s`` and ``/`` act in both lists, differently: the help says what each does in the
    Cases view and in the Accounts view (every order ``s`` cycles through, in its order)."""
    from ahr_tui.service.account_list import AccountSort
    from ahr_tui.service.case_list import SortKey

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("question_mark")
        shown = " ".join(" ".join(line.split()) for line in help_lines(app, "#help-keys"))
        for view, orders in (("Cases", SortKey), ("Accounts", AccountSort)):
            said = shown[shown.index(f"{view}: cycle the sort: "):]
            at = [said.index(order.value) for order in orders]
            assert at == sorted(at), (view, said)
            assert f"{view}: filter as you type" in shown
        assert "Accounts: filter as you type (seller id, name, store)" in shown
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)


async def test_help_at_80_columns_wraps_a_long_description_under_its_first_line(
    make_app: AppFactory, seeded: Seeded
) -> None:
    """Every drawn line of the help holds either a key, right-aligned before the descriptions'
    column, or nothing left of that column (a continuation indented under its description)."""
    app = make_app()
    async with app.run_test(size=(80, 50)) as pilot:
        await settle(app, pilot)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        keys = help_lines(app, "#help-keys")
        column = keys[0].index("move the cursor")
        wrapped = [line for line in keys if not line[:column].strip()]
        assert len(wrapped) >= 3, keys  # at 80 columns some descriptions do wrap
        for line in keys:
            key_area = line[:column]
            assert not key_area.strip() or (key_area.endswith("  ") and key_area[-3] != " "), line
        assert any(line[column:].startswith("marks)") for line in keys), keys


async def test_command_palette_offers_every_action(make_app: AppFactory, seeded: Seeded) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        titles = [command.title for command in app.get_system_commands(app.screen)]
        for expected in ("Record seller response (o)", "Resolve case (r)",
                         "Deactivate account (x)", "Record fraud finding (f)",
                         "Assign to me (a)", "Add note (n)", "Filter cases (/)",
                         "Cycle sort (s)", "Switch view (tab)", "Help (?)"):
            assert expected in titles


async def test_tab_switches_to_the_accounts_view_and_back(
    make_app: AppFactory, seeded: Seeded
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("tab")
        assert app.main.view == "accounts-view"
        assert "[Accounts]" in app.main.header.plain
        await pilot.press("tab")
        assert app.main.view == "cases-view"
        assert app.main.table.has_focus


async def test_keys_typed_right_after_slash_go_to_the_filter_not_the_actions(
    make_app: AppFactory, seeded: Seeded
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        for key, char in (("slash", "/"), ("o", "o"), ("r", "r"), ("n", "n")):  # one burst
            app.post_message(events.Key(key, char))
        await pilot.pause()
        assert app.main.filter_text == "orn"
        assert app.screen is app.main  # no dialog opened


async def test_slash_in_the_accounts_view_filters_the_accounts(
    make_app: AppFactory, seeded: Seeded
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("tab", "slash")
        await pilot.pause()
        assert app.main.view == "accounts-view"
        focused = app.focused
        assert focused is not None and isinstance(focused, Input)
        assert app.main.query_one("#accounts-view") in focused.ancestors_with_self
        assert not app.main.query_one("#filter", Input).has_focus
