"""One filter box and one sort cycle for the Cases and Accounts views (issue 11), as the operator
sees them: the rows drawn on screen narrow as the filter is typed, enter puts the cursor on the
first match, the header shows each view's sort and filter the same way, untrusted names stay
literal, and ``e`` exports the Accounts list as shown (issue 17)."""

from __future__ import annotations

import csv
from pathlib import Path

from sqlalchemy.engine import Engine

from ahr_tui.rules import Role
from ahr_tui.service.imports import import_sellers
from ahr_tui.service.sort_cycle import SortCycle
from ahr_tui.tui.dialogs.ask import AskDialog
from ahr_tui.tui.screens.accounts import AccountsView
from ahr_tui.tui.widgets.list_filter import ListFilter, list_state
from ahr_tui.wording import NO_ACCOUNTS_YET
from tests.conftest import FakeClock, add_operator, seed_account
from tests.tui.conftest import ALICE, AppFactory, Seeded, settle
from tests.tui.drawn import screen_text

HOSTILE = "[@click=app.quit]Evil[/] \x1b[2J [WIP]"


def table_lines(app) -> list[str]:  # type: ignore[no-untyped-def]
    """The Accounts table's data lines as drawn: those below its header line that start with
    a seller id (the footer is drawn below them; the filter field above)."""
    drawn = screen_text(app)
    top = next(i for i, line in enumerate(drawn) if line.lstrip().startswith("SELLER"))
    rows = []
    for line in drawn[top + 1:]:
        if not line.strip() or not line[0].isalnum():
            break
        rows.append(line)
    return rows


