"""Marking rows, a and n on every marked case, x and f on one; e export; v / V saved views; m.

Issue 15 / DESIGN section 6. Each bulk case is its own transaction with the version the app
saw, so a case changed behind the app fails alone and the summary says why.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from sqlalchemy import update
from sqlalchemy.engine import Engine
from textual.widgets import Input, OptionList, Static

from ahr_tui.service.saved_views import list_views
from ahr_tui.service.views import case_events, find_case
from ahr_tui.store.engine import transaction
from ahr_tui.store.models import Case
from ahr_tui.tui.app import AhrApp
from ahr_tui.tui.dialogs.action import ActionDialog
from ahr_tui.tui.dialogs.ask import AskDialog, SummaryDialog
from ahr_tui.tui.dialogs.views import ViewPicker
from ahr_tui.tui.screens.metrics import MetricsScreen
from ahr_tui.tui.widgets.case_table import MARK
from tests.tui.conftest import ALICE, AppFactory, Notes, Seeded, settle
from tests.tui.drawn import find, screen_text
from tests.tui.test_cases_actions import open_on, type_text


def assignee(engine: Engine, case_id: int) -> str | None:
    with transaction(engine) as session:
        case = find_case(session, case_id)
        assert case is not None
        return case.assignee


def marks(app: AhrApp) -> dict[int, str]:
    table = app.main.table
    column = [c.key for c in table.columns].index("mark")
    return {case.id: str(table.row(i)[column]) for i, case in enumerate(table.cases)}


async def test_space_marks_the_row_moves_down_and_the_header_counts(
    make_app: AppFactory, seeded: Seeded
) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_on(app, pilot, seeded.crit)
        await pilot.press("space", "space")
        assert app.main.marked == {seeded.crit, seeded.urgent}
        assert app.main.table.current_case.id == seeded.warn  # type: ignore[union-attr]
        shown = marks(app)
        assert shown[seeded.crit] == shown[seeded.urgent] == MARK and shown[seeded.warn] == ""
        assert "2 marked" in app.main.header.plain
        await pilot.press("up", "space")  # space on a marked row unmarks it
        assert app.main.marked == {seeded.crit}
        await pilot.press("escape")
        assert app.main.marked == set() and "marked" not in app.main.header.plain


async def test_a_assigns_every_marked_case_and_names_the_one_changed_meanwhile(
    make_app: AppFactory, seeded: Seeded, engine: Engine
) -> None:
    app = make_app()
    notes = Notes(app)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_on(app, pilot, seeded.crit)
        await pilot.press("space", "space", "space")
        with transaction(engine, write=True) as session:  # another operator got there first
            session.execute(update(Case).where(Case.id == seeded.urgent).values(version=9))
        await pilot.press("a")
        assert isinstance(app.screen, AskDialog)
        assert "Assign 3 marked cases" in app.screen.title_text
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, SummaryDialog)
        assert app.screen.headline == "assigned 2 of 3 marked cases; 1 failed (still marked):"
        (failure,) = app.screen.failures
        assert failure.startswith(
            f"case {seeded.urgent} was changed by someone else (you saw version 1, it is now 9)"
        ) and failure.endswith("nothing was written.")
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.main.marked == {seeded.urgent}
    assert assignee(engine, seeded.crit) == assignee(engine, seeded.warn) == "alice"
    assert assignee(engine, seeded.urgent) is None
    assert notes.all_plain()


async def test_n_adds_one_note_to_every_marked_case(
    make_app: AppFactory, seeded: Seeded, engine: Engine
) -> None:
    app = make_app()
    notes = Notes(app)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_on(app, pilot, seeded.warn)
        await pilot.press("space", "space")
        await pilot.press("n")
        assert isinstance(app.screen, AskDialog)
        await type_text(pilot, "called both")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert app.main.marked == set()
    assert "noted 2 of 2 marked cases." in notes.messages
    for case_id in (seeded.warn, seeded.ok):
        with transaction(engine) as session:
            assert case_events(session, case_id)[-1].note == "called both"


async def test_f_acts_on_the_case_under_the_cursor_only_even_with_marks(
    make_app: AppFactory, seeded: Seeded
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await open_on(app, pilot, seeded.crit)
        await pilot.press("space", "space")
        await pilot.press("f")
        assert isinstance(app.screen, ActionDialog)
        assert app.screen.case.id == seeded.warn  # the cursor's case, not the two marked


async def test_e_exports_the_list_as_shown_and_asks_before_replacing(
    make_app: AppFactory, seeded: Seeded, tmp_path: Path
) -> None:
    target = tmp_path / "out.csv"
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("slash", *"US", "enter", "s")  # filter, then sort by seller
        shown = [c.id for c in app.main.shown_cases]
        await pilot.press("e")
        assert isinstance(app.screen, AskDialog)
        app.screen.query_one(Input).value = str(target)
        await pilot.press("enter")
        await settle(app, pilot)
        with target.open(newline="") as fh:
            assert [int(r["id"]) for r in csv.DictReader(fh)] == shown
        target.write_text("keep me")
        await pilot.press("e")
        app.screen.query_one(Input).value = str(target)
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, AskDialog) and app.screen.danger
        await pilot.press("enter")  # the default button is Cancel
        await settle(app, pilot)
        assert target.read_text() == "keep me"


async def test_an_export_that_cannot_be_written_keeps_the_path_typed_and_says_why(
    make_app: AppFactory, seeded: Seeded, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a path relative to the folder ahr was started in, as an operator types it: short enough
    # that the reason is not wrapped mid-word at 80 columns, whatever pytest's temporary folder
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a-file").write_text("not a folder")
    typed = "a-file/out.csv"  # a folder that is a file: nothing can be written there
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("e")
        app.screen.query_one(Input).value = typed
        await pilot.press("enter")
        await settle(app, pilot)
        dialog = app.screen
        assert isinstance(dialog, AskDialog), "the dialog comes back"
        assert dialog.query_one(Input).value == typed  # what the operator typed, to correct
        drawn = "\n".join(screen_text(app))
        assert "cannot write" in drawn and "a-file is a file, not a folder" in drawn, drawn
        # a folder that does not exist says so (a newcomer read "is not a folder")
        dialog.query_one(Input).value = "no-such/out.csv"
        await pilot.press("enter")
        await settle(app, pilot)
        drawn = " ".join(" ".join(screen_text(app)).split())
        assert "the folder no-such does not exist" in drawn, drawn
        fixed = tmp_path / "out.csv"
        dialog = app.screen
        assert isinstance(dialog, AskDialog)
        dialog.query_one(Input).value = "out.csv"
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.screen is app.main and fixed.exists()


async def test_a_view_name_it_cannot_take_keeps_the_name_typed_and_says_why(
    make_app: AppFactory, seeded: Seeded, engine: Engine
) -> None:
    typed = "my triage list for the night shift, US and CA only"  # over 40 characters
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("v")
        app.screen.query_one(Input).value = typed
        await pilot.press("enter")
        await settle(app, pilot)
        dialog = app.screen
        assert isinstance(dialog, AskDialog), "the dialog comes back"
        assert dialog.query_one(Input).value == typed
        assert "at most 40 characters" in "\n".join(screen_text(app))
        dialog.query_one(Input).value = "night shift"
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.screen is app.main
    assert [v.name for v in list_views(engine, operator=ALICE.name)] == ["night shift"]


async def test_v_saves_the_view_and_V_switches_back_to_it(
    make_app: AppFactory, seeded: Seeded, engine: Engine
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("slash", *"CA", "enter", "s", "s")
        await pilot.press("v")
        await type_text(pilot, "canada")
        await pilot.press("enter")
        await settle(app, pilot)
        (saved,) = list_views(engine, operator="alice")
        assert (saved.name, saved.kind.value, saved.filter_text, saved.sort) == (
            "canada", "cases", "CA", "store")
        await pilot.press("escape", "s")  # clear the filter, change the sort
        assert app.main.filter_text == ""
        await pilot.press("V")
        await settle(app, pilot)
        assert isinstance(app.screen, ViewPicker)
        assert app.screen.query_one(OptionList).option_count == 1
        await pilot.press("enter")
        await settle(app, pilot)
        assert (app.main.filter_text, app.main.sort.value) == ("CA", "store")
        assert {c.store for c in app.main.shown_cases} == {"CA"}


async def test_m_shows_the_figures_bars_and_workload_in_80x24(
    make_app: AppFactory, seeded: Seeded
) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("m")
        await settle(app, pilot)
        assert isinstance(app.screen, MetricsScreen)
        figures = str(app.screen.query_one("#metrics-figures", Static).render())
        assert "opened 6" in figures and "backlog 6:" in figures
        # counts beside the percentages (a newcomer read "seller reached 0.0 %" alone), and
        # what reached counts: attempts logged as reached, not "we reach x % of sellers"
        assert "72 hours ended for 2 cases:\n  reached on a logged attempt 0 of 2 (0 %)" in (
            figures), figures
        assert "responded in time 1 of 2 (50 %)   expired 1 of 2 (50 %)" in figures, figures
        # each median with how many cases it covers (none reached: nothing to measure)
        assert "first contact p50 -   reach p50 -" in figures, figures
        operators = str(app.screen.query_one("#metrics-operators", Static).render())
        # alice opened six cases, recorded a response and applied one expiry
        assert any(line.split()[:2] == ["alice", "8"] for line in operators.splitlines()), (
            operators)
        assert app.screen.query_one("#metrics-body").region.bottom <= 23  # above the footer
        assert not app.screen.query_one("#metrics-body").max_scroll_y  # all of it fits
        await pilot.press("escape")
        assert not isinstance(app.screen, MetricsScreen)


def give(engine: Engine, case_id: int, to: str) -> None:
    """Another operator's assignment, done behind the app (before it reads the cases)."""
    from ahr_tui.service.cases import assign_case
    from tests.conftest import T0
    from tests.tui.conftest import ALICE

    assign_case(engine, case_id, to=to, actor=ALICE, now=T0)


