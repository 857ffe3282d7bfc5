"""The Accounts view, hosted in a tiny App (Pilot), on a real database with a fake clock."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable
from datetime import timedelta

import pytest
from textual.app import App, ComposeResult
from textual.widgets import Input, Static

from ahr_tui.service.detail import AccountRow
from ahr_tui.tui.screens.accounts import AccountsView, SortKey
from tests.conftest import T0, full_window, seed_account
from tests.tui.drawn import screen_text

AS_OF = (T0 - timedelta(days=1)).date()
HOSTILE = "[@click=app.quit]Evil[/] \x1b[2J [WIP]"


class Host(App[None]):
    """Stands in for the main screen: mounts the view and records what it posts."""

    def __init__(self, view: AccountsView, *, shown: bool = True) -> None:
        super().__init__()
        self.view = view
        self.shown = shown
        self.selected: list[int] = []
        self.quit_ran = False

    def compose(self) -> ComposeResult:
        self.view.display = self.shown
        yield self.view

    def on_mount(self) -> None:
        self.view.table.focus()

    def on_accounts_view_selected(self, message: AccountsView.Selected) -> None:
        self.selected.append(message.account_id)

    def action_quit(self) -> None:
        self.quit_ran = True


@pytest.fixture
def accounts(engine) -> dict[str, int]:
    """Four accounts, one per band plus one with no scores at all."""
    good = full_window(AS_OF, 640)
    risky = full_window(AS_OF, 150, days=170)  # 180 below, 10 missing
    bad = full_window(AS_OF, 80)
    return {
        "S30": seed_account(engine, "S30", name="Cobalt Traders", scores=good),
        "S10": seed_account(engine, "S10", "CA", name="Acme Goods", scores=risky, phone="12"),
        "S20": seed_account(engine, "S20", name="Beta Books", scores=bad, phone=None,
                            status="deactivated", enrollment="not_enrolled"),
        "S40": seed_account(engine, "S40", name="Delta Deals", enrollment="pending_contact"),
    }


async def loaded(pilot) -> None:  # type: ignore[no-untyped-def]
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def until(pilot, ready: Callable[[], bool]) -> None:  # type: ignore[no-untyped-def]
    """Let the app run until ``ready()`` (at most a second); the caller asserts what it needs."""
    for _ in range(50):
        if ready():
            return
        await pilot.pause(0.02)


def hold_the_order(monkeypatch: pytest.MonkeyPatch) -> tuple[threading.Event, threading.Event]:
    """The view's read of every id (``service.account_list.ordered``) waits until the first
    event is set (at most 10 s); the second is set once such a read has started."""
    import ahr_tui.service.account_list as service

    release, reading = threading.Event(), threading.Event()
    real = service.ordered

    def held(*args, **kw):  # type: ignore[no-untyped-def]
        reading.set()
        release.wait(10)
        return real(*args, **kw)

    monkeypatch.setattr(service, "ordered", held)
    return release, reading


def rows_read(view: AccountsView) -> list[AccountRow]:
    """The rows of the list shown, every one read (a small list: one page)."""
    rows = view.table.accounts
    assert None not in rows, rows
    return [row for row in rows if row is not None]


def sellers(view: AccountsView) -> list[str]:
    return [row.seller_id for row in rows_read(view)]


def plain_rows(view: AccountsView) -> list[list[str]]:
    table = view.table
    return [[cell.plain for cell in table.cells_of(i)] for i in range(table.row_count)]


async def test_every_account_with_band_labels_counts_and_phone(engine, clock, accounts):
    view = AccountsView(engine=engine, clock=clock)
    async with Host(view).run_test(size=(120, 30)) as pilot:
        await loaded(pilot)
        rows = plain_rows(view)
        assert [r[0] for r in rows] == ["S10", "S20", "S30", "S40"]
        # <250 counts days scored under 250 and MISS days with no score: no day in both
        assert rows[0] == ["S10", "Acme Goods", "CA", " 150 at risk", "170", "10",
                           "enrolled", "active", "invalid"]
        assert rows[1][3:] == ["  80 unhealthy", "180", "0", "not_enrolled", "deactivated",
                               "missing"]
        assert rows[2][3:6] == [" 640 healthy", "0", "0"] and rows[2][8] == "valid"
        assert rows[3][3:7] == ["   — no score", "0", "180", "pending_contact"]
        assert view.table.visible_columns() == [c.key for c in view.table.columns]
        status = view.query_one("#accounts-status", Static).content
        assert str(status) == "4 accounts · AHR window to 2026-03-01"
        assert view.sort is SortKey.SELLER  # the header shows it (test_list_filter.py)


async def test_a_line_goes_out_as_runs_of_one_style(engine, clock, accounts):
    """Neighbouring cells and gaps in the row's colours are one segment (one set of colour
    codes on the wire, not one per cell); the text and its colours are as drawn before."""
    view = AccountsView(engine=engine, clock=clock)
    async with Host(view).run_test(size=(120, 30)) as pilot:
        await loaded(pilot)
        strip = view.table.render_line(1)
        styles = [segment.style for segment in strip]
        assert all(a != b for a, b in itertools.pairwise(styles))
        assert len(styles) < len(view.table.columns)
        assert strip.text.split()[:4] == ["S10", "Acme", "Goods", "CA"]
        seller = next(s for s in strip if s.text.startswith("S10"))
        score = next(s for s in strip if s.text.lstrip().startswith("150 at risk"))
        assert score.style != seller.style  # its band's colour


async def test_narrow_terminal_drops_the_least_needed_columns_first(engine, clock, accounts):
    view = AccountsView(engine=engine, clock=clock)
    async with Host(view).run_test(size=(80, 24)) as pilot:
        await loaded(pilot)
        shown = view.table.visible_columns()
        assert "status" not in shown
        # both halves of the rule's count stay: "<250" alone would understate it
        assert {"seller", "name", "ahr", "below", "missing", "enrollment", "phone"} <= set(shown)
        drawn = screen_text(pilot.app)
        header = next(line for line in drawn if line.startswith("SELLER"))
        assert "<250 MISS" in header and "BELOW" not in header, header
        risky = next(line for line in drawn if line.startswith("S10"))
        assert " 170   10 " in risky, risky


async def test_does_not_load_until_shown(engine, clock, accounts):
    view = AccountsView(engine=engine, clock=clock)
    async with Host(view, shown=False).run_test(size=(100, 30)) as pilot:
        await loaded(pilot)
        view.reload()
        await loaded(pilot)
        assert view.table.source is None and view.table.empty_text == "loading…"
        assert str(view.query_one("#accounts-status", Static).content) == "loading…"
        view.display = True
        await pilot.pause()
        await loaded(pilot)
        assert view.table.row_count == 4


async def test_filter_by_keys_narrows_as_you_type_and_esc_clears(engine, clock, accounts):
    view = AccountsView(engine=engine, clock=clock)
    async with Host(view).run_test(size=(100, 30)) as pilot:
        await loaded(pilot)
        await pilot.press("end")
        await pilot.press("slash", "b", "o")
        await loaded(pilot)
        assert view.query_one("#accounts-filter", Input).has_focus
        assert sellers(view) == ["S20"]  # "Beta Books"
        await pilot.press("backspace", "backspace", "c", "a")  # store CA
        await loaded(pilot)
        assert sellers(view) == ["S10"]
        await pilot.press("enter")
        assert view.table.has_focus and view.table.cursor_row == 0
        await pilot.press("escape")
        await loaded(pilot)
        assert view.filter_text == "" and view.table.row_count == 4
        assert view.table.current_account is not None
        assert view.table.current_account.seller_id == "S10"  # the cursor stayed on it


async def test_apply_filter_matches_seller_id_name_and_store(engine, clock, accounts):
    view = AccountsView(engine=engine, clock=clock)
    async with Host(view).run_test(size=(100, 30)) as pilot:
        await loaded(pilot)
        for needle, expected in (("s4", ["S40"]), ("DELTA", ["S40"]), ("us", ["S20", "S30", "S40"]),
                                 ("nothing", [])):
            view.apply_filter(needle)
            await loaded(pilot)
            assert sellers(view) == expected, needle
        assert view.table.empty_text == 'no account matches "nothing": esc clears the filter'


async def test_a_filters_list_comes_with_the_rows_of_its_first_page(
    engine, clock, accounts, monkeypatch
):
    """The search reads the first page's rows with the ids: the table draws rows at once, not
    placeholders and then a page read by another worker (a round trip per keystroke)."""
    view = AccountsView(engine=engine, clock=clock)
    async with Host(view).run_test(size=(100, 30)) as pilot:
        await loaded(pilot)
        asked: list[int] = []
        monkeypatch.setattr(view, "_read_page", lambda *args: asked.append(args[2]))
        view._known.clear()  # none of the rows read so far
        view.apply_filter("us")
        await loaded(pilot)
        assert sellers(view) == ["S20", "S30", "S40"] and asked == []


async def test_a_keystroke_reads_only_the_rows_not_read_since_the_last_reload(
    engine, clock, accounts, monkeypatch
):
    """A longer needle's first rows were read for the shorter one: they are not read again
    (each costs 180 key seeks for its window counts); after a reload they are."""
    from ahr_tui.service import account_list

    view = AccountsView(engine=engine, clock=clock)
    async with Host(view).run_test(size=(100, 30)) as pilot:
        await loaded(pilot)
        view._known.clear()
        read: list[list[int]] = []
        page = account_list.page
        monkeypatch.setattr(account_list, "page",
                            lambda db, as_of, ids: read.append(list(ids)) or page(db, as_of, ids))
        every = [accounts[s] for s in ("S10", "S20", "S30", "S40")]
        view.apply_filter("e")  # every name has an e
        await loaded(pilot)
        view.apply_filter("el")  # Delta Deals, read for "e"
        await loaded(pilot)
        assert read == [every] and sellers(view) == ["S40"]
        view.reload()
        view.apply_filter("e")
        await loaded(pilot)
        assert read == [every, every]


async def test_s_cycles_the_sort(engine, clock, accounts):
    view = AccountsView(engine=engine, clock=clock)
    async with Host(view).run_test(size=(100, 30)) as pilot:
        await loaded(pilot)
        await pilot.press("s")
        await loaded(pilot)
        assert view.sort is SortKey.AHR
        assert sellers(view) == ["S40", "S20", "S10", "S30"]
        await pilot.press("s")
        await loaded(pilot)
        assert view.sort is SortKey.BELOW
        assert sellers(view)[-1] == "S30"
        await pilot.press("s")
        await loaded(pilot)
        assert [a.name for a in rows_read(view)] == [
            "Acme Goods", "Beta Books", "Cobalt Traders", "Delta Deals"
        ]
        assert view.cycle_sort() is SortKey.SELLER


async def test_a_new_sort_starts_at_its_first_row(engine, clock, accounts):
    """Sorted by lowest AHR, the first row is the lowest, not the account the cursor was on."""
    view = AccountsView(engine=engine, clock=clock)
    async with Host(view).run_test(size=(100, 30)) as pilot:
        await loaded(pilot)
        await pilot.press("j", "j")
        assert view.table.current_account.seller_id == "S30"
        await pilot.press("s")
        await loaded(pilot)
        assert view.table.cursor_row == 0
        assert view.table.current_account.seller_id == sellers(view)[0] == "S40"


async def test_enter_posts_selected_with_the_account_under_the_cursor(engine, clock, accounts):
    view = AccountsView(engine=engine, clock=clock)
    host = Host(view)
    async with host.run_test(size=(100, 30)) as pilot:
        await loaded(pilot)
        await pilot.press("j", "j", "enter")
        await pilot.pause()
        assert host.selected == [accounts["S30"]]


async def test_reload_keeps_the_cursor_on_the_same_account(engine, clock, accounts):
    view = AccountsView(engine=engine, clock=clock)
    async with Host(view).run_test(size=(100, 30)) as pilot:
        await loaded(pilot)
        await pilot.press("j", "j")
        assert view.table.current_account is not None
        assert view.table.current_account.seller_id == "S30"
        seed_account(engine, "S00", name="Zero First")  # sorts before it
        view.reload()
        await loaded(pilot)
        assert view.table.row_count == 5
        assert view.table.current_account.seller_id == "S30"
        assert view.table.cursor_row == 3


async def test_hostile_names_are_shown_literally(engine, clock):
    seed_account(engine, "H\x1b[31m1", name=HOSTILE, scores=full_window(AS_OF))
    view = AccountsView(engine=engine, clock=clock)
    host = Host(view)
    async with host.run_test(size=(160, 10)) as pilot:
        await loaded(pilot)
        seller, name = (cell.plain for cell in view.table.cells_of(0)[:2])
        assert seller == r"H\x1b[31m1"
        assert name == r"[@click=app.quit]Evil[/] \x1b[2J [WIP]"
        for x in range(0, 160, 2):
            await pilot.click("#accounts-table", offset=(x, 1))
        assert not host.quit_ran


async def test_in_the_app_tab_shows_accounts_and_enter_opens_the_account_detail(
    make_app, seeded, engine
):
    from ahr_tui.rules import CaseAction
    from ahr_tui.service.cases import act
    from ahr_tui.tui.screens.detail import DetailScreen
    from tests.tui.conftest import ALICE, settle

    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("tab")
        await settle(app, pilot)
        view = app.query_one(AccountsView)
        assert view.display and view.table.has_focus
        assert sellers(view) == ["S1", "S2", "S3", "S4", "S5", "S6"]
        await pilot.press("j", "enter")
        await settle(app, pilot)
        assert isinstance(app.screen, DetailScreen)
        assert (app.screen.account_id, app.screen.case_id) == (rows_read(view)[1].account_id,
                                                               None)
        assert "Bright Lamps" in str(app.screen.query_one("#detail-title").content)
        others = app.screen.case_list
        assert f"#{seeded.urgent} product_safety  open" in others.row(0)[0].plain
        act(engine, seeded.urgent, CaseAction.RESPOND, at=T0, text=None, actor=ALICE, now=T0)
        app.poll()  # another process wrote: the open detail reads everything again
        await settle(app, pilot)
        assert f"#{seeded.urgent} product_safety  responded" in others.row(0)[0].plain
        await pilot.press("escape")
        assert app.screen is app.main and view.table.current_account is not None
        assert view.table.current_account.seller_id == "S2"


async def test_a_newer_keystroke_wins_over_an_older_search_still_running(
    engine, clock, accounts, monkeypatch
):
    """Latest wins: a search for an older filter text that ends after a newer one is dropped,
    and it stops (its ``stop`` turns true) rather than run on."""
    import ahr_tui.service.account_list as module  # the Accounts view searches through it

    release, entered = threading.Event(), threading.Event()
    stopped: list[bool] = []
    real = module.filtered

    def slow(db, as_of, sort, ids, needle, **kw):  # type: ignore[no-untyped-def]
        if needle == "b":  # the older keystroke: held until the newer one is shown
            entered.set()
            assert release.wait(10)
            stopped.append(kw["stop"]())
        return real(db, as_of, sort, ids, needle, **kw)

    monkeypatch.setattr(module, "filtered", slow)
    view = AccountsView(engine=engine, clock=clock)
    async with Host(view).run_test(size=(100, 30)) as pilot:
        await loaded(pilot)
        view.apply_filter("b")
        await until(pilot, entered.is_set)
        view.apply_filter("ca")
        await until(pilot, lambda: view.complete)
        assert sellers(view) == ["S10"]
        release.set()
        await loaded(pilot)
        assert stopped == [True]
        assert sellers(view) == ["S10"] and view.filter_text == "ca"
        status = str(view.query_one("#accounts-status", Static).render())
        assert status == "4 accounts · AHR window to 2026-03-01 · 1 match"


async def test_in_the_app_another_process_change_reloads_the_shown_accounts(
    make_app, seeded, engine
):
    from ahr_tui.service.cases import add_note
    from tests.tui.conftest import ALICE, settle

    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("tab", "j", "j")
        await settle(app, pilot)
        view = app.query_one(AccountsView)
        assert view.table.row_count == 6
        seed_account(engine, "S0", name="Aardvark Imports")  # sorts first
        add_note(engine, seeded.ok, text="audited, so the change marker moves", actor=ALICE,
                 now=T0)
        app.poll()
        await settle(app, pilot)
        assert view.table.row_count == 7
        assert view.table.current_account is not None
        assert view.table.current_account.seller_id == "S3"  # the cursor stayed on its account


async def test_in_the_app_slash_filters_the_accounts_at_once(make_app, seeded):
    from tests.tui.conftest import settle

    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("tab")
        await settle(app, pilot)
        await pilot.press("slash", "c", "e", "d")  # typed at once: none may act as a key
        await settle(app, pilot)
        view = app.query_one(AccountsView)
        assert view.filter_text == "ced"
        assert sellers(view) == ["S3"]
        assert app.main.filter_text == ""  # the Cases filter is untouched


async def test_the_first_rows_show_while_every_account_is_still_being_read(
    engine, clock, accounts, monkeypatch
):
    import ahr_tui.tui.screens.accounts as module

    monkeypatch.setattr(module, "FIRST_ROWS", 2)
    release, _ = hold_the_order(monkeypatch)
    view = AccountsView(engine=engine, clock=clock)
    async with Host(view).run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: view.table.row_count > 0)
        assert [row[0] for row in plain_rows(view)] == ["S10", "S20"]
        status = view.query_one("#accounts-status", Static).render()
        assert "4 accounts · AHR window to 2026-03-01 · reading…" in str(status)
        release.set()
        await loaded(pilot)
        assert [row[0] for row in plain_rows(view)] == ["S10", "S20", "S30", "S40"]
        assert plain_rows(view)[0][3:6] == [" 150 at risk", "170", "10"]


async def test_the_first_rows_read_are_those_the_screen_shows_and_the_rest_as_it_scrolls(
    engine, clock, accounts, monkeypatch
):
    """Before the window counters hold the day a row's counts cost a key seek per day: ``tab``
    waits only for the rows on screen. The other first ids are listed, read when scrolled to
    (even before the whole order arrives)."""
    import ahr_tui.service.account_list as service

    release, _ = hold_the_order(monkeypatch)
    real_first, real_page = service.first_page, service.page
    read: list[list[int]] = []

    def first(*args, **kw):  # type: ignore[no-untyped-def]
        ids, rows, total = real_first(*args, **kw)
        read.append([r.account_id for r in rows])
        return ids, rows, total

    def page(db, as_of, ids, *args, **kw):  # type: ignore[no-untyped-def]
        read.append(list(ids))
        return real_page(db, as_of, ids, *args, **kw)

    more = {f"S{n}": seed_account(engine, f"S{n}") for n in range(50, 62)}
    sellers = sorted({**accounts, **more})
    ids = {**accounts, **more}
    monkeypatch.setattr(service, "first_page", first)
    monkeypatch.setattr(service, "page", page)
    view = AccountsView(engine=engine, clock=clock)
    async with Host(view).run_test(size=(100, 9)) as pilot:
        await until(pilot, lambda: view.table.row_count > 0)
        shown = view._screenful()
        assert 0 < shown < len(sellers) and view.table.row_count == len(sellers)
        assert read == [[ids[s] for s in sellers[:shown]]]
        view.table.focus()
        await pilot.press("end")
        await until(pilot, lambda: None not in view.table.accounts)
        assert [row[0] for row in plain_rows(view)] == sellers
        assert sorted(i for part in read for i in part) == sorted(ids.values())
        assert release.is_set() is False  # all of it before the whole order was read
        release.set()
        await loaded(pilot)


async def test_a_search_waiting_for_the_order_ends_when_the_app_quits(
    engine, clock, accounts, monkeypatch
):
    """A search started while every id is still being read waits for that order; if the app
    quits first, the order's answer never reaches the view: the search must end anyway (it
    kept the process from exiting)."""
    import ahr_tui.service.account_list as service

    release, reading = hold_the_order(monkeypatch)
    real_filtered, ended = service.filtered, threading.Event()
    running: list[int] = []

    def filtered(*args, **kw):  # type: ignore[no-untyped-def]
        running.append(1)
        try:
            return real_filtered(*args, **kw)
        finally:
            running.pop()
            if not running:
                ended.set()

    monkeypatch.setattr(service, "filtered", filtered)
    monkeypatch.setattr(service, "INDEX_CAP", 0)  # not answered from the trigram index alone
    view = AccountsView(engine=engine, clock=clock)
    view.sort = SortKey.AHR  # an order the search must wait for (no index walk)
    async with Host(view).run_test(size=(100, 20)) as pilot:
        await until(pilot, lambda: reading.is_set() and bool(running))
        assert reading.is_set() and running  # the list's search waits for the order
    release.set()  # the order is read now, for a view that is gone
    try:
        assert ended.wait(5)
    finally:
        view._generation += 1  # were it still waiting: fail here, not hang at teardown


@pytest.mark.parametrize("width", [80, 120])
async def test_a_score_of_1000_keeps_the_band_words_in_one_column(engine, clock, width):
    """A newcomer saw ``US 1000 healthy`` one column right of ``US 481 healthy``: the score
    takes four digits' room, so the band words line up as drawn."""
    seed_account(engine, "S1", name="Top", scores=full_window(AS_OF, 1000))
    seed_account(engine, "S2", name="Mid", scores=full_window(AS_OF, 481))
    seed_account(engine, "S3", name="Low", scores=full_window(AS_OF, 80))
    seed_account(engine, "S4", name="New")
    view = AccountsView(engine=engine, clock=clock)
    async with Host(view).run_test(size=(width, 30)) as pilot:
        await loaded(pilot)
        drawn = {line.split()[0]: line for line in screen_text(pilot.app)
                 if line[:2] in ("S1", "S2", "S3", "S4")}
        assert " 1000 healthy " in drawn["S1"] and "  481 healthy " in drawn["S2"]
        words = {drawn["S1"].index(" healthy"), drawn["S2"].index(" healthy"),
                 drawn["S3"].index(" unhealthy"), drawn["S4"].index(" no score")}
        assert len(words) == 1, drawn


