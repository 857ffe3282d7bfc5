"""What the Accounts view's filter field says under it: how many accounts match, by which fields
the rows on screen match, and which column hides or cuts the match at this width.

At a million accounts the matches are counted by the database and never all read, so only the
rows on screen, already read, are tested (``matched_fields``); a row whose match shows in one
of its cells needs no word, else the column that holds it is named: hidden (not shown at this
width) or cut before the match (at 80 columns ``kit`` matched ``Global Home …``). The view
(``screens.accounts``) asks again as the list scrolls, its pages arrive or the window resizes.
"""

from __future__ import annotations

from ahr_tui.service.account_list import matched_fields
from ahr_tui.service.filter_match import contains, fold_needle
from ahr_tui.tui.widgets.account_table import AccountTable
from ahr_tui.tui.widgets.table_cells import Cell, cell_segments
from ahr_tui.wording import count

#: The column that shows each field the filter searches (``account_list.FILTER_FIELDS``).
FIELD_COLUMNS = {"seller id": "seller", "name": "name", "store": "store"}


def matches_note(table: AccountTable, needle: str, *, complete: bool) -> str:
    """The note for ``needle`` over the rows ``table`` shows; ``complete``: the table holds
    every match (else they are still being found, and not counted yet)."""
    source = table.source
    if not needle or source is None:
        return ""
    folded = fold_needle(needle)
    columns = table.column_widths() if table.size.width else None
    fields: set[str] = set()
    unseen: dict[str, str] = {}  # column key -> "hidden" or "cut"
    read = 0
    for index in table.visible_rows() if table.size.height else range(0):
        row = source.known.get(source.ids[index])
        if row is None:  # its page is being read: the note follows when it arrives
            continue
        read += 1
        matched = matched_fields(row, needle)
        fields.update(matched)
        if columns is not None:
            cells = source.peek(index)
            for key, how in _unseen(table, columns, cells, matched, folded).items():
                unseen.setdefault(key, how)
    named = [f for f in FIELD_COLUMNS if f in fields]
    headers = [(c.header, unseen[c.key]) for c in table.columns if c.key in unseen]
    return match_note(
        len(source) if complete else None, complete and read == len(source), named,
        [h for h, how in headers if how == "hidden"], [h for h, how in headers if how == "cut"])


def _unseen(
    table: AccountTable, columns: dict[str, tuple[int, int]], cells: tuple[Cell, ...],
    matched: list[str], folded: str,
) -> dict[str, str]:
    """For a row's ``cells``: nothing if one of them shows the match; else each column that
    holds it, ``hidden`` at this width (not in ``columns``) or ``cut`` before the match."""
    why: dict[str, str] = {}
    for field in matched:
        key = FIELD_COLUMNS[field]
        if key not in columns:
            why[key] = "hidden"
            continue
        at, width = columns[key]
        drawn = "".join(seg.text for seg in cell_segments(
            cells[at], width, table.columns[at].justify))
        if contains(folded, drawn):
            return {}
        why[key] = "cut"
    return why


def match_note(total: int | None, every: bool, fields: list[str], hidden: list[str],
               cut: list[str]) -> str:
    """The filter field's lower edge: how many accounts match (``total``, None while still
    counted) and by which fields the rows on screen match; ``every``: those rows are all the
    matches (``3 matches by name``), else it says it of them (``19,919 matches; those shown
    by name``); then the columns that do not show the match at this width (``NAME cut at
    this width``: the name is cut before the needle; ``hidden``: the column is not shown)."""
    by = ", ".join(fields)
    if total is not None and (every or not fields):
        note = count(total, "match") + (f" by {by}" if by else "")
    elif total is not None:
        note = f"{count(total, 'match')}; those shown by {by}"
    else:
        note = f"those shown match by {by}" if by else ""
    parts = [note]
    if hidden:
        parts.append(f"{', '.join(hidden)} hidden at this width")
    if cut:
        parts.append(f"{', '.join(cut)} cut at this width")
    return "; ".join(part for part in parts if part)
