"""LineTable, the line-rendered table under the Cases and Accounts views."""

from __future__ import annotations

from rich.text import Text
from textual.app import App, ComposeResult
from textual.geometry import Region

from ahr_tui.tui.widgets.line_table import Column, LineTable
from tests.tui.conftest import Refreshes

COLUMNS = (
    Column("left", "LEFT", 8, justify="right"),
    Column("id", "ID", 6, justify="right"),
    Column("name", "NAME", 20, flex=True),
    Column("store", "ST", 3, drop=1),
    Column("policy", "POLICY", 20, drop=2),
)


class Host(App[None]):
    def __init__(self) -> None:
        super().__init__()
        self.moves: list[tuple[int, object]] = []

    def compose(self) -> ComposeResult:
        yield LineTable(COLUMNS)

    def on_line_table_cursor_moved(self, message: LineTable.CursorMoved) -> None:
        self.moves.append((message.row, message.key))


def rows(n: int, start: int = 0) -> list[tuple[Text | str, ...]]:
    return [(Text(f"{i}m"), str(i), f"name {i}", "US", "reviews") for i in range(start, start + n)]


def line(table: LineTable, y: int) -> str:
    return table.render_line(y).text


async def test_fifty_thousand_rows_load_and_scroll_to_the_end() -> None:
    app = Host()
    async with app.run_test(size=(80, 24)) as pilot:
        table = app.query_one(LineTable)
        data = rows(50_000)
        table.set_rows(data, keys=list(range(50_000)))
        await pilot.pause()
        await pilot.press("end")
        assert table.cursor_row == 49_999
        last = table.scrollable_content_region.height - 1
        assert line(table, last).split()[:2] == ["49999m", "49999"]
        await pilot.press("pageup", "k", "home", "j")
        assert table.cursor_row == 1 and table.scroll_offset.y == 0


async def test_reload_keeps_the_cursor_on_its_key_or_its_place() -> None:
    app = Host()
    async with app.run_test(size=(80, 24)) as pilot:
        table = app.query_one(LineTable)
        table.set_rows(rows(10), keys=[f"k{i}" for i in range(10)])
        await pilot.press("j", "j", "j")
        assert table.cursor_key == "k3"
        reordered = list(reversed(rows(10)))
        table.set_rows(reordered, keys=[f"k{i}" for i in reversed(range(10))])
        assert table.cursor_key == "k3" and table.cursor_row == 6
        table.set_rows(rows(4), keys=["a", "b", "c", "d"])  # the key is gone: place kept, clamped
        assert table.cursor_row == 3
        table.set_rows(rows(4), keys=["a", "b", "c", "d"], keep_key="b")
        assert table.cursor_row == 1
        await pilot.pause()
        assert app.moves[-1] == (1, "b")


async def test_low_priority_columns_drop_on_narrow_terminals() -> None:
    app = Host()
    async with app.run_test(size=(50, 10)) as pilot:
        table = app.query_one(LineTable)
        table.set_rows(rows(3))
        await pilot.pause()
        assert table.visible_columns() == ["left", "id", "name", "store"]
        assert line(table, 0).split() == ["LEFT", "ID", "NAME", "ST"]
    app = Host()
    async with app.run_test(size=(120, 10)) as pilot:
        table = app.query_one(LineTable)
        await pilot.pause()
        assert table.visible_columns() == ["left", "id", "name", "store", "policy"]
        assert "nothing to show" in line(table, 1)


async def test_update_cells_repaints_only_changed_visible_cells() -> None:
    app = Host()
    async with app.run_test(size=(80, 12)) as pilot:
        table = app.query_one(LineTable)
        table.set_rows(rows(100))
        await pilot.pause()
        refreshes = Refreshes(table)
        same = {i: table.row(i)[0] for i in range(100)}
        assert table.update_cells("left", same) == 0
        assert refreshes.regions == []
        changed = table.update_cells("left", {2: Text("new"), 90: Text("off screen")})
        assert changed == 2
        assert refreshes.regions == [Region(0, 3, 8, 1)]  # row 2 is on line 3 (after the header)
        assert line(table, 3).split()[0] == "new"
        assert table.row(90)[0] == Text("off screen")


async def test_cells_are_literal_text() -> None:
    app = Host()
    async with app.run_test(size=(80, 12)) as pilot:
        table = app.query_one(LineTable)
        table.set_rows([(Text("[b]x[/b]"), "1", "[@click=app.quit]A[/]\x1b[2J", "US", "[/]")])
        await pilot.pause()
        shown = line(table, 1)
        assert "[b]x[/b]" in shown and "[@click=app.quit]A[/]\\x1b[2J" in shown
        assert "\x1b" not in shown


async def test_a_longer_list_with_the_same_first_rows_repaints_nothing() -> None:
    """A filter's whole list after its first screenful starts with the same rows: no line is
    repainted (the scrollbar, there both times, shows the new length); a list that differs
    in one visible row repaints that line only."""
    app = Host()
    async with app.run_test(size=(80, 12)) as pilot:
        table = app.query_one(LineTable)
        first = rows(40)
        table.set_rows(first, keys=list(range(40)), repaint_all=False)
        await pilot.pause()
        refreshes = Refreshes(table)
        longer = first + rows(5_000, start=40)
        table.set_rows(longer, keys=list(range(5_040)), repaint_all=False)
        assert refreshes.calls == [] and table.virtual_size.height == 5_041
        other = [*first[:3], rows(1, start=99)[0], *first[4:]]
        table.set_rows(other, keys=[*range(3), 99, *range(4, 40)], repaint_all=False)
        assert [r[0].y for r in refreshes.calls if r] == [4]  # row 3 is line 4
        await pilot.press("end")
        last = table.scrollable_content_region.height - 1  # the list's end, scrolled to
        assert table.cursor_row == 39 and line(table, last).split()[0] == "39m"
