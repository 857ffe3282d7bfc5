"""CaseTable over thousands of cases: cells are built when drawn, and are current when drawn."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from textual.app import App, ComposeResult

from ahr_tui.rules import format_left
from ahr_tui.tui.widgets.case_table import CaseTable
from tests.conftest import T0
from tests.tui.conftest import Refreshes
from tests.tui.test_level_summary import _case


class Host(App[None]):
    def compose(self) -> ComposeResult:
        yield CaseTable(id="cases")


def plain(table: CaseTable, y: int) -> list[str]:
    return table.render_line(y).text.split()


async def test_rows_scrolled_into_view_after_ticks_show_the_current_time_left() -> None:
    cases = [_case(i, timedelta(hours=1, minutes=i)) for i in range(1, 3001)]
    app = Host()
    async with app.run_test(size=(100, 24)) as pilot:
        table = app.query_one(CaseTable)
        table.set_cases(cases, T0)
        await pilot.pause()
        assert plain(table, 1)[:4] == ["1h", "01m", "!", "URGENT"]
        later = T0 + timedelta(minutes=7, seconds=30)
        table.tick(later)  # only the visible rows move; the rest are brought up when drawn
        await pilot.press("end")
        last = table.scrollable_content_region.height - 1
        case = cases[-1]
        assert plain(table, last)[:2] == format_left(case.deadline - later).split()
        assert table.row(0)[0].plain == format_left(cases[0].deadline - later)


async def test_a_tick_repaints_only_rows_whose_text_changed() -> None:
    hour_scale = [_case(i, timedelta(days=2, hours=i, minutes=30)) for i in range(1, 20)]
    second_scale = [_case(100 + i, timedelta(minutes=30 + i)) for i in range(1, 6)]
    app = Host()
    async with app.run_test(size=(100, 40)) as pilot:
        table = app.query_one(CaseTable)
        table.set_cases(second_scale + hour_scale, T0)
        await pilot.pause()
        # one second later only the five countdowns under an hour show a new text
        assert table.tick(T0 + timedelta(seconds=1)) == len(second_scale)
        assert table.tick(T0 + timedelta(seconds=1)) == 0


async def test_a_reload_that_changed_one_case_repaints_only_its_line() -> None:
    cases = [_case(i, timedelta(hours=10 + i)) for i in range(1, 40)]
    app = Host()
    async with app.run_test(size=(100, 30)) as pilot:
        table = app.query_one(CaseTable)
        table.set_cases(cases, T0)
        await pilot.pause()
        refreshes = Refreshes(table)
        assigned = replace(cases[4], assignee="tom", version=2)
        table.set_cases([*cases[:4], assigned, *cases[5:]], T0)
        assert [r[0].y for r in refreshes.calls if r] == [1 + 4]  # the header is line 0
        assert table.row(4)[-2] == "tom"
        refreshes.clear()
        table.set_cases([*cases[:4], assigned, *cases[5:]], T0)  # nothing changed
        assert refreshes.calls == []