async def test_a_asks_before_taking_a_colleagues_case_and_cancel_is_the_default(
    make_app: AppFactory, seeded: Seeded, engine: Engine
) -> None:
    give(engine, seeded.urgent, "tom")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_on(app, pilot, seeded.urgent)
        await pilot.press("a")
        assert isinstance(app.screen, AskDialog)
        find(app, f"Case {seeded.urgent} is assigned to tom. Take it over?")
        assert getattr(app.focused, "id", None) == "cancel"
        await pilot.press("enter")  # the default: nothing taken
        await settle(app, pilot)
        assert app.screen is app.main and assignee(engine, seeded.urgent) == "tom"
        await pilot.press("a")
        await pilot.press("ctrl+s")  # take it over
        await settle(app, pilot)
        assert assignee(engine, seeded.urgent) == "alice"
        await pilot.press("down")  # an unassigned case: one key, no question
        case = app.main.current_case
        assert case is not None and case.assignee is None
        await pilot.press("a")
        await settle(app, pilot)
        assert app.screen is app.main and assignee(engine, case.id) == "alice"


async def test_the_bulk_assign_question_says_how_many_are_colleagues_and_whose(
    make_app: AppFactory, seeded: Seeded, engine: Engine
) -> None:
    from ahr_tui.rules import Role
    from tests.conftest import add_operator

    add_operator(engine, "jchen", Role.TRIAGE)
    give(engine, seeded.crit, "tom")
    give(engine, seeded.warn, "jchen")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_on(app, pilot, seeded.crit)
        await pilot.press("space", "space", "space")  # crit (tom), urgent (nobody), warn (jchen)
        await pilot.press("a")
        assert isinstance(app.screen, AskDialog)
        find(app, "Assign 3 marked cases to you?")
        said = " ".join(line.strip(" █▌▐") for line in screen_text(app))
        assert "2 of them are assigned to others: jchen, tom." in " ".join(said.split()), said
        assert getattr(app.focused, "id", None) == "cancel"
        await pilot.press("escape")
    assert assignee(engine, seeded.crit) == "tom" and assignee(engine, seeded.warn) == "jchen"


async def test_an_export_to_a_name_ending_with_a_slash_is_refused_not_written_as_a_file(
    make_app: AppFactory, seeded: Seeded, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``exports/`` names a folder: the file would have been written with the folder's name
    (``Path`` drops the slash). The dialog comes back saying so, and nothing is written."""
    monkeypatch.chdir(tmp_path)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("e")
        app.screen.query_one(Input).value = "exports/"
        await pilot.press("enter")
        await settle(app, pilot)
        dialog = app.screen
        assert isinstance(dialog, AskDialog) and dialog.query_one(Input).value == "exports/"
        drawn = " ".join(" ".join(screen_text(app)).split())
        assert "exports/ ends with /, so it names a folder, not a file" in drawn, drawn
    assert not (tmp_path / "exports").exists()
