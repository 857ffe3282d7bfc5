"""``?`` says the keys of the screen it was opened from (the handover's and the metrics' own,
not the Cases view's), and at 80x24 the help says that it scrolls and which lines it shows."""

from __future__ import annotations

import re

import pytest
from textual.binding import Binding
from textual.screen import Screen

from ahr_tui.tui.app import AhrApp
from ahr_tui.tui.dialogs.help import HelpScreen
from ahr_tui.tui.screens.handover import HandoverScreen
from ahr_tui.tui.screens.metrics import MetricsScreen
from tests.tui.conftest import AppFactory, Seeded, settle
from tests.tui.drawn import screen_text

#: How the help writes a key that a binding names otherwise.
SHOWN_AS = {"escape": "esc", "left_square_bracket": "[", "right_square_bracket": "]",
            "down": "↓", "up": "↑", "question_mark": "?"}


def help_lines(app: AhrApp, part: str = "#help") -> list[str]:
    """The drawn lines of the help (or of one ``part``), cropped to its content."""
    region = app.screen.query_one(part).content_region
    return [line[region.x:region.right] for line in screen_text(app)[region.y:region.bottom]]


def first_column(lines: list[str], separators: str) -> set[str]:
    """Every entry of the drawn help's first column (a key, or a word the glossary explains),
    each cell split at any of ``separators``; the column ends at the first two blanks."""
    found: set[str] = set()
    for line in lines:
        cell = line.lstrip().split("  ")[0]
        found.update(e.strip() for e in re.split(f"[{re.escape(separators)}]", cell) if e.strip())
    return found


def keys_column(lines: list[str]) -> set[str]:
    """Every key the drawn help names (``ctrl+p``, ``j/k``, ``1,2``)."""
    return first_column(lines, "/,")


@pytest.mark.parametrize(("key", "screen", "title", "says"), [
    ("h", HandoverScreen, "Keys: Handover", "24, 48 or 72 hours"),
    ("m", MetricsScreen, "Keys: Metrics", "7, 14, 30, 90, 180, 365 UTC days"),
])
async def test_help_from_a_screen_says_that_screens_keys(
    make_app: AppFactory, seeded: Seeded, key: str, screen: type[Screen[None]], title: str,
    says: str,
) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press(key)
        await settle(app, pilot)
        opened = app.screen
        assert isinstance(opened, screen)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        lines = help_lines(app)
        text = "\n".join(lines)
        assert lines[0].strip() == title and says in text, text
        assert "contact attempt" not in text and "Accounts" not in text, text  # not the lists'
        named = keys_column(help_lines(app, "#help-keys"))
        for binding in opened.BINDINGS:
            assert isinstance(binding, Binding)
            for each in binding.key.split(","):
                assert SHOWN_AS.get(each, each) in named, (each, named)
        assert {"?", "q", "ctrl+p"} <= named
        assert lines[-1].strip() == "esc closes", lines  # all of it fits: no scroll hint
        await pilot.press("escape")
        assert app.screen is opened


