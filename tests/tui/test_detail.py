"""The detail screen, hosted in a tiny App (Pilot), on a real database with a fake clock."""

from __future__ import annotations

from datetime import date, timedelta, timezone

import pytest
from rich.text import Text
from textual.app import App
from textual.widgets import Static

from ahr_tui.rules import CaseAction, PolicyArea, Role
from ahr_tui.service.cases import act, open_case
from ahr_tui.service.outbox import queue
from ahr_tui.store.actor import Actor
from ahr_tui.store.engine import transaction
from ahr_tui.store.models import Account
from ahr_tui.tui.screens.detail import DetailScreen
from ahr_tui.tui.widgets.hanging import Hanging
from ahr_tui.tui.widgets.sparkline import Sparkline, bucket, chart
from tests.conftest import T0, add_operator, full_window, seed_account
from tests.tui.drawn import screen_text

AS_OF = (T0 - timedelta(days=1)).date()
EST = timezone(timedelta(hours=-5), "EST")
HOSTILE = "[@click=app.quit]Evil[/] \x1b[2J\x1b]52;c;SGVsbG8=\x1b\\ [WIP]"


class Host(App[None]):
    """Pushes one screen; stands in for the real App in these tests."""

    def __init__(self, screen: DetailScreen) -> None:
        super().__init__()
        self.detail = screen
        self.quit_ran = False

    def on_mount(self) -> None:
        self.push_screen(self.detail)

    def action_quit(self) -> None:  # a hostile [@click=app.quit] must never get here
        self.quit_ran = True


def scores_with_a_dip() -> dict[date, int]:
    scores = full_window(AS_OF, score=640)
    for i in range(30):
        scores[AS_OF - timedelta(days=100 + i)] = 380 + (i * 37) % 300
    for i in range(6):
        scores[AS_OF - timedelta(days=20 + i)] = 150 + i * 40
    for i in range(4):
        del scores[AS_OF - timedelta(days=60 + i)]
    return scores


@pytest.fixture
def case_id(engine, clock) -> int:
    """Account 1 with a resolved case and an open one (case 2), acted on by a fixed operator."""
    add_operator(engine, "alice", Role.LEAD)
    me = Actor(name="alice")  # not the OS user: the snapshots must not depend on who runs them
    seed_account(engine, "A17", name="Acme Goods", scores=scores_with_a_dip())
    older = open_case(
        engine, seller_id="A17", store="US", policy=PolicyArea.LISTING_POLICY,
        at=T0 - timedelta(days=20), summary="old listing issue", actor=me, now=clock(),
    )
    act(engine, older.id, CaseAction.RESPOND, at=T0 - timedelta(days=19), text=None,
        actor=me, now=clock())
    act(engine, older.id, CaseAction.RESOLVE, at=T0 - timedelta(days=18), text="fixed",
        actor=me, now=clock())
    case = open_case(
        engine, seller_id="A17", store="US", policy=PolicyArea.REVIEWS,
        at=T0 - timedelta(hours=2), summary="review manipulation reported", actor=me,
        now=clock(),
    )
    return case.id


def text_of(screen: DetailScreen, selector: str) -> str:
    content = screen.query_one(selector, Static).content
    assert isinstance(content, Text | Hanging)
    return content.plain


async def loaded(pilot) -> None:  # type: ignore[no-untyped-def]
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


@pytest.mark.parametrize(("zone", "shown"), [
    ("America/New_York", "2026-03-05 05:00 local (EST)  ·  2026-03-05 10:00 UTC"),
    ("UTC", "Deadline  2026-03-05 10:00 UTC"),  # not "10:00 local (UTC) · 10:00 UTC"
    ("Europe/London", "Deadline  2026-03-05 10:00 UTC"),  # GMT in March: the same time
], ids=["new-york", "utc", "london"])
async def test_the_deadline_is_written_once_where_local_time_is_utc(
    engine, clock, case_id, zone, shown
):
    from zoneinfo import ZoneInfo

    screen = DetailScreen(engine=engine, clock=clock, account_id=1, case_id=case_id,
                          tz=ZoneInfo(zone))
    async with Host(screen).run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        case = text_of(screen, "#detail-case")
        deadline = next(line for line in case.splitlines() if line.startswith("Deadline"))
        assert shown in deadline, case
        assert deadline.count("2026-03-05") == (2 if zone == "America/New_York" else 1), case