async def test_typing_a_filter_does_not_move_the_columns(engine, clock):
    """A newcomer saw NAME widen by one cell as a filter was typed: the list, once shorter than
    the screen, lost its scroll bar and the name took its cell. The columns stay where they
    are, as drawn, whether the list scrolls or not."""
    for n in range(40):
        seed_account(engine, f"S{n:02d}", name=f"Seller number {n:02d}")
    view = AccountsView(engine=engine, clock=clock)
    async with Host(view).run_test(size=(120, 20)) as pilot:
        await loaded(pilot)
        before = next(line for line in screen_text(pilot.app) if line.startswith("SELLER"))
        await pilot.press("slash", "3", "9")
        await loaded(pilot)
        assert sellers(view) == ["S39"]
        after = next(line for line in screen_text(pilot.app) if line.startswith("SELLER"))
        assert after.index("ST ") == before.index("ST "), (before, after)
        assert after.rstrip() == before.rstrip()


@pytest.mark.parametrize("days_later", [0, 40])
async def test_the_status_says_the_scores_last_day_when_the_window_runs_past_it(
    engine, clock, accounts, days_later
):
    """A newcomer on the sample (scores to 2026-03-01, opened months later) saw every account
    with no score and nothing saying why. The status line names the last day scored when the
    window ends after it, and says nothing of it while the scores are current."""
    clock.advance(days=days_later)
    view = AccountsView(engine=engine, clock=clock)
    async with Host(view).run_test(size=(120, 30)) as pilot:
        await loaded(pilot)
        status = next(line for line in screen_text(pilot.app) if "AHR window to" in line)
    if days_later:
        assert f"· scores end {AS_OF.isoformat()}" in status, status
    else:
        assert "scores end" not in status, status
