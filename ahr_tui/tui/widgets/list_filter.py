"""The one filter box (``/``) and sort cycle (``s``) of the Cases and Accounts views.

``ListFilter`` is the field: hidden until ``open()``; it posts ``ListFilter.Edited`` with a
``kind``: ``narrow`` at each keystroke, ``keep`` on ``enter`` (the list takes the focus, the cursor
on the first match), ``clear`` on ``esc`` in the field. A view that shows a list implements
``FilteredList`` (its filter box, its filter text, its sort; ``apply_filter``, ``cycle_sort``)
and gets the same key handling from ``ListKeys``; ``list_state`` writes its sort and filter the
same way in both.
"""

from __future__ import annotations

from typing import ClassVar, Protocol

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.message import Message
from textual.reactive import Reactive
from textual.widgets import Input

from ahr_tui.service.sort_cycle import SortCycle
from ahr_tui.textsafe import clean_line


class ListFilter(Input):
    """The filter field of a list view (``/``)."""

    #: One look and one place for both views: three rows at the top of the list, under the header.
    DEFAULT_CSS = """
    ListFilter { height: 3; border: tall $accent; }
    ListFilter.-hidden { display: none; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "clear", "Clear filter", show=False),
    ]
    #: Textual's ``Input`` sets its virtual size (the text's width) at every keystroke, and the
    #: widget's reactive lays the whole screen out each time: 15-140 ms of a keystroke beside a
    #: long list at load 4 (``bench/bench_accounts.py``, its trace). The field shows no
    #: scrollbar and its size does not depend on its text, so the new size needs no layout:
    #: the field scrolls to its cursor and repaints itself as before.
    virtual_size: Reactive[Size] = Reactive(Size(0, 0), layout=False)

    class Edited(Message):
        """``narrow``: the text changed (narrow the list now); ``keep``: enter (back to the
        list, on its first match); ``clear``: esc in the field."""

        def __init__(self, field: ListFilter, text: str, kind: str) -> None:
            super().__init__()
            self.field = field
            self.text = text
            self.kind = kind

        @property
        def control(self) -> ListFilter:
            return self.field

    def __init__(self, *, placeholder: str, id: str | None = None) -> None:
        super().__init__(placeholder=placeholder, id=id, classes="-hidden")

    def open(self) -> None:
        """Show the field and focus it at once (keys typed right after ``/`` land here)."""
        self.remove_class("-hidden")
        self.screen.set_focus(self)

    def show_text(self, text: str) -> None:
        """Show ``text`` without posting ``Narrowed`` (a saved view, a clear); hidden if empty."""
        with self.prevent(Input.Changed):
            self.value = text
        self.set_class(not text, "-hidden")

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.post_message(self.Edited(self, event.value, "narrow"))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.post_message(self.Edited(self, event.value, "keep"))

    def action_clear(self) -> None:
        self.post_message(self.Edited(self, "", "clear"))


class ListChanged(Message):
    """A list's sort or filter changed (for the header, which shows them)."""


class FilteredList(Protocol):
    """What a view with a filterable, sortable list offers to the shared keys."""

    @property
    def filter_box(self) -> ListFilter: ...

    @property
    def filter_text(self) -> str: ...

    @property
    def sort(self) -> SortCycle: ...

    def apply_filter(self, text: str) -> None:
        """Narrow the list to ``text`` (no change to the field)."""

    def cycle_sort(self) -> SortCycle:
        """Move to the next order; returns it."""

    def focus_list(self, *, first: bool) -> None:
        """Give the list the focus (with ``first``, its cursor on the first row)."""


class ListKeys:
    """``/``, ``s``, ``esc`` and the field's messages for a ``FilteredList`` (mixed into a
    widget or screen; ``filtered_list`` names the list they act on)."""

    def filtered_list(self) -> FilteredList:
        raise NotImplementedError

    def action_filter(self) -> None:
        self.filtered_list().filter_box.open()

    def action_cycle_sort(self) -> None:
        self.filtered_list().cycle_sort()

    def clear_filter(self) -> bool:
        """esc: clear the filter if the field has the focus or a filter is on; False if not."""
        shown = self.filtered_list()
        if not (shown.filter_box.has_focus or shown.filter_text):
            return False
        shown.filter_box.show_text("")
        shown.focus_list(first=False)
        shown.apply_filter("")
        return True

    def on_list_filter_edited(self, event: ListFilter.Edited) -> None:
        shown = self.filtered_list()
        if event.field is not shown.filter_box:
            return  # another list's field (the message goes on up)
        event.stop()
        if event.kind == "clear":
            self.clear_filter()
            return
        if event.kind == "keep":
            if not event.text:
                shown.filter_box.show_text("")
            shown.focus_list(first=True)
            return
        shown.apply_filter(event.text)


def empty_list_text(filter_text: str, *, listed: bool, nothing: str, noun: str) -> str:
    """What an empty list says, the same in both views: with a filter on and something to
    filter, that nothing matches it and how to clear it (``no case matches "acme": esc clears
    the filter``); else ``nothing`` (``no active cases``: the list itself is empty). ``listed``:
    whether the list holds anything before the filter (unknown: True). The filter is shown
    cleaned (the operator's typing, shown literally: the table draws this as plain text)."""
    if filter_text.strip() and listed:
        return f'no {noun} matches "{clean_line(filter_text)}": esc clears the filter'
    return nothing


def list_state(sort: str, filter_text: str) -> Text:
    """``sort NAME  filter TEXT`` as the header shows it for either view (the filter bold,
    cleaned: it is the operator's typing, shown literally); no sort before one is known."""
    text = Text(f"sort {sort}" if sort else "")
    if filter_text:
        text.append("  filter " if sort else "filter ")
        text.append(clean_line(filter_text), style="bold")
    return text