async def test_detail_shows_case_deadline_timeline_eligibility_and_contact(
    engine, clock, case_id
):
    screen = DetailScreen(engine=engine, clock=clock, account_id=1, case_id=case_id, tz=EST)
    async with Host(screen).run_test(size=(100, 40)) as pilot:
        await loaded(pilot)
        assert screen.case_id == case_id and screen.account_id == 1
        case = text_of(screen, "#detail-case")
        assert f"Case {case_id}" in case and "reviews" in case
        assert "review manipulation reported" in case
        assert "2026-03-05 05:00 local (EST)" in case and "2026-03-05 10:00 UTC" in case
        assert text_of(screen, "#detail-left") == "Time  2d 22h left  ok"
        timeline = text_of(screen, "#detail-timeline")
        assert "2026-03-02 10:00Z" in timeline and "open" in timeline
        elig = text_of(screen, "#detail-eligibility")
        assert "ELIGIBLE" in elig and "NOT ELIGIBLE" not in elig
        assert "3 days scored under 250 + 4 with no score = 7 of at most 10 allowed" in elig
        contact = text_of(screen, "#detail-contact")
        assert "seller@example.com" in contact and "as given: +1 415 555 2671 · valid" in contact
        # the number to dial, and the time where it rings (T0 is 2026-03-02T12:00Z)
        assert "Phone  +1 415-555-2671  their time Mon 04:00 America/Los_Angeles" in contact
        assert "case_opened" in text_of(screen, "#detail-notifications")
        assert "Other cases (1)" in text_of(screen, "#detail-cases")
        rows = screen.case_list
        assert rows.row_count == 1 and "resolved" in rows.row(0)[0].plain
        assert "current 640  healthy" in text_of(screen, "#detail-ahr")
        assert len(screen.query_one(Sparkline).series) == 180


async def test_time_left_follows_the_clock_and_changes_only_when_its_text_does(
    engine, clock, case_id
):
    screen = DetailScreen(engine=engine, clock=clock, account_id=1, case_id=case_id, tick=3600)
    async with Host(screen).run_test(size=(100, 40)) as pilot:
        await loaded(pilot)
        left = screen.query_one("#detail-left", Static)
        clock.advance(seconds=60)
        screen.refresh_left()
        before = left.content
        clock.advance(seconds=20)  # "2d 21h" still
        screen.refresh_left()
        assert left.content is before
        clock.advance(hours=69, minutes=30)
        screen.refresh_left()
        assert text_of(screen, "#detail-left") == "Time  28m 40s left  !! CRITICAL"
        clock.advance(hours=1)
        screen.refresh_left()
        # past it: the time said once, without a sign, and "overdue" once (glyph, no word)
        assert text_of(screen, "#detail-left") == "Time  !!! 31m 20s overdue"


async def test_reload_shows_another_process_change(engine, clock, me, case_id):
    screen = DetailScreen(engine=engine, clock=clock, account_id=1, case_id=case_id)
    async with Host(screen).run_test(size=(100, 40)) as pilot:
        await loaded(pilot)
        act(engine, case_id, CaseAction.RESPOND, at=T0 - timedelta(hours=1), text=None,
            actor=me, now=clock())
        screen.reload()
        await loaded(pilot)
        assert "Status    responded" in text_of(screen, "#detail-case")
        assert text_of(screen, "#detail-left") == "Time  2d 23h to spare  responded"
        assert "respond" in text_of(screen, "#detail-timeline")


async def test_account_without_a_case_hides_the_case_sections(engine, clock):
    account_id = seed_account(engine, "B2", phone=None, scores=full_window(AS_OF, 90, days=100))
    screen = DetailScreen(engine=engine, clock=clock, account_id=account_id)
    async with Host(screen).run_test(size=(80, 24)) as pilot:
        await loaded(pilot)
        assert not screen.query_one("#detail-case").display
        assert not screen.query_one("#detail-timeline").display
        elig = text_of(screen, "#detail-eligibility")
        assert "NOT ELIGIBLE" in elig and "phone_missing" in elig
        assert "100 days scored under 250 + 80 with no score = 180 of at most 10" in elig
        assert "current 90  unhealthy" in text_of(screen, "#detail-ahr")
        contact = text_of(screen, "#detail-contact")
        assert "Phone  none on file" in contact and "as given: (none) · missing" in contact


