"""Lines that wrap with a hanging indent: a continuation starts under the line's text, not at
column 0.

A ``Static`` holding a ``Text`` wraps a long line back to its left edge, so in the detail's
timeline and the handover a note's second line sat under the timestamps and read as an entry of
its own. ``Hanging`` is a Rich renderable that wraps each line at the width it is given and
indents what follows its first row by the line's ``hang`` (its further lines, after a newline in
a note, too). ``hang_of`` finds that column for a plain line laid out in fields two blanks apart
(the handover's): under its second field, or two cells in from its first.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from rich.console import Console, ConsoleOptions, RenderResult
from rich.measure import Measurement
from rich.text import Text

#: A first field longer than this (not a short label, a time or a case number) is not hung
#: under: the continuation would be too narrow.
FIELD_MAX = 24


def hang_of(line: str) -> int:
    """Where continuation rows of ``line`` start: under its second field when its first is
    short (``2026-11-29T21:38:46Z  case 62 ...`` under ``case``), else two cells in from its
    indentation."""
    indent = len(line) - len(line.lstrip(" "))
    gap = line.find("  ", indent)
    if 0 < gap - indent <= FIELD_MAX:
        return gap + 2
    return indent + 2


class Hanging:
    """``(text, hang)`` lines, each wrapped to the width with its continuations at ``hang``.

    ``plain`` is the text without the wrapping (for tests and for a reader of the widget).
    """

    def __init__(self, lines: Iterable[tuple[Text, int]]) -> None:
        self.lines = list(lines)

    @property
    def plain(self) -> str:
        return "\n".join(text.plain for text, _ in self.lines)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        width = max(1, options.max_width)
        for text, hang in self.lines:
            # Text, not its segments: ``Text.render`` leaves out the text's own style
            yield from wrap_hanging(text, hang, width, console)

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        widest = max((text.cell_len for text, _ in self.lines), default=0)
        return Measurement(min(widest, 20), widest)


def wrap_hanging(text: Text, hang: int, width: int, console: Console) -> list[Text]:
    """``text`` as rows of at most ``width`` cells: the first from column 0, every other one
    (a wrapped continuation, or a line after a newline) indented by ``hang`` (at most half the
    width, so a narrow terminal keeps room for the words)."""
    hang = max(0, min(hang, width // 2))
    rows: list[Text] = []
    for index, line in enumerate(text.split("\n", allow_blank=True)):
        first_indent = 0 if index == 0 else hang
        rows.extend(_wrap_one(line, first_indent, hang, width, console))
    return rows


def _wrap_one(
    line: Text, first_indent: int, hang: int, width: int, console: Console
) -> Iterator[Text]:
    wrapped = line.wrap(console, width - first_indent, overflow="fold")
    if not wrapped:
        yield Text("")
        return
    first = wrapped[0]
    yield _indented(first, first_indent)
    if len(wrapped) == 1:
        return
    rest = line[len(first.plain):]
    rest = rest[len(rest.plain) - len(rest.plain.lstrip(" ")):]
    for row in rest.wrap(console, width - hang, overflow="fold"):
        yield _indented(row, hang)


def _indented(row: Text, indent: int) -> Text:
    if not indent:
        return row
    shown = Text(" " * indent)
    shown.append_text(row)
    return shown
