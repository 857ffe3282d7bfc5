"""Keys: which apply where (the footer per view), and Esc joined to the next key by tmux.

``FOOTER_KEYS`` is the one table of what the footer offers in each view and screen; the app
hides an action wherever the table does not list it (``applies``), so the Accounts view never
offers a case action.

tmux (default ``escape-time`` 500 ms) and screen hold an Esc for a moment to see whether an
escape sequence follows; an Esc followed by ``j`` within that time reaches the app as one
sequence, ``ESC j``, which Textual reports as ``alt+j``. An operator who pressed Esc then j in
the detail view lost both keys. ``split_joined_escape`` turns such an ``alt+`` key, when
nothing binds it, back into the two keys that were typed (DESIGN.md section 6).
"""

from __future__ import annotations

from collections.abc import Container, Mapping
from dataclasses import dataclass
from enum import StrEnum

from textual import events
from textual.binding import Binding

from ahr_tui.rules import CaseStatus

ESCAPE = "\x1b"


def split_joined_escape(
    key: events.Key, bound: Container[str]
) -> tuple[events.Key, events.Key] | None:
    """``(escape, the key)`` for an ``alt+<character>`` key that no binding in ``bound`` uses;
    None for any other key. ``alt+shift+j`` gives ``J``."""
    name = key.key
    if not name.startswith("alt+") or name in bound:
        return None
    character = key.character
    if character is None or len(character) != 1 or not character.isprintable():
        return None
    rest = name.removeprefix("alt+")
    if rest.startswith("shift+") and len(rest) == len("shift+") + 1:
        rest = character  # Textual names an upper-case letter by its character
    return events.Key("escape", ESCAPE), events.Key(rest, character)


# ------------------------------------------------------------------ the footer, per view

#: ``? Help  q Quit`` for a screen drawn with Textual's ``Footer`` (the handover, the metrics),
#: last and in that order, as ``KeyBar`` ends the lists' and the detail's footers: the app's own
#: ``q`` binding is hidden, and ``Footer`` shows only bindings marked ``show`` in the order of
#: the binding chain (the screen's before the app's ``?``), so without these the way out was
#: missing there and ``q`` came before ``?``.
SHOWN_HELP_QUIT = (Binding("question_mark", "app.help", "Help"), Binding("q", "app.quit", "Quit"))


class Place(StrEnum):
    """Where the operator is: a view of the main screen or a kind of detail screen."""

    CASES = "cases"
    ACCOUNTS = "accounts"
    CASE_DETAIL = "case detail"
    ACCOUNT_DETAIL = "account detail"
    #: Typing in a list's filter field (``/``): the field takes every printable key (``q``
    #: types a q), so only enter, esc, tab and ctrl+q act there.
    CASES_FILTER = "cases filter"
    ACCOUNTS_FILTER = "accounts filter"


LISTS = frozenset({Place.CASES, Place.ACCOUNTS})
DETAILS = frozenset({Place.CASE_DETAIL, Place.ACCOUNT_DETAIL})
WITH_A_CASE = frozenset({Place.CASES, Place.CASE_DETAIL})
TYPING = frozenset({Place.CASES_FILTER, Place.ACCOUNTS_FILTER})
#: Everywhere a key is a command (not a character typed into a filter).
EVERYWHERE = frozenset(Place) - TYPING


@dataclass(frozen=True, slots=True)
class FooterKey:
    """One key as the footer shows it, and where it applies (its action is offered nowhere
    else). ``rank``: when the footer is too narrow, the highest ranks go first (disabled keys
    before enabled ones: ``footer_keys``); 0 never does."""

    action: str  # the bound action's name, without namespace or parameters
    key: str
    label: str
    where: frozenset[Place]
    rank: int = 5