async def test_unknown_account_says_so(engine, clock):
    screen = DetailScreen(engine=engine, clock=clock, account_id=404)
    async with Host(screen).run_test(size=(80, 24)) as pilot:
        await loaded(pilot)
        assert text_of(screen, "#detail-title") == "no account with id 404."


async def test_hostile_text_is_shown_literally_and_runs_nothing(engine, clock, me):
    account_id = seed_account(engine, "H1", name=HOSTILE, email=HOSTILE, phone=HOSTILE,
                              scores=full_window(AS_OF))
    case = open_case(engine, seller_id="H1", store="US", policy=PolicyArea.OTHER, at=T0,
                     summary=HOSTILE, actor=me, now=clock())
    with transaction(engine, write=True) as session:
        account = session.get(Account, account_id)
        assert account is not None
        from ahr_tui.rules import NotificationKind

        queue(session, NotificationKind.CONTACT_NEEDED, account=account, now=clock())
    screen = DetailScreen(engine=engine, clock=clock, account_id=account_id, case_id=case.id)
    async with Host(screen).run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        shown = r"[@click=app.quit]Evil[/] \x1b[2J\x1b]52;c;SGVsbG8=\x1b\ [WIP]"
        for selector in ("#detail-title", "#detail-case", "#detail-contact", "#detail-timeline"):
            assert shown in text_of(screen, selector), selector
        assert "\x1b" not in text_of(screen, "#detail-notifications")
        for x in range(0, 120, 3):  # click across the title: no action may run
            await pilot.click("#detail-title", offset=(x, 0))
        assert not pilot.app.quit_ran


async def test_escape_pops_and_keys_scroll(engine, clock, case_id):
    screen = DetailScreen(engine=engine, clock=clock, account_id=1, case_id=case_id)
    host = Host(screen)
    async with host.run_test(size=(80, 24)) as pilot:
        await loaded(pilot)
        body = screen.query_one("#detail-body")
        await pilot.press("j", "j", "j")
        assert body.scroll_offset.y == 3
        await pilot.press("k")
        assert body.scroll_offset.y == 2
        await pilot.press("escape")
        assert host.screen is not screen


def test_sparkline_buckets_keep_the_lowest_score_and_count_missing_days():
    series = [300, None, 120, 500, 500, 500, None]
    assert [(b.low, b.missing, b.days) for b in bucket(series, 3)] == [
        (300, 0, 1), (120, 1, 3), (500, 1, 3)
    ]
    assert [b.days for b in bucket([1] * 180, 75)] == [3] * 60
    plain = [line.plain for line in chart(series, 8, date(2026, 1, 1))]
    assert plain[3] == " 250┼█─█"  # the 250 row, hidden only by bars at or above it
    assert plain[4] == "   0┤█▃█"  # 120, at risk: the lowest of its band's heights (▃▄▅)
    assert plain[5] == "    └─××"  # buckets with a missing day
    assert plain[6].startswith("     2026-01-01")
    daily = [line.plain for line in chart(series, 40, date(2026, 1, 1))]
    assert daily[3] == " 250┼█──███─" and daily[5] == "    └─×────×"


def snapshot_screen(engine, clock):  # type: ignore[no-untyped-def]
    return Host(DetailScreen(engine=engine, clock=clock, account_id=1, case_id=2, tz=EST))


async def _wait(pilot) -> None:  # type: ignore[no-untyped-def]
    await loaded(pilot)


def test_snapshot_detail_80x24(snap_compare, engine, clock, case_id):
    assert case_id == 2
    assert snap_compare(snapshot_screen(engine, clock), terminal_size=(80, 24), run_before=_wait)


