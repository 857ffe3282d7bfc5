"""Dialogs as an operator meets them (issue 12 item 7): bursts of keys, enter, multi-line notes,
errors that go when fixed, plain words, feedback on cancel, and what a destructive action does."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.engine import Engine
from textual import events
from textual.pilot import Pilot
from textual.widgets import Button, Input, Static, TextArea

from ahr_tui.rules import PolicyArea
from ahr_tui.service.cases import open_case
from ahr_tui.service.views import case_events
from ahr_tui.store.engine import transaction
from ahr_tui.tui.app import AhrApp
from tests.conftest import T0, Cli, FakeClock
from tests.tui.conftest import ALICE, AppFactory, Notes, Seeded, settle
from tests.tui.drawn import screen_text
from tests.tui.test_dialogs import at_case, message

CHARACTERS = {"tab": "\t", "enter": "\r", "space": " ", "ctrl+j": "\n"}


async def burst(app: AhrApp, pilot: Pilot[None], *keys: str) -> None:
    """Deliver keys the way a paste or a slow link does: all queued before any is handled."""
    for key in keys:
        app.post_message(events.Key(key, CHARACTERS.get(key, key if len(key) == 1 else None)))
    await settle(app, pilot)


async def test_keys_in_a_burst_reach_the_field_they_were_typed_for(
    make_app: AppFactory, seeded: Seeded
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        dialog = await at_case(app, pilot, seeded.crit, "f")
        await burst(app, pilot, "e", "v", "tab", "S", "1", "enter", "x")
        assert dialog.text == "ev"
        assert dialog.query_one("#confirm", Input).value == "S1"
        focused = app.focused
        assert isinstance(focused, Button) and focused.id == "cancel"


async def test_a_burst_with_a_new_line_and_ctrl_s_sends_everything_in_order(
    make_app: AppFactory, seeded: Seeded, engine: Engine
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await at_case(app, pilot, seeded.crit, "n")
        await burst(app, pilot, "a", "ctrl+j", "b", "c", "ctrl+s")
        assert app.screen is app.main
    with transaction(engine) as session:
        notes = [e.note for e in case_events(session, seeded.crit) if e.action == "note"]
    assert notes == ["a\nbc"]


async def test_enter_in_the_note_moves_on_and_ctrl_j_starts_a_new_line(
    make_app: AppFactory, seeded: Seeded, engine: Engine
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        dialog = await at_case(app, pilot, seeded.crit, "n")
        await pilot.press("a", "ctrl+j", "b")
        assert dialog.text == "a\nb"
        await pilot.press("enter")
        focused = app.focused
        assert dialog.text == "a\nb" and isinstance(focused, Button) and focused.id == "submit"
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.screen is app.main
    with transaction(engine) as session:
        notes = [e.note for e in case_events(session, seeded.crit) if e.action == "note"]
    assert notes == ["a\nb"]


def test_a_two_line_note_keeps_the_timeline_in_columns(
    cli: Cli, engine: Engine, clock: FakeClock, seeded: Seeded
) -> None:
    done = cli("case", "note", str(seeded.crit), "--text", "first line\nsecond line")
    assert done.exit_code == 0, done.output
    shown = cli("case", "show", str(seeded.crit))
    lines = shown.output.splitlines()
    first = next(i for i, line in enumerate(lines) if line.endswith("first line"))
    assert lines[first + 1].strip() == "second line"
    assert lines[first + 1].index("second") == lines[first].index("first line")


async def test_a_seller_id_error_goes_once_the_id_is_right(
    make_app: AppFactory, seeded: Seeded
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        dialog = await at_case(app, pilot, seeded.crit, "f")
        await pilot.press("e", "tab", "S", "ctrl+s")
        assert "seller id" in message(dialog)
        await pilot.press("1")
        assert message(dialog) == ""
        assert app.screen is dialog


async def test_the_dialog_speaks_without_versions_and_cancel_says_nothing_changed(
    make_app: AppFactory, seeded: Seeded
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        notes = Notes(app)
        dialog = await at_case(app, pilot, seeded.crit, "r")
        assert "version" not in str(dialog.query_one("#dialog-case", Static).render())
        await pilot.press("escape")
        assert app.screen is app.main
        assert any("cancelled" in m and "nothing was changed" in m for m in notes.messages)
        assert notes.all_plain()


async def test_fraud_and_deactivate_say_what_they_will_do(
    make_app: AppFactory, seeded: Seeded, engine: Engine, clock: FakeClock
) -> None:
    for extra in range(2):  # two more active cases on the account of the critical case
        open_case(
            engine, seller_id="S1", store="US", policy=PolicyArea.CONDITION,
            at=T0 - timedelta(hours=1 + extra), summary="another", actor=ALICE, now=clock(),
        )
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        dialog = await at_case(app, pilot, seeded.crit, "f")
        said = str(dialog.query_one("#dialog-consequence", Static).render())
        assert "deactivates the account of S1 in US" in said
        assert "revokes its assurance for good" in said
        assert "supersedes its 2 other active cases" in said
        await pilot.press("escape")
        dialog = await at_case(app, pilot, seeded.expired, "x")
        said = str(dialog.query_one("#dialog-consequence", Static).render())
        assert "deactivates the account of S6 in US" in said


async def test_at_60x16_every_field_and_button_of_a_dialog_can_be_reached(
    make_app: AppFactory, seeded: Seeded
) -> None:
    app = make_app()
    async with app.run_test(size=(60, 16)) as pilot:
        dialog = await at_case(app, pilot, seeded.crit, "f")
        assert app.focused is dialog.query_one("#text", TextArea)
        for wanted in ("confirm", "cancel", "submit"):
            await pilot.press("tab")
            assert app.focused is not None and app.focused.id == wanted
            await pilot.pause()
            label = {"confirm": "seller id", "cancel": "Cancel", "submit": "Record fraud"}[wanted]
            assert any(label in line for line in screen_text(app)), "\n".join(screen_text(app))
