"""The app and detected cases: the CONTACT word and countdown to contact_due, the header's count,
``c`` logging an attempt from the keyboard, the dialling format and the attempts in the detail."""

from __future__ import annotations

import csv
import io
import json
import time
from datetime import timedelta

import pytest
from sqlalchemy.engine import Engine

from ahr_tui.rules import CaseStatus, PolicyArea, Urgency
from ahr_tui.service.contact import detect_case
from ahr_tui.tui.dialogs.attempt import AttemptDialog, ChoiceRow
from ahr_tui.tui.widgets.case_table import MARKS, URGENCY_WIDTH
from tests.conftest import T0, Cli, FakeClock
from tests.tui.conftest import ALICE, AppFactory, Notes, Seeded, settle
from tests.tui.drawn import find, screen_text
from tests.tui.test_cases_actions import case_and_event, open_on, type_text
from tests.tui.tmux import app_in_tmux


def detect_one(engine: Engine, clock: FakeClock, hours_ago: float = 20) -> int:
    """S1's detected case; its first contact is due 24 h after ``hours_ago``."""
    return detect_case(
        engine, seller_id="S1", store="US", policy=PolicyArea.REVIEWS,
        at=T0 - timedelta(hours=hours_ago), summary="found by the sweep", actor=ALICE, now=clock(),
    ).id


def row_text(app, case_id: int) -> str:  # type: ignore[no-untyped-def]
    table = app.main.table
    index = table.row_index(case_id)
    return " ".join(c if isinstance(c, str) else c.plain for c in table.row(index))


async def test_a_detected_case_shows_contact_and_its_time_to_contact_due(
    make_app: AppFactory, seeded: Seeded, engine: Engine, clock: FakeClock
) -> None:
    case_id = detect_one(engine, clock, hours_ago=20)  # due in 4 h: urgent
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        text = row_text(app, case_id)
        assert "CONTACT" in text and "4h 00m" in text and "detected" in text
        assert "1 to contact" in app.main.header.plain


async def test_c_logs_the_first_attempt_from_the_keyboard_and_starts_the_72_hours(
    make_app: AppFactory, seeded: Seeded, engine: Engine, clock: FakeClock
) -> None:
    case_id = detect_one(engine, clock)
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await open_on(app, pilot, case_id)
        await pilot.press("c")
        dialog = app.screen
        assert isinstance(dialog, AttemptDialog)
        assert isinstance(app.focused, ChoiceRow) and app.focused.id == "channel"
        await pilot.press("ctrl+s")  # no outcome chosen yet: refused in the dialog
        assert isinstance(app.screen, AttemptDialog)
        assert "choose the outcome" in str(dialog.query_one("#dialog-message").render())
        await pilot.press("right")  # channel: email
        await pilot.press("enter")  # on to the outcome
        await pilot.press("v")  # voicemail, by its first letter
        await pilot.press("enter")  # on to the note
        await type_text(pilot, "left the case number")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert not isinstance(app.screen, AttemptDialog)
    case, event = case_and_event(engine, case_id, "attempt")
    assert case.status is CaseStatus.OPEN and case.contacted_at == T0
    assert case.deadline == T0 + timedelta(hours=72) and case.attempts == 1
    assert (event.from_state, event.to_state, event.note) == (
        "detected", "open", "email, voicemail: left the case number",
    )