def test_snapshot_detail_160x50(snap_compare, engine, clock, case_id):
    assert snap_compare(snapshot_screen(engine, clock), terminal_size=(160, 50), run_before=_wait)


async def test_a_crlf_in_a_summary_stored_by_an_older_import_shows_as_a_line_break(engine, clock):
    """realworld/cases-multiline-summary-crlf.csv: the app showed ``\\x0d``; a lone CR still
    shows escaped (it could overwrite the line)."""
    add_operator(engine, "alice", Role.LEAD)
    me = Actor(name="alice")
    seed_account(engine, "A18", name="Crlf Goods", scores=full_window(AS_OF))
    case = open_case(
        engine, seller_id="A18", store="US", policy=PolicyArea.AUTHENTICITY,
        at=T0 - timedelta(hours=2), summary="Test buy flagged.\r\nInvoices follow.\rx",
        actor=me, now=clock(),
    )
    screen = DetailScreen(engine=engine, clock=clock, account_id=1, case_id=case.id, tz=EST)
    async with Host(screen).run_test(size=(100, 40)) as pilot:
        await loaded(pilot)
        shown = text_of(screen, "#detail-case")
        assert "Test buy flagged.\n" in shown and "\\x0d\n" not in shown
        assert "Invoices follow.\\x0dx" in shown


async def test_the_timeline_columns_line_up_whatever_the_actors_names(engine, clock, case_id):
    """A newcomer's trial: with actors of different lengths the actions, changes and notes
    started at different columns. Each column is now as wide as its widest cell, as drawn."""
    from ahr_tui.rules.contact import Channel, Outcome
    from ahr_tui.service.cases import assign_case
    from ahr_tui.service.contact import record_attempt

    add_operator(engine, "christopher.long", Role.LEAD)
    long_name = Actor(name="christopher.long")
    assign_case(engine, case_id, to="christopher.long", actor=long_name, now=clock())
    record_attempt(engine, case_id, channel=Channel.PHONE, outcome=Outcome.REACHED,
                   at=T0 - timedelta(hours=1), note="owner will send invoices",
                   actor=long_name, now=clock())
    screen = DetailScreen(engine=engine, clock=clock, account_id=1, case_id=case_id, tz=EST)
    async with Host(screen).run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        region = screen.query_one("#detail-timeline").region
        drawn = [
            "".join(seg.text for seg in strip)
            for strip in pilot.app.screen._compositor.render_strips()
        ][region.y + 1:region.bottom]
        rows = [line for line in drawn if line.strip()[:4] == "2026"]
        assert len(rows) == 3, drawn
        for word in ("alice", "christopher.long"):
            assert any(word in row for row in rows)
        # each row's action and change, found in the row that has it
        cells = (("alice", " open ", "- -> open"), ("assign", " assign ", "- -> christopher.long"),
                 ("attempt", " attempt ", "open -> open"))
        starts, changes = set(), set()
        for mark, action, change in cells:
            row = next(row for row in rows if mark in row)
            starts.add(row.index(action))
            changes.add(row.index(change))
        assert len(starts) == 1 and len(changes) == 1, rows  # each starts in one column


async def test_a_case_that_came_contacted_says_so_instead_of_no_attempt(engine, clock, case_id):
    """A case opened (or imported) as contacted has a contact time and no attempt logged: the
    detail says the contact came with the case, in the words of ``ahr case show``, and that
    the first-contact target was met."""
    screen = DetailScreen(engine=engine, clock=clock, account_id=1, case_id=case_id, tz=EST)
    async with Host(screen).run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        case = " ".join(text_of(screen, "#detail-case").split())
        assert ("Contacted 2026-03-02 10:00 UTC (contact target met) Attempts 0 logged; the "
                "first contact came with the case (opened or imported as contacted)") in case