#: In the order shown. A helper adding a key adds a line here with the places it applies in.
#: Ranks (what an operator most needs at 80 columns, where not every key fits): 0, never
#: dropped: ``?`` and ``q``; 1: ``enter`` (open the case or account: the most used key), the
#: daily work on the case under the cursor (contact, respond, resolve) and ``/`` (finding a
#: case); 2: ``tab`` (the other view); 3: assign, note, the metrics and the handover (a
#: newcomer found those only through ``?``: about 120 columns show them); 4: sort,
#: deactivate (it acts only on an expired case, where ``STATUS_RANKS`` ranks it 1); 5:
#: fraud, then the rest. Keys that cannot act on the
#: current case go before any of these. At 80 columns the Cases view keeps ``enter c o r /
#: tab ? q`` (a detected case, where ``o`` cannot act: ``enter c r a / tab ? q``; an expired
#: one: ``enter r x / tab ? q``).
FOOTER_KEYS: tuple[FooterKey, ...] = (
    FooterKey("open_detail", "enter", "Detail", frozenset({Place.CASES}), 1),
    FooterKey("select", "enter", "Detail", frozenset({Place.ACCOUNTS}), 1),
    FooterKey("back", "esc", "Back", DETAILS, 1),
    FooterKey("open_case", "enter", "Open case", DETAILS, 2),
    FooterKey("attempt", "c", "Contact", WITH_A_CASE, 1),
    FooterKey("respond", "o", "Respond", WITH_A_CASE, 1),
    FooterKey("resolve", "r", "Resolve", WITH_A_CASE, 1),
    FooterKey("deactivate", "x", "Deactivate", WITH_A_CASE, 4),
    FooterKey("fraud", "f", "Fraud", WITH_A_CASE, 5),
    FooterKey("assign", "a", "Assign", WITH_A_CASE, 3),
    FooterKey("note", "n", "Note", WITH_A_CASE, 3),
    FooterKey("filter", "/", "Filter", LISTS, 1),
    FooterKey("cycle_sort", "s", "Sort", LISTS, 4),
    # In a filter field: the field's own enter and esc (``ListFilter``), and tab, which
    # switches the view from there too; q would type a q, ctrl+q quits.
    FooterKey("submit", "enter", "Go to list", TYPING, 0),
    FooterKey("clear", "esc", "Clear filter", TYPING, 0),
    FooterKey("switch_view", "tab", "Accounts", frozenset({Place.CASES, Place.CASES_FILTER}), 2),
    FooterKey("switch_view", "tab", "Cases", frozenset({Place.ACCOUNTS, Place.ACCOUNTS_FILTER}),
              2),
    FooterKey("pause", "p", "Pause", LISTS, 7),
    FooterKey("mark", "space", "Mark", frozenset({Place.CASES}), 6),
    FooterKey("metrics", "m", "Metrics", LISTS, 3),
    FooterKey("export", "e", "Export", LISTS, 8),
    FooterKey("save_view", "v", "Save view", LISTS, 8),
    FooterKey("switch_saved_view", "V", "Views", LISTS, 8),
    FooterKey("handover", "h", "Handover", LISTS, 3),
    FooterKey("handover", "h", "Handover", EVERYWHERE - LISTS, 6),  # a detail's case keys first
    FooterKey("help", "?", "Help", EVERYWHERE, 0),
    FooterKey("quit", "q", "Quit", EVERYWHERE, 0),
    FooterKey("quit", "ctrl+q", "Quit", TYPING, 0),
)

#: The ranks that differ with the status of the case under the cursor (or shown). An expired
#: case waits for one of two decisions, resolve or deactivate (DESIGN section 4): there ``x``
#: ranks with the daily work, and a contact attempt, only a follow-up now, gives way with
#: ``a`` and ``n``.
STATUS_RANKS: Mapping[CaseStatus, Mapping[str, int]] = {
    CaseStatus.EXPIRED: {"deactivate": 1, "attempt": 3},
}

_PLACES: dict[str, frozenset[Place]] = {}
for _key in FOOTER_KEYS:
    _PLACES[_key.action] = _PLACES.get(_key.action, frozenset()) | _key.where


def applies(action: str, place: Place | None) -> bool:
    """Whether ``action`` applies at ``place``. An action the table does not name always does;
    on a screen that is none of the places (None: a dialog, the metrics) only those that apply
    everywhere do (help, quit)."""
    where = _PLACES.get(action_name(action))
    if where is None:
        return True
    return place in where if place is not None else where >= EVERYWHERE


def action_name(action: str) -> str:
    """``app.scroll('down')`` -> ``scroll``; the parametrised case action ``case('respond')``
    -> ``respond`` (the table names each case action by its parameter)."""
    name, _, rest = action.partition("(")
    name = name.rsplit(".", 1)[-1]
    if name == "case" and rest:
        return rest.rstrip(")").strip("'\"")
    return name


#: Cells between two keys: two while every key fits, one when that keeps more keys.
ROOMY, TIGHT = 2, 1


def footer_layout(
    place: Place | None, active: Mapping[str, bool], width: int,
    status: CaseStatus | None = None,
) -> tuple[list[tuple[FooterKey, bool]], int]:
    """``footer_keys`` with two cells between keys, or with one when that shows more of them
    (at 80 columns, the Cases view's sort, assign and note); returns the keys and the gap."""
    roomy = footer_keys(place, active, width, gap=ROOMY, status=status)
    tight = footer_keys(place, active, width, gap=TIGHT, status=status)
    return (roomy, ROOMY) if len(roomy) >= len(tight) else (tight, TIGHT)


def footer_keys(
    place: Place | None, active: Mapping[str, bool], width: int, gap: int = ROOMY,
    status: CaseStatus | None = None,
) -> list[tuple[FooterKey, bool]]:
    """The keys to show at ``place`` with whether each is enabled, given the active actions
    (name -> enabled), dropping keys until the line fits ``width`` cells with ``gap`` cells
    between keys: first the disabled ones (they cannot act on the current case; an expired
    case's ``x`` must not give way to a greyed ``o``), then the enabled ones, each time the
    highest rank (``FOOTER_KEYS``, or ``STATUS_RANKS`` for the ``status`` of the current
    case). Rank 0 is never dropped."""
    ranks = STATUS_RANKS.get(status, {}) if status is not None else {}
    shown = [
        (key, active[key.action]) for key in FOOTER_KEYS
        if place is not None and place in key.where and key.action in active
    ]

    def rank(key: FooterKey) -> int:
        return ranks.get(key.action, key.rank) if key.rank else 0

    while _width(shown, gap) > width:
        droppable = [item for item in shown if rank(item[0]) > 0]
        if not droppable:
            break
        worst = max(droppable, key=lambda item: (not item[1], rank(item[0]), shown.index(item)))
        shown.remove(worst)
    return shown


def _width(shown: list[tuple[FooterKey, bool]], gap: int = ROOMY) -> int:
    """`` key label`` per key, ``gap`` cells apart (the leading cell counts as one of them)."""
    return sum(len(key.key) + len(key.label) + 1 + gap for key, _ in shown)