async def test_the_accounts_filter_narrows_the_rows_drawn_and_enter_lands_on_the_first_match(
    make_app: AppFactory, seeded: Seeded
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(app, pilot)
        await pilot.press("tab")
        await settle(app, pilot)
        assert [line.split()[0] for line in table_lines(app)] == ["S1", "S2", "S3", "S4", "S5",
                                                                   "S6"]
        await pilot.press("end", "slash", "o")
        await settle(app, pilot)
        assert isinstance(app.focused, ListFilter)
        shown = [line.split()[0] for line in table_lines(app)]
        assert shown == ["S1", "S3", "S4", "S5", "S6"]  # Goods, Books, Tools, Farms, Co
        await pilot.press("o", "k")  # "ook": Cedar Books only
        await settle(app, pilot)
        assert [line.split()[:3] for line in table_lines(app)] == [["S3", "Cedar", "Books"]]
        assert "[Accounts]  sort seller  filter ook" in app.main.header.plain
        await pilot.press("backspace", "backspace")
        await settle(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot)
        view = app.query_one(AccountsView)
        assert view.table.has_focus and view.table.cursor_row == 0
        account = view.table.current_account
        assert account is not None and account.seller_id == "S1"  # the first match
        await pilot.press("escape")
        await settle(app, pilot)
        assert len(table_lines(app)) == 6 and "filter" not in app.main.header.plain


async def test_the_filter_field_sits_in_the_same_place_in_both_views_above_the_list(
    make_app: AppFactory, seeded: Seeded
) -> None:
    """A newcomer found it at the top of the Cases view and at the bottom of the Accounts
    view: both now open it under the header, above the column headings (as k9s does), with
    the same footer while typing in it."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        places = []
        for switch in ((), ("tab",)):
            await pilot.press(*switch, "slash", "o", "k")
            await settle(app, pilot)
            drawn = screen_text(app)
            typed = next(i for i, line in enumerate(drawn) if "▊  ok " in line)
            headings = next(i for i, line in enumerate(drawn) if line.lstrip().startswith(
                ("LEFT", "SELLER")))
            assert typed < headings, "\n".join(drawn)
            places.append((typed, drawn[-1].split()))
            await pilot.press("escape")  # clears it and gives the list the focus
            await settle(app, pilot)
        typing = ["enter", "Go", "to", "list", "esc", "Clear", "filter"]
        assert places[0] == (3, [*typing, "tab", "Accounts", "ctrl+q", "Quit"])
        assert places[1] == (3, [*typing, "tab", "Cases", "ctrl+q", "Quit"])
        assert isinstance(app.focused, type(app.query_one(AccountsView).table))


async def test_while_typing_a_filter_the_footer_names_the_keys_that_act_there_not_q_quit(
    make_app: AppFactory, seeded: Seeded
) -> None:
    """A newcomer typed ``/`` then ``q``: the field showed ``q`` but the footer still offered
    ``q Quit``. In the field it offers what acts there (enter, esc, tab, ctrl+q), and each
    does what it says; back on the list the list's keys return. Both views."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        for view, other in (("Cases", "Accounts"), ("Accounts", "Cases")):
            await pilot.press("slash", "q")
            await settle(app, pilot)
            footer = screen_text(app)[-1]
            assert footer.split() == ["enter", "Go", "to", "list", "esc", "Clear", "filter",
                                      "tab", other, "ctrl+q", "Quit"], footer
            assert f"[{view}]  sort" in app.main.header.plain
            assert "filter q" in app.main.header.plain  # q was typed, the app still runs
            assert app.is_running
            await pilot.press("enter")  # keeps the filter, the list takes the focus
            await settle(app, pilot)
            assert not isinstance(app.focused, ListFilter)
            assert "filter q" in app.main.header.plain
            listed = screen_text(app)[-1]
            assert "q Quit" in listed and "? Help" in listed and "Clear filter" not in listed
            await pilot.press("slash")
            await settle(app, pilot)
            assert "esc Clear filter" in screen_text(app)[-1]
            await pilot.press("escape")  # clears it and gives the list the focus
            await settle(app, pilot)
            assert "filter" not in app.main.header.plain
            assert "q Quit" in screen_text(app)[-1]
            await pilot.press("slash", "tab")  # tab switches the view from the field too
            await settle(app, pilot)
            assert f"[{other}]" in app.main.header.plain
            assert not isinstance(app.focused, ListFilter)
            assert f"tab {view}" in screen_text(app)[-1]  # the second round: the other view


async def test_s_and_the_header_work_the_same_way_in_both_views(
    make_app: AppFactory, seeded: Seeded
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(app, pilot)
        await pilot.press("slash", "c", "a", "enter", "s")
        assert "[Cases]  sort seller  filter ca" in app.main.header.plain
        await pilot.press("tab")
        await settle(app, pilot)
        assert "[Accounts]  sort seller" in app.main.header.plain
        assert "filter" not in app.main.header.plain  # each view has its own filter
        await pilot.press("s")
        await settle(app, pilot)
        assert "[Accounts]  sort ahr" in app.main.header.plain
        await pilot.press("tab")
        assert "[Cases]  sort seller  filter ca" in app.main.header.plain
        assert isinstance(app.main.sort, SortCycle)
        assert isinstance(app.query_one(AccountsView).sort, SortCycle)
        assert list_state("ahr", "x").plain == "sort ahr  filter x"


async def test_untrusted_names_stay_literal_in_the_filtered_accounts(
    make_app: AppFactory, seeded: Seeded, engine: Engine
) -> None:
    seed_account(engine, "H\x1b[31m1", name=HOSTILE)
    app = make_app()
    async with app.run_test(size=(140, 30)) as pilot:
        await settle(app, pilot)
        await pilot.press("tab", "slash", *"evil")
        await settle(app, pilot)
        (line,) = table_lines(app)
        assert line.startswith(r"H\x1b[31m1")
        assert r"[@click=app.quit]Evil[/] \x1b[2J [WIP]" in line
        assert "\x1b" not in "".join(screen_text(app))
        assert app.is_running


async def test_e_exports_the_accounts_as_shown_and_asks_before_replacing(
    make_app: AppFactory, seeded: Seeded, tmp_path: Path
) -> None:
    target = tmp_path / "accounts.csv"
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("tab")
        await settle(app, pilot)
        await pilot.press("slash", *"us", "enter", "s", "s", "s")  # US, sorted by name
        await settle(app, pilot)
        shown = [line.split()[0] for line in table_lines(app)]
        assert shown == ["S1", "S3", "S4", "S6"]
        await pilot.press("e")
        assert isinstance(app.screen, AskDialog)
        assert "4 accounts as shown (filter 'us', sort name)" in str(
            app.screen.query_one("#dialog-case").render())
        app.screen.query_one("Input").value = str(target)  # type: ignore[attr-defined]
        await pilot.press("enter")
        await settle(app, pilot)
        with target.open(newline="") as fh:
            assert [r["seller_id"] for r in csv.DictReader(fh)] == shown
        target.write_text("keep me")
        await pilot.press("e")
        app.screen.query_one("Input").value = str(target)  # type: ignore[attr-defined]
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, AskDialog) and app.screen.danger
        await pilot.press("enter")  # the default button is Cancel
        await settle(app, pilot)
        assert target.read_text() == "keep me"


async def test_a_filter_that_matches_nothing_says_so_and_how_to_clear_it_in_both_views(
    make_app: AppFactory, seeded: Seeded
) -> None:
    """Not "no active cases" (that is a list with nothing in it): the screen says that nothing
    matches the filter, and that esc clears it; esc does, and the rows come back."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("slash", *"zzq", "enter")
        await settle(app, pilot)
        drawn = "\n".join(screen_text(app))
        assert 'no case matches "zzq": esc clears the filter' in drawn, drawn
        assert "no active cases" not in drawn
        await pilot.press("escape")
        await settle(app, pilot)
        assert len(app.main.table.cases) == 6 and "zzq" not in "\n".join(screen_text(app))
        await pilot.press("tab")
        await settle(app, pilot)
        await pilot.press("slash", *"zzq", "enter")
        await settle(app, pilot)
        drawn = "\n".join(screen_text(app))
        assert 'no account matches "zzq": esc clears the filter' in drawn, drawn
        await pilot.press("escape")
        await settle(app, pilot)
        assert [line.split()[0] for line in table_lines(app)][:2] == ["S1", "S2"]


async def test_a_list_with_no_case_at_all_says_so_not_that_a_filter_hides_them(
    make_app: AppFactory, engine: Engine
) -> None:
    add_operator(engine, ALICE.name, Role.LEAD)
    seed_account(engine)  # accounts, none with a case (a new database says more: below)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        assert "no active cases" in "\n".join(screen_text(app))
        await pilot.press("slash", "x", "enter")
        await settle(app, pilot)
        assert "no active cases" in "\n".join(screen_text(app))  # nothing to filter


async def test_a_new_database_says_in_both_views_that_nothing_is_there_and_how_to_import(
    make_app: AppFactory, engine: Engine, clock: FakeClock, tmp_path: Path
) -> None:
    """No account yet (``ahr init`` on a new file): each list says so in one line naming the
    imports, drawn whole at 80 columns; once sellers are imported (another process), the Cases
    view says only that there is no active case."""
    add_operator(engine, ALICE.name, Role.LEAD)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        assert NO_ACCOUNTS_YET in screen_text(app)[3], screen_text(app)  # under the header
        assert "no active cases" not in "\n".join(screen_text(app))
        await pilot.press("tab")
        await settle(app, pilot)
        drawn = screen_text(app)
        assert any(line.rstrip() == NO_ACCOUNTS_YET for line in drawn), drawn
        await pilot.press("tab")
        sellers = tmp_path / "sellers.csv"
        sellers.write_text("seller_id,store,name,plan,emergency_phone,email\n"
                           "S1,US,Acme Goods,professional,+1 415 555 2671,a@example.com\n")
        import_sellers(engine, sellers, actor=ALICE, now=clock())
        app.poll()
        await settle(app, pilot)
        drawn = "\n".join(screen_text(app))
        assert "no active cases" in drawn and NO_ACCOUNTS_YET not in drawn, drawn


async def test_before_the_first_read_the_screen_claims_no_role_no_sort_and_no_empty_list(
    make_app: AppFactory, seeded: Seeded
) -> None:
    """The first frame, before the operator's identity and the cases are read: the header
    names the operator without a role (not "(not an operator)"), no sort it does not know
    yet, and the list does not say it is empty."""
    app = make_app()
    app.reload = lambda **_: None  # type: ignore[method-assign]  # the first read never lands
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        drawn = "\n".join(screen_text(app))
        assert "loading cases" in drawn
        assert "alice  [Cases]  db test.db" in drawn, drawn
        assert "not an operator" not in drawn and "sort" not in drawn.split("\n")[1]
        assert "no active cases" not in drawn
        app.main.show_cases([], app.clock())  # what a first read of an empty list shows
        app.main.header.update_state(role="lead")
        await pilot.pause()
        drawn = "\n".join(screen_text(app))
        assert "alice (lead)  [Cases]  sort urgency  db test.db" in drawn, drawn
        assert "no active cases" in drawn


async def test_a_needle_longer_than_the_field_scrolls_it_to_the_cursor_as_typed(
    make_app: AppFactory, seeded: Seeded
) -> None:
    """The field's size is set without laying the screen out (``ListFilter.virtual_size``):
    what is typed past its right edge still scrolls into view, and the list still narrows."""
    needle = "goods" + "".join(f"{i:02d}" for i in range(45))  # 95 characters
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("tab")
        await settle(app, pilot)
        await pilot.press("slash", *needle)
        await settle(app, pilot)
        field = next(line for line in screen_text(app) if "4344" in line)
        assert field.rstrip().rstrip("▎▌▐ ").endswith("41424344")
        assert "goods00" not in field  # its start scrolled out to the left
        assert app.query_one("#accounts-filter", ListFilter).value == needle
        assert [line.split()[:3] for line in table_lines(app)] == [["no", "account", "matches"]]