async def test_a_new_seller_is_told_not_enough_history_not_days_below(engine, clock):
    """A brand-new seller (20 days scored, all healthy) is not eligible, and the detail says
    why in truth: not enough history, not days below 250. The answer itself is unchanged."""
    scores = {AS_OF - timedelta(days=i): 640 for i in range(20)}
    seed_account(engine, "NEW1", name="New Seller", scores=scores, enrollment="not_enrolled")
    screen = DetailScreen(engine=engine, clock=clock, account_id=1, case_id=None, tz=EST)
    async with Host(screen).run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        elig = " ".join(text_of(screen, "#detail-eligibility").split())
        first = (AS_OF - timedelta(days=19)).isoformat()
        assert "NOT ELIGIBLE (too_many_days_missing)" in elig, elig
        assert (f"AHR: not enough history (scored since {first}): 160 days with no score + 0 "
                "scored under 250 = 160 of at most 10 allowed") in elig, elig
        assert "too_many_days_below" not in elig


async def test_an_accounts_detail_scrolls_past_its_cases_to_the_chart_and_eligibility(
        engine, clock, case_id):
    """On an account's own detail the case list has the focus: j/k choose a case, and past
    the last (or the first) one, and with the page keys, the detail scrolls, so the sections
    below the list are reached at 80x24 (they were not: the list took every key)."""
    from ahr_tui.tui.messages import DetailRequested

    opened: list[int | None] = []

    class Opening(Host):
        def on_detail_requested(self, message: DetailRequested) -> None:
            opened.append(message.case_id)

    screen = DetailScreen(engine=engine, clock=clock, account_id=1)
    host = Opening(screen)
    async with host.run_test(size=(80, 24)) as pilot:
        await loaded(pilot)
        body = screen.query_one("#detail-body")
        cases = screen.case_list
        assert cases.has_focus and cases.row_count == 2 and cases.cursor_row == 0
        await pilot.press("j")
        assert cases.cursor_row == 1 and body.scroll_offset.y == 0
        await pilot.press("j", "j")
        assert cases.cursor_row == 1 and body.scroll_offset.y == 2
        await pilot.press("pagedown", "pagedown", "pagedown")
        await pilot.pause()
        assert body.scroll_offset.y == body.max_scroll_y > 2
        shown = "\n".join(screen_text(host))
        assert "Eligibility" in shown
        await pilot.press("k")  # the cursor moves up first, then the detail scrolls
        assert cases.cursor_row == 0 and body.scroll_offset.y == body.max_scroll_y
        await pilot.press("k")
        assert body.scroll_offset.y == body.max_scroll_y - 1
        await pilot.press("enter")
        await pilot.pause()
        assert opened == [cases.cursor_key] != [None]  # enter opens the case under it



async def test_the_timeline_writes_each_change_as_ahr_case_show_and_the_help_do(
    engine, clock, case_id, cli
):
    """A newcomer read ``· → open`` in the timeline where ``?`` and the README write ``- ->
    open``: the terminal-facing text is one, ``service.event_view.state_change``'s (ASCII, as
    ``ahr case show`` prints it under any locale), in the timeline as drawn too."""
    from ahr_tui.tui.dialogs.help import WORDS

    assert next(word for word, _ in WORDS if "->" in word) == "- -> open"
    screen = DetailScreen(engine=engine, clock=clock, account_id=1, case_id=case_id, tz=EST)
    async with Host(screen).run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        rows = [line for line in screen_text(pilot.app) if line.strip()[:4] == "2026"]
    shown = cli("case", "show", str(case_id))
    assert shown.exit_code == 0, shown.output
    assert any(" - -> open" in line for line in shown.output.splitlines()), shown.output
    assert any(" - -> open" in line for line in rows), rows
    assert not any("→" in line or "·" in line for line in rows), rows


@pytest.mark.parametrize("days_later", [0, 40])
async def test_the_ahr_heading_says_the_scores_last_day_when_the_window_runs_past_it(
    engine, clock, case_id, days_later
):
    """On the sample (scores to 2026-03-01) opened months later, the chart was all ``×`` with
    nothing saying why: the heading names the last day any account was scored once the window
    ends after it, and nothing of it while the scores are current."""
    clock.advance(days=days_later)
    screen = DetailScreen(engine=engine, clock=clock, account_id=1, case_id=case_id, tz=EST)
    async with Host(screen).run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        heading = next(line for line in screen_text(pilot.app) if "AHR, last" in line)
    if days_later:
        assert f"scores end {AS_OF.isoformat()}" in heading, heading
    else:
        assert "scores end" not in heading, heading
