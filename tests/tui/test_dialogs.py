"""The action dialogs: focus, keys, confirmation, conflicts and refusals; one snapshot each."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy.engine import Engine
from textual.pilot import Pilot
from textual.widgets import Button, Input, Static, TextArea

from ahr_tui.rules import CaseStatus
from ahr_tui.service.cases import assign
from ahr_tui.service.views import case_events, find_case
from ahr_tui.store.actor import Actor
from ahr_tui.store.engine import transaction
from ahr_tui.store.models import Operator
from ahr_tui.tui.app import AhrApp
from ahr_tui.tui.dialogs.action import ActionDialog
from tests.conftest import FakeClock
from tests.tui.conftest import AppFactory, Seeded, settle


async def at_case(app: AhrApp, pilot: Pilot[None], case_id: int, key: str) -> ActionDialog:
    await settle(app, pilot)
    assert app.main.table.move_to_key(case_id)
    await pilot.press(key)
    assert isinstance(app.screen, ActionDialog)
    return app.screen


def message(dialog: ActionDialog) -> str:
    return str(dialog.query_one("#dialog-message", Static).render())


def status_of(engine: Engine, case_id: int) -> CaseStatus:
    with transaction(engine) as session:
        case = find_case(session, case_id)
        assert case is not None
        return case.status


@pytest.mark.parametrize(
    ("key", "case_attr"),
    [("o", "crit"), ("r", "crit"), ("x", "expired"), ("f", "crit"), ("n", "crit")],
)
async def test_every_dialog_opens_with_the_focus_in_its_first_field_and_esc_cancels(
    make_app: AppFactory, seeded: Seeded, engine: Engine, key: str, case_attr: str
) -> None:
    app = make_app()
    case_id = getattr(seeded, case_attr)
    before = status_of(engine, case_id)
    async with app.run_test(size=(120, 40)) as pilot:
        dialog = await at_case(app, pilot, case_id, key)
        assert app.focused is dialog.query_one("#text", TextArea)
        await pilot.press("h", "i", "escape")
        assert app.screen is app.main
    assert status_of(engine, case_id) is before


async def test_destructive_dialogs_default_to_cancel(
    make_app: AppFactory, seeded: Seeded, engine: Engine
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        dialog = await at_case(app, pilot, seeded.crit, "f")
        await pilot.press("e", "v", "tab")
        assert app.focused is dialog.query_one("#confirm", Input)
        await pilot.press("S", "1", "enter")  # enter in a one-line field moves on ...
        focused = app.focused
        assert isinstance(focused, Button) and focused.id == "cancel"  # ... to Cancel
        await pilot.press("enter")  # enter on a button presses it
        assert app.screen is app.main
    assert status_of(engine, seeded.crit) is CaseStatus.OPEN


async def test_enter_moves_on_to_the_submit_button_of_a_plain_dialog(
    make_app: AppFactory, seeded: Seeded, engine: Engine
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await at_case(app, pilot, seeded.crit, "r")
        await pilot.press("o", "k", "tab")
        focused = app.focused
        assert isinstance(focused, Button) and focused.id == "submit"
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.screen is app.main
    assert status_of(engine, seeded.crit) is CaseStatus.RESOLVED


async def test_ctrl_s_submits_from_the_confirmation_field(
    make_app: AppFactory, seeded: Seeded, engine: Engine
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await at_case(app, pilot, seeded.expired, "x")
        await pilot.press("n", "o", "tab", "S", "6", "ctrl+s")
        await settle(app, pilot)
        assert app.screen is app.main
    assert status_of(engine, seeded.expired) is CaseStatus.DEACTIVATED


async def test_a_conflict_says_what_changed_and_keeps_the_typed_text(
    make_app: AppFactory, seeded: Seeded, engine: Engine, clock: FakeClock
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        dialog = await at_case(app, pilot, seeded.crit, "r")
        seen = dialog.case.version
        assign(engine, seeded.crit, to="tom", actor=Actor(name="tom"), now=clock())  # meanwhile
        await pilot.press("d", "o", "n", "e", "ctrl+s")
        await settle(app, pilot)
        assert app.screen is dialog
        shown = message(dialog)
        assert f"you saw version {seen}, it is now {seen + 1}): tom's assign at " in shown
        assert shown.lower().count("it is now") == 1  # what changed is said once
        assert "(- -> tom)" in shown and "Your text is kept" in shown
        assert dialog.text == "done"
        assert dialog.case.version == seen + 1
        await pilot.press("ctrl+s")  # the operator has now seen the change: a second submit acts
        await settle(app, pilot)
        assert app.screen is app.main
    assert status_of(engine, seeded.crit) is CaseStatus.RESOLVED


async def test_a_rule_refusal_shows_its_sentence(
    make_app: AppFactory, seeded: Seeded, engine: Engine, clock: FakeClock
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        dialog = await at_case(app, pilot, seeded.crit, "o")
        clock.advance(minutes=31)  # the deadline passes while the operator types
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert app.screen is dialog
        assert message(dialog) == f"case {seeded.crit}: the 72-hour window has passed."
    assert status_of(engine, seeded.crit) is not CaseStatus.RESPONDED


async def test_a_permission_refusal_shows_its_sentence(
    make_app: AppFactory, seeded: Seeded, engine: Engine
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        dialog = await at_case(app, pilot, seeded.crit, "f")
        with transaction(engine, write=True) as session:  # demoted while the dialog is open
            operator = session.get(Operator, "alice")
            assert operator is not None
            operator.role = "triage"
        await pilot.press("e", "tab", "S", "1", "ctrl+s")
        await settle(app, pilot)
        assert app.screen is dialog
        assert message(dialog) == (
            "to record a fraud finding you need the investigator role; alice is triage."
        )
    with transaction(engine) as session:
        assert [e.action for e in case_events(session, seeded.crit)] == ["open"]


@pytest.mark.parametrize("key", ["o", "r", "x", "f", "n"])
def test_dialog_snapshot(
    snap_compare: Callable[..., bool], make_app: AppFactory, seeded: Seeded, key: str
) -> None:
    app = make_app()
    target = seeded.expired if key == "x" else seeded.crit

    async def before(pilot: Pilot[None]) -> None:
        await settle(app, pilot)
        app.main.table.move_to_key(target)
        await pilot.press(key)
        await pilot.press(*"Seller", "space", *"called")
        await pilot.pause()

    assert snap_compare(app, terminal_size=(80, 24), run_before=before)
