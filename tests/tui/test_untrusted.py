"""Untrusted text (names, ids, assignees, the database label) is shown literally and runs nothing.

Markup must not be parsed (``[@click=app.quit]`` stays text and has no click action; ``[/]``
does not crash) and control characters must not reach the terminal (shown as ``\\x1b`` etc.).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.engine import Engine

from ahr_tui.rules import PolicyArea, Role
from ahr_tui.service.cases import assign, open_case
from ahr_tui.tui.app import AhrApp
from ahr_tui.tui.dialogs.action import ActionDialog
from ahr_tui.tui.widgets.case_table import CaseTable
from tests.conftest import T0, FakeClock, add_operator, seed_account
from tests.tui.conftest import ALICE, settle

HOSTILE_NAMES = (
    "[@click=app.quit]Acme[/]",
    "[/] unbalanced [b]bold",
    "Clip\x1b]52;c;SGVsbG8=\x07board",
    "Wipe\x1b[2Jscreen",
    "Bidi \u202egnp.exe",
)
SHOWN = (
    "[@click=app.quit]Acme[/]",
    "[/] unbalanced [b]bold",
    "Clip\\x1b]52;c;SGVsbG8=\\x07board",
    "Wipe\\x1b[2Jscreen",
    "Bidi \\u202egnp.exe",
)


class Recording(AhrApp):
    """Records quit instead of quitting: a hostile [@click=app.quit] must never get here."""

    quit_ran = False

    async def action_quit(self) -> None:
        self.quit_ran = True


@pytest.fixture
def hostile(engine: Engine, clock: FakeClock) -> list[int]:
    add_operator(engine, "alice", Role.LEAD)
    add_operator(engine, "[red]x\x1b[2J", Role.TRIAGE)
    ids = []
    for n, name in enumerate(HOSTILE_NAMES):
        seller = f"H{n}[/]"
        seed_account(engine, seller, "US", name=name)
        case = open_case(
            engine, seller_id=seller, store="US", policy=PolicyArea.OTHER,
            at=T0 - timedelta(hours=n + 1), summary=name, actor=ALICE, now=clock(),
        )
        ids.append(case.id)
    assign(engine, ids[0], to="[red]x\x1b[2J", actor=ALICE, now=clock())
    return ids


def screen_text(table: CaseTable) -> list[str]:
    lines = []
    for y in range(table.size.height):
        strip = table.render_line(y)
        for segment in strip:
            assert "\x1b" not in segment.text and "\x07" not in segment.text
            assert segment.text.isprintable() or segment.text == ""
            assert not (segment.style and segment.style.meta), segment
        lines.append(strip.text)
    return lines


async def test_hostile_names_render_literally_without_control_characters(
    engine: Engine, clock: FakeClock, hostile: list[int]
) -> None:
    app = Recording(engine=engine, clock=clock, actor=ALICE, db_label="x\x1b[2J.db",
                    tick=3600, poll=3600)
    async with app.run_test(size=(160, 30)) as pilot:
        await settle(app, pilot)
        text = "\n".join(screen_text(app.main.table))
        for shown in SHOWN:
            assert shown in text
        assert "[red]x\\x1…" in text  # the assignee, cut to its column
        assert "db x\\x1b[2J.db" in app.main.header.plain
        assert app.is_running and not app.quit_ran


async def test_clicking_and_pressing_over_hostile_rows_runs_nothing(
    engine: Engine, clock: FakeClock, hostile: list[int]
) -> None:
    app = Recording(engine=engine, clock=clock, actor=ALICE, db_label="test.db",
                    tick=3600, poll=3600)
    async with app.run_test(size=(160, 30)) as pilot:
        await settle(app, pilot)
        for row in range(1, len(HOSTILE_NAMES) + 1):
            for x in range(0, 150, 7):
                await pilot.click(CaseTable, offset=(x, row))
        assert app.is_running and not app.quit_ran
        await pilot.press("n")  # the dialog shows the name literally too
        assert isinstance(app.screen, ActionDialog)
        shown = str(app.screen.query_one("#dialog-case").render())
        assert "\x1b" not in shown and "[" in shown
        await pilot.press("escape")
        await pilot.press("slash", "[", "/", "]", "space", "u", "enter")  # markup in the filter
        assert "filter [/] u" in app.main.header.plain
        assert [c.name for c in app.main.table.cases] == ["[/] unbalanced [b]bold"]
        assert app.is_running and not app.quit_ran


def test_hostile_operator_name_in_the_header(engine: Engine, clock: FakeClock) -> None:
    from ahr_tui.tui.widgets.status_header import HeaderState, header_lines

    _first, second = header_lines(
        HeaderState(operator="[@click=app.quit]e\x1b]52;c;SGVsbG8=\x07", role="lead",
                    db_label="d", loading=False)
    )
    assert second.plain.startswith("[@click=app.quit]e\\x1b]52;c;SGVsbG8=\\x07 (lead)")
    assert not second.spans or all("click" not in str(span.style) for span in second.spans)
