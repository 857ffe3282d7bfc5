"""A table drawn line by line (Textual's Line API), for tens of thousands of rows and live cells.

Textual's DataTable measures every cell of every new row and repaints the whole widget on each
``update_cell`` (textual-notes.md sections 2 and 4); this table does neither. Columns have fixed
widths (one may flex to take the spare width; low-priority columns drop on narrow terminals), rows
are tuples of already-cleaned ``rich.text.Text``, and only the lines or cells that changed are
repainted. Used by the Cases view (``case_table.py``) and the Accounts view.

Rows are addressed by index (their position in the current list) and by key (a stable id, such
as a case id): ``set_rows`` keeps the cursor on the same key when the data reloads, so another
process's change never moves an operator's cursor. How columns share the width and how a cell is
drawn: ``table_cells.py``.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.binding import Binding, BindingType
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from ahr_tui.tui.widgets.table_cells import Cell, Column, cell_segments, fit_columns, same_cell

__all__ = ["Cell", "Column", "LineTable"]

_KEEP = object()  # sentinel: keep the cursor's current key


class LineTable(ScrollView, can_focus=True):
    """A keyboard-driven table rendered one line at a time; the first line is the header."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("down,j", "cursor_down", "Down", show=False),
        Binding("up,k", "cursor_up", "Up", show=False),
        Binding("pagedown", "page_down", "Page down", show=False),
        Binding("pageup", "page_up", "Page up", show=False),
        Binding("home", "first", "First", show=False),
        Binding("end", "last", "Last", show=False),
    ]
    #: The actions of ``BINDINGS``: they move the cursor and nothing else.
    CURSOR_ACTIONS: ClassVar[frozenset[str]] = frozenset(
        {"cursor_down", "cursor_up", "page_down", "page_up", "first", "last"})

    #: Join a line's neighbouring segments of one style: each segment goes out with its own
    #: colour codes and reset (~25 bytes), so a line in the row's colours is a few runs, not one
    #: per cell and gap (550 -> ~230 bytes at 120 columns). Off: snapshots record segments.
    JOIN_RUNS: ClassVar[bool] = False

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "line-table--header",
        "line-table--even",
        "line-table--odd",
        "line-table--cursor",
        "line-table--empty",
    }

    DEFAULT_CSS = """
    LineTable {
        overflow-x: hidden;
        overflow-y: auto;
        scrollbar-size-vertical: 1;
        /* the scroll bar's cell kept whether the rows overflow or not: a list that becomes
           shorter than the screen (a filter typed) must not give a column one more cell */
        scrollbar-gutter: stable;
    }
    LineTable > .line-table--header { text-style: bold; background: $panel; }
    LineTable > .line-table--even { }
    LineTable > .line-table--odd { background: $surface-lighten-1 20%; }
    LineTable > .line-table--cursor { background: $primary 40%; }
    LineTable:focus > .line-table--cursor { background: $primary; color: $text; text-style: bold; }
    LineTable > .line-table--empty { color: $text-muted; }
    """

    class CursorMoved(Message):
        """The cursor is on another row (by index and key), or the rows changed under it."""

        def __init__(self, table: LineTable, row: int, key: Hashable | None) -> None:
            super().__init__()
            self.table = table
            self.row = row
            self.key = key

        @property
        def control(self) -> LineTable:
            return self.table

    def __init__(
        self,
        columns: Sequence[Column],
        *,
        empty_text: str = "nothing to show",
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.columns: tuple[Column, ...] = tuple(columns)
        self._empty_text = empty_text
        self._rows: list[tuple[Cell, ...]] = []
        self._keys: list[Hashable] = []
        self._row_classes: list[str | None] = []
        self._index: dict[Hashable, int] = {}
        self._cursor = 0
        #: False until the cursor is first moved (by a key or a caller) rather than by new rows.
        self.cursor_chosen = False
        self._layout: list[tuple[int, int, int]] = []  # (column index, x, width) of kept columns
        self._layout_width = -1
        self._widest: dict[int, int] = {}  # cut=False columns: the widest cell drawn, if wider
        self._own_style: Style | None = None  # ``rich_style``, until the styles change

    # ----------------------------------------------------------------- data

    @property
    def empty_text(self) -> str:
        """What the table says while it has no row (drawn literally, never as markup)."""
        return self._empty_text

    @empty_text.setter
    def empty_text(self, text: str) -> None:
        if text != self._empty_text:
            self._empty_text = text
            if not self._rows:
                self.refresh()  # an empty list that stays empty still says something new

    @property
    def row_count(self) -> int:
        return len(self._rows)

    @property
    def cursor_row(self) -> int:
        return self._cursor

    @property
    def cursor_key(self) -> Hashable | None:
        return self._keys[self._cursor] if self._keys else None

    def row_key(self, index: int) -> Hashable:
        return self._keys[index]

    def row_index(self, key: Hashable) -> int | None:
        return self._index.get(key)

    def row(self, index: int) -> tuple[Cell, ...]:
        return self._rows[index]

    def row_class(self, index: int) -> str | None:
        return self._row_classes[index]

    def set_rows(
        self,
        rows: Sequence[tuple[Cell, ...]],
        *,
        keys: Sequence[Hashable] | None = None,
        row_classes: Sequence[str | None] | None = None,
        keep_key: Hashable | object | None = _KEEP,
        repaint_all: bool = True,
    ) -> None:
        """Replace every row; the cursor stays on ``keep_key`` (default: the key it is on now).

        If that key is gone the cursor keeps its index, clamped to the new row count.
        ``row_classes`` names a component class per row (or None) drawn under the cells.
        With ``repaint_all=False`` only the visible lines whose key, cells, class or cursor
        changed are repainted (for a caller that passes the same cell tuples for unchanged rows):
        a reload that changed one case then writes one line to the terminal, not the screen.
        """
        keys = list(keys) if keys is not None else list(range(len(rows)))
        classes = row_classes if row_classes is not None else [None] * len(rows)
        index = {key: i for i, key in enumerate(keys)}
        self._install(list(rows), keys, list(classes), index, keep_key, repaint_all)

    def _install(
        self, rows: Sequence[tuple[Cell, ...]], keys: Sequence[Hashable],
        classes: Sequence[str | None], positions: Mapping[Hashable, int],
        keep_key: Hashable | object | None, repaint_all: bool,
    ) -> None:
        """``set_rows`` once its sequences are built (a subclass may pass virtual ones)."""
        wanted = self.cursor_key if keep_key is _KEEP else keep_key
        top, bottom = self._visible_rows()
        count = len(self._rows)
        before = [self._line_state(i) for i in range(top, bottom)]
        # lists here; a subclass's virtual sequences are never written to (no update_cells)
        self._rows, self._keys = rows, keys  # type: ignore[assignment]
        self._row_classes, self._index = classes, positions  # type: ignore[assignment]
        found = self._index.get(wanted) if wanted is not None else None
        target = found if found is not None else min(self._cursor, max(len(self._rows) - 1, 0))
        flips = self._scrollbar_flips(count, len(self._rows))
        self._set_length(len(self._rows), layout=flips)
        self._cursor = target
        if repaint_all or flips:
            self.refresh()
        else:
            for index, state in enumerate(before, start=top):
                if self._line_state(index) != state:
                    self._refresh_row(index)
        self._scroll_cursor_into_view()
        self.post_message(self.CursorMoved(self, self._cursor, self.cursor_key))

    def _set_length(self, rows: int, *, layout: bool) -> None:
        """The scrollable height for ``rows`` rows and the header. Without ``layout`` (the
        scrollbar neither comes nor goes) the screen is not laid out again: only the scrollbar
        is redrawn (a layout of the whole screen at each keystroke of a filter)."""
        size = Size(self.size.width, rows + 1)
        if layout or not self.is_mounted:
            self.virtual_size = size
        elif size != self.virtual_size:
            self.set_reactive(LineTable.virtual_size, size)
            self._scroll_update(size)

    def _scrollbar_flips(self, before: int, after: int) -> bool:
        """Whether the vertical scrollbar comes or goes (every line's width changes) when the
        row count goes from ``before`` to ``after``; else a longer or shorter list repaints
        only the lines that differ (those past its end included)."""
        height = self.container_size.height
        return (before + 1 > height) != (after + 1 > height)

    def _line_state(self, index: int) -> tuple[object, ...] | None:
        """What line ``index`` is drawn from (None past the last row)."""
        if index >= len(self._rows):
            return None
        return self._keys[index], self._rows[index], self._row_classes[index], index == self._cursor

    def set_row_class(self, index: int, component: str | None) -> None:
        if self._row_classes[index] != component:
            self._row_classes[index] = component
            self._refresh_row(index)

    def _replace_row(self, index: int, row: tuple[Cell, ...], row_class: str | None) -> None:
        """Swap a row's data without repainting (for subclasses drawing it right now)."""
        self._rows[index] = row
        self._row_classes[index] = row_class

    def update_cells(self, column_key: str, cells: Mapping[int, Cell]) -> int:
        """Replace cells of one column; repaint only the visible cells whose text changed.

        Returns how many cells changed (visible or not).
        """
        col = next(i for i, c in enumerate(self.columns) if c.key == column_key)
        placed = next(((x, w) for i, x, w in self._columns_layout() if i == col), None)
        top, bottom = self._visible_rows()
        changed = 0
        for index, text in cells.items():
            row = self._rows[index]
            old = row[col]
            if same_cell(old, text):
                continue
            self._rows[index] = (*row[:col], text, *row[col + 1 :])
            changed += 1
            if placed is not None and top <= index < bottom:
                x, width = placed
                self.refresh(Region(x, index - top + 1, width, 1))
        return changed

    # --------------------------------------------------------------- cursor

    def move_cursor(self, index: int) -> None:
        self.cursor_chosen = True  # by a key, a filter or a caller: no longer the default row
        if not self._rows:
            return
        index = max(0, min(index, len(self._rows) - 1))
        if index == self._cursor:
            return
        old, self._cursor = self._cursor, index
        self._refresh_row(old)
        self._refresh_row(index)
        self._scroll_cursor_into_view()
        self.post_message(self.CursorMoved(self, index, self.cursor_key))

    def move_to_key(self, key: Hashable) -> bool:
        index = self._index.get(key)
        if index is not None:
            self.move_cursor(index)
        return index is not None

    def action_cursor_down(self) -> None:
        self.move_cursor(self._cursor + 1)

    def action_cursor_up(self) -> None:
        self.move_cursor(self._cursor - 1)

    def action_page_down(self) -> None:
        self.move_cursor(self._cursor + self._page())

    def action_page_up(self) -> None:
        self.move_cursor(self._cursor - self._page())

    def action_first(self) -> None:
        self.move_cursor(0)

    def action_last(self) -> None:
        self.move_cursor(len(self._rows) - 1)

    def _page(self) -> int:
        return max(1, self.scrollable_content_region.height - 2)

    def _visible_rows(self) -> tuple[int, int]:
        top = int(self.scroll_offset.y)
        return top, top + max(0, self.scrollable_content_region.height - 1)

    def visible_rows(self) -> range:
        """The indexes of the rows the table shows now (as scrolled)."""
        top, bottom = self._visible_rows()
        return range(top, min(bottom, len(self._rows)))

    def _scroll_cursor_into_view(self) -> None:
        height = self.scrollable_content_region.height - 1
        if height <= 0:
            return
        top = int(self.scroll_offset.y)
        if self._cursor < top:
            self.scroll_to(y=self._cursor, animate=False, immediate=True)
        elif self._cursor >= top + height:
            self.scroll_to(y=self._cursor - height + 1, animate=False, immediate=True)

    def _refresh_row(self, index: int) -> None:
        top, bottom = self._visible_rows()
        if top <= index < bottom:
            self.refresh(Region(0, index - top + 1, self.scrollable_content_region.width, 1))

    # --------------------------------------------------------------- layout

    def on_resize(self) -> None:
        self.virtual_size = Size(self.size.width, len(self._rows) + 1)
        self._scroll_cursor_into_view()

    def visible_columns(self) -> list[str]:
        """Keys of the columns that fit the current width (for tests and the help text)."""
        return [self.columns[i].key for i, _x, _w in self._columns_layout()]

    def column_widths(self) -> dict[str, tuple[int, int]]:
        """Key -> (index of its cell in a row, width in cells) of each column drawn now."""
        return {self.columns[i].key: (i, w) for i, _x, w in self._columns_layout()}

    def _columns_layout(self) -> list[tuple[int, int, int]]:
        width = self.scrollable_content_region.width
        if width != self._layout_width:
            self._layout = fit_columns(self.columns, self._width, width)
            self._layout_width = width
        return self._layout

    def _width(self, i: int) -> int:
        return max(self.columns[i].width, self._widest.get(i, 0))

    def _fits(self, i: int, cell: Cell, width: int) -> bool:
        """A cell of a ``cut=False`` column wider than its column widens it (and repaints)."""
        if self.columns[i].cut:
            return True
        needed = len(cell) if isinstance(cell, str) else cell.cell_len
        if needed <= width:
            return True
        self._widest[i] = needed
        self._layout_width = -1
        self.call_later(self.refresh)
        return False

    # -------------------------------------------------------------- drawing

    @property
    def _base_style(self) -> Style:
        """``rich_style`` (a walk up the DOM, a fifth of a line's drawing), kept until Textual
        says the styles changed (focus, theme, CSS: ``notify_style_update``)."""
        if self._own_style is None:
            self._own_style = self.rich_style
        return self._own_style

    def notify_style_update(self) -> None:
        self._own_style = None
        super().notify_style_update()

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        if y == 0:
            style = self.get_component_rich_style("line-table--header")
            cells = tuple(Text(c.header) for c in self.columns)
            return self._strip(cells, width, style)
        index = int(self.scroll_offset.y) + y - 1
        if not self._rows:
            if y == 1:
                style = self.get_component_rich_style("line-table--empty")
                return self._strip((Text(self.empty_text),), width, style, plain=True)
            return Strip.blank(width, self._base_style)
        if index >= len(self._rows):
            return Strip.blank(width, self._base_style)
        base = self.get_component_rich_style("line-table--odd" if index % 2 else "line-table--even")
        extra = self._row_classes[index]
        if extra is not None:
            base = base + self.get_component_rich_style(extra)
        if index == self._cursor:
            base = base + self.get_component_rich_style("line-table--cursor")
        return self._strip(self._rows[index], width, base)

    def _strip(
        self, cells: tuple[Cell, ...], width: int, style: Style, plain: bool = False
    ) -> Strip:
        segments: list[Segment] = []
        blank = Segment(" ")
        if plain:
            segments.extend(cell_segments(cells[0], width, "left"))
        else:
            for n, (i, _x, w) in enumerate(self._columns_layout()):
                if n:
                    segments.append(blank)
                self._fits(i, cells[i], w)
                segments.extend(cell_segments(cells[i], w, self.columns[i].justify))
        if self.JOIN_RUNS:  # one Strip, not five (each makes its caches: most of a line's cost)
            line = Segment.apply_style(Segment.adjust_line_length(segments, width),
                                       self._base_style + style)
            return Strip(list(Segment.simplify(line)), width)
        return Strip(segments).crop_extend(0, width, None).apply_style(self._base_style + style)
