"""Every case action from the key press to the database row and its audit event; refusals."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import Engine
from textual.pilot import Pilot
from textual.widgets import Input, TextArea

from ahr_tui.rules import CaseStatus
from ahr_tui.service.views import case_events, find_case
from ahr_tui.store.actor import Actor
from ahr_tui.store.engine import transaction
from ahr_tui.store.models import Account
from ahr_tui.tui.app import AhrApp
from ahr_tui.tui.dialogs.action import ActionDialog
from tests.tui.conftest import AppFactory, Notes, Seeded, settle


def case_and_event(engine: Engine, case_id: int, action: str):
    """The case now, and its newest audit event of ``action``."""
    with transaction(engine) as session:
        case = find_case(session, case_id)
        events = [e for e in case_events(session, case_id) if e.action == action]
        assert case is not None and events, action
        return case, events[-1]


async def open_on(app: AhrApp, pilot: Pilot[None], case_id: int) -> None:
    await settle(app, pilot)
    assert app.main.table.move_to_key(case_id)
    await pilot.pause()


async def type_text(pilot: Pilot[None], text: str) -> None:
    await pilot.press(*[{" ": "space"}.get(ch, ch) for ch in text])


async def test_o_records_the_response_with_its_note(
    make_app: AppFactory, seeded: Seeded, engine: Engine
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await open_on(app, pilot, seeded.crit)
        await pilot.press("o")
        assert isinstance(app.screen, ActionDialog)
        await type_text(pilot, "seller called")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert not isinstance(app.screen, ActionDialog)
        table = app.main.table
        index = table.row_index(seeded.crit)
        assert index is not None and table.cases[index].status is CaseStatus.RESPONDED
        current = table.current_case  # it moved down; the next case took its row
        assert current is not None and current.id == seeded.urgent
    case, event = case_and_event(engine, seeded.crit, "respond")
    assert case.status is CaseStatus.RESPONDED and case.responded_at is not None
    assert (event.action, event.actor, event.to_state, event.note) == (
        "respond", "alice", "responded", "seller called",
    )


async def test_r_resolves_with_a_note(make_app: AppFactory, seeded: Seeded, engine: Engine) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await open_on(app, pilot, seeded.responded)
        await pilot.press("r")
        await pilot.press("ctrl+s")  # an empty note is refused in the dialog
        assert isinstance(app.screen, ActionDialog)
        assert "note is required" in str(app.screen.query_one("#dialog-message").render())
        await type_text(pilot, "fixed listing")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert seeded.responded not in [c.id for c in app.main.table.cases]
    case, event = case_and_event(engine, seeded.responded, "resolve")
    assert case.status is CaseStatus.RESOLVED
    assert (event.action, event.from_state, event.note) == ("resolve", "responded", "fixed listing")


async def test_x_deactivates_an_expired_case_after_the_seller_id_is_typed(
    make_app: AppFactory, seeded: Seeded, engine: Engine
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await open_on(app, pilot, seeded.expired)
        await pilot.press("x")
        await type_text(pilot, "no answer")
        await pilot.press("tab")
        assert isinstance(app.focused, Input)
        await type_text(pilot, "S5")  # the wrong seller
        await pilot.press("ctrl+s")
        assert isinstance(app.screen, ActionDialog)
        assert "type the seller id S6" in str(app.screen.query_one("#dialog-message").render())
        await pilot.press("backspace", "6", "ctrl+s")
        await settle(app, pilot)
    case, event = case_and_event(engine, seeded.expired, "deactivate")
    assert case.status is CaseStatus.DEACTIVATED
    assert (event.action, event.note) == ("deactivate", "no answer")
    with transaction(engine) as session:
        account = session.get(Account, case.account_id)
        assert account is not None and account.status == "deactivated"


async def test_f_records_fraud_with_evidence(
    make_app: AppFactory, seeded: Seeded, engine: Engine
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await open_on(app, pilot, seeded.warn)
        await pilot.press("f")
        await type_text(pilot, "fake invoices")
        await pilot.press("tab", "S", "3", "ctrl+s")
        await settle(app, pilot)
    case, event = case_and_event(engine, seeded.warn, "fraud")
    assert case.status is CaseStatus.FRAUD
    assert (event.action, event.note) == ("fraud", "fake invoices")
    with transaction(engine) as session:
        account = session.get(Account, case.account_id)
        assert account is not None and account.enrollment == "revoked"


async def test_a_assigns_the_case_to_me(
    make_app: AppFactory, seeded: Seeded, engine: Engine
) -> None:
    app = make_app()
    async with app.run_test(size=(160, 40)) as pilot:
        await open_on(app, pilot, seeded.ok)
        await pilot.press("a")
        await settle(app, pilot)
        row = app.main.table.row(app.main.table.cursor_row)
        assert row[-2] == "alice"
        notes = Notes(app)
        await pilot.press("a")  # now refused: already mine
        assert notes.messages == [f"case {seeded.ok}: already assigned to alice."]
    case, event = case_and_event(engine, seeded.ok, "assign")
    assert case.assignee == "alice"
    assert (event.action, event.actor, event.to_state) == ("assign", "alice", "alice")


async def test_n_adds_a_note(make_app: AppFactory, seeded: Seeded, engine: Engine) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await open_on(app, pilot, seeded.urgent)
        await pilot.press("n")
        assert app.focused is app.screen.query_one(TextArea)
        await type_text(pilot, "left a voicemail")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
    case, event = case_and_event(engine, seeded.urgent, "note")
    assert case.status is CaseStatus.OPEN
    assert (event.action, event.note) == ("note", "left a voicemail")


def enabled(app: AhrApp, key: str) -> bool:
    return app.screen.active_bindings[key].enabled


async def test_rule_refusals_grey_the_key_and_say_why(
    make_app: AppFactory, seeded: Seeded
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await open_on(app, pilot, seeded.crit)  # open, 30 minutes left
        assert enabled(app, "o") and enabled(app, "r") and enabled(app, "f")
        assert not enabled(app, "x")
        notes = Notes(app)
        await pilot.press("x")
        assert not isinstance(app.screen, ActionDialog)
        assert notes.messages == [
            f"case {seeded.crit}: cannot deactivate a case that is open (only when expired)."
        ]
        assert notes.all_plain()
        await open_on(app, pilot, seeded.expired)
        assert not enabled(app, "o") and enabled(app, "x")
        await pilot.press("o")
        assert "cannot record a response to a case that is expired" in notes.messages[-1]


async def test_role_refusals_name_the_role_needed(
    make_app: AppFactory, seeded: Seeded
) -> None:
    app = make_app(actor=Actor(name="tom"))  # triage
    async with app.run_test(size=(120, 40)) as pilot:
        await open_on(app, pilot, seeded.expired)
        assert "tom (triage)" in app.main.header.plain
        assert not enabled(app, "f") and not enabled(app, "x") and enabled(app, "r")
        notes = Notes(app)
        await pilot.press("f")
        assert notes.messages == [
            "to record a fraud finding you need the investigator role; tom is triage."
        ]
    app = make_app(actor=Actor(name="bob"))  # not an operator at all
    async with app.run_test(size=(120, 40)) as pilot:
        await open_on(app, pilot, seeded.crit)
        assert "bob (not an operator)" in app.main.header.plain
        notes = Notes(app)
        await pilot.press("n")
        # the sentence ``ahr case note`` prints (rules.role_refusal), with what to do about it
        assert notes.messages == [
            "bob is not an operator; to add a note you need the triage role (a lead can run "
            "`ahr operator add bob --role triage`)."
        ]


async def test_action_keys_act_on_the_detail_screens_case(
    make_app: AppFactory, seeded: Seeded, engine: Engine
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await open_on(app, pilot, seeded.urgent)
        await pilot.press("enter")
        assert getattr(app.screen, "case_id", None) == seeded.urgent
        app.main.table.move_cursor(0)  # the list cursor is elsewhere; the detail's case counts
        await pilot.press("a")
        await settle(app, pilot)
        await pilot.press("escape")
        assert app.screen is app.main
    case, _event = case_and_event(engine, seeded.urgent, "assign")
    assert case.assignee == "alice"


async def test_after_my_action_moves_the_case_away_the_next_case_is_under_the_cursor(
    make_app: AppFactory, seeded: Seeded, engine: Engine
) -> None:
    """``o`` on the 3rd row: the case (now responded) drops to the bottom and the cursor stays
    on the 3rd row, on the next case; another operator's change later moves the cursor with
    its case, as before."""
    from ahr_tui.rules import CaseAction
    from ahr_tui.service.cases import act
    from tests.conftest import T0
    from tests.tui.drawn import find

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_on(app, pilot, seeded.warn)
        table = app.main.table
        assert table.cursor_row == 2
        await pilot.press("o", "ctrl+s")
        await settle(app, pilot)
        assert table.row_index(seeded.warn) == table.row_count - 2  # moved down (responded)
        assert (table.cursor_row, table.cursor_key) == (2, seeded.ok)
        cursor = find(app, "Delta Tools")  # drawn as the cursor: unlike any other row
        assert cursor.style.bold and cursor.row == find(app, "Acme Goods").row + 2
        others = ("Acme Goods", "Bright Lamps", "Cedar Books", "Echo Farms", "Fable & Co")
        assert cursor.style.bgcolor not in {find(app, name).style.bgcolor for name in others}
        act(engine, seeded.ok, CaseAction.RESPOND, at=T0, text=None, actor=Actor("tom"),
            now=T0)
        app.poll()
        await settle(app, pilot)
        assert table.cursor_key == seeded.ok and table.cursor_row != 2  # followed its case


async def test_a_dialog_closes_after_its_save_has_finished_never_cancelling_it(
    make_app: AppFactory, seeded: Seeded, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Closing the dialog from inside its own save worker cancelled that worker, still running;
    under load a test waiting for the workers then failed with ``WorkerCancelled``."""
    from textual.worker import Worker

    cancelled: list[str | None] = []
    cancel = Worker.cancel

    def recording_cancel(worker: Worker[object]) -> None:
        cancelled.append(worker.group)
        cancel(worker)

    monkeypatch.setattr(Worker, "cancel", recording_cancel)
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await open_on(app, pilot, seeded.responded)
        await pilot.press("r")
        await type_text(pilot, "fixed listing")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert app.screen is app.main
        assert seeded.responded not in [c.id for c in app.main.table.cases]
    assert "dialog-submit" not in cancelled