async def test_help_at_80x24_says_it_scrolls_and_which_lines_it_shows(
    make_app: AppFactory, seeded: Seeded
) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        lines = help_lines(app)
        assert lines[0].strip() == "Keys"
        last = re.fullmatch(r"lines 1-(\d+) of (\d+): j/k ↓/↑ pgdn/pgup scroll  ·  esc closes",
                            lines[-1].strip())
        assert last is not None, lines[-1]
        shown, total = int(last[1]), int(last[2])
        assert shown == len(lines) - 2 and total > shown
        assert not any("Greyed keys" in line for line in lines)
        seen: list[str] = []
        for _ in range(total // shown + 1):
            await pilot.press("pagedown")
            await pilot.pause()
            seen += help_lines(app)[1:-1]
        await pilot.press("j")
        await pilot.pause()
        lines = help_lines(app)
        assert lines[0].strip() == "Keys"  # the title stays
        assert lines[-1].strip().startswith(f"lines {total - shown + 1}-{total} of {total}:")
        assert any("Greyed keys are not possible now" in line for line in seen)
        assert any("What the short words mean" in line for line in seen)


def help_words(lines: list[str]) -> set[str]:
    """Every word the drawn glossary explains (``MISS``, ``<250``, ``uncov``)."""
    return first_column(lines, ",")


async def test_help_explains_every_abbreviation_the_lists_and_their_header_show(
    make_app: AppFactory, seeded: Seeded
) -> None:
    """A newcomer met ``uncov``, ``<250`` and ``MISS`` and found them nowhere in ``?``: every
    column heading of both lists and every word of the header's counts (long and short) is
    in the help's glossary, as drawn."""
    from ahr_tui.tui.widgets import account_table, case_table, status_header

    app = make_app()
    async with app.run_test(size=(100, 120)) as pilot:  # tall: the whole help is drawn
        await settle(app, pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        explained = help_words(help_lines(app, "#help-words"))
        drawn = " ".join(help_lines(app, "#help-words"))
    headings = {c.header for c in (*case_table.COLUMNS, *account_table.COLUMNS) if c.header}
    widely_known = {"CASE", "SELLER", "NAME", "POLICY", "STATUS", "ASSIGNEE", "SUMMARY"}
    assert headings - widely_known <= explained, headings - widely_known - explained
    words = {w for key, short in status_header._COUNT_LABELS
             for w in (status_header.count_word(key), short)}
    assert words <= explained, words - explained
    for word in ("uncovered", "uncov", "next", "CONTACT", "!!!", "!!", "xx", "*", "Z"):
        assert word in drawn, word
    assert "at most 10 days of <250 and MISS together" in " ".join(drawn.split())


@pytest.mark.parametrize(("key", "words"), [
    ("h", ("█", "▒", "on", "UTC 08 Tue")), ("m", ("p50", "backlog", "72 hours ended", "reached")),
])
async def test_help_on_the_handover_and_metrics_explains_their_own_short_words(
    make_app: AppFactory, seeded: Seeded, key: str, words: tuple[str, ...]
) -> None:
    app = make_app()
    async with app.run_test(size=(80, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press(key)
        await settle(app, pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        explained = help_words(help_lines(app, "#help-words"))
        assert set(words) <= explained, explained


async def test_keys_arriving_in_a_burst_each_scroll_the_help_one_line(
    make_app: AppFactory, seeded: Seeded
) -> None:
    """Three j's in one burst (a held key over SSH) moved the help one line, not three."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        assert help_lines(app)[-1].strip().startswith("lines 1-")
        for _ in range(3):  # handled before the next refresh, as keys of one burst are
            assert isinstance(app.screen, HelpScreen)
            app.screen.action_scroll("down")
        await pilot.pause()
        assert help_lines(app)[-1].strip().startswith("lines 4-"), help_lines(app)[-1]


async def test_toasts_wait_while_the_help_is_open_and_show_when_it_closes(
    make_app: AppFactory, seeded: Seeded
) -> None:
    """A newcomer's help was covered by a toast for a few seconds. While ``?`` is open no toast
    is drawn over it (one already up is hidden, one raised is held), its last line says how
    many wait, and they show, for their whole time, once it closes."""
    app = make_app()
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await settle(app, pilot)
        app.notify("before the help", markup=False)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        app.notify("while reading the help", markup=False)
        await pilot.pause()
        drawn = "\n".join(screen_text(app))
        assert "before the help" not in drawn and "while reading" not in drawn, drawn
        assert "1 message waits until help closes" in help_lines(app, "#help-close")[0]
        await pilot.press("escape")
        await pilot.pause()
        await pilot.pause()
        drawn = "\n".join(screen_text(app))
        assert "while reading the help" in drawn and "before the help" in drawn, drawn