@pytest.mark.parametrize(("keys", "expected"), [
    # The newcomer's burst: the arrow was applied after the keys that followed it.
    (("right", "enter", "3", "enter", "ctrl+s"), ("email", "voicemail")),
    (("l", "l", "h", "enter", "2", "l", "enter", "ctrl+s"), ("email", "voicemail")),
    (("right", "enter", "v", "left", "enter", "ctrl+s"), ("email", "no_answer")),
    (("enter", "3", "shift+tab", "right", "enter", "enter", "ctrl+s"), ("email", "voicemail")),
    (("s", "enter", "w", "right", "enter", "ctrl+s"), ("sms", "bounced")),
    (("right", "enter", "m", "enter", "ctrl+s"), ("email", "left_message")),
])
async def test_keys_of_one_burst_in_the_contact_dialog_apply_in_the_order_typed(
    make_app: AppFactory, seeded: Seeded, engine: Engine, clock: FakeClock,
    keys: tuple[str, ...], expected: tuple[str, str],
) -> None:
    """All the keys are queued before any is handled (a paste, a slow SSH link): each choice
    key acts on the row focused when it was typed, before the enter that follows it."""
    from ahr_tui.service.contact import case_attempts
    from ahr_tui.store.engine import transaction
    from tests.tui.test_dialog_keys import burst

    case_id = detect_one(engine, clock)
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await open_on(app, pilot, case_id)
        await pilot.press("c")
        assert isinstance(app.screen, AttemptDialog)
        await burst(app, pilot, *keys)
        dialog = app.screen
        shown = "" if not isinstance(dialog, AttemptDialog) else (
            f"{dialog.query_one('#channel', ChoiceRow).value} "
            f"{dialog.query_one('#outcome', ChoiceRow).value} "
            f"{dialog.query_one('#dialog-message').render()}")
        assert not isinstance(dialog, AttemptDialog), shown
    with transaction(engine) as session:
        attempts = case_attempts(session, case_id)
    assert [(a.channel.value, a.outcome.value) for a in attempts] == [expected]


def test_every_choice_has_its_own_letter_and_none_is_a_key_that_moves() -> None:
    """As the README lists them: the first letter, but ``left message`` is ``m`` (``l`` moves)."""
    from ahr_tui.rules.contact import Channel, Outcome
    from ahr_tui.tui.widgets.choice_row import MOVES

    channel = ChoiceRow(list(Channel), id="channel")
    outcome = ChoiceRow(list(Outcome), id="outcome")
    assert "".join(c or "-" for c in channel.letters) == "pesc"
    assert "".join(c or "-" for c in outcome.letters) == "rnvmwb"
    assert not set(outcome.letters) & set(MOVES)


