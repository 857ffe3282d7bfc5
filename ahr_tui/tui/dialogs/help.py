"""``?``: the keys of the screen it was opened from (DESIGN.md section 6 is the contract).

From the lists and the detail: every key of the Cases and Accounts views and of the detail
(``KEYS``). A screen with keys of its own (the handover, the metrics) says them in its
``KEYS_HELP`` (a title and ``(key, what it does)`` lines, beside its ``BINDINGS``); the help then
shows those and the keys every screen shares (``COMMON``). Under the keys, what the screen's
short words mean (``WORDS``; a screen's own ``WORDS_HELP``). Taller than the terminal, the keys
scroll between a title and a last line that both stay put, and that line says which lines
are shown and how to scroll.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.events import Resize
from textual.screen import ModalScreen
from textual.widgets import Label, Static

#: The keys and what they do. A key that acts in both lists but differently in each (``/``,
#: ``s``) gets a line per view, ``Cases: ...`` then ``Accounts: ...`` (``list_lines``); the case
#: actions act on the case under the cursor, in the Cases view and a case's detail.
KEYS: tuple[tuple[str, str], ...] = (
    ("j / k, ↓ / ↑", "move the cursor (pgup/pgdn, home/end jump)"),
    ("enter", "open the detail; in an account's detail, the case chosen"),
    ("esc", "back (closes detail, a dialog, clears the filter, then the marks)"),
    ("tab", "switch between the Cases and Accounts views"),
    ("/", "{filter}"),
    ("", "enter keeps the filter, esc in the field clears it"),
    ("s", "{sort}"),
    ("c", "log a contact attempt: channel, outcome, note (the first starts the 72 hours)"),
    ("o", "record the seller's response (within 72 hours)"),
    ("r", "resolve the case (needs a note)"),
    ("x", "deactivate the account of an expired case (note + seller id)"),
    ("f", "record a fraud finding (evidence + seller id)"),
    ("a", "assign the case to me (with cases marked: every marked case)"),
    ("n", "add a note to the case (with cases marked: to every marked case)"),
    ("", "c o r x f a n: in the Cases view and a case's detail, not in Accounts"),
    ("space", "mark the case and move down; x and f always act on one case"),
    ("e", "export the list as shown (filter and sort) to a CSV file"),
    ("v / V", "save this view (list, filter, sort) by name / switch to a saved view"),
    ("m", "metrics: the program's figures, daily bars, each operator's load"),
    ("h", "handover: due moments per hour against who is on shift, what is uncovered"),
    ("p", "pause or resume live updates"),
    ("?", "this help"),
    ("ctrl+p", "command palette: every action by name"),
    ("q", "quit"),
    ("in dialogs", "ctrl+s submits, esc cancels, enter moves to the next field"),
    ("", "ctrl+j starts a new line in a note"),
    ("tmux", "esc then a key may arrive joined; set -sg escape-time 10 for a quick esc"),
)

#: What the lists, their header and the detail write in short (DESIGN.md section 6: the header,
#: the columns, the urgency marks): every abbreviation a screen shows is said here, so an
#: operator new to the tool reads ``uncov`` or ``<250`` in ``?`` (tests/tui/test_help.py
#: checks this against the columns and the header's words).
WORDS: tuple[tuple[str, str], ...] = (
    ("next 5m 27s #54", "header: time left to the next due moment, and its case"),
    ("uncovered, uncov", "header: due moments in the next 24 hours that are uncovered: "
                         "nobody whose role may act is on shift then (plan for them: h)"),
    ("overdue", "open cases past their 72-hour deadline, not yet expired"),
    ("critical, urgent", "time left to the deadline: 1 hour or less (critical), 6 hours or "
                         "less (urgent)"),
    ("warn, ok", "time left: 24 hours or less (warn), more (ok)"),
    ("to contact", "detected cases: nobody has tried to reach the seller yet; marked as the "
                   "most urgent of them (!!! once one is past its first-contact target)"),
    ("expired", "the 72 hours ended with no response: awaiting a decision (x deactivate, a "
                "lead's; or r resolve)"),
    ("responded", "responded cases: the seller worked with us in time"),
    ("crit, urg, exp", "the header's critical, urgent, expired where the whole words do not "
                       "fit (narrower than 80 columns)"),
    ("contact", "the header's to contact, where the whole words do not fit"),
    ("!!! !! ! . xx", "marks before the urgency words, the same in the rows and the header: "
                      "!!! overdue, !! critical, ! urgent, . warn, xx expired"),
    ("LEFT", "Cases: time left to the deadline (a detected case: to its first-contact "
             "target); negative past it; +margin a responded case met it by"),
    ("URGENCY", "Cases: the level, as marks and a word; a detected case shows CONTACT "
                "(first contact due) after its level's marks, !!! CONTACT past its target"),
    ("ST", "store: the marketplace (US, CA, MX, UK, DE, ...)"),
    ("*", "after a case id: marked with space (a and n act on every marked case)"),
    ("AHR", "Accounts: the latest Account Health Rating (0-1000) and its band: healthy "
            "200+, at risk 100-199, unhealthy 99 or less"),
    ("<250", "Accounts: days of the 180-day window scored under 250"),
    ("MISS", "Accounts: days of the window with no score (missing); the rule allows at most "
             "10 days of <250 and MISS together"),
    ("ENROLMENT", "not_enrolled, pending_contact (the rule is met, the emergency phone is "
                  "missing or invalid), enrolled, lapsed, revoked (fraud)"),
    ("ACCOUNT, PHONE", "the account's status (active, deactivated); the emergency phone: "
                       "valid, invalid or missing"),
    ("Z, UTC", "times ending in Z are UTC; the detail also gives your local time"),
    ("- -> open", "timeline: the state before and after (- : none, a case opened directly)"),
)

#: What each view's filter matches (as its field's placeholder says).
FILTERS = {
    "Cases": "seller id, name, case id, policy, store",
    "Accounts": "seller id, name, store",
}
#: What each sort order means, where its name alone does not say.
SORT_WORDS = {
    "urgency": "urgency (needs action first)",
    "ahr": "ahr (lowest first)",
    "below": "below (most days under 250 or with no score first)",
}


def list_lines() -> dict[str, list[str]]:
    """The per-view lines of ``/`` and ``s``: each view's filter fields and its sort orders in
    the order ``s`` cycles through them (from the views' own sort cycles, so they never
    drift)."""
    from ahr_tui.service.account_list import AccountSort  # not at start-up: help opens later
    from ahr_tui.service.case_list import SortKey
    from ahr_tui.service.sort_cycle import SortCycle

    orders: dict[str, list[SortCycle]] = {"Cases": list(SortKey), "Accounts": list(AccountSort)}
    return {
        "filter": [f"{view}: filter as you type ({fields})" for view, fields in FILTERS.items()],
        "sort": [
            f"{view}: cycle the sort: " + ", ".join(SORT_WORDS.get(k.value, k.value) for k in keys)
            for view, keys in orders.items()
        ],
    }


#: Said under the keys.
GREYED = "Greyed keys are not possible now: press one to see why."

#: The keys every screen shares (the app binds them), after a screen's own.
COMMON: tuple[tuple[str, str], ...] = (
    ("?", "this help"),
    ("ctrl+p", "command palette: every action by name"),
    ("q", "quit"),
)

#: A screen's help: its name and its keys, ``(key, what it does)``.
ScreenHelp = tuple[str, Sequence[tuple[str, str]]]


def help_table(keys: Sequence[tuple[str, str]] = KEYS) -> Table:
    """The keys right-aligned in one column, what they do in the next: a description too long
    for the width wraps within its own column, under its first line (never to the left edge).
    A description ``{filter}`` or ``{sort}`` stands for one line per view (``list_lines``)."""
    table = Table.grid(padding=(0, 0, 0, 2))
    table.add_column(justify="right", no_wrap=True, style="bold")
    table.add_column(ratio=1, overflow="fold")
    per_view = list_lines() if keys is KEYS else {}
    for key, what in keys:
        name = what.strip("{}")
        lines = per_view[name] if what == f"{{{name}}}" and name in per_view else [what]
        for n, line in enumerate(lines):
            table.add_row(Text("" if n else key), Text(line))
    return table


@dataclass(frozen=True, slots=True)
class HeldNote:
    """A toast raised while the help was open (``App.notify``'s arguments), shown once it closes."""

    message: str
    title: str
    severity: str
    timeout: float | None
    markup: bool


class HelpScreen(ModalScreen[tuple[HeldNote, ...]]):
    """``help``: a screen's own (``ScreenHelp``), or None for the lists' and the detail's.

    No toast covers it: those already up are hidden while it is open (app.tcss), and those
    raised meanwhile are held (``hold``), counted on its last line, and handed back when it
    closes (its result) to be shown for their whole time.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark", "close", "Close", priority=True),
        Binding("j,down", "scroll('down')", "Scroll", show=False),
        Binding("k,up", "scroll('up')", "Scroll", show=False),
        Binding("pagedown,space", "scroll('page_down')", "Page", show=False),
        Binding("pageup", "scroll('page_up')", "Page", show=False),
    ]

    def __init__(
        self, help: ScreenHelp | None = None, words: Sequence[tuple[str, str]] | None = None
    ) -> None:
        """``words``: what the screen's abbreviations mean (a screen's ``WORDS_HELP``); the
        lists' ``WORDS`` with their keys."""
        super().__init__()
        self.help = help
        self.words = WORDS if help is None else (words or ())
        self.held: list[HeldNote] = []

    def hold(self, note: HeldNote) -> None:
        """Keep a toast until the help closes; the last line says how many wait."""
        self.held.append(note)
        if self.is_mounted:
            self._say_where()

    def compose(self) -> ComposeResult:
        title = "Keys" if self.help is None else f"Keys: {self.help[0]}"
        keys = KEYS if self.help is None else (*self.help[1], *COMMON)
        with Vertical(id="help"):
            yield Label(Text(title), id="help-title")
            with VerticalScroll(id="help-body"):
                yield Static(help_table(keys), id="help-keys")
                if self.help is None:
                    yield Static(Text(f"\n{GREYED}"), id="help-greyed")
                if self.words:
                    yield Static(Text("\nWhat the short words mean", style="bold"),
                                 id="help-words-title")
                    yield Static(help_table(self.words), id="help-words")
            yield Static(Text("esc closes"), id="help-close")

    def on_mount(self) -> None:
        self.watch(self.body, "scroll_y", self._say_where, init=False)

    @property
    def body(self) -> VerticalScroll:
        return self.query_one("#help-body", VerticalScroll)

    def on_resize(self, event: Resize) -> None:
        # The keys get what the title, the last line and the border leave: those never scroll.
        self.body.styles.max_height = max(1, event.size.height - 4)
        self.call_after_refresh(self._say_where)

    def _say_where(self) -> None:
        """The last line: ``esc closes``; when the keys are taller than the box, which lines
        are shown (``lines 1-18 of 40``) and the keys that scroll them."""
        body = self.body
        total = body.virtual_size.height
        shown = body.scrollable_content_region.height
        said = "esc closes"
        held = len(self.held)
        if total > shown:
            top = round(body.scroll_y)
            where = f"lines {top + 1}-{min(total, top + shown)} of {total}"
            # with messages waiting, the keys that scroll give way (the table lists them)
            said = f"{where}  ·  {said}" if held else (
                f"{where}: j/k ↓/↑ pgdn/pgup scroll  ·  {said}")
        if held:
            said = (f"{held} message{'s' if held > 1 else ''} wait{'' if held > 1 else 's'} "
                    f"until help closes  ·  {said}")
        self.query_one("#help-close", Static).update(Text(said))

    def action_scroll(self, how: str) -> None:
        # immediate: each key of a burst (a held j) moves on from the last, not from the line
        # shown before the next refresh (a burst of six moved one line)
        getattr(self.body, f"scroll_{how}")(animate=False, immediate=True)

    def action_close(self) -> None:
        self.dismiss(tuple(self.held))
