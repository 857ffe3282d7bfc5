"""Small windows (issue 12 item 6): what 80x24 must always show, and below 60x16 one sentence."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy.engine import Engine

from ahr_tui.rules import PolicyArea
from ahr_tui.service.cases import open_case
from ahr_tui.service.contact import detect_case
from ahr_tui.tui.widgets.case_table import LEVELS
from ahr_tui.tui.widgets.status_header import HeaderState, header_lines
from tests.conftest import T0, FakeClock, seed_account
from tests.tui.conftest import ALICE, AppFactory, Seeded, settle
from tests.tui.drawn import screen_text
from tests.tui.tmux import app_in_tmux


async def test_at_80x24_the_header_shows_every_count_uncut(
    make_app: AppFactory, seeded: Seeded
) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        header = screen_text(app)[0]
        assert "…" not in header, header
        # in words, as the rows show them (no abbreviation to look up in ?); ok and
        # responded, which need no action yet, are the ones left out
        for count in ("1 critical", "1 urgent", "1 warn", "1 expired"):
            assert count in header, (count, header)
        assert "ok" not in header and "responded" not in header, header


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


@pytest.mark.parametrize(("size", "name"), [
    ((80, 24), "Northern Outfitters Co"),  # 22 cells
    ((120, 40), "Northern Outfitters Co"),
    ((140, 40), "Yiwu Yuxin Technology Co., Ltd."),  # 31 cells
])
async def test_the_seller_s_name_takes_the_spare_cells_before_the_summary(
    make_app: AppFactory, seeded: Seeded, engine: Engine, clock: FakeClock,
    size: tuple[int, int], name: str,
) -> None:
    """A newcomer saw names cut at 18 cells at 80x24 and 120x40 beside cells left blank (the
    URGENCY and ST columns wider than anything they show) and, wider, the summary given as many
    spare cells as the name. The name, which says whose case it is, has them first."""
    seed_account(engine, "L1", name=name)
    case_id = open_case(engine, seller_id="L1", store="US", policy=PolicyArea.REVIEWS,
                        at=T0 - timedelta(hours=3), summary="a summary long enough to be cut",
                        actor=ALICE, now=clock()).id
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await settle(app, pilot)
        row = next(line for line in screen_text(app) if f" {case_id} " in line)
        assert f" {name} " in row, row
        widest = max(len(level.word) for level in LEVELS.values())
        assert app.main.table.column_widths()["urgency"][1] == widest
        if size[0] >= 120:
            assert "SUMMARY" in screen_text(app)[2]


async def test_at_60x16_with_a_scrolled_list_every_status_and_countdown_is_drawn_whole(
    make_app: AppFactory, seeded: Seeded, engine: Engine, clock: FakeClock
) -> None:
    """A newcomer's trial at 60x16: with more cases than rows the scrollbar takes a cell and
    STATUS was cut (``STATU``, ``detec``). The seller's name gives up cells first, so the
    status and the countdown stay whole; the header keeps the counts that need action
    (critical, urgent, to contact, expired: short words) and leaves out ok and warn first."""
    for n in range(10):  # long names, detected and open: more cases than the screen has rows
        seed_account(engine, f"SX{n}", "US", name=f"Extraordinarily Long Seller Name {n}")
        make = detect_case if n % 2 else open_case
        make(engine, seller_id=f"SX{n}", store="US", policy=PolicyArea.REVIEWS,
             at=T0 - timedelta(hours=n + 1), summary="", actor=ALICE, now=clock())
    app = make_app()
    async with app.run_test(size=(60, 16)) as pilot:
        await settle(app, pilot)
        table = app.main.table
        assert table.row_count > table.scrollable_content_region.height, "must scroll"
        drawn = screen_text(app)
        heading = next(i for i, line in enumerate(drawn) if "CASE" in line)
        assert drawn[heading].split()[-1] == "STATUS", drawn[heading]
        at = drawn[heading].index("STATUS")
        rows = drawn[heading + 1:-1]
        statuses = {line[at:at + 9].strip() for line in rows}
        assert statuses <= {"open", "detected", "responded", "expired"}, "\n".join(drawn)
        assert "detected" in statuses
        assert all("…" in line[:at] for line in rows if "Extraordinarily" in line)
        counts = drawn[0]
        assert "…" not in counts, counts
        for part in ("1 crit", "1 urg", "5 contact", "1 exp"):
            assert part in counts, (part, counts)
        assert "ok" not in counts and "warn" not in counts, counts


async def test_at_60x16_the_accounts_keep_the_enrolment_whole_and_the_name_gives_way(
    make_app: AppFactory, seeded: Seeded, engine: Engine
) -> None:
    """The same kind of fault in the Accounts view: ENROLMENT was cut (``pending_c``). ACCOUNT,
    PHONE and NAME go, in that order; MISS stays (a seller with no score read ``<250 0``)."""
    seed_account(engine, "SP1", "US", name="A Rather Long Seller Name", phone=None,
                 enrollment="pending_contact")
    app = make_app()
    async with app.run_test(size=(60, 16)) as pilot:
        await settle(app, pilot)
        await pilot.press("tab")
        await settle(app, pilot)
        drawn = screen_text(app)
        heading = next(line for line in drawn if line.startswith("SELLER"))
        assert heading.split() == ["SELLER", "ST", "AHR", "<250", "MISS", "ENROLMENT"], heading
        row = next(line for line in drawn if line.startswith("SP1"))
        assert row.split()[-3:] == ["0", "180", "pending_contact"], row
        await pilot.resize_terminal(80, 24)
        await settle(app, pilot)
        heading = next(line for line in screen_text(app) if line.startswith("SELLER"))
        assert heading.split()[-3:] == ["MISS", "ENROLMENT", "PHONE"], heading


@pytest.mark.parametrize("size", [(40, 15), (59, 24), (80, 15)])
async def test_below_60x16_one_sentence_names_the_minimum_until_the_window_grows(
    make_app: AppFactory, seeded: Seeded, size: tuple[int, int]
) -> None:
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await settle(app, pilot)
        shown = " ".join(" ".join(screen_text(app)).split())
        assert f"This window is {size[0]}x{size[1]}; the AHR app needs at least 60x16." in shown
        assert "CASE" not in shown and "LEFT" not in shown
        await pilot.resize_terminal(80, 24)
        await settle(app, pilot)
        assert app.screen is app.main
        assert any("CASE" in line for line in screen_text(app))


async def test_a_dialog_survives_a_window_too_small_for_a_moment(
    make_app: AppFactory, seeded: Seeded
) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        assert app.main.table.move_to_key(seeded.crit)
        await pilot.press("n", "h", "i")
        dialog = app.screen
        await pilot.resize_terminal(40, 12)
        await settle(app, pilot)
        assert "needs at least 60x16" in " ".join(" ".join(screen_text(app)).split())
        await pilot.resize_terminal(80, 24)
        await settle(app, pilot)
        assert app.screen is dialog and dialog.text == "hi"  # type: ignore[attr-defined]


def test_the_header_fits_78_cells_with_two_digit_counts_everywhere() -> None:
    counts = dict.fromkeys(LEVELS, 12)
    state = HeaderState(counts=counts, next_deadline="13h 05m #1234", uncovered=10,
                        loading=False)
    first, _ = header_lines(state, 78)  # 80 columns less the header's padding
    assert first.cell_len <= 78, first.plain
    # every count that needs action (urgent gone), in short words only at such counts
    for part in ("#1234", "10 uncov", "12 overdue", "12 crit", "12 contact", "12 exp"):
        assert part in first.plain, (part, first.plain)


#: The header's counts, the most urgent first; a narrow header leaves out the last first.
BY_URGENCY = ("overdue", "critical", "to contact", "expired", "urgent", "warn", "responded",
              "ok")
#: Those the header keeps at every width from 80 columns up.
MOST_URGENT = BY_URGENCY[:4]


def header_counts(header: str) -> dict[str, int]:
    """The counts the header line shows, by their whole words."""
    words = "|".join(BY_URGENCY)
    return {word: int(n) for n, word in re.findall(rf"(\d+) ({words})\b", header)}


async def test_at_every_width_from_80_up_the_header_leaves_out_ok_first_and_keeps_the_most_urgent(
    make_app: AppFactory, seeded: Seeded, engine: Engine, clock: FakeClock
) -> None:
    """A newcomer at 80 columns saw ``ok`` and ``warn`` counted and ``to contact`` left out:
    the order was backwards. From 80 columns up, a narrower header leaves out the counts
    that need action least first (ok, then responded, warn, urgent), so that overdue,
    critical, to contact and expired are always there."""
    detect_case(engine, seller_id="S2", store="CA", policy=PolicyArea.REVIEWS,
                at=T0 - timedelta(hours=30), summary="", actor=ALICE, now=clock())  # late
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        everything = {"critical": 1, "urgent": 1, "warn": 1, "ok": 1, "to contact": 1,
                      "expired": 1, "responded": 1}
        width = 80
        while True:
            header = screen_text(app)[0]
            assert "…" not in header, (width, header)
            shown = header_counts(header)
            assert all(everything.get(word, 0) == n for word, n in shown.items()), header
            assert set(MOST_URGENT) - {"overdue"} <= set(shown), (width, header)
            # what is left out is the least urgent: ok alone, then responded too, then ...
            left_out = [word for word in BY_URGENCY if word not in shown and word != "overdue"]
            assert left_out == list(BY_URGENCY[len(BY_URGENCY) - len(left_out):]), (
                width, header)
            if "0 overdue" in header:  # everything fits, the zeros too
                break
            width += 1
            await pilot.resize_terminal(width, 24)
            await pilot.pause()
        assert width > 100, width


def test_in_tmux_a_shrunk_window_shows_only_the_sentence_then_the_list_again(
    seeded: Seeded, db_url: str
) -> None:
    """Also with COLUMNS and LINES exported (as some shells do): the window's real size wins."""
    with app_in_tmux(db_url, size=(80, 24), env={"COLUMNS": "80", "LINES": "24"}) as tmux:
        tmux.wait_for(lambda s: "CASE" in s and "EXPIRED" in s)
        tmux.run("resize-window", "-t", "app", "-x", "40", "-y", "15")
        shown = tmux.wait_for(lambda s: "quit." in s)
        lines = shown.split("\n")[:15]
        words = " ".join(" ".join(lines).split())
        assert words == ("This window is 40x15; the AHR app needs at least 60x16. "
                         "Make it larger, or press q to quit."), shown
        assert all(len(line) < 40 or line[39] == " " for line in lines), shown  # no stale cell
        tmux.run("resize-window", "-t", "app", "-x", "80", "-y", "24")
        shown = tmux.wait_for(lambda s: "CASE" in s)
        assert "needs at least" not in shown and "q Quit" in shown, shown


def test_spare_cells_go_to_a_column_s_most_first_and_none_stays_blank() -> None:
    """``fit_columns``: the name up to its ``most``, the summary the rest; with the summary
    dropped, the name has every spare cell (none left blank at the right)."""
    from ahr_tui.tui.widgets.table_cells import Column, fit_columns

    columns = (Column("id", "ID", 4), Column("name", "NAME", 10, flex=True, most=20),
               Column("summary", "SUMMARY", 10, flex=True, drop=1))
    widths = {i: w for i, _x, w in fit_columns(columns, lambda i: columns[i].width, 40)}
    assert widths == {0: 4, 1: 20, 2: 14}
    widths = {i: w for i, _x, w in fit_columns(columns, lambda i: columns[i].width, 20)}
    assert widths == {0: 4, 1: 15}