async def test_c_is_refused_with_the_reason_on_a_final_case(
    make_app: AppFactory, seeded: Seeded, engine: Engine, clock: FakeClock
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await open_on(app, pilot, seeded.ok)
        assert app.why_not("attempt") is None  # an open case takes follow-ups
        from ahr_tui.rules import CaseAction
        from ahr_tui.service.cases import act

        act(engine, seeded.ok, CaseAction.RESOLVE, at=T0, text="done", actor=ALICE, now=T0)
        case = app.current_case()
        assert case is not None
        from dataclasses import replace

        closed = replace(case, status=CaseStatus.RESOLVED)
        from ahr_tui.tui.case_actions import SPECS, refusal

        reason = refusal(SPECS["attempt"], closed, operator="alice", role=app.role, now=T0)
        assert reason is not None and reason.startswith(
            f"case {seeded.ok}: cannot record a contact attempt on a case that is resolved")


async def test_the_detail_shows_the_phone_to_dial_and_every_attempt(
    make_app: AppFactory, seeded: Seeded, engine: Engine, clock: FakeClock
) -> None:
    from ahr_tui.rules.contact import Channel, Outcome
    from ahr_tui.service.contact import record_attempt

    case_id = detect_one(engine, clock)
    for minutes, outcome in ((10, Outcome.NO_ANSWER), (40, Outcome.REACHED)):
        record_attempt(engine, case_id, channel=Channel.PHONE, outcome=outcome,
                       at=T0 - timedelta(minutes=60 - minutes), note=None, actor=ALICE, now=T0)
    app = make_app()
    async with app.run_test(size=(160, 50)) as pilot:
        await open_on(app, pilot, case_id)
        await pilot.press("enter")
        await settle(app, pilot)
        shown = "\n".join(getattr(w.content, "plain", "") for w in app.screen.query("Static"))
    assert "+1 415-555-2671" in shown  # phonenumbers' international format
    assert "phone, no_answer" in shown and "phone, reached" in shown


async def test_a_detected_case_past_its_contact_target_says_overdue_once_in_the_detail(
    make_app: AppFactory, seeded: Seeded, engine: Engine, clock: FakeClock
) -> None:
    case_id = detect_one(engine, clock, hours_ago=26.25)  # first contact due 2h 15m ago
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_on(app, pilot, case_id)
        await pilot.press("enter")
        await settle(app, pilot)
        line = find(app, "Time  ").line
    assert "!!! first contact 2h 15m overdue" in line, line
    assert line.lower().count("overdue") == 1, line


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_the_contact_dialog_shows_the_number_to_dial_and_the_time_where_it_rings(
    make_app: AppFactory, seeded: Seeded, engine: Engine, clock: FakeClock,
    size: tuple[int, int],
) -> None:
    case_id = detect_one(engine, clock)
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await open_on(app, pilot, case_id)
        await pilot.press("c")
        await settle(app, pilot)
        assert isinstance(app.screen, AttemptDialog)
        drawn = "\n".join(screen_text(app))
        # T0 is 2026-03-02T12:00Z: 04:00 on Monday in San Francisco (415)
        assert "Phone  +1 415-555-2671  their time Mon 04:00 America/Los_Angeles" in drawn, drawn
        assert find(app, "Phone  +1").row == find(app, f"case {case_id} · S1").row + 1  # under it
        for label in ("Log attempt", "Cancel", "choose:"):  # the dialog still fits whole
            find(app, label)


async def test_the_case_detail_shows_the_seller_s_phone_before_the_timeline_and_chart(
    make_app: AppFactory, seeded: Seeded, engine: Engine, clock: FakeClock
) -> None:
    case_id = detect_one(engine, clock)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_on(app, pilot, case_id)
        await pilot.press("enter")
        await settle(app, pilot)
        drawn = screen_text(app)  # the first screen, not scrolled
        phone = find(app, "Phone  +1 415-555-2671  their time Mon 04:00").row
        assert phone < find(app, "Timeline").row
        assert not any("AHR, last" in line for line in drawn[:phone]), drawn


async def test_every_choice_of_the_contact_dialog_shows_whole_and_chosen_at_80x24(
    make_app: AppFactory, seeded: Seeded, engine: Engine, clock: FakeClock
) -> None:
    """The outcome row wraps between choices: each label (numbered as the hint says) is drawn
    whole, the chosen one reversed and bracketed; the notification says what was logged."""
    from ahr_tui.rules.contact import Channel, Outcome

    case_id = detect_one(engine, clock)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_on(app, pilot, case_id)
        notes = Notes(app)
        await pilot.press("c")
        dialog = app.screen
        assert isinstance(dialog, AttemptDialog)
        for row in (Channel, Outcome):
            for number, choice in enumerate(row, start=1):
                label = f"{number} {choice.value.replace('_', ' ')}"
                find(app, label)  # drawn whole, on one line
        keys = find(app, "choose:")
        assert "its number" in keys.line  # the labels' numbers, not "a letter"
        await pilot.press("enter", "6")  # to the outcome row; the last choice, by its number
        chosen = find(app, "[6 bounced]")
        assert chosen.style.reverse and chosen.style.bold
        await pilot.press("5")
        assert find(app, "[5 wrong number]").style.reverse
        assert not any("[6 bounced]" in line for line in screen_text(app))
        assert find(app, "Log attempt")  # the buttons still on the screen
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert not isinstance(app.screen, AttemptDialog)
    assert f"case {case_id}: phone, wrong number logged (1 attempt so far); it is open." in (
        notes.messages)


async def test_a_detected_case_past_its_contact_due_counts_once_as_to_contact(
    make_app: AppFactory, seeded: Seeded, engine: Engine, clock: FakeClock, cli: Cli
) -> None:
    """A newcomer saw such a case counted twice (``!!! 1 overdue`` and ``1 to contact``) and
    ``ahr cases`` call it ``overdue`` where its row reads ``!!! CONTACT``. ``overdue`` is the
    72-hour deadline's word: this case counts once, ``to contact``, marked as its row is
    (``!!! 1 to contact`` above ``!!! CONTACT``, at 80 columns too, where its row is at the
    top); ``ahr cases`` says ``contact overdue``, the row's word and mark (a later trial found a
    bare ``contact`` said nothing of its lateness); ``--json`` keeps ``status`` and adds
    ``urgency`` (``overdue``), and ``--csv`` the same column; the title counts no overdue case,
    and counts it as the header does, late."""
    case_id = detect_one(engine, clock, hours_ago=26)  # contact was due 2 h ago
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        row = find(app, "CONTACT", row_with=f" {case_id} ")
        assert "-2h 00m !!! CONTACT" in row.line, row.line
        header = screen_text(app)[0]
        assert "  !!! 1 to contact  " in header and "overdue" not in header, header
        assert app.terminal_title == (
            "AHR: 0 overdue, 1 critical, 1 to contact (1 late), 1 expired, next 30m")
        await pilot.resize_terminal(80, 24)
        await settle(app, pilot)
        drawn = screen_text(app)
        assert "overdue" not in drawn[0] and " 1 to contact " in drawn[0], drawn[0]
        row = find(app, "CONTACT", row_with=f" {case_id} ")
        assert "-2h 00m !!! CONTACT" in row.line and "detected" in row.line, row.line
        assert row.line == drawn[3], drawn  # the first row, under the column titles
    printed = cli("cases", "--now", T0.isoformat())
    assert printed.exit_code == 0, printed.output
    line = next(ln for ln in printed.output.splitlines() if ln.split()[:1] == [str(case_id)])
    assert line.split()[1:6] == ["-2h", "00m", "contact", "overdue", "S1"], line
    listed = json.loads(cli("cases", "--json", "--now", T0.isoformat()).stdout)
    late = next(c for c in listed if c["id"] == case_id)
    assert (late["status"], late["urgency"]) == ("detected", "overdue")
    assert {c["urgency"] for c in listed if c["status"] == "open"} >= {"critical", "ok"}
    rows = list(csv.DictReader(io.StringIO(cli("cases", "--csv", "--now", T0.isoformat()).stdout)))
    assert [(int(r["id"]), r["urgency"]) for r in rows] == [(c["id"], c["urgency"]) for c in listed]


async def test_the_to_contact_count_takes_the_mark_of_its_most_urgent_case(
    make_app: AppFactory, seeded: Seeded, engine: Engine, clock: FakeClock
) -> None:
    """23 h before its first-contact target a detected case is ``warn``: ``. 1 to contact``."""
    detect_one(engine, clock, hours_ago=1)
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        assert "  . 1 to contact  " in screen_text(app)[0]


async def test_ahr_cases_writes_each_case_s_urgency_with_the_word_its_row_shows(
    make_app: AppFactory, seeded: Seeded, engine: Engine, clock: FakeClock, cli: Cli
) -> None:
    """One word per case in both front ends: the URGENCY cell's word, as drawn, lower case, is
    the word ``ahr cases`` prints for that case (open cases at every level, expired, responded);
    a detected case's ``CONTACT`` row says its level by its mark (``!!!``), which ``ahr cases``
    writes as a word after ``contact`` (``contact overdue``; ``contact`` alone while ok)."""
    late = detect_one(engine, clock, hours_ago=26)
    soon = detect_case(engine, seller_id="S2", store="CA", policy=PolicyArea.REVIEWS,
                       at=T0 - timedelta(hours=1), summary="", actor=ALICE, now=clock()).id
    near = detect_case(engine, seller_id="S3", store="US", policy=PolicyArea.REVIEWS,
                       at=T0 - timedelta(hours=23, minutes=30), summary="", actor=ALICE,
                       now=clock()).id
    app = make_app()
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(app, pilot)
        drawn = screen_text(app)
    heading = next(line for line in drawn if "URGENCY" in line)
    at, case_at = heading.index("URGENCY"), heading.index("CASE")
    level_of_mark = {MARKS[u]: u.value for u in Urgency}

    def as_printed(cell: str) -> str:  # "!!! CONTACT" -> "contact overdue"
        mark, word = cell[:3].strip(), cell[4:].strip().lower()
        level = level_of_mark[mark] if word == "contact" else word
        return word if level in (word, "ok") else f"{word} {level}"

    shown = {int(line[case_at:case_at + 6]): as_printed(line[at:at + URGENCY_WIDTH])
             for line in drawn[drawn.index(heading) + 1:-1] if line[case_at:case_at + 6].strip()}
    printed = cli("cases", "--now", T0.isoformat())
    assert printed.exit_code == 0, printed.output
    lines = printed.output.splitlines()
    start, end = lines[0].index("URGENCY"), lines[0].index("SELLER")
    words = {int(ln.split()[0]): ln[start:end].strip() for ln in lines[1:]}
    assert words == shown and len(shown) >= 9, (words, shown)
    assert (words[late], words[near], words[soon]) == (
        "contact overdue", "contact critical", "contact warn"), words


async def test_no_color_tells_an_overdue_contact_from_a_critical_and_an_urgent_case(
    make_app: AppFactory, seeded: Seeded, engine: Engine, clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Under NO_COLOR a passed due moment (an overdue contact, as an overdue open case) is bold
    reverse, a critical one bold underlined, an urgent one bold: three different attributes."""
    monkeypatch.setenv("NO_COLOR", "1")
    case_id = detect_one(engine, clock, hours_ago=26)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        assert app.no_color and app.main.table.move_to_key(seeded.ok)  # cursor off those rows
        await pilot.pause()
        drawn = {
            word: find(app, word, row_with=f" {row} ").style
            for word, row in (("!!! CONTACT", case_id), ("-2h 00m", case_id),
                              ("!!  CRITICAL", seeded.crit), ("30m 00s", seeded.crit),
                              ("!   URGENT", seeded.urgent))
        }
    attrs = {w: (bool(s.bold), bool(s.reverse), bool(s.underline)) for w, s in drawn.items()}
    assert attrs["!!! CONTACT"] == attrs["-2h 00m"] == (True, True, False), attrs
    assert attrs["!!  CRITICAL"] == attrs["30m 00s"] == (True, False, True), attrs
    assert attrs["!   URGENT"] == (True, False, False), attrs


def test_the_terminal_title_counts_what_needs_action_late_first_contacts_too(
    seeded: Seeded, engine: Engine, clock: FakeClock, db_url: str
) -> None:
    """A newcomer's glance at the tmux window's title: ``0 overdue, 1 expired`` while a
    detected case was past its first-contact target. The title the terminal receives counts
    what needs action as the header does: overdue, critical, to contact with the late ones,
    expired. (In tmux, at today's date: the sample's open cases are past their deadline; the
    OS user is no operator here, so the app leaves them open, overdue.)"""
    detect_one(engine, clock, hours_ago=30)  # contact was due 6 h before T0: long late now
    with app_in_tmux(db_url, size=(80, 24)) as tmux:
        shown = tmux.wait_for(lambda s: "CONTACT" in s)
        assert "CONTACT" in shown, shown
        title = ""
        for _ in range(100):  # the title follows the first whole list within a tick
            title = tmux.run("display", "-p", "-t", "app", "#{pane_title}").strip()
            if title.startswith("AHR:"):
                break
            time.sleep(0.1)
    assert title == "AHR: 4 overdue, 0 critical, 1 to contact (1 late), 1 expired, next -", (
        title)
