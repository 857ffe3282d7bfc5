"""The Cases list's filter and sorts, shared by the app (``/`` and ``s``) and ``ahr cases --view``.

A saved view stores the filter text and the sort by name; both front ends apply them through
these two functions, so a view shows the same cases in the same order in the app and in the
command line. The default sort is the rules' list order (needs action first).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from ahr_tui.rules import list_order
from ahr_tui.service.case_view import CaseView
from ahr_tui.service.filter_match import contains, fields_matched, fold_needle
from ahr_tui.service.sort_cycle import SortCycle


class SortKey(SortCycle):
    #: The case list's order (``rules.list_order``): needs action first.
    URGENCY = "urgency"
    SELLER = "seller"
    STORE = "store"
    STATUS = "status"


def sort_cases(cases: Iterable[CaseView], key: SortKey) -> list[CaseView]:
    """The case list's order (``rules.list_order``), or by seller, store or status."""
    if key is SortKey.SELLER:
        return sorted(cases, key=lambda c: (c.name.casefold(), c.seller_id, c.due, c.id))
    if key is SortKey.STORE:
        return sorted(cases, key=lambda c: (c.store, c.due, c.id))
    if key is SortKey.STATUS:
        return sorted(cases, key=lambda c: (c.status.value, c.due, c.id))
    return sorted(cases, key=lambda c: list_order(c.status, c.due, c.id))


#: What the filter searches, by the name the app gives each field (``matched_by``).
FILTER_FIELDS: tuple[tuple[str, Callable[[CaseView], str]], ...] = (
    ("seller id", lambda c: c.seller_id),
    ("name", lambda c: c.name),
    ("case id", lambda c: str(c.id)),
    ("policy", lambda c: c.policy),
    ("store", lambda c: c.store),
)


def matches(case: CaseView, needle: str) -> bool:
    """The filter: a case-insensitive substring of seller id, name, case id, policy or store
    (``filter_match.fold_needle``: trimmed and case-folded)."""
    folded = fold_needle(needle)
    if not folded:
        return True
    return any(contains(folded, read(case)) for _field, read in FILTER_FIELDS)


def matched_by(cases: Iterable[CaseView], needle: str) -> list[str]:
    """The fields (``FILTER_FIELDS``' names, in that order) that ``needle`` matched in at least
    one of ``cases``: the app says them, since a field may not be on screen (POLICY at 80
    columns, the seller id never) and a row would otherwise match for no visible reason."""
    return fields_matched(FILTER_FIELDS, cases, needle)


def shown(
    cases: Sequence[CaseView], filter_text: str, key: SortKey, *, listed: bool = False
) -> list[CaseView]:
    """The list as a view shows it: filtered, then sorted. ``listed``: ``cases`` are in the
    list order already (``rules.list_order``, as a snapshot's are), so the default sort keeps
    them as they are (at 120,000 cases the sort took a quarter of a second)."""
    picked = [c for c in cases if matches(c, filter_text)] if filter_text.strip() else cases
    if listed and key is SortKey.URGENCY:
        return list(picked)
    return sort_cases(picked, key)
